"""Benchmark of the propagation watcher (make bench, section "watch").

Two local Knot servers serve one zone; N domains (default 10,000) are
watched at once by tests/bench/watch_bench.c (the watcher as the publish
stage drives it), while their records appear in waves, the second server
lagging the first. Prints: queries sent per (domain, server), the time
from the last record appearing to the last confirmation, confirmation
latency after each record appeared, CPU time and peak memory.

With --drop refuse|silent, the second server is stopped halfway through: every domain
whose record it had not served yet ends as a timeout, and the figures show
how many queries a dead server costs (the watcher's circuit breaker).

usage: /usr/bin/python3 tests/bench/watch_bench.py BINARY [--domains N]
       [--waves W] [--gap SECONDS] [--lag SECONDS] [--interval S]
       [--max-interval S] [--drop refuse|silent]
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from harness.knot import Knot, txt_rdata  # noqa: E402

ZONE = "bench.test"
VALUE = "v=TLSRPTv1; rua=mailto:tls-reports@bench.test"
BATCH = 200  # adds per UPDATE message (knsupdate fails near 2000)


def publish(server, names):
    """Add the record at each name; returns the time the last is served."""
    rd = txt_rdata(VALUE)
    for i in range(0, len(names), BATCH):
        server.update(ZONE, add=[("_smtp._tls." + n.split(".")[0], 300,
                                  "TXT", rd) for n in names[i:i + BATCH]],
                      timeout=30)
    return time.time()


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("driver")
    ap.add_argument("--domains", type=int, default=10000)
    ap.add_argument("--waves", type=int, default=5)
    ap.add_argument("--gap", type=float, default=3.0)
    ap.add_argument("--lag", type=float, default=1.0)
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--max-interval", type=float, default=4.0)
    ap.add_argument("--timeout", type=float, default=90.0)
    ap.add_argument("--drop", choices=("refuse", "silent"),
                    help="stop the second server halfway: its port then "
                    "refuses (ICMP port unreachable) or drops queries")
    a = ap.parse_args()

    names = ["d%05d.%s" % (i, ZONE) for i in range(1, a.domains + 1)]
    size = (len(names) + a.waves - 1) // a.waves
    waves = [names[i:i + size] for i in range(0, len(names), size)]
    appeared = {}  # domain -> time its record was on both servers

    with Knot({ZONE: []}) as k1, Knot({ZONE: []}) as k2:
        drv = subprocess.Popen(
            [a.driver, "--value", VALUE, "--nameserver", k1.addr,
             "--nameserver", k2.addr, "--interval", str(a.interval),
             "--max-interval", str(a.max_interval),
             "--timeout", str(a.timeout)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        out = []
        reader = threading.Thread(target=lambda: out.extend(drv.stdout))
        reader.start()
        drv.stdin.write("\n".join(names) + "\n")
        drv.stdin.close()
        start = time.time()
        last = 0.0
        dropped_at = None
        for w, batch in enumerate(waves):
            time.sleep(max(0.0, start + 1.0 + w * a.gap - time.time()))
            publish(k1, batch)
            if a.drop and w >= len(waves) // 2:
                if dropped_at is None:
                    port = k2.port
                    k2.stop()
                    if a.drop == "silent":
                        sink = socket.socket(socket.AF_INET,
                                             socket.SOCK_DGRAM)
                        sink.bind(("127.0.0.1", port))
                    dropped_at = time.time()
                continue
            time.sleep(a.lag)
            t = publish(k2, batch)
            last = max(last, t)
            for n in batch:
                appeared[n] = t
        drv.wait()
        reader.join()

    results = [json.loads(x) for x in out if x.strip()]
    stats = [r for r in results if r.get("type") == "stats"][0]
    verdicts = [r for r in results if "domain" in r]
    lat = [v["wall"] - appeared[v["domain"]] for v in verdicts
           if v["status"] == "confirmed" and v["domain"] in appeared]
    confirmed = [v for v in verdicts if v["status"] == "confirmed"]
    last_conf = max((v["wall"] for v in confirmed), default=float("nan"))
    pairs = stats["domains"] * stats["servers"]
    cpu = stats["cpu_user"] + stats["cpu_sys"]
    print("watch: %d domains x %d servers, %d waves %.1f s apart, second "
          "server %.1f s behind, interval %.1f s (max %.1f s)%s"
          % (stats["domains"], stats["servers"], len(waves), a.gap, a.lag,
             a.interval, a.max_interval,
             ", second server dropped (%s) at wave %d"
             % (a.drop, len(waves) // 2 + 1)
             if a.drop else ""))
    print("  verdicts:           %d confirmed, %d timeout, %d failed"
          % (stats["confirmed"], stats["timeout"], stats["failed"]))
    print("  queries sent:       %d (%.2f per domain and server)"
          % (stats["queries"], stats["queries"] / pairs))
    print("  answers received:   %d" % stats["answers"])
    if not a.drop:
        # The watcher's schedule (first round at once, then the interval
        # growing by a quarter up to the maximum): the interval in effect
        # when the last record appeared.
        t, iv = 0.0, a.interval
        while t + iv <= last - stats["start"]:
            t += iv
            iv = min(a.max_interval, iv * 1.25)
        print("  last record -> last confirmation: %.2f s (poll interval "
              "then: %.2f s)" % (last_conf - last, iv))
    print("  record -> confirmation: p50 %.2f s, p99 %.2f s, max %.2f s"
          % (percentile(lat, 50), percentile(lat, 99),
             max(lat) if lat else float("nan")))
    print("  run time:           %.1f s (first domain added to last verdict)"
          % (stats["last_verdict"] - stats["start"]))
    print("  CPU time:           %.2f s (user %.2f, sys %.2f)"
          % (cpu, stats["cpu_user"], stats["cpu_sys"]))
    print("  peak memory:        %.1f MB" % (stats["peak_kb"] / 1024.0))
    ok = stats["confirmed"] == stats["domains"] or a.drop
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
