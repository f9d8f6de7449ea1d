/*
 * dns.c: the c-ares engine behind dns.h: one channel per server, a
 * window of queries in flight per server, one poll loop for all of them.
 * The only file that includes <ares.h>.
 *
 * c-ares 1.18.1 (Debian 12) facts this relies on: ares_query() may call
 * its callback before returning (socket errors), so queries are only sent
 * from tp_dns_step(); with ARES_FLAG_NOCHECKRESP every rcode reaches the
 * callback with the raw answer; TC=1 makes c-ares retry over TCP itself;
 * a closed port or an unroutable address ends as ARES_ECONNREFUSED.
 *
 * Every use of c-ares lives here (channels, sending, the loop, TXT
 * strings); the queues and server health are in dnsq.c, the libresolv
 * walk in dnsmsg.c, addresses in dnsaddr.c.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns_int.h"
#include "dnsmsg.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#define EDNS_SIZE 1232 /* DNS flag day 2020: no IP fragmentation */

static void
lib_init(void)
{
	static int done;

	/* A no-op on Linux in 1.18.1, but the API asks for it once. */
	if (!done && ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS)
		done = 1;
}

int
tp_dns_new(struct tp_dns **out, const struct tp_dns_opts *o)
{
	struct tp_dns *d;

	*out = NULL;
	lib_init();
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	if (o != NULL)
		d->o = *o;
	if (d->o.timeout <= 0)
		d->o.timeout = 1;
	if (d->o.tries <= 0)
		d->o.tries = 2;
	if (d->o.inflight == 0)
		d->o.inflight = 100;
	if (d->o.down_after == 0)
		d->o.down_after = 5;
	*out = d;
	return 0;
}

/* ---- file descriptors c-ares wants watched ---------------------------- */

static void
sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct tp_dns_server *s = data;
	struct tp_dns *d = s->d;
	struct fdent *nv;
	size_t i;

	for (i = 0; i < d->nfds && d->fds[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < d->nfds)
			d->fds[i] = d->fds[--d->nfds];
		return;
	}
	if (i == d->nfds) {
		if (d->nfds == d->afds) {
			nv = realloc(
			    d->fds, (d->afds ? d->afds * 2 : 16) * sizeof(*nv));
			if (nv == NULL)
				return; /* the query times out instead */
			d->fds = nv;
			d->afds = d->afds ? d->afds * 2 : 16;
		}
		d->nfds++;
	}
	d->fds[i].fd = fd;
	d->fds[i].srv = s;
	d->fds[i].events =
	    (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
}

/* ---- servers ---------------------------------------------------------- */

static int
channel_new(struct tp_dns_server *s, int recurse)
{
	struct ares_options ao;
	int mask, st;

	memset(&ao, 0, sizeof(ao));
	ao.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH;
	if (!recurse)
		ao.flags |= ARES_FLAG_NORECURSE;
	ao.ednspsz = EDNS_SIZE;
	ao.timeout = (int)(s->d->o.timeout * 1000);
	ao.tries = s->d->o.tries;
	ao.sock_state_cb = sock_state;
	ao.sock_state_cb_data = s;
	mask = ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ | ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
	st = ares_init_options(&s->ch, &ao, mask);
	if (st != ARES_SUCCESS)
		return tp_err_set(st == ARES_ENOMEM ? TP_EINTERNAL : TP_ECONFIG,
		                  "dns: cannot set up a resolver channel: %s",
		                  ares_strerror(st));
	return 0;
}

static int
set_servers(struct tp_dns_server *s, const struct tp_dns_addr *a, size_t n)
{
	struct ares_addr_port_node *nodes;
	size_t i;
	int st;

	nodes = calloc(n, sizeof(*nodes));
	if (nodes == NULL)
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	for (i = 0; i < n; i++) {
		nodes[i].next = i + 1 < n ? &nodes[i + 1] : NULL;
		nodes[i].family = a[i].family;
		memcpy(a[i].family == AF_INET ? (void *)&nodes[i].addr.addr4
		                              : (void *)&nodes[i].addr.addr6,
		       a[i].bytes, a[i].family == AF_INET ? 4 : 16);
		nodes[i].udp_port = (int)a[i].port;
		nodes[i].tcp_port = (int)a[i].port;
	}
	st = ares_set_servers_ports(s->ch, nodes);
	free(nodes);
	if (st != ARES_SUCCESS)
		return tp_err_set(TP_EINTERNAL, "dns: cannot set servers: %s",
		                  ares_strerror(st));
	return 0;
}

