#!/bin/sh
# install-deps.sh: install every Debian package that building, testing and
# the demo need. Idempotent, and silent when nothing is missing, so the
# Makefile can call it before every `make check` and `make demo`.
#
# Usage: scripts/install-deps.sh [--print]   (--print lists what is missing)
set -eu

# Build: compiler, pkg-config and the -dev packages the Makefile asks
# pkg-config about. Test: cmocka, a real authoritative DNS server (Knot),
# Debian's python3 with botocore (SigV4 verification in the Route 53
# emulator), dnspython (RFC 2136 updates) and pytest, openssl (the test CA),
# clang (libFuzzer), awscli (reads back what Route 53 writes), curl (the
# benchmark's baseline), clang-format (make lint), valgrind (make memcheck).
PKGS="gcc make pkg-config libc6-dev
libcurl4-openssl-dev libcjson-dev libconfig-dev libc-ares-dev libssl-dev
libxml2-dev libidn2-dev libcmocka-dev
knot knot-dnsutils python3 python3-botocore python3-dnspython python3-pytest
openssl ca-certificates clang libclang-rt-14-dev awscli curl clang-format
valgrind"

# Optional, from the npm registry: Prism checks the Cloudflare emulator
# against Cloudflare's published OpenAPI (tests/e2e/*contract*). Installed
# into tests/node_modules (ignored by git) when npm is there; the contract
# tests skip, saying why, when it is not.
PRISM="@stoplight/prism-cli@5.14.2"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
install_prism() {
	command -v npm >/dev/null 2>&1 || return 0
	[ -x "$ROOT/tests/node_modules/.bin/prism" ] && return 0
	echo "install-deps: installing $PRISM into tests/node_modules" >&2
	npm install --prefix "$ROOT/tests" --no-save --no-audit --no-fund \
	    --fetch-retries=1 --fetch-timeout=30000 \
	    --loglevel=error "$PRISM" >/dev/null 2>&1 ||
	    echo "install-deps: npm could not install $PRISM (contract tests will skip)" >&2
}

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ "${1:-}" = "--print" ]; then
	echo "${missing# }"
	exit 0
fi
if [ -z "$missing" ]; then
	install_prism
	exit 0
fi

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: not root and no sudo; as root run:" >&2
		echo "  apt-get install -y$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The knot package enables a system service; the tests start their own
# servers on loopback and never need it.
if command -v systemctl >/dev/null 2>&1; then
	$SUDO systemctl disable --now knot >/dev/null 2>&1 || true
fi
install_prism
echo "install-deps: done" >&2
