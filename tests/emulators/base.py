"""Shared base for the provider emulators (Cloudflare, Route 53, GoDaddy).

An emulator is a subclass of Emulator that routes a Request to a handler
returning a Response. The base gives it, for free:

* HTTPS on loopback (ThreadingHTTPServer, HTTP/1.1 keep-alive so a client
  can reuse one connection; TCP connections and TLS handshakes counted);
* a request log and counters per endpoint, method and status;
* fault injection on the next N matching requests, fixed latency, and a
  sliding-window rate limit answered with 429 + Retry-After;
* a control interface: a JSON API on a separate plain-HTTP loopback port
  (client: control.ControlClient), and the same verbs as Python methods
  when the emulator runs in-process;
* RFC 2136 pushes of the emulator's TXT state to real DNS servers (Knot)
  through dnspush.DnsPusher, optionally delayed;
* process lifecycle: run(EmulatorClass) parses flags, listens on the
  given ports (0 = any), prints one JSON line with the chosen ports and
  stops cleanly on SIGTERM or SIGINT.

Writing an emulator
-------------------
    class MyEmu(Emulator):
        name = "myprovider"
        def route(self, req):        # -> (endpoint name, callable) or None
            if req.path == "/v1/things":
                return "GET /v1/things", self.list_things
        def list_things(self, req):  # called with self.lock held
            return Response.json(200, {...})
        def seed(self, data): ...           # POST /seed and --seed FILE
        def reset_state(self): ...          # back to the start-up seed
        def state(self): ...                # GET /state (JSON-able)
        def rate_key(self, req): ...        # whose rate budget (default: all)
        def rate_limited(self, retry_after): ...   # the provider's 429
        def error_response(self, status): ...      # body for injected errors
        @classmethod
        def add_arguments(cls, parser): ...         # provider flags
    if __name__ == "__main__":
        run(MyEmu)

Handlers call self.count_write() for each accepted write and
self.push_txt(zone, owner, rrset, ttl) to mirror a TXT RRset to DNS.

Request flow: log -> latency -> fault (first matching, consumed) -> route
-> rate limit (per rate_key) -> handler. A fault fires before the rate
limiter, so injected errors never use rate budget.

Fault spec (JSON; POST /faults takes one or a list):
    {"match": {"method": "POST", "path": "regex on the path",
               "endpoint": "POST /zones/{zone_id}/dns_records"},
     "count": 1,            # how many matching requests it hits (default 1)
     "skip": 0,             # let this many matching requests through first
     "action": "status" | "delay" | "drop" | "truncate" | "malformed"
               | "huge",
     ...action options...}
  status:    "status": 503, "headers": {"Retry-After": "2"}, optional
             "body" (str) or "json" (object); default body is the
             provider's error envelope. The request is not applied.
  delay:     "seconds": 5, "when": "before" (sleep, then handle) or
             "after" (handle and apply, then sleep before answering: a
             client that times out has still had its write applied).
  drop:      "when": "before" (close without reading the body) or "after"
             (read the body, then close); "apply": true applies the request
             first; "rst": true sends a TCP reset instead of a FIN.
  truncate:  answer with the full Content-Length but half the body, then
             close; applies the request unless "apply": false.
  malformed: 200 with a body that is not JSON ("body" to choose it);
             applies nothing unless "apply": true.
  huge:      200 with a JSON body of "size" bytes (default 16 MiB).

Control API (plain HTTP, 127.0.0.1, JSON):
    GET  /counters            POST /reset {"counters":..,"state":..}
    GET  /log?since=SEQ       POST /seed  {...provider seed...}
    GET  /faults              GET  /state
    POST /faults {...}        DELETE /faults
    POST /latency {"seconds": 0.05, "match": {...}|null}
    POST /ratelimit {"limit": N, "window": S} | {"rps": R} | {"off": true}
                    (+ "block": true: a breach blocks for a whole window)
    GET  /dns                 POST /dns {"delay": S, "server": I}
    POST /dns/flush {"timeout": S}
"""
import argparse
import collections
import json
import math
import os
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20      # requests larger than this get 413
LOG_CAP = 20000         # request log entries kept
SECRET_HEADERS = ("authorization", "x-auth-key", "x-amz-security-token")


