"""`tlsrpt-publish generate`: the canonical record, the zone-file line,
JSON, refusals with exit status 2, and that every record it prints passes
`validate --strict` with no diagnostic but multiple-uris."""
import json
import subprocess

import pytest


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True,
                          timeout=30)


def generate(binary, *args):
    return run(binary, "generate", *args)


def test_value(binary):
    r = generate(binary, "--rua", "mailto:tls-reports@example.com")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "v=TLSRPTv1; rua=mailto:tls-reports@example.com\n"


def test_canonical_form(binary):
    r = generate(binary, "--rua", "MAILTO:Tls@B\u00fccher.DE",
                 "--rua", "https://R.example.com/a,b!c;d",
                 "--rua", "mailto:Tls@xn--bcher-kva.de")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("v=TLSRPTv1; rua=mailto:Tls@xn--bcher-kva.de,"
                        "https://r.example.com/a%2Cb%21c%3Bd\n")


def test_zone_line(binary):
    r = generate(binary, "--rua", "mailto:tls@example.com", "--domain",
                 "Example.COM.", "--ttl", "300", "--output", "zone")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ('_smtp._tls.example.com. 300 IN TXT '
                        '"v=TLSRPTv1; rua=mailto:tls@example.com"\n')


def test_zone_line_splits_long_values(binary):
    ruas = []
    for i in range(12):
        ruas += ["--rua", "mailto:tls-reports-%02d@example.com" % i]
    r = generate(binary, *ruas, "--domain", "example.com", "--output",
                 "zone")
    assert r.returncode == 0, r.stderr
    line = r.stdout.rstrip("\n")
    strings = line.split(" IN TXT ", 1)[1]
    parts = strings[1:-1].split('" "')
    assert len(parts) == 2 and len(parts[0]) == 255
    value = "".join(parts)
    assert value.startswith("v=TLSRPTv1; rua=mailto:tls-reports-00@")
    v = run(binary, "validate", "--presentation", "--output", "json",
            strings)
    assert json.loads(v.stdout)["record"] == value


def test_json(binary):
    r = generate(binary, "--rua", "mailto:tls@example.com", "--rua",
                 "https://r.example.com/v1", "--domain", "example.com",
                 "--output", "json")
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["record"] == ("v=TLSRPTv1; rua=mailto:tls@example.com,"
                             "https://r.example.com/v1")
    assert obj["rua"] == ["mailto:tls@example.com",
                          "https://r.example.com/v1"]
    assert obj["strings"] == [obj["record"]]
    assert obj["ttl"] == 3600
    assert obj["domain"] == "example.com"
    assert obj["owner"] == "_smtp._tls.example.com"
    assert obj["zone"].startswith("_smtp._tls.example.com. 3600 IN TXT ")


@pytest.mark.parametrize("args,message", [
    (["--rua", "tls@example.com"], "write 'mailto:tls@example.com'"),
    (["--rua", "http://r.example.com/"], "use https:"),
    (["--rua", "mailto:reports"], "not a mail address"),
    (["--rua", "https://"], "no host"),
    (["--rua", "https://r.example.com/v1"], "add a mailto:"),
    (["--rua", "mailto:a@x.example,b@y.example"], "its own --rua"),
    ([], "at least one --rua"),
    (["--rua", "mailto:a@example.com", "--output", "zone"], "--domain"),
    (["--rua", "mailto:a@example.com", "--ttl", "-1"], "--ttl"),
    (["--rua", "mailto:a@example.com", "--ttl", "1x"], "--ttl"),
    (["--rua", "mailto:a@example.com", "--output", "yaml"], "--output"),
    (["--rua", "mailto:a@example.com", "--domain", "a..b"], "empty label"),
    (["--rua", "mailto:a@example.com", "stray"], "unexpected argument"),
    (["--rua"], "needs a value"),
])
def test_refusals(binary, args, message):
    r = generate(binary, *args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert message in r.stderr
    assert "generate --help" in r.stderr


@pytest.mark.parametrize("ruas", [
    ["mailto:a@example.com"],
    ["mailto:a@b\u00fccher.de", "https://[2001:db8::1]:8443/tls rpt"],
    ["MAILTO:x+y@example.org", "https://r.example.net/p|q/\u00e9",
     "mailto:x+y@example.org"],
])
def test_output_validates_cleanly(binary, ruas):
    args = []
    for u in ruas:
        args += ["--rua", u.replace(" ", "")]
    r = generate(binary, *args)
    assert r.returncode == 0, r.stderr
    v = run(binary, "validate", "--strict", "--output", "json",
            r.stdout.rstrip("\n"))
    assert v.returncode == 0
    codes = [d["code"] for d in json.loads(v.stdout)["diagnostics"]]
    assert set(codes) <= {"multiple-uris"}


def test_help(binary):
    r = generate(binary, "--help")
    assert r.returncode == 0
    for opt in ("--rua", "--domain", "--ttl", "--output"):
        assert opt in r.stdout


def test_listed_in_main_help(binary):
    out = run(binary, "--help").stdout
    assert "generate" in out and "validate" in out
