"""pytest fixtures for the AWS credential chain: the credentials stand-in
(tests/emulators/aws_creds.py: STS over HTTPS, IMDS and the container
endpoint over plain HTTP on loopback) and a small C driver linked against
the build's libtlsrpt.a (tests/e2e/aws_creds_driver.c), which runs the
chain until the Route 53 backend drives it from the binary."""
import json
import os
import shlex
import subprocess
import urllib.request

import pytest

from harness.cli import sandbox_env

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
ROLE_ARN = "arn:aws:iam::123456789012:role/tlsrpt-ci"
STATIC = ("AKIDSTATICEXAMPLE", "static/secret+KEY")
SESSION = ("ASIASESSIONEXAMPLE", "session/secret+KEY", "FQoGZXIvYXdz//tok==")
CONTAINER_TOKEN = "container-auth-token-6e2d"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmV4YW1wbGUifQ.c2lnbmF0dXJl"
PKGS = "libcurl libcjson libconfig libcares openssl libxml-2.0 libidn2"


def _pkg(flag):
    out = subprocess.run(["pkg-config", flag] + PKGS.split(),
                         capture_output=True, text=True, check=True)
    return shlex.split(out.stdout)


@pytest.fixture(scope="session")
def aws_creds_driver(binary, tmp_path_factory):
    """Path of the driver, built like the binary under test (plain or
    with the sanitizers) against the same libtlsrpt.a."""
    build = os.path.dirname(os.path.realpath(binary))
    lib = os.path.join(build, "libtlsrpt.a")
    assert os.path.exists(lib), "build first: make"
    out = str(tmp_path_factory.mktemp("driver") / "aws_creds_driver")
    san = []
    if os.path.basename(build) == "build-san" or \
            os.environ.get("SANITIZE") == "1":
        san = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
    cmd = (["cc", "-std=c11", "-D_POSIX_C_SOURCE=200809L",
            "-D_DEFAULT_SOURCE", "-Iinclude", "-g", "-O1"] + san +
           _pkg("--cflags") +
           ["-o", out, "tests/e2e/aws_creds_driver.c", lib] +
           _pkg("--libs") + ["-lresolv", "-lpthread", "-lm"])
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


class AwsEmu:
    """The running stand-in: ports, its control API, and an environment
    for the driver that sees nothing of the machine's own AWS set-up."""

    def __init__(self, proc, ports, tmp, ca):
        self.proc, self.ports, self.tmp, self.ca = proc, ports, tmp, ca
        self.token_file = os.path.join(tmp, "web-identity-token")
        self.home = os.path.join(tmp, "home")

    def url(self, service, path="/"):
        scheme = "https" if service == "sts" else "http"
        return "%s://127.0.0.1:%d%s" % (scheme, self.ports[service], path)

    def _control(self, path, obj=None):
        data = None if obj is None else json.dumps(obj).encode()
        req = urllib.request.Request(
            "http://127.0.0.1:%d%s" % (self.ports["control"], path),
            data=data, method="POST" if data is not None else "GET")
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def log(self, service=None):
        return [e for e in self._control("/log")
                if service is None or e["service"] == service]

    def issued(self):
        return self._control("/issued")

    def config(self, **kw):
        return self._control("/config", kw)

    def reset(self):
        self._control("/reset", {})
        os.makedirs(os.path.join(self.home, ".aws"), exist_ok=True)
        for name in ("config", "credentials"):
            p = os.path.join(self.home, ".aws", name)
            if os.path.exists(p):
                os.unlink(p)
        with open(self.token_file, "w") as f:
            f.write(WEB_TOKEN + "\n")

    def write_aws(self, name, text):
        with open(os.path.join(self.home, ".aws", name), "w") as f:
            f.write(text)

    def env(self, **kw):
        e = {"HOME": self.home, "CURL_CA_BUNDLE": self.ca,
             "AWS_EC2_METADATA_DISABLED": "true"}
        return sandbox_env(e, **kw)


def aws_creds_stand_in(tmp, ca_dir, ca_file, *args):
    """Start tests/emulators/aws_creds.py (its STS certificate from the CA
    in ca_dir, made there when missing; the web identity token file in
    tmp); yields its AwsEmu, stops it at the end."""
    token = os.path.join(tmp, "web-identity-token")
    with open(token, "w") as f:
        f.write(WEB_TOKEN + "\n")
    proc = subprocess.Popen(
        [PYTHON, os.path.join(ROOT, "tests", "emulators", "aws_creds.py"),
         "--dir", ca_dir, "--role-arn", ROLE_ARN, "--token-file", token,
         "--container-token", CONTAINER_TOKEN, *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line, "aws_creds emulator did not start"
        yield AwsEmu(proc, json.loads(line), tmp, ca_file)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def _aws_emu_proc(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("awsemu"))
    yield from aws_creds_stand_in(
        tmp, os.path.join(tmp, "ca"), os.path.join(tmp, "ca", "ca.pem"),
        "--static-key", "%s:%s" % STATIC,
        "--static-key", "%s:%s:%s" % SESSION)


@pytest.fixture
def aws_emu(_aws_emu_proc):
    """The credentials stand-in, reset for this test."""
    _aws_emu_proc.reset()
    return _aws_emu_proc
