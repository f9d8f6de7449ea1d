"""No secret ever leaves the process: every command, -v and -vv, every
provider emulator and the AWS credential stand-ins, runs that succeed and
runs that fail (wrong credentials, 5xx, malformed answers), with --output
json and --report FILE. A run fails the test when stdout, stderr or the
report holds any secret the binary had (tokens, keys, secret keys, session
tokens, web identity and container tokens), any secret header value the
emulator received (Bearer tokens, sso-key pairs, SigV4 signatures), or any
8-character piece of one.

Also: secrets are refused as command-line flags, saying why, and the
config-file permission warning names the file but not the secret.
"""
import json
import os
import re
import secrets as pysecrets
import stat

import pytest

from harness.cli import clean_env, run
from harness.fixtures_route53 import CONTAINER_TOKEN, ROLE_ARN, WEB_TOKEN
from harness.providercase import PROVIDERS, REC, RUA

WINDOW = 8
SIG = re.compile(r"Signature=([0-9a-f]{64})")
NO_KEYS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}


# Test constants made of words (their 8-character pieces are words too):
# looked for whole and by halves, as is anything starting with them.
WORDY = (CONTAINER_TOKEN,)


def pieces(secret):
    """The secret and every WINDOW-character piece of it."""
    if len(secret) <= WINDOW:
        return {secret}
    if secret.startswith(WORDY):
        return {secret, secret[:len(secret) // 2],
                secret[len(secret) // 2:]}
    return {secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)}


def header_secrets(values):
    """The secret parts of Authorization / token header values."""
    out = set()
    for v in values:
        m = SIG.search(v)
        if m:
            out.add(m.group(1))
        elif v.startswith("Bearer "):
            out.add(v[7:])
        elif v.startswith("sso-key "):
            out.update(v[8:].split(":", 1))
        elif not v.startswith("AWS4-"):
            out.add(v)      # X-Amz-Security-Token, X-Auth-Key
    return out


def assert_clean(texts, secret_values):
    """No secret, nor any piece of one, in any of texts."""
    secret_values = {s for s in secret_values if s}
    assert secret_values, "no secret to look for"
    blob = "\n".join(texts)
    for s in secret_values:
        for p in pieces(s):
            assert p not in blob, "secret piece %r of %r shown:\n%s" % (
                p, s[:4] + "...", blob[max(0, blob.find(p) - 300):
                                       blob.find(p) + 300])


def outputs(r, report=None):
    texts = [r.stdout, r.stderr]
    if report is not None and os.path.exists(report):
        with open(report) as f:
            texts.append(f.read())
    return texts


def provider_run(binary, case, env, tmp_path, command, verbosity, *args):
    report = os.path.join(str(tmp_path), "%s-report.json" % command)
    extra = ["--rua", RUA] if command != "remove" else []
    if command != "plan":
        extra.append("--no-wait")
    r = run(binary, env, command, "--provider", case.name, verbosity,
            "--output", "json", "--report", report, "--nameserver",
            case.knot_addr, *extra, *args, "a.test")
    return r, outputs(r, report)


def wrong(case, env):
    """The environment with a wrong credential (returned as a secret)."""
    bad = "wrong" + pysecrets.token_urlsafe(24)
    var = {"cloudflare": "CLOUDFLARE_API_TOKEN",
           "godaddy": "GODADDY_API_SECRET",
           "route53": "AWS_SECRET_ACCESS_KEY"}[case.name]
    env[var] = bad
    return bad


def session_key(case, env):
    """Route 53: sign with a key that has a session token."""
    kid = "ASIA" + pysecrets.token_hex(8).upper()
    sec, tok = pysecrets.token_urlsafe(30), pysecrets.token_urlsafe(90)
    case.sb.control.seed({"keys": [{"id": kid, "secret": sec,
                                    "token": tok}]})
    env.update(AWS_ACCESS_KEY_ID=kid, AWS_SECRET_ACCESS_KEY=sec,
               AWS_SESSION_TOKEN=tok)
    return [sec, tok]


SCENARIOS = ("ok", "wrong-credentials", "5xx", "malformed")


@pytest.mark.parametrize("case", PROVIDERS, indirect=True)
@pytest.mark.parametrize("verbosity", ("-v", "-vv"))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_provider_commands(binary, case, verbosity, scenario, tmp_path):
    env = case.fast_env(tmp_path)
    known = set(case.secrets)
    if scenario == "wrong-credentials":
        known.add(wrong(case, env))
    elif scenario == "5xx":
        case.fault({"action": "status", "status": 500, "count": 1000})
    elif scenario == "malformed":
        case.fault({"action": "malformed", "count": 1000,
                    "body": "<html>not what you want</html>"})
    texts = []
    for command in ("plan", "publish", "remove"):
        r, out = provider_run(binary, case, env, tmp_path, command,
                              verbosity)
        texts += out
        if scenario == "ok":
            assert r.returncode == 0, r.stderr
        else:
            assert r.returncode == 1, r.stderr
            doc = json.loads(r.stdout)
            assert doc["results"][0]["action"] == "failed"
            assert doc["results"][0]["error"]["message"]
    if verbosity == "-vv":
        assert "http: >" in "".join(texts), "no HTTP dump with -vv"
    known |= header_secrets(case.sb.control.secrets())
    assert_clean(texts, known)


@pytest.mark.parametrize("case", ["route53"], indirect=True)
@pytest.mark.parametrize("secret_ok", (True, False))
def test_route53_session_token(binary, case, secret_ok, tmp_path):
    """A key with a session token; a wrong secret makes Route 53 answer
    SignatureDoesNotMatch with the canonical request, which holds the
    signed X-Amz-Security-Token: that must not be shown either."""
    env = case.fast_env(tmp_path)
    known = set(session_key(case, env))
    if not secret_ok:
        known.add(wrong(case, env))
    r, texts = provider_run(binary, case, env, tmp_path, "publish", "-vv")
    assert r.returncode == (0 if secret_ok else 1), r.stderr
    if not secret_ok:
        assert "SignatureDoesNotMatch" in r.stdout, r.stdout
    known |= header_secrets(case.sb.control.secrets())
    assert_clean(texts, known)


def every_secret_env(case_env):
    """A environment holding a credential of every provider."""
    vals = {"CLOUDFLARE_API_TOKEN": "cf" + pysecrets.token_urlsafe(24),
            "GODADDY_API_KEY": "gk" + pysecrets.token_hex(12),
            "GODADDY_API_SECRET": "gs" + pysecrets.token_urlsafe(16),
            "AWS_SECRET_ACCESS_KEY": pysecrets.token_urlsafe(30),
            "AWS_SESSION_TOKEN": pysecrets.token_urlsafe(90),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN}
    e = dict(case_env, **vals)
    return e, set(vals.values())


@pytest.mark.parametrize("case", ["cloudflare"], indirect=True)
@pytest.mark.parametrize("verbosity", ("-v", "-vv"))
def test_other_commands(binary, case, verbosity, tmp_path):
    """check, providers, generate and validate with every credential in
    the environment, succeeding and failing."""
    env, known = every_secret_env(case.fast_env(tmp_path))
    report = os.path.join(str(tmp_path), "report.json")
    runs = [
        ("check", "--nameserver", case.knot_addr, "--output", "json",
         "--report", report, "b.test"),
        ("check", "--nameserver", case.knot_addr, "--output", "json",
         "c.test"),
        ("providers",), ("providers", "--output", "json"),
        ("generate", "--rua", RUA), ("generate", "--rua", "ftp://x"),
        ("validate", REC), ("validate", "v=TLSRPTv1; rua=bogus"),
    ]
    texts = []
    for args in runs:
        r = run(binary, env, args[0], verbosity, *args[1:])
        assert r.returncode in (0, 1, 2), r.stderr
        texts += outputs(r, report)
    assert_clean(texts, known)


def test_aws_credential_sources(binary, route53_factory, r53_creds,
                                tmp_path):
    """Web identity (STS), the container endpoint, IMDSv2 and a profile
    with a session token: none of their tokens, nor the keys they issue,
    is shown, in runs that work and runs that fail."""
    sb = route53_factory(key_service=r53_creds.url("control"))
    base = dict(NO_KEYS, AWS_ENDPOINT_URL_STS=r53_creds.url("sts"))
    prof_sec, prof_tok = pysecrets.token_urlsafe(30), \
        pysecrets.token_urlsafe(90)
    prof_id = "ASIA" + pysecrets.token_hex(8).upper()
    sb.control.seed({"keys": [{"id": prof_id, "secret": prof_sec,
                               "token": prof_tok}]})
    with open(os.path.join(sb.home, ".aws", "credentials"), "w") as f:
        f.write("[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                "aws_session_token = %s\n" % (prof_id, prof_sec, prof_tok))
    sources = {
        "web-identity": dict(AWS_WEB_IDENTITY_TOKEN_FILE=r53_creds.token_file,
                             AWS_ROLE_ARN=ROLE_ARN),
        "web-identity-refused": dict(
            AWS_WEB_IDENTITY_TOKEN_FILE=r53_creds.token_file,
            AWS_ROLE_ARN="arn:aws:iam::123456789012:role/not-mine"),
        "container": dict(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=r53_creds.url(
                "container", "/v2/credentials/task-1"),
            AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN),
        "container-refused": dict(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=r53_creds.url(
                "container", "/v2/credentials/task-1"),
            AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN + "x"),
        "imds": dict(AWS_EC2_METADATA_DISABLED=None,
                     AWS_EC2_METADATA_SERVICE_ENDPOINT=r53_creds.url(
                         "imds")),
        "profile-session": dict(AWS_PROFILE="ci"),
    }
    known = {WEB_TOKEN, CONTAINER_TOKEN, prof_sec, prof_tok}
    texts = []
    for name, extra in sources.items():
        env = sb.env(**dict(base, **extra))
        report = os.path.join(str(tmp_path), name + ".json")
        r = run(binary, env, "publish", "--provider", "route53", "-vv",
                "--output", "json", "--report", report, "--rua", RUA,
                "--nameserver", sb.knot_addr, "--no-wait", "example.test")
        if name.endswith("-refused"):   # no credentials: nothing written
            assert r.returncode in (1, 2), (name, r.stderr)
        else:
            assert r.returncode == 0, (name, r.stderr)
        texts += outputs(r, report)
    for i in r53_creds.issued():
        k = json.loads(_get(r53_creds.url("control", "/keys/" +
                                          i["access_key_id"])))
        known |= {k["secret"], k["token"]}
    for e in r53_creds.log():
        known |= {v for h, v in e.get("headers", {}).items()
                  if "token" in h.lower() or h.lower() == "authorization"}
    known |= header_secrets(sb.control.secrets())
    assert len(known) > 8
    assert_clean(texts, known)


def _get(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read()


def secret_settings(binary):
    r = run(binary, os.environ, "providers", "--output", "json")
    assert r.returncode == 0, r.stderr
    for p in json.loads(r.stdout)["providers"]:
        for s in p["settings"]:
            if s["secret"]:
                yield p["name"], s


def test_secrets_refused_as_flags(binary, tmp_path):
    """Every secret setting, under any flag name it could have, is refused
    with the reason, without echoing the value, and --help says why."""
    env = clean_env(os.environ, tmp_path)
    seen = 0
    for prov, s in secret_settings(binary):
        key = s["key"].replace("_", "-")
        value = "flag" + pysecrets.token_urlsafe(20)
        for flag in ("--%s-%s" % (prov, key), "--" + key):
            for args in ([flag + "=" + value], [flag, value]):
                r = run(binary, env, "publish", "--provider", prov,
                        "--rua", RUA, *args, "example.test")
                assert r.returncode == 2, (flag, r.stderr)
                assert "never taken on the command line" in r.stderr, \
                    r.stderr
                assert s["env"] in r.stderr, r.stderr
                assert_clean([r.stdout, r.stderr], {value})
                seen += 1
    assert seen >= 16
    for command in ("publish", "plan", "remove"):
        r = run(binary, env, command, "--help")
        assert "Credentials are never taken on the command line" in \
            r.stdout, command


@pytest.mark.parametrize("mode,warned", ((0o600, False), (0o640, True),
                                         (0o604, True)))
def test_config_permission_warning(binary, tmp_path, mode, warned):
    token = "cfg" + pysecrets.token_urlsafe(24)
    conf = os.path.join(str(tmp_path), "config")
    with open(conf, "w") as f:
        f.write('defaults = { http_retries = 0; };\n'
                'cloudflare = { api_token = "%s"; };\n' % token)
    os.chmod(conf, mode)
    env = clean_env(os.environ, tmp_path, CLOUDFLARE_API_TOKEN=None)
    r = run(binary, env, "plan", "--config", conf, "--provider",
            "cloudflare", "--rua", RUA, "-vv",
            "--cloudflare-api-url", "https://127.0.0.1:1/client/v4",
            "example.test")
    assert stat.S_IMODE(os.stat(conf).st_mode) == mode
    if warned:
        assert "readable by group or others" in r.stderr, r.stderr
        assert "chmod 600 '%s'" % conf in r.stderr
    else:
        assert "readable by group or others" not in r.stderr, r.stderr
    assert_clean([r.stdout, r.stderr], {token})
