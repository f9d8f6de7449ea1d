"""`check` looks at the report destinations of a valid record (reference
rfc8460.md §4.5): a destination outside the policy domain is an info; a
mail domain with a null MX or without MX and address, or an https host
without address, is a warning; a lookup that fails is only "not
checked"; none of it changes the status. Knot is authoritative only, so
as in test_check.py it stands in for the recursive resolver
(--resolver): it answers for its own zones (here example.test and
reports.test) and refuses the rest."""
import os

from harness.checkcli import check
from harness.knot import txt_rdata

Z = "example.test"
DEST_CODES = {"rua-other-domain", "rua-null-mx", "rua-undeliverable",
              "rua-host-unresolved", "rua-dest-unchecked"}


def rec(owner, *rua):
    return "_smtp._tls.%s 300 TXT %s" % (
        owner, txt_rdata("v=TLSRPTv1; rua=" + ",".join(rua)))


ZONE = [
    # Mail domains of every kind.
    "mail 300 MX 10 mx1.example.test.",
    "mx1 300 A 192.0.2.25",
    "null 300 MX 0 .",
    "aonly 300 A 192.0.2.26",
    "v6only 300 AAAA 2001:db8::26",
    'nothing 300 TXT "exists, but takes no mail"',
    "alias 300 CNAME mail.example.test.",
    "www 300 A 192.0.2.80",
    'noaddr 300 TXT "no address"',
    rec("mx", "mailto:tls@mail.example.test"),
    rec("nullmx", "mailto:tls@null.example.test"),
    rec("aonly", "mailto:tls@aonly.example.test"),
    rec("v6only", "mailto:tls@v6only.example.test"),
    rec("nothing", "mailto:tls@nothing.example.test"),
    # nx.example.test itself holds no record (only _smtp._tls.nx below
    # it, an empty non-terminal: NODATA); gone.example.test is NXDOMAIN.
    rec("nx", "mailto:tls@gone.example.test"),
    rec("alias", "mailto:tls@alias.example.test"),
    rec("web", "mailto:tls@mail.example.test",
        "https://www.example.test/tlsrpt", "https://noaddr.example.test/x",
        "https://gone.example.test/y"),
    rec("other", "mailto:tls@reports.test"),
    rec("elsewhere", "mailto:tls@reports.invalid"),
    rec("many", "mailto:tls@null.example.test", "mailto:b@reports.test"),
    rec("many2", "mailto:tls@null.example.test", "mailto:b@reports.test"),
]
ZONES = {Z: ZONE, "reports.test": ["@ 300 MX 10 mx.reports.test.",
                                   "mx 300 A 192.0.2.99"]}


def dest(r, domain):
    """The destination diagnostics of domain's result: {code: [message]}."""
    out = {}
    for d in r.result(domain)["diagnostics"]:
        if d["code"] in DEST_CODES:
            out.setdefault(d["code"], []).append(d)
    return out


def isolated():
    env = dict(os.environ)
    env.pop("TLSRPT_PUBLISH_CONFIG", None)
    env["XDG_CONFIG_HOME"] = "/nonexistent-tlsrpt-test"
    return env


def run(binary, k, *args, **kw):
    return check(binary, "--resolver", k.addr, *args, env=isolated(), **kw)


def test_mail_domains(binary, knot_factory):
    k = knot_factory(ZONES)
    names = ["mx", "nullmx", "aonly", "v6only", "nothing", "nx", "alias"]
    r = run(binary, k, *[n + "." + Z for n in names])
    # Warnings never fail the check.
    assert r.returncode == 0, r
    assert all(x["status"] == "valid" for x in r.results)
    for ok in ("mx", "aonly", "v6only", "alias"):
        assert dest(r, ok + "." + Z) == {}, (ok, r.result(ok + "." + Z))
    d = dest(r, "nullmx." + Z)
    assert list(d) == ["rua-null-mx"]
    assert d["rua-null-mx"][0]["severity"] == "warning"
    assert "null.example.test" in d["rua-null-mx"][0]["message"]
    d = dest(r, "nothing." + Z)
    assert list(d) == ["rua-undeliverable"]
    assert "no MX and no A or AAAA" in d["rua-undeliverable"][0]["message"]
    d = dest(r, "nx." + Z)
    assert list(d) == ["rua-undeliverable"]
    assert "NXDOMAIN" in d["rua-undeliverable"][0]["message"]
    assert r.summary["exit_status"] == 0


