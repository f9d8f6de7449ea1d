"""Bulk rollout across providers: 200 domains on the Cloudflare, GoDaddy
and Route 53 emulators (scaled rate limits, answered with 429/Throttling
beyond them), one Knot server confirming, the built binary with --jobs
workers: the mix of creates, updates, unchanged and failing domains, the
jsonl schema, a converged re-run, and --shard splits."""
import collections
import json
import subprocess

import pytest

RUA = "mailto:tls-reports@example.net"
REC = "v=TLSRPTv1; rua=" + RUA
OLD = "v=TLSRPTv1; rua=mailto:old@example.net"
SPF = "v=spf1 -all"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
JOBS = 6

# Emulators allow 50 requests/s; the tool is told 45 (config rate).
RATE, TOOL_RATE = 50, 45


def fnv1a64(s):
    """The shard hash as tlsrpt-publish(1) documents it."""
    h = 0xcbf29ce484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001b3) % (1 << 64)
    return h


def build(n_cf=70, n_gd=65, n_r53=65):
    """Zones per provider, the seeded records, and what each domain should
    become: (zones, records, expect {domain: (action, after values)})."""
    zones = {"cloudflare": ["c%03d.test" % i for i in range(n_cf)],
             "godaddy": ["g%03d.test" % i for i in range(n_gd)],
             "route53": ["r%03d.test" % i for i in range(n_r53)]}
    records, expect = {}, {}
    for p in zones:
        for i, z in enumerate(zones[p]):
            kind = i % 4
            if kind == 0:
                expect[z] = ("created", [REC])
            elif kind == 1:
                records[z] = [OLD]
                expect[z] = ("updated", [REC])
            elif kind == 2:
                records[z] = [SPF, REC]
                expect[z] = ("unchanged", [SPF, REC])
            else:
                records[z] = [SPF]
                expect[z] = ("created", [SPF, REC])
    return zones, records, expect


# Listed in the config, but not at their provider: they fail (not found).
MISSING = {"cmissing.test": "cloudflare", "gmissing.test": "godaddy",
           "rmissing.test": "route53"}


def domains_conf(pf):
    lines = ['  { name = "%s"; provider = "%s"; }' % (z, pf.provider_of(z))
             for z in pf.all_zones()]
    lines += ['  { name = "%s"; provider = "%s"; }' % (d, p)
              for d, p in sorted(MISSING.items())]
    return "domains = (\n%s\n);\n" % ",\n".join(lines)


def run(binary, pf, *args, timeout=120, input=None):
    return subprocess.run([binary, *args], env=pf.env(), input=input,
                          capture_output=True, text=True, timeout=timeout)


def jsonl(r):
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines, r.stderr
    return lines


def answered(pf, p):
    """Requests per endpoint that the emulator's rate limit let through
    (a throttled request is retried: it would count twice)."""
    out = collections.Counter()
    for e in pf.emu[p].control.log():
        if not e["rate_limited"]:
            out[e["endpoint"]] += 1
    return out


def check_schema(lines):
    """Every line an object; results first (the fields DESIGN fixes),
    exactly one summary, last."""
    assert lines[-1]["type"] == "summary"
    assert all(x["type"] == "result" for x in lines[:-1])
    for x in lines[:-1]:
        for k in ("domain", "provider", "owner", "action"):
            assert isinstance(x[k], str), (k, x)
        assert x["owner"] == "_smtp._tls." + x["domain"]
        assert x["action"] in ("created", "updated", "unchanged", "removed",
                               "would-create", "would-update",
                               "would-remove", "failed")
        if x["action"] == "failed":
            assert x["error"]["kind"] and x["error"]["message"], x
            continue
        assert "error" not in x
        assert isinstance(x["zone"], str)
        assert isinstance(x["before"], list)
        assert isinstance(x["after"], list)
        if "confirm" in x:
            c = x["confirm"]
            assert c["status"] in ("confirmed", "timeout", "skipped")
            if c["status"] != "skipped":
                assert isinstance(c["seconds"], (int, float))
                for s in c["servers"]:
                    assert s["status"] in ("expected", "old", "missing",
                                           "refused", "servfail",
                                           "unreachable")
                    assert isinstance(s["address"], str)
    s = lines[-1]
    assert s["total"] == len(lines) - 1
    assert isinstance(s["exit_status"], int)


@pytest.fixture
def mixed(portfolio_factory):
    zones, records, expect = build()
    pf = portfolio_factory(zones, records=records, rate=RATE,
                           tool_rate=TOOL_RATE, latency=0.005,
                           sync_delay=0.3)
    pf.add_conf(domains_conf(pf))
    return pf, expect


