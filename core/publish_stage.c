/*
 * publish_stage.c: what happens to a domain once its worker is done with
 * it: the report (each result as soon as it is final), the confirm stage
 * (one watcher thread for every domain), and the progress line's numbers.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "publish_int.h"
#include "tlsrpt/clock.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"

/* How often progress reaches the sink at most, s. */
#define PROGRESS_EVERY 0.25
/* How often the request rate is sampled, s. */
#define RATE_EVERY 1.0

double
pub_now(void)
{
	return tp_clock_mono();
}

double
pub_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Under run->lock: API requests so far (every account's bucket counts
 * the tokens it handed out, one per attempt) and their recent rate. */
static void
sample_rate(struct pub_run *run, double now)
{
	struct tp_progress *p = &run->progress;
	unsigned long req = 0;
	double inst;
	size_t i;

	for (i = 0; i < run->naccounts; i++)
		if (run->accounts[i].limiter != NULL)
			req += tp_ratelimit_count(run->accounts[i].limiter);
	p->requests = req;
	if (run->rate_at <= 0) {
		run->rate_at = run->started;
		run->rate_requests = 0;
	}
	if (now - run->rate_at < RATE_EVERY)
		return;
	inst = (double)(req - run->rate_requests) / (now - run->rate_at);
	/* Smoothed, so the figure does not jump with every pause. */
	p->rate = p->rate > 0 ? 0.6 * p->rate + 0.4 * inst : inst;
	run->rate_at = now;
	run->rate_requests = req;
}

/* Under run->lock. */
static void
progress_locked(struct pub_run *run, int force)
{
	struct tp_progress *p = &run->progress;
	double now = pub_now();

	if (!force && now - run->last_progress < PROGRESS_EVERY)
		return;
	run->last_progress = now;
	p->total = run->nitems;
	p->planning = run->o->mode == TP_PUBLISH_MODE_PLAN || run->o->dry_run;
	p->elapsed = now - run->started;
	sample_rate(run, now);
	/* The average so far: later domains look like earlier ones. */
	p->eta = p->done > 0 && p->done < p->total
	    ? p->elapsed / (double)p->done * (double)(p->total - p->done)
	    : -1;
	tp_sink_progress(run->o->sink, p);
}

void
pub_progress(struct pub_run *run, int force)
{
	pthread_mutex_lock(&run->lock);
	progress_locked(run, force);
	pthread_mutex_unlock(&run->lock);
}

/* Under run->lock: count a final result for the progress line. */
static void
count_action(struct tp_progress *p, enum tp_action a)
{
	switch (a) {
	case TP_ACTION_CREATED:
	case TP_ACTION_WOULD_CREATE:
		p->created++;
		break;
	case TP_ACTION_UPDATED:
	case TP_ACTION_WOULD_UPDATE:
		p->updated++;
		break;
	case TP_ACTION_REMOVED:
	case TP_ACTION_WOULD_REMOVE:
		p->removed++;
		break;
	case TP_ACTION_UNCHANGED:
		p->unchanged++;
		break;
	case TP_ACTION_FAILED:
		p->failed++;
		break;
	default:
		break;
	}
}

void
pub_fail_fast(struct pub_run *run, const struct pub_item *it)
{
	const struct tp_result *r = &it->result;
	int halt = 0;

	if (!run->o->fail_fast || r->action != TP_ACTION_FAILED ||
	    r->error.code == TP_ESKIPPED || r->error.code == TP_EINTR)
		return;
	pthread_mutex_lock(&run->lock);
	if (!run->halted)
		halt = run->halted = 1;
	pthread_mutex_unlock(&run->lock);
	if (halt)
		tp_sink_log(run->o->sink, TP_LOG_WARN,
		            "%s failed: --fail-fast: no new domain starts; "
		            "domains in flight finish",
		            it->domain);
}

void
pub_finish(struct pub_run *run, struct pub_item *it)
{
	struct tp_result *r = &it->result;

	pub_fail_fast(run, it);
	pthread_mutex_lock(&run->lock);
	tp_summary_add(&run->summary, r, run->o->detailed);
	run->progress.done++;
	count_action(&run->progress, r->action);
	progress_locked(run, run->progress.done == run->nitems);
	pthread_mutex_unlock(&run->lock);
	tp_sink_result(run->o->sink, r);
	/* Bounded memory in bulk runs: a reported result is not kept. */
	tp_result_release(r);
	pub_domain_clear(it);
}

