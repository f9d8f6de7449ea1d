/*
 * test_sigv4.c: SigV4 against every case of AWS's test suite
 * (tests/fixtures/aws-sigv4), in header and presigned-query mode, plus
 * signatures computed independently by botocore for Route 53 requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "tlsrpt/err.h"

#include "../../providers/aws/sigv4.h"

#define SUITE "tests/fixtures/aws-sigv4"

static const char *const cases[] = {
    "get-header-key-duplicate",
    "get-header-value-multiline",
    "get-header-value-order",
    "get-header-value-trim",
    "get-relative-normalized",
    "get-relative-relative-normalized",
    "get-relative-relative-unnormalized",
    "get-relative-unnormalized",
    "get-slash-dot-slash-normalized",
    "get-slash-dot-slash-unnormalized",
    "get-slash-normalized",
    "get-slash-pointless-dot-normalized",
    "get-slash-pointless-dot-unnormalized",
    "get-slash-unnormalized",
    "get-slashes-normalized",
    "get-slashes-unnormalized",
    "get-space-normalized",
    "get-space-unnormalized",
    "get-unreserved",
    "get-utf8",
    "get-vanilla",
    "get-vanilla-empty-query-key",
    "get-vanilla-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-with-session-token",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-sts-header-after",
    "post-sts-header-before",
    "post-vanilla",
    "post-vanilla-empty-query-value",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

#define MAXH 16

/* One parsed case: request.txt and context.json. */
struct vcase {
	char *raw; /* request.txt, cut in place */
	char *method;
	char *path;
	char *query;
	struct tp_http_header h[MAXH];
	char *hval[MAXH]; /* owned, for folded values */
	size_t nh;
	char *body;
	size_t body_len;
	cJSON *ctx;
	struct tp_sigv4_key key;
	struct tp_sigv4_params p;
};

