"""The Route 53 data model behind the emulator (tests/emulators/route53.py):
DNS names in Route 53's form, TXT values as Route 53 validates them,
hosted zones with their RRsets, change batches applied atomically with the
real CREATE / DELETE / UPSERT rules, and the REST-XML rendering of it all.

Facts and sources: /work/shared/reference/providers.md section 2 and
botocore's route53 model (service-2.json). This is the emulator's own
code, independent of the C encoder and decoder it tests.
"""
import hashlib
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

NS = "https://route53.amazonaws.com/doc/2013-04-01/"
RRTYPES = ("SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV",
           "SPF", "AAAA", "CAA", "DS")
# Members of ResourceRecordSet, in the order the API requires.
RRSET_ORDER = ("Name", "Type", "SetIdentifier", "Weight", "Region",
               "GeoLocation", "Failover", "MultiValueAnswer", "TTL",
               "ResourceRecords", "AliasTarget", "HealthCheckId",
               "TrafficPolicyInstanceId", "CidrRoutingConfig")
VALUE_MAX = 4000
STRING_MAX = 255
NAME_CHARS = re.compile(rb"[a-z0-9_.-]")


class R53Error(Exception):
    """An API error: HTTP status, code, message(s), and which document
    shape Route 53 uses for it ("error" = ErrorResponse/Error,
    "batch" = InvalidChangeBatch/Messages)."""

    def __init__(self, status, code, messages, shape="error"):
        super().__init__(code)
        self.status = status
        self.code = code
        self.messages = messages if isinstance(messages, list) \
            else [messages]
        self.shape = shape


def invalid_input(msg):
    return R53Error(400, "InvalidInput", msg)


# --- names ---------------------------------------------------------------
def name_bytes(text):
    """'Ex\\052ample.com.' -> b'ex*ample.com' (escapes decoded, lower case,
    no trailing dot)."""
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 3 < n and re.match(r"[0-7]{3}",
                                                     text[i + 1:i + 4]):
            out.append(int(text[i + 1:i + 4], 8) & 0xFF)
            i += 4
        elif c == "\\" and i + 1 < n:
            out += text[i + 1].encode()
            i += 2
        else:
            out += c.encode("utf-8")
            i += 1
    if out.endswith(b"."):
        out = out[:-1]
    return bytes(out).lower()


def name_text(raw):
    """b'ex*ample.com' -> 'ex\\052ample.com.': what Route 53 returns,
    characters other than a-z 0-9 - _ as octal escapes."""
    out = []
    for b in raw:
        ch = bytes([b])
        out.append(ch.decode() if NAME_CHARS.fullmatch(ch)
                   else "\\%03o" % b)
    return "".join(out) + "."


def canonical(text):
    return name_text(name_bytes(text))


def sort_key(raw_name, rtype=""):
    """Route 53's order: names by their labels reversed, then type."""
    return ([lab for lab in reversed(raw_name.split(b"."))], rtype)


def in_zone(raw_name, raw_zone):
    return raw_name == raw_zone or raw_name.endswith(b"." + raw_zone)


# --- TXT values ----------------------------------------------------------
def txt_strings(value):
    """Route 53's check of one TXT Value: '"a" "b\\"c"' -> [b'a', b'b"c'].
    Raises R53Error(InvalidChangeBatch) with Route 53's wording."""
    def fatal(problem, why):
        return R53Error(400, "InvalidChangeBatch",
                        "Invalid Resource Record: FATAL problem: %s (%s) "
                        "encountered with '%s'" % (problem, why, value))
    out = []
    i, n = 0, len(value)
    if len(value) > VALUE_MAX:
        raise fatal("TooLong", "Value is too long")
    while i < n:
        if value[i] in " \t":
            i += 1
            continue
        if value[i] != '"' or (out and value[i - 1] == '"'):
            # Text outside quotes, or two strings glued together.
            raise fatal("InvalidCharacterString",
                        "Value should be enclosed in quotation marks")
        i += 1
        buf = bytearray()
        while True:
            if i >= n:
                raise fatal("InvalidCharacterString",
                            "Value should be enclosed in quotation marks")
            c = value[i]
            if c == '"':
                i += 1
                break
            if c == "\\":
                if re.match(r"[0-7]{3}", value[i + 1:i + 4]) and \
                        int(value[i + 1:i + 4], 8) <= 0xFF:
                    buf.append(int(value[i + 1:i + 4], 8))
                    i += 4
                    continue
                if i + 1 >= n:
                    raise fatal("InvalidCharacterString",
                                "Value should be enclosed in quotation "
                                "marks")
                c = value[i + 1]
                i += 1
            elif not 0x20 <= ord(c) <= 0x7E:
                raise fatal("InvalidCharacterString",
                            "Value contains characters that must be "
                            "escaped as \\ooo")
            buf += c.encode("utf-8")
            i += 1
        if len(buf) > STRING_MAX:
            raise fatal("CharacterStringTooLong", "Value is too long")
        out.append(bytes(buf))
    if not out:
        raise fatal("InvalidCharacterString",
                    "Value should be enclosed in quotation marks")
    return out


