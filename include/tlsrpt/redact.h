/*
 * redact.h: making HTTP traffic safe to show (the -vv debug dump of
 * core/http.c). Everything appends to a struct tp_buf; secrets are
 * replaced with TP_REDACTED and every byte that is not printable ASCII is
 * shown escaped (\n, \t, \xNN), so a dump can neither leak a credential nor
 * drive the terminal.
 *
 * Which values are secret:
 *  - header values whose name looks secret (tp_redact_is_secret_name:
 *    Authorization, X-Auth-Key, X-Amz-Security-Token, cookies, anything
 *    naming a token, key, secret, password, signature, credential or
 *    session) or that the caller marked secret; Authorization keeps its
 *    scheme and, for AWS SigV4, its scope and signed headers, so a dump
 *    still shows what was signed, but never the key id or the signature;
 *  - any value starting with "sso-key" or "Bearer";
 *  - URL user:password and query values under secret-looking names (every
 *    query value when the caller says the URL carries a token);
 *  - JSON members, XML elements and form fields with secret-looking names;
 *  - finally, every occurrence anywhere of a secret value collected on the
 *    way (tp_redact_scrub), as a net under the rules above.
 */
#ifndef TLSRPT_REDACT_H
#define TLSRPT_REDACT_H

#include <stddef.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/strv.h"

#define TP_REDACTED "[redacted]"

/* 1 when a header, query, JSON or XML name of len bytes names a secret. */
int tp_redact_is_secret_name(const char *name, size_t len);

/*
 * Append one header line ("Name: value", without CRLF) with the value
 * redacted when the name looks secret, is listed in marked (names, any
 * case; may be NULL) or the value is an sso-key/Bearer credential. The
 * redacted part of the value is added to secrets (may be NULL) for
 * tp_redact_scrub.
 */
void tp_redact_header(struct tp_buf *b, const char *line, size_t len,
                      const struct tp_strv *marked, struct tp_strv *secrets);

/* Append url with user:password removed and secret query values (every
 * query value when hide_query) redacted. */
void tp_redact_url(struct tp_buf *b, const char *url, int hide_query);

/*
 * Append a body for a dump: JSON, XML and form bodies (by content_type,
 * which may be NULL, or by their first byte) with secret fields redacted,
 * then escaped and cut at max bytes with a note of how many were left
 * out. The values redacted are added to secrets (may be NULL).
 */
void tp_redact_body(struct tp_buf *b, const char *body, size_t n,
                    const char *content_type, size_t max,
                    struct tp_strv *secrets);

/* Append n bytes with every non-printable byte escaped. */
void tp_redact_escape(struct tp_buf *b, const char *data, size_t n);

/* Replace in b every occurrence of each string of secrets (those of at
 * least 4 bytes) with TP_REDACTED. */
void tp_redact_scrub(struct tp_buf *b, const struct tp_strv *secrets);

#endif
