/*
 * http.c: HTTPS for the provider backends, the one file that uses libcurl.
 *
 * One easy handle per struct tp_http, reset (which keeps its connection
 * cache) before every attempt, so options never leak from one request to
 * the next while connections are reused. What is retried and when is
 * decided in decide() below; the debug dump lives in dump_attempt() and
 * core/redact.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "http_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/http.h"
#include "tlsrpt/version.h"

#define USER_AGENT       "tlsrpt-publish/" TP_VERSION
#define MAX_HEADERS      200
#define HEADER_BYTES_MAX (256 * 1024)
#define DUMP_HEADERS_MAX (64 * 1024)

struct tp_http {
	CURL *curl;
	struct tp_http_opts o;
	char *cacert;
	unsigned long requests;
	unsigned long handshakes;
	uint64_t rng;
	char errbuf[CURL_ERROR_SIZE];
};

/* One attempt's state, shared with the libcurl callbacks. */
struct attempt {
	struct tp_buf body;
	size_t max;
	int too_big;
	struct tp_strv hdrs;
	size_t hdr_bytes;
	char *status_line;
	struct tp_buf dump_out; /* request header block, when debugging */
	const char *up;         /* request body fed by on_read */
	size_t up_len;
	size_t up_off;
	CURLcode code;
	long request_size;
	long connects;
	double seconds;
};

int
tp_http_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return tp_err_set(TP_EINTERNAL,
		                  "http: libcurl failed to start");
	/* libxml2 (debug dumps of XML bodies) wants its set-up done once
	 * before threads start. */
	xmlInitParser();
	return 0;
}

void
tp_http_global_cleanup(void)
{
	curl_global_cleanup();
}

int
tp_http_new(struct tp_http **out, const struct tp_http_opts *o)
{
	struct tp_http *h;
	struct timespec ts;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return tp_err_set(TP_EINTERNAL, "http: out of memory");
	if (o != NULL)
		h->o = *o;
	if (h->o.cacert != NULL && (h->cacert = strdup(h->o.cacert)) == NULL)
		goto nomem;
	h->o.cacert = h->cacert;
	if (h->o.connect_timeout_ms <= 0)
		h->o.connect_timeout_ms = 10000;
	if (h->o.timeout_ms <= 0)
		h->o.timeout_ms = 30000;
	if (h->o.max_response == 0)
		h->o.max_response = 4 * 1024 * 1024;
	if (h->o.max_retries < 0)
		h->o.max_retries = 5;
	if (h->o.backoff_base <= 0)
		h->o.backoff_base = 0.5;
	if (h->o.backoff_cap <= 0)
		h->o.backoff_cap = 30;
	if (h->o.max_retry_after <= 0)
		h->o.max_retry_after = 120;
	if ((h->curl = curl_easy_init()) == NULL)
		goto nomem;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	    (uint64_t)(uintptr_t)h;
	if (h->rng == 0)
		h->rng = 0x9e3779b97f4a7c15ULL;
	*out = h;
	return 0;
nomem:
	tp_http_free(h);
	return tp_err_set(TP_EINTERNAL, "http: out of memory");
}

void
tp_http_free(struct tp_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h->cacert);
	free(h);
}

void
tp_http_stats(const struct tp_http *h, unsigned long *requests,
              unsigned long *handshakes)
{
	if (requests != NULL)
		*requests = h->requests;
	if (handshakes != NULL)
		*handshakes = h->handshakes;
}

double
tp_http_parse_retry_after(const char *value, time_t now)
{
	const char *p = value;
	double secs = 0;
	time_t t;

	if (value == NULL)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p >= '0' && *p <= '9') {
		for (; *p >= '0' && *p <= '9'; p++)
			if (secs < 1e9)
				secs = secs * 10 + (*p - '0');
		while (*p == ' ' || *p == '\t')
			p++;
		return *p == '\0' ? secs : -1;
	}
	t = curl_getdate(p, NULL);
	if (t == (time_t)-1)
		return -1;
	return t > now ? (double)(t - now) : 0;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct attempt *a = ctx;
	size_t n = size * nmemb;

	if (n > a->max - a->body.len) {
		a->too_big = 1;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	tp_buf_add(&a->body, data, n);
	return a->body.err ? 0 : n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct attempt *a = ctx;
	size_t n = size * nmemb, len = n;

	a->hdr_bytes += n;
	if (a->hdr_bytes > HEADER_BYTES_MAX)
		return 0;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue): start over. */
		tp_strv_release(&a->hdrs);
		free(a->status_line);
		a->status_line = strndup(data, len);
	} else if (len > 0 && a->hdrs.n < MAX_HEADERS) {
		if (tp_strv_addn(&a->hdrs, data, len) != 0)
			return 0;
	}
	return n;
}