class Request:
    """One parsed HTTP request. headers is case-insensitive."""

    def __init__(self, method, target, headers, client, conn_id):
        self.method = method
        self.target = target
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path
        self.raw_query = parts.query
        self.query = urllib.parse.parse_qs(parts.query,
                                           keep_blank_values=True)
        self.headers = headers
        self.client = client
        self.conn_id = conn_id
        self.body = b""
        self.endpoint = None
        self.ctx = {}           # per-request scratch for the emulator

    def arg(self, name, default=None):
        v = self.query.get(name)
        return v[-1] if v else default

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class Response:
    def __init__(self, status, body=b"", headers=None,
                 content_type="application/json"):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = list(headers or [])
        if content_type and not any(k.lower() == "content-type"
                                    for k, _ in self.headers):
            self.headers.append(("Content-Type", content_type))

    @classmethod
    def json(cls, status, obj, headers=None):
        return cls(status, json.dumps(obj).encode(), headers)


class Fault:
    def __init__(self, spec, fid):
        self.id = fid
        self.spec = spec
        self.match = spec.get("match") or {}
        self.left = int(spec.get("count", 1))
        self.skip = int(spec.get("skip", 0))
        self.action = spec.get("action", "status")
        if self.action not in ("status", "delay", "drop", "truncate",
                               "malformed", "huge"):
            raise ValueError("fault action '%s' unknown" % self.action)
        self._path = re.compile(self.match["path"]) \
            if self.match.get("path") else None

    def matches(self, req):
        m = self.match
        if m.get("method") and m["method"].upper() != req.method:
            return False
        if m.get("endpoint") and m["endpoint"] != req.endpoint:
            return False
        if self._path and not self._path.search(req.path):
            return False
        return True

    def describe(self):
        return dict(self.spec, id=self.id, left=self.left, skip=self.skip)


