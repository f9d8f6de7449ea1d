"""The GoDaddy Domains API v1 emulator itself: sso-key auth per
environment, ACCESS_DENIED accounts, resellers, the domain list with
limit/marker, record reads, PUT replacing the set, DELETE, PATCH, body
checks per the Swagger description, the TTL floor, 429 with retryAfterSec,
faults, the concurrent-writer hook and the RFC 2136 mirror into a real
Knot server. Clients are http.client with TLS verification on against the
test CA."""
import signal
import socket

import pytest

TLSRPT = "v=TLSRPTv1; rua=mailto:tls@example.test"
OWNER = "_smtp._tls.example.test"
RRSET = "/v1/domains/example.test/records/TXT/_smtp._tls"


def put(gd, values, path=RRSET, ttl=600, **kw):
    return gd.api("PUT", path, [{"data": v, "ttl": ttl} for v in values],
                  **kw)


def assert_error(resp, status, code):
    st, _, body = resp
    assert st == status, body
    assert body["code"] == code, body
    assert isinstance(body.get("message"), str)
    return body


# --- process and auth --------------------------------------------------------

def test_ports_line_and_clean_stop(godaddy):
    emu = godaddy.emu
    assert emu.info["emulator"] == "godaddy"
    proc = emu.proc
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", emu.info["port"]), 1)


def test_auth(godaddy):
    gd = godaddy
    assert gd.api("GET", "/v1/domains")[0] == 200
    for resp in (gd.api("GET", "/v1/domains", key=""),
                 gd.api("GET", "/v1/domains", secret="wrong"),
                 gd.api("GET", "/v1/domains", key="nokey"),
                 gd.api("GET", "/v1/domains", key="", headers={
                     "Authorization": "Bearer " + gd.key})):
        body = assert_error(resp, 401, "UNABLE_TO_AUTHENTICATE")
        assert body["message"] == \
            "Unauthorized : Could not authenticate API key/secret"
    # Secrets never reach the request log.
    assert all(e["headers"].get("Authorization") in (None, "<redacted>")
               for e in gd.control.log())


def test_keys_are_per_environment(godaddy_factory):
    ote = {"id": "3000003", "keys": [{"key": "otek", "secret": "otes",
                                      "env": "ote"}]}
    prod = godaddy_factory(accounts=[ote])
    assert_error(prod.api("GET", "/v1/domains", key="otek", secret="otes"),
                 401, "UNABLE_TO_AUTHENTICATE")
    test = godaddy_factory(env="ote", accounts=[ote])
    assert test.api("GET", "/v1/domains", key="otek", secret="otes")[0] \
        == 200
    # The sandbox's own key was made for OTE there, so it works too; a
    # production key does not.
    assert test.api("GET", "/v1/domains")[0] == 200
    assert test.control.state()["env"] == "ote"


def test_access_denied_and_uneven_enforcement(godaddy_factory):
    gd = godaddy_factory(access_denied=True)
    body = assert_error(gd.api("GET", RRSET), 403, "ACCESS_DENIED")
    assert body["message"] == "Authenticated user is not allowed access"
    assert_error(gd.api("GET", "/v1/domains"), 403, "ACCESS_DENIED")
    assert_error(put(gd, [TLSRPT]), 403, "ACCESS_DENIED")
    assert gd.control.counters()["writes"] == 0
    # lego#2269: the GET of records refused while PUT still worked.
    gd2 = godaddy_factory(accounts=[{"id": "1000001", "access_denied": [
        "GET /v1/domains/{domain}/records/{type}/{name}"]}])
    assert_error(gd2.api("GET", RRSET), 403, "ACCESS_DENIED")
    assert put(gd2, [TLSRPT])[0] == 200


def test_reseller_and_shopper_header(godaddy_factory):
    gd = godaddy_factory(accounts=[
        {"id": "2000002", "reseller": True,
         "keys": [{"key": "rk", "secret": "rs"}]},
        {"id": "4000004", "keys": [{"key": "pk", "secret": "ps"}]}])
    h = {"X-Shopper-Id": gd.account}
    assert gd.api("GET", RRSET, key="rk", secret="rs")[0] == 404
    assert gd.api("GET", RRSET, key="rk", secret="rs", headers=h)[0] == 200
    # Not a reseller: someone else's shopper id is refused.
    assert_error(gd.api("GET", RRSET, key="pk", secret="ps", headers=h),
                 403, "ACCESS_DENIED")


# --- domains -----------------------------------------------------------------