/*
 * An address server's channel exists only while it has work: c-ares
 * allocates about 70 kB per channel (its query-id and timeout tables), so
 * thousands of name server addresses would otherwise cost hundreds of MB.
 */
static int
channel_open(struct tp_dns_server *s)
{
	int rc;

	if (s->ch != NULL)
		return 0;
	if ((rc = channel_new(s, 0)) != 0 ||
	    (rc = set_servers(s, &s->addr, 1)) != 0) {
		if (s->ch != NULL)
			ares_destroy(s->ch);
		s->ch = NULL;
		return rc;
	}
	return 0;
}

/* "system resolver (10.0.0.53, 10.0.0.54)" for messages. */
static char *
system_name(ares_channel ch)
{
	struct ares_addr_port_node *list = NULL, *n;
	struct tp_dns_addr a;
	struct tp_buf b = TP_BUF_INIT(512);
	char host[64];

	tp_buf_adds(&b, "system resolver (");
	if (ares_get_servers_ports(ch, &list) == ARES_SUCCESS)
		for (n = list; n != NULL; n = n->next) {
			if (inet_ntop(n->family, &n->addr, host,
			              sizeof(host)) == NULL ||
			    tp_dns_addr_make(&a, host,
			                     n->udp_port ? (unsigned)n->udp_port
			                                 : 53) != 0)
				continue;
			tp_buf_addf(&b, "%s%s", n == list ? "" : ", ", a.text);
		}
	ares_free_data(list);
	tp_buf_adds(&b, ")");
	return tp_buf_detach(&b);
}

static int
resolver_fill(struct tp_dns_server *s, const struct tp_strv *list)
{
	struct tp_dns_addr *a;
	struct tp_buf b = TP_BUF_INIT(4096);
	size_t i;
	int rc = 0;

	if (list == NULL || list->n == 0) {
		s->name = system_name(s->ch);
		return s->name == NULL
		    ? tp_err_set(TP_EINTERNAL, "dns: out of memory")
		    : 0;
	}
	a = calloc(list->n, sizeof(*a));
	if (a == NULL)
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	for (i = 0; rc == 0 && i < list->n; i++) {
		rc = tp_dns_addr_parse(&a[i], list->v[i], "--resolver");
		tp_buf_addf(&b, "%s%s", i ? ", " : "", a[i].text);
	}
	if (rc == 0)
		rc = set_servers(s, a, list->n);
	free(a);
	s->name = tp_buf_detach(&b);
	if (rc == 0 && s->name == NULL)
		rc = tp_err_set(TP_EINTERNAL, "dns: out of memory");
	return rc;
}

int
tp_dns_resolver(struct tp_dns_server **out, struct tp_dns *d,
                const struct tp_strv *list, int recurse)
{
	struct tp_dns_server *s;
	int rc;

	*out = NULL;
	s = tp_dnsq_server_alloc(d);
	if (s == NULL)
		return tp_err_set(TP_EINTERNAL, "dns: out of memory");
	if ((rc = channel_new(s, recurse)) != 0 ||
	    (rc = resolver_fill(s, list)) != 0) {
		if (s->ch != NULL)
			ares_destroy(s->ch);
		free(s->name);
		free(s);
		return rc;
	}
	tp_dnsq_server_link(d, s);
	*out = s;
	return 0;
}

/* ---- queries ---------------------------------------------------------- */

static void
fail_status(struct tp_dns_answer *a, struct tp_dns_server *s, int st)
{
	switch (st) {
	case ARES_ETIMEOUT:
		a->status = TP_DNS_TIMEOUT;
		a->what = "no answer (timed out)";
		break;
	case ARES_ECONNREFUSED:
		if (s->is_addr && tp_dns_addr_noroute(&s->addr)) {
			a->status = TP_DNS_NOROUTE;
			a->what = "no route to this address from here";
		} else {
			a->status = TP_DNS_CONNREFUSED;
			a->what = "connection refused";
		}
		break;
	case ARES_EBADRESP:
		a->status = TP_DNS_BADRESP;
		a->what = "malformed answer";
		break;
	default:
		a->status = TP_DNS_FAILED;
		a->what = ares_strerror(st);
		break;
	}
}

