"""One sandbox per provider with the same three domains, for tests that run
one scenario against every provider (tests/e2e/test_faults*.py,
test_secrets.py).

    case = open_case("godaddy", test_ca, tmp_dir)
    case.values("a.test")       # decoded TXT values the API holds
    case.served("a.test")       # what Knot serves (after pending pushes)
    case.read_match("a.test")   # fault match: reading that domain's TXT
    case.write_match("a.test")  # fault match: writing it
    case.throttle(hint=True)    # the provider's throttling answer
    case.reset()                # back to the seed, faults and counters gone
    case.stop()

Every domain starts the same way in every provider:

    a.test   KEEP            (an unrelated value: a write creates next to it)
    b.test   KEEP, OLD       (an older TLS-RPT value: a write replaces it)
    c.test   nothing         (a write creates the first value)

and after a publish of RUA each must hold exactly WANT[domain]. The rate
limit is off: only injected faults throttle.
"""
import os
import re

from emulators.txtfmt import parse_quoted
from harness.fixtures_emulators import CloudflareSandbox
from harness.fixtures_godaddy import GoDaddySandbox
from harness.fixtures_route53 import Route53Sandbox, error_body

DOMAINS = ("a.test", "b.test", "c.test")
RUA = "mailto:tls-reports@example.test"
REC = "v=TLSRPTv1; rua=" + RUA
OLD = "v=TLSRPTv1; rua=mailto:old@example.test"
KEEP = "keep-me=1 \"quoted\" \\back"
SEED = {"a.test": [KEEP], "b.test": [KEEP, OLD], "c.test": []}
WANT = {"a.test": [KEEP, REC], "b.test": [KEEP, REC], "c.test": [REC]}
NAME = "_smtp._tls"
PROVIDERS = ("cloudflare", "godaddy", "route53")
# HTTP tuned for tests that make requests fail on purpose: short timeouts,
# two retries, a 0.05 s first backoff.
FAST_CONFIG = """defaults = {
  http_timeout = 1.5;
  http_connect_timeout = 2;
  http_retries = 2;
  http_backoff = 0.05;
};
"""


def owner(domain):
    return NAME + "." + domain


def decode_quoted(content):
    """A value in quoted presentation form (or raw, when unquoted)."""
    if not content.lstrip().startswith('"'):
        return content
    return b"".join(parse_quoted(content)).decode("utf-8", "replace")


def quote(v):
    out = ""
    for b in v.encode():
        if b in (0x22, 0x5C):
            out += "\\" + chr(b)
        elif 0x20 <= b <= 0x7E:
            out += chr(b)
        else:
            out += "\\%03o" % b
    return '"%s"' % out


class Case:
    name = None
    secrets = ()        # the credential strings the binary holds

    def fast_env(self, tmp_path, **extra):
        """The binary's environment: the sandbox's credentials, no config
        of this machine, FAST_CONFIG as the config file."""
        from harness.cli import clean_env
        path = os.path.join(str(tmp_path), "fast-config")
        with open(path, "w") as f:
            f.write(FAST_CONFIG)
        return clean_env(self.env(), tmp_path, TLSRPT_PUBLISH_CONFIG=path,
                         **extra)

    def served(self, domain):
        return self.sb.txt(owner(domain))

    def reset(self):
        self.sb.control.reset()
        self.sb.control.dns_flush()

    def fault(self, spec):
        self.sb.control.add_fault(spec)

    def counters(self):
        return self.sb.control.counters()

    def log(self):
        return self.sb.control.log()

    @property
    def knot_addr(self):
        return self.sb.knot_addr

    def stop(self):
        self.sb.stop()


