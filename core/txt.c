/*
 * txt.c: TXT values as character-strings (RFC 1035 §3.3.14), and their
 * zone-file presentation form (RFC 1035 §5.1: "..." with \X and \DDD),
 * and a value as displayable UTF-8 text.
 *
 * A value is split only on length: RFC 8460 §3 concatenates the strings
 * with nothing added, so a split is never a separator and may fall inside
 * any token; adding a space at a split would change the record.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/txt.h"

/* A TXT RDATA is at most 65535 octets; its presentation at most 4x. */
#define TXT_VALUE_MAX 65535
#define PRES_MAX      (4 * TXT_VALUE_MAX + 1024)

static int
txtset_grow(struct tp_txtset *set)
{
	struct tp_txt *nv;
	size_t na;

	if (set->n < set->alloc)
		return 0;
	na = set->alloc ? set->alloc * 2 : 4;
	nv = realloc(set->v, na * sizeof(*nv));
	if (nv == NULL)
		return tp_err_set(TP_EINTERNAL, "txt: out of memory");
	set->v = nv;
	set->alloc = na;
	return 0;
}

int
tp_txtset_add(struct tp_txtset *set, const char *data, size_t len)
{
	struct tp_txt *t;
	int rc;

	if ((rc = txtset_grow(set)) != 0)
		return rc;
	t = &set->v[set->n];
	memset(t, 0, sizeof(*t));
	t->data = malloc(len + 1);
	if (t->data == NULL)
		return tp_err_set(TP_EINTERNAL, "txt: out of memory");
	if (len > 0)
		memcpy(t->data, data, len);
	t->data[len] = '\0';
	t->len = len;
	set->n++;
	return 0;
}

int
tp_txtset_add_strings(struct tp_txtset *set, const char *const *strs,
                      const size_t *lens, size_t n)
{
	struct tp_txt *t;
	size_t i, total = 0;
	int rc;

	for (i = 0; i < n; i++)
		total += lens[i];
	if ((rc = tp_txtset_add(set, "", 0)) != 0)
		return rc;
	t = &set->v[set->n - 1];
	free(t->data);
	t->data = malloc(total + 1);
	t->strlens = malloc((n ? n : 1) * sizeof(*t->strlens));
	if (t->data == NULL || t->strlens == NULL) {
		tp_txt_release(t);
		set->n--;
		return tp_err_set(TP_EINTERNAL, "txt: out of memory");
	}
	for (i = 0, total = 0; i < n; i++) {
		if (lens[i] > 0)
			memcpy(t->data + total, strs[i], lens[i]);
		total += lens[i];
		t->strlens[i] = lens[i];
	}
	t->data[total] = '\0';
	t->len = total;
	t->nstrings = n;
	return 0;
}

void
tp_txt_release(struct tp_txt *t)
{
	if (t == NULL)
		return;
	free(t->data);
	free(t->strlens);
	memset(t, 0, sizeof(*t));
}

void
tp_txtset_release(struct tp_txtset *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tp_txt_release(&set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
	set->alloc = 0;
}

int
tp_txt_split(struct tp_strv *out, const char *data, size_t len)
{
	size_t off = 0, n;
	int rc;

	do {
		n = len - off > TP_TXT_STRING_MAX ? TP_TXT_STRING_MAX
		                                  : len - off;
		if ((rc = tp_strv_addn(out, data + off, n)) != 0)
			return rc;
		off += n;
	} while (off < len);
	return 0;
}

/* One character-string in double quotes. */
static void
quote_string(struct tp_buf *b, const unsigned char *p, size_t n)
{
	size_t i;

	tp_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\') {
			tp_buf_addc(b, '\\');
			tp_buf_addc(b, (char)p[i]);
		} else if (p[i] < 0x20 || p[i] > 0x7e)
			tp_buf_addf(b, "\\%03u", p[i]);
		else
			tp_buf_addc(b, (char)p[i]);
	}
	tp_buf_addc(b, '"');
}

