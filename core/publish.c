/*
 * publish.c: the stages of a publish/plan/remove run: a queue of domains
 * for the publish workers, one watcher thread confirming written domains
 * in DNS meanwhile, and the report of each domain as soon as it is final
 * (shared/DESIGN.md "Many domains").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "publish_int.h"
#include "tlsrpt/err.h"

/* How often progress reaches the sink at most, s. */
#define PROGRESS_EVERY 0.25

double
pub_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
pub_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
stopped(const struct pub_run *run)
{
	return run->o->stop != NULL && *run->o->stop;
}

/* Under run->lock. */
static void
progress_locked(struct pub_run *run, int force)
{
	double now = pub_now();

	if (!force && now - run->last_progress < PROGRESS_EVERY)
		return;
	run->last_progress = now;
	run->progress.total = run->nitems;
	run->progress.eta = -1;
	tp_sink_progress(run->o->sink, &run->progress);
}

void
pub_finish(struct pub_run *run, struct pub_item *it)
{
	struct tp_result *r = &it->result;

	pthread_mutex_lock(&run->lock);
	tp_summary_add(&run->summary, r, run->o->detailed);
	run->progress.done++;
	if (r->action == TP_ACTION_FAILED)
		run->progress.failed++;
	progress_locked(run, run->progress.done == run->nitems);
	pthread_mutex_unlock(&run->lock);
	tp_sink_result(run->o->sink, r);
	/* Bounded memory in bulk runs: a reported result is not kept. */
	tp_result_release(r);
}

static struct pub_item *
next_item(struct pub_run *run)
{
	struct pub_item *it = NULL;

	pthread_mutex_lock(&run->lock);
	if (run->next < run->nitems)
		it = &run->items[run->next++];
	pthread_mutex_unlock(&run->lock);
	return it;
}

/* A domain never started because the run was interrupted. */
static void
not_started(struct pub_run *run, struct pub_item *it)
{
	struct tp_result *r = &it->result;

	r->domain = strdup(it->domain);
	r->provider = strdup(it->acct->p->name);
	r->owner = strdup(it->owner);
	tp_err_set(TP_EINTR,
	           "publish: interrupted before '%s' was started: nothing was "
	           "written for it; run again to converge",
	           it->domain);
	tp_result_fail(r);
	pub_finish(run, it);
}

/* A domain leaves the confirm stage. */
static void
confirm_end(struct pub_run *run, struct pub_item *it)
{
	pthread_mutex_lock(&run->lock);
	run->progress.confirming--;
	pthread_mutex_unlock(&run->lock);
	pub_finish(run, it);
}

