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

/* The config entry for a normalised domain, or NULL. */
static int
conf_entry(const struct tp_conf_domain **out, const struct tp_conf *c,
           const char *domain)
{
	const struct tp_conf_domain *e;
	size_t i;
	char *n;
	int rc, same;

	*out = NULL;
	for (i = 0; i < tp_conf_ndomains(c); i++) {
		e = tp_conf_domain(c, i);
		rc = tp_domain_normalize(&n, e->name);
		if (rc != 0)
			return tp_err_set(TP_ECONFIG, "%s:%d: %s",
			                  tp_conf_path(c), e->line,
			                  tp_err_msg());
		same = strcmp(n, domain) == 0;
		free(n);
		if (same) {
			*out = e;
			return 0;
		}
	}
	return 0;
}

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
		rc = tp_ratelimit_new(&a->limiter, p->rate,
		                      p->burst >= 1 ? p->burst : 1);
	*out = a;
	return rc;
}

/* The provider and config section (account) of a domain. */
static int
item_account(struct pub_run *run, struct pub_item *it,
             const struct tp_conf_domain *e)
{
	const struct tp_provider *p;
	const char *name, *section, *acct_p = NULL;

	name = run->o->provider;
	if (e != NULL && e->account != NULL)
		acct_p = tp_conf_account_provider(run->conf, e->account);
	if (name == NULL && e != NULL)
		name = e->provider != NULL ? e->provider : acct_p;
	if (name == NULL)
		name = tp_conf_get(run->conf, "defaults", "provider", NULL);
	if (name == NULL)
		return tp_err_set(TP_EUSAGE,
		                  "publish: no provider for '%s': give "
		                  "--provider NAME or set provider in the "
		                  "config file ('tlsrpt-publish providers' "
		                  "lists them)",
		                  it->domain);
	p = tp_provider_find(name);
	if (p == NULL)
		return tp_err_set(TP_EUSAGE,
		                  "publish: unknown provider '%s': "
		                  "'tlsrpt-publish providers' lists them",
		                  name);
	section = p->name;
	if (acct_p != NULL && strcmp(acct_p, p->name) == 0)
		section = e->account;
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
	if (run->o->mode == TP_PUBLISH_MODE_REMOVE)
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
	if (ttl == 0 || run->o->mode == TP_PUBLISH_MODE_REMOVE)
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

/* A domain's item; *dup set when the domain is already in the list. */
static int
item_add(struct pub_run *run, const char *name, int *dup)
{
	const struct tp_conf_domain *e = NULL;
	struct pub_item *it;
	char *d = NULL;
	size_t i;
	int rc;

	*dup = 0;
	rc = tp_domain_normalize(&d, name);
	if (rc != 0)
		return rc;
	for (i = 0; i < run->nitems; i++)
		if (strcmp(run->items[i].domain, d) == 0) {
			free(d);
			*dup = 1;
			return 0;
		}
	it = &run->items[run->nitems++];
	memset(it, 0, sizeof(*it));
	it->domain = d;
	it->old_ttl = -1;
	tp_result_init(&it->result, TP_RESULT_CHANGE);
	rc = tp_domain_owner(&it->owner, d);
	if (rc == 0)
		rc = conf_entry(&e, run->conf, d);
	if (rc == 0)
		rc = item_account(run, it, e);
	if (rc == 0)
		rc = item_rua(run, it, e);
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

/* Every domain name the run covers, in order: arguments, then --all. */
static int
collect_names(struct tp_strv *out, const struct pub_run *run)
{
	size_t i;
	int rc = 0;

	if (run->o->domains != NULL)
		rc = tp_strv_copy(out, run->o->domains);
	for (i = 0; run->o->all && i < tp_conf_ndomains(run->conf) && rc == 0;
	     i++)
		rc = tp_strv_add(out, tp_conf_domain(run->conf, i)->name);
	if (rc == 0 && run->o->all && tp_conf_ndomains(run->conf) == 0)
		return tp_err_set(
		    TP_EUSAGE,
		    "publish: --all, but the config file%s%s has "
		    "no domains list",
		    tp_conf_path(run->conf) ? " " : "",
		    tp_conf_path(run->conf) ? tp_conf_path(run->conf) : "");
	if (rc == 0 && out->n == 0)
		return tp_err_set(TP_EUSAGE,
		                  "publish: no domain given: name domains as "
		                  "arguments, with --domains-file FILE, or use "
		                  "--all for the config file's domains list");
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

int
pub_setup(struct pub_run *run)
{
	struct tp_strv names = TP_STRV_INIT;
	size_t i, bad = 0;
	int rc, dup, first = 0;
	char *msg = NULL;

	pthread_mutex_init(&run->lock, NULL);
	rc = load_conf(run);
	if (rc == 0)
		rc = collect_names(&names, run);
	if (rc != 0)
		goto out;
	run->items = calloc(names.n, sizeof(*run->items));
	run->accounts = calloc(names.n, sizeof(*run->accounts));
	if (run->items == NULL || run->accounts == NULL) {
		rc = tp_err_set(TP_EINTERNAL, "publish: out of memory");
		goto out;
	}
	/* Check every domain, report the first problem and how many more. */
	for (i = 0; i < names.n; i++) {
		rc = item_add(run, names.v[i], &dup);
		if (rc == 0)
			continue;
		if (bad++ == 0) {
			first = rc;
			msg = strdup(tp_err_msg());
		}
	}
	rc = first;
	if (rc == 0)
		rc = check_flags(run);
	else if (bad > 1)
		rc = tp_err_set(first, "%s (and %zu more domains with errors)",
		                msg ? msg : "", bad - 1);
	else
		rc = tp_err_set(first, "%s", msg ? msg : "");
	if (rc == 0 && run->interval <= 0 && run->naccounts > 0)
		run->interval = run->accounts[0].p->interval;
out:
	free(msg);
	tp_strv_release(&names);
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
	}
	for (i = 0; i < run->naccounts; i++) {
		a = &run->accounts[i];
		free(a->section);
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

int
pub_worker_init(struct pub_worker *w, struct pub_run *run)
{
	w->run = run;
	w->slots =
	    calloc(run->naccounts ? run->naccounts : 1, sizeof(*w->slots));
	if (w->slots == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	return 0;
}

/* The account's shared state, made once by the first worker that opens
 * the account; a failure is remembered and given to every later one. */
static int
account_shared(struct pub_account *a, const struct tp_provider_ctx *base)
{
	struct tp_provider_ctx ctx = *base;
	int rc;

	if (a->p->open_account == NULL)
		return 0;
	pthread_mutex_lock(&a->shared_lock);
	if (!a->shared_made && a->shared_rc == 0) {
		ctx.http = NULL;
		ctx.shared = NULL;
		rc = a->p->open_account(&a->shared, &ctx);
		if (rc == 0)
			a->shared_made = 1;
		else {
			a->shared_rc = rc;
			a->shared_msg = strdup(tp_err_msg());
		}
	}
	rc = a->shared_rc;
	if (rc != 0)
		(void)tp_err_set(rc, "%s", a->shared_msg ? a->shared_msg : "");
	pthread_mutex_unlock(&a->shared_lock);
	return rc;
}

static int
slot_open(struct pub_slot *s, struct pub_worker *w, struct pub_account *a)
{
	const struct pub_run *run = w->run;
	struct tp_provider_ctx ctx;
	struct tp_http_opts ho;
	int rc;

	ho = run->http;
	ho.sink = run->o->sink;
	ho.limiter = a->limiter;
	ho.stop = &w->halt;
	rc = tp_http_new(&s->http, &ho);
	if (rc != 0)
		return rc;
	memset(&ctx, 0, sizeof(ctx));
	ctx.settings = a->settings;
	ctx.http = s->http;
	ctx.sink = run->o->sink;
	ctx.account = strcmp(a->section, a->p->name) != 0 ? a->section : NULL;
	ctx.http_opts = &ho;
	if ((rc = account_shared(a, &ctx)) != 0)
		return rc;
	ctx.shared = a->shared;
	return a->p->open(&s->handle, &ctx);
}

int
pub_worker_slot(struct pub_worker *w, struct pub_account *a,
                struct pub_slot **out)
{
	struct pub_slot *s = &w->slots[a - w->run->accounts];

	*out = s;
	if (s->handle != NULL)
		return 0;
	/* A failed open fails every later domain of the account the same
	 * way, without trying again. */
	if (s->rc != 0)
		return tp_err_set(s->rc, "%s", s->msg ? s->msg : "");
	s->rc = slot_open(s, w, a);
	if (s->rc != 0) {
		s->msg = strdup(tp_err_msg());
		return s->rc;
	}
	return 0;
}

void
pub_worker_release(struct pub_worker *w)
{
	size_t i;

	if (w == NULL || w->slots == NULL)
		return;
	for (i = 0; i < w->run->naccounts; i++) {
		if (w->slots[i].handle != NULL)
			w->run->accounts[i].p->close(w->slots[i].handle);
		tp_http_free(w->slots[i].http);
		free(w->slots[i].msg);
	}
	free(w->slots);
	w->slots = NULL;
}

int
tp_publish_read_domains(struct tp_strv *out, const char *path)
{
	return tp_domain_list_read(out, path);
}
