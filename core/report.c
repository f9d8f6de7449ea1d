/*
 * report.c: results and summaries as JSON (cJSON stays in this file).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "tlsrpt/dns.h"
#include "tlsrpt/err.h"
#include "tlsrpt/report.h"

void
tp_report_time(char *buf, size_t size, double t)
{
	struct tm tm;
	time_t tt;

	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, size, "%s", "");
}

/* Strings may hold any byte a DNS answer had; cJSON escapes controls and
 * quotes, and invalid UTF-8 is passed through as bytes the consumer can
 * still read as Latin-1. */
static int
add_str(cJSON *o, const char *k, const char *v)
{
	if (v == NULL)
		return 0;
	return cJSON_AddStringToObject(o, k, v) == NULL ? -1 : 0;
}

static int
add_strv(cJSON *o, const char *k, const struct tp_strv *sv)
{
	cJSON *a;
	size_t i;

	a = cJSON_AddArrayToObject(o, k);
	if (a == NULL)
		return -1;
	for (i = 0; i < sv->n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(sv->v[i])))
			return -1;
	return 0;
}

static int
add_time(cJSON *o, const char *k, double t)
{
	char buf[32];

	if (t <= 0)
		return 0;
	tp_report_time(buf, sizeof(buf), t);
	return add_str(o, k, buf);
}

static int
add_servers(cJSON *o, const struct tp_confirm *c)
{
	const struct tp_server_result *sv;
	cJSON *a, *s;
	size_t i;

	a = cJSON_AddArrayToObject(o, "servers");
	if (a == NULL)
		return -1;
	for (i = 0; i < c->nservers; i++) {
		sv = &c->servers[i];
		s = cJSON_CreateObject();
		if (s == NULL || !cJSON_AddItemToArray(a, s))
			return -1;
		if (add_str(s, "ns", sv->ns) ||
		    add_str(s, "address", sv->address) ||
		    add_str(s, "status", tp_server_state_name(sv->state)) ||
		    add_time(s, "since", sv->since) ||
		    add_str(s, "detail", sv->detail))
			return -1;
		if (sv->state != TP_SERVER_UNREACHABLE &&
		    add_str(s, "rcode", tp_dns_rcode_name(sv->rcode)))
			return -1;
		if (add_str(s, "cname", sv->cname) ||
		    (sv->excused && !cJSON_AddTrueToObject(s, "excused")))
			return -1;
		if (sv->values.n > 0 && add_strv(s, "values", &sv->values))
			return -1;
	}
	return 0;
}

static int
add_confirm(cJSON *o, const struct tp_confirm *c)
{
	cJSON *j;

	if (c->status == TP_CONFIRM_NONE)
		return 0;
	j = cJSON_AddObjectToObject(o, "confirm");
	if (j == NULL ||
	    add_str(j, "status", tp_confirm_status_name(c->status)))
		return -1;
	if (c->status != TP_CONFIRM_SKIPPED) {
		/* Tenths of a second: more digits would only be noise. */
		if (!cJSON_AddNumberToObject(j, "seconds",
		                             round(c->seconds * 10) / 10))
			return -1;
		if (add_time(j, "visible_by", c->visible_by) ||
		    add_servers(j, c))
			return -1;
	}
	return 0;
}

static int
add_error(cJSON *o, const struct tp_error *e)
{
	cJSON *j;

	if (e->code == 0)
		return 0;
	j = cJSON_AddObjectToObject(o, "error");
	if (j == NULL || add_str(j, "kind", tp_err_kind(e->code)) ||
	    add_str(j, "message", e->message ? e->message : ""))
		return -1;
	if (e->http_status != 0 &&
	    !cJSON_AddNumberToObject(j, "http_status", (double)e->http_status))
		return -1;
	if (add_str(j, "provider_code", e->provider_code) ||
	    add_str(j, "provider_message", e->provider_message))
		return -1;
	return 0;
}

static int
add_diags(cJSON *o, const struct tp_diags *d)
{
	cJSON *a, *j;
	size_t i;

	a = cJSON_AddArrayToObject(o, "diagnostics");
	if (a == NULL)
		return -1;
	for (i = 0; i < d->n; i++) {
		j = cJSON_CreateObject();
		if (j == NULL || !cJSON_AddItemToArray(a, j))
			return -1;
		if (add_str(j, "severity",
		            tp_severity_name(d->v[i].severity)) ||
		    add_str(j, "code", d->v[i].code) ||
		    !cJSON_AddNumberToObject(j, "offset",
		                             (double)d->v[i].offset) ||
		    add_str(j, "message", d->v[i].message) ||
		    add_str(j, "hint", d->v[i].hint))
			return -1;
	}
	return 0;
}

