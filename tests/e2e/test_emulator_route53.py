"""The Route 53 emulator itself, driven by botocore (Debian's
python3-botocore: AWS's own request serialiser, signer and response
parser for the route53 model), plus raw requests for what a well-behaved
client never sends (bad signatures, stale dates, wrong scopes)."""
import datetime
import http.client
import ssl
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.session import get_session

OWNER = "_smtp._tls.example.test"


def client(sb, key=None, secret=None, token=None):
    return get_session().create_client(
        "route53", region_name="us-east-1", endpoint_url=sb.endpoint,
        verify=sb.ca_file, aws_access_key_id=key or sb.key_id,
        aws_secret_access_key=secret or sb.secret,
        aws_session_token=token,
        config=Config(retries={"total_max_attempts": 1}))


def change(action, name, values, ttl=300, rtype="TXT"):
    return {"Action": action, "ResourceRecordSet": {
        "Name": name, "Type": rtype, "TTL": ttl,
        "ResourceRecords": [{"Value": v} for v in values]}}


def batch(c, zid, *changes):
    return c.change_resource_record_sets(
        HostedZoneId=zid, ChangeBatch={"Changes": list(changes)})


def code(exc):
    return exc.value.response["Error"]["Code"]


def test_zones_by_name_and_pagination(route53_factory):
    sb = route53_factory(zones=["example.test", "a.example.test", "b.test"],
                         private_zones=["example.test"])
    sb.control.set_rate_limit(off=True)   # more than 5 calls a second
    c = client(sb)
    r = c.list_hosted_zones_by_name(DNSName="example.test")
    names = [(z["Name"], z["Config"]["PrivateZone"])
             for z in r["HostedZones"]]
    # Starting at the name asked, labels reversed: test.example before
    # test.example.a; b.test sorts first and is not listed.
    assert names[:2] == [("example.test.", True), ("example.test.", False)] \
        or names[:2] == [("example.test.", False), ("example.test.", True)]
    assert names[2] == ("a.example.test.", False)
    assert ("b.test.", False) not in names
    page = c.list_hosted_zones_by_name(DNSName="example.test", MaxItems="1")
    assert page["IsTruncated"] is True
    nxt = c.list_hosted_zones_by_name(DNSName=page["NextDNSName"],
                                      HostedZoneId=page["NextHostedZoneId"],
                                      MaxItems="1")
    assert nxt["HostedZones"][0]["Id"] != page["HostedZones"][0]["Id"]
    assert nxt["HostedZones"][0]["Name"] == "example.test."
    allz = c.list_hosted_zones(MaxItems="2")
    assert allz["IsTruncated"] is True and allz["NextMarker"]
    rest = c.list_hosted_zones(Marker=allz["NextMarker"])
    assert len(allz["HostedZones"]) + len(rest["HostedZones"]) == 4
    pub = c.get_hosted_zone(Id=sb.zone_id("example.test"))
    assert pub["DelegationSet"]["NameServers"]
    priv = c.get_hosted_zone(Id=sb.zone_id("example.test", private=True))
    assert priv["VPCs"][0]["VPCId"].startswith("vpc-")
    with pytest.raises(ClientError) as e:
        c.get_hosted_zone(Id="ZNOTTHERE")
    assert code(e) == "NoSuchHostedZone"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_change_lifecycle(route53_factory):
    sb = route53_factory(sync_delay=0.6)
    c = client(sb)
    zid = sb.zone_id("example.test")
    r = batch(c, zid, change("CREATE", OWNER, ['"v=TLSRPTv1; rua=mailto:a'
                                               '@example.test"']))
    info = r["ChangeInfo"]
    assert info["Id"].startswith("/change/C")
    assert info["Status"] == "PENDING"
    assert c.get_change(Id=info["Id"])["ChangeInfo"]["Status"] == "PENDING"
    time.sleep(0.7)
    assert c.get_change(Id=info["Id"])["ChangeInfo"]["Status"] == "INSYNC"
    with pytest.raises(ClientError) as e:
        c.get_change(Id="CNOSUCHCHANGE")
    assert code(e) == "NoSuchChange"
    assert sb.txt(OWNER) == ["v=TLSRPTv1; rua=mailto:a@example.test"]
    # The list starts at (name, type) and may go on to other names.
    sets = c.list_resource_record_sets(
        HostedZoneId=zid, StartRecordName=OWNER, StartRecordType="TXT",
        MaxItems="1")
    assert sets["ResourceRecordSets"][0]["Name"] == OWNER + "."
    allsets = c.list_resource_record_sets(HostedZoneId=zid)
    assert [s["Type"] for s in allsets["ResourceRecordSets"]] == \
        ["NS", "SOA", "TXT"]
    # UPSERT replaces every value.
    batch(c, zid, change("UPSERT", OWNER, ['"x"', '"y"'], ttl=60))
    rr = sb.rrset(OWNER)
    assert rr["values"] == ['"x"', '"y"'] and rr["TTL"] == 60
    assert sb.control.counters()["writes"] == 2


