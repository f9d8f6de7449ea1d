/*
 * publish_domain.c: one domain through one publish worker: zone, read,
 * plan, write (with recovery from uncertain writes and conflicts), and the
 * provider's own change tracking. Confirmation in DNS is the watcher's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish_int.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/plan.h"

/* Times a write is tried again after an uncertain outcome or conflict. */
#define MAX_UNCERTAIN 2
#define MAX_CONFLICT  1

static int
zone_copy(struct tp_zone *dst, const struct tp_zone *src)
{
	dst->id = strdup(src->id);
	dst->name = strdup(src->name);
	if (dst->id == NULL || dst->name == NULL) {
		tp_zone_release(dst);
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	}
	return 0;
}

/* Longest listed zone that holds domain, or NULL. */
static const struct tp_zone *
zone_match(const struct pub_zone_cache *c, const char *domain)
{
	const struct tp_zone *best = NULL;
	size_t i;

	for (i = 0; i < c->nzones; i++)
		if (tp_domain_in_zone(domain, c->zones[i].name) &&
		    (best == NULL ||
		     strlen(c->zones[i].name) > strlen(best->name)))
			best = &c->zones[i];
	return best;
}

/* Under the cache lock: fetch the account's zone list once, when the
 * provider can list zones and the run has enough domains for it. */
static void
zone_prefetch(struct pub_account *a, struct pub_slot *s,
              const struct tp_sink *sink)
{
	struct pub_zone_cache *c = &a->zones;

	if (c->listed != 0 || a->p->list_zones == NULL ||
	    a->ndomains < PUB_PREFETCH_MIN)
		return;
	if (a->p->list_zones(s->handle, &c->zones, &c->nzones) != 0) {
		tp_sink_log(sink, TP_LOG_INFO,
		            "%s: listing zones failed, searching per domain "
		            "instead: %s",
		            a->p->name, tp_err_msg());
		c->listed = -1;
		return;
	}
	c->listed = 1;
	tp_sink_log(sink, TP_LOG_INFO, "%s: %zu zones listed", a->p->name,
	            c->nzones);
}

