/*
 * api.c: GoDaddy Domains API v1 requests and errors (see api.h; facts in
 * shared/reference/providers.md §3 and §5).
 *
 * GoDaddy's errors are {code, message, fields[]}. Its two auth failures
 * need different advice: 401 UNABLE_TO_AUTHENTICATE is a wrong key (often
 * an OTE key against production: keys are per environment), while 403
 * ACCESS_DENIED comes with a valid key on accounts GoDaddy no longer lets
 * use the API (since 2024: fewer than 10 domains and no Discount Domain
 * Club plan), where a new key would not help. Its throttle answer is 429
 * with retryAfterSec in the body and often no Retry-After header, so the
 * HTTP layer is told the delay through the classify hook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "tlsrpt/err.h"

#define GD_AUTH_MAX 4096

/* "CODE message; path: CODE message..." of an error body; *code gets
 * GoDaddy's code ("" when none). */
static void
error_text(struct tp_buf *b, char *code, size_t codelen, const cJSON *j)
{
	const cJSON *c, *m, *f, *fp, *fr, *fc, *fm;

	*code = '\0';
	c = cJSON_GetObjectItemCaseSensitive(j, "code");
	m = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (cJSON_IsString(c)) {
		(void)snprintf(code, codelen, "%s", c->valuestring);
		tp_buf_adds(b, c->valuestring);
	}
	if (cJSON_IsString(m) && *m->valuestring != '\0') {
		if (b->len > 0)
			tp_buf_addc(b, ' ');
		tp_buf_adds(b, m->valuestring);
	}
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(j, "fields"))
	{
		fp = cJSON_GetObjectItemCaseSensitive(f, "path");
		fr = cJSON_GetObjectItemCaseSensitive(f, "pathRelated");
		fc = cJSON_GetObjectItemCaseSensitive(f, "code");
		fm = cJSON_GetObjectItemCaseSensitive(f, "message");
		tp_buf_adds(b, "; ");
		if (cJSON_IsString(fp))
			tp_buf_adds(b, fp->valuestring);
		if (cJSON_IsString(fr))
			tp_buf_addf(b, " (%s)", fr->valuestring);
		if (cJSON_IsString(fp) || cJSON_IsString(fr))
			tp_buf_adds(b, ": ");
		if (cJSON_IsString(fc))
			tp_buf_adds(b, fc->valuestring);
		if (cJSON_IsString(fm))
			tp_buf_addf(b, "%s%s", cJSON_IsString(fc) ? " " : "",
			            fm->valuestring);
	}
}

/* Parse body and fill the error text; 0 when it holds no GoDaddy error. */
static int
body_error(struct tp_buf *b, char *code, size_t codelen, const char *body,
           size_t len)
{
	cJSON *j;

	*code = '\0';
	if (body == NULL || len == 0)
		return 0;
	j = cJSON_ParseWithLength(body, len);
	if (cJSON_IsObject(j))
		error_text(b, code, codelen, j);
	cJSON_Delete(j);
	return b->len > 0;
}

struct gd_advice {
	int kind;
	const char *why;  /* our explanation */
	const char *todo; /* what to do; may hold one %s for where */
};

static struct gd_advice
advice(long status, const char *code)
{
	struct gd_advice a = {TP_EINTERNAL, "GoDaddy refused the request", ""};

	if (status == 401) {
		a.kind = TP_EAUTH;
		a.why = "GoDaddy did not accept the API key and secret";
		a.todo = ": check GODADDY_API_KEY and GODADDY_API_SECRET; keys "
		         "belong to one environment and this run used %s: a "
		         "key made for OTE (GoDaddy's test environment) fails "
		         "on production and the other way round "
		         "(--godaddy-env ote|production)";
	} else if (status == 403 && strcmp(code, "ACCESS_DENIED") == 0) {
		a.kind = TP_EAUTH;
		a.why = "GoDaddy accepted the key but does not let this "
		        "account use the API";
		a.todo = ": since 2024 GoDaddy limits the Domains and DNS API "
		         "to accounts with 10 or more domains or a Discount "
		         "Domain Club plan, so another key will not help (OTE "
		         "is not limited); see docs/providers/godaddy.md";
	} else if (status == 403) {
		a.kind = TP_EAUTH;
		a.why = "GoDaddy refused access";
		a.todo = ": check that the key belongs to the account that "
		         "holds the domain (resellers: set shopper_id / "
		         "GODADDY_SHOPPER_ID)";
	} else if (status == 404) {
		a.kind = TP_ENOTFOUND;
		a.why = "GoDaddy has no such domain in this account";
		a.todo = ": the API manages only domains registered or hosted "
		         "in the key's account: check the account, the "
		         "environment (this run used %s) and --zone-id";
	} else if (status == 409) {
		a.kind = TP_EAUTH;
		a.why = "GoDaddy says the domain is not eligible to have its "
		        "records changed";
		a.todo = ": check in GoDaddy's dashboard that the domain is "
		         "active, unlocked and uses GoDaddy's name servers";
	} else if (status == 422) {
		a.kind = TP_EUSAGE;
		a.todo = ": GoDaddy's fields say which value it refused (its "
		         "smallest TTL is 600)";
	} else if (status == 429) {
		a.kind = TP_ERATELIMIT;
		a.why = "GoDaddy is throttling this account";
		a.todo = ": GoDaddy allows 60 requests per minute, shared by "
		         "every tool using the account; wait and run again";
	} else if (status >= 500) {
		a.kind = TP_ENETWORK;
		a.why = "GoDaddy failed";
		a.todo = ": run again to converge";
	}
	return a;
}

