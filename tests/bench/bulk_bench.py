"""Benchmark of a bulk rollout (make bench, section "bulk").

N domains per provider (default 1,000) on the Cloudflare, GoDaddy and
Route 53 emulators, each adding latency to every request and enforcing a
rate limit scaled up from the real ones (default 40 requests/s, answered
with 429 / Throttling beyond it), all served by one Knot server that the
tool confirms against. tlsrpt-publish publishes the whole portfolio in one
run (--all, --jobs workers, each account's rate set just under the limit),
then runs again on the converged portfolio. Then the same job done the way
users do it today, on a sample of fresh domains: a shell loop of curl
calls (Cloudflare, GoDaddy) and a loop of Debian's `aws route53` CLI.

Prints, per provider: API requests per domain (first run, re-run; Route 53
GetChange polls apart), achieved request rate / allowed rate, TLS
handshakes; for the run: wall time, CPU time, peak memory; and the ratios
against the loops. Targets are printed beside the figures; nothing here
fails on a time.

usage: /usr/bin/python3 tests/bench/bulk_bench.py BINARY [--domains N]
       [--latency S] [--rate R] [--tool-rate R] [--jobs J]
       [--curl-sample N] [--aws-sample N] [--gd-default N]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from harness.ca import TestCA  # noqa: E402
from harness.portfolio import PROVIDERS, Portfolio  # noqa: E402

RUA = "mailto:tls-reports@example.net"
REC = "v=TLSRPTv1; rua=" + RUA
PREFIX = {"cloudflare": "c", "godaddy": "g", "route53": "r"}
GETCHANGE = "GetChange"


def vmhwm(pid):
    """The peak resident memory of pid's image so far, kB (VmHWM: unlike
    ru_maxrss it does not carry this Python's own peak across fork and
    exec)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(cmd, env, stdin=None, stdout=None):
    """Run cmd; (returncode, wall s, CPU s, peak RSS MB): CPU of it and
    every descendant it waited for (wait4), peak memory of its own image,
    sampled every 20 ms."""
    peak = [0]
    t = time.monotonic()
    err = tempfile.TemporaryFile()
    p = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=stdout,
                         stderr=err)

    def sample():
        while p.returncode is None:
            peak[0] = max(peak[0], vmhwm(p.pid))
            time.sleep(0.02)
    th = threading.Thread(target=sample)
    th.start()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    th.join()
    wall = time.monotonic() - t
    if p.returncode not in (0, 1, 3):
        err.seek(0)
        sys.stderr.write(err.read().decode(errors="replace")[-3000:])
    err.close()
    return p.returncode, wall, ru.ru_utime + ru.ru_stime, peak[0] / 1024


def counters(pf):
    return {p: pf.counters(p) for p in pf.emu}


def requests(c, exclude=()):
    return c["requests"] - sum(c["by_endpoint"].get(e, 0) for e in exclude)


def achieved(c):
    span = (c["last_request_at"] or 0) - (c["first_request_at"] or 0)
    return c["requests"] / span if span > 0 else float("nan")


def publish(a, pf, binary, label):
    """One tlsrpt-publish run over the --all list; its figures."""
    out = os.path.join(pf.tmp, label + ".jsonl")
    pf.reset_counters()
    with open(out, "w") as f:
        rc, wall, cpu, rss = timed(
            [binary, "publish", "--all", "--jobs", str(a.jobs), "--output",
             "jsonl", "--interval", "1", "--timeout", "300"],
            pf.env(TLSRPT_ROUTE53_SYNC_INTERVAL=str(a.sync_delay)),
            stdout=f)
    with open(out) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    return {"rc": rc, "wall": wall, "cpu": cpu, "rss": rss,
            "summary": lines[-1] if lines else {},
            "counters": counters(pf)}


