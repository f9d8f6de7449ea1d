/*
 * check_eval.c: from what `check` saw to a result: the status, the
 * values, the record senders would use, and every diagnostic with a hint.
 *
 * Status rules: a resolver that gave no usable answer, or no
 * authoritative server that answered, leaves the domain unknown (exit 3);
 * otherwise the RRset decides (record.h, tp_rrset_validate), made invalid
 * by servers that disagree or fail, and by destinations other than
 * --expect-rua; a valid record with an unreachable server (outside the
 * address-family rule) is not known to be served everywhere: unknown.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"

#define HINT_PUBLISH                                                           \
	"publish it with 'tlsrpt-publish --provider NAME --rua "               \
	"mailto:ADDRESS %s', or add the TXT record \"v=TLSRPTv1; "             \
	"rua=mailto:ADDRESS\" at _smtp._tls.%s"

static int
has_tlsrpt(const struct tp_txtset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (tp_record_is_tlsrpt_like(set->v[i].data, set->v[i].len))
			return 1;
	return 0;
}

#define DIAG(r, sev, code, hint, ...)                                          \
	tp_diags_add(&(r)->diagnostics, (sev), (code), 0, (hint), __VA_ARGS__)

static char *
hint_publish(const struct check_dom *c)
{
	struct tp_buf b = TP_BUF_INIT(1024);

	tp_buf_addf(&b, HINT_PUBLISH, c->domain, c->domain);
	return tp_buf_detach(&b);
}

/* 1 when the CNAME chain from the owner comes back to a name it already
 * passed (the answer then holds the loop until the hop limit). */
static int
cname_loop(const struct check_dom *c, const struct tp_strv *cnames)
{
	size_t i, j;

	for (i = 0; i < cnames->n; i++) {
		if (strcasecmp(cnames->v[i], c->owner) == 0)
			return 1;
		for (j = 0; j < i; j++)
			if (strcasecmp(cnames->v[i], cnames->v[j]) == 0)
				return 1;
	}
	return 0;
}

/* NXDOMAIN or no TXT, and a CNAME at the owner. (SPF or another value
 * where TLS-RPT belongs is the record core's rrset-unrelated.) */
static int
diag_owner(struct tp_result *r, const struct check_dom *c,
           const struct tp_txtset *set, int rcode, const struct tp_strv *cnames)
{
	char *hint;
	int rc = 0;

	if (set->n == 0 && cname_loop(c, cnames))
		/* Resolvers give up on a loop (SERVFAIL): no record. */
		return DIAG(r, TP_SEV_ERROR, "owner-cname-loop",
		            "point the CNAME at a name that holds the TXT "
		            "record, or replace it by the TXT record",
		            "the CNAME chain from %s loops back to %s: "
		            "senders' resolvers fail and see no record",
		            c->owner, cnames->v[cnames->n - 1]);
	/* Info, as shared/reference/rfc8460.md §4.5 rules: every sender's
	 * resolver follows it (M8), so no interop is at risk. */
	if (cnames->n > 0)
		rc = DIAG(r, TP_SEV_INFO, "owner-cname",
		          "fine when a reporting service hosts the record for "
		          "you; otherwise replace the CNAME by the TXT record",
		          "%s is an alias (CNAME) of %s: senders follow it and "
		          "read the record there",
		          c->owner, cnames->v[cnames->n - 1]);
	if (rc != 0 || set->n > 0 || rcode < 0)
		return rc;
	hint = hint_publish(c);
	/* rrset-missing is the error; this says which kind of missing. */
	if (rcode == TP_DNS_R_NXDOMAIN)
		rc = DIAG(r, TP_SEV_INFO, "owner-nxdomain", hint,
		          "%s does not exist (NXDOMAIN)", c->owner);
	else
		rc = DIAG(r, TP_SEV_INFO, "owner-nodata", hint,
		          "%s exists but has no TXT record (NOERROR, no "
		          "data)",
		          c->owner);
	free(hint);
	return rc;
}

/* 1 when set holds exactly the owner's values (r->values): what a
 * wildcard (*.DOMAIN) serves at every name below DOMAIN. */
static int
same_as_owner(const struct tp_result *r, const struct tp_txtset *set)
{
	size_t i;

	if (set->n != r->values.n)
		return 0;
	for (i = 0; i < set->n; i++)
		if (strlen(set->v[i].data) != set->v[i].len ||
		    !tp_strv_has(&r->values, set->v[i].data))
			return 0;
	return 1;
}

