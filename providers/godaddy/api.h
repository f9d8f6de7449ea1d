/*
 * api.h: the GoDaddy Domains API v1 pieces behind providers/godaddy.c:
 * one request with the sso-key header and GoDaddy's throttling signal,
 * errors mapped with the API's own code, message and fields, and the pure
 * wire helpers (names relative to the registered domain, record lists,
 * the domain list, the PUT body), kept free of I/O so that unit tests and
 * the fuzzer reach them directly.
 *
 * Ownership: struct tp_gd_api borrows http and owns auth (a secret, wiped
 * by tp_gd_api_release), base, where and shopper. Strings returned
 * through out-parameters are owned by the caller.
 */
#ifndef TLSRPT_PROVIDERS_GODADDY_API_H
#define TLSRPT_PROVIDERS_GODADDY_API_H

#include <stddef.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/http.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/strv.h"

#define TP_GD_URL_PRODUCTION "https://api.godaddy.com"
#define TP_GD_URL_OTE        "https://api.ote-godaddy.com"

struct tp_gd_api {
	struct tp_http *http; /* borrowed: the worker's handle */
	char *auth;           /* "sso-key KEY:SECRET" (secret) */
	char *base;           /* API base URL, no trailing '/' */
	char *where;          /* "production (https://api.godaddy.com)" */
	char *shopper;        /* X-Shopper-Id, or NULL */
};

/*
 * Set up api. env is "production" or "ote" (case-insensitive; NULL is
 * production); url, when non-NULL, replaces the environment's base URL
 * and must be https. TP_ECONFIG naming the setting to fix.
 */
int tp_gd_api_init(struct tp_gd_api *api, struct tp_http *http, const char *key,
                   const char *secret, const char *env, const char *url,
                   const char *url_src, const char *shopper);

void tp_gd_api_release(struct tp_gd_api *api);

/*
 * Send one request (body: JSON or NULL). On a 2xx, *out (when out is
 * non-NULL) is the raw answer body, NUL-terminated, *outlen its length
 * (PUT answers 200 with no body, DELETE 204). Failures: the transport's
 * code (TP_ENETWORK/TP_ETIMEOUT after a request that may have arrived
 * make core re-read), or the API's error mapped by tp_gd_api_error. what
 * names the action ("reading the TXT records at '_smtp._tls' in
 * 'example.com'"). PUT and DELETE of one name replace a whole set, so
 * they are idempotent and may be retried.
 */
int tp_gd_api_call(struct tp_gd_api *api, char **out, size_t *outlen,
                   const char *method, const char *url, const char *body,
                   const char *what);

/*
 * Map an error answer (status, raw body: any text, may be NULL) to a
 * TP_E* code whose message gives our explanation, then the HTTP status
 * and GoDaddy's code, message and fields verbatim, then what to do:
 * 401 auth (keys are per environment: where names the one used), 403
 * ACCESS_DENIED auth (the 2024 account restriction), 404 not found, 409
 * auth (domain not eligible for changes), 422 usage, 429 rate-limited,
 * 5xx network, anything else internal. The provider code and message go
 * to the JSON result through tp_err_set_api.
 */
int tp_gd_api_error(long status, const char *body, size_t len, const char *what,
                    const char *where);

/* Seconds a 429 body asks to wait (retryAfterSec, a non-negative
 * number), or -1 when the body has none. body may be NULL. */
double tp_gd_retry_after(const char *body, size_t len);

/* Start a URL: base + "/v1/domains[/DOMAIN[/records/TXT/NAME]]", the
 * segments URL-encoded. */
void tp_gd_url(struct tp_buf *b, const struct tp_gd_api *api,
               const char *domain, const char *name);

/*
 * The record name of owner relative to domain ("_smtp._tls.mail" for
 * "_smtp._tls.mail.example.com" in "example.com"; "@" for the apex),
 * both normalised. TP_EUSAGE when owner is not in domain. *out owned by
 * the caller.
 */
int tp_gd_name(char **out, const char *owner, const char *domain);

/*
 * Parse a records answer (a JSON array of DNSRecord) into out: every TXT
 * record named name (case-insensitive), its data raw as GoDaddy keeps it,
 * in the API's order; ttl is the first one's. out is initialised by the
 * call. TP_ENETWORK when the body is not an array of records, TP_EUSAGE
 * when a value holds a NUL byte (it could not be written back intact).
 */
int tp_gd_records_parse(struct tp_txt_rrset *out, const char *body, size_t len,
                        const char *name);

/* The PUT body for values: [{"data": V, "ttl": ttl}, ...], without ttl
 * when it is 0 (not known: GoDaddy picks). *out owned by the caller. */
int tp_gd_records_body(char **out, const struct tp_strv *values, long ttl);

/*
 * Append the domain names of one page of GET /v1/domains (a JSON array
 * of DomainSummary) to out, lower-cased; *entries gets how many entries
 * the page had (for paging: a short page is the last). TP_ENETWORK when
 * the body is not an array.
 */
int tp_gd_domains_parse(struct tp_strv *out, size_t *entries, const char *body,
                        size_t len);

/* The longest of domains that holds name (both normalised), or NULL.
 * Borrowed from domains. */
const char *tp_gd_domain_match(const struct tp_strv *domains, const char *name);

/* 1 when a and b hold the same values, counted with repeats, in any
 * order (GoDaddy may reorder what it stores), else 0. */
int tp_gd_same_values(const struct tp_strv *a, const struct tp_strv *b);

#endif
