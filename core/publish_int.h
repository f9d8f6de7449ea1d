/*
 * publish_int.h: the pieces of the publish pipeline shared by
 * core/publish.c (stages, threads, reporting), core/publish_setup.c (the
 * work list: config, accounts, per-domain settings) and
 * core/publish_domain.c (one domain through one worker). Not a public
 * contract.
 *
 * Ownership: struct pub_run owns the accounts, the items and the config;
 * a worker owns its per-account slots (provider handle, HTTP handle).
 */
#ifndef TLSRPT_PUBLISH_INT_H
#define TLSRPT_PUBLISH_INT_H

#include <pthread.h>

#include "tlsrpt/conf.h"
#include "tlsrpt/http.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/publish.h"
#include "tlsrpt/ratelimit.h"
#include "tlsrpt/result.h"
#include "tlsrpt/settings.h"
#include "tlsrpt/watch.h"

/* Domains per account from which the whole zone list is fetched once
 * (when the provider can list zones) instead of searching per domain. */
#define PUB_PREFETCH_MIN 20

/* A domain and the zone found for it. */
struct pub_zone_entry {
	char *domain;
	struct tp_zone zone;
};

/* Zones found so far for one account, shared by its workers. */
struct pub_zone_cache {
	pthread_mutex_t lock;
	int listed;            /* 1: listed holds every zone, -1: failed */
	struct tp_zone *zones; /* the account's zones (prefetch) */
	size_t nzones;
	struct pub_zone_entry *v; /* found by search */
	size_t n, alloc;
};

/* One provider account (provider + config section): its settings and
 * the token bucket every worker shares. */
struct pub_account {
	const struct tp_provider *p;
	char *section; /* provider name or account name */
	struct tp_settings *settings;
	struct tp_ratelimit *limiter;
	struct pub_zone_cache zones;
	size_t ndomains;
	int ttl_clamped; /* clamp_ttl raised a TTL: warned once */
	/* The provider's per-account state (open_account), made on the
	 * first open of the account under shared_lock. */
	pthread_mutex_t shared_lock;
	int shared_rc; /* 0: not made yet or made; < 0: failed */
	int shared_made;
	char *shared_msg; /* why it failed */
	void *shared;
};

/* One domain of the run, in input order. */
struct pub_item {
	char *domain; /* normalised */
	char *owner;  /* _smtp._tls.DOMAIN */
	struct tp_strv rua;
	long ttl; /* asked for, 0: keep */
	char *zone_id;
	double timeout;
	struct pub_account *acct;
	long old_ttl; /* for the watcher, -1: no RRset */
	struct tp_result result;
};

struct pub_run {
	const struct tp_publish_opts *o;
	struct tp_conf *conf;
	struct tp_http_opts http; /* CA, timeouts, retries (tp_settings_http) */
	double interval;
	struct tp_strv nameservers; /* --nameserver, else the config's */
	struct tp_strv resolvers;   /* --resolver, else the config's */
	struct pub_account *accounts;
	size_t naccounts;
	struct pub_item *items;
	size_t nitems;

	pthread_mutex_t lock; /* next, summary, progress */
	size_t next;
	struct tp_summary summary;
	struct tp_progress progress;
	double last_progress;

	struct tp_watch *watch;      /* NULL when not confirming */
	struct pub_worker **workers; /* for the interrupt monitor */
	size_t nworkers;
};

/* A worker's handles for one account, opened on first use. */
struct pub_slot {
	struct tp_http *http;
	void *handle;
	int rc; /* open failed with this code (message in msg) */
	char *msg;
};

/*
 * halt is what the worker's HTTP handles see as their stop flag. On an
 * interrupt it is raised at once, unless the worker is inside a write
 * (in_write), which is let finish (a Cloudflare change is several
 * requests): then it is raised when the write ends. Both under run->lock.
 */
struct pub_worker {
	struct pub_run *run;
	struct pub_slot *slots; /* one per account */
	volatile int halt;
	int in_write;
};

/* publish_setup.c: build run->accounts and run->items from o; opens
 * nothing. */
int pub_setup(struct pub_run *run);
void pub_teardown(struct pub_run *run);

/* publish_setup.c: a worker with empty slots; pub_worker_slot() opens
 * the account's handles on first use. */
int pub_worker_init(struct pub_worker *w, struct pub_run *run);
int pub_worker_slot(struct pub_worker *w, struct pub_account *a,
                    struct pub_slot **out);
void pub_worker_release(struct pub_worker *w);

/* publish_domain.c: take one domain as far as it goes in the worker.
 * Returns 1 when it must still be confirmed (result filled so far), 0
 * when its result is final. */
int pub_domain(struct pub_worker *w, struct pub_item *it);

/* publish.c: bracket a write. begin fails with TP_EINTR (message set)
 * when the run was interrupted: then nothing may be written. */
int pub_write_begin(struct pub_worker *w);
void pub_write_end(struct pub_worker *w);

/* publish.c: the domain is final; report it and free its result. */
void pub_finish(struct pub_run *run, struct pub_item *it);

/* Monotonic and wall clocks, in seconds. */
double pub_now(void);
double pub_wall(void);

#endif
