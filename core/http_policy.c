/*
 * http_policy.c: what the HTTP layer agrees to send and what it retries.
 *
 * The one rule that matters most: a request that is not idempotent (a
 * create) is resent only when it certainly never reached the server. Once
 * its bytes may have arrived, a lost reply, a reset or a 5xx all fail with
 * resp->maybe_sent, and the caller re-reads before deciding anything, so
 * no duplicate record is ever created. A 429 is always safe to resend:
 * the server says it refused the request.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_int.h"
#include "tlsrpt/err.h"

/* Longest single sleep while waiting to retry: how fast stop is seen. */
#define STOP_SLICE 0.05

static const char *const methods[] = {"GET", "HEAD",  "POST",
                                      "PUT", "PATCH", "DELETE"};

int
tp_http_check_method(const char *method)
{
	size_t i;

	for (i = 0; method != NULL && i < sizeof(methods) / sizeof(*methods);
	     i++)
		if (strcmp(method, methods[i]) == 0)
			return 0;
	return tp_err_set(TP_EUSAGE, "http: unsupported method '%s'",
	                  method != NULL ? method : "(none)");
}

static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int
tp_http_check_headers(const struct tp_http_header *hd, size_t n,
                      const char *host)
{
	const char *p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (hd[i].name == NULL || hd[i].name[0] == '\0' ||
		    hd[i].value == NULL)
			return tp_err_set(TP_EUSAGE,
			                  "http: empty header name or value in "
			                  "a request to '%s'",
			                  host);
		for (p = hd[i].name; *p != '\0'; p++)
			if (!is_tchar((unsigned char)*p))
				return tp_err_set(TP_EUSAGE,
				                  "http: bad header name in a "
				                  "request to '%s'",
				                  host);
		/* A line break would let a value inject headers. The
		 * value is not quoted: it may be a secret. */
		for (p = hd[i].value; *p != '\0'; p++)
			if (*p == '\r' || *p == '\n')
				return tp_err_set(
				    TP_EUSAGE,
				    "http: the value of header "
				    "'%s' for '%s' contains a line "
				    "break: check the setting it "
				    "came from",
				    hd[i].name, host);
	}
	return 0;
}

int
tp_http_host_is_local(const char *host)
{
	unsigned char a[16];
	char buf[64];
	size_t len = strlen(host);

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	if (host[0] == '[' && len >= 2 && len - 2 < sizeof(buf) &&
	    host[len - 1] == ']') {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, a) != 1)
			return 0;
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0)
			return 1; /* ::1 */
		if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
			return 1; /* fe80::/10 */
		/* fd00:ec2::/32: IPv6 IMDS and EKS Pod Identity. */
		return a[0] == 0xfd && a[1] == 0 && a[2] == 0x0e &&
		    a[3] == 0xc2;
	}
	if (inet_pton(AF_INET, host, a) != 1)
		return 0;
	return a[0] == 127 || (a[0] == 169 && a[1] == 254);
}

/* Uniform in [0, 1): jitter only, so xorshift64* is plenty. */
static double
rnd(uint64_t *rng)
{
	*rng ^= *rng >> 12;
	*rng ^= *rng << 25;
	*rng ^= *rng >> 27;
	return (double)((*rng * 0x2545F4914F6CDD1DULL) >> 11) /
	    9007199254740992.0;
}

/* Before retry n: a random point in [d/2, d], d = base * 2^n capped. */
static double
backoff(const struct tp_http_opts *o, uint64_t *rng, int n)
{
	double d = o->backoff_base;

	while (n-- > 0 && d < o->backoff_cap)
		d *= 2;
	if (d > o->backoff_cap)
		d = o->backoff_cap;
	return d / 2 + rnd(rng) * d / 2;
}

/* What the server asked for, plus up to 10% so workers spread out. */
static double
jitter(uint64_t *rng, double seconds)
{
	return seconds + rnd(rng) * seconds / 10;
}

int
tp_http_nap(const volatile int *stop, double seconds, const char *host)
{
	struct timespec ts;
	double s;

	while (seconds > 0) {
		if (stop != NULL && *stop)
			return tp_err_set(TP_EINTR,
			                  "http: interrupted while waiting to "
			                  "retry '%s'",
			                  host);
		s = seconds < STOP_SLICE ? seconds : STOP_SLICE;
		ts.tv_sec = (time_t)s;
		ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
		(void)nanosleep(&ts, NULL);
		seconds -= s;
	}
	return 0;
}

static int
retryable_status(long st)
{
	return st == 408 || (st >= 500 && st <= 599 && st != 501 && st != 505);
}

