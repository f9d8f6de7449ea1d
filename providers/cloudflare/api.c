/*
 * api.c: Cloudflare API v4 requests, errors and TXT wire form (see api.h;
 * facts in shared/reference/providers.md §1.2, §1.7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "tlsrpt/err.h"
#include "tlsrpt/txt.h"

static int
is_auth_code(long code)
{
	/* 9109 invalid or IP-restricted token, 10000 missing permission,
	 * 6003/61xx malformed auth headers, 9106/9107 missing headers. */
	return code == 9109 || code == 10000 || code == 9106 || code == 9107 ||
	    code == 6003 || code == 6102 || code == 6103 || code == 6111 ||
	    code == 1000;
}

/* "MESSAGE[: CODE MESSAGE...]" of the first error and its chain. */
static void
error_text(struct tp_buf *b, long *code, const cJSON *errors)
{
	const cJSON *e, *chain, *c, *m, *n;

	e = cJSON_GetArrayItem(errors, 0);
	n = cJSON_GetObjectItemCaseSensitive(e, "code");
	m = cJSON_GetObjectItemCaseSensitive(e, "message");
	*code = tp_cf_json_long(n, 0);
	if (cJSON_IsString(m))
		tp_buf_adds(b, m->valuestring);
	chain = cJSON_GetObjectItemCaseSensitive(e, "error_chain");
	cJSON_ArrayForEach(c, chain)
	{
		n = cJSON_GetObjectItemCaseSensitive(c, "code");
		m = cJSON_GetObjectItemCaseSensitive(c, "message");
		tp_buf_adds(b, ": ");
		if (cJSON_IsNumber(n))
			tp_buf_addf(b, "%ld ", tp_cf_json_long(n, 0));
		if (cJSON_IsString(m))
			tp_buf_adds(b, m->valuestring);
	}
}

/* Status first, codes second: there is no official code catalogue. */
static int
error_kind(long status, long code)
{
	if (code == 81057 || code == 81058 || code == 81053 || code == 81054)
		return TP_ECONFLICT;
	if (code == 81044 || code == 7003 || code == 7000 || status == 404)
		return TP_ENOTFOUND;
	if (is_auth_code(code) || status == 401 || status == 403)
		return TP_EAUTH;
	if (status == 429)
		return TP_ERATELIMIT;
	if (status >= 500)
		return TP_ENETWORK;
	return TP_EINTERNAL;
}

static const char *
error_hint(int kind)
{
	switch (kind) {
	case TP_EAUTH:
		return ": check CLOUDFLARE_API_TOKEN; the token needs Zone:Read "
		       "and DNS:Edit on this zone";
	case TP_ENOTFOUND:
		return ": check the zone id (--zone-id) and that the token can "
		       "see the zone";
	case TP_ERATELIMIT:
		return ": Cloudflare allows 1200 requests per 5 minutes per "
		       "user, shared with every other tool; wait and run again";
	case TP_ENETWORK:
		return ": run again to converge";
	default:
		return "";
	}
}

int
tp_cf_api_error(long status, const cJSON *json, const char *what)
{
	struct tp_buf msg = TP_BUF_INIT(2048);
	char code_s[32] = "";
	long code = 0;
	int kind, rc;

	error_text(&msg, &code,
	           cJSON_GetObjectItemCaseSensitive(json, "errors"));
	if (code != 0)
		(void)snprintf(code_s, sizeof(code_s), "%ld", code);
	kind = error_kind(status, code);
	if (msg.len == 0 && code == 0)
		rc = tp_err_set_api(kind, status, NULL, NULL,
		                    "cloudflare: %s (HTTP %ld, no error in the "
		                    "answer)%s",
		                    what, status, error_hint(kind));
	else
		rc = tp_err_set_api(kind, status, code ? code_s : NULL, msg.s,
		                    "cloudflare: %s (HTTP %ld, %s%s%s)%s", what,
		                    status, code_s, code ? " " : "", msg.s,
		                    error_hint(kind));
	tp_buf_release(&msg);
	return rc;
}

int
tp_cf_api_call(struct tp_cf_api *api, cJSON **json, const char *method,
               const char *url, const char *body, int idempotent,
               const char *what)
{
	struct tp_http_header hdr[3] = {
	    {"Authorization", api->auth, 1},
	    {"Accept", "application/json", 0},
	    {"Content-Type", "application/json", 0},
	};
	struct tp_http_resp resp;
	struct tp_http_req req;
	char msg[TP_ERR_MSG_MAX];
	int rc;

	*json = NULL;
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = method;
	req.url = url;
	req.headers = hdr;
	req.nheaders = body != NULL ? 3 : 2;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.idempotent = idempotent;
	rc = tp_http_do(api->http, &req, &resp);
	if (rc != 0) {
		(void)snprintf(msg, sizeof(msg), "%s", tp_err_msg());
		rc = tp_err_set_api(rc, resp.status, NULL, NULL,
		                    "cloudflare: %s: %s%s", what, msg,
		                    error_hint(rc));
		goto out;
	}
	rc =
	    tp_cf_api_answer(json, resp.status, resp.body, resp.body_len, what);
out:
	tp_http_resp_release(&resp);
	return rc;
}

