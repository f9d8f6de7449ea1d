/*
 * result.h: the outcome of one domain, as the JSON report and the text
 * output show it (shared/DESIGN.md "Machine output"), and the run summary.
 *
 * One struct serves publish/plan/remove results (action, before/after) and
 * check results (status, values, diagnostics); fields that do not apply
 * stay at their zero value and are omitted from the JSON, never invented.
 *
 * Ownership: a result owns every string, vector and array in it; release
 * with tp_result_release(). Results are built by one thread and then
 * handed to the sink read-only.
 */
#ifndef TLSRPT_RESULT_H
#define TLSRPT_RESULT_H

#include <stddef.h>

#include "tlsrpt/diag.h"
#include "tlsrpt/err.h"
#include "tlsrpt/strv.h"
#include "tlsrpt/txt.h"

enum tp_result_kind {
	TP_RESULT_CHANGE, /* publish, plan, remove, restore */
	TP_RESULT_CHECK   /* check */
};

enum tp_action {
	TP_ACTION_NONE = 0,
	TP_ACTION_CREATED,
	TP_ACTION_UPDATED,
	TP_ACTION_UNCHANGED,
	TP_ACTION_REMOVED,
	TP_ACTION_WOULD_CREATE,
	TP_ACTION_WOULD_UPDATE,
	TP_ACTION_WOULD_REMOVE,
	TP_ACTION_FAILED
};

/* What one authoritative server address was serving at the last poll. */
enum tp_server_state {
	TP_SERVER_EXPECTED = 0, /* exactly what we wait for */
	TP_SERVER_OLD,          /* a TLS-RPT value, but not the expected one */
	TP_SERVER_MISSING,      /* no TLS-RPT value (NXDOMAIN or no TXT) */
	TP_SERVER_REFUSED,      /* REFUSED, NOTAUTH or not authoritative */
	TP_SERVER_SERVFAIL,     /* SERVFAIL or another error rcode */
	TP_SERVER_UNREACHABLE   /* no answer (timeouts, no route) */
};

struct tp_server_result {
	char *ns;      /* NS host name; NULL for --nameserver */
	char *address; /* "192.0.2.1" or "2001:db8::1", port if not 53 */
	enum tp_server_state state;
	double since;           /* Unix time the state began; 0 when unknown */
	struct tp_strv values;  /* TXT values seen at the last answer */
	struct tp_txtset rrset; /* the same RRset as served: every byte (NULs
				 * too) and each RR's split; what check
				 * validates, since values stop at a NUL */
	char *detail; /* e.g. "rcode REFUSED", "3 timeouts"; may be NULL */
	int rcode;    /* DNS rcode of the last answer (JSON "rcode" as a
		       * name, unless state is unreachable) */
	char *cname;  /* CNAME target at the owner, when one was served */
	int excused;  /* unreachable, but only because its address family
		       * is unreachable from here (not counted against the
		       * domain unless strict_families) */
};

enum tp_confirm_status {
	TP_CONFIRM_NONE = 0, /* no confirmation stage (omitted in JSON) */
	TP_CONFIRM_CONFIRMED,
	TP_CONFIRM_TIMEOUT,
	TP_CONFIRM_SKIPPED
};

struct tp_confirm {
	enum tp_confirm_status status;
	double seconds;    /* from entering the watcher to the verdict */
	double visible_by; /* Unix time caches may hold old data to; 0 none */
	struct tp_server_result *servers;
	size_t nservers;
	char *zone; /* the zone apex the watcher found, or NULL */
};

enum tp_check_status {
	TP_CHECK_VALID = 0,
	TP_CHECK_INVALID,
	TP_CHECK_MISSING,
	TP_CHECK_UNKNOWN
};

enum tp_mta_sts {
	TP_MTA_STS_NONE = 0, /* not looked at (omitted) */
	TP_MTA_STS_PRESENT,
	TP_MTA_STS_ABSENT,
	TP_MTA_STS_UNKNOWN
};

struct tp_result {
	enum tp_result_kind kind;
	char *domain; /* as normalised (A-label) */
	char *provider;
	char *account; /* the named account used (config accounts), or NULL */
	char *zone;
	char *owner; /* _smtp._tls.DOMAIN */

	/* TP_RESULT_CHANGE */
	enum tp_action action;
	char *record; /* the TLS-RPT value we publish (or found, for check) */
	int has_sets; /* before/after are known (else omitted) */
	struct tp_strv before;
	struct tp_strv after;
	struct tp_strv dropped_rua;
	long ttl;     /* TTL written, 0 when unknown/unchanged */
	long old_ttl; /* TTL of the RRset read, 0 when none/unknown */
	struct tp_confirm confirm;

	/* TP_RESULT_CHECK */
	enum tp_check_status status;
	struct tp_strv values;
	struct tp_diags diagnostics;
	enum tp_mta_sts mta_sts;

	/* A failure, any kind; error.code != 0 when failed. */
	struct tp_error error;
};

/* Counts for the closing summary. */
struct tp_summary {
	size_t total;
	size_t actions[TP_ACTION_FAILED + 1];   /* by enum tp_action */
	size_t statuses[TP_CHECK_UNKNOWN + 1];  /* check results */
	size_t confirm[TP_CONFIRM_SKIPPED + 1]; /* by tp_confirm_status */
	int exit_status;                        /* per DESIGN priority */
};

/* Zero r and set its kind. */
void tp_result_init(struct tp_result *r, enum tp_result_kind kind);

/* Free everything r owns and zero it; r may be NULL. */
void tp_result_release(struct tp_result *r);

/* Free everything c owns and zero it; c may be NULL. */
void tp_confirm_release(struct tp_confirm *c);

/* Record the calling thread's last error in r (action becomes failed for
 * change results, status unknown/invalid left to the caller for checks). */
void tp_result_fail(struct tp_result *r);

/* Static names used in JSON and text: "created", "would-update", ... */
const char *tp_action_name(enum tp_action a);
const char *tp_server_state_name(enum tp_server_state s);
const char *tp_confirm_status_name(enum tp_confirm_status s);
const char *tp_check_status_name(enum tp_check_status s);
const char *tp_mta_sts_name(enum tp_mta_sts m);

/* Exit statuses (shared/DESIGN.md "Exit statuses"). */
#define TP_EXIT_OK        0
#define TP_EXIT_FAIL      1
#define TP_EXIT_USAGE     2
#define TP_EXIT_PENDING   3
#define TP_EXIT_CHANGES   4
#define TP_EXIT_INTERRUPT 130

/* The exit status one result calls for. detailed: plan
 * --detailed-exitcode (pending changes give 4). */
int tp_result_exit_status(const struct tp_result *r, int detailed);

/* Combine two exit statuses by DESIGN's priority: 2, 130, 1, 3, 4, 0. */
int tp_exit_combine(int a, int b);

/* Count r into s (and combine its exit status). */
void tp_summary_add(struct tp_summary *s, const struct tp_result *r,
                    int detailed);

#endif