class RateLimiter:
    """Sliding window: at most `limit` accepted requests per `window`
    seconds per key. Rejected requests do not use budget."""

    def __init__(self, limit=None, window=1.0, block=False):
        self.set(limit, window, block)

    def set(self, limit, window, block=False):
        self.limit = limit
        self.window = float(window)
        self.block = bool(block)
        self.hits = collections.defaultdict(collections.deque)
        self.blocked_until = {}

    def check(self, key, now):
        """-> (allowed, retry_after_seconds, remaining)."""
        if not self.limit:
            return True, 0, None
        until = self.blocked_until.get(key, 0)
        if now < until:
            return False, until - now, 0
        q = self.hits[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        if len(q) >= self.limit:
            if self.block:
                self.blocked_until[key] = now + self.window
                return False, self.window, 0
            return False, q[0] + self.window - now, 0
        q.append(now)
        return True, 0, self.limit - len(q)

    def describe(self):
        return {"limit": self.limit, "window": self.window,
                "block": self.block}


class Emulator:
    """Base class; see the module docstring."""

    name = "emulator"

    def __init__(self, options=None):
        self.options = options or argparse.Namespace()
        self.lock = threading.RLock()       # provider state
        self._ctl = threading.Lock()        # faults, counters, log
        self.rate = RateLimiter()
        self.faults = []
        self._fault_ids = 0
        self.latency = {"seconds": 0.0, "match": None}
        self.dns = None
        self.reset_counters()

    # --- hooks for subclasses -----------------------------------------------
    def route(self, req):
        return None

    def not_found(self, req):
        return Response.json(404, {"error": "no route"})

    def rate_key(self, req):
        return "all"

    def rate_limited(self, retry_after):
        return Response.json(429, {"error": "rate limited"},
                             [("Retry-After", str(retry_after))])

    def error_response(self, status):
        return Response.json(status, {"error": "injected %d" % status})

    def rate_headers(self, remaining, reset):
        return []

    def seed(self, data):
        raise NotImplementedError

    def reset_state(self):
        pass

    def mark_initial(self):
        """Called once after start-up seeding: reset_state returns here."""

    def state(self):
        return {}

    @classmethod
    def add_arguments(cls, parser):
        pass

    # --- helpers for handlers -----------------------------------------------
    def count_write(self, n=1):
        with self._ctl:
            self._counters["writes"] += n

    def push_txt(self, zone, owner, rrset, ttl):
        if self.dns is not None:
            self.dns.push(zone, owner, rrset, ttl)

    # --- counters and log ---------------------------------------------------
    def reset_counters(self):
        with getattr(self, "_ctl", threading.Lock()):
            self._counters = collections.Counter()
            self._by = {"endpoint": collections.Counter(),
                        "method": collections.Counter(),
                        "status": collections.Counter()}
            self._log = collections.deque(maxlen=LOG_CAP)
            self._seq = 0

    def _bump(self, name, n=1):
        with self._ctl:
            self._counters[name] += n

    def counters(self):
        with self._ctl:
            out = dict(self._counters)
            for k in ("requests", "writes", "rate_limited", "faults_fired",
                      "connections", "tls_handshakes", "tls_failures"):
                out.setdefault(k, 0)
            out["by_endpoint"] = dict(self._by["endpoint"])
            out["by_method"] = dict(self._by["method"])
            out["by_status"] = {str(k): v
                                for k, v in self._by["status"].items()}
        if self.dns is not None:
            d = self.dns.snapshot()
            out.update(dns_pushes=d["pushes"], dns_errors=d["errors"],
                       dns_pending=d["pending"])
        return out

    def log(self, since=0):
        with self._ctl:
            return [e for e in self._log if e["seq"] > since]

    def _record(self, req, status, fault=None, rate_limited=False):
        hdrs = {}
        for k, v in req.headers.items():
            hdrs[k] = "<redacted>" if k.lower() in SECRET_HEADERS else v
        with self._ctl:
            self._seq += 1
            self._counters["requests"] += 1
            self._by["endpoint"][req.endpoint or "unrouted"] += 1
            self._by["method"][req.method] += 1
            if status is not None:
                self._by["status"][status] += 1
            self._log.append({
                "seq": self._seq, "time": time.time(),
                "method": req.method, "path": req.path,
                "query": req.raw_query, "endpoint": req.endpoint,
                "status": status, "fault": fault,
                "rate_limited": rate_limited, "headers": hdrs,
                "conn": req.conn_id,
                "body": req.body[:4096].decode("utf-8", "replace")})

    # --- control verbs ------------------------------------------------------
    def add_fault(self, spec):
        specs = spec if isinstance(spec, list) else [spec]
        ids = []
        with self._ctl:
            for s in specs:
                self._fault_ids += 1
                self.faults.append(Fault(s, self._fault_ids))
                ids.append(self._fault_ids)
        return ids

    def clear_faults(self):
        with self._ctl:
            self.faults = []

    def list_faults(self):
        with self._ctl:
            return [f.describe() for f in self.faults]

    def set_latency(self, seconds, match=None):
        self.latency = {"seconds": float(seconds), "match": match}

    def set_rate_limit(self, limit=None, window=None, rps=None, block=False,
                       off=False):
        with self._ctl:
            if off:
                self.rate.set(None, 1.0)
            elif rps is not None:
                # R per second as a window of one second holding R requests
                # (R < 1: one request per 1/R seconds).
                rps = float(rps)
                if rps >= 1:
                    self.rate.set(int(round(rps)), 1.0, block)
                else:
                    self.rate.set(1, 1.0 / rps, block)
            else:
                self.rate.set(int(limit), float(window or 1.0), block)
        return self.rate.describe()

    def reset(self, counters=False, log=False, faults=False, latency=False,
              ratelimit=False, state=False, dns=False):
        everything = not any((counters, log, faults, latency, ratelimit,
                              state, dns))
        if everything or faults:
            self.clear_faults()
        if everything or latency:
            self.set_latency(0.0)
        if everything or ratelimit:
            with self._ctl:
                self.rate.set(self.rate.limit, self.rate.window,
                              self.rate.block)
        if (everything or dns) and self.dns is not None:
            self.dns.clear()        # before reset_state queues its pushes
        if everything or state:
            with self.lock:
                self.reset_state()
        if everything or counters or log:
            self.reset_counters()

    def _take_fault(self, req):
        with self._ctl:
            for f in self.faults:
                if f.left > 0 and f.matches(req):
                    if f.skip > 0:
                        f.skip -= 1
                        return None
                    f.left -= 1
                    if f.left == 0:
                        self.faults.remove(f)
                    self._counters["faults_fired"] += 1
                    return f.spec
        return None

    def _latency_for(self, req):
        lat = self.latency
        if lat["seconds"] <= 0:
            return 0.0
        if lat["match"] and not Fault({"match": lat["match"]},
                                      0).matches(req):
            return 0.0
        return lat["seconds"]

    # --- request processing (called by the HTTP handler) --------------------
    def dispatch(self, req):
        """Route, rate-limit and handle; returns a Response."""
        r = self.route(req)
        if r is None:
            return self.not_found(req)
        req.endpoint, fn = r
        with self._ctl:
            ok, retry, remaining = self.rate.check(self.rate_key(req),
                                                   time.monotonic())
            if not ok:
                self._counters["rate_limited"] += 1
        if not ok:
            req.ctx["rate_limited"] = True
            return self.rate_limited(max(1, math.ceil(retry)))
        with self.lock:
            resp = fn(req)
        if remaining is not None:
            resp.headers.extend(self.rate_headers(remaining,
                                                  self.rate.window))
        return resp

    def route_only(self, req):
        r = self.route(req)
        req.endpoint = r[0] if r else None


class _Handler(BaseHTTPRequestHandler):
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


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, emu, ssl_ctx, verbose=False):
        self.emu = emu
        self.ssl_ctx = ssl_ctx
        self.emu_verbose = verbose
        super().__init__(addr, _Handler)

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


