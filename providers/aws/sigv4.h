/*
 * sigv4.h: AWS Signature Version 4 over OpenSSL libcrypto, for the AWS
 * providers (private to providers/).
 *
 * Written here rather than through libcurl's CURLOPT_AWS_SIGV4 because
 * Debian 12's libcurl (7.88) does not sort query parameters, and because
 * signing must be testable with a fixed clock: the time is an argument.
 *
 * Canonicalisation follows the rules for every service but S3 (the ones
 * AWS's test suite checks with "normalize": true): the path as sent (so
 * already percent-encoded once) is normalised (dot segments resolved,
 * empty segments dropped, a trailing slash kept) and percent-encoded
 * again; query parameters are percent-decoded, re-encoded per RFC 3986
 * and sorted by encoded name, then value ('+' is a literal plus, never a
 * space); header names are lower-cased, values trimmed with inner runs of
 * whitespace collapsed to one space, repeated names joined with commas in
 * the order sent, and the lines sorted by name. The payload hash is always
 * the hex SHA-256 of the body.
 *
 * Ownership: every pointer in the inputs is borrowed for the call; the
 * strings of struct tp_sigv4_out are owned by it and freed (wiped first)
 * by tp_sigv4_out_release().
 */
#ifndef TLSRPT_AWS_SIGV4_H
#define TLSRPT_AWS_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "tlsrpt/http.h"

#define TP_SIGV4_NO_NORMALIZE   0x1 /* keep "." "..", "//" (S3 rules) */
#define TP_SIGV4_CONTENT_SHA256 0x2 /* add and sign X-Amz-Content-Sha256 */
#define TP_SIGV4_OMIT_TOKEN     0x4 /* send the session token unsigned */
#define TP_SIGV4_PRESIGN        0x8 /* sign in the query (presigned URL) */

/* Credentials: borrowed strings; session_token NULL or "" when none. */
struct tp_sigv4_key {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;
};

/* One request as it will be sent. */
struct tp_sigv4_req {
	const char *method;
	const char *path;  /* as on the request line, without the query;
			    * "" means "/" */
	const char *query; /* after '?', as sent; NULL or "" when none */
	const struct tp_http_header *headers; /* to sign; must hold Host */
	size_t nheaders;
	const void *body; /* may be NULL when body_len is 0 */
	size_t body_len;
};

struct tp_sigv4_params {
	const char *region;  /* "us-east-1" */
	const char *service; /* "route53" */
	time_t now;          /* the signing time (UTC seconds) */
	unsigned int flags;  /* TP_SIGV4_* */
	long expires;        /* TP_SIGV4_PRESIGN: seconds, 1..604800 */
};

/* What signing produced. */
struct tp_sigv4_out {
	char amz_date[17];       /* "20150830T123600Z": X-Amz-Date */
	char payload_hash[65];   /* hex; also X-Amz-Content-Sha256 */
	char signature[65];      /* hex */
	char *canonical_request; /* for tests and the emulator's messages */
	char *string_to_sign;
	char *signed_headers; /* "host;x-amz-date" */
	char *authorization;  /* header signing: the Authorization value */
	char *query;          /* presigning: the query string to send (the
			       * original one, then the X-Amz-* parameters) */
};

/*
 * Sign req. Header signing (the default) adds X-Amz-Date, X-Amz-Security-
 * Token (when key has one) and X-Amz-Content-Sha256 (with the flag) to
 * the signed headers: the caller sends them with the values in out (the
 * token verbatim). Input headers named Authorization, User-Agent, Expect,
 * X-Amzn-Trace-Id or one of those the signer adds are not signed.
 * Returns 0, TP_EUSAGE for a request that cannot be signed (no Host, bad
 * time), or TP_EINTERNAL. out is zeroed first and holds nothing on error.
 */
int tp_sigv4_sign(struct tp_sigv4_out *out, const struct tp_sigv4_key *key,
                  const struct tp_sigv4_params *p,
                  const struct tp_sigv4_req *req);

/* Wipe and free the strings of out; out may be NULL. */
void tp_sigv4_out_release(struct tp_sigv4_out *out);

/* Hex SHA-256 of data into hex[65]. 0 or TP_EINTERNAL. */
int tp_sigv4_sha256_hex(char hex[65], const void *data, size_t len);

/*
 * A prepare hook for struct tp_http_req (include/tlsrpt/http.h): set
 * req.prepare = tp_sigv4_prepare and req.prepare_ctx = a signer. Each
 * attempt is signed afresh, so a retry carries a new X-Amz-Date.
 *
 * Host: libcurl would write its own Host header, so the hook adds one
 * itself, computed from the URL the way botocore does (host lower-cased,
 * IPv6 in brackets, the port only when not the scheme's default), signs
 * it, and libcurl sends that exact value. A Host header already in the
 * request is signed as it is instead. The hook adds X-Amz-Date,
 * X-Amz-Security-Token (marked secret), X-Amz-Content-Sha256 (with the
 * flag) and Authorization (marked secret). Presigning is not offered
 * here: it is for URLs handed to others.
 */
struct tp_sigv4_signer {
	struct tp_sigv4_key key; /* borrowed strings, read at each attempt */
	const char *region;
	const char *service;
	unsigned int flags; /* TP_SIGV4_CONTENT_SHA256 and NO_NORMALIZE */
	/* The clock; NULL means time(NULL). Tests pin it. */
	time_t (*now)(void *ctx);
	void *now_ctx;
};

int tp_sigv4_prepare(void *signer, const struct tp_http_req *req,
                     struct tp_http_extra *extra);

#endif
