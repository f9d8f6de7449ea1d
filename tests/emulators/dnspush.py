"""Apply an emulator's accepted writes to real DNS servers by RFC 2136.

Each accepted API write makes the emulator call push(zone, owner, strings,
ttl): the whole TXT RRset at owner is replaced by the emulator's current
set (an empty set deletes it). A background thread sends the UPDATE, so
the API answers first; an optional delay per server makes "written but
not yet served" real for the confirm stage, and several servers with
different delays make "one name server lags" real.

A push snapshot carries a per-owner sequence number: if delays change
while pushes are queued, an older snapshot never overwrites a newer one.

Needs Debian's python3-dnspython (run with /usr/bin/python3).
"""
import heapq
import itertools
import socket
import struct
import threading
import time

# Not dns.query: it imports httpx and requests (for DNS over HTTPS), which
# adds 0.4 s to every emulator start. The TCP framing below is RFC 1035
# 4.2.2 (a two-octet length); dnspython builds and parses the messages.
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.tsig
import dns.tsigkeyring
import dns.update


def parse_server(text):
    """'ADDR:PORT[,delay=S]' or '[V6]:PORT[,delay=S]' -> dict."""
    opts = {}
    head, *rest = text.split(",")
    for r in rest:
        k, _, v = r.partition("=")
        if k != "delay":
            raise ValueError("knot server option '%s': only delay=S" % r)
        opts["delay"] = float(v)
    if head.startswith("["):
        addr, _, port = head[1:].partition("]:")
    else:
        addr, _, port = head.rpartition(":")
    if not addr or not port.isdigit():
        raise ValueError("knot server '%s': expected ADDR:PORT" % text)
    return {"addr": addr, "port": int(port), "delay": opts.get("delay")}


def parse_tsig(text):
    """'NAME:ALGORITHM:BASE64SECRET' (knsupdate -y order) -> dict."""
    parts = text.split(":", 2)
    if len(parts) != 3:
        raise ValueError("tsig: expected NAME:ALGORITHM:SECRET")
    return {"name": parts[0], "algorithm": parts[1], "secret": parts[2]}


class DnsPusher:
    """Sends RFC 2136 replaces of TXT RRsets to one or more servers.

    servers: list of {"addr", "port", "delay"} (delay None = default).
    zones: None (every zone the emulator pushes) or a dict mapping an
    emulator zone name to the name of the zone in the DNS server.
    """

    def __init__(self, servers, zones=None, delay=0.0, tsig=None,
                 timeout=3.0):
        self.servers = [dict(s) for s in servers]
        self.zones = zones
        self.default_delay = float(delay)
        self.timeout = timeout
        self.keyring = None
        self.tsig = tsig
        if tsig:
            self.keyring = dns.tsigkeyring.from_text(
                {tsig["name"]: tsig["secret"]})
        self._cv = threading.Condition()
        self._heap = []
        self._seq = itertools.count(1)
        self._latest_sent = {}      # (server, owner) -> seq sent
        self._inflight = 0
        self._stop = False
        self.stats = {"pushes": 0, "errors": 0, "skipped": 0,
                      "last_error": None}
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="dnspush")
        self._thread.start()

    # --- configuration -----------------------------------------------------
    def set_delay(self, seconds, server=None):
        with self._cv:
            if server is None:
                self.default_delay = float(seconds)
                for s in self.servers:
                    s["delay"] = None
            else:
                self.servers[int(server)]["delay"] = float(seconds)

    def knot_zone(self, zone):
        if self.zones is None:
            return zone
        return self.zones.get(zone)

    # --- queueing ----------------------------------------------------------
    def push(self, zone, owner, rrset, ttl, immediate=False):
        """Queue 'owner TXT := rrset' (rrset: list of records, each a list
        of byte strings). Returns False when the zone is not pushed."""
        kzone = self.knot_zone(zone)
        if kzone is None or not self.servers:
            with self._cv:
                self.stats["skipped"] += 1
            return False
        now = time.monotonic()
        with self._cv:
            seq = next(self._seq)
            for i, s in enumerate(self.servers):
                delay = s["delay"] if s["delay"] is not None \
                    else self.default_delay
                due = now if immediate else now + delay
                heapq.heappush(self._heap, (due, seq, i, kzone, owner,
                                            [list(r) for r in rrset], ttl))
            self._cv.notify_all()
        return True

    def flush(self, timeout=10.0):
        """Block until nothing is queued or in flight; True if drained."""
        end = time.monotonic() + timeout
        with self._cv:
            while self._heap or self._inflight:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(min(left, 0.05))
        return True

    def pending(self):
        with self._cv:
            return len(self._heap) + self._inflight

    def clear(self):
        with self._cv:
            self._heap.clear()
            self._cv.notify_all()

    def stop(self):
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        self._thread.join(2)

    def snapshot(self):
        with self._cv:
            return {"servers": [dict(s) for s in self.servers],
                    "default_delay": self.default_delay,
                    "zones": self.zones, "pending": len(self._heap)
                    + self._inflight, "tsig": bool(self.tsig),
                    **self.stats}

    # --- worker ------------------------------------------------------------
    def _run(self):
        while True:
            with self._cv:
                while not self._stop:
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    wait = self._heap[0][0] - now if self._heap else None
                    self._cv.wait(wait)
                if self._stop:
                    return
                item = heapq.heappop(self._heap)
                _, seq, idx, kzone, owner, rrset, ttl = item
                if self._latest_sent.get((idx, owner), 0) > seq:
                    continue        # a newer snapshot already went out
                self._latest_sent[(idx, owner)] = seq
                self._inflight += 1
            err = None
            try:
                self._send(self.servers[idx], kzone, owner, rrset, ttl)
            except Exception as e:  # report, keep serving
                err = "%s %s: %s" % (owner, type(e).__name__, e)
            with self._cv:
                self._inflight -= 1
                if err:
                    self.stats["errors"] += 1
                    self.stats["last_error"] = err
                else:
                    self.stats["pushes"] += 1
                self._cv.notify_all()

    def _send(self, server, kzone, owner, rrset, ttl):
        kw = {}
        if self.keyring:
            kw = {"keyring": self.keyring, "keyname": self.tsig["name"],
                  "keyalgorithm": dns.name.from_text(
                      self.tsig["algorithm"])}
        upd = dns.update.UpdateMessage(kzone, **kw)
        name = dns.name.from_text(owner)
        if rrset:
            rds = [dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN,
                                           dns.rdatatype.TXT, strings)
                   for strings in rrset]
            upd.replace(name, int(ttl), *rds)
        else:
            upd.delete(name, "TXT")
        resp = tcp_exchange(upd, server["addr"], server["port"],
                            self.timeout)
        if resp.rcode() != dns.rcode.NOERROR:
            raise RuntimeError("server %s:%d answered %s" % (
                server["addr"], server["port"],
                dns.rcode.to_text(resp.rcode())))


def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by the DNS server")
        buf += chunk
    return buf


def tcp_exchange(msg, addr, port, timeout):
    """Send one DNS message over TCP; the reply, TSIG verified if signed."""
    wire = msg.to_wire()
    with socket.create_connection((addr, port), timeout) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        (n,) = struct.unpack("!H", _recv_exact(s, 2))
        data = _recv_exact(s, n)
    resp = dns.message.from_wire(data, keyring=msg.keyring,
                                 request_mac=msg.mac)
    if not msg.is_response(resp):
        raise ConnectionError("reply does not answer the update")
    return resp