/* A transfer that did not complete. */
static int
decide_transport(uint64_t *rng, const struct tp_http_opts *o,
                 const struct tp_http_req *req, const struct tp_http_target *t,
                 struct tp_http_resp *resp, const struct tp_http_outcome *oc,
                 int n, int max, double *delay, char *why, size_t whylen)
{
	int code = oc->kind == TP_HTTP_FAIL_TIMEOUT ? TP_ETIMEOUT : TP_ENETWORK;

	resp->maybe_sent = oc->sent;
	if (oc->too_big)
		return tp_err_set(TP_ENETWORK,
		                  "http: the response from '%s' is larger "
		                  "than the %zu-byte limit; transfer aborted",
		                  t->host, o->max_response);
	if (oc->kind == TP_HTTP_FAIL_TLS)
		return tp_err_set(TP_ENETWORK,
		                  "http: cannot verify the TLS certificate of "
		                  "'%s' (%s): if it uses a private CA, pass "
		                  "its bundle with --cacert or CURL_CA_BUNDLE",
		                  t->host, oc->error);
	if (oc->kind == TP_HTTP_FAIL_OTHER)
		return tp_err_set(TP_ENETWORK, "http: %s to '%s' failed (%s)",
		                  req->method, t->host, oc->error);
	if (oc->sent && !req->idempotent)
		return tp_err_set(code,
		                  "http: %s to '%s' failed after the request "
		                  "was sent (%s); it may have been applied, so "
		                  "it is not resent: re-read before retrying",
		                  req->method, t->host, oc->error);
	if (n >= max) {
		if (oc->kind == TP_HTTP_FAIL_TIMEOUT)
			return tp_err_set(TP_ETIMEOUT,
			                  "http: no answer from '%s' in time "
			                  "(%s) after %d attempt%s",
			                  t->host, oc->error, n + 1,
			                  n ? "s" : "");
		return tp_err_set(TP_ENETWORK,
		                  "http: cannot reach '%s' (%s) after %d "
		                  "attempt%s: check the address, the network "
		                  "and any proxy settings",
		                  t->host, oc->error, n + 1, n ? "s" : "");
	}
	(void)snprintf(why, whylen, "%s", oc->error);
	*delay = backoff(o, rng, n);
	return 1;
}

/* Throttled (429, or the provider's classify said so). */
static int
decide_throttle(uint64_t *rng, const struct tp_http_opts *o,
                const struct tp_http_target *t, struct tp_http_resp *resp,
                double ra, int n, int max, double *delay, char *why,
                size_t whylen)
{
	long st = resp->status;

	if (ra > o->max_retry_after)
		return tp_err_set_api(TP_ERATELIMIT, st, NULL, NULL,
		                      "http: '%s' asks to wait %.0f s before "
		                      "the next request (HTTP %ld), longer "
		                      "than the %.0f s this run waits: re-run "
		                      "later",
		                      t->host, ra, st, o->max_retry_after);
	*delay = ra >= 0 ? jitter(rng, ra) : backoff(o, rng, n);
	/* Every worker of the account holds back, not only this one. */
	if (o->limiter != NULL)
		tp_ratelimit_pause(o->limiter, *delay);
	if (n >= max)
		return tp_err_set_api(st >= 500 ? TP_ENETWORK : TP_ERATELIMIT,
		                      st, NULL, NULL,
		                      "http: '%s' is still throttling (HTTP "
		                      "%ld) after %d attempts: wait, lower the "
		                      "request rate, and re-run",
		                      t->host, st, n + 1);
	(void)snprintf(why, whylen, "throttled (HTTP %ld%s)", st,
	               ra >= 0 ? ", Retry-After" : "");
	return 1;
}

int
tp_http_decide(uint64_t *rng, const struct tp_http_opts *o,
               const struct tp_http_req *req, const struct tp_http_target *t,
               struct tp_http_resp *resp, const struct tp_http_outcome *oc,
               int n, int max, double *delay, char *why, size_t whylen)
{
	enum tp_http_verdict v = TP_HTTP_DEFAULT;
	double ra = -1;
	long st = resp->status;

	if (oc->failed)
		return decide_transport(rng, o, req, t, resp, oc, n, max, delay,
		                        why, whylen);
	if (req->classify != NULL)
		v = req->classify(req->classify_ctx, resp, &ra);
	if (v == TP_HTTP_FINAL)
		return 0;
	if (ra < 0)
		ra = resp->retry_after;
	if (v == TP_HTTP_RETRY || st == 429)
		return decide_throttle(rng, o, t, resp, ra, n, max, delay, why,
		                       whylen);
	if (!retryable_status(st))
		return 0;
	if (!req->idempotent) {
		resp->maybe_sent = 1;
		return tp_err_set_api(TP_ENETWORK, st, NULL, NULL,
		                      "http: %s to '%s' answered HTTP %ld; it "
		                      "may have been applied, so it is not "
		                      "resent: re-read before retrying",
		                      req->method, t->host, st);
	}
	if (n >= max)
		return tp_err_set_api(TP_ENETWORK, st, NULL, NULL,
		                      "http: '%s' answered HTTP %ld to %d "
		                      "attempts: the service is failing; "
		                      "re-run later",
		                      t->host, st, n + 1);
	if (ra > o->max_retry_after)
		ra = o->max_retry_after;
	*delay = ra >= 0 ? jitter(rng, ra) : backoff(o, rng, n);
	(void)snprintf(why, whylen, "HTTP %ld", st);
	return 1;
}
