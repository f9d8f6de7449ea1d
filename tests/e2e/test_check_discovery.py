"""Discovery end to end: the SOA walk, the NS set and the NS addresses
found for real through `--resolver`, with Knot on 127.0.0.2:53 and
127.0.0.3:53 (NS records carry no port, so this needs port 53: root).

127.0.0.2 serves the parent zone "test." (delegating example.test to
ns1/ns2 with glue, and other.test to ns.other.test on 127.0.0.3 only) and
the child example.test; 127.0.0.3 serves example.test and other.test. The
walk through 127.0.0.2 finds example.test from the authority SOA of a
negative answer, and other.test from a referral (NS and glue)."""
import pytest

from harness.checkcli import check
from harness.knot import txt_rdata

V = "v=TLSRPTv1; rua=mailto:tls@example.test"
NS = [("ns1.example.test", "127.0.0.2"), ("ns2.example.test", "127.0.0.3")]


def rec(owner, value):
    return "%s 300 TXT %s" % (owner, txt_rdata(value))


PARENT = ["example 300 NS ns1.example.test.",
          "example 300 NS ns2.example.test.",
          "ns1.example 300 A 127.0.0.2",
          "ns2.example 300 A 127.0.0.3",
          "other 300 NS ns.other.test.",
          "ns.other 300 A 127.0.0.3"]


@pytest.fixture
def delegated(port53, knot_factory):
    """(server on 127.0.0.2, server on 127.0.0.3), both on port 53."""
    a = knot_factory({"test": PARENT,
                      "example.test": [rec("_smtp._tls.ok", V)]},
                     address="127.0.0.2", port=53,
                     zone_ns={"test": [("ns.test", "127.0.0.2")],
                              "example.test": NS})
    b = knot_factory({"example.test": [rec("_smtp._tls.ok", V)],
                      "other.test": [rec("_smtp._tls.d", V)]},
                     address="127.0.0.3", port=53,
                     zone_ns={"example.test": NS,
                              "other.test": [("ns.other.test",
                                              "127.0.0.3")]})
    return a, b


def test_walk_finds_every_server(binary, delegated):
    r = check(binary, "--authoritative", "--resolver", "127.0.0.2:53",
              "ok.example.test", "-v")
    assert r.returncode == 0, r
    res = r.result()
    assert res["zone"] == "example.test"
    assert [(s["ns"], s["address"]) for s in res["servers"]] == NS
    assert all(s["status"] == "expected" for s in res["servers"])


def test_walk_through_a_referral(binary, delegated):
    r = check(binary, "--authoritative", "--resolver", "127.0.0.2",
              "d.other.test")
    assert r.returncode == 0, r
    assert [(s["ns"], s["address"]) for s in r.result()["servers"]] == \
        [("ns.other.test", "127.0.0.3")]


def test_lagging_server_found_by_discovery(binary, delegated):
    a, b = delegated
    a.set_txt("example.test", "_smtp._tls.new", [V])
    b.later(1.0, b.set_txt, "example.test", "_smtp._tls.new", [V])
    r = check(binary, "--wait", "--interval", "0.2", "--resolver",
              "127.0.0.2:53", "new.example.test")
    assert r.returncode == 0, r
    c = r.result()["confirm"]
    assert c["status"] == "confirmed" and c["seconds"] >= 0.4
    assert [s["ns"] for s in c["servers"]] == [n for n, _ in NS]


def test_nameserver_by_host_name(binary, delegated):
    r = check(binary, "--nameserver", "ns2.example.test", "--resolver",
              "127.0.0.2:53", "ok.example.test")
    assert r.returncode == 0, r
    assert [(s["ns"], s["address"]) for s in r.result()["servers"]] == \
        [("ns2.example.test", "127.0.0.3")]


def test_unknown_zone(binary, delegated):
    r = check(binary, "--authoritative", "--resolver", "127.0.0.2:53",
              "nowhere.invalid")
    assert r.returncode == 3, r
    assert r.result()["status"] == "unknown"
    assert "discover" in r.result()["error"]["message"]


def test_walk_without_root(binary, knot_factory):
    """Without port 53 the walk, the NS set and the NS addresses are still
    found through --resolver ADDR:PORT; the servers themselves (port 53)
    then do not answer, and the record is not known."""
    k = knot_factory({"example.test": [rec("_smtp._tls.ok", V),
                                       "other-ns 300 A 127.0.0.1"]},
                     zone_ns={"example.test": [("ns1.example.test",
                                                "127.0.0.9")]})
    r = check(binary, "--authoritative", "--resolver", k.addr,
              "ok.example.test")
    assert r.returncode == 3, r
    res = r.result()
    assert res["zone"] == "example.test"
    assert [(s["ns"], s["address"], s["status"]) for s in res["servers"]] \
        == [("ns1.example.test", "127.0.0.9", "unreachable")]
    # A host name with a port: resolved through the resolver.
    r = check(binary, "--nameserver", "other-ns.example.test:%d" % k.port,
              "--resolver", k.addr, "ok.example.test")
    assert r.returncode == 0, r
    assert r.result()["servers"][0]["ns"] == "other-ns.example.test"
    assert r.result()["servers"][0]["address"] == k.addr
