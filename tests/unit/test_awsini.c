/*
 * test_awsini.c: the AWS shared-file reader (providers/aws/ini.c) and the
 * AWS XML error shapes (providers/aws/awsxml.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/err.h"

#include "../../providers/aws/awsxml.h"
#include "../../providers/aws/ini.h"

static struct tp_aws_ini *
parse_ok(const char *text)
{
	struct tp_aws_ini *ini = NULL;
	int rc = tp_aws_ini_parse(&ini, text, strlen(text), "test");

	if (rc != 0)
		fail_msg("parse: %s", tp_err_msg());
	assert_non_null(ini);
	return ini;
}

static void
parse_bad(const char *text, const char *want_line)
{
	struct tp_aws_ini *ini = NULL;

	assert_int_equal(tp_aws_ini_parse(&ini, text, strlen(text), "f.ini"),
	                 TP_ECONFIG);
	assert_null(ini);
	assert_non_null(strstr(tp_err_msg(), "'f.ini'"));
	assert_non_null(strstr(tp_err_msg(), want_line));
}

static void
test_sections_and_keys(void **state)
{
	struct tp_aws_ini *ini;

	(void)state;
	ini = parse_ok("\xef\xbb\xbf# leading comment\r\n"
	               "[default]\r\n"
	               "aws_access_key_id = AKIDDEFAULT\r\n"
	               "AWS_Secret_Access_Key=s3cr3t/+=\r\n"
	               "\n"
	               "  ; indented comment\n"
	               "[ profile   dev ]  # header comment\n"
	               "region: eu-west-1\n"
	               "role_arn = arn:aws:iam::1:role/x # inline\n"
	               "odd = a#b;c\n"
	               "empty =\n");
	assert_string_equal(tp_aws_ini_get(ini, "default", "aws_access_key_id"),
	                    "AKIDDEFAULT");
	/* Keys are case-insensitive both ways. */
	assert_string_equal(
	    tp_aws_ini_get(ini, "default", "aws_secret_access_key"),
	    "s3cr3t/+=");
	assert_string_equal(tp_aws_ini_get(ini, "default", "AWS_ACCESS_KEY_ID"),
	                    "AKIDDEFAULT");
	assert_true(tp_aws_ini_has_section(ini, "profile dev"));
	assert_false(tp_aws_ini_has_section(ini, "dev"));
	assert_string_equal(tp_aws_ini_get(ini, "profile dev", "region"),
	                    "eu-west-1");
	assert_string_equal(tp_aws_ini_get(ini, "profile dev", "role_arn"),
	                    "arn:aws:iam::1:role/x");
	/* '#' or ';' without whitespace before it is part of the value. */
	assert_string_equal(tp_aws_ini_get(ini, "profile dev", "odd"), "a#b;c");
	assert_string_equal(tp_aws_ini_get(ini, "profile dev", "empty"), "");
	assert_null(tp_aws_ini_get(ini, "profile dev", "missing"));
	assert_null(tp_aws_ini_get(ini, "nosuch", "region"));
	tp_aws_ini_free(ini);
	tp_aws_ini_free(NULL);
	assert_null(tp_aws_ini_get(NULL, "default", "x"));
}

static void
test_later_wins_and_merge(void **state)
{
	struct tp_aws_ini *ini;

	(void)state;
	ini = parse_ok("[a]\nx = 1\ny = 1\n[b]\nx = 2\n[a]\nx = 3\n");
	assert_string_equal(tp_aws_ini_get(ini, "a", "x"), "3");
	assert_string_equal(tp_aws_ini_get(ini, "a", "y"), "1");
	assert_string_equal(tp_aws_ini_get(ini, "b", "x"), "2");
	tp_aws_ini_free(ini);
}

static void
test_sub_properties_and_continuation(void **state)
{
	struct tp_aws_ini *ini;

	(void)state;
	ini = parse_ok("[services local]\n"
	               "route_53 =\n"
	               "  endpoint_url = https://127.0.0.1:8443\n"
	               "\tregion = us-east-1\n"
	               "sts =\n"
	               "  endpoint_url = https://sts.local\n"
	               "[profile p]\n"
	               "note = first\n"
	               "  second\n"
	               "   third\n"
	               "after = yes\n");
	assert_string_equal(
	    tp_aws_ini_get(ini, "services local", "route_53.endpoint_url"),
	    "https://127.0.0.1:8443");
	assert_string_equal(
	    tp_aws_ini_get(ini, "services local", "route_53.region"),
	    "us-east-1");
	assert_string_equal(
	    tp_aws_ini_get(ini, "services local", "sts.endpoint_url"),
	    "https://sts.local");
	assert_string_equal(tp_aws_ini_get(ini, "profile p", "note"),
	                    "first\nsecond\nthird");
	assert_string_equal(tp_aws_ini_get(ini, "profile p", "after"), "yes");
	tp_aws_ini_free(ini);
}

static void
test_errors_name_the_line_not_the_text(void **state)
{
	(void)state;
	parse_bad("[ok]\nAKIASECRETLINE\n", "line 2");
	assert_null(strstr(tp_err_msg(), "AKIASECRETLINE"));
	parse_bad("key = value\n", "line 1");
	parse_bad("[ok]\n[broken\n", "line 2");
	parse_bad("[]\n", "line 1");
	parse_bad("[a] trailing\n", "line 1");
	parse_bad("[a]\n = novalue\n", "line 2");
}