/* A TLS-RPT record at the domain itself or at _smtp-tlsrpt. */
static int
diag_misplaced(struct tp_result *r, const struct check_dom *c,
               const struct check_look *l, const char *name, const char *code,
               int missing)
{
	struct tp_buf h = TP_BUF_INIT(1024);
	char *hint;
	int rc;

	if (l->state != 1 || !has_tlsrpt(&l->set))
		return 0;
	/* The owner's own record served there too (a wildcard covering
	 * both names, most likely): harmless, and nothing to remove. */
	if (!missing && same_as_owner(r, &l->set))
		return 0;
	tp_buf_addf(&h,
	            "senders only read _smtp._tls.%s: %s it there and "
	            "remove the record from %s",
	            c->domain, missing ? "publish" : "keep", name);
	hint = tp_buf_detach(&h);
	rc = DIAG(r, missing ? TP_SEV_ERROR : TP_SEV_WARNING, code, hint,
	          "a TLS-RPT record is published at %s%s, where senders never "
	          "look",
	          name,
	          strcmp(code, "record-at-legacy-name") == 0
	              ? " (the name of a pre-RFC 8460 draft)"
	              : "");
	free(hint);
	return rc;
}

static int
diag_mta_sts(struct tp_result *r, const struct check_dom *c)
{
	size_t i;

	if (c->sts.state != 1) {
		r->mta_sts = TP_MTA_STS_UNKNOWN;
		return 0;
	}
	r->mta_sts = TP_MTA_STS_ABSENT;
	for (i = 0; i < c->sts.set.n; i++)
		if (c->sts.set.v[i].len >= 7 &&
		    strncasecmp(c->sts.set.v[i].data, "v=STSv1", 7) == 0)
			r->mta_sts = TP_MTA_STS_PRESENT;
	if (r->status != TP_CHECK_VALID)
		return 0;
	if (r->mta_sts == TP_MTA_STS_PRESENT)
		return DIAG(r, TP_SEV_INFO, "mta-sts-present",
		            "read the daily TLS reports before moving the "
		            "MTA-STS policy from testing to enforce",
		            "MTA-STS is published (_mta-sts.%s)", c->domain);
	return DIAG(r, TP_SEV_INFO, "mta-sts-absent",
	            "next step: publish an MTA-STS policy in testing mode "
	            "(TXT \"v=STSv1; id=...\" at _mta-sts.DOMAIN and the "
	            "policy at https://mta-sts.DOMAIN/.well-known/mta-sts.txt)",
	            "no MTA-STS record at _mta-sts.%s yet", c->domain);
}

/* Destinations, each normalised (kept as written when it cannot be). */
static int
rua_norm(struct tp_strv *out, const struct tp_strv *in)
{
	size_t i;
	char *n;
	int rc = 0;

	for (i = 0; rc == 0 && i < in->n; i++) {
		if (tp_rua_normalize(&n, in->v[i]) != 0)
			n = strdup(in->v[i]);
		if (!tp_strv_has(out, n ? n : ""))
			rc = tp_strv_take(out, n);
		else
			free(n);
	}
	return rc;
}

static int
diag_rua(struct tp_result *r, const struct tp_txt *rec,
         const struct tp_strv *expect, const char *from)
{
	struct tp_strv got = TP_STRV_INIT, have = TP_STRV_INIT;
	struct tp_strv want = TP_STRV_INIT;
	struct tp_buf m = TP_BUF_INIT(4096);
	size_t i;
	char *msg;
	int rc;

	rc = tp_record_rua(&got, rec->data, rec->len);
	if (rc == 0)
		rc = rua_norm(&have, &got);
	if (rc == 0)
		rc = rua_norm(&want, expect);
	for (i = 0; i < want.n; i++)
		if (!tp_strv_has(&have, want.v[i]))
			tp_buf_addf(&m, "%smissing %s", m.len ? ", " : "",
			            want.v[i]);
	for (i = 0; i < have.n; i++)
		if (!tp_strv_has(&want, have.v[i]))
			tp_buf_addf(&m, "%sunexpected %s", m.len ? ", " : "",
			            have.v[i]);
	msg = tp_buf_detach(&m);
	if (rc == 0 && msg != NULL && msg[0] != '\0') {
		rc = DIAG(
		    r, TP_SEV_ERROR, "rua-unexpected",
		    from != NULL
		        ? "update the record (tlsrpt-publish publishes "
		          "the configured destinations) or the config file"
		        : "update the record (tlsrpt-publish --rua ...) or "
		          "fix --expect-rua",
		    "the record's destinations differ from %s: %s",
		    from != NULL ? from : "--expect-rua", msg);
		r->status = TP_CHECK_INVALID;
	}
	free(msg);
	tp_strv_release(&got);
	tp_strv_release(&have);
	tp_strv_release(&want);
	return rc;
}

