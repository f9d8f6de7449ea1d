#!/bin/sh
# run-tests.sh UNIT_BIN...: run the cmocka unit tests, the end-to-end tests
# (pytest, against the built binary, Knot DNS and the provider emulators)
# and the fuzz smoke, then print one closing line "N passed, N failed".
#
# Environment: BUILD (build dir), PYTHON (Debian's python3), SANITIZE=1,
# MEMCHECK=1 (unit tests and the binary under valgrind: every run's log in
# $BUILD/memcheck, summed up at the end), E2E=0 to skip the end-to-end
# tests, PYTEST_ARGS (e.g. "-k faults"), FUZZ_SMOKE_SECONDS.
set -u
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
passed=0
failed=0
failures=""

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$(pwd)/tests/supp/lsan.supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

count() { # $1 = log file; adds cmocka's or pytest's counts
	p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
	if [ "${MEMCHECK:-0}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect \
		    --suppressions=tests/supp/valgrind.supp "$t" >"$log" 2>&1
	else
		"$t" >"$log" 2>&1
	fi
	rc=$?
	count "$log"
	if [ $rc -ne 0 ]; then
		cat "$log"
		grep -q 'FAILED  \]' "$log" || failed=$((failed + 1))
		failures="$failures $(basename "$t")"
	fi
done
echo "unit: $passed passed, $failed failed"

if [ "${MEMCHECK:-0}" = 1 ]; then
	# Every run of the binary under Valgrind leaves a log here
	# (tests/harness/memcheck.py); summed up below.
	MEMCHECK_LOG_DIR="$(pwd)/$BUILD/memcheck"
	rm -rf "$MEMCHECK_LOG_DIR"
	mkdir -p "$MEMCHECK_LOG_DIR"
	export MEMCHECK MEMCHECK_LOG_DIR
fi

if [ "${E2E:-1}" = 1 ] && ls tests/e2e/test_*.py >/dev/null 2>&1; then
	TLSRPT_PUBLISH_BIN="$(pwd)/$BUILD/tlsrpt-publish" \
	    "$PYTHON" -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-} \
	    tests/e2e >"$log" 2>&1
	rc=$?
	tail -n 40 "$log"
	last=$(grep -E '[0-9]+ (passed|failed|error)' "$log" | tail -1)
	p=$(echo "$last" | sed -n 's/.* \([0-9]*\) passed.*/\1/p;s/^\([0-9]*\) passed.*/\1/p' | head -1)
	f=$(echo "$last" | grep -oE '[0-9]+ (failed|errors?)' | awk '{s+=$1} END {print s+0}')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ]; then
		[ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
		failures="$failures e2e"
	fi
fi

if [ "${MEMCHECK:-0}" = 1 ] && [ -d "${MEMCHECK_LOG_DIR:-}" ]; then
	runs=$(find "$MEMCHECK_LOG_DIR" -name 'vg.*.log' | wc -l)
	bad=$(grep -l . "$MEMCHECK_LOG_DIR"/vg.*.log 2>/dev/null | wc -l)
	echo "memcheck: $runs runs of the binary under valgrind, $bad with errors or leaks"
	if [ "$bad" -gt 0 ]; then
		for f in $(grep -l . "$MEMCHECK_LOG_DIR"/vg.*.log | head -n 5); do
			echo "--- $f"
			head -n 40 "$f"
		done
		failed=$((failed + 1))
		failures="$failures memcheck"
	fi
fi

if [ "${SANITIZE:-0}" != 1 ] && [ "${MEMCHECK:-0}" != 1 ] &&
    ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
	if scripts/fuzz.sh "${FUZZ_SMOKE_SECONDS:-10}" tests/fuzz/fuzz_*.c >"$log" 2>&1; then
		n=$(grep -c '^fuzz: ok' "$log")
		passed=$((passed + n))
		grep '^fuzz:' "$log"
	else
		cat "$log"
		failed=$((failed + 1))
		failures="$failures fuzz"
	fi
fi

[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
