/*
 * clock.h: the one monotonic clock every deadline, rate and ETA is
 * measured with (never the wall clock, which NTP may step).
 */
#ifndef TLSRPT_CLOCK_H
#define TLSRPT_CLOCK_H

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double tp_clock_mono(void);

#endif
