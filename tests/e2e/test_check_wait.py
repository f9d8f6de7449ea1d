"""`check --wait`: the propagation watcher end to end against real Knot
servers: confirmed at once or after a delayed update, a lagging server,
the deadline, several records, long and large records, a server that
never answers, an address family unreachable from here."""
import calendar
import time

import dns.flags

from harness.checkcli import check
from harness.knot import txt_rdata

V = "v=TLSRPTv1; rua=mailto:tls@example.test"
Z = "example.test"
FAST = ["--wait", "--interval", "0.2"]


def rec(owner, value):
    return "%s 300 TXT %s" % (owner, txt_rdata(value))


def epoch(ts):
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))


def test_confirmed_immediately(binary, knot_factory):
    k = knot_factory({Z: [rec("_smtp._tls.d", V)]}, soa_ttl=300, soa_min=120)
    r = check(binary, "--nameserver", k.addr, *FAST, "d." + Z)
    assert r.returncode == 0, r
    res = r.result()
    assert res["status"] == "valid"
    c = res["confirm"]
    assert c["status"] == "confirmed"
    assert c["seconds"] < 2
    assert [s["status"] for s in c["servers"]] == ["expected"]
    # A new record: resolvers may hold the NXDOMAIN for min(SOA TTL,
    # MINIMUM) = 120 s after every server served it.
    lag = epoch(c["visible_by"]) - epoch(c["servers"][0]["since"])
    assert 118 <= lag <= 122, c


def test_confirmed_after_delayed_update(binary, knot_factory):
    k = knot_factory({Z: []})
    k.later(1.0, k.set_txt, Z, "_smtp._tls.d", [V])
    r = check(binary, "--nameserver", k.addr, *FAST, "-v", "d." + Z,
              output="jsonl")
    assert r.returncode == 0, r
    c = r.result()["confirm"]
    assert c["status"] == "confirmed"
    # The timer started before the binary did (slower under ASan).
    assert 0.4 <= c["seconds"] < 4, c
    assert r.stderr.index("missing: NXDOMAIN") < r.stderr.index("expected")


def test_one_server_lags(binary, knot_factory):
    k1 = knot_factory({Z: [rec("_smtp._tls.d", V)]})
    k2 = knot_factory({Z: []})
    k2.later(1.5, k2.set_txt, Z, "_smtp._tls.d", [V])
    r = check(binary, "--nameserver", k1.addr, "--nameserver", k2.addr,
              *FAST, "-v", "d." + Z)
    assert r.returncode == 0, r
    c = r.result()["confirm"]
    assert c["status"] == "confirmed" and c["seconds"] >= 0.9, c
    s1, s2 = c["servers"]
    assert s1["address"] == k1.addr and s2["address"] == k2.addr
    assert epoch(s2["since"]) >= epoch(s1["since"])
    # Partial first: the lagging server was seen without the record.
    lines = r.stderr.splitlines()
    miss = [i for i, l in enumerate(lines) if k2.addr in l and "missing" in l]
    ok = [i for i, l in enumerate(lines) if k2.addr in l and "expected" in l]
    assert miss and ok and miss[0] < ok[0], r.stderr


def test_deadline_passes(binary, knot_factory):
    k1 = knot_factory({Z: [rec("_smtp._tls.d", V)]})
    k2 = knot_factory({Z: []})
    r = check(binary, "--nameserver", k1.addr, "--nameserver", k2.addr,
              *FAST, "--timeout", "2", "d." + Z)
    assert r.returncode == 3, r
    res = r.result()
    assert res["confirm"]["status"] == "timeout"
    assert 1.9 <= res["confirm"]["seconds"] < 4
    assert [s["status"] for s in res["confirm"]["servers"]] == \
        ["expected", "missing"]
    assert res["confirm"]["servers"][1]["detail"] == "NXDOMAIN"
    assert "visible_by" not in res["confirm"]
    assert "wait-timeout" in r.codes() and "servers-disagree" in r.codes()
    assert r.summary["exit_status"] == 3
    r = check(binary, "--nameserver", k1.addr, "--nameserver", k2.addr,
              *FAST, "--timeout", "1", "d." + Z, output=None)
    assert r.returncode == 3
    assert "d.%s: invalid, timeout after" % Z in r.stdout


def test_several_records_never_confirm(binary, knot_factory):
    k = knot_factory({Z: [rec("_smtp._tls.d", V),
                          rec("_smtp._tls.d", V + "x")]})
    r = check(binary, "--nameserver", k.addr, *FAST, "--timeout", "1.5",
              "d." + Z)
    assert r.returncode == 3, r
    s = r.result()["confirm"]["servers"][0]
    assert s["status"] == "old" and "2 TXT values" in s["detail"]
    assert r.result()["status"] == "invalid"


