/*
 * sigv4_http.c: SigV4 as a struct tp_http_req prepare hook: split the URL
 * into what goes on the wire (Host, path, query), sign it, and hand the
 * headers to the HTTP layer for this one attempt.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#include "sigv4.h"

#define HDR_MAX 24 /* request headers we sign, plus Host */

struct url_parts {
	char *host; /* Host header value */
	char *path; /* as sent */
	char *query;
};

static void
url_parts_release(struct url_parts *u)
{
	free(u->host);
	free(u->path);
	free(u->query);
	memset(u, 0, sizeof(*u));
}

static char *
dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/*
 * The Host header botocore would compute: host lower-cased, IPv6 kept in
 * brackets, ":port" only when it is not the scheme's default.
 */
static char *
host_header(const char *auth, size_t n, int https)
{
	struct tp_buf b = TP_BUF_INIT(1024);
	const char *port = NULL, *end = auth + n, *p;

	if (n > 0 && auth[0] == '[') {
		p = memchr(auth, ']', n);
		if (p == NULL)
			return NULL;
		p++;
	} else {
		p = memchr(auth, ':', n);
		if (p == NULL)
			p = end;
	}
	if (p < end) {
		if (*p != ':')
			return NULL;
		port = p + 1;
	}
	for (; auth < p; auth++)
		tp_buf_addc(&b, (char)tolower((unsigned char)*auth));
	if (port != NULL && port < end &&
	    !((size_t)(end - port) == 3 && https &&
	      strncmp(port, "443", 3) == 0) &&
	    !((size_t)(end - port) == 2 && !https &&
	      strncmp(port, "80", 2) == 0)) {
		tp_buf_addc(&b, ':');
		tp_buf_add(&b, port, (size_t)(end - port));
	}
	if (b.len == 0 || (b.len > 0 && b.s[0] == ':'))
		b.err = TP_EUSAGE;
	return tp_buf_detach(&b);
}

static int
parse_url(struct url_parts *u, const char *url)
{
	const char *a, *e, *q, *f;
	int https;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "https://", 8) == 0)
		https = 1;
	else if (strncasecmp(url, "http://", 7) == 0)
		https = 0;
	else
		return tp_err_set(TP_EUSAGE,
		                  "sigv4: cannot sign '%s': not an http(s) URL",
		                  url);
	a = url + (https ? 8 : 7);
	e = a + strcspn(a, "/?#");
	if (memchr(a, '@', (size_t)(e - a)) != NULL)
		return tp_err_set(TP_EUSAGE,
		                  "sigv4: cannot sign a URL with user "
		                  "information: remove the 'user@' part");
	f = e + strcspn(e, "#");
	q = memchr(e, '?', (size_t)(f - e));
	u->host = host_header(a, (size_t)(e - a), https);
	u->path = *e == '/' ? dupn(e, (size_t)((q ? q : f) - e)) : dupn("/", 1);
	u->query = q ? dupn(q + 1, (size_t)(f - q - 1)) : dupn("", 0);
	if (u->host == NULL || u->path == NULL || u->query == NULL) {
		url_parts_release(u);
		return tp_err_set(TP_EUSAGE,
		                  "sigv4: cannot sign '%s': bad "
		                  "host or out of memory",
		                  url);
	}
	return 0;
}

/* Request headers plus Host when the request has none. */
static int
gather_headers(struct tp_http_header *h, size_t *n, int *has_host,
               const struct tp_http_req *req, const char *host)
{
	size_t i;

	*n = 0;
	*has_host = 0;
	if (req->nheaders + 1 > HDR_MAX)
		return tp_err_set(TP_EINTERNAL, "sigv4: too many headers");
	for (i = 0; i < req->nheaders; i++) {
		h[(*n)++] = req->headers[i];
		if (strcasecmp(req->headers[i].name, "host") == 0)
			*has_host = 1;
	}
	if (!*has_host) {
		h[*n].name = "Host";
		h[*n].value = host;
		h[*n].secret = 0;
		(*n)++;
	}
	return 0;
}

static int
add_extra(struct tp_http_extra *x, const struct tp_sigv4_signer *s,
          const struct tp_sigv4_out *o, const char *host, int has_host)
{
	const char *tok = s->key.session_token;
	int rc = 0;

	if (!has_host)
		rc = tp_http_extra_add(x, "Host", host, 0);
	if (rc == 0)
		rc = tp_http_extra_add(x, "X-Amz-Date", o->amz_date, 0);
	if (rc == 0 && (s->flags & TP_SIGV4_CONTENT_SHA256))
		rc = tp_http_extra_add(x, "X-Amz-Content-Sha256",
		                       o->payload_hash, 0);
	if (rc == 0 && tok != NULL && *tok != '\0')
		rc = tp_http_extra_add(x, "X-Amz-Security-Token", tok, 1);
	if (rc == 0)
		rc = tp_http_extra_add(x, "Authorization", o->authorization, 1);
	return rc;
}

int
tp_sigv4_prepare(void *ctx, const struct tp_http_req *req,
                 struct tp_http_extra *extra)
{
	const struct tp_sigv4_signer *s = ctx;
	struct tp_http_header h[HDR_MAX];
	struct tp_sigv4_params p;
	struct tp_sigv4_req r;
	struct tp_sigv4_out o;
	struct url_parts u;
	int rc, has_host;
	size_t n;

	memset(&o, 0, sizeof(o));
	if ((rc = parse_url(&u, req->url)) != 0)
		return rc;
	if ((rc = gather_headers(h, &n, &has_host, req, u.host)) != 0)
		goto out;
	memset(&p, 0, sizeof(p));
	p.region = s->region;
	p.service = s->service;
	p.now = s->now ? s->now(s->now_ctx) : time(NULL);
	p.flags = s->flags & (TP_SIGV4_CONTENT_SHA256 | TP_SIGV4_NO_NORMALIZE);
	memset(&r, 0, sizeof(r));
	r.method = req->method;
	r.path = u.path;
	r.query = u.query;
	r.headers = h;
	r.nheaders = n;
	r.body = req->body;
	r.body_len = req->body ? req->body_len : 0;
	if ((rc = tp_sigv4_sign(&o, &s->key, &p, &r)) != 0)
		goto out;
	rc = add_extra(extra, s, &o, u.host, has_host);
out:
	tp_sigv4_out_release(&o);
	url_parts_release(&u);
	return rc;
}
