/*
 * plan.c: the desired TXT set at _smtp._tls.DOMAIN from the one read
 * (rules in include/tlsrpt/plan.h).
 */
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/plan.h"
#include "tlsrpt/record.h"

static int
is_tlsrpt(const char *v)
{
	return tp_record_is_tlsrpt_like(v, strlen(v));
}

/* Append uri canonicalised to list unless there already; a destination
 * that is not valid is left out (*ok = 0) when lenient, else an error. */
static int
add_normalized(struct tp_strv *list, const char *uri, int lenient, int *ok)
{
	char *n = NULL;
	int rc;

	*ok = 1;
	rc = tp_rua_normalize(&n, uri);
	if (rc != 0) {
		if (!lenient)
			return rc;
		*ok = 0;
		tp_err_clear();
		return 0;
	}
	if (tp_strv_has(list, n)) {
		free(n);
		return 0;
	}
	return tp_strv_take(list, n);
}

/* Every destination of every TLS-RPT-like value of before, as written,
 * each once. */
static int
old_destinations(struct tp_strv *out, const struct tp_txt_rrset *before)
{
	struct tp_strv all = TP_STRV_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < before->values.n && rc == 0; i++)
		if (is_tlsrpt(before->values.v[i]))
			rc = tp_record_rua(&all, before->values.v[i],
			                   strlen(before->values.v[i]));
	for (i = 0; i < all.n && rc == 0; i++)
		if (!tp_strv_has(out, all.v[i]))
			rc = tp_strv_add(out, all.v[i]);
	tp_strv_release(&all);
	return rc;
}

/* The wanted destinations, canonical, plus the old ones when asked. */
static int
wanted_rua(struct tp_strv *out, const struct tp_strv *old,
           const struct tp_plan_opts *o)
{
	size_t i;
	int ok, rc = 0;

	for (i = 0; o->rua != NULL && i < o->rua->n && rc == 0; i++)
		rc = add_normalized(out, o->rua->v[i], 0, &ok);
	for (i = 0; o->keep_existing_rua && i < old->n && rc == 0; i++)
		rc = add_normalized(out, old->v[i], 1, &ok);
	return rc;
}

/* Old destinations the new list does not have (compared canonical). */
static int
dropped(struct tp_strv *out, const struct tp_strv *old,
        const struct tp_strv *kept)
{
	size_t i;
	char *n;
	int rc = 0, gone;

	for (i = 0; i < old->n && rc == 0; i++) {
		n = NULL;
		if (tp_rua_normalize(&n, old->v[i]) != 0) {
			tp_err_clear();
			gone = 1;
		} else {
			gone = !tp_strv_has(kept, n);
		}
		free(n);
		if (gone && !tp_strv_has(out, old->v[i]))
			rc = tp_strv_add(out, old->v[i]);
	}
	return rc;
}

/* after = before with the TLS-RPT-like values replaced by record (at the
 * first one's place, else last), or dropped when record is NULL. */
static int
build_after(struct tp_plan *p, const struct tp_txt_rrset *before,
            const char *record)
{
	size_t i;
	int placed = 0, rc = 0;

	for (i = 0; i < before->values.n && rc == 0; i++) {
		if (!is_tlsrpt(before->values.v[i])) {
			rc = tp_strv_add(&p->after, before->values.v[i]);
			continue;
		}
		p->replaced++;
		if (record != NULL && !placed) {
			rc = tp_strv_add(&p->after, record);
			placed = 1;
		}
	}
	if (rc == 0 && record != NULL && !placed)
		rc = tp_strv_add(&p->after, record);
	return rc;
}

/* The TLS-RPT part is already exactly the one wanted value. */
static int
tlsrpt_same(const struct tp_plan *p, const struct tp_txt_rrset *before)
{
	size_t i;

	if (p->record == NULL)
		return p->replaced == 0;
	if (p->replaced != 1)
		return 0;
	for (i = 0; i < before->values.n; i++)
		if (is_tlsrpt(before->values.v[i]))
			return strcmp(before->values.v[i], p->record) == 0;
	return 0;
}

static void
decide(struct tp_plan *p, const struct tp_txt_rrset *before,
       const struct tp_plan_opts *o, int exists)
{
	p->old_ttl = exists ? before->ttl : 0;
	if (!exists) {
		p->ttl = o->ttl > 0 ? o->ttl : o->default_ttl;
		p->change = o->remove ? TP_PLAN_NONE : TP_PLAN_CREATE;
		return;
	}
	/* Remove never touches the TTL of the values it leaves. */
	p->ttl = before->ttl;
	if (!o->remove && o->ttl > 0 && o->ttl != before->ttl) {
		p->ttl = o->ttl;
		p->ttl_changed = 1;
	}
	if (tlsrpt_same(p, before) && !p->ttl_changed)
		p->change = TP_PLAN_NONE;
	else if (o->remove)
		p->change = TP_PLAN_REMOVE;
	else
		p->change = p->replaced == 0 ? TP_PLAN_CREATE : TP_PLAN_UPDATE;
}

