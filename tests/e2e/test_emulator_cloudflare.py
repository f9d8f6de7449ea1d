"""The Cloudflare API v4 emulator itself: auth, envelope, pagination,
filters, TXT quoting, body checks, faults, rate limit, connection reuse,
and the RFC 2136 mirror into a real Knot server. Clients here are
http.client with TLS verification on against the test CA."""
import http.client
import json
import re
import signal
import socket
import ssl
import time

import pytest

TLSRPT = "v=TLSRPTv1; rua=mailto:tls@example.test"
OWNER = "_smtp._tls.example.test"
KEY = "0123456789abcdef0123456789abcdef01234"       # 37 hex: a global key


def records_path(cf, zone="example.test"):
    return "/zones/%s/dns_records" % cf.zone_id(zone)


def create(cf, content, name=OWNER, ttl=300, **extra):
    body = dict(type="TXT", name=name, content=content, ttl=ttl, **extra)
    return cf.api("POST", records_path(cf), body)


def assert_error(resp, status, code, chain=None):
    st, _, body = resp
    assert st == status, body
    assert body["success"] is False
    assert body["result"] is None and body["messages"] == []
    assert body["errors"][0]["code"] == code, body
    if chain is not None:
        got = [c["code"] for c in body["errors"][0].get("error_chain", [])]
        assert chain in got, body


# --- process lifecycle -------------------------------------------------------

def test_ports_line_and_clean_stop_on_sigterm(cloudflare):
    emu = cloudflare.emu
    assert emu.info["emulator"] == "cloudflare"
    assert emu.info["port"] > 0 and emu.info["control_port"] > 0
    proc = emu.proc
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", emu.info["port"]), 1)


def test_tls_verification_against_another_ca_fails(cloudflare, test_ca):
    ctx = ssl.create_default_context(cafile=test_ca.other_ca_file)
    c = http.client.HTTPSConnection("127.0.0.1", cloudflare.port,
                                    context=ctx, timeout=5)
    with pytest.raises(ssl.SSLCertVerificationError):
        c.request("GET", "/client/v4/zones")
    c.close()
    time.sleep(0.2)
    assert cloudflare.control.counters()["tls_failures"] == 1


# --- auth --------------------------------------------------------------------

def test_auth_errors_have_real_codes(cloudflare):
    cf = cloudflare
    assert_error(cf.api("GET", "/zones", token=""), 400, 9106)
    assert_error(cf.api("GET", "/zones", token="",
                        headers={"Authorization": "Token abc"}),
                 400, 6003, 6111)
    # A global API key sent as a bearer token.
    assert_error(cf.api("GET", "/zones", token=KEY), 400, 6003, 6111)
    assert_error(cf.api("GET", "/zones", token="not-a-known-token"),
                 403, 9109)
    # An API token sent as the legacy key.
    assert_error(cf.api("GET", "/zones", token="", headers={
        "X-Auth-Email": "me@example.test", "X-Auth-Key": cf.token}),
        400, 6003, 6103)
    assert_error(cf.api("GET", "/zones", token="", headers={
        "X-Auth-Email": "me@example.test", "X-Auth-Key": KEY}), 403, 9103)


def test_legacy_global_key_works(cloudflare_factory):
    cf = cloudflare_factory(args=["--global-key", "me@example.test:" + KEY])
    st, _, body = cf.api("GET", "/zones?name=example.test", token="",
                         headers={"X-Auth-Email": "me@example.test",
                                  "X-Auth-Key": KEY})
    assert st == 200 and body["result"][0]["name"] == "example.test"


def test_token_verify(cloudflare):
    st, _, body = cloudflare.api("GET", "/user/tokens/verify")
    assert st == 200 and body["success"] is True
    assert body["result"]["status"] == "active"
    assert body["messages"][0]["code"] == 10000
    assert_error(cloudflare.api("GET", "/user/tokens/verify",
                                token="bogus"), 401, 1000)


