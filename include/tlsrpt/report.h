/*
 * report.h: the JSON form of results and summaries (shared/DESIGN.md
 * "Machine output"; the schema is documented in the man page and only
 * grows: fields are added, never renamed).
 *
 * cmd/ prints these one per line for --output jsonl, and joins them as
 * {"results": [...], "summary": {...}} for --output json and --report.
 */
#ifndef TLSRPT_REPORT_H
#define TLSRPT_REPORT_H

#include "tlsrpt/result.h"

/* One result as a compact JSON object ("type": "result"). *out is
 * malloc'd, owned by the caller. */
int tp_report_result_json(char **out, const struct tp_result *r);

/* The summary object ("type": "summary") for a command. *out owned by the
 * caller. */
int tp_report_summary_json(char **out, const struct tp_summary *s,
                           const char *command);

/* Every registered provider (only the one named, when only is not NULL)
 * as {"providers": [...]}: name, title, doc, permissions, rate, TTL
 * limits, timeouts and settings (where each comes from; never a value of
 * a secret). *out owned by the caller. */
int tp_report_providers_json(char **out, const char *only);

/* Format a Unix time as RFC 3339 UTC "2026-11-22T16:05:00Z" into buf
 * (at least 21 bytes). */
void tp_report_time(char *buf, size_t size, double t);

#endif
