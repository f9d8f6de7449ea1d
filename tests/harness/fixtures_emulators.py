"""pytest fixtures: provider emulators wired to a real Knot DNS server.

    def test_x(cloudflare):                 # example.test, one token
        cloudflare.env()                    # CLOUDFLARE_API_TOKEN/_URL,
                                            # CURL_CA_BUNDLE for the binary
        cloudflare.api_url                  # https://127.0.0.1:P/client/v4
        cloudflare.ca_file, cloudflare.token
        cloudflare.zone_id("example.test")
        cloudflare.control.counters()       # control.ControlClient
        cloudflare.knot_addr                # "127.0.0.1:PORT" (--nameserver)
        cloudflare.txt("_smtp._tls.example.test")   # what Knot serves now

    def test_y(cloudflare_factory):
        cf = cloudflare_factory(zones=["example.test", "sub.example.test"],
                                records={"example.test": [{...}]},
                                tokens=[{"token": "t2", "zones": ["x"]}],
                                args=["--rate-limit", "40/1"],
                                dns_delay=0.5, knot_servers=2)

Each sandbox is stopped (emulator, then Knot) when its test ends.
"""
import json
import os
import secrets

import pytest

from harness.emulators import EmulatorProcess
from harness.knot import TSIG_NAME, TSIG_SECRET, Knot
from harness.sandboxbase import SandboxBase, factory

__all__ = ["TSIG_NAME", "TSIG_SECRET", "Knot", "CloudflareSandbox",
           "free_port"]


def free_port(address="127.0.0.1"):
    """A TCP port free right now (for servers that cannot take port 0)."""
    import socket
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


class CloudflareSandbox(SandboxBase):
    EMPTY_BODY = b""

    def __init__(self, ca, zones, records, tokens, args, dns_delay,
                 knot_servers, tmp_path):
        self.ca_file = ca.ca_file
        self.ca = ca
        self.token = "cftest_" + secrets.token_urlsafe(24)
        self.knots = []
        self.emu = None
        self._tmp = tmp_path
        try:
            self._start(zones, records, tokens, args, dns_delay,
                        knot_servers)
        except BaseException:
            self.stop()
            raise

    def _start(self, zones, records, tokens, args, dns_delay, knot_servers):
        for _ in range(knot_servers):
            self.knots.append(Knot({z: [] for z in zones}).start())
        seed = {"tokens": [{"token": self.token, "zones": "*"}]
                + list(tokens or []),
                "zones": [{"name": z, "records": (records or {}).get(z, [])}
                          for z in zones]}
        path = os.path.join(str(self._tmp), "cf-seed-%s.json"
                            % secrets.token_hex(4))
        with open(path, "w") as f:
            json.dump(seed, f)
        cmd = ["--seed", path, "--dns-delay", str(dns_delay)]
        for k in self.knots:
            cmd += ["--knot", "%s:%d" % (k.address, k.port)]
        self.emu = EmulatorProcess("cloudflare", self.ca,
                                   cmd + list(args)).start()
        self.control = self.emu.control
        self.base_url = self.emu.url
        self.api_url = self.emu.url + "/client/v4"
        self.port = self.emu.info["port"]
        self.zones = {z["name"]: z["id"]
                      for z in self.control.state()["zones"]}

    def zone_id(self, name):
        return self.zones[name]

    def env(self, **extra):
        e = dict(os.environ, CLOUDFLARE_API_TOKEN=self.token,
                 CLOUDFLARE_API_URL=self.api_url,
                 CURL_CA_BUNDLE=self.ca_file)
        e.update(extra)
        return e

    def api(self, method, path, body=None, token=None, headers=None,
            conn=None, timeout=10):
        """One request to /client/v4 + path -> (status, headers, json or
        raw bytes when the body is not JSON)."""
        auth = {} if token == "" else {
            "Authorization": "Bearer " + (token or self.token)}
        return self.call(method, "/client/v4" + path, body, auth, headers,
                         conn, timeout)


@pytest.fixture
def cloudflare_factory(test_ca, tmp_path):
    def build(zones=("example.test",), records=None, tokens=None, args=(),
              dns_delay=0.0, knot_servers=1):
        return CloudflareSandbox(test_ca, list(zones), records, tokens, args,
                                 dns_delay, knot_servers, tmp_path)
    with factory(build) as make:
        yield make


@pytest.fixture
def cloudflare(cloudflare_factory):
    return cloudflare_factory()
