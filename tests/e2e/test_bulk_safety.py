"""The safety nets of bulk runs: restore --report puts back what a run
changed (and refuses a domain changed since), --max-changes refuses a
run that would change too much before writing anything, and --provider
auto picks each domain's provider from its name servers."""
import json
import subprocess

from harness.portfolio import NS_NAMES

RUA = "mailto:tls-reports@example.net"
REC = "v=TLSRPTv1; rua=" + RUA
OLD = "v=TLSRPTv1; rua=mailto:old@example.net"
SPF = "v=spf1 -all"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
PREFIX = {"cloudflare": "c", "godaddy": "g", "route53": "r"}


def run(binary, pf, *args, timeout=120):
    return subprocess.run([binary, *args], env=pf.env(), capture_output=True,
                          text=True, timeout=timeout)


def jsonl(r):
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines and lines[-1]["type"] == "summary", r.stderr
    return {x["domain"]: x for x in lines[:-1]}, lines[-1]


def writes(pf):
    return sum(pf.counters(p)["by_method"].get(m, 0)
               for p in pf.emu for m in WRITES)


def seeded(n=4):
    """Per provider: nothing, an old record, the wanted one, an old one
    beside SPF."""
    zones, records = {}, {}
    for p, c in PREFIX.items():
        zones[p] = ["%s%d.test" % (c, i) for i in range(n)]
        records[zones[p][1]] = [OLD]
        records[zones[p][2]] = [REC]
        records[zones[p][3]] = [SPF, OLD]
    return zones, records


def test_restore_round_trip(binary, portfolio_factory, tmp_path):
    zones, records = seeded()
    pf = portfolio_factory(zones, records=records, rate=50, tool_rate=45,
                           sync_delay=0.2)
    pf.add_conf(pf.domains_conf())
    before = {z: pf.api_values(z) for z in pf.all_zones()}
    report = tmp_path / "rollout.json"
    r = run(binary, pf, "publish", "--all", "--output", "jsonl", "--report",
            str(report), "--interval", "0.2", "--timeout", "30")
    assert r.returncode == 0, r.stderr
    for z in pf.all_zones():
        assert REC in pf.api_values(z)
    # Someone edits one domain after the rollout: restore must not undo
    # their change.
    r = run(binary, pf, "publish", "--provider", "godaddy", "--rua",
            "mailto:other@example.net", "--no-wait", "--output", "jsonl",
            "g1.test")
    assert r.returncode == 0, r.stderr
    edited = pf.api_values("g1.test")
    # --dry-run: what it would do, nothing written.
    pf.reset_counters()
    r = run(binary, pf, "restore", "--report", str(report), "--dry-run",
            "--output", "jsonl")
    assert r.returncode == 1, r.stderr
    res, summary = jsonl(r)
    assert writes(pf) == 0
    # Unchanged domains of the report have nothing to put back.
    assert sorted(res) == sorted(z for z in pf.all_zones()
                                 if not z.endswith("2.test"))
    assert res["c0.test"]["action"] == "would-remove"
    assert res["c1.test"]["action"] == "would-update"
    assert res["g1.test"]["action"] == "failed"
    # The real thing.
    r = run(binary, pf, "restore", "--report", str(report), "--output",
            "jsonl", "--interval", "0.2", "--timeout", "30")
    assert r.returncode == 1, r.stderr
    res, summary = jsonl(r)
    err = res["g1.test"]["error"]
    assert err["kind"] == "conflict"
    assert "changed since" in err["message"]
    assert pf.api_values("g1.test") == edited
    for z in pf.all_zones():
        if z == "g1.test":
            continue
        assert pf.api_values(z) == before[z], z
        assert pf.txt(z) == before[z], z
        if z in res:
            assert res[z]["action"] in ("removed", "updated"), res[z]
            assert res[z]["confirm"]["status"] == "confirmed", res[z]
    assert res["r0.test"]["action"] == "removed"
    assert res["r3.test"]["action"] == "updated"
    assert summary["exit_status"] == 1
    # Restoring again changes nothing more (and still refuses g1).
    pf.reset_counters()
    r = run(binary, pf, "restore", "--report", str(report), "--output",
            "jsonl", "--no-wait")
    res, summary = jsonl(r)
    assert writes(pf) == 0
    assert summary["unchanged"] == len(res) - 1


