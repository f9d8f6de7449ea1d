/*
 * test_cloudflare.c: the Cloudflare wire pieces: TXT content in every form
 * the API returns (quoted, re-chunked, escaped, legacy unquoted), what we
 * send, and errors mapped with the API's own code, text and chain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../providers/cloudflare/api.h"
#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"

static void
decodes_to(const char *content, const char *want)
{
	struct tp_strv out = TP_STRV_INIT;

	assert_int_equal(tp_cf_txt_decode(&out, content), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0], want);
	tp_strv_release(&out);
}

static void
test_decode_quoted(void **state)
{
	(void)state;
	decodes_to("\"v=TLSRPTv1; rua=mailto:a@example.com\"",
	           "v=TLSRPTv1; rua=mailto:a@example.com");
}

static void
test_decode_rechunked(void **state)
{
	(void)state;
	/* Cloudflare splits long values into 255-byte strings; the value
	 * is the strings concatenated, nothing added. */
	decodes_to("\"v=TLSRPTv1; rua=mai\" \"lto:a@example.com\"",
	           "v=TLSRPTv1; rua=mailto:a@example.com");
}

static void
test_decode_escapes(void **state)
{
	(void)state;
	decodes_to("\"say \\\"hi\\\" \\\\ \\059\"", "say \"hi\" \\ ;");
}

static void
test_decode_legacy_unquoted(void **state)
{
	(void)state;
	/* Served as written: spaces are part of the value. */
	decodes_to("v=TLSRPTv1; rua=mailto:a@example.com",
	           "v=TLSRPTv1; rua=mailto:a@example.com");
	decodes_to("v=spf1 include:_spf.example.com -all",
	           "v=spf1 include:_spf.example.com -all");
}

static void
test_decode_malformed_quoted(void **state)
{
	(void)state;
	decodes_to("\"unterminated", "\"unterminated");
}

static void
test_decode_nul_refused(void **state)
{
	struct tp_strv out = TP_STRV_INIT;

	(void)state;
	assert_int_equal(tp_cf_txt_decode(&out, "\"a\\000b\""), TP_EUSAGE);
	assert_int_equal(out.n, 0);
}

static void
test_encode(void **state)
{
	char *s = NULL, big[300 + 1];
	size_t i;

	(void)state;
	assert_int_equal(tp_cf_txt_encode(&s, "v=TLSRPTv1; rua=mailto:a@x.org"),
	                 0);
	assert_string_equal(s, "\"v=TLSRPTv1; rua=mailto:a@x.org\"");
	free(s);
	assert_int_equal(tp_cf_txt_encode(&s, "a\"b\\c"), 0);
	assert_string_equal(s, "\"a\\\"b\\\\c\"");
	free(s);
	for (i = 0; i < 300; i++)
		big[i] = (char)('a' + i % 26);
	big[300] = '\0';
	assert_int_equal(tp_cf_txt_encode(&s, big), 0);
	/* Two strings: 255 bytes, then 45. */
	assert_int_equal(strlen(s), 255 + 2 + 1 + 45 + 2);
	assert_int_equal(s[256], '"');
	assert_int_equal(s[257], ' ');
	free(s);
}

static void
test_roundtrip(void **state)
{
	const char *values[] = {"v=TLSRPTv1; rua=mailto:a@example.com",
	                        "quote \" backslash \\ semicolon ;", "",
	                        "\x01\x7f\xff"};
	struct tp_strv out = TP_STRV_INIT;
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(tp_cf_txt_encode(&s, values[i]), 0);
		assert_int_equal(tp_cf_txt_decode(&out, s), 0);
		assert_string_equal(out.v[i], values[i]);
		free(s);
	}
	tp_strv_release(&out);
}

static int
map(long status, const char *body)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	int rc;

	rc = tp_cf_api_error(status, j, "doing it");
	cJSON_Delete(j);
	return rc;
}

static void
test_error_auth(void **state)
{
	struct tp_error e;

	(void)state;
	assert_int_equal(map(403,
	                     "{\"success\":false,\"errors\":[{\"code\":9109,"
	                     "\"message\":\"Invalid access token\"}]}"),
	                 TP_EAUTH);
	assert_non_null(strstr(tp_err_msg(),
	                       "HTTP 403, 9109 Invalid access "
	                       "token"));
	assert_non_null(strstr(tp_err_msg(), "Zone:Read"));
	assert_int_equal(tp_err_copy(&e), 0);
	assert_int_equal(e.http_status, 403);
	assert_string_equal(e.provider_code, "9109");
	assert_string_equal(e.provider_message, "Invalid access token");
	tp_error_release(&e);
	assert_int_equal(map(403,
	                     "{\"success\":false,\"errors\":[{\"code\":10000,"
	                     "\"message\":\"Authentication error\"}]}"),
	                 TP_EAUTH);
	assert_int_equal(map(401, NULL), TP_EAUTH);
}

