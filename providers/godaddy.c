/*
 * godaddy.c: the GoDaddy DNS backend (Domains API v1; facts and pitfalls
 * in shared/reference/providers.md §3 and §5, user doc in
 * docs/providers/godaddy.md).
 *
 * GoDaddy addresses records by registered domain, type and name relative
 * to that domain: mail.example.com's record is name "_smtp._tls.mail" in
 * domain "example.com". The registered domain is the longest domain of
 * the account's own list (GET /v1/domains, read once per account) that
 * holds the name, or the one --zone-id gives.
 *
 * PUT /v1/domains/{domain}/records/TXT/{name} replaces every TXT value at
 * the name, so a write always sends the whole set core planned (the
 * values kept byte for byte, raw, each with the TTL), and DELETE is used
 * only when nothing is left. The API has no compare-and-swap: a change
 * someone else makes between our read and our PUT is lost, and one made
 * just after it would make our result a lie. So a write is checked
 * afterwards: by the confirm stage, which compares the whole set the name
 * servers serve with what was written (no request), or, when the run does
 * not confirm (--no-wait) or read_back is "yes" (the default), by reading
 * it back here, a set that is not what was written being a conflict
 * (core then reads, plans and writes once more). The read-back costs one
 * request per written domain, which a bulk run at GoDaddy's 60 requests a
 * minute feels: read_back "auto" leaves it to the confirm stage.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "godaddy/api.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"

#define GD_URL_MAX   4096
#define GD_PAGE      1000 /* the largest page GET /v1/domains gives */
#define GD_MAX_PAGES 1000
#define GD_WHAT_MAX  600
#define GD_MIN_TTL   600 /* GoDaddy refuses less (422 INVALID_BODY) */

static const struct tp_setting_def gd_settings[] = {
    {"api_key", "GODADDY_API_KEY", NULL,
     TP_SETTING_SECRET | TP_SETTING_REQUIRED, NULL,
     "API key from developer.godaddy.com/keys, made for the environment "
     "used (production or OTE)"},
    {"api_secret", "GODADDY_API_SECRET", NULL,
     TP_SETTING_SECRET | TP_SETTING_REQUIRED, NULL, "the API key's secret"},
    {"env", "GODADDY_ENV", "godaddy-env", 0, "production",
     "production (api.godaddy.com) or ote (api.ote-godaddy.com, GoDaddy's "
     "test environment, with its own keys)"},
    {"api_url", "GODADDY_API_URL", "godaddy-api-url", 0, NULL,
     "API base URL instead of the environment's (https only; for "
     "sandboxes and tests)"},
    {"shopper_id", "GODADDY_SHOPPER_ID", "godaddy-shopper-id", 0, NULL,
     "resellers only: the customer number (X-Shopper-Id) owning the "
     "domains"},
    {"clamp_ttl", "GODADDY_CLAMP_TTL", "godaddy-clamp-ttl", 0, "no",
     "yes: raise a TTL below GoDaddy's minimum of 600 s to 600 (with a "
     "warning) instead of refusing it"},
    {"read_back", "GODADDY_READ_BACK", "godaddy-read-back", 0, "yes",
     "yes: read each write back (no compare-and-swap); auto: only with "
     "--no-wait, the DNS check comparing the served set otherwise; no"},
};

/* The account's domains, once listed. One per account, shared by its
 * workers' handles under lock (the first to need it lists it), or one
 * per handle when core made no account state (lock NULL). */
struct gd_list {
	pthread_mutex_t mu;
	struct tp_strv domains;
	int listed;
};

struct gd {
	struct tp_gd_api api;
	const struct tp_sink *sink;
	struct gd_list own;
	struct gd_list *list;  /* &own, or the account's */
	pthread_mutex_t *lock; /* the account list's, or NULL */
	int clamp;             /* clamp_ttl: raise a TTL under GD_MIN_TTL */
	int read_back;         /* read each write back (read_back setting) */
};

/* ---- the registered domain ------------------------------------------ */