int
tp_gd_api_error(long status, const char *body, size_t len, const char *what,
                const char *where)
{
	struct tp_buf msg = TP_BUF_INIT(2048);
	struct tp_buf todo = TP_BUF_INIT(1024);
	struct gd_advice a;
	char code[128];
	int rc;

	(void)body_error(&msg, code, sizeof(code), body, len);
	a = advice(status, code);
	if (strstr(a.todo, "%s") != NULL)
		tp_buf_addf(&todo, a.todo, where ? where : "the default");
	else
		tp_buf_adds(&todo, a.todo);
	if (msg.len == 0)
		rc =
		    tp_err_set_api(a.kind, status, NULL, NULL,
		                   "godaddy: %s: %s (HTTP %ld, no error in the "
		                   "answer)%s",
		                   what, a.why, status, todo.s);
	else
		rc = tp_err_set_api(a.kind, status, *code ? code : NULL, msg.s,
		                    "godaddy: %s: %s (HTTP %ld, %s)%s", what,
		                    a.why, status, msg.s, todo.s);
	tp_buf_release(&msg);
	tp_buf_release(&todo);
	return rc;
}

double
tp_gd_retry_after(const char *body, size_t len)
{
	const cJSON *ra;
	cJSON *j;
	double s = -1;

	if (body == NULL || len == 0)
		return -1;
	j = cJSON_ParseWithLength(body, len);
	ra = cJSON_GetObjectItemCaseSensitive(j, "retryAfterSec");
	if (cJSON_IsNumber(ra) && ra->valuedouble >= 0 && ra->valuedouble < 1e7)
		s = ra->valuedouble;
	cJSON_Delete(j);
	return s;
}

/* The HTTP layer's hook: a 429 without Retry-After waits retryAfterSec. */
static enum tp_http_verdict
classify(void *ctx, const struct tp_http_resp *resp, double *retry_after)
{
	(void)ctx;
	if (resp->status != 429)
		return TP_HTTP_DEFAULT;
	if (resp->retry_after < 0)
		*retry_after = tp_gd_retry_after(resp->body, resp->body_len);
	return TP_HTTP_RETRY;
}

/* A transport failure (or retries run out), with GoDaddy's own error
 * when the last answer had one. */
static int
call_failed(int rc, const struct tp_http_resp *resp, const char *what)
{
	struct tp_buf gd = TP_BUF_INIT(1024);
	char msg[TP_ERR_MSG_MAX], code[128];
	const char *hint = "";

	(void)snprintf(msg, sizeof(msg), "%s", tp_err_msg());
	if (resp->status >= 400)
		(void)body_error(&gd, code, sizeof(code), resp->body,
		                 resp->body_len);
	else
		*code = '\0';
	if (rc == TP_ERATELIMIT)
		hint = ": GoDaddy allows 60 requests per minute, shared by "
		       "every tool using the account";
	else if (rc == TP_ENETWORK || rc == TP_ETIMEOUT)
		hint = ": run again to converge";
	rc = tp_err_set_api(rc, resp->status, *code ? code : NULL,
	                    gd.len ? gd.s : NULL, "godaddy: %s: %s%s%s%s%s",
	                    what, msg, gd.len ? " (" : "", gd.s,
	                    gd.len ? ")" : "", hint);
	tp_buf_release(&gd);
	return rc;
}

int
tp_gd_api_call(struct tp_gd_api *api, char **out, size_t *outlen,
               const char *method, const char *url, const char *body,
               const char *what)
{
	struct tp_http_header hdr[4] = {
	    {"Authorization", api->auth, 1},
	    {"Accept", "application/json", 0},
	};
	struct tp_http_resp resp;
	struct tp_http_req req;
	size_t n = 2;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if (api->shopper != NULL)
		hdr[n++] =
		    (struct tp_http_header){"X-Shopper-Id", api->shopper, 0};
	if (body != NULL)
		hdr[n++] = (struct tp_http_header){"Content-Type",
		                                   "application/json", 0};
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = method;
	req.url = url;
	req.headers = hdr;
	req.nheaders = n;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.idempotent = 1;
	req.classify = classify;
	rc = tp_http_do(api->http, &req, &resp);
	if (rc != 0)
		rc = call_failed(rc, &resp, what);
	else if (resp.status < 200 || resp.status > 299)
		rc = tp_gd_api_error(resp.status, resp.body, resp.body_len,
		                     what, api->where);
	else if (out != NULL) {
		*out = resp.body;
		if (outlen != NULL)
			*outlen = resp.body_len;
		resp.body = NULL;
	}
	tp_http_resp_release(&resp);
	return rc;
}

