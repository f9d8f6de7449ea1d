/*
 * discover_zone.c: the zone cache of discovery: for each apex, its NS set
 * (from an NS query, or from the referral that named the apex) and every
 * A and AAAA of every NS name, resolved once and shared by every domain
 * of the zone. The --nameserver list is one more entry, without an apex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discover_int.h"
#include "tlsrpt/err.h"

/* ---- results ---------------------------------------------------------- */

int
tp_disc_res_add(struct tp_disc_result *res, const char *ns,
                const struct tp_dns_addr *a)
{
	struct tp_disc_server *nv;
	size_t i;

	for (i = 0; i < res->n; i++)
		if (strcmp(res->v[i].addr.text, a->text) == 0)
			return 0; /* two NS names, one address: poll it once */
	nv = realloc(res->v, (res->n + 1) * sizeof(*nv));
	if (nv == NULL)
		return tp_err_set(TP_EINTERNAL, "discover: out of memory");
	res->v = nv;
	nv[res->n].addr = *a;
	nv[res->n].ns = NULL;
	if (ns != NULL && (nv[res->n].ns = strdup(ns)) == NULL)
		return tp_err_set(TP_EINTERNAL, "discover: out of memory");
	res->n++;
	return 0;
}

static void
zone_fail(struct zent *z, int code, const char *msg)
{
	z->state = Z_FAILED;
	z->err = code;
	free(z->errmsg);
	z->errmsg = strdup(msg);
}

/* Deliver the zone's outcome to everyone waiting for it. */
static void
zone_notify(struct zent *z)
{
	struct tp_disc_req *r;

	while ((r = z->waiters) != NULL) {
		z->waiters = r->next;
		r->z = NULL;
		if (z->state == Z_READY) {
			r->cb(r->arg, 0, &z->res);
		} else {
			tp_err_set(z->err, "%s", z->errmsg ? z->errmsg : "");
			r->cb(r->arg, z->err, NULL);
		}
		tp_disc_req_free(r);
	}
}

static int
cmp_server(const void *a, const void *b)
{
	const struct tp_disc_server *x = a, *y = b;
	int c;

	c = strcmp(x->ns ? x->ns : "", y->ns ? y->ns : "");
	if (c != 0)
		return c;
	if (x->addr.family != y->addr.family)
		return x->addr.family == 2 /* AF_INET */ ? -1 : 1;
	return strcmp(x->addr.text, y->addr.text);
}

/* Every NS name resolved (or not): build the result. */
void
tp_disc_zone_finish(struct zent *z)
{
	struct tp_dns_addr a;
	char name[TP_DNS_NAME_MAX], host[64];
	unsigned int port;
	size_t i, k;

	for (i = 0; i < z->glue.n; i++) {
		if (sscanf(z->glue.v[i], "%1024s %u %63s", name, &port, host) !=
		    3)
			continue;
		if (tp_dns_addr_make(&a, host, port) == 0 &&
		    tp_disc_res_add(&z->res, name, &a) != 0) {
			zone_fail(z, TP_EINTERNAL, tp_err_msg());
			goto out;
		}
	}
	for (i = 0; i < z->ns.n; i++) {
		for (k = 0; k < z->res.n; k++)
			if (z->res.v[k].ns &&
			    strcmp(z->res.v[k].ns, z->ns.v[i]) == 0)
				break;
		if (k == z->res.n)
			tp_sink_log(z->d->sink, TP_LOG_WARN,
			            "discover: name server '%s'%s%s has no "
			            "address; it is left out",
			            z->ns.v[i], z->apex ? " of zone " : "",
			            z->apex ? z->apex : "");
	}
	if (z->res.n == 0) {
		tp_err_set(TP_ENOTFOUND,
		           "discover: no address found for any name server "
		           "of '%s' through %s: check --resolver, or give the "
		           "servers with --nameserver",
		           z->apex ? z->apex : "--nameserver",
		           tp_dns_server_name(z->d->resolver));
		zone_fail(z, TP_ENOTFOUND, tp_err_msg());
		goto out;
	}
	/* Given servers keep the user's order. */
	if (z->apex != NULL)
		qsort(z->res.v, z->res.n, sizeof(*z->res.v), cmp_server);
	z->res.zone = z->apex; /* borrowed: freed with z */
	z->state = Z_READY;
out:
	zone_notify(z);
}

/* ---- addresses of NS names ------------------------------------------ */

static void
glue_add(struct zent *z, const char *name, unsigned int port, const char *addr)
{
	char buf[TP_DNS_NAME_MAX + 80];

	if ((size_t)snprintf(buf, sizeof(buf), "%s %u %s", name, port, addr) >=
	    sizeof(buf))
		return;
	if (!tp_strv_has(&z->glue, buf))
		(void)tp_strv_add(&z->glue, buf);
}

/* Addresses of name in an answer, or glue for it in a referral. */
static void
take_addrs(struct zent *z, const struct tp_dns_answer *a, const char *name,
           unsigned int port)
{
	size_t i;

	for (i = 0; i < a->nrr; i++) {
		const struct tp_dns_rr *x = &a->rr[i];

		if ((x->type == TP_DNS_T_A || x->type == TP_DNS_T_AAAA) &&
		    x->target != NULL && x->section != TP_DNS_AUTHORITY &&
		    strcasecmp(x->name, name) == 0)
			glue_add(z, name, port, x->target);
	}
}

static void
aq_unlink(struct addrq *aq)
{
	if (aq->prev != NULL)
		aq->prev->next = aq->next;
	else
		aq->z->aqs = aq->next;
	if (aq->next != NULL)
		aq->next->prev = aq->prev;
}