def test_zone_scoped_and_read_only_tokens(cloudflare_factory):
    cf = cloudflare_factory(zones=["example.test", "other.test"], tokens=[
        {"token": "scoped", "zones": ["other.test"]},
        {"token": "reader", "zones": ["example.test"],
         "permissions": ["zone:read", "dns:read"]}])
    zid = cf.zone_id("example.test")
    st, _, body = cf.api("GET", "/zones?name=example.test", token="scoped")
    assert st == 200 and body["result"] == []
    assert body["result_info"]["total_count"] == 0
    assert_error(cf.api("GET", "/zones/" + zid, token="scoped"), 403, 10000)
    assert_error(cf.api("GET", records_path(cf), token="scoped"), 403,
                 10000)
    st, _, _ = cf.api("GET", records_path(cf), token="reader")
    assert st == 200
    assert_error(cf.api("POST", records_path(cf), {
        "type": "TXT", "name": OWNER, "content": '"x"'}, token="reader"),
        403, 10000)
    # A well-formed zone id that does not exist looks the same to a token.
    assert_error(cf.api("GET", "/zones/%s/dns_records" % ("f" * 32)), 403,
                 10000)
    assert cf.control.counters()["writes"] == 0


# --- zones -------------------------------------------------------------------

def test_zone_lookup_pagination_and_bounds(cloudflare_factory):
    names = ["z%02d.test" % i for i in range(12)]
    cf = cloudflare_factory(zones=names + ["example.test",
                                           "sub.example.test"])
    seen = []
    for page in (1, 2, 3):
        st, _, body = cf.api("GET", "/zones?name=ends_with:.test&per_page=5"
                             "&page=%d" % page)
        assert st == 200
        info = body["result_info"]
        assert info["total_count"] == 14 and info["total_pages"] == 3
        assert info["page"] == page and info["count"] == len(body["result"])
        seen += [z["name"] for z in body["result"]]
    assert sorted(seen) == sorted(names + ["example.test",
                                           "sub.example.test"])
    for bad in ("per_page=4", "per_page=51", "page=0", "per_page=x"):
        assert_error(cf.api("GET", "/zones?" + bad), 400, 6008)
    # Exact, case-insensitive name match: the subdomain zone alone.
    st, _, body = cf.api("GET", "/zones?name=SUB.example.test")
    assert [z["name"] for z in body["result"]] == ["sub.example.test"]
    zid = body["result"][0]["id"]
    assert re.fullmatch(r"[0-9a-f]{32}", zid)
    st, _, body = cf.api("GET", "/zones/" + zid)
    assert st == 200 and body["result"]["name"] == "sub.example.test"
    assert_error(cf.api("GET", "/zones/not-an-id/dns_records"), 400, 7003)


# --- records: list, filters, pagination --------------------------------------

def test_list_filters_exact_name_case_insensitive(cloudflare_factory):
    recs = [{"type": "TXT", "name": OWNER, "content": '"%s"' % TLSRPT},
            {"type": "TXT", "name": OWNER, "content": '"google-site=abc"'},
            {"type": "TXT", "name": "x." + OWNER, "content": '"v=TLSRPTv1;"'},
            {"type": "A", "name": OWNER, "content": "192.0.2.1"},
            {"type": "TXT", "name": "example.test",
             "content": '"v=spf1 -all"'}]
    cf = cloudflare_factory(records={"example.test": recs})
    p = records_path(cf)
    _, _, body = cf.api("GET", p + "?type=TXT&name=_SMTP._TLS.Example.Test")
    assert sorted(r["content"] for r in body["result"]) == [
        '"google-site=abc"', '"%s"' % TLSRPT]
    _, _, body = cf.api("GET", p + "?type=TXT&name.exact=" + OWNER)
    assert len(body["result"]) == 2
    _, _, body = cf.api("GET", p + "?name.endswith=" + OWNER)
    assert len(body["result"]) == 4
    _, _, body = cf.api("GET", p + "?type=TXT&content=%22V%3DSPF1%20-ALL%22")
    assert [r["name"] for r in body["result"]] == ["example.test"]
    _, _, body = cf.api("GET", p + "?name=@&type=TXT")
    assert [r["name"] for r in body["result"]] == ["example.test"]
    _, _, body = cf.api("GET", p + "?match=any&type=A&name=example.test")
    assert len(body["result"]) == 2


def test_list_pagination(cloudflare_factory):
    recs = [{"type": "TXT", "name": OWNER, "content": '"value %d"' % i}
            for i in range(7)]
    cf = cloudflare_factory(records={"example.test": recs})
    ids = []
    for page in (1, 2, 3, 4):
        _, _, body = cf.api("GET", records_path(cf) + "?per_page=3&page=%d"
                            % page)
        assert body["result_info"]["total_pages"] == 3
        assert body["result_info"]["total_count"] == 7
        ids += [r["id"] for r in body["result"]]
    assert len(ids) == len(set(ids)) == 7
    assert_error(cf.api("GET", records_path(cf) + "?per_page=0"), 400, 6008)


# --- records: writes ---------------------------------------------------------

