/*
 * sigv4.c: AWS Signature Version 4: string to sign, signing key and
 * Authorization header (or presigned query) with OpenSSL's SHA-256 and
 * HMAC; the canonical request is built in sigv4_canon.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#include "sigv4_int.h"

static void
hex_encode(char *hex, const unsigned char *md, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[2 * n] = '\0';
}

int
tp_sigv4_sha256_hex(char hex[65], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(len ? data : "", len, md, &mdlen, EVP_sha256(), NULL) !=
	        1 ||
	    mdlen != 32)
		return tp_err_set(TP_EINTERNAL, "sigv4: SHA-256 failed");
	hex_encode(hex, md, 32);
	return 0;
}

static int
hmac(unsigned char out[32], const void *key, size_t keylen, const char *msg)
{
	unsigned int len = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
	         strlen(msg), out, &len) == NULL ||
	    len != 32)
		return tp_err_set(TP_EINTERNAL, "sigv4: HMAC-SHA256 failed");
	return 0;
}

/* kSigning = HMAC chain over date, region, service, "aws4_request". */
static int
signing_key(unsigned char k[32], const char *secret, const char *date,
            const struct tp_sigv4_params *p)
{
	struct tp_buf seed = TP_BUF_INIT(4096);
	unsigned char t[32];
	int rc;

	tp_buf_adds(&seed, "AWS4");
	tp_buf_adds(&seed, secret);
	if (seed.err) {
		rc = tp_err_set(TP_EUSAGE, "sigv4: secret key too long");
		goto out;
	}
	if ((rc = hmac(t, seed.s, seed.len, date)) != 0 ||
	    (rc = hmac(k, t, 32, p->region)) != 0 ||
	    (rc = hmac(t, k, 32, p->service)) != 0 ||
	    (rc = hmac(k, t, 32, "aws4_request")) != 0)
		goto out;
out:
	tp_wipe(t, sizeof(t));
	tp_wipe(seed.s, seed.len);
	tp_buf_release(&seed);
	return rc;
}

static int
check_input(const struct tp_sigv4_key *key, const struct tp_sigv4_params *p,
            const struct tp_sigv4_req *req)
{
	if (key->access_key_id == NULL || *key->access_key_id == '\0' ||
	    key->secret_access_key == NULL || *key->secret_access_key == '\0')
		return tp_err_set(TP_EUSAGE,
		                  "sigv4: no access key to sign "
		                  "with: set the AWS credentials");
	if (p->region == NULL || *p->region == '\0' || p->service == NULL ||
	    *p->service == '\0')
		return tp_err_set(TP_EUSAGE,
		                  "sigv4: region and service "
		                  "must be set");
	if (req->method == NULL || *req->method == '\0')
		return tp_err_set(TP_EUSAGE, "sigv4: no HTTP method");
	if ((p->flags & TP_SIGV4_PRESIGN) &&
	    (p->expires < 1 || p->expires > 604800))
		return tp_err_set(TP_EUSAGE,
		                  "sigv4: presigned URL lifetime %ld s is "
		                  "outside 1..604800",
		                  p->expires);
	return 0;
}

static int
set_date(struct tp_sigv4_out *out, time_t now)
{
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL || tm.tm_year + 1900 < 1970 ||
	    tm.tm_year + 1900 > 9999 ||
	    strftime(out->amz_date, sizeof(out->amz_date), "%Y%m%dT%H%M%SZ",
	             &tm) != 16)
		return tp_err_set(TP_EUSAGE,
		                  "sigv4: signing time %lld is "
		                  "out of range",
		                  (long long)now);
	return 0;
}

/* The query a presigned request is sent with, in AWS's suite's order. */
static void
presigned_query(struct tp_buf *b, const struct tp_sigv4_key *key,
                const struct tp_sigv4_params *p, const char *orig,
                const char *cred, const struct tp_sigv4_out *out)
{
	if (orig != NULL && *orig != '\0') {
		tp_buf_adds(b, orig);
		tp_buf_addc(b, '&');
	}
	tp_buf_adds(b,
	            "X-Amz-Algorithm=" TP_SIGV4_ALGORITHM "&X-Amz-Credential=");
	tp_sigv4_uri_encode(b, cred, strlen(cred), 0);
	tp_buf_addf(b, "&X-Amz-Date=%s&X-Amz-SignedHeaders=", out->amz_date);
	tp_sigv4_uri_encode(b, out->signed_headers, strlen(out->signed_headers),
	                    0);
	tp_buf_addf(b, "&X-Amz-Expires=%ld", p->expires);
	if (key->session_token != NULL && *key->session_token != '\0') {
		tp_buf_adds(b, "&X-Amz-Security-Token=");
		tp_sigv4_uri_encode(b, key->session_token,
		                    strlen(key->session_token), 0);
	}
	tp_buf_addf(b, "&X-Amz-Signature=%s", out->signature);
}