/* ---- authoritative servers ------------------------------------------- */

static int
answering(const struct tp_server_result *s)
{
	return s->state == TP_SERVER_EXPECTED || s->state == TP_SERVER_OLD ||
	    s->state == TP_SERVER_MISSING;
}

/* The values of s, sorted and joined: equal keys, same RRset. */
static char *
values_key(const struct tp_server_result *s)
{
	struct tp_buf b = TP_BUF_INIT(1 << 20);
	const char **v;
	size_t i, k;

	v = calloc(s->values.n + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0; i < s->values.n; i++) {
		for (k = i; k > 0 && strcmp(v[k - 1], s->values.v[i]) > 0; k--)
			v[k] = v[k - 1];
		v[k] = s->values.v[i];
	}
	for (i = 0; i < s->values.n; i++)
		tp_buf_addf(&b, "%s\"%s\"", i ? ", " : "", v[i]);
	if (s->values.n == 0)
		tp_buf_adds(&b, "no TXT record");
	free(v);
	return tp_buf_detach(&b);
}

/* Order of two values: by length, then bytes (NULs included). */
static int
txt_cmp(const struct tp_txt *a, const struct tp_txt *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->len ? memcmp(a->data, b->data, a->len) : 0;
}

/* The values of s in txt_cmp order (borrowed pointers), or NULL. */
static const struct tp_txt **
sorted_rrset(const struct tp_server_result *s)
{
	const struct tp_txt **v;
	size_t i, k;

	v = calloc(s->rrset.n + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0; i < s->rrset.n; i++) {
		for (k = i; k > 0 && txt_cmp(v[k - 1], &s->rrset.v[i]) > 0; k--)
			v[k] = v[k - 1];
		v[k] = &s->rrset.v[i];
	}
	return v;
}

/* 1 when a and b serve the same values, byte for byte (the printed
 * values stop at a NUL, so they cannot decide). -1 out of memory. */
static int
same_values(const struct tp_server_result *a, const struct tp_server_result *b)
{
	const struct tp_txt **va, **vb;
	size_t i;
	int same = a->rrset.n == b->rrset.n;

	if (!same)
		return 0;
	va = sorted_rrset(a);
	vb = sorted_rrset(b);
	if (va == NULL || vb == NULL)
		same = -1;
	for (i = 0; same == 1 && i < a->rrset.n; i++)
		same = txt_cmp(va[i], vb[i]) == 0;
	free(va);
	free(vb);
	return same;
}

static const char *
who(const struct tp_server_result *s, struct tp_buf *b)
{
	tp_buf_reset(b);
	tp_buf_adds(b, s->address);
	if (s->ns != NULL)
		tp_buf_addf(b, " (%s)", s->ns);
	return b->s;
}

static int
diag_disagree(struct tp_result *r, const struct tp_confirm *c,
              const struct tp_server_result *ref)
{
	struct tp_buf m = TP_BUF_INIT(8192), w = TP_BUF_INIT(1024);
	char *rk, *k = NULL;
	size_t i;
	int rc = 0, differ = 0, same;

	rk = values_key(ref);
	for (i = 0; rk != NULL && i < c->nservers; i++) {
		if (!answering(&c->servers[i]))
			continue;
		k = values_key(&c->servers[i]);
		if (k == NULL || (same = same_values(&c->servers[i], ref)) < 0)
			break;
		tp_buf_addf(&m, "%s%s serves %s", m.len ? "; " : "",
		            who(&c->servers[i], &w), k);
		differ |= !same;
		free(k);
		k = NULL;
	}
	if (differ)
		r->status = TP_CHECK_INVALID;
	if (differ && !m.err)
		rc = DIAG(r, TP_SEV_ERROR, "servers-disagree",
		          "senders see different records depending on the "
		          "server their resolver asks: wait for the zone to "
		          "propagate (check --wait), or fix the lagging server",
		          "the authoritative servers disagree: %s", m.s);
	free(rk);
	tp_buf_release(&m);
	tp_buf_release(&w);
	return rc;
}

/* Failing and unreachable servers; *blind when one of them keeps a valid
 * record from being known to be served everywhere. */