static int
zone_set(struct tp_zone *out, const char *domain)
{
	out->id = strdup(domain);
	out->name = strdup(domain);
	if (out->id == NULL || out->name == NULL) {
		tp_zone_release(out);
		return tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
	}
	return 0;
}

/* One page of the domain list after marker (NULL: the first). */
static int
list_page(struct gd *gd, const char *marker, size_t *entries)
{
	struct tp_buf url = TP_BUF_INIT(GD_URL_MAX);
	char *body = NULL;
	size_t len = 0;
	int rc;

	tp_gd_url(&url, &gd->api, NULL, NULL);
	tp_buf_addf(&url, "?limit=%d", GD_PAGE);
	if (marker != NULL) {
		tp_buf_adds(&url, "&marker=");
		tp_buf_add_urlenc(&url, marker);
	}
	rc = url.err ? tp_err_set(TP_EINTERNAL, "godaddy: URL too long")
	             : tp_gd_api_call(&gd->api, &body, &len, "GET", url.s, NULL,
	                              "listing the account's domains");
	if (rc == 0)
		rc =
		    tp_gd_domains_parse(&gd->list->domains, entries, body, len);
	free(body);
	tp_buf_release(&url);
	return rc;
}

/* The account's domains, read once: full pages of GD_PAGE continue
 * after the last domain seen (marker). Under gd->lock. */
static int
list_domains(struct gd *gd)
{
	struct tp_strv *dl = &gd->list->domains;
	char *marker = NULL;
	size_t entries, before, pages;
	int rc = 0;

	if (gd->list->listed)
		return 0;
	for (pages = 0; pages < GD_MAX_PAGES; pages++) {
		before = dl->n;
		rc = list_page(gd, marker, &entries);
		if (rc != 0 || entries < GD_PAGE || dl->n == before)
			break;
		/* Whether the marker itself comes back is not documented:
		 * a page that ends where the last one did ends the list. */
		if (marker != NULL && strcmp(marker, dl->v[dl->n - 1]) == 0)
			break;
		free(marker);
		marker = strdup(dl->v[dl->n - 1]);
		if (marker == NULL) {
			rc = tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
			break;
		}
	}
	free(marker);
	if (rc != 0) {
		tp_strv_release(dl);
		return rc;
	}
	gd->list->listed = 1;
	tp_sink_log(gd->sink, TP_LOG_INFO,
	            "godaddy: %zu domain%s in the account on %s", dl->n,
	            dl->n == 1 ? "" : "s", gd->api.where);
	return 0;
}

static void
list_lock(struct gd *gd)
{
	if (gd->lock != NULL)
		pthread_mutex_lock(gd->lock);
}

static void
list_unlock(struct gd *gd)
{
	if (gd->lock != NULL)
		pthread_mutex_unlock(gd->lock);
}

/* "'a.b.example.com', 'b.example.com', 'example.com'": what was tried. */
static void
candidates(struct tp_buf *b, const char *name)
{
	const char *c;

	for (c = name; c != NULL && strchr(c, '.') != NULL;
	     c = strchr(c, '.') + 1)
		tp_buf_addf(b, "%s'%s'", b->len ? ", " : "", c);
}

/* --zone-id: the registered domain named by the user, no request. */
static int
zone_given(struct tp_zone *out, const char *name, const char *zone_id)
{
	char *d = NULL;
	int rc;

	rc = tp_domain_normalize(&d, zone_id);
	if (rc != 0)
		return tp_err_set(
		    TP_EUSAGE,
		    "godaddy: --zone-id '%s' is not a domain "
		    "name: for GoDaddy it is the registered domain "
		    "(example.com)",
		    zone_id);
	if (!tp_domain_in_zone(name, d))
		rc = tp_err_set(TP_EUSAGE,
		                "godaddy: --zone-id '%s' does not hold '%s': "
		                "give the registered domain '%s' is under",
		                zone_id, name, name);
	else
		rc = zone_set(out, d);
	free(d);
	return rc;
}

