"""publish, plan and remove through the Route 53 backend: the built binary
against the Route 53 emulator (HTTPS with the test CA, every request's
SigV4 signature checked by botocore) whose changes reach a real Knot DNS
server, which the binary then polls to confirm. Debian's AWS CLI reads
back what the binary wrote."""
import json
import subprocess

import pytest

from harness import cli
from harness.cli import one, report, run
from harness.providercase import quote as wire

OWNER = "_smtp._tls.example.test"
RUA = "mailto:tls-reports@example.test"
REC = "v=TLSRPTv1; rua=" + RUA
OLD = "v=TLSRPTv1; rua=mailto:old@example.test"
SPF = "v=spf1 -all"
CHANGE = "ChangeResourceRecordSets"


def txt(values, ttl=300, name="_smtp._tls"):
    return {"name": name, "type": "TXT", "ttl": ttl,
            "values": [wire(v) for v in values]}


def cmd(binary, sb, command, *args, wait=True, env=None, **kw):
    return cli.cmd(binary, "route53", sb.knot_addr, env or sb.env(),
                   command, *args, wait=wait, **kw)


def counters(sb):
    return sb.control.counters()


def changes(sb):
    return counters(sb)["by_endpoint"].get(CHANGE, 0)


def tlsrpt_served(sb, owner=OWNER):
    return [v for v in sb.txt(owner) if v.lower().startswith("v=tlsrpt")]


