/*
 * test_watch.c: the watcher's judgement (what an answer means, when a
 * domain is done, visible_by) on answers built in memory, and its API and
 * threads against closed loopback ports (answers come back at once).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "../../core/watch_int.h"
#include "tlsrpt/err.h"

#define VALUE "v=TLSRPTv1; rua=mailto:tls@example.com"

/* ---- answers in memory ------------------------------------------------ */

struct fake {
	struct tp_dns_answer a;
	struct tp_dns_rr rr[4];
	size_t lens[4];
};

static void
fake_init(struct fake *f, int rcode, int aa)
{
	memset(f, 0, sizeof(*f));
	f->a.status = TP_DNS_ANSWERED;
	f->a.rcode = rcode;
	f->a.aa = aa;
	f->a.rr = f->rr;
}

static void
fake_txt(struct fake *f, const char *owner, const char *v, unsigned long ttl)
{
	struct tp_dns_rr *x = &f->rr[f->a.nrr];

	x->section = TP_DNS_ANSWER;
	x->type = TP_DNS_T_TXT;
	x->name = (char *)owner;
	x->ttl = ttl;
	x->txt.data = (char *)v;
	x->txt.len = strlen(v);
	x->txt.nstrings = 1;
	f->lens[f->a.nrr] = strlen(v);
	x->txt.strlens = &f->lens[f->a.nrr];
	f->a.nrr++;
}

static void
fake_soa(struct fake *f, const char *zone, unsigned long ttl, unsigned long min)
{
	struct tp_dns_rr *x = &f->rr[f->a.nrr++];

	x->section = TP_DNS_AUTHORITY;
	x->type = TP_DNS_T_SOA;
	x->name = (char *)zone;
	x->target = (char *)"ns1.example.com";
	x->ttl = ttl;
	x->soa_minimum = min;
}

static void
dom_init(struct wdom *d, struct wslot *slots, size_t n, enum tp_watch_expect e)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	memset(slots, 0, n * sizeof(*slots));
	d->domain = (char *)"example.com";
	d->owner = (char *)"_smtp._tls.example.com";
	d->value = (char *)VALUE;
	d->expect = e;
	d->old_ttl = -1;
	d->neg_ttl = -1;
	d->seen_ttl = -1;
	d->slots = slots;
	d->nslots = n;
	for (i = 0; i < n; i++) {
		slots[i].dom = d;
		slots[i].rcode = -1;
		tp_dns_addr_make(&slots[i].addr,
		                 i % 2 ? "2001:db8::1" : "192.0.2.1",
		                 (unsigned)(53 + i));
	}
}

static void
slot_clean(struct wslot *s)
{
	free(s->detail);
	free(s->cname);
	tp_strv_release(&s->values);
	tp_txtset_release(&s->rrset);
}

static void
test_classify_value(void **state)
{
	struct wslot s[1];
	struct wdom d;
	struct fake f;

	(void)state;
	dom_init(&d, s, 1, TP_WATCH_VALUE);
	fake_init(&f, TP_DNS_R_NOERROR, 1);
	fake_txt(&f, d.owner, "v=spf1 -all", 300);
	fake_txt(&f, d.owner, VALUE, 300);
	tp_watch_classify(&s[0], &f.a, 1000, NULL);
	assert_int_equal(s[0].state, TP_SERVER_EXPECTED);
	assert_int_equal(s[0].values.n, 2);
	assert_int_equal(s[0].rrset.n, 2); /* and byte for byte */
	assert_true(s[0].since == 1000);

	/* An old value alongside: two TLS-RPT values, not confirmed. */
	fake_txt(&f, d.owner, "v=TLSRPTv1; rua=mailto:old@example.com", 300);
	tp_watch_classify(&s[0], &f.a, 1010, NULL);
	assert_int_equal(s[0].state, TP_SERVER_OLD);
	assert_true(s[0].since == 1010);
	assert_int_equal(d.seen_ttl, 300);

	/* NXDOMAIN: missing, and the negative TTL is min(TTL, MINIMUM). */
	fake_init(&f, TP_DNS_R_NXDOMAIN, 1);
	fake_soa(&f, "example.com", 300, 60);
	tp_watch_classify(&s[0], &f.a, 1020, NULL);
	assert_int_equal(s[0].state, TP_SERVER_MISSING);
	assert_string_equal(s[0].detail, "NXDOMAIN");
	assert_int_equal(d.neg_ttl, 60);
	tp_watch_classify(&s[0], &f.a, 1030, NULL);
	assert_true(s[0].since == 1020); /* unchanged state keeps since */
	slot_clean(&s[0]);
}