def test_create_put_patch_delete(cloudflare):
    cf = cloudflare
    st, _, body = create(cf, '"%s"' % TLSRPT, comment="managed")
    assert st == 200, body
    rec = body["result"]
    assert re.fullmatch(r"[0-9a-f]{32}", rec["id"])
    assert rec["comment"] == "managed" and rec["ttl"] == 300
    assert rec["zone_id"] == cf.zone_id("example.test")
    path = records_path(cf) + "/" + rec["id"]
    st, _, body = cf.api("PATCH", path, {"ttl": 600})
    assert st == 200 and body["result"]["comment"] == "managed"
    assert body["result"]["ttl"] == 600
    # PUT overwrites: an omitted comment is cleared, ttl back to auto.
    st, _, body = cf.api("PUT", path, {"type": "TXT", "name": OWNER,
                                       "content": '"v=TLSRPTv1; rua=x"'})
    assert st == 200 and body["result"]["comment"] is None
    assert body["result"]["ttl"] == 1
    st, _, body = cf.api("DELETE", path)
    assert st == 200 and body["result"] == {"id": rec["id"]}
    assert_error(cf.api("GET", path), 404, 81044)
    assert_error(cf.api("DELETE", records_path(cf) + "/xyz"), 400, 7003)
    c = cf.control.counters()
    assert c["writes"] == 4
    assert c["by_endpoint"]["POST /zones/{zone_id}/dns_records"] == 1
    assert c["by_method"]["PATCH"] == 1 and c["by_method"]["PUT"] == 1


@pytest.mark.parametrize("ttl,ok", [(1, True), (60, True), (86400, True),
                                    (0, False), (59, False), (86401, False),
                                    (120, True)])
def test_ttl_rules(cloudflare, ttl, ok):
    resp = create(cloudflare, '"ttl %d"' % ttl, ttl=ttl)
    if ok:
        assert resp[0] == 200 and resp[2]["result"]["ttl"] == ttl
    else:
        assert_error(resp, 400, 1004, 9021)


def test_body_schema_checks(cloudflare):
    cf = cloudflare
    p = records_path(cf)
    base = {"type": "TXT", "name": OWNER, "content": '"x"'}
    r = cf.api("POST", p, dict(base, contnet="typo"))
    assert_error(r, 400, 1004)
    assert r[2]["errors"][0]["source"]["pointer"] == "/contnet"
    assert_error(cf.api("POST", p, {"type": "TXT", "name": OWNER}), 400, 1004)
    assert_error(cf.api("POST", p, dict(base, ttl="300")), 400, 1004)
    assert_error(cf.api("POST", p, dict(base, proxied="no")), 400, 1004)
    assert_error(cf.api("POST", p, dict(base, proxied=True)), 400, 9004)
    assert_error(cf.api("POST", p, dict(base, type="BOGUS")), 400, 1004,
                 9020)
    assert_error(cf.api("POST", p, dict(base, comment="a\nb")), 400, 1004)
    assert_error(cf.api("POST", p, "{not json"), 400, 6007)
    assert_error(cf.api("POST", p, json.dumps(base), headers={
        "Content-Type": "text/plain"}), 400, 9207)
    # Read-only fields echoed back from a GET are ignored.
    st, _, body = cf.api("POST", p, dict(base, id="0" * 32, proxiable=False,
                                         created_on="2020-01-01T00:00:00Z"))
    assert st == 200 and body["result"]["id"] != "0" * 32
    assert cf.control.counters()["writes"] == 1


def test_duplicates(cloudflare_factory):
    cf = cloudflare_factory()
    assert create(cf, '"%s"' % TLSRPT)[0] == 200
    assert_error(create(cf, '"%s"' % TLSRPT), 400, 81058)
    # The unquoted form of the same value is the same record.
    assert_error(create(cf, TLSRPT), 400, 81058)
    st, _, body = create(cf, '"other"')
    assert_error(cf.api("PUT", records_path(cf) + "/" + body["result"]["id"],
                        {"type": "TXT", "name": OWNER,
                         "content": '"%s"' % TLSRPT}), 400, 81058)
    old = cloudflare_factory(args=["--duplicate-code", "81057"])
    assert create(old, '"a"')[0] == 200
    r = create(old, '"a"')
    assert_error(r, 400, 81057)
    assert r[2]["errors"][0]["message"] == "The record already exists."


# --- TXT quoting -------------------------------------------------------------

