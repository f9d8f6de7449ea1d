#!/usr/bin/python3
"""Amazon Route 53 API emulator (2013-04-01, REST-XML, SigV4).

Serves https://HOST:PORT/2013-04-01/... like route53.amazonaws.com for
ListHostedZonesByName, ListHostedZones, GetHostedZone,
ListResourceRecordSets, ChangeResourceRecordSets and GetChange, in the
shapes of botocore's route53 model, namespace
https://route53.amazonaws.com/doc/2013-04-01/. Every request must carry a
valid SigV4 signature (checked with Debian's botocore through
harness/sigv4_verify.py: signature, date within 5 minutes, scope
REGION/route53). RRsets follow the real CREATE / DELETE / UPSERT rules in
atomic batches; changes are PENDING, then INSYNC after --sync-delay;
accepted TXT changes of public zones reach Knot by RFC 2136 through the
base. Facts and sources: /work/shared/reference/providers.md section 2;
docs/emulators.md says how to run it. Run with /usr/bin/python3.
"""
import copy
import datetime
import json
import os
import re
import secrets
import sys
import time
import urllib.request
import uuid

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    __package__ = "emulators"

from emulators import r53_model as m  # noqa: E402
from emulators.base import Emulator, RateLimiter, Response, run  # noqa
from harness.sigv4_verify import verify  # noqa: E402

API = "/2013-04-01"
ACCOUNT = "123456789012"
ROUTES = [
    ("GET", re.compile(API + r"/hostedzonesbyname"), "ListHostedZonesByName"),
    ("GET", re.compile(API + r"/hostedzone"), "ListHostedZones"),
    ("GET", re.compile(API + r"/hostedzone/([^/]+)"), "GetHostedZone"),
    ("GET", re.compile(API + r"/hostedzone/([^/]+)/rrset"),
     "ListResourceRecordSets"),
    ("POST", re.compile(API + r"/hostedzone/([^/]+)/rrset/"),
     "ChangeResourceRecordSets"),
    ("GET", re.compile(API + r"/change/([^/]+)"), "GetChange"),
]
PRIOR_MSG = ("The request was rejected because Route 53 was still "
             "processing a prior request.")


class TokenBucket(RateLimiter):
    """AWS throttles with token buckets: LIMIT requests per WINDOW
    seconds on average, bursts of up to LIMIT. (The base's sliding window
    would throttle a client pacing itself at exactly the rate whenever
    the network shifts two requests a millisecond closer.)"""

    def set(self, limit, window, block=False):
        super().set(limit, window, block)
        self.tokens = {}

    def check(self, key, now):
        if not self.limit:
            return True, 0, None
        rate = self.limit / self.window
        tokens, last = self.tokens.get(key, (float(self.limit), now))
        tokens = min(float(self.limit), tokens + (now - last) * rate)
        if tokens < 1:
            self.tokens[key] = (tokens, now)
            return False, (1 - tokens) / rate, 0
        self.tokens[key] = (tokens - 1, now)
        return True, 0, int(tokens - 1)


def xml_response(status, body):
    return Response(status, body, content_type="text/xml")


def now_iso():
    return datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%f")[
        :-3] + "Z"


