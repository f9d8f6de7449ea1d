"""pytest fixtures: the Route 53 emulator wired to a real Knot DNS server,
and the AWS credentials stand-in sharing the session's test CA.

    def test_x(route53):                    # example.test, one key pair
        route53.env()                       # a clean environment for the
                                            # binary: keys, endpoint, CA
        route53.endpoint                    # https://127.0.0.1:P
        route53.zone_id("example.test")
        route53.rrset("_smtp._tls.example.test")   # {"TTL", "values"} or None
        route53.txt("_smtp._tls.example.test")     # what Knot serves now
        route53.aws("list-hosted-zones")    # Debian's AWS CLI against it
        route53.throttle(3)                 # the next 3 requests: Throttling

    def test_y(route53_factory):
        sb = route53_factory(zones=["example.test", "sub.example.test"],
                             private_zones=["example.test"],
                             records={"example.test": [{"name": "_smtp._tls",
                                      "ttl": 300, "values": ['"v=..."']}]},
                             keys=[{"id": "AKID2", "secret": "s",
                                    "deny": ["ChangeResourceRecordSets"]}],
                             concurrent=[...], sync_delay=1.0,
                             args=["--prior-request-window", "1"])

    def test_z(route53_factory, r53_creds):  # credential sources
        sb = route53_factory(key_service=r53_creds.url("control"))

Everything is stopped when its test (or the session) ends.
"""
import json
import os
import secrets
import subprocess
import uuid

import pytest

from harness.emulators import EmulatorProcess
from harness.fixtures_aws import (CONTAINER_TOKEN, ROLE_ARN, WEB_TOKEN,
                                  aws_creds_stand_in)
from harness.knot import Knot
from harness.sandboxbase import SandboxBase, factory
from harness.cli import sandbox_env

AWS_CLI = "/usr/bin/aws"
NS = "https://route53.amazonaws.com/doc/2013-04-01/"

__all__ = ["Route53Sandbox", "error_body", "ROLE_ARN", "WEB_TOKEN",
           "CONTAINER_TOKEN"]


def error_body(code, message, status=400):
    """Route 53's ErrorResponse document, for injected faults."""
    return ('<?xml version="1.0"?>\n<ErrorResponse xmlns="%s"><Error>'
            '<Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>'
            '<RequestId>%s</RequestId></ErrorResponse>' % (
                NS, "Receiver" if status >= 500 else "Sender", code,
                message, uuid.uuid4()))