def test_mixed_rollout_then_converged_rerun(binary, mixed, tmp_path):
    pf, expect = mixed
    report = tmp_path / "report.json"
    r = run(binary, pf, "publish", "--all", "--output", "jsonl",
            "--report", str(report), "--jobs", str(JOBS), "--interval",
            "0.2", "--timeout", "30")
    lines = jsonl(r)
    check_schema(lines)
    assert r.returncode == 1, r.stderr
    res = {x["domain"]: x for x in lines[:-1]}
    assert len(res) == 200 + len(MISSING)
    for d, p in MISSING.items():
        assert res[d]["action"] == "failed"
        assert res[d]["provider"] == p
        assert res[d]["error"]["kind"] == "not-found", res[d]
    for d, (action, after) in expect.items():
        x = res[d]
        assert x["provider"] == pf.provider_of(d)
        assert x["action"] == action, x
        assert sorted(x["after"]) == sorted(after)
        assert x["confirm"]["status"] == "confirmed", x
        # What the API holds and what DNS serves: other values kept.
        assert pf.api_values(d) == sorted(after), d
        assert pf.txt(d) == sorted(after), d
    s = lines[-1]
    want = {}
    for action, _ in expect.values():
        want[action] = want.get(action, 0) + 1
    for action, n in want.items():
        assert s[action] == n
    assert s["failed"] == len(MISSING)
    assert s["exit_status"] == 1
    # The --report file is the json form of the same run.
    doc = json.loads(report.read_text())
    assert len(doc["results"]) == len(res)
    assert doc["summary"] == s
    for p in ("cloudflare", "godaddy", "route53"):
        c = pf.counters(p)
        # Connections reused: one TLS handshake per worker at most.
        assert c["tls_handshakes"] <= JOBS, (p, c["tls_handshakes"])
    # The accounts' zones were listed once each, not searched per domain
    # (a missing domain is searched for once more, for the provider's own
    # "not found").
    cf = answered(pf, "cloudflare")
    assert cf["GET /zones"] <= 1 + 2
    assert cf["GET /zones/{zone_id}/dns_records"] == 70
    gd = answered(pf, "godaddy")
    assert gd["GET /v1/domains"] == 1
    r53 = answered(pf, "route53")
    assert r53["ListHostedZones"] == 1
    assert r53["ListResourceRecordSets"] == 65
    assert r53["ChangeResourceRecordSets"] == 49

    # The converged re-run: nothing written, about one read per domain.
    pf.reset_counters()
    r = run(binary, pf, "publish", "--all", "--output", "jsonl", "--jobs",
            str(JOBS), "--interval", "0.2", "--timeout", "30")
    lines = jsonl(r)
    check_schema(lines)
    assert r.returncode == 1, r.stderr
    s = lines[-1]
    assert s["unchanged"] == 200 and s["failed"] == len(MISSING)
    total = 0
    for p in ("cloudflare", "godaddy", "route53"):
        c = pf.counters(p)
        assert sum(c["by_method"].get(m, 0) for m in WRITES) == 0, p
        assert c["writes"] == 0
        total += c["requests"]
    # 200 reads, 3 listings (one page each here), and the missing
    # domains' searches: well under 1.05 requests per domain.
    assert total <= 200 * 1.05 + 3, total


def test_text_output_table(binary, portfolio_factory):
    zones, records, _ = build(6, 5, 5)
    pf = portfolio_factory(zones, records=records, rate=RATE,
                           tool_rate=TOOL_RATE, sync_delay=0.3)
    pf.add_conf(pf.domains_conf())
    r = run(binary, pf, "publish", "--all", "--jobs", "3", "--interval",
            "0.2", "--timeout", "30", "-v")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    # A block per domain, then one row per provider and a total.
    assert "c000.test: created, confirmed" in out
    assert "c001.test: updated, confirmed" in out
    header = [x for x in out.splitlines() if x.startswith("provider ")]
    assert len(header) == 1
    assert "created" in header[0] and "confirmed" in header[0]
    rows = {x.split()[0]: x.split() for x in out.splitlines()
            if x.split() and x.split()[0] in ("cloudflare", "godaddy",
                                               "route53", "total")}
    assert rows["cloudflare"][1] == "6"
    assert rows["godaddy"][1] == "5" and rows["route53"][1] == "5"
    assert rows["total"][1] == "16"
    assert "publish: 16 domains:" in out
    # Not a terminal: no progress line, no colour.
    assert "\r" not in r.stderr and "\033[" not in out
    assert "3 workers" in r.stderr


