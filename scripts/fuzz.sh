#!/bin/sh
# fuzz.sh SECONDS FUZZ_SRC...: build each libFuzzer target with clang
# (ASan + UBSan) against the project's core and provider sources and run
# it for SECONDS, starting from its seed corpus tests/fuzz/corpus/NAME/
# (and the dictionary tests/fuzz/NAME.dict when there is one). The
# objects are built once into build-fuzz/obj and reused while their
# sources and headers are unchanged; what a run finds is kept in
# build-fuzz/corpus-NAME for the next one.
#
# Prints "fuzz: ok NAME execs=N cov=C ft=F corpus=K seconds=S" per target;
# exits non-zero on any finding (its input is in build-fuzz/NAME-*).
# Environment: FUZZ_LOG_DIR (keep each target's log there too).
set -u
secs=$1
shift
B=build-fuzz
O=$B/obj
mkdir -p "$B" "$O"
PKGS="libcurl libcjson libconfig libcares openssl libxml-2.0 libidn2"
CF="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -g -O1 \
 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
 $(pkg-config --cflags $PKGS)"
LF="-fsanitize=fuzzer,address,undefined"
LIBS="$(pkg-config --libs $PKGS) -lresolv -lpthread -lm"
srcs=$(ls core/*.c providers/*.c providers/*/*.c 2>/dev/null)
headers=$(ls include/tlsrpt/*.h core/*.h providers/*.h providers/*/*.h \
    2>/dev/null)

# An object is stale when its source or any header is newer.
newest=$(ls -t $headers scripts/fuzz.sh | head -n 1)
stale=""
objs=""
for s in $srcs; do
	o="$O/$(echo "$s" | tr / _).o"
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$newest" -nt "$o" ]; then
		stale="$stale $s"
	fi
done
if [ -n "$stale" ]; then
	# shellcheck disable=SC2086
	printf '%s\n' $stale | xargs -P 2 -I{} sh -c \
	    'o="$1/$(echo "$2" | tr / _).o"; clang $3 -c -o "$o" "$2" || { rm -f "$o"; exit 1; }' \
	    sh "$O" {} "$CF" || { echo "fuzz: FAIL building the sources"; exit 1; }
fi

# Leaks inside Debian's libraries, each explained in the file.
LSAN_OPTIONS="suppressions=$(pwd)/tests/supp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

rc=0
for f in "$@"; do
	name=$(basename "$f" .c)
	short=${name#fuzz_}
	# shellcheck disable=SC2086
	clang $CF $LF -Wall -Wextra -Werror -o "$B/$name" "$f" $objs $LIBS || {
		echo "fuzz: FAIL $name (does not build)"
		rc=1
		continue
	}
	work="$B/corpus-$name"
	mkdir -p "$work"
	seeds="tests/fuzz/corpus/$short"
	[ -d "$seeds" ] || seeds=""
	dict=""
	[ -f "tests/fuzz/$short.dict" ] && dict="-dict=tests/fuzz/$short.dict"
	out="$B/$name.log"
	# shellcheck disable=SC2086
	if "$B/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 $dict \
	    -artifact_prefix="$B/$name-" "$work" $seeds >"$out" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" |
		    awk '{s+=$1} END {print s+0}')
		last=$(grep -E '^#[0-9]+.*cov: ' "$out" | tail -n 1)
		cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
		ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
		corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
		echo "fuzz: ok $name execs=$execs cov=${cov:-?} ft=${ft:-?}" \
		    "corpus=${corp:-?} seconds=$secs"
	else
		tail -n 60 "$out"
		echo "fuzz: FAIL $name (artifacts in $B/)"
		rc=1
	fi
	[ -n "${FUZZ_LOG_DIR:-}" ] && cp "$out" "$FUZZ_LOG_DIR/$name.log"
done
exit $rc
