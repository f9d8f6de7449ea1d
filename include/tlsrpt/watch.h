/*
 * watch.h: the propagation watcher. Watches many (domain, expectation)
 * pairs at once in one event loop, polling every address of every
 * authoritative name server of each domain's zone with recursion off,
 * until every reachable address serves what is expected or the domain's
 * own deadline passes.
 *
 * Threads: tp_watch_run() runs the loop in the calling thread;
 * tp_watch_add(), tp_watch_close() and tp_watch_cancel() may be called
 * from any thread while it runs (the publish stage feeds domains in as
 * their writes finish). The done callback runs in the loop's thread.
 */
#ifndef TLSRPT_WATCH_H
#define TLSRPT_WATCH_H

#include "tlsrpt/result.h"
#include "tlsrpt/sink.h"
#include "tlsrpt/strv.h"

struct tp_watch;

struct tp_watch_opts {
	const struct tp_strv *resolvers;   /* discovery, "ADDR[:PORT]";
					    * NULL/empty: the system's */
	const struct tp_strv *nameservers; /* poll exactly these
					    * "ADDR[:PORT]"; NULL/empty:
					    * discover from NS records */
	double interval;                   /* first poll interval, s (0: 2) */
	double max_interval;               /* backoff cap, s (0: 30) */
	double query_timeout;              /* per try, s (0: 1) */
	int strict_families; /* an address family unreachable from here
			      * fails the domain instead of being skipped */
	unsigned int inflight_per_server; /* 0: 100 */
	const struct tp_sink *sink;       /* -v lines; may be NULL */
};

enum tp_watch_expect {
	TP_WATCH_VALUE,  /* exactly one TLS-RPT-like value, equal to value
			  * (other TXT values are ignored) */
	TP_WATCH_ABSENT, /* no TLS-RPT-like value (after remove) */
	TP_WATCH_VALID   /* exactly one valid v=TLSRPTv1 record; with
			  * expect_rua, its destinations exactly these */
};

struct tp_watch_req {
	const char *domain; /* normalised; the owner is _smtp._tls.DOMAIN */
	enum tp_watch_expect expect;
	const char *value;                /* TP_WATCH_VALUE */
	const struct tp_strv *expect_rua; /* TP_WATCH_VALID; may be NULL */
	double timeout;                   /* seconds from now (0: 300) */
	const char *zone;                 /* apex if known, else NULL */
	long old_ttl; /* TTL of the RRset replaced, or -1 when there was
		       * none (then the negative-caching TTL from the SOA
		       * bounds visible_by) */
	void *user;
	int once; /* one poll of every address, then the verdict (check
		   * without --wait): confirmed, or timeout with the states
		   * seen; no SOA query for visible_by */
};

/*
 * A domain is final. c is the verdict (status confirmed or timeout,
 * seconds, visible_by, one entry per server address); the callee may take
 * ownership of c's contents by copying the struct and zeroing *c. rc is 0,
 * or a TP_E* code when the domain could not be watched at all (no zone,
 * no name server address), with the message in this thread's last error.
 */
typedef void (*tp_watch_done_fn)(void *ctx, void *user, struct tp_confirm *c,
                                 int rc);

int tp_watch_new(struct tp_watch **out, const struct tp_watch_opts *o,
                 tp_watch_done_fn done, void *ctx);

/* Start watching (copies req). Thread-safe. TP_EUSAGE after close. */
int tp_watch_add(struct tp_watch *w, const struct tp_watch_req *req);

/* No more domains will be added: run returns once all are final. */
void tp_watch_close(struct tp_watch *w);

/* Stop now: every unfinished domain is reported as timeout. */
void tp_watch_cancel(struct tp_watch *w);

/* Run the loop until closed and every domain is final (or cancelled). */
int tp_watch_run(struct tp_watch *w);

/* Counters for the benchmark: queries sent, answers received. */
void tp_watch_stats(const struct tp_watch *w, unsigned long *queries,
                    unsigned long *answers);

/* w may be NULL. Not while run is running. */
void tp_watch_free(struct tp_watch *w);

#endif
