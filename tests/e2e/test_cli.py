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
