/*
 * http_int.h: the parts of the HTTP layer that need no libcurl, shared by
 * core/http.c (transport), core/http_policy.c (what may be sent, what is
 * retried; URLs are parsed by libcurl itself in http.c, so the host we
 * check is the host it connects to) and core/http_dump.c (the redacted debug dump). Not a contract
 * for other modules.
 */
#ifndef TLSRPT_HTTP_INT_H
#define TLSRPT_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tlsrpt/http.h"

/* Where a request goes, from tp_http_check_request. */
struct tp_http_target {
	char host[256]; /* for messages: never the path or query */
	int plain;      /* http:// (allowed: loopback or link-local) */
	int local;      /* loopback or link-local host: bypass proxies */
};

enum tp_http_fail {
	TP_HTTP_FAIL_NONE = 0,
	TP_HTTP_FAIL_CONNECT, /* resolve, connect, handshake: never sent */
	TP_HTTP_FAIL_TLS,     /* certificate not trusted: never retried */
	TP_HTTP_FAIL_TIMEOUT,
	TP_HTTP_FAIL_RESET, /* connection closed, reset, partial reply */
	TP_HTTP_FAIL_OTHER
};

/* How one attempt ended at the transport level. */
struct tp_http_outcome {
	int failed;  /* the transfer did not complete */
	int too_big; /* the response passed max_response */
	int sent;    /* request bytes left this machine */
	enum tp_http_fail kind;
	const char *error; /* libcurl's words, borrowed */
};

/* The method is one tp_http_do knows. TP_EUSAGE. */
int tp_http_check_method(const char *method);

/* Header names are tokens, values hold no line break. TP_EUSAGE. */
int tp_http_check_headers(const struct tp_http_header *hd, size_t n,
                          const char *host);

/* 1 when host (a URL host, IPv6 in brackets) is loopback or link-local. */
int tp_http_host_is_local(const char *host);

/*
 * After attempt n (from 0) of at most max + 1: 1 to retry after *delay
 * seconds (why holds the reason for the log), 0 to hand resp back, or a
 * TP_E* code with the message set (resp->maybe_sent set when the request
 * may have been applied).
 */
int tp_http_decide(uint64_t *rng, const struct tp_http_opts *o,
                   const struct tp_http_req *req,
                   const struct tp_http_target *t, struct tp_http_resp *resp,
                   const struct tp_http_outcome *oc, int n, int max,
                   double *delay, char *why, size_t whylen);

/* Sleep seconds in short slices, returning TP_EINTR as soon as *stop is
 * set (stop may be NULL); 0 otherwise. */
int tp_http_nap(const volatile int *stop, double seconds, const char *host);

/* Forget what an attempt put into resp (body wiped), keep the counters. */
void tp_http_resp_clear(struct tp_http_resp *resp);

/* Free the strings a prepare hook added (wiped: they may be secrets). */
void tp_http_extra_release(struct tp_http_extra *x);

/*
 * Dump one attempt to sink at TP_LOG_DEBUG, redacted: request line and
 * headers (header_block: what libcurl sent, may be NULL), request body,
 * then the status line, headers and body of resp, or error.
 */
void tp_http_dump(const struct tp_sink *sink, const struct tp_http_req *req,
                  const struct tp_http_extra *extra, const char *header_block,
                  const char *status_line, const struct tp_http_resp *resp,
                  const char *error, double seconds, int new_conn, int n,
                  int max);

#endif