def test_https_hosts(binary, knot_factory):
    k = knot_factory(ZONES)
    r = run(binary, k, "web." + Z)
    assert r.returncode == 0, r
    d = dest(r, "web." + Z)
    assert list(d) == ["rua-host-unresolved"]
    msgs = sorted(x["message"] for x in d["rua-host-unresolved"])
    assert len(msgs) == 2
    assert "NXDOMAIN" in msgs[0] and "gone.example.test" in msgs[0]
    assert "noaddr.example.test has no A or AAAA" in msgs[1]


def test_other_domain_and_unchecked(binary, knot_factory):
    k = knot_factory(ZONES)
    r = run(binary, k, "other." + Z, "elsewhere." + Z)
    assert r.returncode == 0, r
    d = dest(r, "other." + Z)
    # reports.test takes mail: only the info that it is another domain.
    assert list(d) == ["rua-other-domain"]
    assert d["rua-other-domain"][0]["severity"] == "info"
    assert "reports.test" in d["rua-other-domain"][0]["message"]
    # The resolver refuses reports.invalid: not known, not a warning.
    d = dest(r, "elsewhere." + Z)
    assert sorted(d) == ["rua-dest-unchecked", "rua-other-domain"]
    assert d["rua-dest-unchecked"][0]["severity"] == "info"
    assert "REFUSED" in d["rua-dest-unchecked"][0]["message"]
    assert r.result("elsewhere." + Z)["status"] == "valid"


def test_skipped_on_request(binary, knot_factory):
    k = knot_factory(ZONES)
    r = run(binary, k, "--no-destination-checks", "nullmx." + Z,
            "other." + Z, "web." + Z)
    assert r.returncode == 0, r
    for x in r.results:
        assert not DEST_CODES & {d["code"] for d in x["diagnostics"]}, x


def test_authoritative_and_wait(binary, knot_factory):
    """The record read from the servers; the destinations still through
    the resolver; every domain of a shared destination gets it."""
    k = knot_factory(ZONES)
    for mode in (["--nameserver", k.addr], ["--nameserver", k.addr,
                                            "--wait"]):
        r = run(binary, k, *mode, "many." + Z, "many2." + Z, "mx." + Z)
        assert r.returncode == 0, r
        for name in ("many", "many2"):
            d = dest(r, name + "." + Z)
            assert sorted(d) == ["rua-null-mx", "rua-other-domain"], d
        assert dest(r, "mx." + Z) == {}
        assert r.result("mx." + Z)["servers"][0]["address"] == k.addr


def test_resolver_that_never_answers(binary, knot_factory, silent_server):
    """The destinations' resolver is down: the check is as valid as
    before, each destination "not checked", and the wait is short."""
    k = knot_factory(ZONES)
    r = check(binary, "--nameserver", k.addr, "--resolver",
              silent_server.addr, "nullmx." + Z, "web." + Z, env=isolated())
    assert r.returncode == 0, r
    assert r.seconds < 8, r.seconds
    for name in ("nullmx", "web"):
        d = dest(r, name + "." + Z)
        assert list(d) == ["rua-dest-unchecked"], d
        assert "timed out" in d["rua-dest-unchecked"][0]["message"]


def test_text_output(binary, knot_factory):
    k = knot_factory(ZONES)
    r = run(binary, k, "nullmx." + Z, output=None)
    assert r.returncode == 0, r
    assert "warning  rua-null-mx:" in r.stdout
    assert "hint:" in r.stdout
