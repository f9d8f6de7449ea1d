"""An independent strict-ABNF oracle for the RFC 8460 section 3 TLSRPT record.

Written from the RFC texts alone (RFC 8460 section 3, RFC 5234 core rules,
RFC 7405 %s strings, RFC 3986 Appendix A), never from the C validator, so the
end-to-end test can compare the two. Standard library only.

Every production below mirrors one ABNF rule. A parser is a function
(ctx, i) -> frozenset of end positions: all the ways the rule can match the
input starting at byte i. ABNF alternation is unordered and repetition is
greedy-free, so returning every end position (not the first) is what makes
this a faithful, ambiguity-proof reading of the grammar. Results are memoised
per (rule, position), which keeps the whole thing polynomial.

Two verdicts:
  matches(record, strict=True)  the record matches `tlsrpt-record`
  verdict(record)                (matches, has_rua): has_rua is true when at
                                 least one parse of the whole record takes
                                 some field as `tlsrpt-rua` (the ABNF comment
                                 "the tlsrpt-rua record is required").
A record is valid under RFC 8460 section 3 iff both are true.

strict=True applies the normative comment on `tlsrpt-uri`: "commas (ASCII
0x2C), exclamation points (ASCII 0x21), and semicolons (ASCII 0x3B) MUST be
encoded", i.e. a tlsrpt-uri is a RFC 3986 URI that contains none of these
three bytes raw. strict=False is the bare grammar (URI imported as is).
"""

import sys

# --- the little combinator engine ------------------------------------------


class _Ctx:
    """One input and its memo table."""

    def __init__(self, data):
        self.s = data
        self.n = len(data)
        self.memo = {}


def _memo(fn):
    key = id(fn)

    def run(ctx, i):
        k = (key, i)
        r = ctx.memo.get(k)
        if r is None:
            r = fn(ctx, i)
            ctx.memo[k] = r
        return r

    return run


def byte_range(lo, hi):
    """%xLO-HI"""

    def p(ctx, i):
        if i < ctx.n and lo <= ctx.s[i] <= hi:
            return frozenset((i + 1,))
        return frozenset()

    return p


def byte_set(chars):
    vals = frozenset(chars.encode("ascii") if isinstance(chars, str) else chars)

    def p(ctx, i):
        if i < ctx.n and ctx.s[i] in vals:
            return frozenset((i + 1,))
        return frozenset()

    return p


def lit(text):
    """A quoted ABNF string: case-insensitive for letters (RFC 5234 2.3)."""
    b = text.encode("ascii").lower()

    def p(ctx, i):
        j = i + len(b)
        if j <= ctx.n and ctx.s[i:j].lower() == b:
            return frozenset((j,))
        return frozenset()

    return p


def lit_s(text):
    """%s"...": case-sensitive (RFC 7405)."""
    b = text.encode("ascii")

    def p(ctx, i):
        j = i + len(b)
        if ctx.s[i:j] == b:
            return frozenset((j,))
        return frozenset()

    return p


def alt(*ps):
    def p(ctx, i):
        out = set()
        for q in ps:
            out |= q(ctx, i)
        return frozenset(out)

    return p


def seq(*ps):
    def p(ctx, i):
        cur = {i}
        for q in ps:
            nxt = set()
            for j in cur:
                nxt |= q(ctx, j)
            if not nxt:
                return frozenset()
            cur = nxt
        return frozenset(cur)

    return p


def rep(q, lo=0, hi=None):
    """lo*hi q (hi None = unbounded)."""

    def p(ctx, i):
        out = set()
        cur = {i}
        seen = set()
        count = 0
        if lo == 0:
            out.add(i)
        while cur and (hi is None or count < hi):
            nxt = set()
            for j in cur:
                nxt |= q(ctx, j)
            count += 1
            if hi is None and count >= lo:
                # unbounded: positions already expanded add nothing new
                nxt -= seen
                seen |= nxt
            if count >= lo:
                out |= nxt
            cur = nxt
        return frozenset(out)

    return p


def opt(q):
    return rep(q, 0, 1)


class _Fwd:
    """A forward reference, for rules used before they are defined."""

    def __init__(self):
        self.p = None

    def __call__(self, ctx, i):
        return self.p(ctx, i)


# --- RFC 5234 Appendix B core rules ----------------------------------------

ALPHA = alt(byte_range(0x41, 0x5A), byte_range(0x61, 0x7A))
DIGIT = byte_range(0x30, 0x39)
# HEXDIG = DIGIT / "A" / "B" / "C" / "D" / "E" / "F": quoted, so case-insensitive
HEXDIG = alt(DIGIT, lit("A"), lit("B"), lit("C"), lit("D"), lit("E"), lit("F"))
SP = byte_set(b"\x20")
HTAB = byte_set(b"\x09")
WSP = alt(SP, HTAB)

