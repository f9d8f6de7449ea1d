/*
 * test_http.c: the HTTP layer against a real local HTTPS server
 * (tests/harness/httpsd.py, test CA made at start, verification on):
 * connection reuse, retries and Retry-After, the no-resend rule for
 * requests that may have been applied, size cap, timeouts, the rate
 * limiter, stop, and what may be sent at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cJSON.h>
#include <pthread.h>

#include "httpsd.h"
#include "tlsrpt/err.h"
#include "tlsrpt/http.h"
#include "tlsrpt/version.h"

static struct httpsd srv;
static struct tp_http *ctl; /* reads server counters, its own connection */
static int unique;

static const char *
url(const char *fmt, ...)
{
	static char buf[4][512];
	static int k;
	char path[400];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	k = (k + 1) % 4;
	(void)snprintf(buf[k], sizeof(buf[k]), "https://127.0.0.1:%d%s",
	               srv.port, path);
	return buf[k];
}

/* A fresh script id, so every test has its own counters. */
static const char *
sid(void)
{
	static char buf[32];

	(void)snprintf(buf, sizeof(buf), "t%d", ++unique);
	return buf;
}

static struct tp_http *
client(struct tp_http_opts *o)
{
	struct tp_http_opts d;
	struct tp_http *h = NULL;

	if (o == NULL) {
		memset(&d, 0, sizeof(d));
		d.max_retries = -1; /* the default: 5 (0 means none) */
		o = &d;
	}
	if (o->cacert == NULL)
		o->cacert = srv.ca;
	if (o->backoff_base == 0)
		o->backoff_base = 0.02;
	if (o->backoff_cap == 0)
		o->backoff_cap = 0.1;
	assert_int_equal(tp_http_new(&h, o), 0);
	return h;
}

static int
get(struct tp_http *h, const char *u, struct tp_http_resp *r)
{
	struct tp_http_req req;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = u;
	req.idempotent = 1;
	return tp_http_do(h, &req, r);
}

static int
post(struct tp_http *h, const char *u, const char *body, struct tp_http_resp *r)
{
	struct tp_http_req req;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = u;
	req.body = body;
	req.body_len = strlen(body);
	req.idempotent = 0;
	return tp_http_do(h, &req, r);
}

/* How many requests the server saw for script id. */
static long
count(const char *id)
{
	struct tp_http_resp r;
	long n;

	assert_int_equal(get(ctl, url("/count/%s", id), &r), 0);
	n = strtol(r.body, NULL, 10);
	tp_http_resp_release(&r);
	return n;
}

static long
server_connections(void)
{
	struct tp_http_resp r;
	cJSON *j;
	long n;

	assert_int_equal(get(ctl, url("/stats"), &r), 0);
	j = cJSON_Parse(r.body);
	assert_non_null(j);
	n = (long)cJSON_GetObjectItem(j, "connections")->valuedouble;
	cJSON_Delete(j);
	tp_http_resp_release(&r);
	return n;
}

