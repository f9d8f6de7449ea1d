#!/bin/sh
# bench/watch.sh: the propagation watcher on 10,000 domains served by two
# local Knot servers, records appearing in waves (tests/bench/
# watch_bench.py drives tests/bench/watch_bench.c, the watcher as the
# publish stage uses it). Then the same run with the second server
# dropped halfway, silently (no answers: timeouts) .
#
# Environment: WATCH_DOMAINS (10000), WATCH_WAVES (5), WATCH_GAP seconds
# between waves (3), WATCH_INTERVAL (2), WATCH_MAX_INTERVAL (4),
# WATCH_DROP=0 to skip the dropped-server run.
set -eu
PYTHON="${PYTHON:-/usr/bin/python3}"
BUILD="${BUILD:-build}"
driver="$BUILD/bench/watch_bench"
make --no-print-directory "$driver" >/dev/null

args="--domains ${WATCH_DOMAINS:-10000} --waves ${WATCH_WAVES:-5}
--gap ${WATCH_GAP:-3} --interval ${WATCH_INTERVAL:-2}
--max-interval ${WATCH_MAX_INTERVAL:-4}"
# shellcheck disable=SC2086
"$PYTHON" tests/bench/watch_bench.py "$driver" $args
if [ "${WATCH_DROP:-1}" != 0 ]; then
	echo
	# shellcheck disable=SC2086
	"$PYTHON" tests/bench/watch_bench.py "$driver" $args \
	    --drop silent --timeout 30
fi
