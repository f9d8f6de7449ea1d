/*
 * publish.c: a publish/plan/remove/restore run: the set-up, the worker
 * threads of the publish stage, the watcher thread of the confirm stage,
 * --max-changes (plan every domain, then write) and interrupts
 * (shared/DESIGN.md "Many domains").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "publish_int.h"
#include "tlsrpt/err.h"

/* How often the monitor looks at the stop flag and redraws progress. */
#define MONITOR_TICK     0.05
#define MONITOR_PROGRESS 0.5

int
pub_stopped(const struct pub_run *run)
{
	return run->o->stop != NULL && *run->o->stop;
}

/*
 * The next domain for a worker: from the account with domains left that
 * the fewest workers are busy with (ties in turn), so that every account
 * works at its own rate at once. Taking the queue in input order instead
 * would put every worker on the first provider's list, waiting on that
 * one account's rate while the others' stay idle.
 */
static struct pub_item *
next_item(struct pub_worker *w, int *halted)
{
	struct pub_run *run = w->run;
	struct pub_account *a, *best = NULL;
	struct pub_item *it = NULL;
	size_t i, k;

	pthread_mutex_lock(&run->lock);
	if (w->doing != NULL)
		w->doing->busy--;
	w->doing = NULL;
	for (i = 0; i < run->naccounts; i++) {
		k = (run->rr + i) % run->naccounts;
		a = &run->accounts[k];
		if (a->qnext < a->nqueue &&
		    (best == NULL || a->busy < best->busy))
			best = a;
	}
	if (best != NULL) {
		it = &run->items[best->queue[best->qnext++]];
		best->busy++;
		w->doing = best;
		run->rr = (size_t)(best - run->accounts) + 1;
	}
	*halted = run->halted;
	pthread_mutex_unlock(&run->lock);
	return it;
}

/* Every account's queue, in input order, from the start. */
static int
queues(struct pub_run *run)
{
	struct pub_account *a;
	size_t i;

	for (i = 0; i < run->naccounts; i++) {
		a = &run->accounts[i];
		a->nqueue = a->qnext = 0;
		a->busy = 0;
		if (a->queue == NULL &&
		    (a->queue = calloc(a->ndomains + 1, sizeof(*a->queue))) ==
		        NULL)
			return tp_err_set(TP_EINTERNAL,
			                  "publish: out of memory");
	}
	for (i = 0; i < run->nitems; i++) {
		a = run->items[i].acct;
		a->queue[a->nqueue++] = i;
	}
	for (i = 0; i < run->nworkers; i++)
		run->workers[i].doing = NULL;
	return 0;
}

int
pub_write_begin(struct pub_worker *w)
{
	struct pub_run *run = w->run;
	int stop;

	pthread_mutex_lock(&run->lock);
	stop = pub_stopped(run);
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
	if (pub_stopped(run))
		w->halt = 1;
	pthread_mutex_unlock(&run->lock);
}

/*
 * The monitor: the signal handler only sets o->stop; this passes it on
 * to every worker's HTTP handles, except a worker in the middle of a
 * write, which finishes it first (pub_write_end). It also redraws the
 * progress line while nothing else happens (long confirmations).
 */
struct monitor {
	struct pub_run *run;
	pthread_t thread;
	volatile int done;
	pthread_mutex_t lock;
};

