/*
 * creds_sts.c: web identity credentials: STS AssumeRoleWithWebIdentity
 * with an OIDC token read from a file (GitHub Actions, EKS IRSA). The
 * call is unsigned, as botocore makes it: the token is the credential.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlsrpt/err.h"
#include "tlsrpt/http.h"

#include "awsxml.h"
#include "creds.h"

#define TOKEN_MAX (64 * 1024) /* JWTs are a few KiB */
#define RESULT    "AssumeRoleWithWebIdentityResult"

int
tp_aws_read_token_file(char **out, const struct tp_aws_conf *c,
                       const char *path, const char *what)
{
	struct tp_buf b = TP_BUF_INIT(TOKEN_MAX);
	char chunk[4096], *p = NULL;
	size_t n;
	FILE *f;
	int rc = 0;

	*out = NULL;
	if ((p = tp_aws_expand_home(c, path)) == NULL)
		return tp_err_set(TP_ECONFIG,
		                  "aws: cannot expand '%s' (%s): "
		                  "HOME is not set",
		                  path, what);
	tp_aws_buf_reserve(&b, 16 * 1024);
	if ((f = fopen(p, "r")) == NULL) {
		rc = tp_err_set(TP_ECONFIG, "aws: cannot read '%s' (%s): %s", p,
		                what, strerror(errno));
		goto out;
	}
	/* Unbuffered: no stdio buffer left holding the secret. */
	(void)setvbuf(f, NULL, _IONBF, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tp_buf_add(&b, chunk, n);
	tp_wipe(chunk, sizeof(chunk));
	if (ferror(f))
		rc = tp_err_set(TP_ECONFIG, "aws: cannot read '%s' (%s): %s", p,
		                what, strerror(errno));
	fclose(f);
	/* A trailing newline is an editor's, never the token's. */
	while (b.len > 0 && isspace((unsigned char)b.s[b.len - 1]))
		b.s[--b.len] = '\0';
	if (rc == 0 && b.err)
		rc = tp_err_set(TP_ECONFIG,
		                "aws: '%s' (%s) is larger than %d "
		                "bytes: is it the right file?",
		                p, what, TOKEN_MAX);
	else if (rc == 0 && (b.len == 0 || strlen(b.s) != b.len))
		rc = tp_err_set(TP_ECONFIG,
		                "aws: '%s' (%s) is empty or not "
		                "text",
		                p, what);
	if (rc == 0 && (*out = tp_buf_detach(&b)) == NULL)
		rc = tp_err_set(TP_EINTERNAL, "aws: out of memory");
out:
	tp_wipe(b.s, b.len);
	tp_buf_release(&b);
	free(p);
	return rc;
}

/* STS's own rule for RoleSessionName: [\w+=,.@-]{2,64}. */
static int
session_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 2 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_+=,.@-", s[i]))
			return 0;
	return 1;
}

static int
build_body(struct tp_buf *b, const char *arn, const char *name,
           const char *token)
{
	char def[64];

	tp_aws_buf_reserve(
	    b,
	    3 * (strlen(arn) + strlen(token) + (name ? strlen(name) : 0)) +
	        256);
	if (name == NULL) {
		snprintf(def, sizeof(def), "tlsrpt-publish-%lld",
		         (long long)time(NULL));
		name = def;
	} else if (!session_name_ok(name)) {
		return tp_err_set(TP_ECONFIG,
		                  "aws: role session name '%s' is not 2-64 "
		                  "letters, digits or _+=,.@-: fix "
		                  "AWS_ROLE_SESSION_NAME or role_session_name",
		                  name);
	}
	tp_buf_adds(b,
	            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
	            "&RoleArn=");
	tp_buf_add_urlenc(b, arn);
	tp_buf_adds(b, "&RoleSessionName=");
	tp_buf_add_urlenc(b, name);
	tp_buf_adds(b, "&WebIdentityToken=");
	tp_buf_add_urlenc(b, token);
	if (b->err)
		return tp_err_set(TP_EINTERNAL, "aws: STS request too large");
	return 0;
}

/* IDPCommunicationError: STS could not reach the token's issuer; AWS
 * says to retry (botocore does). */
static enum tp_http_verdict
classify(void *ctx, const struct tp_http_resp *resp, double *retry_after)
{
	struct tp_aws_error e;
	enum tp_http_verdict v = TP_HTTP_DEFAULT;

	(void)ctx;
	*retry_after = -1;
	if (resp->status != 400 ||
	    tp_aws_xml_error(&e, resp->body, resp->body_len) != 0)
		return TP_HTTP_DEFAULT;
	if (e.code != NULL && strcmp(e.code, "IDPCommunicationError") == 0)
		v = TP_HTTP_RETRY;
	tp_aws_error_release(&e);
	return v;
}

static int
sts_error(const struct tp_http_resp *resp, const char *arn, const char *url)
{
	struct tp_aws_error e;
	int code = resp->status >= 500 ? TP_ENETWORK : TP_EAUTH, rc;
	const char *hint = "check that the role's trust policy accepts this "
	                   "token's issuer, audience and subject";

	if (tp_aws_xml_error(&e, resp->body, resp->body_len) != 0)
		return tp_err_set_api(code, resp->status, NULL, NULL,
		                      "aws: STS at '%s' refused "
		                      "AssumeRoleWithWebIdentity for role '%s' "
		                      "(HTTP %ld)",
		                      url, arn, resp->status);
	if (e.code != NULL &&
	    (strcmp(e.code, "ValidationError") == 0 ||
	     strcmp(e.code, "MalformedPolicyDocument") == 0))
		code = TP_ECONFIG;
	if (e.code != NULL && strcmp(e.code, "IDPCommunicationError") == 0) {
		code = TP_ENETWORK;
		hint = "STS could not reach the token's issuer: re-run later";
	}
	rc = tp_err_set_api(code, resp->status, e.code, e.message,
	                    "aws: STS refused AssumeRoleWithWebIdentity for "
	                    "role '%s' (HTTP %ld, %s %s): %s",
	                    arn, resp->status, e.code ? e.code : "",
	                    e.message ? e.message : "", hint);
	tp_aws_error_release(&e);
	return rc;
}

