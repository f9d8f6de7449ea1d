"""The fault matrix: every provider x every fault, end to end.

One run publishes three domains (a.test, b.test, c.test: see
harness/providercase.py for how each starts); the fault hits only a.test's
requests (or its name in DNS). For each case the test asserts:

* the outcome: a.test is done (created and confirmed) when the fault is
  one the tool must ride out, or fails with the right error kind, or is
  written but not confirmed (DNS faults);
* no TXT value lost or duplicated: what the API holds and what Knot
  serves is, as a multiset, either the seed or the wanted set, never
  anything else;
* b.test and c.test are done whatever happens to a.test;
* the exit status (DESIGN: 0 all done, 1 a failure, 3 not confirmed);
* and after a failure, a re-run without faults converges.

HTTP is tuned for speed through the config file (providercase.FAST_CONFIG:
1.5 s per request, 2 retries, 0.05 s first backoff).
"""
import collections
import os

import pytest

from harness.cli import by_domain, run
from harness.dnsfault import DnsFault
from harness.providercase import (DOMAINS, PROVIDERS, REC, RUA, SEED, WANT,
                                  owner)
from harness.ca import TestCA

FAULTED = "a.test"
LIE = "v=TLSRPTv1; rua=mailto:attacker@evil.test"
HUGE = 5 * 1024 * 1024          # over the 4 MiB response cap


def read(case):
    return dict(case.read_match(FAULTED))


def write(case):
    return dict(case.write_match(FAULTED))


def spec(match, **kw):
    return dict(kw, match=match)


# id -> (faults for a case, expected outcome of a.test).
# Outcomes: "done"; ("fail", error kind); "unconfirmed" (DNS faults).
FAULTS = {
    "throttle-hint": (lambda c: [dict(c.throttle(True), match=write(c),
                                      count=2)], "done"),
    "throttle-bare": (lambda c: [dict(c.throttle(False), match=write(c),
                                      count=2)], "done"),
    "throttle-exhausted": (lambda c: [dict(c.throttle(False), match=read(c),
                                           count=20)],
                           ("fail", "rate-limited")),
    "500-read": (lambda c: [spec(read(c), action="status", status=500)],
                 "done"),
    "502-read": (lambda c: [spec(read(c), action="status", status=502)],
                 "done"),
    "503-read": (lambda c: [spec(read(c), action="status", status=503)],
                 "done"),
    "500-write": (lambda c: [spec(write(c), action="status", status=500)],
                  "done"),
    "502-write": (lambda c: [spec(write(c), action="status", status=502)],
                  "done"),
    "503-write": (lambda c: [spec(write(c), action="status", status=503)],
                  "done"),
    "503-exhausted": (lambda c: [spec(read(c), action="status", status=503,
                                      count=20)], ("fail", "network")),
    "reset-before-read": (lambda c: [spec(read(c), action="drop",
                                          when="before", rst=True)],
                          "done"),
    "reset-after-read": (lambda c: [spec(read(c), action="drop",
                                         when="after", rst=True)], "done"),
    "reset-before-write": (lambda c: [spec(write(c), action="drop",
                                           when="before", rst=True)],
                           "done"),
    "reset-after-write": (lambda c: [spec(write(c), action="drop",
                                          when="after", rst=True)],
                          "done"),
    "reset-after-write-applied": (lambda c: [spec(write(c), action="drop",
                                                  when="after", rst=True,
                                                  apply=True)], "done"),
    "slow-read": (lambda c: [spec(read(c), action="delay", when="before",
                                  seconds=3)], "done"),
    "slow-write-applied": (lambda c: [spec(write(c), action="delay",
                                           when="after", seconds=3)],
                           "done"),
    "truncated-read": (lambda c: [spec(read(c), action="truncate")],
                       "done"),
    "truncated-write-applied": (lambda c: [spec(write(c),
                                                action="truncate")],
                                "done"),
    "malformed-read": (lambda c: [spec(read(c), action="malformed",
                                       body="<html>oops</html>")],
                       ("fail", "network")),
    "malformed-write": (lambda c: [spec(write(c), action="malformed",
                                        body="{\"half\": ")], "done"),
    "huge-read": (lambda c: [spec(read(c), action="huge", size=HUGE)],
                  ("fail", "network")),
}

DNS_FAULTS = ("refuse", "servfail", "timeout", "lie")


def ms(values):
    return collections.Counter(values)


def env_of(case, tmp_path, **extra):
    return case.fast_env(tmp_path, **extra)


def publish(binary, case, env, nameserver=None, timeout="15"):
    return run(binary, env, "publish", "--provider", case.name,
               "--output", "json", "--rua", RUA, "--nameserver",
               nameserver or case.knot_addr, "--interval", "0.2",
               "--timeout", timeout, *DOMAINS, timeout=120)