CF_LOOP = r'''
for d in $(cat "$1"); do
  zid=$(curl -sS --cacert "$CA" -H "Authorization: Bearer $TOKEN" \
    "$API/zones?name=$d" | grep -o '"id": *"[0-9a-f]\{32\}"' | head -1 |
    cut -d'"' -f4)
  if curl -sS --cacert "$CA" -H "Authorization: Bearer $TOKEN" \
      "$API/zones/$zid/dns_records?type=TXT&name=_smtp._tls.$d" |
      grep -q 'v=TLSRPTv1'; then continue; fi
  curl -sS --cacert "$CA" -H "Authorization: Bearer $TOKEN" \
    -H "Content-Type: application/json" -X POST \
    "$API/zones/$zid/dns_records" \
    -d "{\"type\":\"TXT\",\"name\":\"_smtp._tls.$d\",\"ttl\":3600,\"content\":\"\\\"$REC\\\"\"}" \
    >/dev/null
done
'''

GD_LOOP = r'''
for d in $(cat "$1"); do
  if curl -sS --cacert "$CA" -H "Authorization: sso-key $KEY:$SECRET" \
      "$API/v1/domains/$d/records/TXT/_smtp._tls" |
      grep -q 'v=TLSRPTv1'; then continue; fi
  curl -sS --cacert "$CA" -H "Authorization: sso-key $KEY:$SECRET" \
    -H "Content-Type: application/json" -X PUT \
    "$API/v1/domains/$d/records/TXT/_smtp._tls" \
    -d "[{\"data\":\"$REC\",\"ttl\":3600}]" >/dev/null
done
'''

AWS_LOOP = r'''
aws() { /usr/bin/aws --endpoint-url "$API" --output text "$@"; }
for d in $(cat "$1"); do
  zid=$(aws route53 list-hosted-zones-by-name --dns-name "$d" \
    --max-items 1 --query 'HostedZones[0].Id')
  if aws route53 list-resource-record-sets --hosted-zone-id "$zid" \
      --start-record-name "_smtp._tls.$d" --start-record-type TXT \
      --max-items 1 | grep -q 'v=TLSRPTv1'; then continue; fi
  aws route53 change-resource-record-sets --hosted-zone-id "$zid" \
    --change-batch "{\"Changes\":[{\"Action\":\"UPSERT\",\"ResourceRecordSet\":{\"Name\":\"_smtp._tls.$d\",\"Type\":\"TXT\",\"TTL\":3600,\"ResourceRecords\":[{\"Value\":\"\\\"$REC\\\"\"}]}}]}" \
    >/dev/null
done
'''


def loop(pf, provider, script, names):
    """The shell loop over names; its figures and what it left."""
    path = os.path.join(pf.tmp, provider + "-loop.txt")
    with open(path, "w") as f:
        f.write("\n".join(names) + "\n")
    sh = os.path.join(pf.tmp, provider + "-loop.sh")
    with open(sh, "w") as f:
        f.write("set -u\n" + script)
    emu = pf.emu[provider]
    env = {"PATH": "/usr/bin:/bin", "HOME": pf.home, "CA": pf.ca.ca_file,
           "REC": REC, "TOKEN": pf.token, "KEY": pf.gd_key,
           "SECRET": pf.gd_secret, "AWS_ACCESS_KEY_ID": pf.aws_key,
           "AWS_SECRET_ACCESS_KEY": pf.aws_secret,
           "AWS_CA_BUNDLE": pf.ca.ca_file, "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
           "API": emu.url + ("/client/v4" if provider == "cloudflare"
                             else "")}
    pf.reset_counters()
    rc, wall, cpu, rss = timed(["/bin/bash", sh, path], env)
    c = pf.counters(provider)
    done = sum(1 for z in names if REC in pf.api_values(z))
    return {"rc": rc, "wall": wall, "cpu": cpu, "n": len(names),
            "requests": c["requests"], "done": done,
            "rate_limited": c["rate_limited"]}


def target(ok):
    return "met" if ok else "MISSED"


