/*
 * sigv4_canon.c: the canonical request of SigV4: URI (normalised, encoded
 * twice), query (decoded, re-encoded, sorted), headers (lower-cased,
 * trimmed, joined, sorted) and the signed-header list.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#include "sigv4_int.h"

/* One query parameter or header line of the canonical request. */
struct kv {
	char *k;
	char *v;
	size_t seq; /* input order: repeated header values keep it */
};

struct kvlist {
	struct kv *a;
	size_t n;
	size_t alloc;
};

static void
kvlist_release(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		tp_free_secret(l->a[i].k);
		tp_free_secret(l->a[i].v);
	}
	free(l->a);
	memset(l, 0, sizeof(*l));
}

/* Take k and v (both freed on failure). */
static int
kvlist_take(struct kvlist *l, char *k, char *v)
{
	struct kv *p;
	size_t nalloc;

	if (k == NULL || v == NULL)
		goto fail;
	if (l->n == l->alloc) {
		nalloc = l->alloc ? l->alloc * 2 : 16;
		p = realloc(l->a, nalloc * sizeof(*p));
		if (p == NULL)
			goto fail;
		l->a = p;
		l->alloc = nalloc;
	}
	l->a[l->n].k = k;
	l->a[l->n].v = v;
	l->a[l->n].seq = l->n;
	l->n++;
	return 0;
fail:
	tp_free_secret(k);
	tp_free_secret(v);
	return tp_err_set(TP_EINTERNAL, "sigv4: out of memory");
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int c;

	if ((c = strcmp(x->k, y->k)) != 0)
		return c;
	if ((c = strcmp(x->v, y->v)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
kv_cmp_key_seq(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int c;

	if ((c = strcmp(x->k, y->k)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
is_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 3986 percent-encoding; '/' kept when keep_slash. */
void
tp_sigv4_uri_encode(struct tp_buf *b, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/')) {
			tp_buf_addc(b, (char)c);
			continue;
		}
		tp_buf_addc(b, '%');
		tp_buf_addc(b, hex[c >> 4]);
		tp_buf_addc(b, hex[c & 0xf]);
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode s[0..n); a '%' not followed by two hex digits stays. */
static void
uri_decode(struct tp_buf *b, const char *s, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			tp_buf_addc(b, (char)(hi << 4 | lo));
			i += 2;
			continue;
		}
		tp_buf_addc(b, s[i]);
	}
}

/* Decode then encode s[0..n): the canonical form of a query part. */
static char *
query_part(const char *s, size_t n)
{
	struct tp_buf raw = TP_BUF_INIT(TP_SIGV4_CANON_MAX);
	struct tp_buf enc = TP_BUF_INIT(TP_SIGV4_CANON_MAX);
	char *out;

	uri_decode(&raw, s, n);
	tp_sigv4_uri_encode(&enc, raw.s, raw.len, 0);
	if (raw.err && !enc.err)
		enc.err = raw.err;
	tp_wipe(raw.s, raw.len);
	tp_buf_release(&raw);
	out = tp_buf_detach(&enc);
	return out;
}

/*
 * RFC 3986 5.2.4 dot-segment removal plus dropping empty segments, as
 * botocore and AWS's suite do for every service but S3; a trailing
 * slash survives when anything is left.
 */
static void
normalize_path(struct tp_buf *b, const char *path)
{
	const char *seg[512], *p, *e;
	size_t segn[512], n = 0, i, len = strlen(path);

	for (p = path; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p || (e - p == 1 && p[0] == '.'))
			continue;
		if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (n > 0)
				n--;
			continue;
		}
		if (n == sizeof(seg) / sizeof(seg[0])) {
			b->err = TP_EUSAGE; /* absurdly deep: refuse */
			return;
		}
		seg[n] = p;
		segn[n++] = (size_t)(e - p);
	}
	if (len > 0 && path[0] == '/')
		tp_buf_addc(b, '/');
	for (i = 0; i < n; i++) {
		if (i > 0)
			tp_buf_addc(b, '/');
		tp_buf_add(b, seg[i], segn[i]);
	}
	if (n > 0 && len > 0 && path[len - 1] == '/')
		tp_buf_addc(b, '/');
}

static void
canonical_uri(struct tp_buf *out, const char *path, unsigned int flags)
{
	struct tp_buf norm = TP_BUF_INIT(TP_SIGV4_CANON_MAX);

	if (path == NULL || *path == '\0')
		path = "/";
	if (flags & TP_SIGV4_NO_NORMALIZE)
		tp_buf_adds(&norm, path);
	else
		normalize_path(&norm, path);
	if (norm.len == 0)
		tp_buf_addc(&norm, '/');
	if (norm.err)
		out->err = norm.err;
	tp_sigv4_uri_encode(out, norm.s, norm.len, 1);
	tp_buf_release(&norm);
}

/* Split the query as sent into canonical (encoded) pairs. */
static int
parse_query(struct kvlist *l, const char *q)
{
	const char *p, *e, *eq;
	int rc;

	if (q == NULL)
		return 0;
	for (p = q; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '&');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p)
			continue;
		eq = memchr(p, '=', (size_t)(e - p));
		if (eq == NULL)
			eq = e;
		rc = kvlist_take(
		    l, query_part(p, (size_t)(eq - p)),
		    query_part(eq + (eq < e), (size_t)(e - eq) - (eq < e)));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Headers never signed: hop or client details botocore leaves out, and
 * the ones the signer adds itself. */
static int
skip_header(const char *lname)
{
	static const char *const skip[] = {
	    "authorization",        "user-agent", "expect",
	    "x-amzn-trace-id",      "x-amz-date", "x-amz-security-token",
	    "x-amz-content-sha256", NULL};
	size_t i;

	for (i = 0; skip[i] != NULL; i++)
		if (strcmp(lname, skip[i]) == 0)
			return 1;
	return 0;
}

static char *
lower_name(const char *name)
{
	struct tp_buf b = TP_BUF_INIT(1024);
	const char *p;

	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == ':' || *p == 0x7f) {
			b.err = TP_EUSAGE;
			break;
		}
		tp_buf_addc(&b, (char)tolower((unsigned char)*p));
	}
	if (b.len == 0)
		b.err = TP_EUSAGE;
	return tp_buf_detach(&b);
}