static void
test_classify_errors(void **state)
{
	struct wslot s[1];
	struct wdom d;
	struct fake f;

	(void)state;
	dom_init(&d, s, 1, TP_WATCH_VALUE);
	fake_init(&f, TP_DNS_R_REFUSED, 0);
	tp_watch_classify(&s[0], &f.a, 1, NULL);
	assert_int_equal(s[0].state, TP_SERVER_REFUSED);
	fake_init(&f, TP_DNS_R_NOERROR, 0); /* lame: no AA */
	fake_txt(&f, d.owner, VALUE, 300);
	tp_watch_classify(&s[0], &f.a, 2, NULL);
	assert_int_equal(s[0].state, TP_SERVER_REFUSED);
	assert_non_null(strstr(s[0].detail, "AA=0"));
	fake_init(&f, TP_DNS_R_SERVFAIL, 1);
	tp_watch_classify(&s[0], &f.a, 3, NULL);
	assert_int_equal(s[0].state, TP_SERVER_SERVFAIL);
	memset(&f, 0, sizeof(f));
	f.a.status = TP_DNS_TIMEOUT;
	f.a.rcode = -1;
	f.a.what = "no answer (timed out)";
	f.a.timeouts = 2;
	tp_watch_classify(&s[0], &f.a, 4, NULL);
	assert_int_equal(s[0].state, TP_SERVER_UNREACHABLE);
	assert_non_null(strstr(s[0].detail, "2 tries"));
	slot_clean(&s[0]);
}

static void
test_classify_valid_and_absent(void **state)
{
	struct wslot s[1];
	struct wdom d;
	struct fake f;

	(void)state;
	dom_init(&d, s, 1, TP_WATCH_VALID);
	fake_init(&f, TP_DNS_R_NOERROR, 1);
	fake_txt(&f, d.owner, VALUE, 300);
	tp_watch_classify(&s[0], &f.a, 1, NULL);
	assert_int_equal(s[0].state, TP_SERVER_EXPECTED);
	/* With --expect-rua, other destinations are not expected. */
	tp_strv_add(&d.expect_rua, "mailto:other@example.com");
	tp_watch_classify(&s[0], &f.a, 2, NULL);
	assert_int_equal(s[0].state, TP_SERVER_OLD);
	assert_non_null(strstr(s[0].detail, "rua"));
	tp_strv_release(&d.expect_rua);
	tp_strv_add(&d.expect_rua, "mailto:tls@example.com");
	tp_watch_classify(&s[0], &f.a, 3, NULL);
	assert_int_equal(s[0].state, TP_SERVER_EXPECTED);
	tp_strv_release(&d.expect_rua);

	d.expect = TP_WATCH_ABSENT;
	tp_watch_classify(&s[0], &f.a, 4, NULL);
	assert_int_equal(s[0].state, TP_SERVER_OLD);
	fake_init(&f, TP_DNS_R_NOERROR, 1);
	fake_txt(&f, d.owner, "google-site-verification=x", 300);
	tp_watch_classify(&s[0], &f.a, 5, NULL);
	assert_int_equal(s[0].state, TP_SERVER_EXPECTED);
	slot_clean(&s[0]);
}

static void
set(struct wslot *s, enum tp_server_state st, int answered)
{
	s->has_state = 1;
	s->state = st;
	s->ever_answered = answered;
}

