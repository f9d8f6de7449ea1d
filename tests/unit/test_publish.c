/*
 * test_publish.c: one domain through a publish worker, against an
 * in-process fake provider: no write when unchanged or planning, uncertain
 * writes re-read and never resent blindly, conflicts retried once, the
 * zone cache and the bulk zone list, the provider's own change wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/publish_int.h"
#include "tlsrpt/err.h"

#define REC_A "v=TLSRPTv1; rua=mailto:a@example.com"
#define SPF   "v=spf1 -all"

/* The fake provider's zone content and script. */
static struct fake {
	struct tp_strv values;
	long ttl;
	int reads, writes, finds, lists, waits;
	int fail_read;        /* code for every read, 0: none */
	int write_rc[8];      /* per write: code to return, 0 ok */
	int write_applies[8]; /* per write: apply even when failing */
	const char *sneak[8]; /* per write: a value someone else adds
	                        * just before it (makes a conflict real) */
	int wait_rc;
} fake;

static int
f_open(void **out, const struct tp_provider_ctx *ctx)
{
	(void)ctx;
	*out = &fake;
	return 0;
}

static int
f_find_zone(void *h, struct tp_zone *out, const char *name, const char *zone_id)
{
	(void)h;
	(void)zone_id;
	fake.finds++;
	out->id = strdup("zone-1");
	out->name = strdup(strchr(name, '.') ? strchr(name, '.') + 1 : name);
	return 0;
}

static int
f_list_zones(void *h, struct tp_zone **out, size_t *n)
{
	(void)h;
	fake.lists++;
	*out = calloc(2, sizeof(**out));
	(*out)[0].id = strdup("zone-big");
	(*out)[0].name = strdup("example.com");
	(*out)[1].id = strdup("zone-sub");
	(*out)[1].name = strdup("sub.example.com");
	*n = 2;
	return 0;
}

static int
f_read_txt(void *h, const struct tp_zone *zone, const char *owner,
           struct tp_txt_rrset *out)
{
	size_t i;

	(void)h;
	(void)zone;
	(void)owner;
	memset(out, 0, sizeof(*out));
	fake.reads++;
	if (fake.fail_read)
		return tp_err_set_api(fake.fail_read, 403, "9109",
		                      "Invalid access token",
		                      "fake: denied (HTTP 403, 9109 Invalid "
		                      "access token)");
	for (i = 0; i < fake.values.n; i++) {
		tp_strv_add(&out->values, fake.values.v[i]);
		tp_strv_add(&out->ids, "id");
	}
	out->exists = fake.values.n > 0;
	out->ttl = fake.ttl;
	return 0;
}

static int
f_write_txt(void *h, const struct tp_zone *zone, const char *owner,
            const struct tp_txt_rrset *before, const struct tp_strv *after,
            long ttl)
{
	int k = fake.writes++;

	(void)h;
	(void)zone;
	(void)owner;
	(void)before;
	if (fake.sneak[k] != NULL)
		tp_strv_add(&fake.values, fake.sneak[k]);
	if (fake.write_rc[k] == 0 || fake.write_applies[k]) {
		tp_strv_copy(&fake.values, after);
		fake.ttl = ttl;
	}
	if (fake.write_rc[k] != 0)
		return tp_err_set(fake.write_rc[k], "fake: write %d failed", k);
	return 0;
}

static int
f_wait_change(void *h, double deadline)
{
	(void)h;
	(void)deadline;
	fake.waits++;
	return fake.wait_rc ? tp_err_set(fake.wait_rc, "fake: not in sync") : 0;
}

static void
f_close(void *h)
{
	(void)h;
}

static struct tp_provider fake_provider = {
    .version = TP_PROVIDER_VERSION,
    .name = "fake",
    .title = "Fake",
    .rate = 1000,
    .burst = 1000,
    .min_ttl = 1,
    .default_ttl = 3600,
    .timeout = 10,
    .interval = 1,
    .open = f_open,
    .find_zone = f_find_zone,
    .read_txt = f_read_txt,
    .write_txt = f_write_txt,
    .close = f_close,
};

struct fx {
	struct tp_publish_opts o;
	struct pub_run run;
	struct pub_account acct;
	struct pub_item items[PUB_PREFETCH_MIN];
	struct pub_worker w;
};