def test_create_delete_rules_and_atomic_batches(route53_factory):
    sb = route53_factory(records={"example.test": [
        {"name": "_smtp._tls", "ttl": 300, "values": ['"a"', '"b"']}]})
    sb.control.set_rate_limit(off=True)
    c = client(sb)
    zid = sb.zone_id("example.test")
    with pytest.raises(ClientError) as e:
        batch(c, zid, change("CREATE", OWNER, ['"c"']))
    assert code(e) == "InvalidChangeBatch"
    assert "but it already exists" in str(e.value)
    # DELETE must match TTL and every value; the whole batch fails, so
    # the CREATE of another name before it is not applied either.
    for wrong in (change("DELETE", OWNER, ['"a"'], 300),
                  change("DELETE", OWNER, ['"a"', '"b"'], 60)):
        with pytest.raises(ClientError) as e:
            batch(c, zid, change("CREATE", "x.example.test", ['"n"']),
                  wrong)
        assert "do not match the current values" in str(e.value)
    assert sb.rrset("x.example.test") is None
    with pytest.raises(ClientError) as e:
        batch(c, zid, change("DELETE", "nope.example.test", ['"a"']))
    assert "but it was not found" in str(e.value)
    # Values compare as character-strings: the same text escaped
    # differently is the same record.
    batch(c, zid, change("DELETE", OWNER, ['"\\142"', '"a"']),
          change("CREATE", OWNER, ['"new"']))
    assert sb.rrset(OWNER)["values"] == ['"new"']
    with pytest.raises(ClientError) as e:
        batch(c, zid, change("CREATE", "a.other.test", ['"x"']))
    assert "is not permitted in zone example.test." in str(e.value)
    with pytest.raises(ClientError) as e:
        batch(c, zid, change("CREATE", "d.example.test", ['"x"', '"x"']))
    assert "Duplicate Resource Record" in str(e.value)


@pytest.mark.parametrize("value,problem", [
    ('v=spf1 -all', "InvalidCharacterString"),
    ('"unterminated', "InvalidCharacterString"),
    ('"glued""strings"', "InvalidCharacterString"),
    ('"' + "x" * 256 + '"', "CharacterStringTooLong"),
    ('"caf\u00e9"', "InvalidCharacterString"),
])
def test_txt_values_checked(route53, value, problem):
    c = client(route53)
    with pytest.raises(ClientError) as e:
        batch(c, route53.zone_id("example.test"),
              change("CREATE", OWNER, [value]))
    assert code(e) == "InvalidChangeBatch"
    assert "FATAL problem: " + problem in str(e.value)
    assert route53.control.counters()["writes"] == 0