def test_quoting_long_values_and_escapes(cloudflare):
    cf = cloudflare
    long = "v=TLSRPTv1; rua=mailto:" + "a" * 280 + "@example.test"
    st, _, body = create(cf, '"%s"' % long)
    assert st == 200, body
    # Stored re-chunked into 255-octet strings.
    assert body["result"]["content"] == '"%s" "%s"' % (long[:255],
                                                       long[255:])
    assert cf.txt(OWNER) == [long]
    ans = cf.knot.query(OWNER, "TXT", tcp=True).answer[0]
    assert [len(s) for s in list(ans)[0].strings] == [255, len(long) - 255]
    st, _, body = create(cf, r'"say \"hi\" \\ \255"', name="q.example.test")
    assert st == 200
    assert body["result"]["content"] == r'"say \"hi\" \\ \255"'
    cf.control.dns_flush()
    got = cf.knot.query("q.example.test", "TXT", tcp=True).answer[0]
    assert list(got)[0].strings == (b'say "hi" \\ \xff',)
    for bad in ('"unterminated', '"these" ones"', '"a" b'):
        assert_error(create(cf, bad, name="bad.example.test"), 400, 1004)
    assert_error(create(cf, "line\nbreak", name="bad.example.test"), 400,
                 1004, 9051)


def test_unquoted_content_kept_or_quoted(cloudflare_factory):
    cf = cloudflare_factory()
    st, _, body = create(cf, TLSRPT)
    assert st == 200 and body["result"]["content"] == TLSRPT
    assert cf.txt(OWNER) == [TLSRPT]
    q = cloudflare_factory(args=["--txt-unquoted", "quote"])
    st, _, body = create(q, TLSRPT)
    assert body["result"]["content"] == '"%s"' % TLSRPT


def test_seeded_legacy_records_and_two_tlsrpt_values(cloudflare_factory):
    cf = cloudflare_factory(records={"example.test": [
        {"type": "TXT", "name": OWNER,
         "content": "v=TLSRPTv1; rua=mailto:a@x"},
        {"type": "TXT", "name": OWNER,
         "content": '"v=TLSRPTv1; rua=mailto:b@x"'},
        {"type": "TXT", "name": OWNER, "content": '"unrelated"'}]})
    assert cf.txt(OWNER) == ["unrelated", "v=TLSRPTv1; rua=mailto:a@x",
                             "v=TLSRPTv1; rua=mailto:b@x"]
    _, _, body = cf.api("GET", records_path(cf) + "?type=TXT&name=" + OWNER)
    assert "v=TLSRPTv1; rua=mailto:a@x" in [r["content"]
                                            for r in body["result"]]


# --- DNS mirror --------------------------------------------------------------

def test_knot_follows_writes_with_ttl(cloudflare):
    cf = cloudflare
    _, _, a = create(cf, '"unrelated"', ttl=120)
    _, _, b = create(cf, '"%s"' % TLSRPT, ttl=120)
    assert cf.txt(OWNER) == sorted(["unrelated", TLSRPT])
    assert cf.knot.query(OWNER, "TXT", tcp=True).answer[0].ttl == 120
    cf.api("DELETE", records_path(cf) + "/" + b["result"]["id"])
    assert cf.txt(OWNER) == ["unrelated"]
    cf.api("DELETE", records_path(cf) + "/" + a["result"]["id"])
    assert cf.txt(OWNER) == []
    assert cf.control.counters()["dns_errors"] == 0


def test_delayed_push_and_lagging_server(cloudflare_factory):
    cf = cloudflare_factory(dns_delay=0.0, knot_servers=2)
    cf.control.set_dns_delay(1.5, server=1)
    t0 = time.monotonic()
    assert create(cf, '"%s"' % TLSRPT)[0] == 200
    assert time.monotonic() - t0 < 1.0          # the API answers first
    time.sleep(0.3)
    assert cf.txt(OWNER, server=0, flush=False) == [TLSRPT]
    assert cf.txt(OWNER, server=1, flush=False) == []
    assert cf.control.dns_flush()["drained"]
    assert cf.txt(OWNER, server=1, flush=False) == [TLSRPT]


# --- faults ------------------------------------------------------------------

def test_5xx_then_success(cloudflare):
    cf = cloudflare
    cf.control.add_fault({"match": {"endpoint":
                                    "POST /zones/{zone_id}/dns_records"},
                          "action": "status", "status": 503, "count": 2})
    assert create(cf, '"a"')[0] == 503
    st, h, body = create(cf, '"a"')
    assert st == 503 and b"Error 503" in body
    assert create(cf, '"a"')[0] == 200
    c = cf.control.counters()
    assert c["faults_fired"] == 2 and c["writes"] == 1
    assert c["by_status"] == {"503": 2, "200": 1}


