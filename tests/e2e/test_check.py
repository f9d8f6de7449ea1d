"""`check` against a real Knot DNS server: every kind of mistake, both
modes (through a resolver, and every authoritative server), several
domains at once, and the command line's own errors."""
import json

from harness.checkcli import check
from harness.knot import txt_rdata

V = "v=TLSRPTv1; rua=mailto:tls@example.test"
V2 = "v=TLSRPTv1; rua=mailto:other@example.test"
Z = "example.test"


def rec(owner, value, rtype="TXT"):
    return "%s 300 %s %s" % (owner, rtype,
                             txt_rdata(value) if rtype == "TXT" else value)


MISTAKES = [
    rec("_smtp._tls.ok", V),
    rec("_mta-sts.ok", "v=STSv1; id=20260101T000000"),
    rec("_smtp._tls.nosts", V),
    rec("apex", V),
    rec("_smtp-tlsrpt.legacy", V),
    rec("_smtp._tls.spf", "v=spf1 -all"),
    rec("_smtp._tls.cname", "target." + Z + ".", "CNAME"),
    rec("target", V),
    rec("x._smtp._tls.nodata", "something below"),
    rec("_smtp._tls.two", V),
    rec("_smtp._tls.two", V2),
    rec("_smtp._tls.broken", "v=TLSRPTv1; rua=ftp://example.test"),
    rec("_smtp._tls.miscased", "V=TLSRPTv1; rua=mailto:tls@example.test"),
]


def test_valid_and_mta_sts_stage(binary, knot_factory):
    k = knot_factory({Z: MISTAKES})
    r = check(binary, "--resolver", k.addr, "ok." + Z, "nosts." + Z)
    assert r.returncode == 0, r
    ok, nosts = r.result("ok." + Z), r.result("nosts." + Z)
    assert ok["status"] == "valid" and ok["record"] == V
    assert ok["owner"] == "_smtp._tls.ok." + Z
    assert ok["mta_sts"] == "present"
    assert "mta-sts-present" in r.codes("ok." + Z)
    assert nosts["mta_sts"] == "absent"
    assert "mta-sts-absent" in r.codes("nosts." + Z)
    assert r.summary["valid"] == 2 and r.summary["exit_status"] == 0


def test_record_at_apex(binary, knot_factory):
    k = knot_factory({Z: MISTAKES})
    r = check(binary, "--resolver", k.addr, "apex." + Z)
    assert r.returncode == 1, r
    res = r.result()
    assert res["status"] == "missing"
    assert "record-at-apex" in r.codes()
    assert "owner-nxdomain" in r.codes()
    d = [d for d in res["diagnostics"] if d["code"] == "record-at-apex"][0]
    assert d["severity"] == "error" and "_smtp._tls.apex." + Z in d["hint"]


def test_record_at_legacy_name(binary, knot_factory):
    k = knot_factory({Z: MISTAKES})
    r = check(binary, "--resolver", k.addr, "legacy." + Z)
    assert r.returncode == 1, r
    assert "record-at-legacy-name" in r.codes()
    assert r.result()["status"] == "missing"


def test_spf_where_tlsrpt_belongs(binary, knot_factory):
    k = knot_factory({Z: MISTAKES})
    r = check(binary, "--resolver", k.addr, "spf." + Z)
    assert r.returncode == 1, r
    res = r.result()
    assert res["status"] == "missing"
    assert res["values"] == ["v=spf1 -all"]
    assert "rrset-unrelated" in r.codes() and "rrset-missing" in r.codes()
    assert "record" not in res


def test_cname_followed_and_reported(binary, knot_factory):
    k = knot_factory({Z: MISTAKES})
    for mode in ([], ["--authoritative", "--nameserver", k.addr]):
        r = check(binary, "--resolver", k.addr, *mode, "cname." + Z)
        assert r.returncode == 0, r
        assert r.result()["record"] == V
        d = [d for d in r.result()["diagnostics"]
             if d["code"] == "owner-cname"]
        assert d and "target." + Z in d[0]["message"]


def test_nxdomain_vs_nodata(binary, knot_factory):
    k = knot_factory({Z: MISTAKES})
    r = check(binary, "--resolver", k.addr, "nope." + Z, "nodata." + Z)
    assert r.returncode == 1, r
    assert "owner-nxdomain" in r.codes("nope." + Z)
    assert "owner-nodata" not in r.codes("nope." + Z)
    assert "owner-nodata" in r.codes("nodata." + Z)
    assert r.result("nodata." + Z)["status"] == "missing"
    assert r.summary["missing"] == 2


def test_several_records_and_invalid(binary, knot_factory):
    k = knot_factory({Z: MISTAKES})
    r = check(binary, "--resolver", k.addr, "two." + Z, "broken." + Z,
              "miscased." + Z)
    assert r.returncode == 1, r
    assert r.result("two." + Z)["status"] == "invalid"
    assert "rrset-multiple" in r.codes("two." + Z)
    assert sorted(r.result("two." + Z)["values"]) == sorted([V, V2])
    assert r.result("broken." + Z)["status"] == "invalid"
    assert r.result("miscased." + Z)["status"] == "missing"
    assert "rrset-discarded" in r.codes("miscased." + Z)