static void
confirm_start(struct pub_run *run, struct pub_item *it)
{
	struct tp_watch_req req;
	struct tp_result *r = &it->result;

	if (run->watch == NULL) {
		r->confirm.status = TP_CONFIRM_SKIPPED;
		pub_finish(run, it);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.domain = it->domain;
	req.expect = run->o->mode == TP_PUBLISH_MODE_REMOVE ? TP_WATCH_ABSENT
	                                                    : TP_WATCH_VALUE;
	req.value = r->record;
	req.timeout = it->timeout;
	req.zone = r->zone;
	req.old_ttl = it->old_ttl;
	req.user = it;
	pthread_mutex_lock(&run->lock);
	run->progress.confirming++;
	pthread_mutex_unlock(&run->lock);
	if (tp_watch_add(run->watch, &req) != 0) {
		tp_sink_log(run->o->sink, TP_LOG_WARN,
		            "%s: cannot be confirmed: %s", it->domain,
		            tp_err_msg());
		r->confirm.status = TP_CONFIRM_TIMEOUT;
		confirm_end(run, it);
	}
}

int
pub_write_begin(struct pub_worker *w)
{
	struct pub_run *run = w->run;
	int stop;

	pthread_mutex_lock(&run->lock);
	stop = stopped(run);
	if (!stop)
		w->in_write = 1;
	pthread_mutex_unlock(&run->lock);
	if (stop)
		return tp_err_set(TP_EINTR,
		                  "publish: interrupted before the "
		                  "write: nothing was written; run "
		                  "again to converge");
	return 0;
}

void
pub_write_end(struct pub_worker *w)
{
	struct pub_run *run = w->run;

	pthread_mutex_lock(&run->lock);
	w->in_write = 0;
	if (stopped(run))
		w->halt = 1;
	pthread_mutex_unlock(&run->lock);
}

/*
 * The interrupt monitor: the signal handler only sets o->stop; this
 * passes it on to every worker's HTTP handles, except a worker in the
 * middle of a write, which finishes it first (pub_write_end).
 */
struct monitor {
	struct pub_run *run;
	pthread_t thread;
	volatile int done;
};

static void *
monitor_thread(void *arg)
{
	struct monitor *m = arg;
	struct pub_run *run = m->run;
	struct timespec ts = {0, 50 * 1000 * 1000};
	size_t i;

	while (!m->done) {
		if (stopped(run)) {
			pthread_mutex_lock(&run->lock);
			for (i = 0; i < run->nworkers; i++)
				if (!run->workers[i]->in_write)
					run->workers[i]->halt = 1;
			pthread_mutex_unlock(&run->lock);
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* One publish worker: take domains from the queue until it is empty.
 * More workers (--jobs) each run this with their own struct pub_worker. */
static void
worker_loop(struct pub_worker *w)
{
	struct pub_run *run = w->run;
	struct pub_item *it;
	int wrote;

	while ((it = next_item(run)) != NULL) {
		if (stopped(run)) {
			not_started(run, it);
			continue;
		}
		wrote = pub_domain(w, it);
		pthread_mutex_lock(&run->lock);
		if (it->result.action == TP_ACTION_CREATED ||
		    it->result.action == TP_ACTION_UPDATED ||
		    it->result.action == TP_ACTION_REMOVED)
			run->progress.written++;
		pthread_mutex_unlock(&run->lock);
		if (wrote && it->result.confirm.status == TP_CONFIRM_NONE)
			confirm_start(run, it);
		else
			pub_finish(run, it);
	}
}

/* The watcher's verdict on a domain (in the watcher's thread). */
static void
watch_done(void *ctx, void *user, struct tp_confirm *c, int rc)
{
	struct pub_run *run = ctx;
	struct pub_item *it = user;

	it->result.confirm = *c;
	memset(c, 0, sizeof(*c));
	if (rc != 0) {
		tp_sink_log(run->o->sink, TP_LOG_WARN,
		            "%s: written, but cannot be confirmed in DNS: %s",
		            it->domain, tp_err_msg());
		it->result.confirm.status = TP_CONFIRM_TIMEOUT;
	}
	confirm_end(run, it);
}

/* The confirm stage's thread and how the main thread waits for it. */
struct watcher {
	struct pub_run *run;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
	int rc;
};

static void *
watch_thread(void *arg)
{
	struct watcher *wt = arg;
	int rc;

	rc = tp_watch_run(wt->run->watch);
	pthread_mutex_lock(&wt->lock);
	wt->rc = rc;
	wt->done = 1;
	pthread_cond_signal(&wt->cond);
	pthread_mutex_unlock(&wt->lock);
	return NULL;
}

static int
watch_start(struct pub_run *run, struct watcher *wt)
{
	struct tp_watch_opts wo;
	int rc;

	memset(&wo, 0, sizeof(wo));
	wo.resolvers = &run->resolvers;
	wo.nameservers = &run->nameservers;
	wo.interval = run->interval;
	wo.sink = run->o->sink;
	rc = tp_watch_new(&run->watch, &wo, watch_done, run);
	if (rc != 0)
		return rc;
	wt->run = run;
	pthread_mutex_init(&wt->lock, NULL);
	pthread_cond_init(&wt->cond, NULL);
	if (pthread_create(&wt->thread, NULL, watch_thread, wt) != 0) {
		pthread_mutex_destroy(&wt->lock);
		pthread_cond_destroy(&wt->cond);
		tp_watch_free(run->watch);
		run->watch = NULL;
		return tp_err_set(TP_EINTERNAL,
		                  "publish: cannot start the watcher thread");
	}
	return 0;
}

/* No more domains: wait until every one is confirmed or past its
 * deadline; an interrupt cancels the wait (unfinished ones time out). */
static int
watch_finish(struct pub_run *run, struct watcher *wt)
{
	struct timespec ts;
	int cancelled = 0, rc;

	tp_watch_close(run->watch);
	pthread_mutex_lock(&wt->lock);
	while (!wt->done) {
		if (stopped(run) && !cancelled) {
			tp_watch_cancel(run->watch);
			cancelled = 1;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		(void)pthread_cond_timedwait(&wt->cond, &wt->lock, &ts);
	}
	rc = wt->rc;
	pthread_mutex_unlock(&wt->lock);
	pthread_join(wt->thread, NULL);
	pthread_mutex_destroy(&wt->lock);
	pthread_cond_destroy(&wt->cond);
	tp_watch_free(run->watch);
	run->watch = NULL;
	return rc;
}

static int
confirming(const struct tp_publish_opts *o)
{
	return o->mode != TP_PUBLISH_MODE_PLAN && !o->dry_run && !o->no_wait;
}

/* Open the first worker's handles for every account before any request,
 * so that credentials that cannot work stop the run with nothing done. */
static int
open_all(struct pub_worker *w)
{
	struct pub_slot *s;
	size_t i;
	int rc;

	for (i = 0; i < w->run->naccounts; i++) {
		rc = pub_worker_slot(w, &w->run->accounts[i], &s);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
tp_publish_run(const struct tp_publish_opts *o, struct tp_summary *summary)
{
	struct pub_worker w0, *workers[1];
	struct monitor mon;
	struct watcher wt;
	struct pub_run run;
	int rc, watching = 0, monitoring = 0;

	memset(summary, 0, sizeof(*summary));
	memset(&run, 0, sizeof(run));
	memset(&w0, 0, sizeof(w0));
	memset(&wt, 0, sizeof(wt));
	memset(&mon, 0, sizeof(mon));
	run.o = o;
	workers[0] = &w0;
	run.workers = workers;
	run.nworkers = 1;
	rc = pub_setup(&run);
	if (rc == 0)
		rc = pub_worker_init(&w0, &run);
	if (rc == 0)
		rc = open_all(&w0);
	if (rc == 0 && confirming(o)) {
		rc = watch_start(&run, &wt);
		watching = rc == 0;
	}
	if (rc != 0)
		goto out;
	mon.run = &run;
	if (o->stop != NULL) {
		monitoring = pthread_create(&mon.thread, NULL, monitor_thread,
		                            &mon) == 0;
		if (!monitoring)
			tp_sink_log(
			    o->sink, TP_LOG_WARN,
			    "publish: no interrupt monitor: an interrupt "
			    "waits for the current domain");
	}
	worker_loop(&w0);
	if (watching && watch_finish(&run, &wt) != 0)
		tp_sink_log(o->sink, TP_LOG_WARN, "publish: watcher: %s",
		            tp_err_msg());
	/* An interrupted run is reported as such even when every domain
	 * it had started finished. */
	if (stopped(&run))
		run.summary.exit_status =
		    tp_exit_combine(run.summary.exit_status, TP_EXIT_INTERRUPT);
	*summary = run.summary;
out:
	if (monitoring) {
		mon.done = 1;
		pthread_join(mon.thread, NULL);
	}
	pub_worker_release(&w0);
	pub_teardown(&run);
	return rc;
}