static struct fx *
fx_new(enum tp_publish_mode mode, size_t nitems)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t i;
	char name[64];

	assert_non_null(f);
	memset(&fake, 0, sizeof(fake));
	f->o.mode = mode;
	f->run.o = &f->o;
	f->acct.p = &fake_provider;
	f->acct.section = strdup("fake");
	f->acct.ndomains = nitems;
	pthread_mutex_init(&f->acct.zones.lock, NULL);
	pthread_mutex_init(&f->run.lock, NULL);
	f->run.accounts = &f->acct;
	f->run.naccounts = 1;
	f->run.items = f->items;
	f->run.nitems = nitems;
	for (i = 0; i < nitems; i++) {
		struct pub_item *it = &f->items[i];

		(void)snprintf(name, sizeof(name), "d%zu.example.com", i);
		if (i == 1)
			(void)snprintf(name, sizeof(name), "a.sub.example.com");
		it->domain = strdup(name);
		(void)snprintf(name, sizeof(name), "_smtp._tls.%s", it->domain);
		it->owner = strdup(name);
		it->acct = &f->acct;
		it->timeout = 5;
		it->old_ttl = -1;
		tp_strv_add(&it->rua, "mailto:a@example.com");
		tp_result_init(&it->result, TP_RESULT_CHANGE);
	}
	assert_int_equal(pub_worker_init(&f->w, &f->run), 0);
	return f;
}

static void
fx_free(struct fx *f)
{
	size_t i;

	pub_worker_release(&f->w);
	for (i = 0; i < f->run.nitems; i++) {
		free(f->items[i].domain);
		free(f->items[i].owner);
		tp_strv_release(&f->items[i].rua);
		tp_result_release(&f->items[i].result);
		pub_domain_clear(&f->items[i]);
	}
	for (i = 0; i < f->acct.zones.n; i++) {
		free(f->acct.zones.v[i].domain);
		tp_zone_release(&f->acct.zones.v[i].zone);
	}
	free(f->acct.zones.v);
	for (i = 0; i < f->acct.zones.nzones; i++)
		tp_zone_release(&f->acct.zones.zones[i]);
	free(f->acct.zones.zones);
	free(f->acct.section);
	tp_strv_release(&fake.values);
	free(f);
}

static void
test_create(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);
	struct tp_result *r = &f->items[0].result;

	(void)state;
	tp_strv_add(&fake.values, SPF);
	fake.ttl = 300;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 1);
	assert_int_equal(r->action, TP_ACTION_CREATED);
	assert_int_equal(fake.writes, 1);
	assert_int_equal(fake.values.n, 2);
	assert_string_equal(fake.values.v[0], SPF);
	assert_string_equal(fake.values.v[1], REC_A);
	assert_string_equal(r->record, REC_A);
	assert_string_equal(r->zone, "example.com");
	assert_string_equal(r->provider, "fake");
	assert_true(r->has_sets);
	assert_int_equal(r->before.n, 1);
	assert_int_equal(r->after.n, 2);
	assert_int_equal(f->items[0].old_ttl, 300);
	fx_free(f);
}

static void
test_unchanged_writes_nothing(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);

	(void)state;
	tp_strv_add(&fake.values, REC_A);
	fake.ttl = 300;
	/* Still confirmed in DNS, but nothing is written. */
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 1);
	assert_int_equal(f->items[0].result.action, TP_ACTION_UNCHANGED);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(fake.reads, 1);
	fx_free(f);
}

static void
test_plan_writes_nothing(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PLAN, 1);

	(void)state;
	tp_strv_add(&fake.values, "v=TLSRPTv1; rua=mailto:old@example.com");
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	assert_int_equal(f->items[0].result.action, TP_ACTION_WOULD_UPDATE);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(f->items[0].result.dropped_rua.n, 1);
	assert_string_equal(f->items[0].result.dropped_rua.v[0],
	                    "mailto:old@example.com");
	fx_free(f);
}

static void
test_remove_dry_run(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_REMOVE, 1);

	(void)state;
	f->o.dry_run = 1;
	tp_strv_add(&fake.values, REC_A);
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	assert_int_equal(f->items[0].result.action, TP_ACTION_WOULD_REMOVE);
	assert_int_equal(fake.writes, 0);
	fx_free(f);
}

static void
test_remove_keeps_others(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_REMOVE, 1);

	(void)state;
	tp_strv_add(&fake.values, REC_A);
	tp_strv_add(&fake.values, SPF);
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 1);
	assert_int_equal(f->items[0].result.action, TP_ACTION_REMOVED);
	assert_int_equal(fake.values.n, 1);
	assert_string_equal(fake.values.v[0], SPF);
	fx_free(f);
}

static void
test_uncertain_write_that_happened(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);

	(void)state;
	fake.write_rc[0] = TP_ETIMEOUT;
	fake.write_applies[0] = 1;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 1);
	assert_int_equal(f->items[0].result.action, TP_ACTION_CREATED);
	assert_int_equal(f->items[0].result.error.code, 0);
	/* Read back, found it there: never sent again. */
	assert_int_equal(fake.writes, 1);
	assert_int_equal(fake.reads, 2);
	assert_int_equal(fake.values.n, 1);
	fx_free(f);
}

