"""The command line itself: --help, --version, unknown commands."""
import subprocess


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True,
                          timeout=30)


def test_version(binary):
    r = run(binary, "--version")
    assert r.returncode == 0
    assert r.stdout.startswith("tlsrpt-publish ")


def test_help_lists_commands(binary):
    r = run(binary, "--help")
    assert r.returncode == 0
    assert "Commands:" in r.stdout


def test_unknown_command_is_usage_error(binary):
    r = run(binary, "frobnicate")
    assert r.returncode == 2
    assert "frobnicate" in r.stderr


def test_ca_fixture_makes_verifiable_chain(test_ca):
    r = subprocess.run(["openssl", "verify", "-CAfile", test_ca.ca_file,
                        test_ca.cert_file], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["openssl", "verify", "-CAfile", test_ca.other_ca_file,
                        test_ca.cert_file], capture_output=True, text=True)
    assert r.returncode != 0


def test_report_to_a_pipe_or_a_link(binary, tmp_path):
    """--report FILE normally goes to a temporary file renamed over FILE;
    a FILE that is a pipe or a link is written in place instead (renaming
    would replace the link, or create a file in /dev)."""
    import json
    import os
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    env.pop("TLSRPT_PUBLISH_CONFIG", None)
    args = [binary, "check", "--nameserver", "127.0.0.1:1", "--timeout",
            "1", "--output", "jsonl", "example.test"]
    r = subprocess.run(args + ["--report", "/dev/stderr"], env=env,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3, r.stderr
    doc = json.loads(r.stderr[r.stderr.index('{"results"'):])
    assert doc["summary"]["exit_status"] == 3
    target = tmp_path / "target.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    r = subprocess.run(args + ["--report", str(link)], env=env,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3, r.stderr
    assert link.is_symlink()
    assert json.loads(target.read_text())["results"][0]["domain"] == \
        "example.test"
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ["link.json", "target.json"]
