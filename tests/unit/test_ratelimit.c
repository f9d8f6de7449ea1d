/*
 * test_ratelimit.c: the token bucket. Rates are measured on a fake clock
 * (sleeping advances it), so they are exact and instant; one test runs
 * real threads on the real clock to show the bucket holds under
 * contention.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <time.h>

#include "tlsrpt/err.h"
#include "tlsrpt/ratelimit.h"

struct fake {
	double t;
	double stop_at; /* set *stop once t passes this (0: never) */
	volatile int *stop;
	int sleeps;
};

static double
fake_now(void *ctx)
{
	return ((struct fake *)ctx)->t;
}

static void
fake_sleep(void *ctx, double s)
{
	struct fake *f = ctx;

	f->t += s;
	f->sleeps++;
	if (f->stop != NULL && f->stop_at > 0 && f->t >= f->stop_at)
		*f->stop = 1;
}

static struct tp_ratelimit *
fake_bucket(struct fake *f, double rate, double burst)
{
	struct tp_ratelimit *rl = NULL;

	memset(f, 0, sizeof(*f));
	assert_int_equal(tp_ratelimit_new(&rl, rate, burst), 0);
	tp_ratelimit_set_clock(rl, fake_now, fake_sleep, f);
	return rl;
}

static void
test_bad_arguments(void **state)
{
	struct tp_ratelimit *rl = (struct tp_ratelimit *)1;

	(void)state;
	assert_int_equal(tp_ratelimit_new(&rl, 0, 1), TP_EUSAGE);
	assert_null(rl);
	assert_int_equal(tp_ratelimit_new(&rl, -3, 1), TP_EUSAGE);
	assert_int_equal(tp_ratelimit_new(&rl, NAN, 1), TP_EUSAGE);
	assert_int_equal(tp_ratelimit_new(&rl, 5, 0.5), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "burst"));
	tp_ratelimit_free(NULL);
}

static void
test_burst_then_rate(void **state)
{
	struct fake f;
	struct tp_ratelimit *rl = fake_bucket(&f, 10, 5);
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	assert_true(f.t == 0); /* the burst costs no wait */
	assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	assert_true(fabs(f.t - 0.1) < 1e-9);
	assert_int_equal(tp_ratelimit_count(rl), 6);
	tp_ratelimit_free(rl);
}

static void
test_measured_rate(void **state)
{
	struct fake f;
	struct tp_ratelimit *rl = fake_bucket(&f, 20, 1);
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	/* One from the bucket, 99 more at 20/s. */
	assert_true(fabs(f.t - 99.0 / 20) < 1e-6);
	assert_int_equal(tp_ratelimit_count(rl), 100);
	tp_ratelimit_free(rl);
}

static void
test_idle_refills_to_burst_only(void **state)
{
	struct fake f;
	struct tp_ratelimit *rl = fake_bucket(&f, 2, 3);
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	f.t = 100; /* a long idle time refills 3 tokens, not 200 */
	for (i = 0; i < 4; i++)
		assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	assert_true(fabs(f.t - 100.5) < 1e-6);
	tp_ratelimit_free(rl);
}

static void
test_pause(void **state)
{
	struct fake f;
	struct tp_ratelimit *rl = fake_bucket(&f, 10, 10);

	(void)state;
	assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	tp_ratelimit_pause(rl, 2);
	assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	/* Nothing during the pause, and the bucket restarts empty. */
	assert_true(fabs(f.t - 2.1) < 1e-6);
	assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	assert_true(fabs(f.t - 2.2) < 1e-6);
	/* A shorter pause never cuts a longer one. */
	tp_ratelimit_pause(rl, 5);
	tp_ratelimit_pause(rl, 1);
	tp_ratelimit_pause(rl, 0);
	tp_ratelimit_pause(rl, -1);
	assert_int_equal(tp_ratelimit_take(rl, NULL), 0);
	assert_true(fabs(f.t - 7.3) < 1e-6);
	assert_int_equal(tp_ratelimit_count(rl), 4);
	tp_ratelimit_free(rl);
}

static void
test_stop(void **state)
{
	struct fake f;
	struct tp_ratelimit *rl = fake_bucket(&f, 0.01, 1);
	volatile int stop = 0;

	(void)state;
	assert_int_equal(tp_ratelimit_take(rl, &stop), 0);
	f.stop = &stop;
	f.stop_at = 1;
	/* The next token is 100 s away; stop comes after 1 s. */
	assert_int_equal(tp_ratelimit_take(rl, &stop), TP_EINTR);
	assert_true(f.t >= 1 && f.t < 1.2);
	assert_int_equal(tp_ratelimit_count(rl), 1);
	stop = 1;
	assert_int_equal(tp_ratelimit_take(rl, &stop), TP_EINTR);
	tp_ratelimit_free(rl);
}

struct taker {
	struct tp_ratelimit *rl;
	int n;
};

static void *
take_n(void *arg)
{
	struct taker *t = arg;
	int i;

	for (i = 0; i < t->n; i++)
		if (tp_ratelimit_take(t->rl, NULL) != 0)
			break;
	return NULL;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_threads_real_clock(void **state)
{
	struct tp_ratelimit *rl = NULL;
	struct taker t = {NULL, 25};
	pthread_t th[4];
	double t0, dt;
	int i;

	(void)state;
	assert_int_equal(tp_ratelimit_new(&rl, 200, 1), 0);
	t.rl = rl;
	t0 = mono();
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, take_n, &t), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	dt = mono() - t0;
	assert_int_equal(tp_ratelimit_count(rl), 100);
	/* 100 tokens at 200/s from a bucket of 1: never faster than
	 * 99/200 s, however many threads ask. */
	assert_true(dt >= 0.495);
	tp_ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_burst_then_rate),
	    cmocka_unit_test(test_measured_rate),
	    cmocka_unit_test(test_idle_refills_to_burst_only),
	    cmocka_unit_test(test_pause),
	    cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_threads_real_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
