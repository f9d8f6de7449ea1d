/*
 * r53zone.c: finding the Route 53 hosted zone of a domain (see r53.h;
 * shared/reference/providers.md §2.2, §2.3, §2.10).
 *
 * ListHostedZonesByName returns zones in order *starting at* the name
 * asked, so every answer is checked by exact name, and reading goes on
 * while names are equal: a public and a private zone (or several private
 * ones) may share a name. Only zones of the kind asked for count (public
 * unless the private_zone setting says otherwise), so a split-horizon
 * private zone is never written by mistake.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"

#include "r53.h"

#define PATH_MAX_LEN 8192
#define BYNAME_ITEMS 10  /* zones per page when searching one name */
#define LIST_ITEMS   100 /* the API's maximum per page */
#define MAX_PAGES    10000

static int
nomem(void)
{
	return tp_err_set(TP_EINTERNAL, "route53: out of memory");
}

static const char *
memo_find(const struct tp_r53_memo *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->names[i], name) == 0)
			return m->ids[i];
	return NULL;
}

static int
memo_add(struct tp_r53_memo *m, const char *name, const char *id)
{
	char **n, **v;
	size_t a;

	if (m->n == m->alloc) {
		a = m->alloc ? m->alloc * 2 : 16;
		n = realloc(m->names, a * sizeof(*n));
		if (n == NULL)
			return nomem();
		m->names = n;
		v = realloc(m->ids, a * sizeof(*v));
		if (v == NULL)
			return nomem();
		m->ids = v;
		m->alloc = a;
	}
	m->names[m->n] = strdup(name);
	m->ids[m->n] = strdup(id);
	if (m->names[m->n] == NULL || m->ids[m->n] == NULL) {
		free(m->names[m->n]);
		free(m->ids[m->n]);
		return nomem();
	}
	m->n++;
	return 0;
}

void
tp_r53_memo_release(struct tp_r53_memo *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->names[i]);
		free(m->ids[i]);
	}
	free(m->names);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

static int
zone_set(struct tp_zone *out, const char *id, const char *name)
{
	out->id = strdup(id);
	out->name = strdup(name);
	if (out->id == NULL || out->name == NULL) {
		tp_zone_release(out);
		return nomem();
	}
	return 0;
}

static const char *
kind(const struct tp_r53_zone_opts *o)
{
	return o->private_zone ? "private" : "public";
}

/* The matching zones of one page; ids collected in found. */
static int
page_matches(struct tp_strv *found, const struct tp_r53_zones *z,
             const struct tp_r53_zone_opts *o, const char *name)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < z->n && rc == 0; i++)
		if (strcmp(z->v[i].name, name) == 0 &&
		    !z->v[i].private_zone == !o->private_zone)
			rc = tp_strv_add(found, z->v[i].id);
	return rc;
}

/* Every zone of the wanted kind named exactly name (ids in found). */
static int
zones_named(struct tp_r53_api *api, const struct tp_r53_zone_opts *o,
            struct tp_strv *found, const char *name)
{
	struct tp_buf path = TP_BUF_INIT(PATH_MAX_LEN);
	struct tp_r53_zones z;
	char *body = NULL, *next_id = NULL;
	size_t len, pages;
	int rc = 0, more = 1;

	memset(&z, 0, sizeof(z));
	for (pages = 0; more && rc == 0 && pages < MAX_PAGES; pages++) {
		tp_buf_reset(&path);
		tp_buf_adds(&path, "/2013-04-01/hostedzonesbyname?dnsname=");
		tp_buf_add_urlenc(&path, name);
		tp_buf_addf(&path, ".&maxitems=%d", BYNAME_ITEMS);
		if (next_id != NULL) {
			tp_buf_adds(&path, "&hostedzoneid=");
			tp_buf_add_urlenc(&path, next_id);
		}
		rc = path.err ? tp_err_set(TP_EUSAGE, "route53: name too long")
		              : tp_r53_call(api, &body, &len, "GET", path.s,
		                            NULL, 1, "looking up hosted zones");
		if (rc == 0)
			rc = tp_r53_xml_zones(&z, body, len);
		if (rc == 0)
			rc = page_matches(found, &z, o, name);
		/* Go on only while the next zone still has this name. */
		more = rc == 0 && z.truncated && z.next_name != NULL &&
		    z.next_id != NULL && strcmp(z.next_name, name) == 0;
		free(next_id);
		next_id = more ? strdup(z.next_id) : NULL;
		if (more && next_id == NULL)
			rc = nomem();
		tp_r53_zones_release(&z);
		free(body);
		body = NULL;
	}
	free(next_id);
	tp_buf_release(&path);
	return rc;
}

