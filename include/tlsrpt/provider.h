/*
 * provider.h: the contract every DNS provider backend implements.
 *
 * A backend is one file, providers/NAME.c, exporting one const descriptor
 * tp_provider_NAME, listed in providers/registry.c. The core owns the
 * semantics (which TXT values to keep, what "unchanged" means, retries
 * after an uncertain write, confirmation); a backend only translates
 * "read the TXT set at this owner" and "replace it with this set" into
 * its API, as atomically as the API allows.
 *
 * TXT values cross this interface decoded: the octets of the record, the
 * character-strings concatenated. Each backend encodes and decodes its own
 * wire form (Cloudflare quoted strings, Route 53 quoted and escaped inside
 * XML, GoDaddy raw text).
 *
 * Threads: open() is called once per worker thread with that worker's
 * HTTP handle; a handle is never used by two threads at once. Backends
 * keep no mutable global state.
 */
#ifndef TLSRPT_PROVIDER_H
#define TLSRPT_PROVIDER_H

#include <stddef.h>

#include "tlsrpt/http.h"
#include "tlsrpt/sink.h"
#include "tlsrpt/strv.h"

#define TP_PROVIDER_VERSION 1

/* A setting a backend declares; core resolves it generically as
 * command-line flag > environment > config file > default. */
#define TP_SETTING_SECRET                                                      \
	0x1                     /* never from the command line, never shown;
				 * KEY_file (config) and ENV_FILE (environment)
				 * name a file holding it */
#define TP_SETTING_REQUIRED 0x2 /* open() fails without it */
/* Switches: the flag takes no value; giving it sets the setting to "true"
 * (SWITCH_ON, e.g. --route53-private-zone) or "false" (SWITCH_OFF, a
 * --no-X flag turning off a default-on behaviour, e.g. --no-wait-sync).
 * The environment and config file give the value as usual ("true",
 * "false", a config-file boolean). */
#define TP_SETTING_SWITCH_ON  0x4
#define TP_SETTING_SWITCH_OFF 0x8

struct tp_setting_def {
	const char *key;  /* config key in the provider/account section */
	const char *env;  /* environment variable, or NULL */
	const char *flag; /* long option without "--" (not for secrets), or
			   * NULL */
	unsigned int flags;
	const char *def;  /* built-in default, or NULL */
	const char *help; /* one line for `providers` and --help */
};

struct tp_settings;

/* A resolved value, borrowed from s, or NULL when unset. */
const char *tp_settings_get(const struct tp_settings *s, const char *key);

/* Where a value came from: "--api-url", "environment CLOUDFLARE_API_URL",
 * "config file line 12", "default", or "unset". Static or borrowed. */
const char *tp_settings_source(const struct tp_settings *s, const char *key);

/* A zone found at the provider; owned, freed with tp_zone_release. */
struct tp_zone {
	char *id;   /* the provider's id ("023e1...", "Z1D633PJN98FT9",
		     * or the domain name for GoDaddy) */
	char *name; /* apex, normalised, no trailing dot */
};

/* The TXT RRset at one owner as a backend read it. */
struct tp_txt_rrset {
	int exists;            /* 0: no TXT record at the owner */
	long ttl;              /* when exists */
	struct tp_strv values; /* decoded values, in the API's order */
	struct tp_strv ids;    /* per value, for APIs with record ids
				* (Cloudflare); empty otherwise */
};

/* What a backend gets when opened. All borrowed, valid until close. */
struct tp_provider_ctx {
	const struct tp_settings *settings;
	struct tp_http *http;       /* this worker's handle */
	const struct tp_sink *sink; /* log lines */
	const char *account;        /* account name for messages, or NULL */
	/* 1 when the run confirms every write in DNS afterwards (the
	 * confirm stage compares what the servers serve with what was
	 * written), 0 with --no-wait: a backend without compare-and-swap may
	 * then read its write back itself. */
	int confirming;
	/* The options the worker's handle was made with (CA bundle, sink,
	 * stop flag, timeouts), for backends that make handles of their own
	 * (the AWS credential sources) or wait (stop). The struct is valid
	 * for the call only; the pointers in it until close. May be NULL. */
	const struct tp_http_opts *http_opts;
	/* What open_account made for this account, or NULL. */
	void *shared;
};

struct tp_provider {
	unsigned int version; /* TP_PROVIDER_VERSION */
	const char *name;     /* "cloudflare": CLI, config section, docs */
	const char *title;    /* "Cloudflare DNS (API v4)" */
	const char *doc;      /* "docs/providers/cloudflare.md" */
	const struct tp_setting_def *settings;
	size_t nsettings;
	const char *permissions; /* what the credentials must allow */
	double rate;             /* default requests/s per account */
	double burst;            /* default bucket size */
	long min_ttl;            /* smallest TTL the API accepts */
	long default_ttl;        /* for a new RRset when none is configured */
	long max_ttl;            /* largest TTL the API accepts, 0: no limit */
	long auto_ttl;           /* a TTL under min_ttl that the API takes as
			* "automatic" (Cloudflare: 1), 0: none */
	double timeout;          /* default confirmation deadline, s */
	double interval;         /* default first poll interval, s */