/* Trim, and collapse inner runs of whitespace into one space. */
static char *
header_value(const char *v)
{
	struct tp_buf b = TP_BUF_INIT(TP_SIGV4_CANON_MAX);
	int space = 0;

	for (; *v != '\0'; v++) {
		if (isspace((unsigned char)*v)) {
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			tp_buf_addc(&b, ' ');
		space = 0;
		tp_buf_addc(&b, *v);
	}
	return tp_buf_detach(&b);
}

static int
add_header(struct kvlist *l, const char *name, const char *value)
{
	char *k, *v;

	if ((k = lower_name(name)) == NULL)
		return tp_err_set(TP_EUSAGE, "sigv4: bad header name '%s'",
		                  name);
	v = header_value(value ? value : "");
	return kvlist_take(l, k, v);
}

/* The headers to sign: the request's, plus the signer's own. */
static int
collect_headers(struct kvlist *l, const struct tp_sigv4_key *key,
                const struct tp_sigv4_params *p, const struct tp_sigv4_req *req,
                const char *payload_hash, const char *amz_date)
{
	const char *tok = key->session_token;
	size_t i;
	int rc, host = 0;
	char *k;

	for (i = 0; i < req->nheaders; i++) {
		if ((k = lower_name(req->headers[i].name)) == NULL)
			return tp_err_set(TP_EUSAGE,
			                  "sigv4: bad header name '%s'",
			                  req->headers[i].name);
		host |= strcmp(k, "host") == 0;
		if (skip_header(k)) {
			free(k);
			continue;
		}
		free(k);
		rc = add_header(l, req->headers[i].name, req->headers[i].value);
		if (rc != 0)
			return rc;
	}
	if (!host)
		return tp_err_set(TP_EUSAGE,
		                  "sigv4: the request has no Host header");
	if (p->flags & TP_SIGV4_PRESIGN)
		return 0;
	if ((rc = add_header(l, "x-amz-date", amz_date)) != 0)
		return rc;
	if ((p->flags & TP_SIGV4_CONTENT_SHA256) &&
	    (rc = add_header(l, "x-amz-content-sha256", payload_hash)) != 0)
		return rc;
	if (tok != NULL && *tok != '\0' && !(p->flags & TP_SIGV4_OMIT_TOKEN))
		rc = add_header(l, "x-amz-security-token", tok);
	return rc;
}

/* "k:v1,v2\n" per name, and "k1;k2": l sorted by name, then input order. */
static void
canonical_headers(struct tp_buf *canon, struct tp_buf *names, struct kvlist *l)
{
	size_t i;

	if (l->n > 1)
		qsort(l->a, l->n, sizeof(*l->a), kv_cmp_key_seq);
	for (i = 0; i < l->n; i++) {
		if (i > 0 && strcmp(l->a[i].k, l->a[i - 1].k) == 0) {
			tp_buf_addc(canon, ',');
			tp_buf_adds(canon, l->a[i].v);
			continue;
		}
		if (i > 0) {
			tp_buf_addc(canon, '\n');
			tp_buf_addc(names, ';');
		}
		tp_buf_adds(canon, l->a[i].k);
		tp_buf_addc(canon, ':');
		tp_buf_adds(canon, l->a[i].v);
		tp_buf_adds(names, l->a[i].k);
	}
	tp_buf_addc(canon, '\n');
}

/* Add a parameter given raw (not yet encoded). */
static int
add_query_raw(struct kvlist *l, const char *k, const char *v)
{
	struct tp_buf a = TP_BUF_INIT(TP_SIGV4_CANON_MAX),
	              b = TP_BUF_INIT(TP_SIGV4_CANON_MAX);

	tp_sigv4_uri_encode(&a, k, strlen(k), 0);
	tp_sigv4_uri_encode(&b, v, strlen(v), 0);
	return kvlist_take(l, tp_buf_detach(&a), tp_buf_detach(&b));
}

static void
canonical_query(struct tp_buf *b, struct kvlist *l)
{
	size_t i;

	if (l->n > 1) /* qsort wants a non-NULL base even for none */
		qsort(l->a, l->n, sizeof(*l->a), kv_cmp);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			tp_buf_addc(b, '&');
		tp_buf_adds(b, l->a[i].k);
		tp_buf_addc(b, '=');
		tp_buf_adds(b, l->a[i].v);
	}
}

