"""Hostile input, every provider: domains and rua values with quotes,
backslashes, line breaks, NUL bytes, markup, overlong labels and
look-alike scripts, given as arguments, in --domains-file and in the
config file, and config values of the wrong type. Each one is refused
with a specific message before any request (exit 2), or encoded safely:
the emulators' request logs are searched for the raw value, and what the
binary prints for the raw bytes.

Values the API hands back (TXT data with control characters) are printed
escaped, never raw.
"""
import json
import os
import re

import pytest

from harness.cli import run
from harness.providercase import KEEP, PROVIDERS, RUA

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

HOSTILE_RUA = [
    'mailto:a"b@example.test', "mailto:a@example.test\nx",
    "mailto:a@example.test\r\nAuthorization: x", "javascript:alert(1)",
    "tls@example.test", "mailto:a@example.test; rua=mailto:b@evil.test",
    "mailto:a\\b@example.test", "https://r.example.test/\x1b[2J",
    "mailto:a@" + "x" * 64 + ".example.test"]

HOSTILE_DOMAINS = [
    'exa"mple.test', "example.test\nevil.test", "exa mple.test",
    "<b>.example.test", "a&b.example.test", "example.test/../zones",
    "example.test?name=x", "-x.example.test", "", "a\\b.test",
    "example.test\r", "x" * 64 + ".test", ("a" * 60 + ".") * 4 + "test",
    "p\u0430ypal.test",                 # Cyrillic 'a' among Latin letters
    "xn--pypal-4ve.test",               # the same, as an A-label
    "mix\u03b5d.test",                  # Greek epsilon among Latin
    "_smtp._tls.a.test"]                # the owner name, not the domain


def publish(binary, case, tmp_path, *args, env=None):
    return run(binary, env or case.fast_env(tmp_path), "publish",
               "--provider", case.name, "--output", "json", "--nameserver",
               case.knot_addr, "--interval", "0.2", *args)


def assert_refused(r, case, what):
    """Exit 2 with a message, nothing asked of the API, nothing printed
    raw."""
    assert r.returncode == 2, (what, r.stdout, r.stderr)
    assert r.stderr.startswith("tlsrpt-publish"), (what, r.stderr)
    assert not CONTROL.search(r.stderr), (what, r.stderr)
    for line in r.stderr.splitlines():
        assert line.startswith(("tlsrpt-publish", "Try ")), (what, line)
    assert case.counters()["requests"] == 0, what


def raw_in_requests(case, needle):
    """Requests whose path, query or body hold needle as is."""
    return [e for e in case.log()
            if needle in e["path"] or needle in (e["query"] or "")
            or needle in e["body"]]


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
def test_hostile_rua_refused(binary, case, tmp_path):
    for rua in HOSTILE_RUA:
        r = publish(binary, case, tmp_path, "--rua", rua, "a.test")
        assert_refused(r, case, rua)


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
def test_hostile_domain_refused(binary, case, tmp_path):
    for domain in HOSTILE_DOMAINS:
        r = publish(binary, case, tmp_path, "--rua", RUA, "--", domain)
        assert_refused(r, case, domain)
        assert "domain" in r.stderr, r.stderr
    # Without "--", a name starting with '-' is an option, named as such.
    r = publish(binary, case, tmp_path, "--rua", RUA, "-x.example.test")
    assert_refused(r, case, "-x")
    assert "unknown option '-x'" in r.stderr, r.stderr
    r = publish(binary, case, tmp_path, "--rua", RUA, "p\u0430ypal.test")
    assert "mixes Latin and Cyrillic letters" in r.stderr


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
def test_hostile_domains_file(binary, case, tmp_path):
    """A NUL byte, two names on a line, and hostile names among good ones
    in --domains-file: refused with the line, before any request."""
    files = {
        "nul": (b"b.test\na.test\x00evil.test\n", "line 2 holds a NUL"),
        "two": (b"b.test\na.test evil.test\n", "more than one word"),
        "quote": (b"b.test\n\"a.test\"\n", "domain"),
        "markup": (b"b.test\n<a>.test\n", "domain"),
        "escape": (b"b.test\n\x1b[2Ja.test\n", "domain"),
        "long": (b"b.test\n" + b"x" * 2000 + b"\n", "line 2"),
    }
    for name, (data, msg) in files.items():
        path = os.path.join(str(tmp_path), name)
        with open(path, "wb") as f:
            f.write(data)
        r = publish(binary, case, tmp_path, "--rua", RUA,
                    "--domains-file", path)
        assert_refused(r, case, name)
        assert msg in r.stderr, (name, r.stderr)
    # The same bytes on stdin; and check reads the file the same way.
    r = run(binary, case.fast_env(tmp_path), "publish", "--provider",
            case.name, "--rua", RUA, "--domains-file", "-",
            input="b.test\na.test\x00evil.test\n")
    assert_refused(r, case, "stdin")
    r = run(binary, case.fast_env(tmp_path), "check", "--nameserver",
            case.knot_addr, "--domains-file",
            os.path.join(str(tmp_path), "two"))
    assert r.returncode == 2 and "more than one word" in r.stderr, r.stderr
    # A directory is not a list of domains, and the error says why.
    r = publish(binary, case, tmp_path, "--rua", RUA, "--domains-file",
                str(tmp_path))
    assert_refused(r, case, "directory")
    assert "Is a directory" in r.stderr, r.stderr


