/*
 * dnsq.c: the DNS engine's bookkeeping without c-ares (dns_int.h): the
 * servers and their address hash, each server's FIFO of queries waiting
 * for the in-flight window, cancellation, and server health (the circuit
 * breaker for servers that stopped answering).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_int.h"
#include "tlsrpt/clock.h"
#include "tlsrpt/err.h"

double
tp_dns_now(void)
{
	return tp_clock_mono();
}

struct tp_dns_server *
tp_dnsq_server_alloc(struct tp_dns *d)
{
	struct tp_dns_server *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->d = d;
	return s;
}

void
tp_dnsq_server_link(struct tp_dns *d, struct tp_dns_server *s)
{
	s->next = d->servers;
	d->servers = s;
}

static unsigned int
hash_of(const char *text)
{
	unsigned int h = 5381;

	for (; *text != '\0'; text++)
		h = h * 33 + (unsigned char)*text;
	return h % HASH_SIZE;
}

int
tp_dns_server(struct tp_dns_server **out, struct tp_dns *d,
              const struct tp_dns_addr *addr)
{
	struct tp_dns_server *s;
	unsigned int h;

	*out = NULL;
	h = hash_of(addr->text);
	for (s = d->hash[h]; s != NULL; s = s->hnext)
		if (strcmp(s->addr.text, addr->text) == 0) {
			*out = s;
			return 0;
		}
	s = tp_dnsq_server_alloc(d);
	if (s == NULL)
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	s->is_addr = 1;
	s->addr = *addr;
	s->name = strdup(addr->text);
	if (s->name == NULL) {
		free(s);
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	}
	s->hnext = d->hash[h];
	d->hash[h] = s;
	tp_dnsq_server_link(d, s);
	*out = s;
	return 0;
}

const char *
tp_dns_server_name(const struct tp_dns_server *s)
{
	return s->name;
}

int
tp_dns_server_family(const struct tp_dns_server *s)
{
	return s->is_addr ? s->addr.family : 0;
}

void
tp_dnsq_pump_mark(struct tp_dns_server *s)
{
	if (s->in_pump)
		return;
	s->in_pump = 1;
	s->pump_next = s->d->pump;
	s->d->pump = s;
}

int
tp_dns_query(struct tp_dns_query **out, struct tp_dns_server *s,
             const char *name, int type, tp_dns_cb cb, void *arg)
{
	struct tp_dns_query *q;

	if (out != NULL)
		*out = NULL;
	q = calloc(1, sizeof(*q));
	if (q == NULL || (q->name = strdup(name)) == NULL) {
		free(q);
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	}
	q->srv = s;
	q->type = type;
	q->cb = cb;
	q->arg = arg;
	q->state = Q_QUEUED;
	q->prev = s->qtail;
	if (s->qtail != NULL)
		s->qtail->next = q;
	else
		s->qhead = q;
	s->qtail = q;
	s->d->pending++;
	tp_dnsq_pump_mark(s);
	if (out != NULL)
		*out = q;
	return 0;
}

void
tp_dnsq_unqueue(struct tp_dns_query *q)
{
	struct tp_dns_server *s = q->srv;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		s->qhead = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	else
		s->qtail = q->prev;
	q->next = q->prev = NULL;
}

void
tp_dnsq_free(struct tp_dns_query *q)
{
	free(q->name);
	free(q);
}

void
tp_dns_cancel(struct tp_dns_query *q)
{
	if (q == NULL)
		return;
	if (q->state == Q_QUEUED) {
		tp_dnsq_unqueue(q);
		q->srv->d->pending--;
		tp_dnsq_free(q);
	} else {
		/* c-ares still holds it; on_ares frees it. */
		q->cb = NULL;
	}
}

/* Server health: enough timeouts in a row and it is down (one probe at a
 * time) until anything answers. */
void
tp_dnsq_health(struct tp_dns_server *s, const struct tp_dns_answer *a)
{
	if (a->status == TP_DNS_TIMEOUT) {
		if (++s->timeouts_in_row >= s->d->o.down_after)
			s->down = 1;
	} else if (a->status != TP_DNS_DOWN) {
		s->timeouts_in_row = 0;
		s->down = 0;
	}
}

/* While a server is down, every queued query but the probe ends now. */
void
tp_dnsq_drain_down(struct tp_dns_server *s)
{
	struct tp_dns_query *q;
	struct tp_dns_answer a;

	while (s->down && s->inflight > 0 && (q = s->qhead) != NULL) {
		tp_dnsq_unqueue(q);
		s->d->pending--;
		memset(&a, 0, sizeof(a));
		a.rcode = -1;
		a.status = TP_DNS_DOWN;
		a.what = "server not answering (several timeouts in a row)";
		if (q->cb != NULL)
			q->cb(q->arg, &a);
		tp_dnsq_free(q);
	}
}

/* The channel could not be made: every queued query ends now. */
void
tp_dnsq_fail_queue(struct tp_dns_server *s)
{
	struct tp_dns_query *q;
	struct tp_dns_answer a;

	while ((q = s->qhead) != NULL) {
		tp_dnsq_unqueue(q);
		s->d->pending--;
		memset(&a, 0, sizeof(a));
		a.rcode = -1;
		a.status = TP_DNS_FAILED;
		a.what = "cannot set up a resolver channel";
		if (q->cb != NULL)
			q->cb(q->arg, &a);
		tp_dnsq_free(q);
	}
}

size_t
tp_dns_pending(const struct tp_dns *d)
{
	return d->pending;
}

void
tp_dns_stats(const struct tp_dns *d, unsigned long *sent,
             unsigned long *answered)
{
	if (sent != NULL)
		*sent = d->sent;
	if (answered != NULL)
		*answered = d->answered;
}
