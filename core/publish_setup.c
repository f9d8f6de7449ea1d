/*
 * publish_setup.c: the work list of a publish/plan/remove run. Every
 * setting is resolved here, once, as command line > environment > config
 * file > provider default, and everything that could make the run a usage
 * or configuration error is checked for every domain before the first
 * request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "publish_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"

/* "key=value" for each command-line flag that belongs to p. */
static int
provider_flags(struct tp_strv *out, const struct tp_provider *p,
               const struct tp_strv *flags)
{
	const struct tp_provider *owner;
	const struct tp_setting_def *d;
	struct tp_buf b = TP_BUF_INIT(4096);
	const char *eq;
	size_t i;
	int rc = 0;

	for (i = 0; flags != NULL && i < flags->n && rc == 0; i++) {
		eq = strchr(flags->v[i], '=');
		if (eq == NULL)
			continue;
		tp_buf_reset(&b);
		tp_buf_add(&b, flags->v[i], (size_t)(eq - flags->v[i]));
		d = tp_provider_find_flag(b.s, &owner);
		if (d == NULL || owner != p)
			continue;
		tp_buf_reset(&b);
		tp_buf_addf(&b, "%s=%s", d->key, eq + 1);
		rc = b.err ? tp_err_set(TP_EUSAGE, "publish: --%s is too long",
		                        d->flag)
		           : tp_strv_add(out, b.s);
	}
	tp_buf_release(&b);
	return rc;
}

/* Every provider flag given must belong to a provider the run uses. */
static int
check_flags(const struct pub_run *run)
{
	const struct tp_strv *flags = run->o->flags;
	const struct tp_provider *owner;
	char name[128];
	size_t i, j, n;
	int used;

	for (i = 0; flags != NULL && i < flags->n; i++) {
		n = strcspn(flags->v[i], "=");
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, flags->v[i], n);
		name[n] = '\0';
		if (tp_provider_find_flag(name, &owner) == NULL)
			return tp_err_set(TP_EUSAGE,
			                  "publish: unknown option "
			                  "'--%s'",
			                  name);
		for (used = 0, j = 0; j < run->naccounts; j++)
			used |= run->accounts[j].p == owner;
		if (!used)
			return tp_err_set(
			    TP_EUSAGE,
			    "publish: '--%s' is a setting of "
			    "provider '%s', which no domain of this "
			    "run uses: add --provider %s or drop it",
			    name, owner->name, owner->name);
	}
	return 0;
}

/* rate or burst of an account: its own section, else the provider's
 * section; 1 when neither sets it. */
static int
conf_number(double *out, const struct pub_run *run, const struct pub_account *a,
            const char *key, double min)
{
	const char *sec[2] = {a->section, a->p->name};
	double v;
	int i, rc;

	for (i = 0; i < 2; i++) {
		if (i == 1 && strcmp(a->section, a->p->name) == 0)
			break;
		rc = tp_conf_get_double(run->conf, sec[i], key, &v);
		if (rc < 0)
			return rc;
		if (rc > 0)
			continue;
		if (!(v >= min && v <= 1e6))
			return tp_err_set(TP_ECONFIG,
			                  "%s: '%s' of '%s' must be a number "
			                  "from %g to 1000000 (requests per "
			                  "second%s)",
			                  tp_conf_where(run->conf, sec[i], key),
			                  key, sec[i], min,
			                  strcmp(key, "burst") == 0
			                      ? " that may go out at once"
			                      : "");
		*out = v;
		return 0;
	}
	return 1;
}

/*
 * The account's token bucket: the provider's published limit, or rate
 * and burst from the account's (else the provider's) config section. A
 * rate given without a burst gets a burst of 1: the provider's own burst
 * goes with its own limit, and a limit enforced over short windows (one
 * second) is only kept by spacing requests evenly. Shards of one list run
 * at once against the same accounts, so with --shard K/N each gets 1/N.
 */