def test_domain_list_limit_marker_and_schema(godaddy_factory):
    gd = godaddy_factory(domains=["example.test"],
                         extra_domains=["b.test", "a.test", "c.test"])
    st, _, body = gd.api("GET", "/v1/domains")
    assert st == 200
    assert [d["domain"] for d in body] == ["a.test", "b.test", "c.test",
                                           "example.test"]
    for k in ("domainId", "status", "expirationProtected", "holdRegistrar",
              "locked", "privacy", "renewAuto", "renewDeadline",
              "transferProtected", "createdAt", "contactRegistrant"):
        assert k in body[0], k
    assert "nameServers" not in body[0]
    _, _, page = gd.api("GET", "/v1/domains?limit=2")
    assert [d["domain"] for d in page] == ["a.test", "b.test"]
    _, _, page = gd.api("GET", "/v1/domains?limit=2&marker=b.test")
    assert [d["domain"] for d in page] == ["c.test", "example.test"]
    _, _, page = gd.api("GET", "/v1/domains?limit=2&marker=example.test")
    assert page == []
    _, _, page = gd.api("GET", "/v1/domains?includes=nameServers"
                        "&statuses=ACTIVE,PENDING_DNS_ACTIVE")
    assert page[0]["nameServers"] == ["ns01.domaincontrol.com",
                                      "ns02.domaincontrol.com"]
    _, _, page = gd.api("GET", "/v1/domains?statuses=CANCELLED")
    assert page == []
    for bad in ("limit=0", "limit=1001", "limit=x", "statusGroups=NOPE"):
        assert_error(gd.api("GET", "/v1/domains?" + bad), 422,
                     "INVALID_QUERY")


def test_unknown_domains(godaddy_factory):
    gd = godaddy_factory(accounts=[{"id": "5000005", "domains": [
        {"domain": "theirs.test"}]}])
    assert_error(gd.api("GET", "/v1/domains/nothere.test/records/TXT/x"),
                 404, "UNKNOWN_DOMAIN")
    # A subdomain, or a domain of another account.
    body = assert_error(gd.api("GET", "/v1/domains/mail.example.test/"
                               "records/TXT/x"), 404, "NOT_FOUND")
    assert "not found for shopper" in body["message"]
    assert_error(gd.api("GET", "/v1/domains/theirs.test/records"), 404,
                 "NOT_FOUND")
    assert_error(gd.api("GET", "/v1/domains/bad_domain/records"), 422,
                 "INVALID_DOMAIN")
    st, _, detail = gd.api("GET", "/v1/domains/example.test")
    assert st == 200 and detail["domain"] == "example.test"
    assert detail["nameServers"] and detail["contactTech"]


# --- records -----------------------------------------------------------------

def test_put_replaces_the_set_and_get_reads_it(godaddy):
    gd = godaddy
    assert gd.api("GET", RRSET)[2] == []
    st, hdrs, body = put(gd, [TLSRPT, "v=spf1 -all"])
    assert st == 200 and body is None
    _, _, got = gd.api("GET", RRSET)
    assert got == [{"type": "TXT", "name": "_smtp._tls", "data": TLSRPT,
                    "ttl": 600},
                   {"type": "TXT", "name": "_smtp._tls",
                    "data": "v=spf1 -all", "ttl": 600}]
    # PUT replaces every value at the name: the SPF value goes.
    put(gd, ["only"], ttl=900)
    assert [r["data"] for r in gd.api("GET", RRSET)[2]] == ["only"]
    # Names are case-insensitive, other names untouched.
    put(gd, ["other"], path="/v1/domains/example.test/records/TXT/Mail")
    assert [r["data"] for r in gd.api(
        "GET", "/v1/domains/example.test/records/TXT/mail")[2]] == ["other"]
    _, _, all_txt = gd.api("GET", "/v1/domains/example.test/records/TXT")
    assert sorted(r["data"] for r in all_txt) == ["only", "other"]
    _, _, some = gd.api("GET", RRSET.replace("_smtp._tls", "mail")
                        + "?offset=0&limit=1")
    assert len(some) == 1
    assert gd.control.counters()["writes"] == 3


def test_default_ttl_and_lego_style_body(godaddy):
    gd = godaddy
    # acme.sh sends no TTL; lego repeats name and type.
    assert gd.api("PUT", RRSET, [{"data": "a"}])[0] == 200
    assert gd.api("GET", RRSET)[2][0]["ttl"] == 3600
    assert gd.api("PUT", RRSET, [{"name": "_smtp._tls", "type": "TXT",
                                  "data": "b", "ttl": 600}])[0] == 200
    body = assert_error(gd.api("PUT", RRSET, [{"name": "x", "data": "c"}]),
                        422, "INVALID_BODY")
    assert body["fields"][0]["path"] == "records[0].name"


