"""The binary's Cloudflare requests checked against Cloudflare's published
OpenAPI description: publish, plan, update, TTL change, consolidation,
--zone-id, the bulk zone listing and remove go through
`prism proxy --errors` (which answers 422 to any request the schema does
not allow, and 500 to any answer that breaks it) in front of the
emulator. Prism speaks plain HTTP and the tool only HTTPS, so a small TLS
relay with the test CA sits in front of Prism."""
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

from harness.emulators import TESTS
from harness.fixtures_emulators import CloudflareSandbox, free_port

PRISM = os.path.join(TESTS, "node_modules", ".bin", "prism")
SPEC_NAME = "cloudflare-dns-records.prism.extended.openapi.json"
SPEC = next((p for p in (
    os.path.join(os.environ.get("TLSRPT_SPECS", "/nonexistent"), SPEC_NAME),
    os.path.join(os.path.dirname(os.path.dirname(TESTS)), "shared",
                 "specs", SPEC_NAME),
    os.path.join("/work/shared/specs", SPEC_NAME)) if os.path.exists(p)),
    None)
OWNER = "_smtp._tls.example.test"
RUA = "mailto:tls-reports@example.test"


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


@pytest.fixture(scope="module")
def contract(test_ca, tmp_path_factory):
    if not os.access(PRISM, os.X_OK):
        pytest.skip("prism not installed in tests/node_modules "
                    "(scripts/install-deps.sh installs it when npm is there)")
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if SPEC is None:
        pytest.skip("shared/specs not found (set TLSRPT_SPECS)")
    # The 2024 schema wants a string comment: seeded records carry one
    # (the tool comments what it writes).
    cf = CloudflareSandbox(test_ca, ["example.test", "sub.example.test"], {
        "example.test": [
            {"type": "TXT", "name": OWNER, "content": '"v=spf1 -all"',
             "comment": "seeded", "ttl": 300}]},
        [], [], 0.0, 1, tmp_path_factory.mktemp("cf"))
    port = free_port()
    log = open(str(tmp_path_factory.mktemp("prism") / "prism.log"), "w+")
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=cf.ca_file)
    proc = subprocess.Popen([PRISM, "proxy", "--errors", "-h", "127.0.0.1",
                             "-p", str(port), SPEC, cf.base_url], env=env,
                            stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    relay = None
    try:
        end = time.monotonic() + 60
        while True:
            log.seek(0)
            if "is listening" in log.read():
                break
            assert proc.poll() is None and time.monotonic() < end, \
                "prism did not start"
            time.sleep(0.1)
        relay = TlsRelay(test_ca, port)
        yield cf, "https://127.0.0.1:%d/client/v4" % relay.port, relay
    finally:
        if relay is not None:
            relay.stop()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        cf.stop()


def run(binary, contract, tmp_path, *args):
    cf, url, _ = contract
    env = cf.env(CLOUDFLARE_API_URL=url, XDG_CONFIG_HOME=str(tmp_path),
                 HOME=str(tmp_path))
    env.pop("TLSRPT_PUBLISH_CONFIG", None)
    r = subprocess.run([binary, *args, "--provider", "cloudflare",
                        "--output", "json", "--no-wait"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return json.loads(r.stdout)["results"]


def violations(contract):
    return contract[2].violations


def test_requests_follow_the_published_schema(binary, contract, tmp_path):
    cf = contract[0]
    rec = "v=TLSRPTv1; rua=" + RUA
    res = run(binary, contract, tmp_path, "publish", "--rua", RUA,
              "example.test")
    assert res[0]["action"] == "created"
    assert run(binary, contract, tmp_path, "plan", "--rua",
               "mailto:x@example.test", "example.test")[0]["action"] == \
        "would-update"
    assert run(binary, contract, tmp_path, "publish", "--rua", RUA,
               "example.test")[0]["action"] == "unchanged"
    # In-place update (PATCH), then a TTL change for the whole RRset
    # (PATCH of the unrelated record with type, name and ttl only).
    assert run(binary, contract, tmp_path, "publish", "--rua",
               "mailto:x@example.test", "example.test")[0]["action"] == \
        "updated"
    assert run(binary, contract, tmp_path, "publish", "--rua",
               "mailto:x@example.test", "--ttl", "600",
               "example.test")[0]["action"] == "updated"
    # Consolidation: a second TLS-RPT record is deleted.
    st, _, _ = cf.api("POST", "/zones/%s/dns_records"
                      % cf.zone_id("example.test"),
                      {"type": "TXT", "name": OWNER, "content": '"' + rec +
                       '"', "ttl": 600, "comment": "other tool"})
    assert st == 200
    assert run(binary, contract, tmp_path, "publish", "--rua", RUA,
               "example.test")[0]["action"] == "updated"
    # --zone-id, a subdomain zone, and the bulk zone listing.
    assert run(binary, contract, tmp_path, "plan", "--rua", RUA,
               "--zone-id", cf.zone_id("example.test"),
               "a.example.test")[0]["zone"] == "example.test"
    names = ["d%02d.example.test" % i for i in range(20)] + \
        ["x.sub.example.test"]
    res = run(binary, contract, tmp_path, "plan", "--rua", RUA, *names)
    assert {x["zone"] for x in res} == {"example.test", "sub.example.test"}
    assert run(binary, contract, tmp_path, "remove",
               "example.test")[0]["action"] == "removed"
    assert violations(contract) == []
    methods = {e["method"] for e in cf.control.log()}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