static int
account_rate(struct pub_account *a, const struct pub_run *run)
{
	unsigned long n = run->o->shard_n;
	int rc;

	a->rate = a->p->rate > 0 ? a->p->rate : 1;
	a->burst = a->p->burst >= 1 ? a->p->burst : 1;
	if ((rc = conf_number(&a->rate, run, a, "rate", 0.001)) < 0)
		return rc;
	if (rc == 0)
		a->burst = 1;
	if ((rc = conf_number(&a->burst, run, a, "burst", 1)) < 0)
		return rc;
	if (n > 1) {
		a->rate /= (double)n;
		a->burst = a->burst / (double)n >= 1 ? a->burst / (double)n : 1;
	}
	tp_sink_log(run->o->sink, TP_LOG_INFO,
	            "%s: at most %.3g requests per second (bucket of %.3g)%s",
	            a->section, a->rate, a->burst,
	            n > 1 ? ", this shard's part" : "");
	return 0;
}

static int
account_get(struct pub_account **out, struct pub_run *run,
            const struct tp_provider *p, const char *section)
{
	struct tp_strv flags = TP_STRV_INIT;
	struct pub_account *a;
	size_t i;
	int rc;

	for (i = 0; i < run->naccounts; i++)
		if (strcmp(run->accounts[i].section, section) == 0 &&
		    run->accounts[i].p == p) {
			*out = &run->accounts[i];
			return 0;
		}
	/* Items point into the array: it is sized for the worst case (one
	 * account per domain) before any item is made, never moved. */
	a = &run->accounts[run->naccounts];
	memset(a, 0, sizeof(*a));
	a->p = p;
	pthread_mutex_init(&a->zones.lock, NULL);
	pthread_mutex_init(&a->shared_lock, NULL);
	run->naccounts++;
	a->section = strdup(section);
	if (a->section == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	rc = provider_flags(&flags, p, run->o->flags);
	if (rc == 0)
		rc = tp_settings_resolve(&a->settings, p, run->conf, section,
		                         &flags);
	tp_strv_release(&flags);
	if (rc == 0)
		rc = account_rate(a, run);
	if (rc == 0)
		rc = tp_ratelimit_new(&a->limiter, a->rate, a->burst);
	*out = a;
	return rc;
}

/* restore: the account the report names, else the entry's when it is
 * of the same provider, else the provider's own section. */
static int
restore_section(const char **out, const struct pub_run *run,
                const struct pub_name *nm, const struct tp_provider *p)
{
	const struct tp_restore_entry *re = nm->rest;
	const struct tp_conf_domain *e = nm->entry;
	const char *ap;

	*out = p->name;
	if (re->account != NULL) {
		ap = tp_conf_account_provider(run->conf, re->account);
		if (ap == NULL || strcmp(ap, p->name) != 0)
			return tp_err_set(
			    TP_ECONFIG,
			    "restore: the report used %s account "
			    "'%s' for '%s', which the config file "
			    "does not define as one: run restore "
			    "with the config file of that run",
			    p->name, re->account, nm->domain);
		*out = re->account;
	} else if (e != NULL && e->account != NULL &&
	           (ap = tp_conf_account_provider(run->conf, e->account)) !=
	               NULL &&
	           strcmp(ap, p->name) == 0) {
		*out = e->account;
	}
	return 0;
}

/* The provider and config section (account) of a domain. */
static int
item_account(struct pub_run *run, struct pub_item *it,
             const struct pub_name *nm)
{
	const struct tp_conf_domain *e = nm->entry;
	const struct tp_provider *p;
	const char *name, *section, *acct_p = NULL;
	int rc;

	if (nm->rest != NULL)
		name = nm->rest->provider;
	else if (nm->detected != NULL)
		name = nm->detected->name;
	else
		name = pub_provider_name(run, e);
	if (e != NULL && e->account != NULL)
		acct_p = tp_conf_account_provider(run->conf, e->account);
	if (name == NULL || strcmp(name, "auto") == 0)
		return tp_err_set(
		    TP_EUSAGE,
		    "publish: no provider for '%s': give "
		    "--provider NAME (or auto) or set provider in "
		    "the config file ('tlsrpt-publish providers' "
		    "lists them)",
		    it->domain);
	p = tp_provider_find(name);
	if (p == NULL)
		return tp_err_set(TP_EUSAGE,
		                  "publish: unknown provider '%s': "
		                  "'tlsrpt-publish providers' lists them, or "
		                  "use --provider auto",
		                  name);
	section = p->name;
	if (nm->rest != NULL) {
		if ((rc = restore_section(&section, run, nm, p)) != 0)
			return rc;
	} else if (acct_p != NULL && strcmp(acct_p, p->name) == 0) {
		section = e->account;
	}
	return account_get(&it->acct, run, p, section);
}

static int
item_rua(struct pub_run *run, struct pub_item *it,
         const struct tp_conf_domain *e)
{
	char *rec = NULL;
	int rc;

	if (run->o->rua != NULL && run->o->rua->n > 0)
		rc = tp_strv_copy(&it->rua, run->o->rua);
	else if (e != NULL && e->rua.n > 0)
		rc = tp_strv_copy(&it->rua, &e->rua);
	else
		rc = tp_conf_get_list(run->conf, "defaults", "rua", &it->rua);
	if (rc < 0)
		return rc;
	if (run->o->mode == TP_PUBLISH_MODE_REMOVE ||
	    run->o->mode == TP_PUBLISH_MODE_RESTORE)
		return 0;
	if (it->rua.n == 0)
		return tp_err_set(TP_EUSAGE,
		                  "publish: no report destination for '%s': "
		                  "give --rua mailto:ADDR (or https://...), or "
		                  "set rua in the config file",
		                  it->domain);
	/* Build once now so that a bad destination stops the run before any
	 * write; the planner builds it again per domain. */
	rc = tp_record_build(&rec, &it->rua);
	free(rec);
	return rc;
}

/* The provider's clamp_ttl setting, when it declares one. */
static const struct tp_setting_def *
clamp_def(const struct tp_provider *p)
{
	size_t i;

	for (i = 0; i < p->nsettings; i++)
		if (strcmp(p->settings[i].key, "clamp_ttl") == 0)
			return &p->settings[i];
	return NULL;
}

/*
 * A TTL outside the provider's range is refused, saying what it accepts.
 * One below the minimum is raised to it instead only when the account
 * sets clamp_ttl (a setting the provider declares, e.g. GoDaddy's 600 s
 * floor), and then a warning says so, once per account.
 */
static int
ttl_check(struct pub_run *run, struct pub_item *it, const char *what)
{
	const struct tp_provider *p = it->acct->p;
	const struct tp_setting_def *d = clamp_def(p);
	struct tp_buf how = TP_BUF_INIT(256);
	char msg[TP_ERR_MSG_MAX];
	const char *v;
	int rc;

	rc = tp_provider_check_ttl(p, it->ttl, what);
	if (rc == 0 || d == NULL || it->ttl >= p->min_ttl)
		return rc;
	(void)snprintf(msg, sizeof(msg), "%s", tp_err_msg());
	v = tp_settings_get(it->acct->settings, d->key);
	if (v == NULL || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "false") == 0) {
		tp_buf_addf(&how, "%s%s%s", d->flag ? "--" : "",
		            d->flag ? d->flag : "", d->flag ? " yes, " : "");
		tp_buf_addf(&how, "%s%s", d->env ? d->env : "",
		            d->env ? "=yes, or " : "");
		rc = tp_err_set(TP_EUSAGE,
		                "%s; or set %s (%s%s = \"yes\"; in the config "
		                "file) to publish with %ld s instead",
		                msg, d->key, how.s, d->key, p->min_ttl);
		tp_buf_release(&how);
		return rc;
	}
	if (strcasecmp(v, "yes") != 0 && strcasecmp(v, "true") != 0)
		return tp_err_set(
		    TP_ECONFIG, "%s: %s '%s' (%s) is neither yes nor no",
		    p->name, d->key, v,
		    tp_settings_source(it->acct->settings, d->key));
	if (!it->acct->ttl_clamped++)
		tp_sink_log(run->o->sink, TP_LOG_WARN,
		            "%s: TTL %ld (%s) is below the %ld s %s accepts: "
		            "using %ld s (%s is set)",
		            p->name, it->ttl, what, p->min_ttl, p->title,
		            p->min_ttl, d->key);
	it->ttl = p->min_ttl;
	return 0;
}

