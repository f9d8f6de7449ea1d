"""Contract test: the GoDaddy emulator behind `prism proxy --errors` with
GoDaddy's published Swagger slice (tests/fixtures/specs, the extended file with
GET /v1/domains). Prism checks the requests the tool makes against the
schema (422 when they break it) and the emulator's answers too (500 +
sl-violations when they break it), so the emulator's record, domain and
error shapes are held to the published description rather than to our
reading of it. The calls below are the tool's own: the domain list, the
read, the PUT of the whole set, its read-back, the DELETE.
"""
import json
import urllib.error
import urllib.request

import pytest

from harness.fixtures_godaddy import GoDaddySandbox
from harness.prism import proxy, skip_unless_prism, spec_path

SPEC = "godaddy-dns-records.prism.extended.swagger.json"
RRSET = "/v1/domains/example.test/records/TXT/_smtp._tls"
TLSRPT = "v=TLSRPTv1; rua=mailto:tls@example.test"


@pytest.fixture(scope="module")
def prism(test_ca, tmp_path_factory):
    skip_unless_prism(spec_path(SPEC))
    gd = GoDaddySandbox(test_ca, tmp_path_factory.mktemp("g"), records={
        "example.test": [{"type": "TXT", "name": "_smtp._tls",
                          "data": "unrelated", "ttl": 600}]},
        extra_domains=["a.test"])
    with proxy(SPEC, gd, test_ca, tmp_path_factory) as (url, _):
        yield gd, url


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
