/*
 * discover.c: which authoritative addresses serve a name (dns.h, discovery):
 * the SOA walk to the zone apex, then the zone cache (discover_zone.c).
 *
 * The walk follows lego's FindZoneByFqdn, with two shortcuts that save a
 * query per label: a negative answer's authority SOA names the apex of
 * the zone the name is in (RFC 2308 §3), and a referral (the "resolver"
 * is really an authoritative server of a parent zone) names the zone cut
 * and its NS set, with glue. An answer with a CNAME at the candidate is
 * skipped: no CNAME can sit at a zone apex.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discover_int.h"
#include "tlsrpt/err.h"

static void walk_send(struct tp_disc_req *r);

/* ---- the SOA walk ----------------------------------------------------- */

static void
req_fail(struct tp_disc_req *r)
{
	r->cb(r->arg, tp_err_code() ? tp_err_code() : TP_EINTERNAL, NULL);
	tp_disc_req_free(r);
}

/* Wait for (or use) the zone apex; seed: the referral that named it. */
static void
req_zone(struct tp_disc_req *r, const char *apex,
         const struct tp_dns_answer *seed)
{
	struct zent *z;

	z = tp_disc_zone_get(r->d, apex, seed);
	if (z == NULL) {
		tp_err_set(TP_EINTERNAL, "discover: out of memory");
		req_fail(r);
		return;
	}
	tp_sink_log(r->d->sink, TP_LOG_DEBUG, "discover: '%s' is in zone '%s'",
	            r->owner, apex);
	if (!z->started) {
		z->started = 1;
		tp_disc_zone_resolve(z);
	}
	if (z->state == Z_READY) {
		r->cb(r->arg, 0, &z->res);
		tp_disc_req_free(r);
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
			rc = tp_disc_res_add(&z->res, NULL, &a);
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
			tp_disc_zone_finish(z);
		else
			tp_disc_zone_addrs(z);
	}
	if (z->state == Z_READY) {
		*now = &z->res;
		tp_disc_req_free(r);
		return 0;
	}
	if (z->state == Z_FAILED) {
		tp_disc_req_free(r);
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
			tp_disc_req_free(r);
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
		struct zent *z = tp_disc_zone_get(d, zone, NULL);

		if (z == NULL) {
			tp_disc_req_free(r);
			return tp_err_set(TP_EINTERNAL,
			                  "discover: out of memory");
		}
		if (!z->started) {
			z->started = 1;
			tp_disc_zone_resolve(z);
		}
		if (z->state == Z_READY || z->state == Z_FAILED) {
			tp_disc_req_free(r);
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
	/* Not walk_send(): a failure here is returned, never called back. */
	if ((rc = tp_dns_query(&r->q, r->d->resolver, r->cand, TP_DNS_T_SOA,
	                       on_soa, r)) != 0) {
		tp_disc_req_free(r);
		return rc;
	}
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
	tp_disc_req_free(r);
}

struct tp_dns_server *
tp_disc_resolver(struct tp_disc *d)
{
	return d->resolver;
}

void
tp_disc_free(struct tp_disc *d)
{
	struct zent *z, *next;

	if (d == NULL)
		return;
	for (z = d->zones; z != NULL; z = next) {
		next = z->next;
		tp_disc_zone_free(z);
	}
	if (d->fixed != NULL)
		tp_disc_zone_free(d->fixed);
	free(d);
}
