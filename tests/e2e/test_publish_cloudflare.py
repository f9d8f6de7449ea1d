"""publish, plan and remove through the Cloudflare backend: the built
binary against the Cloudflare API emulator (HTTPS, test CA) whose writes
reach a real Knot DNS server, which the binary then polls to confirm."""
import datetime
import json
import subprocess

from harness import cli
from harness.cli import one, report

OWNER = "_smtp._tls.example.test"
RUA = "mailto:tls-reports@example.test"
REC = "v=TLSRPTv1; rua=" + RUA
OLD = "v=TLSRPTv1; rua=mailto:old@example.test"
SPF = "v=spf1 -all"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def quoted(v):
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def txt(owner, value, ttl=300, **kw):
    r = {"type": "TXT", "name": owner, "content": quoted(value), "ttl": ttl}
    r.update(kw)
    return r


def env_for(sb, tmp_path, **extra):
    # No config file from the machine running the tests.
    return cli.clean_env(sb.env(), tmp_path, **extra)


def run(binary, sb, tmp_path, *args, env=None, **kw):
    return cli.run(binary, env or env_for(sb, tmp_path), *args, **kw)


def cmd(binary, sb, tmp_path, command, *args, wait=True, env=None, **kw):
    return cli.cmd(binary, "cloudflare", sb.knot_addr,
                   env or env_for(sb, tmp_path), command, *args, wait=wait,
                   **kw)


def writes(sb):
    return cli.writes(sb.control.counters(), WRITES)


def records(sb, zone="example.test", owner=OWNER):
    for z in sb.control.state()["zones"]:
        if z["name"] == zone:
            return [r for r in z["records"]
                    if r["name"] == owner and r["type"] == "TXT"]
    raise AssertionError("no zone " + zone)


def tlsrpt_served(sb, owner=OWNER, server=0):
    return [v for v in sb.txt(owner, server=server)
            if v.lower().startswith("v=tlsrpt")]


def test_create_confirmed(binary, cloudflare, tmp_path):
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "created"
    assert res["record"] == REC
    assert res["zone"] == "example.test"
    assert res["owner"] == OWNER
    assert res["provider"] == "cloudflare"
    assert res["before"] == [] and res["after"] == [REC]
    assert res["confirm"]["status"] == "confirmed"
    assert [s["status"] for s in res["confirm"]["servers"]] == ["expected"]
    assert "error" not in res
    recs = records(cloudflare)
    assert len(recs) == 1
    assert recs[0]["content"] == quoted(REC)
    assert recs[0]["comment"] == "managed by tlsrpt-publish"
    assert recs[0]["ttl"] == 3600
    assert tlsrpt_served(cloudflare) == [REC]
    c = cloudflare.control.counters()["by_endpoint"]
    assert c.get("POST /zones/{zone_id}/dns_records") == 1
    assert writes(cloudflare) == 1


def test_default_command_and_streaming(binary, cloudflare, tmp_path):
    r = run(binary, cloudflare, tmp_path, "--provider", "cloudflare",
            "--rua", RUA, "--nameserver", cloudflare.knot_addr,
            "--interval", "0.2", "--output", "jsonl", "example.test")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["type"] for x in lines] == ["result", "summary"]
    assert lines[0]["action"] == "created"
    assert lines[1]["created"] == 1 and lines[1]["exit_status"] == 0