def test_injected_429_with_retry_after_and_body(cloudflare):
    cf = cloudflare
    cf.control.add_fault({"match": {"method": "GET"}, "action": "status",
                          "status": 429, "headers": {"Retry-After": "3"}})
    st, h, body = cf.api("GET", "/zones")
    assert st == 429 and h["Retry-After"] == "3"
    assert body["errors"][0]["code"] == 971
    assert cf.api("GET", "/zones")[0] == 200


def test_timed_out_create_is_applied(cloudflare):
    cf = cloudflare
    cf.control.add_fault({"match": {"method": "POST"}, "action": "delay",
                          "when": "after", "seconds": 2})
    with pytest.raises((socket.timeout, TimeoutError)):
        cf.api("POST", records_path(cf), {"type": "TXT", "name": OWNER,
                                          "content": '"%s"' % TLSRPT},
               timeout=0.5)
    _, _, body = cf.api("GET", records_path(cf) + "?type=TXT&name=" + OWNER)
    assert [r["content"] for r in body["result"]] == ['"%s"' % TLSRPT]
    assert cf.txt(OWNER) == [TLSRPT]


def test_drop_truncate_malformed_huge(cloudflare):
    cf = cloudflare
    ctl = cf.control
    ctl.add_fault({"action": "drop", "when": "before"})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        cf.api("GET", "/zones")
    ctl.add_fault({"action": "drop", "when": "after", "apply": True,
                   "rst": True})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        create(cf, '"dropped but applied"')
    _, _, body = cf.api("GET", records_path(cf))
    assert body["result_info"]["count"] == 1
    ctl.add_fault({"action": "truncate", "match": {"method": "GET"}})
    with pytest.raises(http.client.IncompleteRead):
        cf.api("GET", "/zones")
    ctl.add_fault({"action": "malformed"})
    st, _, body = cf.api("GET", "/zones")
    assert st == 200 and isinstance(body, bytes)
    ctl.add_fault({"action": "huge", "size": 3 << 20})
    st, _, body = cf.api("GET", "/zones")
    # Valid JSON, just too big: a client must cap what it reads.
    assert st == 200 and len(body["result"]) > (3 << 20) - 100
    assert ctl.faults() == [] and ctl.counters()["faults_fired"] == 5


def test_fault_skip_and_latency(cloudflare):
    cf = cloudflare
    cf.control.add_fault({"match": {"path": "/zones$"}, "skip": 1,
                          "action": "status", "status": 500})
    assert cf.api("GET", "/zones")[0] == 200
    assert cf.api("GET", "/zones")[0] == 500
    cf.control.set_latency(0.3)
    t0 = time.monotonic()
    assert cf.api("GET", "/zones")[0] == 200
    assert time.monotonic() - t0 >= 0.3


# --- rate limit --------------------------------------------------------------

def test_rate_limit_429_then_recovers(cloudflare_factory):
    cf = cloudflare_factory(tokens=[{"token": "other", "user": "user-2"}],
                            args=["--rate-limit", "5/1"])
    conn = cf.connection()
    for _ in range(5):
        st, h, _ = cf.api("GET", "/zones", conn=conn)
        assert st == 200 and h["Ratelimit-Policy"] == '"default";q=5;w=1'
    st, h, body = cf.api("GET", "/zones", conn=conn)
    assert st == 429 and int(h["Retry-After"]) >= 1
    assert body["errors"][0]["code"] == 971
    # The limit is per user: another user's token is not throttled.
    assert cf.api("GET", "/zones", token="other")[0] == 200
    time.sleep(1.05)
    assert cf.api("GET", "/zones", conn=conn)[0] == 200
    conn.close()
    assert cf.control.counters()["rate_limited"] == 1


def test_default_rate_limit_is_cloudflares(cloudflare):
    st, h, _ = cloudflare.api("GET", "/zones")
    assert h["Ratelimit-Policy"] == '"default";q=1200;w=300'
    assert cloudflare.control.set_rate_limit(rps=40) == {
        "limit": 40, "window": 1.0, "block": False}


# --- connections, counters, control ------------------------------------------

def test_keep_alive_one_handshake(cloudflare):
    cf = cloudflare
    conn = cf.connection()
    for _ in range(5):
        assert cf.api("GET", "/zones", conn=conn)[0] == 200
    conn.close()
    c = cf.control.counters()
    assert c["connections"] == 1 and c["tls_handshakes"] == 1
    assert c["requests"] == 5
    assert c["first_request_at"] <= c["last_request_at"] <= time.time()


