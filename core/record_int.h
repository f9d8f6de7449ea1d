/*
 * record_int.h (core-internal): the state the record validator's files
 * share while they read one record (record_parse.c: the record skeleton,
 * version and field delimiters; record_field.c: rua and extension fields
 * and the URI semantics).
 */
#ifndef TLSRPT_CORE_RECORD_INT_H
#define TLSRPT_CORE_RECORD_INT_H

#include <stddef.h>

#include "tlsrpt/diag.h"
#include "uri.h"

/* A URI of a valid rua field, kept for the whole-record checks. */
struct rec_uri {
	size_t off;
	size_t len;
	struct tp_uri u;
};

struct rec_ctx {
	struct tp_diags *d;
	const char *s;
	size_t len; /* the record's length */
	size_t end; /* end of the analysed text (before a closing quote) */
	int err;    /* TP_EINTERNAL once an allocation failed */

	/* Errors in a rua-keyed field that the ABNF still reads as an
	 * extension: they stay errors unless another rua field is valid. */
	size_t *deferred;
	size_t ndeferred, adeferred;

	struct rec_uri *uris; /* URIs of valid rua fields, in order */
	size_t nuris, auris;

	size_t nfields;       /* non-empty fields seen */
	size_t nrua;          /* valid rua fields */
	size_t rua_field;     /* index of the first valid rua field */
	size_t rua_field_off; /* its offset */
	int rua_key_seen;     /* a field keyed "rua" in any case */
	int version_missing;  /* the record does not start with a version */
	int version_later;    /* a "v=" field was reported as misplaced */
	int after_rua;        /* the previous field was keyed rua */
};

#define REC_WSP(c) ((c) == ' ' || (c) == '\t')

/* Append a diagnostic (message printf-style); remembers allocation
 * failures in c->err. Returns the new diagnostic's index. */
size_t tp_rec_add(struct rec_ctx *c, enum tp_severity sev, const char *code,
                  size_t off, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Append a URI problem found at base + p->off. */
void tp_rec_add_problem(struct rec_ctx *c, enum tp_severity sev, size_t base,
                        const struct tp_uri_problem *p);

/* A byte the grammar does not allow where it is: one diagnostic with the
 * code for its class (crlf, control-char, non-ascii, quote-char) or
 * other_code, in context ("the name of field 'x'"). */
void tp_rec_bad_byte(struct rec_ctx *c, size_t off, const char *other_code,
                     const char *context, const char *hint);

/* One non-empty field s[a..b) (WSP trimmed); idx counts fields. */
void tp_rec_field(struct rec_ctx *c, size_t a, size_t b, size_t idx);

/* After the last field: the URI semantics (usable destinations,
 * interop warnings, infos) over every valid rua field. */
void tp_rec_semantics(struct rec_ctx *c);

#endif
