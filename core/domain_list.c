/*
 * domain_list.c: the domains file (--domains-file FILE, '-' for stdin):
 * one domain per line, '#' starts a comment, blank lines are skipped.
 *
 * Read whole (capped) and parsed from memory, so the parser can be fed
 * any bytes (tests/fuzz/fuzz_domains.c). What could change which name is
 * meant is refused with the line number rather than guessed at: a NUL
 * byte (C strings would cut the name there), two names on one line, an
 * overlong line. The names themselves are checked later by
 * tp_domain_normalize, like names given as arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "uri.h"

#define LIST_MAX       (64L * 1024 * 1024) /* a million domains fit easily */
#define LINE_MAX_BYTES 1024

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* One line (no '\n'): appends its name, if any, to out. */
static int
one_line(struct tp_strv *out, const char *s, size_t n, const char *name,
         size_t line)
{
	const char *e, *hash;
	char q[96];

	if (memchr(s, '\0', n) != NULL)
		return tp_err_set(
		    TP_EUSAGE,
		    "domains file '%s' line %zu holds a NUL byte: "
		    "one domain name per line, as text",
		    name, line);
	/* '#' cannot be part of a domain: the rest is a comment. */
	if ((hash = memchr(s, '#', n)) != NULL)
		n = (size_t)(hash - s);
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n == 0)
		return 0;
	if (n > LINE_MAX_BYTES)
		return tp_err_set(TP_EUSAGE,
		                  "domains file '%s' line %zu: a name of %zu "
		                  "bytes; a domain name has at most 253",
		                  name, line, n);
	for (e = s; e < s + n && !is_space(*e); e++)
		;
	if (e < s + n)
		return tp_err_set(
		    TP_EUSAGE,
		    "domains file '%s' line %zu: '%s' is more "
		    "than one word: give one domain name per line",
		    name, line, tp_uri_quote(q, sizeof(q), s, n));
	return tp_strv_addn(out, s, n);
}

int
tp_domain_list_parse(struct tp_strv *out, const char *text, size_t len,
                     const char *name)
{
	const char *p = text, *end = text + len, *nl;
	size_t line = 0;
	int rc = 0;

	while (rc == 0 && p < end) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		rc = one_line(out, p, (size_t)(nl - p), name, line);
		p = nl + 1;
	}
	return rc;
}

/* The whole of f, at most LIST_MAX bytes. */
static int
slurp(char **out, size_t *len, FILE *f, const char *path)
{
	size_t cap = 0, n = 0, got;
	char *b = NULL, *nb;

	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64 * 1024;
			if ((long)cap > LIST_MAX + 1)
				cap = LIST_MAX + 1;
			if (n == cap) {
				free(b);
				return tp_err_set(TP_EUSAGE,
				                  "domains file '%s' is over "
				                  "64 MiB: split it",
				                  path);
			}
			if ((nb = realloc(b, cap)) == NULL) {
				free(b);
				return tp_err_set(
				    TP_EINTERNAL,
				    "domains file: out of memory");
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno; /* a directory: EISDIR */

		free(b);
		return tp_err_set(
		    TP_EUSAGE,
		    "domains file '%s': cannot read it (%s): give "
		    "a text file, one domain a line",
		    path, strerror(e));
	}
	*out = b;
	*len = n;
	return 0;
}

int
tp_domain_list_read(struct tp_strv *out, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc, std;

	std = strcmp(path, "-") == 0;
	f = std ? stdin : fopen(path, "r");
	if (f == NULL)
		return tp_err_set(TP_EUSAGE,
		                  "domains file '%s' cannot be read: %s", path,
		                  strerror(errno));
	rc = slurp(&text, &len, f, std ? "-" : path);
	if (!std)
		fclose(f);
	if (rc == 0)
		rc = tp_domain_list_parse(out, text != NULL ? text : "", len,
		                          std ? "-" : path);
	free(text);
	return rc;
}
