/*
 * test_txt.c: character-string splitting (on length only), TXT sets, and
 * the zone-file presentation form in both directions, with round trips
 * over random octets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/err.h"
#include "tlsrpt/txt.h"

static void
test_split(void **state)
{
	struct tp_strv sv = TP_STRV_INIT;
	char big[600];

	(void)state;
	assert_int_equal(tp_txt_split(&sv, "", 0), 0);
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0], "");
	tp_strv_release(&sv);
	memset(big, 'a', sizeof(big));
	assert_int_equal(tp_txt_split(&sv, big, 255), 0);
	assert_int_equal(sv.n, 1);
	tp_strv_release(&sv);
	assert_int_equal(tp_txt_split(&sv, big, 256), 0);
	assert_int_equal(sv.n, 2);
	assert_int_equal(strlen(sv.v[0]), 255);
	assert_int_equal(strlen(sv.v[1]), 1);
	tp_strv_release(&sv);
	big[254] = ' '; /* a split never eats or adds a space */
	assert_int_equal(tp_txt_split(&sv, big, 511), 0);
	assert_int_equal(sv.n, 3);
	assert_int_equal(sv.v[0][254], ' ');
	assert_int_equal(strlen(sv.v[2]), 1);
	tp_strv_release(&sv);
}

static void
test_txtset(void **state)
{
	struct tp_txtset set = TP_TXTSET_INIT;
	const char *strs[] = {"v=TLSRPTv1; ", "rua=mailto:a@x"};
	const size_t lens[] = {12, 14};
	int i;

	(void)state;
	assert_int_equal(tp_txtset_add(&set, "a\0b", 3), 0);
	assert_int_equal(tp_txtset_add_strings(&set, strs, lens, 2), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(tp_txtset_add(&set, "x", 1), 0);
	assert_int_equal(set.n, 12);
	assert_int_equal(set.v[0].len, 3);
	assert_memory_equal(set.v[0].data, "a\0b", 4);
	assert_int_equal(set.v[0].nstrings, 0);
	assert_null(set.v[0].strlens);
	assert_string_equal(set.v[1].data, "v=TLSRPTv1; rua=mailto:a@x");
	assert_int_equal(set.v[1].nstrings, 2);
	assert_int_equal(set.v[1].strlens[0], 12);
	assert_int_equal(set.v[1].strlens[1], 14);
	tp_txtset_release(&set);
	assert_int_equal(set.n, 0);
	tp_txtset_release(NULL);
	tp_txt_release(NULL);
}

static void
test_to_presentation(void **state)
{
	char *out, big[300];

	(void)state;
	assert_int_equal(tp_txt_to_presentation(&out, "", 0), 0);
	assert_string_equal(out, "\"\"");
	free(out);
	assert_int_equal(tp_txt_to_presentation(&out, "a\"b\\c\x01\xff~", 8),
	                 0);
	assert_string_equal(out, "\"a\\\"b\\\\c\\001\\255~\"");
	free(out);
	memset(big, 'x', sizeof(big));
	big[255] = '"';
	assert_int_equal(tp_txt_to_presentation(&out, big, 256), 0);
	/* 255 octets, then the quote (escaped) in a second string. */
	assert_int_equal(strlen(out), 1 + 255 + 1 + 1 + 4);
	assert_string_equal(out + 258, "\"\\\"\"");
	free(out);
}

static void
test_from_presentation(void **state)
{
	static const struct {
		const char *in;
		const char *data;
		size_t len, n;
	} t[] = {
	    {"\"v=TLSRPTv1; \" \"rua=mailto:a@x\"",
	     "v=TLSRPTv1; rua=mailto:a@x", 26, 2},
	    {"  \"a\"\t\"b\"\n", "ab", 2, 2},
	    {"\"a\"\"b\"", "ab", 2, 2},
	    {"\"\"", "", 0, 1},
	    {"word", "word", 4, 1},
	    {"w\\ x \"y\"", "w xy", 4, 2},
	    {"\"\\\"q\\\\\"", "\"q\\", 3, 1},
	    {"\"\\065\\000\\255\"", "A\0\xff", 3, 1},
	    {"\"\\;\\x\"", ";x", 2, 1},
	    {"\"a b\"", "a b", 3, 1},
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
	    {"", "no character-string"}, {"   ", "no character-string"},
	    {"\"abc", "no closing"},     {"\"a\" \"b", "offset 4"},
	    {"\"\\256\"", "bad escape"}, {"\"\\12\"", "bad escape"},
	    {"\"\\1", "bad escape"},     {"\"a\\", "bad escape"},
	};
	struct tp_txt x;
	char big[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (tp_txt_from_presentation(&x, t[i].in, strlen(t[i].in)))
			fail_msg("'%s': %s", t[i].in, tp_err_msg());
		assert_int_equal(x.len, t[i].len);
		assert_memory_equal(x.data, t[i].data, t[i].len);
		assert_int_equal(x.data[x.len], '\0');
		assert_int_equal(x.nstrings, t[i].n);
		tp_txt_release(&x);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    tp_txt_from_presentation(&x, bad[i].in, strlen(bad[i].in)),
		    TP_EUSAGE);
		if (strstr(tp_err_msg(), bad[i].msg) == NULL)
			fail_msg("'%s': '%s' lacks '%s'", bad[i].in,
			         tp_err_msg(), bad[i].msg);
		assert_null(x.data);
	}
	big[0] = '"';
	memset(big + 1, 'a', 256);
	big[257] = '"';
	assert_int_equal(tp_txt_from_presentation(&x, big, 258), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "longer than 255"));
	/* Unterminated, and too long before the end is even reached. */
	assert_int_equal(tp_txt_from_presentation(&x, big, 257), TP_EUSAGE);
}

