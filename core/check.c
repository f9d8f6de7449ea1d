/*
 * check.c: `tlsrpt-publish check` (check.h): the lookups of every domain
 * at once in one event loop, the watcher for the authoritative mode, and
 * one result per domain as soon as it is final.
 *
 * Through a resolver, a domain costs four TXT queries: the owner
 * _smtp._tls.D, and the side names D (a record published at the apex),
 * _smtp-tlsrpt.D (the pre-RFC name) and _mta-sts.D (the MTA-STS stage).
 * In authoritative mode these are asked (from the given servers, or the
 * resolver) while the watcher reads the owner from every address of
 * every name server, once or until valid (--wait). check_loop.c drives
 * both and finishes each domain; check_conf.c resolves the settings.
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

struct lookarg {
	struct check_dom *c;
	struct check_look *l;
	const char *name;
};

static void
look_release(struct check_look *l)
{
	if (l->q != NULL) {
		tp_dns_cancel(l->q);
		free(l->arg); /* its callback will never run */
		l->q = NULL;
	}
	free(l->fail);
	free(l->zone);
	tp_txtset_release(&l->set);
	tp_strv_release(&l->cnames);
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
	la->l->arg = NULL;
	free(la);
	if (--c->pending == 0)
		tp_check_finish(c);
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
	l->arg = la;
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
	tp_result_release(&c->result);
	tp_check_destv_release(&c->dests);
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
	run->res_recursive = 1;
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

/* Sorting domains by name, the input order breaking ties. */
static int
cmp_dom(const void *a, const void *b)
{
	const struct check_dom *x = *(const struct check_dom *const *)a;
	const struct check_dom *y = *(const struct check_dom *const *)b;
	int d = strcmp(x->domain, y->domain);

	return d != 0 ? d : (x < y ? -1 : x > y);
}

/* Drop every domain given again (as an argument and by --all, say),
 * keeping the first, and say so on the sink. */
static int
dedupe(struct check_run *run)
{
	struct check_dom **v;
	size_t i, k;

	v = calloc(run->n + 1, sizeof(*v));
	if (v == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	for (i = 0; i < run->n; i++)
		v[i] = &run->doms[i];
	qsort(v, run->n, sizeof(*v), cmp_dom);
	for (i = 1; i < run->n; i++)
		if (strcmp(v[i]->domain, v[i - 1]->domain) == 0) {
			tp_sink_log(run->o->sink, TP_LOG_WARN,
			            "check: '%s' is given more than once: "
			            "checked once",
			            v[i]->domain);
			v[i]->run = NULL; /* the mark of a duplicate */
		}
	free(v);
	for (i = 0, k = 0; i < run->n; i++) {
		if (run->doms[i].run == NULL) {
			dom_release(&run->doms[i]);
			continue;
		}
		if (k != i)
			run->doms[k] = run->doms[i];
		k++;
	}
	run->n = k;
	return 0;
}

/* The domains of the run, normalised, each with what it must have
 * (--expect-configured-rua). */
static int
doms_init(struct check_run *run, const struct check_conf *cc)
{
	struct check_dom *c;
	const char *from = NULL;
	size_t i;
	int rc;

	run->doms = calloc(cc->names.n, sizeof(*run->doms));
	if (run->doms == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	for (i = 0; i < cc->names.n; i++) {
		c = &run->doms[run->n++];
		if ((rc = dom_init(c, run, cc->names.v[i])) != 0)
			return rc;
		c->expect = tp_check_conf_expect(cc, i, &from);
		c->expect_from = from;
	}
	return dedupe(run);
}

int
tp_check_run(const struct tp_check_opts *opts, const struct tp_strv *domains)
{
	struct tp_check_opts o = *opts;
	struct tp_dns_opts dopts;
	struct check_conf cc;
	struct check_run run;
	size_t i;
	int rc;

	memset(&run, 0, sizeof(run));
	run.wake[0] = run.wake[1] = -1;
	run.o = &o;
	if ((rc = tp_check_conf_load(&cc, &o, domains)) != 0 ||
	    (rc = check_usage(&o)) != 0)
		goto out;
	if (o.nameservers->n > 0)
		o.authoritative = 1;
	if (o.wait)
		o.authoritative = 1;
	if (o.timeout <= 0)
		o.timeout = 300;
	if ((rc = doms_init(&run, &cc)) != 0)
		goto out;
	memset(&dopts, 0, sizeof(dopts));
	dopts.timeout = o.query_timeout;
	if ((rc = tp_dns_new(&run.dns, &dopts)) != 0 ||
	    (rc = side_server(&run)) != 0)
		goto out;
	/* The owner through the resolver too: in the authoritative mode it
	 * follows a CNAME to a zone the servers do not serve. */
	if ((rc = tp_check_start(&run)) != 0)
		goto out;
	for (i = 0; rc == 0 && i < run.n; i++)
		rc = start_lookups(&run.doms[i]);
	if (rc == 0)
		rc = tp_check_loop(&run);
out:
	tp_check_stop(&run);
	for (i = 0; i < run.n; i++)
		dom_release(&run.doms[i]);
	free(run.doms);
	tp_dns_free(run.dns);
	tp_check_conf_release(&cc);
	return rc;
}