/* Is name a zone of the wanted kind? *id "" when not (memoised). */
static int
zone_query(struct tp_r53_api *api, struct tp_r53_memo *memo,
           const struct tp_r53_zone_opts *o, const char **id, const char *name)
{
	struct tp_strv found = TP_STRV_INIT;
	int rc;

	if ((*id = memo_find(memo, name)) != NULL)
		return 0;
	rc = zones_named(api, o, &found, name);
	if (rc == 0 && found.n > 1)
		rc = tp_err_set(TP_ECONFIG,
		                "route53: %zu %s hosted zones are named '%s' "
		                "(%s, %s%s): give the one to use with "
		                "--zone-id",
		                found.n, kind(o), name, found.v[0], found.v[1],
		                found.n > 2 ? ", ..." : "");
	if (rc == 0)
		rc = memo_add(memo, name, found.n == 1 ? found.v[0] : "");
	if (rc == 0)
		*id = memo->ids[memo->n - 1];
	tp_strv_release(&found);
	return rc;
}

/* --zone-id: GetHostedZone, whose name must hold the domain. */
static int
zone_by_id(struct tp_r53_api *api, struct tp_zone *out, const char *name,
           const char *zone_id)
{
	struct tp_buf path = TP_BUF_INIT(PATH_MAX_LEN);
	struct tp_r53_zones z;
	char *body = NULL, what[128];
	const char *id = zone_id;
	size_t len;
	int rc;

	if (strncmp(id, "/hostedzone/", 12) == 0)
		id += 12;
	if (*id == '\0' || strlen(id) > 32 ||
	    strspn(id,
	           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	           "0123456789") != strlen(id))
		return tp_err_set(TP_EUSAGE,
		                  "route53: --zone-id '%s' is not a hosted "
		                  "zone id (letters and digits, like "
		                  "Z0123456789ABCDEFGHIJ)",
		                  zone_id);
	tp_buf_adds(&path, "/2013-04-01/hostedzone/");
	tp_buf_adds(&path, id);
	(void)snprintf(what, sizeof(what), "reading hosted zone '%s'", id);
	memset(&z, 0, sizeof(z));
	rc = tp_r53_call(api, &body, &len, "GET", path.s, NULL, 1, what);
	if (rc == 0)
		rc = tp_r53_xml_zones(&z, body, len);
	if (rc == 0 && z.n != 1)
		rc = tp_err_set(TP_ENETWORK,
		                "route53: %s: no zone in the "
		                "answer",
		                what);
	if (rc == 0 && !tp_domain_in_zone(name, z.v[0].name))
		rc = tp_err_set(TP_EUSAGE,
		                "route53: hosted zone '%s' is '%s', which does "
		                "not hold '%s': check --zone-id",
		                id, z.v[0].name, name);
	if (rc == 0)
		rc = zone_set(out, id, z.v[0].name);
	tp_r53_zones_release(&z);
	free(body);
	tp_buf_release(&path);
	return rc;
}

