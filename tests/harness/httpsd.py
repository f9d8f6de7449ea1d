#!/usr/bin/python3
"""A small scripted HTTPS server for testing the HTTP layer (core/http.c).

Run:  /usr/bin/python3 tests/harness/httpsd.py --dir DIR [--plain]

It makes a test CA in DIR (harness/ca.py: DIR/ca.pem trusts it,
DIR/other-ca.pem does not), listens on 127.0.0.1 on a free port, prints
"PORT" (or "PORT PLAINPORT" with --plain, which adds a plain-http listener)
on one line of stdout, and serves until stdin is closed or SIGTERM.

Paths (all methods):
  /s/ID?q=STEP,STEP,...   the Nth request for ID plays step N (the last
                          step repeats). STEP is STATUS[:OPT=VAL]...:
                            ra=N     Retry-After: N (seconds)
                            rd=N     Retry-After: an HTTP-date N s ahead
                            delay=S  wait S seconds before answering
                            reset=before  read the request, then reset the
                                          connection without answering
                            reset=mid     send headers and part of the
                                          body, then reset
                            big=N    a body of N bytes (Content-Length)
                            bigc=N   a body of N bytes, chunked (no length)
                            body=TEXT     this body (text/plain)
  /count/ID               how many requests ID received (text)
  /echo                   JSON: method, path, headers, body, connection
  /leak                   JSON and headers holding the request's
                          X-Test-Secret value under secret-looking names
                          (for the redaction tests)
  /leakxml                the same as an STS-like XML body
  /stats                  JSON: connections (TLS handshakes done),
                          requests
Every response carries X-Conn (the connection's serial number) and
X-Count (how many requests its ID has had).
"""
import argparse
import email.utils
import http.server
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.ca import TestCA  # noqa: E402


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.connections = 0
        self.requests = 0
        self.counts = {}

    def new_conn(self):
        with self.lock:
            self.connections += 1
            return self.connections

    def hit(self, key):
        with self.lock:
            self.requests += 1
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]


STATE = State()


def parse_step(text):
    parts = text.split(":")
    step = {"status": int(parts[0])}
    for opt in parts[1:]:
        k, _, v = opt.partition("=")
        step[k] = v
    return step


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "httpsd"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls

    def setup(self):
        if getattr(self.server, "tls", None) is not None:
            # The handshake runs here, in the connection's own thread, so
            # a client that fails verification stalls nobody else.
            try:
                self.request.do_handshake()
            except (OSError, ValueError):
                self.failed = True
                raise
        self.failed = False
        self.conn_id = STATE.new_conn()
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (OSError, ValueError):
            pass

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass

    def log_message(self, fmt, *args):
        pass

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _reset(self):
        # SO_LINGER 0 makes close() send a TCP RST.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _send(self, status, body=b"", ctype="text/plain", headers=(),
              count=0):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Conn", str(self.conn_id))
        self.send_header("X-Count", str(count))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _script(self, key, query, body):
        n = STATE.hit(key)
        steps = query.get("q", ["200"])[0].split(",")
        step = parse_step(steps[min(n, len(steps)) - 1])
        if "delay" in step:
            time.sleep(float(step["delay"]))
        if step.get("reset") == "before":
            return self._reset()
        headers = []
        if "ra" in step:
            headers.append(("Retry-After", step["ra"]))
        if "rd" in step:
            headers.append(("Retry-After", email.utils.formatdate(
                time.time() + float(step["rd"]), usegmt=True)))
        if step.get("reset") == "mid":
            self.send_response(step["status"])
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            return self._reset()
        if "bigc" in step:
            self.send_response(step["status"])
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            left = int(step["bigc"])
            while left > 0:
                k = min(left, 65536)
                self.wfile.write(b"%x\r\n" % k + b"y" * k + b"\r\n")
                left -= k
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return None
        if "big" in step:
            out = b"x" * int(step["big"])
        else:
            out = step.get("body", "ok %d" % n).encode()
        return self._send(step["status"], out, headers=headers, count=n)

    def _leak(self, xml):
        secret = self.headers.get("X-Test-Secret", "")
        headers = [("Set-Cookie", "session=" + secret),
                   ("X-Echo", secret)]
        if xml:
            body = ("<AssumeRoleResponse><Credentials>"
                    "<AccessKeyId>AKIDLEAK</AccessKeyId>"
                    "<SecretAccessKey>%s</SecretAccessKey>"
                    "<SessionToken>%s</SessionToken>"
                    "<Expiration>2030-01-01T00:00:00Z</Expiration>"
                    "</Credentials></AssumeRoleResponse>" % (secret, secret))
            return self._send(200, body.encode(), "text/xml", headers)
        body = json.dumps({"name": "visible-name", "api_token": secret,
                           "nested": {"SecretAccessKey": secret,
                                      "note": "sso-key " + secret},
                           "list": [{"password": secret}]})
        return self._send(200, body.encode(), "application/json", headers)

    def _any(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        body = self._read_body()
        parts = url.path.strip("/").split("/")
        if parts[0] == "s" and len(parts) == 2:
            return self._script(parts[1], query, body)
        if parts[0] == "count" and len(parts) == 2:
            with STATE.lock:
                n = STATE.counts.get(parts[1], 0)
            return self._send(200, str(n).encode())
        if parts[0] == "stats":
            with STATE.lock:
                out = {"connections": STATE.connections,
                       "requests": STATE.requests}
            return self._send(200, json.dumps(out).encode(),
                              "application/json")
        if parts[0] == "echo":
            n = STATE.hit("echo")
            out = {"method": self.command, "path": self.path,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body.decode("utf-8", "replace"),
                   "connection": self.conn_id}
            return self._send(200, json.dumps(out).encode(),
                              "application/json", count=n)
        if parts[0] == "leak":
            return self._leak(False)
        if parts[0] == "leakxml":
            return self._leak(True)
        return self._send(404, b"no such path")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, tls):
        self.tls = tls
        super().__init__(addr, Handler)

    def handle_error(self, request, client_address):
        pass  # failed handshakes are expected (the untrusted-CA test)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls is None:
            return sock, addr
        return self.tls.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--plain", action="store_true")
    args = ap.parse_args()
    ca = TestCA(args.dir)
    servers = [Server(("127.0.0.1", 0), ca.server_context())]
    if args.plain:
        servers.append(Server(("127.0.0.1", 0), None))
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(" ".join(str(s.server_address[1]) for s in servers), flush=True)
    # Serve until whoever started us closes our stdin (or dies).
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    for s in servers:
        s.shutdown()


if __name__ == "__main__":
    main()
