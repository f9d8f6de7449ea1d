#!/bin/sh
# fuzz.sh SECONDS FUZZ_SRC...: build each libFuzzer target with clang
# (ASan + UBSan) against the project's sources and run it for SECONDS,
# starting from its seed corpus tests/fuzz/corpus/NAME/. Prints
# "fuzz: ok NAME execs=N" per target; exits non-zero on any finding.
set -u
secs=$1
shift
B=build-fuzz
mkdir -p "$B"
CF="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -g -O1 \
 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 $(pkg-config --cflags libcurl libcjson libconfig libcares openssl libxml-2.0 libidn2)"
LIBS="$(pkg-config --libs libcurl libcjson libconfig libcares openssl libxml-2.0 libidn2) -lresolv -lpthread -lm"
srcs=$(ls core/*.c providers/*.c providers/*/*.c 2>/dev/null)
rc=0
for f in "$@"; do
	name=$(basename "$f" .c)
	# shellcheck disable=SC2086
	clang $CF -o "$B/$name" "$f" $srcs $LIBS || { rc=1; continue; }
	work="$B/corpus-$name"
	mkdir -p "$work"
	seeds="tests/fuzz/corpus/${name#fuzz_}"
	[ -d "$seeds" ] || seeds=""
	out="$B/$name.log"
	# shellcheck disable=SC2086
	if "$B/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$B/$name-" "$work" $seeds >"$out" 2>&1; then
		execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$out")
		echo "fuzz: ok $name execs=${execs:-?} seconds=$secs"
	else
		tail -n 60 "$out"
		echo "fuzz: FAIL $name (artifacts in $B/)"
		rc=1
	fi
done
exit $rc
