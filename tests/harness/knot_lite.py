"""A minimal Knot DNS on loopback, for the emulator tests.

Stand-in used only while the full harness (tests/harness/knot.py, from the
DNS work) is not in this tree: fixtures_emulators.py prefers harness.knot
and falls back to this. Same small surface: Knot({zone: [lines]}).start(),
.address, .port, .addr, .txt(name), .stop(). Recipe: shared reference
dns-propagation.md, Part B (knotd in the foreground as our direct child,
readiness probed per zone over TCP, a fresh directory per server).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

TSIG_NAME = "update-key"
TSIG_SECRET = "dGVzdC10c2lnLXNlY3JldC1mb3ItZG5zLXJlY2lwZSE="


def _free_port(address):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((address, 0))
        return s.getsockname()[1]


class Knot:
    def __init__(self, zones, address="127.0.0.1"):
        self.zones = {z.rstrip("."): list(r) for z, r in zones.items()}
        self.address = address
        self.port = None
        self.dir = None
        self.proc = None

    @property
    def addr(self):
        return "%s:%d" % (self.address, self.port)

    def _write(self):
        d = self.dir
        for sub in ("zones", "db", "run"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        conf = ["server:", '    rundir: "%s/run"' % d,
                "    listen: %s@%d" % (self.address, self.port),
                "log:", "  - target: stderr", "    any: info",
                "database:", '    storage: "%s/db"' % d,
                "control:", '    listen: "%s/run/knot.sock"' % d,
                "key:", "  - id: %s" % TSIG_NAME,
                "    algorithm: hmac-sha256", "    secret: %s" % TSIG_SECRET,
                "acl:", "  - id: upd_tsig", "    address: 127.0.0.0/8",
                "    key: %s" % TSIG_NAME, "    action: update",
                "  - id: upd_plain", "    address: 127.0.0.0/8",
                "    action: update",
                "template:", "  - id: default",
                '    storage: "%s/zones"' % d, '    file: "%s.zone"',
                "    zonefile-sync: -1", "    journal-content: changes",
                "    semantic-checks: off", "zone:"]
        for z, lines in self.zones.items():
            conf += ["  - domain: %s." % z, "    acl: [upd_tsig, upd_plain]"]
            with open(os.path.join(d, "zones", z + ".zone"), "w") as f:
                f.write("\n".join([
                    "$ORIGIN %s." % z, "$TTL 300",
                    "@ SOA ns1.%s. hostmaster.%s. 1 3600 900 604800 60"
                    % (z, z), "@ NS ns1.%s." % z,
                    "ns1 A %s" % self.address] + lines) + "\n")
        with open(os.path.join(d, "knot.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")

    def start(self, timeout=15):
        self.dir = tempfile.mkdtemp(prefix="knot-lite-")
        for _ in range(5):
            self.port = _free_port(self.address)
            self._write()
            self.log = open(os.path.join(self.dir, "knotd.log"), "w+")
            self.proc = subprocess.Popen(
                ["knotd", "-c", os.path.join(self.dir, "knot.conf")],
                stdout=self.log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
            if self._ready(timeout):
                return self
            self._reap()
        self.stop()
        raise RuntimeError("knot: could not start on %s" % self.address)

    def _ready(self, timeout):
        end = time.monotonic() + timeout
        for z in self.zones:
            while True:
                if self.proc.poll() is not None:
                    return False
                if time.monotonic() > end:
                    return False
                try:
                    r = self.query(z, "SOA", tcp=True, timeout=0.5)
                    if r.rcode() == dns.rcode.NOERROR and r.answer:
                        break
                except (OSError, dns.exception.DNSException):
                    pass
                time.sleep(0.02)
        return True

    def _reap(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.close()

    def stop(self):
        if self.proc is not None:
            self._reap()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def query(self, name, rdtype, tcp=False, timeout=2.0):
        q = dns.message.make_query(name, rdtype)
        q.flags &= ~dns.flags.RD
        fn = dns.query.tcp if tcp else dns.query.udp
        return fn(q, self.address, port=self.port, timeout=timeout)

    def txt(self, name):
        """Decoded TXT values at name (strings joined), sorted."""
        r = self.query(name, "TXT", tcp=True)
        return sorted(b"".join(rd.strings).decode("latin-1")
                      for rrset in r.answer
                      if rrset.rdtype == dns.rdatatype.TXT for rd in rrset)
