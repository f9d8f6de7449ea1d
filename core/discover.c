/*
 * discover.c: zone apex, NS set and NS addresses through the discovery
 * resolvers (see discover.h).
 *
 * The walk follows lego's FindZoneByFqdn, with two shortcuts that save a
 * query per label: a negative answer's authority SOA names the apex of
 * the zone the name is in (RFC 2308 §3), and a referral (the "resolver"
 * is really an authoritative server of a parent zone) names the zone cut
 * and its NS set, with glue. An answer with a CNAME at the candidate is
 * skipped: no CNAME can sit at a zone apex.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "discover.h"
#include "tlsrpt/err.h"

enum zstate { Z_NS, Z_ADDR, Z_READY, Z_FAILED };

struct tp_disc_req {
	struct tp_disc *d;
	char *owner;
	char *cand; /* the name the SOA walk asks about now */
	struct tp_dns_query *q;
	struct zent *z; /* the zone waited on, once known */
	struct tp_disc_req *next;
	tp_disc_cb cb;
	void *arg;
};

struct zent {
	struct tp_disc *d;
	struct zent *next;
	char *apex; /* NULL for the --nameserver entry */
	enum zstate state;
	int err;
	char *errmsg;
	struct tp_strv ns;   /* NS names still to resolve or resolved */
	unsigned int *ports; /* --nameserver HOST:PORT: port of ns.v[i] */
	struct tp_strv glue; /* "name port address" found for NS names */
	int started;
	int outstanding; /* NS/A/AAAA queries in flight */
	struct tp_dns_query *nsq;
	struct addrq *aqs;
	struct tp_disc_result res;
	struct tp_disc_req *waiters;
};

struct tp_disc {
	struct tp_dns *dns;
	struct tp_dns_server *resolver;
	const struct tp_sink *sink;
	struct zent *zones;
	struct zent *fixed; /* --nameserver */
};

struct addrq {
	struct zent *z;
	struct addrq *next, *prev; /* the zone's queries in flight */
	struct tp_dns_query *q;
	char *name;
	unsigned int port;
};

static void zone_resolve(struct zent *z);
static void walk_send(struct tp_disc_req *r);

/* ---- results ---------------------------------------------------------- */

static int
res_add(struct tp_disc_result *res, const char *ns, const struct tp_dns_addr *a)
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
		free(r->owner);
		free(r->cand);
		free(r);
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
static void
zone_finish(struct zent *z)
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
		    res_add(&z->res, name, &a) != 0) {
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
		zone_finish(z);
}

static void
zone_addrs(struct zent *z)
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
		zone_finish(z);
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
	zone_addrs(z);
}

static void
zone_resolve(struct zent *z)
{
	if (z->ns.n > 0) { /* seeded by a referral */
		zone_addrs(z);
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
static struct zent *
zone_get(struct tp_disc *d, const char *apex, const struct tp_dns_answer *seed)
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

/* ---- the SOA walk ----------------------------------------------------- */

static void
req_free(struct tp_disc_req *r)
{
	free(r->owner);
	free(r->cand);
	free(r);
}

static void
req_fail(struct tp_disc_req *r)
{
	r->cb(r->arg, tp_err_code() ? tp_err_code() : TP_EINTERNAL, NULL);
	req_free(r);
}

/* Wait for (or use) the zone apex; seed: the referral that named it. */
static void
req_zone(struct tp_disc_req *r, const char *apex,
         const struct tp_dns_answer *seed)
{
	struct zent *z;

	z = zone_get(r->d, apex, seed);
	if (z == NULL) {
		tp_err_set(TP_EINTERNAL, "discover: out of memory");
		req_fail(r);
		return;
	}
	tp_sink_log(r->d->sink, TP_LOG_DEBUG, "discover: '%s' is in zone '%s'",
	            r->owner, apex);
	if (!z->started) {
		z->started = 1;
		zone_resolve(z);
	}
	if (z->state == Z_READY) {
		r->cb(r->arg, 0, &z->res);
		req_free(r);
	} else if (z->state == Z_FAILED) {
		tp_err_set(z->err, "%s", z->errmsg ? z->errmsg : "");
		req_fail(r);
	} else {
		r->z = z;
		r->next = z->waiters;
		z->waiters = r;
	}
}

/* The apex an SOA answer names for cand, or NULL to go up a label.
 * *seed is set when it came from a referral. */
static const char *
walk_apex(const struct tp_dns_answer *a, const char *cand, int *seed)
{
	size_t i;

	*seed = 0;
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].section == TP_DNS_ANSWER &&
		    a->rr[i].type == TP_DNS_T_CNAME &&
		    strcasecmp(a->rr[i].name, cand) == 0)
			return NULL;
	for (i = 0; i < a->nrr; i++) {
		const struct tp_dns_rr *x = &a->rr[i];

		if (x->type == TP_DNS_T_SOA && x->section == TP_DNS_ANSWER &&
		    strcasecmp(x->name, cand) == 0)
			return x->name;
		if (x->type == TP_DNS_T_SOA && x->section == TP_DNS_AUTHORITY &&
		    tp_dns_name_in(cand, x->name))
			return x->name;
	}
	for (i = 0; i < a->nrr; i++) {
		const struct tp_dns_rr *x = &a->rr[i];

		if (x->type == TP_DNS_T_NS && x->section == TP_DNS_AUTHORITY &&
		    tp_dns_name_in(cand, x->name) &&
		    strcmp(x->name, ".") != 0) {
			*seed = 1;
			return x->name;
		}
	}
	return NULL;
}

