/*
 * sigv4_int.h: what sigv4.c and sigv4_canon.c share (private to them).
 */
#ifndef TLSRPT_AWS_SIGV4_INT_H
#define TLSRPT_AWS_SIGV4_INT_H

#include <stddef.h>

#include "tlsrpt/buf.h"

#include "sigv4.h"

#define TP_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define TP_SIGV4_CANON_MAX (1024 * 1024) /* canonical request and parts */

/* RFC 3986 percent-encoding of n bytes (upper-case hex); '/' kept when
 * keep_slash. */
void tp_sigv4_uri_encode(struct tp_buf *b, const char *s, size_t n,
                         int keep_slash);

/* Fill out->canonical_request and out->signed_headers (out->amz_date and
 * out->payload_hash must be set); cred is "KEYID/scope" for presigning. */
int tp_sigv4_canonical(struct tp_sigv4_out *out, const struct tp_sigv4_key *key,
                       const struct tp_sigv4_params *p,
                       const struct tp_sigv4_req *req, const char *cred);

#endif