static int
setup(void **state)
{
	(void)state;
	if (tp_http_global_init() != 0 || httpsd_start(&srv) != 0)
		return -1;
	ctl = client(NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tp_http_free(ctl);
	httpsd_stop(&srv);
	tp_http_global_cleanup();
	return 0;
}

static void
test_get_echo(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	cJSON *j, *hd;

	(void)state;
	assert_int_equal(get(h, url("/echo"), &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.maybe_sent, 0);
	assert_string_equal(r.content_type, "application/json");
	assert_non_null(tp_http_resp_header(&r, "x-conn"));
	assert_null(tp_http_resp_header(&r, "x-nothing"));
	j = cJSON_Parse(r.body);
	assert_non_null(j);
	hd = cJSON_GetObjectItem(j, "headers");
	assert_string_equal(cJSON_GetObjectItem(j, "method")->valuestring,
	                    "GET");
	assert_string_equal(cJSON_GetObjectItem(hd, "user-agent")->valuestring,
	                    "tlsrpt-publish/" TP_VERSION);
	cJSON_Delete(j);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_connection_reuse(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	unsigned long reqs, hs;
	long before, conn = -1;
	int i;

	(void)state;
	before = server_connections();
	for (i = 0; i < 10; i++) {
		assert_int_equal(get(h, url("/echo"), &r), 0);
		assert_int_equal(r.status, 200);
		if (conn < 0)
			conn =
			    strtol(tp_http_resp_header(&r, "X-Conn"), NULL, 10);
		assert_int_equal(
		    strtol(tp_http_resp_header(&r, "X-Conn"), NULL, 10), conn);
		tp_http_resp_release(&r);
	}
	tp_http_stats(h, &reqs, &hs);
	assert_int_equal(reqs, 10);
	assert_int_equal(hs, 1);
	assert_int_equal(server_connections() - before, 1);
	tp_http_free(h);
}

static void
test_untrusted_ca_fails(void **state)
{
	struct tp_http_opts o;
	struct tp_http *h;
	struct tp_http_resp r;
	const char *id = sid();

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_retries = -1;
	o.cacert = srv.other_ca;
	h = client(&o);
	assert_int_equal(get(h, url("/s/%s", id), &r), TP_ENETWORK);
	assert_int_equal(r.attempts, 1); /* never retried */
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(tp_err_msg(), "'127.0.0.1'"));
	assert_non_null(strstr(tp_err_msg(), "certificate"));
	assert_null(strstr(tp_err_msg(), id)); /* host only, not the URL */
	tp_http_resp_release(&r);
	tp_http_free(h);
	assert_int_equal(count(id), 0);
}

static void
test_system_ca_does_not_trust_test_ca(void **state)
{
	struct tp_http *h = NULL;
	struct tp_http_opts o;
	struct tp_http_resp r;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_retries = -1;
	assert_int_equal(tp_http_new(&h, &o), 0);
	assert_int_equal(get(h, url("/echo"), &r), TP_ENETWORK);
	assert_non_null(strstr(tp_err_msg(), "--cacert"));
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_429_retry_after_seconds(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	const char *id = sid();
	double t0 = httpsd_now(), dt;

	(void)state;
	assert_int_equal(get(h, url("/s/%s?q=429:ra=1,200", id), &r), 0);
	dt = httpsd_now() - t0;
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_true(dt >= 0.95 && dt < 3);
	assert_int_equal(count(id), 2);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_429_retry_after_date(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	const char *id = sid();
	double t0 = httpsd_now(), dt;

	(void)state;
	assert_int_equal(get(h, url("/s/%s?q=429:rd=2,200", id), &r), 0);
	dt = httpsd_now() - t0;
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	/* An HTTP-date has whole seconds: 2 s ahead waits 1 to 2 s. */
	assert_true(dt >= 0.9 && dt < 4);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_429_exhausted(void **state)
{
	struct tp_http_opts o;
	struct tp_http *h;
	struct tp_http_resp r;
	const char *id = sid();

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_retries = 2;
	h = client(&o);
	assert_int_equal(get(h, url("/s/%s?q=429", id), &r), TP_ERATELIMIT);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.attempts, 3);
	assert_string_equal(r.body, "ok 3"); /* the last response is kept */
	assert_non_null(strstr(tp_err_msg(), "429"));
	assert_int_equal(count(id), 3);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_retry_after_too_long(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	const char *id = sid();

	(void)state;
	assert_int_equal(get(h, url("/s/%s?q=429:ra=600,200", id), &r),
	                 TP_ERATELIMIT);
	assert_int_equal(r.attempts, 1);
	assert_non_null(strstr(tp_err_msg(), "600 s"));
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_503_then_ok(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	const char *id = sid();

	(void)state;
	assert_int_equal(get(h, url("/s/%s?q=503,502,200", id), &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(count(id), 3);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_503_exhausted(void **state)
{
	struct tp_http_opts o;
	struct tp_http *h;
	struct tp_http_resp r;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_retries = 1;
	h = client(&o);
	assert_int_equal(get(h, url("/s/%s?q=503", sid()), &r), TP_ENETWORK);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 2);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_404_is_returned(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;

	(void)state;
	assert_int_equal(get(h, url("/s/%s?q=404", sid()), &r), 0);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.attempts, 1);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_503_post_not_resent(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	const char *id = sid();

	(void)state;
	assert_int_equal(post(h, url("/s/%s?q=503,200", id), "{}", &r),
	                 TP_ENETWORK);
	assert_int_equal(r.maybe_sent, 1);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(tp_err_msg(), "may have been applied"));
	assert_int_equal(count(id), 1);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_reset_then_ok_idempotent(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	const char *a = sid(), *b;

	(void)state;
	assert_int_equal(get(h, url("/s/%s?q=200:reset=before,200", a), &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(count(a), 2);
	tp_http_resp_release(&r);
	b = sid();
	assert_int_equal(get(h, url("/s/%s?q=200:reset=mid,200", b), &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok 2");
	assert_int_equal(count(b), 2);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

/* The request arrived, the connection was reset before any reply: a
 * non-idempotent request must fail with maybe_sent and never be sent
 * again, on a fresh connection and on a reused one (where libcurl would
 * otherwise resend it by itself). */
static void
test_post_reset_not_resent(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_resp r;
	const char *a = sid(), *b, *c;

	(void)state;
	assert_int_equal(
	    post(h, url("/s/%s?q=200:reset=before,200", a), "{\"x\":1}", &r),
	    TP_ENETWORK);
	assert_int_equal(r.maybe_sent, 1);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(count(a), 1);
	tp_http_resp_release(&r);

	assert_int_equal(get(h, url("/echo"), &r), 0); /* warm connection */
	tp_http_resp_release(&r);
	b = sid();
	assert_int_equal(
	    post(h, url("/s/%s?q=200:reset=before,200", b), "{\"x\":2}", &r),
	    TP_ENETWORK);
	assert_int_equal(r.maybe_sent, 1);
	assert_int_equal(count(b), 1);
	tp_http_resp_release(&r);

	c = sid();
	assert_int_equal(post(h, url("/s/%s?q=201:reset=mid,201", c), "{}", &r),
	                 TP_ENETWORK);
	assert_int_equal(r.maybe_sent, 1);
	assert_int_equal(count(c), 1);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_post_timeout_not_resent(void **state)
{
	struct tp_http_opts o;
	struct tp_http *h;
	struct tp_http_resp r;
	const char *id = sid();

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_retries = -1;
	o.timeout_ms = 300;
	h = client(&o);
	assert_int_equal(post(h, url("/s/%s?q=200:delay=1.5", id), "{}", &r),
	                 TP_ETIMEOUT);
	assert_int_equal(r.maybe_sent, 1);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(count(id), 1);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_get_timeout_retried(void **state)
{
	struct tp_http_opts o;
	struct tp_http *h;
	struct tp_http_resp r;
	const char *id = sid();
	double t0 = httpsd_now();

	(void)state;
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 300;
	o.max_retries = 1;
	h = client(&o);
	assert_int_equal(get(h, url("/s/%s?q=200:delay=1.5", id), &r),
	                 TP_ETIMEOUT);
	assert_true(httpsd_now() - t0 < 1.4);
	assert_int_equal(r.attempts, 2);
	assert_non_null(strstr(tp_err_msg(), "'127.0.0.1'"));
	assert_int_equal(count(id), 2);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

/* Nothing listens: a create is retried, since it never left. */
static void
test_connect_refused_post_retried(void **state)
{
	struct tp_http_opts o;
	struct tp_http *h;
	struct tp_http_resp r;
	char u[64];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_retries = 2;
	h = client(&o);
	/* Port 1 on loopback: nothing listens there in a test box. */
	(void)snprintf(u, sizeof(u), "https://127.0.0.1:1/s/x");
	assert_int_equal(post(h, u, "{}", &r), TP_ENETWORK);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(r.maybe_sent, 0);
	assert_non_null(strstr(tp_err_msg(), "cannot reach '127.0.0.1'"));
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_size_cap(void **state)
{
	struct tp_http_opts o;
	struct tp_http *h;
	struct tp_http_resp r;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_retries = -1;
	o.max_response = 1000;
	h = client(&o);
	assert_int_equal(get(h, url("/s/%s?q=200:big=1000", sid()), &r), 0);
	assert_int_equal(r.body_len, 1000);
	tp_http_resp_release(&r);
	assert_int_equal(get(h, url("/s/%s?q=200:big=5000", sid()), &r),
	                 TP_ENETWORK);
	assert_non_null(strstr(tp_err_msg(), "1000-byte limit"));
	assert_int_equal(r.attempts, 1);
	tp_http_resp_release(&r);
	/* Chunked: no length to check up front, the cap still holds. */
	assert_int_equal(get(h, url("/s/%s?q=200:bigc=300000", sid()), &r),
	                 TP_ENETWORK);
	assert_non_null(strstr(tp_err_msg(), "1000-byte limit"));
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static int prep_calls;

static int
prep(void *ctx, const struct tp_http_req *req, struct tp_http_extra *x)
{
	char v[32];

	(void)ctx;
	(void)req;
	(void)snprintf(v, sizeof(v), "%d", ++prep_calls);
	return tp_http_extra_add(x, "X-Attempt", v, 0);
}

static int
prep_fail(void *ctx, const struct tp_http_req *req, struct tp_http_extra *x)
{
	(void)ctx;
	(void)req;
	(void)x;
	return tp_err_set(TP_EAUTH, "test: no credentials");
}

static void
test_prepare_each_attempt(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_req req;
	struct tp_http_resp r;
	const char *id = sid();
	cJSON *j;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url("/s/%s?q=503,200", id);
	req.idempotent = 1;
	req.prepare = prep;
	prep_calls = 0;
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	assert_int_equal(prep_calls, 2);
	tp_http_resp_release(&r);
	req.url = url("/echo");
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	j = cJSON_Parse(r.body);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "x-attempt")
	        ->valuestring,
	    "3");
	cJSON_Delete(j);
	tp_http_resp_release(&r);
	id = sid();
	req.url = url("/s/%s", id);
	req.prepare = prep_fail;
	assert_int_equal(tp_http_do(h, &req, &r), TP_EAUTH);
	assert_int_equal(count(id), 0);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static enum tp_http_verdict
classify(void *ctx, const struct tp_http_resp *resp, double *retry_after)
{
	(void)ctx;
	if (resp->status == 400) { /* like Route 53's Throttling */
		*retry_after = 0.05;
		return TP_HTTP_RETRY;
	}
	if (resp->status == 503)
		return TP_HTTP_FINAL;
	return TP_HTTP_DEFAULT;
}

static void
test_classify(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_req req;
	struct tp_http_resp r;
	const char *id = sid();

	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = "POST"; /* throttled: refused, so safe to resend */
	req.url = url("/s/%s?q=400,200", id);
	req.classify = classify;
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	tp_http_resp_release(&r);
	req.url = url("/s/%s?q=503,200", sid());
	req.idempotent = 1;
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 1);
	tp_http_resp_release(&r);
	tp_http_free(h);
}

struct worker {
	struct tp_ratelimit *rl;
	int n;
	int failures;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct tp_http_opts o;
	struct tp_http *h = NULL;
	struct tp_http_resp r;
	int i;

	memset(&o, 0, sizeof(o));
	o.max_retries = -1;
	o.cacert = srv.ca;
	o.limiter = w->rl;
	if (tp_http_new(&h, &o) != 0) {
		w->failures = w->n;
		return NULL;
	}
	for (i = 0; i < w->n; i++) {
		if (get(h, url("/echo"), &r) != 0 || r.status != 200)
			w->failures++;
		tp_http_resp_release(&r);
	}
	tp_http_free(h);
	return NULL;
}

static void
test_ratelimit_threads(void **state)
{
	struct tp_ratelimit *rl = NULL;
	struct worker w[4];
	pthread_t t[4];
	double t0, dt;
	int i;

	(void)state;
	assert_int_equal(tp_ratelimit_new(&rl, 40, 1), 0);
	t0 = httpsd_now();
	for (i = 0; i < 4; i++) {
		w[i].rl = rl;
		w[i].n = 5;
		w[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	dt = httpsd_now() - t0;
	assert_int_equal(tp_ratelimit_count(rl), 20);
	/* 20 tokens at 40/s from a bucket of 1: at least 19/40 s. */
	assert_true(dt >= 0.45);
	tp_ratelimit_free(rl);
}

/* A 429 with Retry-After pauses the limiter for every user of it. */
static void
test_429_pauses_shared_limiter(void **state)
{
	struct tp_ratelimit *rl = NULL;
	struct tp_http_opts o;
	struct tp_http *a, *b;
	struct tp_http_resp r;
	double t0;

	(void)state;
	assert_int_equal(tp_ratelimit_new(&rl, 100, 5), 0);
	memset(&o, 0, sizeof(o));
	o.limiter = rl;
	o.max_retries = 0;
	a = client(&o);
	b = client(&o);
	assert_int_equal(get(a, url("/s/%s?q=429:ra=1", sid()), &r),
	                 TP_ERATELIMIT);
	tp_http_resp_release(&r);
	t0 = httpsd_now();
	assert_int_equal(get(b, url("/echo"), &r), 0);
	assert_true(httpsd_now() - t0 >= 0.9);
	assert_int_equal(tp_ratelimit_count(rl), 2);
	tp_http_resp_release(&r);
	tp_http_free(a);
	tp_http_free(b);
	tp_ratelimit_free(rl);
}

static volatile int stop_flag;

static enum tp_http_verdict
classify_stop(void *ctx, const struct tp_http_resp *resp, double *ra)
{
	(void)ctx;
	(void)resp;
	stop_flag = 1; /* as if SIGINT came during the request */
	*ra = 20;
	return TP_HTTP_RETRY;
}

static void
test_stop(void **state)
{
	struct tp_http_opts o;
	struct tp_http *h;
	struct tp_http_req req;
	struct tp_http_resp r;
	const char *id = sid();
	double t0;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_retries = -1;
	o.stop = &stop_flag;
	h = client(&o);
	stop_flag = 1;
	assert_int_equal(get(h, url("/s/%s", id), &r), TP_EINTR);
	assert_int_equal(r.attempts, 0);
	assert_non_null(r.body);
	tp_http_resp_release(&r);
	assert_int_equal(count(id), 0);
	stop_flag = 0;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url("/s/%s", id);
	req.classify = classify_stop;
	t0 = httpsd_now();
	assert_int_equal(tp_http_do(h, &req, &r), TP_EINTR);
	assert_true(httpsd_now() - t0 < 2);
	assert_int_equal(r.attempts, 1);
	tp_http_resp_release(&r);
	stop_flag = 0;
	tp_http_free(h);
}

static void
test_methods(void **state)
{
	static const char *const m[] = {"PUT", "PATCH", "DELETE", "POST"};
	struct tp_http *h = client(NULL);
	struct tp_http_req req;
	struct tp_http_resp r;
	struct tp_http_header ct = {"Content-Type", "application/json", 0};
	cJSON *j;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		memset(&req, 0, sizeof(req));
		req.method = m[i];
		req.url = url("/echo");
		req.headers = &ct;
		req.nheaders = 1;
		req.body = "{\"content\":\"v=TLSRPTv1\"}";
		req.body_len = strlen(req.body);
		req.idempotent = i < 3;
		assert_int_equal(tp_http_do(h, &req, &r), 0);
		j = cJSON_Parse(r.body);
		assert_string_equal(
		    cJSON_GetObjectItem(j, "method")->valuestring, m[i]);
		assert_string_equal(cJSON_GetObjectItem(j, "body")->valuestring,
		                    req.body);
		cJSON_Delete(j);
		tp_http_resp_release(&r);
	}
	req.method = "HEAD";
	req.body = NULL;
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "");
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_refused_requests(void **state)
{
	struct tp_http *h = client(NULL);
	struct tp_http_req req;
	struct tp_http_resp r;
	struct tp_http_header bad = {"X-Token", "a\r\nX-Evil: 1", 1};
	char u[128];

	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	(void)snprintf(u, sizeof(u), "http://127.0.0.1:%d/echo",
	               srv.plain_port);
	req.url = u;
	assert_int_equal(tp_http_do(h, &req, &r), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "refusing http://"));
	tp_http_resp_release(&r);
	req.allow_http = 1; /* loopback: the IMDS/ECS exception */
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	assert_int_equal(r.status, 200);
	tp_http_resp_release(&r);
	req.url = "http://192.0.2.1/latest/api/token";
	assert_int_equal(tp_http_do(h, &req, &r), TP_EUSAGE);
	tp_http_resp_release(&r);
	req.url = "ftp://127.0.0.1/x";
	assert_int_equal(tp_http_do(h, &req, &r), TP_EUSAGE);
	tp_http_resp_release(&r);
	req.url = "https://user:pw@127.0.0.1/x";
	assert_int_equal(tp_http_do(h, &req, &r), TP_EUSAGE);
	assert_null(strstr(tp_err_msg(), "pw"));
	tp_http_resp_release(&r);
	req.url = "not a url";
	assert_int_equal(tp_http_do(h, &req, &r), TP_EUSAGE);
	tp_http_resp_release(&r);
	req.url = url("/echo");
	req.method = "TRACE";
	assert_int_equal(tp_http_do(h, &req, &r), TP_EUSAGE);
	tp_http_resp_release(&r);
	req.method = "GET";
	req.headers = &bad;
	req.nheaders = 1;
	assert_int_equal(tp_http_do(h, &req, &r), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "line break"));
	assert_null(strstr(tp_err_msg(), "Evil"));
	tp_http_resp_release(&r);
	tp_http_free(h);
}

static void
test_parse_retry_after(void **state)
{
	time_t t = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */

	(void)state;
	assert_true(tp_http_parse_retry_after("120", t) == 120);
	assert_true(tp_http_parse_retry_after(" 5 ", t) == 5);
	assert_true(tp_http_parse_retry_after("0", t) == 0);
	assert_true(tp_http_parse_retry_after(NULL, t) < 0);
	assert_true(tp_http_parse_retry_after("soon", t) < 0);
	assert_true(tp_http_parse_retry_after("12abc", t) < 0);
	assert_true(tp_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	                                      t - 10) == 10);
	assert_true(tp_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	                                      t + 99) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_retry_after),
	    cmocka_unit_test(test_get_echo),
	    cmocka_unit_test(test_connection_reuse),
	    cmocka_unit_test(test_untrusted_ca_fails),
	    cmocka_unit_test(test_system_ca_does_not_trust_test_ca),
	    cmocka_unit_test(test_429_retry_after_seconds),
	    cmocka_unit_test(test_429_retry_after_date),
	    cmocka_unit_test(test_429_exhausted),
	    cmocka_unit_test(test_retry_after_too_long),
	    cmocka_unit_test(test_503_then_ok),
	    cmocka_unit_test(test_503_exhausted),
	    cmocka_unit_test(test_404_is_returned),
	    cmocka_unit_test(test_503_post_not_resent),
	    cmocka_unit_test(test_reset_then_ok_idempotent),
	    cmocka_unit_test(test_post_reset_not_resent),
	    cmocka_unit_test(test_post_timeout_not_resent),
	    cmocka_unit_test(test_get_timeout_retried),
	    cmocka_unit_test(test_connect_refused_post_retried),
	    cmocka_unit_test(test_size_cap),
	    cmocka_unit_test(test_prepare_each_attempt),
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_ratelimit_threads),
	    cmocka_unit_test(test_429_pauses_shared_limiter),
	    cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_methods),
	    cmocka_unit_test(test_refused_requests),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