static size_t
on_read(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct attempt *a = ctx;
	size_t n = size * nitems;

	if (n > a->up_len - a->up_off)
		n = a->up_len - a->up_off;
	memcpy(buf, a->up + a->up_off, n);
	a->up_off += n;
	return n;
}

/* Refusing to rewind is what stops libcurl from quietly resending a
 * request whose reused connection died before any reply. */
static int
on_seek(void *ctx, curl_off_t offset, int origin)
{
	(void)ctx;
	(void)offset;
	(void)origin;
	return CURL_SEEKFUNC_CANTSEEK;
}

static int
on_debug(CURL *c, curl_infotype type, char *data, size_t n, void *ctx)
{
	struct attempt *a = ctx;

	(void)c;
	if (type == CURLINFO_HEADER_OUT)
		tp_buf_add(&a->dump_out, data, n);
	return 0;
}

static int
debugging(const struct tp_http *h)
{
	const struct tp_sink *s = h->o.sink;

	return s != NULL && s->log != NULL && s->level >= TP_LOG_DEBUG;
}

/* "Name: value" for libcurl; an empty value needs "Name;". */
static int
add_header(struct curl_slist **l, const struct tp_http_header *hd)
{
	struct tp_buf b = TP_BUF_INIT(64 * 1024);
	struct curl_slist *nl;

	if (hd->value[0] == '\0')
		tp_buf_addf(&b, "%s;", hd->name);
	else
		tp_buf_addf(&b, "%s: %s", hd->name, hd->value);
	nl = b.err ? NULL : curl_slist_append(*l, b.s);
	tp_wipe(b.s, b.len);
	tp_buf_release(&b);
	if (nl == NULL)
		return tp_err_set(TP_EINTERNAL,
		                  "http: header '%s' too long or no memory",
		                  hd->name);
	*l = nl;
	return 0;
}

static void
slist_free_wiped(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next)
		tp_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static int
build_headers(struct curl_slist **l, const struct tp_http_req *req,
              const struct tp_http_extra *x, const char *host)
{
	struct curl_slist *nl;
	size_t i;
	int rc;

	*l = NULL;
	rc = tp_http_check_headers(req->headers, req->nheaders, host);
	if (rc == 0)
		rc = tp_http_check_headers(x->h, x->n, host);
	for (i = 0; rc == 0 && i < req->nheaders; i++)
		rc = add_header(l, &req->headers[i]);
	for (i = 0; rc == 0 && i < x->n; i++)
		rc = add_header(l, &x->h[i]);
	/* "Expect:" with no value removes the header: no 100-continue
	 * round trip, our bodies are small. */
	if (rc == 0 && (nl = curl_slist_append(*l, "Expect:")) == NULL)
		rc = tp_err_set(TP_EINTERNAL, "http: out of memory");
	else if (rc == 0)
		*l = nl;
	if (rc != 0) {
		slist_free_wiped(*l);
		*l = NULL;
	}
	return rc;
}

/*
 * libcurl resends a request by itself when a reused connection dies
 * before any reply ("Connection died, retrying a fresh connect"). For a
 * request that must not be resent, the body goes through a read callback
 * that cannot rewind, which turns that resend into an error; one without
 * a body gets a fresh connection instead.
 */
static void
set_method(CURL *c, const struct tp_http_req *req, struct attempt *a)
{
	int has_body = req->body != NULL;

	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (!has_body && strcmp(req->method, "DELETE") == 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	} else {
		/* POST, PUT and PATCH always send a length, 0 when empty. */
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)(has_body ? req->body_len : 0));
		if (req->idempotent || !has_body) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS,
			                 has_body ? req->body : "");
		} else {
			a->up = req->body;
			a->up_len = req->body_len;
			curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(c, CURLOPT_READDATA, a);
			curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
		}
	}
	if (!req->idempotent && !has_body)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
}