/* String to sign, signature, then the Authorization value or query. */
static int
finish(struct tp_sigv4_out *out, const struct tp_sigv4_key *key,
       const struct tp_sigv4_params *p, const struct tp_sigv4_req *req,
       const char *scope, const char *cred)
{
	struct tp_buf sts = TP_BUF_INIT(4096),
	              b = TP_BUF_INIT(TP_SIGV4_CANON_MAX);
	unsigned char k[32], sig[32];
	char hash[65], date[9];
	int rc;

	if ((rc = tp_sigv4_sha256_hex(hash, out->canonical_request,
	                              strlen(out->canonical_request))) != 0)
		goto out;
	tp_buf_addf(&sts, TP_SIGV4_ALGORITHM "\n%s\n%s\n%s", out->amz_date,
	            scope, hash);
	memcpy(date, out->amz_date, 8);
	date[8] = '\0';
	if ((rc = signing_key(k, key->secret_access_key, date, p)) != 0 ||
	    (rc = hmac(sig, k, 32, sts.s)) != 0)
		goto out;
	hex_encode(out->signature, sig, 32);
	if (p->flags & TP_SIGV4_PRESIGN)
		presigned_query(&b, key, p, req->query, cred, out);
	else
		tp_buf_addf(&b,
		            TP_SIGV4_ALGORITHM
		            " Credential=%s, SignedHeaders=%s, "
		            "Signature=%s",
		            cred, out->signed_headers, out->signature);
	out->string_to_sign = tp_buf_detach(&sts);
	if (p->flags & TP_SIGV4_PRESIGN)
		out->query = tp_buf_detach(&b);
	else
		out->authorization = tp_buf_detach(&b);
	if (out->string_to_sign == NULL ||
	    (out->query == NULL && out->authorization == NULL))
		rc = tp_err_set(TP_EINTERNAL, "sigv4: out of memory");
out:
	tp_wipe(k, sizeof(k));
	tp_wipe(sig, sizeof(sig));
	tp_buf_release(&sts);
	tp_buf_release(&b);
	return rc;
}

int
tp_sigv4_sign(struct tp_sigv4_out *out, const struct tp_sigv4_key *key,
              const struct tp_sigv4_params *p, const struct tp_sigv4_req *req)
{
	struct tp_buf scope = TP_BUF_INIT(1024), cred = TP_BUF_INIT(2048);
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_input(key, p, req)) != 0 ||
	    (rc = set_date(out, p->now)) != 0 ||
	    (rc = tp_sigv4_sha256_hex(out->payload_hash, req->body,
	                              req->body_len)) != 0)
		goto out;
	tp_buf_add(&scope, out->amz_date, 8);
	tp_buf_addf(&scope, "/%s/%s/aws4_request", p->region, p->service);
	tp_buf_addf(&cred, "%s/%s", key->access_key_id, scope.s);
	if (scope.err || cred.err) {
		rc = tp_err_set(TP_EUSAGE, "sigv4: credential scope too long");
		goto out;
	}
	if ((rc = tp_sigv4_canonical(out, key, p, req, cred.s)) != 0)
		goto out;
	rc = finish(out, key, p, req, scope.s, cred.s);
out:
	tp_buf_release(&scope);
	tp_buf_release(&cred);
	if (rc != 0)
		tp_sigv4_out_release(out);
	return rc;
}

void
tp_sigv4_out_release(struct tp_sigv4_out *out)
{
	if (out == NULL)
		return;
	tp_free_secret(out->canonical_request);
	tp_free_secret(out->string_to_sign);
	tp_free_secret(out->signed_headers);
	tp_free_secret(out->authorization);
	tp_free_secret(out->query);
	tp_wipe(out, sizeof(*out));
}
