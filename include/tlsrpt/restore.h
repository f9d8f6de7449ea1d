/*
 * restore.h: reading back a JSON report (publish/remove --report FILE,
 * --output json or --output jsonl) for `tlsrpt-publish restore`.
 *
 * Accepted: the json document {"results": [...], "summary": {...}}, or
 * jsonl (one object per line; the summary line is skipped). Only results
 * whose action is created, updated or removed are entries: those are
 * the changes a run made. Each must carry domain, provider, before and
 * after (arrays of strings); account, zone and old_ttl are used when
 * present. Results with another action (unchanged, failed, would-...)
 * are counted in skipped.
 *
 * Ownership: the list owns everything; tp_restore_list_release().
 */
#ifndef TLSRPT_RESTORE_H
#define TLSRPT_RESTORE_H

#include <stddef.h>

#include "tlsrpt/result.h"
#include "tlsrpt/strv.h"

/* The largest report read, bytes. */
#define TP_RESTORE_MAX (512UL * 1024 * 1024)

struct tp_restore_entry {
	char *domain;
	char *provider;
	char *account; /* NULL when the run used the provider's own section */
	char *zone;    /* NULL when absent */
	struct tp_strv before;
	struct tp_strv after;
	long old_ttl; /* 0 when absent */
	enum tp_action action;
};

struct tp_restore_list {
	struct tp_restore_entry *v;
	size_t n;
	size_t skipped; /* results that changed nothing */
};

/*
 * Parse text (len bytes, NUL-terminated at text[len]) as a report; src names it in messages. out is
 * initialised by the call. TP_EUSAGE "restore: FILE[:LINE]: what" when it
 * is not a report, a changed result lacks a field, or a domain appears
 * twice.
 */
int tp_restore_parse(struct tp_restore_list *out, const char *text, size_t len,
                     const char *src);

/* Read and parse the report at path ("-": stdin). */
int tp_restore_read(struct tp_restore_list *out, const char *path);

/* l may be NULL. */
void tp_restore_list_release(struct tp_restore_list *l);

#endif
