/*
 * watch_eval.c: what one authoritative answer means for a watched domain,
 * when the domain is done, and the verdict with visible_by.
 *
 * visible_by (shared/reference/dns-propagation.md, Part A3): the time
 * every address first served the value, plus the longest a resolver may
 * still hold an earlier answer: the replaced RRset's TTL (old_ttl, or any
 * other TXT RRset seen at the owner while watching), or for a new record
 * the negative-caching TTL min(SOA TTL, SOA MINIMUM) of RFC 2308.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "watch_int.h"

/* ---- what an answer means --------------------------------------------- */

/* The record's destinations, normalised, are exactly the set wanted. */
static int
rua_equal(const struct tp_strv *want, const struct tp_txt *rec)
{
	struct tp_strv got = TP_STRV_INIT, norm = TP_STRV_INIT;
	size_t i;
	char *n;
	int same = 1;

	if (tp_record_rua(&got, rec->data, rec->len) != 0)
		same = 0;
	for (i = 0; same && i < got.n; i++)
		same = tp_rua_normalize(&n, got.v[i]) == 0 &&
		    tp_strv_take(&norm, n) == 0;
	for (i = 0; same && i < norm.n; i++)
		same = tp_strv_has(want, norm.v[i]);
	for (i = 0; same && i < want->n; i++)
		same = tp_strv_has(&norm, want->v[i]);
	tp_strv_release(&got);
	tp_strv_release(&norm);
	return same;
}

/* The state of an answered TXT RRset, and a detail when not expected. */
static enum tp_server_state
judge(const struct wdom *d, const struct tp_txtset *set, char **detail)
{
	struct tp_diags diags = TP_DIAGS_INIT;
	enum tp_rrset_status st;
	size_t i, n = 0, idx, match = 0;

	*detail = NULL;
	for (i = 0; i < set->n; i++)
		if (tp_record_is_tlsrpt_like(set->v[i].data, set->v[i].len)) {
			n++;
			if (d->value != NULL &&
			    set->v[i].len == strlen(d->value) &&
			    memcmp(set->v[i].data, d->value, set->v[i].len) ==
			        0)
				match++;
		}
	switch (d->expect) {
	case TP_WATCH_ABSENT:
		return n == 0 ? TP_SERVER_EXPECTED : TP_SERVER_OLD;
	case TP_WATCH_VALUE:
		if (n == 1 && match == 1)
			return TP_SERVER_EXPECTED;
		if (n > 1)
			*detail = strdup("several TLS-RPT values");
		return n == 0 ? TP_SERVER_MISSING : TP_SERVER_OLD;
	default:
		break;
	}
	if (tp_rrset_validate(&diags, &st, &idx, set) != 0)
		st = TP_RRSET_INVALID;
	if (st == TP_RRSET_VALID && d->expect_rua.n > 0 &&
	    !rua_equal(&d->expect_rua, &set->v[idx])) {
		st = TP_RRSET_INVALID;
		*detail = strdup("rua differs from the expected destinations");
	}
	/* "No record" is said better by the caller (NXDOMAIN, no TXT). */
	for (i = 0; i < diags.n && *detail == NULL && n > 0; i++)
		if (diags.v[i].severity == TP_SEV_ERROR)
			*detail = strdup(diags.v[i].message);
	tp_diags_release(&diags);
	if (st == TP_RRSET_VALID)
		return TP_SERVER_EXPECTED;
	return st == TP_RRSET_MISSING && n == 0 ? TP_SERVER_MISSING
	                                        : TP_SERVER_OLD;
}

static char *
fail_detail(const struct tp_dns_answer *a)
{
	struct tp_buf b = TP_BUF_INIT(256);

	tp_buf_adds(&b, a->what ? a->what : "no answer");
	if (a->status == TP_DNS_TIMEOUT && a->timeouts > 0)
		tp_buf_addf(&b, " after %d tries", a->timeouts);
	return tp_buf_detach(&b);
}

