/*
 * uri.c: an RFC 3986 §3 URI checker written from the ABNF: scheme,
 * authority with userinfo, IP-literal (IPv6address in all its forms,
 * IPvFuture), IPv4address and reg-name hosts, port, path-abempty/
 * absolute/rootless/empty, query, fragment, and pct-encoded everywhere.
 * With TP_URI_TLSRPT it also enforces RFC 8460 §3's "commas, exclamation
 * points and semicolons MUST be encoded". What a sender can do with a
 * valid URI is uri_use.c's business.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "uri.h"

/* Component character sets, as in RFC 3986 §3.2-§3.5. */
enum cset { CS_USERINFO, CS_REGNAME, CS_PATH, CS_QUERY };

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

int
tp_uri_hexdig(unsigned char c)
{
	/* ABNF strings are case-insensitive, so HEXDIG includes a-f. */
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int
tp_uri_unreserved(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

int
tp_uri_subdelim(unsigned char c)
{
	return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

static int
in_set(unsigned char c, enum cset cs)
{
	if (tp_uri_unreserved(c) || tp_uri_subdelim(c))
		return 1;
	switch (cs) {
	case CS_USERINFO:
		return c == ':';
	case CS_REGNAME:
		return 0;
	case CS_PATH:
		return c == ':' || c == '@' || c == '/';
	case CS_QUERY:
		return c == ':' || c == '@' || c == '/' || c == '?';
	}
	return 0;
}

const char *
tp_uri_char_name(char buf[16], unsigned char c)
{
	if (c == ' ')
		return "a space";
	if (c == '\t')
		return "a tab";
	if (c == '\r')
		return "CR";
	if (c == '\n')
		return "LF";
	if (c < 0x20 || c >= 0x7f)
		(void)snprintf(buf, 16, "byte 0x%02X", c);
	else
		(void)snprintf(buf, 16, "'%c'", c);
	return buf;
}

const char *
tp_uri_quote(char *buf, size_t size, const char *s, size_t len)
{
	size_t i, o = 0;
	unsigned char c;

	/* Keep room for "\xHH", "..." and the NUL. */
	for (i = 0; i < len && o + 8 < size; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
			continue;
		}
		(void)snprintf(buf + o, size - o, "\\x%02X", c);
		o += 4;
	}
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

int
tp_uri_problem_set(struct tp_uri_problem *p, const char *code, size_t off,
                   const char *hint, const char *fmt, ...)
{
	va_list ap;

	p->code = code;
	p->off = off;
	p->hint = hint;
	va_start(ap, fmt);
	(void)vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return 0;
}

/* A byte that no URI component allows here: say what it is. */
static int
bad_char(struct tp_uri_problem *p, size_t off, unsigned char c,
         const char *where)
{
	char nb[16];
	const char *name = tp_uri_char_name(nb, c);

	if (c == '\r' || c == '\n')
		return tp_uri_problem_set(
		    p, "crlf", off,
		    "a TXT value is one line: remove the line break "
		    "(and any '\\' continuation copied from a "
		    "wrapped example)",
		    "line break (%s) in the %s of a URI", name, where);
	if (c == ' ' || c == '\t')
		return tp_uri_problem_set(
		    p, "uri-raw-space", off,
		    "remove it; separate destinations with ','",
		    "%s in the %s of a URI", name, where);
	if (c < 0x20 || c == 0x7f)
		return tp_uri_problem_set(
		    p, "control-char", off, "remove the control character",
		    "control character (%s) in the %s of a URI", name, where);
	if (c >= 0x80)
		return tp_uri_problem_set(
		    p, "non-ascii", off,
		    "URIs are ASCII: use the A-label (xn--...) of "
		    "an internationalised domain and percent-encode "
		    "other bytes",
		    "raw non-ASCII %s in the %s of a URI", name, where);
	if (c == '"')
		return tp_uri_problem_set(
		    p, "quote-char", off,
		    "enter the value without quote characters (the "
		    "DNS interface stored them as data)",
		    "literal quote character in the %s of a URI", where);
	if (c == '<' || c == '>')
		return tp_uri_problem_set(
		    p, "uri-angle-brackets", off,
		    "write the bare URI, without '<' and '>'",
		    "%s around or in the %s of a URI", name, where);
	if (c == '\\')
		return tp_uri_problem_set(
		    p, "uri-invalid-char", off,
		    "remove it: a '\\' line continuation from a "
		    "wrapped example is not part of the record",
		    "%s is not allowed in the %s of a URI", name, where);
	return tp_uri_problem_set(
	    p, "uri-invalid-char", off, "percent-encode the character (%XX)",
	    "%s is not allowed in the %s of a URI", name, where);
}

/* RFC 8460 §3: ",", "!" and ";" MUST be percent-encoded inside a URI. */
static int
tlsrpt_char(struct tp_uri_problem *p, const char *s, size_t len, size_t i)
{
	size_t j = i + 1;

	switch (s[i]) {
	case '!':
		while (j < len && is_digit((unsigned char)s[j]))
			j++;
		if (j > i + 1 &&
		    (j == len ||
		     (s[j] != '\0' && strchr("kmgtKMGT", s[j]) != NULL)))
			return tp_uri_problem_set(
			    p, "uri-unencoded-bang", i,
			    "remove it: DMARC's '!SIZE' limit does not "
			    "exist in TLS-RPT",
			    "DMARC size suffix '!%.*s' in a URI: an "
			    "unencoded '!' is not allowed (RFC 8460 §3)",
			    (int)(j - i - 1 + (j < len)), s + i + 1);
		return tp_uri_problem_set(
		    p, "uri-unencoded-bang", i, "write '!' inside a URI as %21",
		    "unencoded '!' in a URI (RFC 8460 §3: it MUST "
		    "be percent-encoded)");
	case ',':
		return tp_uri_problem_set(
		    p, "uri-unencoded-comma", i,
		    "write ',' inside a URI as %2C",
		    "unencoded ',' in a URI (RFC 8460 §3: it MUST be "
		    "percent-encoded)");
	default:
		return tp_uri_problem_set(
		    p, "uri-unencoded-semicolon", i,
		    "write ';' inside a URI as %3B",
		    "unencoded ';' in a URI (RFC 8460 §3: it MUST be "
		    "percent-encoded)");
	}
}

/* Check s[from..to) against a component's set; 1 when every byte is
 * allowed and every '%' starts a pct-encoded triplet. */
static int
check_chars(struct tp_uri_problem *p, const char *s, size_t from, size_t to,
            enum cset cs, const char *where, int flags)
{
	unsigned char c;
	size_t i;

	for (i = from; i < to; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 < to &&
			    tp_uri_hexdig((unsigned char)s[i + 1]) &&
			    tp_uri_hexdig((unsigned char)s[i + 2])) {
				i += 2;
				continue;
			}
			return tp_uri_problem_set(
			    p, "uri-bad-percent", i,
			    "write '%' as %25, or follow it with two "
			    "hex digits",
			    "'%%' not followed by two hex digits in the "
			    "%s of a URI",
			    where);
		}
		if ((flags & TP_URI_TLSRPT) &&
		    (c == '!' || c == ',' || c == ';'))
			return tlsrpt_char(p, s, to, i);
		if (!in_set(c, cs))
			return bad_char(p, i, c, where);
	}
	return 1;
}

/* dec-octet: "0"-"255", no leading zero. */
static int
dec_octet(const char *s, size_t len)
{
	unsigned v = 0;
	size_t i;

	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return 0;
	for (i = 0; i < len; i++) {
		if (!is_digit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= 255;
}

int
tp_uri_ipv4_ok(const char *s, size_t len)
{
	size_t i, start = 0, dots = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!dec_octet(s + start, i - start))
			return 0;
		if (i < len)
			dots++;
		start = i + 1;
	}
	return dots == 3;
}

/* h16 = 1*4HEXDIG; returns its length, 0 when there is none. */
static size_t
h16(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && i < 5 && tp_uri_hexdig((unsigned char)s[i]))
		i++;
	return i;
}

