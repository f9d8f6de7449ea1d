/*
 * route53.c: the Amazon Route 53 backend (API 2013-04-01, REST-XML,
 * SigV4; facts and pitfalls in shared/reference/providers.md §2 and §5,
 * user doc in docs/providers/route53.md). The wire pieces are in
 * providers/aws/r53*.c, signing and credentials in providers/aws/.
 *
 * Route 53 keeps a TXT RRset (all values, one TTL) per name, and applies
 * a change batch atomically. So a replacement is one batch: DELETE of
 * exactly the RRset we read (same TTL, same values as Route 53 returned
 * them) plus CREATE of the new one. If anyone changed the RRset since we
 * read it, the DELETE no longer matches and the whole batch fails with
 * InvalidChangeBatch: nothing is lost, core reads again and re-plans.
 * (UPSERT would silently overwrite such a change.)
 *
 * After a change, GetChange is polled until INSYNC: only then do all of
 * Route 53's name servers serve it, so only then is polling DNS useful.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/r53.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/clock.h"
#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"

#define PATH_MAX_LEN  8192
#define BODY_MAX      (512 * 1024)
#define SYNC_POLL_MAX 10.0 /* seconds between GetChange polls at most */

static const struct tp_setting_def r53_settings[] = {
    TP_AWS_SETTING_DEFS,
    {"private_zone", "TLSRPT_ROUTE53_PRIVATE_ZONE", "route53-private-zone",
     TP_SETTING_SWITCH_ON, "false",
     "write to private hosted zones instead of public ones (split "
     "horizon)"},
    {"wait_sync", "TLSRPT_ROUTE53_WAIT_SYNC", "no-wait-sync",
     TP_SETTING_SWITCH_OFF, "true",
     "after a change, wait for GetChange INSYNC before polling DNS "
     "(--no-wait-sync skips it)"},
    {"sync_interval", "TLSRPT_ROUTE53_SYNC_INTERVAL", NULL, 0, "2",
     "seconds before the first GetChange poll (then longer, up to 10)"},
    {"comment", NULL, NULL, 0, "tlsrpt-publish",
     "comment of the change batches it submits"},
};

struct r53 {
	struct tp_r53_api api;
	struct tp_r53_account *own; /* when core gave no shared account */
	struct tp_r53_memo memo;
	struct tp_r53_zone_opts zo;
	const volatile int *stop;
	int wait_sync;
	double sync_interval;
	const char *comment;
	char *change_id; /* the last change, until it is INSYNC */
};

/* ---- reading ---------------------------------------------------------- */

/* The first RRset at or after (owner, TXT): ListResourceRecordSets starts
 * there, so what comes back may be another name or type. */
static int
rrset_get(struct r53 *r, const struct tp_zone *zone, const char *owner,
          struct tp_r53_rrset *out)
{
	struct tp_buf path = TP_BUF_INIT(PATH_MAX_LEN);
	char *body = NULL;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	tp_buf_adds(&path, "/2013-04-01/hostedzone/");
	tp_buf_add_urlenc(&path, zone->id);
	tp_buf_adds(&path, "/rrset?name=");
	tp_buf_add_urlenc(&path, owner);
	tp_buf_adds(&path, ".&type=TXT&maxitems=1");
	rc = path.err ? tp_err_set(TP_EUSAGE, "route53: name too long")
	              : tp_r53_call(&r->api, &body, &len, "GET", path.s, NULL,
	                            1, "reading the TXT records");
	if (rc == 0)
		rc = tp_r53_xml_rrset(out, body, len);
	free(body);
	tp_buf_release(&path);
	return rc;
}

static int
is_ours(const struct tp_r53_rrset *rr, const char *owner)
{
	return rr->found && strcasecmp(rr->name, owner) == 0 &&
	    strcmp(rr->type, "TXT") == 0;
}

/* Our view of an RRset: decoded values, and the wire form of each as
 * Route 53 returned it (in ids: DELETE must repeat it exactly). */
