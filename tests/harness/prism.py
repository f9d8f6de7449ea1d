"""Contract tests: `prism proxy --errors` in front of an emulator.

Prism (npm @stoplight/prism-cli, installed into tests/node_modules by
scripts/install-deps.sh when npm is there) checks every request against a
published API description (422 when it breaks it) and every answer (500
and an sl-violations header when it breaks it). It speaks plain HTTP; the
binary only HTTPS, so TlsRelay puts the test CA in front of it and
collects what Prism reports.

    @pytest.fixture(scope="module")
    def contract(test_ca, tmp_path_factory):
        sb = SomeSandbox(...)
        with proxy("cloudflare-....openapi.json", sb, test_ca,
                   tmp_path_factory, tls=True) as (url, relay):
            yield sb, url + "/client/v4", relay

proxy() skips the test (with the reason) when prism, node or the spec is
missing, and stops Prism, the relay and the sandbox afterwards.
"""
import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

from harness.emulators import TESTS
from harness.knot import free_port

PRISM = os.path.join(TESTS, "node_modules", ".bin", "prism")


def spec_path(name):
    """A provider API description: from $TLSRPT_SPECS when set, else the
    copy kept in tests/fixtures/specs (see its README); None when
    absent."""
    for p in (os.path.join(os.environ.get("TLSRPT_SPECS", "/nonexistent"),
                           name),
              os.path.join(TESTS, "fixtures", "specs", name)):
        if os.path.exists(p):
            return p
    return None


def skip_unless_prism(spec):
    if not os.access(PRISM, os.X_OK):
        pytest.skip("prism not installed in tests/node_modules "
                    "(scripts/install-deps.sh installs it when npm is there)")
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if spec is None:
        pytest.skip("API description not found in tests/fixtures/specs "
                    "or $TLSRPT_SPECS")


class TlsRelay:
    """HTTPS on a loopback port, relayed byte for byte to a plain port.
    Prism reports what breaks the schema in an sl-violations response
    header (and answers 422 to a bad request): the relay collects both
    from the answers it passes on."""

    def __init__(self, ca, target_port):
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(ca.cert_file, ca.key_file)
        self.target = target_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.violations = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    def _serve(self, c):
        try:
            s = self.ctx.wrap_socket(c, server_side=True)
            u = socket.create_connection(("127.0.0.1", self.target))
        except (OSError, ssl.SSLError):
            c.close()
            return

        def pump(a, b, watch=False):
            seen = b""
            try:
                while True:
                    data = a.recv(65536)
                    if not data:
                        break
                    if watch:
                        seen = self._watch(seen + data)
                    b.sendall(data)
            except OSError:
                pass
            for x in (a, b):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        threading.Thread(target=pump, args=(u, s, True),
                         daemon=True).start()
        pump(s, u)

    def _watch(self, buf):
        """Collect complete header lines naming a violation or a 422;
        return the unfinished tail."""
        lines = buf.split(b"\r\n")
        for line in lines[:-1]:
            low = line.lower()
            if low.startswith(b"sl-violations:") or \
                    low.startswith(b"http/1.1 422"):
                self.violations.append(line.decode("latin-1"))
        return lines[-1][-4096:]

    def stop(self):
        self.stopped = True
        self.sock.close()


@contextlib.contextmanager
def proxy(spec_name, sandbox, ca, tmp_path_factory, tls=False):
    """Prism in front of sandbox.base_url with spec_name; yields (base
    URL of Prism, or of the TLS relay when tls, relay or None). The
    sandbox is stopped at the end, whatever happens."""
    relay = proc = log = None
    try:
        spec = spec_path(spec_name)
        skip_unless_prism(spec)
        port = free_port()
        log = open(str(tmp_path_factory.mktemp("prism") / "prism.log"),
                   "w+")
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=sandbox.ca_file)
        proc = subprocess.Popen(
            [PRISM, "proxy", "--errors", "-h", "127.0.0.1", "-p", str(port),
             spec, sandbox.base_url], env=env, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        end = time.monotonic() + 60
        while True:
            log.seek(0)
            if "is listening" in log.read():
                break
            assert proc.poll() is None and time.monotonic() < end, \
                "prism did not start"
            time.sleep(0.1)
        if tls:
            relay = TlsRelay(ca, port)
            yield "https://127.0.0.1:%d" % relay.port, relay
        else:
            yield "http://127.0.0.1:%d" % port, None
    finally:
        if relay is not None:
            relay.stop()
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if log is not None:
            log.close()
        sandbox.stop()
