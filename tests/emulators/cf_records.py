"""Cloudflare DNS record bodies: validation and the stored record.

What the real API checks on POST/PUT/PATCH /zones/{id}/dns_records, as far
as public evidence shows (/work/shared/reference/providers.md section 1):
TTL 1 (automatic) or 60..86400 (1004 + 9021), TXT content in RFC 1035
presentation form with automatic re-chunking into 255-octet strings,
printable ASCII only (1004 + 9051), duplicate records (81058, or 81057 in
its older wording), a TXT record cannot be proxied (9004), a CNAME owns its
name (81054). Codes marked "emulator" below have no public source: they
keep the real envelope shape (400, 1004 "DNS Validation Error" with an
error_chain and a source pointer) so clients key off HTTP status first.
"""
import datetime
import ipaddress
import re
import uuid

try:
    from . import txtfmt
except ImportError:     # loaded as a top-level module
    import txtfmt

WRITABLE = {"type", "name", "content", "ttl", "proxied", "comment", "tags",
            "settings", "priority", "data", "private_routing"}
# Response fields a client may echo back from a GET; the API ignores them.
READ_ONLY = {"id", "zone_id", "zone_name", "created_on", "modified_on",
             "proxiable", "meta", "locked", "comment_modified_on",
             "tags_modified_on"}
TYPES = {"A", "AAAA", "CNAME", "MX", "NS", "TXT", "PTR"}
TAG = re.compile(r"[A-Za-z0-9_-]+:.*")
MAX_RDATA = 4096            # "maximum wire format size of 4,096 bytes"
MAX_RRSET_CONTENT = 8192    # combined content of one name and type


class ApiError(Exception):
    """An error answer: HTTP status and the envelope's errors[]."""

    def __init__(self, status, errors, headers=None):
        super().__init__(errors[0]["message"] if errors else "")
        self.status = status
        self.errors = errors
        self.headers = headers or []


def err(code, message, chain=None, pointer=None):
    e = {"code": code, "message": message}
    if chain:
        e["error_chain"] = chain
    if pointer:
        e["source"] = {"pointer": pointer}
    return e


def validation(code, message, field=None):
    """400 DNS Validation Error with one chained cause."""
    return ApiError(400, [err(1004, "DNS Validation Error",
                              [{"code": code, "message": message}],
                              "/" + field if field else None)])


def now_iso():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id():
    return uuid.uuid4().hex