static int
gd_find_zone(void *h, struct tp_zone *out, const char *name,
             const char *zone_id)
{
	struct tp_buf tried = TP_BUF_INIT(1024);
	struct gd *gd = h;
	const char *d;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (zone_id != NULL)
		return zone_given(out, name, zone_id);
	list_lock(gd);
	rc = list_domains(gd);
	d = rc == 0 ? tp_gd_domain_match(&gd->list->domains, name) : NULL;
	if (d != NULL)
		rc = zone_set(out, d);
	n = gd->list->domains.n;
	list_unlock(gd);
	if (rc != 0 || d != NULL)
		return rc;
	candidates(&tried, name);
	rc = tp_err_set(TP_ENOTFOUND,
	                "godaddy: '%s' is not under any domain of this "
	                "GoDaddy account (%zu domains listed on %s; looked "
	                "for %s): the API manages only domains registered or "
	                "hosted in the key's account: check the key's account "
	                "and environment, or name the registered domain with "
	                "--zone-id",
	                name, n, gd->api.where, tried.s);
	tp_buf_release(&tried);
	return rc;
}

static int
gd_list_zones(void *h, struct tp_zone **out, size_t *n)
{
	struct gd *gd = h;
	struct tp_zone *v;
	size_t i;
	int rc;

	list_lock(gd);
	rc = list_domains(gd);
	for (i = 0; rc == 0 && i < gd->list->domains.n; i++) {
		v = realloc(*out, (*n + 1) * sizeof(*v));
		if (v == NULL) {
			rc = tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
			break;
		}
		*out = v;
		memset(&v[*n], 0, sizeof(v[*n]));
		rc = zone_set(&v[*n], gd->list->domains.v[i]);
		if (rc == 0)
			(*n)++;
	}
	list_unlock(gd);
	return rc;
}

/* ---- records ---------------------------------------------------------- */

/* The URL of the TXT records at name in domain, and the action's name. */
static int
records_url(struct tp_buf *url, char *what, size_t whatlen, const struct gd *gd,
            const struct tp_zone *zone, const char *name, const char *verb)
{
	tp_gd_url(url, &gd->api, zone->id, name);
	(void)snprintf(what, whatlen, "%s the TXT records at '%s' in '%s'",
	               verb, name, zone->id);
	if (url->err)
		return tp_err_set(TP_EUSAGE, "godaddy: name '%s' too long",
		                  name);
	return 0;
}

static int
fetch(struct gd *gd, const struct tp_zone *zone, const char *name,
      struct tp_txt_rrset *out)
{
	struct tp_buf url = TP_BUF_INIT(GD_URL_MAX);
	char what[GD_WHAT_MAX], *body = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = records_url(&url, what, sizeof(what), gd, zone, name, "reading");
	if (rc == 0)
		rc = tp_gd_api_call(&gd->api, &body, &len, "GET", url.s, NULL,
		                    what);
	if (rc == 0)
		rc = tp_gd_records_parse(out, body, len, name);
	free(body);
	tp_buf_release(&url);
	return rc;
}

static int
gd_read_txt(void *h, const struct tp_zone *zone, const char *owner,
            struct tp_txt_rrset *out)
{
	char *name = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = tp_gd_name(&name, owner, zone->name);
	if (rc == 0)
		rc = fetch(h, zone, name, out);
	free(name);
	return rc;
}

/* PUT the whole set, or DELETE the name when nothing is left. */
static int
replace(struct gd *gd, const struct tp_zone *zone, const char *name,
        const struct tp_strv *after, long ttl)
{
	struct tp_buf url = TP_BUF_INIT(GD_URL_MAX);
	char what[GD_WHAT_MAX], *body = NULL;
	int rc, del = after->n == 0;

	rc = records_url(&url, what, sizeof(what), gd, zone, name,
	                 del ? "deleting" : "replacing");
	if (rc == 0 && !del)
		rc = tp_gd_records_body(&body, after, ttl);
	if (rc == 0)
		rc = tp_gd_api_call(&gd->api, NULL, NULL,
		                    del ? "DELETE" : "PUT", url.s, body, what);
	/* Already gone is what a delete wants; the read-back tells a
	 * missing domain apart. */
	if (rc == TP_ENOTFOUND && del)
		rc = 0;
	free(body);
	tp_buf_release(&url);
	return rc;
}

