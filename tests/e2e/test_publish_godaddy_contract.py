"""The binary's GoDaddy requests checked against GoDaddy's published
Swagger description: the domain list, reads, PUTs of whole sets (create,
update, TTL change, a subdomain's relative name), the read-backs, --zone-id
and the DELETE of an emptied name all go through `prism proxy --errors`
(422 to any request the schema does not allow, 500 to any answer that
breaks it) in front of the emulator, with the TLS relay of the Cloudflare
contract test in front of Prism (the tool speaks only HTTPS)."""
import json
import os
import shutil
import subprocess
import time

import pytest

from harness.emulators import TESTS
from harness.fixtures_emulators import free_port
from harness.fixtures_godaddy import GoDaddySandbox
# Same directory: the relay is that test module's (pytest puts this
# directory on sys.path, and the module is imported once).
from test_publish_cloudflare_contract import TlsRelay

PRISM = os.path.join(TESTS, "node_modules", ".bin", "prism")
SPEC_NAME = "godaddy-dns-records.prism.extended.swagger.json"
SPEC = next((p for p in (
    os.path.join(os.environ.get("TLSRPT_SPECS", "/nonexistent"), SPEC_NAME),
    os.path.join(os.path.dirname(os.path.dirname(TESTS)), "shared",
                 "specs", SPEC_NAME),
    os.path.join("/work/shared/specs", SPEC_NAME)) if os.path.exists(p)),
    None)
RUA = "mailto:tls-reports@example.test"
NAME = "_smtp._tls"


@pytest.fixture(scope="module")
def contract(test_ca, tmp_path_factory):
    if not os.access(PRISM, os.X_OK):
        pytest.skip("prism not installed in tests/node_modules "
                    "(scripts/install-deps.sh installs it when npm is there)")
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if SPEC is None:
        pytest.skip("shared/specs not found (set TLSRPT_SPECS)")
    gd = GoDaddySandbox(test_ca, tmp_path_factory.mktemp("gd"), records={
        "example.test": [{"type": "TXT", "name": NAME,
                          "data": "v=spf1 -all", "ttl": 600}]},
        extra_domains=["other.test"])
    port = free_port()
    log = open(str(tmp_path_factory.mktemp("prism") / "prism.log"), "w+")
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=gd.ca_file)
    proc = subprocess.Popen([PRISM, "proxy", "--errors", "-h", "127.0.0.1",
                             "-p", str(port), SPEC, gd.base_url], env=env,
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
        yield gd, "https://127.0.0.1:%d" % relay.port, relay
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
        gd.stop()


def run(binary, contract, tmp_path, *args):
    gd, url, _ = contract
    env = gd.env(GODADDY_API_URL=url, XDG_CONFIG_HOME=str(tmp_path),
                 HOME=str(tmp_path))
    env.pop("TLSRPT_PUBLISH_CONFIG", None)
    r = subprocess.run([binary, *args, "--provider", "godaddy",
                        "--output", "json", "--no-wait"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return json.loads(r.stdout)["results"]


def test_requests_follow_the_published_schema(binary, contract, tmp_path):
    gd, _, relay = contract
    act = [run(binary, contract, tmp_path, *a)[0]["action"] for a in (
        ("publish", "--rua", RUA, "example.test"),
        ("plan", "--rua", "mailto:x@example.test", "example.test"),
        ("publish", "--rua", RUA, "example.test"),
        ("publish", "--rua", "mailto:x@example.test", "--ttl", "900",
         "example.test"),
        ("publish", "--rua", RUA, "mail.example.test"),
        ("publish", "--rua", RUA, "--zone-id", "other.test",
         "other.test"),
        ("remove", "example.test"),
        ("remove", "mail.example.test"))]
    assert act == ["created", "would-update", "unchanged", "updated",
                   "created", "created", "removed", "removed"]
    assert relay.violations == []
    eps = {e["endpoint"] for e in gd.control.log()}
    assert {"GET /v1/domains",
            "GET /v1/domains/{domain}/records/{type}/{name}",
            "PUT /v1/domains/{domain}/records/{type}/{name}",
            "DELETE /v1/domains/{domain}/records/{type}/{name}"} <= eps
    assert [r["data"] for r in gd.records("example.test", NAME)] == \
        ["v=spf1 -all"]
    assert gd.records("example.test", "_smtp._tls.mail") == []
