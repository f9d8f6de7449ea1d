"""Check an incoming request's AWS SigV4 signature the way AWS does, with
Debian's botocore computing the expected signature (run under
/usr/bin/python3). Shared by the AWS emulators (credentials stand-in,
Route 53).

    err = verify(method, target, headers, body, keys, service="route53",
                 region="us-east-1")
    if err: send err.status with err.code / err.message (AWS's wording)

`target` is the request line's target (path and query exactly as sent),
`headers` a list of (name, value) pairs as received, `keys` maps an access
key id to (secret, session_token or None). Only the headers the client
listed in SignedHeaders take part, as on the server side.
"""
import datetime
import hmac
import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MAX_SKEW = datetime.timedelta(minutes=5)
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/"
    r"(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$")


class SigError:
    """A failed check: HTTP status, AWS error code and message."""

    def __init__(self, status, code, message):
        self.status, self.code, self.message = status, code, message

    def __repr__(self):
        return "SigError(%d, %s, %r)" % (self.status, self.code, self.message)


def _get(headers, name):
    vals = [v for n, v in headers if n.lower() == name]
    return vals


def expected_signature(method, target, headers, body, secret, token,
                       service, region, amz_date, signed):
    """The signature botocore computes for this request and signed-header
    list (exposed so tests can make vectors)."""
    host = _get(headers, "host")
    url = "https://%s%s" % (host[0] if host else "invalid", target)
    req = AWSRequest(method=method, url=url, data=body or b"")
    for name, value in headers:
        if name.lower() in signed:
            req.headers.add_header(name, value)
    req.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials("unused", secret, token), service, region)
    cr = auth.canonical_request(req)
    sts = auth.string_to_sign(req, cr)
    return auth.signature(sts, req), cr, sts


def verify(method, target, headers, body, keys, service, region, now=None):
    """None when the signature is good, else a SigError."""
    auth = _get(headers, "authorization")
    if not auth:
        return SigError(403, "MissingAuthenticationToken",
                        "Missing Authentication Token")
    m = _AUTH.match(auth[0])
    if not m:
        return SigError(400, "IncompleteSignature",
                        "Authorization header requires 'Credential', "
                        "'Signature' and 'SignedHeaders' parameters")
    if m["key"] not in keys:
        return SigError(403, "InvalidClientTokenId",
                        "The security token included in the request is "
                        "invalid.")
    secret, token = keys[m["key"]]
    signed = m["signed"].split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        return SigError(403, "SignatureDoesNotMatch",
                        "Host and X-Amz-Date must be signed")
    amz_date = _get(headers, "x-amz-date")
    if not amz_date or not re.match(r"^\d{8}T\d{6}Z$", amz_date[0]):
        return SigError(403, "IncompleteSignature",
                        "Authorization header requires existence of "
                        "either a 'X-Amz-Date' or a 'Date' header.")
    amz_date = amz_date[0]
    if m["date"] != amz_date[:8] or m["region"] != region or \
            m["service"] != service:
        return SigError(403, "SignatureDoesNotMatch",
                        "Credential should be scoped to a valid region "
                        "and service: '%s/%s/%s' expected" %
                        (amz_date[:8], region, service))
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    now = now or datetime.datetime.utcnow()
    if abs(now - when) > MAX_SKEW:
        return SigError(403, "SignatureDoesNotMatch",
                        "Signature expired: %s is now earlier than %s" %
                        (amz_date, (now - MAX_SKEW).strftime(
                            "%Y%m%dT%H%M%SZ")))
    sent_token = _get(headers, "x-amz-security-token")
    if token is not None:
        if not sent_token or sent_token[0] != token:
            return SigError(403, "InvalidClientTokenId",
                            "The security token included in the request "
                            "is invalid.")
        if "x-amz-security-token" not in signed:
            return SigError(403, "SignatureDoesNotMatch",
                            "X-Amz-Security-Token must be signed")
    sig, cr, sts = expected_signature(method, target, headers, body, secret,
                                      token, service, region, amz_date,
                                      signed)
    if not hmac.compare_digest(sig, m["sig"]):
        return SigError(403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not "
                        "match the signature you provided. Check your AWS "
                        "Secret Access Key and signing method. Consult the "
                        "service documentation for details.\n\n"
                        "The Canonical String for this request should have "
                        "been\n'%s'\n\nThe String-to-Sign should have been\n"
                        "'%s'\n" % (cr, sts))
    return None