def test_txt_escapes_reach_dns(route53):
    c = client(route53)
    value = '"' + "a" * 255 + '" "caf\\303\\251 \\"q\\" \\\\"'
    batch(c, route53.zone_id("example.test"),
          change("CREATE", OWNER, [value]))
    want = "a" * 255 + 'caf\u00e9 "q" \\'
    assert route53.txt(OWNER) == [want.encode().decode("latin-1")]
    assert route53.rrset(OWNER)["values"] == [value]


def test_malformed_and_invalid_bodies(route53):
    zid = route53.zone_id("example.test")
    for body, want in (
            ("<nope/>", "MalformedInput"),
            ("not xml at all", "MalformedInput"),
            ('<ChangeResourceRecordSetsRequest xmlns="https://route53.'
             'amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change>'
             "<Action>CREATE</Action><ResourceRecordSet><Type>TXT</Type>"
             "<Name>a.example.test</Name><TTL>1</TTL><ResourceRecords>"
             "<ResourceRecord><Value>\"x\"</Value></ResourceRecord>"
             "</ResourceRecords></ResourceRecordSet></Change></Changes>"
             "</ChangeBatch></ChangeResourceRecordSetsRequest>",
             "MalformedInput"),
            ('<ChangeResourceRecordSetsRequest xmlns="https://route53.'
             'amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change>'
             "<Action>CREATE</Action><ResourceRecordSet><Name>a.example."
             "test</Name><Type>TXT</Type></ResourceRecordSet></Change>"
             "</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>",
             "InvalidInput")):
        st, resp = raw(route53, "POST", "/2013-04-01/hostedzone/%s/rrset/"
                       % zid, body.encode())
        assert st == 400 and b"<Code>%s</Code>" % want.encode() in resp, \
            (body, resp)
    st, resp = raw(route53, "GET", "/2013-04-01/hostedzone/%s/rrset?"
                   "type=TXT" % zid)
    assert st == 400 and b"InvalidInput" in resp
    st, _ = raw(route53, "POST", "/2013-04-01/hostedzone/%s/rrset" % zid,
                b"")
    assert st == 404   # without the trailing slash


def raw(sb, method, target, body=b"", secret=None, when=None,
        region="us-east-1", token=None, sign=True):
    """One request signed by botocore (optionally with a wrong secret,
    time or region), answered as (status, body)."""
    url = "https://127.0.0.1:%d%s" % (sb.port, target)
    req = AWSRequest(method=method, url=url, data=body)
    req.headers["Host"] = "127.0.0.1:%d" % sb.port
    if sign:
        # SigV4Auth.add_auth's steps, with the signing time ours.
        auth = SigV4Auth(Credentials(sb.key_id, secret or sb.secret, token),
                         "route53", region)
        when = when or datetime.datetime.utcnow()
        req.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        auth._modify_request_before_signing(req)
        cr = auth.canonical_request(req)
        sig = auth.signature(auth.string_to_sign(req, cr), req)
        auth._inject_signature_to_request(req, sig)
    ctx = ssl.create_default_context(cafile=sb.ca_file)
    conn = http.client.HTTPSConnection("127.0.0.1", sb.port, context=ctx,
                                       timeout=10)
    try:
        conn.request(method, target, body=body, headers=dict(req.headers))
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_signature_checks(route53):
    route53.control.set_rate_limit(off=True)
    t = "/2013-04-01/hostedzone"
    assert raw(route53, "GET", t)[0] == 200
    st, body = raw(route53, "GET", t, sign=False)
    assert st == 403 and b"MissingAuthenticationToken" in body
    st, body = raw(route53, "GET", t, secret="wrong")
    assert st == 403 and b"SignatureDoesNotMatch" in body
    old = datetime.datetime.utcnow() - datetime.timedelta(minutes=6)
    st, body = raw(route53, "GET", t, when=old)
    assert st == 403 and b"Signature expired" in body
    st, body = raw(route53, "GET", t, region="eu-west-1")
    assert st == 403 and b"Credential should be scoped" in body
    st, body = raw(route53, "GET", t, token="not-a-session-key")
    assert st == 200   # a key without a token: an extra header is signed
    c = client(route53, key="AKIAUNKNOWN000000000")
    with pytest.raises(ClientError) as e:
        c.list_hosted_zones()
    assert code(e) == "InvalidClientTokenId"


