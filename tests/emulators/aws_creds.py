#!/usr/bin/python3
"""Stand-ins for the AWS credential services, speaking their real wire
protocols on loopback (run with Debian's /usr/bin/python3: the STS
GetCallerIdentity check uses botocore through harness/sigv4_verify.py).

  STS        HTTPS (a test CA made in --dir, as the real one is HTTPS)
             POST / Action=AssumeRoleWithWebIdentity (unsigned, as the SDKs
             send it): checks Version, RoleArn against --role-arn, the
             WebIdentityToken against the current content of --token-file,
             RoleSessionName against STS's own pattern; answers the real
             XML shapes (AssumeRoleWithWebIdentityResponse, ErrorResponse
             with AccessDenied / InvalidIdentityToken / ValidationError /
             IDPCommunicationError).
             POST / Action=GetCallerIdentity, SigV4-signed for service
             "sts": verified against every key pair issued here or given
             with --static-key, then answers who the caller is.
  IMDS       plain HTTP, IMDSv2: PUT /latest/api/token needs
             X-aws-ec2-metadata-token-ttl-seconds (1..21600); every GET
             needs X-aws-ec2-metadata-token (401 without) unless the mode
             says otherwise; /latest/meta-data/iam/security-credentials/
             lists the role, .../ROLE gives the JSON credentials.
  container  plain HTTP, GET --container-path, Authorization checked
             against --container-token when given; JSON credentials.
  control    plain HTTP: GET /log (requests seen, per service), GET
             /issued (sha256 of each issued secret and token, never the
             values), GET /keys/ID (the secret and token of one key, for
             the Route 53 emulator's --key-service, as IAM would check
             them), POST /config (JSON merged into the settings below),
             POST /reset (log and config back to the start).

Settings (POST /config): imds_mode "required" | "optional" | "v1only";
imds_role (null: no role attached); sts_idp_errors N (the next N
AssumeRoleWithWebIdentity calls fail with IDPCommunicationError);
expiration_seconds.

Prints one JSON line {"sts": P, "imds": P, "container": P, "control": P}
and serves until SIGTERM/SIGINT or stdin closes.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import secrets
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from harness.ca import TestCA  # noqa: E402
from harness.sigv4_verify import verify  # noqa: E402

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ACCOUNT = "123456789012"
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
DEFAULTS = {"imds_mode": "required", "imds_role": "tlsrpt-instance-role",
            "sts_idp_errors": 0, "expiration_seconds": 3600}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.reset()
        # Keys GetCallerIdentity accepts: id -> (secret, token, arn).
        self.keys = {}
        for spec in args.static_key or []:
            kid, secret, *rest = spec.split(":", 2)
            token = rest[0] if rest else None
            self.keys[kid] = (secret, token,
                              "arn:aws:iam::%s:user/static" % ACCOUNT)

    def reset(self):
        self.config = dict(DEFAULTS)
        self.log = []
        self.issued = []
        self.imds_tokens = {}

    def issue(self, source, arn):
        kid = "ASIA" + secrets.token_hex(8).upper()
        secret = secrets.token_urlsafe(30)
        token = secrets.token_urlsafe(120)
        exp = datetime.datetime.utcnow().replace(microsecond=0) + \
            datetime.timedelta(seconds=self.config["expiration_seconds"])
        self.keys[kid] = (secret, token, arn)
        self.issued.append({
            "source": source, "access_key_id": kid, "arn": arn,
            "secret_sha256": hashlib.sha256(secret.encode()).hexdigest(),
            "token_sha256": hashlib.sha256(token.encode()).hexdigest(),
            "expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ")})
        return kid, secret, token, exp.strftime("%Y-%m-%dT%H:%M:%SZ")


def xml_error(status, code, message, kind="Sender"):
    body = ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n'
            '    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n'
            '  <RequestId>%s</RequestId>\n</ErrorResponse>\n' %
            (STS_NS, kind, code, _esc(message), secrets.token_hex(16)))
    return status, "text/xml", body


def _esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    service = None          # set per server class
    state = None

    def log_message(self, fmt, *args):  # quiet
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, ctype, body, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        body = self._body()
        st = self.state
        with st.lock:
            st.log.append({"service": self.service,
                           "method": self.command, "path": self.path,
                           "headers": {k.lower(): v for k, v in
                                       self.headers.items()}})
            status, ctype, out, extra = self.respond(body)
        self._send(status, ctype, out, extra)

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class StsHandler(Handler):
    service = "sts"

    def respond(self, body):
        params = dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(self.path).query, keep_blank_values=True))
        if self.command == "POST":
            params.update(urllib.parse.parse_qsl(body.decode("utf-8",
                                                             "replace"),
                                                 keep_blank_values=True))
        action = params.get("Action")
        if params.get("Version") != "2011-06-15":
            return xml_error(400, "InvalidAction",
                             "Could not find operation %s for version %s" %
                             (action, params.get("Version"))) + ((),)
        if action == "AssumeRoleWithWebIdentity":
            return self.assume(params) + ((),)
        if action == "GetCallerIdentity":
            return self.identity(body) + ((),)
        return xml_error(400, "InvalidAction",
                         "Could not find operation %s" % action) + ((),)

    def assume(self, p):
        st = self.state
        for name in ("RoleArn", "RoleSessionName", "WebIdentityToken"):
            if not p.get(name):
                return xml_error(400, "ValidationError",
                                 "1 validation error detected: Value null "
                                 "at '%s' failed to satisfy constraint: "
                                 "Member must not be null" %
                                 (name[0].lower() + name[1:]))
        if not SESSION_NAME.match(p["RoleSessionName"]):
            return xml_error(400, "ValidationError",
                             "1 validation error detected: Value at "
                             "'roleSessionName' failed to satisfy "
                             "constraint: Member must satisfy regular "
                             "expression pattern: [\\w+=,.@-]*")
        if st.config["sts_idp_errors"] > 0:
            st.config["sts_idp_errors"] -= 1
            return xml_error(400, "IDPCommunicationError",
                             "Couldn't retrieve verification key from your "
                             "identity provider,  please reference "
                             "AssumeRoleWithWebIdentity documentation for "
                             "requirements")
        with open(st.args.token_file) as f:
            want = f.read().strip()
        if p["WebIdentityToken"] != want:
            return xml_error(400, "InvalidIdentityToken",
                             "Incorrect token audience")
        if p["RoleArn"] != st.args.role_arn:
            return xml_error(403, "AccessDenied",
                             "Not authorized to perform "
                             "sts:AssumeRoleWithWebIdentity")
        role = p["RoleArn"].rsplit("/", 1)[-1]
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (
            ACCOUNT, role, p["RoleSessionName"])
        kid, secret, token, exp = st.issue("sts", arn)
        return 200, "text/xml", """<AssumeRoleWithWebIdentityResponse \
