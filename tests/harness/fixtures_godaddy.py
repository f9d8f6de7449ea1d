"""pytest fixtures: the GoDaddy emulator wired to a real Knot DNS server.

    def test_x(godaddy):                    # example.test, one account
        godaddy.env()                       # GODADDY_API_KEY/_SECRET/_URL,
                                            # CURL_CA_BUNDLE for the binary
        godaddy.key, godaddy.secret, godaddy.base_url
        godaddy.control.counters()          # control.ControlClient
        godaddy.knot_addr                   # "127.0.0.1:PORT" (--nameserver)
        godaddy.txt("_smtp._tls.example.test")   # what Knot serves now
        godaddy.records("example.test", "_smtp._tls")  # what the API holds
        godaddy.api("GET", "/v1/domains")   # a direct call

    def test_y(godaddy_factory):
        gd = godaddy_factory(domains=["example.test", "other.test"],
                             records={"example.test": [{...}]},
                             extra_domains=["a.test", ...],  # not in Knot
                             accounts=[{...seed account...}],
                             access_denied=False, env="production",
                             args=["--retry-after-header"], dns_delay=0.5)

Each sandbox is stopped (emulator, then Knot) when its test ends.
"""
import json
import os
import secrets

import pytest

from harness.emulators import EmulatorProcess
from harness.knot import Knot
from harness.sandboxbase import SandboxBase, factory

ACCOUNT = "1000001"


class GoDaddySandbox(SandboxBase):
    def __init__(self, ca, tmp_path, domains=("example.test",), records=None,
                 extra_domains=(), accounts=(), access_denied=False,
                 env="production", args=(), dns_delay=0.0, knot_servers=1):
        self.ca_file = ca.ca_file
        self.ca = ca
        self.env_name = env
        self.key = "gdkey" + secrets.token_hex(12)
        self.secret = "gdsec" + secrets.token_urlsafe(16)
        self.account = ACCOUNT
        self.knots = []
        self.emu = None
        try:
            self._start(tmp_path, list(domains), records or {},
                        list(extra_domains), list(accounts), access_denied,
                        args, dns_delay, knot_servers)
        except BaseException:
            self.stop()
            raise

    def _start(self, tmp, domains, records, extra, accounts, denied, args,
               dns_delay, knot_servers):
        for _ in range(knot_servers):
            self.knots.append(Knot({d: [] for d in domains}).start())
        seed = {"accounts": [{
            "id": ACCOUNT, "access_denied": denied,
            "keys": [{"key": self.key, "secret": self.secret,
                      "env": self.env_name}],
            "domains": [{"domain": d, "records": records.get(d, [])}
                        for d in domains + extra]}] + accounts}
        path = os.path.join(str(tmp), "gd-seed-%s.json"
                            % secrets.token_hex(4))
        with open(path, "w") as f:
            json.dump(seed, f)
        cmd = ["--seed", path, "--env", self.env_name,
               "--dns-delay", str(dns_delay)]
        for k in self.knots:
            cmd += ["--knot", "%s:%d" % (k.address, k.port)]
        if extra:           # no Knot zone behind these: push the others
            for d in domains:
                cmd += ["--knot-zone", d]
        self.emu = EmulatorProcess("godaddy", self.ca,
                                   cmd + list(args)).start()
        self.control = self.emu.control
        self.base_url = self.emu.url
        self.port = self.emu.info["port"]

    def env(self, **extra):
        e = dict(os.environ, GODADDY_API_KEY=self.key,
                 GODADDY_API_SECRET=self.secret,
                 GODADDY_API_URL=self.base_url,
                 CURL_CA_BUNDLE=self.ca_file)
        for k in ("GODADDY_ENV", "GODADDY_SHOPPER_ID", "GODADDY_CLAMP_TTL",
                  "GODADDY_API_KEY_FILE", "GODADDY_API_SECRET_FILE"):
            e.pop(k, None)
        e.update(extra)
        return e

    def records(self, domain="example.test", name=None, rtype="TXT"):
        """The records the emulator holds for domain (of one name)."""
        for a in self.control.state()["accounts"]:
            for d in a["domains"]:
                if d["domain"] == domain:
                    return [r for r in d["records"] if r["type"] == rtype
                            and (name is None or r["name"] == name)]
        raise AssertionError("no domain " + domain)

    def api(self, method, path, body=None, key=None, secret=None,
            headers=None, conn=None, timeout=10):
        """One request -> (status, headers, json, raw bytes when the body
        is not JSON, or None when empty)."""
        auth = {} if key == "" else {
            "Authorization": "sso-key %s:%s" % (key or self.key,
                                                secret or self.secret)}
        return self.call(method, path, body, auth, headers, conn, timeout)


@pytest.fixture
def godaddy_factory(test_ca, tmp_path):
    with factory(lambda **kw: GoDaddySandbox(test_ca, tmp_path, **kw)) \
            as make:
        yield make


@pytest.fixture
def godaddy(godaddy_factory):
    return godaddy_factory()
