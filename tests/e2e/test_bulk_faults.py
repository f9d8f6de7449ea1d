"""Bulk runs under trouble: a 429 storm (the whole account's workers hold
back, no domain fails), one provider down for part of the run (the other
providers' domains are not affected; a re-run converges), SIGINT in the
middle of a run (writes in flight finish, the rest are not started, a
re-run converges; a second signal aborts at once), and --fail-fast."""
import json
import signal
import subprocess
import time

import pytest

RUA = "mailto:tls-reports@example.net"
REC = "v=TLSRPTv1; rua=" + RUA
SPF = "v=spf1 -all"
PROVIDERS = ("cloudflare", "godaddy", "route53")
PREFIX = {"cloudflare": "c", "godaddy": "g", "route53": "r"}


def zones_for(n, providers=PROVIDERS):
    return {p: ["%s%03d.test" % (PREFIX[p], i) for i in range(n)]
            for p in providers}


def run(binary, pf, *args, timeout=120):
    return subprocess.run([binary, *args], env=pf.env(), capture_output=True,
                          text=True, timeout=timeout)


def jsonl(out):
    lines = [json.loads(x) for x in out.splitlines()]
    assert lines and lines[-1]["type"] == "summary"
    return lines[:-1], lines[-1]


def throttled(entry):
    return entry["rate_limited"] or entry["status"] == 429 or (
        entry["status"] == 400 and "Throttling" in entry.get("body", "")) \
        or entry.get("fault") is not None


@pytest.mark.parametrize("provider", PROVIDERS)
def test_429_storm_holds_back_every_worker(binary, portfolio_factory,
                                           provider):
    jobs = 8
    # The tool is told 3 times the rate the emulator allows: it keeps
    # running into 429 (GoDaddy: retryAfterSec in the body only; Route 53:
    # 400 Throttling, no hint), and every worker of the account must
    # hold back each time, not only the one that was refused.
    pf = portfolio_factory(zones_for(30, [provider]), rate=20,
                           tool_rate=60, sync_delay=0.2)
    pf.add_conf(pf.domains_conf())
    r = run(binary, pf, "publish", "--all", "--output", "jsonl", "--jobs",
            str(jobs), "--interval", "0.2", "--timeout", "30")
    assert r.returncode == 0, r.stderr
    res, summary = jsonl(r.stdout)
    assert summary["created"] == 30 and "failed" not in summary
    assert all(x["confirm"]["status"] == "confirmed" for x in res)
    log = pf.emu[provider].control.log()
    refused = [e for e in log if e["status"] in (429, 400)
               and throttled(e)]
    assert refused, "the emulator never throttled: no storm to test"
    # After a refusal, the account's bucket is paused for the hint (or
    # the backoff): at most the requests already in flight arrive, not
    # the 8 workers' fill at 60/s.
    t0 = refused[0]["time"]
    soon = [e for e in log if t0 + 0.05 < e["time"] < t0 + 0.25]
    assert len(soon) <= jobs, len(soon)
    for z in pf.all_zones():
        assert pf.api_values(z) == [REC]


def test_provider_down_for_part_of_the_run(binary, portfolio_factory):
    pf = portfolio_factory(zones_for(20), records={"g003.test": [SPF]},
                           rate=50, tool_rate=45, sync_delay=0.2,
                           extra_conf="")
    pf.add_conf(pf.domains_conf())
    # GoDaddy answers 503 to everything for a while, after letting the
    # domain list and a few domains through; a retry is all the run has.
    pf.emu["godaddy"].control.add_fault({
        "match": {"path": "^/v1/domains/.+"}, "action": "status",
        "status": 503, "skip": 6, "count": 40})
    with open(pf.config) as f:
        text = f.read()
    with open(pf.config, "w") as f:
        f.write(text.replace("defaults = {", "defaults = {\n  "
                             "http_retries = 1;", 1))
    r = run(binary, pf, "publish", "--all", "--output", "jsonl", "--jobs",
            "4", "--interval", "0.2", "--timeout", "30")
    assert r.returncode == 1, r.stderr
    res, summary = jsonl(r.stdout)
    by = {x["domain"]: x for x in res}
    failed = [d for d, x in by.items() if x["action"] == "failed"]
    assert failed and all(d.startswith("g") for d in failed)
    for d, x in by.items():
        if d in failed:
            assert x["error"]["kind"] == "network", x
            assert x["error"].get("http_status") == 503, x
            # As it was, or as wanted (the write went through but its
            # read-back did not): never anything else.
            was = [SPF] if d == "g003.test" else []
            assert pf.api_values(d) in (was, sorted(was + [REC])), d
            continue
        assert x["action"] == "created", x
        assert x["confirm"]["status"] == "confirmed"
        assert REC in pf.api_values(d)
    # Cloudflare's and Route 53's domains did not notice.
    assert all(by["%s%03d.test" % (p, i)]["action"] == "created"
               for p in "cr" for i in range(20))
    left = [d for d in failed if REC not in pf.api_values(d)]
    # Back up (whatever of the outage the first run did not see is
    # over): a re-run does only what is left.
    pf.emu["godaddy"].control.clear_faults()
    r = run(binary, pf, "publish", "--all", "--output", "jsonl", "--jobs",
            "4", "--interval", "0.2", "--timeout", "30")
    assert r.returncode == 0, r.stderr
    res, summary = jsonl(r.stdout)
    assert summary["created"] == len(left)
    assert summary["unchanged"] == 60 - len(left)
    assert pf.api_values("g003.test") == sorted([SPF, REC])


