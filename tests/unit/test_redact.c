/*
 * test_redact.c: the redaction rules of the HTTP debug dump, one by one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/redact.h"

static struct tp_buf b;
static struct tp_strv secrets;

static int
reset(void **state)
{
	(void)state;
	tp_buf_init(&b, 1 << 20);
	return 0;
}

static int
release(void **state)
{
	(void)state;
	tp_buf_release(&b);
	tp_strv_release(&secrets);
	return 0;
}

static const char *
header(const char *line, const struct tp_strv *marked)
{
	tp_buf_reset(&b);
	tp_redact_header(&b, line, strlen(line), marked, &secrets);
	return b.s;
}

static void
test_secret_names(void **state)
{
	static const char *const yes[] = {
	    "Authorization",   "X-Auth-Key",      "X-Amz-Security-Token",
	    "api_token",       "SecretAccessKey", "password",
	    "Cookie",          "Set-Cookie",      "X-Amz-Signature",
	    "X-Amz-Credential"};
	static const char *const no[] = {"Content-Type", "Host", "name",
	                                 "content",      "ttl",  "X-Amz-Date"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		assert_true(tp_redact_is_secret_name(yes[i], strlen(yes[i])));
	for (i = 0; i < sizeof(no) / sizeof(*no); i++)
		assert_false(tp_redact_is_secret_name(no[i], strlen(no[i])));
}

static void
test_headers(void **state)
{
	struct tp_strv marked = TP_STRV_INIT;

	(void)state;
	assert_string_equal(header("Authorization: Bearer abcdefgh123", NULL),
	                    "Authorization: Bearer [redacted]");
	assert_string_equal(header("X-Auth-Key: 0123456789abcdef", NULL),
	                    "X-Auth-Key: [redacted]");
	assert_string_equal(
	    header("Authorization: sso-key KEYKEYKEY:SECRETSECRET", NULL),
	    "Authorization: sso-key [redacted]");
	assert_string_equal(header("X-Whatever: sso-key K:S", NULL),
	                    "X-Whatever: sso-key [redacted]");
	assert_string_equal(header("Content-Type: application/json", NULL),
	                    "Content-Type: application/json");
	assert_int_equal(tp_strv_add(&marked, "x-custom"), 0);
	assert_string_equal(header("X-Custom: hidden-value", &marked),
	                    "X-Custom: [redacted]");
	assert_true(tp_strv_has(&secrets, "hidden-value"));
	assert_true(tp_strv_has(&secrets, "abcdefgh123"));
	tp_strv_release(&marked);
}

static void
test_sigv4(void **state)
{
	const char *s;

	(void)state;
	s = header("Authorization: AWS4-HMAC-SHA256 "
	           "Credential=AKIDEXAMPLE/20150830/us-east-1/route53/"
	           "aws4_request, SignedHeaders=host;x-amz-date, "
	           "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c4",
	           NULL);
	assert_string_equal(s,
	                    "Authorization: AWS4-HMAC-SHA256 "
	                    "Credential=[redacted]/20150830/us-east-1/"
	                    "route53/aws4_request, "
	                    "SignedHeaders=host;x-amz-date, "
	                    "Signature=[redacted]");
	assert_true(tp_strv_has(&secrets, "AKIDEXAMPLE"));
}

static void
test_escape(void **state)
{
	(void)state;
	tp_buf_reset(&b);
	tp_redact_escape(&b, "a\x1b[31m\n\t\\\xff", 10);
	assert_string_equal(b.s, "a\\x1b[31m\\n\\t\\\\\\xff");
	assert_string_equal(header("X-Note: bad\x07value", NULL),
	                    "X-Note: bad\\x07value");
}

static void
test_url(void **state)
{
	(void)state;
	tp_buf_reset(&b);
	tp_redact_url(&b, "https://u:p@api.example/x?name=a&token=abc&k=v", 0);
	assert_string_equal(
	    b.s,
	    "https://[redacted]@api.example/x?name=a&token=[redacted]&k=v");
	tp_buf_reset(&b);
	tp_redact_url(&b, "https://sts.example/?Action=A&WebIdentityToken=t",
	              1);
	assert_string_equal(
	    b.s,
	    "https://sts.example/?Action=[redacted]&WebIdentityToken="
	    "[redacted]");
	tp_buf_reset(&b);
	tp_redact_url(&b, "https://api.example/zones/abc", 1);
	assert_string_equal(b.s, "https://api.example/zones/abc");
}

static void
test_bodies(void **state)
{
	const char *json = "{\"name\":\"ok\",\"api_token\":\"T0KEN\","
	                   "\"a\":[{\"password\":\"PW\"},\"Bearer XYZ\"],"
	                   "\"Credentials\":{\"x\":1}}";
	const char *xml = "<R><Credentials><AccessKeyId>AK</AccessKeyId>"
	                  "<SecretAccessKey>SK</SecretAccessKey></Credentials>"
	                  "<Name>n</Name></R>";
	const char *form = "Action=AssumeRole&WebIdentityToken=JWT&Version=1";

	(void)state;
	tp_buf_reset(&b);
	tp_redact_body(&b, json, strlen(json), NULL, 4096, NULL);
	assert_string_equal(b.s,
	                    "{\"name\":\"ok\",\"api_token\":\"[redacted]\","
	                    "\"a\":[{\"password\":\"[redacted]\"},"
	                    "\"[redacted]\"],"
	                    "\"Credentials\":\"[redacted]\"}");
	tp_buf_reset(&b);
	tp_redact_body(&b, xml, strlen(xml), "text/xml", 4096, NULL);
	assert_non_null(strstr(b.s, "<Name>n</Name>"));
	assert_null(strstr(b.s, ">SK<"));
	assert_null(strstr(b.s, ">AK<"));
	tp_buf_reset(&b);
	tp_redact_body(&b, form, strlen(form),
	               "application/x-www-form-urlencoded", 4096, NULL);
	assert_string_equal(
	    b.s, "Action=AssumeRole&WebIdentityToken=[redacted]&Version=1");
	tp_buf_reset(&b);
	tp_redact_body(&b, "0123456789", 10, "text/plain", 4, NULL);
	assert_string_equal(b.s, "0123... [6 more bytes]");
	tp_buf_reset(&b);
	tp_redact_body(&b, "{broken \x01", 9, "application/json", 100, NULL);
	assert_string_equal(b.s, "{broken \\x01");
}

static void
test_scrub(void **state)
{
	struct tp_strv s = TP_STRV_INIT;

	(void)state;
	assert_int_equal(tp_strv_add(&s, "SECRETVALUE"), 0);
	assert_int_equal(tp_strv_add(&s, "abc"), 0); /* too short: kept */
	tp_buf_reset(&b);
	tp_buf_adds(&b, "x SECRETVALUE y SECRETVALUESECRETVALUE abc");
	tp_redact_scrub(&b, &s);
	assert_string_equal(b.s, "x [redacted] y [redacted][redacted] abc");
	tp_strv_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_secret_names), cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_sigv4),        cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_url),          cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_scrub),
	};

	return cmocka_run_group_tests(tests, reset, release);
}