def test_servers_disagree(binary, knot_factory):
    k1 = knot_factory({Z: [rec("_smtp._tls.d", V)]})
    k2 = knot_factory({Z: [rec("_smtp._tls.d", V2)]})
    r = check(binary, "--nameserver", k1.addr, "--nameserver", k2.addr,
              "d." + Z)
    assert r.returncode == 1, r
    res = r.result()
    assert res["status"] == "invalid"
    assert "servers-disagree" in r.codes()
    assert [s["address"] for s in res["servers"]] == [k1.addr, k2.addr]
    assert [s["values"] for s in res["servers"]] == [[V], [V2]]
    assert "confirm" not in res
    # Both agree: valid, each server listed as expected.
    k2.set_txt(Z, "_smtp._tls.d", [V])
    r = check(binary, "--nameserver", k1.addr, "--nameserver", k2.addr,
              "d." + Z)
    assert r.returncode == 0, r
    assert [s["status"] for s in r.result()["servers"]] == ["expected"] * 2


def test_expect_rua(binary, knot_factory):
    k = knot_factory({Z: MISTAKES})
    r = check(binary, "--resolver", k.addr, "--expect-rua",
              "mailto:tls@example.test", "ok." + Z)
    assert r.returncode == 0, r
    r = check(binary, "--resolver", k.addr, "--expect-rua",
              "mailto:tls@example.test", "--expect-rua",
              "https://reports.example.test/tlsrpt", "ok." + Z)
    assert r.returncode == 1, r
    assert r.result()["status"] == "invalid"
    d = [d for d in r.result()["diagnostics"]
         if d["code"] == "rua-unexpected"][0]
    assert "missing https://reports.example.test/tlsrpt" in d["message"]


def test_many_domains_concurrently(binary, knot_factory, tmp_path):
    names = ["d%03d.%s" % (i, Z) for i in range(120)]
    recs = [rec("_smtp._tls." + n.split(".")[0], V) for n in names[:100]]
    k = knot_factory({Z: recs})
    f = tmp_path / "domains"
    f.write_text("# bulk\n" + "\n".join(names) + "\n\n")
    r = check(binary, "--resolver", k.addr, "--domains-file", str(f),
              output="jsonl")
    assert r.returncode == 1, r
    assert len(r.results) == 120
    assert r.summary["total"] == 120
    assert r.summary["valid"] == 100 and r.summary["missing"] == 20
    assert r.summary["exit_status"] == 1
    assert r.seconds < 10
    # Authoritative mode over stdin, same verdicts.
    r = check(binary, "--nameserver", k.addr, "--domains-file", "-",
              stdin="\n".join(names[:100]), output="jsonl")
    assert r.returncode == 0, r
    assert r.summary["valid"] == 100


def test_resolver_unreachable_is_unknown(binary, closed_port):
    r = check(binary, "--resolver", "127.0.0.1:%d" % closed_port, "x." + Z)
    assert r.returncode == 3, r
    assert r.result()["status"] == "unknown"
    assert "resolver-failed" in r.codes()


def test_text_output_and_report(binary, knot_factory, tmp_path):
    k = knot_factory({Z: MISTAKES})
    report = tmp_path / "report.json"
    r = check(binary, "--resolver", k.addr, "--report", str(report),
              "apex." + Z, "ok." + Z, output=None)
    assert r.returncode == 1, r
    assert "apex.%s: missing" % Z in r.stdout
    assert "ok.%s: valid" % Z in r.stdout
    assert "hint: senders only read _smtp._tls.apex." + Z in r.stdout
    assert "check: 2 domains: 1 valid, 1 missing" in r.stdout
    doc = json.loads(report.read_text())
    assert doc["summary"]["exit_status"] == 1
    assert sorted(x["domain"] for x in doc["results"]) == \
        ["apex." + Z, "ok." + Z]
    r = check(binary, "--resolver", k.addr, "-q", "apex." + Z, "ok." + Z,
              output=None)
    assert "apex." + Z in r.stdout and "ok." + Z not in r.stdout


def test_usage_errors(binary, tmp_path):
    for args, words in (
            ([], "no domain"),
            (["--resolver", "dns.example:53", "a.test"], "dns.example"),
            (["--nameserver", "bad name", "a.test"], "bad name"),
            (["--timeout", "soon", "a.test"], "--timeout"),
            (["--interval", "0", "a.test"], "--interval"),
            (["--expect-rua", "ftp://x.test/", "a.test"], "ftp"),
            (["--domains-file", str(tmp_path / "none"), "a.test"], "none"),
            (["--output", "xml", "a.test"], "xml"),
            (["bad domain!"], "bad domain")):
        r = check(binary, *args, output=None)
        assert r.returncode == 2, (args, r)
        assert words in r.stderr, (args, r.stderr)
    r = check(binary, "--help", output=None)
    assert r.returncode == 0 and "--expect-rua" in r.stdout