xmlns="%s">
  <AssumeRoleWithWebIdentityResult>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:%s</AssumedRoleId>
      <Arn>%s</Arn>
    </AssumedRoleUser>
    <Provider>token.actions.githubusercontent.com</Provider>
    <Credentials>
      <SessionToken>%s</SessionToken>
      <SecretAccessKey>%s</SecretAccessKey>
      <Expiration>%s</Expiration>
      <AccessKeyId>%s</AccessKeyId>
    </Credentials>
    <SubjectFromWebIdentityToken>repo:example/repo:ref:refs/heads/main\
</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>%s</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
""" % (STS_NS, _esc(p["RoleSessionName"]), _esc(arn), token, secret, exp,
       kid, secrets.token_hex(16))

    def identity(self, body):
        st = self.state
        keys = {k: (v[0], v[1]) for k, v in st.keys.items()}
        err = verify(self.command, self.path, list(self.headers.items()),
                     body, keys, service="sts", region=st.args.sts_region)
        if err:
            return xml_error(err.status, err.code, err.message)
        kid = re.search(r"Credential=([^/]+)/",
                        self.headers["Authorization"]).group(1)
        arn = st.keys[kid][2]
        return 200, "text/xml", """<GetCallerIdentityResponse xmlns="%s">
  <GetCallerIdentityResult>
    <Arn>%s</Arn>
    <UserId>%s</UserId>
    <Account>%s</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>%s</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
