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

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from harness.fixtures_knot import SlowProxy
from harness.knot import txt_rdata

MODES = ("refuse", "servfail", "timeout", "lie")


class DnsFault(SlowProxy):
    def __init__(self, upstream, name, mode, lie=(), address="127.0.0.1"):
        if mode not in MODES:
            raise ValueError("mode %r: one of %s" % (mode, MODES))
        host, port = upstream.rsplit(":", 1)
        self.name = dns.name.from_text(name)
        self.mode = mode
        self.lie = list(lie)
        self.faulted = 0
        self.relayed = 0
        super().__init__(int(port), 0, address)
        self.upstream = (host, int(port))

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

    def _ask_upstream(self, data):
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        try:
            up.sendto(data, self.upstream)
            return up.recvfrom(65535)[0]
        except OSError:
            return None
        finally:
            up.close()

    def _relay(self, data, client):
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
            answer = self._ask_upstream(data)
        if answer is not None and self.running:
            try:
                self.sock.sendto(answer, client)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
