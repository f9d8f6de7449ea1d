/*
 * ratelimit.h: a token bucket shared by every worker that uses one
 * provider account, so the account's published limit holds however many
 * workers run. Thread-safe.
 *
 * The bucket starts full (burst tokens) and refills at rate tokens per
 * second on the monotonic clock. A pause (the server answered 429 with
 * Retry-After) empties it: nothing is handed out until the pause ends,
 * then tokens come back at rate, so workers resume gently instead of all
 * at once. Ownership: *out is the caller's, freed with tp_ratelimit_free
 * once no thread uses it.
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

/*
 * For tests: replace the monotonic clock (now, seconds) and the sleep used
 * while waiting (seconds; it should advance what now returns). Call before
 * any other thread uses rl. NULL restores the real ones.
 */
void tp_ratelimit_set_clock(struct tp_ratelimit *rl, double (*now)(void *ctx),
                            void (*sleep)(void *ctx, double seconds),
                            void *ctx);

/* rl may be NULL. */
void tp_ratelimit_free(struct tp_ratelimit *rl);

#endif