static void
test_uncertain_write_that_did_not(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);

	(void)state;
	fake.write_rc[0] = TP_ENETWORK;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 1);
	assert_int_equal(f->items[0].result.action, TP_ACTION_CREATED);
	assert_int_equal(fake.writes, 2);
	assert_int_equal(fake.reads, 2);
	assert_int_equal(fake.values.n, 1);
	fx_free(f);
}

static void
test_uncertain_gives_up(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);
	struct tp_result *r = &f->items[0].result;

	(void)state;
	fake.write_rc[0] = fake.write_rc[1] = fake.write_rc[2] = TP_ENETWORK;
	fake.write_rc[3] = TP_ENETWORK;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	assert_int_equal(r->action, TP_ACTION_FAILED);
	assert_int_equal(r->error.code, TP_ENETWORK);
	assert_int_equal(fake.writes, 3);
	assert_int_equal(fake.reads, 3);
	fx_free(f);
}

static void
test_conflict_replans(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);
	struct tp_result *r = &f->items[0].result;

	(void)state;
	/* Someone adds a value as we write: the second plan keeps it. */
	fake.sneak[0] = "google-site-verification=x";
	fake.write_rc[0] = TP_ECONFLICT;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 1);
	assert_int_equal(r->action, TP_ACTION_CREATED);
	assert_int_equal(fake.writes, 2);
	assert_int_equal(fake.values.n, 2);
	assert_string_equal(fake.values.v[0], "google-site-verification=x");
	assert_string_equal(fake.values.v[1], REC_A);
	assert_int_equal(r->after.n, 2);
	fx_free(f);
}

static void
test_conflict_twice_fails(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);

	(void)state;
	fake.write_rc[0] = fake.write_rc[1] = TP_ECONFLICT;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	assert_int_equal(f->items[0].result.action, TP_ACTION_FAILED);
	assert_int_equal(f->items[0].result.error.code, TP_ECONFLICT);
	assert_int_equal(fake.writes, 2);
	fx_free(f);
}

static void
test_other_error_not_retried(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);

	(void)state;
	fake.write_rc[0] = TP_EAUTH;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	assert_int_equal(f->items[0].result.error.code, TP_EAUTH);
	assert_int_equal(fake.writes, 1);
	assert_int_equal(fake.reads, 1);
	fx_free(f);
}

static void
test_read_error_keeps_api_fields(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);
	struct tp_result *r = &f->items[0].result;

	(void)state;
	fake.fail_read = TP_EAUTH;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	assert_int_equal(r->action, TP_ACTION_FAILED);
	assert_int_equal(r->error.http_status, 403);
	assert_string_equal(r->error.provider_code, "9109");
	assert_string_equal(r->error.provider_message, "Invalid access token");
	assert_int_equal(fake.writes, 0);
	assert_false(r->has_sets);
	fx_free(f);
}

static void
test_zone_cache_and_prefetch(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PLAN, PUB_PREFETCH_MIN);
	size_t i;

	(void)state;
	fake_provider.list_zones = f_list_zones;
	for (i = 0; i < PUB_PREFETCH_MIN; i++)
		assert_int_equal(pub_domain(&f->w, &f->items[i]), 0);
	fake_provider.list_zones = NULL;
	/* One listing, then the longest suffix matched locally. */
	assert_int_equal(fake.lists, 1);
	assert_int_equal(fake.finds, 0);
	assert_string_equal(f->items[0].result.zone, "example.com");
	assert_string_equal(f->items[1].result.zone, "sub.example.com");
	fx_free(f);
}

static void
test_zone_search_remembered(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PLAN, 1);

	(void)state;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	tp_result_release(&f->items[0].result);
	tp_result_init(&f->items[0].result, TP_RESULT_CHANGE);
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	assert_int_equal(fake.finds, 1);
	fx_free(f);
}

static void
test_wait_change(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);

	(void)state;
	fake_provider.wait_change = f_wait_change;
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 1);
	assert_int_equal(fake.waits, 1);
	tp_result_release(&f->items[0].result);
	tp_result_init(&f->items[0].result, TP_RESULT_CHANGE);
	tp_strv_release(&fake.values);
	fake.writes = 0;
	fake.wait_rc = TP_ETIMEOUT;
	/* Not live at the provider by the deadline: pending, not failed. */
	assert_int_equal(pub_domain(&f->w, &f->items[0]), 0);
	assert_int_equal(f->items[0].result.confirm.status, TP_CONFIRM_TIMEOUT);
	assert_int_equal(f->items[0].result.action, TP_ACTION_CREATED);
	fake_provider.wait_change = NULL;
	fx_free(f);
}

