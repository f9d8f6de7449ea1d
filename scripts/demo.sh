#!/bin/sh
# demo.sh [PROVIDER]: the `make demo` walk-through. For now it shows the
# record core offline: generate a record, print it as a zone-file line and
# as JSON, and validate it and a few broken ones. PROVIDER is accepted and
# ignored until the first provider lands (then this becomes the sandbox
# publish-and-confirm flow).
set -u
BIN=${TLSRPT_PUBLISH_BIN:-./tlsrpt-publish}
[ -x "$BIN" ] || { echo "demo: build first: make" >&2; exit 1; }

step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

step "Generate the record (an IDN mail domain becomes its A-label)" \
    "tlsrpt-publish generate --rua mailto:tls-reports@bücher.example --rua https://tlsrpt.example.net/v1"
"$BIN" generate --rua 'mailto:tls-reports@bücher.example' \
    --rua https://tlsrpt.example.net/v1 || exit 1

step "As a zone-file line" \
    "tlsrpt-publish generate --rua mailto:tls-reports@example.com --domain example.com --output zone"
"$BIN" generate --rua mailto:tls-reports@example.com --domain example.com \
    --output zone || exit 1

step "As JSON" \
    "tlsrpt-publish generate --rua mailto:tls-reports@example.com --domain example.com --output json"
"$BIN" generate --rua mailto:tls-reports@example.com --domain example.com \
    --output json || exit 1

rec=$("$BIN" generate --rua mailto:tls-reports@example.com) || exit 1
step "Validate what was generated" "tlsrpt-publish validate '$rec'"
"$BIN" validate "$rec" || exit 1

for bad in 'v=TLSRPTv1 ; RUA=mailto:tls@example.com' \
    'v=TLSRPTv1; rua=tls@example.com, mailto:b@example.com!10m'; do
	step "Validate a broken record (exit status 1 expected)" \
	    "tlsrpt-publish validate '$bad'"
	"$BIN" validate "$bad"
	rc=$?
	[ $rc -eq 1 ] || { echo "demo: expected exit status 1, got $rc" >&2; exit 1; }
done

step "The same check in JSON, pasted from dig (--presentation)" \
    "tlsrpt-publish validate --presentation --output json '\"v=TLSRPTv1; \" \"rua=mailto:a@example.com\"'"
"$BIN" validate --presentation --output json \
    '"v=TLSRPTv1; " "rua=mailto:a@example.com"' || exit 1
echo
echo "demo: done (providers and the DNS sandbox come with the next issues)"