static int
zone_remember(struct pub_zone_cache *c, const char *domain,
              const struct tp_zone *z)
{
	struct pub_zone_entry *v;
	size_t n;

	if (c->n == c->alloc) {
		n = c->alloc ? c->alloc * 2 : 16;
		v = realloc(c->v, n * sizeof(*v));
		if (v == NULL)
			return tp_err_set(TP_EINTERNAL,
			                  "publish: out of memory");
		c->v = v;
		c->alloc = n;
	}
	c->v[c->n].domain = strdup(domain);
	if (c->v[c->n].domain == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	if (zone_copy(&c->v[c->n].zone, z) != 0) {
		free(c->v[c->n].domain);
		return TP_EINTERNAL;
	}
	c->n++;
	return 0;
}

/* The zone of it->domain: --zone-id, the cache, the account's zone list,
 * else the provider's search (remembered for the run). */
static int
zone_find(struct pub_worker *w, struct pub_item *it, struct pub_slot *s,
          struct tp_zone *out)
{
	struct pub_account *a = it->acct;
	struct pub_zone_cache *c = &a->zones;
	const struct tp_zone *z = NULL;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (it->zone_id != NULL)
		return a->p->find_zone(s->handle, out, it->domain, it->zone_id);
	pthread_mutex_lock(&c->lock);
	zone_prefetch(a, s, w->run->o->sink);
	for (i = 0; i < c->n && z == NULL; i++)
		if (strcmp(c->v[i].domain, it->domain) == 0)
			z = &c->v[i].zone;
	if (z == NULL && c->listed == 1)
		z = zone_match(c, it->domain);
	rc = z != NULL ? zone_copy(out, z) : 1;
	pthread_mutex_unlock(&c->lock);
	if (rc <= 0)
		return rc;
	rc = a->p->find_zone(s->handle, out, it->domain, NULL);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&c->lock);
	rc = zone_remember(c, it->domain, out);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int
plan_for(struct tp_plan *plan, const struct pub_item *it,
         const struct tp_txt_rrset *rrset, const struct pub_run *run)
{
	struct tp_restore_opts ro;
	struct tp_plan_opts po;

	if (it->restore != NULL) {
		memset(&ro, 0, sizeof(ro));
		ro.owner = it->owner;
		ro.want = &it->restore->before;
		ro.expect = &it->restore->after;
		ro.want_ttl = it->restore->old_ttl;
		ro.default_ttl = it->acct->p->default_ttl;
		return tp_plan_restore(plan, rrset, &ro);
	}
	memset(&po, 0, sizeof(po));
	po.remove = run->o->mode == TP_PUBLISH_MODE_REMOVE;
	po.rua = &it->rua;
	po.keep_existing_rua = run->o->keep_existing_rua;
	po.ttl = it->ttl;
	po.default_ttl = it->acct->p->default_ttl;
	return tp_plan_make(plan, rrset, &po);
}

/* The error of a write, extended with why reading back failed too (the
 * read's message is copied first: it lives in the buffer tp_err_set
 * writes; the API fields are the write's, else the read's). */
static int
reread_failed(const struct tp_error *werr)
{
	struct tp_error rerr;
	int rc;

	memset(&rerr, 0, sizeof(rerr));
	(void)tp_err_copy(&rerr);
	rc = tp_err_set_api(
	    werr->code,
	    werr->http_status ? werr->http_status : rerr.http_status,
	    werr->http_status ? werr->provider_code : rerr.provider_code,
	    werr->http_status ? werr->provider_message : rerr.provider_message,
	    "%s; reading the record back to see whether the write happened "
	    "failed too: %s: run again to converge",
	    werr->message ? werr->message : "",
	    rerr.message ? rerr.message : "");
	tp_error_release(&rerr);
	return rc;
}

/*
 * Write plan->after. When the outcome is uncertain (the request may have
 * been applied) or conflicts, read again and plan again: done if the set
 * is now as wanted, else write what the new plan says. rrset and plan are
 * replaced by the latest read and plan.
 */
static int
write_converge(struct pub_item *it, struct pub_slot *s,
               const struct tp_zone *zone, struct tp_txt_rrset *rrset,
               struct tp_plan *plan, const struct pub_run *run)
{
	const struct tp_provider *p = it->acct->p;
	struct tp_error werr;
	int rc, uncertain = 0, conflict = 0;

	for (;;) {
		rc = p->write_txt(s->handle, zone, it->owner, rrset,
		                  &plan->after, plan->ttl);
		if (rc == 0)
			return 0;
		if (rc == TP_ENETWORK || rc == TP_ETIMEOUT) {
			if (uncertain++ >= MAX_UNCERTAIN)
				return rc;
		} else if (rc == TP_ECONFLICT) {
			if (conflict++ >= MAX_CONFLICT)
				return rc;
		} else {
			return rc;
		}
		memset(&werr, 0, sizeof(werr));
		(void)tp_err_copy(&werr);
		tp_sink_log(run->o->sink, TP_LOG_INFO,
		            "%s: %s; reading back before deciding: %s",
		            it->domain,
		            rc == TP_ECONFLICT ? "conflict"
		                               : "the write may have happened",
		            werr.message ? werr.message : "");
		tp_txt_rrset_release(rrset);
		tp_plan_release(plan);
		rc = p->read_txt(s->handle, zone, it->owner, rrset);
		if (rc == 0)
			rc = plan_for(plan, it, rrset, run);
		else
			rc = reread_failed(&werr);
		tp_error_release(&werr);
		if (rc != 0)
			return rc;
		if (plan->change == TP_PLAN_NONE)
			return 0;
	}
}

static int
fill_sets(struct tp_result *r, const struct tp_txt_rrset *rrset,
          const struct tp_plan *plan)
{
	int rc;

	r->has_sets = 1;
	rc = tp_strv_copy(&r->before, &rrset->values);
	if (rc == 0)
		rc = tp_strv_copy(&r->after, &plan->after);
	if (rc == 0)
		rc = tp_strv_copy(&r->dropped_rua, &plan->dropped_rua);
	if (rc == 0 && plan->record != NULL) {
		free(r->record);
		r->record = strdup(plan->record);
		if (r->record == NULL)
			rc = tp_err_set(TP_EINTERNAL, "publish: out of memory");
	}
	r->old_ttl = plan->old_ttl;
	r->ttl = plan->change != TP_PLAN_NONE ? plan->ttl : 0;
	return rc;
}

static int
result_start(struct tp_result *r, const struct pub_item *it)
{
	const struct pub_account *a = it->acct;

	r->domain = strdup(it->domain);
	r->provider = strdup(a->p->name);
	r->owner = strdup(it->owner);
	if (strcmp(a->section, a->p->name) != 0)
		r->account = strdup(a->section);
	if (r->domain == NULL || r->provider == NULL || r->owner == NULL ||
	    (strcmp(a->section, a->p->name) != 0 && r->account == NULL))
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	return 0;
}

/* After the write: the provider's own change tracking, when it has one:
 * handed to core (change_take: the worker goes on, publish_sync.c polls
 * it) or waited for here. Returns 1 when the domain goes on. */
static int
wait_provider(struct pub_item *it, struct pub_slot *s,
              const struct pub_run *run)
{
	const struct tp_provider *p = it->acct->p;
	int rc;

	if (p->change_take != NULL && p->change_poll != NULL) {
		rc =
		    p->change_take(s->handle, &it->sync_token, &it->sync_first);
		if (rc == 0 && run->o->no_wait) {
			free(it->sync_token);
			it->sync_token = NULL;
		}
		return 1;
	}
	if (p->wait_change == NULL || run->o->no_wait)
		return 1;
	rc = p->wait_change(s->handle, pub_now() + it->timeout);
	if (rc == 0)
		return 1;
	if (rc == TP_ETIMEOUT) {
		it->result.confirm.status = TP_CONFIRM_TIMEOUT;
		return 0;
	}
	tp_sink_log(run->o->sink, TP_LOG_WARN,
	            "%s: %s; confirming in DNS anyway", it->domain,
	            tp_err_msg());
	return 1;
}

/* An interrupt while reading: say plainly that nothing was written. */
static int
interrupted(const struct pub_item *it)
{
	char msg[TP_ERR_MSG_MAX];

	(void)snprintf(msg, sizeof(msg), "%s", tp_err_msg());
	return tp_err_set(TP_EINTR,
	                  "publish: interrupted before '%s' was written: "
	                  "nothing was written for it; run again to converge "
	                  "(%s)",
	                  it->domain, msg);
}

static int
dry(const struct pub_run *run)
{
	return run->o->mode == TP_PUBLISH_MODE_PLAN || run->o->dry_run;
}

int
pub_domain_plan(struct pub_worker *w, struct pub_item *it)
{
	struct tp_result *r = &it->result;
	const struct pub_run *run = w->run;
	struct pub_slot *s;
	int rc;

	pub_domain_clear(it);
	rc = result_start(r, it);
	if (rc == 0)
		rc = pub_worker_slot(w, it->acct, &s);
	if (rc == 0)
		rc = zone_find(w, it, s, &it->zone);
	if (rc == 0) {
		r->zone = strdup(it->zone.name);
		if (r->zone == NULL)
			rc = tp_err_set(TP_EINTERNAL, "publish: out of memory");
	}
	if (rc == 0)
		rc = it->acct->p->read_txt(s->handle, &it->zone, it->owner,
		                           &it->rrset);
	if (rc == 0)
		rc = plan_for(&it->plan, it, &it->rrset, run);
	if (rc == 0)
		rc = fill_sets(r, &it->rrset, &it->plan);
	if (rc == TP_EINTR)
		rc = interrupted(it);
	if (rc != 0) {
		tp_result_fail(r);
		pub_domain_clear(it);
		return rc;
	}
	/* What caches may still hold once the servers agree: the replaced
	 * RRset for its TTL, or a negative answer (-1: the watcher reads the
	 * SOA). Nothing when this run changes nothing. */
	if (it->plan.change == TP_PLAN_NONE)
		it->old_ttl = 0;
	else
		it->old_ttl = it->plan.old_ttl > 0 ? it->plan.old_ttl : -1;
	r->action = tp_plan_action(&it->plan, dry(run));
	it->planned = 1;
	return 0;
}

int
pub_domain_write(struct pub_worker *w, struct pub_item *it)
{
	struct tp_result *r = &it->result;
	const struct pub_run *run = w->run;
	struct pub_slot *s;
	int rc;

	if (!it->planned)
		return 0; /* failed while planning: final */
	if (dry(run))
		return 0;
	if (it->plan.change == TP_PLAN_NONE)
		return 1;
	rc = pub_worker_slot(w, it->acct, &s);
	if (rc == 0)
		rc = pub_write_begin(w);
	if (rc != 0)
		goto fail;
	rc = write_converge(it, s, &it->zone, &it->rrset, &it->plan, run);
	pub_write_end(w);
	if (rc == 0) {
		tp_strv_release(&r->after);
		rc = tp_strv_copy(&r->after, &it->plan.after);
	}
	if (rc == 0)
		return wait_provider(it, s, run);
fail:
	tp_result_fail(r);
	return 0;
}

int
pub_domain(struct pub_worker *w, struct pub_item *it)
{
	if (pub_domain_plan(w, it) != 0)
		return 0;
	return pub_domain_write(w, it);
}

void
pub_domain_clear(struct pub_item *it)
{
	it->planned = 0;
	tp_plan_release(&it->plan);
	tp_txt_rrset_release(&it->rrset);
	tp_zone_release(&it->zone);
	free(it->sync_token);
	it->sync_token = NULL;
}
