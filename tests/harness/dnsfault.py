"""A DNS server that misbehaves for one name and relays the rest.

    with DnsFault(knot.addr, "_smtp._tls.a.test", "lie",
                  lie=["v=TLSRPTv1; rua=mailto:attacker@evil.test"]) as f:
        ... --nameserver f.addr ...

It stands in for one authoritative server of a zone: queries for any other
name are relayed to the real server (Knot) and its answer returned as is;
queries for the faulted name get, by mode:

    "refuse"    REFUSED (a server that does not serve the zone)
    "servfail"  SERVFAIL (a broken server)
    "timeout"   no answer at all
    "lie"       an authoritative answer with other TXT values (lie=[...]),
                as a stale or hijacked server would give

UDP only (answers here are small: no truncation, so no TCP retry). The
counters `faulted` and `relayed` tell what it did. Run with Debian's
python3 (dnspython).
"""
import socket
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from harness.knot import free_port, txt_rdata

MODES = ("refuse", "servfail", "timeout", "lie")


class DnsFault:
    def __init__(self, upstream, name, mode, lie=(), address="127.0.0.1"):
        if mode not in MODES:
            raise ValueError("mode %r: one of %s" % (mode, MODES))
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.name = dns.name.from_text(name)
        self.mode = mode
        self.lie = list(lie)
        self.address = address
        self.port = free_port(address)
        self.faulted = 0
        self.relayed = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, self.port))
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def addr(self):
        return "%s:%d" % (self.address, self.port)

    def _answer(self, q):
        r = dns.message.make_response(q)
        if self.mode == "refuse":
            r.set_rcode(dns.rcode.REFUSED)
        elif self.mode == "servfail":
            r.set_rcode(dns.rcode.SERVFAIL)
        else:
            r.flags |= dns.flags.AA
            if q.question[0].rdtype == dns.rdatatype.TXT and self.lie:
                r.answer.append(dns.rrset.from_text_list(
                    self.name, 300, "IN", "TXT",
                    [txt_rdata(v) for v in self.lie]))
        return r.to_wire()

    def _relay(self, data):
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        try:
            up.sendto(data, self.upstream)
            return up.recvfrom(65535)[0]
        except OSError:
            return None
        finally:
            up.close()

    def _handle(self, data, client):
        try:
            q = dns.message.from_wire(data)
            mine = q.question and q.question[0].name == self.name
        except Exception:       # not ours to judge: relay it
            q, mine = None, False
        if mine:
            self.faulted += 1
            if self.mode == "timeout":
                return
            answer = self._answer(q)
        else:
            self.relayed += 1
            answer = self._relay(data)
        if answer is not None and self.running:
            try:
                self.sock.sendto(answer, client)
            except OSError:
                pass

    def _serve(self):
        while self.running:
            try:
                data, client = self.sock.recvfrom(65535)
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(data, client),
                             daemon=True).start()

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