def test_shards_cover_the_list_once(binary, portfolio_factory):
    zones, _, _ = build(20, 20, 20)
    pf = portfolio_factory(zones, rate=RATE, tool_rate=TOOL_RATE)
    pf.add_conf(pf.domains_conf())
    everyone = set(pf.all_zones())
    seen = {}
    for n in (1, 3):
        got = set()
        for k in range(1, n + 1):
            r = run(binary, pf, "plan", "--all", "--shard", "%d/%d" % (k, n),
                    "--output", "jsonl")
            assert r.returncode == 0, r.stderr
            mine = {x["domain"] for x in jsonl(r)[:-1]}
            assert not (mine & got), "a domain in two shards"
            got |= mine
            for d in mine:
                # The documented hash, reproduced here.
                assert fnv1a64(d) % n + 1 == k, d
                seen.setdefault(d, []).append((k, n))
        assert got == everyone
    # The same domain list as arguments gives the same split.
    r = run(binary, pf, "plan", "--provider", "cloudflare", "--shard",
            "2/3", "--output", "jsonl", *zones["cloudflare"])
    assert r.returncode == 0, r.stderr
    assert {x["domain"] for x in jsonl(r)[:-1]} == {
        d for d in zones["cloudflare"] if fnv1a64(d) % 3 + 1 == 2}
    # An empty shard is no error: nothing to do.
    other = (fnv1a64("c000.test") % 3 + 1) % 3 + 1
    r = run(binary, pf, "plan", "--provider", "cloudflare", "--shard",
            "%d/3" % other, "--output", "jsonl", "c000.test")
    assert r.returncode == 0, r.stderr
    assert jsonl(r) == [{"type": "summary", "command": "plan", "total": 0,
                         "exit_status": 0}]


def test_duplicates_and_invalid_names(binary, portfolio_factory):
    pf = portfolio_factory({"cloudflare": ["c000.test", "c001.test"]},
                           rate=RATE, tool_rate=TOOL_RATE)
    # Duplicates (any case, a final dot) are said and done once.
    r = run(binary, pf, "plan", "--provider", "cloudflare", "--output",
            "jsonl", "--domains-file", "-",
            input="c000.test\nC000.TEST.\n# a comment\n\nc001.test\n"
                  "c000.test\n")
    assert r.returncode == 0, r.stderr
    assert sorted(x["domain"] for x in jsonl(r)[:-1]) == ["c000.test",
                                                         "c001.test"]
    assert "'c000.test' is listed more than once" in r.stderr
    # Invalid names: each named, nothing done at all (no request).
    pf.reset_counters()
    r = run(binary, pf, "publish", "--provider", "cloudflare", "--output",
            "jsonl", "c000.test", "--domains-file", "-",
            input="bad..name\n-x.test\nc001.test\n")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "'bad..name'" in r.stderr and "'-x.test'" in r.stderr
    assert "2 of the 4 domain names given are not valid" in r.stderr
    assert pf.counters("cloudflare")["requests"] == 0


def run_on_terminal(binary, pf, args, env):
    """Run with stdout and stderr on a pseudo-terminal; all it wrote."""
    import os
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([binary, *args], env=env, stdout=slave,
                         stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    p.wait(timeout=60)
    return p.returncode, out.decode(errors="replace")


def test_terminal_progress_and_colour(binary, portfolio_factory):
    zones = {"cloudflare": ["c%03d.test" % i for i in range(40)]}
    pf = portfolio_factory(zones, rate=25, tool_rate=20, latency=0.01)
    pf.add_conf(pf.domains_conf())
    args = ["plan", "--all", "--jobs", "4"]
    rc, out = run_on_terminal(binary, pf, args, pf.env(TERM="xterm"))
    assert rc == 0, out
    # The progress line: drawn in place (carriage return, erase line),
    # with the counts so far, cleared before each result.
    assert "\r\033[K" in out
    assert "/40 done" in out and "would-create" not in out.split(
        "/40 done")[1].split("\r")[0]
    assert "40/40 done: 40 to create" in out
    # Colour on a terminal: the action word.
    assert "\033[33mwould-create\033[0m" in out
    rc, out = run_on_terminal(binary, pf, args,
                              pf.env(TERM="xterm", NO_COLOR="1"))
    assert rc == 0, out
    assert "\033[33m" not in out and "would-create" in out
    assert "/40 done" in out
    # -q: no progress line either.
    rc, out = run_on_terminal(binary, pf, args + ["-q"], pf.env())
    assert "done" not in out
