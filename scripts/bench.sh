#!/bin/sh
# bench.sh [SECTION...]: `make bench`. Runs every section script
# scripts/bench/*.sh (or only the named ones: "watch" runs
# scripts/bench/watch.sh), each printing its own figures. A section is one
# file: add yours there, no edit here needed.
#
# Environment: PYTHON (Debian's python3), BUILD (build dir), and whatever
# each section documents. Not part of `make check`: figures, not tests.
set -u
cd "$(dirname "$0")/.."
export PYTHON="${PYTHON:-/usr/bin/python3}"
export BUILD="${BUILD:-build}"

if [ $# -gt 0 ]; then
	sections=""
	for s in "$@"; do
		sections="$sections scripts/bench/$s.sh"
	done
else
	sections=$(ls scripts/bench/*.sh 2>/dev/null)
fi
[ -n "$sections" ] || { echo "bench: no section in scripts/bench/"; exit 0; }

rc=0
for s in $sections; do
	if [ ! -f "$s" ]; then
		echo "bench: no section '$s'" >&2
		rc=2
		continue
	fi
	echo "== bench: $(basename "$s" .sh)"
	if ! sh "$s"; then
		echo "bench: section $(basename "$s" .sh) failed" >&2
		rc=1
	fi
	echo
done
exit $rc