def report_publish(a, first, again, gd_default):
    n = a.domains
    total = n * len(PROVIDERS)
    print("bulk: %d domains per provider (%d in all), %d workers; the "
          "emulators add %.0f ms per request and allow %g requests/s per "
          "account (429 / Throttling beyond); the tool is told %g/s"
          % (n, total, a.jobs, a.latency * 1000, a.rate, a.tool_rate))
    for label, r in (("first run", first), ("converged re-run", again)):
        s = r["summary"]
        print("  %s: exit %d; %s" % (label, r["rc"], ", ".join(
            "%s %s" % (k, v) for k, v in s.items()
            if k not in ("type", "command", "exit_status"))))
    print()
    print("  %-11s %12s %12s %10s %11s %10s %8s"
          % ("provider", "req/domain", "re-run", "GetChange", "rate/limit",
             "handshakes", "429s"))
    for p in PROVIDERS:
        c1, c2 = first["counters"][p], again["counters"][p]
        polls = c1["by_endpoint"].get(GETCHANGE, 0)
        r1 = requests(c1, (GETCHANGE,)) / n
        r2 = requests(c2, (GETCHANGE,)) / n
        ratio = achieved(c1) / a.rate
        print("  %-11s %12.3f %12.3f %10s %11.2f %10d %8d"
              % (p, r1, r2, "%.2f/dom" % (polls / n) if p == "route53"
                 else "-", ratio, max(c1["tls_handshakes"],
                                      c2["tls_handshakes"]),
                 c1["rate_limited"] + c2["rate_limited"]))
    print("  targets: first run <= 2.05 and re-run <= 1.05 requests per "
          "domain; rate/limit >= 0.9 with no failed domain; handshakes "
          "<= %d (workers)" % a.jobs)
    for p in PROVIDERS:
        c1, c2 = first["counters"][p], again["counters"][p]
        r1 = requests(c1, (GETCHANGE,)) / n
        r2 = requests(c2, (GETCHANGE,)) / n
        ok_rate = achieved(c1) / a.rate >= 0.9 and \
            "failed" not in first["summary"]
        print("    %-10s requests %s, re-run %s, rate %s, handshakes %s"
              % (p, target(r1 <= 2.05), target(r2 <= 1.05),
                 target(ok_rate),
                 target(max(c1["tls_handshakes"],
                            c2["tls_handshakes"]) <= a.jobs)))
    print("    (GoDaddy with read_back = \"auto\": the confirm stage "
          "compares the served set instead of reading each write back)")
    if gd_default is not None:
        c = gd_default["counters"]["godaddy"]
        print("  godaddy with the default read_back = \"yes\" (%d fresh "
              "domains): %.3f requests per domain (read, PUT, read-back: "
              "GoDaddy has no compare-and-swap)"
              % (a.gd_default, requests(c) / a.gd_default))
    print()
    for label, r in (("first run", first), ("re-run", again)):
        print("  %-10s wall %7.1f s (%.1f ms per domain), CPU %6.2f s "
              "(%.2f ms per domain), peak memory %.1f MB"
              % (label, r["wall"], r["wall"] / total * 1000, r["cpu"],
                 r["cpu"] / total * 1000, r["rss"]))


