"""Running the built binary the way the end-to-end tests do.

    from harness.cli import run, cmd, report, one

    env = clean_env(sb.env(), tmp_path)       # no config of this machine
    r = run(binary, env, "validate", "v=TLSRPTv1; rua=mailto:a@b.c")
    r = cmd(binary, "cloudflare", sb.knot_addr, env, "publish",
            "--rua", RUA, "example.test")     # --output json, fast polls
    res = one(r)                              # the one result object

Plain functions: each test module keeps its own short wrappers (naming its
provider and sandbox) on top of these.
"""
import json
import os
import subprocess

WRITES = ("POST", "PUT", "PATCH", "DELETE")


SANITIZER_VARS = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")


def apply_env(e, extra):
    """e updated with extra, where NAME=None removes NAME; returns e."""
    for k, v in extra.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def sandbox_env(base, **extra):
    """A binary's environment built from nothing but base (so nothing of
    the machine's own set-up leaks in): PATH, the sanitizer options of
    this run, then base, then extra (NAME=None removes NAME)."""
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for k in SANITIZER_VARS:
        if k in os.environ:
            e[k] = os.environ[k]
    e.update(base)
    return apply_env(e, extra)


def clean_env(env, tmp_path, **extra):
    """env without any configuration file of the machine running the
    tests: HOME and XDG_CONFIG_HOME point at tmp_path and
    TLSRPT_PUBLISH_CONFIG is dropped; extra NAME=None removes NAME."""
    e = dict(env, XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    e.pop("TLSRPT_PUBLISH_CONFIG", None)
    return apply_env(e, extra)


def run(binary, env, *args, timeout=60, input=None):
    """The binary with args; text output captured."""
    return subprocess.run([binary, *args], env=env, capture_output=True,
                          text=True, timeout=timeout, input=input)


def cmd(binary, provider, nameserver, env, command, *args, wait=True,
        **kw):
    """A DNS command with --provider, --output json and --nameserver;
    wait=True adds fast confirmation polls (--interval 0.2, --timeout
    15), which later --timeout/--interval arguments override."""
    base = [command, "--provider", provider, "--output", "json",
            "--nameserver", nameserver]
    if wait:
        base += ["--interval", "0.2", "--timeout", "15"]
    return run(binary, env, *base, *args, **kw)


def report(r):
    """The --output json document of a finished run."""
    assert r.stdout, r.stderr
    doc = json.loads(r.stdout)
    assert doc["summary"]["type"] == "summary"
    return doc


def one(r):
    """The only result of a one-domain run."""
    doc = report(r)
    assert len(doc["results"]) == 1, doc
    return doc["results"][0]


def by_domain(r):
    """{domain: result} of a run."""
    return {x["domain"]: x for x in report(r)["results"]}


def tlsrpt_like(values):
    """The values senders would look at (v=TLSRPT..., any case)."""
    return [v for v in values if v.lstrip().lower().startswith("v=tlsrpt")]


def writes(counters, methods=WRITES):
    """Requests of the writing methods in an emulator's counters."""
    by = counters["by_method"]
    return sum(by.get(m, 0) for m in methods)