int
tp_txt_to_presentation(char **out, const char *data, size_t len)
{
	struct tp_buf b = TP_BUF_INIT(PRES_MAX);
	size_t off = 0, n;

	*out = NULL;
	if (len > TXT_VALUE_MAX)
		return tp_err_set(
		    TP_EUSAGE,
		    "txt: value of %zu octets is longer than a TXT "
		    "record can hold (65535)",
		    len);
	do {
		n = len - off > TP_TXT_STRING_MAX ? TP_TXT_STRING_MAX
		                                  : len - off;
		if (off > 0)
			tp_buf_addc(&b, ' ');
		quote_string(&b, (const unsigned char *)data + off, n);
		off += n;
	} while (off < len);
	if (b.err != 0) {
		tp_buf_release(&b);
		return tp_err_set(TP_EINTERNAL, "txt: out of memory");
	}
	*out = tp_buf_detach(&b);
	return *out == NULL ? tp_err_set(TP_EINTERNAL, "txt: out of memory")
	                    : 0;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* \X or \DDD at s[i] (s[i] == '\\'); stores the octet, returns the bytes
 * used, or 0 when malformed. */
static size_t
unescape(const char *s, size_t len, size_t i, unsigned char *octet)
{
	unsigned v;

	if (i + 1 >= len)
		return 0;
	if (s[i + 1] < '0' || s[i + 1] > '9') {
		*octet = (unsigned char)s[i + 1];
		return 2;
	}
	if (i + 3 >= len || s[i + 2] < '0' || s[i + 2] > '9' ||
	    s[i + 3] < '0' || s[i + 3] > '9')
		return 0;
	v = (unsigned)(s[i + 1] - '0') * 100 + (unsigned)(s[i + 2] - '0') * 10 +
	    (unsigned)(s[i + 3] - '0');
	if (v > 255)
		return 0;
	*octet = (unsigned char)v;
	return 4;
}

/* One string at s[*i]: quoted, or a bare word. Appends its octets. */
static int
one_string(struct tp_buf *b, size_t *slen, const char *s, size_t len, size_t *i)
{
	size_t start = *i, used;
	int quoted = s[*i] == '"';
	unsigned char o;

	*slen = 0;
	if (quoted)
		(*i)++;
	for (;;) {
		if (*i == len) {
			if (quoted)
				return tp_err_set(
				    TP_EUSAGE,
				    "txt: the string opened at offset "
				    "%zu has no closing '\"'",
				    start);
			return 0;
		}
		if (quoted && s[*i] == '"') {
			(*i)++;
			return 0;
		}
		if (!quoted && (is_ws(s[*i]) || s[*i] == '"'))
			return 0;
		o = (unsigned char)s[*i];
		used = 1;
		if (s[*i] == '\\' && (used = unescape(s, len, *i, &o)) == 0)
			return tp_err_set(
			    TP_EUSAGE,
			    "txt: bad escape at offset %zu: write "
			    "\\X for a character or \\DDD (000-255) "
			    "for an octet",
			    *i);
		if (*slen == TP_TXT_STRING_MAX)
			return tp_err_set(
			    TP_EUSAGE,
			    "txt: the string at offset %zu is longer "
			    "than 255 octets; split it into several "
			    "quoted strings",
			    start);
		tp_buf_addc(b, (char)o);
		(*slen)++;
		*i += used;
	}
}

int
tp_txt_from_presentation(struct tp_txt *out, const char *s, size_t len)
{
	struct tp_buf b = TP_BUF_INIT(TXT_VALUE_MAX);
	size_t i = 0, n = 0, alloc = 0, slen, *lens = NULL, *nl;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		while (i < len && is_ws(s[i]))
			i++;
		if (i == len)
			break;
		if ((rc = one_string(&b, &slen, s, len, &i)) != 0)
			goto out;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			nl = realloc(lens, alloc * sizeof(*lens));
			if (nl == NULL) {
				rc = tp_err_set(TP_EINTERNAL,
				                "txt: out of memory");
				goto out;
			}
			lens = nl;
		}
		lens[n++] = slen;
		if (b.err != 0 || b.len + n > TXT_VALUE_MAX) {
			rc = tp_err_set(TP_EUSAGE,
			                "txt: the value is longer than a TXT "
			                "record can hold (65535 octets)");
			goto out;
		}
	}
	if (n == 0) {
		rc = tp_err_set(TP_EUSAGE,
		                "txt: no character-string in the "
		                "input; write \"...\"");
		goto out;
	}
	out->len = b.len;
	out->data = tp_buf_detach(&b);
	if (out->data == NULL) {
		rc = tp_err_set(TP_EINTERNAL, "txt: out of memory");
		goto out;
	}
	out->strlens = lens;
	out->nstrings = n;
	lens = NULL;
out:
	tp_buf_release(&b);
	free(lens);
	return rc;
}

/* Length of the valid UTF-8 sequence at s[i], or 0 (RFC 3629 table). */
static size_t
utf8_len(const unsigned char *s, size_t len, size_t i)
{
	unsigned char c = s[i], lo = 0x80, hi = 0xbf;
	size_t n, k;

	if (c >= 0x01 && c <= 0x7f)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (i + n > len || s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	for (k = 2; k < n; k++)
		if (s[i + k] < 0x80 || s[i + k] > 0xbf)
			return 0;
	return n;
}

char *
tp_txt_display(const char *rec, size_t len)
{
	struct tp_buf b = TP_BUF_INIT(4 * len + 16);
	const unsigned char *s = (const unsigned char *)rec;
	size_t i = 0, n;

	while (i < len) {
		n = utf8_len(s, len, i);
		if (n == 0) {
			tp_buf_adds(&b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		tp_buf_add(&b, rec + i, n);
		i += n;
	}
	return tp_buf_detach(&b);
}
