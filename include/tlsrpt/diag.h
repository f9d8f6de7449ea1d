/*
 * diag.h: diagnostics about a record or an RRset, as `validate` and
 * `check` report them.
 *
 * Every diagnostic has a severity, a stable code ("version-case",
 * "rua-missing", ...: part of the JSON interface, never renamed), the byte
 * offset in the record it is about, a message and a hint (what to do).
 *
 * Ownership: a tp_diags owns its array and every message and hint; codes
 * are static strings. Release with tp_diags_release().
 */
#ifndef TLSRPT_DIAG_H
#define TLSRPT_DIAG_H

#include <stddef.h>

enum tp_severity { TP_SEV_INFO = 0, TP_SEV_WARNING = 1, TP_SEV_ERROR = 2 };

struct tp_diag {
	enum tp_severity severity;
	const char *code; /* static */
	size_t offset;    /* byte offset into the record */
	char *message;    /* owned */
	char *hint;       /* owned; NULL when there is nothing to add */
};

struct tp_diags {
	struct tp_diag *v;
	size_t n;
	size_t alloc;
};

#define TP_DIAGS_INIT                                                          \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Append a diagnostic; hint may be NULL. Returns 0 or TP_EINTERNAL. */
int tp_diags_add(struct tp_diags *d, enum tp_severity sev, const char *code,
                 size_t offset, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Number of diagnostics of exactly this severity. */
size_t tp_diags_count(const struct tp_diags *d, enum tp_severity sev);

/* 1 when d holds a diagnostic with this code, else 0. */
int tp_diags_has(const struct tp_diags *d, const char *code);

/* "error", "warning" or "info" (static). */
const char *tp_severity_name(enum tp_severity sev);

/* Free everything and zero d; d may be NULL. */
void tp_diags_release(struct tp_diags *d);

#endif
