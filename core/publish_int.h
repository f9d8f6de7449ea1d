/*
 * publish_int.h: the pieces of the publish pipeline shared by
 * core/publish.c (phases, worker threads, interrupts),
 * core/publish_stage.c (reporting, the confirm stage, progress),
 * core/publish_sync.c (the provider's change tracking between domains),
 * core/publish_names.c (the domain list: input, duplicates, shards,
 * --provider auto), core/publish_setup.c (accounts and per-domain
 * settings), core/publish_slot.c (a worker's handles) and
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
#include "tlsrpt/autodetect.h"
#include "tlsrpt/http.h"
#include "tlsrpt/plan.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/publish.h"
#include "tlsrpt/ratelimit.h"
#include "tlsrpt/restore.h"
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
	double rate, burst; /* of limiter */
	/* The account's domains in input order (indexes into run->items),
	 * the next one to start, and how many workers hold one now. */
	size_t *queue;
	size_t nqueue, qnext;
	int busy;
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
	/* restore: the report's entry (borrowed from run->restore) */
	const struct tp_restore_entry *restore;
	/* Between planning and writing (pub_domain_plan fills them). */
	int planned;
	struct tp_zone zone;
	struct tp_txt_rrset rrset;
	struct tp_plan plan;
	/* The provider's change to wait for after the write
	 * (change_take), and when to ask first. */
	char *sync_token;
	double sync_first;
};

/* A domain of the input list, before it becomes an item. */
struct pub_name {
	char *domain;                        /* normalised */
	const struct tp_conf_domain *entry;  /* its config entry, or NULL */
	const struct tp_restore_entry *rest; /* restore: its report entry */
	const struct tp_provider *detected;  /* --provider auto */
};

/* A written domain waiting for its provider's change to be live. */
struct pub_sync {
	struct pub_item *it;
	char *token;
	double next;     /* monotonic time of the next poll */
	double interval; /* until the one after */
	double deadline;
};

/* --max-changes runs the workers twice: plan everything, then write. */
enum pub_phase {
	PUB_PHASE_ALL = 0, /* plan and write each domain in one go */
	PUB_PHASE_PLAN,    /* plan only, keep the plans */
	PUB_PHASE_WRITE    /* write what was planned, report */
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
	struct pub_name *names; /* the input list, checked (publish_names.c) */
	size_t nnames;
	struct tp_restore_list restore; /* restore: the report's entries */
	int jobs;                       /* workers to run */

	pthread_mutex_t lock; /* queues, summary, progress, halted, sync */
	size_t rr;            /* where the round over accounts goes on */
	enum pub_phase phase;
	int halted; /* --fail-fast: a domain failed, no new one starts */
	struct tp_summary summary;
	struct tp_progress progress;
	double started;       /* monotonic time the run began */
	double last_progress; /* when progress last reached the sink */
	double rate_at;       /* when the request rate was last sampled */
	unsigned long rate_requests;
	struct pub_sync *sync; /* changes waiting to be live */
	size_t nsync, async;

	struct tp_watch *watch;     /* NULL when not confirming */
	struct pub_worker *workers; /* run->jobs of them */
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
	pthread_t thread;
	int started;               /* thread running */
	struct pub_account *doing; /* the account of the domain in hand */
};

/* publish_setup.c: build run->accounts and run->items from o; opens
 * nothing. */
int pub_setup(struct pub_run *run);
void pub_teardown(struct pub_run *run);

/* publish_names.c: run->names from the arguments, --domains-file,
 * --all or the restore report: invalid names each reported, then one
 * error; duplicates warned about and dropped; only this run's shard
 * kept; --provider auto resolved. Needs run->conf and run->resolvers. */
int pub_names(struct pub_run *run);
void pub_names_release(struct pub_run *run);

/* publish_names.c: the provider asked for a domain with config entry e
 * (may be NULL) before --provider auto: --provider, else the entry's
 * provider or account's, else the config's default; "auto", or NULL when
 * none. Borrowed. */
const char *pub_provider_name(const struct pub_run *run,
                              const struct tp_conf_domain *e);

/* publish_setup.c: a worker with empty slots; pub_worker_slot() opens
 * the account's handles on first use. */
int pub_worker_init(struct pub_worker *w, struct pub_run *run);
int pub_worker_slot(struct pub_worker *w, struct pub_account *a,
                    struct pub_slot **out);
void pub_worker_release(struct pub_worker *w);

/* publish_domain.c: take one domain as far as it goes in the worker:
 * pub_domain_plan, then pub_domain_write. Returns 1 when it must still
 * be confirmed (result filled so far; it->sync_token set when the
 * provider's change must be live first), 0 when its result is final. */
int pub_domain(struct pub_worker *w, struct pub_item *it);

/* publish_domain.c: zone, read and plan: 0 with it->planned set and the
 * result's action and sets filled, or the code it failed with (result
 * failed). */
int pub_domain_plan(struct pub_worker *w, struct pub_item *it);

/* publish_domain.c: write what was planned (unless planning only) and
 * take the provider's change; returns as pub_domain. */
int pub_domain_write(struct pub_worker *w, struct pub_item *it);

/* publish_domain.c: free the zone, set and plan kept between the two. */
void pub_domain_clear(struct pub_item *it);

/* publish_stage.c: a domain leaves its worker: report it, or send it to
 * the provider's change tracking or to the confirm stage. */
void pub_done(struct pub_run *run, struct pub_item *it, int confirm);

/* publish_stage.c: with --fail-fast, a failed domain halts the run (no
 * new domain starts); said once. */
void pub_fail_fast(struct pub_run *run, const struct pub_item *it);

/* publish_stage.c: a domain that never started (interrupt or
 * --fail-fast), reported failed with TP_EINTR or TP_ESKIPPED. */
void pub_not_started(struct pub_run *run, struct pub_item *it, int code);

/* publish_stage.c: the watcher thread: start it, then wait for it to
 * finish every domain (an interrupt cancels the wait). */
struct pub_watcher;
int pub_watch_start(struct pub_run *run, struct pub_watcher **out);
int pub_watch_finish(struct pub_run *run, struct pub_watcher *wt);

/* publish_stage.c: the domain goes to the confirm stage. */
void pub_confirm_start(struct pub_run *run, struct pub_item *it);

/* publish_stage.c: send progress when due (force: now). */
void pub_progress(struct pub_run *run, int force);

/* publish_sync.c: queue a written domain until its provider's change is
 * live (takes it->sync_token). */
void pub_sync_add(struct pub_run *run, struct pub_item *it);

/* publish_sync.c: poll one change that is due (1), or none was due (0).
 * On an interrupt every queued domain goes on to confirmation. */
int pub_sync_step(struct pub_worker *w);

/* publish_sync.c: wait a little for the next change to be due: 1 when
 * one is queued (the caller loops), 0 when none is left. */
int pub_sync_wait(struct pub_run *run);

/* publish_sync.c: free what is left in the queue. */
void pub_sync_release(struct pub_run *run);

/* publish.c: --max-changes after the plan phase: *changes is how many
 * planned domains would change; TP_EUSAGE (message with the count) when
 * more than o->max_changes. */
int pub_guard(const struct pub_run *run, size_t *changes);

/* publish.c: the run was interrupted (SIGINT/SIGTERM). */
int pub_stopped(const struct pub_run *run);

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