""" % (STS_NS, _esc(arn), kid, ACCOUNT, secrets.token_hex(16))


def creds_json(st, source, arn, code=True):
    kid, secret, token, exp = st.issue(source, arn)
    doc = {"AccessKeyId": kid, "SecretAccessKey": secret, "Token": token,
           "Expiration": exp}
    if code:
        doc = dict({"Code": "Success", "LastUpdated": exp,
                    "Type": "AWS-HMAC"}, **doc)
    else:
        doc["RoleArn"] = arn
    return json.dumps(doc, indent=2)


class ImdsHandler(Handler):
    service = "imds"
    PREFIX = "/latest/meta-data/iam/security-credentials/"

    def respond(self, body):
        st = self.state
        mode = st.config["imds_mode"]
        if self.command == "PUT" and self.path == "/latest/api/token":
            if mode == "v1only":
                return 404, "text/html", "404 - Not Found", ()
            if "X-Forwarded-For" in self.headers:
                return 403, "text/html", "403 - Forbidden", ()
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return 400, "text/html", "400 - Missing or Invalid " \
                    "Parameters", ()
            tok = secrets.token_urlsafe(40)
            st.imds_tokens[tok] = int(ttl)
            return 200, "text/plain", tok, \
                (("X-aws-ec2-metadata-token-ttl-seconds", ttl),)
        if self.command != "GET":
            return 405, "text/html", "405 - Method Not Allowed", ()
        tok = self.headers.get("X-aws-ec2-metadata-token")
        if tok is not None and tok not in st.imds_tokens:
            return 401, "text/html", "401 - Unauthorized", ()
        if tok is None and mode == "required":
            return 401, "text/html", "401 - Unauthorized", ()
        role = st.config["imds_role"]
        if self.path == self.PREFIX:
            if not role:
                return 404, "text/html", "404 - Not Found", ()
            return 200, "text/plain", role, ()
        if role and self.path == self.PREFIX + role:
            arn = "arn:aws:sts::%s:assumed-role/%s/i-0123456789abcdef0" % (
                ACCOUNT, role)
            return 200, "text/plain", creds_json(st, "imds", arn), ()
        return 404, "text/html", "404 - Not Found", ()


class ContainerHandler(Handler):
    service = "container"

    def respond(self, body):
        st = self.state
        want = st.args.container_token
        if want is not None and self.headers.get("Authorization") != want:
            return 401, "application/json", json.dumps(
                {"code": "AccessDeniedException",
                 "message": "Unauthorized"}), ()
        if self.command != "GET" or self.path != st.args.container_path:
            return 404, "application/json", json.dumps(
                {"code": "NotFound", "message": "not found"}), ()
        arn = "arn:aws:iam::%s:role/tlsrpt-task-role" % ACCOUNT
        return 200, "application/json", creds_json(st, "container", arn,
                                                   code=False), ()


class ControlHandler(Handler):
    service = "control"

    def _handle(self):
        body = self._body()
        st = self.state
        with st.lock:
            if self.path == "/log":
                out = json.dumps(st.log)
            elif self.path == "/issued":
                out = json.dumps(st.issued)
            elif self.path.startswith("/keys/"):
                # For the Route 53 emulator, which checks signatures made
                # with keys issued here, as IAM would (test use only).
                k = st.keys.get(self.path[len("/keys/"):])
                if k is None:
                    self._send(404, "application/json", "{}")
                    return
                out = json.dumps({"secret": k[0], "token": k[1],
                                  "arn": k[2]})
            elif self.path == "/config" and self.command == "POST":
                st.config.update(json.loads(body or b"{}"))
                out = json.dumps(st.config)
            elif self.path == "/reset" and self.command == "POST":
                st.config = dict(DEFAULTS)
                st.log, st.issued = [], []
                out = "{}"
            else:
                self._send(404, "application/json", "{}")
                return
        self._send(200, "application/json", out)

    do_GET = do_POST = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    ssl_ctx = None

    def finish_request(self, request, client_address):
        # The TLS handshake happens in the connection's own thread, so a
        # client that never completes it cannot stall the others.
        if self.ssl_ctx is not None:
            try:
                request = self.ssl_ctx.wrap_socket(request,
                                                   server_side=True)
            except (OSError, ValueError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass  # clients that hang up are part of the tests


def serve(handler, state, ssl_ctx=None):
    cls = type(handler.__name__, (handler,), {"state": state})
    srv = Server(("127.0.0.1", 0), cls)
    srv.ssl_ctx = ssl_ctx
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True, help="test CA directory")
    ap.add_argument("--role-arn", required=True)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--sts-region", default="us-east-1")
    ap.add_argument("--container-path", default="/v2/credentials/task-1")
    ap.add_argument("--container-token")
    ap.add_argument("--static-key", action="append",
                    help="ID:SECRET[:TOKEN] accepted by GetCallerIdentity")
    args = ap.parse_args()
    state = State(args)
    ca = TestCA(args.dir)
    servers = {"sts": serve(StsHandler, state, ca.server_context()),
               "imds": serve(ImdsHandler, state),
               "container": serve(ContainerHandler, state),
               "control": serve(ControlHandler, state)}
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()),
                     daemon=True).start()
    print(json.dumps({k: s.server_address[1] for k, s in servers.items()}),
          flush=True)
    done.wait()
    for s in servers.values():
        s.shutdown()


if __name__ == "__main__":
    main()
