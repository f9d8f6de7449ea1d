/*
 * publish_sync.c: a provider's own change tracking (Route 53: GetChange
 * until INSYNC) without holding a worker. A written domain waits here;
 * workers poll the changes that are due between other domains, and once
 * the domain list is done they keep polling until none is left. Polls go
 * through the account's token bucket like every request.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "publish_int.h"
#include "tlsrpt/err.h"

/* Longest wait between two polls of one change, s. */
#define SYNC_MAX_INTERVAL 10.0
/* Longest idle sleep of a worker waiting for a poll to be due, s: how
 * fast an interrupt is seen. */
#define SYNC_NAP 0.05

/* Queue s (copied); without memory for it, confirm in DNS at once. */
static void
queue(struct pub_run *run, const struct pub_sync *s)
{
	struct pub_sync *nv;
	size_t n;

	pthread_mutex_lock(&run->lock);
	if (run->nsync == run->async) {
		n = run->async ? run->async * 2 : 16;
		nv = realloc(run->sync, n * sizeof(*nv));
		if (nv == NULL) {
			pthread_mutex_unlock(&run->lock);
			free(s->token);
			pub_confirm_start(run, s->it);
			return;
		}
		run->sync = nv;
		run->async = n;
	}
	run->sync[run->nsync++] = *s;
	pthread_mutex_unlock(&run->lock);
}

void
pub_sync_add(struct pub_run *run, struct pub_item *it)
{
	struct pub_sync s;
	double now = pub_now();

	s.it = it;
	s.token = it->sync_token;
	it->sync_token = NULL;
	s.interval = it->sync_first > 0 ? it->sync_first : 2;
	s.next = now + s.interval;
	s.deadline = now + it->timeout;
	queue(run, &s);
}

/* Under run->lock: take the entry due first (any, once interrupted). */
static int
take_due(struct pub_run *run, struct pub_sync *out, double now)
{
	size_t i, best = 0;

	if (run->nsync == 0)
		return 0;
	for (i = 1; i < run->nsync; i++)
		if (run->sync[i].next < run->sync[best].next)
			best = i;
	if (run->sync[best].next > now && !pub_stopped(run))
		return 0;
	*out = run->sync[best];
	run->sync[best] = run->sync[--run->nsync];
	return 1;
}

static void
requeue(struct pub_run *run, struct pub_sync *s)
{
	s->interval = fmin(s->interval * 1.5, SYNC_MAX_INTERVAL);
	s->next = pub_now() + s->interval;
	queue(run, s);
}

/* One poll of s's change through this worker's handle of the account. */
static void
poll_one(struct pub_worker *w, struct pub_sync *s)
{
	struct pub_item *it = s->it;
	const struct tp_provider *p = it->acct->p;
	struct pub_slot *slot;
	int rc, done = 0;

	if (pub_stopped(w->run)) {
		rc = 0;
		done = 1; /* no more polls: the confirm stage says the rest */
	} else if ((rc = pub_worker_slot(w, it->acct, &slot)) == 0) {
		rc = p->change_poll(slot->handle, s->token, &done);
	}
	if (rc == 0 && !done && pub_now() >= s->deadline) {
		it->result.confirm.status = TP_CONFIRM_TIMEOUT;
		tp_sink_log(w->run->o->sink, TP_LOG_WARN,
		            "%s: written, but %s still says the change is not "
		            "live after %.0f s: raise --timeout, or check it "
		            "later",
		            it->domain, p->title, it->timeout);
		free(s->token);
		pub_finish(w->run, it);
		return;
	}
	if (rc == 0 && !done) {
		requeue(w->run, s);
		return;
	}
	if (rc != 0)
		tp_sink_log(w->run->o->sink, TP_LOG_WARN,
		            "%s: %s; confirming in DNS anyway", it->domain,
		            tp_err_msg());
	free(s->token);
	pub_confirm_start(w->run, it);
}

int
pub_sync_step(struct pub_worker *w)
{
	struct pub_run *run = w->run;
	struct pub_sync s;
	int due;

	pthread_mutex_lock(&run->lock);
	due = take_due(run, &s, pub_now());
	pthread_mutex_unlock(&run->lock);
	if (due)
		poll_one(w, &s);
	return due;
}

int
pub_sync_wait(struct pub_run *run)
{
	struct timespec ts;
	double next = 0, d;
	size_t i, n;

	pthread_mutex_lock(&run->lock);
	n = run->nsync;
	for (i = 0; i < n; i++)
		if (i == 0 || run->sync[i].next < next)
			next = run->sync[i].next;
	pthread_mutex_unlock(&run->lock);
	if (n == 0)
		return 0;
	d = next - pub_now();
	if (d > SYNC_NAP)
		d = SYNC_NAP;
	if (d > 0) {
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(d * 1e9);
		(void)nanosleep(&ts, NULL);
	}
	return 1;
}

void
pub_sync_release(struct pub_run *run)
{
	size_t i;

	for (i = 0; i < run->nsync; i++)
		free(run->sync[i].token);
	free(run->sync);
	run->sync = NULL;
	run->nsync = run->async = 0;
}
