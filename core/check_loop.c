/*
 * check_loop.c: the event loop of a check run. The calling thread steps
 * the DNS engine of the side lookups and of the destination lookups; in
 * the authoritative mode the watcher (which has its own engine and loop)
 * runs in a second thread and hands each watched domain back through a
 * locked list and a wake-up pipe. A domain is finished in the calling
 * thread once its lookups are answered (and it is watched): evaluated,
 * its destinations looked up, then delivered to the sink. So results
 * stream as they become final, whatever the mode.
 */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_int.h"
#include "tlsrpt/err.h"

/* Add the destination findings and hand the result to the sink. */
static void
deliver(struct check_run *run, struct check_dom *c)
{
	const struct check_dname **names = NULL;
	size_t i;
	int rc = 0;

	if (c->dests.n > 0 && run->dq != NULL) {
		names = calloc(c->dests.n, sizeof(*names));
		if (names == NULL)
			rc = tp_err_set(TP_EINTERNAL, "check: out of memory");
		for (i = 0; names != NULL && i < c->dests.n; i++)
			names[i] = tp_check_dq_get(run->dq, c->dests.v[i].name);
	}
	if (rc == 0 && c->dests.n > 0)
		rc = tp_check_dest_diags(&c->result, c->domain, &c->dests,
		                         names);
	free(names);
	if (rc != 0)
		run->failed = rc;
	tp_sink_result(run->o->sink, &c->result);
	tp_result_release(&c->result);
	tp_check_destv_release(&c->dests);
	run->emitted++;
}

static void
dests_ready(void *ctx, struct check_dom *c)
{
	deliver(ctx, c);
}

/* The record senders use, when there is exactly one valid one. */
static int
dests_start(struct check_run *run, struct check_dom *c)
{
	int rc;

	if (run->o->no_destination_checks || !c->rrset_valid ||
	    c->result.record == NULL)
		return 0;
	rc = tp_check_dest_list(&c->dests, c->result.record);
	if (rc == 0 && c->dests.n > 0 && run->dq != NULL)
		rc = tp_check_dq_start(run->dq, c);
	return rc;
}

void
tp_check_finish(struct check_dom *c)
{
	struct check_run *run = c->run;
	int rc;

	if (c->evaluated || c->pending > 0 ||
	    (run->o->authoritative && !c->watched))
		return;
	c->evaluated = 1;
	if (tp_check_eval(&c->result, c, run->o) != 0) {
		tp_result_fail(&c->result);
		c->result.status = TP_CHECK_UNKNOWN;
	}
	if ((rc = dests_start(run, c)) != 0)
		run->failed = rc;
	if (c->dest_wait == 0)
		deliver(run, c);
}

/* ---- the watcher's thread ------------------------------------------- */

/* A watched domain (in the watcher's thread): keep the verdict, hand the
 * domain to the calling thread. */
static void
on_watch(void *ctx, void *user, struct tp_confirm *cf, int rc)
{
	struct check_run *run = ctx;
	struct check_dom *c = user;
	char byte = 1;

	c->watch_rc = rc;
	if (rc != 0)
		c->watch_err = strdup(tp_err_msg());
	c->confirm = *cf;
	memset(cf, 0, sizeof(*cf));
	pthread_mutex_lock(&run->lock);
	run->handed[run->nhanded++] = c;
	pthread_mutex_unlock(&run->lock);
	/* EAGAIN: the pipe is full of wake-ups already. */
	(void)!write(run->wake[1], &byte, 1);
}

static void *
watch_thread(void *arg)
{
	struct check_run *run = arg;
	char byte = 1;
	int rc;

	rc = tp_watch_run(run->w);
	pthread_mutex_lock(&run->lock);
	run->watch_done = 1;
	run->watch_rc = rc;
	if (rc != 0)
		run->watch_msg = strdup(tp_err_msg());
	pthread_mutex_unlock(&run->lock);
	(void)!write(run->wake[1], &byte, 1);
	return NULL;
}

static int
watch_new(struct check_run *run)
{
	const struct tp_check_opts *o = run->o;
	struct tp_watch_opts wo;

	memset(&wo, 0, sizeof(wo));
	wo.resolvers = o->resolvers;
	wo.nameservers = o->nameservers;
	wo.interval = o->interval;
	wo.query_timeout = o->query_timeout;
	wo.strict_families = o->strict_families;
	wo.sink = o->sink;
	return tp_watch_new(&run->w, &wo, on_watch, run);
}

