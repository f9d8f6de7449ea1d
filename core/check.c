/*
 * check.c: `tlsrpt-publish check` (check.h): the lookups of every domain
 * at once in one event loop, the watcher for the authoritative mode, and
 * one result per domain as soon as it is final.
 *
 * Through a resolver, a domain costs four TXT queries: the owner
 * _smtp._tls.D, and the side names D (a record published at the apex),
 * _smtp-tlsrpt.D (the pre-RFC name) and _mta-sts.D (the MTA-STS stage).
 * In authoritative mode these are asked first (from the given servers, or
 * the resolver), then the watcher reads the owner from every address of
 * every name server, once or until valid (--wait).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "tlsrpt/watch.h"

struct check_run {
	const struct tp_check_opts *o;
	struct check_dom *doms;
	size_t n;
	struct tp_dns *dns;
	struct tp_dns_server *res; /* side lookups, and the owner in the
				    * resolver mode */
};

struct lookarg {
	struct check_dom *c;
	struct check_look *l;
	const char *name;
};

static void
look_release(struct check_look *l)
{
	tp_dns_cancel(l->q);
	free(l->fail);
	free(l->zone);
	tp_txtset_release(&l->set);
	tp_strv_release(&l->cnames);
}

static void
emit(struct check_dom *c)
{
	struct tp_result r;

	if (tp_check_eval(&r, c, c->run->o) != 0) {
		tp_result_fail(&r);
		r.status = TP_CHECK_UNKNOWN;
	}
	tp_sink_result(c->run->o->sink, &r);
	tp_result_release(&r);
}

static void
look_fill(struct check_look *l, const struct tp_dns_answer *a, const char *name)
{
	struct tp_buf b = TP_BUF_INIT(1024);
	const struct tp_dns_rr *soa;
	const char *ref;
	size_t n;

	if (a->status != TP_DNS_ANSWERED) {
		l->state = 2;
		l->fail = strdup(a->what ? a->what : "no answer");
		return;
	}
	l->rcode = a->rcode;
	if (a->rcode != TP_DNS_R_NOERROR && a->rcode != TP_DNS_R_NXDOMAIN) {
		l->state = 2;
		n = strlen(tp_dns_rcode_name(a->rcode));
		l->fail = malloc(n + sizeof("rcode "));
		if (l->fail != NULL) {
			memcpy(l->fail, "rcode ", 6);
			memcpy(l->fail + 6, tp_dns_rcode_name(a->rcode), n + 1);
		}
		return;
	}
	if ((ref = tp_dns_answer_referral(a)) != NULL) {
		l->state = 2;
		tp_buf_addf(&b,
		            "the server sent a referral to the name servers of "
		            "%s instead of an answer: it is not a recursive "
		            "resolver",
		            ref);
		l->fail = tp_buf_detach(&b);
		return;
	}
	l->state = 1;
	if (tp_dns_answer_txt(&l->set, &l->cnames, NULL, a, name) != 0) {
		l->state = 2;
		l->fail = strdup(tp_err_msg());
	}
	soa = tp_dns_answer_soa(a, TP_DNS_AUTHORITY);
	if (soa != NULL) {
		free(l->zone);
		l->zone = strdup(soa->name);
	}
}

/*
 * Where to ask next when the owner's CNAME chain leaves the answer: a
 * resolver completes the chain (the target's TXT, or a negative answer
 * with its SOA), but an authoritative server only follows it inside its
 * zone and stops at a target elsewhere. Then the target is asked as a
 * resolver would, up to CHASE_MAX times and never round a loop. NULL when
 * the answer is complete.
 */
#define CHASE_MAX 8

static const char *
chase_target(const struct check_dom *c, const struct check_look *l,
             const struct tp_dns_answer *a)
{
	const char *t;
	size_t i;

	if (l != &c->own || l->state != 1 || l->set.n > 0 || l->cnames.n == 0 ||
	    a->rcode != TP_DNS_R_NOERROR ||
	    tp_dns_answer_soa(a, TP_DNS_AUTHORITY) != NULL ||
	    l->chased >= CHASE_MAX)
		return NULL;
	t = l->cnames.v[l->cnames.n - 1];
	if (strcasecmp(t, c->owner) == 0)
		return NULL;
	for (i = 0; i + 1 < l->cnames.n; i++)
		if (strcasecmp(t, l->cnames.v[i]) == 0)
			return NULL;
	return t;
}

