/*
 * clock.c: the monotonic clock of include/tlsrpt/clock.h.
 */
#include <time.h>

#include "tlsrpt/clock.h"

double
tp_clock_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