def start(binary, pf, *args):
    return subprocess.Popen([binary, *args], env=pf.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_writes(pf, n, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if sum(pf.counters(p)["writes"] for p in pf.emu) >= n:
            return
        time.sleep(0.05)
    raise AssertionError("fewer than %d writes" % n)


def test_sigint_mid_run_then_rerun_converges(binary, portfolio_factory):
    # Slow enough (latency, a low rate) that the run is well under way
    # but far from done when interrupted.
    pf = portfolio_factory(zones_for(25), rate=12, tool_rate=10,
                           latency=0.05, sync_delay=0.2)
    pf.add_conf(pf.domains_conf())
    p = start(binary, pf, "publish", "--all", "--output", "jsonl", "--jobs",
              "6", "--interval", "0.2", "--timeout", "30")
    wait_writes(pf, 6)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    res, summary = jsonl(out)
    assert summary["exit_status"] == 130
    # Every domain is reported, each either done or not started.
    assert len(res) == 75
    done = [x for x in res if x["action"] == "created"]
    skipped = [x for x in res if x["action"] == "failed"]
    assert done and skipped
    assert len(done) + len(skipped) == 75
    for x in skipped:
        assert x["error"]["kind"] == "interrupted", x
        assert "nothing was written" in x["error"]["message"]
        assert pf.api_values(x["domain"]) == [], x["domain"]
    for x in done:
        # Written means written whole, confirmed or not yet.
        assert pf.api_values(x["domain"]) == [REC]
    # The re-run finishes the job.
    r = run(binary, pf, "publish", "--all", "--output", "jsonl", "--jobs",
            "6", "--interval", "0.2", "--timeout", "30")
    assert r.returncode == 0, r.stderr
    res, summary = jsonl(r.stdout)
    assert summary["unchanged"] == len(done)
    assert summary["created"] == 75 - len(done)
    for z in pf.all_zones():
        assert pf.api_values(z) == [REC]


def test_second_signal_aborts(binary, portfolio_factory):
    pf = portfolio_factory(zones_for(30, ["cloudflare"]), rate=5,
                           tool_rate=4)
    pf.add_conf(pf.domains_conf())
    # Every create is applied at once and answered 5 s later: once one is
    # applied, a worker is inside a write, which the first signal waits
    # for...
    pf.emu["cloudflare"].control.add_fault({
        "match": {"method": "POST"}, "action": "delay", "seconds": 5,
        "when": "after", "count": 100})
    p = start(binary, pf, "publish", "--all", "--output", "jsonl",
              "--jobs", "2", "--timeout", "60")
    wait_writes(pf, 1)
    p.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert p.poll() is None, "the first signal did not wait for the write"
    # ...and the second does not.
    t = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=20)
    assert p.returncode == 130
    assert time.monotonic() - t < 2
    assert "second interrupt" in err


def test_second_signal_keeps_the_report(binary, portfolio_factory, tmp_path):
    """An aborted run's --report still records every domain that was
    final (restore can put them back), and an older report of that name
    is replaced only by a run that did something."""
    pf = portfolio_factory(zones_for(30, ["cloudflare"]), rate=20,
                           tool_rate=18)
    pf.add_conf(pf.domains_conf())
    reports = tmp_path / "reports"
    reports.mkdir()
    report = reports / "rollout.json"
    report.write_text("an older report\n")
    # The first four creates go through; every later one is applied and
    # then held for 10 s, so the run is inside writes when signalled.
    pf.emu["cloudflare"].control.add_fault({
        "match": {"method": "POST"}, "action": "delay", "seconds": 10,
        "when": "after", "skip": 4, "count": 100})
    p = start(binary, pf, "publish", "--all", "--output", "jsonl",
              "--jobs", "2", "--interval", "0.2", "--timeout", "60",
              "--report", str(report))
    # Wait for the first confirmed results on stdout...
    done = []
    end = time.monotonic() + 30
    while len(done) < 2 and time.monotonic() < end:
        line = p.stdout.readline()
        if line:
            done.append(json.loads(line)["domain"])
    assert len(done) >= 2
    assert report.read_text() == "an older report\n"
    wait_writes(pf, 5)
    p.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=20)
    assert p.returncode == 130
    text = report.read_text()
    assert text.startswith('{"results": [')
    assert "summary" not in text
    assert [f.name for f in reports.iterdir()] == [report.name]
    # restore reads the cut-short report: the domains it recorded as
    # created would be removed again.
    r = run(binary, pf, "restore", "--report", str(report), "--dry-run",
            "--output", "jsonl")
    res, summary = jsonl(r.stdout)
    would = {x["domain"] for x in res if x["action"] == "would-remove"}
    assert set(done) <= would, (done, r.stderr)


def test_fail_fast(binary, portfolio_factory):
    pf = portfolio_factory(zones_for(30, ["cloudflare"]), rate=50,
                           tool_rate=45)
    names = ["cmissing.test"] + pf.all_zones()
    base = ["publish", "--provider", "cloudflare", "--output", "jsonl",
            "--jobs", "2", "--no-wait"]
    r = run(binary, pf, *base, "--fail-fast", *names)
    assert r.returncode == 1, r.stderr
    res, summary = jsonl(r.stdout)
    by = {x["domain"]: x for x in res}
    assert len(by) == 31
    assert by["cmissing.test"]["error"]["kind"] == "not-found"
    skipped = [x for x in res if x.get("error", {}).get("kind") == "skipped"]
    assert skipped, "nothing was held back"
    assert "--fail-fast" in r.stderr
    for x in skipped:
        assert x["action"] == "failed"
        assert pf.api_values(x["domain"]) == []
    assert summary["exit_status"] == 1
    # Without it, one failure stops nothing.
    r = run(binary, pf, *base, *names)
    res, summary = jsonl(r.stdout)
    assert summary["failed"] == 1
    assert summary.get("created", 0) + summary.get("unchanged", 0) == 30