static void
on_soa(void *arg, const struct tp_dns_answer *a)
{
	struct tp_disc_req *r = arg;
	const char *apex, *dot;
	char *up;
	int seed;

	r->q = NULL;
	if (a->status != TP_DNS_ANSWERED) {
		tp_err_set(TP_ENETWORK,
		           "discover: SOA query for '%s' through %s: %s: check "
		           "--resolver, or give the servers with --nameserver",
		           r->cand, tp_dns_server_name(r->d->resolver),
		           a->what);
		req_fail(r);
		return;
	}
	if (a->rcode != TP_DNS_R_NOERROR && a->rcode != TP_DNS_R_NXDOMAIN) {
		tp_err_set(
		    TP_ENETWORK,
		    "discover: %s answered %s to the SOA query for '%s': "
		    "check --resolver, or give the servers with "
		    "--nameserver",
		    tp_dns_server_name(r->d->resolver),
		    tp_dns_rcode_name(a->rcode), r->cand);
		req_fail(r);
		return;
	}
	apex = walk_apex(a, r->cand, &seed);
	if (apex != NULL) {
		req_zone(r, apex, seed ? a : NULL);
		return;
	}
	dot = strchr(r->cand, '.');
	if (dot == NULL || dot[1] == '\0') {
		tp_err_set(
		    TP_ENOTFOUND,
		    "discover: no zone found for '%s' through %s: is the "
		    "domain registered and delegated?",
		    r->owner, tp_dns_server_name(r->d->resolver));
		req_fail(r);
		return;
	}
	up = strdup(dot + 1);
	if (up == NULL) {
		tp_err_set(TP_EINTERNAL, "discover: out of memory");
		req_fail(r);
		return;
	}
	free(r->cand);
	r->cand = up;
	walk_send(r);
}

static void
walk_send(struct tp_disc_req *r)
{
	if (tp_dns_query(&r->q, r->d->resolver, r->cand, TP_DNS_T_SOA, on_soa,
	                 r) != 0)
		req_fail(r);
}

/* ---- the API ---------------------------------------------------------- */

/* "HOST[:PORT]" for --nameserver names; 0 or TP_EUSAGE. */
static int
fixed_host(struct zent *z, const char *in)
{
	char host[TP_DNS_NAME_MAX];
	unsigned long port = 53;
	const char *colon;
	unsigned int *np;
	char *end;
	size_t n;

	colon = strchr(in, ':');
	n = colon ? (size_t)(colon - in) : strlen(in);
	if (colon != NULL) {
		port = strtoul(colon + 1, &end, 10);
		if (*end != '\0' || port == 0 || port > 65535)
			n = 0;
	}
	if (n == 0 || n >= sizeof(host) ||
	    strspn(in,
	           "abcdefghijklmnopqrstu"
	           "vwxyzABCDEFGHIJKLMNOP"
	           "QRSTUVWXYZ0123456789-."
	           "_") < n)
		return tp_err_set(
		    TP_EUSAGE,
		    "--nameserver: '%s' is neither ADDR[:PORT] nor "
		    "HOST[:PORT]",
		    in);
	memcpy(host, in, n);
	host[n] = '\0';
	np = realloc(z->ports, (z->ns.n + 1) * sizeof(*np));
	if (np == NULL)
		return tp_err_set(TP_EINTERNAL, "discover: out of memory");
	z->ports = np;
	np[z->ns.n] = (unsigned int)port;
	return tp_strv_add(&z->ns, host);
}

