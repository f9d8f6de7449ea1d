/*
 * dns_int.h: core-internal to the DNS engine: the structures shared by
 * dns.c (c-ares: channels, sending, the loop, TXT strings) and dnsq.c
 * (servers, queues, the in-flight window and server health). The c-ares
 * channel is only named here (a pointer to its opaque struct): only
 * dns.c includes <ares.h>.
 */
#ifndef TLSRPT_CORE_DNS_INT_H
#define TLSRPT_CORE_DNS_INT_H

#include "tlsrpt/dns.h"

struct ares_channeldata;

enum qstate { Q_QUEUED, Q_FLIGHT };

struct tp_dns_query {
	struct tp_dns_server *srv;
	struct tp_dns_query *next, *prev; /* the server's FIFO while queued */
	enum qstate state;
	char *name;
	int type;
	tp_dns_cb cb; /* NULL once cancelled while in flight */
	void *arg;
	double t_sent;
};

struct tp_dns_server {
	struct tp_dns *d;
	struct tp_dns_server *next;      /* every server of the engine */
	struct tp_dns_server *pump_next; /* servers with a queue */
	int in_pump;
	struct ares_channeldata *ch; /* ares_channel; NULL while idle */
	int is_addr;
	struct tp_dns_addr addr;
	char *name;
	struct tp_dns_server *hnext; /* address hash chain */
	struct tp_dns_query *qhead, *qtail;
	unsigned int inflight;
	double last_used;
	unsigned int timeouts_in_row;
	int down;
};

struct fdent {
	int fd;
	short events;
	struct tp_dns_server *srv;
};

#define HASH_SIZE  1024
#define IDLE_CLOSE 2.0 /* s: an idle address channel is closed after */

struct tp_dns {
	struct tp_dns_opts o;
	struct tp_dns_server *servers;
	struct tp_dns_server *hash[HASH_SIZE];
	struct tp_dns_server *pump;
	struct fdent *fds;
	size_t nfds, afds;
	size_t pending;
	unsigned long sent, answered;
	int freeing;
};

/* dnsq.c */
struct tp_dns_server *tp_dnsq_server_alloc(struct tp_dns *d);
void tp_dnsq_server_link(struct tp_dns *d, struct tp_dns_server *s);
/* Put s on the list of servers whose queue is pumped in the next step. */
void tp_dnsq_pump_mark(struct tp_dns_server *s);
void tp_dnsq_unqueue(struct tp_dns_query *q);
void tp_dnsq_free(struct tp_dns_query *q);
/* Count a query's outcome into the server's health (down after
 * down_after timeouts in a row; up at any answer). */
void tp_dnsq_health(struct tp_dns_server *s, const struct tp_dns_answer *a);
/* While s is down, end every queued query but the probe (TP_DNS_DOWN). */
void tp_dnsq_drain_down(struct tp_dns_server *s);
/* End every queued query of s as TP_DNS_FAILED (no channel). */
void tp_dnsq_fail_queue(struct tp_dns_server *s);

#endif
