/*
 * test_bulk.c: the pure parts of bulk runs: the --shard hash and its
 * parser, --provider auto's name-server mapping, restore planning and the
 * report reader, the --max-changes check, and the progress line.
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
#include "tlsrpt/autodetect.h"
#include "tlsrpt/err.h"
#include "tlsrpt/plan.h"
#include "tlsrpt/restore.h"
#include "tlsrpt/shard.h"
#include "tlsrpt/sink.h"

#define REC_A "v=TLSRPTv1; rua=mailto:a@example.com"
#define REC_B "v=TLSRPTv1; rua=mailto:b@example.com"
#define SPF   "v=spf1 -all"

static void
strv(struct tp_strv *sv, ...)
{
	const char *v;
	va_list ap;

	memset(sv, 0, sizeof(*sv));
	va_start(ap, sv);
	while ((v = va_arg(ap, const char *)) != NULL)
		assert_int_equal(tp_strv_add(sv, v), 0);
	va_end(ap);
}

/* ---- --shard ----------------------------------------------------------- */

static void
test_shard_hash_vectors(void **state)
{
	(void)state;
	/* FNV-1a 64 as published (offset basis; "a"; "foobar"). */
	assert_true(tp_shard_hash("") == 0xcbf29ce484222325ULL);
	assert_true(tp_shard_hash("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(tp_shard_hash("foobar") == 0x85944171f73967e8ULL);
	/* The documented recipe: hash mod N, plus one. */
	assert_int_equal(tp_shard_of("example.com", 7),
	                 tp_shard_hash("example.com") % 7 + 1);
	assert_int_equal(tp_shard_of("example.com", 1), 1);
}

static void
test_shard_covers_once(void **state)
{
	unsigned long n, k, hits[9];
	char name[64];
	int i;

	(void)state;
	for (n = 1; n <= 8; n++) {
		memset(hits, 0, sizeof(hits));
		for (i = 0; i < 2000; i++) {
			(void)snprintf(name, sizeof(name), "d%04d.example", i);
			k = tp_shard_of(name, n);
			assert_true(k >= 1 && k <= n);
			hits[k]++;
		}
		/* Every shard gets a fair part of 2000 names. */
		for (k = 1; k <= n; k++)
			assert_true(hits[k] > 2000 / n / 2);
	}
}

static void
test_shard_parse(void **state)
{
	unsigned long k = 0, n = 0;

	(void)state;
	assert_int_equal(tp_shard_parse(&k, &n, "3/8"), 0);
	assert_int_equal(k, 3);
	assert_int_equal(n, 8);
	assert_int_equal(tp_shard_parse(&k, &n, "1/1"), 0);
	assert_int_equal(tp_shard_parse(&k, &n, "0/4"), TP_EUSAGE);
	assert_int_equal(tp_shard_parse(&k, &n, "5/4"), TP_EUSAGE);
	assert_int_equal(tp_shard_parse(&k, &n, "1/0"), TP_EUSAGE);
	assert_int_equal(tp_shard_parse(&k, &n, "1/"), TP_EUSAGE);
	assert_int_equal(tp_shard_parse(&k, &n, "a/b"), TP_EUSAGE);
	assert_int_equal(tp_shard_parse(&k, &n, "1/4 "), TP_EUSAGE);
	assert_int_equal(tp_shard_parse(&k, &n, "-1/4"), TP_EUSAGE);
	assert_int_equal(tp_shard_parse(&k, &n, "1/99999999999"), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "K/N"));
}

/* ---- --provider auto ----------------------------------------------------- */

static void
test_ns_mapping(void **state)
{
	const struct tp_provider *p;

	(void)state;
	p = tp_provider_by_ns("ada.ns.cloudflare.com");
	assert_non_null(p);
	assert_string_equal(p->name, "cloudflare");
	p = tp_provider_by_ns("BOB.NS.CLOUDFLARE.COM.");
	assert_non_null(p);
	assert_string_equal(p->name, "cloudflare");
	p = tp_provider_by_ns("ns-1536.awsdns-00.co.uk");
	assert_non_null(p);
	assert_string_equal(p->name, "route53");
	p = tp_provider_by_ns("ns-512.awsdns-00.net.");
	assert_non_null(p);
	assert_string_equal(p->name, "route53");
	p = tp_provider_by_ns("ns07.domaincontrol.com");
	assert_non_null(p);
	assert_string_equal(p->name, "godaddy");
	assert_null(tp_provider_by_ns("ns1.example.net"));
	assert_null(tp_provider_by_ns("ns.cloudflare.com.evil.example"));
	assert_null(tp_provider_by_ns("domaincontrol.com"));
	assert_null(tp_provider_by_ns(""));
}

static void
test_autodetect_pick(void **state)
{
	const struct tp_provider *p;
	struct tp_strv ns;

	(void)state;
	strv(&ns, "ada.ns.cloudflare.com", "bob.ns.cloudflare.com", NULL);
	assert_int_equal(tp_autodetect_pick(&p, &ns, "a.example"), 0);
	assert_string_equal(p->name, "cloudflare");
	tp_strv_release(&ns);

	/* Two operators (a migration half done): no guess. */
	strv(&ns, "ada.ns.cloudflare.com", "ns07.domaincontrol.com", NULL);
	assert_int_equal(tp_autodetect_pick(&p, &ns, "b.example"),
	                 TP_ENOTFOUND);
	assert_null(p);
	assert_non_null(strstr(tp_err_msg(), "'b.example'"));
	assert_non_null(strstr(tp_err_msg(), "several operators"));
	assert_non_null(strstr(tp_err_msg(), "ns07.domaincontrol.com"));
	tp_strv_release(&ns);

	/* Vanity name servers: said, with what to do. */
	strv(&ns, "ns1.example.net", NULL);
	assert_int_equal(tp_autodetect_pick(&p, &ns, "c.example"),
	                 TP_ENOTFOUND);
	assert_non_null(strstr(tp_err_msg(), "ns1.example.net (unknown)"));
	assert_non_null(strstr(tp_err_msg(), "--provider"));
	tp_strv_release(&ns);

	strv(&ns, NULL);
	assert_int_equal(tp_autodetect_pick(&p, &ns, "d.example"),
	                 TP_ENOTFOUND);
	assert_non_null(strstr(tp_err_msg(), "none"));
}

/* ---- restore planning ---------------------------------------------------- */

static void
rrset(struct tp_txt_rrset *r, long ttl, ...)
{
	const char *v;
	va_list ap;

	memset(r, 0, sizeof(*r));
	va_start(ap, ttl);
	while ((v = va_arg(ap, const char *)) != NULL)
		assert_int_equal(tp_strv_add(&r->values, v), 0);
	va_end(ap);
	r->exists = r->values.n > 0;
	r->ttl = r->exists ? ttl : 0;
}

struct rfx {
	struct tp_strv want, expect;
	struct tp_txt_rrset now;
	struct tp_plan plan;
	struct tp_restore_opts o;
};

static void
rfx_opts(struct rfx *f, long want_ttl)
{
	memset(&f->o, 0, sizeof(f->o));
	f->o.owner = "_smtp._tls.example.com";
	f->o.want = &f->want;
	f->o.expect = &f->expect;
	f->o.want_ttl = want_ttl;
	f->o.default_ttl = 3600;
}

static void
rfx_release(struct rfx *f)
{
	tp_strv_release(&f->want);
	tp_strv_release(&f->expect);
	tp_txt_rrset_release(&f->now);
	tp_plan_release(&f->plan);
}

static void
test_restore_update(void **state)
{
	struct rfx f;

	(void)state;
	strv(&f.want, SPF, REC_A, NULL);
	strv(&f.expect, SPF, REC_B, NULL);
	/* Another order than the report's: still what it left there. */
	rrset(&f.now, 300, REC_B, SPF, NULL);
	rfx_opts(&f, 300);
	assert_int_equal(tp_plan_restore(&f.plan, &f.now, &f.o), 0);
	assert_int_equal(f.plan.change, TP_PLAN_UPDATE);
	assert_int_equal(f.plan.after.n, 2);
	assert_string_equal(f.plan.after.v[0], SPF);
	assert_string_equal(f.plan.after.v[1], REC_A);
	assert_string_equal(f.plan.record, REC_A);
	assert_int_equal(f.plan.ttl, 300);
	assert_false(f.plan.ttl_changed);
	assert_int_equal(tp_plan_action(&f.plan, 0), TP_ACTION_UPDATED);
	assert_int_equal(tp_plan_action(&f.plan, 1), TP_ACTION_WOULD_UPDATE);
	rfx_release(&f);
}

static void
test_restore_already_done(void **state)
{
	struct rfx f;

	(void)state;
	strv(&f.want, REC_A, NULL);
	strv(&f.expect, REC_B, NULL);
	rrset(&f.now, 300, REC_A, NULL);
	rfx_opts(&f, 300);
	assert_int_equal(tp_plan_restore(&f.plan, &f.now, &f.o), 0);
	assert_int_equal(f.plan.change, TP_PLAN_NONE);
	rfx_release(&f);
}

static void
test_restore_conflict(void **state)
{
	struct rfx f;

	(void)state;
	strv(&f.want, REC_A, NULL);
	strv(&f.expect, REC_B, NULL);
	/* Someone added a value since the report: restoring would drop it. */
	rrset(&f.now, 300, REC_B, SPF, NULL);
	rfx_opts(&f, 300);
	assert_int_equal(tp_plan_restore(&f.plan, &f.now, &f.o), TP_ECONFLICT);
	assert_non_null(strstr(tp_err_msg(), "_smtp._tls.example.com"));
	assert_non_null(strstr(tp_err_msg(), "changed since"));
	assert_int_equal(f.plan.after.n, 0);
	rfx_release(&f);
}

static void
test_restore_remove_created(void **state)
{
	struct rfx f;

	(void)state;
	/* The report created the set: restore removes it. */
	strv(&f.want, NULL);
	strv(&f.expect, REC_A, NULL);
	rrset(&f.now, 3600, REC_A, NULL);
	rfx_opts(&f, 0);
	assert_int_equal(tp_plan_restore(&f.plan, &f.now, &f.o), 0);
	assert_int_equal(f.plan.change, TP_PLAN_REMOVE);
	assert_int_equal(f.plan.after.n, 0);
	assert_null(f.plan.record);
	rfx_release(&f);
}

static void
test_restore_recreate_removed(void **state)
{
	struct rfx f;

	(void)state;
	/* The report removed the only value: restore creates it again,
	 * with the TTL it had. */
	strv(&f.want, REC_A, NULL);
	strv(&f.expect, NULL);
	rrset(&f.now, 0, NULL);
	rfx_opts(&f, 900);
	assert_int_equal(tp_plan_restore(&f.plan, &f.now, &f.o), 0);
	assert_int_equal(f.plan.change, TP_PLAN_CREATE);
	assert_int_equal(f.plan.ttl, 900);
	rfx_release(&f);
}

static void
test_restore_ttl_only(void **state)
{
	struct rfx f;

	(void)state;
	/* The report changed the TTL only: it is put back. */
	strv(&f.want, REC_A, NULL);
	strv(&f.expect, REC_A, NULL);
	rrset(&f.now, 300, REC_A, NULL);
	rfx_opts(&f, 3600);
	assert_int_equal(tp_plan_restore(&f.plan, &f.now, &f.o), 0);
	assert_int_equal(f.plan.change, TP_PLAN_UPDATE);
	assert_true(f.plan.ttl_changed);
	assert_int_equal(f.plan.ttl, 3600);
	rfx_release(&f);
}

/* ---- the report reader --------------------------------------------------- */

#define R_CREATED                                                                 \
	"{\"type\":\"result\",\"domain\":\"a.example\",\"provider\":"             \
	"\"cloudflare\",\"action\":\"created\",\"before\":[],\"after\":[\"" REC_A \
	"\"],\"ttl\":3600}"
#define R_UPDATED                                                              \
	"{\"type\":\"result\",\"domain\":\"b.example\",\"provider\":"          \
	"\"route53\",\"account\":\"aws-prod\",\"zone\":\"b.example\","         \
	"\"action\":\"updated\",\"before\":[\"" SPF "\",\"" REC_B "\"],"       \
	"\"after\":[\"" SPF "\",\"" REC_A "\"],\"old_ttl\":300}"
#define R_UNCHANGED                                                            \
	"{\"type\":\"result\",\"domain\":\"c.example\",\"provider\":"          \
	"\"godaddy\",\"action\":\"unchanged\",\"before\":[],\"after\":[]}"
#define R_SUMMARY "{\"type\":\"summary\",\"total\":3}"

static void
parse(struct tp_restore_list *l, const char *text, int want)
{
	assert_int_equal(tp_restore_parse(l, text, strlen(text), "r.json"),
	                 want);
}

static void
check_two(const struct tp_restore_list *l)
{
	assert_int_equal(l->n, 2);
	assert_int_equal(l->skipped, 1);
	assert_string_equal(l->v[0].domain, "a.example");
	assert_int_equal(l->v[0].action, TP_ACTION_CREATED);
	assert_int_equal(l->v[0].before.n, 0);
	assert_null(l->v[0].account);
	assert_string_equal(l->v[1].provider, "route53");
	assert_string_equal(l->v[1].account, "aws-prod");
	assert_string_equal(l->v[1].zone, "b.example");
	assert_int_equal(l->v[1].old_ttl, 300);
	assert_string_equal(l->v[1].before.v[1], REC_B);
	assert_string_equal(l->v[1].after.v[1], REC_A);
}

static void
test_report_document(void **state)
{
	struct tp_restore_list l;

	(void)state;
	parse(&l,
	      "{\"results\": [\n  " R_CREATED ",\n  " R_UNCHANGED
	      ",\n  " R_UPDATED "\n], \"summary\": " R_SUMMARY "}\n",
	      0);
	check_two(&l);
	tp_restore_list_release(&l);
}

/* A report cut short by a second signal: no closing line, no summary,
 * maybe half a result at the end (cmd/output.c writes one a line). */
static void
test_report_cut_short(void **state)
{
	struct tp_restore_list l;

	(void)state;
	parse(&l,
	      "{\"results\": [\n  " R_CREATED ",\n  " R_UNCHANGED
	      ",\n  " R_UPDATED,
	      0);
	check_two(&l);
	tp_restore_list_release(&l);
	parse(&l,
	      "{\"results\": [\n  " R_CREATED ",\n  " R_UNCHANGED
	      ",\n  " R_UPDATED ",\n  {\"type\":\"result\",\"dom",
	      0);
	check_two(&l);
	tp_restore_list_release(&l);
	/* Only the opening: nothing to restore, not an error. */
	parse(&l, "{\"results\": [", 0);
	assert_int_equal(l.n, 0);
	tp_restore_list_release(&l);
	/* Damage before the last line is not a cut: refused. */
	parse(&l, "{\"results\": [\n  {\"type\":\n  " R_CREATED, TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "r.json:2"));
}

