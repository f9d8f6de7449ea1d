/*
 * record.h: the TLS-RPT record (RFC 8460 §3): generator, validator with
 * diagnostics, and the sender's RRset rules.
 *
 * Severity policy (shared/reference/rfc8460.md §3-§4.5): the strict RFC
 * 8460 ABNF (RFC 7405 case-sensitive strings, RFC 3986 URIs) decides valid
 * vs invalid, so any violation is an error; on top of it, warnings where
 * deployed senders are known to mishandle a record the RFC allows, and
 * infos. Records are bytes: values cross this interface decoded (the
 * character-strings concatenated).
 */
#ifndef TLSRPT_RECORD_H
#define TLSRPT_RECORD_H

#include <stddef.h>

#include "tlsrpt/diag.h"
#include "tlsrpt/strv.h"
#include "tlsrpt/txt.h"

/*
 * Validate one record value of len bytes. Appends every diagnostic to *out
 * (ordered by offset). Returns 0 whatever the verdict (valid iff no error
 * diagnostic: see tp_diags_count), or TP_EINTERNAL.
 */
int tp_record_validate(struct tp_diags *out, const char *rec, size_t len);

/*
 * 1 when a value is TLS-RPT-like, the rule the planner uses to decide what
 * to replace: it starts, ignoring leading spaces and case, with "v=TLSRPT".
 * Broken and miscased ones count (senders ignore them, we replace them).
 */
int tp_record_is_tlsrpt_like(const char *v, size_t len);

/*
 * 1 when a sender keeps this value under RFC 8460 §3's discard rule: it
 * begins with "v=TLSRPTv1" (case-sensitive) followed by optional WSP and
 * ";" (the ABNF's field-delim; see the reference on this ambiguity).
 */
int tp_record_is_tlsrpt_v1(const char *v, size_t len);

/*
 * Every destination of every rua= field of a record, as written (after
 * trimming WSP), tolerant of broken records; for reporting destinations
 * an update drops and for --keep-existing-rua. Appends to *out.
 */
int tp_record_rua(struct tp_strv *out, const char *rec, size_t len);

/*
 * Canonicalise one report destination given by a user (--rua): scheme
 * lower-cased, only mailto: and https:, "," "!" ";" inside the URI
 * percent-encoded, an IDN mail domain or https host converted to its
 * A-label. Rejects, with TP_EUSAGE and a specific message, other schemes,
 * mailto without an addr-spec, https without a host, whitespace, control
 * characters, and a bare address (suggesting "mailto:ADDR"). Because the
 * result must validate with no warning, it also rejects what deployed
 * reporters mangle: a mail address that would need percent-encoding
 * (including "," "!" ";" in it, and several addresses in one URI), mailto
 * header fields, "=" in the URI, https credentials and fragments.
 * *out owned by the caller.
 */
int tp_rua_normalize(char **out, const char *uri);

/*
 * Build the canonical record "v=TLSRPTv1; rua=URI[,URI...]" from one or
 * more destinations (each canonicalised with tp_rua_normalize; exact
 * duplicates dropped, order kept). The result validates with no warning.
 * *out owned by the caller. TP_EUSAGE when rua is empty or one is bad,
 * when every destination is https (the https-only warning), or when the
 * record would exceed 2048 bytes.
 */
int tp_record_build(char **out, const struct tp_strv *rua);

/* What senders make of the TXT RRset at _smtp._tls.DOMAIN. */
enum tp_rrset_status {
	TP_RRSET_VALID,   /* exactly one v=TLSRPTv1 record, and it is valid */
	TP_RRSET_INVALID, /* several, or the one is invalid */
	TP_RRSET_MISSING  /* none survives the discard rule */
};

/*
 * Validate an RRset as a sender does (RFC 8460 §3): values that do not
 * begin with v=TLSRPTv1 are discarded (reported as warnings: unrelated or
 * miscased values), exactly one must remain, and it is then validated.
 * Distinct diagnostics for zero, several (including the same text split
 * differently) and unrelated values. *index is the position in set of the
 * record senders would use, or (size_t)-1. Returns 0 or TP_EINTERNAL.
 * Set-level diagnostics (rrset-*) have offset 0 and name the value in
 * their message; the kept record's own diagnostics follow, with offsets
 * into set->v[*index] (which is given even when that record is invalid).
 */
int tp_rrset_validate(struct tp_diags *out, enum tp_rrset_status *status,
                      size_t *index, const struct tp_txtset *set);

/*
 * The zone-file line for a record: "_smtp._tls.DOMAIN. TTL IN TXT" and the
 * value in presentation form (split into quoted strings of at most 255
 * bytes when longer). domain is normalised. *out owned by the caller.
 */
int tp_record_zone_line(char **out, const char *domain, long ttl,
                        const char *record);

/*
 * validate's JSON object: {"record": "...", "valid": true|false,
 * "diagnostics": [{"severity", "code", "offset", "message", "hint"}]}.
 * valid is true when d holds no error. Bytes of rec that are not UTF-8
 * (and NUL) appear as U+FFFD in "record"; offsets count bytes of rec.
 * *out owned by the caller.
 */
int tp_record_validation_json(char **out, const char *rec, size_t len,
                              const struct tp_diags *d);

/*
 * generate's JSON object: {"record", "rua": [...], "strings": [...],
 * "ttl"} plus "domain", "owner" and "zone" when domain is not NULL.
 * *out owned by the caller.
 */
int tp_record_generate_json(char **out, const char *record, const char *domain,
                            long ttl);

/*
 * Every diagnostic code the record and RRset validators emit, for
 * documentation and tests (docs/diagnostics.md explains each). severity is
 * "error", "warning" or "info"; "error*" marks an error found in a rua=
 * field that the ABNF can still read as an (ignored) extension: it is
 * reported as a warning when another rua= field of the record is valid.
 * Codes starting "semantic-" are errors the ABNF accepts (RFC-valid
 * syntax, but no report can be delivered). Static, ends with a NULL code.
 */
struct tp_record_code {
	const char *code;
	const char *severity;
	const char *summary;
};

const struct tp_record_code *tp_record_codes(void);

#endif
