/*
 * test_plan.c: the planner's rules (include/tlsrpt/plan.h): what is kept,
 * replaced, merged and dropped, when nothing is written, and the TTL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/err.h"
#include "tlsrpt/plan.h"

#define REC_A  "v=TLSRPTv1; rua=mailto:a@example.com"
#define REC_B  "v=TLSRPTv1; rua=mailto:b@example.com"
#define REC_AB "v=TLSRPTv1; rua=mailto:a@example.com,mailto:b@example.com"
#define SPF    "v=spf1 -all"

/* A read RRset from a NULL-terminated list of values. */
static void
rrset(struct tp_txt_rrset *r, long ttl, ...)
{
	const char *v;
	va_list ap;

	memset(r, 0, sizeof(*r));
	va_start(ap, ttl);
	while ((v = va_arg(ap, const char *)) != NULL) {
		assert_int_equal(tp_strv_add(&r->values, v), 0);
		assert_int_equal(tp_strv_add(&r->ids, "id"), 0);
	}
	va_end(ap);
	r->exists = r->values.n > 0;
	r->ttl = r->exists ? ttl : 0;
}

static void
assert_set(const struct tp_strv *sv, ...)
{
	const char *v;
	size_t i = 0;
	va_list ap;

	va_start(ap, sv);
	while ((v = va_arg(ap, const char *)) != NULL) {
		assert_true(i < sv->n);
		assert_string_equal(sv->v[i], v);
		i++;
	}
	va_end(ap);
	assert_int_equal(sv->n, i);
}

struct fixture {
	struct tp_strv rua;
	struct tp_plan_opts o;
	struct tp_txt_rrset before;
	struct tp_plan p;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(tp_strv_add(&f->rua, "mailto:a@example.com"), 0);
	f->o.rua = &f->rua;
	f->o.default_ttl = 3600;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	tp_strv_release(&f->rua);
	tp_txt_rrset_release(&f->before);
	tp_plan_release(&f->p);
	free(f);
	return 0;
}

static void
plan(struct fixture *f)
{
	assert_int_equal(tp_plan_make(&f->p, &f->before, &f->o), 0);
}

static void
test_create_new_rrset(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 0, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_CREATE);
	assert_string_equal(f->p.record, REC_A);
	assert_set(&f->p.after, REC_A, NULL);
	assert_int_equal(f->p.ttl, 3600); /* the default for a new RRset */
	assert_int_equal(f->p.old_ttl, 0);
	assert_false(f->p.ttl_changed);
	assert_int_equal(f->p.dropped_rua.n, 0);
	assert_int_equal(tp_plan_action(&f->p, 0), TP_ACTION_CREATED);
	assert_int_equal(tp_plan_action(&f->p, 1), TP_ACTION_WOULD_CREATE);
}

static void
test_create_new_rrset_asked_ttl(void **state)
{
	struct fixture *f = *state;

	f->o.ttl = 300;
	rrset(&f->before, 0, NULL);
	plan(f);
	assert_int_equal(f->p.ttl, 300);
	assert_false(f->p.ttl_changed);
}

static void
test_create_beside_other_values(void **state)
{
	struct fixture *f = *state;

	/* The RRset exists: its TTL stays, the default is not applied. */
	rrset(&f->before, 600, SPF, "google-site-verification=x", NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_CREATE);
	assert_set(&f->p.after, SPF, "google-site-verification=x", REC_A, NULL);
	assert_int_equal(f->p.ttl, 600);
	assert_int_equal(f->p.old_ttl, 600);
	assert_false(f->p.ttl_changed);
	assert_int_equal(f->p.replaced, 0);
}

static void
test_unchanged(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 300, SPF, REC_A, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_NONE);
	assert_set(&f->p.after, SPF, REC_A, NULL);
	assert_int_equal(f->p.ttl, 300);
	assert_int_equal(tp_plan_action(&f->p, 0), TP_ACTION_UNCHANGED);
	assert_int_equal(tp_plan_action(&f->p, 1), TP_ACTION_UNCHANGED);
}

static void
test_unchanged_same_ttl_asked(void **state)
{
	struct fixture *f = *state;

	f->o.ttl = 300;
	rrset(&f->before, 300, REC_A, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_NONE);
	assert_false(f->p.ttl_changed);
}

