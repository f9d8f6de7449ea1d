/*
 * ratelimit.c: a thread-safe token bucket with a pause for Retry-After.
 *
 * Waiters sleep outside the lock in short slices so that a stop request
 * (SIGINT) is seen within 50 ms, and so that a pause set by another
 * worker while one is waiting takes effect at once.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "tlsrpt/clock.h"
#include "tlsrpt/err.h"
#include "tlsrpt/ratelimit.h"

/* Longest single sleep: how quickly stop and new pauses are noticed. */
#define SLICE 0.05

struct tp_ratelimit {
	pthread_mutex_t mu;
	double rate;
	double burst;
	double tokens;
	double last;         /* clock time tokens were last refilled to */
	double paused_until; /* no token before this clock time */
	unsigned long count;
	double (*now)(void *ctx);
	void (*sleep)(void *ctx, double seconds);
	void *ctx;
};

static double
real_now(void *ctx)
{
	(void)ctx;
	return tp_clock_mono();
}

static void
real_sleep(void *ctx, double seconds)
{
	struct timespec ts;

	(void)ctx;
	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	/* An early wake-up (signal) only means one more loop round. */
	(void)nanosleep(&ts, NULL);
}

int
tp_ratelimit_new(struct tp_ratelimit **out, double rate, double burst)
{
	struct tp_ratelimit *rl;

	*out = NULL;
	if (!(rate > 0) || !isfinite(rate))
		return tp_err_set(TP_EUSAGE,
		                  "ratelimit: rate %g must be a positive "
		                  "number of requests per second",
		                  rate);
	if (!(burst >= 1) || !isfinite(burst))
		return tp_err_set(
		    TP_EUSAGE, "ratelimit: burst %g must be at least 1", burst);
	rl = calloc(1, sizeof(*rl));
	if (rl == NULL)
		return tp_err_set(TP_EINTERNAL, "ratelimit: out of memory");
	if (pthread_mutex_init(&rl->mu, NULL) != 0) {
		free(rl);
		return tp_err_set(TP_EINTERNAL, "ratelimit: no mutex");
	}
	rl->rate = rate;
	rl->burst = burst;
	rl->tokens = burst;
	rl->now = real_now;
	rl->sleep = real_sleep;
	rl->last = rl->now(NULL);
	*out = rl;
	return 0;
}

void
tp_ratelimit_set_clock(struct tp_ratelimit *rl, double (*now)(void *ctx),
                       void (*sleep)(void *ctx, double seconds), void *ctx)
{
	pthread_mutex_lock(&rl->mu);
	rl->now = now != NULL ? now : real_now;
	rl->sleep = sleep != NULL ? sleep : real_sleep;
	rl->ctx = ctx;
	rl->last = rl->now(rl->ctx);
	rl->paused_until = 0;
	pthread_mutex_unlock(&rl->mu);
}

/* Under the lock: add what accrued since last, never past burst. During a
 * pause last sits at the pause's end, so nothing accrues. */
static void
refill(struct tp_ratelimit *rl, double now)
{
	if (now > rl->last) {
		rl->tokens += (now - rl->last) * rl->rate;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
		rl->last = now;
	}
}

/* Under the lock: take a token and return 0, or return how long to wait
 * before trying again. */
static double
try_take(struct tp_ratelimit *rl)
{
	double now;

	now = rl->now(rl->ctx);
	if (now < rl->paused_until)
		return rl->paused_until - now;
	refill(rl, now);
	/* Rounding may leave 0.999...: sleeping for the rest would not move
	 * a clock at all. */
	if (rl->tokens >= 1 - 1e-9) {
		rl->tokens -= 1;
		rl->count++;
		return 0;
	}
	return (1 - rl->tokens) / rl->rate;
}

int
tp_ratelimit_take(struct tp_ratelimit *rl, const volatile int *stop)
{
	double wait;

	for (;;) {
		if (stop != NULL && *stop)
			return tp_err_set(TP_EINTR,
			                  "ratelimit: interrupted while "
			                  "waiting for the request rate");
		pthread_mutex_lock(&rl->mu);
		wait = try_take(rl);
		pthread_mutex_unlock(&rl->mu);
		if (wait <= 0)
			return 0;
		rl->sleep(rl->ctx, wait < SLICE ? wait : SLICE);
	}
}

void
tp_ratelimit_pause(struct tp_ratelimit *rl, double seconds)
{
	double now, until;

	if (!(seconds > 0))
		return;
	pthread_mutex_lock(&rl->mu);
	now = rl->now(rl->ctx);
	refill(rl, now);
	until = now + seconds;
	if (until > rl->paused_until)
		rl->paused_until = until;
	/* Empty the bucket and start refilling only when the pause ends. */
	rl->tokens = 0;
	if (rl->paused_until > rl->last)
		rl->last = rl->paused_until;
	pthread_mutex_unlock(&rl->mu);
}

unsigned long
tp_ratelimit_count(const struct tp_ratelimit *rl)
{
	struct tp_ratelimit *m = (struct tp_ratelimit *)rl;
	unsigned long n;

	/* The lock is not part of the logical state: casting const away to
	 * take it keeps the count exact while workers run. */
	pthread_mutex_lock(&m->mu);
	n = m->count;
	pthread_mutex_unlock(&m->mu);
	return n;
}

void
tp_ratelimit_free(struct tp_ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}
