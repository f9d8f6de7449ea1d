/*
 * watch.c: the propagation watcher's loop (watch.h): domains come in from
 * any thread through a locked list and a wake-up pipe; the loop thread
 * finds their servers, polls them in rounds and delivers verdicts.
 *
 * Polling policy. A round asks every address of the domain for the TXT
 * RRset at the owner, one query per address (so never two in flight for
 * one domain and address); the domain is confirmed when, in one round,
 * every address serves what is expected (family rule: watch_eval.c). An
 * address that already served it is asked again in later rounds, because
 * it can regress (anycast nodes that disagree, a provider rolling back):
 * "done" means all agree at the final poll, not at some poll each. The
 * first round starts as soon as the servers are known; the next starts
 * one interval after the previous one started, the interval growing by
 * a quarter each round up to max_interval. Each domain has its own deadline.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "watch_int.h"

#define BACKOFF 1.25

static double
wall_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* ---- the timer heap (earliest next event first) ----------------------- */

static double
key(const struct wdom *d)
{
	if (d->next_round > 0 && d->next_round < d->deadline)
		return d->next_round;
	return d->deadline;
}

static void
heap_swap(struct tp_watch *w, size_t a, size_t b)
{
	struct wdom *t = w->heap[a];

	w->heap[a] = w->heap[b];
	w->heap[b] = t;
	w->heap[a]->heap = a;
	w->heap[b]->heap = b;
}