def test_create_confirmed_and_read_back_by_aws_cli(binary, route53):
    r = cmd(binary, route53, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "created"
    assert res["provider"] == "route53"
    assert res["zone"] == "example.test" and res["owner"] == OWNER
    assert res["before"] == [] and res["after"] == [REC]
    assert res["confirm"]["status"] == "confirmed"
    assert "error" not in res
    assert route53.rrset(OWNER)["values"] == [wire(REC)]
    assert route53.rrset(OWNER)["TTL"] == 3600
    assert tlsrpt_served(route53) == [REC]
    c = counters(route53)
    assert c["writes"] == 1 and c["by_endpoint"][CHANGE] == 1
    assert c["by_endpoint"]["GetChange"] >= 1
    # An independent client, botocore's own parser and signer, reads
    # back exactly what was written.
    zid = route53.zone_id("example.test")
    out = route53.aws("list-resource-record-sets", "--hosted-zone-id",
                      "/hostedzone/" + zid, "--start-record-name", OWNER,
                      "--start-record-type", "TXT")
    sets = [s for s in out["ResourceRecordSets"]
            if s["Name"] == OWNER + "." and s["Type"] == "TXT"]
    assert sets == [{"Name": OWNER + ".", "Type": "TXT", "TTL": 3600,
                     "ResourceRecords": [{"Value": '"%s"' % REC}]}]
    zones = route53.aws("list-hosted-zones-by-name", "--dns-name",
                        "example.test")
    assert zones["HostedZones"][0]["Id"] == "/hostedzone/" + zid


def test_update_from_old_rua(binary, route53_factory):
    sb = route53_factory(records={"example.test": [txt([OLD])]})
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert res["before"] == [OLD] and res["after"] == [REC]
    assert res["dropped_rua"] == ["mailto:old@example.test"]
    rr = sb.rrset(OWNER)
    assert rr["values"] == [wire(REC)]
    assert rr["TTL"] == 300   # the TTL only changes when asked
    assert tlsrpt_served(sb) == [REC]
    # One atomic batch: DELETE of exactly what was read, CREATE.
    assert changes(sb) == 1
    batch = [e for e in sb.control.log() if e["endpoint"] == CHANGE][0]
    assert batch["body"].index("<Action>DELETE</Action>") < \
        batch["body"].index("<Action>CREATE</Action>")


def test_unchanged_writes_nothing(binary, route53_factory):
    sb = route53_factory(records={"example.test": [txt([REC])]})
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "unchanged"
    assert res["confirm"]["status"] == "confirmed"
    c = counters(sb)
    assert c["writes"] == 0 and CHANGE not in c["by_endpoint"]
    # A re-run costs one zone lookup and one read.
    assert c["requests"] == 2
    assert "GetChange" not in c["by_endpoint"]


def test_two_records_consolidated(binary, route53_factory):
    sb = route53_factory(records={"example.test": [txt(
        [OLD, "v=TLSRPTv1; rua=mailto:b@example.test", SPF])]})
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert sorted(res["dropped_rua"]) == ["mailto:b@example.test",
                                          "mailto:old@example.test"]
    assert sorted(sb.rrset(OWNER)["values"]) == sorted([wire(SPF),
                                                        wire(REC)])
    assert tlsrpt_served(sb) == [REC]
    assert sorted(sb.txt(OWNER)) == sorted([SPF, REC])
    assert changes(sb) == 1


def test_unrelated_values_kept_by_publish_and_remove(binary,
                                                     route53_factory):
    odd = 'say "hi" \\ ; caf\u00e9 \ttab'
    # A value stored in two strings keeps its split, byte for byte.
    split = '"v=spf1 include:a.example" " -all"'
    seed = txt([SPF, odd, OLD])
    seed["values"].append(split)
    sb = route53_factory(records={"example.test": [seed]})
    keep = [wire(SPF), wire(odd), split]
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert sorted(res["after"]) == sorted(
        [SPF, odd, "v=spf1 include:a.example -all", REC])
    assert sorted(sb.rrset(OWNER)["values"]) == sorted(keep + [wire(REC)])
    # Knot's answer, read as latin-1 by the harness: the UTF-8 octets.
    odd_served = odd.encode().decode("latin-1")
    assert sorted(sb.txt(OWNER)) == sorted(
        [SPF, odd_served, "v=spf1 include:a.example -all", REC])

    r = cmd(binary, sb, "remove", "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "removed"
    assert res["dropped_rua"] == [RUA]
    assert res["confirm"]["status"] == "confirmed"
    assert sorted(sb.rrset(OWNER)["values"]) == sorted(keep)
    assert tlsrpt_served(sb) == []

    r = cmd(binary, sb, "remove", "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "unchanged"


def test_remove_last_value_deletes_rrset(binary, route53_factory):
    sb = route53_factory(records={"example.test": [txt([OLD])]})
    r = cmd(binary, sb, "remove", "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "removed"
    assert sb.rrset(OWNER) is None
    assert sb.txt(OWNER) == []
    batch = [e for e in sb.control.log() if e["endpoint"] == CHANGE][0]
    assert "<Action>DELETE</Action>" in batch["body"]
    assert "<Action>CREATE</Action>" not in batch["body"]


def test_plan_writes_nothing(binary, route53_factory):
    sb = route53_factory(records={"example.test": [txt([OLD])]})
    r = cmd(binary, sb, "plan", "--rua", RUA, "example.test", wait=False)
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "would-update"
    assert res["before"] == [OLD] and res["after"] == [REC]
    r = cmd(binary, sb, "plan", "--rua", RUA, "--detailed-exitcode",
            "example.test", wait=False)
    assert r.returncode == 4, r.stderr
    r = cmd(binary, sb, "remove", "--dry-run", "example.test", wait=False)
    assert r.returncode == 0 and one(r)["action"] == "would-remove"
    assert counters(sb)["writes"] == 0
    assert sb.rrset(OWNER)["values"] == [wire(OLD)]


def test_ttl_change_applies_to_rrset(binary, route53_factory):
    sb = route53_factory(records={"example.test": [txt([SPF, REC])]})
    r = cmd(binary, sb, "publish", "--rua", RUA, "--ttl", "900",
            "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    assert res["ttl"] == 900 and res["old_ttl"] == 300
    rr = sb.rrset(OWNER)
    assert rr["TTL"] == 900
    assert sorted(rr["values"]) == sorted([wire(SPF), wire(REC)])


def test_bad_secret_is_refused(binary, route53):
    bad = "not-the-right-secret-0123456789"
    e = route53.env(AWS_SECRET_ACCESS_KEY=bad)
    r = cmd(binary, route53, "publish", "--rua", RUA, "-vv",
            "example.test", env=e)
    assert r.returncode == 1
    res = one(r)
    assert res["action"] == "failed"
    assert res["error"]["kind"] == "auth"
    assert res["error"]["http_status"] == 403
    assert res["error"]["provider_code"] == "SignatureDoesNotMatch"
    assert "AWS_SECRET_ACCESS_KEY" in res["error"]["message"]
    assert "clock" in res["error"]["message"]
    for secret in (bad, route53.secret):
        assert secret not in r.stdout and secret not in r.stderr
    assert counters(route53)["writes"] == 0


def test_unknown_key_id(binary, route53):
    e = route53.env(AWS_ACCESS_KEY_ID="AKIANOTKNOWN000000")
    r = cmd(binary, route53, "publish", "--rua", RUA, "example.test", env=e)
    assert r.returncode == 1
    res = one(r)
    assert res["error"]["kind"] == "auth"
    assert res["error"]["provider_code"] == "InvalidClientTokenId"


def test_session_token_signed_and_never_printed(binary, route53_factory):
    tok = "FwoGZXIvYXdzEBYaD" + "x" * 80 + "/session+token=="
    sb = route53_factory(keys=[{"id": "ASIASESSION0000001",
                                "secret": "session/secret+KEY",
                                "token": tok}])
    e = sb.env(AWS_ACCESS_KEY_ID="ASIASESSION0000001",
               AWS_SECRET_ACCESS_KEY="session/secret+KEY",
               AWS_SESSION_TOKEN=tok)
    r = cmd(binary, sb, "publish", "--rua", RUA, "-vv", "example.test",
            env=e)
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    c = counters(sb)
    assert c["signed_with_session_token"] == c["requests"]
    assert tok not in r.stdout + r.stderr
    assert "session/secret+KEY" not in r.stdout + r.stderr
    # A wrong secret: AWS's SignatureDoesNotMatch message quotes the
    # canonical request, token included; neither the message nor the
    # -vv dump of that answer may show it.
    r = cmd(binary, sb, "plan", "--rua", RUA, "-vv", "example.test",
            env=dict(e, AWS_SECRET_ACCESS_KEY="wrong"), wait=False)
    assert r.returncode == 1
    assert one(r)["error"]["provider_code"] == "SignatureDoesNotMatch"
    assert tok not in r.stdout + r.stderr
    # The same key without its token is refused: the token is checked.
    e.pop("AWS_SESSION_TOKEN")
    r = cmd(binary, sb, "plan", "--rua", RUA, "example.test", env=e,
            wait=False)
    assert r.returncode == 1
    assert one(r)["error"]["provider_code"] == "InvalidClientTokenId"


def test_access_denied_names_permissions(binary, route53_factory):
    sb = route53_factory(keys=[{"id": "AKIAREADONLY00000001",
                                "secret": "ro-secret",
                                "deny": [CHANGE]}])
    e = sb.env(AWS_ACCESS_KEY_ID="AKIAREADONLY00000001",
               AWS_SECRET_ACCESS_KEY="ro-secret")
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test", env=e)
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "auth" and err["http_status"] == 403
    assert err["provider_code"] == "AccessDenied"
    assert "route53:ChangeResourceRecordSets" in err["message"]
    assert "RequestId" in err["message"]
    assert sb.rrset(OWNER) is None


def test_missing_credentials(binary, route53):
    e = route53.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    r = cmd(binary, route53, "publish", "--rua", RUA, "example.test", env=e)
    assert r.returncode == 2
    assert "no credentials found" in r.stderr
    assert "AWS_ACCESS_KEY_ID" in r.stderr
    assert "instance metadata" in r.stderr
    assert counters(route53)["requests"] == 0


def test_throttling_storm_then_success(binary, route53):
    route53.throttle(3)
    r = cmd(binary, route53, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    c = counters(route53)
    assert c["faults_fired"] == 3
    assert c["by_status"]["400"] == 3
    assert route53.rrset(OWNER)["values"] == [wire(REC)]


def test_prior_request_not_complete_retried(binary, route53):
    route53.throttle(2, "PriorRequestNotComplete",
                     "The request was rejected because Route 53 was still "
                     "processing a prior request.",
                     match={"endpoint": CHANGE})
    r = cmd(binary, route53, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    assert changes(route53) == 3 and counters(route53)["writes"] == 1


def test_throttled_forever_is_rate_limited(binary, route53, tmp_path):
    conf = tmp_path / "config"
    conf.write_text("defaults = { http_retries = 2; };\n")
    route53.throttle(50)
    r = cmd(binary, route53, "publish", "--rua", RUA, "--config", str(conf),
            "example.test", timeout=120)
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "rate-limited"
    assert err["provider_code"] == "Throttling"
    assert "5 requests per second" in err["message"]
    assert counters(route53)["faults_fired"] == 3   # 1 + 2 retries


def test_record_over_255_bytes(binary, route53):
    ruas = ["mailto:tls-reports-%02d@reports.example.test" % i
            for i in range(8)]
    args = []
    for u in ruas:
        args += ["--rua", u]
    r = cmd(binary, route53, "publish", *args, "example.test")
    assert r.returncode == 0, r.stderr
    rec = one(r)["record"]
    assert len(rec) > 255
    value = route53.rrset(OWNER)["values"][0]
    assert value == '"%s" "%s"' % (rec[:255], rec[255:])
    assert tlsrpt_served(route53) == [rec]
    out = route53.aws("list-resource-record-sets", "--hosted-zone-id",
                      route53.zone_id("example.test"))
    got = [s["ResourceRecords"] for s in out["ResourceRecordSets"]
           if s["Name"] == OWNER + "."]
    assert got == [[{"Value": value}]]
    r = cmd(binary, route53, "publish", *args, "example.test")
    assert one(r)["action"] == "unchanged"
    assert counters(route53)["writes"] == 1


def test_change_pending_then_insync(binary, route53_factory):
    sb = route53_factory(sync_delay=1.5, dns_delay=1.5)
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["confirm"]["status"] == "confirmed"
    polls = counters(sb)["by_endpoint"]["GetChange"]
    assert polls >= 2   # PENDING at least once, then INSYNC
    assert list(sb.control.state()["changes"].values()) == ["INSYNC"]

    # --no-wait-sync: straight to DNS, GetChange never asked.
    r = cmd(binary, sb, "publish", "--rua", "mailto:b@example.test",
            "--no-wait-sync", "example.test")
    assert r.returncode == 0, r.stderr
    assert counters(sb)["by_endpoint"]["GetChange"] == polls
    # The same through the environment.
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test",
            env=sb.env(TLSRPT_ROUTE53_WAIT_SYNC="false"))
    assert r.returncode == 0, r.stderr
    assert counters(sb)["by_endpoint"]["GetChange"] == polls


def test_change_never_insync_times_out(binary, route53_factory):
    sb = route53_factory(sync_delay=60)
    r = cmd(binary, sb, "publish", "--rua", RUA, "--timeout", "1.5",
            "example.test", wait=False)
    assert r.returncode == 3, r.stderr
    res = one(r)
    assert res["action"] == "created"
    assert res["confirm"]["status"] == "timeout"
    assert counters(sb)["by_endpoint"]["GetChange"] >= 2


@pytest.mark.parametrize("shape", ["error", "messages"])
def test_concurrent_edit_fails_batch_then_converges(binary, route53_factory,
                                                    shape):
    # Both documents Route 53 refuses a batch with: ErrorResponse with
    # code InvalidChangeBatch, and InvalidChangeBatch with Messages.
    other = "google-site-verification=abc123"
    sb = route53_factory(
        records={"example.test": [txt([OLD])]},
        concurrent=[{"zone": "example.test", "name": OWNER, "count": 1,
                     "ttl": 300, "values": [wire(OLD), wire(other)]}],
        args=["--batch-error-shape", shape])
    r = cmd(binary, sb, "publish", "--rua", RUA, "-v", "example.test")
    assert r.returncode == 0, r.stderr
    res = one(r)
    assert res["action"] == "updated"
    # The other writer's value, added between our read and our write,
    # survives: the first batch failed instead of overwriting it.
    assert sorted(res["after"]) == sorted([other, REC])
    assert sorted(sb.rrset(OWNER)["values"]) == sorted(
        [wire(other), wire(REC)])
    c = counters(sb)
    assert c["concurrent_edits"] == 1
    assert c["by_endpoint"][CHANGE] == 2 and c["writes"] == 1
    assert c["by_status"]["400"] == 1
    assert "changed while this run was writing" in r.stderr
    assert sorted(sb.txt(OWNER)) == sorted([other, REC])


def test_refused_batch_is_not_retried_as_conflict(binary, route53):
    msg = ("Invalid Resource Record: FATAL problem: InvalidCharacterString "
           "(Value should be enclosed in quotation marks) encountered with "
           "'x'")
    route53.throttle(1, "InvalidChangeBatch", msg,
                     match={"endpoint": CHANGE})
    r = cmd(binary, route53, "publish", "--rua", RUA, "example.test")
    assert r.returncode != 0
    err = one(r)["error"]
    assert err["kind"] == "config"
    assert err["provider_code"] == "InvalidChangeBatch"
    assert err["provider_message"] == msg
    assert "refused" in err["message"]
    assert changes(route53) == 1


def test_private_zone_only_when_asked(binary, route53_factory):
    sb = route53_factory(private_zones=["example.test"])
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    assert sb.rrset(OWNER)["values"] == [wire(REC)]
    assert sb.rrset(OWNER, private=True) is None
    r = cmd(binary, sb, "publish", "--rua", "mailto:in@example.test",
            "--route53-private-zone", "--no-wait", "example.test",
            wait=False)
    assert r.returncode == 0, r.stderr
    assert sb.rrset(OWNER, private=True)["values"] == [
        wire("v=TLSRPTv1; rua=mailto:in@example.test")]
    assert sb.rrset(OWNER)["values"] == [wire(REC)]


def test_only_private_zone_is_not_found(binary, route53_factory):
    sb = route53_factory(zones=["other.test"],
                         private_zones=["example.test"])
    r = cmd(binary, sb, "publish", "--rua", RUA, "example.test")
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "not-found"
    assert "public hosted zone" in err["message"]
    assert "private_zone" in err["message"]


def test_subdomain_zone_wins_and_zone_id(binary, route53_factory):
    sb = route53_factory(zones=["example.test", "sub.example.test"])
    r = cmd(binary, sb, "publish", "--rua", RUA, "mail.sub.example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["zone"] == "sub.example.test"
    owner = "_smtp._tls.mail.sub.example.test"
    assert sb.rrset(owner, zone="sub.example.test") is not None
    assert sb.rrset(owner) is None
    before = counters(sb)["by_endpoint"].get("ListHostedZonesByName", 0)
    zid = sb.zone_id("example.test")
    r = cmd(binary, sb, "publish", "--rua", RUA, "--zone-id",
            "/hostedzone/" + zid, "--no-wait", "x.sub.example.test",
            wait=False)
    assert r.returncode == 0, r.stderr
    assert one(r)["zone"] == "example.test"
    c = counters(sb)["by_endpoint"]
    assert c.get("ListHostedZonesByName", 0) == before
    assert c["GetHostedZone"] == 1
    r = cmd(binary, sb, "plan", "--rua", RUA, "--zone-id",
            sb.zone_id("sub.example.test"), "example.test", wait=False)
    assert r.returncode == 2
    assert "does not hold" in one(r)["error"]["message"]
    r = cmd(binary, sb, "plan", "--rua", RUA, "--zone-id", "ZNOSUCHZONE1",
            "example.test", wait=False)
    assert r.returncode == 1
    assert one(r)["error"]["provider_code"] == "NoSuchHostedZone"


def test_zone_not_found(binary, route53):
    r = cmd(binary, route53, "publish", "--rua", RUA, "mail.nothere.test")
    assert r.returncode == 1
    err = one(r)["error"]
    assert err["kind"] == "not-found"
    assert "'mail.nothere.test', 'nothere.test'" in err["message"]
    assert counters(route53)["writes"] == 0


def test_many_domains_list_zones_once_at_the_rate(binary, route53_factory):
    names = ["d%02d.test" % i for i in range(20)]
    sb = route53_factory(zones=names)
    r = cmd(binary, sb, "plan", "--rua", RUA, *names, wait=False)
    assert r.returncode == 0, r.stderr
    doc = report(r)
    assert {x["domain"]: x["action"] for x in doc["results"]} == {
        n: "would-create" for n in names}
    c = counters(sb)
    assert c["by_endpoint"]["ListHostedZones"] == 1
    assert "ListHostedZonesByName" not in c["by_endpoint"]
    assert c["by_endpoint"]["ListResourceRecordSets"] == 20
    # 21 requests at 5 per second with no burst: about 4 s, and never a
    # request over the emulator's (Route 53's) limit.
    assert c["rate_limited"] == 0
    assert c["last_request_at"] - c["first_request_at"] >= 3.5


def test_config_file_section(binary, route53, tmp_path):
    conf = tmp_path / "config"
    conf.write_text(
        'defaults = { provider = "route53"; };\n'
        'route53 = { endpoint_url = "%s"; wait_sync = false; };\n'
        % route53.endpoint)
    conf.chmod(0o600)
    e = route53.env(AWS_ENDPOINT_URL_ROUTE_53=None)
    r = run(binary, e, "publish", "--config", str(conf), "--rua", RUA,
            "--output", "json", "--nameserver", route53.knot_addr,
            "--interval", "0.2", "example.test")
    assert r.returncode == 0, r.stderr
    assert one(r)["action"] == "created"
    assert "GetChange" not in counters(route53)["by_endpoint"]


def test_bad_settings_are_config_errors(binary, route53):
    for var, val in (("TLSRPT_ROUTE53_WAIT_SYNC", "maybe"),
                     ("TLSRPT_ROUTE53_SYNC_INTERVAL", "soon"),
                     ("AWS_ENDPOINT_URL_ROUTE_53", "http://example.test/")):
        r = cmd(binary, route53, "publish", "--rua", RUA, "example.test",
                env=route53.env(**{var: val}))
        assert r.returncode == 2, (var, r.stdout, r.stderr)
        assert r.stderr.strip()
    assert counters(route53)["requests"] == 0


def test_providers_lists_route53(binary):
    r = subprocess.run([binary, "providers", "--output", "json"],
                       capture_output=True, text=True)
    assert r.returncode == 0
    p = [x for x in json.loads(r.stdout)["providers"]
         if x["name"] == "route53"][0]
    keys = {s["key"]: s for s in p["settings"]}
    assert keys["secret_access_key"]["secret"] is True
    assert keys["access_key_id"]["env"] == "AWS_ACCESS_KEY_ID"
    assert keys["wait_sync"]["flag"] == "--no-wait-sync"
    assert keys["private_zone"]["flag"] == "--route53-private-zone"
    assert p["rate"] == 5 and p["doc"] == "docs/providers/route53.md"
    r = subprocess.run([binary, "publish", "--help"], capture_output=True,
                       text=True)
    assert "--no-wait-sync " in r.stdout and "--route53-private-zone " in \
        r.stdout