def test_update_from_old_rua(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(records={"example.test": [txt(OWNER, OLD)]})
    rid = records(sb)[0]["id"]
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert res["before"] == [OLD] and res["after"] == [REC]
    assert res["dropped_rua"] == ["mailto:old@example.test"]
    recs = records(sb)
    # Updated in place: the same record, never a moment with none.
    assert [x["id"] for x in recs] == [rid]
    assert recs[0]["ttl"] == 300  # the TTL only changes when asked
    assert tlsrpt_served(sb) == [REC]
    by = sb.control.counters()["by_method"]
    assert by.get("PATCH") == 1 and not by.get("POST") \
        and not by.get("DELETE")


def test_keep_existing_rua(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(records={"example.test": [txt(OWNER, OLD)]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA,
            "--keep-existing-rua", "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["record"] == REC + ",mailto:old@example.test"
    assert "dropped_rua" not in res


def test_unchanged_writes_nothing(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(records={"example.test": [txt(OWNER, REC)]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "unchanged"
    assert res["confirm"]["status"] == "confirmed"
    assert writes(sb) == 0
    assert sb.control.counters()["writes"] == 0
    # A re-run costs one zone lookup and one read.
    assert sb.control.counters()["requests"] == 2
    # Nothing changed, so no cache can hold anything older: no wait.
    visible = datetime.datetime.strptime(res["confirm"]["visible_by"],
                                         "%Y-%m-%dT%H:%M:%SZ")
    now = datetime.datetime.utcnow()
    assert (visible - now).total_seconds() < 60


def test_legacy_unquoted_record_is_unchanged(binary, cloudflare_factory,
                                             tmp_path):
    # Written unquoted by an older tool; the API keeps it as sent.
    rec = {"type": "TXT", "name": OWNER, "content": REC, "ttl": 300}
    sb = cloudflare_factory(records={"example.test": [rec]})
    assert records(sb)[0]["content"] == REC
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "unchanged"
    assert writes(sb) == 0


def test_ttl_change_applies_to_rrset(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(records={"example.test": [
        txt(OWNER, SPF, ttl=300), txt(OWNER, REC, ttl=300)]})
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "--ttl", "900",
            "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert res["ttl"] == 900 and res["old_ttl"] == 300
    assert sorted(x["ttl"] for x in records(sb)) == [900, 900]
    assert sorted(x["content"] for x in records(sb)) == \
        sorted([quoted(SPF), quoted(REC)])


def test_two_records_consolidated(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(records={"example.test": [
        txt(OWNER, OLD), txt(OWNER, "v=TLSRPTv1; rua=mailto:b@example.test"),
        txt(OWNER, SPF)]})
    spf_id = [x["id"] for x in records(sb)
              if x["content"] == quoted(SPF)][0]
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert sorted(res["dropped_rua"]) == ["mailto:b@example.test",
                                          "mailto:old@example.test"]
    recs = records(sb)
    assert sorted(x["content"] for x in recs) == sorted(
        [quoted(REC), quoted(SPF)])
    assert spf_id in [x["id"] for x in recs]
    assert tlsrpt_served(sb) == [REC]
    # The canonical record is in place before the extra one goes.
    methods = [e["method"] for e in sb.control.log()
               if e["method"] in WRITES]
    assert methods == ["PATCH", "DELETE"]


def test_unrelated_values_kept_by_publish_and_remove(binary,
                                                     cloudflare_factory,
                                                     tmp_path):
    odd = 'say "hi" \\ ; twice  spaced'
    sb = cloudflare_factory(records={"example.test": [
        txt(OWNER, SPF), txt(OWNER, odd), txt(OWNER, OLD)]})
    keep = {x["id"]: x["content"] for x in records(sb)
            if x["content"] != quoted(OLD)}
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    assert sorted(one(r)["after"]) == sorted([SPF, odd, REC])
    now = {x["id"]: x["content"] for x in records(sb)}
    assert all(now[i] == c for i, c in keep.items())
    assert sorted(sb.txt(OWNER)) == sorted([SPF, odd, REC])

    r = cmd(binary, sb, tmp_path, "remove", "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "removed"
    assert sorted(res["after"]) == sorted([SPF, odd])
    assert res["dropped_rua"] == [RUA]
    assert res["confirm"]["status"] == "confirmed"
    assert {x["id"]: x["content"] for x in records(sb)} == keep
    assert sorted(sb.txt(OWNER)) == sorted([SPF, odd])

    r = cmd(binary, sb, tmp_path, "remove", "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "unchanged"


def test_plan_writes_nothing(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(records={"example.test": [txt(OWNER, OLD)]})
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA, "example.test",
            wait=False)
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "would-update"
    assert res["before"] == [OLD] and res["after"] == [REC]
    assert res["dropped_rua"] == ["mailto:old@example.test"]
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
    assert [x["content"] for x in records(sb)] == [quoted(OLD)]


def test_plan_text_output(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(records={"example.test": [txt(OWNER, OLD)]})
    r = run(binary, sb, tmp_path, "plan", "--provider", "cloudflare",
            "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    assert "example.test" in r.stdout
    assert "would-update" in r.stdout or "would update" in r.stdout
    assert "mailto:old@example.test" in r.stdout
    assert writes(sb) == 0
    r = run(binary, sb, tmp_path, "plan", "--provider", "cloudflare",
            "--rua", RUA, "--ttl", "900", "example.test")
    assert r.returncode == 0, r.stderr
    assert "300 -> 900 (for every TXT value at the name)" in r.stdout


def test_wrong_token(binary, cloudflare, tmp_path):
    bad = "not-the-right-token-123"
    e = env_for(cloudflare, tmp_path, CLOUDFLARE_API_TOKEN=bad)
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA, "-vv",
            "example.test", env=e)
    assert r.returncode == 1
    res = one(r)
    assert res["action"] == "failed"
    assert res["error"]["kind"] == "auth"
    assert res["error"]["http_status"] == 403
    assert res["error"]["provider_code"] == "9109"
    assert res["error"]["provider_message"] == "Invalid access token"
    assert "CLOUDFLARE_API_TOKEN" in res["error"]["message"]
    # Never printed, not even in -vv HTTP dumps.
    assert bad not in r.stdout and bad not in r.stderr
    assert writes(cloudflare) == 0


def test_token_never_printed_in_debug(binary, cloudflare, tmp_path):
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA, "-vv",
            "example.test")
    assert r.returncode == 0, r.stderr
    assert cloudflare.token not in r.stdout + r.stderr


def test_missing_token(binary, cloudflare, tmp_path):
    e = env_for(cloudflare, tmp_path)
    del e["CLOUDFLARE_API_TOKEN"]
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "example.test", env=e)
    assert r.returncode == 2
    assert "CLOUDFLARE_API_TOKEN" in r.stderr
    assert "Zone:Read" in r.stderr and "DNS:Edit" in r.stderr
    assert cloudflare.control.counters()["requests"] == 0


def test_token_file(binary, cloudflare, tmp_path):
    f = tmp_path / "token"
    f.write_text(cloudflare.token + "\n")
    e = env_for(cloudflare, tmp_path, CLOUDFLARE_API_TOKEN_FILE=str(f))
    del e["CLOUDFLARE_API_TOKEN"]
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "example.test", env=e)
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"


def test_secret_refused_on_command_line(binary, cloudflare, tmp_path):
    for opt in ("--cloudflare-api-token", "--api-token"):
        r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
                opt, cloudflare.token, "example.test")
        assert r.returncode == 2
        assert "never taken on the command line" in r.stderr
        assert "CLOUDFLARE_API_TOKEN" in r.stderr
    assert cloudflare.control.counters()["requests"] == 0


def test_zone_not_found(binary, cloudflare, tmp_path):
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "mail.nothere.test")
    assert r.returncode == 1
    res = one(r)
    assert res["error"]["kind"] == "not-found"
    assert "mail.nothere.test" in res["error"]["message"]
    assert "nothere.test" in res["error"]["message"]
    assert writes(cloudflare) == 0


def test_zone_scoped_token(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(zones=["example.test", "other.test"],
                            tokens=[{"token": "scoped-tok",
                                     "zones": ["other.test"]}])
    e = env_for(sb, tmp_path, CLOUDFLARE_API_TOKEN="scoped-tok")
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "example.test",
            env=e)
    assert r.returncode == 1
    assert one(r)["error"]["kind"] == "not-found"
    assert "Zone:Read" in one(r)["error"]["message"]


def test_subdomain_zone_wins(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(zones=["example.test", "sub.example.test"])
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA,
            "mail.sub.example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["zone"] == "sub.example.test"
    owner = "_smtp._tls.mail.sub.example.test"
    assert len(records(sb, "sub.example.test", owner)) == 1
    assert records(sb, "example.test", owner) == []


def test_zone_id(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(zones=["example.test", "sub.example.test"])
    zid = sb.zone_id("example.test")
    # The user's choice wins over the longest match.
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "--zone-id", zid,
            "--no-wait", "x.sub.example.test", wait=False)
    assert r.returncode == 0, r.stderr
    assert one(r)["zone"] == "example.test"
    assert sb.control.counters()["by_endpoint"].get("GET /zones") is None
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA, "--zone-id",
            sb.zone_id("sub.example.test"), "example.test", wait=False)
    assert r.returncode == 2
    assert one(r)["error"]["kind"] == "config"
    assert "does not hold" in one(r)["error"]["message"]
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA, "--zone-id",
            "0" * 32, "example.test", wait=False)
    assert r.returncode == 1
    assert one(r)["error"]["kind"] in ("auth", "not-found")


def test_429_storm_then_success(binary, cloudflare, tmp_path):
    cloudflare.control.add_fault({"match": {}, "count": 4,
                                  "action": "status", "status": 429,
                                  "headers": {"Retry-After": "1"}})
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    c = cloudflare.control.counters()
    assert c["faults_fired"] == 4
    assert len(records(cloudflare)) == 1


def test_429_forever_is_rate_limited(binary, cloudflare, tmp_path):
    cloudflare.control.add_fault({"match": {}, "count": 50,
                                  "action": "status", "status": 429,
                                  "headers": {"Retry-After": "0"}})
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "example.test", timeout=120)
    assert r.returncode == 1
    assert one(r)["error"]["kind"] == "rate-limited"


def test_5xx_then_success(binary, cloudflare, tmp_path):
    # On the read (retried) and on the create (re-read, then written).
    cloudflare.control.add_fault([
        {"match": {"method": "GET"}, "count": 2, "action": "status",
         "status": 502},
        {"match": {"method": "POST"}, "count": 1, "action": "status",
         "status": 503}])
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    assert len(records(cloudflare)) == 1
    assert cloudflare.control.counters()["faults_fired"] == 3


def test_timed_out_create_leaves_one_record(binary, cloudflare, tmp_path):
    conf = tmp_path / "config"
    conf.write_text("defaults = { http_timeout = 2; };\n")
    # The create is applied, but the answer comes after the client gave
    # up: a blind resend would make two records.
    cloudflare.control.add_fault({"match": {"method": "POST"},
                                  "action": "delay", "seconds": 4,
                                  "when": "after"})
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "--config", str(conf), "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    assert len(records(cloudflare)) == 1
    c = cloudflare.control.counters()
    assert c["by_method"]["POST"] == 1
    # Read, then read back after the uncertain create: no second POST.
    assert c["by_endpoint"]["GET /zones/{zone_id}/dns_records"] == 2
    assert tlsrpt_served(cloudflare) == [REC]


def test_dropped_connection_after_create(binary, cloudflare, tmp_path):
    cloudflare.control.add_fault({"match": {"method": "POST"},
                                  "action": "drop", "when": "after",
                                  "apply": True})
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA,
            "example.test")
    assert r.returncode == 0, r.stderr
    assert len(records(cloudflare)) == 1
    assert cloudflare.control.counters()["by_method"]["POST"] == 1


def test_record_over_255_bytes(binary, cloudflare, tmp_path):
    ruas = ["mailto:tls-reports-%02d@reports.example.test" % i
            for i in range(8)]
    args = []
    for u in ruas:
        args += ["--rua", u]
    r = cmd(binary, cloudflare, tmp_path, "publish", *args, "example.test")
    assert r.returncode == 0, r.stderr
    rec = one(r)["record"]
    assert len(rec) > 255
    assert rec == "v=TLSRPTv1; rua=" + ",".join(ruas)
    content = records(cloudflare)[0]["content"]
    assert content.startswith('"') and '" "' in content
    assert tlsrpt_served(cloudflare) == [rec]
    r = cmd(binary, cloudflare, tmp_path, "publish", *args, "example.test")
    assert one(r)["action"] == "unchanged"
    assert writes(cloudflare) == 1


def test_confirm_per_server(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(knot_servers=2)
    r = run(binary, sb, tmp_path, "publish", "--provider", "cloudflare",
            "--output", "json", "--rua", RUA, "--interval", "0.2",
            "--nameserver", sb.knots[0].addr, "--nameserver",
            sb.knots[1].addr, "example.test")
    assert r.returncode == 0, r.stderr
    c = one(r)["confirm"]
    assert c["status"] == "confirmed"
    assert sorted(s["address"] for s in c["servers"]) == sorted(
        [k.addr for k in sb.knots])
    assert all(s["status"] == "expected" for s in c["servers"])


def test_confirm_timeout_is_pending(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(dns_delay=8)
    r = run(binary, sb, tmp_path, "publish", "--provider", "cloudflare",
            "--output", "json", "--rua", RUA, "--interval", "0.2",
            "--timeout", "1.5", "--nameserver", sb.knot_addr,
            "example.test")
    assert r.returncode == 3, r.stderr
    res = one(r)
    assert res["action"] == "created"
    assert res["confirm"]["status"] == "timeout"
    assert res["confirm"]["servers"][0]["status"] == "missing"
    assert report(r)["summary"]["exit_status"] == 3


def test_no_wait(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(dns_delay=8)
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA, "--no-wait",
            "example.test", wait=False)
    assert r.returncode == 0, r.stderr
    assert one(r)["confirm"] == {"status": "skipped"}


def test_many_domains_and_report(binary, cloudflare_factory, tmp_path):
    sb = cloudflare_factory(zones=["example.test", "other.test"])
    dfile = tmp_path / "domains"
    dfile.write_text("# rollout\nexample.test\n\nother.test  # second\n"
                     "mail.nothere.test\n")
    rep = tmp_path / "report.json"
    r = cmd(binary, sb, tmp_path, "publish", "--rua", RUA,
            "--domains-file", str(dfile), "--report", str(rep))
    assert r.returncode == 1, r.stderr
    doc = report(r)
    acts = {x["domain"]: x["action"] for x in doc["results"]}
    assert acts == {"example.test": "created", "other.test": "created",
                    "mail.nothere.test": "failed"}
    assert doc["summary"]["created"] == 2 and doc["summary"]["failed"] == 1
    assert json.loads(rep.read_text()) == doc


def test_domains_from_stdin_and_config(binary, cloudflare_factory,
                                       tmp_path):
    sb = cloudflare_factory(zones=["example.test", "other.test"])
    conf = tmp_path / "config"
    conf.write_text(
        'defaults = { provider = "cloudflare"; rua = ["%s"]; };\n'
        'domains = ( "example.test", { name = "other.test"; '
        'rua = ["mailto:o@other.test"]; ttl = 600; } );\n' % RUA)
    r = run(binary, sb, tmp_path, "plan", "--config", str(conf),
            "--output", "json", "--all")
    assert r.returncode == 0, r.stderr
    doc = report(r)
    got = {x["domain"]: (x["record"], x.get("ttl")) for x in doc["results"]}
    assert got == {"example.test": (REC, 3600),
                   "other.test": ("v=TLSRPTv1; rua=mailto:o@other.test",
                                  600)}
    r = run(binary, sb, tmp_path, "plan", "--config", str(conf),
            "--output", "json", "--domains-file", "-",
            input="other.test\n")
    assert r.returncode == 0, r.stderr
    assert [x["domain"] for x in report(r)["results"]] == ["other.test"]
    # No domain at all is a usage error, never "everything".
    r = run(binary, sb, tmp_path, "plan", "--config", str(conf))
    assert r.returncode == 2
    assert "--all" in r.stderr


def test_usage_errors_write_nothing(binary, cloudflare, tmp_path):
    cases = [
        ["publish", "--provider", "nope", "--rua", RUA, "example.test"],
        ["publish", "--provider", "cloudflare", "example.test"],
        ["publish", "--provider", "cloudflare", "--rua", RUA, "--ttl", "5",
         "example.test"],
        ["publish", "--provider", "cloudflare", "--rua", RUA, "--ttl", "x",
         "example.test"],
        ["publish", "--provider", "cloudflare", "--rua", RUA],
        ["publish", "--provider", "cloudflare", "--rua", RUA, "--output",
         "xml", "example.test"],
        ["publish", "--provider", "cloudflare", "--rua", RUA,
         "--detailed-exitcode", "example.test"],
        ["publish", "--provider", "cloudflare", "--rua", RUA, "--config",
         str(tmp_path / "missing.conf"), "example.test"],
        ["publish", "--provider", "cloudflare", "--rua", RUA,
         "--cloudflare-api-url", "http://127.0.0.1:1/client/v4",
         "example.test"],
    ]
    for c in cases:
        r = run(binary, cloudflare, tmp_path, *c)
        assert r.returncode == 2, (c, r.stdout, r.stderr)
        assert r.stderr.strip(), c
    assert cloudflare.control.counters()["requests"] == 0


def test_providers_command(binary, tmp_path):
    r = subprocess.run([binary, "providers"], capture_output=True, text=True)
    assert r.returncode == 0
    assert "cloudflare" in r.stdout
    assert "CLOUDFLARE_API_TOKEN" in r.stdout
    assert "Zone:Read" in r.stdout
    assert "docs/providers/cloudflare.md" in r.stdout
    r = subprocess.run([binary, "providers", "--output", "json"],
                       capture_output=True, text=True)
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    cf = [p for p in doc["providers"] if p["name"] == "cloudflare"][0]
    tok = [s for s in cf["settings"] if s["key"] == "api_token"][0]
    assert tok["secret"] is True and tok["required"] is True
    assert tok["env"] == "CLOUDFLARE_API_TOKEN"
    assert tok["env_file"] == "CLOUDFLARE_API_TOKEN_FILE"
    assert "flag" not in tok
    url = [s for s in cf["settings"] if s["key"] == "api_url"][0]
    assert url["flag"] == "--cloudflare-api-url"
    assert cf["min_ttl"] == 30 and cf["auto_ttl"] == 1
    assert cf["rate"] > 0 and cf["doc"] == "docs/providers/cloudflare.md"
    # NAME narrows the JSON list as it narrows the text.
    r = subprocess.run([binary, "providers", "--output", "json",
                        "cloudflare"], capture_output=True, text=True)
    assert r.returncode == 0
    assert [p["name"] for p in json.loads(r.stdout)["providers"]] == \
        ["cloudflare"]


def test_help_mentions_secrets_policy(binary):
    for c in ("publish", "plan", "remove"):
        r = subprocess.run([binary, c, "--help"], capture_output=True,
                           text=True)
        assert r.returncode == 0
        assert "never taken on the command line" in r.stdout
        assert "--cloudflare-api-url" in r.stdout


def test_interrupt_reports_what_was_done(binary, cloudflare_factory,
                                         tmp_path):
    import signal
    import time
    sb = cloudflare_factory(dns_delay=30)
    p = subprocess.Popen(
        [binary, "publish", "--provider", "cloudflare", "--output", "jsonl",
         "--rua", RUA, "--nameserver", sb.knot_addr, "--interval", "0.2",
         "--timeout", "60", "example.test"],
        env=env_for(sb, tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    # Wait until the write is done and confirmation is under way.
    end = time.monotonic() + 15
    while time.monotonic() < end and sb.control.counters()["writes"] == 0:
        time.sleep(0.1)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=20)
    assert p.returncode == 130, err
    lines = [json.loads(x) for x in out.splitlines()]
    assert lines[0]["action"] == "created"
    assert lines[0]["confirm"]["status"] == "timeout"
    assert lines[-1]["type"] == "summary"
    assert lines[-1]["exit_status"] == 130
    assert len(records(sb)) == 1


def test_interrupt_lets_write_finish(binary, cloudflare_factory, tmp_path):
    import signal
    import time
    sb = cloudflare_factory(zones=["example.test", "other.test"])
    sb.control.add_fault({"match": {"method": "POST"}, "action": "delay",
                          "seconds": 3, "when": "after"})
    p = subprocess.Popen(
        [binary, "publish", "--provider", "cloudflare", "--output", "json",
         "--rua", RUA, "--nameserver", sb.knot_addr, "--interval", "0.2",
         "--jobs", "1", "example.test", "other.test"],
        env=env_for(sb, tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    # The create is applied at once, its answer comes 3 s later:
    # interrupt while it is in flight.
    end = time.monotonic() + 15
    while time.monotonic() < end and not records(sb):
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    res = {x["domain"]: x for x in json.loads(out)["results"]}
    # The write in flight finished; the next domain was never started.
    assert res["example.test"]["action"] == "created"
    assert res["other.test"]["action"] == "failed"
    assert res["other.test"]["error"]["kind"] == "interrupted"
    assert len(records(sb)) == 1
    assert records(sb, "other.test", "_smtp._tls.other.test") == []


def test_named_account_and_flag_precedence(binary, cloudflare_factory,
                                           tmp_path):
    sb = cloudflare_factory(zones=["example.test", "other.test"],
                            tokens=[{"token": "eu-token",
                                     "zones": ["other.test"]},
                                    {"token": "env-token",
                                     "zones": ["example.test"]}])
    tok = tmp_path / "eu-token"
    tok.write_text("eu-token\n")
    conf = tmp_path / "config"
    conf.write_text(
        'defaults = { provider = "cloudflare"; rua = ["%s"]; '
        'http_retries = 1; };\n'
        'accounts = ( { name = "cf-eu"; provider = "cloudflare"; '
        'api_token_file = "%s"; } );\n'
        'domains = ( { name = "other.test"; account = "cf-eu"; } );\n'
        % (RUA, tok))
    conf.chmod(0o600)
    # Each token sees one zone only. The account's own token beats the
    # environment's; --cloudflare-api-url beats CLOUDFLARE_API_URL.
    e = env_for(sb, tmp_path, CLOUDFLARE_API_URL="https://127.0.0.1:1/x",
                CLOUDFLARE_API_TOKEN="env-token")
    r = run(binary, sb, tmp_path, "plan", "--config", str(conf),
            "--output", "json", "--cloudflare-api-url", sb.api_url,
            "other.test", env=e)
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "would-create"
    # A domain without the account uses the environment's token.
    r = run(binary, sb, tmp_path, "plan", "--config", str(conf),
            "--output", "json", "--cloudflare-api-url", sb.api_url,
            "example.test", env=e)
    assert r.returncode == 0, r.stderr
    # Without the flag, the bad CLOUDFLARE_API_URL is used: it fails.
    r = run(binary, sb, tmp_path, "plan", "--config", str(conf),
            "--output", "json", "example.test", env=e)
    assert r.returncode == 1
    assert one(r)["error"]["kind"] == "network"


def test_many_domains_list_zones_once(binary, cloudflare_factory,
                                      tmp_path):
    sb = cloudflare_factory(zones=["example.test", "sub.example.test"])
    names = ["d%02d.example.test" % i for i in range(22)] + \
        ["x.sub.example.test"]
    r = cmd(binary, sb, tmp_path, "plan", "--rua", RUA, "--domains-file",
            "-", "--jobs", "2", input="\n".join(names) + "\n", wait=False)
    assert r.returncode == 0, r.stderr
    doc = report(r)
    zones = {x["domain"]: x["zone"] for x in doc["results"]}
    assert zones["d00.example.test"] == "example.test"
    assert zones["x.sub.example.test"] == "sub.example.test"
    assert doc["summary"]["would-create"] == len(names)
    by = sb.control.counters()["by_endpoint"]
    # One zone listing for the whole run, then one read per domain.
    assert by["GET /zones"] == 1
    assert by["GET /zones/{zone_id}/dns_records"] == len(names)
    # One TLS handshake per worker: connections are reused.
    assert 1 <= sb.control.counters()["tls_handshakes"] <= 2


def test_interrupt_finishes_a_multi_request_write(binary, cloudflare_factory,
                                                  tmp_path):
    import signal
    import time
    # Consolidating two records is a PATCH then a DELETE: an interrupt
    # between them must not leave the name half-changed.
    sb = cloudflare_factory(records={"example.test": [
        txt(OWNER, OLD), txt(OWNER, "v=TLSRPTv1; rua=mailto:b@example.test")]})
    sb.control.add_fault({"match": {"method": "PATCH"}, "action": "delay",
                          "seconds": 2, "when": "after"})
    p = subprocess.Popen(
        [binary, "publish", "--provider", "cloudflare", "--output", "json",
         "--rua", RUA, "--no-wait", "example.test"],
        env=env_for(sb, tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 15
    while time.monotonic() < end and not any(
            x["content"] == quoted(REC) for x in records(sb)):
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    assert json.loads(out)["results"][0]["action"] == "updated"
    assert [x["content"] for x in records(sb)] == [quoted(REC)]


def test_identical_record_conflict_rereads(binary, cloudflare, tmp_path):
    # 81058 on the create: someone else's write raced ours. The set is read
    # again, planned again, and written once more only if still needed.
    cloudflare.control.add_fault({
        "match": {"method": "POST"}, "action": "status", "status": 400,
        "json": {"success": False, "messages": [], "result": None,
                 "errors": [{"code": 81058, "message":
                             "An identical record already exists."}]}})
    r = cmd(binary, cloudflare, tmp_path, "publish", "--rua", RUA, "-v",
            "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    assert "conflict" in r.stderr
    c = cloudflare.control.counters()
    assert c["by_method"]["POST"] == 2
    assert c["by_endpoint"]["GET /zones/{zone_id}/dns_records"] == 2
    assert len(records(cloudflare)) == 1
