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
               "query": "regex on the decoded query string",
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
    GET  /secrets             (secret header values received, in full)
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
import ssl
import threading
import time
import urllib.parse

MAX_BODY = 1 << 20      # requests larger than this get 413
LOG_CAP = 10000         # request log entries kept (bodies cut to 1 KiB)
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
        self._query = re.compile(self.match["query"]) \
            if self.match.get("query") else None

    def matches(self, req):
        m = self.match
        if m.get("method") and m["method"].upper() != req.method:
            return False
        if m.get("endpoint") and m["endpoint"] != req.endpoint:
            return False
        if self._path and not self._path.search(req.path):
            return False
        if self._query and not self._query.search(
                urllib.parse.unquote(req.raw_query)):
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
            self._times = [None, None]
            self._secrets = set()

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
            out["first_request_at"], out["last_request_at"] = self._times
        if self.dns is not None:
            d = self.dns.snapshot()
            out.update(dns_pushes=d["pushes"], dns_errors=d["errors"],
                       dns_pending=d["pending"])
        return out

    def log(self, since=0):
        with self._ctl:
            return [e for e in self._log if e["seq"] > since]

    def secrets(self):
        """Every secret header value received (Authorization with its
        token or SigV4 signature, X-Auth-Key, X-Amz-Security-Token), in
        full: for tests that check none of them is ever shown. Cleared
        with the counters."""
        with self._ctl:
            return sorted(self._secrets)

    def _record(self, req, status, fault=None, rate_limited=False):
        hdrs = {}
        seen = set()
        for k, v in req.headers.items():
            hdrs[k] = "<redacted>" if k.lower() in SECRET_HEADERS else v
            if k.lower() in SECRET_HEADERS:
                seen.add(v)
        now = time.time()
        with self._ctl:
            self._secrets |= seen
            self._seq += 1
            self._counters["requests"] += 1
            # For rates measured by the benchmark: first and last request.
            self._times[0] = self._times[0] or now
            self._times[1] = now
            self._by["endpoint"][req.endpoint or "unrouted"] += 1
            self._by["method"][req.method] += 1
            if status is not None:
                self._by["status"][status] += 1
            self._log.append({
                "seq": self._seq, "time": now,
                "method": req.method, "path": req.path,
                "query": req.raw_query, "endpoint": req.endpoint,
                "status": status, "fault": fault,
                "rate_limited": rate_limited, "headers": hdrs,
                "conn": req.conn_id,
                "body": req.body[:1024].decode("utf-8", "replace")})

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
    from .httpd import ControlServer, TLSServer
    srv = TLSServer((args.host, args.port), emu, ctx, args.verbose)
    ctl = ControlServer(("127.0.0.1", args.control_port), emu)
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