class CloudflareCase(Case):
    name = "cloudflare"

    def __init__(self, ca, tmp):
        recs = {d: [{"type": "TXT", "name": owner(d), "content": quote(v),
                     "ttl": 600} for v in SEED[d]] for d in DOMAINS}
        self.sb = CloudflareSandbox(ca, list(DOMAINS), recs, None,
                                    ["--rate-limit", "off"], 0.0, 1, tmp)
        self.secrets = (self.sb.token,)

    def env(self):
        return self.sb.env()

    def values(self, domain):
        for z in self.sb.control.state()["zones"]:
            if z["name"] == domain:
                return [decode_quoted(r["content"]) for r in z["records"]
                        if r["name"] == owner(domain)
                        and r["type"] == "TXT"]
        raise AssertionError("no zone " + domain)

    def _path(self, domain):
        return "/zones/%s/dns_records" % self.sb.zone_id(domain)

    def read_match(self, domain):
        return {"method": "GET", "path": re.escape(self._path(domain)) + "$"}

    def write_match(self, domain):
        # a.test gets a new record (POST); b.test a PATCH of the old one.
        return {"path": re.escape(self._path(domain)),
                "method": "POST" if domain != "b.test" else "PATCH"}

    def zone_match(self, domain):
        return {"method": "GET", "path": "/zones$",
                "query": "name=" + re.escape(domain) + "(&|$)"}

    def throttle(self, hint):
        if hint:
            return {"action": "status", "status": 429,
                    "headers": {"Retry-After": "1"}}
        return {"action": "status", "status": 429}


class GoDaddyCase(Case):
    name = "godaddy"

    def __init__(self, ca, tmp):
        recs = {d: [{"type": "TXT", "name": NAME, "data": v, "ttl": 600}
                    for v in SEED[d]] for d in DOMAINS}
        self.sb = GoDaddySandbox(ca, tmp, domains=list(DOMAINS),
                                 records=recs, args=["--rate-limit", "off"])
        self.secrets = (self.sb.key, self.sb.secret)

    def env(self):
        return self.sb.env()

    def values(self, domain):
        return [r["data"] for r in self.sb.records(domain, NAME)]

    def _path(self, domain):
        return "/v1/domains/%s/records/TXT/%s" % (domain, NAME)

    def read_match(self, domain):
        return {"method": "GET", "path": re.escape(self._path(domain)) + "$"}

    def write_match(self, domain):
        return {"method": "PUT", "path": re.escape(self._path(domain)) + "$"}

    def zone_match(self, domain):
        return {"method": "GET",
                "path": "/v1/domains(/%s)?$" % re.escape(domain)}

    def throttle(self, hint):
        if hint:    # the emulator's own 429: retryAfterSec 1 in the body
            return {"action": "status", "status": 429}
        return {"action": "status", "status": 429,
                "json": {"code": "TOO_MANY_REQUESTS",
                         "message": "Too many requests received within "
                                    "interval"}}


class Route53Case(Case):
    name = "route53"

    def __init__(self, ca, tmp):
        recs = {d: ([{"name": NAME, "type": "TXT", "ttl": 600,
                      "values": [quote(v) for v in SEED[d]]}]
                    if SEED[d] else []) for d in DOMAINS}
        self.sb = Route53Sandbox(ca, tmp, zones=list(DOMAINS), records=recs,
                                 args=["--rate-limit", "off"],
                                 sync_delay=0.2)
        self.secrets = (self.sb.secret,)

    def env(self):
        return self.sb.env()

    def values(self, domain):
        from emulators.r53_model import txt_decoded
        r = self.sb.rrset(owner(domain), zone=domain)
        return [txt_decoded(v) for v in r["values"]] if r else []

    def _path(self, domain):
        return "/2013-04-01/hostedzone/%s/rrset" % self.sb.zone_id(domain)

    def read_match(self, domain):
        return {"method": "GET", "path": re.escape(self._path(domain)) + "$"}

    def write_match(self, domain):
        return {"method": "POST",
                "path": re.escape(self._path(domain)) + "/?$"}

    def zone_match(self, domain):
        return {"method": "GET", "path": "/hostedzonesbyname$",
                "query": "dnsname=" + re.escape(domain)}

    def throttle(self, hint):
        if hint:    # Route 53's own signal: 400 Throttling, no Retry-After
            return {"action": "status", "status": 400,
                    "body": error_body("Throttling", "Rate exceeded"),
                    "headers": {"Content-Type": "text/xml"}}
        return {"action": "status", "status": 429, "body": "Too Many",
                "headers": {"Content-Type": "text/plain"}}


CASES = {"cloudflare": CloudflareCase, "godaddy": GoDaddyCase,
         "route53": Route53Case}


def open_case(name, ca, tmp):
    d = os.path.join(str(tmp), name)
    os.makedirs(d, exist_ok=True)
    return CASES[name](ca, d)
