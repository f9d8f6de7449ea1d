#!/bin/sh
# demo.sh [PROVIDER]: the real publish-and-confirm flow against the local
# sandbox: the provider's API emulator (HTTPS, a test CA made now) whose
# writes reach a Knot DNS server on loopback. `make demo` runs it after
# installing what is missing and building.
#
# It writes a config file for the sandbox (API URL, CA, name server) where
# a user's would be, so every command shown is exactly what a user types.
# Everything it starts is stopped when it ends, however it ends.
set -eu
PROVIDER=${1:-cloudflare}
PYTHON=${PYTHON:-/usr/bin/python3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUA=mailto:tls-reports@example.test
NEW_RUA=mailto:tlsrpt@reports.example.test
DOMAIN=example.test

[ -x "$ROOT/tlsrpt-publish" ] || { echo "demo: build first: make" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tlsrpt-demo.XXXXXX")
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*"; }
# Show a command, run it, and check its exit status.
run() {
	want=$1
	shift
	printf '\n$ %s\n' "$*"
	set +e
	"$@"
	rc=$?
	set -e
	if [ "$rc" -ne "$want" ]; then
		echo "demo: exit status $rc, expected $want" >&2
		exit 1
	fi
}
writes() { # API write requests so far
	"$PYTHON" - "$work/sandbox.json" <<'PY'
import json, sys, urllib.request
info = json.load(open(sys.argv[1]))
c = json.load(urllib.request.urlopen(info["control_url"] + "/counters"))
print(c["writes"])
PY
}

say "Starting the $PROVIDER sandbox (API emulator + Knot DNS on 127.0.0.1)"
"$PYTHON" "$ROOT/tests/harness/sandbox.py" "$PROVIDER" "$work" \
    >"$work/sandbox.out" 2>"$work/sandbox.err" &
pid=$!
i=0
until grep -q ready "$work/sandbox.out" 2>/dev/null; do
	if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 300 ]; then
		echo "demo: the sandbox did not start:" >&2
		tail -n 30 "$work/sandbox.err" >&2
		exit 1
	fi
	i=$((i + 1))
	sleep 0.1
done

# Credentials as a user exports them; the sandbox config where a user's
# config file lives.
eval "$("$PYTHON" - "$work/sandbox.json" <<'PY'
import json, shlex, sys
info = json.load(open(sys.argv[1]))
for k in info.get("unset", []):
    print("unset %s" % k)
for k, v in info["env"].items():
    print("export %s=%s" % (k, shlex.quote(v)))
PY
)"
export XDG_CONFIG_HOME="$work/config-home"
unset TLSRPT_PUBLISH_CONFIG CURL_CA_BUNDLE 2>/dev/null || true
mkdir -p "$XDG_CONFIG_HOME/tlsrpt-publish"
"$PYTHON" -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["config"])' \
    "$work/sandbox.json" >"$XDG_CONFIG_HOME/tlsrpt-publish/config"
chmod 600 "$XDG_CONFIG_HOME/tlsrpt-publish/config"
PATH="$ROOT:$PATH"
export PATH

say "Sandbox config (~/.config/tlsrpt-publish/config for a real user):"
cat "$XDG_CONFIG_HOME/tlsrpt-publish/config"
echo "(the sandbox's credentials are in the environment, as a user's would be)"

say "1. Publish the record: created through the API, then confirmed at the name server"
run 0 tlsrpt-publish --provider "$PROVIDER" --rua "$RUA" "$DOMAIN"

say "2. Plan a change of destination: shows before -> after, writes nothing"
before=$(writes)
run 0 tlsrpt-publish plan --provider "$PROVIDER" --rua "$NEW_RUA" "$DOMAIN"
[ "$(writes)" = "$before" ] || { echo "demo: plan wrote something" >&2; exit 1; }

say "3. Publish the same record again: unchanged, no write request"
run 0 tlsrpt-publish --provider "$PROVIDER" --rua "$RUA" "$DOMAIN"
[ "$(writes)" = "$before" ] || { echo "demo: an unchanged run wrote" >&2; exit 1; }
echo "(API write requests during steps 2 and 3: 0)"

say "4. Check what DNS serves (the name server comes from the config file)"
run 0 tlsrpt-publish check "$DOMAIN"

say "Done: stopping the sandbox"