static int
item_ttl(struct pub_run *run, struct pub_item *it,
         const struct tp_conf_domain *e)
{
	const char *what = "--ttl";
	long ttl = run->o->ttl;
	int rc;

	if (ttl == 0 && e != NULL && e->ttl > 0) {
		ttl = e->ttl;
		what = "config file domains entry";
	}
	if (ttl == 0) {
		rc = tp_conf_get_long(run->conf, "defaults", "ttl", &ttl);
		if (rc < 0)
			return rc;
		if (rc > 0)
			ttl = 0;
		what = "config file defaults";
	}
	it->ttl = ttl;
	if (ttl == 0 || run->o->mode == TP_PUBLISH_MODE_REMOVE ||
	    run->o->mode == TP_PUBLISH_MODE_RESTORE)
		return 0;
	return ttl_check(run, it, what);
}

static int
item_timeout(struct pub_run *run, struct pub_item *it)
{
	double t = run->o->timeout;
	int rc;

	if (t <= 0) {
		rc = tp_conf_get_double(run->conf, "defaults", "timeout", &t);
		if (rc < 0)
			return rc;
		if (rc > 0 || t <= 0)
			t = it->acct->p->timeout > 0 ? it->acct->p->timeout
			                             : 300;
	}
	it->timeout = t;
	return 0;
}