int
tp_plan_make(struct tp_plan *out, const struct tp_txt_rrset *before,
             const struct tp_plan_opts *o)
{
	struct tp_strv old = TP_STRV_INIT, rua = TP_STRV_INIT;
	int exists, rc;

	memset(out, 0, sizeof(*out));
	exists = before->exists && before->values.n > 0;
	rc = old_destinations(&old, before);
	if (rc == 0 && !o->remove) {
		rc = wanted_rua(&rua, &old, o);
		if (rc == 0)
			rc = tp_record_build(&out->record, &rua);
	}
	if (rc == 0)
		rc = dropped(&out->dropped_rua, &old, &rua);
	if (rc == 0)
		rc = build_after(out, before, out->record);
	if (rc == 0)
		decide(out, before, o, exists);
	tp_strv_release(&old);
	tp_strv_release(&rua);
	if (rc != 0)
		tp_plan_release(out);
	return rc;
}

/* The one TLS-RPT-like value of v, or NULL (none, or several). */
static const char *
only_tlsrpt(const struct tp_strv *v)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (is_tlsrpt(v->v[i])) {
			if (found != NULL)
				return NULL;
			found = v->v[i];
		}
	return found;
}

static void
restore_decide(struct tp_plan *p, const struct tp_txt_rrset *now,
               const struct tp_restore_opts *o, int exists)
{
	int is_want = tp_strv_same_set(&now->values, o->want);

	p->old_ttl = exists ? now->ttl : 0;
	if (!exists)
		p->ttl = o->want_ttl > 0 ? o->want_ttl : o->default_ttl;
	else
		p->ttl = o->want_ttl > 0 ? o->want_ttl : now->ttl;
	p->ttl_changed = exists && o->want->n > 0 && p->ttl != now->ttl;
	if (is_want && (!p->ttl_changed || !exists))
		p->change = TP_PLAN_NONE;
	else if (o->want->n == 0)
		p->change = TP_PLAN_REMOVE;
	else if (!exists)
		p->change = TP_PLAN_CREATE;
	else
		p->change = TP_PLAN_UPDATE;
}

int
tp_plan_restore(struct tp_plan *out, const struct tp_txt_rrset *now,
                const struct tp_restore_opts *o)
{
	const char *rec;
	size_t i;
	int exists, rc = 0;

	memset(out, 0, sizeof(*out));
	exists = now->exists && now->values.n > 0;
	if (!tp_strv_same_set(&now->values, o->want) &&
	    !tp_strv_same_set(&now->values, o->expect))
		return tp_err_set(
		    TP_ECONFLICT,
		    "restore: the TXT set at '%s' is not what the "
		    "report left there (%zu value%s now, %zu after "
		    "the reported change): it was changed since, "
		    "and restoring would undo that change, so it "
		    "is left alone: compare it with the report, "
		    "then fix it by hand or publish again",
		    o->owner, now->values.n, now->values.n == 1 ? "" : "s",
		    o->expect->n);
	for (i = 0; i < now->values.n; i++)
		out->replaced += is_tlsrpt(now->values.v[i]) != 0;
	rc = tp_strv_copy(&out->after, o->want);
	rec = only_tlsrpt(o->want);
	if (rc == 0 && rec != NULL && (out->record = strdup(rec)) == NULL)
		rc = tp_err_set(TP_EINTERNAL, "plan: out of memory");
	if (rc != 0) {
		tp_plan_release(out);
		return rc;
	}
	restore_decide(out, now, o, exists);
	return 0;
}

enum tp_action
tp_plan_action(const struct tp_plan *p, int dry_run)
{
	switch (p->change) {
	case TP_PLAN_CREATE:
		return dry_run ? TP_ACTION_WOULD_CREATE : TP_ACTION_CREATED;
	case TP_PLAN_UPDATE:
		return dry_run ? TP_ACTION_WOULD_UPDATE : TP_ACTION_UPDATED;
	case TP_PLAN_REMOVE:
		return dry_run ? TP_ACTION_WOULD_REMOVE : TP_ACTION_REMOVED;
	default:
		return TP_ACTION_UNCHANGED;
	}
}

void
tp_plan_release(struct tp_plan *p)
{
	if (p == NULL)
		return;
	free(p->record);
	tp_strv_release(&p->after);
	tp_strv_release(&p->dropped_rua);
	memset(p, 0, sizeof(*p));
}
