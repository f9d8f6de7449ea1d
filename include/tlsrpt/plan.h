/*
 * plan.h: what a publish or remove changes in the TXT set at
 * _smtp._tls.DOMAIN (shared/DESIGN.md "Data flow", the core-owned rules).
 *
 * Rules, written once here and never per provider:
 *  - A value is TLS-RPT-like when it starts, ignoring leading spaces and
 *    case, with "v=TLSRPT" (tp_record_is_tlsrpt_like). Publish replaces
 *    every TLS-RPT-like value (broken and miscased ones too) by exactly
 *    one canonical value, placed where the first one was (else last);
 *    every other value is kept byte-for-byte, in order. Remove drops the
 *    TLS-RPT-like values and keeps the rest.
 *  - Values compare decoded (the character-strings concatenated), so a
 *    record only split differently by a provider is not a change.
 *  - "Unchanged" means no write at all: the set and the TTL already are
 *    what is wanted.
 *  - The TTL changes only when asked (o->ttl) and different from the
 *    RRset's; a TTL is the whole RRset's, so the new one applies to every
 *    value at the owner (ttl_changed says so). A new RRset gets o->ttl,
 *    else o->default_ttl. Limits are the provider's, checked before
 *    planning (tp_provider_check_ttl): a TTL out of range is an error,
 *    never silently clamped.
 *  - dropped_rua lists the destinations of the old TLS-RPT-like values
 *    that the new record does not have (all of them for remove);
 *    keep_existing_rua merges them into the new record instead (those
 *    that are not valid destinations stay dropped).
 *
 * Ownership: struct tp_plan owns its strings; release with
 * tp_plan_release(). before is borrowed.
 */
#ifndef TLSRPT_PLAN_H
#define TLSRPT_PLAN_H

#include "tlsrpt/provider.h"
#include "tlsrpt/result.h"
#include "tlsrpt/strv.h"

struct tp_plan_opts {
	int remove;                /* drop the TLS-RPT-like values only */
	const struct tp_strv *rua; /* publish: the destinations wanted */
	int keep_existing_rua;     /* merge the old destinations in */
	long ttl;         /* asked for (--ttl or config), 0: keep the RRset's */
	long default_ttl; /* for a new RRset when ttl is 0 */
};

enum tp_plan_change {
	TP_PLAN_NONE = 0, /* already as wanted: no write */
	TP_PLAN_CREATE,   /* no TLS-RPT-like value yet */
	TP_PLAN_UPDATE,   /* TLS-RPT-like values replaced, or the TTL */
	TP_PLAN_REMOVE    /* TLS-RPT-like values dropped */
};

struct tp_plan {
	enum tp_plan_change change;
	char *record;               /* the value published; NULL for remove */
	struct tp_strv after;       /* the full TXT set wanted */
	struct tp_strv dropped_rua; /* as written in the old values */
	long ttl;                   /* TTL of the RRset after the write */
	long old_ttl;               /* TTL read, 0 when there was no RRset */
	int ttl_changed;            /* the RRset existed with another TTL */
	size_t replaced;            /* TLS-RPT-like values found in before */
};

/*
 * Plan the change from before (as read_txt returned it). out is
 * initialised by the call. TP_EUSAGE when the destinations do not make a
 * valid record (message from tp_record_build), TP_EINTERNAL.
 */
int tp_plan_make(struct tp_plan *out, const struct tp_txt_rrset *before,
                 const struct tp_plan_opts *o);

/*
 * restore --report: put back the TXT set a report recorded as "before".
 * Values compare as multisets (order does not matter: APIs list records
 * in their own order). The plan is:
 *  - none, when the set already is want (and the TTL want_ttl, if known);
 *  - a change to want, when the set is still what the report left there
 *    (expect, its "after"), or already want with another TTL: remove when
 *    want is empty, create when nothing is there, else update; the TTL
 *    becomes want_ttl (else stays; a new set gets default_ttl);
 *  - TP_ECONFLICT otherwise, with a message naming owner: someone changed
 *    the set since the report, and restoring would undo their change.
 * out->record is the TLS-RPT-like value of want when it has exactly one.
 */
struct tp_restore_opts {
	const char *owner;            /* for messages */
	const struct tp_strv *want;   /* the report's before */
	const struct tp_strv *expect; /* the report's after */
	long want_ttl;                /* the report's old_ttl, 0: unknown */
	long default_ttl;             /* for a set made anew */
};

int tp_plan_restore(struct tp_plan *out, const struct tp_txt_rrset *now,
                    const struct tp_restore_opts *o);

/* The result action: created/updated/removed, or the would- forms when
 * dry_run, or unchanged. */
enum tp_action tp_plan_action(const struct tp_plan *p, int dry_run);

/* p may be NULL. */
void tp_plan_release(struct tp_plan *p);

#endif