static void
on_addr(void *arg, const struct tp_dns_answer *a)
{
	struct addrq *aq = arg;
	struct zent *z = aq->z;

	aq_unlink(aq);
	if (a->status == TP_DNS_ANSWERED)
		take_addrs(z, a, aq->name, aq->port);
	else
		tp_sink_log(z->d->sink, TP_LOG_INFO,
		            "discover: address of '%s' via %s: %s", aq->name,
		            tp_dns_server_name(z->d->resolver), a->what);
	free(aq->name);
	free(aq);
	if (--z->outstanding == 0)
		tp_disc_zone_finish(z);
}

void
tp_disc_zone_addrs(struct zent *z)
{
	static const int types[] = {TP_DNS_T_A, TP_DNS_T_AAAA};
	struct addrq *aq;
	size_t i, t;

	z->state = Z_ADDR;
	z->outstanding++; /* held until every query is queued */
	for (i = 0; i < z->ns.n; i++)
		for (t = 0; t < 2; t++) {
			aq = calloc(1, sizeof(*aq));
			if (aq == NULL ||
			    (aq->name = strdup(z->ns.v[i])) == NULL) {
				free(aq);
				continue;
			}
			aq->z = z;
			aq->port = z->ports != NULL ? z->ports[i] : 53;
			if (tp_dns_query(&aq->q, z->d->resolver, aq->name,
			                 types[t], on_addr, aq) != 0) {
				free(aq->name);
				free(aq);
				continue;
			}
			aq->next = z->aqs;
			if (z->aqs != NULL)
				z->aqs->prev = aq;
			z->aqs = aq;
			z->outstanding++;
		}
	if (--z->outstanding == 0)
		tp_disc_zone_finish(z);
}

/* ---- NS set ----------------------------------------------------------- */

/* NS names owned by apex in one section; their glue too. */
static void
take_ns(struct zent *z, const struct tp_dns_answer *a, enum tp_dns_section sect)
{
	size_t i;

	for (i = 0; i < a->nrr; i++) {
		const struct tp_dns_rr *x = &a->rr[i];

		if (x->section == sect && x->type == TP_DNS_T_NS &&
		    x->target != NULL && strcmp(x->name, z->apex) == 0 &&
		    !tp_strv_has(&z->ns, x->target))
			(void)tp_strv_add(&z->ns, x->target);
	}
	for (i = 0; i < z->ns.n; i++)
		take_addrs(z, a, z->ns.v[i], 53);
}

static void
on_ns(void *arg, const struct tp_dns_answer *a)
{
	struct zent *z = arg;

	z->nsq = NULL;
	z->outstanding--;
	if (a->status != TP_DNS_ANSWERED) {
		tp_err_set(TP_ENETWORK,
		           "discover: NS query for '%s' through %s: %s: check "
		           "--resolver, or give the servers with --nameserver",
		           z->apex, tp_dns_server_name(z->d->resolver),
		           a->what);
		zone_fail(z, TP_ENETWORK, tp_err_msg());
		zone_notify(z);
		return;
	}
	take_ns(z, a, TP_DNS_ANSWER);
	if (z->ns.n == 0)
		take_ns(z, a, TP_DNS_AUTHORITY); /* a referral */
	if (z->ns.n == 0) {
		tp_err_set(TP_ENOTFOUND,
		           "discover: zone '%s' has no NS records (%s from %s)",
		           z->apex, tp_dns_rcode_name(a->rcode),
		           tp_dns_server_name(z->d->resolver));
		zone_fail(z, TP_ENOTFOUND, tp_err_msg());
		zone_notify(z);
		return;
	}
	tp_disc_zone_addrs(z);
}

void
tp_disc_zone_resolve(struct zent *z)
{
	if (z->ns.n > 0) { /* seeded by a referral */
		tp_disc_zone_addrs(z);
		return;
	}
	z->state = Z_NS;
	z->outstanding++;
	if (tp_dns_query(&z->nsq, z->d->resolver, z->apex, TP_DNS_T_NS, on_ns,
	                 z) != 0) {
		z->outstanding--;
		zone_fail(z, TP_EINTERNAL, tp_err_msg());
		zone_notify(z);
	}
}

/* The cache entry of apex, created (and its resolution started) when
 * new; NULL when out of memory. seed: a referral carrying the NS set. */
struct zent *
tp_disc_zone_get(struct tp_disc *d, const char *apex,
                 const struct tp_dns_answer *seed)
{
	struct zent *z;

	for (z = d->zones; z != NULL; z = z->next)
		if (strcmp(z->apex, apex) == 0)
			return z;
	z = calloc(1, sizeof(*z));
	if (z == NULL || (z->apex = strdup(apex)) == NULL) {
		free(z);
		return NULL;
	}
	z->d = d;
	z->next = d->zones;
	d->zones = z;
	if (seed != NULL)
		take_ns(z, seed, TP_DNS_AUTHORITY);
	z->state = Z_NS;
	return z;
}

void
tp_disc_zone_free(struct zent *z)
{
	struct addrq *aq;
	size_t i;

	tp_dns_cancel(z->nsq);
	while ((aq = z->aqs) != NULL) {
		z->aqs = aq->next;
		tp_dns_cancel(aq->q);
		free(aq->name);
		free(aq);
	}
	for (i = 0; i < z->res.n; i++)
		free(z->res.v[i].ns);
	free(z->res.v);
	free(z->apex);
	free(z->errmsg);
	free(z->ports);
	tp_strv_release(&z->ns);
	tp_strv_release(&z->glue);
	free(z);
}

void
tp_disc_req_free(struct tp_disc_req *r)
{
	free(r->owner);
	free(r->cand);
	free(r);
}
