/*
 * dns.h: asynchronous DNS queries to chosen servers (c-ares underneath;
 * only core/dns.c includes <ares.h>), and the discovery of a name's
 * authoritative servers on top of them.
 *
 * One engine (struct tp_dns) multiplexes any number of servers in one
 * poll loop driven by tp_dns_step(). A server is either one authoritative
 * address, asked with recursion off (one c-ares channel per address), or a
 * set of recursive resolvers (the system's, or --resolver ones) asked with
 * recursion on. Every query is sent with EDNS (1232 bytes), retried over
 * TCP when the answer is truncated, and c-ares' own response checks are
 * off, so REFUSED and SERVFAIL come back with their rcode.
 *
 * Etiquette: each server has a window of queries in flight (opts
 * inflight); the rest wait in a FIFO and are sent as answers come back, so
 * a burst never floods a server (measured: no window loses packets at 400+
 * queries to one knotd). A server that stopped answering (several
 * consecutive timeouts and no answer since) gets one probe query at a
 * time; the other queries to it end at once as TP_DNS_DOWN until it
 * answers again.
 *
 * Callbacks run only inside tp_dns_step(), never inside tp_dns_query(), so
 * callers need not be re-entrant; a callback may start and cancel queries.
 * Threads: an engine and everything from it belong to one thread.
 *
 * Ownership: the engine owns its servers (borrowed pointers, valid until
 * tp_dns_free) and queries (a handle is valid until its callback has run
 * or it was cancelled). Answers passed to callbacks are borrowed for the
 * call. struct tp_dns_answer filled by tp_dns_answer_parse() is owned by
 * the caller and released with tp_dns_answer_release().
 */
#ifndef TLSRPT_DNS_H
#define TLSRPT_DNS_H

#include <stddef.h>

#include "tlsrpt/sink.h"
#include "tlsrpt/strv.h"
#include "tlsrpt/txt.h"

/* RR types and rcodes, as on the wire (RFC 1035, RFC 3596, RFC 6895). */
#define TP_DNS_T_A     1
#define TP_DNS_T_NS    2
#define TP_DNS_T_CNAME 5
#define TP_DNS_T_SOA   6
#define TP_DNS_T_MX    15
#define TP_DNS_T_TXT   16
#define TP_DNS_T_AAAA  28
#define TP_DNS_T_DNAME 39

#define TP_DNS_R_NOERROR  0
#define TP_DNS_R_FORMERR  1
#define TP_DNS_R_SERVFAIL 2
#define TP_DNS_R_NXDOMAIN 3
#define TP_DNS_R_NOTIMP   4
#define TP_DNS_R_REFUSED  5
#define TP_DNS_R_NOTAUTH  9

#define TP_DNS_NAME_MAX 1025 /* presentation form with escapes, plus NUL */

/* ---- addresses ------------------------------------------------------- */

struct tp_dns_addr {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char bytes[16]; /* network order; 4 used for AF_INET */
	unsigned int port;       /* 1..65535 */
	char host[48];           /* "192.0.2.1", "2001:db8::1" */
	char text[64];           /* host, ":PORT" only when not 53
				    * ("[2001:db8::1]:5353") */
};

/*
 * Parse "ADDR", "ADDR:PORT" (IPv4), "[ADDR]" or "[ADDR]:PORT" (IPv6; a
 * bare IPv6 address without brackets is accepted too and means port 53).
 * what names the option in the message ("--resolver"). TP_EUSAGE with a
 * message quoting in when it is not an IP address with a valid port.
 */
int tp_dns_addr_parse(struct tp_dns_addr *out, const char *in,
                      const char *what);

/* Make a tp_dns_addr from a presentation address and a port. */
int tp_dns_addr_make(struct tp_dns_addr *out, const char *host,
                     unsigned int port);

/* ---- answers ---------------------------------------------------------- */

enum tp_dns_section {
	TP_DNS_ANSWER = 1,
	TP_DNS_AUTHORITY = 2,
	TP_DNS_ADDITIONAL = 3
};