/*
 * IPv6address (RFC 3986 §3.2.2): eight 16-bit groups, or fewer with one
 * "::" standing for at least one group, the last two groups optionally
 * written as an IPv4address. Every ABNF alternative reduces to this.
 */
int
tp_uri_ipv6_ok(const char *s, size_t len)
{
	size_t i = 0, n, groups = 0;
	int dbl = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		dbl = 1;
		i = 2;
	} else if (len >= 1 && s[0] == ':')
		return 0;
	while (i < len) {
		n = h16(s + i, len - i);
		if (i + n < len && s[i + n] == '.') {
			if (!tp_uri_ipv4_ok(s + i, len - i))
				return 0;
			groups += 2;
			break;
		}
		if (n == 0 || n > 4)
			return 0;
		groups++;
		i += n;
		if (i == len)
			break;
		if (s[i] != ':' || i + 1 == len)
			return 0;
		i++;
		if (s[i] == ':') {
			if (dbl)
				return 0;
			dbl = 1;
			i++;
		}
	}
	return dbl ? groups <= 7 : groups == 8;
}

/* IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) */
static int
ipvfuture_ok(const char *s, size_t len)
{
	size_t i = 1;

	if (len < 4 || (s[0] != 'v' && s[0] != 'V'))
		return 0;
	while (i < len && tp_uri_hexdig((unsigned char)s[i]))
		i++;
	if (i == 1 || i >= len - 1 || s[i] != '.')
		return 0;
	for (i++; i < len; i++)
		if (!tp_uri_unreserved((unsigned char)s[i]) &&
		    !tp_uri_subdelim((unsigned char)s[i]) && s[i] != ':')
			return 0;
	return 1;
}

