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

int
main(void)
{
	static char names[2 * NCASES][96];
	struct CMUnitTest t[2 * NCASES];
	size_t i;

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
	return _cmocka_run_group_tests("sigv4-suite", t, 2 * NCASES, NULL,
	                               NULL);
}