static int
rrset_fill(struct tp_txt_rrset *out, const struct tp_r53_rrset *rr,
           const char *owner)
{
	char *v;
	size_t i, len;
	int rc = 0;

	if (rr->set_id != NULL || rr->alias || rr->ttl < 0)
		return tp_err_set(TP_EUSAGE,
		                  "route53: the TXT records at '%s' use a "
		                  "routing policy%s%s%s: this tool only writes "
		                  "simple records; change them in the console "
		                  "or with the AWS CLI",
		                  owner, rr->set_id ? " (SetIdentifier '" : "",
		                  rr->set_id ? rr->set_id : "",
		                  rr->set_id ? "')" : "");
	out->exists = 1;
	out->ttl = rr->ttl;
	for (i = 0; i < rr->values.n && rc == 0; i++) {
		rc = tp_r53_txt_decode(&v, &len, rr->values.v[i]);
		if (rc != 0)
			break;
		if (memchr(v, '\0', len) != NULL) {
			free(v);
			rc = tp_err_set(
			    TP_EUSAGE,
			    "route53: a TXT value at '%s' holds a NUL "
			    "byte (\\000), which this tool cannot "
			    "keep intact: fix it by hand",
			    owner);
		} else {
			rc = tp_strv_take(&out->values, v);
		}
		if (rc == 0)
			rc = tp_strv_add(&out->ids, rr->values.v[i]);
	}
	return rc;
}

static int
r53_read_txt(void *h, const struct tp_zone *zone, const char *owner,
             struct tp_txt_rrset *out)
{
	struct tp_r53_rrset rr;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = rrset_get(h, zone, owner, &rr);
	if (rc == 0 && is_ours(&rr, owner))
		rc = rrset_fill(out, &rr, owner);
	tp_r53_rrset_release(&rr);
	if (rc != 0)
		tp_txt_rrset_release(out);
	return rc;
}

/* ---- writing ---------------------------------------------------------- */

/* The wire values to CREATE: a value that was already there keeps the
 * exact form Route 53 had (its split into strings included). */