def test_counters_log_reset_and_seed(cloudflare):
    cf = cloudflare
    create(cf, '"%s"' % TLSRPT)
    log = cf.control.log()
    assert log[-1]["endpoint"] == "POST /zones/{zone_id}/dns_records"
    assert log[-1]["headers"]["Authorization"] == "<redacted>"
    assert cf.token not in json.dumps(log)
    cf.control.reset()
    c = cf.control.counters()
    assert c["requests"] == 0 and c["writes"] == 0
    _, _, body = cf.api("GET", records_path(cf))
    assert body["result"] == []             # state back to the start-up seed
    assert cf.txt(OWNER) == []
    out = cf.control.seed({"zones": [{"name": "new.test", "records": [
        {"type": "TXT", "name": "_smtp._tls", "content": '"x"'}]}]})
    assert len(out["seeded"]["records"]) == 1
    names = [z["name"] for z in cf.control.state()["zones"]]
    assert "new.test" in names


def test_batch_is_atomic(cloudflare):
    cf = cloudflare
    _, _, a = create(cf, '"v=TLSRPTv1; rua=mailto:old@x"')
    p = records_path(cf) + "/batch"
    bad = {"deletes": [{"id": a["result"]["id"]}],
           "posts": [{"type": "TXT", "name": OWNER, "content": '"x"',
                      "ttl": 5}]}
    assert_error(cf.api("POST", p, bad), 400, 1004, 9021)
    _, _, body = cf.api("GET", records_path(cf))
    assert [r["id"] for r in body["result"]] == [a["result"]["id"]]
    good = {"deletes": [{"id": a["result"]["id"]}],
            "posts": [{"type": "TXT", "name": OWNER,
                       "content": '"%s"' % TLSRPT}]}
    st, _, body = cf.api("POST", p, good)
    assert st == 200 and len(body["result"]["posts"]) == 1
    assert cf.txt(OWNER) == [TLSRPT]
    assert cf.control.counters()["writes"] == 2


def test_unknown_routes(cloudflare):
    cf = cloudflare
    assert_error(cf.api("GET", "/zones/%s/nothing" % cf.zone_id(
        "example.test")), 400, 7003)
    assert_error(cf.api("DELETE", "/zones"), 405, 10000)
    c = cf.connection()
    c.request("GET", "/elsewhere")
    r = c.getresponse()
    assert r.status == 404 and r.read().startswith(b"404")
    c.close()


def test_tsig_signed_pushes(cloudflare_factory):
    from harness.fixtures_emulators import TSIG_NAME, TSIG_SECRET
    good = cloudflare_factory(args=["--knot-tsig", "%s:hmac-sha256:%s"
                                    % (TSIG_NAME, TSIG_SECRET)])
    assert create(good, '"%s"' % TLSRPT)[0] == 200
    assert good.txt(OWNER) == [TLSRPT]
    assert good.control.dns()["tsig"] is True
    wrong = cloudflare_factory(args=["--knot-tsig", "%s:hmac-sha256:%s"
                                     % (TSIG_NAME, "d3Jvbmc=")])
    assert create(wrong, '"%s"' % TLSRPT)[0] == 200
    assert wrong.txt(OWNER) == []
    d = wrong.control.dns()
    assert d["errors"] == 1 and d["pushes"] == 0 and d["last_error"]


def test_knot_zone_limits_what_is_pushed(cloudflare_factory):
    cf = cloudflare_factory(zones=["example.test", "sub.example.test"],
                            args=["--knot-zone", "sub.example.test"])
    create(cf, '"%s"' % TLSRPT)
    sub = "/zones/%s/dns_records" % cf.zone_id("sub.example.test")
    st, _, _ = cf.api("POST", sub, {"type": "TXT", "content": '"%s"' % TLSRPT,
                                    "name": "_smtp._tls.sub.example.test"})
    assert st == 200
    assert cf.txt(OWNER) == []
    assert cf.txt("_smtp._tls.sub.example.test") == [TLSRPT]
    assert cf.control.dns()["skipped"] == 1


def test_bad_flag_fails_start_with_the_reason(test_ca):
    from harness.emulators import EmulatorError, EmulatorProcess
    with pytest.raises(EmulatorError, match="--min-ttl"):
        EmulatorProcess("cloudflare", test_ca, ["--min-ttl", "x"]).start()
