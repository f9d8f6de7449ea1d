/*
 * test_result.c: exit-status rules and the JSON form of results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/report.h"
#include "tlsrpt/result.h"

static void
test_exit_priority(void **state)
{
	(void)state;
	assert_int_equal(tp_exit_combine(0, 4), 4);
	assert_int_equal(tp_exit_combine(4, 3), 3);
	assert_int_equal(tp_exit_combine(3, 1), 1);
	assert_int_equal(tp_exit_combine(1, 130), 130);
	assert_int_equal(tp_exit_combine(130, 2), 2);
	assert_int_equal(tp_exit_combine(2, 0), 2);
}

static void
test_change_exit(void **state)
{
	struct tp_result r;

	(void)state;
	tp_result_init(&r, TP_RESULT_CHANGE);
	r.action = TP_ACTION_WOULD_UPDATE;
	assert_int_equal(tp_result_exit_status(&r, 0), 0);
	assert_int_equal(tp_result_exit_status(&r, 1), 4);
	r.action = TP_ACTION_CREATED;
	r.confirm.status = TP_CONFIRM_TIMEOUT;
	assert_int_equal(tp_result_exit_status(&r, 0), 3);
	r.confirm.status = TP_CONFIRM_SKIPPED;
	assert_int_equal(tp_result_exit_status(&r, 0), 0);
	tp_err_set(TP_EAUTH, "x: denied");
	tp_result_fail(&r);
	assert_int_equal(r.action, TP_ACTION_FAILED);
	assert_int_equal(tp_result_exit_status(&r, 0), 1);
	tp_result_release(&r);
}

static void
test_json_shape(void **state)
{
	struct tp_summary s;
	struct tp_result r;
	char *j;

	(void)state;
	tp_result_init(&r, TP_RESULT_CHANGE);
	r.domain = strdup("example.com");
	r.owner = strdup("_smtp._tls.example.com");
	r.action = TP_ACTION_UPDATED;
	r.record = strdup("v=TLSRPTv1; rua=mailto:a@example.com");
	r.has_sets = 1;
	tp_strv_add(&r.before, "v=spf1 -all");
	tp_strv_add(&r.after, "v=spf1 -all");
	tp_strv_add(&r.after, "v=TLSRPTv1; rua=mailto:a@example.com");
	tp_strv_add(&r.dropped_rua, "mailto:\"q\"@example.com");
	r.confirm.status = TP_CONFIRM_SKIPPED;
	assert_int_equal(tp_report_result_json(&j, &r), 0);
	assert_string_equal(
	    j,
	    "{\"type\":\"result\",\"domain\":\"example.com\","
	    "\"owner\":\"_smtp._tls.example.com\",\"action\":\"updated\","
	    "\"record\":\"v=TLSRPTv1; rua=mailto:a@example.com\","
	    "\"before\":[\"v=spf1 -all\"],\"after\":[\"v=spf1 -all\","
	    "\"v=TLSRPTv1; rua=mailto:a@example.com\"],"
	    "\"dropped_rua\":[\"mailto:\\\"q\\\"@example.com\"],"
	    "\"confirm\":{\"status\":\"skipped\"}}");
	free(j);
	memset(&s, 0, sizeof(s));
	tp_summary_add(&s, &r, 0);
	assert_int_equal(tp_report_summary_json(&j, &s, "publish"), 0);
	assert_string_equal(j,
	                    "{\"type\":\"summary\",\"command\":\"publish\","
	                    "\"total\":1,\"updated\":1,"
	                    "\"confirm_skipped\":1,\"exit_status\":0}");
	free(j);
	tp_result_release(&r);
}

static void
test_json_error(void **state)
{
	struct tp_result r;
	char *j;

	(void)state;
	tp_result_init(&r, TP_RESULT_CHANGE);
	r.domain = strdup("example.com");
	tp_err_set_api(TP_EAUTH, 403, "9109", "Invalid access token",
	               "cloudflare: token refused");
	tp_result_fail(&r);
	assert_int_equal(tp_report_result_json(&j, &r), 0);
	assert_non_null(strstr(j, "\"action\":\"failed\""));
	assert_non_null(strstr(j,
	                       "\"error\":{\"kind\":\"auth\",\"message\":"
	                       "\"cloudflare: token refused\","
	                       "\"http_status\":403,\"provider_code\":"
	                       "\"9109\",\"provider_message\":"
	                       "\"Invalid access token\"}"));
	assert_null(strstr(j, "before"));
	free(j);
	tp_result_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_priority),
	    cmocka_unit_test(test_change_exit),
	    cmocka_unit_test(test_json_shape),
	    cmocka_unit_test(test_json_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
