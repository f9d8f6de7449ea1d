/*
 * http_resp.c: responses and prepare-hook headers of the HTTP layer (the
 * parts that need no libcurl).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

const char *
tp_http_resp_header(const struct tp_http_resp *resp, const char *name)
{
	size_t i, n = strlen(name);
	const char *v;

	for (i = 0; i < resp->headers.n; i++) {
		v = resp->headers.v[i];
		if (strncasecmp(v, name, n) == 0 && v[n] == ':') {
			v += n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
	}
	return NULL;
}

void
tp_http_resp_clear(struct tp_http_resp *resp)
{
	if (resp->body != NULL) {
		/* Bodies can hold credentials (IMDS, STS): wipe them. */
		tp_wipe(resp->body, resp->body_len);
		free(resp->body);
	}
	free(resp->content_type);
	tp_strv_release(&resp->headers);
	resp->body = NULL;
	resp->body_len = 0;
	resp->content_type = NULL;
	resp->status = 0;
	resp->retry_after = -1;
}

void
tp_http_resp_release(struct tp_http_resp *resp)
{
	if (resp == NULL)
		return;
	tp_http_resp_clear(resp);
	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
}

int
tp_http_extra_add(struct tp_http_extra *x, const char *name, const char *value,
                  int secret)
{
	char *n, *v;

	if (x->n >= TP_HTTP_EXTRA_MAX)
		return tp_err_set(TP_EINTERNAL,
		                  "http: more than %d extra headers for '%s'",
		                  TP_HTTP_EXTRA_MAX, name);
	n = strdup(name);
	v = strdup(value);
	if (n == NULL || v == NULL) {
		free(n);
		tp_free_secret(v);
		return tp_err_set(TP_EINTERNAL, "http: out of memory");
	}
	x->store[2 * x->n] = n;
	x->store[2 * x->n + 1] = v;
	x->h[x->n].name = n;
	x->h[x->n].value = v;
	x->h[x->n].secret = secret;
	x->n++;
	return 0;
}

void
tp_http_extra_release(struct tp_http_extra *x)
{
	size_t i;

	for (i = 0; i < 2 * x->n; i++) {
		/* Values may be signatures or tokens. */
		tp_free_secret(x->store[i]);
		x->store[i] = NULL;
	}
	x->n = 0;
}
