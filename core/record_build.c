/*
 * record_build.c: the generator. From report destinations as users type
 * them, build the one record shape every deployed parser accepts
 * (shared/reference/rfc8460.md §4.4):
 *
 *   v=TLSRPTv1; rua=URI[,URI...]
 *
 * one space after ";", none around ",", lower-case schemes, one rua field,
 * no extensions, no trailing ";", ASCII only (A-labels), and "," "!" ";"
 * percent-encoded inside URIs. A destination that would draw any warning
 * from the validator (a percent-encoded mail address, mailto header
 * fields, "=" that the mail-auth parser corrupts, ...) is refused with a
 * message saying why, so that everything generated validates cleanly;
 * each result is checked with the validator itself before it is returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "uri.h"

#define RECORD_MAX 2048 /* what every provider and a plain answer carry */
#define URI_MAX    1024
#define LOCAL_MAX  64 /* RFC 5321 §4.5.3.1.1 */

static const char hexd[] = "0123456789ABCDEF";

/* A domain from a URI, normalised (IDN to A-label), appended to b. */
static int
add_domain(struct tp_buf *b, const char *uri, const char *d, size_t n)
{
	char *in, *norm = NULL, q[96], msg[TP_ERR_MSG_MAX];
	int rc;

	in = strndup(d, n);
	if (in == NULL)
		return tp_err_set(TP_EINTERNAL, "record: out of memory");
	rc = tp_domain_normalize(&norm, in);
	free(in);
	if (rc != 0) {
		(void)snprintf(msg, sizeof(msg), "%s", tp_err_msg());
		return tp_err_set(rc, "record: rua '%s': %s",
		                  tp_uri_quote(q, sizeof(q), uri, strlen(uri)),
		                  msg);
	}
	tp_buf_adds(b, norm);
	free(norm);
	return 0;
}

/* Local-part characters that need no percent-encoding in a mailto URI
 * and draw no warning: atext within RFC 3986 pchar, minus "!" (RFC 8460
 * makes it %21) and "=" (the mail-auth parser corrupts "=XX"). */
static int
local_char(unsigned char c)
{
	return tp_uri_unreserved(c) ||
	    (c != '\0' && strchr("$&'*+", c) != NULL);
}

static int
mailto_local(struct tp_buf *b, const char *uri, const char *l, size_t n)
{
	char q[96], nb[16];
	size_t i;

	tp_uri_quote(q, sizeof(q), uri, strlen(uri));
	if (n == 0)
		return tp_err_set(TP_EUSAGE,
		                  "record: rua '%s' has no local part before "
		                  "'@': write mailto:LOCAL@DOMAIN",
		                  q);
	if (n > LOCAL_MAX)
		return tp_err_set(
		    TP_EUSAGE,
		    "record: the local part of rua '%s' is longer "
		    "than 64 octets (RFC 5321)",
		    q);
	for (i = 0; i < n; i++) {
		if (local_char((unsigned char)l[i]) &&
		    !(l[i] == '.' && (i == 0 || i == n - 1 || l[i - 1] == '.')))
			continue;
		if (l[i] == '.')
			return tp_err_set(
			    TP_EUSAGE,
			    "record: the address in rua '%s' has a "
			    "misplaced '.' (first, last or doubled)",
			    q);
		return tp_err_set(
		    TP_EUSAGE,
		    "record: the address in rua '%s' contains %s, "
		    "which must be percent-encoded in the record "
		    "or is mangled by reporters (they do not "
		    "decode it): use an address without it",
		    q, tp_uri_char_name(nb, (unsigned char)l[i]));
	}
	tp_buf_add(b, l, n);
	return 0;
}

