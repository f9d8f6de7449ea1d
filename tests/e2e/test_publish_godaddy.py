"""publish, plan and remove through the GoDaddy backend: the built binary
against the GoDaddy Domains API v1 emulator (HTTPS, test CA) whose writes
reach a real Knot DNS server, which the binary then polls to confirm."""
import json
import subprocess
import time

from harness import cli
from harness.cli import one, report

OWNER = "_smtp._tls.example.test"
NAME = "_smtp._tls"
RUA = "mailto:tls-reports@example.test"
REC = "v=TLSRPTv1; rua=" + RUA
OLD = "v=TLSRPTv1; rua=mailto:old@example.test"
SPF = "v=spf1 -all"
WRITES = ("PUT", "DELETE", "PATCH", "POST")
RECORDS_EP = "/v1/domains/{domain}/records/{type}/{name}"


def txt(value, name=NAME, ttl=600):
    return {"type": "TXT", "name": name, "data": value, "ttl": ttl}


def env_for(sb, tmp_path, **extra):
    # No config file from the machine running the tests.
    return cli.clean_env(sb.env(), tmp_path, **extra)


def run(binary, sb, tmp_path, *args, env=None, **kw):
    return cli.run(binary, env or env_for(sb, tmp_path), *args, **kw)


def cmd(binary, sb, tmp_path, command, *args, wait=True, env=None, **kw):
    return cli.cmd(binary, "godaddy", sb.knot_addr,
                   env or env_for(sb, tmp_path), command, *args, wait=wait,
                   **kw)


def writes(sb):
    return cli.writes(sb.control.counters(), WRITES)


def datas(sb, domain="example.test", name=NAME):
    return [r["data"] for r in sb.records(domain, name)]


def tlsrpt_served(sb, owner=OWNER):
    return [v for v in sb.txt(owner) if v.lower().startswith("v=tlsrpt")]


def put_bodies(sb):
    return [json.loads(e["body"]) for e in sb.control.log()
            if e["method"] == "PUT"]


# --- the basic flows ---------------------------------------------------------

def test_create_confirmed(binary, godaddy, tmp_path):
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "created"
    assert res["provider"] == "godaddy"
    assert res["zone"] == "example.test" and res["owner"] == OWNER
    assert res["before"] == [] and res["after"] == [REC]
    assert res["confirm"]["status"] == "confirmed"
    assert "error" not in res
    # Raw data (no quotes), GoDaddy's minimum or more, the default TTL.
    assert godaddy.records("example.test", NAME) == [
        {"type": "TXT", "name": NAME, "data": REC, "ttl": 3600}]
    assert put_bodies(godaddy) == [[{"data": REC, "ttl": 3600}]]
    assert tlsrpt_served(godaddy) == [REC]
    # The account's list, a read, the write, and its read-back.
    eps = [e["endpoint"] for e in godaddy.control.log()]
    assert eps == ["GET /v1/domains", "GET " + RECORDS_EP,
                   "PUT " + RECORDS_EP, "GET " + RECORDS_EP]


