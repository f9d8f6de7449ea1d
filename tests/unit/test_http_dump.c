/*
 * test_http_dump.c: the -vv dump of real HTTPS traffic (through
 * tests/harness/httpsd.py) shows requests and responses but never a
 * secret, wherever the secret travels: headers, URL, bodies, cookies, or
 * echoed back by the server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "httpsd.h"
#include "tlsrpt/err.h"
#include "tlsrpt/http.h"

static struct httpsd srv;

/* Every value below must never appear in a dump. */
static const char *const secrets[] = {
    "BEARERTOKEN1234",  "XAUTHKEY5678",    "MARKEDVALUE9999", "AKIDEXAMPLE777",
    "SIGNATURE0a1b2c3", "URLTOKEN4321",    "SSOKEYPART",      "SSOSECRETPART",
    "SESSIONTOKEN55",   "PREPSIGNATURE42", "BODYTOKEN314",    "FORMJWT2718",
};

static int
setup(void **state)
{
	(void)state;
	if (tp_http_global_init() != 0 || httpsd_start(&srv) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	httpsd_stop(&srv);
	tp_http_global_cleanup();
	return 0;
}

static int
prep(void *ctx, const struct tp_http_req *req, struct tp_http_extra *x)
{
	(void)ctx;
	(void)req;
	return tp_http_extra_add(x, "X-Prep-Sig", "PREPSIGNATURE42", 1);
}

static void
assert_clean(const char *log)
{
	size_t i;

	for (i = 0; i < sizeof(secrets) / sizeof(*secrets); i++) {
		if (strstr(log, secrets[i]) != NULL)
			fail_msg("secret '%s' leaked into:\n%s", secrets[i],
			         log);
	}
	/* No raw control byte but the line ends. */
	for (i = 0; log[i] != '\0'; i++)
		if ((unsigned char)log[i] < 0x20 && log[i] != '\n')
			fail_msg("raw control byte 0x%02x in the dump",
			         (unsigned)(unsigned char)log[i]);
}

static struct tp_http *
client(struct capture *cap)
{
	struct tp_http_opts o;
	struct tp_http *h = NULL;

	memset(&o, 0, sizeof(o));
	o.cacert = srv.ca;
	o.sink = &cap->sink;
	o.max_retries = 1;
	o.backoff_base = 0.01;
	assert_int_equal(tp_http_new(&h, &o), 0);
	return h;
}

static void
test_headers_url_and_echoes(void **state)
{
	struct tp_http_header hd[] = {
	    {"Authorization", "Bearer BEARERTOKEN1234", 0},
	    {"X-Auth-Key", "XAUTHKEY5678", 0},
	    {"X-Test-Secret", "MARKEDVALUE9999", 1},
	    {"X-Custom", "sso-key SSOKEYPART:SSOSECRETPART", 0},
	    {"X-Amz-Security-Token", "SESSIONTOKEN55", 0},
	};
	struct capture cap;
	struct tp_http *h;
	struct tp_http_req req;
	struct tp_http_resp r;
	char u[256];

	(void)state;
	capture_init(&cap, TP_LOG_DEBUG);
	h = client(&cap);
	(void)snprintf(u, sizeof(u),
	               "https://127.0.0.1:%d/leak?token=URLTOKEN4321&zone=z1",
	               srv.port);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = u;
	req.headers = hd;
	req.nheaders = sizeof(hd) / sizeof(*hd);
	req.idempotent = 1;
	req.prepare = prep;
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	assert_int_equal(r.status, 200);
	/* The server did get the secrets and echoed them... */
	assert_non_null(strstr(r.body, "MARKEDVALUE9999"));
	assert_string_equal(tp_http_resp_header(&r, "X-Echo"),
	                    "MARKEDVALUE9999");
	/* ...and the dump shows the exchange without any of them. */
	assert_clean(cap.text.s);
	assert_non_null(strstr(cap.text.s, "http: > GET https://127.0.0.1:"));
	assert_non_null(strstr(cap.text.s, "zone=z1"));
	assert_non_null(strstr(cap.text.s, "Authorization: Bearer [redacted]"));
	assert_non_null(strstr(cap.text.s, "User-Agent: tlsrpt-publish/"));
	assert_non_null(strstr(cap.text.s, "http: < HTTP/1.1 200 OK"));
	assert_non_null(strstr(cap.text.s, "visible-name"));
	assert_non_null(strstr(cap.text.s, "X-Echo: [redacted]"));
	tp_http_resp_release(&r);
	tp_buf_release(&cap.text);
	tp_http_free(h);
}

static void
test_sigv4_and_xml(void **state)
{
	struct tp_http_header hd[] = {
	    {"Authorization",
	     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE777/20260101/us-east-1/"
	     "route53/aws4_request, SignedHeaders=host;x-amz-date, "
	     "Signature=SIGNATURE0a1b2c3",
	     0},
	    {"X-Test-Secret", "SESSIONTOKEN55", 0},
	};
	struct capture cap;
	struct tp_http *h;
	struct tp_http_req req;
	struct tp_http_resp r;
	char u[128];

	(void)state;
	capture_init(&cap, TP_LOG_DEBUG);
	h = client(&cap);
	(void)snprintf(u, sizeof(u), "https://127.0.0.1:%d/leakxml", srv.port);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = u;
	req.headers = hd;
	req.nheaders = 2;
	req.idempotent = 1;
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	assert_clean(cap.text.s);
	assert_non_null(strstr(cap.text.s, "SignedHeaders=host;x-amz-date"));
	assert_non_null(strstr(cap.text.s, "us-east-1/route53/aws4_request"));
	assert_non_null(strstr(cap.text.s, "<AssumeRoleResponse>"));
	tp_http_resp_release(&r);
	tp_buf_release(&cap.text);
	tp_http_free(h);
}

static void
test_bodies(void **state)
{
	struct tp_http_header json = {"Content-Type", "application/json", 0};
	struct tp_http_header form = {"Content-Type",
	                              "application/x-www-form-urlencoded", 0};
	struct capture cap;
	struct tp_http *h;
	struct tp_http_req req;
	struct tp_http_resp r;
	char u[128];

	(void)state;
	capture_init(&cap, TP_LOG_DEBUG);
	h = client(&cap);
	(void)snprintf(u, sizeof(u), "https://127.0.0.1:%d/echo", srv.port);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = u;
	req.headers = &json;
	req.nheaders = 1;
	req.body = "{\"content\":\"v=TLSRPTv1\\u001b\",\"token\":"
	           "\"BODYTOKEN314\"}";
	req.body_len = strlen(req.body);
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	assert_non_null(strstr(r.body, "BODYTOKEN314")); /* it was sent */
	tp_http_resp_release(&r);
	/* A request holding a token in its body, marked no_body_log. */
	req.headers = &form;
	req.body = "Action=AssumeRoleWithWebIdentity&WebIdentityToken="
	           "FORMJWT2718";
	req.body_len = strlen(req.body);
	req.no_body_log = 1;
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	tp_http_resp_release(&r);
	assert_clean(cap.text.s);
	assert_non_null(strstr(cap.text.s, "v=TLSRPTv1"));
	assert_non_null(strstr(cap.text.s, "not shown (may hold credentials)"));
	tp_buf_release(&cap.text);
	tp_http_free(h);
}

static void
test_errors_and_retries_logged(void **state)
{
	struct capture cap;
	struct tp_http *h;
	struct tp_http_req req;
	struct tp_http_resp r;
	char u[128];

	(void)state;
	capture_init(&cap, TP_LOG_DEBUG);
	h = client(&cap);
	(void)snprintf(u, sizeof(u), "https://127.0.0.1:%d/s/d1?q=503,200",
	               srv.port);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = u;
	req.idempotent = 1;
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	tp_http_resp_release(&r);
	assert_non_null(strstr(cap.text.s, "(attempt 1 of 2)"));
	assert_non_null(strstr(cap.text.s, "(attempt 2 of 2)"));
	assert_non_null(strstr(cap.text.s, "HTTP 503; retry 1 of 1"));
	assert_non_null(strstr(cap.text.s, "new connection"));
	assert_non_null(strstr(cap.text.s, "reused connection"));
	tp_buf_release(&cap.text);
	tp_http_free(h);

	/* Below debug level nothing is dumped. */
	capture_init(&cap, TP_LOG_WARN);
	h = client(&cap);
	assert_int_equal(tp_http_do(h, &req, &r), 0);
	tp_http_resp_release(&r);
	assert_string_equal(cap.text.s, "");
	tp_buf_release(&cap.text);
	tp_http_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_headers_url_and_echoes),
	    cmocka_unit_test(test_sigv4_and_xml),
	    cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_errors_and_retries_logged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