/* rest is what follows "mailto:". */
static int
norm_mailto(struct tp_buf *b, const char *uri, const char *rest)
{
	const char *at;
	char q[96];

	tp_uri_quote(q, sizeof(q), uri, strlen(uri));
	if (strpbrk(rest, "?#") != NULL)
		return tp_err_set(
		    TP_EUSAGE,
		    "record: rua '%s' has mailto header fields or "
		    "a fragment ('?...', '#...'): reporters write "
		    "the mail themselves and drop or mangle them; "
		    "give only mailto:ADDRESS",
		    q);
	if (strncmp(rest, "//", 2) == 0)
		return tp_err_set(TP_EUSAGE,
		                  "record: rua '%s': write mailto:ADDRESS, "
		                  "without '//'",
		                  q);
	if (*rest == '\0')
		return tp_err_set(TP_EUSAGE,
		                  "record: rua '%s' has no address: write "
		                  "mailto:LOCAL@DOMAIN",
		                  q);
	if (strchr(rest, ',') != NULL)
		return tp_err_set(
		    TP_EUSAGE,
		    "record: rua '%s' holds several addresses: give "
		    "each its own --rua",
		    q);
	if (strchr(rest, '%') != NULL)
		return tp_err_set(
		    TP_EUSAGE,
		    "record: rua '%s' has a percent-encoded "
		    "address: reporters do not decode it; write the "
		    "address as it is",
		    q);
	at = strrchr(rest, '@');
	if (at == NULL)
		return tp_err_set(TP_EUSAGE,
		                  "record: rua '%s' is not a mail address (no "
		                  "'@DOMAIN'): write mailto:LOCAL@DOMAIN",
		                  q);
	tp_buf_adds(b, "mailto:");
	if (mailto_local(b, uri, rest, (size_t)(at - rest)) != 0)
		return TP_EUSAGE;
	tp_buf_addc(b, '@');
	return add_domain(b, uri, at + 1, strlen(at + 1));
}

/* host [":" port] of an https URI, s[0..n) (no userinfo). */
static int
https_authority(struct tp_buf *b, const char *uri, const char *s, size_t n)
{
	const char *colon, *rb;
	size_t hl, i;
	unsigned long port = 0;
	char q[96];

	tp_uri_quote(q, sizeof(q), uri, strlen(uri));
	if (n > 0 && s[0] == '[') {
		rb = memchr(s, ']', n);
		if (rb == NULL || !tp_uri_ipv6_ok(s + 1, (size_t)(rb - s) - 1))
			return tp_err_set(
			    TP_EUSAGE,
			    "record: rua '%s' has a malformed IPv6 "
			    "host: write https://[2001:db8::1]/PATH",
			    q);
		hl = (size_t)(rb - s) + 1;
		for (i = 0; i < hl; i++)
			tp_buf_addc(b,
			            (char)(s[i] >= 'A' && s[i] <= 'F'
			                       ? s[i] + 32
			                       : s[i]));
		colon = hl < n ? s + hl : NULL;
		if (colon != NULL && *colon != ':')
			return tp_err_set(TP_EUSAGE,
			                  "record: rua '%s': only ':PORT' may "
			                  "follow ']'",
			                  q);
	} else {
		colon = memchr(s, ':', n);
		hl = colon != NULL ? (size_t)(colon - s) : n;
		if (hl == 0)
			return tp_err_set(TP_EUSAGE,
			                  "record: rua '%s' has no host: write "
			                  "https://HOST/PATH",
			                  q);
		if (tp_uri_ipv4_ok(s, hl))
			tp_buf_add(b, s, hl);
		else if (add_domain(b, uri, s, hl) != 0)
			return TP_EUSAGE;
	}
	if (colon == NULL || colon + 1 == s + n)
		return 0;
	for (i = (size_t)(colon - s) + 1; i < n && port <= 65535; i++) {
		if (s[i] < '0' || s[i] > '9')
			break;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	if (i < n || port == 0 || port > 65535)
		return tp_err_set(
		    TP_EUSAGE,
		    "record: rua '%s' has a bad port: use 1-65535, "
		    "or none for 443",
		    q);
	tp_buf_addf(b, ":%lu", port);
	return 0;
}

/* Path and query of an https URI: kept, with "," "!" ";" and anything
 * RFC 3986 does not allow raw percent-encoded; "%XX" kept upper-cased. */
static int
https_rest(struct tp_buf *b, const char *uri, const char *s)
{
	const unsigned char *p;
	char q[96];

	tp_uri_quote(q, sizeof(q), uri, strlen(uri));
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '%') {
			if (!tp_uri_hexdig(p[1]) || !tp_uri_hexdig(p[2]))
				return tp_err_set(
				    TP_EUSAGE,
				    "record: rua '%s' has a '%%' not "
				    "followed by two hex digits: write "
				    "%%25 for a literal '%%'",
				    q);
			tp_buf_addc(b, '%');
			tp_buf_addc(
			    b,
			    hexd[(p[1] <= '9' ? p[1] - '0'
			                      : (p[1] | 0x20) - 'a' + 10)]);
			tp_buf_addc(
			    b,
			    hexd[(p[2] <= '9' ? p[2] - '0'
			                      : (p[2] | 0x20) - 'a' + 10)]);
			p += 2;
		} else if (*p == '=') {
			return tp_err_set(
			    TP_EUSAGE,
			    "record: rua '%s' contains '=': the "
			    "mail-auth (Stalwart) parser decodes "
			    "'=XX' as quoted-printable and corrupts "
			    "it; put the value in the path instead",
			    q);
		} else if (*p == '#') {
			return tp_err_set(
			    TP_EUSAGE,
			    "record: rua '%s' has a fragment ('#...'), "
			    "which is never sent: remove it",
			    q);
		} else if (*p != ',' && *p != '!' && *p != ';' &&
		           (tp_uri_unreserved(*p) || tp_uri_subdelim(*p) ||
		            strchr(":@/?", *p) != NULL)) {
			tp_buf_addc(b, (char)*p);
		} else {
			tp_buf_addc(b, '%');
			tp_buf_addc(b, hexd[*p >> 4]);
			tp_buf_addc(b, hexd[*p & 0x0f]);
		}
	}
	return 0;
}

