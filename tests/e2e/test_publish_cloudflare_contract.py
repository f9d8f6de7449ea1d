"""The binary's Cloudflare requests checked against Cloudflare's published
OpenAPI description: publish, plan, update, TTL change, consolidation,
--zone-id, the bulk zone listing and remove go through
`prism proxy --errors` (which answers 422 to any request the schema does
not allow, and 500 to any answer that breaks it) in front of the
emulator. Prism speaks plain HTTP and the tool only HTTPS, so a small TLS
relay with the test CA sits in front of Prism."""
import json

import pytest

from harness import cli
from harness.fixtures_emulators import CloudflareSandbox
from harness.prism import proxy, skip_unless_prism, spec_path

SPEC = "cloudflare-dns-records.prism.extended.openapi.json"
OWNER = "_smtp._tls.example.test"
RUA = "mailto:tls-reports@example.test"


@pytest.fixture(scope="module")
def contract(test_ca, tmp_path_factory):
    skip_unless_prism(spec_path(SPEC))
    # The 2024 schema wants a string comment: seeded records carry one
    # (the tool comments what it writes).
    cf = CloudflareSandbox(test_ca, ["example.test", "sub.example.test"], {
        "example.test": [
            {"type": "TXT", "name": OWNER, "content": '"v=spf1 -all"',
             "comment": "seeded", "ttl": 300}]},
        [], [], 0.0, 1, tmp_path_factory.mktemp("cf"))
    with proxy(SPEC, cf, test_ca, tmp_path_factory, tls=True) as (url,
                                                                   relay):
        yield cf, url + "/client/v4", relay


def run(binary, contract, tmp_path, *args):
    cf, url, _ = contract
    r = cli.run(binary, cli.clean_env(cf.env(CLOUDFLARE_API_URL=url), tmp_path), *args,
                "--provider", "cloudflare", "--output", "json", "--no-wait",
                timeout=120)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return json.loads(r.stdout)["results"]


def violations(contract):
    return contract[2].violations


def test_requests_follow_the_published_schema(binary, contract, tmp_path):
    cf = contract[0]
    rec = "v=TLSRPTv1; rua=" + RUA
    res = run(binary, contract, tmp_path, "publish", "--rua", RUA,
              "example.test")
    assert res[0]["action"] == "created"
    assert run(binary, contract, tmp_path, "plan", "--rua",
               "mailto:x@example.test", "example.test")[0]["action"] == \
        "would-update"
    assert run(binary, contract, tmp_path, "publish", "--rua", RUA,
               "example.test")[0]["action"] == "unchanged"
    # In-place update (PATCH), then a TTL change for the whole RRset
    # (PATCH of the unrelated record with type, name and ttl only).
    assert run(binary, contract, tmp_path, "publish", "--rua",
               "mailto:x@example.test", "example.test")[0]["action"] == \
        "updated"
    assert run(binary, contract, tmp_path, "publish", "--rua",
               "mailto:x@example.test", "--ttl", "600",
               "example.test")[0]["action"] == "updated"
    # Consolidation: a second TLS-RPT record is deleted.
    st, _, _ = cf.api("POST", "/zones/%s/dns_records"
                      % cf.zone_id("example.test"),
                      {"type": "TXT", "name": OWNER, "content": '"' + rec +
                       '"', "ttl": 600, "comment": "other tool"})
    assert st == 200
    assert run(binary, contract, tmp_path, "publish", "--rua", RUA,
               "example.test")[0]["action"] == "updated"
    # --zone-id, a subdomain zone, and the bulk zone listing.
    assert run(binary, contract, tmp_path, "plan", "--rua", RUA,
               "--zone-id", cf.zone_id("example.test"),
               "a.example.test")[0]["zone"] == "example.test"
    names = ["d%02d.example.test" % i for i in range(20)] + \
        ["x.sub.example.test"]
    res = run(binary, contract, tmp_path, "plan", "--rua", RUA, *names)
    assert {x["zone"] for x in res} == {"example.test", "sub.example.test"}
    assert run(binary, contract, tmp_path, "remove",
               "example.test")[0]["action"] == "removed"
    assert violations(contract) == []
    methods = {e["method"] for e in cf.control.log()}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