struct tp_dns_rr {
	enum tp_dns_section section;
	int type;   /* TP_DNS_T_*, or any other number (no data) */
	char *name; /* owner, lower case, no final dot ("." root) */
	unsigned long ttl;
	char *target;         /* NS, CNAME, DNAME: the target name; SOA: MNAME;
			    * A, AAAA: the address text; MX: the exchange
			    * ("." for RFC 7505's null MX); else NULL */
	unsigned int mx_pref; /* MX only: the preference */
	unsigned long soa_serial;  /* SOA only */
	unsigned long soa_minimum; /* SOA only */
	struct tp_txt txt; /* TXT only: the strings, split as received */
};

enum tp_dns_status {
	TP_DNS_ANSWERED = 0, /* a DNS message came back: see rcode */
	TP_DNS_TIMEOUT,      /* no answer within timeout x tries */
	TP_DNS_CONNREFUSED,  /* ICMP port unreachable or TCP reset */
	TP_DNS_NOROUTE,      /* this host has no route to the address */
	TP_DNS_DOWN,         /* not sent: the server stopped answering */
	TP_DNS_BADRESP,      /* the answer could not be parsed */
	TP_DNS_FAILED        /* anything else (bad name, out of memory) */
};

struct tp_dns_answer {
	enum tp_dns_status status;
	int rcode;        /* TP_DNS_R_*; -1 unless answered */
	int aa;           /* authoritative answer flag */
	int tcp;          /* 1 when the answer was longer than UDP allows
			   * (c-ares retried over TCP after TC=1) */
	int timeouts;     /* tries that timed out before this outcome */
	double rtt;       /* seconds from send to outcome */
	const char *what; /* static text for a status other than ANSWERED */
	struct tp_dns_rr *rr;
	size_t nrr;
};

/*
 * Parse a raw DNS message (glibc ns_initparse/ns_parserr for sections,
 * names, TTLs and SOA fields; c-ares for TXT character-strings). out is
 * initialised by this call; TP_ENETWORK (message set) when malformed.
 */
int tp_dns_answer_parse(struct tp_dns_answer *out, const unsigned char *msg,
                        size_t len);

/* Free every RR and zero a; a may be NULL. */
void tp_dns_answer_release(struct tp_dns_answer *a);

/*
 * The TXT RRset a resolver would hand a sender for qname: follows CNAMEs
 * in the answer section from qname (at most 16), then collects every TXT
 * RR (class IN) owned by the last name. Appends each RR to *txt (split
 * kept), each CNAME target to *cnames (may be NULL), and stores the
 * smallest TXT TTL in *ttl (0 when none; ttl may be NULL). Returns 0 or
 * TP_EINTERNAL.
 */
int tp_dns_answer_txt(struct tp_txtset *txt, struct tp_strv *cnames,
                      unsigned long *ttl, const struct tp_dns_answer *a,
                      const char *qname);

/*
 * The name the CNAME chain from qname ends at, following the answer
 * section as tp_dns_answer_txt does: the owner of the RRs a resolver
 * returns for qname. Borrowed from a (or qname itself).
 */
const char *tp_dns_answer_owner(const struct tp_dns_answer *a,
                                const char *qname);

/*
 * When a is a referral (NOERROR, AA=0, no answer RR, NS records but no SOA
 * in the authority section: what an authoritative-only server says about
 * a delegated name), the delegated zone (borrowed from a); else NULL. It
 * is no answer for the name: neither NODATA nor NXDOMAIN.
 */
const char *tp_dns_answer_referral(const struct tp_dns_answer *a);

/* The first SOA of a section (TP_DNS_ANSWER or TP_DNS_AUTHORITY), or
 * NULL. */
const struct tp_dns_rr *tp_dns_answer_soa(const struct tp_dns_answer *a,
                                          enum tp_dns_section section);

/*
 * How long a resolver may cache this negative answer (RFC 2308 §5):
 * min(authority SOA TTL, SOA MINIMUM); -1 when the answer carries no SOA.
 */
long tp_dns_negative_ttl(const struct tp_dns_answer *a);

