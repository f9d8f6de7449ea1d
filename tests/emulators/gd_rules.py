"""What the GoDaddy emulator checks in request bodies and how it shapes
its answers, per GoDaddy's Swagger 2.0 description of the Domains API v1
(shared/specs/godaddy-dns-records.swagger.json: DNSRecord,
DNSRecordCreateTypeName, DomainSummary, Error, ErrorLimit) and the
behaviour in shared/reference/providers.md section 3.

Field error codes: UNKNOWN_RESTRICTION with "must have a minimum value of
600" is GoDaddy's own (a 422 quoted verbatim in win-acme#1947). The other
field codes (MISSING, UNEXPECTED_TYPE, UNKNOWN_FIELD, MISMATCH) are the
emulator's: no public source shows GoDaddy's.
"""
import datetime
import re

MIN_TTL = 600
DEFAULT_TTL = 3600          # what the dashboard gives a new record
TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT")
DELETE_TYPES = ("A", "AAAA", "CNAME", "MX", "SRV", "TXT")
INT_FIELDS = ("ttl", "priority", "port", "weight")
STR_FIELDS = ("data", "service", "protocol")
LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.I)
NAME = re.compile(r"[A-Za-z0-9_*.@-]{1,255}")
SCHEMA_MESSAGE = "Request body doesn't fulfill schema, see details in `fields`"


class GdError(Exception):
    """An API error: status and GoDaddy's {code, message, fields}."""

    def __init__(self, status, code, message, fields=None, extra=None,
                 headers=None):
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "message": message}
        if fields:
            self.body["fields"] = fields
        if extra:
            self.body.update(extra)
        self.headers = headers or []


def field(path, code, message):
    return {"path": path, "code": code, "message": message}


def valid_domain(name):
    labels = name.rstrip(".").split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(
        LABEL.fullmatch(x) for x in labels)


def valid_name(name):
    return bool(NAME.fullmatch(name)) and ".." not in name


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_record(item, path, with_name_type, lenient=False, want=None):
    """Field errors of one record object; want = (type, name) of the path
    when the body may repeat them (lego sends them on PUT)."""
    errs = []
    if not isinstance(item, dict):
        return [field(path, "UNEXPECTED_TYPE", "must be an object")]
    known = set(INT_FIELDS) | set(STR_FIELDS) | {"type", "name"}
    for k in sorted(item):
        if k not in known and not lenient:
            errs.append(field("%s.%s" % (path, k), "UNKNOWN_FIELD",
                              "is not a property of the record"))
    if "data" not in item:
        errs.append(field(path + ".data", "MISSING", "is required"))
    for k in STR_FIELDS:
        if k in item and not isinstance(item[k], str):
            errs.append(field("%s.%s" % (path, k), "UNEXPECTED_TYPE",
                              "must be a string"))
    for k in INT_FIELDS:
        if k in item and not _is_int(item[k]):
            errs.append(field("%s.%s" % (path, k), "UNEXPECTED_TYPE",
                              "must be an integer"))
    if _is_int(item.get("ttl")) and item["ttl"] < MIN_TTL:
        errs.append(field(path + ".ttl", "UNKNOWN_RESTRICTION",
                          "must have a minimum value of %d" % MIN_TTL))
    if _is_int(item.get("port")) and not 1 <= item["port"] <= 65535:
        errs.append(field(path + ".port", "UNKNOWN_RESTRICTION",
                          "must be between 1 and 65535"))
    for k in ("priority", "weight"):
        if _is_int(item.get(k)) and item[k] < 0:
            errs.append(field("%s.%s" % (path, k), "UNKNOWN_RESTRICTION",
                              "must be a positive integer"))
    if with_name_type:
        if not isinstance(item.get("type"), str) or \
                item["type"] not in TYPES:
            errs.append(field(path + ".type", "MISSING" if "type" not in
                              item else "UNEXPECTED_TYPE",
                              "must be one of " + ", ".join(TYPES)))
        if not isinstance(item.get("name"), str) or \
                not valid_name(item["name"]):
            errs.append(field(path + ".name", "MISSING" if "name" not in
                              item else "UNEXPECTED_TYPE",
                              "must be a record name"))
    elif want is not None:
        t, n = want
        if "type" in item and item["type"] != t:
            errs.append(field(path + ".type", "MISMATCH",
                              "must be '%s', as in the path" % t))
        if "name" in item and (not isinstance(item["name"], str)
                               or item["name"].lower() != n.lower()):
            errs.append(field(path + ".name", "MISMATCH",
                              "must be '%s', as in the path" % n))
    return errs


def check_records(body, with_name_type, lenient=False, want=None,
                  allow_empty=False):
    """The 422 for a records array body, or None when it is valid."""
    if not isinstance(body, list):
        errs = [field("records", "UNEXPECTED_TYPE", "must be an array")]
    elif not body and not allow_empty:
        errs = [field("records", "UNKNOWN_RESTRICTION",
                      "must contain at least 1 item")]
    else:
        errs = []
        for i, item in enumerate(body):
            errs += check_record(item, "records[%d]" % i, with_name_type,
                                 lenient, want)
    if errs:
        return GdError(422, "INVALID_BODY", SCHEMA_MESSAGE, errs)
    return None


def make_record(item, rtype, name):
    rec = {"type": rtype, "name": name.lower(), "data": item["data"],
           "ttl": item.get("ttl", DEFAULT_TTL)}
    for k in ("priority", "port", "weight", "service", "protocol"):
        if k in item:
            rec[k] = item[k]
    return rec


def public(rec):
    return dict(rec)


def txt_strings(data):
    """The character-strings DNS serves for raw TXT data: GoDaddy keeps
    the text and splits it into 255-octet strings when serving."""
    raw = data.encode("utf-8")
    return [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]


def iso(days=0):
    t = datetime.datetime(2026, 1, 2, 3, 4, 5) + datetime.timedelta(days)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


CONTACT = {"nameFirst": "Pat", "nameLast": "Example",
           "email": "hostmaster@example.test", "phone": "+1.4805058800",
           "organization": "Emulated", "addressMailing": {
               "address1": "1 Example Way", "city": "Tempe",
               "state": "Arizona", "postalCode": "85284", "country": "US"}}


def summary(d, includes=()):
    """A DomainSummary with every field the schema requires."""
    out = {"domainId": d["domainId"], "domain": d["domain"],
           "status": d["status"], "expirationProtected": False,
           "holdRegistrar": False, "locked": True, "privacy": False,
           "renewAuto": True, "renewable": True,
           "renewDeadline": iso(400), "expires": iso(365),
           "transferProtected": False, "createdAt": iso(),
           "contactRegistrant": dict(CONTACT)}
    if "nameServers" in includes:
        out["nameServers"] = list(d["nameServers"])
    if "authCode" in includes:
        out["authCode"] = "emulated-auth-code"
    if "contacts" in includes:
        for k in ("contactAdmin", "contactBilling", "contactTech"):
            out[k] = dict(CONTACT)
    return out


def detail(d):
    """A DomainDetail with every field the schema requires."""
    out = summary(d, ("nameServers", "authCode", "contacts"))
    out["exposeWhois"] = False
    return out
