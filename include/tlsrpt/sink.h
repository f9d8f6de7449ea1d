/*
 * sink.h: how core hands results, progress and log lines to cmd/, which
 * alone decides what reaches stdout and stderr (text, json or jsonl).
 *
 * Core calls the callbacks from whichever thread finishes the work, but
 * never two at once (core serialises them), so a sink needs no locking of
 * its own. Any callback may be NULL. Pointers passed in are borrowed for
 * the duration of the call.
 */
#ifndef TLSRPT_SINK_H
#define TLSRPT_SINK_H

#include <stddef.h>

#include "tlsrpt/result.h"

enum tp_log_level {
	TP_LOG_WARN = 0, /* shown unless -q */
	TP_LOG_INFO = 1, /* shown with -v */
	TP_LOG_DEBUG = 2 /* shown with -vv: HTTP and DNS traffic, redacted */
};

struct tp_progress {
	size_t total;
	size_t done;
	size_t written;    /* writes finished */
	size_t confirming; /* in the confirm stage */
	size_t failed;
	double rate; /* API requests per second, recent */
	double eta;  /* seconds, < 0 when unknown */
	/* Final domains by action (created/updated/removed count the
	 * would- forms of plan too). */
	size_t created;
	size_t updated;
	size_t unchanged;
	size_t removed;
	unsigned long requests; /* API requests so far */
	double elapsed;         /* seconds since the run started */
	int planning;           /* plan/--dry-run: "to create", ... */
};

/*
 * The progress line, one line without a newline, e.g.
 * "412/1000 done: 300 created, 12 updated, 95 unchanged, 5 failed;
 * 40 confirming; 38.0 req/s; ETA 1:05". Counts that are 0 are left out
 * (except done/total). Truncated to size; returns the length written.
 */
size_t tp_progress_format(char *buf, size_t size, const struct tp_progress *p);

struct tp_sink {
	void *ctx;
	/* A domain is final. */
	void (*result)(void *ctx, const struct tp_result *r);
	/* Work advanced (at most a few times a second). */
	void (*progress)(void *ctx, const struct tp_progress *p);
	/* A log line at a level; never holds a secret. */
	void (*log)(void *ctx, enum tp_log_level level, const char *line);
	/* The most verbose level the sink shows (lets core skip formatting). */
	enum tp_log_level level;
};

/* Deliver a result or progress through s under the one sink lock; s and
 * its callbacks may be NULL. Core always goes through these. */
void tp_sink_result(const struct tp_sink *s, const struct tp_result *r);
void tp_sink_progress(const struct tp_sink *s, const struct tp_progress *p);

/* Send a formatted line to s->log when level <= s->level; s may be NULL. */
void tp_sink_log(const struct tp_sink *s, enum tp_log_level level,
                 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