static void
on_look(void *arg, const struct tp_dns_answer *a)
{
	struct lookarg *la = arg;
	struct check_dom *c = la->c;
	const char *next;

	la->l->q = NULL;
	look_fill(la->l, a, la->name);
	if ((next = chase_target(c, la->l, a)) != NULL) {
		/* The same lookup goes on (still pending); next lives in
		 * l->cnames until the domain is released. */
		la->l->chased++;
		la->name = next;
		if (tp_dns_query(&la->l->q, c->run->res, next, TP_DNS_T_TXT,
		                 on_look, la) == 0)
			return;
	}
	free(la);
	/* In the resolver mode the owner is one of the lookups. */
	if (--c->pending == 0 && !c->run->o->authoritative)
		emit(c);
}

static int
look(struct check_dom *c, struct check_look *l, const char *name)
{
	struct lookarg *la;
	int rc;

	la = calloc(1, sizeof(*la));
	if (la == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	la->c = c;
	la->l = l;
	la->name = name;
	l->rcode = -1;
	rc = tp_dns_query(&l->q, c->run->res, name, TP_DNS_T_TXT, on_look, la);
	if (rc != 0) {
		free(la);
		return rc;
	}
	c->pending++;
	return 0;
}

/* "PREFIX.DOMAIN", owned by the caller. */
static char *
prefixed(const char *prefix, const char *domain)
{
	size_t a = strlen(prefix), b = strlen(domain);
	char *s;

	s = malloc(a + b + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, prefix, a);
	memcpy(s + a, domain, b + 1);
	return s;
}

static int
dom_init(struct check_dom *c, struct check_run *run, const char *in)
{
	int rc;

	c->run = run;
	if ((rc = tp_domain_normalize(&c->domain, in)) != 0)
		return rc;
	/* The owner name typed for the domain would be read one level too
	 * deep, and its record called misplaced. */
	if (strncmp(c->domain, "_smtp._tls.", 11) == 0)
		return tp_err_set(
		    TP_EUSAGE,
		    "domain: '%s' is the record's owner name: give "
		    "the domain itself, '%s'",
		    c->domain, c->domain + 11);
	c->owner = prefixed("_smtp._tls.", c->domain);
	c->legacy_name = prefixed("_smtp-tlsrpt.", c->domain);
	c->sts_name = prefixed("_mta-sts.", c->domain);
	if (c->owner == NULL || c->legacy_name == NULL || c->sts_name == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	return 0;
}

static void
dom_release(struct check_dom *c)
{
	look_release(&c->own);
	look_release(&c->apex);
	look_release(&c->legacy);
	look_release(&c->sts);
	free(c->domain);
	free(c->owner);
	free(c->legacy_name);
	free(c->sts_name);
	free(c->watch_err);
	tp_confirm_release(&c->confirm);
}

static int
start_lookups(struct check_dom *c)
{
	int rc;

	rc = look(c, &c->own, c->owner);
	if (rc == 0)
		rc = look(c, &c->apex, c->domain);
	if (rc == 0)
		rc = look(c, &c->legacy, c->legacy_name);
	if (rc == 0)
		rc = look(c, &c->sts, c->sts_name);
	return rc;
}

static int
lookups(struct check_run *run)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < run->n; i++)
		rc = start_lookups(&run->doms[i]);
	while (rc == 0 && tp_dns_pending(run->dns) > 0)
		rc = tp_dns_step(run->dns, -1, 1.0) < 0 ? TP_EINTERNAL : 0;
	return rc;
}

static void
on_watch(void *ctx, void *user, struct tp_confirm *cf, int rc)
{
	struct check_dom *c = user;

	(void)ctx;
	c->watched = 1;
	c->watch_rc = rc;
	if (rc != 0)
		c->watch_err = strdup(tp_err_msg());
	c->confirm = *cf;
	memset(cf, 0, sizeof(*cf));
	emit(c);
}