/* A domain's item (it takes nm->domain). */
static int
item_add(struct pub_run *run, struct pub_name *nm)
{
	const struct tp_conf_domain *e = nm->entry;
	struct pub_item *it;
	int rc;

	it = &run->items[run->nitems++];
	memset(it, 0, sizeof(*it));
	it->domain = nm->domain;
	nm->domain = NULL;
	it->old_ttl = -1;
	it->restore = nm->rest;
	tp_result_init(&it->result, TP_RESULT_CHANGE);
	/* What the user typed is judged before the environment: a bad
	 * --rua is reported as such, not hidden behind missing credentials. */
	rc = tp_domain_owner(&it->owner, it->domain);
	if (rc == 0)
		rc = item_rua(run, it, e);
	if (rc == 0)
		rc = item_account(run, it, nm);
	if (rc == 0)
		rc = item_ttl(run, it, e);
	if (rc == 0)
		rc = item_timeout(run, it);
	if (rc == 0 &&
	    (run->o->zone_id != NULL || (e != NULL && e->zone_id != NULL))) {
		it->zone_id = strdup(run->o->zone_id != NULL ? run->o->zone_id
		                                             : e->zone_id);
		if (it->zone_id == NULL)
			rc = tp_err_set(TP_EINTERNAL, "publish: out of memory");
	}
	if (rc == 0)
		it->acct->ndomains++;
	return rc;
}

/* --nameserver / --resolver, else the config file's list of that name. */
static int
servers(struct tp_strv *out, const struct pub_run *run,
        const struct tp_strv *cli, const char *key)
{
	int rc;

	if (cli != NULL && cli->n > 0)
		return tp_strv_copy(out, cli);
	rc = tp_conf_get_list(run->conf, "defaults", key, out);
	return rc < 0 ? rc : 0;
}

static int
load_conf(struct pub_run *run)
{
	char *warning = NULL;
	double iv = run->o->interval;
	int rc;

	rc = tp_conf_load(&run->conf, run->o->config, &warning);
	if (rc != 0)
		return rc;
	if (warning != NULL)
		tp_sink_log(run->o->sink, TP_LOG_WARN, "%s", warning);
	free(warning);
	memset(&run->http, 0, sizeof(run->http));
	run->http.max_retries = -1;
	rc = tp_settings_http(&run->http, run->conf, run->o->cacert);
	if (rc != 0)
		return rc;
	if (iv <= 0) {
		rc = tp_conf_get_double(run->conf, "defaults", "interval", &iv);
		if (rc < 0)
			return rc;
		if (rc > 0)
			iv = 0;
	}
	run->interval = iv;
	rc = servers(&run->nameservers, run, run->o->nameservers, "nameserver");
	if (rc == 0)
		rc = servers(&run->resolvers, run, run->o->resolvers,
		             "resolver");
	return rc;
}

