/*
 * cloudflare.c: the Cloudflare DNS backend (API v4; facts and pitfalls in
 * shared/reference/providers.md §1 and §5, user doc in
 * docs/providers/cloudflare.md).
 *
 * Cloudflare keeps one record (one TXT value) per id, so replacing the set
 * at an owner is a series of per-record requests. They are ordered so the
 * owner never has fewer TLS-RPT values than needed: a value that replaces
 * another is written into that record in place (PATCH), new ones are
 * created (POST), and extra records are deleted only after that.
 *
 * Content is RFC 1035 presentation text: we write quoted strings of at
 * most 255 bytes, and read back quoted (possibly re-chunked by Cloudflare)
 * and legacy unquoted content alike.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cloudflare/api.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/record.h"

#define CF_URL_MAX    4096
#define CF_BODY_MAX   (64 * 1024)
#define CF_PER_PAGE   100 /* records per page */
#define CF_ZONES_PAGE 50  /* the API's maximum for /zones */
#define CF_MAX_PAGES  1000

static const struct tp_setting_def cf_settings[] = {
    {"api_token", "CLOUDFLARE_API_TOKEN", NULL,
     TP_SETTING_SECRET | TP_SETTING_REQUIRED, NULL,
     "API token with Zone:Read and DNS:Edit on the zones (or api_token_file "
     "/ CLOUDFLARE_API_TOKEN_FILE naming a file that holds it)"},
    {"api_url", "CLOUDFLARE_API_URL", "cloudflare-api-url", 0,
     "https://api.cloudflare.com/client/v4",
     "API base URL (https only; for sandboxes and tests)"},
    {"account_id", "CLOUDFLARE_ACCOUNT_ID", "cloudflare-account-id", 0, NULL,
     "only use zones of this account (when a zone name exists in several "
     "accounts the token can see)"},
    {"comment", NULL, NULL, 0, "managed by tlsrpt-publish",
     "comment set on the records it writes (shown in the dashboard)"},
};

/* A candidate zone name and what /zones said about it ("" = not a zone). */
struct cf_zone_memo {
	char *name;
	char *id;
};

struct cf {
	struct tp_cf_api api;
	const struct tp_sink *sink;
	const char *account_id;
	const char *comment;
	struct cf_zone_memo *memo;
	size_t nmemo, amemo;
};

/* ---- zones ------------------------------------------------------------ */

static const struct cf_zone_memo *
memo_find(const struct cf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nmemo; i++)
		if (strcmp(cf->memo[i].name, name) == 0)
			return &cf->memo[i];
	return NULL;
}

static int
memo_add(struct cf *cf, const char *name, const char *id)
{
	struct cf_zone_memo *m;
	size_t n;

	if (cf->nmemo == cf->amemo) {
		n = cf->amemo ? cf->amemo * 2 : 16;
		m = realloc(cf->memo, n * sizeof(*m));
		if (m == NULL)
			return tp_err_set(TP_EINTERNAL,
			                  "cloudflare: out of memory");
		cf->memo = m;
		cf->amemo = n;
	}
	m = &cf->memo[cf->nmemo];
	m->name = strdup(name);
	m->id = strdup(id);
	if (m->name == NULL || m->id == NULL) {
		free(m->name);
		free(m->id);
		return tp_err_set(TP_EINTERNAL, "cloudflare: out of memory");
	}
	cf->nmemo++;
	return 0;
}

/* Ask /zones whether name is a zone; *id malloc'd, or NULL when not. */
static int
zone_query(struct cf *cf, char **id, const char *name)
{
	struct tp_buf url = TP_BUF_INIT(CF_URL_MAX);
	cJSON *json = NULL;
	int rc, n = 0;

	*id = NULL;
	tp_cf_api_url(&url, &cf->api, NULL, NULL);
	tp_buf_adds(&url, "?name=");
	tp_buf_add_urlenc(&url, name);
	tp_buf_adds(&url, "&per_page=5");
	if (cf->account_id != NULL) {
		tp_buf_adds(&url, "&account.id=");
		tp_buf_add_urlenc(&url, cf->account_id);
	}
	if (url.err) {
		tp_buf_release(&url);
		return tp_err_set(TP_EUSAGE, "cloudflare: name too long");
	}
	rc = tp_cf_api_call(&cf->api, &json, "GET", url.s, NULL, 1,
	                    "looking up zones");
	tp_buf_release(&url);
	if (rc != 0)
		return rc;
	rc = tp_cf_zones_match(id, &n, json, name);
	cJSON_Delete(json);
	if (rc != 0)
		return rc;
	if (n > 1) {
		free(*id);
		*id = NULL;
		return tp_err_set(
		    TP_ECONFIG,
		    "cloudflare: %d zones named '%s' are visible "
		    "to this token: set account_id "
		    "(CLOUDFLARE_ACCOUNT_ID) to pick one, or give "
		    "--zone-id",
		    n, name);
	}
	return 0;
}