class Route53Emulator(Emulator):
    """Amazon Route 53 API emulator (hosted zones, RRsets, changes)."""

    name = "route53"

    def __init__(self, options=None):
        super().__init__(options)
        o = self.options
        self.region = getattr(o, "region", "us-east-1")
        self.key_service = getattr(o, "key_service", None)
        self.sync_delay = float(getattr(o, "sync_delay", 1.0))
        self.prior_window = float(getattr(o, "prior_request_window", 0.0))
        self.batch_shape = getattr(o, "batch_error_shape", "error")
        self.zones = {}         # id -> zone (r53_model.new_zone)
        self.keys = {}          # access key id -> key dict
        self.changes = {}       # change id -> change
        self.concurrent = []    # another writer's edits, see seed()
        self.last_change = {}   # zone id -> time of its last change
        self._initial = None
        # Five requests per second per account (DNSLimitations).
        self.rate = TokenBucket()
        self.set_rate_limit(limit=5, window=1.0)
        for z in getattr(o, "zone", None) or []:
            self._add_zone({"name": z})
        for z in getattr(o, "private_zone", None) or []:
            self._add_zone({"name": z, "private": True})
        for k in getattr(o, "access_key", None) or []:
            kid, secret, *tok = k.split(":", 2)
            self._add_key({"id": kid, "secret": secret,
                           "token": tok[0] if tok else None})

    @classmethod
    def add_arguments(cls, parser):
        g = parser.add_argument_group("route53")
        g.add_argument("--zone", action="append", metavar="NAME",
                       help="create a public hosted zone (repeatable)")
        g.add_argument("--private-zone", action="append", metavar="NAME",
                       help="create a private hosted zone (repeatable)")
        g.add_argument("--access-key", action="append",
                       metavar="ACCESS_KEY_ID:SECRET[:SESSION_TOKEN]",
                       help="accept requests signed with this key")
        g.add_argument("--key-service", metavar="URL",
                       help="look up unknown access key ids at "
                       "URL/keys/ID (the AWS credentials stand-in's "
                       "control port), as IAM would")
        g.add_argument("--region", default="us-east-1",
                       help="SigV4 signing region (us-east-1)")
        g.add_argument("--sync-delay", type=float, default=1.0,
                       help="seconds a change stays PENDING (1)")
        g.add_argument("--prior-request-window", type=float, default=0.0,
                       help="refuse a change to a zone this many seconds "
                       "after the previous one with PriorRequestNotComplete")
        g.add_argument("--batch-error-shape", choices=("error", "messages"),
                       default="error",
                       help="refused batches as ErrorResponse with code "
                       "InvalidChangeBatch and '[msg, msg]' (error, what "
                       "botocore parses) or as an InvalidChangeBatch "
                       "document with Messages (messages)")

    # --- seeding -------------------------------------------------------------
    def _add_zone(self, spec):
        z = m.new_zone(spec)
        if z["id"] in self.zones:       # seeding more records into it
            z = self.zones[z["id"]]
        self.zones[z["id"]] = z
        for r in spec.get("records", []):
            name = r["name"]
            raw = m.name_bytes(name)
            if not m.in_zone(raw, z["raw"]):   # relative to the zone
                raw = m.name_bytes(name + "." + z["name"])
            rr = {"Name": m.name_text(raw), "Type": r.get("type", "TXT"),
                  "TTL": int(r.get("ttl", 300)), "values": list(r["values"])}
            for v in rr["values"]:
                m.rdata_key(rr["Type"], v)      # validates TXT
            if r.get("set_id"):
                rr["SetIdentifier"] = r["set_id"]
            z["rrsets"][(rr["Name"], rr["Type"], r.get("set_id") or "")] = rr
            self._push(z, rr["Name"], immediate=True)
        return z

    def _add_key(self, spec):
        self.keys[spec["id"]] = {
            "secret": spec["secret"], "token": spec.get("token"),
            "deny": set(spec.get("deny", [])),
            "arn": spec.get("arn", "arn:aws:iam::%s:user/tlsrpt" % ACCOUNT)}

    def seed(self, data):
        """{"keys": [{"id", "secret", "token", "deny": [operation...],
        "arn"}], "zones": [{"name", "private", "id", "records": [{"name",
        "type", "ttl", "values": [wire values], "set_id"}]}],
        "concurrent": [{"zone", "name", "count", "ttl", "values" (null:
        delete)}], "settings": {"sync_delay", "prior_request_window",
        "batch_error_shape"}}"""
        out = {"zones": {}}
        for k in data.get("keys", []):
            self._add_key(k)
        for zs in data.get("zones", []):
            z = self._add_zone(zs)
            out["zones"][z["name"] + (" private" if z["private"] else "")] \
                = z["id"]
        for c in data.get("concurrent", []):
            self.concurrent.append({
                "zone": m.canonical(c["zone"]), "name": m.canonical(
                    c["name"]), "count": int(c.get("count", 1)),
                "ttl": int(c.get("ttl", 300)), "values": c.get("values")})
        s = data.get("settings", {})
        self.batch_shape = s.get("batch_error_shape", self.batch_shape)
        self.sync_delay = float(s.get("sync_delay", self.sync_delay))
        self.prior_window = float(s.get("prior_request_window",
                                        self.prior_window))
        return out

    def mark_initial(self):
        self._initial = copy.deepcopy((self.zones, self.keys,
                                       self.concurrent))

    def reset_state(self):
        before = self._owners()
        if self._initial is None:
            self.zones, self.keys, self.concurrent = {}, {}, []
        else:
            self.zones, self.keys, self.concurrent = copy.deepcopy(
                self._initial)
        self.changes, self.last_change = {}, {}
        for zid, name in before | self._owners():
            if zid in self.zones:
                self._push(self.zones[zid], name, immediate=True)

    def _owners(self):
        return {(z["id"], r["Name"]) for z in self.zones.values()
                for r in z["rrsets"].values() if r["Type"] == "TXT"}

    def state(self):
        zones = []
        for z in self.zones.values():
            zones.append({"id": z["id"], "name": z["name"],
                          "private": z["private"],
                          "rrsets": [dict(r) for r in m.sorted_rrsets(z)]})
        return {"zones": zones, "keys": len(self.keys),
                "changes": {c["id"]: self._status(c)
                            for c in self.changes.values()},
                "sync_delay": self.sync_delay}

    # --- DNS mirror ----------------------------------------------------------
    def _push(self, zone, name, immediate=False):
        """Mirror the TXT RRset at name to Knot (public zones only: a
        private zone is not what the Internet sees)."""
        if self.dns is None or zone["private"]:
            return
        rr = zone["rrsets"].get((name, "TXT", ""))
        strings = [m.txt_strings(v) for v in rr["values"]] if rr else []
        self.dns.push(zone["name"].rstrip("."), name, strings,
                      rr["TTL"] if rr else 300, immediate)

    # --- auth ----------------------------------------------------------------
    def _key(self, kid):
        k = self.keys.get(kid)
        if k is None and self.key_service:
            try:
                with urllib.request.urlopen("%s/keys/%s" % (
                        self.key_service, kid), timeout=5) as r:
                    d = json.loads(r.read())
                k = {"secret": d["secret"], "token": d.get("token"),
                     "deny": set(), "arn": d.get("arn", "")}
                self.keys[kid] = k
            except (OSError, ValueError, KeyError):
                return None
        return k

    def _authenticate(self, req, op):
        auth = req.headers.get("Authorization") or ""
        mk = re.search(r"Credential=([^/,\s]+)/", auth)
        keys = {}
        if mk:
            k = self._key(mk.group(1))
            if k is not None:
                keys[mk.group(1)] = (k["secret"], k["token"])
        err = verify(req.method, req.target, list(req.headers.items()),
                     req.body, keys, service="route53", region=self.region)
        if err:
            raise m.R53Error(err.status, err.code, err.message)
        k = self.keys[mk.group(1)]
        # Who signed what, for tests of the credential sources.
        self._bump("signed_by:" + mk.group(1))
        if k["token"]:
            self._bump("signed_with_session_token")
        if op in k["deny"]:
            raise m.R53Error(403, "AccessDenied", "User: %s is not "
                             "authorized to perform: route53:%s" % (
                                 k["arn"], op))

    # --- base hooks ----------------------------------------------------------
    def route(self, req):
        for method, rx, op in ROUTES:
            mt = rx.fullmatch(req.path)
            if mt and req.method == method:
                return op, lambda r, g=mt.groups(), o=op: self._wrap(
                    o, r, *g)
        return None

    def not_found(self, req):
        return xml_response(404, m.error_xml(m.R53Error(
            404, "UnknownOperationException", "Unknown operation %s %s" % (
                req.method, req.path)), str(uuid.uuid4())))

    def rate_limited(self, retry_after):
        # Route 53 says it with HTTP 400 and no Retry-After.
        return xml_response(400, m.error_xml(m.R53Error(
            400, "Throttling", "Rate exceeded"), str(uuid.uuid4())))

    def error_response(self, status):
        code, msg = {400: ("Throttling", "Rate exceeded"),
                     403: ("AccessDenied", "User is not authorized"),
                     500: ("InternalFailure", "An internal error "
                           "occurred"),
                     503: ("ServiceUnavailable", "Service unavailable")
                     }.get(status, ("InternalFailure", "Injected error"))
        return xml_response(status, m.error_xml(m.R53Error(
            status, code, msg), str(uuid.uuid4())))

    def _wrap(self, op, req, *args):
        try:
            self._authenticate(req, op)
            return getattr(self, "_h_" + op)(req, *args)
        except m.R53Error as e:
            if e.shape == "batch" and self.batch_shape == "error":
                # What the AWS CLI shows: "(InvalidChangeBatch) ...: [Tried
                # to create resource record set [name=...] but it ...]".
                e = m.R53Error(e.status, e.code,
                               "[%s]" % ", ".join(e.messages))
            return xml_response(e.status, m.error_xml(e, str(uuid.uuid4())))

    def _zone(self, zid):
        z = self.zones.get(zid)
        if z is None:
            raise m.R53Error(404, "NoSuchHostedZone",
                             "No hosted zone found with ID: %s" % zid)
        return z

    @staticmethod
    def _max_items(req, default, top):
        v = req.arg("maxitems")
        if v is None:
            return default
        if not v.isdigit() or int(v) < 1:
            raise m.invalid_input("Invalid value for maxitems: %s" % v)
        return min(int(v), top)

    # --- handlers --------------------------------------------------------------
    def _h_ListHostedZonesByName(self, req):
        dnsname, hzid = req.arg("dnsname"), req.arg("hostedzoneid")
        if hzid and not dnsname:
            raise m.invalid_input("Invalid request: hostedzoneid requires "
                                  "dnsname")
        top = self._max_items(req, 100, 100)
        zones = sorted(self.zones.values(),
                       key=lambda z: (m.sort_key(z["raw"]), z["id"]))
        if dnsname:
            start = (m.sort_key(m.name_bytes(dnsname)), hzid or "")
            zones = [z for z in zones
                     if (m.sort_key(z["raw"]), z["id"]) >= start]
        page, rest = zones[:top], zones[top:]
        inner = "<HostedZones>%s</HostedZones>" % "".join(
            m.zone_xml(z) for z in page)
        if dnsname:
            inner += m.el("DNSName", m.canonical(dnsname))
        if hzid:
            inner += m.el("HostedZoneId", hzid)
        inner += m.el("IsTruncated", "true" if rest else "false")
        if rest:
            inner += m.el("NextDNSName", rest[0]["name"]) + \
                m.el("NextHostedZoneId", rest[0]["id"])
        inner += m.el("MaxItems", top)
        return xml_response(200, m.doc("ListHostedZonesByNameResponse",
                                       inner))

    def _h_ListHostedZones(self, req):
        marker = req.arg("marker")
        top = self._max_items(req, 100, 100)
        zones = sorted(self.zones.values(), key=lambda z: z["id"])
        if marker:
            zones = [z for z in zones if z["id"] >= marker]
        page, rest = zones[:top], zones[top:]
        inner = "<HostedZones>%s</HostedZones>" % "".join(
            m.zone_xml(z) for z in page)
        inner += m.el("Marker", marker or "")
        inner += m.el("IsTruncated", "true" if rest else "false")
        if rest:
            inner += m.el("NextMarker", rest[0]["id"])
        inner += m.el("MaxItems", top)
        return xml_response(200, m.doc("ListHostedZonesResponse", inner))

    def _h_GetHostedZone(self, req, zid):
        z = self._zone(zid)
        if z["private"]:
            extra = "<VPCs><VPC>%s%s</VPC></VPCs>" % (
                m.el("VPCRegion", z["vpc"]["region"]),
                m.el("VPCId", z["vpc"]["id"]))
        else:
            extra = "<DelegationSet><NameServers>%s</NameServers>" \
                "</DelegationSet>" % "".join(m.el("NameServer", n)
                                             for n in z["ns"])
        return xml_response(200, m.doc("GetHostedZoneResponse",
                                       m.zone_xml(z) + extra))

    def _h_ListResourceRecordSets(self, req, zid):
        z = self._zone(zid)
        name, rtype = req.arg("name"), req.arg("type")
        if rtype and not name:
            raise m.invalid_input("The input is not valid: type requires "
                                  "name")
        if rtype and rtype not in m.RRTYPES:
            raise m.invalid_input("Invalid type: %s" % rtype)
        top = self._max_items(req, 300, 300)
        sets = m.sorted_rrsets(z)
        if name:
            start = m.sort_key(m.name_bytes(name), rtype or "")
            sets = [r for r in sets
                    if m.sort_key(m.name_bytes(r["Name"]), r["Type"])
                    >= start]
        page, rest = sets[:top], sets[top:]
        inner = "<ResourceRecordSets>%s</ResourceRecordSets>" % "".join(
            m.rrset_xml(r) for r in page)
        inner += m.el("IsTruncated", "true" if rest else "false")
        if rest:
            inner += m.el("NextRecordName", rest[0]["Name"]) + \
                m.el("NextRecordType", rest[0]["Type"])
        inner += m.el("MaxItems", top)
        resp = xml_response(200, m.doc("ListResourceRecordSetsResponse",
                                       inner))
        if name:
            self._concurrent_edit(z, m.canonical(name))
        return resp

    def _concurrent_edit(self, z, name):
        """Another writer changes the RRset right after we answered a
        read of it: the reader's next batch no longer matches."""
        for c in self.concurrent:
            if c["count"] <= 0 or c["zone"] != z["name"] or \
                    c["name"] != name:
                continue
            c["count"] -= 1
            key = (name, "TXT", "")
            if c["values"] is None:
                z["rrsets"].pop(key, None)
            else:
                z["rrsets"][key] = {"Name": name, "Type": "TXT",
                                    "TTL": c["ttl"],
                                    "values": list(c["values"])}
            self._bump("concurrent_edits")
            self._push(z, name)
            return

    def _h_ChangeResourceRecordSets(self, req, zid):
        z = self._zone(zid)
        comment, changes = m.parse_batch(req.body)
        now = time.monotonic()
        last = self.last_change.get(zid)
        if last is not None and now - last < self.prior_window:
            raise m.R53Error(400, "PriorRequestNotComplete", PRIOR_MSG)
        z["rrsets"], touched = m.apply_batch(z, changes)
        self.last_change[zid] = now
        cid = "C" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789") for _ in range(13))
        change = {"id": cid, "submitted_at": now_iso(), "comment": comment,
                  "insync_at": now + self.sync_delay}
        self.changes[cid] = change
        self.count_write()
        for name, rtype in touched:
            if rtype == "TXT":
                self._push(z, name)
        return xml_response(200, m.doc(
            "ChangeResourceRecordSetsResponse",
            m.change_xml(change, self._status(change))))

    def _status(self, change):
        return "INSYNC" if time.monotonic() >= change["insync_at"] \
            else "PENDING"

    def _h_GetChange(self, req, cid):
        change = self.changes.get(cid)
        if change is None:
            raise m.R53Error(404, "NoSuchChange", "A change with the "
                             "specified change ID does not exist.")
        return xml_response(200, m.doc("GetChangeResponse", m.change_xml(
            change, self._status(change))))


if __name__ == "__main__":
    sys.exit(run(Route53Emulator))
