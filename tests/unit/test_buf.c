/*
 * test_buf.c: the string buffer, string vector and error store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/strv.h"

static void
test_empty_invariants(void **state)
{
	struct tp_buf b = TP_BUF_INIT(16);
	char *s;

	(void)state;
	assert_non_null(b.s);
	assert_string_equal(b.s, "");
	s = tp_buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
	tp_buf_release(&b);
	tp_buf_release(NULL);
}

static void
test_append_chain(void **state)
{
	struct tp_buf b = TP_BUF_INIT(1024);
	char *s;

	(void)state;
	tp_buf_adds(&b, "v=");
	tp_buf_addf(&b, "%s%d", "TLSRPTv", 1);
	tp_buf_addc(&b, ';');
	tp_buf_add(&b, "xyz", 0);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 11);
	assert_string_equal(b.s, "v=TLSRPTv1;");
	s = tp_buf_detach(&b);
	assert_string_equal(s, "v=TLSRPTv1;");
	assert_string_equal(b.s, "");
	free(s);
}

static void
test_cap_is_sticky(void **state)
{
	struct tp_buf b = TP_BUF_INIT(5);

	(void)state;
	tp_buf_adds(&b, "abcd");
	tp_buf_adds(&b, "ef"); /* would make 6 */
	assert_int_equal(b.err, TP_EUSAGE);
	assert_string_equal(b.s, "abcd");
	tp_buf_adds(&b, "e"); /* fits, but the error is sticky */
	assert_string_equal(b.s, "abcd");
	assert_null(tp_buf_detach(&b));
	assert_string_equal(b.s, "");
}

static void
test_growth(void **state)
{
	struct tp_buf b = TP_BUF_INIT(100000);
	int i;

	(void)state;
	for (i = 0; i < 10000; i++)
		tp_buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.s[9999], 'a' + 9999 % 26);
	assert_int_equal(b.s[10000], '\0');
	tp_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.s, "");
	tp_buf_release(&b);
}

static void
test_escapes(void **state)
{
	struct tp_buf b = TP_BUF_INIT(256);

	(void)state;
	tp_buf_add_urlenc(&b, "a b/c~_.-\xc3\xa9");
	assert_string_equal(b.s, "a%20b%2Fc~_.-%C3%A9");
	tp_buf_reset(&b);
	tp_buf_add_xmlesc(&b, "<a&\"'>", 6);
	assert_string_equal(b.s, "&lt;a&amp;&quot;&apos;&gt;");
	tp_buf_release(&b);
}

static void
test_strv(void **state)
{
	struct tp_strv sv = TP_STRV_INIT, cp = TP_STRV_INIT;

	(void)state;
	assert_int_equal(tp_strv_add(&sv, "one"), 0);
	assert_int_equal(tp_strv_addn(&sv, "two-three", 3), 0);
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[1], "two");
	assert_true(tp_strv_has(&sv, "one"));
	assert_false(tp_strv_has(&sv, "three"));
	assert_int_equal(tp_strv_copy(&cp, &sv), 0);
	tp_strv_release(&sv);
	assert_int_equal(cp.n, 2);
	assert_string_equal(cp.v[0], "one");
	tp_strv_release(&cp);
	tp_strv_release(NULL);
}

static void
test_err_store(void **state)
{
	struct tp_error e;

	(void)state;
	tp_err_clear();
	assert_string_equal(tp_err_msg(), "");
	assert_int_equal(tp_err_set(TP_EAUTH, "cloudflare: bad '%s'", "x"),
	                 TP_EAUTH);
	assert_int_equal(tp_err_code(), TP_EAUTH);
	assert_string_equal(tp_err_msg(), "cloudflare: bad 'x'");
	assert_int_equal(tp_err_set_api(TP_ENOTFOUND, 403, "9109",
	                                "Invalid access token",
	                                "cloudflare: no zone"),
	                 TP_ENOTFOUND);
	assert_int_equal(tp_err_copy(&e), 0);
	assert_int_equal(e.code, TP_ENOTFOUND);
	assert_int_equal(e.http_status, 403);
	assert_string_equal(e.provider_code, "9109");
	assert_string_equal(e.provider_message, "Invalid access token");
	assert_string_equal(tp_err_kind(e.code), "not-found");
	/* DESIGN's kinds: usage errors are reported as config. */
	assert_string_equal(tp_err_kind(TP_EUSAGE), "config");
	assert_string_equal(tp_err_kind(TP_ECONFIG), "config");
	tp_error_release(&e);
	assert_null(e.message);
	tp_err_set(TP_ENETWORK, "plain");
	assert_int_equal(tp_err_copy(&e), 0);
	assert_null(e.provider_code);
	tp_error_release(&e);
}

static void
test_wipe(void **state)
{
	char buf[8] = "secret";
	char *s;

	(void)state;
	tp_wipe(buf, sizeof(buf));
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
	s = strdup("token");
	tp_free_secret(s);
	tp_free_secret(NULL);
}

/* Wrapping the current message in a new one is the common idiom
 * ("%s: %s", where, tp_err_msg()); its argument points into the store. */
static void
test_err_wraps_itself(void **state)
{
	(void)state;
	(void)tp_err_set(TP_EUSAGE, "inner %d", 1);
	assert_int_equal(tp_err_set(TP_ECONFIG, "outer: %s", tp_err_msg()),
	                 TP_ECONFIG);
	assert_string_equal(tp_err_msg(), "outer: inner 1");
	(void)tp_err_set(TP_EUSAGE, "%s, %s", tp_err_msg(), tp_err_msg());
	assert_string_equal(tp_err_msg(), "outer: inner 1, outer: inner 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_invariants),
	    cmocka_unit_test(test_append_chain),
	    cmocka_unit_test(test_cap_is_sticky),
	    cmocka_unit_test(test_growth),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_strv),
	    cmocka_unit_test(test_err_store),
	    cmocka_unit_test(test_err_wraps_itself),
	    cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
