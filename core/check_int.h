/*
 * check_int.h: core-internal. What `check` saw for one domain, filled by
 * check.c (the queries and the watcher) and turned into a result by
 * check_eval.c (status and diagnostics); the settings the config file
 * gives (check_conf.c); the report destinations' domains and what DNS
 * says about them (check_dest.c: pure; check_destq.c: the lookups).
 */
#ifndef TLSRPT_CORE_CHECK_INT_H
#define TLSRPT_CORE_CHECK_INT_H

#include <pthread.h>

#include "tlsrpt/check.h"
#include "tlsrpt/conf.h"
#include "tlsrpt/dns.h"
#include "tlsrpt/result.h"
#include "tlsrpt/txt.h"
#include "tlsrpt/watch.h"

/* The answer for one name (the owner through a resolver, or a side
 * name: the domain itself, _smtp-tlsrpt, _mta-sts). */
struct check_look {
	int state; /* 0 pending, 1 answered, 2 no usable answer */
	int rcode;
	char *fail; /* why there is no usable answer */
	struct tp_txtset set;
	struct tp_strv cnames;
	char *zone; /* owner of the authority SOA, if any */
	int chased; /* queries sent after a CNAME chain left the answer */
	struct tp_dns_query *q;
	void *arg; /* q's callback argument, freed with q when cancelled */
};

/* ---- report destinations ---------------------------------------------
 *
 * The domains the record's destinations deliver to: a mailto address's
 * domain (mail), an https host name (https). IP addresses and
 * domain-literals have no domain and are left out.
 */
enum check_dest_kind { CHECK_DEST_MAIL = 1, CHECK_DEST_HTTPS = 2 };

struct check_dest {
	enum check_dest_kind kind;
	char *name; /* lower case, no final dot */
	char *uri;  /* the first destination naming it, for messages */
};

struct check_destv {
	struct check_dest *v;
	size_t n;
};

/* What one lookup of a destination domain gave. */
enum check_ans {
	CHECK_ANS_NONE = 0, /* not asked */
	CHECK_ANS_PENDING,
	CHECK_ANS_DATA,     /* records of the type (after any CNAME) */
	CHECK_ANS_NODATA,   /* the name exists, no record of the type */
	CHECK_ANS_NXDOMAIN, /* the name does not exist */
	CHECK_ANS_FAILED    /* no usable answer: not known */
};

/* What DNS says about one destination domain (through a resolver). */
struct check_dname {
	char *name;
	enum check_ans mx, a, aaaa;
	int null_mx; /* MX answered, and every exchange is "." (RFC 7505) */
	char *why;   /* the first failed lookup: "MX: timeout" */
};

/* The verdict on one destination domain, from its lookups. */
enum check_dest_verdict {
	CHECK_DEST_OK,        /* delivers (an MX, or an address) */
	CHECK_DEST_PENDING,   /* lookups still out */
	CHECK_DEST_UNKNOWN,   /* a lookup failed: not known */
	CHECK_DEST_NXDOMAIN,  /* the domain does not exist */
	CHECK_DEST_NULL_MX,   /* mail: RFC 7505 null MX */
	CHECK_DEST_NO_MAIL,   /* mail: no MX and no A/AAAA */
	CHECK_DEST_NO_ADDRESS /* https: no A/AAAA */
};

/*
 * The destination domains of a valid record's rua (deduplicated by kind
 * and name, in order) into *out (initialised here). TP_EINTERNAL.
 */
int tp_check_dest_list(struct check_destv *out, const char *record);

void tp_check_destv_release(struct check_destv *v);

/*
 * 1 when name belongs with the policy domain by name alone: it is the
 * domain, below it, an ancestor of it with at least two labels, or below
 * the domain's parent when that parent has at least two labels (a
 * sibling: mail.example.com and reports.example.com). No public suffix
 * list: example.co.uk and other.co.uk count as related.
 */
int tp_check_dest_related(const char *domain, const char *name);

enum check_dest_verdict tp_check_dest_verdict(const struct check_dname *n,
                                              enum check_dest_kind kind);

/*
 * The destination diagnostics of one domain into r: rua-other-domain
 * (info) for each destination domain not related to domain, then the
 * verdict of each one's lookups (names[i] for dv->v[i]; NULL: not looked
 * up): rua-null-mx, rua-undeliverable, rua-host-unresolved (warnings)
 * or rua-dest-unchecked (info). Never changes r->status.
 */
int tp_check_dest_diags(struct tp_result *r, const char *domain,
                        const struct check_destv *dv,
                        const struct check_dname *const *names);

struct check_dom {
	struct check_run *run;
	char *domain, *owner, *legacy_name, *sts_name;
	struct check_look own, apex, legacy, sts;
	int pending; /* lookups still out */
	/* authoritative mode: the watcher's verdict */
	int watched;
	int watch_rc;
	char *watch_err;
	struct tp_confirm confirm;
	/* The destinations this domain's record must have (--expect-rua,
	 * or the configured rua with --expect-configured-rua); NULL: the
	 * options' expect_rua. expect_from names their source. */
	const struct tp_strv *expect;
	const char *expect_from;
	/* Set by tp_check_eval: exactly one valid record, the one senders
	 * use (its destinations are then looked at). */
	int rrset_valid;
	/* check.c: the result between its evaluation and its delivery,
	 * while the destinations are looked up. */
	int evaluated;
	struct tp_result result;
	struct check_destv dests;
	size_t dest_wait; /* destination names still being looked up */
};