static void
on_ares(void *arg, int st, int timeouts, unsigned char *abuf, int alen)
{
	struct tp_dns_query *q = arg;
	struct tp_dns_server *s = q->srv;
	struct tp_dns *d = s->d;
	struct tp_dns_answer a;
	int tcp = 0;

	s->inflight--;
	d->pending--;
	if (d->freeing || st == ARES_EDESTRUCTION || st == ARES_ECANCELLED) {
		tp_dnsq_free(q);
		return;
	}
	memset(&a, 0, sizeof(a));
	if (abuf != NULL && alen > 0) {
		d->answered++;
		/* Longer than our EDNS size: it can only have come over TCP. */
		tcp = alen > EDNS_SIZE;
		if (tp_dns_answer_parse(&a, abuf, (size_t)alen) != 0) {
			tp_dns_answer_release(&a);
			a.status = TP_DNS_BADRESP;
			a.what = "malformed answer";
		}
	} else {
		a.rcode = -1;
		fail_status(&a, s, st);
	}
	a.timeouts = timeouts;
	a.tcp = tcp;
	s->last_used = tp_dns_now();
	a.rtt = s->last_used - q->t_sent;
	tp_dnsq_health(s, &a);
	if (s->qhead != NULL)
		tp_dnsq_pump_mark(s);
	if (q->cb != NULL)
		q->cb(q->arg, &a);
	tp_dns_answer_release(&a);
	tp_dnsq_free(q);
}

static void
pump_server(struct tp_dns_server *s)
{
	struct tp_dns_query *q;
	unsigned int window;

	if (s->qhead != NULL && channel_open(s) != 0) {
		tp_dnsq_fail_queue(s);
		return;
	}
	for (;;) {
		window = s->down ? 1 : s->d->o.inflight;
		tp_dnsq_drain_down(s);
		q = s->qhead;
		if (q == NULL || s->inflight >= window)
			break;
		tp_dnsq_unqueue(q);
		q->state = Q_FLIGHT;
		q->t_sent = tp_dns_now();
		s->last_used = q->t_sent;
		s->inflight++;
		s->d->sent++;
		/* May call on_ares before it returns: q is not touched after. */
		ares_query(s->ch, q->name, ns_c_in, q->type, on_ares, q);
	}
}

static void
pump_all(struct tp_dns *d)
{
	struct tp_dns_server *s;

	while ((s = d->pump) != NULL) {
		d->pump = s->pump_next;
		s->in_pump = 0;
		pump_server(s);
	}
}

/* ---- the loop --------------------------------------------------------- */

static double
next_timeout(struct tp_dns *d, double max_wait)
{
	struct tp_dns_server *s;
	struct timeval tv, *tp;
	double t;

	for (s = d->servers; s != NULL; s = s->next) {
		if (s->inflight == 0)
			continue;
		tp = ares_timeout(s->ch, NULL, &tv);
		if (tp == NULL)
			continue;
		t = (double)tp->tv_sec + (double)tp->tv_usec / 1e6;
		if (t < max_wait)
			max_wait = t;
	}
	return max_wait < 0 ? 0 : max_wait;
}

static int
poll_once(struct tp_dns *d, struct pollfd *pf, struct tp_dns_server **who,
          size_t n, int wake_fd, double wait)
{
	size_t i;
	int r, woke = 0;

	for (i = 0; i < n; i++) {
		pf[i].fd = d->fds[i].fd;
		pf[i].events = d->fds[i].events;
		pf[i].revents = 0;
		who[i] = d->fds[i].srv;
	}
	pf[n].fd = wake_fd;
	pf[n].events = POLLIN;
	pf[n].revents = 0;
	r = poll(pf, (nfds_t)n + 1, (int)(wait * 1000 + 0.999));
	if (r < 0 && errno != EINTR)
		return tp_err_set(TP_EINTERNAL, "dns: poll: %s",
		                  strerror(errno));
	/* Sockets may close while others are processed: work on the copy. */
	for (i = 0; r > 0 && i < n; i++) {
		if (pf[i].revents == 0 || who[i]->ch == NULL)
			continue;
		ares_process_fd(who[i]->ch,
		                pf[i].revents & (POLLIN | POLLERR | POLLHUP)
		                    ? pf[i].fd
		                    : ARES_SOCKET_BAD,
		                pf[i].revents & POLLOUT ? pf[i].fd
		                                        : ARES_SOCKET_BAD);
	}
	if (wake_fd >= 0 && (pf[n].revents & POLLIN))
		woke = 1;
	return woke;
}

