/*
 * discover.h: core-internal. Which authoritative addresses serve a name:
 * the zone apex by walking up with SOA queries through the discovery
 * resolvers, then the zone's NS set, then every A and AAAA of every NS.
 * Zones are cached, so domains of one zone cost one SOA query each.
 *
 * With --nameserver the walk is skipped and every name gets exactly those
 * servers (host names among them resolved once through the resolvers).
 *
 * Threads and callbacks: as dns.h (one thread; callbacks only inside
 * tp_dns_step). Ownership: results passed to callbacks or returned by
 * tp_disc_start are borrowed from the cache, valid until tp_disc_free.
 */
#ifndef TLSRPT_CORE_DISCOVER_H
#define TLSRPT_CORE_DISCOVER_H

#include <stddef.h>

#include "tlsrpt/dns.h"
#include "tlsrpt/sink.h"
#include "tlsrpt/strv.h"

struct tp_disc;
struct tp_disc_req;

struct tp_disc_server {
	char *ns; /* NS host name; NULL for an address given as such */
	struct tp_dns_addr addr;
};

struct tp_disc_result {
	char *zone; /* the apex; NULL when servers were given */
	struct tp_disc_server *v;
	size_t n;
};

/* rc is 0, or a TP_E* code with the message in tp_err_msg(). */
typedef void (*tp_disc_cb)(void *arg, int rc, const struct tp_disc_result *r);

/*
 * resolvers: discovery resolvers ("ADDR[:PORT]"; NULL/empty: the
 * system's). nameservers: if not empty, the servers every name gets
 * ("ADDR[:PORT]" or "HOST[:PORT]"). TP_EUSAGE for a bad entry.
 */
int tp_disc_new(struct tp_disc **out, struct tp_dns *dns,
                const struct tp_strv *resolvers,
                const struct tp_strv *nameservers, const struct tp_sink *sink);

/*
 * Find the servers of owner (zone: its apex when known, else NULL). When
 * the answer is already known, *now is set (or the error returned) and cb
 * never runs; otherwise *now is NULL and cb runs once, later, unless the
 * request is cancelled.
 */
int tp_disc_start(struct tp_disc_req **req, const struct tp_disc_result **now,
                  struct tp_disc *d, const char *owner, const char *zone,
                  tp_disc_cb cb, void *arg);

/* Forget a request; req may be NULL. */
void tp_disc_cancel(struct tp_disc_req *req);

/* The resolver server discovery uses (for other recursive lookups). */
struct tp_dns_server *tp_disc_resolver(struct tp_disc *d);

/* d may be NULL. Only once no request is pending. */
void tp_disc_free(struct tp_disc *d);

#endif
