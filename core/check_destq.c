/*
 * check_destq.c: the DNS lookups behind the destination checks
 * (check_dest.c). One table per run, keyed by name, so that a reporting
 * domain shared by a thousand policy domains costs three queries, not
 * three thousand; a policy domain waits for the names its record
 * names, and is handed back (ready) when the last one is answered.
 *
 * Queries go to recursive resolvers, as a sender's would: a mail domain
 * gets MX, A and AAAA at once (A and AAAA decide only when there is no
 * MX, RFC 5321 §5.1, but asking them together costs no extra round
 * trip), an https host A and AAAA. The engine's query timeout applies
 * (one second, then one retry).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

enum { Q_MX, Q_A, Q_AAAA, Q_N };

static const int qtypes[Q_N] = {TP_DNS_T_MX, TP_DNS_T_A, TP_DNS_T_AAAA};
static const char *const qnames[Q_N] = {"MX", "A", "AAAA"};

struct dq_name;

struct dq_look {
	struct dq_name *dn;
	int which; /* Q_* */
	struct tp_dns_query *h;
};

struct dq_name {
	struct check_dname n; /* what callers see */
	struct check_dq *q;
	struct dq_name *next; /* hash chain */
	struct dq_look look[Q_N];
	int outstanding;
	struct check_dom **wait;
	size_t nwait, await;
};

struct check_dq {
	struct tp_dns *dns;
	struct tp_dns_server *res;
	const struct tp_strv *resolvers;
	int res_tried;
	char *res_err; /* why there is no resolver */
	check_dq_ready_fn ready;
	void *ctx;
	struct dq_name **tab;
	size_t nbuckets, n;
};

static size_t
hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct dq_name *
find(const struct check_dq *q, const char *name)
{
	struct dq_name *dn;

	if (q->nbuckets == 0)
		return NULL;
	for (dn = q->tab[hash(name) & (q->nbuckets - 1)]; dn != NULL;
	     dn = dn->next)
		if (strcmp(dn->n.name, name) == 0)
			return dn;
	return NULL;
}

/* Double the table when it is as full as it is wide. */
static int
grow(struct check_dq *q)
{
	struct dq_name **tab, *dn, *next;
	size_t i, nb = q->nbuckets ? q->nbuckets * 2 : 64, k;

	if (q->n < q->nbuckets)
		return 0;
	tab = calloc(nb, sizeof(*tab));
	if (tab == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	for (i = 0; i < q->nbuckets; i++)
		for (dn = q->tab[i]; dn != NULL; dn = next) {
			next = dn->next;
			k = hash(dn->n.name) & (nb - 1);
			dn->next = tab[k];
			tab[k] = dn;
		}
	free(q->tab);
	q->tab = tab;
	q->nbuckets = nb;
	return 0;
}

static int
add(struct dq_name **out, struct check_dq *q, const char *name)
{
	struct dq_name *dn;
	size_t k;
	int i, rc;

	if ((*out = find(q, name)) != NULL)
		return 0;
	if ((rc = grow(q)) != 0)
		return rc;
	dn = calloc(1, sizeof(*dn));
	if (dn == NULL || (dn->n.name = strdup(name)) == NULL) {
		free(dn);
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	}
	dn->q = q;
	for (i = 0; i < Q_N; i++) {
		dn->look[i].dn = dn;
		dn->look[i].which = i;
	}
	k = hash(name) & (q->nbuckets - 1);
	dn->next = q->tab[k];
	q->tab[k] = dn;
	q->n++;
	*out = dn;
	return 0;
}

static enum check_ans *
state(struct dq_name *dn, int which)
{
	return which == Q_MX ? &dn->n.mx
	    : which == Q_A   ? &dn->n.a
	                     : &dn->n.aaaa;
}

static void
fail(struct dq_name *dn, int which, const char *why)
{
	struct tp_buf b = TP_BUF_INIT(512);

	*state(dn, which) = CHECK_ANS_FAILED;
	if (dn->n.why != NULL)
		return;
	tp_buf_addf(&b, "%s: %s", qnames[which], why);
	dn->n.why = tp_buf_detach(&b);
}

/* The RRs of the type at the end of the CNAME chain; null_mx when every
 * MX there has the root as exchange. */
static enum check_ans
records(const struct tp_dns_answer *a, const char *name, int which,
        int *null_mx)
{
	const char *owner = tp_dns_answer_owner(a, name);
	size_t i, n = 0, null = 0;

	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].section != TP_DNS_ANSWER ||
		    a->rr[i].type != qtypes[which] ||
		    strcasecmp(a->rr[i].name, owner) != 0)
			continue;
		n++;
		null += a->rr[i].target != NULL &&
		    strcmp(a->rr[i].target, ".") == 0;
	}
	if (which == Q_MX)
		*null_mx = n > 0 && null == n;
	return n > 0 ? CHECK_ANS_DATA : CHECK_ANS_NODATA;
}