static void
test_done_family_rule(void **state)
{
	struct wslot s[4];
	struct wdom d;

	(void)state;
	/* slots 0 and 2 are IPv4, 1 and 3 IPv6. */
	dom_init(&d, s, 4, TP_WATCH_VALUE);
	set(&s[0], TP_SERVER_EXPECTED, 1);
	set(&s[2], TP_SERVER_EXPECTED, 1);
	set(&s[1], TP_SERVER_UNREACHABLE, 0);
	set(&s[3], TP_SERVER_UNREACHABLE, 0);
	assert_true(tp_watch_is_done(&d, 0));
	assert_false(tp_watch_is_done(&d, 1)); /* strict */
	/* An IPv6 address that answered earlier: IPv6 works from here. */
	s[3].ever_answered = 1;
	assert_false(tp_watch_is_done(&d, 0));
	s[3].ever_answered = 0;
	/* One IPv4 address down while another answers: not a family. */
	set(&s[2], TP_SERVER_UNREACHABLE, 0);
	assert_false(tp_watch_is_done(&d, 0));
	/* Nothing reachable at all. */
	set(&s[0], TP_SERVER_UNREACHABLE, 0);
	assert_false(tp_watch_is_done(&d, 0));
	/* Not yet answered counts as not done. */
	dom_init(&d, s, 2, TP_WATCH_VALUE);
	set(&s[0], TP_SERVER_EXPECTED, 1);
	assert_false(tp_watch_is_done(&d, 0));
	set(&s[1], TP_SERVER_OLD, 1);
	assert_false(tp_watch_is_done(&d, 0));
	set(&s[1], TP_SERVER_EXPECTED, 1);
	assert_true(tp_watch_is_done(&d, 0));
}

static void
test_verdict_visible_by(void **state)
{
	struct tp_confirm c;
	struct wslot s[2];
	struct wdom d;

	(void)state;
	dom_init(&d, s, 2, TP_WATCH_VALUE);
	set(&s[0], TP_SERVER_EXPECTED, 1);
	set(&s[1], TP_SERVER_UNREACHABLE, 0);
	d.t0 = 10;
	d.t_all = 1000;
	d.neg_ttl = 60;
	assert_true(tp_watch_needs_neg_ttl(&d) == 0);
	assert_int_equal(
	    tp_watch_verdict(&c, &d, TP_CONFIRM_CONFIRMED, 12.5, 0), 0);
	assert_true(c.visible_by == 1060);
	assert_true(c.seconds == 2.5);
	assert_int_equal(c.nservers, 2);
	assert_string_equal(c.servers[0].address, "192.0.2.1");
	assert_string_equal(c.servers[1].address, "[2001:db8::1]:54");
	assert_int_equal(c.servers[1].excused, 1);
	tp_confirm_release(&c);

	/* An update: the replaced RRset's TTL bounds it, not the SOA. */
	d.old_ttl = 3600;
	assert_int_equal(tp_watch_verdict(&c, &d, TP_CONFIRM_CONFIRMED, 13, 1),
	                 0);
	assert_true(c.visible_by == 4600);
	assert_int_equal(c.servers[1].excused, 0);
	tp_confirm_release(&c);
	/* A timeout has no visible_by. */
	assert_int_equal(tp_watch_verdict(&c, &d, TP_CONFIRM_TIMEOUT, 13, 0),
	                 0);
	assert_true(c.visible_by == 0);
	tp_confirm_release(&c);
	/* Removal: negative caching does not matter. */
	d.expect = TP_WATCH_ABSENT;
	d.old_ttl = 300;
	assert_int_equal(tp_watch_verdict(&c, &d, TP_CONFIRM_CONFIRMED, 13, 0),
	                 0);
	assert_true(c.visible_by == 1300);
	tp_confirm_release(&c);
	tp_watch_slots_release(&(struct wdom){0});
}

/* ---- the API, with servers that refuse at once ------------------------ */

struct tally {
	pthread_mutex_t mu;
	int done, unreachable, failed;
};

static void
on_done(void *ctx, void *user, struct tp_confirm *c, int rc)
{
	struct tally *t = ctx;
	size_t i;

	(void)user;
	pthread_mutex_lock(&t->mu);
	t->done++;
	if (rc != 0)
		t->failed++;
	for (i = 0; i < c->nservers; i++)
		if (c->servers[i].state == TP_SERVER_UNREACHABLE)
			t->unreachable++;
	pthread_mutex_unlock(&t->mu);
}