static int
wire_values(struct tp_strv *out, const struct tp_txt_rrset *before,
            const struct tp_strv *after)
{
	char *used, *enc;
	size_t i, j;
	int rc = 0;

	used = calloc(before->values.n + 1, 1);
	if (used == NULL)
		return tp_err_set(TP_EINTERNAL, "route53: out of memory");
	for (i = 0; i < after->n && rc == 0; i++) {
		for (j = 0; j < before->values.n; j++)
			if (!used[j] &&
			    strcmp(before->values.v[j], after->v[i]) == 0)
				break;
		if (j < before->values.n && j < before->ids.n) {
			used[j] = 1;
			rc = tp_strv_add(out, before->ids.v[j]);
			continue;
		}
		rc = tp_r53_txt_encode(&enc, after->v[i], strlen(after->v[i]));
		if (rc == 0 && strlen(enc) > TP_R53_VALUE_MAX)
			rc =
			    tp_err_set(TP_EUSAGE,
			               "route53: a TXT value of %zu characters "
			               "in Route 53's form is over its %d "
			               "character limit: shorten the record",
			               strlen(enc), TP_R53_VALUE_MAX);
		if (rc == 0)
			rc = tp_strv_take(out, enc);
		else
			free(enc);
	}
	free(used);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when the RRset read now is the one the batch was built on. */
static int
same_rrset(const struct tp_txt_rrset *before, const struct tp_r53_rrset *now,
           const char *owner)
{
	struct tp_strv a = TP_STRV_INIT, b = TP_STRV_INIT;
	size_t i;
	int same;

	if (!is_ours(now, owner))
		return !before->exists;
	if (!before->exists || before->ttl != now->ttl ||
	    before->ids.n != now->values.n)
		return 0;
	if (tp_strv_copy(&a, &before->ids) != 0 ||
	    tp_strv_copy(&b, &now->values) != 0) {
		same = 0; /* cannot tell: treat as changed, core re-reads */
		goto out;
	}
	if (a.n > 0) {
		qsort(a.v, a.n, sizeof(*a.v), cmp_str);
		qsort(b.v, b.n, sizeof(*b.v), cmp_str);
	}
	for (same = 1, i = 0; i < a.n && same; i++)
		same = strcmp(a.v[i], b.v[i]) == 0;
out:
	tp_strv_release(&a);
	tp_strv_release(&b);
	return same;
}

/*
 * The batch was refused as invalid. If the RRset changed since we read
 * it, that is a conflict (core reads again); if not, Route 53 refused our
 * values themselves, and trying again would not help.
 */
static int
refused(struct r53 *r, const struct tp_zone *zone, const char *owner,
        const struct tp_txt_rrset *before)
{
	struct tp_r53_rrset now;
	struct tp_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	if (tp_err_copy(&e) != 0)
		return TP_EINTERNAL;
	rc = rrset_get(r, zone, owner, &now);
	if (rc != 0)
		rc =
		    tp_err_set_api(TP_ECONFLICT, e.http_status, e.provider_code,
		                   e.provider_message, "%s", e.message);
	else if (!same_rrset(before, &now, owner))
		rc = tp_err_set_api(TP_ECONFLICT, e.http_status,
		                    e.provider_code, e.provider_message,
		                    "%s: the TXT records at '%s' changed while "
		                    "this run was writing them",
		                    e.message, owner);
	else
		rc =
		    tp_err_set_api(TP_EUSAGE, e.http_status, e.provider_code,
		                   e.provider_message,
		                   "%s: Route 53 refused the new TXT records "
		                   "at '%s' (nothing else changed them): check "
		                   "the values",
		                   e.message, owner);
	tp_r53_rrset_release(&now);
	tp_error_release(&e);
	return rc;
}

static int
submit(struct r53 *r, const struct tp_zone *zone, const char *owner,
       const struct tp_r53_change *c, size_t n)
{
	struct tp_buf path = TP_BUF_INIT(PATH_MAX_LEN);
	struct tp_buf xml = TP_BUF_INIT(BODY_MAX);
	char *body = NULL, what[512];
	size_t len;
	int rc, insync = 0;

	tp_buf_adds(&path, "/2013-04-01/hostedzone/");
	tp_buf_add_urlenc(&path, zone->id);
	tp_buf_adds(&path, "/rrset/");
	tp_r53_xml_change_batch(&xml, r->comment, c, n);
	(void)snprintf(what, sizeof(what), "changing the TXT records at '%s'",
	               owner);
	/* Not idempotent: an answer lost after Route 53 applied the batch
	 * makes core read again rather than resend. */
	rc = path.err || xml.err
	    ? tp_err_set(TP_EUSAGE,
	                 "route53: the change batch for '%s' is "
	                 "too large",
	                 owner)
	    : tp_r53_call(&r->api, &body, &len, "POST", path.s, xml.s, 0, what);
	free(r->change_id);
	r->change_id = NULL;
	if (rc == 0)
		rc = tp_r53_xml_change(&r->change_id, &insync, body, len);
	if (rc == 0 && insync) {
		free(r->change_id);
		r->change_id = NULL;
	}
	free(body);
	tp_buf_release(&xml);
	tp_buf_release(&path);
	return rc;
}

static int
r53_write_txt(void *h, const struct tp_zone *zone, const char *owner,
              const struct tp_txt_rrset *before, const struct tp_strv *after,
              long ttl)
{
	struct tp_strv create = TP_STRV_INIT;
	struct tp_r53_change c[2];
	struct r53 *r = h;
	size_t n = 0;
	int rc;

	if (!before->exists && after->n == 0)
		return 0;
	if (before->exists && before->ids.n != before->values.n)
		return tp_err_set(TP_EINTERNAL,
		                  "route53: the RRset read has no wire "
		                  "values");
	if (before->exists)
		c[n++] = (struct tp_r53_change){"DELETE", owner, before->ttl,
		                                &before->ids};
	rc = wire_values(&create, before, after);
	if (rc == 0 && after->n > 0)
		c[n++] = (struct tp_r53_change){"CREATE", owner, ttl, &create};
	if (rc == 0)
		rc = submit(r, zone, owner, c, n);
	if (rc == TP_ECONFLICT)
		rc = refused(r, zone, owner, before);
	tp_strv_release(&create);
	return rc;
}

/* ---- change tracking -------------------------------------------------- */

/* Sleep up to s seconds; 0, or TP_EINTR as soon as the run is stopped. */
static int
nap(const struct r53 *r, double s)
{
	struct timespec ts;
	double step;

	while (s > 0) {
		if (r->stop != NULL && *r->stop)
			return tp_err_set(TP_EINTR,
			                  "route53: interrupted while waiting "
			                  "for the change to be INSYNC");
		step = s < 0.1 ? s : 0.1;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(step * 1e9);
		nanosleep(&ts, NULL);
		s -= step;
	}
	return 0;
}

/* One GetChange: *insync 1 once the change is INSYNC. */
static int
sync_ask(struct r53 *r, const char *change_id, int *insync)
{
	struct tp_buf path = TP_BUF_INIT(PATH_MAX_LEN);
	char *body = NULL, *id = NULL;
	size_t len;
	int rc;

	*insync = 0;
	tp_buf_adds(&path, "/2013-04-01/change/");
	tp_buf_add_urlenc(&path, change_id);
	rc = path.err ? tp_err_set(TP_EUSAGE, "route53: change id too long")
	              : tp_r53_call(&r->api, &body, &len, "GET", path.s, NULL,
	                            1, "asking whether the change is INSYNC");
	if (rc == 0)
		rc = tp_r53_xml_change(&id, insync, body, len);
	free(body);
	free(id);
	tp_buf_release(&path);
	return rc;
}

static int
r53_wait_change(void *h, double deadline)
{
	struct r53 *r = h;
	double wait = r->sync_interval, start = tp_clock_mono(), left;
	int rc = 0, insync = 0;

	if (!r->wait_sync || r->change_id == NULL)
		return 0;
	while (rc == 0 && !insync) {
		left = deadline - tp_clock_mono();
		if (left <= 0) {
			rc = tp_err_set(TP_ETIMEOUT,
			                "route53: change '%s' is still PENDING "
			                "after %.0f s (GetChange): Route 53 "
			                "usually syncs within 60 s; raise "
			                "--timeout, or check it later",
			                r->change_id, tp_clock_mono() - start);
			break;
		}
		if ((rc = nap(r, wait < left ? wait : left)) != 0)
			break;
		rc = sync_ask(r, r->change_id, &insync);
		wait = fmin(wait * 1.5, SYNC_POLL_MAX);
	}
	if (rc == 0 || rc == TP_ENOTFOUND) {
		free(r->change_id);
		r->change_id = NULL;
	}
	return rc;
}

/* Bulk runs: core tracks the change while this worker goes on. */
static int
r53_change_take(void *h, char **token, double *first_poll)
{
	struct r53 *r = h;

	*token = NULL;
	*first_poll = r->sync_interval;
	if (r->wait_sync)
		*token = r->change_id;
	else
		free(r->change_id);
	r->change_id = NULL;
	return 0;
}

static int
r53_change_poll(void *h, const char *token, int *done)
{
	return sync_ask(h, token, done);
}

/* ---- zones ------------------------------------------------------------ */

static int
r53_find_zone(void *h, struct tp_zone *out, const char *name,
              const char *zone_id)
{
	struct r53 *r = h;

	return tp_r53_find_zone(&r->api, &r->memo, &r->zo, out, name, zone_id);
}

static int
r53_list_zones(void *h, struct tp_zone **out, size_t *n)
{
	struct r53 *r = h;

	return tp_r53_list_zones(&r->api, &r->zo, out, n);
}

/* ---- lifecycle -------------------------------------------------------- */

static int
setting_bool(int *out, const struct tp_settings *s, const char *key)
{
	const char *v = tp_settings_get(s, key);

	if (v == NULL || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0)
		*out = v != NULL;
	else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
	         strcmp(v, "0") == 0)
		*out = 0;
	else
		return tp_err_set(TP_ECONFIG,
		                  "route53: %s '%s' (%s) is not true or false",
		                  key, v, tp_settings_source(s, key));
	return 0;
}

