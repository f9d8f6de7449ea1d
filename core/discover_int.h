/*
 * discover_int.h: core-internal to discovery: the zone cache entries and
 * requests shared by discover.c (the SOA walk and the API) and
 * discover_zone.c (NS sets and addresses).
 */
#ifndef TLSRPT_CORE_DISCOVER_INT_H
#define TLSRPT_CORE_DISCOVER_INT_H

#include "tlsrpt/dns.h"

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

/* Add an address (once) to a result. */
int tp_disc_res_add(struct tp_disc_result *res, const char *ns,
                    const struct tp_dns_addr *a);

/* The cache entry of apex, created when new (not started); NULL when out
 * of memory. seed: a referral carrying the NS set. */
struct zent *tp_disc_zone_get(struct tp_disc *d, const char *apex,
                              const struct tp_dns_answer *seed);

/* Start resolving a zone: its NS set, then addresses. */
void tp_disc_zone_resolve(struct zent *z);

/* Resolve the addresses of z->ns. */
void tp_disc_zone_addrs(struct zent *z);

/* Every NS name resolved (or not): build the result, notify waiters. */
void tp_disc_zone_finish(struct zent *z);

void tp_disc_zone_free(struct zent *z);
void tp_disc_req_free(struct tp_disc_req *r);

#endif