# --- RFC 3986 Appendix A ---------------------------------------------------

sub_delims = byte_set("!$&'()*+,;=")
gen_delims = byte_set(":/?#[]@")
unreserved = alt(ALPHA, DIGIT, byte_set("-._~"))
pct_encoded = seq(lit("%"), HEXDIG, HEXDIG)
pchar = _memo(alt(unreserved, pct_encoded, sub_delims, lit(":"), lit("@")))

segment = _memo(rep(pchar))
segment_nz = _memo(rep(pchar, 1))
path_abempty = _memo(rep(seq(lit("/"), segment)))
path_absolute = seq(lit("/"), opt(seq(segment_nz, rep(seq(lit("/"), segment)))))
path_rootless = seq(segment_nz, rep(seq(lit("/"), segment)))


def path_empty(ctx, i):  # 0<pchar>
    return frozenset((i,))


query = _memo(rep(alt(pchar, lit("/"), lit("?"))))
fragment = _memo(rep(alt(pchar, lit("/"), lit("?"))))

dec_octet = alt(
    DIGIT,
    seq(byte_range(0x31, 0x39), DIGIT),
    seq(lit("1"), DIGIT, DIGIT),
    seq(lit("2"), byte_range(0x30, 0x34), DIGIT),
    seq(lit("25"), byte_range(0x30, 0x35)),
)
IPv4address = _memo(seq(dec_octet, lit("."), dec_octet, lit("."), dec_octet,
                        lit("."), dec_octet))
h16 = _memo(rep(HEXDIG, 1, 4))
h16c = seq(h16, lit(":"))
ls32 = _memo(alt(seq(h16, lit(":"), h16), IPv4address))
dc = lit("::")


def _upto(k):
    """[ *k( h16 ":" ) h16 ]"""
    return opt(seq(rep(h16c, 0, k), h16))


IPv6address = _memo(alt(
    seq(rep(h16c, 6, 6), ls32),
    seq(dc, rep(h16c, 5, 5), ls32),
    seq(opt(h16), dc, rep(h16c, 4, 4), ls32),
    seq(_upto(1), dc, rep(h16c, 3, 3), ls32),
    seq(_upto(2), dc, rep(h16c, 2, 2), ls32),
    seq(_upto(3), dc, h16c, ls32),
    seq(_upto(4), dc, ls32),
    seq(_upto(5), dc, h16),
    seq(_upto(6), dc),
))
IPvFuture = seq(lit("v"), rep(HEXDIG, 1), lit("."),
                rep(alt(unreserved, sub_delims, lit(":")), 1))
IP_literal = seq(lit("["), alt(IPv6address, IPvFuture), lit("]"))
reg_name = _memo(rep(alt(unreserved, pct_encoded, sub_delims)))
host = _memo(alt(IP_literal, IPv4address, reg_name))
port = rep(DIGIT)
userinfo = _memo(rep(alt(unreserved, pct_encoded, sub_delims, lit(":"))))
authority = _memo(seq(opt(seq(userinfo, lit("@"))), host,
                      opt(seq(lit(":"), port))))
scheme = _memo(seq(ALPHA, rep(alt(ALPHA, DIGIT, byte_set("+-.")))))
hier_part = _memo(alt(
    seq(lit("//"), authority, path_abempty),
    path_absolute,
    path_rootless,
    path_empty,
))
URI = _memo(seq(scheme, lit(":"), hier_part, opt(seq(lit("?"), query)),
                opt(seq(lit("#"), fragment))))

# --- RFC 8460 section 3 ----------------------------------------------------

_MUST_ENCODE = frozenset(b",!;")


def _tlsrpt_uri(strict):
    """tlsrpt-uri = URI, with (strict) the MUST-encode comment applied."""

    def p(ctx, i):
        ends = URI(ctx, i)
        if not strict:
            return ends
        return frozenset(j for j in ends
                         if not _MUST_ENCODE.intersection(ctx.s[i:j]))

    return _memo(p)


field_delim = _memo(seq(rep(WSP), lit(";"), rep(WSP)))
tlsrpt_version = lit_s("v=TLSRPTv1")
tlsrpt_ext_name = seq(alt(ALPHA, DIGIT),
                      rep(alt(ALPHA, DIGIT, byte_set("_-.")), 0, 31))
tlsrpt_ext_value = rep(alt(byte_range(0x21, 0x3A), byte_range(0x3C, 0x3C),
                           byte_range(0x3E, 0x7E)), 1)
tlsrpt_extension = _memo(seq(tlsrpt_ext_name, lit("="), tlsrpt_ext_value))