void
tp_gd_url(struct tp_buf *b, const struct tp_gd_api *api, const char *domain,
          const char *name)
{
	tp_buf_adds(b, api->base);
	tp_buf_adds(b, "/v1/domains");
	if (domain != NULL) {
		tp_buf_addc(b, '/');
		tp_buf_add_urlenc(b, domain);
	}
	if (name != NULL) {
		tp_buf_adds(b, "/records/TXT/");
		tp_buf_add_urlenc(b, name);
	}
}

/* Key and secret go into one header: nothing that could end or split it,
 * and no ':' in the key, which ends it. */
static int
check_cred(const char *v, const char *env, int is_key)
{
	const unsigned char *p;

	if (*v == '\0')
		return tp_err_set(TP_ECONFIG,
		                  "godaddy: %s is empty: set it to the value "
		                  "shown at developer.godaddy.com/keys",
		                  env);
	for (p = (const unsigned char *)v; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || (is_key && *p == ':'))
			return tp_err_set(
			    TP_ECONFIG,
			    "godaddy: %s holds a space, a control "
			    "character or a non-ASCII byte%s: check the value (or its file; one "
			    "trailing newline is dropped)",
			    env, is_key ? ", or ':' (which ends the key)" : "");
	return 0;
}

/* The base URL and its description for messages. */
static int
pick_base(struct tp_gd_api *api, const char *env, const char *url,
          const char *url_src)
{
	struct tp_buf where = TP_BUF_INIT(1024);
	const char *base = TP_GD_URL_PRODUCTION, *label = "production";
	size_t n;

	if (env != NULL && strcasecmp(env, "ote") == 0) {
		base = TP_GD_URL_OTE;
		label = "OTE";
	} else if (env != NULL && strcasecmp(env, "production") != 0 &&
	           strcasecmp(env, "prod") != 0) {
		return tp_err_set(
		    TP_ECONFIG,
		    "godaddy: environment '%s' is not one of "
		    "GoDaddy's: set --godaddy-env, GODADDY_ENV or "
		    "env to 'production' or 'ote'",
		    env);
	}
	if (url != NULL) {
		if (strncmp(url, "https://", 8) != 0 || url[8] == '\0' ||
		    strcspn(url, " \t\r\n") != strlen(url))
			return tp_err_set(
			    TP_ECONFIG,
			    "godaddy: API URL '%s' (%s) is not an "
			    "https URL: TLS is never turned off; "
			    "fix GODADDY_API_URL or api_url",
			    url, url_src ? url_src : "api_url");
		base = url;
	}
	tp_buf_addf(&where, "%s (%s)", label, base);
	api->base = strdup(base);
	api->where = tp_buf_detach(&where);
	if (api->base == NULL || api->where == NULL)
		return tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
	n = strlen(api->base);
	while (n > 8 && api->base[n - 1] == '/')
		api->base[--n] = '\0';
	return 0;
}

int
tp_gd_api_init(struct tp_gd_api *api, struct tp_http *http, const char *key,
               const char *secret, const char *env, const char *url,
               const char *url_src, const char *shopper)
{
	struct tp_buf auth = TP_BUF_INIT(GD_AUTH_MAX);
	int rc;

	memset(api, 0, sizeof(*api));
	rc = check_cred(key, "GODADDY_API_KEY", 1);
	if (rc == 0)
		rc = check_cred(secret, "GODADDY_API_SECRET", 0);
	if (rc == 0 && shopper != NULL && *shopper != '\0' &&
	    strcspn(shopper, " \t\r\n:") != strlen(shopper))
		rc = tp_err_set(TP_ECONFIG,
		                "godaddy: shopper id '%s' holds a space or "
		                "':': set GODADDY_SHOPPER_ID / shopper_id to "
		                "the customer number",
		                shopper);
	if (rc == 0)
		rc = pick_base(api, env, url, url_src);
	if (rc != 0) {
		tp_gd_api_release(api);
		return rc;
	}
	tp_buf_addf(&auth, "sso-key %s:%s", key, secret);
	if (auth.err) {
		tp_wipe(auth.s, auth.len);
		tp_buf_release(&auth);
		tp_gd_api_release(api);
		return tp_err_set(TP_ECONFIG,
		                  "godaddy: the API key and secret are too "
		                  "long: check GODADDY_API_KEY and "
		                  "GODADDY_API_SECRET");
	}
	api->auth = tp_buf_detach(&auth);
	if (shopper != NULL && *shopper != '\0')
		api->shopper = strdup(shopper);
	if (api->auth == NULL ||
	    (shopper != NULL && *shopper != '\0' && api->shopper == NULL)) {
		tp_gd_api_release(api);
		return tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
	}
	api->http = http;
	return 0;
}

void
tp_gd_api_release(struct tp_gd_api *api)
{
	if (api == NULL)
		return;
	tp_free_secret(api->auth);
	free(api->base);
	free(api->where);
	free(api->shopper);
	memset(api, 0, sizeof(*api));
}
