/*
 * http.h: HTTPS requests for providers (libcurl stays in core/http.c).
 *
 * One struct tp_http per worker thread: it keeps its connections open, so
 * a worker pays one TLS handshake per host, not per request. TLS
 * verification is always on; the only knob is which CA bundle to trust.
 *
 * Retries: 429 (honouring Retry-After), 5xx, connection failures, resets
 * and timeouts are retried with capped, jittered exponential backoff, but
 * a request that is not idempotent (a create) is retried only when it is
 * certain it never reached the server (connect failure). Otherwise the
 * call fails with resp->maybe_sent set, so the caller re-reads before
 * deciding anything: no duplicate record is ever created. Providers with
 * their own throttle signals (Route 53's 400 Throttling, GoDaddy's
 * retryAfterSec body) add them through req->classify.
 *
 * Debug: at TP_LOG_DEBUG every request and response is dumped to the sink
 * with secrets redacted (Authorization, X-Auth-Key, X-Auth-Email's
 * partner key, X-Amz-Security-Token, sso-key, any header marked secret,
 * and bodies of requests marked no_body_log).
 *
 * Transport rules: only https:// URLs, except plain http:// when the
 * request sets allow_http AND the host is a loopback or link-local
 * address (the EC2 instance metadata service and ECS/EKS container
 * credentials speak plain http on such addresses). Redirects are never
 * followed. The CA bundle is opts->cacert when set, else the system's;
 * the caller resolves it as --cacert > $CURL_CA_BUNDLE > config
 * (tp_settings_http in settings.h), because libcurl itself reads no
 * environment variable for it.
 *
 * Retry timing: backoff before retry n (from 0) is a random point in
 * [d/2, d] with d = min(backoff_cap, backoff_base * 2^n). A Retry-After
 * (seconds or HTTP-date) is honoured instead, plus up to 10% jitter, and
 * also pauses the shared limiter so every worker of the account waits;
 * one longer than max_retry_after fails at once with TP_ERATELIMIT.
 */
#ifndef TLSRPT_HTTP_H
#define TLSRPT_HTTP_H

#include <stddef.h>
#include <time.h>

#include "tlsrpt/ratelimit.h"
#include "tlsrpt/sink.h"
#include "tlsrpt/strv.h"

struct tp_http;

struct tp_http_opts {
	const char *cacert;         /* CA bundle file instead of the system's */
	long connect_timeout_ms;    /* 0: 10 s */
	long timeout_ms;            /* whole request, 0: 30 s */
	size_t max_response;        /* body cap, 0: 4 MiB */
	int max_retries;            /* after the first attempt; -1: 5 */
	double backoff_base;        /* seconds, 0: 0.5 */
	double backoff_cap;         /* seconds, 0: 30 */
	const struct tp_sink *sink; /* debug dumps; may be NULL */
	struct tp_ratelimit *limiter; /* shared per account; may be NULL */
	const volatile int *stop; /* when non-NULL and set, no new attempt */
	double max_retry_after;   /* longest Retry-After waited, s; 0: 120 */
};

struct tp_http_header {
	const char *name;
	const char *value;
	int secret; /* redact the value in debug output */
};

struct tp_http_resp;

#define TP_HTTP_EXTRA_MAX 8

/* Headers a prepare hook adds to one attempt; owns its strings. */
struct tp_http_extra {
	struct tp_http_header h[TP_HTTP_EXTRA_MAX];
	char *store[2 * TP_HTTP_EXTRA_MAX];
	size_t n;
};

/* Copy a header into extra. TP_EINTERNAL when full or out of memory. */
int tp_http_extra_add(struct tp_http_extra *x, const char *name,
                      const char *value, int secret);

/* What a provider says about a response the generic rules do not cover. */
enum tp_http_verdict {
	TP_HTTP_DEFAULT = 0, /* apply the generic rules */
	TP_HTTP_RETRY,       /* throttled or transient: back off and retry */
	TP_HTTP_FINAL        /* do not retry, hand the response back */
};

struct tp_http_req {
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;
	const struct tp_http_header *headers;
	size_t nheaders;
	const char *body; /* may be NULL */
	size_t body_len;
	int idempotent;  /* safe to resend after it may have arrived */
	int no_body_log; /* never dump the response body (holds keys) */
	/*
	 * Optional: called before every attempt with the request as it will
	 * be sent (SigV4 signs here, so a retry gets a fresh date); adds
	 * headers with tp_http_extra_add(). Returns 0 or a TP_E* code.
	 */
	int (*prepare)(void *ctx, const struct tp_http_req *req,
	               struct tp_http_extra *extra);
	void *prepare_ctx;
	/* Optional: classify a response; *retry_after in seconds (< 0: use
	 * backoff). */
	enum tp_http_verdict (*classify)(void *ctx,
	                                 const struct tp_http_resp *resp,
	                                 double *retry_after);
	void *classify_ctx;
	/* Plain http:// allowed, and then only to a loopback or link-local
	 * host (127.0.0.0/8, ::1, localhost, 169.254.0.0/16, fe80::/10,
	 * fd00:ec2::/32): instance metadata and container credentials. */
	int allow_http;
	long timeout_ms;         /* this request's total limit, 0: handle's */
	long connect_timeout_ms; /* this request's connect limit, 0: handle's */
	int no_retry;            /* one attempt only (probes such as IMDS) */
};

struct tp_http_resp {
	long status; /* 0 when no response */
	char *body;  /* NUL-terminated, owned; "" when empty */
	size_t body_len;
	char *content_type;
	double retry_after; /* from the Retry-After header, < 0 none */
	int attempts;       /* how many were made */
	int maybe_sent;     /* on failure: the request may have been applied */
	struct tp_strv headers; /* "Name: value" of the last response */
};

/* Create a handle (one per thread). *out owned by the caller. */
int tp_http_new(struct tp_http **out, const struct tp_http_opts *o);

/*
 * Perform req with retries. Returns 0 when a response came back (any
 * status: the caller maps 4xx itself), or TP_ENETWORK / TP_ETIMEOUT /
 * TP_ERATELIMIT (retries exhausted on 429) / TP_EINTR (stop was set) with
 * a message naming the host. resp is filled either way; release it with
 * tp_http_resp_release.
 *
 * resp needs no initialisation (tp_http_do overwrites it). When retries
 * run out on 5xx the call fails with TP_ENETWORK and resp holds the last
 * response, so the caller can still quote the API's own error. A bad
 * request (URL not https, header with a line break, unknown method) is
 * TP_EUSAGE, and a failed prepare hook returns the hook's code.
 */
int tp_http_do(struct tp_http *h, const struct tp_http_req *req,
               struct tp_http_resp *resp);

/* Value of a response header (case-insensitive name), borrowed from
 * resp, or NULL. */
const char *tp_http_resp_header(const struct tp_http_resp *resp,
                                const char *name);

/*
 * Seconds a Retry-After value asks to wait: delta-seconds ("120") or an
 * HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", compared with now; a date
 * in the past gives 0). < 0 when value is NULL or neither form.
 */
double tp_http_parse_retry_after(const char *value, time_t now);

/* Requests and TLS handshakes made through h so far (for the benchmark):
 * requests counts attempts, handshakes new connections. */
void tp_http_stats(const struct tp_http *h, unsigned long *requests,
                   unsigned long *handshakes);

void tp_http_resp_release(struct tp_http_resp *resp);
void tp_http_free(struct tp_http *h);

/* Once per process before any thread starts, and at exit. */
int tp_http_global_init(void);
void tp_http_global_cleanup(void);

#endif
