/*
 * dnsmsg.c: reading DNS messages with glibc's libresolv (ns_initparse,
 * ns_parserr, dn_expand) and the questions callers ask of an answer: the
 * TXT RRset behind a CNAME chain, the SOA, the negative-caching TTL.
 *
 * c-ares' own parsers drop TTLs and the authority section, which the
 * watcher needs (RFC 2308 negative TTL, zone apex from the SOA owner).
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsmsg.h"
#include "tlsrpt/err.h"

#define CNAME_HOPS 16

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* A name as callers compare it: lower case, no final dot, "." for the
 * root. */
static char *
name_dup(const char *n)
{
	size_t len;
	char *s;

	len = strlen(n);
	if (len > 1 && n[len - 1] == '.' && (len < 2 || n[len - 2] != '\\'))
		len--;
	if (len == 0)
		return strdup(".");
	s = strndup(n, len);
	if (s != NULL)
		lower(s);
	return s;
}

/* RFC 2181 §8: a TTL with the top bit set is read as zero. */
static unsigned long
ttl_of(const ns_rr *rr)
{
	unsigned long t = ns_rr_ttl(*rr);

	return t > 0x7fffffffUL ? 0 : t;
}

/* Expand a compressed name inside RDATA; its bytes must lie inside the
 * RDATA. Returns the bytes it took, or -1. */
static int
rdata_name(char **out, const ns_msg *m, const ns_rr *rr, size_t off)
{
	char buf[NS_MAXDNAME];
	int n;

	if (off >= ns_rr_rdlen(*rr))
		return -1;
	n = dn_expand(ns_msg_base(*m), ns_msg_end(*m), ns_rr_rdata(*rr) + off,
	              buf, sizeof(buf));
	if (n < 0 || (size_t)n > ns_rr_rdlen(*rr) - off)
		return -1;
	*out = name_dup(buf);
	return *out == NULL ? -2 : n;
}

static int
rr_soa(struct tp_dns_rr *x, const ns_msg *m, const ns_rr *rr)
{
	const unsigned char *p;
	char *rname = NULL;
	int a, b;

	a = rdata_name(&x->target, m, rr, 0);
	if (a < 0)
		return a;
	b = rdata_name(&rname, m, rr, (size_t)a);
	free(rname);
	if (b < 0)
		return b;
	if ((size_t)a + (size_t)b + 20 > ns_rr_rdlen(*rr))
		return -1;
	p = ns_rr_rdata(*rr) + a + b;
	x->soa_serial = ns_get32(p);
	x->soa_minimum = ns_get32(p + 16);
	return 0;
}

/* RFC 1035 §3.3.9: PREFERENCE (16 bits), then EXCHANGE. */
static int
rr_mx(struct tp_dns_rr *x, const ns_msg *m, const ns_rr *rr)
{
	if (ns_rr_rdlen(*rr) < 3)
		return -1;
	x->mx_pref = ns_get16(ns_rr_rdata(*rr));
	return rdata_name(&x->target, m, rr, 2) < 0 ? -1 : 0;
}

static int
rr_addr(struct tp_dns_rr *x, const ns_rr *rr, int af, size_t size)
{
	char buf[INET6_ADDRSTRLEN];

	if (ns_rr_rdlen(*rr) != size)
		return -1;
	if (inet_ntop(af, ns_rr_rdata(*rr), buf, sizeof(buf)) == NULL)
		return -1;
	x->target = strdup(buf);
	return x->target == NULL ? -2 : 0;
}

/* The type-specific part; -1 malformed, -2 out of memory. */
static int
rr_data(struct tp_dns_rr *x, const ns_msg *m, const ns_rr *rr)
{
	if (ns_rr_class(*rr) != ns_c_in)
		return 0;
	switch (x->type) {
	case TP_DNS_T_NS:
	case TP_DNS_T_CNAME:
	case TP_DNS_T_DNAME:
		return rdata_name(&x->target, m, rr, 0) < 0 ? -1 : 0;
	case TP_DNS_T_SOA:
		return rr_soa(x, m, rr);
	case TP_DNS_T_MX:
		return rr_mx(x, m, rr);
	case TP_DNS_T_A:
		return rr_addr(x, rr, AF_INET, 4);
	case TP_DNS_T_AAAA:
		return rr_addr(x, rr, AF_INET6, 16);
	default:
		return 0;
	}
}

