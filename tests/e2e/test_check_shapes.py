"""`check` on record shapes the other check tests do not name, served by a
real Knot DNS: values split into character-strings at odd places, zone-file
escapes (\\" \\\\ \\DDD, a NUL byte), two RRs that differ only in their
split, TLS-RPT next to SPF and verification strings, wildcards, DNAME,
CNAME chains and loops, empty strings, a broken TLS-RPT value next to a
valid one, upper-case owner names, IDN domains given as U-labels, and
delegated zones (a subdomain, and _smtp._tls.DOMAIN as a zone of its own).

Every shape is checked in both modes: through a "resolver" (Knot itself,
which is authoritative for the zone, so it answers like a resolver would
for its own names) and from the authoritative server (--nameserver, recursion
off). Knot is authoritative-only, so a delegated name asked through it
gets a referral: that must be reported as no usable answer, never read as
"no TXT record"."""
import pytest

from harness.checkcli import check
from harness.knot import Knot, txt_rdata

Z = "example.test"
V = "v=TLSRPTv1; rua=mailto:tls@example.test"


def rec(owner, value, rtype="TXT"):
    return "%s 300 %s %s" % (owner, rtype,
                             txt_rdata(value) if rtype == "TXT" else value)


ZONE = [
    rec("_smtp._tls.s1", ["v=TLSR", "PTv1; rua=mailto:tls@example.test"]),
    rec("_smtp._tls.s2", ["v=TLSRPTv1; rua=mailto:tls@exa", "mple.test"]),
    rec("_smtp._tls.s3", ["v=TLSRPTv1; rua=mailto:a@example.test",
                          ",mailto:b@example.test"]),
    rec("_smtp._tls.sp1", ["v=TLSRPTv1; rua=mailto:a@example.test",
                           " mailto:b@example.test"]),
    rec("_smtp._tls.sp2", ["v=TLSRPTv1; rua=mailto:a@example.test,",
                           " mailto:b@example.test"]),
    # zone-file escapes written by hand: \" \\ and \DDD
    '_smtp._tls.esc 300 TXT "v=TLSRPTv1; rua=mailto:tls@example.test; '
    'x=\\"q\\\\\\""',
    '_smtp._tls.ddd 300 TXT "v=TLSRPTv1\\059 rua=mailto:tls\\064example.test"',
    '_smtp._tls.nul 300 TXT "v=TLSRPTv1; rua=mailto:tls@example.test\\000"',
    '_smtp._tls.nulx 300 TXT "v=TLSRPTv1; rua=mailto:tls@example.test'
    '\\000; x=1"',
    '_smtp._tls.hi 300 TXT "v=TLSRPTv1; rua=mailto:a@b\\255.example.test"',
    rec("_smtp._tls.split2", [V]),
    rec("_smtp._tls.split2", ["v=TLSRPTv1; rua=", "mailto:tls@example.test"]),
    rec("_smtp._tls.mix", V),
    rec("_smtp._tls.mix", "v=spf1 -all"),
    rec("_smtp._tls.mix", "google-site-verification=abc123"),
    rec("_smtp._tls.mix", "MS=ms12345"),
    rec("*._tls.wc1", V),
    rec("*.wc2", V),
    "dn 300 DNAME target.example.test.",
    rec("_smtp._tls.target", V),
    "_tls.dn2 300 DNAME _tls.target.example.test.",
    rec("_smtp._tls.c2", "hop1.example.test.", "CNAME"),
    rec("hop1", "hop2.example.test.", "CNAME"),
    rec("hop2", V),
    rec("_smtp._tls.loop", "l1.example.test.", "CNAME"),
    rec("l1", "_smtp._tls.loop.example.test.", "CNAME"),
    rec("_smtp._tls.self", "_smtp._tls.self.example.test.", "CNAME"),
    rec("_smtp._tls.empty", ""),
    rec("_smtp._tls.empty2", [V, ""]),
    rec("_smtp._tls.bad1", V),
    rec("_smtp._tls.bad1", "v=TLSRPTv1; rua="),
    rec("_smtp._tls.bad2", V),
    rec("_smtp._tls.bad2", "V=TLSRPTv1; rua=mailto:x@example.test"),
    rec("_smtp._tls.bad3", V),
    rec("_smtp._tls.bad3", "v=TLSRPTv1 ; rua=mailto:x@example.test"),
    rec("_SMTP._TLS.UP", V),
    rec("_smtp._tls.cu", "HOP3.EXAMPLE.TEST.", "CNAME"),
    rec("HOP3", V),
    rec("_smtp._tls.xn--bcher-kva", V),
    # CNAMEs into another zone: an authoritative server stops there
    rec("_smtp._tls.xz", "rpt.other.test.", "CNAME"),
    rec("_smtp._tls.yz", "h1.other.test.", "CNAME"),
    rec("back", V),
    rec("_smtp._tls.zz", "nothere.other.test.", "CNAME"),
    rec("_smtp._tls.lz", "lz.other.test.", "CNAME"),
]