def _grammar(strict):
    uri = _tlsrpt_uri(strict)
    rua = _memo(seq(lit_s("rua="), uri,
                    rep(seq(rep(WSP), lit(","), rep(WSP), uri))))
    return rua


_RUA = {True: _grammar(True), False: _grammar(False)}


def _record(data, strict):
    """Walk `tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]`
    tracking, per position, whether some field so far was a tlsrpt-rua.
    Returns (matches, has_rua)."""
    ctx = _Ctx(data)
    rua = _RUA[strict]
    start = tlsrpt_version(ctx, 0)
    if not start:
        return False, False
    # states: set of (pos, saw_rua) after at least one field
    frontier = set()
    for i in start:
        for j in field_delim(ctx, i):
            for k in rua(ctx, j):
                frontier.add((k, True))
            for k in tlsrpt_extension(ctx, j):
                frontier.add((k, False))
    states = set(frontier)
    while frontier:
        nxt = set()
        for (i, saw) in frontier:
            for j in field_delim(ctx, i):
                for k in rua(ctx, j):
                    nxt.add((k, True))
                for k in tlsrpt_extension(ctx, j):
                    nxt.add((k, saw))
        nxt -= states
        states |= nxt
        frontier = nxt
    ends = set()
    for (i, saw) in states:
        ends.add((i, saw))
        for j in field_delim(ctx, i):
            ends.add((j, saw))
    full = [saw for (i, saw) in ends if i == ctx.n]
    return bool(full), any(full)


def verdict(record, strict=True):
    """(matches tlsrpt-record, some parse has a tlsrpt-rua field)."""
    if isinstance(record, str):
        record = record.encode("utf-8", "surrogateescape")
    return _record(bytes(record), strict)


def matches(record, strict=True):
    return verdict(record, strict)[0]


def valid(record, strict=True):
    """RFC 8460 section 3: matches the grammar and has a tlsrpt-rua."""
    m, r = verdict(record, strict)
    return m and r


def is_uri(text, strict=False):
    """Whether text is exactly one RFC 3986 URI (a helper for tests)."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogateescape")
    ctx = _Ctx(bytes(text))
    return ctx.n in _tlsrpt_uri(strict)(ctx, 0)


def uri_ends(text, strict=True):
    """Every end offset of a tlsrpt-uri match starting at byte 0."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogateescape")
    ctx = _Ctx(bytes(text))
    return sorted(_tlsrpt_uri(strict)(ctx, 0))


def _whole(parser, data):
    ctx = _Ctx(data)
    return ctx.n in parser(ctx, 0)


def parse(record):
    """The fields of a record that matches `tlsrpt-record` (strict), else
    None. Under the strict reading `;` never occurs inside a field, so the
    fields are the `;`-separated pieces with the WSP of `field-delim`
    stripped; each piece is re-checked against its production here.

    Returns {"wsp_before_first_delim": bool, "fields": [field...]}, where a
    field is {"offset", "text", "name", "rua": bool, "uris": [...],
    "wsp_around_comma": bool}; "rua" means the field matches `tlsrpt-rua`
    (a field that matches only `tlsrpt-extension` has rua False)."""
    if isinstance(record, str):
        record = record.encode("utf-8", "surrogateescape")
    data = bytes(record)
    if not matches(data):
        return None
    pieces = []
    start = 0
    for k, c in enumerate(data + b";"):
        if c == 0x3B:
            pieces.append((start, data[start:k]))
            start = k + 1
    first = pieces[0][1]
    out = {"wsp_before_first_delim": first != b"v=TLSRPTv1", "fields": []}
    for off, raw in pieces[1:]:
        text = raw.strip(b" \t")
        if not text:
            continue  # the optional final field-delim
        off += len(raw) - len(raw.lstrip(b" \t"))
        is_rua = _whole(_RUA[True], text)
        assert is_rua or _whole(tlsrpt_extension, text), text
        f = {"offset": off, "text": text, "name": text.split(b"=", 1)[0],
             "rua": is_rua, "uris": [], "wsp_around_comma": False}
        if is_rua:
            items = text[4:].split(b",")
            f["uris"] = [u.strip(b" \t") for u in items]
            f["wsp_around_comma"] = any(u != u.strip(b" \t") for u in items)
        out["fields"].append(f)
    return out


def main(argv):
    """tlsrpt_abnf.py RECORD...: print VALID/INVALID with the two facts."""
    for a in argv[1:]:
        m, r = verdict(a.encode("utf-8", "surrogateescape"))
        print("%s matches=%s rua=%s %r" % ("VALID" if m and r else "INVALID",
                                            m, r, a))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