static void
test_nul_and_size(void **state)
{
	struct tp_aws_ini *ini = NULL;
	static const char nul[] = "[a]\nx = 1\0y\n";
	char *big;

	(void)state;
	assert_int_equal(tp_aws_ini_parse(&ini, nul, sizeof(nul) - 1, "n"),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "NUL"));
	big = malloc(TP_AWS_INI_MAX + 1);
	assert_non_null(big);
	memset(big, '#', TP_AWS_INI_MAX + 1);
	assert_int_equal(tp_aws_ini_parse(&ini, big, TP_AWS_INI_MAX + 1, "big"),
	                 TP_ECONFIG);
	assert_null(ini);
	free(big);
	ini = parse_ok("");
	assert_false(tp_aws_ini_has_section(ini, "default"));
	tp_aws_ini_free(ini);
}

static void
test_load_missing_is_fine(void **state)
{
	struct tp_aws_ini *ini = (void *)1;

	(void)state;
	assert_int_equal(tp_aws_ini_load(&ini, "/nonexistent/dir/credentials"),
	                 0);
	assert_null(ini);
	/* A directory cannot be read as a file. */
	assert_int_equal(tp_aws_ini_load(&ini, "/"), TP_ECONFIG);
}

static void
error_of(const char *xml, int want_rc, struct tp_aws_error *e)
{
	assert_int_equal(tp_aws_xml_error(e, xml, strlen(xml)), want_rc);
}

static void
test_xml_error_shapes(void **state)
{
	struct tp_aws_error e;

	(void)state;
	error_of("<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://"
	         "route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender"
	         "</Type><Code>Throttling</Code><Message>Rate exceeded"
	         "</Message></Error><RequestId>bbc0ee24</RequestId>"
	         "</ErrorResponse>",
	         0, &e);
	assert_string_equal(e.type, "Sender");
	assert_string_equal(e.code, "Throttling");
	assert_string_equal(e.message, "Rate exceeded");
	assert_string_equal(e.request_id, "bbc0ee24");
	tp_aws_error_release(&e);

	error_of("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	         "<InvalidChangeBatch xmlns=\"https://route53.amazonaws.com/"
	         "doc/2013-04-01/\">\n  <Messages>\n    <Message>Tried to "
	         "create resource record set duplicate.example.com. type A, "
	         "but it already exists</Message>\n    <Message>second"
	         "</Message>\n  </Messages>\n  <RequestId>b25f48e8"
	         "</RequestId>\n</InvalidChangeBatch>",
	         0, &e);
	assert_string_equal(e.code, "InvalidChangeBatch");
	assert_string_equal(e.message,
	                    "Tried to create resource record set "
	                    "duplicate.example.com. type A, but it already "
	                    "exists; second");
	assert_string_equal(e.request_id, "b25f48e8");
	tp_aws_error_release(&e);

	error_of("<Response><Errors><Error><Code>AccessDenied</Code>"
	         "<Message>no</Message></Error></Errors><RequestID>r1"
	         "</RequestID></Response>",
	         0, &e);
	assert_string_equal(e.code, "AccessDenied");
	assert_string_equal(e.request_id, "r1");
	tp_aws_error_release(&e);

	error_of("{\"message\": \"not xml\"}", TP_ENOTFOUND, &e);
	assert_null(e.code);
	error_of("<ListHostedZonesResponse/>", TP_ENOTFOUND, &e);
	error_of("<ErrorResponse><Error><Message>no code</Message></Error>"
	         "</ErrorResponse>",
	         TP_ENOTFOUND, &e);
	/* External entities are never fetched or expanded. */
	error_of("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
	         "\"file:///etc/passwd\">]><ErrorResponse><Error><Code>&x;"
	         "</Code></Error></ErrorResponse>",
	         0, &e);
	assert_null(strstr(e.code, "root:"));
	tp_aws_error_release(&e);
	tp_aws_error_release(NULL);
}

static void
test_xml_paths(void **state)
{
	static const char doc[] =
	    "<A xmlns=\"urn:x\"><B><C>one</C><C>two</C></B><D/></A>";
	xmlDoc *d;
	char *t;

	(void)state;
	assert_int_equal(tp_aws_xml_parse(&d, doc, strlen(doc), "doc"), 0);
	t = tp_aws_xml_text(tp_aws_xml_path(tp_aws_xml_root(d), "B/C"));
	assert_string_equal(t, "one");
	free(t);
	assert_null(tp_aws_xml_path(tp_aws_xml_root(d), "B/X"));
	assert_non_null(tp_aws_xml_child(tp_aws_xml_root(d), "D"));
	assert_null(tp_aws_xml_text(NULL));
	tp_aws_xml_free(d);
	assert_int_equal(tp_aws_xml_parse(&d, "<a><b></a>", 10, "broken doc"),
	                 TP_ENETWORK);
	assert_null(d);
	assert_non_null(strstr(tp_err_msg(), "broken doc"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sections_and_keys),
	    cmocka_unit_test(test_later_wins_and_merge),
	    cmocka_unit_test(test_sub_properties_and_continuation),
	    cmocka_unit_test(test_errors_name_the_line_not_the_text),
	    cmocka_unit_test(test_nul_and_size),
	    cmocka_unit_test(test_load_missing_is_fine),
	    cmocka_unit_test(test_xml_error_shapes),
	    cmocka_unit_test(test_xml_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