static void
span(struct tp_uri_span *sp, size_t from, size_t to)
{
	sp->present = 1;
	sp->off = from;
	sp->len = to - from;
}

static int
check_port(struct tp_uri *u, struct tp_uri_problem *p, const char *s,
           size_t from, size_t to)
{
	size_t i;
	char q[64];

	for (i = from; i < to; i++)
		if (!is_digit((unsigned char)s[i]))
			return tp_uri_problem_set(
			    p, "uri-bad-port", i,
			    "a port is digits only, after the host: "
			    "https://host:8443/path",
			    "port '%s' of a URI is not a number",
			    tp_uri_quote(q, sizeof(q), s + from, to - from));
	span(&u->port, from, to);
	return 1;
}

/* IP-literal = "[" ( IPv6address / IPvFuture ) "]", then [":" port]. */
static int
check_ip_literal(struct tp_uri *u, struct tp_uri_problem *p, const char *s,
                 size_t h, size_t e, int flags)
{
	const char *rb;
	size_t r, i;
	char q[96];

	rb = memchr(s + h, ']', e - h);
	if (rb == NULL)
		return tp_uri_problem_set(
		    p, "uri-bad-host", h,
		    "close the IP literal: https://[2001:db8::1]/",
		    "unterminated '[' in the host of a URI");
	r = (size_t)(rb - s);
	if (r > h + 1 && (s[h + 1] == 'v' || s[h + 1] == 'V')) {
		for (i = h + 1; (flags & TP_URI_TLSRPT) && i < r; i++)
			if (s[i] == '!' || s[i] == ',' || s[i] == ';')
				return tlsrpt_char(p, s, r, i);
		if (!ipvfuture_ok(s + h + 1, r - h - 1))
			return tp_uri_problem_set(
			    p, "uri-bad-host", h,
			    "write an IPv6 address in brackets, or "
			    "use a host name",
			    "'[%s]' is not a valid IPvFuture literal",
			    tp_uri_quote(q, sizeof(q), s + h + 1, r - h - 1));
		u->host_kind = TP_URI_HOST_IPVFUTURE;
	} else if (tp_uri_ipv6_ok(s + h + 1, r - h - 1)) {
		u->host_kind = TP_URI_HOST_IPV6;
	} else {
		return tp_uri_problem_set(
		    p, "uri-bad-host", h,
		    "write a valid IPv6 address in brackets "
		    "(RFC 3986 has no zone index), or use a host name",
		    "'[%s]' is not an IPv6 address",
		    tp_uri_quote(q, sizeof(q), s + h + 1, r - h - 1));
	}
	span(&u->host, h + 1, r);
	if (r + 1 == e)
		return 1;
	if (s[r + 1] != ':')
		return tp_uri_problem_set(
		    p, "uri-bad-host", r + 1,
		    "only ':PORT' may follow ']' in the authority",
		    "unexpected character after the IP literal of a "
		    "URI");
	return check_port(u, p, s, r + 2, e);
}