/* rest is what follows "https:". */
static int
norm_https(struct tp_buf *b, const char *uri, const char *rest)
{
	size_t n;
	char q[96];

	tp_uri_quote(q, sizeof(q), uri, strlen(uri));
	if (strncmp(rest, "//", 2) != 0)
		return tp_err_set(TP_EUSAGE,
		                  "record: rua '%s' has no host: write "
		                  "https://HOST/PATH",
		                  q);
	rest += 2;
	n = strcspn(rest, "/?#");
	if (memchr(rest, '@', n) != NULL)
		return tp_err_set(
		    TP_EUSAGE,
		    "record: rua '%s' has credentials ('USER@'): "
		    "RFC 9110 forbids them in https URIs and every "
		    "reporter would see them",
		    q);
	tp_buf_adds(b, "https://");
	if (https_authority(b, uri, rest, n) != 0)
		return TP_EUSAGE;
	return https_rest(b, uri, rest + n);
}

/* Raw checks before any parsing: no whitespace or control bytes. */
static int
raw_ok(const char *uri)
{
	const unsigned char *p;
	char q[96], nb[16];

	for (p = (const unsigned char *)uri; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return tp_err_set(
			    TP_EUSAGE,
			    "record: rua '%s' contains %s: a "
			    "destination has no spaces or control "
			    "characters",
			    tp_uri_quote(q, sizeof(q), uri, strlen(uri)),
			    tp_uri_char_name(nb, *p));
	return 0;
}

/* Dispatch on the scheme; the result goes to b. */
static int
normalize(struct tp_buf *b, const char *uri)
{
	size_t n = strspn(uri,
	                  "abcdefghijklmnopqrstuvwxyz"
	                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	const char *at = strchr(uri, '@');
	char q[96], q2[96];

	tp_uri_quote(q, sizeof(q), uri, strlen(uri));
	if (uri[n] != ':' || n == 0) {
		if (at != NULL &&
		    (strchr(uri, ':') == NULL || at < strchr(uri, ':')))
			return tp_err_set(TP_EUSAGE,
			                  "record: rua '%s' is a bare address: "
			                  "write 'mailto:%s'",
			                  q, q);
		return tp_err_set(TP_EUSAGE,
		                  "record: rua '%s' has no scheme: use "
		                  "mailto:ADDRESS or https://HOST/PATH",
		                  q);
	}
	if (n == 6 && strncasecmp(uri, "mailto", 6) == 0)
		return norm_mailto(b, uri, uri + 7);
	if (n == 5 && strncasecmp(uri, "https", 5) == 0)
		return norm_https(b, uri, uri + 6);
	tp_uri_quote(q2, sizeof(q2), uri, n);
	return tp_err_set(
	    TP_EUSAGE,
	    "record: rua '%s' uses scheme '%s': RFC 8460 "
	    "reporters send only to mailto: and https:%s",
	    q, q2,
	    n == 4 && strncasecmp(uri, "http", 4) == 0 ? " (use https:)" : "");
}

/* The validator's verdict on one normalised URI, as a usage error: the
 * generator must never emit what the validator warns about. */
static int
check_uri(const char *uri, const char *norm)
{
	struct tp_diags d = TP_DIAGS_INIT;
	struct tp_buf b = TP_BUF_INIT(URI_MAX + 32);
	const struct tp_diag *x = NULL;
	char q[96];
	size_t i;
	int rc;

	tp_buf_adds(&b, "v=TLSRPTv1; rua=");
	tp_buf_adds(&b, norm);
	if (b.err != 0) {
		tp_buf_release(&b);
		return tp_err_set(
		    TP_EUSAGE, "record: rua '%s' is longer than %d bytes",
		    tp_uri_quote(q, sizeof(q), uri, strlen(uri)), URI_MAX);
	}
	if ((rc = tp_record_validate(&d, b.s, b.len)) != 0)
		goto out;
	for (i = 0; i < d.n && x == NULL; i++)
		if (d.v[i].severity != TP_SEV_INFO &&
		    strcmp(d.v[i].code, "https-only") != 0)
			x = &d.v[i];
	if (x != NULL)
		rc = tp_err_set(TP_EUSAGE, "record: rua '%s': %s (%s)",
		                tp_uri_quote(q, sizeof(q), uri, strlen(uri)),
		                x->message, x->hint ? x->hint : x->code);
out:
	tp_diags_release(&d);
	tp_buf_release(&b);
	return rc;
}

int
tp_rua_normalize(char **out, const char *uri)
{
	struct tp_buf b = TP_BUF_INIT(URI_MAX);
	int rc;

	*out = NULL;
	if (uri == NULL || *uri == '\0')
		return tp_err_set(TP_EUSAGE,
		                  "record: empty report destination: give "
		                  "mailto:ADDRESS or https://HOST/PATH");
	if ((rc = raw_ok(uri)) != 0 || (rc = normalize(&b, uri)) != 0)
		goto out;
	if (b.err != 0) {
		rc = tp_err_set(TP_EUSAGE,
		                "record: rua is longer than %d bytes", URI_MAX);
		goto out;
	}
	if ((rc = check_uri(uri, b.s)) != 0)
		goto out;
	*out = tp_buf_detach(&b);
	if (*out == NULL)
		rc = tp_err_set(TP_EINTERNAL, "record: out of memory");
out:
	tp_buf_release(&b);
	return rc;
}

/* The finished record must validate with no error and no warning. */
static int
self_check(const char *rec, size_t len)
{
	struct tp_diags d = TP_DIAGS_INIT;
	size_t i;
	int rc;

	if ((rc = tp_record_validate(&d, rec, len)) != 0)
		return rc;
	for (i = 0; i < d.n; i++)
		if (d.v[i].severity != TP_SEV_INFO)
			break;
	if (i < d.n)
		rc = tp_err_set(TP_EINTERNAL,
		                "record: the generated record fails validation "
		                "([%s] %s): please report this bug",
		                d.v[i].code, d.v[i].message);
	tp_diags_release(&d);
	return rc;
}

static int
join(char **out, const struct tp_strv *uris)
{
	struct tp_buf b = TP_BUF_INIT(RECORD_MAX);
	size_t i, mailto = 0;
	int rc;

	tp_buf_adds(&b, "v=TLSRPTv1; rua=");
	for (i = 0; i < uris->n; i++) {
		if (i > 0)
			tp_buf_addc(&b, ',');
		tp_buf_adds(&b, uris->v[i]);
		mailto += strncmp(uris->v[i], "mailto:", 7) == 0;
	}
	if (b.err != 0) {
		rc = tp_err_set(TP_EUSAGE,
		                "record: %zu destinations make a record longer "
		                "than %d bytes: use fewer",
		                uris->n, RECORD_MAX);
		goto out;
	}
	if (mailto == 0) {
		rc = tp_err_set(TP_EUSAGE,
		                "record: every destination is https: mox never "
		                "posts reports and a Google Workspace mailbox "
		                "cannot be an https endpoint; add a mailto: "
		                "destination");
		goto out;
	}
	if ((rc = self_check(b.s, b.len)) != 0)
		goto out;
	*out = tp_buf_detach(&b);
	if (*out == NULL)
		rc = tp_err_set(TP_EINTERNAL, "record: out of memory");
out:
	tp_buf_release(&b);
	return rc;
}

int
tp_record_build(char **out, const struct tp_strv *rua)
{
	struct tp_strv uris = TP_STRV_INIT;
	char *norm = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (rua->n == 0)
		return tp_err_set(
		    TP_EUSAGE,
		    "record: no report destination: give at least "
		    "one rua (mailto:ADDRESS)");
	for (i = 0; i < rua->n; i++) {
		if ((rc = tp_rua_normalize(&norm, rua->v[i])) != 0)
			goto out;
		if (tp_strv_has(&uris, norm))
			free(norm);
		else if ((rc = tp_strv_take(&uris, norm)) != 0)
			goto out;
		norm = NULL;
	}
	rc = join(out, &uris);
out:
	tp_strv_release(&uris);
	return rc;
}