def test_session_tokens_and_denied_actions(route53_factory):
    sb = route53_factory(keys=[
        {"id": "ASIATEMP0000000000001", "secret": "t", "token": "tok/1="},
        {"id": "AKIARO00000000000001", "secret": "r",
         "deny": ["ChangeResourceRecordSets"]}])
    ok = client(sb, "ASIATEMP0000000000001", "t", "tok/1=")
    assert ok.list_hosted_zones()["HostedZones"]
    for tok in (None, "tok/2="):
        with pytest.raises(ClientError) as e:
            client(sb, "ASIATEMP0000000000001", "t", tok).list_hosted_zones()
        assert code(e) == "InvalidClientTokenId"
    ro = client(sb, "AKIARO00000000000001", "r")
    zid = sb.zone_id("example.test")
    assert ro.list_resource_record_sets(HostedZoneId=zid)
    with pytest.raises(ClientError) as e:
        batch(ro, zid, change("CREATE", OWNER, ['"x"']))
    assert code(e) == "AccessDenied"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "route53:ChangeResourceRecordSets" in str(e.value)


def test_throttling_like_route53(route53_factory):
    sb = route53_factory(args=["--prior-request-window", "2"])
    c = client(sb)
    sb.control.set_rate_limit(limit=3, window=10)
    statuses = [raw(sb, "GET", "/2013-04-01/hostedzone") for _ in range(5)]
    assert [s for s, _ in statuses] == [200, 200, 200, 400, 400]
    assert b"<Code>Throttling</Code>" in statuses[3][1]
    assert b"Rate exceeded" in statuses[3][1]
    assert sb.control.counters()["rate_limited"] == 2
    sb.control.set_rate_limit(off=True)
    zid = sb.zone_id("example.test")
    batch(c, zid, change("CREATE", OWNER, ['"a"']))
    with pytest.raises(ClientError) as e:
        batch(c, zid, change("UPSERT", OWNER, ['"b"']))
    assert code(e) == "PriorRequestNotComplete"
    assert sb.rrset(OWNER)["values"] == ['"a"']


def test_private_zone_not_pushed_to_dns(route53_factory):
    sb = route53_factory(zones=["example.test"],
                         private_zones=["example.test"])
    c = client(sb)
    batch(c, sb.zone_id("example.test", private=True),
          change("CREATE", OWNER, ['"inside"']))
    assert sb.rrset(OWNER, private=True)["values"] == ['"inside"']
    assert sb.txt(OWNER) == []
    batch(c, sb.zone_id("example.test"),
          change("CREATE", OWNER, ['"outside"']))
    assert sb.txt(OWNER) == ["outside"]


def test_concurrent_writer_hook(route53_factory):
    sb = route53_factory(
        records={"example.test": [{"name": "_smtp._tls", "ttl": 300,
                                   "values": ['"a"']}]},
        concurrent=[{"zone": "example.test", "name": OWNER, "count": 1,
                     "ttl": 300, "values": ['"a"', '"other"']}])
    c = client(sb)
    zid = sb.zone_id("example.test")
    read = c.list_resource_record_sets(HostedZoneId=zid,
                                       StartRecordName=OWNER,
                                       StartRecordType="TXT", MaxItems="1")
    seen = [v["Value"] for v in
            read["ResourceRecordSets"][0]["ResourceRecords"]]
    assert seen == ['"a"']   # the answer is what was there before
    with pytest.raises(ClientError) as e:
        batch(c, zid, change("DELETE", OWNER, seen),
              change("CREATE", OWNER, ['"mine"']))
    assert "do not match" in str(e.value)
    assert sb.rrset(OWNER)["values"] == ['"a"', '"other"']
    assert sb.control.counters()["concurrent_edits"] == 1