/* State for an answer that is not NOERROR/NXDOMAIN with AA. */
static int
judge_rcode(const struct tp_dns_answer *a, enum tp_server_state *st,
            char **detail)
{
	struct tp_buf b = TP_BUF_INIT(256);

	if (a->rcode == TP_DNS_R_REFUSED || a->rcode == TP_DNS_R_NOTAUTH) {
		*st = TP_SERVER_REFUSED;
		tp_buf_addf(&b, "rcode %s: this server does not serve the zone",
		            tp_dns_rcode_name(a->rcode));
	} else if (a->rcode != TP_DNS_R_NOERROR &&
	           a->rcode != TP_DNS_R_NXDOMAIN) {
		*st = TP_SERVER_SERVFAIL;
		tp_buf_addf(&b, "rcode %s", tp_dns_rcode_name(a->rcode));
	} else if (!a->aa) {
		*st = TP_SERVER_REFUSED;
		tp_buf_adds(&b,
		            "not authoritative (AA=0): a lame delegation, "
		            "or not an authoritative server");
	} else {
		return 0;
	}
	*detail = tp_buf_detach(&b);
	return 1;
}

static void
note_caches(struct wdom *d, const struct tp_dns_answer *a,
            const struct tp_txtset *set, unsigned long ttl,
            enum tp_server_state st)
{
	long neg;

	if (set->n == 0) {
		neg = tp_dns_negative_ttl(a);
		if (neg > d->neg_ttl)
			d->neg_ttl = neg;
		return;
	}
	if (st != TP_SERVER_EXPECTED && (long)ttl > d->seen_ttl)
		d->seen_ttl = (long)ttl;
}

static void
set_state(struct wslot *s, enum tp_server_state st, char *detail, double now,
          const struct tp_sink *sink)
{
	if (!s->has_state || s->state != st) {
		tp_sink_log(sink, TP_LOG_INFO, "watch: %s: %s%s%s: %s%s%s",
		            s->dom->domain, s->addr.text, s->ns ? " " : "",
		            s->ns ? s->ns : "", tp_server_state_name(st),
		            detail ? ": " : "", detail ? detail : "");
		s->since = now;
	}
	s->has_state = 1;
	s->state = st;
	free(s->detail);
	s->detail = detail;
}

void
tp_watch_classify(struct wslot *s, const struct tp_dns_answer *a, double now,
                  const struct tp_sink *sink)
{
	struct tp_txtset set = TP_TXTSET_INIT;
	struct tp_strv cnames = TP_STRV_INIT;
	enum tp_server_state st;
	unsigned long ttl = 0;
	char *detail = NULL;
	size_t i;

	if (a->status != TP_DNS_ANSWERED) {
		set_state(s, TP_SERVER_UNREACHABLE, fail_detail(a), now, sink);
		return;
	}
	s->ever_answered = 1;
	s->rcode = a->rcode;
	tp_strv_release(&s->values);
	tp_txtset_release(&s->rrset);
	free(s->cname);
	s->cname = NULL;
	if (judge_rcode(a, &st, &detail)) {
		set_state(s, st, detail, now, sink);
		return;
	}
	if (tp_dns_answer_txt(&set, &cnames, &ttl, a, s->dom->owner) != 0) {
		set_state(s, TP_SERVER_SERVFAIL, strdup("out of memory"), now,
		          sink);
		goto out;
	}
	if (cnames.n > 0)
		s->cname = strdup(cnames.v[cnames.n - 1]);
	for (i = 0; i < set.n; i++)
		(void)tp_strv_take(&s->values,
		                   tp_txt_display(set.v[i].data, set.v[i].len));
	st = judge(s->dom, &set, &detail);
	if (st == TP_SERVER_MISSING && detail == NULL)
		detail =
		    strdup(a->rcode == TP_DNS_R_NXDOMAIN ? "NXDOMAIN"
		               : set.n == 0 ? "no TXT record at the owner"
		                            : "no TLS-RPT value among the TXT "
		                              "values");
	note_caches(s->dom, a, &set, ttl, st);
	set_state(s, st, detail, now, sink);
	s->rrset = set; /* moved */
	memset(&set, 0, sizeof(set));
out:
	tp_txtset_release(&set);
	tp_strv_release(&cnames);
}

/* ---- done? ------------------------------------------------------------ */