static int
walk_section(struct tp_dns_answer *out, size_t *map, size_t *ntxt, ns_msg *m,
             ns_sect sect, enum tp_dns_section which)
{
	struct tp_dns_rr *x;
	ns_rr rr;
	int i, n, rc;

	n = ns_msg_count(*m, sect);
	for (i = 0; i < n; i++) {
		if (ns_parserr(m, sect, i, &rr) < 0)
			return -1;
		if (ns_rr_type(rr) == ns_t_txt && ns_rr_rdlen(rr) > 0 &&
		    which == TP_DNS_ANSWER &&
		    (ns_rr_class(rr) == ns_c_in ||
		     ns_rr_class(rr) == ns_c_chaos))
			map[(*ntxt)++] =
			    ns_rr_class(rr) == ns_c_in ? out->nrr : (size_t)-1;
		if (ns_rr_class(rr) != ns_c_in || ns_rr_type(rr) == ns_t_opt)
			continue;
		x = &out->rr[out->nrr];
		memset(x, 0, sizeof(*x));
		x->section = which;
		x->type = ns_rr_type(rr);
		x->ttl = ttl_of(&rr);
		x->name = name_dup(ns_rr_name(rr));
		if (x->name == NULL)
			return -2;
		out->nrr++;
		if ((rc = rr_data(x, m, &rr)) != 0)
			return rc;
	}
	return 0;
}

int
tp_dnsmsg_walk(struct tp_dns_answer *out, size_t **txtmap, size_t *ntxt,
               const unsigned char *msg, size_t len)
{
	size_t total;
	ns_msg m;
	int rc;

	memset(out, 0, sizeof(*out));
	out->rcode = -1;
	*txtmap = NULL;
	*ntxt = 0;
	if (len > 65535 || ns_initparse(msg, (int)len, &m) < 0)
		return tp_err_set(TP_ENETWORK,
		                  "dns: malformed answer (%zu bytes)", len);
	out->status = TP_DNS_ANSWERED;
	out->rcode = ns_msg_getflag(m, ns_f_rcode);
	out->aa = ns_msg_getflag(m, ns_f_aa);
	total = (size_t)ns_msg_count(m, ns_s_an) + ns_msg_count(m, ns_s_ns) +
	    ns_msg_count(m, ns_s_ar);
	out->rr = calloc(total ? total : 1, sizeof(*out->rr));
	*txtmap = calloc(total ? total : 1, sizeof(**txtmap));
	if (out->rr == NULL || *txtmap == NULL)
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	rc = walk_section(out, *txtmap, ntxt, &m, ns_s_an, TP_DNS_ANSWER);
	if (rc == 0)
		rc = walk_section(out, *txtmap, ntxt, &m, ns_s_ns,
		                  TP_DNS_AUTHORITY);
	if (rc == 0)
		rc = walk_section(out, *txtmap, ntxt, &m, ns_s_ar,
		                  TP_DNS_ADDITIONAL);
	if (rc == -2)
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	if (rc != 0)
		return tp_err_set(TP_ENETWORK,
		                  "dns: malformed resource record in answer");
	return 0;
}

void
tp_dns_answer_release(struct tp_dns_answer *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nrr; i++) {
		free(a->rr[i].name);
		free(a->rr[i].target);
		tp_txt_release(&a->rr[i].txt);
	}
	free(a->rr);
	memset(a, 0, sizeof(*a));
	a->rcode = -1;
}

static int
name_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

int
tp_dns_name_in(const char *name, const char *zone)
{
	size_t ln, lz;

	if (strcmp(zone, ".") == 0)
		return 1;
	ln = strlen(name);
	lz = strlen(zone);
	if (ln > 0 && name[ln - 1] == '.')
		ln--;
	if (lz > 0 && zone[lz - 1] == '.')
		lz--;
	if (lz > ln || strncasecmp(name + ln - lz, zone, lz) != 0)
		return 0;
	return ln == lz || name[ln - lz - 1] == '.';
}