/* "NOERROR", "NXDOMAIN", ... or "RCODE 11". Static. */
const char *tp_dns_rcode_name(int rcode);

/* 1 when name equals zone or lies below it (case-insensitive, no final
 * dots), else 0. */
int tp_dns_name_in(const char *name, const char *zone);

/* ---- the engine ------------------------------------------------------- */

struct tp_dns;
struct tp_dns_server;
struct tp_dns_query;

struct tp_dns_opts {
	double timeout;          /* first try, seconds (0: 1); c-ares doubles
				* it on each later try */
	int tries;               /* 0: 2 */
	unsigned int inflight;   /* queries in flight per server (0: 100) */
	unsigned int down_after; /* consecutive timeouts that mark a
				  * server down (0: 5) */
};

int tp_dns_new(struct tp_dns **out, const struct tp_dns_opts *o);

/* Every query still queued or in flight is dropped without its callback.
 * d may be NULL. */
void tp_dns_free(struct tp_dns *d);

/*
 * The server for one authoritative address, asked with recursion off.
 * Servers are cached by address: asking twice gives the same pointer.
 */
int tp_dns_server(struct tp_dns_server **out, struct tp_dns *d,
                  const struct tp_dns_addr *addr);

/*
 * Recursive resolvers: the given "ADDR[:PORT]" list (c-ares fails over
 * between them on timeouts), or the system's (/etc/resolv.conf) when
 * list is NULL or empty. recurse 0 asks them with recursion off (a list
 * of authoritative servers that serve the same zones). TP_EUSAGE for a
 * bad address, TP_ECONFIG when the system has no usable resolver.
 */
int tp_dns_resolver(struct tp_dns_server **out, struct tp_dns *d,
                    const struct tp_strv *list, int recurse);

/* "192.0.2.1", "[2001:db8::1]:5353", "system resolver" or the list. */
const char *tp_dns_server_name(const struct tp_dns_server *s);

/* AF_INET or AF_INET6 for an address server, 0 for resolvers. */
int tp_dns_server_family(const struct tp_dns_server *s);

typedef void (*tp_dns_cb)(void *arg, const struct tp_dns_answer *a);

/*
 * Queue a query for (name, type, class IN). cb runs exactly once, inside
 * a later tp_dns_step(), unless the query is cancelled first. *q (q may be
 * NULL) is a handle for tp_dns_cancel. Returns 0 or TP_EINTERNAL.
 */
int tp_dns_query(struct tp_dns_query **q, struct tp_dns_server *s,
                 const char *name, int type, tp_dns_cb cb, void *arg);

/* Forget a query: its callback will not run. q may be NULL; not from
 * inside that query's own callback. */
void tp_dns_cancel(struct tp_dns_query *q);

/*
 * Wait up to max_wait seconds (less when c-ares has a retry due) for
 * network activity or for wake_fd (-1: none) to become readable, then
 * process it: callbacks run inside. Returns 1 when wake_fd is readable
 * (the caller drains it), else 0; TP_EINTERNAL when poll fails.
 */
int tp_dns_step(struct tp_dns *d, int wake_fd, double max_wait);

/* Queries queued or in flight. */
size_t tp_dns_pending(const struct tp_dns *d);

/* Counters: queries sent (not counting c-ares' own retries and TCP
 * re-sends), messages received. */
void tp_dns_stats(const struct tp_dns *d, unsigned long *sent,
                  unsigned long *answered);

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double tp_dns_now(void);

/* ---- discovery --------------------------------------------------------
 *
 * Which authoritative addresses serve a name: the zone apex by walking up
 * with SOA queries through the discovery resolvers (a negative answer's
 * authority SOA, or a referral, names it at once), then the zone's NS
 * set, then every A and AAAA of every NS. Zones are cached, so domains of
 * one zone cost one SOA query each. With nameservers given the walk is
 * skipped and every name gets exactly those servers (host names among
 * them resolved once through the resolvers).
 *
 * Same thread and callback rules as the engine. Results passed to
 * callbacks or returned by tp_disc_start are borrowed from the cache,
 * valid until tp_disc_free.
 */

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