class Route53Sandbox(SandboxBase):
    def __init__(self, ca, tmp_path, zones=("example.test",),
                 private_zones=(), records=None, keys=None, concurrent=None,
                 args=(), dns_delay=0.0, sync_delay=0.5, knot_servers=1,
                 key_service=None):
        self.ca = ca
        self.ca_file = ca.ca_file
        self.key_id = "AKIA" + secrets.token_hex(8).upper()
        self.secret = secrets.token_urlsafe(30)
        self.knots = []
        self.emu = None
        self.tmp = str(tmp_path)
        self.home = os.path.join(self.tmp, "home-" + secrets.token_hex(3))
        os.makedirs(os.path.join(self.home, ".aws"), exist_ok=True)
        try:
            self._start(list(zones), list(private_zones), records, keys,
                        concurrent, list(args), dns_delay, sync_delay,
                        knot_servers, key_service)
        except BaseException:
            self.stop()
            raise

    def _start(self, zones, private_zones, records, keys, concurrent, args,
               dns_delay, sync_delay, knot_servers, key_service):
        for _ in range(knot_servers):
            self.knots.append(Knot({z: [] for z in zones}).start())
        records = records or {}
        seed = {"keys": [{"id": self.key_id, "secret": self.secret}]
                + list(keys or []),
                "zones": [{"name": z, "records": records.get(z, [])}
                          for z in zones]
                + [{"name": z, "private": True,
                    "records": records.get(z + " private", [])}
                   for z in private_zones],
                "concurrent": list(concurrent or []),
                "settings": {"sync_delay": sync_delay}}
        path = os.path.join(self.tmp, "r53-seed-%s.json"
                            % secrets.token_hex(4))
        with open(path, "w") as f:
            json.dump(seed, f)
        cmd = ["--seed", path, "--dns-delay", str(dns_delay)]
        for k in self.knots:
            cmd += ["--knot", "%s:%d" % (k.address, k.port)]
        if key_service:
            cmd += ["--key-service", key_service]
        self.emu = EmulatorProcess("route53", self.ca, cmd + args).start()
        self.control = self.emu.control
        self.endpoint = self.emu.url
        self.port = self.emu.info["port"]
        self.zones, self.private = {}, {}
        for z in self.control.state()["zones"]:
            (self.private if z["private"] else self.zones)[
                z["name"].rstrip(".")] = z["id"]

    def zone_id(self, name, private=False):
        return (self.private if private else self.zones)[name]

    def env(self, **extra):
        """The binary's environment: nothing of this machine's own AWS
        set-up (HOME is a fresh directory), the sandbox's key pair,
        endpoint and CA; extra NAME=None removes a variable."""
        e = {"HOME": self.home, "XDG_CONFIG_HOME": self.home,
             "AWS_ACCESS_KEY_ID": self.key_id,
             "AWS_SECRET_ACCESS_KEY": self.secret,
             "AWS_ENDPOINT_URL_ROUTE_53": self.endpoint,
             "CURL_CA_BUNDLE": self.ca_file,
             "AWS_EC2_METADATA_DISABLED": "true",
             "TLSRPT_ROUTE53_SYNC_INTERVAL": "0.2"}
        return sandbox_env(e, **extra)

    def rrset(self, owner, zone="example.test", private=False):
        """{"TTL", "values"} of the TXT RRset at owner, or None."""
        for z in self.control.state()["zones"]:
            if z["name"] == zone + "." and z["private"] == private:
                for r in z["rrsets"]:
                    if r["Name"] == owner + "." and r["Type"] == "TXT":
                        return r
                return None
        raise AssertionError("no zone " + zone)

    def throttle(self, count, code="Throttling", message="Rate exceeded",
                 match=None, status=400):
        """The next count matching requests get Route 53's error."""
        self.control.add_fault({
            "match": match or {}, "count": count, "action": "status",
            "status": status, "body": error_body(code, message, status),
            "headers": {"Content-Type": "text/xml"}})

    def aws(self, *args, env=None):
        """Debian's AWS CLI (botocore) against the emulator, with the
        sandbox's key pair and CA; the parsed JSON output."""
        e = {"PATH": "/usr/bin:/bin", "HOME": self.home,
             "AWS_ACCESS_KEY_ID": self.key_id,
             "AWS_SECRET_ACCESS_KEY": self.secret,
             "AWS_CA_BUNDLE": self.ca_file,
             "AWS_DEFAULT_REGION": "us-east-1",
             "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""}
        e.update(env or {})
        r = subprocess.run([AWS_CLI, "route53", *args, "--endpoint-url",
                            self.endpoint, "--output", "json"],
                           env=e, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if r.stdout.strip() else None

@pytest.fixture
def route53_factory(test_ca, tmp_path):
    with factory(lambda **kw: Route53Sandbox(test_ca, tmp_path, **kw)) \
            as make:
        yield make


@pytest.fixture
def route53(route53_factory):
    return route53_factory()


@pytest.fixture(scope="session")
def _r53_creds_proc(test_ca, tmp_path_factory):
    """The credentials stand-in (STS over HTTPS with the session's test
    CA, so one bundle serves both; IMDS and container on plain HTTP)."""
    yield from aws_creds_stand_in(str(tmp_path_factory.mktemp("r53creds")),
                                  test_ca.dir, test_ca.ca_file)


@pytest.fixture
def r53_creds(_r53_creds_proc):
    """The credentials stand-in, reset for this test."""
    _r53_creds_proc.reset()
    return _r53_creds_proc