def test_update_from_old_rua(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(records={"example.test": [txt(OLD, ttl=1800)]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert res["before"] == [OLD] and res["after"] == [REC]
    assert res["dropped_rua"] == ["mailto:old@example.test"]
    # The TTL only changes when asked.
    assert sb.records("example.test", NAME) == [txt(REC, ttl=1800)]
    assert tlsrpt_served(sb) == [REC]
    assert sb.control.counters()["by_method"].get("PUT") == 1


def test_unchanged_writes_nothing(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(records={"example.test": [txt(REC)]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "unchanged"
    assert res["confirm"]["status"] == "confirmed"
    assert writes(sb) == 0 and sb.control.counters()["writes"] == 0
    # A re-run costs the domain list and one read.
    assert sb.control.counters()["requests"] == 2


def test_two_records_consolidated(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(records={"example.test": [
        txt(OLD), txt(SPF), txt("v=TLSRPTv1; rua=mailto:b@example.test")]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert sorted(res["dropped_rua"]) == ["mailto:b@example.test",
                                          "mailto:old@example.test"]
    # One PUT with the whole set: ours where the first one was, SPF kept.
    assert put_bodies(sb) == [[{"data": REC, "ttl": 600},
                               {"data": SPF, "ttl": 600}]]
    assert datas(sb) == [REC, SPF]
    assert tlsrpt_served(sb) == [REC]
    assert sorted(sb.txt(OWNER)) == sorted([REC, SPF])


def test_unrelated_values_kept_by_publish_and_remove(binary,
                                                     godaddy_factory,
                                                     tmp_path):
    odd = 'say "hi" \\ ; twice  spaced \u00e9'
    sb = godaddy_factory(records={"example.test": [
        txt(SPF), txt(odd), txt(OLD), txt(" ")]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["after"] == [SPF, odd, REC, " "]
    assert datas(sb) == [SPF, odd, REC, " "]

    r = cmd(binary, sb, tmp_path, "remove", "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "removed"
    assert res["after"] == [SPF, odd, " "]
    assert res["dropped_rua"] == [RUA]
    assert res["confirm"]["status"] == "confirmed"
    assert datas(sb) == [SPF, odd, " "]
    assert put_bodies(sb)[-1] == [{"data": v, "ttl": 600}
                                  for v in (SPF, odd, " ")]

    r = cmd(binary, sb, tmp_path, "remove", "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "unchanged"


def test_remove_last_value_deletes(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(records={"example.test": [txt(REC),
                                                   txt("keep", "other")]})
    r = cmd(binary, sb, tmp_path, "remove", "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "removed"
    # Nothing left at the name: DELETE, never a PUT of an empty list.
    by = sb.control.counters()["by_method"]
    assert by.get("DELETE") == 1 and not by.get("PUT")
    assert sb.records("example.test", NAME) == []
    assert datas(sb, name="other") == ["keep"]
    assert sb.txt(OWNER) == []


def test_plan_writes_nothing(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(records={"example.test": [txt(OLD)]})
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA, "example.test",
            wait=False)
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "would-update"
    assert res["before"] == [OLD] and res["after"] == [REC]
    assert "confirm" not in res
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA,
            "--detailed-exitcode", "example.test", wait=False)
    assert r.returncode == 4, r.stderr
    r = cmd(binary, sb, tmp_path, "publish", "--dry-run", "--rua", RUA,
            "example.test", wait=False)
    assert r.returncode == 0 and one(r)["action"] == "would-update"
    r = cmd(binary, sb, tmp_path, "remove", "--dry-run", "example.test",
            wait=False)
    assert r.returncode == 0 and one(r)["action"] == "would-remove"
    assert writes(sb) == 0
    assert datas(sb) == [OLD]


def test_ttl_change_applies_to_every_value(binary, godaddy_factory,
                                          tmp_path):
    sb = godaddy_factory(records={"example.test": [txt(SPF), txt(REC)]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "--ttl", "900",
            "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert res["ttl"] == 900 and res["old_ttl"] == 600
    assert [x["ttl"] for x in sb.records("example.test", NAME)] == [900, 900]


# --- TTL floor ---------------------------------------------------------------

def test_ttl_below_600_refused_before_any_request(binary, godaddy, tmp_path):
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA, "--ttl",
            "300", "example.test")
    assert r.returncode == 2
    assert "TTL 300" in r.stderr and "600" in r.stderr
    assert "--godaddy-clamp-ttl" in r.stderr
    assert godaddy.control.counters()["requests"] == 0


def test_ttl_clamped_when_asked(binary, godaddy, tmp_path):
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA, "--ttl",
            "300", "--godaddy-clamp-ttl", "yes", "example.test")
    assert r.returncode == 0, r.stderr
    assert "TTL 300" in r.stderr and "using 600" in r.stderr
    assert one(r)["ttl"] == 600
    assert godaddy.records("example.test", NAME)[0]["ttl"] == 600


def test_legacy_ttl_below_600(binary, godaddy_factory, tmp_path):
    # Records older than the floor: written back as they are, GoDaddy
    # would refuse them, so the run says so before any write.
    old = dict(txt(SPF, ttl=300), force=True)
    sb = godaddy_factory(records={"example.test": [old]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 2
    err = one(r)["error"]
    assert "TTL 300" in err["message"] and "--ttl 600" in err["message"]
    assert writes(sb) == 0
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA,
            "--godaddy-clamp-ttl", "yes", "example.test")
    assert r.returncode == 0, r.stderr
    assert "writing them with 600" in r.stderr
    assert sb.records("example.test", NAME) == [txt(SPF), txt(REC)]


def test_api_refuses_ttl_below_600(godaddy):
    # What the tool never sends, GoDaddy answers with fields[].
    st, _, body = godaddy.api("PUT", "/v1/domains/example.test/records/TXT/"
                              "_smtp._tls", [{"data": REC, "ttl": 300}])
    assert st == 422 and body["code"] == "INVALID_BODY"
    assert body["fields"] == [{"path": "records[0].ttl",
                               "code": "UNKNOWN_RESTRICTION",
                               "message": "must have a minimum value of "
                                          "600"}]


# --- credentials and access --------------------------------------------------

def test_wrong_key(binary, godaddy, tmp_path):
    bad = "wrong-secret-123456"
    e = env_for(godaddy, tmp_path, GODADDY_API_SECRET=bad)
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA, "-vv",
            "example.test", env=e)
    assert r.returncode == 1
    res = one(r)
    assert res["action"] == "failed"
    err = res["error"]
    assert err["kind"] == "auth" and err["http_status"] == 401
    assert err["provider_code"] == "UNABLE_TO_AUTHENTICATE"
    assert "Could not authenticate API key/secret" in \
        err["provider_message"]
    assert "GODADDY_API_KEY" in err["message"] and "OTE" in err["message"]
    # Never printed, not even in -vv HTTP dumps.
    out = r.stdout + r.stderr
    assert bad not in out and godaddy.key not in out
    assert "sso-key" not in out or "sso-key " + godaddy.key not in out
    assert writes(godaddy) == 0


def test_ote_key_on_production(binary, godaddy_factory, tmp_path):
    # A key made for OTE is refused by production, and the message says
    # which environment this run used.
    sb = godaddy_factory(accounts=[{"id": "3000003", "keys": [
        {"key": "otekey1", "secret": "otesecret1", "env": "ote"}],
        "domains": [{"domain": "ote.test"}]}])
    e = env_for(sb, tmp_path, GODADDY_API_KEY="otekey1",
                GODADDY_API_SECRET="otesecret1")
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA, "example.test",
            env=e, wait=False)
    assert r.returncode == 1
    msg = one(r)["error"]["message"]
    assert "production" in msg and "--godaddy-env" in msg


def test_ote_environment(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(env="ote")
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "--godaddy-env",
            "ote", "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA, "--godaddy-env",
            "staging", "example.test", wait=False)
    assert r.returncode == 2 and "'staging'" in r.stderr


def test_missing_key(binary, godaddy, tmp_path):
    e = env_for(godaddy, tmp_path)
    del e["GODADDY_API_SECRET"]
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test", env=e)
    assert r.returncode == 2
    assert "GODADDY_API_SECRET" in r.stderr
    assert godaddy.control.counters()["requests"] == 0


def test_key_files(binary, godaddy, tmp_path):
    (tmp_path / "k").write_text(godaddy.key + "\n")
    (tmp_path / "s").write_text(godaddy.secret + "\n")
    e = env_for(godaddy, tmp_path, GODADDY_API_KEY_FILE=str(tmp_path / "k"),
                GODADDY_API_SECRET_FILE=str(tmp_path / "s"))
    del e["GODADDY_API_KEY"], e["GODADDY_API_SECRET"]
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test", env=e)
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"


def test_config_file_section(binary, godaddy, tmp_path):
    (tmp_path / "secret").write_text(godaddy.secret)
    conf = tmp_path / "config"
    conf.write_text('godaddy = { api_key = "%s"; api_secret_file = "%s";\n'
                    '  api_url = "%s"; env = "production"; };\n'
                    % (godaddy.key, tmp_path / "secret", godaddy.base_url))
    conf.chmod(0o600)
    e = env_for(godaddy, tmp_path)
    for k in ("GODADDY_API_KEY", "GODADDY_API_SECRET", "GODADDY_API_URL"):
        del e[k]
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA, "--config",
            str(conf), "example.test", env=e)
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"


def test_secret_refused_on_command_line(binary, godaddy, tmp_path):
    for opt in ("--godaddy-api-secret", "--api-key"):
        r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
                opt, godaddy.secret, "example.test")
        assert r.returncode == 2
        assert "never taken on the command line" in r.stderr
        assert godaddy.secret not in r.stderr
    assert godaddy.control.counters()["requests"] == 0


def test_access_denied_explained(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(access_denied=True)
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "auth" and err["http_status"] == 403
    assert err["provider_code"] == "ACCESS_DENIED"
    assert "10 or more domains" in err["message"]
    assert "Discount Domain Club" in err["message"]
    assert "Authenticated user is not allowed access" in err["message"]
    assert writes(sb) == 0


def test_reseller_shopper_id(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(accounts=[{"id": "2000002", "reseller": True,
                                    "keys": [{"key": "reskey",
                                              "secret": "ressecret"}]}])
    e = env_for(sb, tmp_path, GODADDY_API_KEY="reskey",
                GODADDY_API_SECRET="ressecret")
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA, "example.test",
            env=e, wait=False)
    assert r.returncode == 1  # the reseller's own account has no domains
    assert one(r)["error"]["kind"] == "not-found"
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA,
            "--godaddy-shopper-id", sb.account, "example.test", env=e)
    assert r.returncode == 0, r.stderr
    assert all(x["headers"].get("X-Shopper-Id") == sb.account
               for x in sb.control.log()[-4:])


# --- the registered domain ---------------------------------------------------

def test_subdomain_in_registered_domain(binary, godaddy, tmp_path):
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "mail.example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["zone"] == "example.test"
    assert res["owner"] == "_smtp._tls.mail.example.test"
    assert datas(godaddy, name="_smtp._tls.mail") == [REC]
    assert godaddy.records("example.test", NAME) == []
    paths = {e["path"] for e in godaddy.control.log()
             if e["method"] == "PUT"}
    assert paths == {"/v1/domains/example.test/records/TXT/_smtp._tls.mail"}
    assert tlsrpt_served(godaddy, "_smtp._tls.mail.example.test") == [REC]


def test_longest_registered_domain_wins(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(domains=["example.test", "sub.example.test"])
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA,
            "mail.sub.example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["zone"] == "sub.example.test"
    assert datas(sb, "sub.example.test", "_smtp._tls.mail") == [REC]


def test_domain_not_in_account(binary, godaddy, tmp_path):
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "mail.nothere.test")
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "not-found"
    assert "'mail.nothere.test'" in err["message"]
    assert "'nothere.test'" in err["message"]
    assert "--zone-id" in err["message"]
    assert writes(godaddy) == 0


def test_zone_id_names_the_registered_domain(binary, godaddy, tmp_path):
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA, "--zone-id",
            "example.test", "--no-wait", "x.example.test", wait=False)
    assert r.returncode == 0, r.stderr
    assert one(r)["zone"] == "example.test"
    assert godaddy.control.counters()["by_endpoint"].get(
        "GET /v1/domains") is None
    r = cmd(binary, godaddy, tmp_path, "plan", "--rua", RUA, "--zone-id",
            "other.test", "example.test", wait=False)
    assert r.returncode == 2
    assert "does not hold" in one(r)["error"]["message"]
    # A domain that is not the account's: GoDaddy's 404, explained.
    r = cmd(binary, godaddy, tmp_path, "plan", "--rua", RUA, "--zone-id",
            "nothere.test", "nothere.test", wait=False)
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "not-found" and err["http_status"] == 404
    assert err["provider_code"] == "UNKNOWN_DOMAIN"


def test_domain_list_pages(binary, godaddy_factory, tmp_path):
    # 1200 domains sort before the one published: a second page
    # (limit=1000, marker=the last one seen) must be read.
    filler = ["d%04d.test" % i for i in range(1200)]
    sb = godaddy_factory(domains=["zz-last.test"], extra_domains=filler)
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "zz-last.test")
    assert r.returncode == 0, r.stderr
    lists = [e["query"] for e in sb.control.log()
             if e["endpoint"] == "GET /v1/domains"]
    assert lists == ["limit=1000", "limit=1000&marker=d0999.test"]


def test_many_domains(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(domains=["example.test", "other.test"])
    dfile = tmp_path / "domains"
    dfile.write_text("example.test\nmail.other.test\nmail.nothere.test\n")
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA,
            "--domains-file", str(dfile))
    assert r.returncode == 1, r.stderr
    acts = {x["domain"]: x["action"] for x in report(r)["results"]}
    assert acts == {"example.test": "created", "mail.other.test": "created",
                    "mail.nothere.test": "failed"}
    # The account's list is read once per worker, not once per domain.
    n = sb.control.counters()["by_endpoint"]["GET /v1/domains"]
    assert 1 <= n < 3


# --- throttling, faults, concurrency -----------------------------------------

def test_429_storm_then_success(binary, godaddy, tmp_path):
    godaddy.control.add_fault({"match": {}, "count": 2, "action": "status",
                               "status": 429})
    t0 = time.monotonic()
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    assert godaddy.control.counters()["faults_fired"] == 2
    # retryAfterSec 1, no Retry-After header: about a second each.
    assert time.monotonic() - t0 >= 1.8
    assert datas(godaddy) == [REC]


def test_429_without_header_waits_retry_after_sec(binary, godaddy,
                                                  tmp_path):
    # The emulator's own limiter: 3 requests per 4 s for the account. The
    # fourth request is refused with retryAfterSec and no Retry-After; a
    # client that waits what the body says is refused exactly once.
    godaddy.control.set_rate_limit(limit=3, window=4)
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    c = godaddy.control.counters()
    assert c["rate_limited"] == 1
    log = godaddy.control.log()
    limited = [e for e in log if e["rate_limited"]]
    assert len(limited) == 1
    after = [e for e in log if e["seq"] > limited[0]["seq"]]
    assert after and after[0]["time"] - limited[0]["time"] >= 2.5


def test_429_forever_is_rate_limited(binary, godaddy, tmp_path):
    godaddy.control.add_fault({"match": {}, "count": 50, "action": "status",
                               "status": 429, "json": {
                                   "code": "TOO_MANY_REQUESTS",
                                   "message": "Too many requests received "
                                              "within interval",
                                   "retryAfterSec": 0}})
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test", timeout=120)
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "rate-limited"
    assert "TOO_MANY_REQUESTS" in err["message"]
    assert "60 requests per minute" in err["message"]


def test_5xx_then_success(binary, godaddy, tmp_path):
    godaddy.control.add_fault([
        {"match": {"method": "GET"}, "count": 2, "action": "status",
         "status": 500},
        {"match": {"method": "PUT"}, "count": 1, "action": "status",
         "status": 503}])
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    assert godaddy.control.counters()["faults_fired"] == 3
    assert datas(godaddy) == [REC]


def test_dropped_connection_after_put(binary, godaddy, tmp_path):
    godaddy.control.add_fault({"match": {"method": "PUT"}, "action": "drop",
                               "when": "after", "apply": True})
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    assert datas(godaddy) == [REC]


def test_concurrent_change_detected_then_converges(binary, godaddy,
                                                   tmp_path):
    # Another writer adds a value right after our PUT: the read-back sees
    # a set that is not what was written, core reads and plans again, and
    # the other writer's value is kept.
    godaddy.control.seed({"concurrent": [{
        "domain": "example.test", "name": NAME, "mode": "append",
        "records": [{"data": "google-site-verification=abc", "ttl": 600}]}]})
    r = cmd(binary, godaddy, tmp_path, "publish", "-v", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    assert "changed while this run wrote them" in r.stderr
    res = one(r)
    assert sorted(res["after"]) == sorted(
        [REC, "google-site-verification=abc"])
    assert sorted(datas(godaddy)) == sorted(
        [REC, "google-site-verification=abc"])


def test_concurrent_change_reported(binary, godaddy, tmp_path):
    # A writer that puts its own TLS-RPT record back after every write
    # of ours: reported as a conflict, not as success.
    godaddy.control.seed({"concurrent": [{
        "domain": "example.test", "name": NAME, "mode": "replace",
        "records": [{"data": OLD, "ttl": 600}], "count": 5}]})
    r = cmd(binary, godaddy, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "conflict"
    assert "changed while this run wrote them" in err["message"]
    assert "compare-and-swap" in err["message"]
    assert godaddy.control.counters()["by_method"]["PUT"] == 2


def test_record_over_255_bytes(binary, godaddy, tmp_path):
    ruas = ["mailto:tls-reports-%02d@reports.example.test" % i
            for i in range(8)]
    args = []
    for u in ruas:
        args += ["--rua", u]
    r = cmd(binary, godaddy, tmp_path, "publish", *args, "example.test")
    assert r.returncode == 0, r.stderr
    rec = one(r)["record"]
    assert len(rec) > 255
    assert rec == "v=TLSRPTv1; rua=" + ",".join(ruas)
    # GoDaddy data is raw: no quotes, no split; DNS serves it whole.
    assert datas(godaddy) == [rec]
    assert put_bodies(godaddy)[0][0]["data"] == rec
    assert tlsrpt_served(godaddy) == [rec]
    r = cmd(binary, godaddy, tmp_path, "publish", *args, "example.test")
    assert one(r)["action"] == "unchanged"
    assert writes(godaddy) == 1


def test_not_eligible_domain(binary, godaddy_factory, tmp_path):
    sb = godaddy_factory(accounts=[{"id": "1000001", "domains": [
        {"domain": "locked.test", "eligible": False,
         "records": [txt(REC)]}]}])
    r = cmd(binary, sb, tmp_path, "remove", "locked.test", wait=False)
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["http_status"] == 409
    assert "not eligible" in err["message"]
    assert datas(sb, "locked.test") == [REC]


# --- discovery of the provider -----------------------------------------------

def test_providers_command(binary):
    r = subprocess.run([binary, "providers"], capture_output=True, text=True)
    assert r.returncode == 0
    assert "godaddy" in r.stdout and "GODADDY_API_KEY" in r.stdout
    assert "GODADDY_API_SECRET" in r.stdout
    assert "docs/providers/godaddy.md" in r.stdout
    r = subprocess.run([binary, "providers", "--output", "json"],
                       capture_output=True, text=True)
    gd = [p for p in json.loads(r.stdout)["providers"]
          if p["name"] == "godaddy"][0]
    assert gd["min_ttl"] == 600 and gd["default_ttl"] == 3600
    assert gd["rate"] * 60 + gd["burst"] <= 60
    keys = {s["key"]: s for s in gd["settings"]}
    assert keys["api_key"]["secret"] and keys["api_secret"]["secret"]
    assert "flag" not in keys["api_secret"]
    assert keys["env"]["flag"] == "--godaddy-env"
    assert keys["env"]["default"] == "production"
    assert keys["api_url"]["env"] == "GODADDY_API_URL"


def test_help_lists_godaddy_settings(binary):
    r = subprocess.run([binary, "publish", "--help"], capture_output=True,
                       text=True)
    assert r.returncode == 0
    for flag in ("--godaddy-env", "--godaddy-api-url",
                 "--godaddy-clamp-ttl"):
        assert flag in r.stdout
