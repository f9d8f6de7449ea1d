#!/usr/bin/python3
"""GoDaddy Domains API v1 emulator: the account's domains and DNS records.

Serves https://HOST:PORT like api.godaddy.com (or api.ote-godaddy.com with
--env ote) for the calls tlsrpt-publish and the common ACME clients make:
sso-key auth with per-environment keys, accounts refused API access since
2024 (403 ACCESS_DENIED), the domain list with limit/marker paging, record
reads, PUT replacing every record of a type and name, DELETE, PATCH
appending, the 600-second TTL floor (422 INVALID_BODY with fields), body
checks per the Swagger description, and 60 requests per minute per account
answered with 429 and retryAfterSec (without a Retry-After header unless
--retry-after-header). Accepted TXT changes reach Knot by RFC 2136. Facts
and sources: /work/shared/reference/providers.md section 3; how to run
it: docs/emulators.md. Run with /usr/bin/python3.
"""
import copy
import os
import re
import sys
import urllib.parse

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    __package__ = "emulators"

from emulators import gd_rules as rules  # noqa: E402
from emulators.base import Emulator, Response, run  # noqa: E402
from emulators.gd_rules import GdError  # noqa: E402

DOMAINS = "/v1/domains"
ROUTES = [
    (re.compile(r"/v1/domains"), ("GET",), "", "list"),
    (re.compile(r"/v1/domains/([^/]+)"), ("GET",), "/{domain}", "domain"),
    (re.compile(r"/v1/domains/([^/]+)/records"), ("GET", "PATCH"),
     "/{domain}/records", "records"),
    (re.compile(r"/v1/domains/([^/]+)/records/([^/]+)"), ("GET",),
     "/{domain}/records/{type}", "records"),
    (re.compile(r"/v1/domains/([^/]+)/records/([^/]+)/([^/]+)"),
     ("GET", "PUT", "DELETE"), "/{domain}/records/{type}/{name}", "rrset"),
]
STATUS_GROUPS = ("INACTIVE", "PRE_REGISTRATION", "REDEMPTION", "RENEWABLE",
                 "VERIFICATION_ICANN", "VISIBLE")
DEFAULT_ACCOUNT = "1000001"
UNAUTHENTICATED = ("UNABLE_TO_AUTHENTICATE",
                   "Unauthorized : Could not authenticate API key/secret")


def empty(status=200):
    return Response(status, b"", content_type=None)