static void
test_ttl_only_change(void **state)
{
	struct fixture *f = *state;

	f->o.ttl = 3600;
	rrset(&f->before, 300, SPF, REC_A, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_true(f->p.ttl_changed);
	assert_int_equal(f->p.ttl, 3600);
	assert_int_equal(f->p.old_ttl, 300);
	/* The TTL is the RRset's: every value stays, all get it. */
	assert_set(&f->p.after, SPF, REC_A, NULL);
	assert_int_equal(f->p.dropped_rua.n, 0);
}

static void
test_update_from_old_rua(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 300, SPF, REC_B, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_set(&f->p.after, SPF, REC_A, NULL);
	assert_set(&f->p.dropped_rua, "mailto:b@example.com", NULL);
	assert_int_equal(f->p.replaced, 1);
	assert_int_equal(f->p.ttl, 300);
	assert_false(f->p.ttl_changed);
	assert_int_equal(tp_plan_action(&f->p, 0), TP_ACTION_UPDATED);
	assert_int_equal(tp_plan_action(&f->p, 1), TP_ACTION_WOULD_UPDATE);
}

static void
test_keep_existing_rua(void **state)
{
	struct fixture *f = *state;

	f->o.keep_existing_rua = 1;
	rrset(&f->before, 300, REC_B, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_string_equal(f->p.record, REC_AB);
	assert_set(&f->p.after, REC_AB, NULL);
	assert_int_equal(f->p.dropped_rua.n, 0);
}

static void
test_keep_existing_rua_already_there(void **state)
{
	struct fixture *f = *state;

	/* Merging what is there already changes nothing. */
	f->o.keep_existing_rua = 1;
	rrset(&f->before, 300, REC_A, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_NONE);
}

static void
test_keep_existing_rua_skips_invalid(void **state)
{
	struct fixture *f = *state;

	f->o.keep_existing_rua = 1;
	rrset(&f->before, 300,
	      "v=TLSRPTv1; rua=ftp://x.example.com,mailto:b@example.com", NULL);
	plan(f);
	assert_string_equal(f->p.record, REC_AB);
	/* An old destination that cannot be kept is reported dropped. */
	assert_set(&f->p.dropped_rua, "ftp://x.example.com", NULL);
}

static void
test_consolidate_two(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 300, REC_A, SPF, REC_B, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_set(&f->p.after, REC_A, SPF, NULL);
	assert_int_equal(f->p.replaced, 2);
	assert_set(&f->p.dropped_rua, "mailto:b@example.com", NULL);
}

static void
test_consolidate_duplicates(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 300, REC_A, REC_A, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_set(&f->p.after, REC_A, NULL);
	assert_int_equal(f->p.dropped_rua.n, 0);
}

static void
test_tlsrpt_like_values_replaced(void **state)
{
	struct fixture *f = *state;

	/* Miscased, leading spaces, wrong version, broken: senders ignore
	 * them all; we replace them all by the one canonical value. */
	rrset(&f->before, 300, "V=tlsrptv1; rua=mailto:a@example.com",
	      "  v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv2; x",
	      "v=tlsrpt", NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_int_equal(f->p.replaced, 4);
	assert_set(&f->p.after, REC_A, NULL);
}

static void
test_case_differs_is_update(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 300, "v=TLSRPTv1; RUA=mailto:a@example.com", NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_set(&f->p.after, REC_A, NULL);
}

static void
test_canonical_plus_miscased(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 300, REC_A, "V=TLSRPTV1; rua=mailto:a@example.com",
	      NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_set(&f->p.after, REC_A, NULL);
}

static void
test_others_kept_byte_for_byte(void **state)
{
	struct fixture *f = *state;
	char big[301];

	memset(big, 'x', 300);
	big[300] = '\0';
	rrset(&f->before, 300, " v=spf1  -all ", "", "say \"hi\"\\", big,
	      "tlsrpt=v1; rua=mailto:z@example.com", "x v=TLSRPTv1", NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_CREATE);
	assert_set(&f->p.after, " v=spf1  -all ", "", "say \"hi\"\\", big,
	           "tlsrpt=v1; rua=mailto:z@example.com", "x v=TLSRPTv1", REC_A,
	           NULL);
	assert_int_equal(f->p.dropped_rua.n, 0);
}

static void
test_placed_at_first_tlsrpt(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 300, "a", REC_B, "b", "v=TLSRPTv1; rua=x", NULL);
	plan(f);
	assert_set(&f->p.after, "a", REC_A, "b", NULL);
}

static void
test_dropped_compared_canonically(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 300, "v=TLSRPTv1; rua=MAILTO:a@example.com", NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_UPDATE);
	assert_int_equal(f->p.dropped_rua.n, 0);
}

static void
test_rua_duplicates_once(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(tp_strv_add(&f->rua, "mailto:a@example.com"), 0);
	assert_int_equal(tp_strv_add(&f->rua, "mailto:b@example.com"), 0);
	rrset(&f->before, 0, NULL);
	plan(f);
	assert_string_equal(f->p.record, REC_AB);
}

static void
test_remove(void **state)
{
	struct fixture *f = *state;

	f->o.remove = 1;
	f->o.ttl = 60; /* ignored: remove never changes a TTL */
	rrset(&f->before, 300, SPF, REC_AB, "v=tlsrptv1; rua=mailto:c@x.org",
	      NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_REMOVE);
	assert_null(f->p.record);
	assert_set(&f->p.after, SPF, NULL);
	assert_set(&f->p.dropped_rua, "mailto:a@example.com",
	           "mailto:b@example.com", "mailto:c@x.org", NULL);
	assert_int_equal(f->p.ttl, 300);
	assert_false(f->p.ttl_changed);
	assert_int_equal(tp_plan_action(&f->p, 0), TP_ACTION_REMOVED);
	assert_int_equal(tp_plan_action(&f->p, 1), TP_ACTION_WOULD_REMOVE);
}

static void
test_remove_last_value(void **state)
{
	struct fixture *f = *state;

	f->o.remove = 1;
	rrset(&f->before, 300, REC_A, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_REMOVE);
	assert_int_equal(f->p.after.n, 0);
}

static void
test_remove_nothing(void **state)
{
	struct fixture *f = *state;

	f->o.remove = 1;
	rrset(&f->before, 300, SPF, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_NONE);
	assert_set(&f->p.after, SPF, NULL);
	tp_plan_release(&f->p);
	tp_txt_rrset_release(&f->before);
	rrset(&f->before, 0, NULL);
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_NONE);
	assert_int_equal(tp_plan_action(&f->p, 0), TP_ACTION_UNCHANGED);
}