int
tp_r53_find_zone(struct tp_r53_api *api, struct tp_r53_memo *memo,
                 const struct tp_r53_zone_opts *o, struct tp_zone *out,
                 const char *name, const char *zone_id)
{
	struct tp_buf tried = TP_BUF_INIT(1024);
	const char *cand, *id = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (zone_id != NULL)
		return zone_by_id(api, out, name, zone_id);
	/* Longest suffix first, so a delegated subdomain zone wins; a top
	 * level name is never a hosted zone. */
	for (cand = name; cand != NULL && rc == 0;
	     cand = strchr(cand, '.') ? strchr(cand, '.') + 1 : NULL) {
		if (strchr(cand, '.') == NULL && cand != name)
			break;
		tp_buf_addf(&tried, "%s'%s'", tried.len ? ", " : "", cand);
		rc = zone_query(api, memo, o, &id, cand);
		if (rc == 0 && *id != '\0') {
			rc = zone_set(out, id, cand);
			break;
		}
	}
	if (rc == 0 && out->id == NULL)
		rc = tp_err_set(TP_ENOTFOUND,
		                "route53: no %s hosted zone for '%s' in this "
		                "account (tried %s): create the zone, use the "
		                "account that has it, %sor give --zone-id",
		                kind(o), name, tried.s,
		                o->private_zone ? "unset private_zone, "
		                                : "set private_zone for a "
		                                  "private zone, ");
	tp_buf_release(&tried);
	return rc;
}

static int
list_add(struct tp_zone **out, size_t *n, const struct tp_r53_zone *z)
{
	struct tp_zone *v;

	v = realloc(*out, (*n + 1) * sizeof(*v));
	if (v == NULL)
		return nomem();
	*out = v;
	memset(&v[*n], 0, sizeof(v[*n]));
	if (zone_set(&v[*n], z->id, z->name) != 0)
		return TP_EINTERNAL;
	(*n)++;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp((*(const struct tp_zone *const *)a)->name,
	              (*(const struct tp_zone *const *)b)->name);
}

/* Two zones of one name and kind cannot be told apart by name: the
 * list is refused, so that core searches per domain and says so. */
static int
no_twins(const struct tp_zone *v, size_t n, const struct tp_r53_zone_opts *o)
{
	const struct tp_zone **s;
	size_t i;
	int rc = 0;

	if (n < 2)
		return 0;
	if ((s = malloc(n * sizeof(*s))) == NULL)
		return nomem();
	for (i = 0; i < n; i++)
		s[i] = &v[i];
	qsort(s, n, sizeof(*s), by_name);
	for (i = 1; i < n && rc == 0; i++)
		if (strcmp(s[i - 1]->name, s[i]->name) == 0)
			rc = tp_err_set(
			    TP_ECONFIG,
			    "route53: two %s hosted zones are named "
			    "'%s' (%s, %s)",
			    kind(o), s[i]->name, s[i - 1]->id, s[i]->id);
	free(s);
	return rc;
}

int
tp_r53_list_zones(struct tp_r53_api *api, const struct tp_r53_zone_opts *o,
                  struct tp_zone **out, size_t *n)
{
	struct tp_buf path = TP_BUF_INIT(PATH_MAX_LEN);
	struct tp_r53_zones z;
	char *body = NULL, *marker = NULL;
	size_t len, i, pages;
	int rc = 0, more = 1;

	memset(&z, 0, sizeof(z));
	for (pages = 0; more && rc == 0 && pages < MAX_PAGES; pages++) {
		tp_buf_reset(&path);
		tp_buf_addf(&path, "/2013-04-01/hostedzone?maxitems=%d",
		            LIST_ITEMS);
		if (marker != NULL) {
			tp_buf_adds(&path, "&marker=");
			tp_buf_add_urlenc(&path, marker);
		}
		rc = tp_r53_call(api, &body, &len, "GET", path.s, NULL, 1,
		                 "listing hosted zones");
		if (rc == 0)
			rc = tp_r53_xml_zones(&z, body, len);
		for (i = 0; rc == 0 && i < z.n; i++)
			if (!z.v[i].private_zone == !o->private_zone)
				rc = list_add(out, n, &z.v[i]);
		more = rc == 0 && z.truncated && z.next_marker != NULL;
		free(marker);
		marker = more ? strdup(z.next_marker) : NULL;
		if (more && marker == NULL)
			rc = nomem();
		tp_r53_zones_release(&z);
		free(body);
		body = NULL;
	}
	free(marker);
	tp_buf_release(&path);
	return rc == 0 ? no_twins(*out, *n, o) : rc;
}