void
tp_cf_api_url(struct tp_buf *b, const struct tp_cf_api *api,
              const char *zone_id, const char *record_id)
{
	tp_buf_adds(b, api->base);
	tp_buf_adds(b, "/zones");
	if (zone_id != NULL) {
		tp_buf_addc(b, '/');
		tp_buf_add_urlenc(b, zone_id);
	}
	if (record_id != NULL) {
		tp_buf_adds(b, "/dns_records/");
		tp_buf_add_urlenc(b, record_id);
	}
}

const char *
tp_cf_json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

long
tp_cf_total_pages(const cJSON *json)
{
	const cJSON *info, *tp;

	info = cJSON_GetObjectItemCaseSensitive(json, "result_info");
	tp = cJSON_GetObjectItemCaseSensitive(info, "total_pages");
	return tp_cf_json_long(tp, 1) < 1 ? 1 : tp_cf_json_long(tp, 1);
}

int
tp_cf_txt_decode(struct tp_strv *out, const char *content)
{
	struct tp_txt t;
	int rc;

	if (content[strspn(content, " \t")] != '"')
		return tp_strv_add(out, content);
	rc = tp_txt_from_presentation(&t, content, strlen(content));
	if (rc != 0) {
		/* Not valid presentation text after all (Cloudflare refuses
		 * such content now, older records may have it): what is
		 * served then is the text as written. */
		tp_err_clear();
		return tp_strv_add(out, content);
	}
	if (memchr(t.data, '\0', t.len) != NULL)
		rc = tp_err_set(
		    TP_EUSAGE,
		    "cloudflare: a TXT value holds a NUL byte, which "
		    "this tool cannot keep intact: fix it by hand");
	else
		rc = tp_strv_addn(out, t.data, t.len);
	tp_txt_release(&t);
	return rc;
}

int
tp_cf_txt_encode(char **out, const char *value)
{
	return tp_txt_to_presentation(out, value, strlen(value));
}

static int
check_token(const char *t)
{
	const unsigned char *p;

	if (*t == '\0')
		return tp_err_set(
		    TP_ECONFIG,
		    "cloudflare: the API token is empty: set "
		    "CLOUDFLARE_API_TOKEN to a token with Zone:Read "
		    "and DNS:Edit");
	/* It goes into a header: nothing that could end or split it. */
	for (p = (const unsigned char *)t; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return tp_err_set(TP_ECONFIG,
			                  "cloudflare: the API token holds a "
			                  "space, a control character or a "
			                  "non-ASCII byte: check "
			                  "CLOUDFLARE_API_TOKEN (or the token "
			                  "file)");
	return 0;
}

int
tp_cf_api_init(struct tp_cf_api *api, struct tp_http *http, const char *token,
               const char *url, const char *url_src)
{
	struct tp_buf auth = TP_BUF_INIT(4096);
	size_t n;
	int rc;

	memset(api, 0, sizeof(*api));
	rc = check_token(token);
	if (rc != 0)
		return rc;
	if (url == NULL || strncmp(url, "https://", 8) != 0 ||
	    strcspn(url, " \t\r\n") != strlen(url))
		return tp_err_set(
		    TP_ECONFIG,
		    "cloudflare: API URL '%s' (%s) is not an https "
		    "URL: TLS is never turned off; fix "
		    "CLOUDFLARE_API_URL or api_url",
		    url ? url : "", url_src);
	tp_buf_addf(&auth, "Bearer %s", token);
	api->auth = tp_buf_detach(&auth);
	api->base = strdup(url);
	if (api->auth == NULL || api->base == NULL) {
		tp_cf_api_release(api);
		return tp_err_set(TP_EINTERNAL, "cloudflare: out of memory");
	}
	n = strlen(api->base);
	while (n > 8 && api->base[n - 1] == '/')
		api->base[--n] = '\0';
	api->http = http;
	return 0;
}

void
tp_cf_api_release(struct tp_cf_api *api)
{
	if (api == NULL)
		return;
	tp_free_secret(api->auth);
	free(api->base);
	memset(api, 0, sizeof(*api));
}
