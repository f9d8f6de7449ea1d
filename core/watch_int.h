/*
 * watch_int.h: core-internal. The watcher's data, shared by watch.c (the
 * loop, threads, rounds and deadlines) and watch_eval.c (what an answer
 * means for the expectation, when a domain is done, the verdict).
 */
#ifndef TLSRPT_CORE_WATCH_INT_H
#define TLSRPT_CORE_WATCH_INT_H

#include <pthread.h>

#include "tlsrpt/dns.h"
#include "tlsrpt/dns.h"
#include "tlsrpt/watch.h"

/* One authoritative address of one domain. */
struct wslot {
	struct wdom *dom;
	struct tp_dns_server *srv;
	char *ns; /* NULL for --nameserver addresses */
	struct tp_dns_addr addr;
	struct tp_dns_query *q; /* the one query in flight, or NULL */
	int has_state;          /* answered (or failed) at least once */
	int ever_answered;      /* a DNS message came back at least once */
	enum tp_server_state state;
	double since; /* Unix time the state began */
	struct tp_strv values;
	struct tp_txtset rrset; /* values as served (NULs, splits) */
	char *detail;
	int rcode;
	char *cname;
};

/* One watched domain. */
struct wdom {
	struct tp_watch *w;
	struct wdom *next; /* the incoming list */
	char *domain, *owner, *zone, *value;
	enum tp_watch_expect expect;
	struct tp_strv expect_rua; /* normalised */
	long old_ttl;
	void *user;
	int once;
	double timeout;
	double t0;       /* monotonic, entering the watcher */
	double t0_wall;  /* Unix time of t0 */
	double deadline; /* monotonic */
	struct tp_disc_req *disc;
	int discovering;
	struct wslot *slots;
	size_t nslots;
	int outstanding; /* queries of this round still out */
	int rounds;
	double interval;
	double next_round; /* monotonic; 0 while a round is out */
	double round_start;
	long neg_ttl;  /* negative-caching TTL seen, -1 unknown */
	long seen_ttl; /* largest TTL of a non-expected TXT RRset seen */
	int soa_state; /* 0 not asked, 1 in flight, 2 done */
	struct tp_dns_query *soa_q;
	double t_all; /* Unix time all addresses served it */
	size_t heap;  /* index in the timer heap */
};

struct tp_watch {
	struct tp_watch_opts o;
	struct tp_strv resolvers, nameservers;
	tp_watch_done_fn done;
	void *ctx;

	pthread_mutex_t mu; /* guards closed, cancelled, incoming */
	int closed, cancelled;
	struct wdom *in_head, *in_tail;
	int wake[2]; /* a byte on wake[1] wakes the loop */

	struct tp_dns *dns;
	struct tp_disc *disc;
	struct wdom **heap;
	size_t nheap, aheap;
	size_t active;
};

/* watch_eval.c */

/* Record what one answer means for slot s (state, since, values,
 * detail) and what it tells about caches (d->neg_ttl, d->seen_ttl). */
void tp_watch_classify(struct wslot *s, const struct tp_dns_answer *a,
                       double now_wall, const struct tp_sink *sink);

/* 1 when every address counts as serving what d expects (family rule),
 * else 0. */
int tp_watch_is_done(const struct wdom *d, int strict);

/* 1 when the verdict still needs the negative-caching TTL. */
int tp_watch_needs_neg_ttl(const struct wdom *d);

/* Build the verdict for d into c (zeroed first). */
int tp_watch_verdict(struct tp_confirm *c, struct wdom *d,
                     enum tp_confirm_status st, double now, int strict);

/* Free the slots' contents (not queries: the caller cancels those). */
void tp_watch_slots_release(struct wdom *d);

#endif