static char *
dup_token(void)
{
	char *t = malloc(8);

	assert_non_null(t);
	memcpy(t, "C-0001", 7);
	return t;
}

static int
f_change_take(void *h, char **token, double *first_poll)
{
	(void)h;
	fake.waits++;
	*token = dup_token();
	*first_poll = 0.5;
	return 0;
}

static int
f_change_poll(void *h, const char *token, int *done)
{
	(void)h;
	(void)token;
	*done = 1;
	return 0;
}

/* A provider that hands its change tracking to core: the worker does not
 * wait; the token travels with the domain (publish_sync.c polls it). */
static void
test_change_handed_over(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);
	struct pub_item *it = &f->items[0];

	(void)state;
	fake_provider.change_take = f_change_take;
	fake_provider.change_poll = f_change_poll;
	assert_int_equal(pub_domain(&f->w, it), 1);
	assert_int_equal(fake.waits, 1);
	assert_non_null(it->sync_token);
	assert_string_equal(it->sync_token, "C-0001");
	assert_true(it->sync_first == 0.5);
	pub_domain_clear(it);
	assert_null(it->sync_token);
	/* --no-wait: nothing to wait for, nothing kept. */
	tp_result_release(&it->result);
	tp_result_init(&it->result, TP_RESULT_CHANGE);
	tp_strv_release(&fake.values);
	f->o.no_wait = 1;
	assert_int_equal(pub_domain(&f->w, it), 1);
	assert_int_equal(fake.waits, 2);
	assert_null(it->sync_token);
	/* Unchanged: no write, no change to wait for. */
	tp_result_release(&it->result);
	tp_result_init(&it->result, TP_RESULT_CHANGE);
	f->o.no_wait = 0;
	assert_int_equal(pub_domain(&f->w, it), 1);
	assert_int_equal(it->result.action, TP_ACTION_UNCHANGED);
	assert_int_equal(fake.waits, 2);
	assert_null(it->sync_token);
	assert_int_equal(it->old_ttl, 0);
	fake_provider.change_take = NULL;
	fake_provider.change_poll = NULL;
	fx_free(f);
}

/* plan then write, as --max-changes runs them: the plan is kept in the
 * item between the two, and nothing is written before the second. */
static void
test_plan_then_write(void **state)
{
	struct fx *f = fx_new(TP_PUBLISH_MODE_PUBLISH, 1);
	struct pub_item *it = &f->items[0];

	(void)state;
	assert_int_equal(pub_domain_plan(&f->w, it), 0);
	assert_true(it->planned);
	assert_int_equal(it->plan.change, TP_PLAN_CREATE);
	assert_int_equal(it->result.action, TP_ACTION_CREATED);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(pub_domain_write(&f->w, it), 1);
	assert_int_equal(fake.writes, 1);
	assert_int_equal(fake.values.n, 1);
	fake.fail_read = TP_EAUTH;
	tp_result_release(&it->result);
	tp_result_init(&it->result, TP_RESULT_CHANGE);
	assert_int_equal(pub_domain_plan(&f->w, it), TP_EAUTH);
	assert_false(it->planned);
	assert_int_equal(it->result.action, TP_ACTION_FAILED);
	/* A domain that failed to plan is final: nothing is written. */
	assert_int_equal(pub_domain_write(&f->w, it), 0);
	assert_int_equal(fake.writes, 1);
	fx_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create),
	    cmocka_unit_test(test_unchanged_writes_nothing),
	    cmocka_unit_test(test_plan_writes_nothing),
	    cmocka_unit_test(test_remove_dry_run),
	    cmocka_unit_test(test_remove_keeps_others),
	    cmocka_unit_test(test_uncertain_write_that_happened),
	    cmocka_unit_test(test_uncertain_write_that_did_not),
	    cmocka_unit_test(test_uncertain_gives_up),
	    cmocka_unit_test(test_conflict_replans),
	    cmocka_unit_test(test_conflict_twice_fails),
	    cmocka_unit_test(test_other_error_not_retried),
	    cmocka_unit_test(test_read_error_keeps_api_fields),
	    cmocka_unit_test(test_zone_cache_and_prefetch),
	    cmocka_unit_test(test_zone_search_remembered),
	    cmocka_unit_test(test_wait_change),
	    cmocka_unit_test(test_change_handed_over),
	    cmocka_unit_test(test_plan_then_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