def test_restore_refuses_bad_input(binary, portfolio_factory, tmp_path):
    pf = portfolio_factory({"cloudflare": ["c0.test"]}, rate=50)
    bad = tmp_path / "bad.json"
    bad.write_text("this is no report\n")
    r = run(binary, pf, "restore", "--report", str(bad))
    assert r.returncode == 2
    assert "bad.json:1" in r.stderr
    r = run(binary, pf, "restore", "c0.test", "--report", str(bad))
    assert r.returncode == 2
    assert "from the report" in r.stderr
    r = run(binary, pf, "restore")
    assert r.returncode == 2 and "--report FILE" in r.stderr
    nothing = tmp_path / "nothing.jsonl"
    nothing.write_text('{"type":"result","domain":"c0.test","provider":'
                       '"cloudflare","action":"unchanged","before":[],'
                       '"after":[]}\n{"type":"summary","total":1}\n')
    r = run(binary, pf, "restore", "--report", str(nothing))
    assert r.returncode == 2
    assert "records no change" in r.stderr


def test_max_changes(binary, portfolio_factory):
    zones, records = seeded(5)
    pf = portfolio_factory(zones, records=records, rate=50, tool_rate=45,
                           sync_delay=0.2)
    pf.add_conf(pf.domains_conf())
    changing = sum(1 for z in pf.all_zones() if REC not in
                   pf.api_values(z))
    assert changing == 12
    # Plan first, refuse before the first write.
    r = run(binary, pf, "publish", "--all", "--output", "jsonl",
            "--max-changes", "11")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "12 domains would change, more than --max-changes 11" \
        in r.stderr
    assert writes(pf) == 0
    # Within the limit: the plans are used, the reads are not repeated.
    pf.reset_counters()
    r = run(binary, pf, "publish", "--all", "--output", "jsonl",
            "--max-changes", "12", "--interval", "0.2", "--timeout", "30")
    assert r.returncode == 0, r.stderr
    res, summary = jsonl(r)
    assert summary.get("created", 0) + summary.get("updated", 0) == 12
    reads = pf.counters("route53")["by_endpoint"]["ListResourceRecordSets"]
    assert reads == 5
    # Converged: --max-changes 0 passes, as a guard in a pipeline.
    r = run(binary, pf, "publish", "--all", "--output", "jsonl",
            "--max-changes", "0", "--no-wait")
    assert r.returncode == 0, r.stderr
    assert jsonl(r)[1]["unchanged"] == 15


def test_provider_auto(binary, portfolio_factory):
    zones = {p: ["%s%d.test" % (c, i) for i in range(3)]
             for p, c in PREFIX.items()}
    ns = {z: NS_NAMES[p] for p in zones for z in zones[p]}
    pf = portfolio_factory(zones, rate=50, tool_rate=45, zone_ns=ns,
                           sync_delay=0.2)
    names = pf.all_zones() + ["mail.c0.test"]
    r = run(binary, pf, "publish", "--provider", "auto", "--resolver",
            pf.knot.addr, "--output", "jsonl", "--interval", "0.2",
            "--timeout", "30", *names)
    assert r.returncode == 0, r.stderr
    res, summary = jsonl(r)
    for p in zones:
        for z in zones[p]:
            assert res[z]["provider"] == p
            assert res[z]["action"] == "created"
            assert pf.api_values(z) == [REC]
    # A name below a zone: the zone apex's name servers decide.
    assert res["mail.c0.test"]["provider"] == "cloudflare"
    assert res["mail.c0.test"]["zone"] == "c0.test"
    assert "--provider auto: 4 on cloudflare, 3 on route53, 3 on godaddy" \
        in r.stderr


def test_provider_auto_unrecognised(binary, portfolio_factory):
    zones = {"cloudflare": ["c0.test", "c1.test"]}
    ns = {"c0.test": NS_NAMES["cloudflare"],
          "c1.test": ["ns1.vanity.example", "ns2.vanity.example"]}
    pf = portfolio_factory(zones, rate=50, zone_ns=ns)
    r = run(binary, pf, "publish", "--provider", "auto", "--resolver",
            pf.knot.addr, "--output", "jsonl", "c0.test", "c1.test",
            "nowhere.invalid")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "cannot tell the provider of 'c1.test'" in r.stderr
    assert "ns1.vanity.example (unknown)" in r.stderr
    assert "'nowhere.invalid'" in r.stderr
    assert "the provider of 2 domains is not known" in r.stderr
    assert writes(pf) == 0
    # A provider named for the domain in the config wins over auto.
    pf.add_conf('domains = ( { name = "c1.test"; provider = '
                '"cloudflare"; } );\n')
    r = run(binary, pf, "plan", "--provider", "auto", "--resolver",
            pf.knot.addr, "--output", "jsonl", "c0.test", "c1.test")
    assert r.returncode == 0, r.stderr
    res, _ = jsonl(r)
    assert res["c1.test"]["provider"] == "cloudflare"
