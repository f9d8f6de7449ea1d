/*
 * autodetect.c: --provider auto: NS lookups for many domains at once
 * through the discovery resolvers, then the provider whose name servers
 * they are (rules in include/tlsrpt/autodetect.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt/autodetect.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/dns.h"
#include "tlsrpt/err.h"

/* Labels walked up at most before giving up on a name. */
#define MAX_HOPS 8

struct ad_run;

struct ad_req {
	struct ad_run *run;
	struct tp_autodetect *out;
	const char *domain;
	char *cand; /* the name asked about now */
	int hops;
};

struct ad_run {
	struct tp_dns *dns;
	struct tp_dns_server *res;
	const struct tp_sink *sink;
};

static void ask(struct ad_req *r);

static void
fail(struct ad_req *r, int code, const char *msg)
{
	r->out->code = code;
	free(r->out->error);
	r->out->error = strdup(msg);
	if (r->out->error == NULL)
		r->out->code = TP_EINTERNAL;
}

/* Every NS target owned by name in section. */
static int
take_ns(struct tp_autodetect *o, const struct tp_dns_answer *a,
        enum tp_dns_section sect, const char *name)
{
	size_t i;

	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].section == sect && a->rr[i].type == TP_DNS_T_NS &&
		    a->rr[i].target != NULL &&
		    strcasecmp(a->rr[i].name, name) == 0 &&
		    !tp_strv_has(&o->ns, a->rr[i].target) &&
		    tp_strv_add(&o->ns, a->rr[i].target) != 0)
			return TP_EINTERNAL;
	return 0;
}

/* The NS set is known: remember its zone and recognise it. */
static void
found(struct ad_req *r, const char *zone)
{
	const struct tp_provider *p = NULL;

	free(r->out->zone);
	r->out->zone = strdup(zone);
	if (r->out->zone == NULL) {
		fail(r, TP_EINTERNAL, "autodetect: out of memory");
		return;
	}
	if (tp_autodetect_pick(&p, &r->out->ns, r->domain) != 0) {
		fail(r, tp_err_code(), tp_err_msg());
		return;
	}
	r->out->provider = p;
	tp_sink_log(r->run->sink, TP_LOG_INFO,
	            "%s: provider %s (name server %s of zone %s)", r->domain,
	            p->name, r->out->ns.v[0], zone);
}

/* Where to ask next from an answer without NS records for cand: the
 * apex of a negative answer's SOA, a referral, else one label up. */
static int
next_cand(struct ad_req *r, const struct tp_dns_answer *a)
{
	const struct tp_dns_rr *soa = tp_dns_answer_soa(a, TP_DNS_AUTHORITY);
	const char *dot;
	size_t i;

	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].section == TP_DNS_AUTHORITY &&
		    a->rr[i].type == TP_DNS_T_NS &&
		    strcmp(a->rr[i].name, ".") != 0 &&
		    tp_dns_name_in(r->cand, a->rr[i].name)) {
			if (take_ns(r->out, a, TP_DNS_AUTHORITY,
			            a->rr[i].name) != 0)
				return TP_EINTERNAL;
			found(r, a->rr[i].name);
			return 1;
		}
	if (soa != NULL && strcasecmp(soa->name, r->cand) != 0 &&
	    tp_dns_name_in(r->cand, soa->name) && strcmp(soa->name, ".") != 0)
		dot = soa->name;
	else if ((dot = strchr(r->cand, '.')) != NULL && dot[1] != '\0')
		dot++;
	else
		return -1;
	free(r->cand);
	r->cand = strdup(dot);
	return r->cand == NULL ? TP_EINTERNAL : 0;
}

static void
on_ns(void *arg, const struct tp_dns_answer *a)
{
	struct ad_req *r = arg;
	struct tp_buf b = TP_BUF_INIT(TP_ERR_MSG_MAX);
	int rc;

	if (a->status != TP_DNS_ANSWERED ||
	    (a->rcode != TP_DNS_R_NOERROR && a->rcode != TP_DNS_R_NXDOMAIN)) {
		tp_buf_addf(&b,
		            "autodetect: cannot look up the name servers of "
		            "'%s' through %s (%s): check --resolver, or give "
		            "its provider in the config file's domains list",
		            r->domain, tp_dns_server_name(r->run->res),
		            a->status == TP_DNS_ANSWERED
		                ? tp_dns_rcode_name(a->rcode)
		                : a->what);
		fail(r, TP_ENETWORK, b.s);
		tp_buf_release(&b);
		return;
	}
	if (take_ns(r->out, a, TP_DNS_ANSWER, r->cand) != 0) {
		fail(r, TP_EINTERNAL, "autodetect: out of memory");
		return;
	}
	if (r->out->ns.n > 0) {
		found(r, r->cand);
		return;
	}
	rc = ++r->hops > MAX_HOPS ? -1 : next_cand(r, a);
	if (rc == 0) {
		ask(r);
	} else if (rc < 0 && rc != TP_EINTERNAL) {
		tp_buf_addf(&b,
		            "autodetect: no zone with name servers found for "
		            "'%s' through %s: is the domain registered and "
		            "delegated?",
		            r->domain, tp_dns_server_name(r->run->res));
		fail(r, TP_ENOTFOUND, b.s);
		tp_buf_release(&b);
	} else if (rc == TP_EINTERNAL) {
		fail(r, TP_EINTERNAL, "autodetect: out of memory");
	}
}

