/*
 * r53txt.c: TXT values and DNS names in Route 53's wire form (see r53.h;
 * shared/reference/providers.md §2.4, §2.6).
 *
 * Route 53 is not RFC 1035 presentation form: its escapes are octal
 * ("\344" is 0xE4), so the project's \DDD (decimal) helpers cannot be
 * reused here. It refuses a value that is not in quotes, a string over
 * 255 bytes, and strings glued together without a space ("a""b").
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"

#include "r53.h"

#define STRING_MAX 255
#define WIRE_MAX   (64 * 1024)

static int
is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* "\ooo" at p (p[0] is the backslash): the byte in *out, 1; else 0. */
static int
octal_escape(const char *p, unsigned char *out)
{
	unsigned int v;

	if (!is_octal(p[1]) || !is_octal(p[2]) || !is_octal(p[3]))
		return 0;
	v = (unsigned int)(p[1] - '0') * 64 + (unsigned int)(p[2] - '0') * 8 +
	    (unsigned int)(p[3] - '0');
	if (v > 0xff)
		return 0;
	*out = (unsigned char)v;
	return 1;
}

static void
add_escaped(struct tp_buf *b, unsigned char c)
{
	if (c == '"' || c == '\\') {
		tp_buf_addc(b, '\\');
		tp_buf_addc(b, (char)c);
	} else if (c < 0x20 || c >= 0x7f) {
		tp_buf_addc(b, '\\');
		tp_buf_addc(b, (char)('0' + (c >> 6)));
		tp_buf_addc(b, (char)('0' + ((c >> 3) & 7)));
		tp_buf_addc(b, (char)('0' + (c & 7)));
	} else {
		tp_buf_addc(b, (char)c);
	}
}

int
tp_r53_txt_encode(char **out, const char *value, size_t len)
{
	struct tp_buf b = TP_BUF_INIT(WIRE_MAX);
	size_t i;

	*out = NULL;
	tp_buf_addc(&b, '"');
	for (i = 0; i < len; i++) {
		/* A new string every 255 bytes: cut on length only, so the
		 * split adds nothing to the value. */
		if (i > 0 && i % STRING_MAX == 0)
			tp_buf_adds(&b, "\" \"");
		add_escaped(&b, (unsigned char)value[i]);
	}
	tp_buf_addc(&b, '"');
	if (b.err) {
		tp_buf_release(&b);
		return tp_err_set(TP_EUSAGE,
		                  "route53: a TXT value of %zu bytes is too "
		                  "long to write",
		                  len);
	}
	*out = tp_buf_detach(&b);
	return *out ? 0 : tp_err_set(TP_EINTERNAL, "route53: out of memory");
}

/* One quoted string starting after its opening quote at *p. */
static int
quoted(struct tp_buf *b, const char **p)
{
	const char *s = *p;
	unsigned char c;

	for (;;) {
		if (*s == '\0')
			return -1;
		if (*s == '"')
			break;
		if (*s == '\\' && octal_escape(s, &c)) {
			tp_buf_addc(b, (char)c);
			s += 4;
		} else if (*s == '\\') {
			if (s[1] == '\0')
				return -1;
			tp_buf_addc(b, s[1]);
			s += 2;
		} else {
			tp_buf_addc(b, *s++);
		}
	}
	*p = s + 1;
	return 0;
}

int
tp_r53_txt_decode(char **out, size_t *len, const char *wire)
{
	struct tp_buf b = TP_BUF_INIT(WIRE_MAX);
	const char *p = wire;
	size_t n;

	*out = NULL;
	*len = 0;
	while (*p != '\0') {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
		} else if (*p == '"') {
			p++;
			if (quoted(&b, &p) != 0) {
				tp_buf_release(&b);
				return tp_err_set(
				    TP_ENETWORK,
				    "route53: TXT value '%.200s' has "
				    "an unterminated quoted string",
				    wire);
			}
		} else {
			n = strcspn(p, " \t\r\n\"");
			tp_buf_add(&b, p, n);
			p += n;
		}
	}
	if (b.err) {
		tp_buf_release(&b);
		return tp_err_set(TP_ENETWORK, "route53: TXT value too long");
	}
	*len = b.len;
	*out = tp_buf_detach(&b);
	return *out ? 0 : tp_err_set(TP_EINTERNAL, "route53: out of memory");
}

int
tp_r53_name_decode(char **out, const char *name)
{
	struct tp_buf b = TP_BUF_INIT(4096);
	const char *p = name;
	unsigned char c;
	size_t n;

	*out = NULL;
	while (*p != '\0') {
		if (*p == '\\' && octal_escape(p, &c)) {
			tp_buf_addc(&b, (char)tolower(c));
			p += 4;
		} else if (*p == '\\' && p[1] != '\0') {
			tp_buf_addc(&b, (char)tolower((unsigned char)p[1]));
			p += 2;
		} else if (*p == '\\') {
			tp_buf_release(&b);
			return tp_err_set(TP_ENETWORK,
			                  "route53: name '%.200s' ends in a "
			                  "lone backslash",
			                  name);
		} else {
			tp_buf_addc(&b, (char)tolower((unsigned char)*p++));
		}
	}
	/* The root's dot, not an escaped one ("\." is part of a label). */
	n = strlen(name);
	if (b.len > 0 && n > 0 && name[n - 1] == '.' &&
	    !(n >= 2 && name[n - 2] == '\\'))
		b.s[--b.len] = '\0';
	if (b.err) {
		tp_buf_release(&b);
		return tp_err_set(TP_ENETWORK, "route53: name too long");
	}
	*out = tp_buf_detach(&b);
	return *out ? 0 : tp_err_set(TP_EINTERNAL, "route53: out of memory");
}
