"""A DNS portfolio for bulk runs: the Cloudflare, GoDaddy and Route 53
emulators side by side, each holding its own zones, all of them served by
one Knot DNS server (each emulator pushes its accepted writes there), and
a config file pointing tlsrpt-publish at all three.

    pf = Portfolio(ca, tmp, {"cloudflare": ["a1.test", ...],
                             "godaddy": [...], "route53": [...]},
                   records={"a1.test": ["v=spf1 -all"]},   # at _smtp._tls
                   rate=40, latency=0.05, sync_delay=0.5).start()
    pf.env()            # credentials, CA, a clean HOME for the binary
    pf.config           # path of the config file (defaults, provider
                        # sections with api_url/endpoint_url and rate)
    pf.emu["godaddy"].control.counters()
    pf.txt("a1.test")   # the TXT values Knot serves at _smtp._tls.a1.test
    pf.api_values("a1.test")  # what the provider's API holds there
    pf.stop()

Used by tests/e2e/test_bulk*.py (fixtures_bulk.py) and by the benchmark
(tests/bench/bulk_bench.py). Run with Debian's /usr/bin/python3.
"""
import json
import os
import secrets

from harness.emulators import EmulatorProcess
from harness.fixtures_emulators import Knot
from harness.cli import sandbox_env

PROVIDERS = ("cloudflare", "godaddy", "route53")
OWNER = "_smtp._tls"
GD_ACCOUNT = "1000001"

# Name servers per provider for --provider auto tests (Knot answers NS
# queries for every zone with these names).
NS_NAMES = {
    "cloudflare": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
    "godaddy": ["ns07.domaincontrol.com", "ns08.domaincontrol.com"],
    "route53": ["ns-1536.awsdns-00.co.uk", "ns-512.awsdns-00.net"],
}