def test_value_over_255_bytes(binary, knot_factory):
    long_v = "v=TLSRPTv1; rua=" + ",".join(
        "mailto:%s-%d@example.test" % ("r" * 50, i) for i in range(6))
    assert len(long_v) > 255
    k = knot_factory({Z: [rec("_smtp._tls.d", long_v)]})
    assert len(k.query("_smtp._tls.d." + Z, "TXT").answer[0][0].strings) == 2
    for mode in (["--resolver", k.addr], ["--nameserver", k.addr] + FAST):
        r = check(binary, *mode, "d." + Z)
        assert r.returncode == 0, r
        assert r.result()["record"] == long_v
        assert r.result()["values"] == [long_v]


def test_large_rrset_over_tcp(binary, knot_factory):
    other = ["verification-%02d=%s" % (i, "x" * 180) for i in range(12)]
    k = knot_factory({Z: [rec("_smtp._tls.d", v) for v in [V] + other]})
    # The RRset does not fit in 1232 bytes: UDP answers are truncated.
    udp = k.query("_smtp._tls.d." + Z, "TXT")
    assert udp.flags & dns.flags.TC
    for mode in (["--resolver", k.addr], ["--nameserver", k.addr] + FAST):
        r = check(binary, *mode, "d." + Z)
        assert r.returncode == 0, r
        assert sorted(r.result()["values"]) == sorted([V] + other)


def test_server_never_answers(binary, knot_factory, silent_server):
    k = knot_factory({Z: [rec("_smtp._tls.d", V)]})
    r = check(binary, "--nameserver", k.addr, "--nameserver",
              silent_server.addr, *FAST, "--timeout", "4", "d." + Z)
    assert r.returncode == 3, r
    c = r.result()["confirm"]
    assert c["status"] == "timeout"
    s = c["servers"][1]
    assert s["address"] == silent_server.addr
    assert s["status"] == "unreachable" and "timed out" in s["detail"]
    assert not s.get("excused")
    # Without --wait: one poll, and a record not known to be served by
    # every server is not known to be right.
    r = check(binary, "--nameserver", k.addr, "--nameserver",
              silent_server.addr, "d." + Z)
    assert r.returncode == 3, r
    assert r.result()["status"] == "unknown"
    assert "server-unreachable" in r.codes()


def test_family_unreachable(binary, knot_factory, closed_port):
    k = knot_factory({Z: [rec("_smtp._tls.d", V)]})
    v6 = "[::1]:%d" % closed_port
    r = check(binary, "--nameserver", k.addr, "--nameserver", v6, *FAST,
              "d." + Z)
    assert r.returncode == 0, r
    s = r.result()["confirm"]["servers"][1]
    assert s["status"] == "unreachable" and s["excused"] is True
    assert "family-unreachable" in r.codes()
    r = check(binary, "--nameserver", k.addr, "--nameserver", v6, *FAST,
              "--strict-families", "--timeout", "1", "d." + Z)
    assert r.returncode == 3, r
    assert "excused" not in r.result()["confirm"]["servers"][1]


def test_expect_rua_drift_then_fixed(binary, knot_factory):
    want = "mailto:new@example.test"
    k = knot_factory({Z: [rec("_smtp._tls.d", V)]})
    k.later(1.0, k.set_txt, Z, "_smtp._tls.d", ["v=TLSRPTv1; rua=" + want])
    r = check(binary, "--nameserver", k.addr, *FAST, "--expect-rua", want,
              "-v", "d." + Z)
    assert r.returncode == 0, r
    # First the old destinations (drift), then the expected ones.
    assert r.stderr.index("old: rua differs") < r.stderr.index("expected")


def test_server_dropped_while_watching(binary, knot_factory):
    k1 = knot_factory({Z: [rec("_smtp._tls.d", V)]})
    k2 = knot_factory({Z: []})
    k2.later(0.5, k2.stop)
    r = check(binary, "--nameserver", k1.addr, "--nameserver", k2.addr,
              *FAST, "--timeout", "2.5", "d." + Z)
    assert r.returncode == 3, r
    s = r.result()["confirm"]["servers"][1]
    assert s["status"] == "unreachable", s


def test_slow_server_still_confirms(binary, knot_factory, slow_proxy):
    k1 = knot_factory({Z: [rec("_smtp._tls.d%d" % i, V) for i in range(30)]})
    k2 = knot_factory({Z: [rec("_smtp._tls.d%d" % i, V) for i in range(30)]})
    slow = slow_proxy(k2.port, 0.6)  # answers late, within the 1 s try
    r = check(binary, "--nameserver", k1.addr, "--nameserver", slow.addr,
              *FAST, "--timeout", "10",
              *["d%d.%s" % (i, Z) for i in range(30)])
    assert r.returncode == 0, r
    assert r.summary["valid"] == 30
    for res in r.results:
        assert [s["status"] for s in res["confirm"]["servers"]] == \
            ["expected", "expected"]
