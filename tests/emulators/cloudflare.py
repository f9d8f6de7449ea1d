#!/usr/bin/python3
"""Cloudflare API v4 emulator: zones, DNS records, token verify.

Serves https://HOST:PORT/client/v4 like api.cloudflare.com for the calls
tlsrpt-publish makes, with the real envelope, auth checks (API tokens,
zone-scoped and with permissions, and the legacy X-Auth-Email/X-Auth-Key
pair), pagination, filters, TXT quoting, error codes and the 1200 requests
per 5 minutes per user rate limit. Facts and their sources are in
/work/shared/reference/providers.md section 1; docs/emulators.md says how
to run it. Run with /usr/bin/python3.
"""
import copy
import hashlib
import math
import os
import re
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    __package__ = "emulators"

from emulators import cf_lists  # noqa: E402
from emulators.base import Emulator, Response, run  # noqa: E402
from emulators.cf_records import (ApiError, RecordRules, err,  # noqa: E402
                                  new_id, now_iso, public)

API = "/client/v4"
HEX32 = re.compile(r"[0-9a-f]{32}")
GLOBAL_KEY = re.compile(r"[0-9a-f]{37}")
TOKEN = re.compile(r"[A-Za-z0-9_.\-]+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PERMS = {"zone:read", "dns:read", "dns:edit"}
ROUTES = [
    (re.compile(API + r"/user/tokens/verify"), ("GET",), "/user/tokens/verify",
     "verify"),
    (re.compile(API + r"/zones"), ("GET",), "/zones", "zones"),
    (re.compile(API + r"/zones/([^/]+)"), ("GET",), "/zones/{zone_id}",
     "zone"),
    (re.compile(API + r"/zones/([^/]+)/dns_records"), ("GET", "POST"),
     "/zones/{zone_id}/dns_records", "records"),
    (re.compile(API + r"/zones/([^/]+)/dns_records/batch"), ("POST",),
     "/zones/{zone_id}/dns_records/batch", "batch"),
    (re.compile(API + r"/zones/([^/]+)/dns_records/([^/]+)"),
     ("GET", "PUT", "PATCH", "DELETE"),
     "/zones/{zone_id}/dns_records/{dns_record_id}", "record"),
]


def ok(result, info=None, messages=None):
    body = {"success": True, "errors": [], "messages": messages or [],
            "result": result}
    if info is not None:
        body["result_info"] = info
    return Response.json(200, body)


def fail(status, errors, headers=None):
    return Response.json(status, {"success": False, "errors": errors,
                                  "messages": [], "result": None}, headers)


def no_route(path):
    return ApiError(400, [
        err(7003, "Could not route to %s, perhaps your object identifier "
            "is invalid?" % path[len(API):]),
        err(7000, "No route for that URI")])


def auth_error():
    return ApiError(403, [err(10000, "Authentication error")])


class CloudflareEmulator(Emulator):
    """Cloudflare API v4 emulator (zones, dns_records, tokens/verify)."""

    name = "cloudflare"

    def __init__(self, options=None):
        super().__init__(options)
        o = self.options
        self.rules = RecordRules(
            min_ttl=getattr(o, "min_ttl", 60),
            duplicate_code=getattr(o, "duplicate_code", 81058),
            txt_unquoted=getattr(o, "txt_unquoted", "keep"),
            lenient_fields=getattr(o, "lenient_fields", False))
        self.records_max_per_page = getattr(o, "records_max_per_page",
                                            5000000)
        self.zones = {}         # id -> zone (with "records": id -> record)
        self.tokens = {}        # token string -> token
        self.keys = {}          # email (lower case) -> global key
        self._initial = None
        self.set_rate_limit(limit=1200, window=300)
        for z in getattr(o, "zone", None) or []:
            self._add_zone({"name": z})
        for t in getattr(o, "token", None) or []:
            tok, _, zones = t.partition(":")
            self._add_token({"token": tok,
                             "zones": zones.split(",") if zones else "*"})
        for k in getattr(o, "global_key", None) or []:
            email, _, key = k.partition(":")
            self._add_key({"email": email, "key": key})

    @classmethod
    def add_arguments(cls, parser):
        g = parser.add_argument_group("cloudflare")
        g.add_argument("--zone", action="append", metavar="NAME",
                       help="create this zone (repeatable)")
        g.add_argument("--token", action="append",
                       metavar="TOKEN[:ZONE,...]",
                       help="accept this API token (all permissions), "
                       "scoped to the listed zones (default: all zones)")
        g.add_argument("--global-key", action="append", metavar="EMAIL:KEY",
                       help="accept this legacy global API key")
        g.add_argument("--min-ttl", type=int, default=60,
                       help="smallest TTL other than 1 (Enterprise: 30)")
        g.add_argument("--duplicate-code", type=int, default=81058,
                       choices=(81057, 81058),
                       help="error code for an identical record")
        g.add_argument("--txt-unquoted", choices=("keep", "quote"),
                       default="keep", help="unquoted TXT content: return "
                       "it as sent (keep) or add quotes (quote)")
        g.add_argument("--records-max-per-page", type=int, default=5000000)
        g.add_argument("--lenient-fields", action="store_true",
                       help="ignore unknown fields in record bodies")

    # --- seeding -------------------------------------------------------------
    def _add_zone(self, spec):
        name = spec["name"].lower().rstrip(".")
        for z in self.zones.values():
            if z["name"] == name and "id" not in spec:
                return z
        zid = spec.get("id") or hashlib.md5(
            ("zone:" + name).encode()).hexdigest()
        t = now_iso()
        z = {"id": zid, "name": name, "status": spec.get("status", "active"),
             "account": {"id": spec.get("account_id", hashlib.md5(
                 b"account").hexdigest()), "name": spec.get(
                 "account_name", "Emulated Account")},
             "name_servers": spec.get("name_servers", [
                 "ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]),
             "created_on": t, "modified_on": t, "records": {}}
        self.zones[zid] = z
        return z

    def _add_token(self, spec):
        zones = spec.get("zones", "*")
        self.tokens[spec["token"]] = {
            "id": spec.get("id") or hashlib.md5(
                ("token:" + spec["token"]).encode()).hexdigest(),
            "zones": None if zones == "*" else {
                z.lower().rstrip(".") for z in zones},
            "perms": set(spec.get("permissions", PERMS)),
            "status": spec.get("status", "active"),
            "client_ips": spec.get("client_ips"),
            "user": spec.get("user", "user-1")}

    def _add_key(self, spec):
        self.keys[spec["email"].lower()] = {"key": spec["key"],
                                            "user": spec.get("user",
                                                             "user-1")}

    def seed(self, data):
        out = {"zones": {}, "records": []}
        for t in data.get("tokens", []):
            self._add_token(t)
        for k in data.get("keys", []):
            self._add_key(k)
        for zs in data.get("zones", []):
            z = self._add_zone(zs)
            out["zones"][z["name"]] = z["id"]
            owners = set()
            for r in zs.get("records", []):
                rec = self._seed_record(z, r)
                owners.add(rec["name"])
                out["records"].append(rec["id"])
            for o in owners:
                self._push(z, o, immediate=True)
        return out

    def _seed_record(self, zone, r):
        """Seeded records skip the duplicate check, so tests can set up
        states the API would refuse today (legacy unquoted content)."""
        rec = self.rules.build(zone, self.rules.check_body(r, False))
        t = now_iso()
        rec.update(id=r.get("id") or new_id(), created_on=t, modified_on=t)
        zone["records"][rec["id"]] = rec
        return rec

    def mark_initial(self):
        self._initial = copy.deepcopy((self.zones, self.tokens, self.keys))

    def reset_state(self):
        before = {(z["id"], r["name"]) for z in self.zones.values()
                  for r in z["records"].values()}
        if self._initial is None:
            self.zones, self.tokens, self.keys = {}, {}, {}
        else:
            self.zones, self.tokens, self.keys = copy.deepcopy(self._initial)
        after = {(z["id"], r["name"]) for z in self.zones.values()
                 for r in z["records"].values()}
        for zid, owner in before | after:
            if zid in self.zones:
                self._push(self.zones[zid], owner, immediate=True)

    def state(self):
        zones = []
        for z in self.zones.values():
            zones.append({"id": z["id"], "name": z["name"],
                          "records": [public(r, z)
                                      for r in z["records"].values()]})
        return {"zones": zones, "tokens": len(self.tokens),
                "keys": len(self.keys)}

    # --- DNS mirror ----------------------------------------------------------
    def _push(self, zone, owner, immediate=False):
        txt = [r for r in zone["records"].values()
               if r["name"] == owner and r["type"] == "TXT"]
        # One TTL per RRset in DNS: the smallest; automatic (1) is 300.
        ttl = min([300 if r["ttl"] == 1 else r["ttl"] for r in txt] or [300])
        if self.dns is not None:
            self.dns.push(zone["name"], owner + ".",
                          [r["_strings"] for r in txt], ttl, immediate)

    # --- auth ----------------------------------------------------------------
    def _authenticate(self, req):
        h = req.headers
        authz = h.get("Authorization")
        email, key = h.get("X-Auth-Email"), h.get("X-Auth-Key")
        if authz is not None:
            m = re.fullmatch(r"[Bb]earer +(\S+)", authz.strip())
            if not m or not TOKEN.fullmatch(m.group(1)) or (
                    GLOBAL_KEY.fullmatch(m.group(1))
                    and m.group(1) not in self.tokens):
                # A global API key sent as a token lands here too.
                return ApiError(400, [err(
                    6003, "Invalid request headers",
                    [{"code": 6111, "message": "Invalid format for "
                      "Authorization header"}])])
            tok = self.tokens.get(m.group(1))
            if tok is None or tok["status"] != "active":
                return ApiError(403, [err(9109, "Invalid access token")])
            ips = tok.get("client_ips")
            if ips and req.client not in ips:
                return ApiError(403, [err(
                    9109, "Cannot use the access token from location: %s"
                    % req.client)])
            return {"kind": "token", "token": tok, "user": tok["user"],
                    "zones": tok["zones"], "perms": tok["perms"]}
        if email is not None or key is not None:
            chain = []
            if not email or not EMAIL.fullmatch(email):
                chain.append({"code": 6102, "message":
                              "Invalid format for X-Auth-Email header"})
            if not key or not GLOBAL_KEY.fullmatch(key):
                # An API token sent as the key lands here.
                chain.append({"code": 6103, "message":
                              "Invalid format for X-Auth-Key header"})
            if chain:
                return ApiError(400, [err(6003, "Invalid request headers",
                                          chain)])
            k = self.keys.get(email.lower())
            if k is None or k["key"] != key:
                return ApiError(403, [err(9103, "Unknown X-Auth-Key or "
                                          "X-Auth-Email")])
            return {"kind": "key", "user": k["user"], "zones": None,
                    "perms": PERMS}
        return ApiError(400, [err(9106, "Missing X-Auth-Key, X-Auth-Email "
                                  "or Authorization headers")])

    def _principal(self, req):
        if "principal" not in req.ctx:
            req.ctx["principal"] = self._authenticate(req)
        p = req.ctx["principal"]
        if isinstance(p, ApiError):
            raise p
        return p

    def rate_key(self, req):
        p = req.ctx.get("principal")
        if p is None:
            p = req.ctx["principal"] = self._authenticate(req)
        if isinstance(p, ApiError):
            return "ip:" + req.client
        return "user:" + p["user"]

    @staticmethod
    def _can(p, zone, perm):
        if p["zones"] is not None and zone["name"] not in p["zones"]:
            return False
        perms = p["perms"]
        return perm in perms or (perm == "dns:read" and "dns:edit" in perms)

    def _zone(self, req, zid, perm):
        if not HEX32.fullmatch(zid):
            raise no_route(req.path)
        p = self._principal(req)
        z = self.zones.get(zid)
        if z is None:
            # With a global key an unknown zone is a routing error; a token
            # cannot tell "no such zone" from "not yours".
            raise no_route(req.path) if p["kind"] == "key" else auth_error()
        if not self._can(p, z, perm):
            raise auth_error()
        return z

    # --- base hooks ----------------------------------------------------------
    def route(self, req):
        if not req.path.startswith(API + "/") and req.path != API:
            return None
        for rx, methods, name, fn in ROUTES:
            m = rx.fullmatch(req.path)
            if m is None:
                continue
            if req.method not in methods:
                return ("%s %s" % (req.method, name),
                        lambda r: self._wrap(self._not_allowed, r))
            handler = getattr(self, "_h_" + fn)
            return ("%s %s" % (req.method, name),
                    lambda r, g=m.groups(): self._wrap(handler, r, *g))
        return ("%s unrouted" % req.method,
                lambda r: self._wrap(self._unrouted, r))

    def not_found(self, req):
        return Response(404, "404 page not found\n",
                        content_type="text/plain")

    def _wrap(self, fn, req, *args):
        try:
            return fn(req, *args)
        except ApiError as e:
            return fail(e.status, e.errors, e.headers)

    def _not_allowed(self, req):
        p = self._principal(req)
        scheme = "api_token" if p["kind"] == "token" else "api_key"
        raise ApiError(405, [err(10000, "%s method not allowed for the %s "
                                 "authentication scheme" % (req.method,
                                                            scheme))])

    def _unrouted(self, req):
        self._principal(req)
        raise no_route(req.path)

    def rate_limited(self, retry_after):
        return fail(429, [err(971, "Please wait and consider throttling "
                              "your request speed")],
                    [("Retry-After", str(retry_after))])

    def rate_headers(self, remaining, reset):
        return [("Ratelimit", '"default";r=%d;t=%d' % (remaining,
                                                       math.ceil(reset))),
                ("Ratelimit-Policy", '"default";q=%d;w=%d' % (
                    self.rate.limit, math.ceil(self.rate.window)))]

    def error_response(self, status):
        if status == 429:
            # Injected 429s carry Retry-After only when the fault says so.
            return fail(429, [err(971, "Please wait and consider throttling "
                                  "your request speed")])
        if status in (502, 503, 504, 520, 521, 522, 524):
            # Cloudflare's edge answers these with an HTML page.
            return Response(status, "<html><head><title>%d</title></head>"
                            "<body><h1>Error %d</h1></body></html>\n"
                            % (status, status), content_type="text/html")
        return fail(status, [err(10001 if status >= 500 else 10000,
                                 "Internal server error" if status >= 500
                                 else "Request failed")])

    # --- handlers ------------------------------------------------------------
    def _h_verify(self, req):
        authz = req.headers.get("Authorization")
        if authz is None and req.headers.get("X-Auth-Key") is None:
            self._principal(req)        # 9106
        m = re.fullmatch(r"[Bb]earer +(\S+)", (authz or "").strip())
        tok = self.tokens.get(m.group(1)) if m else None
        if tok is None:
            raise ApiError(401, [err(1000, "Invalid API Token")])
        return ok({"id": tok["id"], "status": tok["status"]}, messages=[{
            "code": 10000, "message": "This API Token is valid and active",
            "type": None}])

    def _h_zones(self, req):
        p = self._principal(req)
        page, per_page = cf_lists.paging(req, 20, 5, 50)
        zones = [z for z in self.zones.values() if self._can(p, z,
                                                             "zone:read")]
        tests = []
        if req.arg("name") is not None:
            f = cf_lists.name_op(req.arg("name"))
            tests.append(lambda z, f=f: f(z["name"]))
        if req.arg("status"):
            tests.append(lambda z: z["status"] == req.arg("status"))
        if req.arg("account.id"):
            tests.append(lambda z: z["account"]["id"] == req.arg(
                "account.id"))
        if req.arg("account.name") is not None:
            tests.append(lambda z, f=cf_lists.name_op(req.arg("account.name")):
                         f(z["account"]["name"]))
        zones = cf_lists.select(zones, tests, req.arg("match", "all"))
        order = req.arg("order", "name")
        keyf = {"name": lambda z: z["name"], "status": lambda z: z["status"],
                "account.id": lambda z: z["account"]["id"],
                "account.name": lambda z: z["account"]["name"]}.get(order)
        if keyf is None:
            raise cf_lists.bad_param("order must be one of name, status, "
                                     "account.id, account.name")
        zones.sort(key=keyf, reverse=req.arg("direction") == "desc")
        return ok(*cf_lists.one_page(zones, page, per_page, self._zone_public))

    def _h_zone(self, req, zid):
        return ok(self._zone_public(self._zone(req, zid, "zone:read")))

    @staticmethod
    def _zone_public(z):
        return {"id": z["id"], "name": z["name"], "status": z["status"],
                "paused": False, "type": "full", "development_mode": 0,
                "name_servers": z["name_servers"],
                "original_name_servers": None, "original_registrar": None,
                "original_dnshost": None, "created_on": z["created_on"],
                "modified_on": z["modified_on"],
                "activated_on": z["created_on"],
                "meta": {"step": 4, "custom_certificate_quota": 0,
                         "page_rule_quota": 3, "phishing_detected": False},
                "owner": {"id": hashlib.md5(b"owner").hexdigest(),
                          "type": "user", "email": "owner@example.test"},
                "account": dict(z["account"]),
                "permissions": ["#dns_records:edit", "#dns_records:read",
                                "#zone:read"],
                "plan": {"id": "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
                         "name": "Free Website", "price": 0,
                         "currency": "USD", "frequency": "",
                         "is_subscribed": False, "can_subscribe": False,
                         "legacy_id": "free", "legacy_discount": False,
                         "externally_managed": False}}

    def _h_records(self, req, zid):
        if req.method == "POST":
            z = self._zone(req, zid, "dns:edit")
            rec = self._create(z, self._body(req, partial=False))
            self.count_write()
            self._push(z, rec["name"])
            return ok(public(rec, z))
        z = self._zone(req, zid, "dns:read")
        return self._list_records(req, z)

    def _h_record(self, req, zid, rid):
        z = self._zone(req, zid, "dns:read" if req.method == "GET"
                       else "dns:edit")
        if not HEX32.fullmatch(rid):
            raise no_route(req.path)
        old = z["records"].get(rid)
        if old is None:
            raise ApiError(404, [err(81044, "Record does not exist.")])
        if req.method == "GET":
            return ok(public(old, z))
        if req.method == "DELETE":
            del z["records"][rid]
            self.count_write()
            self._push(z, old["name"])
            return ok({"id": rid})
        body = self._body(req, partial=req.method == "PATCH")
        rec = self._update(z, old, body, patch=req.method == "PATCH")
        self.count_write()
        for owner in {old["name"], rec["name"]}:
            self._push(z, owner)
        return ok(public(rec, z))

    def _h_batch(self, req, zid):
        z = self._zone(req, zid, "dns:edit")
        body = self._json(req)
        if not isinstance(body, dict) or set(body) - {
                "deletes", "patches", "puts", "posts"}:
            raise ApiError(400, [err(1004, "DNS Validation Error", [{
                "code": 9000, "message": "batch body has only deletes, "
                "patches, puts and posts"}])])
        saved = copy.deepcopy(z["records"])
        owners = {r["name"] for r in z["records"].values()}
        result = {"deletes": [], "patches": [], "puts": [], "posts": []}
        try:
            for d in body.get("deletes") or []:
                rec = z["records"].pop(str(d.get("id")), None)
                if rec is None:
                    raise ApiError(404, [err(81044,
                                             "Record does not exist.")])
                result["deletes"].append(public(rec, z))
            for kind in ("patches", "puts"):
                for item in body.get(kind) or []:
                    old = z["records"].get(str(item.get("id")))
                    if old is None:
                        raise ApiError(404, [err(81044,
                                                 "Record does not exist.")])
                    f = self.rules.check_body(item, partial=kind == "patches")
                    result[kind].append(public(self._update(
                        z, old, f, patch=kind == "patches", checked=True),
                        z))
            for item in body.get("posts") or []:
                f = self.rules.check_body(item, partial=False)
                result["posts"].append(public(self._create(z, f), z))
        except ApiError:
            z["records"] = saved
            raise
        self.count_write()
        for owner in owners | {r["name"] for r in z["records"].values()}:
            self._push(z, owner)
        return ok(result)

    # --- record operations ---------------------------------------------------
    def _json(self, req):
        ctype = (req.headers.get("Content-Type") or "").split(";")[0]
        if ctype.strip().lower() != "application/json":
            raise ApiError(400, [err(9207, "Content-type must be "
                                     "application/json.")])
        try:
            return req.json()
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, [err(6007, "Malformed JSON in request "
                                     "body")])

    def _body(self, req, partial):
        return self.rules.check_body(self._json(req), partial)

    def _create(self, z, fields):
        rec = self.rules.build(z, fields)
        self.rules.check_conflicts(z["records"].values(), rec)
        t = now_iso()
        rec.update(id=new_id(), created_on=t, modified_on=t)
        if rec.get("comment"):
            rec["comment_modified_on"] = t
        z["records"][rec["id"]] = rec
        return rec

    def _update(self, z, old, fields, patch, checked=False):
        if not patch:
            # PUT overwrites: what the body leaves out goes back to the
            # defaults (comment and tags cleared).
            base = {k: old[k] for k in ("id", "created_on")}
            rec = self.rules.build(z, fields)
            rec.update(base)
        else:
            rec = self.rules.build(z, fields, old)
        others = [r for r in z["records"].values() if r["id"] != old["id"]]
        self.rules.check_conflicts(others, rec)
        t = now_iso()
        rec["modified_on"] = t
        if rec.get("comment") != old.get("comment"):
            rec["comment_modified_on"] = t
        z["records"][old["id"]] = rec
        return rec

    def _list_records(self, req, z):
        page, per_page = cf_lists.paging(req, 100, 1,
                                         self.records_max_per_page)
        recs = list(z["records"].values())
        tests = []
        if req.arg("type"):
            tests.append(lambda r: r["type"] == req.arg("type").upper())
        for field in ("name", "content", "comment"):
            tests += cf_lists.text_filters(req, field, z)
        for cond in ("present", "absent"):
            if req.arg("comment." + cond) is not None:
                want = cond == "present"
                tests.append(lambda r, w=want: bool(r.get("comment")) == w)
        if req.arg("proxied") is not None:
            want = req.arg("proxied").lower() == "true"
            tests.append(lambda r: bool(r.get("proxied")) == want)
        if req.arg("search"):
            s = req.arg("search").lower()
            tests.append(lambda r: any(s in (r.get(f) or "").lower()
                                       for f in ("name", "content",
                                                 "comment")))
        recs = cf_lists.select(recs, tests, req.arg("match", "all"))
        order = req.arg("order")
        if order:
            if order not in ("type", "name", "content", "ttl", "proxied"):
                raise cf_lists.bad_param("order must be one of type, name, "
                                         "content, ttl, proxied")
            recs.sort(key=lambda r: r.get(order),
                      reverse=req.arg("direction") == "desc")
        return ok(*cf_lists.one_page(recs, page, per_page,
                                lambda r: public(r, z)))



if __name__ == "__main__":
    sys.exit(run(CloudflareEmulator))