/* X-Amz-* parameters of a presigned request, raw. */
static int
presign_params(struct kvlist *q, const struct tp_sigv4_key *key,
               const struct tp_sigv4_params *p, const char *cred,
               const char *amz_date, const char *signed_headers)
{
	char exp[24];
	int rc;

	snprintf(exp, sizeof(exp), "%ld", p->expires);
	if ((rc = add_query_raw(q, "X-Amz-Algorithm", TP_SIGV4_ALGORITHM)) !=
	        0 ||
	    (rc = add_query_raw(q, "X-Amz-Credential", cred)) != 0 ||
	    (rc = add_query_raw(q, "X-Amz-Date", amz_date)) != 0 ||
	    (rc = add_query_raw(q, "X-Amz-Expires", exp)) != 0 ||
	    (rc = add_query_raw(q, "X-Amz-SignedHeaders", signed_headers)) != 0)
		return rc;
	if (key->session_token != NULL && *key->session_token != '\0' &&
	    !(p->flags & TP_SIGV4_OMIT_TOKEN))
		rc = add_query_raw(q, "X-Amz-Security-Token",
		                   key->session_token);
	return rc;
}

/* Fill out->canonical_request and out->signed_headers. */
int
tp_sigv4_canonical(struct tp_sigv4_out *out, const struct tp_sigv4_key *key,
                   const struct tp_sigv4_params *p,
                   const struct tp_sigv4_req *req, const char *cred)
{
	struct kvlist h = {0}, q = {0};
	struct tp_buf canon = TP_BUF_INIT(TP_SIGV4_CANON_MAX);
	struct tp_buf hdrs = TP_BUF_INIT(TP_SIGV4_CANON_MAX);
	struct tp_buf names = TP_BUF_INIT(TP_SIGV4_CANON_MAX);
	int rc;

	if ((rc = collect_headers(&h, key, p, req, out->payload_hash,
	                          out->amz_date)) != 0)
		goto out;
	canonical_headers(&hdrs, &names, &h);
	if (names.err) {
		rc = tp_err_set(TP_EUSAGE, "sigv4: headers too large to sign");
		goto out;
	}
	if ((rc = parse_query(&q, req->query)) != 0)
		goto out;
	if ((p->flags & TP_SIGV4_PRESIGN) &&
	    (rc = presign_params(&q, key, p, cred, out->amz_date, names.s)) !=
	        0)
		goto out;
	tp_buf_adds(&canon, req->method);
	tp_buf_addc(&canon, '\n');
	canonical_uri(&canon, req->path, p->flags);
	tp_buf_addc(&canon, '\n');
	canonical_query(&canon, &q);
	tp_buf_addc(&canon, '\n');
	tp_buf_add(&canon, hdrs.s, hdrs.len);
	tp_buf_addc(&canon, '\n');
	tp_buf_add(&canon, names.s, names.len);
	tp_buf_addc(&canon, '\n');
	tp_buf_adds(&canon, out->payload_hash);
	if (canon.err || hdrs.err) {
		rc = tp_err_set(TP_EUSAGE, "sigv4: request too large to sign");
		goto out;
	}
	out->canonical_request = tp_buf_detach(&canon);
	out->signed_headers = tp_buf_detach(&names);
	if (out->canonical_request == NULL || out->signed_headers == NULL)
		rc = tp_err_set(TP_EINTERNAL, "sigv4: out of memory");
out:
	kvlist_release(&h);
	kvlist_release(&q);
	tp_wipe(canon.s, canon.len);
	tp_wipe(hdrs.s, hdrs.len);
	tp_buf_release(&canon);
	tp_buf_release(&hdrs);
	tp_buf_release(&names);
	return rc;
}
