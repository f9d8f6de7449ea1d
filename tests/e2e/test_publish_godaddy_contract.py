"""The binary's GoDaddy requests checked against GoDaddy's published
Swagger description: the domain list, reads, PUTs of whole sets (create,
update, TTL change, a subdomain's relative name), the read-backs, --zone-id
and the DELETE of an emptied name all go through `prism proxy --errors`
(422 to any request the schema does not allow, 500 to any answer that
breaks it) in front of the emulator, with the TLS relay of harness/prism.py
in front of Prism (the tool speaks only HTTPS)."""
import json

import pytest

from harness import cli
from harness.fixtures_godaddy import GoDaddySandbox
from harness.prism import proxy, skip_unless_prism, spec_path

SPEC = "godaddy-dns-records.prism.extended.swagger.json"
RUA = "mailto:tls-reports@example.test"
NAME = "_smtp._tls"


@pytest.fixture(scope="module")
def contract(test_ca, tmp_path_factory):
    skip_unless_prism(spec_path(SPEC))
    gd = GoDaddySandbox(test_ca, tmp_path_factory.mktemp("gd"), records={
        "example.test": [{"type": "TXT", "name": NAME,
                          "data": "v=spf1 -all", "ttl": 600}]},
        extra_domains=["other.test"])
    with proxy(SPEC, gd, test_ca, tmp_path_factory, tls=True) as (url,
                                                                   relay):
        yield gd, url, relay


def run(binary, contract, tmp_path, *args):
    gd, url, _ = contract
    r = cli.run(binary, cli.clean_env(gd.env(GODADDY_API_URL=url), tmp_path), *args,
                "--provider", "godaddy", "--output", "json", "--no-wait",
                timeout=120)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return json.loads(r.stdout)["results"]


def test_requests_follow_the_published_schema(binary, contract, tmp_path):
    gd, _, relay = contract
    act = [run(binary, contract, tmp_path, *a)[0]["action"] for a in (
        ("publish", "--rua", RUA, "example.test"),
        ("plan", "--rua", "mailto:x@example.test", "example.test"),
        ("publish", "--rua", RUA, "example.test"),
        ("publish", "--rua", "mailto:x@example.test", "--ttl", "900",
         "example.test"),
        ("publish", "--rua", RUA, "mail.example.test"),
        ("publish", "--rua", RUA, "--zone-id", "other.test",
         "other.test"),
        ("remove", "example.test"),
        ("remove", "mail.example.test"))]
    assert act == ["created", "would-update", "unchanged", "updated",
                   "created", "created", "removed", "removed"]
    assert relay.violations == []
    eps = {e["endpoint"] for e in gd.control.log()}
    assert {"GET /v1/domains",
            "GET /v1/domains/{domain}/records/{type}/{name}",
            "PUT /v1/domains/{domain}/records/{type}/{name}",
            "DELETE /v1/domains/{domain}/records/{type}/{name}"} <= eps
    assert [r["data"] for r in gd.records("example.test", NAME)] == \
        ["v=spf1 -all"]
    assert gd.records("example.test", "_smtp._tls.mail") == []
