"""The HTTP side of the emulator base: HTTPS server with per-connection
TLS handshakes (counted), the request handler that applies latency and
faults around Emulator.dispatch, and the plain-HTTP control server.
See base.py for the API these serve."""
import json
import socket
import ssl
import struct
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .base import MAX_BODY, Request, Response


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "emulator"

    def version_string(self):
        return self.server_version
    timeout = 60            # idle keep-alive connections are closed
    # Headers and body go out in separate writes: without TCP_NODELAY,
    # Nagle plus the client's delayed ACK adds 40 ms to every answer.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        if self.server.emu_verbose:
            sys.stderr.write("%s %s\n" % (self.server.emu.name,
                                          fmt % args))

    def _dispatch(self):
        emu = self.server.emu
        req = Request(self.command, self.path, self.headers,
                      self.client_address[0], id(self.connection))
        emu.route_only(req)
        fault = emu._take_fault(req)
        lat = emu._latency_for(req)
        if lat:
            time.sleep(lat)
        action = fault.get("action", "status") if fault else None
        when = fault.get("when", "before") if fault else None
        if action == "drop" and when == "before":
            emu._record(req, None, fault)
            return self._drop(fault)
        if not self._read_body(req):
            emu._record(req, 413)
            return
        if action == "delay" and when == "before":
            time.sleep(float(fault.get("seconds", 1)))
        apply_default = action in ("delay", "truncate")
        resp = None
        if not fault or action in ("delay",) or fault.get(
                "apply", apply_default):
            resp = emu.dispatch(req)
        emu._record(req, self._status_for(fault, resp), fault,
                    req.ctx.get("rate_limited", False))
        if action == "drop":
            return self._drop(fault)
        if action == "delay" and when == "after":
            time.sleep(float(fault.get("seconds", 1)))
        if action == "status":
            resp = self._fault_response(emu, fault)
        elif action == "malformed":
            resp = Response(200, fault.get("body", '{"success": tru'))
        elif action == "huge":
            return self._send_huge(int(fault.get("size", 16 << 20)))
        self._send(resp, truncate=(action == "truncate"))

    @staticmethod
    def _status_for(fault, resp):
        if fault and fault.get("action") == "status":
            return int(fault.get("status", 500))
        if fault and fault.get("action") in ("malformed", "huge"):
            return 200
        if fault and fault.get("action") == "drop":
            return None
        return resp.status if resp is not None else None

    @staticmethod
    def _fault_response(emu, fault):
        status = int(fault.get("status", 500))
        headers = list((fault.get("headers") or {}).items())
        if "json" in fault:
            return Response.json(status, fault["json"], headers)
        if "body" in fault:
            return Response(status, fault["body"], headers)
        resp = emu.error_response(status)
        resp.headers.extend(headers)
        return resp

    def _read_body(self, req):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    self._too_large()
                    return False
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            req.body = b"".join(chunks)
            return True
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self._too_large()
            return False
        req.body = self.rfile.read(n) if n else b""
        return True

    def _too_large(self):
        self.close_connection = True
        self._send(Response.json(413, {"error": "request body too large"}))

    def _send(self, resp, truncate=False):
        body = resp.body
        self.send_response(resp.status)
        for k, v in resp.headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body[:len(body) // 2] if truncate else body)
        if truncate:
            self.wfile.flush()
            self.close_connection = True

    def _send_huge(self, size):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        head = b'{"success": true, "errors": [], "messages": [], "result": "'
        tail = b'"}'
        fill = size - len(head) - len(tail)
        try:
            self.wfile.write(head)
            block = b"x" * 65536
            while fill > 0:
                n = min(fill, len(block))
                self.wfile.write(block[:n])
                fill -= n
            self.wfile.write(tail)
        except OSError:
            pass
        self.close_connection = True

    def _drop(self, fault):
        self.close_connection = True
        try:
            if fault.get("rst"):
                self.connection.setsockopt(socket.SOL_SOCKET,
                                           socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, emu, ssl_ctx, verbose=False):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        self.emu = emu
        self.ssl_ctx = ssl_ctx
        self.emu_verbose = verbose
        super().__init__(addr, Handler)

    def process_request_thread(self, request, client_address):
        # The handshake runs in the connection's own thread, so one slow
        # or broken client never stalls the accept loop.
        self.emu._bump("connections")
        request.settimeout(10)
        try:
            tls = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            self.emu._bump("tls_failures")
            self.shutdown_request(request)
            return
        self.emu._bump("tls_handshakes")
        tls.settimeout(None)
        super().process_request_thread(tls, client_address)

    def handle_error(self, request, client_address):
        if self.emu_verbose:
            super().handle_error(request, client_address)


class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}") if n else {}

    def _route(self):
        emu = self.server.emu
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        m, p = self.command, u.path.rstrip("/")
        body = self._body() if m in ("POST", "PUT") else {}
        if (m, p) == ("GET", "/counters"):
            return emu.counters()
        if (m, p) == ("GET", "/log"):
            return {"entries": emu.log(int(q.get("since", ["0"])[0]))}
        if (m, p) == ("GET", "/secrets"):
            return {"secrets": emu.secrets()}
        if (m, p) == ("GET", "/faults"):
            return {"faults": emu.list_faults()}
        if (m, p) == ("POST", "/faults"):
            return {"ids": emu.add_fault(body)}
        if (m, p) == ("DELETE", "/faults"):
            emu.clear_faults()
            return {"ok": True}
        if (m, p) == ("POST", "/latency"):
            emu.set_latency(body.get("seconds", 0), body.get("match"))
            return emu.latency
        if (m, p) == ("POST", "/ratelimit"):
            return emu.set_rate_limit(**body)
        if (m, p) == ("POST", "/reset"):
            emu.reset(**body)
            return {"ok": True}
        if (m, p) == ("POST", "/seed"):
            with emu.lock:
                return {"ok": True, "seeded": emu.seed(body)}
        if (m, p) == ("GET", "/state"):
            with emu.lock:
                return emu.state()
        if p.startswith("/dns") and emu.dns is None:
            raise KeyError("no DNS server configured (--knot)")
        if (m, p) == ("GET", "/dns"):
            return emu.dns.snapshot()
        if (m, p) == ("POST", "/dns"):
            emu.dns.set_delay(body.get("delay", 0), body.get("server"))
            return emu.dns.snapshot()
        if (m, p) == ("POST", "/dns/flush"):
            return {"drained": emu.dns.flush(body.get("timeout", 10))}
        raise LookupError("no control route %s %s" % (m, p))

    def _any(self):
        try:
            self._reply(200, self._route())
        except LookupError as e:
            self._reply(404, {"error": str(e)})
        except (ValueError, TypeError, KeyError) as e:
            self._reply(400, {"error": "%s: %s" % (type(e).__name__, e)})

    do_GET = do_POST = do_PUT = do_DELETE = _any


class ControlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, emu):
        self.emu = emu
        super().__init__(addr, ControlHandler)
