#!/bin/sh
# lint.sh: the project's own rules (STYLE.md 5 and 6) plus clang-format.
# Exits non-zero with one line per finding.
set -u
rc=0
say() { echo "lint: $*"; rc=1; }

files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find cmd core providers include tests -name '*.[ch]')

# Rule 5: banned functions (unbounded or error-blind).
banned='(^|[^_[:alnum:]])(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|atoll|gets)[[:space:]]*\('
for f in $files; do
	grep -nE "$banned" "$f" | grep -v '/\*.*lint-ok' |
	    while IFS= read -r line; do
		echo "lint: $f:$line: banned function"
	    done
done | grep . && rc=1

# Rule 6: one library per file at the edges.
only() { # $1 = include pattern, $2 = the one file allowed
	for f in $(grep -lE "#include[[:space:]]*<$1" $files 2>/dev/null); do
		case "$f" in
		$2|tests/*) ;;
		*) say "$f includes <$1...> (only $2 may)" ;;
		esac
	done
}
only 'curl/' 'core/http.c'
only 'ares' 'core/dns.c'
only 'libconfig.h' 'core/conf.c'
for f in $(echo "$files" | grep '^cmd/'); do
	grep -nE '#include[[:space:]]*<(curl/|cjson/|libconfig|ares|openssl/|libxml/|idn2|expat)' "$f" |
	    while IFS= read -r line; do
		echo "lint: $f:$line: cmd/ uses only include/tlsrpt/ headers"
	    done
done | grep . && rc=1

# Formatting.
if command -v clang-format >/dev/null 2>&1; then
	for f in $files; do
		case "$f" in tests/fuzz/corpus/*) continue ;; esac
		if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
			say "$f is not clang-formatted (run: clang-format -i $f)"
		fi
	done
else
	say "clang-format not installed (scripts/install-deps.sh installs it)"
fi
[ $rc -eq 0 ] && echo "lint: ok"
exit $rc
