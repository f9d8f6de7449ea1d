/*
 * uri_use.c: what an RFC 8460 sender can do with a syntactically valid
 * rua URI: mailto: needs RFC 6068 addr-specs (RFC 5322 addr-spec after
 * percent-decoding), https: needs a host and a usable port; and which
 * valid forms deployed reporters mishandle (shared/reference/rfc8460.md
 * §2.2, §3 and §4.5: upper-case schemes, hfields, percent-encoded or
 * several addresses, '=', userinfo, fragments).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "uri.h"

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

static int
is_atext(unsigned char c)
{
	/* RFC 5322 atext, plus UTF-8 (RFC 6532). */
	return is_alpha(c) || is_digit(c) || c >= 0x80 ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* dot-atom-text = 1*atext *("." 1*atext); returns bytes used, 0 if none. */
static size_t
dot_atom(const char *s, size_t len)
{
	size_t i = 0;

	for (;;) {
		if (i >= len || !is_atext((unsigned char)s[i]))
			return 0;
		while (i < len && is_atext((unsigned char)s[i]))
			i++;
		if (i + 1 < len && s[i] == '.' &&
		    is_atext((unsigned char)s[i + 1])) {
			i++;
			continue;
		}
		return i;
	}
}

/* quoted-string without folding; returns bytes used, 0 if malformed. */
static size_t
quoted_string(const char *s, size_t len)
{
	size_t i = 1;
	unsigned char c;

	for (; i < len && s[i] != '"'; i++) {
		c = (unsigned char)s[i];
		if (c == '\\') {
			if (++i >= len)
				return 0;
			c = (unsigned char)s[i];
			if (c < 0x20 && c != '\t')
				return 0;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return i < len ? i + 1 : 0;
}

int
tp_uri_addr_spec_ok(const char *s, size_t len)
{
	const char *at;
	size_t i, n;

	/* The domain follows the last '@' (RFC 5322 domains have none). */
	for (at = NULL, i = 0; i < len; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL || at == s || at + 1 == s + len)
		return 0;
	n = (size_t)(at - s);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	/* A local part is judged leniently (reporters only pass it on), but
	 * a quoted one must be whole, and an '@' must be inside quotes. */
	if ((s[0] == '"' || memchr(s, '@', n) != NULL) &&
	    (s[0] != '"' || quoted_string(s, n) != n))
		return 0;
	i = n + 1;
	if (s[i] == '[') {
		/* domain-literal: dtext-no-obs = %d33-90 / %d94-126 */
		for (i++; i < len && s[i] != ']'; i++)
			if ((unsigned char)s[i] < 33 ||
			    (unsigned char)s[i] > 126 || s[i] == '[' ||
			    s[i] == '\\')
				return 0;
		return i + 1 == len;
	}
	return dot_atom(s + i, len - i) == len - i;
}

static int
hexval(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

/* Percent-decode the next address of the list s[*i..to), up to a
 * decoded ',' (RFC 6068's %2C separator), into buf (at most size bytes).
 * Returns the decoded length, or size + 1 when it does not fit; *i moves
 * past the ',' (*more = 1) or to the end (*more = 0). Per address, so a
 * long list of short addresses is no problem. */
static size_t
next_addr(char *buf, size_t size, const char *s, size_t *i, size_t to,
          int *more)
{
	size_t k = *i, o = 0;
	char ch;

	*more = 0;
	while (k < to) {
		if (s[k] == '%' && k + 2 < to) {
			ch = (char)(hexval((unsigned char)s[k + 1]) * 16 +
			            hexval((unsigned char)s[k + 2]));
			k += 3;
		} else
			ch = s[k++];
		if (ch == ',') {
			*more = 1;
			break;
		}
		if (o < size)
			buf[o] = ch;
		o++;
	}
	*i = k;
	return o > size ? size + 1 : o;
}

static int
scheme_is(const char *s, const struct tp_uri *u, const char *name)
{
	return u->scheme.len == strlen(name) &&
	    strncasecmp(s, name, u->scheme.len) == 0;
}

/* Every address of s[from..to), percent-decoded and split on ",": 1 when
 * all are addr-specs no longer than RFC 5321's 254 octets (counted in
 * *count), else 0 with *why filled. */
static int
addr_list(const char *s, size_t from, size_t to, size_t *count,
          struct tp_uri_problem *why)
{
	char dec[256], q[96];
	size_t i = from, n;
	int more = 1;

	while (more) {
		n = next_addr(dec, sizeof(dec), s, &i, to, &more);
		if (n <= 254 && tp_uri_addr_spec_ok(dec, n)) {
			(*count)++;
			continue;
		}
		tp_uri_problem_set(
		    why, "mailto-no-addr-spec", from,
		    "write mailto:LOCAL@DOMAIN, e.g. "
		    "mailto:tlsrpt@example.com",
		    n > 254      ? "'%s' is longer than a mail address can "
		                   "be (254 octets)"
		        : n == 0 ? "an empty mail address%s (a stray ',' or "
		                   "%%2C)"
		                 : "'%s' is not a mail address (addr-spec "
		                   "LOCAL@DOMAIN)",
		    tp_uri_quote(q, n > 254 ? 40 : sizeof(q), dec,
		                 n > sizeof(dec) ? sizeof(dec) : n));
		return 0;
	}
	return 1;
}

/* RFC 6068: mailto:[to][?hfields], to = addr-spec *("," addr-spec), and
 * "to=" hfields add addresses. At least one, and every one valid. */
static enum tp_uri_use
mailto_use(const char *s, const struct tp_uri *u, struct tp_uri_problem *why)
{
	size_t count = 0, i, e, end;
	char q[96];

	if (u->path.len > 0 &&
	    !addr_list(s, u->path.off, u->path.off + u->path.len, &count, why))
		return TP_URI_USE_MAILTO_NOADDR;
	end = u->query.off + u->query.len;
	for (i = u->query.off; u->query.present && i <= end; i = e + 1) {
		for (e = i; e < end && s[e] != '&'; e++)
			;
		if (e - i > 3 && strncasecmp(s + i, "to=", 3) == 0 &&
		    !addr_list(s, i + 3, e, &count, why))
			return TP_URI_USE_MAILTO_NOADDR;
	}
	if (count > 0)
		return TP_URI_USE_MAILTO;
	tp_uri_problem_set(
	    why, "mailto-no-addr-spec", 0, "write mailto:LOCAL@DOMAIN",
	    u->has_authority ? "'%s' has no address: mailto: is not "
	                       "followed by '//'"
	                     : "'%s' has no address",
	    tp_uri_quote(q, sizeof(q), s, u->path.off + u->path.len));
	return TP_URI_USE_MAILTO_NOADDR;
}

static enum tp_uri_use
https_use(const char *s, const struct tp_uri *u, struct tp_uri_problem *why)
{
	unsigned long port = 0;
	size_t i;
	char q[96];

	if (!u->has_authority || u->host.len == 0) {
		tp_uri_problem_set(
		    why, "https-no-host", 0, "write https://HOST/PATH",
		    "'%s' has no host, so no report can be posted to it",
		    tp_uri_quote(q, sizeof(q), s, u->path.off + u->path.len));
		return TP_URI_USE_HTTPS_NOHOST;
	}
	if (!u->port.present || u->port.len == 0)
		return TP_URI_USE_HTTPS;
	for (i = 0; i < u->port.len && port <= 65535; i++)
		port = port * 10 + (unsigned long)(s[u->port.off + i] - '0');
	if (port >= 1 && port <= 65535)
		return TP_URI_USE_HTTPS;
	tp_uri_problem_set(
	    why, "https-bad-port", u->port.off,
	    "use a TCP port from 1 to 65535, or none for 443",
	    "port '%s' is not a usable TCP port",
	    tp_uri_quote(q, sizeof(q), s + u->port.off, u->port.len));
	return TP_URI_USE_HTTPS_BADPORT;
}

enum tp_uri_use
tp_uri_use(const char *s, const struct tp_uri *u, struct tp_uri_problem *why)
{
	char q[64];

	memset(why, 0, sizeof(*why));
	if (scheme_is(s, u, "mailto"))
		return mailto_use(s, u, why);
	if (scheme_is(s, u, "https"))
		return https_use(s, u, why);
	tp_uri_problem_set(
	    why, "uri-scheme-unsupported", 0,
	    scheme_is(s, u, "http") ? "use https: (reports are never "
	                              "posted over plain http)"
	                            : "use a mailto: or https: URI",
	    "scheme '%s' is not supported: RFC 8460 reporters send only "
	    "to mailto: and https:",
	    tp_uri_quote(q, sizeof(q), s, u->scheme.len));
	return TP_URI_USE_UNSUPPORTED;
}

/* Each address of s[from..to) for tp_uri_mailto_each. */
static int
addrs_each(const char *s, size_t from, size_t to,
           int (*fn)(void *arg, const char *addr, size_t len), void *arg)
{
	char dec[256];
	size_t i = from, n;
	int more = from < to, rc = 0;

	while (rc == 0 && more) {
		n = next_addr(dec, sizeof(dec), s, &i, to, &more);
		if (n > 0 && n <= sizeof(dec))
			rc = fn(arg, dec, n);
	}
	return rc;
}

int
tp_uri_mailto_each(const char *s, const struct tp_uri *u,
                   int (*fn)(void *arg, const char *addr, size_t len),
                   void *arg)
{
	size_t i, e, end = u->query.off + u->query.len;
	int rc;

	rc = addrs_each(s, u->path.off, u->path.off + u->path.len, fn, arg);
	for (i = u->query.off; rc == 0 && u->query.present && i <= end;
	     i = e + 1) {
		for (e = i; e < end && s[e] != '&'; e++)
			;
		if (e - i > 3 && strncasecmp(s + i, "to=", 3) == 0)
			rc = addrs_each(s, i + 3, e, fn, arg);
	}
	return rc;
}

/* End offset of the whole URI as tp_uri_check parsed it. */
static size_t
uri_end(const struct tp_uri *u)
{
	if (u->fragment.present)
		return u->fragment.off + u->fragment.len;
	if (u->query.present)
		return u->query.off + u->query.len;
	return u->path.off + u->path.len;
}

/* Percent-encodings in a mailto address: *multi when one is %2C (an
 * address separator), the offset of the first other one in *other. */
static void
mailto_pcts(const char *s, const struct tp_uri *u, int *multi, size_t *other)
{
	size_t i, end = u->path.off + u->path.len;

	*multi = 0;
	*other = (size_t)-1;
	for (i = u->path.off; i < end; i++) {
		if (s[i] == ',')
			*multi = 1;
		if (s[i] != '%' || i + 2 >= end)
			continue;
		if (s[i + 1] == '2' && (s[i + 2] == 'C' || s[i + 2] == 'c'))
			*multi = 1;
		else if (*other == (size_t)-1)
			*other = i;
		i += 2;
	}
}

static size_t
mailto_interop(const char *s, const struct tp_uri *u, struct tp_uri_problem *w,
               size_t n, size_t max)
{
	size_t other;
	int multi;

	if (u->query.present && n < max)
		tp_uri_problem_set(
		    &w[n++], "mailto-hfields", u->query.off - 1,
		    "remove everything from '?': reporters write the "
		    "report mail themselves",
		    "mailto header fields ('?%.*s') are not part of "
		    "TLS-RPT; reporters drop or mangle them",
		    (int)(u->query.len > 40 ? 40 : u->query.len),
		    s + u->query.off);
	mailto_pcts(s, u, &multi, &other);
	if (multi && n < max)
		tp_uri_problem_set(
		    &w[n++], "mailto-multiple-addresses", u->path.off,
		    "list each address as its own URI: "
		    "rua=mailto:a@example.com,mailto:b@example.com",
		    "one mailto URI with several addresses: some reporters "
		    "send to none of them or only to the first");
	if (other != (size_t)-1 && n < max)
		tp_uri_problem_set(
		    &w[n++], "mailto-pct-encoded", other,
		    "use an address that needs no percent-encoding",
		    "percent-encoded character '%.3s' in a mail address: "
		    "reporters (mail-auth, mox, tlsrpt-reportd) do not "
		    "decode it and mail the literal text",
		    s + other);
	return n;
}

size_t
tp_uri_interop(const char *s, const struct tp_uri *u, struct tp_uri_problem *w,
               size_t max)
{
	size_t n = 0, i, end;
	int mailto = scheme_is(s, u, "mailto");
	char q[64];

	for (i = 0; i < u->scheme.len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			break;
	if (i < u->scheme.len && n < max)
		tp_uri_problem_set(
		    &w[n++], "uri-scheme-case", 0,
		    mailto ? "write the scheme in lower case: 'mailto:'"
		           : "write the scheme in lower case: 'https:'",
		    "upper-case scheme '%s': tlsrpt-reportd (Postfix) "
		    "compares it literally and sends no report",
		    tp_uri_quote(q, sizeof(q), s, u->scheme.len));
	if (mailto)
		n = mailto_interop(s, u, w, n, max);
	end = mailto ? u->path.off + u->path.len : uri_end(u);
	for (i = 0; i < end && s[i] != '='; i++)
		;
	if (i < end && n < max)
		tp_uri_problem_set(
		    &w[n++], "uri-equals-sign", i,
		    "avoid '=' in a destination (e.g. move the value into "
		    "the path)",
		    "'=' in a URI: the mail-auth (Stalwart) parser decodes "
		    "'=XX' as quoted-printable and corrupts the "
		    "destination");
	if (u->userinfo.present && !mailto && n < max)
		tp_uri_problem_set(
		    &w[n++], "https-userinfo", u->userinfo.off,
		    "remove 'USER@' and authenticate the endpoint another "
		    "way",
		    "credentials ('USER@') in an https URI: RFC 9110 "
		    "forbids them and every reporter sees them");
	if (u->fragment.present && n < max)
		tp_uri_problem_set(
		    &w[n++], "uri-fragment", u->fragment.off - 1,
		    "remove the '#' and what follows",
		    "fragment '#%.*s' in a destination: it is never sent, "
		    "and some reporters keep it in the address",
		    (int)(u->fragment.len > 40 ? 40 : u->fragment.len),
		    s + u->fragment.off);
	return n;
}