static int
diag_servers(struct tp_result *r, const struct tp_confirm *c, int *blind)
{
	struct tp_buf w = TP_BUF_INIT(1024);
	const struct tp_server_result *s;
	size_t i;
	int rc = 0;

	*blind = 0;
	for (i = 0; rc == 0 && i < c->nservers; i++) {
		s = &c->servers[i];
		if (s->state == TP_SERVER_REFUSED ||
		    s->state == TP_SERVER_SERVFAIL) {
			rc =
			    DIAG(r, TP_SEV_ERROR, "server-failed",
			         "every name server of the zone must serve it: "
			         "fix or remove this one",
			         "%s answered %s: %s", who(s, &w),
			         tp_server_state_name(s->state),
			         s->detail ? s->detail : "");
			r->status = TP_CHECK_INVALID;
		} else if (s->state == TP_SERVER_UNREACHABLE && s->excused) {
			rc =
			    DIAG(r, TP_SEV_INFO, "family-unreachable",
			         "not counted: this host cannot reach that "
			         "address family (--strict-families counts it)",
			         "%s: %s", who(s, &w),
			         s->detail ? s->detail : "unreachable");
		} else if (s->state == TP_SERVER_UNREACHABLE) {
			rc =
			    DIAG(r, TP_SEV_WARNING, "server-unreachable",
			         "check from a network that can reach it, or "
			         "give the reachable servers with --nameserver",
			         "%s did not answer: %s", who(s, &w),
			         s->detail ? s->detail : "unreachable");
			*blind = 1;
		}
	}
	tp_buf_release(&w);
	return rc;
}

