"""Start a provider emulator (tests/emulators/NAME.py) as a subprocess.

    with EmulatorProcess("cloudflare", ca, ["--zone", "example.test",
                                            "--token", tok]) as emu:
        emu.url            # https://127.0.0.1:PORT
        emu.control        # control.ControlClient
        emu.info           # the JSON line the emulator printed

The emulator prints its ports as one JSON line on stdout once it listens;
start() waits for that line (readiness), stop() sends SIGTERM and reaps
the process (SIGKILL after a grace period), so nothing is left running.
stderr goes to a log file whose tail is shown if start-up fails.
"""
import json
import os
import select
import signal
import subprocess
import tempfile
import time

from emulators.control import ControlClient

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATORS = os.path.join(TESTS, "emulators")
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")


class EmulatorError(RuntimeError):
    pass


class EmulatorProcess:
    def __init__(self, name, ca, args=(), env=None):
        self.name = name
        self.ca = ca
        self.args = list(args)
        self.env = env
        self.proc = None
        self.info = None
        self.control = None
        self._log = None

    @property
    def url(self):
        return self.info["url"]

    def start(self, timeout=15):
        script = os.path.join(EMULATORS, self.name + ".py")
        cmd = [PYTHON, script, "--cert", self.ca.cert_file,
               "--key", self.ca.key_file] + self.args
        self._log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=self._log,
                                     stdin=subprocess.DEVNULL,
                                     env=self.env)
        line = self._first_line(timeout)
        try:
            self.info = json.loads(line)
        except ValueError:
            self.stop()
            raise EmulatorError("%s emulator printed %r, not its ports:\n%s"
                                % (self.name, line, self.stderr()))
        self.control = ControlClient(self.info["control_url"])
        return self

    def _first_line(self, timeout):
        end = time.monotonic() + timeout
        fd = self.proc.stdout
        while time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                line = fd.readline().decode()
                if line:
                    return line
            if self.proc.poll() is not None:
                break
        err = self.stderr()
        self.stop()
        raise EmulatorError("%s emulator did not start:\n%s"
                            % (self.name, err))

    def stderr(self):
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read()[-4000:]

    def stop(self, grace=5):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc.stdout.close()
            self.returncode = self.proc.returncode
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