void
pub_not_started(struct pub_run *run, struct pub_item *it, int code)
{
	struct tp_result *r = &it->result;

	tp_result_release(r);
	tp_result_init(r, TP_RESULT_CHANGE);
	r->domain = strdup(it->domain);
	r->provider = strdup(it->acct->p->name);
	r->owner = strdup(it->owner);
	if (strcmp(it->acct->section, it->acct->p->name) != 0)
		r->account = strdup(it->acct->section);
	if (code == TP_ESKIPPED)
		tp_err_set(TP_ESKIPPED,
		           "publish: not started: --fail-fast stopped the run "
		           "after a failure; nothing was written for '%s'",
		           it->domain);
	else
		tp_err_set(TP_EINTR,
		           "publish: interrupted before '%s' was started: "
		           "nothing was written for it; run again to converge",
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

/* What the watcher waits for: the one TLS-RPT value written, none after
 * a remove, and for a restore whatever the restored set has. *skip is
 * set when that cannot be expressed (a set with several TLS-RPT-like
 * values put back by restore). */
static enum tp_watch_expect
expectation(const struct pub_run *run, const struct pub_item *it, int *skip)
{
	const struct tp_strv *after = &it->result.after;
	size_t i, n = 0;

	*skip = 0;
	if (run->o->mode == TP_PUBLISH_MODE_REMOVE)
		return TP_WATCH_ABSENT;
	if (run->o->mode != TP_PUBLISH_MODE_RESTORE ||
	    it->result.record != NULL)
		return TP_WATCH_VALUE;
	for (i = 0; i < after->n; i++)
		n += tp_record_is_tlsrpt_like(after->v[i],
		                              strlen(after->v[i])) != 0;
	*skip = n > 0;
	return TP_WATCH_ABSENT;
}

void
pub_confirm_start(struct pub_run *run, struct pub_item *it)
{
	struct tp_watch_req req;
	struct tp_result *r = &it->result;
	int skip;

	memset(&req, 0, sizeof(req));
	req.expect = expectation(run, it, &skip);
	if (run->watch == NULL || skip) {
		r->confirm.status = TP_CONFIRM_SKIPPED;
		pub_finish(run, it);
		return;
	}
	req.domain = it->domain;
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

void
pub_done(struct pub_run *run, struct pub_item *it, int confirm)
{
	struct tp_result *r = &it->result;

	pthread_mutex_lock(&run->lock);
	if (r->action == TP_ACTION_CREATED || r->action == TP_ACTION_UPDATED ||
	    r->action == TP_ACTION_REMOVED)
		run->progress.written++;
	pthread_mutex_unlock(&run->lock);
	if (confirm && it->sync_token != NULL)
		pub_sync_add(run, it);
	else if (confirm && r->confirm.status == TP_CONFIRM_NONE)
		pub_confirm_start(run, it);
	else
		pub_finish(run, it);
}

/*
 * Servers that serve the expected TLS-RPT value but other TXT values
 * than were written: something else changed the name after this run
 * wrote it (and for providers without compare-and-swap, such as
 * GoDaddy, this is where such a change shows). Said once per domain.
 */
static void
check_served(const struct pub_run *run, const struct pub_item *it)
{
	const struct tp_result *r = &it->result;
	const struct tp_server_result *s;
	size_t i;

	if (!r->has_sets)
		return;
	for (i = 0; i < r->confirm.nservers; i++) {
		s = &r->confirm.servers[i];
		if (s->state != TP_SERVER_EXPECTED || s->cname != NULL ||
		    tp_strv_same_set(&s->values, &r->after))
			continue;
		tp_sink_log(run->o->sink, TP_LOG_WARN,
		            "%s: confirmed, but %s serves %zu TXT value%s at "
		            "%s where this run left %zu: something else "
		            "changed the name after the write (see \"servers\" "
		            "in the JSON result); check it",
		            it->domain, s->address, s->values.n,
		            s->values.n == 1 ? "" : "s", it->owner, r->after.n);
		return;
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
	} else if (it->result.confirm.status == TP_CONFIRM_CONFIRMED) {
		check_served(run, it);
	}
	confirm_end(run, it);
}

/* The confirm stage's thread and how the main thread waits for it. */
struct pub_watcher {
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
	struct pub_watcher *wt = arg;
	int rc;

	rc = tp_watch_run(wt->run->watch);
	pthread_mutex_lock(&wt->lock);
	wt->rc = rc;
	wt->done = 1;
	pthread_cond_signal(&wt->cond);
	pthread_mutex_unlock(&wt->lock);
	return NULL;
}

int
pub_watch_start(struct pub_run *run, struct pub_watcher **out)
{
	struct pub_watcher *wt;
	struct tp_watch_opts wo;
	int rc;

	*out = NULL;
	memset(&wo, 0, sizeof(wo));
	wo.resolvers = &run->resolvers;
	wo.nameservers = &run->nameservers;
	wo.interval = run->interval;
	wo.sink = run->o->sink;
	if ((wt = calloc(1, sizeof(*wt))) == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	rc = tp_watch_new(&run->watch, &wo, watch_done, run);
	if (rc != 0) {
		free(wt);
		return rc;
	}
	wt->run = run;
	pthread_mutex_init(&wt->lock, NULL);
	pthread_cond_init(&wt->cond, NULL);
	if (pthread_create(&wt->thread, NULL, watch_thread, wt) != 0) {
		pthread_mutex_destroy(&wt->lock);
		pthread_cond_destroy(&wt->cond);
		free(wt);
		tp_watch_free(run->watch);
		run->watch = NULL;
		return tp_err_set(TP_EINTERNAL,
		                  "publish: cannot start the watcher thread");
	}
	*out = wt;
	return 0;
}

int
pub_watch_finish(struct pub_run *run, struct pub_watcher *wt)
{
	struct timespec ts;
	int cancelled = 0, rc;

	tp_watch_close(run->watch);
	pthread_mutex_lock(&wt->lock);
	while (!wt->done) {
		if (pub_stopped(run) && !cancelled) {
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
	free(wt);
	tp_watch_free(run->watch);
	run->watch = NULL;
	return rc;
}
