"""pytest fixtures for real DNS: Knot servers on loopback, a UDP server
that never answers, a closed port, and the root-only port-53 set-up for
discovery tests."""
import os
import socket
import threading
import time

import pytest

from harness.knot import Knot, KnotError, free_port


@pytest.fixture
def knot_factory():
    """knot_factory(zones, **kw) starts a Knot (see harness.knot.Knot);
    every server started is stopped when the test ends."""
    started = []

    def make(zones, **kw):
        k = Knot(zones, **kw)
        started.append(k)
        return k.start()

    yield make
    for k in started:
        k.stop()


@pytest.fixture
def knot(knot_factory):
    """One server with the zone example.test (no TXT records yet)."""
    return knot_factory({"example.test": []})


class SilentServer:
    """A UDP and TCP socket on loopback that never answer: every query to
    addr times out."""

    def __init__(self, address="127.0.0.1"):
        self.address = address
        self.port = free_port(address)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((address, self.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind((address, self.port))
        self.tcp.listen(16)

    @property
    def addr(self):
        return "%s:%d" % (self.address, self.port)

    def close(self):
        self.udp.close()
        self.tcp.close()


class SlowProxy:
    """A UDP relay in front of a server that answers every query late
    (delay seconds): a slow or far-away name server."""

    def __init__(self, upstream_port, delay, address="127.0.0.1"):
        self.address = address
        self.port = free_port(address)
        self.delay = delay
        self.upstream = (address, upstream_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, self.port))
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def addr(self):
        return "%s:%d" % (self.address, self.port)

    def _relay(self, data, client):
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        try:
            up.sendto(data, self.upstream)
            answer, _ = up.recvfrom(65535)
            time.sleep(self.delay)
            if self.running:
                self.sock.sendto(answer, client)
        except OSError:
            pass
        finally:
            up.close()

    def _serve(self):
        while self.running:
            try:
                data, client = self.sock.recvfrom(65535)
            except OSError:
                continue
            threading.Thread(target=self._relay, args=(data, client),
                             daemon=True).start()

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def slow_proxy():
    """slow_proxy(upstream_port, delay) -> SlowProxy, closed at the end."""
    made = []

    def make(port, delay):
        p = SlowProxy(port, delay)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


@pytest.fixture
def silent_server():
    s = SilentServer()
    yield s
    s.close()


@pytest.fixture
def closed_port():
    """A loopback port with nothing bound: queries get ICMP port
    unreachable (connection refused) at once."""
    return free_port("127.0.0.1")


def _can_bind53(address):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((address, 53))
        except OSError:
            return False
        finally:
            s.close()
    return True


@pytest.fixture
def port53():
    """Skips unless this test may run Knot on 127.0.0.2:53 and
    127.0.0.3:53 (root, both free): NS records carry no port, so the
    discovery walk only works end to end on port 53."""
    if os.geteuid() != 0:
        pytest.skip("discovery tests need root to listen on port 53")
    for a in ("127.0.0.2", "127.0.0.3"):
        if not _can_bind53(a):
            pytest.skip("port 53 on %s is in use" % a)
    return ("127.0.0.2", "127.0.0.3")


__all__ = ["Knot", "KnotError"]