static void
ask(struct ad_req *r)
{
	if (tp_dns_query(NULL, r->run->res, r->cand, TP_DNS_T_NS, on_ns, r) !=
	    0)
		fail(r, TP_EINTERNAL, "autodetect: out of memory");
}

/* The message for an NS set that names no single provider. */
static int
pick_error(const struct tp_strv *ns, const char *domain, int mixed)
{
	struct tp_buf b = TP_BUF_INIT(TP_ERR_MSG_MAX);
	const struct tp_provider *p;
	size_t i;
	int rc;

	for (i = 0; i < ns->n && i < 6; i++) {
		p = tp_provider_by_ns(ns->v[i]);
		tp_buf_addf(&b, "%s%s (%s)", i ? ", " : "", ns->v[i],
		            p ? p->name : "unknown");
	}
	if (ns->n > 6)
		tp_buf_addf(&b, ", and %zu more", ns->n - 6);
	rc = tp_err_set(TP_ENOTFOUND,
	                "autodetect: cannot tell the provider of '%s' from "
	                "its name servers%s: %s: give --provider NAME, or "
	                "set provider (or account) for it in the config "
	                "file's domains list",
	                domain,
	                mixed ? ", which belong to several operators" : "",
	                b.len ? b.s : "none");
	tp_buf_release(&b);
	return rc;
}

int
tp_autodetect_pick(const struct tp_provider **out, const struct tp_strv *ns,
                   const char *domain)
{
	const struct tp_provider *p, *first = NULL;
	size_t i;

	*out = NULL;
	for (i = 0; i < ns->n; i++) {
		p = tp_provider_by_ns(ns->v[i]);
		if (p == NULL || (first != NULL && p != first))
			return pick_error(ns, domain, first != NULL || i > 0);
		first = p;
	}
	if (first == NULL)
		return pick_error(ns, domain, 0);
	*out = first;
	return 0;
}

/* Run the engine until every lookup has its verdict (or stop). */
static int
drain(struct ad_run *run, const volatile int *stop)
{
	while (tp_dns_pending(run->dns) > 0) {
		if (stop != NULL && *stop)
			return TP_EINTR;
		if (tp_dns_step(run->dns, -1, 0.2) < 0)
			return tp_err_set(TP_EINTERNAL,
			                  "autodetect: polling failed");
	}
	return 0;
}

int
tp_autodetect_run(struct tp_autodetect *out, const char *const *domains,
                  size_t n, const struct tp_strv *resolvers,
                  const struct tp_sink *sink, const volatile int *stop)
{
	struct ad_req *reqs = NULL;
	struct tp_dns_opts o;
	struct ad_run run;
	size_t i;
	int rc;

	memset(out, 0, n * sizeof(*out));
	memset(&run, 0, sizeof(run));
	memset(&o, 0, sizeof(o));
	run.sink = sink;
	if ((rc = tp_dns_new(&run.dns, &o)) != 0 ||
	    (rc = tp_dns_resolver(&run.res, run.dns, resolvers, 1)) != 0)
		goto out;
	reqs = calloc(n ? n : 1, sizeof(*reqs));
	if (reqs == NULL) {
		rc = tp_err_set(TP_EINTERNAL, "autodetect: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		reqs[i].run = &run;
		reqs[i].out = &out[i];
		reqs[i].domain = domains[i];
		reqs[i].cand = strdup(domains[i]);
		if (reqs[i].cand == NULL)
			fail(&reqs[i], TP_EINTERNAL,
			     "autodetect: out of memory");
		else
			ask(&reqs[i]);
	}
	rc = drain(&run, stop);
	for (i = 0; i < n; i++)
		if (out[i].provider == NULL && out[i].code == 0)
			fail(&reqs[i], TP_EINTR,
			     "autodetect: interrupted before the name "
			     "servers were known");
	if (rc == TP_EINTR)
		rc = 0;
out:
	/* Freeing the engine drops any query left without its callback. */
	tp_dns_free(run.dns);
	for (i = 0; reqs != NULL && i < n; i++)
		free(reqs[i].cand);
	free(reqs);
	return rc;
}

void
tp_autodetect_release(struct tp_autodetect *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		tp_strv_release(&v[i].ns);
		free(v[i].zone);
		free(v[i].error);
		memset(&v[i], 0, sizeof(v[i]));
	}
}