static void
test_exists_but_empty(void **state)
{
	struct fixture *f = *state;

	rrset(&f->before, 0, NULL);
	f->before.exists = 1;
	f->before.ttl = 10;
	plan(f);
	assert_int_equal(f->p.change, TP_PLAN_CREATE);
	assert_int_equal(f->p.ttl, 3600);
}

static void
test_bad_rua(void **state)
{
	struct fixture *f = *state;

	tp_strv_release(&f->rua);
	assert_int_equal(tp_strv_add(&f->rua, "ftp://x.example.com"), 0);
	rrset(&f->before, 0, NULL);
	assert_int_equal(tp_plan_make(&f->p, &f->before, &f->o), TP_EUSAGE);
	assert_null(f->p.record);
	assert_int_equal(f->p.after.n, 0);
}

static void
test_release_null(void **state)
{
	(void)state;
	tp_plan_release(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_create_new_rrset),
	    T(test_create_new_rrset_asked_ttl),
	    T(test_create_beside_other_values),
	    T(test_unchanged),
	    T(test_unchanged_same_ttl_asked),
	    T(test_ttl_only_change),
	    T(test_update_from_old_rua),
	    T(test_keep_existing_rua),
	    T(test_keep_existing_rua_already_there),
	    T(test_keep_existing_rua_skips_invalid),
	    T(test_consolidate_two),
	    T(test_consolidate_duplicates),
	    T(test_tlsrpt_like_values_replaced),
	    T(test_case_differs_is_update),
	    T(test_canonical_plus_miscased),
	    T(test_others_kept_byte_for_byte),
	    T(test_placed_at_first_tlsrpt),
	    T(test_dropped_compared_canonically),
	    T(test_rua_duplicates_once),
	    T(test_remove),
	    T(test_remove_last_value),
	    T(test_remove_nothing),
	    T(test_exists_but_empty),
	    T(test_bad_rua),
	    cmocka_unit_test(test_release_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
