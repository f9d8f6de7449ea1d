/*
 * r53api.c: one Route 53 API request: fresh credentials, a SigV4
 * signature per attempt (through the HTTP layer's prepare hook, so a
 * retry carries a new X-Amz-Date), Route 53's throttles recognised for
 * retries (it says Throttling and PriorRequestNotComplete with HTTP 400
 * and an XML body, never 429), and its errors mapped (see r53.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlsrpt/err.h"

#include "awsxml.h"
#include "r53.h"

#define URL_MAX (16 * 1024)

static enum tp_http_verdict
classify(void *ctx, const struct tp_http_resp *resp, double *retry_after)
{
	(void)ctx;
	*retry_after = -1; /* no Retry-After from Route 53: back off */
	if (resp->status == 400 && resp->body != NULL &&
	    tp_r53_is_throttle(resp->body, resp->body_len))
		return TP_HTTP_RETRY;
	return TP_HTTP_DEFAULT;
}

/* This worker's credentials, refreshed when they expire soon, and the
 * signer pointed at them. */
static int
fresh_key(struct tp_r53_api *api)
{
	int rc;

	rc = tp_r53_account_creds(api->acct, &api->creds, time(NULL));
	if (rc != 0)
		return rc;
	api->signer.key.access_key_id = api->creds->access_key_id;
	api->signer.key.secret_access_key = api->creds->secret_access_key;
	api->signer.key.session_token = api->creds->session_token;
	api->signer.region = api->acct->ep.signing_region;
	api->signer.service = "route53";
	return 0;
}

/* A failed transfer: the API's own error when it sent one (throttles
 * and 5xx after the last retry), else the transport's, code kept. */
static int
transfer_failed(int rc, const struct tp_http_resp *resp, const char *what)
{
	char msg[TP_ERR_MSG_MAX];
	struct tp_aws_error e;

	if (resp->status >= 400 && resp->body_len > 0 &&
	    tp_aws_xml_error(&e, resp->body, resp->body_len) == 0) {
		tp_aws_error_release(&e);
		return tp_r53_error(resp->status, resp->body, resp->body_len,
		                    what);
	}
	(void)snprintf(msg, sizeof(msg), "%s", tp_err_msg());
	return tp_err_set_api(rc, resp->status, NULL, NULL, "route53: %s: %s",
	                      what, msg);
}

int
tp_r53_call(struct tp_r53_api *api, char **body, size_t *len,
            const char *method, const char *path, const char *xml,
            int idempotent, const char *what)
{
	static const struct tp_http_header hdr[] = {
	    {"Content-Type", "application/xml", 0},
	};
	struct tp_buf url = TP_BUF_INIT(URL_MAX);
	struct tp_http_resp resp;
	struct tp_http_req req;
	int rc;

	*body = NULL;
	*len = 0;
	if ((rc = fresh_key(api)) != 0)
		return rc;
	tp_buf_adds(&url, api->base);
	tp_buf_adds(&url, path);
	if (url.err) {
		tp_buf_release(&url);
		return tp_err_set(TP_EUSAGE, "route53: %s: URL too long", what);
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url.s;
	req.headers = xml != NULL ? hdr : NULL;
	req.nheaders = xml != NULL ? 1 : 0;
	req.body = xml;
	req.body_len = xml != NULL ? strlen(xml) : 0;
	req.idempotent = idempotent;
	req.prepare = tp_sigv4_prepare;
	req.prepare_ctx = &api->signer;
	req.classify = classify;
	rc = tp_http_do(api->http, &req, &resp);
	if (rc != 0)
		rc = transfer_failed(rc, &resp, what);
	else if (resp.status < 200 || resp.status > 299)
		rc = tp_r53_error(resp.status, resp.body, resp.body_len, what);
	else {
		*body = resp.body;
		*len = resp.body_len;
		resp.body = NULL;
	}
	tp_http_resp_release(&resp);
	tp_buf_release(&url);
	return rc;
}

void
tp_r53_api_release(struct tp_r53_api *api)
{
	if (api == NULL)
		return;
	tp_aws_creds_free(api->creds);
	memset(api, 0, sizeof(*api));
}
