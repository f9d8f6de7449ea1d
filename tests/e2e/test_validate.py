"""`tlsrpt-publish validate` driven as a user would: arguments, standard
input, --presentation, --strict, exit statuses, the JSON object and the
compiler-style text output."""
import json
import subprocess

import pytest


def run(binary, *args, stdin=None):
    return subprocess.run([binary, "validate", *args], input=stdin,
                          capture_output=True, timeout=30)


def as_json(binary, *args, stdin=None):
    r = run(binary, "--output", "json", *args, stdin=stdin)
    assert r.stderr == b""
    return r.returncode, json.loads(r.stdout)


GOOD = "v=TLSRPTv1; rua=mailto:tls-reports@example.com"


@pytest.mark.parametrize("record,status,codes", [
    (GOOD, 0, []),
    ("v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.com/v1", 0,
     ["multiple-uris"]),
    ("v=TLSRPTv1 ; rua=mailto:a@example.com", 0, ["wsp-before-semicolon"]),
    ("V=TLSRPTv1; rua=mailto:a@example.com", 1, ["version-case"]),
    ("v=TLSRPTv1; RUA=mailto:a@example.com", 1, ["rua-key-case"]),
    ("v=TLSRPTv1; rua=tls@example.com", 1, ["uri-bare-address"]),
    ("v=TLSRPTv1; rua=mailto:a@example.com!10m", 1, ["uri-unencoded-bang"]),
    ("v=TLSRPTv1; rua=mailto:reports", 1, ["semantic-mailto-no-addr-spec"]),
    ("v=TLSRPTv1; rua=mailto:a@example.com ", 1, ["trailing-wsp"]),
    ("v=TLSRPTv1; rua=https://r.example.com/v1", 0, ["https-only"]),
])
def test_verdicts_and_codes(binary, record, status, codes):
    rc, obj = as_json(binary, record)
    assert rc == status
    assert obj["record"] == record
    assert obj["valid"] is (status == 0)
    assert [d["code"] for d in obj["diagnostics"]] == codes


def test_json_shape(binary):
    rc, obj = as_json(binary, "v=TLSRPTv1; RUA=mailto:a@example.com")
    assert rc == 1
    assert set(obj) == {"record", "valid", "diagnostics"}
    d = obj["diagnostics"][0]
    assert set(d) == {"severity", "code", "offset", "message", "hint"}
    assert d["severity"] == "error"
    assert d["offset"] == 12
    assert isinstance(d["message"], str) and "RUA" in d["message"]
    assert "rua=" in d["hint"]


def test_text_points_at_the_column(binary):
    r = run(binary, "v=TLSRPTv1; RUA=mailto:a@example.com")
    assert r.returncode == 1
    lines = r.stdout.decode().splitlines()
    assert lines[0] == "v=TLSRPTv1; RUA=mailto:a@example.com"
    assert lines[1] == " " * 12 + "^"
    assert lines[2].startswith("error[rua-key-case]: ")
    assert lines[3].startswith("hint: ")
    assert lines[-1] == "invalid: 1 error, 0 warnings, 0 infos"


def test_text_valid_record(binary):
    r = run(binary, GOOD)
    assert r.returncode == 0
    assert r.stdout.decode() == "valid: 0 errors, 0 warnings, 0 infos\n"


def test_text_escapes_unprintable_bytes(binary):
    r = run(binary, "-", stdin=b"v=TLSRPTv1;\trua=mailto:a@ex\xc3\xa4.com")
    assert r.returncode == 1
    lines = r.stdout.decode().splitlines()
    assert lines[0] == "v=TLSRPTv1;\\trua=mailto:a@ex\\xC3\\xA4.com"
    assert lines[1].index("^") == lines[0].index("\\xC3")
    assert lines[2].startswith("error[non-ascii]")


def test_stdin_one_newline_removed(binary):
    rc, obj = as_json(binary, "-", stdin=(GOOD + "\n").encode())
    assert rc == 0 and obj["record"] == GOOD
    # Only one: a second newline is part of the record, and an error.
    rc, obj = as_json(binary, "-", stdin=(GOOD + "\n\n").encode())
    assert rc == 1
    assert [d["code"] for d in obj["diagnostics"]] == ["crlf"]
    assert obj["diagnostics"][0]["offset"] == len(GOOD)
    # No argument at all reads standard input too.
    rc, obj = as_json(binary, stdin=GOOD.encode())
    assert rc == 0 and obj["record"] == GOOD


def test_argument_is_taken_byte_for_byte(binary):
    rc, obj = as_json(binary, GOOD + "\n")
    assert rc == 1
    assert obj["diagnostics"][0]["code"] == "crlf"


def test_presentation(binary):
    pres = '"v=TLSRPTv1; rua=mailto:a@exam" "ple.com"'
    rc, obj = as_json(binary, "--presentation", pres)
    assert rc == 0
    assert obj["record"] == "v=TLSRPTv1; rua=mailto:a@example.com"
    # A split never separates URIs: only "," does.
    rc, obj = as_json(binary, "--presentation",
                      '"v=TLSRPTv1; rua=mailto:a@exam" '
                      '"ple.com mailto:b@example.com"')
    assert rc == 1
    assert obj["diagnostics"][0]["code"] == "uri-space-separated"
    rc, obj = as_json(binary, "--presentation", "-",
                      stdin=b'"v=TLSRPTv1; \\" rua=x"\n')
    assert obj["record"] == 'v=TLSRPTv1; " rua=x'
    r = run(binary, "--presentation", '"v=TLSRPTv1; rua=')
    assert r.returncode == 2
    assert b"no closing" in r.stderr
    # Two lines of dig output are two records, never one.
    r = run(binary, "--presentation", "-",
            stdin=b'"v=TLSRPTv1; rua=mailto:a@example.com"\n"v=spf1"\n')
    assert r.returncode == 2
    assert b"one TXT record" in r.stderr


def test_strict_makes_warnings_fail(binary):
    warn = "v=TLSRPTv1; rua=mailto:a@example.com, mailto:b@example.com"
    assert run(binary, warn).returncode == 0
    assert run(binary, "--strict", warn).returncode == 1
    rc, obj = as_json(binary, "--strict", warn)
    assert rc == 1 and obj["valid"] is True
    # Infos alone never fail, even with --strict.
    info = "v=TLSRPTv1; rua=mailto:a@example.com,mailto:b@example.com"
    assert run(binary, "--strict", info).returncode == 0


@pytest.mark.parametrize("args", [
    ["--output", "xml", GOOD],
    ["--bogus", GOOD],
    [GOOD, GOOD],
    ["--output"],
])
def test_usage_errors(binary, args):
    r = run(binary, *args)
    assert r.returncode == 2
    assert b"validate --help" in r.stderr


def test_help(binary):
    r = run(binary, "--help")
    assert r.returncode == 0
    out = r.stdout.decode()
    for opt in ("--output", "--presentation", "--strict", "Exit status"):
        assert opt in out