OTHER = [
    rec("rpt", V),
    rec("h1", "back.example.test.", "CNAME"),
    rec("lz", "_smtp._tls.lz.example.test.", "CNAME"),
]
# what the servers of example.test serve for these: only the CNAME
CROSS = {"xz", "yz", "zz", "lz"}

# label: (status, exit, codes that must be there, codes that must not,
#         the record check must report, or None)
SHAPES = {
    "s1": ("valid", 0, [], ["owner-cname"], V),
    "s2": ("valid", 0, [], [], V),
    "s3": ("valid", 0, ["multiple-uris"], ["wsp-around-comma"],
           "v=TLSRPTv1; rua=mailto:a@example.test,mailto:b@example.test"),
    "sp1": ("invalid", 1, ["uri-space-separated"], [], None),
    "sp2": ("valid", 0, ["wsp-around-comma"], [], None),
    "esc": ("valid", 0, ["ext-unknown"], [],
            'v=TLSRPTv1; rua=mailto:tls@example.test; x="q\\"'),
    "ddd": ("valid", 0, [], [], V),
    # shown whole, NUL and bytes that are not UTF-8 as U+FFFD (JSON is
    # UTF-8; a NUL would cut the string)
    "nul": ("invalid", 1, ["control-char"], [],
            "v=TLSRPTv1; rua=mailto:tls@example.test\ufffd"),
    "nulx": ("invalid", 1, ["control-char"], [],
             "v=TLSRPTv1; rua=mailto:tls@example.test\ufffd; x=1"),
    "hi": ("invalid", 1, ["non-ascii"], [],
           "v=TLSRPTv1; rua=mailto:a@b\ufffd.example.test"),
    "split2": ("invalid", 1, ["rrset-split-duplicate"], [], None),
    "mix": ("valid", 0, ["rrset-unrelated"], ["rrset-multiple"], V),
    "wc1": ("valid", 0, [], ["record-at-legacy-name"], V),
    "wc2": ("valid", 0, [], ["record-at-legacy-name", "record-at-apex"], V),
    "dn": ("valid", 0, ["owner-cname"], [], V),
    "dn2": ("valid", 0, ["owner-cname"], [], V),
    "c2": ("valid", 0, ["owner-cname"], [], V),
    "loop": ("missing", 1, ["owner-cname-loop", "rrset-missing"],
             ["owner-nodata"], None),
    "self": ("missing", 1, ["owner-cname-loop"], ["owner-nodata"], None),
    "empty": ("missing", 1, ["rrset-missing"], [], None),
    "empty2": ("valid", 0, [], [], V),
    "bad1": ("invalid", 1, ["rrset-multiple"], [], None),
    "bad2": ("valid", 0, ["rrset-discarded"], [], V),
    "bad3": ("invalid", 1, ["rrset-multiple"], [], None),
    "up": ("valid", 0, [], [], V),
    "cu": ("valid", 0, ["owner-cname"], [], V),
    "b\u00fccher": ("valid", 0, [], [], V),
    "xz": ("valid", 0, ["owner-cname"], [], V),
    "yz": ("valid", 0, ["owner-cname"], [], V),
    "zz": ("missing", 1, ["owner-cname", "rrset-missing"], [], None),
    "lz": ("missing", 1, ["owner-cname-loop"], [], None),
}


@pytest.fixture(scope="module")
def shapes_knot():
    k = Knot({Z: ZONE, "other.test": OTHER}).start()
    yield k
    k.stop()


@pytest.mark.parametrize("mode", ["resolver", "authoritative"])
@pytest.mark.parametrize("label", sorted(SHAPES))
def test_shape(binary, shapes_knot, label, mode):
    status, code, must, mustnot, record = SHAPES[label]
    k = shapes_knot
    args = ["--resolver", k.addr]
    if mode == "authoritative":
        args += ["--nameserver", k.addr]
    r = check(binary, *args, label + "." + Z)
    res = r.result()
    codes = r.codes()
    assert (res["status"], r.returncode) == (status, code), r
    for c in must:
        assert c in codes, (c, r)
    for c in mustnot:
        assert c not in codes, (c, r)
    if record is not None:
        assert res.get("record") == record, r
    if record is not None:
        assert record in res["values"], r
    if mode == "authoritative" and label in CROSS and status == "valid":
        assert "owner-cname-followed" in codes, r
    elif mode == "authoritative":
        assert [s["status"] for s in res["servers"]] == \
            ["expected" if status == "valid" else
             ("missing" if status == "missing" else "old")], r


def test_idn_domain_as_u_label(binary, shapes_knot):
    r = check(binary, "--resolver", shapes_knot.addr, "B\u00dcCHER." + Z)
    assert r.returncode == 0, r
    res = r.result()
    assert res["domain"] == "xn--bcher-kva." + Z
    assert res["owner"] == "_smtp._tls.xn--bcher-kva." + Z