/* authority = [ userinfo "@" ] host [ ":" port ], in s[a..e). */
static int
check_authority(struct tp_uri *u, struct tp_uri_problem *p, const char *s,
                size_t a, size_t e, int flags)
{
	const char *at, *colon;
	size_t h, hend;

	u->has_authority = 1;
	at = memchr(s + a, '@', e - a);
	h = a;
	if (at != NULL) {
		h = (size_t)(at - s);
		if (!check_chars(p, s, a, h, CS_USERINFO, "userinfo", flags))
			return 0;
		span(&u->userinfo, a, h);
		h++;
	}
	if (h < e && s[h] == '[')
		return check_ip_literal(u, p, s, h, e, flags);
	colon = memchr(s + h, ':', e - h);
	hend = colon != NULL ? (size_t)(colon - s) : e;
	if (!check_chars(p, s, h, hend, CS_REGNAME, "host", flags))
		return 0;
	span(&u->host, h, hend);
	u->host_kind = tp_uri_ipv4_ok(s + h, hend - h) ? TP_URI_HOST_IPV4
	                                               : TP_URI_HOST_REG;
	if (colon == NULL)
		return 1;
	return check_port(u, p, s, hend + 1, e);
}

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":". */
static int
check_scheme(struct tp_uri *u, struct tp_uri_problem *p, const char *s,
             size_t len)
{
	const char *colon, *at;
	size_t j = 0;
	char q[96];

	while (j < len &&
	       (is_alpha((unsigned char)s[j]) ||
	        is_digit((unsigned char)s[j]) || s[j] == '+' || s[j] == '-' ||
	        s[j] == '.'))
		j++;
	if (j < len && s[j] == ':' && j > 0 && is_alpha((unsigned char)s[0])) {
		span(&u->scheme, 0, j);
		return 1;
	}
	colon = memchr(s, ':', len);
	at = memchr(s, '@', len);
	if (len > 0 && (s[0] == '"' || s[0] == '<'))
		return bad_char(p, 0, (unsigned char)s[0], "scheme");
	if (at != NULL && (colon == NULL || at < colon))
		return tp_uri_problem_set(
		    p, "uri-bare-address", 0,
		    "write the address as a mailto: URI",
		    "'%s' is a bare address, not a URI: write "
		    "'mailto:%s'",
		    tp_uri_quote(q, 48, s, len),
		    tp_uri_quote(q + 48, 48, s, len));
	if (colon == NULL)
		return tp_uri_problem_set(p, "uri-no-scheme", 0,
		                          "a destination is mailto:ADDRESS or "
		                          "https://HOST/PATH",
		                          "'%s' has no URI scheme",
		                          tp_uri_quote(q, sizeof(q), s, len));
	if (j == 0 || !is_alpha((unsigned char)s[0]))
		return tp_uri_problem_set(
		    p, "uri-no-scheme", 0,
		    "a destination is mailto:ADDRESS or "
		    "https://HOST/PATH",
		    "'%s' has no valid URI scheme (a scheme starts "
		    "with a letter and ends with ':')",
		    tp_uri_quote(q, sizeof(q), s, len));
	return bad_char(p, j, (unsigned char)s[j], "scheme");
}

int
tp_uri_check(struct tp_uri *u, const char *s, size_t len, int flags,
             struct tp_uri_problem *p)
{
	size_t i, e;

	memset(u, 0, sizeof(*u));
	memset(p, 0, sizeof(*p));
	if (!check_scheme(u, p, s, len))
		return 0;
	i = u->scheme.len + 1;
	if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		for (e = i + 2;
		     e < len && s[e] != '/' && s[e] != '?' && s[e] != '#'; e++)
			;
		if (!check_authority(u, p, s, i + 2, e, flags))
			return 0;
		i = e;
	}
	/* Every path form is pchar and "/" (path-absolute only forbids a
	 * leading "//", which was taken as the authority above). */
	for (e = i; e < len && s[e] != '?' && s[e] != '#'; e++)
		;
	if (!check_chars(p, s, i, e, CS_PATH, "path", flags))
		return 0;
	span(&u->path, i, e);
	i = e;
	if (i < len && s[i] == '?') {
		for (e = i + 1; e < len && s[e] != '#'; e++)
			;
		if (!check_chars(p, s, i + 1, e, CS_QUERY, "query", flags))
			return 0;
		span(&u->query, i + 1, e);
		i = e;
	}
	if (i < len && s[i] == '#') {
		if (!check_chars(p, s, i + 1, len, CS_QUERY, "fragment", flags))
			return 0;
		span(&u->fragment, i + 1, len);
	}
	return 1;
}
