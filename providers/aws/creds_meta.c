/*
 * creds_meta.c: credentials from the machine: the ECS/EKS container
 * credentials endpoint and EC2 instance metadata (IMDSv2). Both answer
 * with the same JSON (AccessKeyId, SecretAccessKey, Token, Expiration)
 * over plain http to a link-local or loopback address, which the HTTP
 * layer allows only for requests that ask for it (allow_http).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "tlsrpt/err.h"
#include "tlsrpt/http.h"

#include "creds.h"

#define ECS_BASE  "http://169.254.170.2"
#define IMDS_V4   "http://169.254.169.254"
#define IMDS_V6   "http://[fd00:ec2::254]"
#define IMDS_TTL  "21600"
#define ROLE_PATH "/latest/meta-data/iam/security-credentials/"

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* Wipe every string of a parsed tree (the keys) before freeing it. */
static void
json_wipe_free(cJSON *j)
{
	cJSON *c;

	if (j == NULL)
		return;
	for (c = j->child; c != NULL; c = c->next)
		if (cJSON_IsString(c) && c->valuestring != NULL)
			tp_wipe(c->valuestring, strlen(c->valuestring));
	cJSON_Delete(j);
}

/* The credentials JSON both services return. */
static int
from_json(struct tp_aws_creds **out, const struct tp_http_resp *resp,
          const char *from, int check_code)
{
	const char *code, *exp;
	cJSON *j;
	int rc;

	j = cJSON_ParseWithLength(resp->body, resp->body_len);
	if (j == NULL || !cJSON_IsObject(j)) {
		json_wipe_free(j);
		return tp_err_set(TP_ENETWORK,
		                  "aws: %s answered with "
		                  "something that is not a JSON "
		                  "object",
		                  from);
	}
	code = jstr(j, "Code");
	if (check_code && code != NULL && strcmp(code, "Success") != 0)
		rc = tp_err_set_api(TP_EAUTH, resp->status, code, NULL,
		                    "aws: %s has no usable credentials "
		                    "(Code %s): check the role attached",
		                    from, code);
	else if (jstr(j, "AccessKeyId") == NULL ||
	         jstr(j, "SecretAccessKey") == NULL)
		rc = tp_err_set(TP_ENETWORK,
		                "aws: %s answered without "
		                "AccessKeyId and SecretAccessKey",
		                from);
	else
		rc = tp_aws_creds_new(out, jstr(j, "AccessKeyId"),
		                      jstr(j, "SecretAccessKey"),
		                      jstr(j, "Token"), from);
	if (rc == 0 && (exp = jstr(j, "Expiration")) != NULL &&
	    tp_aws_parse_time(&(*out)->expiration, exp) != 0)
		tp_err_clear(); /* no expiry known: used until refused */
	json_wipe_free(j);
	return rc;
}

static void
wipe_release(struct tp_http_resp *resp)
{
	if (resp->body != NULL)
		tp_wipe(resp->body, resp->body_len);
	tp_http_resp_release(resp);
	memset(resp, 0, sizeof(*resp));
}

static void
skip(struct tp_buf *skipped, const char *what)
{
	if (skipped->len > 0)
		tp_buf_adds(skipped, "; ");
	tp_buf_adds(skipped, what);
}

/* Plain http only to the container agent's addresses or loopback; any
 * host over https (the AWS SDKs' rule for the full URI). */
static int
container_url_ok(const char *url)
{
	static const char *const hosts[] = {"http://127.",
	                                    "http://localhost/",
	                                    "http://localhost:",
	                                    "http://[::1]",
	                                    "http://169.254.170.2/",
	                                    "http://169.254.170.2:",
	                                    "http://169.254.170.23/",
	                                    "http://169.254.170.23:",
	                                    "http://[fd00:ec2::23]",
	                                    NULL};
	size_t i;

	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	for (i = 0; hosts[i] != NULL; i++)
		if (strncasecmp(url, hosts[i], strlen(hosts[i])) == 0)
			return 1;
	return 0;
}