/* The name the CNAME chain from qname ends at (borrowed from a). */
static const char *
chain_end(struct tp_strv *cnames, const struct tp_dns_answer *a,
          const char *qname, int *rc)
{
	const char *cur = qname;
	size_t i;
	int hop, moved;

	*rc = 0;
	for (hop = 0; hop < CNAME_HOPS; hop++) {
		moved = 0;
		for (i = 0; i < a->nrr && !moved; i++) {
			const struct tp_dns_rr *x = &a->rr[i];

			if (x->section != TP_DNS_ANSWER ||
			    x->type != TP_DNS_T_CNAME || x->target == NULL ||
			    !name_eq(x->name, cur))
				continue;
			if (cnames != NULL &&
			    (*rc = tp_strv_add(cnames, x->target)) != 0)
				return cur;
			cur = x->target;
			moved = 1;
		}
		if (!moved)
			break;
	}
	return cur;
}

const char *
tp_dns_answer_owner(const struct tp_dns_answer *a, const char *qname)
{
	int rc;

	return chain_end(NULL, a, qname, &rc);
}

int
tp_dns_answer_txt(struct tp_txtset *txt, struct tp_strv *cnames,
                  unsigned long *ttl, const struct tp_dns_answer *a,
                  const char *qname)
{
	const struct tp_dns_rr *x;
	const char *owner;
	unsigned long min = 0;
	int rc, first = 1;
	size_t i, k, off;

	owner = chain_end(cnames, a, qname, &rc);
	for (i = 0; rc == 0 && i < a->nrr; i++) {
		const char **strs;

		x = &a->rr[i];
		if (x->section != TP_DNS_ANSWER || x->type != TP_DNS_T_TXT ||
		    !name_eq(x->name, owner))
			continue;
		strs = calloc(x->txt.nstrings ? x->txt.nstrings : 1,
		              sizeof(*strs));
		if (strs == NULL)
			return tp_err_set(TP_EINTERNAL, "dns: out of memory");
		/* The strings lie back to back in data. */
		for (k = 0, off = 0; k < x->txt.nstrings; k++) {
			strs[k] = x->txt.data + off;
			off += x->txt.strlens[k];
		}
		rc = tp_txtset_add_strings(txt, strs, x->txt.strlens,
		                           x->txt.nstrings);
		free(strs);
		if (first || x->ttl < min)
			min = x->ttl;
		first = 0;
	}
	if (ttl != NULL)
		*ttl = min;
	return rc;
}

const char *
tp_dns_answer_referral(const struct tp_dns_answer *a)
{
	const char *zone = NULL;
	size_t i;

	if (a->status != TP_DNS_ANSWERED || a->rcode != TP_DNS_R_NOERROR ||
	    a->aa)
		return NULL;
	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].section == TP_DNS_ANSWER ||
		    (a->rr[i].section == TP_DNS_AUTHORITY &&
		     a->rr[i].type == TP_DNS_T_SOA))
			return NULL;
		if (a->rr[i].section == TP_DNS_AUTHORITY &&
		    a->rr[i].type == TP_DNS_T_NS && zone == NULL)
			zone = a->rr[i].name;
	}
	return zone;
}

const struct tp_dns_rr *
tp_dns_answer_soa(const struct tp_dns_answer *a, enum tp_dns_section section)
{
	size_t i;

	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].section == section &&
		    a->rr[i].type == TP_DNS_T_SOA && a->rr[i].target != NULL)
			return &a->rr[i];
	return NULL;
}

long
tp_dns_negative_ttl(const struct tp_dns_answer *a)
{
	const struct tp_dns_rr *soa;

	soa = tp_dns_answer_soa(a, TP_DNS_AUTHORITY);
	if (soa == NULL)
		return -1;
	return (long)(soa->ttl < soa->soa_minimum ? soa->ttl
	                                          : soa->soa_minimum);
}

const char *
tp_dns_rcode_name(int rcode)
{
	static const char *const names[] = {
	    "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	    "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
	static _Thread_local char buf[32];

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	(void)snprintf(buf, sizeof(buf), "RCODE %d", rcode);
	return buf;
}