static int
fixed_new(struct tp_disc *d, const struct tp_strv *list)
{
	struct tp_dns_addr a;
	struct zent *z;
	size_t i;
	int rc = 0;

	z = calloc(1, sizeof(*z));
	if (z == NULL)
		return tp_err_set(TP_EINTERNAL, "discover: out of memory");
	z->d = d;
	d->fixed = z;
	for (i = 0; rc == 0 && i < list->n; i++) {
		if (tp_dns_addr_parse(&a, list->v[i], "--nameserver") == 0)
			rc = res_add(&z->res, NULL, &a);
		else
			rc = fixed_host(z, list->v[i]);
	}
	return rc;
}

int
tp_disc_new(struct tp_disc **out, struct tp_dns *dns,
            const struct tp_strv *resolvers, const struct tp_strv *nameservers,
            const struct tp_sink *sink)
{
	struct tp_disc *d;
	int rc;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return tp_err_set(TP_EINTERNAL, "discover: out of memory");
	d->dns = dns;
	d->sink = sink;
	rc = tp_dns_resolver(&d->resolver, dns, resolvers, 1);
	if (rc == 0 && nameservers != NULL && nameservers->n > 0)
		rc = fixed_new(d, nameservers);
	if (rc != 0) {
		tp_disc_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static int
start_fixed(const struct tp_disc_result **now, struct tp_disc_req *r)
{
	struct zent *z = r->d->fixed;

	if (!z->started) {
		z->started = 1;
		if (z->ns.n == 0)
			zone_finish(z);
		else
			zone_addrs(z);
	}
	if (z->state == Z_READY) {
		*now = &z->res;
		req_free(r);
		return 0;
	}
	if (z->state == Z_FAILED) {
		req_free(r);
		return tp_err_set(z->err, "%s", z->errmsg ? z->errmsg : "");
	}
	r->z = z;
	r->next = z->waiters;
	z->waiters = r;
	return 1;
}

int
tp_disc_start(struct tp_disc_req **req, const struct tp_disc_result **now,
              struct tp_disc *d, const char *owner, const char *zone,
              tp_disc_cb cb, void *arg)
{
	struct tp_disc_req *r;
	int rc;

	*req = NULL;
	*now = NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->owner = strdup(owner)) == NULL ||
	    (r->cand = strdup(owner)) == NULL) {
		if (r != NULL)
			req_free(r);
		return tp_err_set(TP_EINTERNAL, "discover: out of memory");
	}
	r->d = d;
	r->cb = cb;
	r->arg = arg;
	if (d->fixed != NULL) {
		rc = start_fixed(now, r);
		if (rc == 1)
			*req = r;
		return rc < 0 ? rc : 0;
	}
	if (zone != NULL) {
		struct zent *z = zone_get(d, zone, NULL);

		if (z == NULL) {
			req_free(r);
			return tp_err_set(TP_EINTERNAL,
			                  "discover: out of memory");
		}
		if (!z->started) {
			z->started = 1;
			zone_resolve(z);
		}
		if (z->state == Z_READY || z->state == Z_FAILED) {
			req_free(r);
			if (z->state == Z_FAILED)
				return tp_err_set(z->err, "%s", z->errmsg);
			*now = &z->res;
			return 0;
		}
		r->z = z;
		r->next = z->waiters;
		z->waiters = r;
		*req = r;
		return 0;
	}
	walk_send(r);
	*req = r;
	return 0;
}

void
tp_disc_cancel(struct tp_disc_req *r)
{
	struct tp_disc_req **pp;

	if (r == NULL)
		return;
	if (r->z != NULL) {
		for (pp = &r->z->waiters; *pp != NULL; pp = &(*pp)->next)
			if (*pp == r) {
				*pp = r->next;
				break;
			}
	}
	tp_dns_cancel(r->q);
	req_free(r);
}

struct tp_dns_server *
tp_disc_resolver(struct tp_disc *d)
{
	return d->resolver;
}

static void
zent_free(struct zent *z)
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
tp_disc_free(struct tp_disc *d)
{
	struct zent *z, *next;

	if (d == NULL)
		return;
	for (z = d->zones; z != NULL; z = next) {
		next = z->next;
		zent_free(z);
	}
	if (d->fixed != NULL)
		zent_free(d->fixed);
	free(d);
}