/* An address family is unreachable from here for d when every address of
 * it is unreachable while some address of another family is not. */
static int
family_excused(const struct wdom *d, int family)
{
	size_t i;
	int other = 0;

	for (i = 0; i < d->nslots; i++) {
		const struct wslot *s = &d->slots[i];
		int up = s->has_state && s->state != TP_SERVER_UNREACHABLE;

		if (s->addr.family == family && (up || s->ever_answered))
			return 0;
		if (s->addr.family != family && up)
			other = 1;
	}
	return other;
}

int
tp_watch_is_done(const struct wdom *d, int strict)
{
	size_t i, ok = 0;

	for (i = 0; i < d->nslots; i++) {
		const struct wslot *s = &d->slots[i];

		if (s->has_state && s->state == TP_SERVER_EXPECTED) {
			ok++;
			continue;
		}
		if (strict || !s->has_state ||
		    s->state != TP_SERVER_UNREACHABLE ||
		    !family_excused(d, s->addr.family))
			return 0;
	}
	return ok > 0;
}

/* ---- the verdict -------------------------------------------------------*/

int
tp_watch_needs_neg_ttl(const struct wdom *d)
{
	return d->expect != TP_WATCH_ABSENT && d->old_ttl < 0 &&
	    d->neg_ttl < 0 && !d->once;
}

static double
visible_by(const struct wdom *d)
{
	long cache = 0;

	if (d->t_all <= 0)
		return 0;
	if (d->old_ttl > cache)
		cache = d->old_ttl;
	if (d->seen_ttl > cache)
		cache = d->seen_ttl;
	if (d->expect != TP_WATCH_ABSENT && d->neg_ttl > cache)
		cache = d->neg_ttl;
	return d->t_all + (double)cache;
}

static int
server_copy(struct tp_server_result *o, struct wslot *s, const struct wdom *d,
            int strict)
{
	o->rcode = s->rcode;
	o->since = s->since;
	o->state = s->has_state ? s->state : TP_SERVER_UNREACHABLE;
	o->values = s->values;
	memset(&s->values, 0, sizeof(s->values));
	o->rrset = s->rrset;
	memset(&s->rrset, 0, sizeof(s->rrset));
	o->detail = s->detail;
	s->detail = NULL;
	if (!s->has_state)
		o->detail = strdup("no answer before the deadline");
	o->cname = s->cname;
	s->cname = NULL;
	o->excused = !strict && o->state == TP_SERVER_UNREACHABLE &&
	    family_excused(d, s->addr.family);
	o->address = strdup(s->addr.text);
	if (s->ns != NULL)
		o->ns = strdup(s->ns);
	if (o->address == NULL || (s->ns != NULL && o->ns == NULL))
		return tp_err_set(TP_EINTERNAL, "watch: out of memory");
	return 0;
}

int
tp_watch_verdict(struct tp_confirm *c, struct wdom *d,
                 enum tp_confirm_status st, double now, int strict)
{
	size_t i;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->status = st;
	c->seconds = now - d->t0;
	if (st == TP_CONFIRM_CONFIRMED && !d->once)
		c->visible_by = visible_by(d);
	if (d->zone != NULL && (c->zone = strdup(d->zone)) == NULL)
		return tp_err_set(TP_EINTERNAL, "watch: out of memory");
	if (d->nslots == 0)
		return 0;
	c->servers = calloc(d->nslots, sizeof(*c->servers));
	if (c->servers == NULL)
		return tp_err_set(TP_EINTERNAL, "watch: out of memory");
	c->nservers = d->nslots;
	for (i = 0; i < d->nslots && rc == 0; i++)
		rc = server_copy(&c->servers[i], &d->slots[i], d, strict);
	return rc;
}

void
tp_watch_slots_release(struct wdom *d)
{
	size_t i;

	for (i = 0; i < d->nslots; i++) {
		free(d->slots[i].ns);
		free(d->slots[i].detail);
		free(d->slots[i].cname);
		tp_strv_release(&d->slots[i].values);
		tp_txtset_release(&d->slots[i].rrset);
	}
	free(d->slots);
	d->slots = NULL;
	d->nslots = 0;
}