/* --zone-id: the zone by id, which must hold name. */
static int
zone_by_id(struct cf *cf, struct tp_zone *out, const char *name,
           const char *zone_id)
{
	struct tp_buf url = TP_BUF_INIT(CF_URL_MAX);
	const cJSON *res;
	const char *zname;
	cJSON *json = NULL;
	char what[300];
	int rc;

	tp_cf_api_url(&url, &cf->api, zone_id, NULL);
	(void)snprintf(what, sizeof(what), "zone id '%s'", zone_id);
	rc = url.err
	    ? tp_err_set(TP_EUSAGE, "cloudflare: zone id too long")
	    : tp_cf_api_call(&cf->api, &json, "GET", url.s, NULL, 1, what);
	tp_buf_release(&url);
	if (rc != 0)
		return rc;
	res = cJSON_GetObjectItemCaseSensitive(json, "result");
	zname = tp_cf_json_str(res, "name");
	if (zname == NULL)
		rc = tp_err_set(TP_ENETWORK,
		                "cloudflare: zone id '%s': the answer has no "
		                "zone name",
		                zone_id);
	else
		rc = tp_cf_zone_set(out, zone_id, zname);
	cJSON_Delete(json);
	if (rc == 0 && !tp_domain_in_zone(name, out->name)) {
		rc = tp_err_set(TP_EUSAGE,
		                "cloudflare: zone id '%s' is zone '%s', which "
		                "does not hold '%s': check --zone-id",
		                zone_id, out->name, name);
		tp_zone_release(out);
	}
	return rc;
}

static int
cf_find_zone(void *h, struct tp_zone *out, const char *name,
             const char *zone_id)
{
	struct tp_buf tried = TP_BUF_INIT(1024);
	const struct cf_zone_memo *m;
	struct cf *cf = h;
	const char *cand;
	char *id = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (zone_id != NULL)
		return zone_by_id(cf, out, name, zone_id);
	/* Longest suffix first, so a delegated subdomain zone wins. Top
	 * level names and names with '_' cannot be Cloudflare zones. */
	for (cand = name; cand != NULL && rc == 0;
	     cand = strchr(cand, '.') ? strchr(cand, '.') + 1 : NULL) {
		if (strchr(cand, '.') == NULL && cand != name)
			break;
		if (strchr(cand, '_') != NULL)
			continue;
		tp_buf_addf(&tried, "%s'%s'", tried.len ? ", " : "", cand);
		m = memo_find(cf, cand);
		if (m != NULL && *m->id == '\0')
			continue;
		if (m != NULL) {
			rc = tp_cf_zone_set(out, m->id, cand);
			break;
		}
		rc = zone_query(cf, &id, cand);
		if (rc == 0)
			rc = memo_add(cf, cand, id ? id : "");
		if (rc == 0 && id != NULL) {
			rc = tp_cf_zone_set(out, id, cand);
			break;
		}
		free(id);
		id = NULL;
	}
	free(id);
	if (rc == 0 && out->id == NULL)
		rc = tp_err_set(
		    TP_ENOTFOUND,
		    "cloudflare: no zone for '%s' among the zones "
		    "this token can read (tried %s): add the zone to "
		    "Cloudflare, give the token Zone:Read on it, or "
		    "give --zone-id",
		    name, tried.s);
	tp_buf_release(&tried);
	return rc;
}

static int
cf_list_zones(void *h, struct tp_zone **out, size_t *n)
{
	struct tp_buf url = TP_BUF_INIT(CF_URL_MAX);
	struct cf *cf = h;
	cJSON *json = NULL;
	long page, pages = 1;
	int rc = 0;

	for (page = 1; page <= pages && page <= CF_MAX_PAGES && rc == 0;
	     page++) {
		tp_buf_reset(&url);
		tp_cf_api_url(&url, &cf->api, NULL, NULL);
		tp_buf_addf(&url, "?per_page=%d&page=%ld", CF_ZONES_PAGE, page);
		if (cf->account_id != NULL) {
			tp_buf_adds(&url, "&account.id=");
			tp_buf_add_urlenc(&url, cf->account_id);
		}
		rc = tp_cf_api_call(&cf->api, &json, "GET", url.s, NULL, 1,
		                    "listing zones");
		if (rc != 0)
			break;
		pages = tp_cf_total_pages(json);
		rc = tp_cf_zones_add(out, n, json);
		cJSON_Delete(json);
		json = NULL;
	}
	tp_buf_release(&url);
	return rc;
}

/* ---- reading ---------------------------------------------------------- */