static int
settings_read(struct r53 *r, const struct tp_settings *s)
{
	const char *iv = tp_settings_get(s, "sync_interval");
	char *end;
	int rc;

	if ((rc = setting_bool(&r->zo.private_zone, s, "private_zone")) != 0 ||
	    (rc = setting_bool(&r->wait_sync, s, "wait_sync")) != 0)
		return rc;
	r->sync_interval = iv != NULL ? strtod(iv, &end) : 2.0;
	if (iv != NULL &&
	    (end == iv || *end != '\0' ||
	     !(r->sync_interval > 0 && r->sync_interval <= 60)))
		return tp_err_set(TP_ECONFIG,
		                  "route53: sync_interval '%s' (%s) is not a "
		                  "number of seconds from 0 to 60",
		                  iv, tp_settings_source(s, "sync_interval"));
	r->comment = tp_settings_get(s, "comment");
	return 0;
}

static int
r53_open_account(void **out, const struct tp_provider_ctx *ctx)
{
	struct tp_r53_account *a = NULL;
	int rc;

	*out = NULL;
	rc = tp_r53_account_new(&a, ctx->settings, ctx->http_opts);
	*out = a;
	return rc;
}

static void
r53_close_account(void *shared)
{
	tp_r53_account_free(shared);
}

static void r53_close(void *h);