class RecordRules:
    """Per-emulator settings: min_ttl, duplicate_code, txt_unquoted
    ('keep' returns unquoted content as sent, 'quote' adds quotes),
    lenient_fields (accept unknown body fields)."""

    def __init__(self, min_ttl=60, duplicate_code=81058, txt_unquoted="keep",
                 lenient_fields=False):
        self.min_ttl = min_ttl
        self.duplicate_code = duplicate_code
        self.txt_unquoted = txt_unquoted
        self.lenient_fields = lenient_fields

    # --- body ----------------------------------------------------------------
    def check_body(self, body, partial):
        """Field names and JSON types; returns the writable fields."""
        if not isinstance(body, dict):
            raise validation(9000, "request body must be a JSON object")
        out = {}
        for k, v in body.items():
            if k in READ_ONLY:
                continue
            if k not in WRITABLE:
                if self.lenient_fields:
                    continue
                raise validation(9000, "unknown field '%s'" % k, k)
            out[k] = v
        _typecheck(out)
        if not partial:
            for k in ("type", "name", "content"):
                if k not in out:
                    raise validation(9000, "field '%s' is required" % k, k)
        return out

    # --- the stored record ---------------------------------------------------
    def build(self, zone, fields, old=None):
        """Merge fields over old (PATCH) or defaults (POST/PUT) and
        validate; returns a new record dict (not yet stored)."""
        rec = dict(old) if old else {}
        if old is None:
            rec.update(ttl=1, proxied=False, comment=None, tags=[],
                       settings={})
        rec.update({k: v for k, v in fields.items()
                    if k not in ("name", "type")})
        rtype = fields.get("type", rec.get("type"))
        if rtype not in TYPES:
            raise validation(9020, "Invalid DNS record type", "type")
        rec["type"] = rtype
        rec["name"] = self.full_name(zone, fields.get("name",
                                                      rec.get("name")))
        self._ttl(rec["ttl"])
        if rec.get("proxied") and rtype not in ("A", "AAAA", "CNAME"):
            raise ApiError(400, [err(9004, "This record type cannot be "
                                     "proxied.")])
        if rec.get("comment") is not None and re.search(
                r"[\r\n]", rec["comment"]):
            raise validation(9000, "comment must not contain line breaks",
                             "comment")
        for t in rec.get("tags") or []:
            if not TAG.fullmatch(t):
                raise validation(9000, "tag '%s' is not name:value" % t,
                                 "tags")
        self._content(rec)
        return rec

    def full_name(self, zone, name):
        zname = zone["name"]
        n = name.strip().rstrip(".").lower()
        if n in ("", "@"):
            n = zname if n == "@" else ""
        if not n:
            raise validation(9000, "name must not be empty", "name")
        if n != zname and not n.endswith("." + zname):
            n = n + "." + zname     # relative names are in the zone
        labels = n.split(".")
        if len(n) > 253 or any(not lb or len(lb) > 63 for lb in labels):
            raise validation(9000, "name '%s' is not a valid DNS name" % n,
                             "name")
        return n

    def _ttl(self, ttl):
        if ttl == 1 or self.min_ttl <= ttl <= 86400:
            return
        raise validation(9021, "TTL must be between %d and 86400 seconds, "
                         "or 1 for Automatic." % self.min_ttl, "ttl")

    def _content(self, rec):
        c = rec.get("content")
        if not isinstance(c, str) or c == "":
            raise validation(9000, "content must not be empty", "content")
        t = rec["type"]
        if t == "TXT":
            rec["_strings"], rec["content"] = self.txt(c)
        elif t == "A" and not _is_ip(c, 4):
            raise ApiError(400, [err(9005, "Content for A record must be a "
                                     "valid IPv4 address.")])
        elif t == "AAAA" and not _is_ip(c, 6):
            raise ApiError(400, [err(9006, "Content for AAAA record must be "
                                     "a valid IPv6 address.")])
        elif t == "MX" and not isinstance(rec.get("priority"), int):
            raise validation(9000, "MX records need a priority", "priority")

    def txt(self, content):
        """-> (character-strings, content as the API stores it)."""
        bad = [ch for ch in content if not 0x20 <= ord(ch) <= 0x7E]
        if bad:
            raise validation(9051, "Invalid TXT record. Record may only "
                             "contain printable ASCII!", "content")
        if content.startswith('"') or content.endswith('"'):
            try:
                strings = txtfmt.chunk(txtfmt.parse_quoted(content))
            except txtfmt.TxtSyntaxError as e:
                raise validation(9000, "content is not valid TXT "
                                 "presentation format (%s): quote every "
                                 "character-string" % e, "content")
            stored = txtfmt.render_quoted(strings)
        else:
            strings = txtfmt.raw_strings(content)
            stored = content if self.txt_unquoted == "keep" \
                else txtfmt.render_quoted(strings)
        if sum(len(s) + 1 for s in strings) > MAX_RDATA:
            raise validation(9000, "TXT content is over %d octets in wire "
                             "format" % MAX_RDATA, "content")
        return strings, stored

    # --- whole-zone rules ----------------------------------------------------
    def check_conflicts(self, records, rec):
        """records: the zone's other records (rec's own id excluded)."""
        same = [r for r in records if r["name"] == rec["name"]]
        if rec["type"] != "CNAME" and any(r["type"] == "CNAME"
                                          for r in same):
            raise ApiError(400, [err(81054, "A CNAME record with that host "
                                     "already exists.")])
        for r in same:
            if r["type"] == rec["type"] and identity(r) == identity(rec):
                msg = "An identical record already exists." \
                    if self.duplicate_code == 81058 \
                    else "The record already exists."
                raise ApiError(400, [err(self.duplicate_code, msg)])
        total = len(rec["content"]) + sum(
            len(r["content"]) for r in same if r["type"] == rec["type"])
        if total > MAX_RRSET_CONTENT:
            raise validation(9000, "records with the same name and type "
                             "may hold at most %d characters of content"
                             % MAX_RRSET_CONTENT, "content")


def identity(rec):
    if rec["type"] == "TXT":
        return txtfmt.decoded(rec["_strings"])
    return rec["content"].lower().rstrip(".")


def public(rec, zone):
    """The record as the API returns it."""
    out = {"id": rec["id"], "zone_id": zone["id"], "zone_name": zone["name"],
           "name": rec["name"], "type": rec["type"],
           "content": rec["content"], "proxiable": rec["type"] in (
               "A", "AAAA", "CNAME"), "proxied": bool(rec.get("proxied")),
           "ttl": rec["ttl"], "settings": rec.get("settings") or {},
           "meta": {}, "comment": rec.get("comment"),
           "tags": rec.get("tags") or [], "created_on": rec["created_on"],
           "modified_on": rec["modified_on"]}
    if rec.get("priority") is not None:
        out["priority"] = rec["priority"]
    if rec.get("comment_modified_on"):
        out["comment_modified_on"] = rec["comment_modified_on"]
    return out


def _typecheck(f):
    def bad(k, want):
        return validation(9000, "field '%s' must be %s" % (k, want), k)
    for k in ("type", "name", "content"):
        if k in f and not isinstance(f[k], str):
            raise bad(k, "a string")
    if "ttl" in f:
        t = f["ttl"]
        if isinstance(t, bool) or not isinstance(t, (int, float)) or \
                t != int(t):
            raise bad("ttl", "an integer")
        f["ttl"] = int(t)
    if "priority" in f:
        p = f["priority"]
        if isinstance(p, bool) or not isinstance(p, int) or \
                not 0 <= p <= 65535:
            raise bad("priority", "an integer 0..65535")
    if "proxied" in f and not isinstance(f["proxied"], bool):
        raise bad("proxied", "true or false")
    if "comment" in f and f["comment"] is not None and \
            not isinstance(f["comment"], str):
        raise bad("comment", "a string or null")
    if "tags" in f and (not isinstance(f["tags"], list) or not all(
            isinstance(t, str) for t in f["tags"])):
        raise bad("tags", "a list of strings")
    for k in ("settings", "data"):
        if k in f and not isinstance(f[k], dict):
            raise bad(k, "an object")


def _is_ip(text, version):
    try:
        return ipaddress.ip_address(text).version == version
    except ValueError:
        return False