static void
test_report_jsonl(void **state)
{
	struct tp_restore_list l;

	(void)state;
	parse(&l,
	      R_CREATED "\n" R_UNCHANGED "\n\n" R_UPDATED "\n" R_SUMMARY "\n",
	      0);
	check_two(&l);
	tp_restore_list_release(&l);
}

static void
test_report_refused(void **state)
{
	struct tp_restore_list l;

	(void)state;
	parse(&l, "not json at all\n", TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "r.json:1"));
	parse(&l, "[1, 2]", TP_EUSAGE);
	parse(&l, R_CREATED "\n" R_CREATED "\n", TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "twice"));
	parse(&l,
	      "{\"type\":\"result\",\"domain\":\"x.example\",\"provider\":"
	      "\"godaddy\",\"action\":\"updated\"}",
	      TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "before/after"));
	parse(&l,
	      "{\"type\":\"result\",\"action\":\"removed\",\"before\":[],"
	      "\"after\":[]}",
	      TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "domain or provider"));
}

/* ---- --max-changes --------------------------------------------------------
 */

static void
test_max_changes(void **state)
{
	struct tp_publish_opts o;
	struct pub_item items[4];
	struct pub_run run;
	size_t changes = 0;

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	memset(items, 0, sizeof(items));
	run.o = &o;
	run.items = items;
	run.nitems = 4;
	items[0].planned = 1;
	items[0].plan.change = TP_PLAN_CREATE;
	items[1].planned = 1;
	items[1].plan.change = TP_PLAN_NONE;
	items[2].planned = 1;
	items[2].plan.change = TP_PLAN_UPDATE;
	items[3].planned = 0; /* failed while planning: not a change */
	items[3].plan.change = TP_PLAN_UPDATE;
	o.max_changes = 2;
	assert_int_equal(pub_guard(&run, &changes), 0);
	assert_int_equal(changes, 2);
	o.max_changes = 1;
	assert_int_equal(pub_guard(&run, &changes), TP_EUSAGE);
	assert_int_equal(changes, 2);
	assert_non_null(strstr(tp_err_msg(), "2 domains would change"));
	assert_non_null(strstr(tp_err_msg(), "--max-changes 1"));
	assert_non_null(strstr(tp_err_msg(), "nothing was written"));
	o.max_changes = 0;
	items[0].plan.change = TP_PLAN_NONE;
	items[2].plan.change = TP_PLAN_NONE;
	assert_int_equal(pub_guard(&run, &changes), 0);
	assert_int_equal(changes, 0);
}

