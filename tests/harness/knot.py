"""Knot DNS on loopback for the tests: a real authoritative server with a
temporary config and zones, accepting RFC 2136 updates (with or without
TSIG), started as this process's direct child and stopped cleanly.

The recipe and its measured gotchas are in
shared/reference/dns-propagation.md (Part B): knotd runs in the
foreground, a TCP port clash is fatal at start-up (so we retry on another
port), zones load in the background (so readiness is probed per zone),
and the process must be our own child so that wait() reaps it at once.

    with Knot({"example.test": ['_smtp._tls 300 TXT "v=TLSRPTv1; ..."']}) as k:
        k.update("example.test", replace=[("_smtp._tls", 300, "TXT", txt)])
        k.addr          # "127.0.0.1:PORT", what --nameserver takes

Run with Debian's /usr/bin/python3 (dnspython comes from python3-dnspython).
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.update

TSIG_NAME = "update-key"
TSIG_SECRET = "dGVzdC10c2lnLXNlY3JldC1mb3ItZG5zLXJlY2lwZSE="


def txt_rdata(value):
    """A TXT value (str or bytes) in presentation form: quoted strings of
    at most 255 bytes, '"' and '\\' escaped, other bytes outside 0x20-0x7E
    as \\DDD. A list gives the strings explicitly (one RR, those splits)."""
    if isinstance(value, (list, tuple)):
        return " ".join(txt_rdata(v) for v in value)
    raw = value.encode() if isinstance(value, str) else bytes(value)
    chunks = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
    out = []
    for c in chunks:
        s = ""
        for b in c:
            if b in (0x22, 0x5C):
                s += "\\" + chr(b)
            elif 0x20 <= b <= 0x7E:
                s += chr(b)
            else:
                s += "\\%03d" % b
        out.append('"%s"' % s)
    return " ".join(out)


def _port_free(address, port):
    fam = socket.AF_INET6 if ":" in address else socket.AF_INET
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(fam, kind)
        try:
            s.bind((address, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def free_port(address="127.0.0.1"):
    """A port where neither TCP nor UDP is bound on address right now."""
    for _ in range(200):
        port = random.randint(20000, 60999)
        if _port_free(address, port):
            return port
    raise RuntimeError("knot: no free port on %s" % address)


class KnotError(RuntimeError):
    pass


class Knot:
    """One knotd serving zones on address:port.

    zones: {zone name: [record lines in zone-file syntax, owner relative
    to the zone or absolute]}. Each zone gets an SOA (TTL soa_ttl,
    MINIMUM soa_min) and NS records: ns=[(host, address)] per zone in
    zone_ns, default one NS "ns1.ZONE" with an A record for this server's
    address when it is IPv4.
    """

    def __init__(self, zones, address="127.0.0.1", port=None, soa_ttl=300,
                 soa_min=60, zone_ns=None, workers=None):
        self.zones = {z.rstrip("."): list(recs) for z, recs in zones.items()}
        self.address = address
        self.port = port
        self.fixed_port = port is not None
        self.soa_ttl = soa_ttl
        self.soa_min = soa_min
        self.zone_ns = zone_ns or {}
        self.workers = workers
        self.dir = None
        self.proc = None
        self.log = None
        self._timers = []

    # ---- address ------------------------------------------------------
    @property
    def addr(self):
        """ADDR[:PORT] as --nameserver and --resolver take it."""
        host = "[%s]" % self.address if ":" in self.address else self.address
        if self.port == 53:
            return host
        return "%s:%d" % (host, self.port)

    # ---- config -------------------------------------------------------
    def _zone_text(self, zone):
        lines = ["$ORIGIN %s." % zone, "$TTL %d" % self.soa_ttl,
                 "@ %d SOA ns1.%s. hostmaster.%s. 1 3600 900 604800 %d"
                 % (self.soa_ttl, zone, zone, self.soa_min)]
        ns = self.zone_ns.get(zone)
        if ns is None:
            ns = [("ns1.%s" % zone,
                   self.address if ":" not in self.address else None)]
        for host, address in ns:
            lines.append("@ NS %s." % host.rstrip("."))
            if address and (host.rstrip(".") + ".").endswith(zone + "."):
                kind = "AAAA" if ":" in address else "A"
                lines.append("%s. %s %s" % (host.rstrip("."), kind, address))
        lines.extend(self.zones[zone])
        return "\n".join(lines) + "\n"

    def _write_config(self):
        for sub in ("zones", "db", "run"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        listen = "%s@%d" % (self.address, self.port)
        workers = ""
        if self.workers:
            workers = ("    udp-workers: %d\n    tcp-workers: %d\n"
                       % (self.workers, self.workers))
        conf = f"""server:
    rundir: "{self.dir}/run"
    pidfile: "{self.dir}/run/knot.pid"
    listen: {listen}
{workers}log:
  - target: stderr
    any: info
database:
    storage: "{self.dir}/db"
control:
    listen: "{self.dir}/run/knot.sock"
key:
  - id: {TSIG_NAME}
    algorithm: hmac-sha256
    secret: {TSIG_SECRET}
