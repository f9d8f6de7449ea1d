/*
 * test_record_json.c: the JSON objects of validate and generate, parsed
 * back with cJSON: field names and types, the verdict, UTF-8 safety, the
 * zone-file line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "tlsrpt/err.h"
#include "tlsrpt/record.h"

static cJSON *
validation(const char *rec, size_t len)
{
	struct tp_diags d = TP_DIAGS_INIT;
	char *s;
	cJSON *j;

	assert_int_equal(tp_record_validate(&d, rec, len), 0);
	assert_int_equal(tp_record_validation_json(&s, rec, len, &d), 0);
	j = cJSON_Parse(s);
	assert_non_null(j);
	free(s);
	tp_diags_release(&d);
	return j;
}

static void
test_validation_shape(void **state)
{
	static const char rec[] = "v=TLSRPTv1; RUA=mailto:a@example.com";
	cJSON *j, *a, *x;

	(void)state;
	j = validation(rec, strlen(rec));
	assert_string_equal(cJSON_GetObjectItem(j, "record")->valuestring, rec);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "valid")));
	a = cJSON_GetObjectItem(j, "diagnostics");
	assert_true(cJSON_IsArray(a));
	assert_int_equal(cJSON_GetArraySize(a), 1);
	x = cJSON_GetArrayItem(a, 0);
	assert_string_equal(cJSON_GetObjectItem(x, "severity")->valuestring,
	                    "error");
	assert_string_equal(cJSON_GetObjectItem(x, "code")->valuestring,
	                    "rua-key-case");
	assert_int_equal(cJSON_GetObjectItem(x, "offset")->valueint, 12);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(x, "message")));
	assert_true(cJSON_IsString(cJSON_GetObjectItem(x, "hint")));
	assert_int_equal(cJSON_GetArraySize(x), 5);
	assert_int_equal(cJSON_GetArraySize(j), 3);
	cJSON_Delete(j);
	j = validation("v=TLSRPTv1; rua=mailto:a@example.com", 36);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")));
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItem(j, "diagnostics")), 0);
	cJSON_Delete(j);
}

/* Invalid UTF-8 and NUL become U+FFFD; valid UTF-8 stays. */
static void
test_validation_utf8(void **state)
{
	static const char rec[] = "v=TLSRPTv1; x=\xc3\xa4\xff\0\xe0\x80";
	cJSON *j;

	(void)state;
	j = validation(rec, sizeof(rec) - 1);
	assert_string_equal(cJSON_GetObjectItem(j, "record")->valuestring,
	                    "v=TLSRPTv1; x=\xc3\xa4\xef\xbf\xbd\xef\xbf\xbd"
	                    "\xef\xbf\xbd\xef\xbf\xbd");
	cJSON_Delete(j);
}

static void
test_generate(void **state)
{
	static const char rec[] = "v=TLSRPTv1; rua=mailto:a@example.com,"
	                          "https://r.example.com/v1";
	cJSON *j, *a;
	char *s;

	(void)state;
	assert_int_equal(tp_record_generate_json(&s, rec, NULL, 3600), 0);
	j = cJSON_Parse(s);
	free(s);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "record")->valuestring, rec);
	a = cJSON_GetObjectItem(j, "rua");
	assert_int_equal(cJSON_GetArraySize(a), 2);
	assert_string_equal(cJSON_GetArrayItem(a, 1)->valuestring,
	                    "https://r.example.com/v1");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "strings")),
	                 1);
	assert_int_equal(cJSON_GetObjectItem(j, "ttl")->valueint, 3600);
	assert_null(cJSON_GetObjectItem(j, "zone"));
	cJSON_Delete(j);
	assert_int_equal(tp_record_generate_json(&s, rec, "example.com", 300),
	                 0);
	j = cJSON_Parse(s);
	free(s);
	assert_string_equal(cJSON_GetObjectItem(j, "owner")->valuestring,
	                    "_smtp._tls.example.com");
	assert_string_equal(cJSON_GetObjectItem(j, "domain")->valuestring,
	                    "example.com");
	assert_string_equal(cJSON_GetObjectItem(j, "zone")->valuestring,
	                    "_smtp._tls.example.com. 300 IN TXT \"v=TLSRPTv1; "
	                    "rua=mailto:a@example.com,"
	                    "https://r.example.com/v1\"");
	cJSON_Delete(j);
}

static void
test_zone_line_split(void **state)
{
	char rec[400], *z;

	(void)state;
	memcpy(rec, "v=TLSRPTv1; rua=mailto:", 23);
	memset(rec + 23, 'a', 300);
	memcpy(rec + 323, "@example.com", 13);
	assert_int_equal(tp_record_zone_line(&z, "example.com", 3600, rec), 0);
	assert_non_null(strstr(z, "IN TXT \"v=TLSRPTv1; "));
	assert_non_null(strstr(z, "\" \"aaa")); /* two strings */
	assert_int_equal(strlen(z),
	                 strlen("_smtp._tls.example.com. 3600 IN TXT ") + 4 +
	                     335 + 1);
	free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_validation_shape),
	    cmocka_unit_test(test_validation_utf8),
	    cmocka_unit_test(test_generate),
	    cmocka_unit_test(test_zone_line_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