/* Append a copy of t (its split too, when known) to set. */
static int
txt_copy(struct tp_txtset *set, const struct tp_txt *t)
{
	const char **strs;
	size_t k, off;
	int rc;

	if (t->nstrings == 0 || t->strlens == NULL)
		return tp_txtset_add(set, t->data, t->len);
	strs = calloc(t->nstrings, sizeof(*strs));
	if (strs == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	for (k = 0, off = 0; k < t->nstrings; k++) {
		strs[k] = t->data + off;
		off += t->strlens[k];
	}
	rc = tp_txtset_add_strings(set, strs, t->strlens, t->nstrings);
	free(strs);
	return rc;
}

/* Authoritative mode: the servers' answers into set/rcode/cnames. */
static int
from_servers(struct tp_result *r, struct check_dom *c, struct tp_txtset *set,
             int *rcode, struct tp_strv *cnames, int *blind)
{
	const struct tp_server_result *ref = NULL;
	size_t i;
	int rc, chain;

	r->confirm = c->confirm;
	memset(&c->confirm, 0, sizeof(c->confirm));
	if (r->confirm.zone != NULL &&
	    (r->zone = strdup(r->confirm.zone)) == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	for (i = 0; i < r->confirm.nservers && ref == NULL; i++)
		if (answering(&r->confirm.servers[i]))
			ref = &r->confirm.servers[i];
	if ((rc = diag_servers(r, &r->confirm, blind)) != 0)
		return rc;
	if (ref == NULL) {
		*rcode = -1;
		return 0;
	}
	*rcode = ref->rcode;
	/* Only a CNAME out of the zone: its servers were not asked, and
	 * the resolver's lookup (which followed the chain, chased when
	 * needed) says where it ends: a record, nothing, or a loop. */
	chain = ref->cname != NULL && ref->rrset.n == 0 && c->own.state == 1 &&
	    c->own.cnames.n > 0;
	if (chain && (rc = tp_strv_copy(cnames, &c->own.cnames)) != 0)
		return rc;
	if (chain && c->own.set.n > 0) {
		*set = c->own.set;
		memset(&c->own.set, 0, sizeof(c->own.set));
		return DIAG(r, TP_SEV_INFO, "owner-cname-followed",
		            "to read the target's servers directly, check the "
		            "target's domain with --authoritative",
		            "the servers only serve the CNAME to %s: its "
		            "record was read through the resolver",
		            ref->cname);
	}
	/* The RRset as served: ref->values are C strings, cut at a NUL. */
	for (i = 0; i < ref->rrset.n; i++)
		if ((rc = txt_copy(set, &ref->rrset.v[i])) != 0)
			return rc;
	if (!chain && ref->cname != NULL &&
	    (rc = tp_strv_add(cnames, ref->cname)) != 0)
		return rc;
	return diag_disagree(r, &r->confirm, ref);
}

/* ---- the result ------------------------------------------------------- */

static enum tp_check_status
rrset_status(enum tp_rrset_status st)
{
	switch (st) {
	case TP_RRSET_VALID:
		return TP_CHECK_VALID;
	case TP_RRSET_MISSING:
		return TP_CHECK_MISSING;
	default:
		return TP_CHECK_INVALID;
	}
}

static int
record_of(struct tp_result *r, const struct tp_txtset *set, size_t idx)
{
	size_t i;

	for (i = 0; idx == (size_t)-1 && i < set->n; i++)
		if (tp_record_is_tlsrpt_like(set->v[i].data, set->v[i].len))
			idx = i;
	if (idx == (size_t)-1)
		return 0;
	r->record = tp_txt_display(set->v[idx].data, set->v[idx].len);
	return r->record == NULL
	    ? tp_err_set(TP_EINTERNAL, "check: out of memory")
	    : 0;
}

/* Validate the RRset and say everything about it. */
static int
judge(struct tp_result *r, struct check_dom *c, const struct tp_txtset *set,
      int rcode, const struct tp_strv *cnames, const struct tp_check_opts *o)
{
	const struct tp_strv *expect = c->expect ? c->expect : o->expect_rua;
	enum tp_check_status before = r->status;
	enum tp_rrset_status st;
	size_t i, idx = (size_t)-1;
	int rc;

	for (i = 0; i < set->n; i++)
		if ((rc = tp_strv_take(
		         &r->values,
		         tp_txt_display(set->v[i].data, set->v[i].len))) != 0)
			return rc;
	if ((rc = diag_owner(r, c, set, rcode, cnames)) != 0 ||
	    (rc = tp_rrset_validate(&r->diagnostics, &st, &idx, set)) != 0 ||
	    (rc = record_of(r, set, idx)) != 0)
		return rc;
	r->status = rrset_status(st);
	c->rrset_valid = st == TP_RRSET_VALID;
	if (before == TP_CHECK_INVALID)
		r->status = before; /* failing servers */
	if (r->status == TP_CHECK_VALID && expect != NULL && expect->n > 0 &&
	    (rc = diag_rua(r, &set->v[idx], expect,
	                   c->expect ? c->expect_from : NULL)) != 0)
		return rc;
	return 0;
}

static int
side_names(struct tp_result *r, const struct check_dom *c)
{
	int missing = r->status == TP_CHECK_MISSING;
	int rc;

	if ((rc = diag_misplaced(r, c, &c->apex, c->domain, "record-at-apex",
	                         missing)) != 0 ||
	    (rc = diag_misplaced(r, c, &c->legacy, c->legacy_name,
	                         "record-at-legacy-name", missing)) != 0)
		return rc;
	return diag_mta_sts(r, c);
}

int
tp_check_eval(struct tp_result *r, struct check_dom *c,
              const struct tp_check_opts *o)
{
	struct tp_txtset set = TP_TXTSET_INIT;
	struct tp_strv cnames = TP_STRV_INIT;
	int rc, rcode = -1, blind = 0, known;

	tp_result_init(r, TP_RESULT_CHECK);
	if ((r->domain = strdup(c->domain)) == NULL ||
	    (r->owner = strdup(c->owner)) == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	if (c->watched && c->watch_rc != 0) {
		tp_err_set(c->watch_rc, "%s", c->watch_err ? c->watch_err : "");
		tp_result_fail(r);
		r->status = TP_CHECK_UNKNOWN;
		return 0;
	}
	if (c->watched) {
		rc = from_servers(r, c, &set, &rcode, &cnames, &blind);
		known = rcode >= 0;
	} else {
		known = c->own.state == 1;
		rcode = c->own.rcode;
		set = c->own.set; /* moved: the split of each RR is kept */
		memset(&c->own.set, 0, sizeof(c->own.set));
		rc = tp_strv_copy(&cnames, &c->own.cnames);
		if (rc == 0 && c->own.zone != NULL)
			r->zone = strdup(c->own.zone);
		if (rc == 0 && !known)
			rc = DIAG(r, TP_SEV_ERROR, "resolver-failed",
			          "check --resolver, or read the authoritative "
			          "servers with --authoritative",
			          "no usable answer for %s: %s", c->owner,
			          c->own.fail ? c->own.fail : "unknown error");
	}
	if (rc == 0 && known)
		rc = judge(r, c, &set, rcode, &cnames, o);
	if (rc == 0 && !known)
		r->status = TP_CHECK_UNKNOWN;
	else if (rc == 0 && blind && r->status == TP_CHECK_VALID)
		r->status = TP_CHECK_UNKNOWN;
	if (rc == 0 && known)
		rc = side_names(r, c);
	if (rc == 0 && r->confirm.status == TP_CONFIRM_TIMEOUT && o->wait)
		rc = DIAG(r, TP_SEV_WARNING, "wait-timeout",
		          "raise --timeout, or look at the servers that lag",
		          "not every server served one valid record within "
		          "%.0f s",
		          o->timeout);
	if (!o->wait)
		r->confirm.status = TP_CONFIRM_NONE;
	tp_txtset_release(&set);
	tp_strv_release(&cnames);
	return rc;
}