class _ControlHandler(BaseHTTPRequestHandler):
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


class _ControlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, emu):
        self.emu = emu
        super().__init__(addr, _ControlHandler)


def base_arguments(parser):
    g = parser.add_argument_group("emulator")
    g.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1)")
    g.add_argument("--port", type=int, default=0,
                   help="HTTPS port (0 = any free port)")
    g.add_argument("--control-port", type=int, default=0,
                   help="plain-HTTP control port on 127.0.0.1 (0 = any)")
    g.add_argument("--cert", required=True, help="server certificate PEM")
    g.add_argument("--key", required=True, help="server private key PEM")
    g.add_argument("--seed", metavar="FILE",
                   help="JSON seed (same format as POST /seed)")
    g.add_argument("--rate-limit", metavar="N/SECONDS",
                   help="requests per window per rate key, e.g. 40/1; "
                   "'off' disables")
    g.add_argument("--rate-block", action="store_true",
                   help="a breach blocks the key for a whole window")
    g.add_argument("--latency", type=float, default=0.0,
                   help="seconds added to every request")
    g.add_argument("--knot", action="append", default=[],
                   metavar="ADDR:PORT[,delay=S]",
                   help="DNS server that receives RFC 2136 updates "
                   "(repeatable)")
    g.add_argument("--knot-zone", action="append", default=[],
                   metavar="ZONE[=KNOTZONE]",
                   help="push only these zones (default: every zone)")
    g.add_argument("--knot-tsig", metavar="NAME:ALG:SECRET",
                   help="sign updates with this TSIG key")
    g.add_argument("--dns-delay", type=float, default=0.0,
                   help="seconds between an accepted write and its push")
    g.add_argument("--verbose", action="store_true",
                   help="log each request to stderr")


def _setup_dns(emu, args):
    if not args.knot:
        return
    # Imported here so that an emulator without --knot needs no dnspython.
    from .dnspush import DnsPusher, parse_server, parse_tsig
    zones = None
    if args.knot_zone:
        zones = {}
        for z in args.knot_zone:
            a, _, b = z.partition("=")
            zones[a.lower().rstrip(".")] = (b or a).rstrip(".")
    emu.dns = DnsPusher([parse_server(s) for s in args.knot], zones,
                        args.dns_delay,
                        parse_tsig(args.knot_tsig) if args.knot_tsig
                        else None)


def run(cls, argv=None):
    """Entry point of an emulator process."""
    parser = argparse.ArgumentParser(prog=cls.name + "-emulator",
                                     description=cls.__doc__)
    base_arguments(parser)
    cls.add_arguments(parser)
    args = parser.parse_args(argv)
    emu = cls(args)
    _setup_dns(emu, args)
    if args.rate_limit and args.rate_limit != "off":
        n, _, w = args.rate_limit.partition("/")
        emu.set_rate_limit(limit=int(n), window=float(w or 1),
                           block=args.rate_block)
    elif args.rate_limit == "off":
        emu.set_rate_limit(off=True)
    emu.set_latency(args.latency)
    if args.seed:
        with open(args.seed) as f, emu.lock:
            emu.seed(json.load(f))
    emu.mark_initial()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    srv = _TLSServer((args.host, args.port), emu, ctx, args.verbose)
    ctl = _ControlServer(("127.0.0.1", args.control_port), emu)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threads = [threading.Thread(target=s.serve_forever, args=(0.02,),
                                daemon=True) for s in (srv, ctl)]
    for t in threads:
        t.start()
    host = args.host if ":" not in args.host else "[%s]" % args.host
    print(json.dumps({"emulator": cls.name, "pid": os.getpid(),
                      "port": srv.server_address[1],
                      "control_port": ctl.server_address[1],
                      "url": "https://%s:%d" % (host,
                                                srv.server_address[1]),
                      "control_url": "http://127.0.0.1:%d"
                      % ctl.server_address[1]}), flush=True)
    stop.wait()         # a signal handler sets it
    for s in (srv, ctl):
        s.shutdown()
        s.server_close()
    if emu.dns is not None:
        emu.dns.stop()
    return 0