@pytest.mark.parametrize("body,path,code", [
    ([{"data": "x", "ttl": 599}], "records[0].ttl", "UNKNOWN_RESTRICTION"),
    ([{"data": "x", "ttl": "600"}], "records[0].ttl", "UNEXPECTED_TYPE"),
    ([{"data": "x", "ttl": 600.5}], "records[0].ttl", "UNEXPECTED_TYPE"),
    ([{"data": "x", "ttl": True}], "records[0].ttl", "UNEXPECTED_TYPE"),
    ([{"data": 5}], "records[0].data", "UNEXPECTED_TYPE"),
    ([{"ttl": 600}], "records[0].data", "MISSING"),
    ([{"data": "x", "comment": "y"}], "records[0].comment", "UNKNOWN_FIELD"),
    ([{"data": "x", "port": 0}], "records[0].port", "UNKNOWN_RESTRICTION"),
    (["x"], "records[0]", "UNEXPECTED_TYPE"),
    ({"data": "x"}, "records", "UNEXPECTED_TYPE"),
    ([], "records", "UNKNOWN_RESTRICTION"),
])
def test_body_schema_checks(godaddy, body, path, code):
    resp = godaddy.api("PUT", RRSET, body)
    err = assert_error(resp, 422, "INVALID_BODY")
    assert err["message"] == ("Request body doesn't fulfill schema, see "
                              "details in `fields`")
    assert {"path": path, "code": code} == {
        k: err["fields"][0][k] for k in ("path", "code")}
    assert godaddy.control.counters()["writes"] == 0


def test_bad_json_type_and_names(godaddy):
    gd = godaddy
    assert_error(gd.api("PUT", RRSET, "[{"), 400, "INVALID_BODY")
    assert_error(gd.api("PUT", RRSET, "[]", headers={
        "Content-Type": "text/plain"}), 400, "INVALID_BODY")
    assert_error(put(gd, ["x"], path="/v1/domains/example.test/records/"
                     "TXTX/n"), 422, "INVALID_TYPE")
    assert_error(put(gd, ["x"], path="/v1/domains/example.test/records/"
                     "TXT/a%20b"), 422, "INVALID_NAME")
    assert_error(gd.api("DELETE", "/v1/domains/example.test/records/NS/x"),
                 422, "INVALID_TYPE")
    assert gd.api("POST", RRSET)[0] == 405
    assert gd.api("GET", "/v1/other")[0] == 404


def test_delete_and_not_eligible(godaddy_factory):
    gd = godaddy_factory(accounts=[{"id": "1000001", "domains": [
        {"domain": "locked.test", "eligible": False, "records": [
            {"type": "TXT", "name": "_smtp._tls", "data": TLSRPT}]}]}])
    put(gd, [TLSRPT])
    st, _, body = gd.api("DELETE", RRSET)
    assert st == 204 and body is None
    assert gd.api("GET", RRSET)[2] == []
    assert_error(gd.api("DELETE", RRSET), 404, "NOT_FOUND")
    assert_error(gd.api("DELETE", "/v1/domains/locked.test/records/TXT/"
                        "_smtp._tls"), 409, "DOMAIN_NOT_ELIGIBLE")


def test_patch_appends_and_refuses_duplicates(godaddy):
    gd = godaddy
    rec = {"type": "TXT", "name": "_smtp._tls", "data": TLSRPT, "ttl": 600}
    assert gd.api("PATCH", "/v1/domains/example.test/records", [rec])[0] \
        == 200
    assert gd.api("PATCH", "/v1/domains/example.test/records",
                  [dict(rec, data="v=spf1 -all")])[0] == 200
    assert len(gd.api("GET", RRSET)[2]) == 2
    assert_error(gd.api("PATCH", "/v1/domains/example.test/records", [rec]),
                 422, "DUPLICATE_RECORD")
    err = assert_error(gd.api("PATCH", "/v1/domains/example.test/records",
                              [{"data": "x"}]), 422, "INVALID_BODY")
    assert {f["path"] for f in err["fields"]} == {"records[0].type",
                                                 "records[0].name"}
    assert sorted(gd.txt(OWNER)) == sorted([TLSRPT, "v=spf1 -all"])


def test_concurrent_writer_hook(godaddy):
    gd = godaddy
    gd.control.seed({"concurrent": [{"domain": "example.test",
                                     "name": "_smtp._tls", "mode": "append",
                                     "records": [{"data": "theirs"}]}]})
    put(gd, ["ours"])
    assert [r["data"] for r in gd.api("GET", RRSET)[2]] == ["ours",
                                                             "theirs"]
    put(gd, ["ours"])      # used up: one write only
    assert [r["data"] for r in gd.api("GET", RRSET)[2]] == ["ours"]
    assert gd.control.state()["concurrent"][0]["count"] == 0


