/*
 * publish.h: the one core entry point behind `publish`, `plan` and
 * `remove` (shared/DESIGN.md "Data flow for one domain", "Many domains").
 *
 * For each domain: normalise, build the record, find the zone (cached per
 * account for the run), read the TXT set at _smtp._tls.DOMAIN, plan
 * (core/plan.c), write unless planning, wait for the provider's own
 * change tracking when it has one, then hand the domain to the
 * propagation watcher, which confirms it at every authoritative server
 * while the next domains are being written. Each domain's result reaches
 * o->sink as soon as it is final, so jsonl output streams.
 *
 * Stages: a queue of domains feeds o->jobs publish worker threads (each
 * with its own provider and HTTP handles per account, so connections are
 * reused; the accounts' token buckets are shared by all of them); a
 * provider's own change tracking (Route 53 GetChange) is polled by the
 * workers between other domains; one watcher thread confirms in DNS.
 *
 * Bulk controls: o->shard_n keeps only the domains of shard o->shard_k
 * (core/shard.c) and divides every account's rate by o->shard_n, since
 * the shards run at once against the same accounts; o->max_changes_set
 * plans every domain first and refuses (TP_EUSAGE, nothing written,
 * nothing reported) when more would change; o->fail_fast starts no new
 * domain once one has failed (the rest are reported failed with kind
 * "skipped"). --provider auto picks each domain's provider from its
 * name servers (core/autodetect.c) unless its config entry names one.
 * Duplicates are reported as warnings and done once; names that are not
 * valid domains stop the run before any request, each one reported.
 *
 * Restore (TP_PUBLISH_MODE_RESTORE): the domains are those a report
 * (o->restore_report) says were created, updated or removed; each is
 * planned back to its "before" set (tp_plan_restore) and written through
 * the same path, unless the set is no longer what the report left
 * (conflict: left alone, reported failed).
 *
 * Writes that may or may not have happened (a timeout or reset after the
 * request was sent) are never resent blindly: the set is read again,
 * planned again, and written only if still needed. A conflict (the set
 * changed under us, or an identical record appeared) is re-read,
 * re-planned and retried once.
 *
 * Everything that could make the run a usage or configuration error
 * (unknown provider, missing credentials, a bad domain, destination or
 * TTL) is checked for every domain before the first request, so that
 * exit status 2 always means nothing was written.
 */
#ifndef TLSRPT_PUBLISH_H
#define TLSRPT_PUBLISH_H

#include "tlsrpt/result.h"
#include "tlsrpt/sink.h"
#include "tlsrpt/strv.h"

enum tp_publish_mode {
	TP_PUBLISH_MODE_PUBLISH = 0, /* create or update, then confirm */
	TP_PUBLISH_MODE_PLAN,        /* compute only: publish --dry-run */
	TP_PUBLISH_MODE_REMOVE,      /* drop the TLS-RPT value, confirm */
	TP_PUBLISH_MODE_RESTORE      /* put back a report's before sets */
};

/*
 * What the command line said; unset values are 0/NULL and fall back to
 * the environment, the config file, then the provider's defaults. All
 * pointers are borrowed for the duration of the call.
 */
struct tp_publish_opts {
	enum tp_publish_mode mode;
	int dry_run;                 /* remove --dry-run: plan the removal */
	const char *config;          /* --config FILE, NULL: search */
	const char *provider;        /* --provider NAME */
	const struct tp_strv *flags; /* provider flags, "FLAG=VALUE" */
	const struct tp_strv *rua;   /* --rua, in order */
	long ttl;                    /* --ttl, 0: unset */
	const char *zone_id;         /* --zone-id */
	int keep_existing_rua;
	int no_wait;     /* skip confirmation (reported "skipped") */
	double timeout;  /* --timeout, s; 0: unset */
	double interval; /* --interval, s; 0: unset */
	const struct tp_strv *resolvers;   /* --resolver */
	const struct tp_strv *nameservers; /* --nameserver */
	const char *cacert;                /* --cacert */
	const struct tp_strv *domains;     /* arguments and --domains-file */
	int all;                           /* also the config's domains */
	int detailed;                      /* plan --detailed-exitcode */
	int jobs; /* publish workers; 0: config defaults.jobs, else 4 */
	const struct tp_sink *sink; /* results, progress, log lines */
	const volatile int *stop;   /* set on SIGINT/SIGTERM */
	int fail_fast;              /* no new domain after a failure */
	int max_changes_set;        /* --max-changes given: */
	long max_changes;           /* refuse beyond this many changes */
	unsigned long shard_k;      /* --shard K/N: this run's shard, */
	unsigned long shard_n;      /* 0: no sharding */
	const char *restore_report; /* RESTORE: the report to put back */
};

/*
 * Run the command. Returns 0 once every domain has been reported through
 * o->sink (*summary then holds the counts and the exit status), or
 * TP_EUSAGE / TP_ECONFIG / TP_EINTERNAL with a message when the run could
 * not start; then nothing was written and no result was reported.
 */
int tp_publish_run(const struct tp_publish_opts *o, struct tp_summary *summary);

/* Workers when o->jobs and the config say nothing. */
#define TP_PUBLISH_JOBS_DEFAULT 4
#define TP_PUBLISH_JOBS_MAX     64

/*
 * Read domains from a file, one per line; blank lines and '#' comments
 * are skipped, surrounding blanks trimmed. path "-" reads stdin. Appends
 * to out. TP_EUSAGE naming the file when it cannot be read.
 */
int tp_publish_read_domains(struct tp_strv *out, const char *path);

#endif