acl:
  - id: upd_tsig
    address: [127.0.0.0/8, ::1]
    key: {TSIG_NAME}
    action: update
  - id: upd_plain
    address: [127.0.0.0/8, ::1]
    action: update
template:
  - id: default
    storage: "{self.dir}/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: changes
    semantic-checks: off
zone:
"""
        for z in self.zones:
            conf += "  - domain: %s.\n    acl: [upd_tsig, upd_plain]\n" % z
            with open(os.path.join(self.dir, "zones", z + ".zone"), "w") as f:
                f.write(self._zone_text(z))
        with open(os.path.join(self.dir, "knot.conf"), "w") as f:
            f.write(conf)

    # ---- lifecycle ----------------------------------------------------
    def start(self, timeout=15):
        self.dir = tempfile.mkdtemp(prefix="knot-")
        last = ""
        for _ in range(1 if self.fixed_port else 5):
            if not self.fixed_port:
                self.port = free_port(self.address)
            self._write_config()
            self.log = open(os.path.join(self.dir, "knotd.log"), "w+")
            # The direct child: wait() reaps it the moment it exits.
            self.proc = subprocess.Popen(
                ["knotd", "-c", os.path.join(self.dir, "knot.conf")],
                stdout=self.log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
            try:
                self._wait_ready(timeout)
                return self
            except KnotError as e:
                last = str(e)
                self._reap()
                if "address already in use" not in last.lower():
                    break
        self.stop()
        raise KnotError("knot: could not start on %s: %s"
                        % (self.address, last))

    def _log_tail(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-2000:]

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        pending = list(self.zones)
        while pending:
            if self.proc.poll() is not None:
                raise KnotError("knotd exited with status %d:\n%s"
                                % (self.proc.returncode, self._log_tail()))
            if time.monotonic() > deadline:
                raise KnotError("zones %s not served after %ss:\n%s"
                                % (pending, timeout, self._log_tail()))
            z = pending[0]
            try:
                r = self.query(z, "SOA", tcp=True, timeout=0.5)
                if r.rcode() == dns.rcode.NOERROR and r.answer:
                    pending.pop(0)
                    continue
            except (OSError, dns.exception.DNSException):
                pass
            time.sleep(0.02)

    def _reap(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def stop(self):
        for t in self._timers:
            t.cancel()
        for t in self._timers:
            if t.is_alive() and t is not threading.current_thread():
                t.join(timeout=5)
        self._timers = []
        self._reap()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- DNS ----------------------------------------------------------
    def query(self, name, rdtype, tcp=False, timeout=2.0):
        """A non-recursive query to this server; the dnspython message."""
        q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
        q.flags &= ~dns.flags.RD
        fn = dns.query.tcp if tcp else dns.query.udp
        return fn(q, self.address, port=self.port, timeout=timeout)

    def txt(self, name):
        """The TXT values at name (decoded, strings joined), sorted."""
        r = self.query(name, "TXT", tcp=True)
        out = []
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                out.extend(b"".join(rd.strings).decode("latin-1")
                           for rd in rrset)
        return sorted(out)

    def update(self, zone, add=(), delete=(), replace=(), tsig=True,
               timeout=5.0):
        """Apply one RFC 2136 UPDATE to zone. add/replace: (name, ttl,
        type, rdata text) with rdata in presentation form (txt_rdata()
        for TXT); delete: (name,) or (name, type) or (name, type, rdata).
        Returns the rcode; raises on anything but NOERROR."""
        kw = {}
        if tsig:
            kw = {"keyring": dns.tsigkeyring.from_text(
                {TSIG_NAME: TSIG_SECRET}), "keyname": TSIG_NAME,
                "keyalgorithm": dns.tsig.HMAC_SHA256}
        u = dns.update.UpdateMessage(zone + ".", **kw)
        for item in delete:
            u.delete(*item)
        for name, ttl, rdtype, rdata in replace:
            u.replace(name, ttl, rdtype, rdata)
        for name, ttl, rdtype, rdata in add:
            u.add(name, ttl, rdtype, rdata)
        r = dns.query.tcp(u, self.address, port=self.port, timeout=timeout)
        if r.rcode() != dns.rcode.NOERROR:
            raise KnotError("knot: update of %s refused: %s"
                            % (zone, dns.rcode.to_text(r.rcode())))
        return r.rcode()

    def set_txt(self, zone, name, values, ttl=300):
        """Replace the TXT RRset at name (relative to zone) by values."""
        if not values:
            return self.update(zone, delete=[(name, "TXT")])
        rdatas = [txt_rdata(v) for v in values]
        return self.update(zone, replace=[(name, ttl, "TXT", rdatas[0])],
                           add=[(name, ttl, "TXT", r) for r in rdatas[1:]])

    def later(self, delay, fn, *args, **kwargs):
        """Run fn(*args, **kwargs) after delay seconds in a thread (a
        delayed update); stop() cancels or joins it."""
        t = threading.Timer(delay, fn, args, kwargs)
        t.daemon = True
        self._timers.append(t)
        t.start()
        return t