static int
cf_read_txt(void *h, const struct tp_zone *zone, const char *owner,
            struct tp_txt_rrset *out)
{
	struct tp_buf url = TP_BUF_INIT(CF_URL_MAX);
	struct cf *cf = h;
	cJSON *json = NULL;
	long page, pages = 1;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (page = 1; page <= pages && page <= CF_MAX_PAGES && rc == 0;
	     page++) {
		tp_buf_reset(&url);
		tp_cf_api_url(&url, &cf->api, zone->id, NULL);
		tp_buf_adds(&url, "/dns_records?type=TXT&name=");
		tp_buf_add_urlenc(&url, owner);
		tp_buf_addf(&url, "&per_page=%d&page=%ld", CF_PER_PAGE, page);
		rc = url.err
		    ? tp_err_set(TP_EUSAGE, "cloudflare: name too long")
		    : tp_cf_api_call(&cf->api, &json, "GET", url.s, NULL, 1,
		                     "reading the TXT records");
		if (rc == 0) {
			pages = tp_cf_total_pages(json);
			rc = tp_cf_records_add(out, json, owner);
		}
		cJSON_Delete(json);
		json = NULL;
	}
	tp_buf_release(&url);
	if (rc != 0)
		tp_txt_rrset_release(out);
	return rc;
}

/* ---- writing ---------------------------------------------------------- */

/* The JSON body of a create or in-place update; value NULL: TTL only. */
static char *
record_body(const struct cf *cf, const char *owner, const char *value, long ttl)
{
	char *content = NULL, *s = NULL;
	cJSON *o;

	if (value != NULL && tp_cf_txt_encode(&content, value) != 0)
		return NULL;
	o = cJSON_CreateObject();
	if (o != NULL && cJSON_AddStringToObject(o, "type", "TXT") &&
	    cJSON_AddStringToObject(o, "name", owner) &&
	    cJSON_AddNumberToObject(o, "ttl", (double)ttl) &&
	    (value == NULL ||
	     (cJSON_AddStringToObject(o, "content", content) &&
	      (cf->comment == NULL ||
	       cJSON_AddStringToObject(o, "comment", cf->comment)))))
		s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(content);
	return s;
}

/* POST (id NULL), PATCH or DELETE (value and ttl unused) one record. */
static int
record_op(struct cf *cf, const struct tp_zone *zone, const char *method,
          const char *id, const char *owner, const char *value, long ttl)
{
	struct tp_buf url = TP_BUF_INIT(CF_URL_MAX);
	char *body = NULL, what[128];
	cJSON *json = NULL;
	int rc;

	tp_cf_api_url(&url, &cf->api, zone->id, id);
	if (id == NULL)
		tp_buf_adds(&url, "/dns_records");
	if (strcmp(method, "DELETE") != 0) {
		body = record_body(cf, owner, value, ttl);
		if (body == NULL) {
			tp_buf_release(&url);
			return tp_err_set(TP_EINTERNAL,
			                  "cloudflare: out of "
			                  "memory");
		}
	}
	(void)snprintf(what, sizeof(what), "%s of a TXT record at '%s'",
	               strcmp(method, "POST") == 0         ? "creation"
	                   : strcmp(method, "DELETE") == 0 ? "deletion"
	                                                   : "update",
	               owner);
	/* A POST may have created the record even when no answer came:
	 * never resent blindly (core re-reads). PATCH and DELETE of one id
	 * are idempotent. */
	rc = url.err ? tp_err_set(TP_EUSAGE, "cloudflare: URL too long")
	             : tp_cf_api_call(&cf->api, &json, method, url.s, body,
	                              strcmp(method, "POST") != 0, what);
	if (rc == TP_ENOTFOUND && strcmp(method, "DELETE") == 0)
		rc = 0; /* already gone: what we wanted */
	cJSON_Delete(json);
	free(body);
	tp_buf_release(&url);
	return rc;
}

/* Index of an unused before value equal to v (or, when v is NULL, of
 * the first unused one, TLS-RPT-like first), or -1. */
static long
pick(const struct tp_txt_rrset *before, const char *used, const char *v)
{
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < before->values.n; i++) {
			const char *b = before->values.v[i];

			if (used[i])
				continue;
			if (v != NULL && strcmp(b, v) == 0)
				return (long)i;
			if (v == NULL &&
			    (pass == 1 ||
			     tp_record_is_tlsrpt_like(b, strlen(b))))
				return (long)i;
		}
	return -1;
}