def quoted(v):
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Portfolio:
    def __init__(self, ca, tmp, zones, records=None, rate=None,
                 latency=0.0, sync_delay=0.5, dns_delay=0.0, args=None,
                 zone_ns=None, tool_rate=None, rua=None, extra_conf="",
                 provider_conf=None):
        """zones: {provider: [zone, ...]}; records: {zone: [TXT values at
        _smtp._tls]}; rate: requests per second each emulator allows
        (answering 429/Throttling beyond), and tool_rate what the config
        tells the tool (default: rate); args: {provider: [flags]};
        zone_ns: {zone: [NS names]} (default: ns1.ZONE); provider_conf:
        {provider: "setting lines"} for its config section."""
        self.ca = ca
        self.tmp = str(tmp)
        self.zones = {p: list(zones.get(p, ())) for p in PROVIDERS}
        self.records = dict(records or {})
        self.rate = rate
        self.tool_rate = tool_rate if tool_rate is not None else rate
        self.latency = latency
        self.sync_delay = sync_delay
        self.dns_delay = dns_delay
        self.args = dict(args or {})
        self.zone_ns = zone_ns
        self.rua = rua or "mailto:tls-reports@example.net"
        self.extra_conf = extra_conf
        self.provider_conf = dict(provider_conf or {})
        self.token = "cftest_" + secrets.token_urlsafe(24)
        self.gd_key = "gdkey" + secrets.token_hex(12)
        self.gd_secret = "gdsec" + secrets.token_urlsafe(16)
        self.aws_key = "AKIA" + secrets.token_hex(8).upper()
        self.aws_secret = secrets.token_urlsafe(30)
        self.home = os.path.join(self.tmp, "home-" + secrets.token_hex(3))
        os.makedirs(os.path.join(self.home, ".aws"), exist_ok=True)
        self.knot = None
        self.emu = {}
        self.config = os.path.join(self.tmp, "portfolio-%s.conf"
                                   % secrets.token_hex(3))

    # ---- set-up --------------------------------------------------------
    def provider_of(self, zone):
        for p in PROVIDERS:
            if zone in self.zones[p]:
                return p
        raise KeyError(zone)

    def all_zones(self):
        return [z for p in PROVIDERS for z in self.zones[p]]

    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self):
        ns = None
        if self.zone_ns is not None:
            ns = {z: [(n, None) for n in names]
                  for z, names in self.zone_ns.items()}
        self.knot = Knot({z: [] for z in self.all_zones()},
                         zone_ns=ns).start(timeout=120)
        for p in PROVIDERS:
            if self.zones[p]:
                self._start_emulator(p)
        self._write_config()

    def _seed(self, p):
        zs = self.zones[p]
        recs = self.records
        if p == "cloudflare":
            return {"tokens": [{"token": self.token, "zones": "*"}],
                    "zones": [{"name": z, "records": [
                        {"type": "TXT", "name": OWNER + "." + z,
                         "content": quoted(v), "ttl": 600}
                        for v in recs.get(z, [])]} for z in zs]}
        if p == "godaddy":
            return {"accounts": [{
                "id": GD_ACCOUNT,
                "keys": [{"key": self.gd_key, "secret": self.gd_secret,
                          "env": "production"}],
                "domains": [{"domain": z, "records": [
                    {"type": "TXT", "name": OWNER, "data": v, "ttl": 600}
                    for v in recs.get(z, [])]} for z in zs]}]}
        return {"keys": [{"id": self.aws_key, "secret": self.aws_secret}],
                "zones": [{"name": z, "records": [
                    {"name": OWNER, "type": "TXT", "ttl": 600,
                     "values": [quoted(v) for v in recs[z]]}]
                    if recs.get(z) else []} for z in zs],
                "settings": {"sync_delay": self.sync_delay}}

    def _start_emulator(self, p):
        path = os.path.join(self.tmp, "%s-seed-%s.json"
                            % (p, secrets.token_hex(3)))
        with open(path, "w") as f:
            json.dump(self._seed(p), f)
        args = ["--seed", path, "--dns-delay", str(self.dns_delay),
                "--knot", "%s:%d" % (self.knot.address, self.knot.port)]
        if self.rate:
            args += ["--rate-limit", "%d/1" % self.rate]
        if self.latency:
            args += ["--latency", str(self.latency)]
        self.emu[p] = EmulatorProcess(p, self.ca, args
                                      + list(self.args.get(p, ()))).start(
                                          timeout=60)

    def _write_config(self):
        rate = "  rate = %s;\n" % self.tool_rate if self.tool_rate else ""

        def more(p):
            return rate + self.provider_conf.get(p, "")
        text = ("defaults = {\n"
                '  cacert = "%s";\n  nameserver = [ "%s" ];\n'
                '  rua = [ "%s" ];\n};\n'
                % (self.ca.ca_file, self.knot.addr, self.rua))
        if "cloudflare" in self.emu:
            text += ('cloudflare = {\n  api_url = "%s/client/v4";\n%s};\n'
                     % (self.emu["cloudflare"].url, more("cloudflare")))
        if "godaddy" in self.emu:
            text += ('godaddy = {\n  api_url = "%s";\n%s};\n'
                     % (self.emu["godaddy"].url, more("godaddy")))
        if "route53" in self.emu:
            text += ('route53 = {\n  endpoint_url = "%s";\n%s};\n'
                     % (self.emu["route53"].url, more("route53")))
        text += self.extra_conf
        with open(self.config, "w") as f:
            f.write(text)
        os.chmod(self.config, 0o600)

    def domains_conf(self, providers=True, zones=None):
        """A domains list for --all: every zone (or those given), with
        its provider."""
        lines = []
        for z in (zones if zones is not None else self.all_zones()):
            if providers:
                lines.append('  { name = "%s"; provider = "%s"; }'
                             % (z, self.provider_of(z)))
            else:
                lines.append('  "%s"' % z)
        return "domains = (\n%s\n);\n" % ",\n".join(lines)

    def add_conf(self, text):
        with open(self.config, "a") as f:
            f.write(text)

    # ---- the binary's environment ----------------------------------------
    def env(self, **extra):
        e = {"HOME": self.home, "XDG_CONFIG_HOME": self.home,
             "TLSRPT_PUBLISH_CONFIG": self.config,
             "CLOUDFLARE_API_TOKEN": self.token,
             "GODADDY_API_KEY": self.gd_key,
             "GODADDY_API_SECRET": self.gd_secret,
             "AWS_ACCESS_KEY_ID": self.aws_key,
             "AWS_SECRET_ACCESS_KEY": self.aws_secret,
             "AWS_EC2_METADATA_DISABLED": "true",
             "TLSRPT_ROUTE53_SYNC_INTERVAL": "0.2"}
        return sandbox_env(e, **extra)

    # ---- looking at the state --------------------------------------------
    def txt(self, zone):
        """TXT values Knot serves at _smtp._tls.ZONE, after every pending
        push of its emulator."""
        self.emu[self.provider_of(zone)].control.dns_flush()
        return self.knot.txt(OWNER + "." + zone)

    def api_values(self, zone):
        """The TXT values the provider's API holds at _smtp._tls.ZONE."""
        p = self.provider_of(zone)
        st = self.emu[p].control.state()
        owner = OWNER + "." + zone
        if p == "cloudflare":
            for z in st["zones"]:
                if z["name"] == zone:
                    return sorted(_unquote(r["content"]) for r in z["records"]
                                  if r["type"] == "TXT" and r["name"] == owner)
        elif p == "godaddy":
            for a in st["accounts"]:
                for d in a["domains"]:
                    if d["domain"] == zone:
                        return sorted(r["data"] for r in d["records"]
                                      if r["type"] == "TXT"
                                      and r["name"] == OWNER)
        else:
            for z in st["zones"]:
                if z["name"] == zone + "." and not z["private"]:
                    for r in z["rrsets"]:
                        if r["Name"] == owner + "." and r["Type"] == "TXT":
                            return sorted(_unquote(v) for v in r["values"])
                    return []
        raise KeyError(zone)

    def counters(self, p):
        return self.emu[p].control.counters()

    def reset_counters(self):
        for e in self.emu.values():
            e.control.reset(counters=True, log=True)

    def stop(self):
        for e in self.emu.values():
            e.stop()
        self.emu = {}
        if self.knot is not None:
            self.knot.stop()
            self.knot = None


def _unquote(v):
    """One quoted presentation value (as the emulators store them) or raw
    text, decoded: "a" "b" -> ab."""
    v = v.strip()
    if not v.startswith('"'):
        return v
    out, i, inq = [], 0, False
    while i < len(v):
        c = v[i]
        if c == '"':
            inq = not inq
        elif inq and c == "\\" and i + 1 < len(v):
            if v[i + 1].isdigit() and i + 3 < len(v):
                out.append(chr(int(v[i + 1:i + 4])))
                i += 3
            else:
                out.append(v[i + 1])
                i += 1
        elif inq:
            out.append(c)
        i += 1
    return "".join(out)