def check_others_done(case, res):
    for d in DOMAINS:
        if d == FAULTED:
            continue
        assert res[d]["action"] in ("created", "updated"), res[d]
        assert res[d]["confirm"]["status"] == "confirmed", res[d]
        assert ms(case.values(d)) == ms(WANT[d]), d
        assert ms(case.served(d)) == ms(WANT[d]), d


def check_no_loss(case):
    """The faulted domain holds the seed or the wanted set, exactly."""
    got = ms(case.values(FAULTED))
    assert got in (ms(SEED[FAULTED]), ms(WANT[FAULTED])), got
    assert ms(case.served(FAULTED)) == got


def check_outcome(case, r, res, want):
    a = res[FAULTED]
    if want == "done":
        assert r.returncode == 0, r.stderr
        assert a["action"] == "created", a
        assert a["confirm"]["status"] == "confirmed", a
        assert "error" not in a
        assert ms(case.values(FAULTED)) == ms(WANT[FAULTED])
    else:
        kind = want[1]
        assert r.returncode == 1, r.stderr
        assert a["action"] == "failed", a
        assert a["error"]["kind"] == kind, a
        assert a["error"]["message"].startswith(case.name + ": ") or \
            a["error"]["message"].startswith("http: "), a
        assert a["error"]["message"] in r.stderr or r.stderr == "", r.stderr


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_http_fault(binary, case, fault, tmp_path):
    make, want = FAULTS[fault]
    for f in make(case):
        case.fault(f)
    env = env_of(case, tmp_path)
    r = publish(binary, case, env)
    res = by_domain(r)
    assert sorted(res) == sorted(DOMAINS), r.stdout
    fired = case.counters()["faults_fired"]
    assert fired >= 1, "the fault never fired: %s" % case.log()[-5:]
    check_outcome(case, r, res, want)
    check_no_loss(case)
    check_others_done(case, res)
    if want != "done":
        case.sb.control.clear_faults()
        r = publish(binary, case, env)
        assert r.returncode == 0, r.stderr
        assert ms(case.values(FAULTED)) == ms(WANT[FAULTED])
        assert ms(case.served(FAULTED)) == ms(WANT[FAULTED])


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
def test_tls_certificate_of_another_ca(binary, case, tmp_path):
    """The API's certificate does not verify against the CA given: no
    request is made, every domain fails with a network error that says
    so, nothing is written."""
    other = TestCA(os.path.join(str(tmp_path), "other-ca"))
    env = env_of(case, tmp_path, CURL_CA_BUNDLE=other.ca_file)
    r = publish(binary, case, env)
    assert r.returncode == 1, r.stderr
    res = by_domain(r)
    for d in DOMAINS:
        assert res[d]["action"] == "failed", res[d]
        assert res[d]["error"]["kind"] == "network", res[d]
        assert "certificate" in res[d]["error"]["message"], res[d]
        assert ms(case.values(d)) == ms(SEED[d])
    c = case.counters()
    assert c["requests"] == 0 and c["tls_failures"] >= 1, c
    # --cacert wins over CURL_CA_BUNDLE: the right CA makes it work.
    r = run(binary, env, "publish", "--provider", case.name, "--output",
            "json", "--rua", RUA, "--nameserver", case.knot_addr,
            "--interval", "0.2", "--cacert", case.sb.ca_file, *DOMAINS)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
@pytest.mark.parametrize("mode", DNS_FAULTS)
def test_dns_fault(binary, case, mode, tmp_path):
    """The name server lies about, refuses or ignores a.test's owner:
    a.test is written but not confirmed (exit 3) and says which server
    and why; the others confirm through the same server."""
    env = env_of(case, tmp_path)
    with DnsFault(case.knot_addr, owner(FAULTED), mode, lie=[LIE]) as f:
        r = publish(binary, case, env, nameserver=f.addr, timeout="3")
        assert f.faulted >= 1 and f.relayed >= 1
    assert r.returncode == 3, r.stderr
    res = by_domain(r)
    a = res[FAULTED]
    assert a["action"] == "created" and "error" not in a, a
    assert a["confirm"]["status"] == "timeout", a
    (srv,) = a["confirm"]["servers"]
    want = {"refuse": "refused", "servfail": "servfail",
            "timeout": "unreachable", "lie": "old"}[mode]
    assert srv["status"] == want, a
    # Written exactly once, and served right by the real server.
    assert ms(case.values(FAULTED)) == ms(WANT[FAULTED])
    assert ms(case.served(FAULTED)) == ms(WANT[FAULTED])
    check_others_done(case, res)
    assert res["b.test"]["record"] == REC