def test_cross_zone_chain_named_to_its_end(binary, shapes_knot):
    """The chain _smtp._tls.yz -> h1.other.test -> back.example.test
    leaves each server's answer once; check follows it like a resolver
    and names where it ends, in both modes."""
    for mode in ([], ["--nameserver", shapes_knot.addr]):
        r = check(binary, "--resolver", shapes_knot.addr, *mode, "yz." + Z)
        assert r.returncode == 0, r
        d = [d for d in r.result()["diagnostics"]
             if d["code"] == "owner-cname"]
        assert d and "back." + Z in d[0]["message"], r


def test_owner_name_given_as_domain(binary, shapes_knot):
    """`check _smtp._tls.D` would read _smtp._tls._smtp._tls.D and call
    the record at _smtp._tls.D misplaced: a usage error naming D."""
    r = check(binary, "--resolver", shapes_knot.addr, "_smtp._tls.s1." + Z,
              output=None)
    assert r.returncode == 2, r
    assert "'s1.%s'" % Z in r.stderr


def test_chain_names_its_last_hop(binary, shapes_knot):
    r = check(binary, "--resolver", shapes_knot.addr, "c2." + Z)
    d = [d for d in r.result()["diagnostics"] if d["code"] == "owner-cname"]
    assert d and "hop2." + Z in d[0]["message"], r
    # rfc8460.md 4.5: a CNAME is INFO (every resolver follows it)
    assert d[0]["severity"] == "info"
    r = check(binary, "--resolver", shapes_knot.addr, "loop." + Z)
    d = [d for d in r.result()["diagnostics"]
         if d["code"] == "owner-cname-loop"]
    assert d and d[0]["severity"] == "error", r
    assert "_smtp._tls.loop." + Z in d[0]["message"]


PARENT_NS = [("ns1.example.test", "127.0.0.2")]


@pytest.fixture
def delegations(knot_factory):
    """A parent serving example.test that delegates sub.example.test, the
    owner _smtp._tls.own.example.test itself and _tls.tl.example.test to a
    child server; (parent, child). Ports are free ones unless root can
    use port 53 (then discovery can walk the delegation too)."""
    kids = ["sub", "_smtp._tls.own", "_tls.tl"]
    parent = ["%s 300 NS ns.sub.example.test." % k for k in kids]
    parent.append("ns.sub 300 A 127.0.0.1")
    p = knot_factory({Z: parent})
    zones = {"sub." + Z: [rec("_smtp._tls", V)],
             "_smtp._tls.own." + Z: [rec("@", V)],
             "_tls.tl." + Z: [rec("_smtp", V)]}
    c = knot_factory(zones, zone_ns={z: [("ns.sub.example.test", None)]
                                     for z in zones})
    return p, c


@pytest.mark.parametrize("domain", ["sub", "own", "tl"])
def test_delegated_zone(binary, delegations, domain):
    parent, child = delegations
    d = domain + "." + Z
    # Through a server that only refers: no answer, not "no TXT record".
    r = check(binary, "--resolver", parent.addr, d)
    assert r.returncode == 3, r
    res = r.result()
    assert res["status"] == "unknown"
    assert "resolver-failed" in r.codes()
    assert "owner-nodata" not in r.codes()
    msg = [x for x in res["diagnostics"] if x["code"] == "resolver-failed"]
    assert "referral" in msg[0]["message"]
    # From the child's server: there it is.
    r = check(binary, "--nameserver", child.addr, d)
    assert r.returncode == 0, r
    assert r.result()["record"] == V
    assert r.result()["servers"][0]["status"] == "expected"
    # The parent, asked as an authoritative server, is not one for it.
    r = check(binary, "--nameserver", parent.addr, d)
    assert r.returncode != 0, r
    assert r.result()["servers"][0]["status"] == "refused"


def test_delegated_zone_discovered(binary, port53, knot_factory):
    """With port 53 (root), --authoritative walks from the parent to the
    child zone, including a zone cut right at _smtp._tls.DOMAIN."""
    a, b = port53
    kids = ["sub", "_smtp._tls.own"]
    parent = ["%s 300 NS ns.child.example.test." % k for k in kids]
    parent.append("ns.child 300 A %s" % b)
    knot_factory({"test": ["example 300 NS ns1.example.test.",
                           "ns1.example 300 A %s" % a],
                  Z: parent}, address=a, port=53,
                 zone_ns={"test": [("ns.test", a)],
                          Z: [("ns1.example.test", a)]})
    zones = {"sub." + Z: [rec("_smtp._tls", V)],
             "_smtp._tls.own." + Z: [rec("@", V)]}
    knot_factory(zones, address=b, port=53,
                 zone_ns={z: [("ns.child.example.test", b)] for z in zones})
    for d, zone in (("sub." + Z, "sub." + Z),
                    ("own." + Z, "_smtp._tls.own." + Z)):
        r = check(binary, "--authoritative", "--resolver", a, d)
        assert r.returncode == 0, r
        res = r.result()
        assert res["zone"] == zone
        assert [(s["ns"], s["status"]) for s in res["servers"]] == \
            [("ns.child.example.test", "expected")]