def report_loops(a, first, loops):
    total = a.domains * len(PROVIDERS)
    wall_d = first["wall"] / total
    cpu_d = first["cpu"] / total
    print()
    print("  the same job today (fresh domains, one at a time, no DNS "
          "confirmation):")
    print("  %-24s %6s %12s %12s %11s %10s"
          % ("", "done", "wall/domain", "CPU/domain", "req/domain",
             "wall ratio"))
    for p, name in (("cloudflare", "curl loop, Cloudflare"),
                    ("godaddy", "curl loop, GoDaddy"),
                    ("route53", "aws route53 loop")):
        lp = loops.get(p)
        if lp is None or lp["n"] == 0:
            continue
        c1 = first["counters"][p]
        mine = requests(c1, (GETCHANGE,) if p == "route53" else ()) / \
            a.domains
        print("  %-24s %3d/%-3d %10.0f ms %10.1f ms %11.2f %9.1fx"
              % (name, lp["done"], lp["n"], lp["wall"] / lp["n"] * 1000,
                 lp["cpu"] / lp["n"] * 1000, lp["requests"] / lp["n"],
                 (lp["wall"] / lp["n"]) / wall_d))
        print("  %-24s %7s %10.0f ms %10.1f ms %11.2f   (CPU ratio %.1fx, "
              "requests ratio %.2fx)"
              % ("  tlsrpt-publish", "", wall_d * 1000, cpu_d * 1000, mine,
                 (lp["cpu"] / lp["n"]) / cpu_d if cpu_d > 0
                 else float("nan"),
                 (lp["requests"] / lp["n"]) / mine))
    print("  (ratios: the loop's figure per domain / tlsrpt-publish's; "
          "tlsrpt-publish's wall and CPU per domain are for the whole "
          "portfolio run, confirmation in DNS included)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--domains", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--rate", type=int, default=40)
    ap.add_argument("--tool-rate", type=float, default=None)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--sync-delay", type=float, default=1.0)
    ap.add_argument("--curl-sample", type=int, default=200)
    ap.add_argument("--aws-sample", type=int, default=30)
    ap.add_argument("--gd-default", type=int, default=200)
    a = ap.parse_args()
    if a.tool_rate is None:
        a.tool_rate = a.rate * 0.975

    main_zones = {p: ["%s%05d.test" % (PREFIX[p], i)
                      for i in range(a.domains)] for p in PROVIDERS}
    extra = {"cloudflare": ["cb%05d.test" % i for i in range(a.curl_sample)],
             "godaddy": ["gb%05d.test" % i for i in range(a.curl_sample)]
             + ["gd%05d.test" % i for i in range(a.gd_default)],
             "route53": ["rb%05d.test" % i for i in range(a.aws_sample)]}
    zones = {p: main_zones[p] + extra[p] for p in PROVIDERS}
    tmp = tempfile.mkdtemp(prefix="bulk-bench-")
    t0 = time.monotonic()
    pf = None
    try:
        ca = TestCA(os.path.join(tmp, "ca"))
        pf = Portfolio(ca, tmp, zones, rate=a.rate, tool_rate=a.tool_rate,
                       latency=a.latency, sync_delay=a.sync_delay,
                       rua=RUA,
                       provider_conf={"godaddy": '  read_back = "auto";\n'})
        pf.start()
        pf.add_conf(pf.domains_conf(zones=[z for p in PROVIDERS
                                           for z in main_zones[p]]))
        print("bulk: set-up (Knot with %d zones, three emulators) %.1f s"
              % (len(pf.all_zones()), time.monotonic() - t0))
        first = publish(a, pf, a.binary, "first")
        again = publish(a, pf, a.binary, "again")
        gd_default = None
        if a.gd_default > 0:
            pf.reset_counters()
            names = ["gd%05d.test" % i for i in range(a.gd_default)]
            rc, _, _, _ = timed(
                [a.binary, "publish", "--provider", "godaddy", "--jobs",
                 str(a.jobs), "--output", "jsonl", "--interval", "1",
                 "--timeout", "300", "--godaddy-read-back", "yes"] + names,
                pf.env(), stdout=subprocess.DEVNULL)
            gd_default = {"counters": counters(pf)}
        report_publish(a, first, again, gd_default)
        loops = {}
        if a.curl_sample > 0:
            loops["cloudflare"] = loop(pf, "cloudflare", CF_LOOP,
                                       extra["cloudflare"])
            loops["godaddy"] = loop(pf, "godaddy", GD_LOOP,
                                    extra["godaddy"][:a.curl_sample])
        if a.aws_sample > 0:
            loops["route53"] = loop(pf, "route53", AWS_LOOP,
                                    extra["route53"])
        report_loops(a, first, loops)
        print("\nbulk: bench done in %.0f s" % (time.monotonic() - t0))
        bad = first["rc"] not in (0, 1, 3) or again["rc"] not in (0, 1, 3)
        return 1 if bad else 0
    finally:
        if pf is not None:
            pf.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