/* Build the check result for c into r (initialised here). Moves the
 * RRsets and the watcher's verdict out of c. */
int tp_check_eval(struct tp_result *r, struct check_dom *c,
                  const struct tp_check_opts *o);

/* One run of check: built by check.c, driven by check_loop.c. */
struct check_run {
	const struct tp_check_opts *o;
	struct check_dom *doms;
	size_t n, emitted;
	struct tp_dns *dns;
	struct tp_dns_server *res; /* side lookups, and the owner in the
				    * resolver mode */
	int res_recursive;         /* res is the resolvers, not the
				    * --nameserver list */
	struct check_dq *dq;       /* destinations; NULL: not checked */
	int failed;                /* an error while finishing a domain */
	/* Authoritative mode: the watcher runs in its own thread and hands
	 * each watched domain over through a locked list and a pipe, so
	 * that results still leave from the calling thread, as soon as
	 * they are final. */
	struct tp_watch *w;
	pthread_t thread;
	int threaded;
	int wake[2]; /* -1 when not made */
	pthread_mutex_t lock;
	int lock_made;
	struct check_dom **handed; /* watched, not yet taken (lock) */
	size_t nhanded;
	int watch_done, watch_rc; /* the watcher's loop ended (lock) */
	char *watch_msg;
};

/*
 * check_loop.c. tp_check_start, before any lookup: the destination
 * lookups' table and, in the authoritative mode, the watcher in its own
 * thread (TP_EUSAGE for a bad --nameserver). tp_check_loop, once check.c
 * started every domain's lookups: step them, take the watched domains,
 * finish each domain (evaluate, look at its destinations) and deliver
 * it; returns when every domain is delivered, or on an internal error.
 * tp_check_stop (always, also after a failed start): stop the watcher,
 * wait for its thread, free what start made.
 */
int tp_check_start(struct check_run *run);
int tp_check_loop(struct check_run *run);
void tp_check_stop(struct check_run *run);

/* check_loop.c: c may be ready (its lookups answered, watched in the
 * authoritative mode): evaluate it, look at its destinations, deliver
 * it. Does nothing until it is ready, or once done. */
void tp_check_finish(struct check_dom *c);

/* ---- the lookups of destination domains (check_destq.c) --------------
 *
 * One set per run, cached by name: a destination domain shared by many
 * policy domains is looked up once. MX, A and AAAA for a mail domain, A
 * and AAAA for an https host, all at once, through the resolver server
 * given, or (res NULL) recursive resolvers made from resolvers on first
 * use (the system's when empty). Same thread and callback rules as the
 * DNS engine.
 */
struct check_dq;

/* A domain all of whose destination names are known. */
typedef void (*check_dq_ready_fn)(void *ctx, struct check_dom *c);

int tp_check_dq_new(struct check_dq **out, struct tp_dns *dns,
                    struct tp_dns_server *res, const struct tp_strv *resolvers,
                    check_dq_ready_fn ready, void *ctx);

/*
 * Look up c->dests. Sets c->dest_wait to the names still to be answered
 * (ready(ctx, c) runs once when it drops to 0); 0 when all are known
 * already (ready never runs). TP_EINTERNAL.
 */
int tp_check_dq_start(struct check_dq *q, struct check_dom *c);

/* What is known about name, or NULL when it was never asked. Borrowed. */
const struct check_dname *tp_check_dq_get(const struct check_dq *q,
                                          const char *name);

/* Every query still out is cancelled. q may be NULL. */
void tp_check_dq_free(struct check_dq *q);

/* ---- settings from the config file (check_conf.c) --------------------- */

/* The config file and what it resolved for one run. */
struct check_conf {
	struct tp_conf *conf;
	struct tp_strv resolvers, nameservers;
	struct tp_strv names;   /* the domains: arguments, then --all */
	struct tp_strv *expect; /* --expect-configured-rua: per name */
	const char **expect_from;
};

/*
 * Load the config file (o->config, else $TLSRPT_PUBLISH_CONFIG, else the
 * XDG default; conf.h) and resolve into *o (a copy of the caller's
 * options, whose pointers then point into cc) the settings check shares
 * with publish: resolver and nameserver lists (the command line's list
 * replaces the file's), timeout and interval (option > defaults > built
 * in). The domains are the arguments, then, with o->all, the config's
 * domains list. With o->expect_configured_rua, each domain's configured
 * destinations (its domains entry's rua, else defaults.rua) are resolved
 * too. The config's warning (a secret readable by others) goes to
 * o->sink. TP_ECONFIG with "FILE:LINE: ..." for a bad file, TP_EUSAGE
 * for a missing domain or destination list; cc owns what it made.
 */
int tp_check_conf_load(struct check_conf *cc, struct tp_check_opts *o,
                       const struct tp_strv *domains);

/* The configured destinations of names.v[i] (expect_configured_rua), or
 * NULL. Borrowed from cc. */
const struct tp_strv *tp_check_conf_expect(const struct check_conf *cc,
                                           size_t i, const char **from);

void tp_check_conf_release(struct check_conf *cc);

#endif