/*
 * A set read with a TTL under GoDaddy's floor (records older than it)
 * cannot be written back as it is: GoDaddy would refuse it with 422. Say
 * so before any write, or raise it when clamp_ttl is set. A TTL of 0 (the
 * records had none) is left out of the body for GoDaddy to choose.
 */
static int
low_ttl(struct gd *gd, const char *owner, const struct tp_strv *after,
        long *ttl)
{
	if (after->n == 0 || *ttl <= 0 || *ttl >= GD_MIN_TTL)
		return 0;
	if (!gd->clamp)
		return tp_err_set(
		    TP_EUSAGE,
		    "godaddy: the TXT records at '%s' have TTL "
		    "%ld, under the %d s GoDaddy accepts now, so "
		    "they cannot be written back as they are: publish "
		    "with --ttl %d (or more), or set clamp_ttl "
		    "(--godaddy-clamp-ttl yes)",
		    owner, *ttl, GD_MIN_TTL, GD_MIN_TTL);
	tp_sink_log(gd->sink, TP_LOG_WARN,
	            "godaddy: the TXT records at '%s' have TTL %ld, under "
	            "the %d s GoDaddy accepts now: writing them with %d "
	            "(clamp_ttl is set)",
	            owner, *ttl, GD_MIN_TTL, GD_MIN_TTL);
	*ttl = GD_MIN_TTL;
	return 0;
}

static int
gd_write_txt(void *h, const struct tp_zone *zone, const char *owner,
             const struct tp_txt_rrset *before, const struct tp_strv *after,
             long ttl)
{
	struct tp_txt_rrset now;
	struct gd *gd = h;
	char *name = NULL;
	int rc;

	(void)before; /* no compare-and-swap to give it to */
	memset(&now, 0, sizeof(now));
	rc = low_ttl(gd, owner, after, &ttl);
	if (rc == 0)
		rc = tp_gd_name(&name, owner, zone->name);
	if (rc == 0)
		rc = replace(gd, zone, name, after, ttl);
	if (rc != 0 || !gd->read_back)
		goto out;
	rc = fetch(gd, zone, name, &now);
	if (rc == 0 && !tp_gd_same_values(&now.values, after))
		rc = tp_err_set(
		    TP_ECONFLICT,
		    "godaddy: the TXT records at '%s' changed while this run "
		    "wrote them: %zu value%s written, %zu read back, not the "
		    "same (GoDaddy has no compare-and-swap, so two writers "
		    "of one name undo each other's changes): find what else "
		    "edits this name, then run again",
		    owner, after->n, after->n == 1 ? "" : "s", now.values.n);
out:
	tp_txt_rrset_release(&now);
	free(name);
	return rc;
}

/* ---- lifecycle -------------------------------------------------------- */

static void gd_close(void *h);

/* Every worker of an account uses one domain list: listed once. */
static int
gd_open_account(void **out, const struct tp_provider_ctx *ctx)
{
	struct gd_list *l;

	(void)ctx;
	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
	if (pthread_mutex_init(&l->mu, NULL) != 0) {
		free(l);
		return tp_err_set(TP_EINTERNAL, "godaddy: no mutex");
	}
	*out = l;
	return 0;
}

