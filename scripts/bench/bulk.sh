#!/bin/sh
# bench/bulk.sh: a bulk rollout across Cloudflare, GoDaddy and Route 53
# (their emulators, with latency and scaled-up rate limits enforced with
# 429), then the converged re-run, then the same job as a shell loop of
# curl calls and of Debian's `aws route53` CLI (tests/bench/bulk_bench.py
# drives it and prints the figures; see its docstring). About 5 minutes
# with the defaults.
#
# Environment: BULK_DOMAINS per provider (1000), BULK_LATENCY seconds per
# request (0.05), BULK_RATE requests/s each emulator allows (40),
# BULK_TOOL_RATE the tool's configured rate (97.5 % of BULK_RATE),
# BULK_JOBS workers (16), BULK_SYNC_DELAY Route 53's PENDING time (1),
# BULK_CURL_SAMPLE domains per curl loop (200), BULK_AWS_SAMPLE domains of
# the aws CLI loop (30), BULK_GD_DEFAULT GoDaddy domains published with
# the default read_back (200); 0 skips a part.
set -eu
PYTHON="${PYTHON:-/usr/bin/python3}"
BUILD="${BUILD:-build}"
binary="$BUILD/tlsrpt-publish"
[ -x "$binary" ] || make --no-print-directory "$binary" >/dev/null

set -- --domains "${BULK_DOMAINS:-1000}" --latency "${BULK_LATENCY:-0.05}" \
    --rate "${BULK_RATE:-40}" --jobs "${BULK_JOBS:-16}" \
    --sync-delay "${BULK_SYNC_DELAY:-1}" \
    --curl-sample "${BULK_CURL_SAMPLE:-200}" \
    --aws-sample "${BULK_AWS_SAMPLE:-30}" \
    --gd-default "${BULK_GD_DEFAULT:-200}"
if [ -n "${BULK_TOOL_RATE:-}" ]; then
	set -- "$@" --tool-rate "$BULK_TOOL_RATE"
fi
exec "$PYTHON" tests/bench/bulk_bench.py "$binary" "$@"