static int
cf_write_txt(void *h, const struct tp_zone *zone, const char *owner,
             const struct tp_txt_rrset *before, const struct tp_strv *after,
             long ttl)
{
	struct cf *cf = h;
	char *used, *fresh;
	size_t i;
	long j;
	int rc = 0;

	if (before->ids.n != before->values.n)
		return tp_err_set(TP_EINTERNAL,
		                  "cloudflare: record ids missing");
	used = calloc(before->values.n + 1, 1);
	fresh = calloc(after->n + 1, 1);
	if (used == NULL || fresh == NULL) {
		rc = tp_err_set(TP_EINTERNAL, "cloudflare: out of memory");
		goto out;
	}
	/* Values already there stay; only their TTL may change. */
	for (i = 0; i < after->n; i++) {
		j = pick(before, used, after->v[i]);
		if (j >= 0)
			used[j] = 2;
		else
			fresh[i] = 1;
	}
	for (i = 0; i < after->n && rc == 0; i++) {
		if (!fresh[i])
			continue;
		j = pick(before, used, NULL);
		if (j >= 0) {
			used[j] = 1;
			rc = record_op(cf, zone, "PATCH", before->ids.v[j],
			               owner, after->v[i], ttl);
		} else {
			rc = record_op(cf, zone, "POST", NULL, owner,
			               after->v[i], ttl);
		}
	}
	for (i = 0; i < before->values.n && rc == 0; i++)
		if (used[i] == 2 && ttl != before->ttl)
			rc = record_op(cf, zone, "PATCH", before->ids.v[i],
			               owner, NULL, ttl);
	for (i = 0; i < before->values.n && rc == 0; i++)
		if (!used[i])
			rc = record_op(cf, zone, "DELETE", before->ids.v[i],
			               owner, NULL, 0);
out:
	free(used);
	free(fresh);
	return rc;
}

/* ---- lifecycle -------------------------------------------------------- */

static int
cf_open(void **out, const struct tp_provider_ctx *ctx)
{
	const char *token;
	struct cf *cf;
	int rc;

	*out = NULL;
	token = tp_settings_get(ctx->settings, "api_token");
	if (token == NULL)
		return tp_err_set(
		    TP_ECONFIG,
		    "cloudflare: no API token: set "
		    "CLOUDFLARE_API_TOKEN (or "
		    "CLOUDFLARE_API_TOKEN_FILE, or api_token_file "
		    "in the config file) to a token with Zone:Read "
		    "and DNS:Edit");
	cf = calloc(1, sizeof(*cf));
	if (cf == NULL)
		return tp_err_set(TP_EINTERNAL, "cloudflare: out of memory");
	rc = tp_cf_api_init(&cf->api, ctx->http, token,
	                    tp_settings_get(ctx->settings, "api_url"),
	                    tp_settings_source(ctx->settings, "api_url"));
	if (rc != 0) {
		free(cf);
		return rc;
	}
	cf->sink = ctx->sink;
	cf->account_id = tp_settings_get(ctx->settings, "account_id");
	cf->comment = tp_settings_get(ctx->settings, "comment");
	if (cf->comment != NULL && *cf->comment == '\0')
		cf->comment = NULL;
	*out = cf;
	return 0;
}

static void
cf_close(void *h)
{
	struct cf *cf = h;
	size_t i;

	if (cf == NULL)
		return;
	tp_cf_api_release(&cf->api);
	for (i = 0; i < cf->nmemo; i++) {
		free(cf->memo[i].name);
		free(cf->memo[i].id);
	}
	free(cf->memo);
	free(cf);
}

/* Every zone gets two of Cloudflare's name servers, NAME.ns.cloudflare.com
 * (custom name servers of Business and Enterprise plans are not
 * recognisable). */
static const char *const cf_ns[] = {"*.ns.cloudflare.com", NULL};

const struct tp_provider tp_provider_cloudflare = {
    .version = TP_PROVIDER_VERSION,
    .name = "cloudflare",
    .title = "Cloudflare DNS (API v4)",
    .doc = "docs/providers/cloudflare.md",
    .settings = cf_settings,
    .nsettings = sizeof(cf_settings) / sizeof(cf_settings[0]),
    .permissions = "API token with Zone:Read and DNS:Edit (Zone / DNS / "
                   "Edit) on the zones to publish",
    /* 1200 requests per 5 minutes per user, shared with the dashboard
     * and every other tool: stay at about 90 % of it. */
    .rate = 3.5,
    .burst = 20,
    .min_ttl = 30, /* 60 except on Enterprise zones: the API says which */
    .default_ttl = 3600,
    .max_ttl = 86400,
    .auto_ttl = 1,
    .timeout = 300,
    .interval = 2,
    .open = cf_open,
    .find_zone = cf_find_zone,
    .read_txt = cf_read_txt,
    .write_txt = cf_write_txt,
    .wait_change = NULL,
    .list_zones = cf_list_zones,
    .close = cf_close,
    .ns_patterns = cf_ns,
};