static void
reap_idle(struct tp_dns *d)
{
	struct tp_dns_server *s;
	double now = tp_dns_now();

	for (s = d->servers; s != NULL; s = s->next)
		if (s->is_addr && s->ch != NULL && s->inflight == 0 &&
		    s->qhead == NULL && now - s->last_used > IDLE_CLOSE) {
			ares_destroy(s->ch);
			s->ch = NULL;
		}
}

int
tp_dns_step(struct tp_dns *d, int wake_fd, double max_wait)
{
	struct tp_dns_server **who = NULL, *s;
	struct pollfd *pf = NULL;
	size_t n;
	int rc;

	pump_all(d);
	n = d->nfds;
	pf = calloc(n + 1, sizeof(*pf));
	who = calloc(n + 1, sizeof(*who));
	if (pf == NULL || who == NULL) {
		rc = tp_err_set(TP_EINTERNAL, "dns: out of memory");
		goto out;
	}
	rc = poll_once(d, pf, who, n, wake_fd, next_timeout(d, max_wait));
	if (rc < 0)
		goto out;
	/* Retries and timeouts of channels with nothing to read. */
	for (s = d->servers; s != NULL; s = s->next)
		if (s->inflight > 0)
			ares_process_fd(s->ch, ARES_SOCKET_BAD,
			                ARES_SOCKET_BAD);
	pump_all(d);
	reap_idle(d);
out:
	free(pf);
	free(who);
	return rc;
}

void
tp_dns_free(struct tp_dns *d)
{
	struct tp_dns_server *s, *next;
	struct tp_dns_query *q;

	if (d == NULL)
		return;
	d->freeing = 1;
	for (s = d->servers; s != NULL; s = next) {
		next = s->next;
		while ((q = s->qhead) != NULL) {
			tp_dnsq_unqueue(q);
			tp_dnsq_free(q);
		}
		if (s->ch != NULL)
			ares_destroy(s->ch); /* in-flight ones end in on_ares */
		free(s->name);
		free(s);
	}
	free(d->fds);
	free(d);
}

/* ---- parsing: libresolv for the message, c-ares for TXT strings ------- */

static int
fill_txt(struct tp_dns_answer *out, const size_t *map, size_t ntxt,
         const unsigned char *msg, size_t len)
{
	struct ares_txt_ext *head = NULL, *t, *g;
	struct tp_dns_rr *x;
	size_t k = 0, n, i;
	int st;

	if (ntxt == 0)
		return 0;
	st = ares_parse_txt_reply_ext(msg, (int)len, &head);
	if (st != ARES_SUCCESS)
		return tp_err_set(TP_ENETWORK, "dns: malformed TXT answer: %s",
		                  ares_strerror(st));
	for (t = head; t != NULL && k < ntxt; k++) {
		/* One RR: a record_start entry and its continuations. */
		for (g = t->next, n = 1; g != NULL && !g->record_start;
		     g = g->next)
			n++;
		if (map[k] != (size_t)-1) {
			x = &out->rr[map[k]];
			x->txt.strlens = calloc(n, sizeof(size_t));
			for (g = t, i = 0; i < n; g = g->next, i++)
				x->txt.len += g->length;
			x->txt.data = malloc(x->txt.len + 1);
			if (x->txt.strlens == NULL || x->txt.data == NULL)
				break;
			x->txt.nstrings = n;
			for (g = t, i = 0, x->txt.len = 0; i < n;
			     g = g->next, i++) {
				memcpy(x->txt.data + x->txt.len, g->txt,
				       g->length);
				x->txt.strlens[i] = g->length;
				x->txt.len += g->length;
			}
			x->txt.data[x->txt.len] = '\0';
		}
		for (i = 0; i < n; i++)
			t = t->next;
	}
	ares_free_data(head);
	if (k != ntxt || t != NULL)
		return tp_err_set(k == ntxt ? TP_ENETWORK : TP_EINTERNAL,
		                  "dns: TXT strings do not match the answer");
	return 0;
}

int
tp_dns_answer_parse(struct tp_dns_answer *out, const unsigned char *msg,
                    size_t len)
{
	size_t *map = NULL, ntxt = 0;
	int rc;

	rc = tp_dnsmsg_walk(out, &map, &ntxt, msg, len);
	if (rc == 0)
		rc = fill_txt(out, map, ntxt, msg, len);
	free(map);
	if (rc != 0)
		tp_dns_answer_release(out);
	return rc;
}