static int
watch_start(struct check_run *run)
{
	const struct tp_check_opts *o = run->o;
	struct tp_watch_req req;
	size_t i;
	int rc;

	run->handed = calloc(run->n, sizeof(*run->handed));
	if (run->handed == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	if (pipe2(run->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		run->wake[0] = run->wake[1] = -1;
		return tp_err_set(TP_EINTERNAL, "check: pipe failed");
	}
	pthread_mutex_init(&run->lock, NULL);
	run->lock_made = 1;
	if ((rc = watch_new(run)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < run->n; i++) {
		memset(&req, 0, sizeof(req));
		req.domain = run->doms[i].domain;
		req.expect = TP_WATCH_VALID;
		req.expect_rua = run->doms[i].expect != NULL
		    ? run->doms[i].expect
		    : o->expect_rua;
		/* Without --wait, one poll: the deadline only bounds it. */
		req.timeout = o->wait ? o->timeout : 60;
		req.old_ttl = -1;
		req.user = &run->doms[i];
		req.once = !o->wait;
		rc = tp_watch_add(run->w, &req);
	}
	tp_watch_close(run->w);
	if (rc != 0)
		return rc;
	if (pthread_create(&run->thread, NULL, watch_thread, run) != 0)
		return tp_err_set(TP_EINTERNAL,
		                  "check: cannot start the watcher thread");
	run->threaded = 1;
	return 0;
}

/* Take the domains the watcher handed over; 1 once its loop ended. */
static int
take(struct check_run *run, int *rc)
{
	struct check_dom **got;
	size_t i, n;
	char buf[64];
	int done;

	while (read(run->wake[0], buf, sizeof(buf)) > 0)
		;
	got = calloc(run->n, sizeof(*got));
	if (got == NULL) {
		*rc = tp_err_set(TP_EINTERNAL, "check: out of memory");
		return 0;
	}
	pthread_mutex_lock(&run->lock);
	n = run->nhanded;
	memcpy(got, run->handed, n * sizeof(*got));
	run->nhanded = 0;
	done = run->watch_done;
	if (done && run->watch_rc != 0)
		*rc = tp_err_set(run->watch_rc, "%s",
		                 run->watch_msg ? run->watch_msg
		                                : "watch failed");
	pthread_mutex_unlock(&run->lock);
	for (i = 0; i < n; i++) {
		got[i]->watched = 1;
		tp_check_finish(got[i]);
	}
	free(got);
	return done;
}

/* Stop the watcher (at once when the loop ended early) and wait for
 * it. */
static void
watch_end(struct check_run *run)
{
	if (run->threaded) {
		tp_watch_cancel(run->w);
		pthread_join(run->thread, NULL);
		run->threaded = 0;
	}
	if (run->lock_made)
		pthread_mutex_destroy(&run->lock);
	run->lock_made = 0;
	tp_watch_free(run->w);
	run->w = NULL;
	if (run->wake[0] >= 0) {
		close(run->wake[0]);
		close(run->wake[1]);
		run->wake[0] = run->wake[1] = -1;
	}
	free(run->handed);
	free(run->watch_msg);
	run->handed = NULL;
}

int
tp_check_start(struct check_run *run)
{
	int rc = 0;

	/* The destinations go to the resolvers: the side server when it is
	 * them, else resolvers made on first use. */
	if (!run->o->no_destination_checks)
		rc = tp_check_dq_new(&run->dq, run->dns,
		                     run->res_recursive ? run->res : NULL,
		                     run->o->resolvers, dests_ready, run);
	if (rc == 0 && run->o->authoritative)
		rc = watch_start(run);
	return rc;
}

int
tp_check_loop(struct check_run *run)
{
	int rc = 0, st, watch_over = !run->threaded;

	while (rc == 0 && run->emitted < run->n) {
		st = tp_dns_step(run->dns, run->threaded ? run->wake[0] : -1,
		                 1.0);
		if (st < 0) {
			rc = tp_err_set(TP_EINTERNAL, "check: poll failed");
			break;
		}
		if (st == 1 && !watch_over)
			watch_over = take(run, &rc);
		if (rc == 0 && run->failed)
			rc = run->failed;
		/* Nothing left that could finish a domain: a bug, never a
		 * hang. */
		if (rc == 0 && watch_over && tp_dns_pending(run->dns) == 0 &&
		    run->emitted < run->n)
			rc = tp_err_set(TP_EINTERNAL,
			                "check: %zu domains got no verdict",
			                run->n - run->emitted);
	}
	return rc;
}

void
tp_check_stop(struct check_run *run)
{
	watch_end(run);
	tp_check_dq_free(run->dq);
	run->dq = NULL;
}
