/*
 * api.h: the Cloudflare API v4 client pieces behind providers/cloudflare.c:
 * one request with its JSON envelope, errors mapped with the API's own
 * code and text, URLs, and TXT content in Cloudflare's wire form.
 *
 * Ownership: struct tp_cf_api borrows http and owns auth (a secret,
 * wiped by tp_cf_api_release) and base. cJSON trees returned are owned
 * by the caller (cJSON_Delete).
 */
#ifndef TLSRPT_PROVIDERS_CLOUDFLARE_API_H
#define TLSRPT_PROVIDERS_CLOUDFLARE_API_H

#include <cjson/cJSON.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/http.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/strv.h"

struct tp_cf_api {
	struct tp_http *http; /* borrowed: the worker's handle */
	char *auth;           /* "Bearer TOKEN" */
	char *base;           /* API base URL, no trailing '/' */
};

/* Set up api from a token and base URL (https only). TP_ECONFIG naming
 * the variable to fix when either is unusable. */
int tp_cf_api_init(struct tp_cf_api *api, struct tp_http *http,
                   const char *token, const char *url, const char *url_src);

void tp_cf_api_release(struct tp_cf_api *api);

/*
 * Send one request; on success *json is the whole envelope (success
 * true). Failures: the transport's code kept (TP_ENETWORK/TP_ETIMEOUT
 * after a create that may have arrived make core re-read), or the API's
 * error mapped by tp_cf_api_error. what names the action for messages
 * ("reading the TXT records").
 */
int tp_cf_api_call(struct tp_cf_api *api, cJSON **json, const char *method,
                   const char *url, const char *body, int idempotent,
                   const char *what);

/*
 * Map an error answer (status and parsed body, json may be NULL) to a
 * TP_E* code with a message carrying the HTTP status, the API's code,
 * message and error_chain, and what to do: 9109/10000/6003 and 401/403
 * are auth, 7003/81044/404 not found, 81057/81058 (identical record)
 * conflict, 429 rate-limited, 5xx network.
 */
int tp_cf_api_error(long status, const cJSON *json, const char *what);

/*
 * Read one answer: on a 2xx with "success": true, *json is the parsed
 * envelope (owned by the caller); else *json is NULL and the error is set
 * and returned (tp_cf_api_error, or TP_ENETWORK for a 2xx that is not the
 * envelope). body may be NULL.
 */
int tp_cf_api_answer(cJSON **json, long status, const char *body, size_t len,
                     const char *what);

/* Start a URL: base + "/zones[/ZONE[/dns_records/RECORD]]", segments
 * URL-encoded. */
void tp_cf_api_url(struct tp_buf *b, const struct tp_cf_api *api,
                   const char *zone_id, const char *record_id);

/* A string member of o, or NULL. Borrowed from o. */
const char *tp_cf_json_str(const cJSON *o, const char *key);

/* result_info.total_pages of a list answer, 1 when absent. */
long tp_cf_total_pages(const cJSON *json);

/* A JSON number as a long (clamped to +-9e15), dflt when n is not a
 * number. */
long tp_cf_json_long(const cJSON *n, long dflt);

/* ---- answers (parse.c): any bytes may arrive ------------------------- */

/* out->id and out->name (lower-cased) copied; out released on failure. */
int tp_cf_zone_set(struct tp_zone *out, const char *id, const char *name);

/* The zones of a /zones?name= answer named name (case-insensitive): *n
 * counts them, *id (malloc'd) is the first one's id or NULL. TP_ENETWORK
 * when the answer has no result list. */
int tp_cf_zones_match(char **id, int *n, const cJSON *json, const char *name);

/* Append every zone (id and name present) of a /zones page to *out / *n
 * (released with tp_zone_release each, then free). */
int tp_cf_zones_add(struct tp_zone **out, size_t *n, const cJSON *json);

/* Append the TXT records at owner of a dns_records page to out (values
 * decoded, ids, the first record's TTL, exists). */
int tp_cf_records_add(struct tp_txt_rrset *out, const cJSON *json,
                      const char *owner);

/*
 * The value a record's content serves, appended to out: quoted
 * presentation text (what Cloudflare stores now, possibly re-chunked into
 * 255-byte strings, with \" \\ \DDD escapes) is decoded; legacy unquoted
 * content is served as written, so it is the value itself.
 */
int tp_cf_txt_decode(struct tp_strv *out, const char *content);

/* The content to send for a value: quoted strings of at most 255 bytes.
 * *out owned by the caller. */
int tp_cf_txt_encode(char **out, const char *value);

#endif