static char *
slurp(const char *name, const char *file, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s/%s", SUITE, name, file);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

/* "GET /a b?q=1 HTTP/1.1", headers (folded lines join with one space),
 * a blank line, the body. */
static void
parse_request(struct vcase *c)
{
	char *line, *next, *sp, *ver, *colon, *v;
	size_t n;

	line = c->raw;
	next = strchr(line, '\n');
	assert_non_null(next);
	*next++ = '\0';
	sp = strchr(line, ' ');
	ver = strstr(line, " HTTP/");
	assert_non_null(sp);
	assert_non_null(ver);
	*sp = '\0';
	*ver = '\0';
	c->method = line;
	c->path = sp + 1;
	c->query = strchr(c->path, '?');
	if (c->query != NULL)
		*c->query++ = '\0';
	while ((line = next) != NULL && *line != '\0' && *line != '\n') {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == ' ' || *line == '\t') {
			assert_true(c->nh > 0);
			n = strlen(c->hval[c->nh - 1]) + strlen(line) + 2;
			v = malloc(n);
			assert_non_null(v);
			snprintf(v, n, "%s %s", c->hval[c->nh - 1], line);
			free(c->hval[c->nh - 1]);
			c->hval[c->nh - 1] = v;
			c->h[c->nh - 1].value = v;
			continue;
		}
		colon = strchr(line, ':');
		assert_non_null(colon);
		assert_true(c->nh < MAXH);
		*colon = '\0';
		c->hval[c->nh] = strdup(colon + 1);
		assert_non_null(c->hval[c->nh]);
		c->h[c->nh].name = line;
		c->h[c->nh].value = c->hval[c->nh];
		c->nh++;
	}
	c->body = line != NULL && *line == '\n' ? line + 1 : "";
	c->body_len = strlen(c->body);
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
jtrue(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void
load_case(struct vcase *c, const char *name, int presign)
{
	const cJSON *cred, *exp;
	struct tm tm;
	char *js;

	memset(c, 0, sizeof(*c));
	c->raw = slurp(name, "request.txt", NULL);
	parse_request(c);
	js = slurp(name, "context.json", NULL);
	c->ctx = cJSON_Parse(js);
	free(js);
	assert_non_null(c->ctx);
	cred = cJSON_GetObjectItemCaseSensitive(c->ctx, "credentials");
	c->key.access_key_id = jstr(cred, "access_key_id");
	c->key.secret_access_key = jstr(cred, "secret_access_key");
	c->key.session_token = jstr(cred, "token");
	c->p.region = jstr(c->ctx, "region");
	c->p.service = jstr(c->ctx, "service");
	memset(&tm, 0, sizeof(tm));
	assert_int_equal(sscanf(jstr(c->ctx, "timestamp"), "%d-%d-%dT%d:%d:%d",
	                        &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
	                 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	c->p.now = timegm(&tm);
	if (!jtrue(c->ctx, "normalize"))
		c->p.flags |= TP_SIGV4_NO_NORMALIZE;
	if (jtrue(c->ctx, "sign_body") && !presign)
		c->p.flags |= TP_SIGV4_CONTENT_SHA256;
	if (jtrue(c->ctx, "omit_session_token"))
		c->p.flags |= TP_SIGV4_OMIT_TOKEN;
	if (presign) {
		c->p.flags |= TP_SIGV4_PRESIGN;
		exp = cJSON_GetObjectItemCaseSensitive(c->ctx,
		                                       "expiration_in_seconds");
		assert_true(cJSON_IsNumber(exp));
		c->p.expires = (long)exp->valuedouble;
	}
}

static void
free_case(struct vcase *c)
{
	size_t i;

	for (i = 0; i < c->nh; i++)
		free(c->hval[i]);
	cJSON_Delete(c->ctx);
	free(c->raw);
}

static void
sign_case(struct vcase *c, struct tp_sigv4_out *o)
{
	struct tp_sigv4_req r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.method = c->method;
	r.path = c->path;
	r.query = c->query;
	r.headers = c->h;
	r.nheaders = c->nh;
	r.body = c->body;
	r.body_len = c->body_len;
	rc = tp_sigv4_sign(o, &c->key, &c->p, &r);
	if (rc != 0)
		fail_msg("sign: %s", tp_err_msg());
}

/* The expected file, with a trailing newline (if any) dropped. */
static char *
expect(const char *name, const char *mode, const char *what)
{
	char file[128];
	char *s;
	size_t n;

	snprintf(file, sizeof(file), "%s-%s", mode, what);
	s = slurp(name, file, &n);
	if (n > 0 && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

static void
assert_file(const char *name, const char *mode, const char *what,
            const char *got)
{
	char *want = expect(name, mode, what);

	if (strcmp(want, got) != 0)
		fail_msg("%s %s-%s:\nwant:\n%s\ngot:\n%s", name, mode, what,
		         want, got);
	free(want);
}

/* Is "Name:value" a line of text (name compared case-insensitively)? */
static int
has_line(const char *text, const char *name, const char *value)
{
	const char *p = text;
	size_t n = strlen(name), v = strlen(value);

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':' &&
		    strncmp(p + n + 1, value, v) == 0 &&
		    (p[n + 1 + v] == '\n' || p[n + 1 + v] == '\0'))
			return 1;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

/* Lines of a request before its blank line or end. */
static size_t
count_lines(const char *s)
{
	size_t n = 0;

	while (*s != '\0' && *s != '\n') {
		n++;
		s = strchr(s, '\n');
		if (s == NULL)
			break;
		s++;
	}
	return n;
}

static void
test_header_case(void **state)
{
	const char *name = *state;
	struct tp_sigv4_out o;
	struct vcase c;
	char *signed_req, *req;
	size_t added = 2; /* X-Amz-Date, Authorization */

	load_case(&c, name, 0);
	sign_case(&c, &o);
	assert_file(name, "header", "canonical-request.txt",
	            o.canonical_request);
	assert_file(name, "header", "string-to-sign.txt", o.string_to_sign);
	assert_file(name, "header", "signature.txt", o.signature);
	signed_req = slurp(name, "header-signed-request.txt", NULL);
	req = slurp(name, "request.txt", NULL);
	assert_true(has_line(signed_req, "Authorization", o.authorization));
	assert_true(has_line(signed_req, "X-Amz-Date", o.amz_date));
	if (c.key.session_token != NULL) {
		assert_true(has_line(signed_req, "X-Amz-Security-Token",
		                     c.key.session_token));
		added++;
	}
	if (c.p.flags & TP_SIGV4_CONTENT_SHA256) {
		assert_true(has_line(signed_req, "X-Amz-Content-Sha256",
		                     o.payload_hash));
		added++;
	}
	/* Nothing else was added to the request. */
	assert_int_equal(count_lines(signed_req), count_lines(req) + added);
	free(signed_req);
	free(req);
	tp_sigv4_out_release(&o);
	free_case(&c);
}

static void
test_query_case(void **state)
{
	const char *name = *state;
	struct tp_sigv4_out o;
	struct vcase c;
	char *want, *nl, line[4096];

	load_case(&c, name, 1);
	sign_case(&c, &o);
	assert_null(o.authorization);
	assert_file(name, "query", "canonical-request.txt",
	            o.canonical_request);
	assert_file(name, "query", "string-to-sign.txt", o.string_to_sign);
	assert_file(name, "query", "signature.txt", o.signature);
	want = slurp(name, "query-signed-request.txt", NULL);
	nl = strchr(want, '\n');
	assert_non_null(nl);
	*nl = '\0';
	snprintf(line, sizeof(line), "%s %s?%s HTTP/1.1", c.method, c.path,
	         o.query);
	assert_string_equal(line, want);
	free(want);
	tp_sigv4_out_release(&o);
	free_case(&c);
}

/*
 * Route 53 requests signed by botocore (tests/harness/sigv4_verify.py,
 * SigV4Auth of Debian's python3-botocore) at 2026-01-02T03:04:05Z with
 * the suite's example key: an independent implementation's answers.
 */
#define R53_TIME   1767323045
#define R53_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define R53_TOKEN  "FQoGZXIvYXdzEXAMPLE//session+token=="
#define R53_BODY                                                               \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                         \
	"<ChangeResourceRecordSetsRequest "                                    \
	"xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"/>"

static time_t
fixed_clock(void *ctx)
{
	return *(time_t *)ctx;
}

/* Run the prepare hook on one request; return the extra headers. */
static void
prepare(struct tp_http_extra *x, const char *method, const char *url,
        const struct tp_http_header *h, size_t nh, const char *body,
        const char *token, time_t *now)
{
	struct tp_sigv4_signer s;
	struct tp_http_req req;
	int rc;

	memset(&s, 0, sizeof(s));
	s.key.access_key_id = "AKIDEXAMPLE";
	s.key.secret_access_key = R53_SECRET;
	s.key.session_token = token;
	s.region = "us-east-1";
	s.service = "route53";
	s.now = fixed_clock;
	s.now_ctx = now;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = h;
	req.nheaders = nh;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	memset(x, 0, sizeof(*x));
	rc = tp_sigv4_prepare(&s, &req, x);
	if (rc != 0)
		fail_msg("prepare: %s", tp_err_msg());
}

static const char *
extra_get(const struct tp_http_extra *x, const char *name, int *secret)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		if (strcasecmp(x->h[i].name, name) == 0) {
			if (secret != NULL)
				*secret = x->h[i].secret;
			return x->h[i].value;
		}
	}
	return NULL;
}

static void
extra_free(struct tp_http_extra *x)
{
	size_t i;

	for (i = 0; i < 2 * TP_HTTP_EXTRA_MAX; i++)
		free(x->store[i]);
}

static void
assert_sig(const struct tp_http_extra *x, const char *signed_headers,
           const char *sig)
{
	char want[512];
	int secret = 0;

	snprintf(want, sizeof(want),
	         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/"
	         "route53/aws4_request, SignedHeaders=%s, Signature=%s",
	         signed_headers, sig);
	assert_string_equal(extra_get(x, "Authorization", &secret), want);
	assert_true(secret);
}

static void
test_r53_get_with_session_token(void **state)
{
	struct tp_http_extra x;
	time_t now = R53_TIME;
	int secret = 0;

	(void)state;
	prepare(&x, "GET",
	        "https://route53.amazonaws.com/2013-04-01/hostedzonesbyname"
	        "?dnsname=example.com&maxitems=1",
	        NULL, 0, NULL, R53_TOKEN, &now);
	assert_string_equal(extra_get(&x, "Host", NULL),
	                    "route53.amazonaws.com");
	assert_string_equal(extra_get(&x, "X-Amz-Date", NULL),
	                    "20260102T030405Z");
	assert_string_equal(extra_get(&x, "X-Amz-Security-Token", &secret),
	                    R53_TOKEN);
	assert_true(secret);
	assert_null(extra_get(&x, "X-Amz-Content-Sha256", NULL));
	assert_sig(
	    &x, "host;x-amz-date;x-amz-security-token",
	    "c30cdb06012b0a8f11a6cd98606fc11c775edfa561c04757091a8d8f5d7a"
	    "7461");
	extra_free(&x);
}

static void
test_r53_post_body_and_content_type(void **state)
{
	static const struct tp_http_header h[] = {
	    {"Content-Type", "text/xml", 0}, {"User-Agent", "tlsrpt/1", 0}};
	struct tp_http_extra x;
	time_t now = R53_TIME;

	(void)state;
	/* Default port, upper-case host: Host as botocore computes it. */
	prepare(&x, "POST",
	        "https://Route53.AmazonAWS.com:443/2013-04-01/hostedzone/"
	        "Z1D633PJN98FT9/rrset/",
	        h, 2, R53_BODY, NULL, &now);
	assert_string_equal(extra_get(&x, "Host", NULL),
	                    "route53.amazonaws.com");
	assert_null(extra_get(&x, "X-Amz-Security-Token", NULL));
	/* User-Agent is never signed (a proxy may change it). */
	assert_sig(
	    &x, "content-type;host;x-amz-date",
	    "3da3356cbc7234148f74e5b12f291c399d1eb2f62fb2ad37c028070118ed"
	    "807a");
	extra_free(&x);
}

static void
test_r53_port_and_query_order(void **state)
{
	struct tp_http_extra x;
	time_t now = R53_TIME;

	(void)state;
	prepare(&x, "GET",
	        "https://localhost:8443/2013-04-01/hostedzone/Z1/rrset?"
	        "type=TXT&name=_smtp._tls.example.com&maxitems=1&x=a%20b%2Bc#f",
	        NULL, 0, NULL, "", &now);
	assert_string_equal(extra_get(&x, "Host", NULL), "localhost:8443");
	assert_null(extra_get(&x, "X-Amz-Security-Token", NULL));
	assert_sig(
	    &x, "host;x-amz-date",
	    "a979ebaa6413c7c41d8df42143375bf23edb74f075dbac6cef9079e711f3"
	    "f288");
	extra_free(&x);
}

static void
test_retry_gets_fresh_date(void **state)
{
	struct tp_http_extra a, b;
	time_t now = R53_TIME;

	(void)state;
	prepare(&a, "GET", "https://route53.amazonaws.com/", NULL, 0, NULL,
	        NULL, &now);
	now += 61;
	prepare(&b, "GET", "https://route53.amazonaws.com/", NULL, 0, NULL,
	        NULL, &now);
	assert_string_equal(extra_get(&b, "X-Amz-Date", NULL),
	                    "20260102T030506Z");
	assert_string_not_equal(extra_get(&a, "Authorization", NULL),
	                        extra_get(&b, "Authorization", NULL));
	extra_free(&a);
	extra_free(&b);
}

static void
test_content_sha256_and_own_host(void **state)
{
	static const struct tp_http_header h[] = {{"Host", "h.example", 0}};
	struct tp_sigv4_signer s;
	struct tp_http_req req;
	struct tp_http_extra x;
	time_t now = R53_TIME;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.key.access_key_id = "AKIDEXAMPLE";
	s.key.secret_access_key = R53_SECRET;
	s.region = "us-east-1";
	s.service = "route53";
	s.flags = TP_SIGV4_CONTENT_SHA256;
	s.now = fixed_clock;
	s.now_ctx = &now;
	memset(&req, 0, sizeof(req));
	req.method = "PUT";
	req.url = "http://127.0.0.1:8080/x";
	req.headers = h;
	req.nheaders = 1;
	memset(&x, 0, sizeof(x));
	assert_int_equal(tp_sigv4_prepare(&s, &req, &x), 0);
	/* The request's own Host is signed and not added twice. */
	assert_null(extra_get(&x, "Host", NULL));
	assert_string_equal(extra_get(&x, "X-Amz-Content-Sha256", NULL),
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
	                    "a495991b7852b855");
	assert_non_null(strstr(extra_get(&x, "Authorization", NULL),
	                       "SignedHeaders=host;x-amz-content-sha256;"
	                       "x-amz-date,"));
	extra_free(&x);
}

static void
test_host_forms(void **state)
{
	static const char *const hosts[][2] = {
	    {"https://[::1]:443/x", "[::1]"},
	    {"https://[::1]:8443", "[::1]:8443"},
	    {"http://[FD00:EC2::254]/latest", "[fd00:ec2::254]"},
	    {"http://127.0.0.1:80?q=1", "127.0.0.1"},
	    {"HTTPS://Example.COM:80/", "example.com:80"},
	};
	struct tp_http_extra x;
	time_t now = R53_TIME;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		prepare(&x, "GET", hosts[i][0], NULL, 0, NULL, NULL, &now);
		assert_string_equal(extra_get(&x, "Host", NULL), hosts[i][1]);
		extra_free(&x);
	}
}

static void
sign_err(const char *method, const char *query, const struct tp_http_header *h,
         size_t nh, long expires, const char *key, const char *want)
{
	struct tp_sigv4_key k = {"AKID", key, NULL};
	struct tp_sigv4_params p = {"us-east-1", "svc", R53_TIME, 0, expires};
	struct tp_sigv4_req r;
	struct tp_sigv4_out o;

	if (expires != 0)
		p.flags = TP_SIGV4_PRESIGN;
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.path = "/";
	r.query = query;
	r.headers = h;
	r.nheaders = nh;
	assert_int_equal(tp_sigv4_sign(&o, &k, &p, &r), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), want));
	assert_null(o.canonical_request);
	assert_null(o.authorization);
}

static void
test_refusals(void **state)
{
	static const struct tp_http_header host[] = {{"Host", "h", 0}};
	static const struct tp_http_header bad[] = {{"Host", "h", 0},
	                                            {"Bad Name", "v", 0}};
	struct tp_http_extra x;
	struct tp_sigv4_signer s;
	struct tp_http_req req;

	(void)state;
	sign_err("GET", NULL, NULL, 0, 0, "secret", "no Host header");
	sign_err("GET", NULL, bad, 2, 0, "secret", "'Bad Name'");
	sign_err("GET", NULL, host, 1, 0, "", "no access key");
	sign_err("", NULL, host, 1, 0, "secret", "no HTTP method");
	sign_err("GET", NULL, host, 1, 604801, "secret", "604800");
	memset(&s, 0, sizeof(s));
	s.key.access_key_id = "AKID";
	s.key.secret_access_key = "secret";
	s.region = "us-east-1";
	s.service = "svc";
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	memset(&x, 0, sizeof(x));
	req.url = "ftp://host/";
	assert_int_equal(tp_sigv4_prepare(&s, &req, &x), TP_EUSAGE);
	req.url = "https://user:pw@host/";
	assert_int_equal(tp_sigv4_prepare(&s, &req, &x), TP_EUSAGE);
	assert_null(strstr(tp_err_msg(), "pw"));
	req.url = "https:///nohost";
	assert_int_equal(tp_sigv4_prepare(&s, &req, &x), TP_EUSAGE);
	assert_int_equal(x.n, 0);
}

/* Query canonicalisation corners the suite does not cover. */
static void
test_query_corners(void **state)
{
	static const struct tp_http_header host[] = {{"Host", "h", 0}};
	struct tp_sigv4_key k = {"AKID", "secret", NULL};
	struct tp_sigv4_params p = {"us-east-1", "svc", R53_TIME, 0, 0};
	struct tp_sigv4_req r;
	struct tp_sigv4_out o;
	const char *q;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.path = "/a%2Fb/c d/./../e";
	r.query = "b=2&a=1&a=0&&c&%zz=%4&p=x+y&u=%c3%a9";
	r.headers = host;
	r.nheaders = 1;
	assert_int_equal(tp_sigv4_sign(&o, &k, &p, &r), 0);
	q = strchr(o.canonical_request, '\n') + 1;
	/* The path as sent is encoded again ("%2F" becomes "%252F"); the
	 * query is decoded, re-encoded with upper-case hex, sorted by name
	 * then value; '+' is a plus, not a space; a bad escape stays. */
	assert_memory_equal(
	    q,
	    "/a%252Fb/e\n"
	    "%25zz=%254&a=0&a=1&b=2&c=&p=x%2By&u=%C3%A9\n",
	    strlen("/a%252Fb/e\n"
	           "%25zz=%254&a=0&a=1&b=2&c=&p=x%2By&u=%C3%A9\n"));
	tp_sigv4_out_release(&o);
	tp_sigv4_out_release(NULL);
}

int
main(void)
{
	const struct CMUnitTest more[] = {
	    cmocka_unit_test(test_r53_get_with_session_token),
	    cmocka_unit_test(test_r53_post_body_and_content_type),
	    cmocka_unit_test(test_r53_port_and_query_order),
	    cmocka_unit_test(test_retry_gets_fresh_date),
	    cmocka_unit_test(test_content_sha256_and_own_host),
	    cmocka_unit_test(test_host_forms),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_query_corners),
	};
#define NMORE (sizeof(more) / sizeof(more[0]))
	static char names[2 * NCASES][96];
	struct CMUnitTest t[2 * NCASES + NMORE];
	size_t i;

	/* One group, so that the runner's count covers every test. */
	for (i = 0; i < NCASES; i++) {
		snprintf(names[2 * i], sizeof(names[0]), "header/%s", cases[i]);
		snprintf(names[2 * i + 1], sizeof(names[0]), "query/%s",
		         cases[i]);
		t[2 * i].name = names[2 * i];
		t[2 * i].test_func = test_header_case;
		t[2 * i].setup_func = NULL;
		t[2 * i].teardown_func = NULL;
		t[2 * i].initial_state = (void *)cases[i];
		t[2 * i + 1] = t[2 * i];
		t[2 * i + 1].name = names[2 * i + 1];
		t[2 * i + 1].test_func = test_query_case;
	}
	for (i = 0; i < NMORE; i++)
		t[2 * NCASES + i] = more[i];
	return _cmocka_run_group_tests("sigv4", t, 2 * NCASES + NMORE, NULL,
	                               NULL);
}