/* ---- the progress line --------------------------------------------------- */

static void
test_progress_line(void **state)
{
	struct tp_progress p;
	char buf[256];
	size_t n;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.total = 1000;
	p.done = 412;
	p.created = 300;
	p.updated = 12;
	p.unchanged = 95;
	p.failed = 5;
	p.confirming = 40;
	p.rate = 38.04;
	p.eta = 65;
	n = tp_progress_format(buf, sizeof(buf), &p);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf,
	                    "412/1000 done: 300 created, 12 updated, 95 "
	                    "unchanged, 5 failed; 40 confirming; 38.0 "
	                    "req/s; ETA 1:05");
	memset(&p, 0, sizeof(p));
	p.total = 3;
	p.eta = -1;
	tp_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf, "0/3 done");
	p.done = 3;
	p.unchanged = 3;
	p.eta = 10;
	tp_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf, "3/3 done: 3 unchanged");
	p.done = 1;
	p.eta = 3725;
	tp_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf, "1/3 done: 3 unchanged; ETA 1:02:05");
	p.eta = 7.4;
	tp_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf, "1/3 done: 3 unchanged; ETA 7 s");
	p.planning = 1;
	p.created = 2;
	p.unchanged = 1;
	tp_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf, "1/3 done: 2 to create, 1 unchanged; ETA 7 s");
	/* Truncated, still a string. */
	assert_int_equal(tp_progress_format(buf, 5, &p), 4);
	assert_string_equal(buf, "1/3 ");
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_shard_hash_vectors),
	    T(test_shard_covers_once),
	    T(test_shard_parse),
	    T(test_ns_mapping),
	    T(test_autodetect_pick),
	    T(test_restore_update),
	    T(test_restore_already_done),
	    T(test_restore_conflict),
	    T(test_restore_remove_created),
	    T(test_restore_recreate_removed),
	    T(test_restore_ttl_only),
	    T(test_report_document),
	    T(test_report_jsonl),
	    T(test_report_cut_short),
	    T(test_report_refused),
	    T(test_max_changes),
	    T(test_progress_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
