"""Run a provider sandbox (its API emulator wired to a local Knot DNS
server) until told to stop; used by `make demo` (scripts/demo.sh).

    /usr/bin/python3 tests/harness/sandbox.py PROVIDER DIR

Makes a test CA in DIR/ca, starts Knot and the emulator with the demo zone
(example.test, which receives mail: an MX and its mail server's address,
so that `check` finds the report mailbox deliverable), writes
DIR/sandbox.json:

    {"env": {VAR: VALUE},            # credentials, as a user exports them
     "unset": [VAR, ...],            # optional: variables to unset first
     "config": "...",                # a config file pointing at the sandbox
     "nameserver": "127.0.0.1:PORT", # the Knot server
     "control_url": "http://..."}    # the emulator's control API

prints "ready" on stdout, then waits for SIGTERM, SIGINT or the end of
its parent process, and stops everything it started (emulator, then Knot).

A provider's sandbox is one function in SANDBOXES below.
"""
import json
import os
import signal
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from harness.ca import TestCA  # noqa: E402

ZONE = "example.test"

# The zone is a mail domain, as a real one is: the report destination
# mailto:tls-reports@example.test must have somewhere to go. Written
# straight to Knot (the emulators push only the TXT RRsets they change).
MAIL_RECORDS = [("@", 300, "MX", "10 mail.example.test."),
                ("mail", 300, "A", "127.0.0.1")]


def sandbox_config(ca, knot_addr, section, key, url, what):
    """The config file a user would have for this sandbox: the test CA,
    the local Knot as the name server to confirm at and as the resolver
    (it is the sandbox's whole DNS), and the API emulator's URL."""
    return (
        "# Sandbox settings written by `make demo` (see config.example).\n"
        "defaults = {\n"
        '  cacert = "%s";   # trust the sandbox\'s test CA\n'
        '  nameserver = [ "%s" ];   # confirm at the local Knot server\n'
        '  resolver = [ "%s" ];   # and look names up there too\n'
        "};\n"
        "%s = {\n"
        '  %s = "%s";   # the %s\n'
        "};\n" % (ca.ca_file, knot_addr, knot_addr, section, key, url,
                   what))


def cloudflare(ca, tmp):
    from harness.fixtures_emulators import CloudflareSandbox
    sb = CloudflareSandbox(ca, [ZONE], None, None, [], 0.0, 1, tmp)
    config = sandbox_config(ca, sb.knot_addr, "cloudflare", "api_url",
                            sb.api_url, "Cloudflare API emulator")
    info = {"env": {"CLOUDFLARE_API_TOKEN": sb.token}, "config": config,
            "nameserver": sb.knot_addr,
            "control_url": sb.control.url}
    return sb, info


def godaddy(ca, tmp):
    from harness.fixtures_godaddy import GoDaddySandbox
    sb = GoDaddySandbox(ca, tmp, domains=[ZONE])
    config = sandbox_config(ca, sb.knot_addr, "godaddy", "api_url",
                            sb.base_url, "GoDaddy API emulator")
    info = {"env": {"GODADDY_API_KEY": sb.key,
                    "GODADDY_API_SECRET": sb.secret}, "config": config,
            "nameserver": sb.knot_addr, "control_url": sb.control.url}
    return sb, info


def route53(ca, tmp):
    from harness.fixtures_route53 import Route53Sandbox
    sb = Route53Sandbox(ca, tmp, zones=[ZONE], sync_delay=1.0)
    config = sandbox_config(ca, sb.knot_addr, "route53", "endpoint_url",
                            sb.endpoint, "Route 53 API emulator")
    info = {"env": {"AWS_ACCESS_KEY_ID": sb.key_id,
                    "AWS_SECRET_ACCESS_KEY": sb.secret},
            # What would point the tool elsewhere than the sandbox.
            "unset": ["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                      "AWS_ENDPOINT_URL_ROUTE_53", "AWS_ENDPOINT_URL",
                      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_PROFILE"],
            "config": config, "nameserver": sb.knot_addr,
            "control_url": sb.control.url}
    return sb, info


# One line per provider: name -> function(ca, tmpdir) -> (sandbox, info).
SANDBOXES = {
    "cloudflare": cloudflare,
    "route53": route53,
    "godaddy": godaddy,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in SANDBOXES:
        sys.stderr.write("usage: sandbox.py {%s} DIR\n"
                         % "|".join(sorted(SANDBOXES)))
        return 2
    name, d = sys.argv[1], os.path.abspath(sys.argv[2])
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ca = TestCA(os.path.join(d, "ca"))
    sb, info = SANDBOXES[name](ca, d)
    try:
        sb.knot.update(ZONE, add=MAIL_RECORDS)
        with open(os.path.join(d, "sandbox.json"), "w") as f:
            json.dump(info, f)
        print("ready", flush=True)

        # Also stop when the parent (the demo script) is gone, however
        # it ended: nothing is ever left running.
        parent = os.getppid()
        while not stop.wait(0.5):
            if os.getppid() != parent:
                break
    finally:
        sb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
