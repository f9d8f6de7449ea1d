/*
 * test_rrset.c: the TXT RRset at _smtp._tls.DOMAIN as senders read it
 * (RFC 8460 §3), the cases of the reference's RRset table (M1-M6):
 * discarded and unrelated values, none, several, and the same text split
 * differently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/record.h"

#define A "v=TLSRPTv1; rua=mailto:a@example.com"
#define B "v=TLSRPTv1; rua=mailto:b@example.com"

struct rcase {
	const char *values[4];
	enum tp_rrset_status status;
	size_t index;
	const char *codes; /* codes that must be present */
	size_t ndiags;
};

static const struct rcase cases[] = {
    {{A}, TP_RRSET_VALID, 0, "", 0},
    {{NULL}, TP_RRSET_MISSING, (size_t)-1, "rrset-missing", 1},
    /* M2: an SPF record next to it is discarded (warning). */
    {{"v=spf1 -all", A}, TP_RRSET_VALID, 1, "rrset-unrelated", 1},
    /* M3: a miscased one is discarded, order does not matter. */
    {{A, "V=TLSRPTv1; rua=mailto:b@example.com"},
     TP_RRSET_VALID,
     0,
     "rrset-discarded",
     1},
    {{"V=TLSRPTv1; rua=mailto:b@example.com"},
     TP_RRSET_MISSING,
     (size_t)-1,
     "rrset-discarded rrset-missing",
     2},
    {{"v=spf1 -all", "google-site-verification=x"},
     TP_RRSET_MISSING,
     (size_t)-1,
     "rrset-unrelated rrset-missing",
     3},
    /* M1: two valid records: senders use none. */
    {{A, B}, TP_RRSET_INVALID, (size_t)-1, "rrset-multiple", 1},
    /* M4: the ABNF keeps both (WSP before ';'). */
    {{A, "v=TLSRPTv1 ; rua=mailto:b@example.com"},
     TP_RRSET_INVALID,
     (size_t)-1,
     "rrset-multiple",
     1},
    /* M6: a valid record next to a broken one that starts the same. */
    {{A, "v=TLSRPTv1; rua="},
     TP_RRSET_INVALID,
     (size_t)-1,
     "rrset-multiple",
     1},
    /* The one kept is invalid: its own diagnostics. */
    {{"v=spf1 -all", "v=TLSRPTv1; RUA=mailto:a@example.com"},
     TP_RRSET_INVALID,
     1,
     "rrset-unrelated rua-key-case",
     2},
    /* "v=TLSRPTv1" with no ';' is discarded, not kept. */
    {{"v=TLSRPTv1"},
     TP_RRSET_MISSING,
     (size_t)-1,
     "rrset-discarded rrset-missing",
     2},
};

static void
test_cases(void **state)
{
	struct tp_txtset set = TP_TXTSET_INIT;
	struct tp_diags d = TP_DIAGS_INIT;
	enum tp_rrset_status st;
	size_t i, j, idx;
	char want[128], *tok, *save = NULL;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < 4 && cases[i].values[j] != NULL; j++)
			assert_int_equal(
			    tp_txtset_add(&set, cases[i].values[j],
			                  strlen(cases[i].values[j])),
			    0);
		assert_int_equal(tp_rrset_validate(&d, &st, &idx, &set), 0);
		if (st != cases[i].status || idx != cases[i].index ||
		    d.n != cases[i].ndiags)
			fail_msg("case %zu: status %d index %zu, %zu diags", i,
			         (int)st, idx, d.n);
		(void)snprintf(want, sizeof(want), "%s", cases[i].codes);
		for (tok = strtok_r(want, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save))
			if (!tp_diags_has(&d, tok))
				fail_msg("case %zu: no %s", i, tok);
		tp_diags_release(&d);
		tp_txtset_release(&set);
	}
}

/* M5: one text published twice, split differently: two RRs. */
static void
test_split_duplicate(void **state)
{
	static const char *const s1[] = {"v=TLSRPTv1; ",
	                                 "rua=mailto:a@example.com"};
	static const char *const s2[] = {"v=TLSRPTv1; rua=", "mailto:a@",
	                                 "example.com"};
	static const size_t l1[] = {12, 24}, l2[] = {16, 9, 11};
	struct tp_txtset set = TP_TXTSET_INIT;
	struct tp_diags d = TP_DIAGS_INIT;
	enum tp_rrset_status st;
	size_t idx;

	(void)state;
	assert_int_equal(tp_txtset_add_strings(&set, s1, l1, 2), 0);
	assert_int_equal(tp_txtset_add_strings(&set, s2, l2, 3), 0);
	assert_string_equal(set.v[0].data, set.v[1].data);
	assert_int_equal(tp_rrset_validate(&d, &st, &idx, &set), 0);
	assert_int_equal(st, TP_RRSET_INVALID);
	assert_true(tp_diags_has(&d, "rrset-split-duplicate"));
	assert_false(tp_diags_has(&d, "rrset-multiple"));
	tp_diags_release(&d);
	tp_txtset_release(&set);
	/* One RR split anywhere is simply the joined record. */
	assert_int_equal(tp_txtset_add_strings(&set, s2, l2, 3), 0);
	assert_int_equal(tp_rrset_validate(&d, &st, &idx, &set), 0);
	assert_int_equal(st, TP_RRSET_VALID);
	assert_int_equal(d.n, 0);
	tp_diags_release(&d);
	tp_txtset_release(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_split_duplicate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