def txt_decoded(value):
    """The value a resolver sees: the strings concatenated (UTF-8 text
    for tests, undecodable bytes replaced)."""
    return b"".join(txt_strings(value)).decode("utf-8", "replace")


def rdata_key(rtype, value):
    """What makes two values the same record: TXT compares the parsed
    character-strings, other types the text."""
    if rtype in ("TXT", "SPF"):
        return tuple(txt_strings(value))
    return value.lower()


# --- zones ---------------------------------------------------------------
def zone_id_for(name):
    h = hashlib.sha256(("zone:" + name).encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "Z" + "".join(alphabet[b % 36] for b in h[:20])


def new_zone(spec):
    raw = name_bytes(spec["name"])
    name = name_text(raw)
    private = bool(spec.get("private", False))
    zid = spec.get("id") or zone_id_for(name + (":private" if private
                                                  else ""))
    z = {"id": zid, "name": name, "raw": raw, "private": private,
         "comment": spec.get("comment"),
         "caller_ref": spec.get("caller_reference", "tlsrpt-" + zid),
         "vpc": spec.get("vpc", {"region": "us-east-1",
                                 "id": "vpc-0123456789abcdef0"}),
         "ns": spec.get("name_servers", [
             "ns-%d.awsdns-%02d.%s" % (n, n % 64, tld) for n, tld in
             ((1536, "co.uk"), (512, "net"), (1024, "org"), (0, "com"))]),
         "rrsets": {}}
    z["rrsets"][(name, "SOA", "")] = {
        "Name": name, "Type": "SOA", "TTL": 900,
        "values": ["%s. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 "
                   "86400" % z["ns"][0]]}
    z["rrsets"][(name, "NS", "")] = {
        "Name": name, "Type": "NS", "TTL": 172800,
        "values": [n + "." for n in z["ns"]]}
    return z


def sorted_rrsets(zone):
    return sorted(zone["rrsets"].values(),
                  key=lambda r: sort_key(name_bytes(r["Name"]), r["Type"])
                  + (r.get("SetIdentifier", ""),))


# --- change batches ------------------------------------------------------
def _text(el, tag):
    c = el.find("{%s}%s" % (NS, tag))
    return None if c is None else (c.text or "")


def parse_batch(body):
    """The request body -> (comment, [change dict]). Raises R53Error for
    a document that is not a ChangeResourceRecordSetsRequest."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise R53Error(400, "MalformedInput",
                       "Unexpected XML: %s" % e) from None
    if root.tag != "{%s}ChangeResourceRecordSetsRequest" % NS:
        raise R53Error(400, "MalformedInput", "ChangeBatch is not valid, "
                       "expected ChangeResourceRecordSetsRequest")
    batch = root.find("{%s}ChangeBatch" % NS)
    changes = batch.find("{%s}Changes" % NS) if batch is not None else None
    if changes is None or len(changes) == 0:
        raise invalid_input("Invalid request: Changes must contain at "
                            "least one Change")
    out = []
    for ch in changes:
        if ch.tag != "{%s}Change" % NS:
            raise R53Error(400, "MalformedInput", "Unexpected element %s"
                           % ch.tag.split("}")[-1])
        out.append(_parse_change(ch))
    return _text(batch, "Comment"), out


def _parse_change(ch):
    action = _text(ch, "Action")
    if action not in ("CREATE", "DELETE", "UPSERT"):
        raise invalid_input("Invalid XML ; Action '%s' is not one of "
                            "CREATE, DELETE, UPSERT" % action)
    rrs = ch.find("{%s}ResourceRecordSet" % NS)
    if rrs is None:
        raise invalid_input("Invalid request: ResourceRecordSet missing")
    tags = [c.tag.split("}")[-1] for c in rrs]
    pos = [RRSET_ORDER.index(t) if t in RRSET_ORDER else -1 for t in tags]
    if -1 in pos or pos != sorted(pos) or len(set(pos)) != len(pos):
        raise R53Error(400, "MalformedInput", "Invalid XML ; the elements "
                       "of ResourceRecordSet are not in the required order"
                       " (%s)" % ", ".join(tags))
    name, rtype = _text(rrs, "Name"), _text(rrs, "Type")
    if not name or rtype not in RRTYPES:
        raise invalid_input("Invalid request: Name and a valid Type are "
                            "required")
    ttl = _text(rrs, "TTL")
    recs = rrs.find("{%s}ResourceRecords" % NS)
    if ttl is None or recs is None:
        raise invalid_input(
            "Invalid request: Expected exactly one of [AliasTarget, all of "
            "[TTL, and ResourceRecords]], but found none in Change with "
            "[Action=%s, Name=%s, Type=%s, SetIdentifier=%s]" % (
                action, name, rtype, _text(rrs, "SetIdentifier")))
    if not re.fullmatch(r"\d{1,10}", ttl) or int(ttl) > 2147483647:
        raise invalid_input("Invalid request: TTL '%s' is not a number "
                            "from 0 to 2147483647" % ttl)
    values = [_text(r, "Value") for r in recs]
    if not values or None in values:
        raise invalid_input("Invalid request: ResourceRecords must hold "
                            "at least one ResourceRecord with a Value")
    return {"Action": action, "Name": canonical(name), "Type": rtype,
            "TTL": int(ttl), "values": values,
            "SetIdentifier": _text(rrs, "SetIdentifier") or ""}


def apply_batch(zone, changes):
    """Apply changes to a copy of zone's RRsets, all or nothing. Returns
    (new rrsets, set of (name, type) touched); raises R53Error with every
    problem found, worded as Route 53 words them."""
    rrsets = dict(zone["rrsets"])
    touched = set()
    problems = []
    for c in changes:
        desc = "[name='%s', type='%s'%s]" % (
            c["Name"], c["Type"], ", set-identifier='%s'" %
            c["SetIdentifier"] if c["SetIdentifier"] else "")
        if not in_zone(name_bytes(c["Name"]), zone["raw"]):
            problems.append("RRSet with DNS name %s is not permitted in "
                            "zone %s" % (c["Name"], zone["name"]))
            continue
        keys = [rdata_key(c["Type"], v) for v in c["values"]]  # may raise
        dups = {k for k in keys if keys.count(k) > 1}
        if dups:
            problems.append("Duplicate Resource Record: '%s'" % next(
                v for v, k in zip(c["values"], keys) if k in dups))
            continue
        if c["Type"] in ("SOA", "NS") and c["Name"] == zone["name"]:
            problems.append("Tried to change the SOA or NS records of the "
                            "zone apex %s" % desc)
            continue
        key = (c["Name"], c["Type"], c["SetIdentifier"])
        have = rrsets.get(key)
        if c["Action"] == "CREATE" and have is not None:
            problems.append("Tried to create resource record set %s but "
                            "it already exists" % desc)
            continue
        if c["Action"] == "DELETE":
            if have is None:
                problems.append("Tried to delete resource record set %s "
                                "but it was not found" % desc)
                continue
            if have["TTL"] != c["TTL"] or sorted(keys) != sorted(
                    rdata_key(c["Type"], v) for v in have["values"]):
                problems.append("Tried to delete resource record set %s "
                                "but the values provided do not match the "
                                "current values" % desc)
                continue
            del rrsets[key]
        else:
            r = {"Name": c["Name"], "Type": c["Type"], "TTL": c["TTL"],
                 "values": list(c["values"])}
            if c["SetIdentifier"]:
                r["SetIdentifier"] = c["SetIdentifier"]
            rrsets[key] = r
        touched.add((c["Name"], c["Type"]))
    if problems:
        raise R53Error(400, "InvalidChangeBatch", problems, shape="batch")
    return rrsets, touched


# --- XML rendering -------------------------------------------------------
def el(tag, text):
    return "<%s>%s</%s>" % (tag, escape(str(text)), tag)


def doc(root, inner):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="%s">%s</%s>'
            % (root, NS, inner, root))


def zone_xml(z):
    cfg = ("<Config>%s%s</Config>" % (
        el("Comment", z["comment"]) if z["comment"] else "",
        el("PrivateZone", "true" if z["private"] else "false")))
    return ("<HostedZone>%s%s%s%s%s</HostedZone>" % (
        el("Id", "/hostedzone/" + z["id"]), el("Name", z["name"]),
        el("CallerReference", z["caller_ref"]), cfg,
        el("ResourceRecordSetCount", len(z["rrsets"]))))


def rrset_xml(r):
    parts = [el("Name", r["Name"]), el("Type", r["Type"])]
    if r.get("SetIdentifier"):
        parts.append(el("SetIdentifier", r["SetIdentifier"]))
        parts.append(el("Weight", r.get("Weight", 1)))
    parts.append(el("TTL", r["TTL"]))
    parts.append("<ResourceRecords>%s</ResourceRecords>" % "".join(
        "<ResourceRecord>%s</ResourceRecord>" % el("Value", v)
        for v in r["values"]))
    return "<ResourceRecordSet>%s</ResourceRecordSet>" % "".join(parts)


def change_xml(change, status):
    return "<ChangeInfo>%s%s%s%s</ChangeInfo>" % (
        el("Id", "/change/" + change["id"]), el("Status", status),
        el("SubmittedAt", change["submitted_at"]),
        el("Comment", change["comment"]) if change.get("comment") else "")


def error_xml(err, request_id):
    if err.shape == "batch":
        return doc("InvalidChangeBatch", "<Messages>%s</Messages>%s" % (
            "".join(el("Message", m) for m in err.messages),
            el("RequestId", request_id)))
    kind = "Receiver" if err.status >= 500 else "Sender"
    return ('<?xml version="1.0"?>\n<ErrorResponse xmlns="%s"><Error>%s%s%s'
            '</Error>%s</ErrorResponse>' % (
                NS, el("Type", kind), el("Code", err.code),
                el("Message", "; ".join(err.messages)),
                el("RequestId", request_id)))