static void
gd_close_account(void *shared)
{
	struct gd_list *l = shared;

	if (l == NULL)
		return;
	tp_strv_release(&l->domains);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* read_back: yes (the default), no, or auto (only when nothing confirms
 * afterwards). */
static int
read_back(int *out, const struct tp_provider_ctx *ctx)
{
	const char *v = tp_settings_get(ctx->settings, "read_back");

	if (v == NULL || strcasecmp(v, "yes") == 0 ||
	    strcasecmp(v, "true") == 0)
		*out = 1;
	else if (strcasecmp(v, "auto") == 0)
		*out = !ctx->confirming;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
		*out = 0;
	else
		return tp_err_set(
		    TP_ECONFIG,
		    "godaddy: read_back '%s' (%s) is not yes, no "
		    "or auto",
		    v, tp_settings_source(ctx->settings, "read_back"));
	return 0;
}

static int
gd_open(void **out, const struct tp_provider_ctx *ctx)
{
	const char *key, *secret, *v;
	struct gd *gd;
	int rc;

	*out = NULL;
	key = tp_settings_get(ctx->settings, "api_key");
	secret = tp_settings_get(ctx->settings, "api_secret");
	if (key == NULL || secret == NULL)
		return tp_err_set(
		    TP_ECONFIG,
		    "godaddy: no API %s: set GODADDY_API_KEY and "
		    "GODADDY_API_SECRET (or their _FILE forms, or "
		    "api_key_file / api_secret_file in the config "
		    "file) to a key from developer.godaddy.com/keys",
		    key == NULL ? "key" : "secret");
	gd = calloc(1, sizeof(*gd));
	if (gd == NULL)
		return tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
	rc = tp_gd_api_init(&gd->api, ctx->http, key, secret,
	                    tp_settings_get(ctx->settings, "env"),
	                    tp_settings_get(ctx->settings, "api_url"),
	                    tp_settings_source(ctx->settings, "api_url"),
	                    tp_settings_get(ctx->settings, "shopper_id"));
	if (rc != 0) {
		free(gd);
		return rc;
	}
	gd->sink = ctx->sink;
	gd->list = &gd->own;
	if (ctx->shared != NULL) {
		gd->list = ctx->shared;
		gd->lock = &gd->list->mu;
	}
	v = tp_settings_get(ctx->settings, "clamp_ttl");
	gd->clamp = v != NULL &&
	    (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0);
	rc = read_back(&gd->read_back, ctx);
	if (rc != 0) {
		gd_close(gd);
		return rc;
	}
	*out = gd;
	return 0;
}

static void
gd_close(void *h)
{
	struct gd *gd = h;

	if (gd == NULL)
		return;
	tp_gd_api_release(&gd->api);
	tp_strv_release(&gd->own.domains);
	free(gd);
}

/* GoDaddy-hosted DNS: nsNN.domaincontrol.com. */
static const char *const gd_ns[] = {"*.domaincontrol.com", NULL};

const struct tp_provider tp_provider_godaddy = {
    .version = TP_PROVIDER_VERSION,
    .name = "godaddy",
    .title = "GoDaddy DNS (Domains API v1)",
    .doc = "docs/providers/godaddy.md",
    .settings = gd_settings,
    .nsettings = sizeof(gd_settings) / sizeof(gd_settings[0]),
    .permissions = "an API key and secret of the account holding the "
                   "domains (production keys for api.godaddy.com, OTE "
                   "keys for the test environment); since 2024 only "
                   "accounts with 10 or more domains or a Discount "
                   "Domain Club plan may use the API",
    /* 60 requests per minute, shared with every tool using the account:
     * 54 a minute plus a bucket of 5 never exceeds 60 in any minute. */
    .rate = 0.9,
    .burst = 5,
    .min_ttl = GD_MIN_TTL,
    .default_ttl = 3600,
    .max_ttl = 86400, /* v1 states none; GoDaddy's v3 schema says this */
    .auto_ttl = 0,
    .timeout = 600, /* GoDaddy's name servers can take minutes */
    .interval = 2,
    .open = gd_open,
    .find_zone = gd_find_zone,
    .read_txt = gd_read_txt,
    .write_txt = gd_write_txt,
    .wait_change = NULL,
    .list_zones = gd_list_zones,
    .close = gd_close,
    .open_account = gd_open_account,
    .close_account = gd_close_account,
    .ns_patterns = gd_ns,
};