struct adder {
	struct tp_watch *w;
	struct tp_strv *names;
};

static void *
add_all(void *arg)
{
	struct adder *a = arg;
	struct tp_watch_req req;
	size_t i;

	for (i = 0; i < a->names->n; i++) {
		memset(&req, 0, sizeof(req));
		req.domain = a->names->v[i];
		req.expect = TP_WATCH_VALUE;
		req.value = VALUE;
		req.timeout = 5;
		req.old_ttl = -1;
		req.once = 1;
		if (tp_watch_add(a->w, &req) != 0)
			return NULL;
	}
	tp_watch_close(a->w);
	return NULL;
}

static void
test_api_threads(void **state)
{
	struct tp_strv ns = TP_STRV_INIT, names = TP_STRV_INIT;
	struct tally t = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct tp_watch_opts o;
	struct tp_watch_req req;
	struct tp_watch *w;
	struct adder a;
	pthread_t th;
	char buf[32];
	int i;

	(void)state;
	tp_strv_add(&ns, "127.0.0.1:9");
	tp_strv_add(&ns, "127.0.0.1:7");
	for (i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "d%d.example", i);
		tp_strv_add(&names, buf);
	}
	memset(&o, 0, sizeof(o));
	o.nameservers = &ns;
	assert_int_equal(tp_watch_new(&w, &o, on_done, &t), 0);
	a.w = w;
	a.names = &names;
	/* Domains arrive from another thread while the loop runs. */
	assert_int_equal(pthread_create(&th, NULL, add_all, &a), 0);
	assert_int_equal(tp_watch_run(w), 0);
	pthread_join(th, NULL);
	assert_int_equal(t.done, 200);
	assert_int_equal(t.failed, 0);
	assert_int_equal(t.unreachable, 400);
	memset(&req, 0, sizeof(req));
	req.domain = "late.example";
	req.expect = TP_WATCH_ABSENT;
	assert_int_equal(tp_watch_add(w, &req), TP_EUSAGE);
	tp_watch_free(w);
	tp_strv_release(&ns);
	tp_strv_release(&names);
}

static void
test_api_usage(void **state)
{
	struct tp_strv bad = TP_STRV_INIT;
	struct tp_watch_opts o;
	struct tp_watch *w;

	(void)state;
	memset(&o, 0, sizeof(o));
	tp_strv_add(&bad, "not an address");
	o.resolvers = &bad;
	assert_int_equal(tp_watch_new(&w, &o, on_done, NULL), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "not an address"));
	o.resolvers = NULL;
	o.nameservers = &bad;
	assert_int_equal(tp_watch_new(&w, &o, on_done, NULL), TP_EUSAGE);
	tp_strv_release(&bad);
}

static void
test_api_cancel(void **state)
{
	struct tp_strv ns = TP_STRV_INIT;
	struct tally t = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct tp_watch_opts o;
	struct tp_watch_req req;
	struct tp_watch *w;

	(void)state;
	tp_strv_add(&ns, "127.0.0.1:9");
	memset(&o, 0, sizeof(o));
	o.nameservers = &ns;
	assert_int_equal(tp_watch_new(&w, &o, on_done, &t), 0);
	memset(&req, 0, sizeof(req));
	req.domain = "example.com";
	req.expect = TP_WATCH_VALUE;
	req.value = VALUE;
	req.timeout = 600;
	assert_int_equal(tp_watch_add(w, &req), 0);
	tp_watch_cancel(w);
	assert_int_equal(tp_watch_run(w), 0);
	assert_int_equal(t.done, 1);
	tp_watch_free(w);
	tp_strv_release(&ns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify_value),
	    cmocka_unit_test(test_classify_errors),
	    cmocka_unit_test(test_classify_valid_and_absent),
	    cmocka_unit_test(test_done_family_rule),
	    cmocka_unit_test(test_verdict_visible_by),
	    cmocka_unit_test(test_api_threads),
	    cmocka_unit_test(test_api_usage),
	    cmocka_unit_test(test_api_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
