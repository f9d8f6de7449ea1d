/*
 * ratelimit.h: a token bucket shared by every worker that uses one
 * provider account, so the account's published limit holds however many
 * workers run. Thread-safe.
 */
#ifndef TLSRPT_RATELIMIT_H
#define TLSRPT_RATELIMIT_H

struct tp_ratelimit;

/* rate: tokens per second (> 0); burst: bucket size (>= 1). */
int tp_ratelimit_new(struct tp_ratelimit **out, double rate, double burst);

/* Block until a token is available, then take it. Returns 0, or TP_EINTR
 * when *stop becomes set while waiting (stop may be NULL). */
int tp_ratelimit_take(struct tp_ratelimit *rl, const volatile int *stop);

/* The server said "slow down": no token is handed out for seconds. */
void tp_ratelimit_pause(struct tp_ratelimit *rl, double seconds);

/* Tokens handed out so far. */
unsigned long tp_ratelimit_count(const struct tp_ratelimit *rl);

void tp_ratelimit_free(struct tp_ratelimit *rl);

#endif