class GoDaddyEmulator(Emulator):
    """GoDaddy Domains API v1 emulator (domains, DNS records)."""

    name = "godaddy"

    def __init__(self, options=None):
        super().__init__(options)
        o = self.options
        self.env = getattr(o, "env", "production")
        self.retry_after_header = getattr(o, "retry_after_header", False)
        self.lenient = getattr(o, "lenient_fields", False)
        self.accounts = {}      # shopper id -> account
        self.keys = {}          # key -> {"secret", "account", "env"}
        self.concurrent = []    # another writer's changes, see seed()
        self._ids = 100000
        self._initial = None
        self.set_rate_limit(limit=60, window=60)
        acct = None
        if getattr(o, "domain", None) or getattr(o, "api_key", None):
            acct = self._add_account({"id": DEFAULT_ACCOUNT,
                                      "access_denied": bool(getattr(
                                          o, "access_denied", False))})
        for d in getattr(o, "domain", None) or []:
            self._add_domain(acct, {"domain": d})
        for k in getattr(o, "api_key", None) or []:
            key, secret, env = (k.split(":") + [self.env])[:3]
            self._add_key(acct, {"key": key, "secret": secret, "env": env})

    @classmethod
    def add_arguments(cls, parser):
        g = parser.add_argument_group("godaddy")
        g.add_argument("--env", choices=("production", "ote"),
                       default="production",
                       help="which environment this is: keys made for the "
                       "other one are refused (401)")
        g.add_argument("--domain", action="append", metavar="NAME",
                       help="a domain of the default account (repeatable)")
        g.add_argument("--api-key", action="append",
                       metavar="KEY:SECRET[:ENV]",
                       help="an API key of the default account")
        g.add_argument("--access-denied", action="store_true",
                       help="the default account may not use the API "
                       "(403 ACCESS_DENIED, the 2024 restriction)")
        g.add_argument("--retry-after-header", action="store_true",
                       help="send Retry-After with 429 as well as "
                       "retryAfterSec (the API often does not)")
        g.add_argument("--lenient-fields", action="store_true",
                       help="ignore unknown fields in record bodies")

    # --- seeding -------------------------------------------------------------
    def _add_account(self, spec):
        aid = str(spec.get("id", DEFAULT_ACCOUNT))
        acct = self.accounts.get(aid)
        if acct is None:
            acct = self.accounts[aid] = {"id": aid, "domains": {}}
        acct["access_denied"] = spec.get("access_denied", False)
        acct["reseller"] = bool(spec.get("reseller", False))
        return acct

    def _add_key(self, acct, spec):
        self.keys[spec["key"]] = {"secret": spec["secret"],
                                  "account": acct["id"],
                                  "env": spec.get("env", self.env)}

    def _add_domain(self, acct, spec):
        name = spec["domain"].lower().rstrip(".")
        if not rules.valid_domain(name):
            raise ValueError("seed: '%s' is not a domain name" % name)
        self._ids += 1
        d = acct["domains"].get(name) or {
            "domain": name, "domainId": self._ids, "records": []}
        d["status"] = spec.get("status", "ACTIVE")
        d["eligible"] = spec.get("eligible", True)
        d["nameServers"] = spec.get("nameServers", [
            "ns01.domaincontrol.com", "ns02.domaincontrol.com"])
        acct["domains"][name] = d
        for r in spec.get("records", []):
            rtype = r.get("type", "TXT")
            err = rules.check_records([{
                k: v for k, v in r.items()
                if k not in ("type", "name", "force")}], False, self.lenient)
            if err is not None and not r.get("force"):
                raise ValueError("seed record %r: %s" % (r, err.body))
            d["records"].append(rules.make_record(
                {k: v for k, v in r.items() if k != "force"}, rtype,
                r.get("name", "@")))
        return d

    def seed(self, data):
        """{"accounts": [{"id", "access_denied": bool | [endpoint, ...],
        "reseller", "keys": [{"key", "secret", "env"}], "domains":
        [{"domain", "status", "eligible", "records": [...]}]}],
        "concurrent": [{"domain", "name", "type", "mode":
        "append|replace|remove", "records": [...], "count": 1}]}"""
        out = {"domains": []}
        for a in data.get("accounts", []):
            acct = self._add_account(a)
            for k in a.get("keys", []):
                self._add_key(acct, k)
            for ds in a.get("domains", []):
                d = self._add_domain(acct, ds)
                out["domains"].append(d["domain"])
                for n in {r["name"] for r in d["records"]
                          if r["type"] == "TXT"}:
                    self._push(d, n, immediate=True)
        for c in data.get("concurrent", []):
            self.concurrent.append({
                "domain": c["domain"].lower(), "name": c["name"].lower(),
                "type": c.get("type", "TXT"), "mode": c.get("mode",
                                                            "append"),
                "records": c.get("records", []),
                "count": int(c.get("count", 1))})
        return out

    def mark_initial(self):
        self._initial = copy.deepcopy((self.accounts, self.keys,
                                       self.concurrent))

    def reset_state(self):
        before = self._owners()
        if self._initial is None:
            self.accounts, self.keys, self.concurrent = {}, {}, []
        else:
            self.accounts, self.keys, self.concurrent = copy.deepcopy(
                self._initial)
        for d, n in before | self._owners():
            dom = self._find(d)
            if dom is not None:
                self._push(dom, n, immediate=True)

    def _owners(self):
        return {(d["domain"], r["name"]) for a in self.accounts.values()
                for d in a["domains"].values() for r in d["records"]
                if r["type"] == "TXT"}

    def _find(self, name):
        for a in self.accounts.values():
            if name in a["domains"]:
                return a["domains"][name]
        return None

    def state(self):
        return {"env": self.env, "accounts": [{
            "id": a["id"], "access_denied": a["access_denied"],
            "domains": [{"domain": d["domain"], "status": d["status"],
                         "records": [rules.public(r)
                                     for r in d["records"]]}
                        for d in a["domains"].values()]}
            for a in self.accounts.values()],
            "keys": len(self.keys),
            "concurrent": copy.deepcopy(self.concurrent)}

    # --- DNS mirror ----------------------------------------------------------
    def _push(self, d, name, immediate=False):
        txt = [r for r in d["records"]
               if r["name"] == name and r["type"] == "TXT"]
        owner = d["domain"] if name == "@" else name + "." + d["domain"]
        ttl = min([r["ttl"] for r in txt] or [rules.DEFAULT_TTL])
        if self.dns is not None:
            self.dns.push(d["domain"], owner + ".",
                          [rules.txt_strings(r["data"]) for r in txt], ttl,
                          immediate)

    # --- auth ----------------------------------------------------------------
    def _authenticate(self, req):
        authz = (req.headers.get("Authorization") or "").strip()
        m = re.fullmatch(r"sso-key ([^:\s]+):(\S+)", authz)
        k = self.keys.get(m.group(1)) if m else None
        # A key of the other environment is as unknown as a wrong one.
        if k is None or k["secret"] != m.group(2) or k["env"] != self.env:
            return GdError(401, *UNAUTHENTICATED)
        return {"key": m.group(1), "account": self.accounts[k["account"]]}

    def _principal(self, req):
        if "principal" not in req.ctx:
            req.ctx["principal"] = self._authenticate(req)
        p = req.ctx["principal"]
        if isinstance(p, GdError):
            raise p
        return p

    def rate_key(self, req):
        p = req.ctx.get("principal")
        if p is None:
            p = req.ctx["principal"] = self._authenticate(req)
        if isinstance(p, GdError):
            return "ip:" + req.client
        return "account:" + p["account"]["id"]

    def _account(self, req):
        """The account acted on: the key's, or a reseller's customer named
        by X-Shopper-Id; 403 ACCESS_DENIED when it may not use the API."""
        acct = self._principal(req)["account"]
        shopper = req.headers.get("X-Shopper-Id")
        if shopper and shopper != acct["id"]:
            if not acct["reseller"] or shopper not in self.accounts:
                raise GdError(403, "ACCESS_DENIED",
                              "Authenticated user is not allowed access")
            acct = self.accounts[shopper]
        denied = acct["access_denied"]
        if denied is True or (isinstance(denied, list)
                              and req.endpoint in denied):
            raise GdError(403, "ACCESS_DENIED",
                          "Authenticated user is not allowed access")
        return acct

    def _domain(self, req, raw):
        acct = self._account(req)
        name = urllib.parse.unquote(raw).lower()
        if not rules.valid_domain(name):
            raise GdError(422, "INVALID_DOMAIN",
                          "`domain` is not a valid Domain name")
        d = acct["domains"].get(name)
        if d is not None:
            return d
        under = any(name.endswith("." + x) for x in acct["domains"])
        if under or self._find(name) is not None:
            raise GdError(404, "NOT_FOUND", "Domain %s not found for "
                          "shopper %s" % (name, acct["id"]))
        raise GdError(404, "UNKNOWN_DOMAIN", "The given domain is not "
                      "registered, or does not have a zone file")

    # --- base hooks ----------------------------------------------------------
    def route(self, req):
        if req.path != DOMAINS and not req.path.startswith(DOMAINS + "/"):
            return None
        for rx, methods, name, fn in ROUTES:
            m = rx.fullmatch(req.path)
            if m is None:
                continue
            endpoint = "%s %s%s" % (req.method, DOMAINS, name)
            if req.method not in methods:
                return endpoint, lambda r: self._wrap(self._not_allowed, r)
            handler = getattr(self, "_h_" + fn)
            return endpoint, lambda r, g=m.groups(): self._wrap(
                handler, r, *g)
        return "%s unrouted" % req.method, lambda r: self._wrap(
            self._unrouted, r)

    def not_found(self, req):
        return Response.json(404, {"code": "NOT_FOUND",
                                   "message": "Resource not found"})

    def _wrap(self, fn, req, *args):
        try:
            return fn(req, *args)
        except GdError as e:
            return Response.json(e.status, e.body, e.headers)

    def _not_allowed(self, req):
        self._principal(req)
        raise GdError(405, "METHOD_NOT_ALLOWED", "%s is not allowed on %s"
                      % (req.method, req.path))

    def _unrouted(self, req):
        self._principal(req)
        raise GdError(404, "NOT_FOUND", "Resource not found")

    def _limit_body(self, retry_after):
        return {"code": "TOO_MANY_REQUESTS",
                "message": "Too many requests received within interval",
                "retryAfterSec": int(retry_after)}

    def rate_limited(self, retry_after):
        headers = [("Retry-After", str(retry_after))] \
            if self.retry_after_header else []
        return Response.json(429, self._limit_body(retry_after), headers)

    def error_response(self, status):
        if status == 429:
            # Injected 429s carry Retry-After only when the fault says so.
            return Response.json(429, self._limit_body(1))
        if status in (502, 503):
            # Not in the description: what an edge proxy sends.
            return Response(status, "<html><body><h1>%d Service "
                            "Unavailable</h1></body></html>\n" % status,
                            content_type="text/html")
        if status == 504:
            return Response.json(504, {"code": "GATEWAY_TIMEOUT",
                                       "message": "Gateway timeout"})
        if status >= 500:
            return Response.json(status, {"code": "INTERNAL_SERVER_ERROR",
                                          "message": "Internal server "
                                          "error"})
        return Response.json(status, {"code": "INVALID_BODY",
                                      "message": "Request was malformed"})

    # --- query helpers -------------------------------------------------------
    @staticmethod
    def _int_arg(req, name, lo, hi, message):
        v = req.arg(name)
        if v is None:
            return None
        try:
            n = int(v)
        except ValueError:
            n = None
        if n is None or not lo <= n <= hi:
            raise GdError(422, "INVALID_QUERY", message)
        return n

    @staticmethod
    def _list_arg(req, name):
        out = []
        for v in req.query.get(name, []):
            out += [x for x in v.split(",") if x]
        return out

    # --- handlers ------------------------------------------------------------
    def _h_list(self, req):
        acct = self._account(req)
        limit = self._int_arg(req, "limit", 1, 1000, "Limit must have a "
                              "value no greater than 1000")
        for g in self._list_arg(req, "statusGroups"):
            if g not in STATUS_GROUPS:
                raise GdError(422, "INVALID_QUERY", "statusGroups must be "
                              "one of " + ", ".join(STATUS_GROUPS))
        statuses = self._list_arg(req, "statuses")
        includes = self._list_arg(req, "includes")
        doms = sorted(acct["domains"].values(), key=lambda d: d["domain"])
        if statuses:
            doms = [d for d in doms if d["status"] in statuses]
        marker = (req.arg("marker") or "").lower()
        if marker:
            doms = [d for d in doms if d["domain"] > marker]
        if limit is not None:
            doms = doms[:limit]
        return Response.json(200, [rules.summary(d, includes) for d in doms])

    def _h_domain(self, req, raw):
        return Response.json(200, rules.detail(self._domain(req, raw)))

    def _h_records(self, req, raw, rtype=None):
        d = self._domain(req, raw)
        if req.method == "PATCH":
            return self._patch(req, d)
        return self._list(req, d, rtype, None)

    def _h_rrset(self, req, raw, rtype, name):
        d = self._domain(req, raw)
        name = urllib.parse.unquote(name)
        if not rules.valid_name(name):
            raise GdError(422, "INVALID_NAME", "`name` is not a valid "
                          "record name")
        if req.method == "GET":
            return self._list(req, d, rtype, name)
        if req.method == "DELETE":
            return self._delete(d, rtype, name)
        return self._put(req, d, rtype, name)

    def _check_type(self, rtype, allowed=rules.TYPES):
        if rtype not in allowed:
            raise GdError(422, "INVALID_TYPE", "`type` must be one of "
                          + ", ".join(allowed))

    def _list(self, req, d, rtype, name):
        if rtype is not None:
            self._check_type(rtype)
        offset = self._int_arg(req, "offset", 0, 1 << 31,
                               "offset must be a non-negative integer") or 0
        limit = self._int_arg(req, "limit", 1, 1 << 31,
                              "limit must be a positive integer")
        recs = [r for r in d["records"]
                if (rtype is None or r["type"] == rtype)
                and (name is None or r["name"] == name.lower())]
        recs = recs[offset:]
        if limit is not None:
            recs = recs[:limit]
        return Response.json(200, [rules.public(r) for r in recs])

    def _json(self, req):
        ctype = (req.headers.get("Content-Type") or "").split(";")[0]
        if ctype.strip().lower() != "application/json":
            raise GdError(400, "INVALID_BODY", "Request body must be "
                          "application/json")
        try:
            return req.json()
        except (ValueError, UnicodeDecodeError):
            raise GdError(400, "INVALID_BODY", "Request body is not "
                          "valid JSON")

    def _put(self, req, d, rtype, name):
        self._check_type(rtype)
        body = self._json(req)
        err = rules.check_records(body, False, self.lenient, (rtype, name))
        if err is not None:
            raise err
        keep = [r for r in d["records"]
                if not (r["type"] == rtype and r["name"] == name.lower())]
        d["records"] = keep + [rules.make_record(i, rtype, name)
                               for i in body]
        self._written(d, rtype, name.lower())
        return empty(200)

    def _delete(self, d, rtype, name):
        self._check_type(rtype, rules.DELETE_TYPES)
        if not d["eligible"]:
            raise GdError(409, "DOMAIN_NOT_ELIGIBLE", "The given domain is "
                          "not eligible to have its records changed")
        gone = [r for r in d["records"]
                if r["type"] == rtype and r["name"] == name.lower()]
        if not gone:
            raise GdError(404, "NOT_FOUND", "No %s records named %s in "
                          "%s" % (rtype, name, d["domain"]))
        d["records"] = [r for r in d["records"] if r not in gone]
        self._written(d, rtype, name.lower())
        return empty(204)

    def _patch(self, req, d):
        body = self._json(req)
        err = rules.check_records(body, True, self.lenient)
        if err is not None:
            raise err
        new = [rules.make_record(i, i["type"], i["name"]) for i in body]
        for i, r in enumerate(new):
            if any(x["type"] == r["type"] and x["name"] == r["name"]
                   and x["data"] == r["data"] for x in d["records"]):
                raise GdError(422, "DUPLICATE_RECORD", "Another record "
                              "with the same attributes already exists",
                              [rules.field("records[%d]" % i,
                                           "DUPLICATE_RECORD",
                                           "already exists")])
        d["records"] += new
        for n in {r["name"] for r in new}:
            self._written(d, "TXT", n, hooks=False)
        return empty(200)

    def _written(self, d, rtype, name, hooks=True):
        """After an accepted write: count it, mirror it to DNS, then let
        a queued concurrent writer change the same name."""
        self.count_write()
        if rtype == "TXT":
            self._push(d, name)
        for c in self.concurrent if hooks else []:
            if c["count"] <= 0 or c["domain"] != d["domain"] or \
                    c["name"] != name or c["type"] != rtype:
                continue
            c["count"] -= 1
            keep = [r for r in d["records"]
                    if c["mode"] == "append" or not (
                        r["type"] == rtype and r["name"] == name)]
            d["records"] = keep + [rules.make_record(i, rtype, name)
                                   for i in c["records"]]
            if rtype == "TXT":
                self._push(d, name)
            break


if __name__ == "__main__":
    sys.exit(run(GoDaddyEmulator))