CONFIGS = {
    # The domains list and rua values carry the same checks as arguments.
    "domain-quote": ('domains = ( "a.test", "ex\\"ample.test" );\n',
                     "domain"),
    "domain-newline": ('domains = ( "a.test\\nevil.test" );\n', "domain"),
    "domain-nul-escape": ('domains = ( "a.test\\x00evil.test" );\n',
                          "'\\x00' (a NUL byte)"),
    "domain-mixed-script": ('domains = ( "p\u0430ypal.test" );\n',
                            "mixes Latin and Cyrillic"),
    "rua-crlf": ('defaults = { rua = [ "mailto:a@b.test\\r\\nX: y" ]; };\n'
                 'domains = ( "a.test" );\n', "rua"),
    # Values of the wrong type, unknown keys.
    "ttl-quoted": ('defaults = { ttl = "300"; };\ndomains = ("a.test");\n',
                   "'ttl' must be a whole number"),
    "rua-number": ('defaults = { rua = 5; };\ndomains = ("a.test");\n',
                   "'rua' must be a string or a list of strings"),
    "timeout-word": ('defaults = { timeout = "soon"; };\n'
                     'domains = ("a.test");\n', "'timeout' must be a number"),
    "provider-number": ('defaults = { provider = 7; };\n'
                        'domains = ("a.test");\n',
                        "'provider' must be a string"),
    "typo": ('defaults = { tll = 300; };\ndomains = ("a.test");\n',
             "unknown setting 'tll' in 'defaults'"),
    "retries-float": ('defaults = { http_retries = 2.5; };\n'
                      'domains = ("a.test");\n',
                      "'http_retries' must be a whole number"),
    "domain-ttl-quoted": ('domains = ( { name = "a.test"; ttl = "300"; } );'
                          '\n', "ttl"),
    "raw-nul": ('domains = ( "a.test\x00evil.test" );\n', "a NUL byte"),
    # Out of range: refused as `check` refuses them, not silently replaced
    # by the default (negative) or taken as forever (1e300).
    "timeout-negative": ('defaults = { timeout = -5; };\n'
                         'domains = ("a.test");\n',
                         "'timeout' must be a number of seconds above 0"),
    "timeout-huge": ('defaults = { timeout = 1e300; };\n'
                     'domains = ("a.test");\n', "(at most 86400)"),
    "interval-zero": ('defaults = { interval = 0.0; };\n'
                      'domains = ("a.test");\n',
                      "'interval' must be a number of seconds above 0"),
}


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
def test_hostile_config(binary, case, tmp_path):
    for name, (text, msg) in CONFIGS.items():
        path = os.path.join(str(tmp_path), name + ".conf")
        with open(path, "wb") as f:
            f.write(text.encode())
        r = publish(binary, case, tmp_path, "--config", path, "--all",
                    *(["--rua", RUA] if "rua" not in name else []))
        assert_refused(r, case, name)
        assert msg in r.stderr, (name, r.stderr)
        if "must be" in msg or "unknown" in msg or "NUL" in msg:
            assert path + ":" in r.stderr, (name, r.stderr)


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
def test_markup_encoded(binary, case, tmp_path):
    """'&' is valid in a mail address, '<' '>' are not valid in a URI and
    get percent-encoded: either way they reach the API only inside a JSON
    string or escaped XML, and DNS only as TXT data."""
    r = publish(binary, case, tmp_path, "--rua", "mailto:x&y@example.test",
                "--rua", "https://reports.example.test/tls/<b>&c\"'",
                "c.test")
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)["results"][0]["record"]
    assert rec == ("v=TLSRPTv1; rua=mailto:x&y@example.test,"
                   "https://reports.example.test/tls/%3Cb%3E&c%22'")
    assert case.values("c.test") == [rec]
    assert case.served("c.test") == [rec]
    assert not raw_in_requests(case, "<b>")
    assert not raw_in_requests(case, "%3Cb%3E&c\"")   # quote escaped too
    if case.name == "route53":
        assert raw_in_requests(case, "%3Cb%3E&amp;c")
    else:
        assert raw_in_requests(case, "%3Cb%3E&c")


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
def test_idn_reaches_the_api_as_a_label(binary, case, tmp_path):
    """An internationalised name is published under its A-label; no
    U-label byte reaches a request."""
    r = publish(binary, case, tmp_path, "--rua", RUA, "--no-wait",
                "b\u00fccher.test")
    assert r.returncode == 1, r.stderr          # no such zone there
    res = json.loads(r.stdout)["results"][0]
    assert res["domain"] == "xn--bcher-kva.test"
    assert res["error"]["kind"] == "not-found", res
    assert case.log(), "no request made"
    assert not raw_in_requests(case, "b\u00fccher")
    assert not raw_in_requests(case, "%C3%BC")


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
def test_hostile_values_from_the_api_printed_escaped(binary, case, tmp_path):
    """TXT data with control characters, as another tool may have
    written it: kept byte for byte, and shown escaped in text output."""
    evil = "evil=1\x1b[2J\rX"
    case.sb.control.reset()
    if case.name == "godaddy":
        case.sb.control.seed({"accounts": [{"id": "1000001", "domains": [
            {"domain": "c.test", "records": [
                {"type": "TXT", "name": "_smtp._tls", "data": evil,
                 "ttl": 600, "force": True}]}]}]})
    elif case.name == "cloudflare":
        case.sb.control.seed({"zones": [{"name": "c.test", "records": [
            {"type": "TXT", "name": "_smtp._tls.c.test", "ttl": 600,
             "content": '"evil=1\\027[2J\\013X"'}]}]})
    else:
        case.sb.control.seed({"zones": [{
            "name": "c.test", "id": case.sb.zone_id("c.test"), "records": [
            {"name": "_smtp._tls", "type": "TXT", "ttl": 600,
             "values": ['"evil=1\\033[2J\\015X"']}]}]})
    case.sb.control.dns_flush()
    assert evil in case.values("c.test"), case.values("c.test")
    r = run(binary, case.fast_env(tmp_path), "plan", "--provider",
            case.name, "--rua", RUA, "-v", "c.test")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout + r.stderr
    assert "\r" not in r.stdout + r.stderr
    assert "\\x1b" in r.stdout, r.stdout
    r = publish(binary, case, tmp_path, "--rua", RUA, "c.test")
    assert r.returncode == 0, r.stderr
    assert sorted(case.values("c.test")) == sorted([evil, "v=TLSRPTv1; "
                                                    "rua=" + RUA])
    assert KEEP not in case.values("c.test")
