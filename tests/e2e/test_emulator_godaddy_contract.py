"""Contract test: the GoDaddy emulator behind `prism proxy --errors` with
GoDaddy's published Swagger slice (shared/specs, the extended file with
GET /v1/domains). Prism checks the requests the tool makes against the
schema (422 when they break it) and the emulator's answers too (500 +
sl-violations when they break it), so the emulator's record, domain and
error shapes are held to the published description rather than to our
reading of it. The calls below are the tool's own: the domain list, the
read, the PUT of the whole set, its read-back, the DELETE.
"""
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from harness.emulators import TESTS
from harness.fixtures_emulators import free_port
from harness.fixtures_godaddy import GoDaddySandbox

PRISM = os.path.join(TESTS, "node_modules", ".bin", "prism")
SPEC_NAME = "godaddy-dns-records.prism.extended.swagger.json"
SPEC = next((p for p in (
    os.path.join(os.environ.get("TLSRPT_SPECS", "/nonexistent"), SPEC_NAME),
    os.path.join(os.path.dirname(os.path.dirname(TESTS)), "shared",
                 "specs", SPEC_NAME),
    os.path.join("/work/shared/specs", SPEC_NAME)) if os.path.exists(p)),
    None)
RRSET = "/v1/domains/example.test/records/TXT/_smtp._tls"
TLSRPT = "v=TLSRPTv1; rua=mailto:tls@example.test"


@pytest.fixture(scope="module")
def prism(test_ca, tmp_path_factory):
    if not os.access(PRISM, os.X_OK):
        pytest.skip("prism not installed in tests/node_modules "
                    "(scripts/install-deps.sh installs it when npm is there)")
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if SPEC is None:
        pytest.skip("shared/specs not found (set TLSRPT_SPECS)")
    gd = GoDaddySandbox(test_ca, tmp_path_factory.mktemp("g"), records={
        "example.test": [{"type": "TXT", "name": "_smtp._tls",
                          "data": "unrelated", "ttl": 600}]},
        extra_domains=["a.test"])
    port = free_port()
    log = open(str(tmp_path_factory.mktemp("prism") / "prism.log"), "w+")
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=gd.ca_file)
    proc = subprocess.Popen([PRISM, "proxy", "--errors", "-h", "127.0.0.1",
                             "-p", str(port), SPEC, gd.base_url], env=env,
                            stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 60
        while True:
            log.seek(0)
            if "is listening" in log.read():
                break
            assert proc.poll() is None and time.monotonic() < end, \
                "prism did not start"
            time.sleep(0.1)
        yield gd, "http://127.0.0.1:%d" % port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        gd.stop()


def call(base, gd, method, path, body=None, secret=None):
    h = {"Authorization": "sso-key %s:%s" % (gd.key, secret or gd.secret),
         "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, r.headers.get("sl-violations"), \
                json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, e.headers.get("sl-violations"), \
            json.loads(raw) if raw else None


def test_tool_flow_conforms_to_published_schema(prism):
    gd, base = prism

    def ok(method, path, body=None, status=200, secret=None):
        st, viol, js = call(base, gd, method, path, body, secret)
        assert viol is None, "%s %s: %s" % (method, path, viol)
        assert st == status, (method, path, js)
        return js
    doms = ok("GET", "/v1/domains?limit=1000")
    assert [d["domain"] for d in doms] == ["a.test", "example.test"]
    ok("GET", "/v1/domains?limit=1000&marker=a.test")
    ok("GET", "/v1/domains/example.test")
    assert [r["data"] for r in ok("GET", RRSET)] == ["unrelated"]
    ok("PUT", RRSET, [{"data": TLSRPT, "ttl": 3600},
                      {"data": "unrelated", "ttl": 3600}])
    assert len(ok("GET", RRSET)) == 2
    ok("PUT", RRSET.replace("_smtp._tls", "_smtp._tls.mail"),
       [{"data": TLSRPT, "ttl": 600}])
    ok("DELETE", RRSET.replace("_smtp._tls", "_smtp._tls.mail"), status=204)
    # Error answers must fit the schema's Error and ErrorLimit too.
    js = ok("GET", RRSET, secret="wrong", status=401)
    assert js["code"] == "UNABLE_TO_AUTHENTICATE"
    js = ok("GET", "/v1/domains/nothere.test/records/TXT/_smtp._tls",
            status=404)
    assert js["code"] == "UNKNOWN_DOMAIN"
    js = ok("PUT", RRSET, [{"data": TLSRPT, "ttl": 300}], status=422)
    assert js["fields"][0]["path"] == "records[0].ttl"
    gd.control.add_fault({"match": {"method": "GET"}, "action": "status",
                          "status": 429})
    js = ok("GET", RRSET, status=429)
    assert js["retryAfterSec"] == 1
    assert sorted(gd.txt("_smtp._tls.example.test")) == sorted(
        [TLSRPT, "unrelated"])


def test_schema_violations_are_caught(prism):
    gd, base = prism
    # ttl as a string breaks the published schema: Prism answers 422
    # before the emulator sees it, and the emulator alone refuses it too.
    st, _, js = call(base, gd, "PUT", RRSET, [{"data": "x", "ttl": "600"}])
    assert st == 422 and "validation" in js
    st, _, js = gd.api("PUT", RRSET, [{"data": "x", "ttl": "600"}])
    assert st == 422 and js["code"] == "INVALID_BODY"
    # So does a record without data.
    st, _, js = call(base, gd, "PUT", RRSET, [{"ttl": 600}])
    assert st == 422 and "validation" in js