/* Credentials out of the AssumeRoleWithWebIdentityResponse. */
static int
parse_result(struct tp_aws_creds **out, const struct tp_http_resp *resp,
             const char *from)
{
	const xmlNode *cr;
	char *id = NULL, *secret = NULL, *token = NULL, *exp = NULL;
	xmlDoc *doc;
	int rc;

	if ((rc = tp_aws_xml_parse(&doc, resp->body, resp->body_len,
	                           "STS response")) != 0)
		return rc;
	cr = tp_aws_xml_path(tp_aws_xml_root(doc), RESULT "/Credentials");
	id = tp_aws_xml_text(tp_aws_xml_child(cr, "AccessKeyId"));
	secret = tp_aws_xml_text(tp_aws_xml_child(cr, "SecretAccessKey"));
	token = tp_aws_xml_text(tp_aws_xml_child(cr, "SessionToken"));
	exp = tp_aws_xml_text(tp_aws_xml_child(cr, "Expiration"));
	if (!tp_aws_xml_is(tp_aws_xml_root(doc),
	                   "AssumeRoleWithWebIdentityResponse") ||
	    id == NULL || secret == NULL || token == NULL)
		rc = tp_err_set(TP_ENETWORK,
		                "aws: the STS response has no "
		                "Credentials (AccessKeyId, "
		                "SecretAccessKey, SessionToken)");
	else if ((rc = tp_aws_creds_new(out, id, secret, token, from)) == 0 &&
	         exp != NULL && tp_aws_parse_time(&(*out)->expiration, exp))
		tp_err_clear(); /* no expiry known: used until refused */
	tp_free_secret(id);
	tp_free_secret(secret);
	tp_free_secret(token);
	free(exp);
	tp_aws_xml_free(doc);
	return rc;
}

static int
call_sts(struct tp_aws_creds **out, const struct tp_aws_conf *c,
         const struct tp_buf *body, const char *arn, const char *from)
{
	static const struct tp_http_header hdr[] = {
	    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
	     0},
	    {"Accept", "text/xml", 0}};
	struct tp_http_opts o;
	struct tp_aws_endpoint ep;
	struct tp_http_req req;
	struct tp_http_resp resp;
	struct tp_http *h = NULL;
	struct tp_buf url = TP_BUF_INIT(4096);
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	if (c->http != NULL)
		o = *c->http;
	if ((rc = tp_aws_endpoint_sts(&ep, c)) != 0)
		return rc;
	tp_buf_addf(&url, "%s/", ep.url);
	if ((rc = tp_http_new(&h, &o)) != 0)
		goto out;
	req.method = "POST";
	req.url = url.s;
	req.headers = hdr;
	req.nheaders = sizeof(hdr) / sizeof(hdr[0]);
	req.body = body->s;
	req.body_len = body->len;
	req.idempotent = 1; /* assuming a role twice is harmless */
	req.no_body_log = 1;
	req.classify = classify;
	rc = tp_http_do(h, &req, &resp);
	/* Out of retries on IDPCommunicationError: STS's words beat the
	 * HTTP layer's generic ones. */
	if (rc == TP_ERATELIMIT && resp.status == 400)
		rc = sts_error(&resp, arn, ep.url);
	if (rc != 0)
		goto out;
	if (resp.status != 200)
		rc = sts_error(&resp, arn, ep.url);
	else
		rc = parse_result(out, &resp, from);
out:
	if (resp.body != NULL)
		tp_wipe(resp.body, resp.body_len);
	tp_http_resp_release(&resp);
	tp_http_free(h);
	tp_buf_release(&url);
	tp_aws_endpoint_release(&ep);
	return rc;
}

int
tp_aws_creds_assume_web_identity(struct tp_aws_creds **out,
                                 const struct tp_aws_conf *c,
                                 const char *role_arn, const char *token_file,
                                 const char *session_name, const char *source)
{
	struct tp_buf body = TP_BUF_INIT(4 * TOKEN_MAX);
	char from[1024], *token = NULL;
	int rc;

	*out = NULL;
	if (strncmp(role_arn, "arn:", 4) != 0)
		return tp_err_set(TP_ECONFIG,
		                  "aws: role '%s' (from %s) is not an ARN: "
		                  "write it as arn:aws:iam::ACCOUNT:role/NAME",
		                  role_arn, source);
	if ((rc = tp_aws_read_token_file(&token, c, token_file,
	                                 "web identity token")) != 0 ||
	    (rc = build_body(&body, role_arn, session_name, token)) != 0)
		goto out;
	snprintf(from, sizeof(from), "web identity for role '%s' (%s)",
	         role_arn, source);
	rc = call_sts(out, c, &body, role_arn, from);
out:
	tp_free_secret(token);
	tp_wipe(body.s, body.len);
	tp_buf_release(&body);
	return rc;
}