static int
watch_new(struct tp_watch **w, struct check_run *run)
{
	const struct tp_check_opts *o = run->o;
	struct tp_watch_opts wo;

	memset(&wo, 0, sizeof(wo));
	wo.resolvers = o->resolvers;
	wo.nameservers = o->nameservers;
	wo.interval = o->interval;
	wo.query_timeout = o->query_timeout;
	wo.strict_families = o->strict_families;
	wo.sink = o->sink;
	return tp_watch_new(w, &wo, on_watch, run);
}

static int
watch_all(struct tp_watch *w, struct check_run *run)
{
	const struct tp_check_opts *o = run->o;
	struct tp_watch_req req;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < run->n; i++) {
		memset(&req, 0, sizeof(req));
		req.domain = run->doms[i].domain;
		req.expect = TP_WATCH_VALID;
		req.expect_rua = o->expect_rua;
		/* Without --wait, one poll: the deadline only bounds it. */
		req.timeout = o->wait ? o->timeout : 60;
		req.old_ttl = -1;
		req.user = &run->doms[i];
		req.once = !o->wait;
		rc = tp_watch_add(w, &req);
	}
	tp_watch_close(w);
	if (rc == 0)
		rc = tp_watch_run(w);
	return rc;
}

/* Where the side names are asked: the given servers when they are all
 * addresses (split horizon: the resolver may not know the zone), else
 * the resolvers. */
static int
side_server(struct check_run *run)
{
	const struct tp_check_opts *o = run->o;
	struct tp_dns_addr a;
	size_t i;

	if (o->nameservers != NULL && o->nameservers->n > 0) {
		for (i = 0; i < o->nameservers->n; i++)
			if (tp_dns_addr_parse(&a, o->nameservers->v[i],
			                      "--nameserver") != 0)
				break;
		if (i == o->nameservers->n)
			return tp_dns_resolver(&run->res, run->dns,
			                       o->nameservers, 0);
	}
	return tp_dns_resolver(&run->res, run->dns, o->resolvers, 1);
}

static int
check_usage(const struct tp_check_opts *o)
{
	size_t i;
	char *n;
	int rc;

	for (i = 0; o->expect_rua != NULL && i < o->expect_rua->n; i++) {
		if ((rc = tp_rua_normalize(&n, o->expect_rua->v[i])) != 0)
			return rc;
		free(n);
	}
	return 0;
}

int
tp_check_run(const struct tp_check_opts *opts, const struct tp_strv *domains)
{
	struct tp_check_opts o = *opts;
	struct tp_dns_opts dopts;
	struct check_run run;
	struct tp_watch *w = NULL;
	size_t i;
	int rc;

	if (o.nameservers != NULL && o.nameservers->n > 0)
		o.authoritative = 1;
	if (o.wait)
		o.authoritative = 1;
	if (o.timeout <= 0)
		o.timeout = 300;
	memset(&run, 0, sizeof(run));
	run.o = &o;
	if (domains->n == 0)
		return tp_err_set(TP_EUSAGE, "check: no domain given");
	if ((rc = check_usage(&o)) != 0)
		return rc;
	run.doms = calloc(domains->n, sizeof(*run.doms));
	if (run.doms == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	run.n = domains->n;
	for (i = 0; i < run.n; i++)
		if ((rc = dom_init(&run.doms[i], &run, domains->v[i])) != 0)
			goto out;
	memset(&dopts, 0, sizeof(dopts));
	dopts.timeout = o.query_timeout;
	if ((rc = tp_dns_new(&run.dns, &dopts)) != 0 ||
	    (rc = side_server(&run)) != 0)
		goto out;
	if (o.authoritative && (rc = watch_new(&w, &run)) != 0)
		goto out;
	/* The owner through the resolver too: in the authoritative mode it
	 * follows a CNAME to a zone the servers do not serve. */
	rc = lookups(&run);
	if (rc == 0 && o.authoritative)
		rc = watch_all(w, &run);
out:
	tp_watch_free(w);
	for (i = 0; i < run.n; i++)
		dom_release(&run.doms[i]);
	free(run.doms);
	tp_dns_free(run.dns);
	return rc;
}