static int
add_change(cJSON *o, const struct tp_result *r)
{
	if (add_str(o, "action", tp_action_name(r->action)) ||
	    add_str(o, "record", r->record))
		return -1;
	if (r->has_sets &&
	    (add_strv(o, "before", &r->before) ||
	     add_strv(o, "after", &r->after)))
		return -1;
	if (r->dropped_rua.n > 0 && add_strv(o, "dropped_rua", &r->dropped_rua))
		return -1;
	if (r->ttl > 0 && !cJSON_AddNumberToObject(o, "ttl", (double)r->ttl))
		return -1;
	if (r->has_sets && r->old_ttl > 0 &&
	    !cJSON_AddNumberToObject(o, "old_ttl", (double)r->old_ttl))
		return -1;
	return add_confirm(o, &r->confirm);
}

static int
add_check(cJSON *o, const struct tp_result *r)
{
	if (add_str(o, "status", tp_check_status_name(r->status)) ||
	    add_strv(o, "values", &r->values) ||
	    add_str(o, "record", r->record) || add_diags(o, &r->diagnostics))
		return -1;
	if (r->confirm.nservers > 0 && add_servers(o, &r->confirm))
		return -1;
	if (r->confirm.status != TP_CONFIRM_NONE && add_confirm(o, &r->confirm))
		return -1;
	if (r->mta_sts != TP_MTA_STS_NONE &&
	    add_str(o, "mta_sts", tp_mta_sts_name(r->mta_sts)))
		return -1;
	return 0;
}

static int
finish(char **out, cJSON *o, int failed)
{
	char *s = NULL;

	if (!failed)
		s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		return tp_err_set(TP_EINTERNAL, "report: out of memory");
	/* cJSON_malloc is plain malloc unless hooks are installed (they are
	 * not), so the caller may free() it. */
	*out = s;
	return 0;
}

int
tp_report_result_json(char **out, const struct tp_result *r)
{
	cJSON *o;
	int bad;

	*out = NULL;
	o = cJSON_CreateObject();
	if (o == NULL)
		return tp_err_set(TP_EINTERNAL, "report: out of memory");
	bad = add_str(o, "type", "result") || add_str(o, "domain", r->domain) ||
	    add_str(o, "provider", r->provider) ||
	    add_str(o, "account", r->account) || add_str(o, "zone", r->zone) ||
	    add_str(o, "owner", r->owner);
	if (!bad)
		bad = r->kind == TP_RESULT_CHECK ? add_check(o, r)
		                                 : add_change(o, r);
	if (!bad)
		bad = add_error(o, &r->error);
	return finish(out, o, bad);
}

static int
add_count(cJSON *o, const char *k, size_t n)
{
	return cJSON_AddNumberToObject(o, k, (double)n) == NULL ? -1 : 0;
}

int
tp_report_summary_json(char **out, const struct tp_summary *s,
                       const char *command)
{
	cJSON *o;
	int bad, i;

	*out = NULL;
	o = cJSON_CreateObject();
	if (o == NULL)
		return tp_err_set(TP_EINTERNAL, "report: out of memory");
	bad = add_str(o, "type", "summary") || add_str(o, "command", command) ||
	    add_count(o, "total", s->total);
	for (i = TP_ACTION_CREATED; !bad && i <= TP_ACTION_FAILED; i++)
		if (s->actions[i] > 0)
			bad = add_count(o, tp_action_name(i), s->actions[i]);
	for (i = TP_CHECK_VALID; !bad && i <= TP_CHECK_UNKNOWN; i++)
		if (s->statuses[i] > 0)
			bad = add_count(o, tp_check_status_name(i),
			                s->statuses[i]);
	for (i = TP_CONFIRM_CONFIRMED; !bad && i <= TP_CONFIRM_SKIPPED; i++)
		if (s->confirm[i] > 0) {
			char k[32];

			(void)snprintf(k, sizeof(k), "confirm_%s",
			               tp_confirm_status_name(i));
			bad = add_count(o, k, s->confirm[i]);
		}
	if (!bad)
		bad = add_count(o, "exit_status", (size_t)s->exit_status);
	return finish(out, o, bad);
}