/*
 * Parse the URL with libcurl's own parser (and hand libcurl that parse),
 * so the host checked here is exactly the host it connects to.
 */
static int
check_request(struct tp_http_target *t, CURLU **out,
              const struct tp_http_req *req)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *user = NULL;
	int rc = 0;

	*out = NULL;
	memset(t, 0, sizeof(*t));
	if ((rc = tp_http_check_method(req->method)) != 0)
		return rc;
	if (req->url == NULL || (u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, req->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = tp_err_set(
		    TP_EUSAGE,
		    "http: malformed URL: check the API URL setting");
		goto out;
	}
	(void)snprintf(t->host, sizeof(t->host), "%s", host);
	t->local = tp_http_host_is_local(host);
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		rc = tp_err_set(TP_EUSAGE,
		                "http: the URL for '%s' holds a user name or "
		                "password: remove it and use the provider's "
		                "credential settings",
		                t->host);
		goto out;
	}
	if (strcmp(scheme, "http") == 0 && req->allow_http && t->local) {
		t->plain = 1;
	} else if (strcmp(scheme, "https") != 0) {
		rc = tp_err_set(TP_EUSAGE,
		                "http: refusing %s:// to '%s': only https is "
		                "used (plain http only for instance metadata "
		                "on loopback or link-local addresses)",
		                scheme, t->host);
		goto out;
	}
	*out = u;
	u = NULL;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

static void
set_options(struct tp_http *h, const struct tp_http_req *req,
            const struct tp_http_target *t, CURLU *u, struct curl_slist *hl,
            struct attempt *a)
{
	CURL *c = h->curl;

	curl_easy_reset(c); /* keeps the connection cache */
	curl_easy_setopt(c, CURLOPT_CURLU, u);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, t->plain ? "http" : "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (h->o.cacert != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->o.cacert);
	if (t->local) /* a proxy never reaches loopback or link-local */
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 req->connect_timeout_ms > 0 ? req->connect_timeout_ms
	                                             : h->o.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	                 req->timeout_ms > 0 ? req->timeout_ms
	                                     : h->o.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)h->o.max_response);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	if (debugging(h)) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(c, CURLOPT_DEBUGDATA, a);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	set_method(c, req, a);
}

/* Move what the attempt collected into resp. */
static int
fill_resp(struct tp_http *h, struct attempt *a, struct tp_http_resp *resp)
{
	char *ct = NULL;
	long status = 0;

	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(h->curl, CURLINFO_REQUEST_SIZE, &a->request_size);
	curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &a->connects);
	curl_easy_getinfo(h->curl, CURLINFO_TOTAL_TIME, &a->seconds);
	resp->status = status;
	resp->body_len = a->body.err ? 0 : a->body.len;
	resp->body = tp_buf_detach(&a->body);
	if (resp->body == NULL)
		resp->body = strdup("");
	resp->headers = a->hdrs;
	memset(&a->hdrs, 0, sizeof(a->hdrs));
	resp->retry_after = tp_http_parse_retry_after(
	    tp_http_resp_header(resp, "Retry-After"), time(NULL));
	if (ct != NULL)
		resp->content_type = strdup(ct);
	if (resp->body == NULL || (ct != NULL && resp->content_type == NULL))
		return tp_err_set(TP_EINTERNAL, "http: out of memory");
	return 0;
}

static void
attempt_release(struct attempt *a)
{
	tp_wipe(a->body.s, a->body.len);
	tp_buf_release(&a->body);
	tp_strv_release(&a->hdrs);
	free(a->status_line);
	tp_wipe(a->dump_out.s, a->dump_out.len);
	tp_buf_release(&a->dump_out);
}

/* One attempt: prepare hook, transfer, resp filled. Returns 0 (even
 * when the transfer failed: see a->code) or an error that ends the
 * request (prepare hook, bad header, no memory). */
