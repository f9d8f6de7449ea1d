"""Route 53 edge cases through the binary: writes whose outcome is
unknown (never resent blindly), records this tool must not touch, and
PriorRequestNotComplete from a busy zone."""
import json
import subprocess

OWNER = "_smtp._tls.example.test"
RUA = "mailto:tls-reports@example.test"
REC = "v=TLSRPTv1; rua=" + RUA
CHANGE = "ChangeResourceRecordSets"


def publish(binary, sb, *args, env=None, timeout=60):
    r = subprocess.run(
        [binary, "publish", "--provider", "route53", "--output", "json",
         "--rua", RUA, "--nameserver", sb.knot_addr, "--interval", "0.2",
         "--timeout", "15", *args, "example.test"],
        env=env or sb.env(), capture_output=True, text=True, timeout=timeout)
    doc = json.loads(r.stdout)
    return r, doc["results"][0]


def by_endpoint(sb):
    return sb.control.counters()["by_endpoint"]


def test_timed_out_batch_is_read_back_not_resent(binary, route53, tmp_path):
    conf = tmp_path / "config"
    conf.write_text("defaults = { http_timeout = 2; };\n")
    # Applied, but the answer comes after the client gave up.
    route53.control.add_fault({"match": {"endpoint": CHANGE},
                               "action": "delay", "seconds": 4,
                               "when": "after"})
    r, res = publish(binary, route53, "--config", str(conf))
    assert r.returncode == 0, r.stderr
    assert res["action"] == "created"
    assert route53.rrset(OWNER)["values"] == ['"%s"' % REC]
    c = by_endpoint(route53)
    assert c[CHANGE] == 1    # read back and found done: no second batch
    assert c["ListResourceRecordSets"] == 2
    assert route53.txt(OWNER) == [REC]


def test_dropped_answer_after_apply(binary, route53_factory):
    sb = route53_factory(records={"example.test": [{
        "name": "_smtp._tls", "ttl": 300,
        "values": ['"v=TLSRPTv1; rua=mailto:old@example.test"']}]})
    sb.control.add_fault({"match": {"endpoint": CHANGE}, "action": "drop",
                          "when": "after", "apply": True})
    r, res = publish(binary, sb)
    assert r.returncode == 0, r.stderr
    assert res["action"] == "updated"
    assert by_endpoint(sb)[CHANGE] == 1
    assert sb.rrset(OWNER)["values"] == ['"%s"' % REC]


def test_5xx_on_batch_then_written(binary, route53):
    # Not applied: read back, still missing, written by a new batch.
    route53.control.add_fault({"match": {"endpoint": CHANGE},
                               "action": "status", "status": 503})
    r, res = publish(binary, route53)
    assert r.returncode == 0, r.stderr
    assert res["action"] == "created"
    assert by_endpoint(route53)[CHANGE] == 2
    assert route53.control.counters()["writes"] == 1


def test_prior_request_not_complete_from_busy_zone(binary, route53_factory):
    sb = route53_factory(args=["--prior-request-window", "1.5"])
    zid = sb.zone_id("example.test")
    # Someone else changed the zone a moment ago.
    sb.aws("change-resource-record-sets", "--hosted-zone-id", zid,
           "--change-batch", json.dumps({"Changes": [{
               "Action": "CREATE", "ResourceRecordSet": {
                   "Name": "other.example.test", "Type": "TXT", "TTL": 60,
                   "ResourceRecords": [{"Value": '"x"'}]}}]}))
    r, res = publish(binary, sb)
    assert r.returncode == 0, r.stderr
    assert res["action"] == "created"
    assert sb.control.counters()["by_status"].get("400", 0) >= 1
    assert sb.rrset(OWNER)["values"] == ['"%s"' % REC]


def test_routing_policy_records_are_left_alone(binary, route53_factory):
    sb = route53_factory(records={"example.test": [{
        "name": "_smtp._tls", "ttl": 60, "set_id": "blue",
        "values": ['"v=TLSRPTv1; rua=mailto:blue@example.test"']}]})
    r, res = publish(binary, sb)
    assert r.returncode == 2, r.stderr
    assert "routing policy" in res["error"]["message"]
    assert "SetIdentifier 'blue'" in res["error"]["message"]
    assert CHANGE not in by_endpoint(sb)


def test_nul_byte_value_is_left_alone(binary, route53_factory):
    sb = route53_factory(records={"example.test": [{
        "name": "_smtp._tls", "ttl": 300,
        "values": ['"a\\000b"', '"v=TLSRPTv1; rua=mailto:o@example.test"']}]})
    r, res = publish(binary, sb)
    assert r.returncode == 2, r.stderr
    assert "NUL" in res["error"]["message"]
    assert CHANGE not in by_endpoint(sb)
    assert len(sb.rrset(OWNER)["values"]) == 2