static void
test_error_chain(void **state)
{
	(void)state;
	assert_int_equal(
	    map(400,
	        "{\"success\":false,\"errors\":[{\"code\":1004,"
	        "\"message\":\"DNS Validation Error\",\"error_chain\":"
	        "[{\"code\":9021,\"message\":\"TTL must be between 60 "
	        "and 86400 seconds, or 1 for Automatic.\"}]}]}"),
	    TP_EINTERNAL);
	assert_non_null(strstr(tp_err_msg(),
	                       "1004 DNS Validation Error: 9021 TTL must be "
	                       "between 60"));
	assert_int_equal(
	    map(400,
	        "{\"success\":false,\"errors\":[{\"code\":6003,"
	        "\"message\":\"Invalid request headers\",\"error_chain\":"
	        "[{\"code\":6111,\"message\":\"Invalid format for "
	        "Authorization header\"}]}]}"),
	    TP_EAUTH);
}

static void
test_error_kinds(void **state)
{
	(void)state;
	assert_int_equal(
	    map(400,
	        "{\"success\":false,\"errors\":[{\"code\":81058,"
	        "\"message\":\"An identical record already exists.\"}]}"),
	    TP_ECONFLICT);
	assert_int_equal(map(400,
	                     "{\"success\":false,\"errors\":[{\"code\":81057,"
	                     "\"message\":\"The record already exists.\"}]}"),
	                 TP_ECONFLICT);
	assert_int_equal(
	    map(400,
	        "{\"success\":false,\"errors\":[{\"code\":7003,"
	        "\"message\":\"Could not route to /zones/x/dns_records, "
	        "perhaps your object identifier is invalid?\"},"
	        "{\"code\":7000,\"message\":\"No route for that URI\"}]}"),
	    TP_ENOTFOUND);
	assert_int_equal(map(404, "not json"), TP_ENOTFOUND);
	assert_int_equal(map(429, NULL), TP_ERATELIMIT);
	assert_int_equal(map(503, "<html>"), TP_ENETWORK);
	assert_non_null(strstr(tp_err_msg(), "HTTP 503"));
}

static void
test_descriptor(void **state)
{
	const struct tp_provider *p = tp_provider_find("cloudflare");
	const struct tp_setting_def *d;
	size_t i;
	int token = 0;

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->version, TP_PROVIDER_VERSION);
	for (i = 0; i < p->nsettings; i++) {
		d = &p->settings[i];
		if (strcmp(d->key, "api_token") == 0) {
			token = 1;
			assert_string_equal(d->env, "CLOUDFLARE_API_TOKEN");
			assert_true(d->flags & TP_SETTING_SECRET);
			assert_null(d->flag); /* never on the command line */
		}
	}
	assert_true(token);
	assert_non_null(tp_provider_find_flag("cloudflare-api-url", NULL));
	assert_null(tp_provider_find_flag("api-token", NULL));
	assert_int_equal(tp_provider_check_ttl(p, 1, "--ttl"), 0);
	assert_int_equal(tp_provider_check_ttl(p, 60, "--ttl"), 0);
	assert_int_equal(tp_provider_check_ttl(p, 86400, "--ttl"), 0);
	assert_int_equal(tp_provider_check_ttl(p, 2, "--ttl"), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "or 1 for automatic"));
	assert_int_equal(tp_provider_check_ttl(p, 86401, "--ttl"), TP_EUSAGE);
	assert_null(tp_provider_find("nope"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_quoted),
	    cmocka_unit_test(test_decode_rechunked),
	    cmocka_unit_test(test_decode_escapes),
	    cmocka_unit_test(test_decode_legacy_unquoted),
	    cmocka_unit_test(test_decode_malformed_quoted),
	    cmocka_unit_test(test_decode_nul_refused),
	    cmocka_unit_test(test_encode),
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_error_auth),
	    cmocka_unit_test(test_error_chain),
	    cmocka_unit_test(test_error_kinds),
	    cmocka_unit_test(test_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