static void
heap_fix(struct tp_watch *w, size_t i)
{
	size_t l, r, m;

	while (i > 0 && key(w->heap[i]) < key(w->heap[(i - 1) / 2])) {
		heap_swap(w, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < w->nheap && key(w->heap[l]) < key(w->heap[m]))
			m = l;
		if (r < w->nheap && key(w->heap[r]) < key(w->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(w, i, m);
		i = m;
	}
}

static int
heap_push(struct tp_watch *w, struct wdom *d)
{
	struct wdom **nv;

	if (w->nheap == w->aheap) {
		nv = realloc(w->heap,
		             (w->aheap ? w->aheap * 2 : 64) * sizeof(*nv));
		if (nv == NULL)
			return tp_err_set(TP_EINTERNAL, "watch: out of memory");
		w->heap = nv;
		w->aheap = w->aheap ? w->aheap * 2 : 64;
	}
	d->heap = w->nheap;
	w->heap[w->nheap++] = d;
	heap_fix(w, d->heap);
	return 0;
}

static void
heap_remove(struct tp_watch *w, struct wdom *d)
{
	size_t i = d->heap;

	w->nheap--;
	if (i != w->nheap) {
		heap_swap(w, i, w->nheap);
		heap_fix(w, i);
	}
}

/* ---- domains ---------------------------------------------------------- */

static void
wdom_free(struct wdom *d)
{
	if (d == NULL)
		return;
	tp_watch_slots_release(d);
	free(d->domain);
	free(d->owner);
	free(d->zone);
	free(d->value);
	tp_strv_release(&d->expect_rua);
	free(d);
}

/* The verdict is in: tell the caller and forget the domain. */
static void
finish(struct wdom *d, enum tp_confirm_status st, int rc)
{
	struct tp_watch *w = d->w;
	struct tp_confirm c;
	size_t i;

	tp_disc_cancel(d->disc);
	d->disc = NULL;
	tp_dns_cancel(d->soa_q);
	for (i = 0; i < d->nslots; i++)
		tp_dns_cancel(d->slots[i].q);
	heap_remove(w, d);
	w->active--;
	memset(&c, 0, sizeof(c));
	if (rc == 0)
		rc = tp_watch_verdict(&c, d, st, tp_dns_now(),
		                      w->o.strict_families);
	tp_sink_log(w->o.sink, TP_LOG_INFO, "watch: %s: %s after %.1f s",
	            d->domain, rc ? tp_err_msg() : tp_confirm_status_name(st),
	            tp_dns_now() - d->t0);
	w->done(w->ctx, d->user, &c, rc);
	tp_confirm_release(&c);
	wdom_free(d);
}

static void on_txt(void *arg, const struct tp_dns_answer *a);

static void
start_round(struct wdom *d)
{
	size_t i;

	d->rounds++;
	d->round_start = tp_dns_now();
	d->next_round = 0;
	for (i = 0; i < d->nslots; i++) {
		struct wslot *s = &d->slots[i];

		if (s->q != NULL)
			continue;
		if (tp_dns_query(&s->q, s->srv, d->owner, TP_DNS_T_TXT, on_txt,
		                 s) == 0)
			d->outstanding++;
	}
	heap_fix(d->w, d->heap);
	if (d->outstanding == 0)
		finish(d, TP_CONFIRM_TIMEOUT,
		       tp_err_code() ? tp_err_code() : TP_EINTERNAL);
}

static void
on_soa(void *arg, const struct tp_dns_answer *a)
{
	struct wdom *d = arg;
	const struct tp_dns_rr *soa;

	d->soa_q = NULL;
	d->soa_state = 2;
	if (a->status == TP_DNS_ANSWERED) {
		d->neg_ttl = tp_dns_negative_ttl(a);
		soa = tp_dns_answer_soa(a, TP_DNS_AUTHORITY);
		if (soa == NULL && (soa = tp_dns_answer_soa(a, TP_DNS_ANSWER)))
			d->neg_ttl = (long)(soa->ttl < soa->soa_minimum
			                        ? soa->ttl
			                        : soa->soa_minimum);
		if (soa != NULL && d->zone == NULL)
			d->zone = strdup(soa->name);
	}
	finish(d, TP_CONFIRM_CONFIRMED, 0);
}

/* Every address agreed. For a new record the verdict needs the zone's
 * negative TTL: one SOA query at the owner to a server that answered
 * (its authority SOA carries it, RFC 2308). */
static void
confirmed(struct wdom *d)
{
	size_t i;

	d->t_all = wall_now();
	if (tp_watch_needs_neg_ttl(d) && d->soa_state == 0) {
		for (i = 0; i < d->nslots; i++)
			if (d->slots[i].state == TP_SERVER_EXPECTED)
				break;
		d->soa_state = 1;
		if (i < d->nslots &&
		    tp_dns_query(&d->soa_q, d->slots[i].srv, d->owner,
		                 TP_DNS_T_SOA, on_soa, d) == 0)
			return;
	}
	finish(d, TP_CONFIRM_CONFIRMED, 0);
}

static void
round_done(struct wdom *d)
{
	struct tp_watch *w = d->w;
	double next;

	if (tp_watch_is_done(d, w->o.strict_families)) {
		confirmed(d);
		return;
	}
	if (d->once) {
		finish(d, TP_CONFIRM_TIMEOUT, 0);
		return;
	}
	next = d->round_start + d->interval;
	d->interval *= BACKOFF;
	if (d->interval > w->o.max_interval)
		d->interval = w->o.max_interval;
	d->next_round = next > tp_dns_now() ? next : tp_dns_now();
	heap_fix(w, d->heap);
}

static void
on_txt(void *arg, const struct tp_dns_answer *a)
{
	struct wslot *s = arg;
	struct wdom *d = s->dom;

	s->q = NULL;
	d->outstanding--;
	tp_watch_classify(s, a, wall_now(), d->w->o.sink);
	if (d->outstanding == 0)
		round_done(d);
}

/* The servers are known: make one slot per address and start polling. */
static int
got_servers(struct wdom *d, const struct tp_disc_result *r)
{
	size_t i;
	int rc;

	if (d->zone == NULL && r->zone != NULL &&
	    (d->zone = strdup(r->zone)) == NULL)
		return tp_err_set(TP_EINTERNAL, "watch: out of memory");
	d->slots = calloc(r->n, sizeof(*d->slots));
	if (d->slots == NULL)
		return tp_err_set(TP_EINTERNAL, "watch: out of memory");
	for (i = 0; i < r->n; i++) {
		struct wslot *s = &d->slots[i];

		d->nslots++;
		s->dom = d;
		s->addr = r->v[i].addr;
		s->rcode = -1;
		if (r->v[i].ns != NULL && (s->ns = strdup(r->v[i].ns)) == NULL)
			return tp_err_set(TP_EINTERNAL, "watch: out of memory");
		if ((rc = tp_dns_server(&s->srv, d->w->dns, &s->addr)) != 0)
			return rc;
	}
	start_round(d);
	return 0;
}

static void
on_disc(void *arg, int rc, const struct tp_disc_result *r)
{
	struct wdom *d = arg;

	d->disc = NULL;
	d->discovering = 0;
	if (rc == 0)
		rc = got_servers(d, r);
	if (rc != 0)
		finish(d, TP_CONFIRM_NONE, rc);
}

/* A domain enters the loop: find its servers. */
static void
activate(struct tp_watch *w, struct wdom *d)
{
	const struct tp_disc_result *now = NULL;
	int rc;

	if (heap_push(w, d) != 0) {
		w->done(w->ctx, d->user, &(struct tp_confirm){0}, TP_EINTERNAL);
		wdom_free(d);
		return;
	}
	w->active++;
	d->discovering = 1;
	rc = tp_disc_start(&d->disc, &now, w->disc, d->owner, d->zone, on_disc,
	                   d);
	if (rc != 0 || now != NULL) {
		d->disc = NULL;
		on_disc(d, rc, now);
	}
}

static void
fire(struct wdom *d, double now)
{
	/* Confirmed already, only the SOA for visible_by was out. */
	if (now >= d->deadline && d->soa_state == 1)
		finish(d, TP_CONFIRM_CONFIRMED, 0);
	else if (now >= d->deadline)
		finish(d, TP_CONFIRM_TIMEOUT, 0);
	else if (d->next_round > 0 && d->next_round <= now &&
	         d->outstanding == 0)
		start_round(d);
}

/* ---- the API ---------------------------------------------------------- */

int
tp_watch_new(struct tp_watch **out, const struct tp_watch_opts *o,
             tp_watch_done_fn done, void *ctx)
{
	struct tp_dns_opts dopts;
	struct tp_watch *w;
	int rc;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return tp_err_set(TP_EINTERNAL, "watch: out of memory");
	w->wake[0] = w->wake[1] = -1;
	pthread_mutex_init(&w->mu, NULL);
	w->o = *o;
	w->done = done;
	w->ctx = ctx;
	if (w->o.interval <= 0)
		w->o.interval = 2;
	if (w->o.max_interval <= 0)
		w->o.max_interval = 30;
	if (w->o.max_interval < w->o.interval)
		w->o.max_interval = w->o.interval;
	if (w->o.query_timeout <= 0)
		w->o.query_timeout = 1;
	if (w->o.inflight_per_server == 0)
		w->o.inflight_per_server = 100;
	memset(&dopts, 0, sizeof(dopts));
	dopts.timeout = w->o.query_timeout;
	dopts.inflight = w->o.inflight_per_server;
	if ((o->resolvers &&
	     (rc = tp_strv_copy(&w->resolvers, o->resolvers))) ||
	    (o->nameservers &&
	     (rc = tp_strv_copy(&w->nameservers, o->nameservers))))
		goto fail;
	w->o.resolvers = &w->resolvers;
	w->o.nameservers = &w->nameservers;
	if (pipe2(w->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		rc = tp_err_set(TP_EINTERNAL, "watch: pipe: %s",
		                strerror(errno));
		goto fail;
	}
	if ((rc = tp_dns_new(&w->dns, &dopts)) != 0 ||
	    (rc = tp_disc_new(&w->disc, w->dns, &w->resolvers, &w->nameservers,
	                      w->o.sink)) != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	tp_watch_free(w);
	return rc;
}

static int
req_copy(struct wdom *d, const struct tp_watch_req *req)
{
	size_t i;
	char *n;
	int rc;

	if (req->domain == NULL || req->domain[0] == '\0' ||
	    (req->expect == TP_WATCH_VALUE && req->value == NULL))
		return tp_err_set(TP_EUSAGE, "watch: a domain%s is required",
		                  req->expect == TP_WATCH_VALUE ? " and a value"
		                                                : "");
	d->domain = strdup(req->domain);
	d->owner = malloc(strlen(req->domain) + sizeof("_smtp._tls."));
	if (d->domain == NULL || d->owner == NULL ||
	    (req->zone && (d->zone = strdup(req->zone)) == NULL) ||
	    (req->value && (d->value = strdup(req->value)) == NULL))
		return tp_err_set(TP_EINTERNAL, "watch: out of memory");
	memcpy(d->owner, "_smtp._tls.", sizeof("_smtp._tls.") - 1);
	memcpy(d->owner + sizeof("_smtp._tls.") - 1, req->domain,
	       strlen(req->domain) + 1);
	for (i = 0; req->expect_rua != NULL && i < req->expect_rua->n; i++) {
		if ((rc = tp_rua_normalize(&n, req->expect_rua->v[i])) != 0 ||
		    (rc = tp_strv_take(&d->expect_rua, n)) != 0)
			return rc;
	}
	d->expect = req->expect;
	d->old_ttl = req->old_ttl;
	d->user = req->user;
	d->once = req->once;
	d->timeout = req->timeout > 0 ? req->timeout : 300;
	return 0;
}

int
tp_watch_add(struct tp_watch *w, const struct tp_watch_req *req)
{
	struct wdom *d;
	char byte = 1;
	int rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return tp_err_set(TP_EINTERNAL, "watch: out of memory");
	d->w = w;
	d->neg_ttl = -1;
	d->seen_ttl = -1;
	d->interval = w->o.interval;
	d->t0 = tp_dns_now();
	d->t0_wall = wall_now();
	if ((rc = req_copy(d, req)) != 0) {
		wdom_free(d);
		return rc;
	}
	d->deadline = d->t0 + d->timeout;
	pthread_mutex_lock(&w->mu);
	if (w->closed) {
		pthread_mutex_unlock(&w->mu);
		wdom_free(d);
		return tp_err_set(TP_EUSAGE, "watch: '%s' added after close",
		                  req->domain);
	}
	if (w->in_tail != NULL)
		w->in_tail->next = d;
	else
		w->in_head = d;
	w->in_tail = d;
	pthread_mutex_unlock(&w->mu);
	/* EAGAIN: the pipe is full of wake-ups already. */
	(void)!write(w->wake[1], &byte, 1);
	return 0;
}

static void
set_flag(struct tp_watch *w, int *flag)
{
	char byte = 1;

	pthread_mutex_lock(&w->mu);
	*flag = 1;
	pthread_mutex_unlock(&w->mu);
	(void)!write(w->wake[1], &byte, 1);
}

void
tp_watch_close(struct tp_watch *w)
{
	set_flag(w, &w->closed);
}

void
tp_watch_cancel(struct tp_watch *w)
{
	set_flag(w, &w->cancelled);
}

/* Take what other threads added; 1 when run should stop. */
static int
intake(struct tp_watch *w)
{
	struct wdom *in, *next;
	int closed, cancelled;

	pthread_mutex_lock(&w->mu);
	in = w->in_head;
	w->in_head = w->in_tail = NULL;
	closed = w->closed;
	cancelled = w->cancelled;
	pthread_mutex_unlock(&w->mu);
	for (; in != NULL; in = next) {
		next = in->next;
		in->next = NULL;
		if (cancelled) {
			struct tp_confirm c = {.status = TP_CONFIRM_TIMEOUT};

			w->done(w->ctx, in->user, &c, 0);
			tp_confirm_release(&c);
			wdom_free(in);
		} else {
			activate(w, in);
		}
	}
	if (cancelled) {
		while (w->nheap > 0)
			finish(w->heap[0], TP_CONFIRM_TIMEOUT, 0);
		return 1;
	}
	return closed && w->active == 0;
}

int
tp_watch_run(struct tp_watch *w)
{
	double now, wait;
	char buf[256];
	int rc;

	for (;;) {
		if (intake(w))
			return 0;
		now = tp_dns_now();
		while (w->nheap > 0 && key(w->heap[0]) <= now)
			fire(w->heap[0], now);
		if (intake(w))
			return 0;
		wait = w->nheap > 0 ? key(w->heap[0]) - tp_dns_now() : 3600;
		rc = tp_dns_step(w->dns, w->wake[0], wait > 0 ? wait : 0);
		if (rc < 0)
			return rc;
		if (rc == 1)
			while (read(w->wake[0], buf, sizeof(buf)) > 0)
				;
	}
}

void
tp_watch_stats(const struct tp_watch *w, unsigned long *queries,
               unsigned long *answers)
{
	tp_dns_stats(w->dns, queries, answers);
}

void
tp_watch_free(struct tp_watch *w)
{
	struct wdom *d;
	size_t i;

	if (w == NULL)
		return;
	while ((d = w->in_head) != NULL) {
		w->in_head = d->next;
		wdom_free(d);
	}
	while (w->nheap > 0) {
		d = w->heap[0];
		tp_disc_cancel(d->disc);
		tp_dns_cancel(d->soa_q);
		for (i = 0; i < d->nslots; i++)
			tp_dns_cancel(d->slots[i].q);
		heap_remove(w, d);
		wdom_free(d);
	}
	free(w->heap);
	tp_disc_free(w->disc);
	tp_dns_free(w->dns);
	tp_strv_release(&w->resolvers);
	tp_strv_release(&w->nameservers);
	if (w->wake[0] >= 0)
		close(w->wake[0]);
	if (w->wake[1] >= 0)
		close(w->wake[1]);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