static int
r53_open(void **out, const struct tp_provider_ctx *ctx)
{
	struct r53 *r;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return tp_err_set(TP_EINTERNAL, "route53: out of memory");
	rc = settings_read(r, ctx->settings);
	r->api.acct = ctx->shared;
	if (rc == 0 && r->api.acct == NULL) {
		rc = tp_r53_account_new(&r->own, ctx->settings, ctx->http_opts);
		r->api.acct = r->own;
	}
	if (rc == 0) {
		r->api.http = ctx->http;
		r->api.base = r->api.acct->ep.url;
		r->stop = ctx->http_opts ? ctx->http_opts->stop : NULL;
		rc = tp_r53_account_creds(r->api.acct, &r->api.creds,
		                          time(NULL));
	}
	if (rc != 0) {
		r53_close(r);
		return rc;
	}
	tp_sink_log(ctx->sink, TP_LOG_DEBUG,
	            "route53: endpoint %s (%s), signing region %s", r->api.base,
	            r->api.acct->ep.source, r->api.acct->ep.signing_region);
	*out = r;
	return 0;
}

static void
r53_close(void *h)
{
	struct r53 *r = h;

	if (r == NULL)
		return;
	tp_r53_api_release(&r->api);
	tp_r53_account_free(r->own);
	tp_r53_memo_release(&r->memo);
	free(r->change_id);
	free(r);
}

/* Route 53 delegation sets: ns-NNN.awsdns-NN.com, .net, .org, .co.uk. */
static const char *const r53_ns[] = {"ns-*.awsdns-*", NULL};

const struct tp_provider tp_provider_route53 = {
    .version = TP_PROVIDER_VERSION,
    .name = "route53",
    .title = "Amazon Route 53",
    .doc = "docs/providers/route53.md",
    .settings = r53_settings,
    .nsettings = sizeof(r53_settings) / sizeof(r53_settings[0]),
    .permissions = "AWS credentials allowed route53:ListHostedZonesByName, "
                   "route53:ListResourceRecordSets, "
                   "route53:ChangeResourceRecordSets and route53:GetChange "
                   "(route53:GetHostedZone with --zone-id, "
                   "route53:ListHostedZones for long domain lists)",
    /* Five requests per second per AWS account, shared with every
     * other tool: no burst above it. */
    .rate = 5,
    .burst = 1,
    .min_ttl = 1, /* Route 53 takes 0; TTLs here start at 1 */
    .default_ttl = 3600,
    .max_ttl = 2147483647L,
    .auto_ttl = 0,
    .timeout = 300,
    .interval = 2,
    .open = r53_open,
    .find_zone = r53_find_zone,
    .read_txt = r53_read_txt,
    .write_txt = r53_write_txt,
    .wait_change = r53_wait_change,
    .list_zones = r53_list_zones,
    .close = r53_close,
    .ns_patterns = r53_ns,
    .change_take = r53_change_take,
    .change_poll = r53_change_poll,
    .open_account = r53_open_account,
    .close_account = r53_close_account,
};
