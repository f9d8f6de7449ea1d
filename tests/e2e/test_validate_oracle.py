"""`validate` against an independent strict-ABNF oracle.

tests/oracle/tlsrpt_abnf.py reads RFC 8460 section 3 (with RFC 5234, RFC 7405
and RFC 3986 Appendix A) without looking at the C code. Every record of
tests/fixtures/records/*.jsonl (hand-written tricky records, multi-string
ones in zone-file form, and seeded mutants from mutate.py) goes through the
built binary's `validate --output json`, and:

- the valid/invalid verdict must equal the oracle's, except for the one
  documented ruling where the project is stricter than the grammar
  (docs/diagnostics.md, "No usable destination is an error, labelled
  semantic"): an ABNF-valid record none of whose rua URIs can receive a
  report is invalid, with semantic-* errors only, one code per kind of
  unusable URI. "Usable" is decided here, narrowly, from RFC 6068 (mailto
  needs an addr-spec) and RFC 9110 (https needs a host and a port 1-65535);
- where shared/reference/rfc8460.md section 4.5 says WARN, the matching
  warning must be present (derived from the oracle's parse, plus the
  per-record annotations of the hand-written corpus);
- every diagnostic is well-formed (severity, offset inside the record).

TLSRPT_ORACLE_MUTANTS=N adds N fresh random mutants (seed from the clock, or
TLSRPT_ORACLE_SEED) for an audit run; the default suite uses the committed
corpus only.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
RECORDS = os.path.join(TESTS, "fixtures", "records")
sys.path.insert(0, os.path.join(TESTS, "oracle"))
sys.path.insert(0, RECORDS)

import mutate  # noqa: E402
import tlsrpt_abnf as oracle  # noqa: E402
import txtpres  # noqa: E402

SEVERITIES = {"error", "warning", "info"}
SEMANTIC = {
    "scheme": "semantic-scheme-unsupported",
    "mailto": "semantic-mailto-no-addr-spec",
    "host": "semantic-https-no-host",
    "port": "semantic-https-bad-port",
}


def load(name):
    with open(os.path.join(RECORDS, name), encoding="ascii") as f:
        return [json.loads(line) for line in f if line.strip()]


def record_bytes(entry):
    if "record" in entry:
        return entry["record"].encode("latin-1")
    return txtpres.joined(entry["presentation"])


# --- the narrow encoding of the project's "semantic" ruling ---------------

# RFC 5322 atext, plus the non-ASCII bytes RFC 6532 (UTF-8) adds: the
# ruling judges addresses leniently, it does not validate UTF-8
ATEXT = re.compile(rb"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\x80-\xff-]+")


QUOTED = re.compile(rb'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[^\x00-\x08\x0a-\x1f])*"')


def pct_decode(b):
    return re.sub(rb"%([0-9A-Fa-f]{2})",
                  lambda m: bytes((int(m.group(1), 16),)), b)


def dot_atom(b):
    return all(ATEXT.fullmatch(p) for p in b.split(b".")) if b else False


def addr_spec(b):
    """RFC 5322 addr-spec, with the local part judged leniently (anything
    non-empty without control bytes; '@' only inside a quoted-string)."""
    if len(b) > 254 or b"@" not in b:
        return False
    local, domain = b.rsplit(b"@", 1)
    if not local or any(c < 0x20 or c == 0x7F for c in local):
        return False
    if local.startswith(b'"') or b"@" in local:
        # then only a whole quoted-string will do
        if not QUOTED.fullmatch(local):
            return False
    if domain.startswith(b"[") and domain.endswith(b"]") and len(domain) > 2:
        return True
    return dot_atom(domain)


def unusable(uri):
    """None when a reporter can deliver to this tlsrpt-uri, else the kind
    of problem (a SEMANTIC key)."""
    scheme, rest = uri.split(b":", 1)
    scheme = scheme.lower()
    rest = rest.split(b"#", 1)[0]
    if scheme == b"mailto":
        if rest.startswith(b"//"):
            # RFC 6068 has no authority form; URI parsers (mox) see the
            # address as userinfo@host and an empty mailto path
            return "mailto"
        # RFC 6068: to = addr-spec *("%2C" addr-spec), and to= hfields
        # add addresses: at least one, and every one must be an addr-spec
        path, _, query = rest.partition(b"?")
        addrs = pct_decode(path).split(b",") if path else []
        for hf in query.split(b"&") if query else []:
            k, _, v = hf.partition(b"=")
            if k.lower() == b"to" and v:
                addrs += pct_decode(v).split(b",")
        return None if addrs and all(map(addr_spec, addrs)) else "mailto"
    if scheme == b"https":
        if not rest.startswith(b"//"):
            return "host"
        auth = re.split(rb"[/?]", rest[2:], 1)[0]
        hostport = auth.rsplit(b"@", 1)[-1]
        if hostport.startswith(b"["):
            host, _, tail = hostport.partition(b"]")
            port = tail[1:] if tail.startswith(b":") else b""
        else:
            host, _, port = hostport.partition(b":")
        if not host:
            return "host"
        if port and not 1 <= int(port) <= 65535:
            return "port"
        return None
    return "scheme"


# --- expected warnings, from rfc8460.md section 4.5 -----------------------


def expected_warnings(parsed):
    """[set of acceptable codes] per WARN that section 4.5 requires; '*'
    accepts any warning."""
    want = []
    fields = parsed["fields"]
    ruas = [f for f in fields if f["rua"]]
    uris = [u for f in ruas for u in f["uris"]]
    if parsed["wsp_before_first_delim"]:
        want.append({"wsp-before-semicolon"})
    if any(f["wsp_around_comma"] for f in ruas):
        want.append({"wsp-around-comma"})
    if len(ruas) > 1:
        want.append({"rua-repeated"})
    if fields and not fields[0]["rua"]:
        want.append({"rua-not-first"})
    for f in fields:
        if f["rua"]:
            continue
        name = f["name"]
        if name == b"v":
            want.append({"version-repeated"})
        elif name.lower() in (b"v", b"rua"):
            want.append({"*"})
        else:
            want.append({"ext-unknown"})
    kinds = [unusable(u) for u in uris]
    if None in kinds and any(k == "scheme" for k in kinds):
        want.append({"uri-scheme-unsupported"})
    usable_mailto = False
    usable_https = False
    for u, k in zip(uris, kinds):
        if k is not None:
            continue  # an unusable URI draws its own diagnostic instead
        scheme, rest = u.split(b":", 1)
        if scheme.lower() in (b"mailto", b"https") and scheme != scheme.lower():
            want.append({"uri-scheme-case"})
        if scheme.lower() == b"mailto":
            path = rest.split(b"#", 1)[0]
            if b"?" in path:
                want.append({"mailto-hfields"})
            if b"%" in path.split(b"?", 1)[0]:
                want.append({"mailto-pct-encoded", "mailto-multiple-addresses"})
            usable_mailto = True
        if scheme.lower() == b"https":
            usable_https = True
            q = rest.split(b"#", 1)[0].partition(b"?")[2]
            if b"=" in q:
                want.append({"uri-equals-sign"})
    if usable_https and not usable_mailto:
        want.append({"https-only"})
    return want


def annotated(entry, key):
    return [set(w.split("|")) for w in entry.get(key, [])]


# --- running the binary ----------------------------------------------------


def run_validate(binary, entry):
    if "record" in entry:
        args = [binary, "validate", "--output", "json", "-"]
        stdin = entry["record"].encode("latin-1") + b"\n"
    else:
        args = [binary, "validate", "--output", "json", "--presentation", "-"]
        stdin = entry["presentation"].encode("latin-1") + b"\n"
    r = subprocess.run(args, input=stdin, capture_output=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def judge(entry, rc, out, err):
    """Every disagreement between the binary and the oracle, as text."""
    rec = record_bytes(entry)
    label = "%s %r" % (entry["id"], rec)
    try:
        obj = json.loads(out)
    except ValueError:
        return ["%s: no JSON (exit %d, stderr %r)" % (label, rc, err)]
    probs = []
    diags = obj.get("diagnostics", [])
    errors = {d["code"] for d in diags if d["severity"] == "error"}
    warns = {d["code"] for d in diags if d["severity"] == "warning"}
    infos = {d["code"] for d in diags if d["severity"] == "info"}
    for d in diags:
        if d["severity"] not in SEVERITIES:
            probs.append("bad severity %r" % d)
        if not 0 <= d["offset"] <= len(rec):
            probs.append("offset %d outside the record: %r" % (d["offset"], d))
        if not d["message"] or not d["hint"]:
            probs.append("empty message or hint: %r" % d)
    if obj["valid"] != (rc == 0) or rc not in (0, 1):
        probs.append("exit %d but valid=%r" % (rc, obj["valid"]))
    if obj["valid"] != (not errors):
        probs.append("valid=%r with errors %s" % (obj["valid"], sorted(errors)))
    if err:
        probs.append("stderr %r" % err)

    ok, has_rua = oracle.verdict(rec)
    if not (ok and has_rua):
        if obj["valid"]:
            probs.append("oracle INVALID (matches=%s rua=%s), binary valid "
                         "with %s" % (ok, has_rua, sorted(warns | infos)))
        return ["%s: %s" % (label, p) for p in probs]

    parsed = oracle.parse(rec)
    uris = [u for f in parsed["fields"] if f["rua"] for u in f["uris"]]
    kinds = [unusable(u) for u in uris]
    if None not in kinds:
        want = {SEMANTIC[k] for k in kinds}
        if obj["valid"]:
            probs.append("no usable destination (%s) but binary valid"
                         % sorted(want))
        elif errors != want:
            probs.append("oracle VALID but no usable destination: expected "
                         "errors %s, binary %s" % (sorted(want), sorted(errors)))
        return ["%s: %s" % (label, p) for p in probs]
    if not obj["valid"]:
        probs.append("oracle VALID, binary invalid with %s" % sorted(errors))
        return ["%s: %s" % (label, p) for p in probs]
    for alts in expected_warnings(parsed) + annotated(entry, "warn"):
        if "*" in alts and not warns or "*" not in alts and not alts & warns:
            probs.append("warning %s missing (has %s)" % ("|".join(sorted(alts)),
                                                         sorted(warns)))
    for alts in annotated(entry, "info"):
        if not alts & infos:
            probs.append("info %s missing" % "|".join(sorted(alts)))
    return ["%s: %s" % (label, p) for p in probs]


def judge_all(binary, entries):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda e: run_validate(binary, e), entries))
    probs = []
    for e, (rc, out, err) in zip(entries, results):
        probs += judge(e, rc, out, err)
    return probs


# --- the tests -------------------------------------------------------------


def test_oracle_agrees_with_the_hand_verdicts():
    """The hand-written corpus carries the verdict its author derived from
    the RFC text; the oracle must reproduce every one (this tests the
    oracle before it judges the binary)."""
    entries = load("handwritten.jsonl")
    assert len(entries) >= 200
    wrong = [(e["id"], e["note"]) for e in entries
             if oracle.valid(record_bytes(e)) != (e["expect"] == "valid")]
    assert wrong == []


def test_oracle_productions():
    """Spot checks of single productions, so an oracle bug cannot hide
    behind a binary bug of the same shape."""
    assert oracle.is_uri("https://[::ffff:192.0.2.1]:8443/a?b#c")
    assert oracle.is_uri("mailto:")
    assert oracle.is_uri("a:")
    assert not oracle.is_uri("https://[1::2::3]/")
    assert not oracle.is_uri("1a:x")
    assert not oracle.is_uri("https://x/%G1")
    assert oracle.uri_ends("mailto:a@x,b") == [7, 8, 9, 10]
    assert oracle.uri_ends("mailto:a@x,b", strict=False)[-1] == 12
    assert oracle.verdict("v=TLSRPTv1; RUA=mailto:a@x") == (True, False)
    assert oracle.verdict("v=TLSRPTv1; rua=mailto:a@x ") == (False, False)


CHUNK = 120
# Under ASan every run of the binary costs ~150 ms: the sanitized build
# gets every hand-written record but one mutant in four (the plain build,
# which decides the verdicts, gets them all).
MUTANT_STRIDE = 4 if os.environ.get("SANITIZE") == "1" else 1


def chunks():
    out = []
    for corpus, stride in (("handwritten.jsonl", 1),
                           ("mutants.jsonl", MUTANT_STRIDE)):
        n = len(load(corpus))
        out += [(corpus, k, stride) for k in range(0, n, CHUNK)]
    return out


@pytest.mark.parametrize("corpus,start,stride", chunks())
def test_binary_agrees_with_oracle(binary, corpus, start, stride):
    entries = load(corpus)[start:start + CHUNK][::stride]
    probs = judge_all(binary, entries)
    assert probs == [], "%d disagreements:\n%s" % (len(probs),
                                                   "\n".join(probs))


def test_mutants_file_is_reproducible():
    """mutants.jsonl is what mutate.py makes from seed 8460 (so a fix to
    the generator is committed with its output)."""
    entries = load("mutants.jsonl")
    assert [e["record"] for e in entries] == mutate.generate(8460, len(entries))


def test_corpus_covers_both_verdicts_and_the_ruling():
    """The comparison is only meaningful when the corpus has valid and
    invalid records, semantic ones and multi-string ones."""
    entries = load("handwritten.jsonl") + load("mutants.jsonl")
    recs = [record_bytes(e) for e in entries]
    valid = [r for r in recs if oracle.valid(r)]
    semantic = [r for r in valid
                if None not in [unusable(u) for f in oracle.parse(r)["fields"]
                                if f["rua"] for u in f["uris"]]]
    assert len(valid) >= 150
    assert len(recs) - len(valid) >= 150
    assert len(semantic) >= 15
    assert sum("presentation" in e for e in entries) >= 30


@pytest.mark.skipif(not os.environ.get("TLSRPT_ORACLE_MUTANTS"),
                    reason="audit run only: set TLSRPT_ORACLE_MUTANTS=N")
def test_fresh_mutants(binary):
    seed = int(os.environ.get("TLSRPT_ORACLE_SEED", int(time.time())))
    n = int(os.environ["TLSRPT_ORACLE_MUTANTS"])
    entries = [{"id": "r%d-%d" % (seed, i), "record": s}
               for i, s in enumerate(mutate.generate(seed, n))]
    probs = judge_all(binary, entries)
    assert probs == [], "seed %d: %d disagreements:\n%s" % (
        seed, len(probs), "\n".join(probs[:200]))
