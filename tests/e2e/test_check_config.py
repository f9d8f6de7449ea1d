"""`check` reads the config file as publish does: found through --config,
$TLSRPT_PUBLISH_CONFIG or the XDG default; its defaults give nameserver,
resolver, timeout and interval unless an option does; --all checks its
domains list; the configured rua is expected only with
--expect-configured-rua; a bad file is exit status 2 with publish's
message. Against a real Knot server."""
import os
import subprocess

from harness.checkcli import check
from harness.knot import txt_rdata

Z = "example.test"
V = "v=TLSRPTv1; rua=mailto:tls@example.test"
ZONE = [
    "_smtp._tls.a 300 TXT %s" % txt_rdata(V),
    "_smtp._tls.b 300 TXT %s" % txt_rdata(V),
    "@ 300 MX 10 mx." + Z + ".",
    "mx 300 A 192.0.2.25",
]


def env_for(tmp_path, **extra):
    """The environment of a user whose config home is tmp_path (empty
    unless a test writes one)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TLSRPT_PUBLISH_CONFIG", "CURL_CA_BUNDLE")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config-home")
    env.update(extra)
    return env


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def defaults(**kw):
    """A defaults group: lists for list values, numbers as given."""
    out = []
    for k, v in kw.items():
        if isinstance(v, list):
            v = "[ %s ]" % ", ".join('"%s"' % x for x in v)
        elif isinstance(v, str):
            v = '"%s"' % v
        out.append("  %s = %s;" % (k, v))
    return "defaults = {\n%s\n};\n" % "\n".join(out)


def test_nameserver_from_each_place(binary, knot_factory, tmp_path):
    """The demo's case: `check DOMAIN` with the name server in the file,
    wherever the file is found."""
    k = knot_factory({Z: ZONE})
    text = defaults(nameserver=[k.addr])
    xdg = write(tmp_path / "config-home" / "tlsrpt-publish" / "config", text)
    other = write(tmp_path / "elsewhere.conf", text)
    for args, env in (([], env_for(tmp_path)),
                      (["--config", other], env_for(tmp_path)),
                      ([], env_for(tmp_path, TLSRPT_PUBLISH_CONFIG=other))):
        r = check(binary, *args, "a." + Z, env=env)
        assert r.returncode == 0, r
        res = r.result()
        assert res["status"] == "valid"
        # Authoritative, as --nameserver makes it: the server is listed.
        assert [s["address"] for s in res["servers"]] == [k.addr]
    os.unlink(xdg)
    # Without the file: the system's resolver, no server list.
    r = check(binary, "--resolver", k.addr, "a." + Z, env=env_for(tmp_path))
    assert r.returncode == 0, r
    assert "servers" not in r.result()


def test_options_beat_the_file(binary, knot_factory, silent_server,
                               tmp_path):
    k = knot_factory({Z: ZONE})
    conf = write(tmp_path / "c.conf", defaults(nameserver=[silent_server.addr],
                                               resolver=[silent_server.addr]))
    env = env_for(tmp_path)
    # The file's server never answers: not known (exit 3).
    r = check(binary, "--config", conf, "--no-destination-checks", "a." + Z,
              env=env)
    assert r.returncode == 3, r
    # --nameserver replaces the file's list (it does not add to it).
    r = check(binary, "--config", conf, "--nameserver", k.addr,
              "--resolver", k.addr, "a." + Z, env=env)
    assert r.returncode == 0, r
    assert [s["address"] for s in r.result()["servers"]] == [k.addr]


def test_timeout_from_the_file(binary, knot_factory, tmp_path):
    k = knot_factory({Z: ZONE})
    conf = write(tmp_path / "c.conf",
                 defaults(nameserver=[k.addr], timeout=1, interval=0.3))
    r = check(binary, "--config", conf, "--wait", "missing." + Z,
              env=env_for(tmp_path))
    assert r.returncode == 3, r
    assert r.seconds < 5, r.seconds
    assert "wait-timeout" in r.codes()
    assert "within 1 s" in [d for d in r.result()["diagnostics"]
                            if d["code"] == "wait-timeout"][0]["message"]
    # --timeout wins over the file.
    r = check(binary, "--config", conf, "--wait", "--timeout", "2",
              "missing." + Z, env=env_for(tmp_path))
    assert r.returncode == 3 and r.seconds >= 1.8, r


def test_all(binary, knot_factory, tmp_path):
    k = knot_factory({Z: ZONE})
    conf = write(tmp_path / "c.conf",
                 defaults(nameserver=[k.addr]) +
                 'domains = ( "a.example.test", { name = "missing.'
                 'example.test"; } );\n')
    env = env_for(tmp_path)
    r = check(binary, "--config", conf, "--all", env=env)
    assert r.returncode == 1, r
    assert sorted(x["domain"] for x in r.results) == \
        ["a." + Z, "missing." + Z]
    assert r.result("missing." + Z)["status"] == "missing"
    # An argument that is also in the list is checked once, and said so.
    r = check(binary, "--config", conf, "--all", "A.example.test", "b." + Z,
              env=env)
    assert sorted(x["domain"] for x in r.results) == \
        ["a." + Z, "b." + Z, "missing." + Z]
    assert "'a.example.test' is given more than once" in r.stderr
    # --all never is implied: no domain is a usage error.
    r = check(binary, "--config", conf, env=env)
    assert r.returncode == 2 and "--all" in r.stderr, r
    r = check(binary, "--config", write(tmp_path / "n.conf", "defaults = {};"),
              "--all", env=env)
    assert r.returncode == 2 and "no domains list" in r.stderr, r


def test_configured_rua_only_when_asked(binary, knot_factory, tmp_path):
    k = knot_factory({Z: ZONE})
    conf = write(tmp_path / "c.conf",
                 defaults(nameserver=[k.addr],
                          rua=["mailto:other@example.test"]) +
                 'domains = ( { name = "a.example.test"; '
                 'rua = [ "mailto:tls@example.test" ]; } );\n')
    env = env_for(tmp_path)
    # defaults.rua differs from b's record, but it is not an expectation.
    r = check(binary, "--config", conf, "b." + Z, env=env)
    assert r.returncode == 0, r
    assert "rua-unexpected" not in r.codes()
    r = check(binary, "--config", conf, "--expect-configured-rua",
              "a." + Z, "b." + Z, env=env)
    assert r.returncode == 1, r
    assert r.result("a." + Z)["status"] == "valid"
    b = r.result("b." + Z)
    assert b["status"] == "invalid"
    d = [d for d in b["diagnostics"] if d["code"] == "rua-unexpected"][0]
    assert "defaults.rua" in d["message"]
    assert "missing mailto:other@example.test" in d["message"]
    # In --wait mode the watcher waits for the configured ones too.
    r = check(binary, "--config", conf, "--expect-configured-rua", "--wait",
              "--timeout", "1", "b." + Z, env=env)
    assert r.returncode == 3, r
    r = check(binary, "--config", conf, "--expect-configured-rua",
              "--expect-rua", "mailto:tls@example.test", "a." + Z, env=env)
    assert r.returncode == 2 and "not both" in r.stderr, r


def test_bad_config_as_publish_says_it(binary, tmp_path):
    env = env_for(tmp_path)
    bad = write(tmp_path / "bad.conf", "defaults = {\n  timeout = ;\n};\n")
    r = check(binary, "--config", bad, "a." + Z, env=env)
    assert r.returncode == 2, r
    p = subprocess.run([binary, "plan", "--config", bad, "--provider",
                        "cloudflare", "--rua", "mailto:tls@example.test",
                        "a." + Z], capture_output=True, text=True, env=env)
    assert p.returncode == 2
    line = [x for x in r.stderr.splitlines() if bad in x]
    assert line and line[0] in p.stderr, (r.stderr, p.stderr)
    assert bad + ":2" in line[0]
    # A value of the wrong kind, and a missing file named explicitly.
    r = check(binary, "--config", write(tmp_path / "t.conf",
                                        defaults(interval="soon")),
              "a." + Z, env=env)
    assert r.returncode == 2 and "interval" in r.stderr, r
    for env2 in (env, env_for(tmp_path, TLSRPT_PUBLISH_CONFIG=str(
            tmp_path / "nope.conf"))):
        args = ["--config", str(tmp_path / "nope.conf")] \
            if env2 is env else []
        r = check(binary, *args, "a." + Z, env=env2)
        assert r.returncode == 2 and "nope.conf" in r.stderr, r