/* encode then decode gives back the octets and the 255-byte split. */
static void
test_round_trip(void **state)
{
	struct tp_strv sv = TP_STRV_INIT;
	unsigned char v[1200];
	struct tp_txt x;
	size_t len, i, k;
	char *p;
	int n;

	(void)state;
	srand(1035);
	for (n = 0; n < 2000; n++) {
		len = (size_t)rand() % sizeof(v);
		for (i = 0; i < len; i++)
			v[i] = (unsigned char)(rand() % 3 ? 0x20 + rand() % 95
			                                  : rand() % 256);
		assert_int_equal(
		    tp_txt_to_presentation(&p, (const char *)v, len), 0);
		assert_int_equal(tp_txt_from_presentation(&x, p, strlen(p)), 0);
		assert_int_equal(x.len, len);
		assert_memory_equal(x.data, v, len);
		assert_int_equal(tp_txt_split(&sv, (const char *)v, len), 0);
		assert_int_equal(x.nstrings, sv.n);
		for (k = 0; k < sv.n; k++)
			assert_int_equal(x.strlens[k],
			                 k + 1 < sv.n ? 255 : len - 255 * k);
		tp_strv_release(&sv);
		tp_txt_release(&x);
		free(p);
	}
}

/* Display text: valid UTF-8 kept, NUL and stray bytes as U+FFFD, the
 * whole value shown (nothing cut at a NUL). */
static void
test_display(void **state)
{
	static const char in[] = "a\0b\xff\xc3\xa4\xe2\x82z";
	char *s;

	(void)state;
	s = tp_txt_display(in, sizeof(in) - 1);
	assert_non_null(s);
	assert_string_equal(s,
	                    "a\xef\xbf\xbd"
	                    "b\xef\xbf\xbd\xc3\xa4\xef\xbf\xbd\xef\xbf\xbdz");
	free(s);
	s = tp_txt_display("", 0);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_txtset),
	    cmocka_unit_test(test_to_presentation),
	    cmocka_unit_test(test_from_presentation),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_display),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