static void *
monitor_thread(void *arg)
{
	struct monitor *m = arg;
	struct pub_run *run = m->run;
	struct timespec ts = {0, (long)(MONITOR_TICK * 1e9)};
	double last = 0;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		if (m->done) {
			pthread_mutex_unlock(&m->lock);
			break;
		}
		pthread_mutex_unlock(&m->lock);
		if (pub_stopped(run)) {
			pthread_mutex_lock(&run->lock);
			for (i = 0; i < run->nworkers; i++)
				if (!run->workers[i].in_write)
					run->workers[i].halt = 1;
			pthread_mutex_unlock(&run->lock);
		}
		if (pub_now() - last >= MONITOR_PROGRESS) {
			last = pub_now();
			pub_progress(run, 1);
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/*
 * Why a domain must not start (0: it may): after an interrupt
 * (TP_EINTR) or, with --fail-fast, a failure (TP_ESKIPPED). In the write
 * phase of --max-changes, a domain the plan phase never reached did not
 * start either; one that failed there is reported as it failed.
 */
static int
held_back(const struct pub_run *run, const struct pub_item *it, int halted)
{
	int why = pub_stopped(run) ? TP_EINTR : halted ? TP_ESKIPPED : 0;

	if (run->phase == PUB_PHASE_WRITE && !it->planned)
		return it->result.action == TP_ACTION_FAILED ? 0
		    : why != 0                               ? why
		                                             : TP_EINTR;
	return why;
}

/* One domain in the worker, as the phase asks. */
static void
one(struct pub_worker *w, struct pub_item *it, int halted)
{
	struct pub_run *run = w->run;
	int why = held_back(run, it, halted);

	if (run->phase == PUB_PHASE_PLAN) {
		/* Kept, failed or not, until the refusal check; one held
		 * back stays unplanned and is reported in the write phase. */
		if (why == 0 && pub_domain_plan(w, it) != 0)
			pub_fail_fast(run, it);
		return;
	}
	if (why != 0)
		pub_not_started(run, it, why);
	else if (run->phase == PUB_PHASE_WRITE)
		pub_done(run, it, pub_domain_write(w, it));
	else
		pub_done(run, it, pub_domain(w, it));
}

/* A publish worker: domains from the queue, and the provider's change
 * polls when they are due, until both are done. */
static void *
worker_main(void *arg)
{
	struct pub_worker *w = arg;
	struct pub_run *run = w->run;
	struct pub_item *it;
	int halted;

	for (;;) {
		if (pub_sync_step(w))
			continue;
		it = next_item(w, &halted);
		if (it != NULL)
			one(w, it, halted);
		else if (!pub_sync_wait(run))
			break;
	}
	return NULL;
}

/* Run every worker (worker 0 is opened already) until the queue is done. */
static int
run_workers(struct pub_run *run)
{
	size_t i;

	if (queues(run) != 0)
		return TP_EINTERNAL;
	for (i = 1; i < run->nworkers; i++) {
		run->workers[i].started =
		    pthread_create(&run->workers[i].thread, NULL, worker_main,
		                   &run->workers[i]) == 0;
		if (!run->workers[i].started)
			tp_sink_log(run->o->sink, TP_LOG_WARN,
			            "publish: worker %zu did not start: %s; "
			            "the others carry on",
			            i + 1, strerror(errno));
	}
	(void)worker_main(&run->workers[0]);
	for (i = 1; i < run->nworkers; i++)
		if (run->workers[i].started) {
			pthread_join(run->workers[i].thread, NULL);
			run->workers[i].started = 0;
		}
	return 0;
}

int
pub_guard(const struct pub_run *run, size_t *changes)
{
	size_t i;

	*changes = 0;
	for (i = 0; i < run->nitems; i++)
		if (run->items[i].planned &&
		    run->items[i].plan.change != TP_PLAN_NONE)
			(*changes)++;
	if (*changes <= (size_t)run->o->max_changes)
		return 0;
	return tp_err_set(TP_EUSAGE,
	                  "publish: %zu domain%s would change, more than "
	                  "--max-changes %ld allows: nothing was written (run "
	                  "plan to see them, then raise the limit or narrow "
	                  "the list)",
	                  *changes, *changes == 1 ? "" : "s",
	                  run->o->max_changes);
}

/* --max-changes: plan every domain, then refuse or write. */
static int
run_guarded(struct pub_run *run)
{
	size_t changes;
	int rc;

	run->phase = PUB_PHASE_PLAN;
	if ((rc = run_workers(run)) != 0)
		return rc;
	rc = pub_guard(run, &changes);
	/* Interrupted while planning: nothing more is written anyway, and
	 * the domains are reported as not started. */
	if (rc != 0 && !pub_stopped(run))
		return rc;
	tp_sink_log(run->o->sink, TP_LOG_INFO,
	            "publish: %zu domain%s to change, within --max-changes "
	            "%ld",
	            changes, changes == 1 ? "" : "s", run->o->max_changes);
	run->phase = PUB_PHASE_WRITE;
	return run_workers(run);
}

static int
confirming(const struct tp_publish_opts *o)
{
	return o->mode != TP_PUBLISH_MODE_PLAN && !o->dry_run && !o->no_wait;
}

static int
writing(const struct tp_publish_opts *o)
{
	return o->mode != TP_PUBLISH_MODE_PLAN && !o->dry_run;
}

/* The workers, and the first one's handles for every account opened
 * before any request, so that credentials that cannot work stop the run
 * with nothing done. */
static int
workers_new(struct pub_run *run)
{
	struct pub_slot *s;
	size_t i;
	int rc;

	run->workers = calloc((size_t)run->jobs, sizeof(*run->workers));
	if (run->workers == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	run->nworkers = (size_t)run->jobs;
	for (i = 0; i < run->nworkers; i++)
		if ((rc = pub_worker_init(&run->workers[i], run)) != 0)
			return rc;
	for (i = 0; i < run->naccounts; i++)
		if ((rc = pub_worker_slot(&run->workers[0], &run->accounts[i],
		                          &s)) != 0)
			return rc;
	return 0;
}

static void
workers_free(struct pub_run *run)
{
	size_t i;

	for (i = 0; run->workers != NULL && i < run->nworkers; i++)
		pub_worker_release(&run->workers[i]);
	free(run->workers);
	run->workers = NULL;
	run->nworkers = 0;
}

static int
monitor_start(struct pub_run *run, struct monitor *m)
{
	m->run = run;
	pthread_mutex_init(&m->lock, NULL);
	if (pthread_create(&m->thread, NULL, monitor_thread, m) == 0)
		return 1;
	pthread_mutex_destroy(&m->lock);
	tp_sink_log(run->o->sink, TP_LOG_WARN,
	            "publish: no interrupt monitor: an interrupt waits for "
	            "the domains in flight");
	return 0;
}

static void
monitor_stop(struct monitor *m)
{
	pthread_mutex_lock(&m->lock);
	m->done = 1;
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_mutex_destroy(&m->lock);
}

int
tp_publish_run(const struct tp_publish_opts *o, struct tp_summary *summary)
{
	struct pub_watcher *wt = NULL;
	struct monitor mon;
	struct pub_run run;
	int rc, monitoring = 0;

	memset(summary, 0, sizeof(*summary));
	memset(&run, 0, sizeof(run));
	memset(&mon, 0, sizeof(mon));
	run.o = o;
	run.started = pub_now();
	rc = pub_setup(&run);
	if (rc == 0)
		rc = workers_new(&run);
	if (rc == 0 && confirming(o))
		rc = pub_watch_start(&run, &wt);
	if (rc != 0)
		goto out;
	tp_sink_log(o->sink, TP_LOG_INFO,
	            "publish: %zu domain%s, %zu account%s, %d worker%s",
	            run.nitems, run.nitems == 1 ? "" : "s", run.naccounts,
	            run.naccounts == 1 ? "" : "s", run.jobs,
	            run.jobs == 1 ? "" : "s");
	monitoring = monitor_start(&run, &mon);
	if (o->max_changes_set && writing(o))
		rc = run_guarded(&run);
	else
		rc = run_workers(&run);
	if (wt != NULL && pub_watch_finish(&run, wt) != 0)
		tp_sink_log(o->sink, TP_LOG_WARN, "publish: watcher: %s",
		            tp_err_msg());
	wt = NULL;
	if (rc != 0)
		goto out;
	/* An interrupted run is reported as such even when every domain
	 * it had started finished. */
	if (pub_stopped(&run))
		run.summary.exit_status =
		    tp_exit_combine(run.summary.exit_status, TP_EXIT_INTERRUPT);
	*summary = run.summary;
out:
	if (monitoring)
		monitor_stop(&mon);
	if (wt != NULL)
		(void)pub_watch_finish(&run, wt);
	pub_sync_release(&run);
	workers_free(&run);
	pub_teardown(&run);
	return rc;
}