static int
new_handle(struct tp_http **h, const struct tp_aws_conf *c, long timeout_ms,
           int retries)
{
	struct tp_http_opts o;

	memset(&o, 0, sizeof(o));
	if (c->http != NULL)
		o = *c->http;
	o.connect_timeout_ms = timeout_ms;
	o.timeout_ms = timeout_ms;
	o.max_retries = retries;
	o.limiter = NULL; /* not the provider's API: not its budget */
	return tp_http_new(h, &o);
}

/* The container endpoint's authorization token, if configured. */
static int
container_token(char **out, const struct tp_aws_conf *c)
{
	const char *file, *tok;

	*out = NULL;
	if ((file = tp_aws_env(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")))
		return tp_aws_read_token_file(out, c, file,
		                              "container authorization token");
	if ((tok = tp_aws_env(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) == NULL)
		return 0;
	if (strpbrk(tok, "\r\n") != NULL)
		return tp_err_set(TP_ECONFIG,
		                  "aws: AWS_CONTAINER_AUTHORIZATION_TOKEN "
		                  "holds a line break: fix the variable");
	if ((*out = strdup(tok)) == NULL)
		return tp_err_set(TP_EINTERNAL, "aws: out of memory");
	return 0;
}

static int
container_url(struct tp_buf *url, const struct tp_aws_conf *c, const char *rel,
              const char *full)
{
	if (rel != NULL) {
		if (rel[0] != '/')
			return tp_err_set(TP_ECONFIG,
			                  "aws: AWS_CONTAINER_CREDENTIALS_"
			                  "RELATIVE_URI '%s' does not start "
			                  "with '/'",
			                  rel);
		tp_buf_adds(url,
		            c->container_base ? c->container_base : ECS_BASE);
		tp_buf_adds(url, rel);
	} else {
		if (!container_url_ok(full))
			return tp_err_set(
			    TP_ECONFIG,
			    "aws: AWS_CONTAINER_CREDENTIALS_FULL_URI"
			    " '%s' must be https, or http to "
			    "loopback or the ECS/EKS agent address",
			    full);
		tp_buf_adds(url, full);
	}
	if (url->err)
		return tp_err_set(TP_ECONFIG,
		                  "aws: container credentials "
		                  "URI too long");
	return 0;
}

int
tp_aws_creds_container(struct tp_aws_creds **out, struct tp_buf *skipped,
                       const struct tp_aws_conf *c)
{
	const char *rel, *full;
	struct tp_buf url = TP_BUF_INIT(4096);
	struct tp_http_header hdr[2] = {{"Accept", "application/json", 0},
	                                {"Authorization", NULL, 1}};
	struct tp_http_req req;
	struct tp_http_resp resp;
	struct tp_http *h = NULL;
	char *token = NULL, from[4200];
	int rc;

	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	rel = tp_aws_env(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	full = tp_aws_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (rel == NULL && full == NULL) {
		skip(skipped,
		     "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
		     " and _FULL_URI not set");
		return 0;
	}
	if ((rc = container_url(&url, c, rel, full)) != 0 ||
	    (rc = container_token(&token, c)) != 0 ||
	    (rc = new_handle(&h, c, 2000, 2)) != 0)
		goto out;
	snprintf(from, sizeof(from), "container credentials at '%s'", url.s);
	hdr[1].value = token;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url.s;
	req.headers = hdr;
	req.nheaders = token ? 2 : 1;
	req.idempotent = 1;
	req.no_body_log = 1;
	req.allow_http = 1;
	if ((rc = tp_http_do(h, &req, &resp)) != 0)
		goto out;
	if (resp.status == 200)
		rc = from_json(out, &resp, from, 0);
	else
		rc = tp_err_set_api(resp.status == 401 || resp.status == 403
		                        ? TP_EAUTH
		                        : TP_ENETWORK,
		                    resp.status, NULL, NULL,
		                    "aws: %s answered HTTP %ld: check "
		                    "AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)",
		                    from, resp.status);
out:
	wipe_release(&resp);
	tp_http_free(h);
	tp_free_secret(token);
	tp_buf_release(&url);
	return rc;
}

/* One conversation with the instance metadata service. */
struct imds {
	const struct tp_aws_conf *c;
	struct tp_http *h;
	struct tp_buf base;
	char *token; /* IMDSv2 session token (secret); NULL: IMDSv1 */
	long timeout_ms;
};

static int
env_true(const struct tp_aws_conf *c, const char *name)
{
	const char *v = tp_aws_env(c, name);

	return v != NULL && strcasecmp(v, "true") == 0;
}

static long
env_long(const struct tp_aws_conf *c, const char *name, long def, long max)
{
	const char *v = tp_aws_env(c, name);
	char *end;
	long n;

	if (v == NULL)
		return def;
	n = strtol(v, &end, 10);
	return *end == '\0' && n >= 1 && n <= max ? n : def;
}

static int
imds_do(struct imds *m, const char *method, const char *path,
        struct tp_http_resp *resp, int probe)
{
	struct tp_buf url = TP_BUF_INIT(8192);
	struct tp_http_header hdr = {"X-aws-ec2-metadata-token", m->token, 1};
	struct tp_http_req req;
	int rc;

	if (strcmp(method, "PUT") == 0) {
		hdr.name = "X-aws-ec2-metadata-token-ttl-seconds";
		hdr.value = IMDS_TTL;
		hdr.secret = 0;
	}
	tp_buf_adds(&url, m->base.s);
	tp_buf_adds(&url, path);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url.s;
	req.headers = &hdr;
	req.nheaders = hdr.value != NULL;
	req.body = "";
	req.idempotent = 1;
	req.no_body_log = 1;
	req.allow_http = 1;
	req.no_retry = probe;
	rc = tp_http_do(m->h, &req, resp);
	tp_buf_release(&url);
	return rc;
}

/* PUT /latest/api/token. *absent set when nothing answers (not EC2). */
static int
imds_token(struct imds *m, struct tp_buf *skipped, int *absent)
{
	struct tp_http_resp resp;
	char what[512];
	int rc;

	*absent = 0;
	if (imds_do(m, "PUT", "/latest/api/token", &resp, 1) != 0) {
		wipe_release(&resp);
		tp_err_clear();
		snprintf(what, sizeof(what),
		         "instance metadata: no answer from %s within %ld ms",
		         m->base.s, m->timeout_ms);
		skip(skipped, what);
		*absent = 1;
		return 0;
	}
	rc = 0;
	if (resp.status == 200) {
		while (resp.body_len > 0 &&
		       strchr(" \t\r\n", resp.body[resp.body_len - 1]))
			resp.body[--resp.body_len] = '\0';
		if ((m->token = strdup(resp.body)) == NULL)
			rc = tp_err_set(TP_EINTERNAL, "aws: out of memory");
	} else if (resp.status == 403 || resp.status == 404 ||
	           resp.status == 405) {
		/* An IMDSv1-only service: the SDKs fall back unless told
		 * not to. */
		if (env_true(m->c, "AWS_EC2_METADATA_V1_DISABLED"))
			rc = tp_err_set(
			    TP_ECONFIG,
			    "aws: instance metadata at %s refused an "
			    "IMDSv2 token (HTTP %ld) and "
			    "AWS_EC2_METADATA_V1_DISABLED is true",
			    m->base.s, resp.status);
	} else {
		rc = tp_err_set_api(TP_ENETWORK, resp.status, NULL, NULL,
		                    "aws: instance metadata at %s answered "
		                    "HTTP %ld to the token request",
		                    m->base.s, resp.status);
	}
	wipe_release(&resp);
	return rc;
}

/* The role attached to the instance: the first line of the listing. */
static int
imds_role(struct imds *m, char **role, struct tp_buf *skipped)
{
	struct tp_http_resp resp;
	size_t n;
	int rc;

	*role = NULL;
	if ((rc = imds_do(m, "GET", ROLE_PATH, &resp, 0)) != 0)
		goto out;
	n = strcspn(resp.body, "\r\n");
	if (resp.status == 404 || (resp.status == 200 && n == 0))
		skip(skipped,
		     "instance metadata: no IAM role attached to this "
		     "instance");
	else if (resp.status == 401)
		rc = tp_err_set_api(TP_EAUTH, resp.status, NULL, NULL,
		                    "aws: instance metadata at %s refused the "
		                    "session token (HTTP 401)",
		                    m->base.s);
	else if (resp.status != 200)
		rc = tp_err_set_api(TP_ENETWORK, resp.status, NULL, NULL,
		                    "aws: instance metadata at %s answered "
		                    "HTTP %ld for the role name",
		                    m->base.s, resp.status);
	else if ((*role = strndup(resp.body, n)) == NULL)
		rc = tp_err_set(TP_EINTERNAL, "aws: out of memory");
out:
	wipe_release(&resp);
	return rc;
}

static int
imds_creds(struct imds *m, struct tp_aws_creds **out, const char *role)
{
	struct tp_buf path = TP_BUF_INIT(4096);
	struct tp_http_resp resp;
	char from[600];
	int rc;

	tp_buf_adds(&path, ROLE_PATH);
	tp_buf_add_urlenc(&path, role);
	snprintf(from, sizeof(from), "instance metadata role '%s'", role);
	if ((rc = imds_do(m, "GET", path.s, &resp, 0)) != 0)
		goto out;
	if (resp.status == 200)
		rc = from_json(out, &resp, from, 1);
	else
		rc = tp_err_set_api(resp.status == 401 ? TP_EAUTH : TP_ENETWORK,
		                    resp.status, NULL, NULL,
		                    "aws: instance metadata at %s answered "
		                    "HTTP %ld for the credentials of role '%s'",
		                    m->base.s, resp.status, role);
out:
	wipe_release(&resp);
	tp_buf_release(&path);
	return rc;
}

int
tp_aws_creds_imds(struct tp_aws_creds **out, struct tp_buf *skipped,
                  const struct tp_aws_conf *c)
{
	struct imds m;
	const char *ep, *mode;
	char *role = NULL;
	int rc, absent;

	*out = NULL;
	if (env_true(c, "AWS_EC2_METADATA_DISABLED")) {
		skip(skipped,
		     "instance metadata: AWS_EC2_METADATA_DISABLED is "
		     "true");
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.c = c;
	tp_buf_init(&m.base, 2048);
	mode = tp_aws_env(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	if ((ep = tp_aws_env(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) == NULL)
		ep = mode && strcasecmp(mode, "IPv6") == 0 ? IMDS_V6 : IMDS_V4;
	tp_buf_adds(&m.base, ep);
	while (m.base.len > 0 && m.base.s[m.base.len - 1] == '/')
		m.base.s[--m.base.len] = '\0';
	/* The SDKs' defaults: 1 s, one attempt, so laptops move on. */
	m.timeout_ms =
	    1000 * env_long(c, "AWS_METADATA_SERVICE_TIMEOUT", 1, 60);
	if ((rc = new_handle(
	         &m.h, c, m.timeout_ms,
	         (int)env_long(c, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", 1, 10) -
	             1)) != 0 ||
	    (rc = imds_token(&m, skipped, &absent)) != 0 || absent ||
	    (rc = imds_role(&m, &role, skipped)) != 0 || role == NULL)
		goto out;
	rc = imds_creds(&m, out, role);
out:
	free(role);
	tp_free_secret(m.token);
	tp_http_free(m.h);
	tp_buf_release(&m.base);
	return rc;
}