/* Workers: --jobs, else defaults.jobs, else the default; never more
 * than there are domains. */
static int
jobs(struct pub_run *run)
{
	long j = run->o->jobs;
	int rc;

	if (j <= 0) {
		rc = tp_conf_get_long(run->conf, "defaults", "jobs", &j);
		if (rc < 0)
			return rc;
		if (rc == 0 && (j < 1 || j > TP_PUBLISH_JOBS_MAX))
			return tp_err_set(
			    TP_ECONFIG, "%s: 'jobs' must be from 1 to %d",
			    tp_conf_where(run->conf, "defaults", "jobs"),
			    TP_PUBLISH_JOBS_MAX);
		if (rc > 0)
			j = TP_PUBLISH_JOBS_DEFAULT;
	}
	if (j > TP_PUBLISH_JOBS_MAX)
		j = TP_PUBLISH_JOBS_MAX;
	if ((size_t)j > run->nitems)
		j = run->nitems > 0 ? (long)run->nitems : 1;
	run->jobs = (int)j;
	return 0;
}

/* Every item made; the first problem and how many more. */
static int
make_items(struct pub_run *run)
{
	size_t i, bad = 0;
	char *msg = NULL;
	int rc, first = 0;

	run->items = calloc(run->nnames + 1, sizeof(*run->items));
	run->accounts = calloc(run->nnames + 1, sizeof(*run->accounts));
	if (run->items == NULL || run->accounts == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	for (i = 0; i < run->nnames; i++) {
		rc = item_add(run, &run->names[i]);
		if (rc == 0 || bad++ > 0)
			continue;
		first = rc;
		msg = strdup(tp_err_msg());
	}
	rc = first;
	if (rc != 0 && bad > 1)
		rc = tp_err_set(first, "%s (and %zu more domains with errors)",
		                msg ? msg : "", bad - 1);
	else if (rc != 0)
		rc = tp_err_set(first, "%s", msg ? msg : "");
	free(msg);
	return rc;
}

int
pub_setup(struct pub_run *run)
{
	int rc;

	pthread_mutex_init(&run->lock, NULL);
	rc = load_conf(run);
	if (rc == 0 && run->o->mode == TP_PUBLISH_MODE_RESTORE)
		rc = tp_restore_read(&run->restore, run->o->restore_report);
	if (rc == 0)
		rc = pub_names(run);
	if (rc == 0)
		rc = make_items(run);
	if (rc == 0)
		rc = check_flags(run);
	if (rc == 0)
		rc = jobs(run);
	if (rc == 0 && run->interval <= 0 && run->naccounts > 0)
		run->interval = run->accounts[0].p->interval;
	return rc;
}

void
pub_teardown(struct pub_run *run)
{
	struct pub_account *a;
	size_t i, j;

	for (i = 0; i < run->nitems; i++) {
		free(run->items[i].domain);
		free(run->items[i].owner);
		free(run->items[i].zone_id);
		tp_strv_release(&run->items[i].rua);
		tp_result_release(&run->items[i].result);
		pub_domain_clear(&run->items[i]);
	}
	pub_names_release(run);
	tp_restore_list_release(&run->restore);
	for (i = 0; i < run->naccounts; i++) {
		a = &run->accounts[i];
		free(a->section);
		free(a->queue);
		tp_settings_free(a->settings);
		tp_ratelimit_free(a->limiter);
		for (j = 0; j < a->zones.nzones; j++)
			tp_zone_release(&a->zones.zones[j]);
		free(a->zones.zones);
		for (j = 0; j < a->zones.n; j++) {
			free(a->zones.v[j].domain);
			tp_zone_release(&a->zones.v[j].zone);
		}
		free(a->zones.v);
		pthread_mutex_destroy(&a->zones.lock);
		if (a->shared_made && a->p->close_account != NULL)
			a->p->close_account(a->shared);
		free(a->shared_msg);
		pthread_mutex_destroy(&a->shared_lock);
	}
	free(run->items);
	free(run->accounts);
	tp_strv_release(&run->nameservers);
	tp_strv_release(&run->resolvers);
	tp_conf_free(run->conf);
	pthread_mutex_destroy(&run->lock);
}