# --- DNS mirror --------------------------------------------------------------

def test_knot_follows_writes_raw_and_split(godaddy):
    gd = godaddy
    long_value = "v=TLSRPTv1; rua=" + ",".join(
        "mailto:r%02d@reports.example.test" % i for i in range(10))
    assert len(long_value) > 255
    put(gd, [long_value, 'q"b\\s'], ttl=1200)
    ans = gd.knot.query(OWNER, "TXT", tcp=True)
    gd.control.dns_flush()
    ans = gd.knot.query(OWNER, "TXT", tcp=True).answer[0]
    assert ans.ttl == 1200
    strings = sorted([list(rd.strings) for rd in ans], key=len)
    # Raw data split into 255-octet strings, nothing added or escaped.
    assert strings[0] == [b'q"b\\s']
    assert [len(s) for s in strings[1]] == [255, len(long_value) - 255]
    assert b"".join(strings[1]).decode() == long_value
    gd.api("DELETE", RRSET)
    assert gd.txt(OWNER) == []
    assert gd.control.counters()["dns_errors"] == 0


def test_seeded_records_reach_knot(godaddy_factory):
    gd = godaddy_factory(records={"example.test": [
        {"type": "TXT", "name": "_smtp._tls", "data": TLSRPT, "ttl": 600},
        {"type": "TXT", "name": "@", "data": "v=spf1 -all", "ttl": 600}]})
    assert gd.txt(OWNER) == [TLSRPT]
    assert gd.txt("example.test") == ["v=spf1 -all"]
    put(gd, ["changed"])
    gd.control.reset(state=True)
    assert gd.txt(OWNER) == [TLSRPT]


# --- rate limit and faults ---------------------------------------------------

def test_default_rate_limit_is_60_per_minute(godaddy):
    assert godaddy.control.set_rate_limit(limit=60, window=60)["limit"] == 60
    conn = godaddy.connection()
    for _ in range(60):
        assert godaddy.api("GET", "/v1/domains", conn=conn)[0] == 200
    st, hdrs, body = godaddy.api("GET", "/v1/domains", conn=conn)
    conn.close()
    assert st == 429
    assert body["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= body["retryAfterSec"] <= 60
    assert "Retry-After" not in hdrs
    c = godaddy.control.counters()
    assert c["rate_limited"] == 1 and c["tls_handshakes"] == 1


def test_rate_limit_is_per_account(godaddy_factory):
    gd = godaddy_factory(accounts=[{"id": "6000006", "keys": [
        {"key": "k6", "secret": "s6"}], "domains": [{"domain": "six.test"}]}],
        args=["--rate-limit", "2/30", "--retry-after-header"])
    assert gd.api("GET", "/v1/domains")[0] == 200
    assert gd.api("GET", "/v1/domains")[0] == 200
    st, hdrs, body = gd.api("GET", "/v1/domains")
    assert st == 429 and hdrs["Retry-After"] == str(body["retryAfterSec"])
    assert gd.api("GET", "/v1/domains", key="k6", secret="s6")[0] == 200


def test_injected_faults(godaddy):
    gd = godaddy
    gd.control.add_fault([
        {"match": {"method": "GET"}, "action": "status", "status": 429},
        {"match": {"method": "GET"}, "action": "status", "status": 500},
        {"match": {"method": "GET"}, "action": "status", "status": 503},
        {"match": {"method": "GET"}, "action": "status", "status": 504}])
    st, hdrs, body = gd.api("GET", RRSET)
    assert st == 429 and body["retryAfterSec"] == 1
    assert "Retry-After" not in hdrs
    assert_error(gd.api("GET", RRSET), 500, "INTERNAL_SERVER_ERROR")
    st, hdrs, body = gd.api("GET", RRSET)
    assert st == 503 and hdrs["Content-Type"] == "text/html"
    assert_error(gd.api("GET", RRSET), 504, "GATEWAY_TIMEOUT")
    assert gd.api("GET", RRSET)[0] == 200
    # An injected error applies nothing.
    gd.control.add_fault({"match": {"method": "PUT"}, "action": "status",
                          "status": 500})
    put(gd, ["x"])
    assert gd.api("GET", RRSET)[2] == []
    # A dropped answer after applying: the write happened.
    gd.control.add_fault({"match": {"method": "PUT"}, "action": "drop",
                          "when": "after", "apply": True})
    with pytest.raises(Exception):
        put(gd, ["y"])
    assert [r["data"] for r in gd.api("GET", RRSET)[2]] == ["y"]