static int
perform(struct tp_http *h, const struct tp_http_req *req,
        const struct tp_http_target *t, CURLU *u, struct tp_http_resp *resp,
        int n, int max, struct attempt *a)
{
	struct tp_http_extra extra;
	struct curl_slist *hl = NULL;
	int rc;

	memset(&extra, 0, sizeof(extra));
	tp_http_resp_clear(resp);
	h->errbuf[0] = '\0';
	if (req->prepare != NULL &&
	    (rc = req->prepare(req->prepare_ctx, req, &extra)) != 0)
		goto out;
	if ((rc = build_headers(&hl, req, &extra, t->host)) != 0)
		goto out;
	set_options(h, req, t, u, hl, a);
	a->code = curl_easy_perform(h->curl);
	h->requests++;
	rc = fill_resp(h, a, resp);
	h->handshakes += (unsigned long)(a->connects > 0 ? a->connects : 0);
	if (debugging(h))
		tp_http_dump(h->o.sink, req, &extra, a->dump_out.s,
		             a->status_line, resp, a->code ? h->errbuf : NULL,
		             a->seconds, a->connects > 0, n, max);
out:
	slist_free_wiped(hl);
	tp_http_extra_release(&extra);
	return rc;
}

static void
outcome_from(struct tp_http_outcome *oc, const struct attempt *a,
             const struct tp_http *h)
{
	memset(oc, 0, sizeof(*oc));
	oc->failed = a->code != CURLE_OK;
	oc->too_big = a->too_big || a->code == CURLE_FILESIZE_EXCEEDED;
	oc->sent = a->request_size > 0;
	oc->error =
	    h->errbuf[0] != '\0' ? h->errbuf : curl_easy_strerror(a->code);
	switch (a->code) {
	case CURLE_OK:
		oc->kind = TP_HTTP_FAIL_NONE;
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		/* The request cannot have left: nothing was connected. */
		oc->kind = TP_HTTP_FAIL_CONNECT;
		oc->sent = 0;
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		oc->kind = TP_HTTP_FAIL_TLS;
		oc->sent = 0;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		oc->kind = TP_HTTP_FAIL_TIMEOUT;
		break;
	case CURLE_SEND_FAIL_REWIND:
		/* libcurl wanted to resend what it had sent (see
		 * set_method): the first copy may have arrived. */
		oc->kind = TP_HTTP_FAIL_RESET;
		oc->sent = 1;
		break;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		oc->kind = TP_HTTP_FAIL_RESET;
		break;
	default:
		oc->kind = TP_HTTP_FAIL_OTHER;
		break;
	}
}

int
tp_http_do(struct tp_http *h, const struct tp_http_req *req,
           struct tp_http_resp *resp)
{
	struct tp_http_target t;
	struct tp_http_outcome oc;
	struct attempt a;
	CURLU *u = NULL;
	char why[256];
	double delay = 0;
	int n, max, rc;

	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	if ((rc = check_request(&t, &u, req)) != 0) {
		resp->body = strdup("");
		return rc;
	}
	max = req->no_retry ? 0 : h->o.max_retries;
	for (n = 0;; n++) {
		if (h->o.stop != NULL && *h->o.stop) {
			rc = tp_err_set(TP_EINTR,
			                "http: interrupted before %s to '%s'",
			                req->method, t.host);
			break;
		}
		if (h->o.limiter != NULL &&
		    (rc = tp_ratelimit_take(h->o.limiter, h->o.stop)) != 0)
			break;
		memset(&a, 0, sizeof(a));
		tp_buf_init(&a.body, h->o.max_response);
		tp_buf_init(&a.dump_out, DUMP_HEADERS_MAX);
		a.max = h->o.max_response;
		rc = perform(h, req, &t, u, resp, n, max, &a);
		resp->attempts = n + 1;
		outcome_from(&oc, &a, h);
		attempt_release(&a);
		if (rc != 0)
			break;
		rc = tp_http_decide(&h->rng, &h->o, req, &t, resp, &oc, n, max,
		                    &delay, why, sizeof(why));
		if (rc != 1)
			break;
		tp_sink_log(h->o.sink, TP_LOG_INFO,
		            "http: %s to '%s': %s; retry %d of %d in %.1f s",
		            req->method, t.host, why, n + 1, max, delay);
		if ((rc = tp_http_nap(h->o.stop, delay, t.host)) != 0)
			break;
	}
	curl_url_cleanup(u);
	if (resp->body == NULL)
		resp->body = strdup("");
	return rc;
}