	/* Check the settings (credentials present and well-formed) and
	 * set up; no network unless unavoidable. *out owned by core,
	 * released with close. */
	int (*open)(void **out, const struct tp_provider_ctx *ctx);

	/*
	 * Find the zone holding name (a normalised domain): the longest
	 * matching suffix among the account's zones, so a delegated
	 * subdomain zone wins over its parent. zone_id, when non-NULL,
	 * skips the search (the name is still looked up for messages).
	 * TP_ENOTFOUND with a message saying what was searched.
	 */
	int (*find_zone)(void *h, struct tp_zone *out, const char *name,
	                 const char *zone_id);

	/* Read every TXT value at owner (fully qualified, no trailing dot)
	 * in zone. out is initialised by the call. */
	int (*read_txt)(void *h, const struct tp_zone *zone, const char *owner,
	                struct tp_txt_rrset *out);

	/*
	 * Replace the TXT set at owner: before is exactly what read_txt
	 * returned, after the full set wanted (empty: remove the RRset), ttl
	 * the TTL to write. Backends with compare-and-swap make the write
	 * fail with TP_ECONFLICT when before is stale. An error with
	 * maybe_applied (TP_ENETWORK/TP_ETIMEOUT after sending) makes core
	 * re-read and re-plan, never blindly resend.
	 */
	int (*write_txt)(void *h, const struct tp_zone *zone, const char *owner,
	                 const struct tp_txt_rrset *before,
	                 const struct tp_strv *after, long ttl);

	/* Optional (NULL): wait until the last write is live at the
	 * provider's servers (Route 53 GetChange INSYNC), up to deadline
	 * (seconds on the monotonic clock). */
	int (*wait_change)(void *h, double deadline);

	/* Optional (NULL): list every zone of the account in bulk, so core
	 * can match many domains without one search each. Appends to out. */
	int (*list_zones)(void *h, struct tp_zone **out, size_t *n);

	/* Release everything; h may be NULL. Wipes secrets it copied. */
	void (*close)(void *h);

	/*
	 * Optional (NULL): set up what every worker of one account shares
	 * (Route 53: the credentials, resolved once). Called once per
	 * account, before the account's first open() and never concurrently
	 * with another call for it; ctx->http and ctx->shared are NULL. *out
	 * is handed to every open() of the account as ctx->shared; the
	 * backend makes what workers do with it thread-safe. Released with
	 * close_account after every handle of the account is closed.
	 */
	int (*open_account)(void **out, const struct tp_provider_ctx *ctx);
	void (*close_account)(void *shared);

	/*
	 * Optional (NULL): the provider's name servers, as fnmatch(3)
	 * patterns over a lower-case NS host name without the final dot
	 * ("*.ns.cloudflare.com"), NULL-terminated. --provider auto picks
	 * the provider whose patterns match every NS name of a domain.
	 */
	const char *const *ns_patterns;

	/*
	 * Optional (NULL, or both set): hand the change tracking of the last
	 * write over to core, so a worker can go on with other domains while
	 * the change syncs (wait_change then waits for nothing). change_take
	 * moves the last write's change out of the handle: *token (malloc'd,
	 * the caller's) names it, NULL when there is nothing to wait for;
	 * *first_poll is how many seconds to wait before asking. change_poll
	 * asks once, through any handle of the same account: *done 1 when
	 * the change is live at every server of the provider. TP_ENOTFOUND
	 * when the provider no longer knows the change.
	 */
	int (*change_take)(void *h, char **token, double *first_poll);
	int (*change_poll)(void *h, const char *token, int *done);
};

/*
 * The provider whose ns_patterns match ns (an NS host name; case and a
 * final dot do not matter), or NULL. Static.
 */
const struct tp_provider *tp_provider_by_ns(const char *ns);

/* The registry (providers/registry.c). NULL when unknown. */
const struct tp_provider *tp_provider_find(const char *name);

/* Every registered provider, in listing order; *n set to the count. */
const struct tp_provider *const *tp_provider_list(size_t *n);

/*
 * The setting a provider declares with this command-line flag (without
 * "--"), or NULL; *p (may be NULL) gets its provider. Lets cmd/ accept
 * provider flags without knowing provider names. Borrowed, static.
 */
const struct tp_setting_def *
tp_provider_find_flag(const char *flag, const struct tp_provider **p);

/*
 * Check a TTL against p's limits: 0 when p accepts it, else TP_EUSAGE
 * naming the provider and its range. what names the source for the
 * message ("--ttl", "config file line 12").
 */
int tp_provider_check_ttl(const struct tp_provider *p, long ttl,
                          const char *what);

void tp_zone_release(struct tp_zone *z);
void tp_txt_rrset_release(struct tp_txt_rrset *r);

#endif