static void
classify(struct dq_name *dn, int which, const struct tp_dns_answer *a)
{
	if (a->status != TP_DNS_ANSWERED)
		fail(dn, which, a->what ? a->what : "no answer");
	else if (a->rcode == TP_DNS_R_NXDOMAIN)
		*state(dn, which) = CHECK_ANS_NXDOMAIN;
	else if (a->rcode != TP_DNS_R_NOERROR)
		fail(dn, which, tp_dns_rcode_name(a->rcode));
	else if (tp_dns_answer_referral(a) != NULL)
		fail(dn, which,
		     "a referral: the server is not a recursive resolver");
	else
		*state(dn, which) =
		    records(a, dn->n.name, which, &dn->n.null_mx);
}

/* Every domain waiting for dn hears that it is answered. */
static void
wake(struct dq_name *dn)
{
	struct check_dom **w = dn->wait;
	size_t i, n = dn->nwait;

	dn->wait = NULL;
	dn->nwait = dn->await = 0;
	for (i = 0; i < n; i++)
		if (--w[i]->dest_wait == 0)
			dn->q->ready(dn->q->ctx, w[i]);
	free(w);
}

static void
on_answer(void *arg, const struct tp_dns_answer *a)
{
	struct dq_look *l = arg;
	struct dq_name *dn = l->dn;

	l->h = NULL;
	classify(dn, l->which, a);
	if (--dn->outstanding == 0)
		wake(dn);
}

static int
resolver(struct check_dq *q)
{
	if (q->res != NULL || q->res_tried)
		return 0;
	q->res_tried = 1;
	if (tp_dns_resolver(&q->res, q->dns, q->resolvers, 1) == 0)
		return 0;
	q->res = NULL;
	q->res_err = strdup(tp_err_msg());
	tp_err_clear();
	return q->res_err == NULL
	    ? tp_err_set(TP_EINTERNAL, "check: out of memory")
	    : 0;
}

static int
ask(struct check_dq *q, struct dq_name *dn, int which)
{
	enum check_ans *st = state(dn, which);
	int rc;

	if (*st != CHECK_ANS_NONE)
		return 0;
	if ((rc = resolver(q)) != 0)
		return rc;
	if (q->res == NULL) {
		fail(dn, which, q->res_err);
		return 0;
	}
	*st = CHECK_ANS_PENDING;
	rc = tp_dns_query(&dn->look[which].h, q->res, dn->n.name, qtypes[which],
	                  on_answer, &dn->look[which]);
	if (rc != 0)
		return rc;
	dn->outstanding++;
	return 0;
}

static int
wait_for(struct dq_name *dn, struct check_dom *c)
{
	struct check_dom **w;
	size_t na;

	/* c's names are added one after another: c is last if there. */
	if (dn->nwait > 0 && dn->wait[dn->nwait - 1] == c)
		return 0;
	if (dn->nwait == dn->await) {
		na = dn->await ? dn->await * 2 : 4;
		w = realloc(dn->wait, na * sizeof(*w));
		if (w == NULL)
			return tp_err_set(TP_EINTERNAL, "check: out of memory");
		dn->wait = w;
		dn->await = na;
	}
	dn->wait[dn->nwait++] = c;
	c->dest_wait++;
	return 0;
}

int
tp_check_dq_start(struct check_dq *q, struct check_dom *c)
{
	const struct check_dest *d;
	struct dq_name *dn;
	size_t i;
	int rc = 0;

	c->dest_wait = 0;
	for (i = 0; rc == 0 && i < c->dests.n; i++) {
		d = &c->dests.v[i];
		if ((rc = add(&dn, q, d->name)) != 0)
			break;
		if (d->kind == CHECK_DEST_MAIL)
			rc = ask(q, dn, Q_MX);
		if (rc == 0)
			rc = ask(q, dn, Q_A);
		if (rc == 0)
			rc = ask(q, dn, Q_AAAA);
		if (rc == 0 && dn->outstanding > 0)
			rc = wait_for(dn, c);
	}
	return rc;
}

const struct check_dname *
tp_check_dq_get(const struct check_dq *q, const char *name)
{
	const struct dq_name *dn = find(q, name);

	return dn != NULL ? &dn->n : NULL;
}

int
tp_check_dq_new(struct check_dq **out, struct tp_dns *dns,
                struct tp_dns_server *res, const struct tp_strv *resolvers,
                check_dq_ready_fn ready, void *ctx)
{
	struct check_dq *q;

	*out = q = calloc(1, sizeof(*q));
	if (q == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	q->dns = dns;
	q->res = res;
	q->resolvers = resolvers;
	q->ready = ready;
	q->ctx = ctx;
	return 0;
}

void
tp_check_dq_free(struct check_dq *q)
{
	struct dq_name *dn, *next;
	size_t i;
	int k;

	if (q == NULL)
		return;
	for (i = 0; i < q->nbuckets; i++)
		for (dn = q->tab[i]; dn != NULL; dn = next) {
			next = dn->next;
			for (k = 0; k < Q_N; k++)
				tp_dns_cancel(dn->look[k].h);
			free(dn->n.name);
			free(dn->n.why);
			free(dn->wait);
			free(dn);
		}
	free(q->tab);
	free(q->res_err);
	free(q);
}
