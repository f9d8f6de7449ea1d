/*
 * publish_names.c: the domain list of a run, checked before anything is
 * done: names from the arguments and --domains-file, the config file's
 * domains list (--all) or a report (restore); every name that is not a
 * valid domain reported; duplicates reported and done once; only this
 * run's shard kept (--shard K/N); and --provider auto resolved for the
 * domains that need it, all lookups at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish_int.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/shard.h"

/* Bad or duplicate names shown one by one, at most; then a count. */
#define SHOW_MAX 20

/* A config domains entry by its normalised name, for lookups. */
struct centry {
	char *name;
	const struct tp_conf_domain *e;
};

/* The input, one name each, in order. */
struct raw {
	const char *name;
	const struct tp_conf_domain *entry;
	const struct tp_restore_entry *rest;
};

static int
cmp_centry(const void *a, const void *b)
{
	return strcmp(((const struct centry *)a)->name,
	              ((const struct centry *)b)->name);
}

/* Every config entry normalised once, sorted (the config file has
 * checked them: a name that fails here is skipped). */
static int
index_conf(struct centry **out, size_t *n, const struct tp_conf *c)
{
	struct centry *v;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	v = calloc(tp_conf_ndomains(c) + 1, sizeof(*v));
	if (v == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	for (i = 0; i < tp_conf_ndomains(c); i++) {
		v[k].e = tp_conf_domain(c, i);
		if (tp_domain_normalize(&v[k].name, v[k].e->name) == 0)
			k++;
		else
			tp_err_clear();
	}
	qsort(v, k, sizeof(*v), cmp_centry);
	*out = v;
	*n = k;
	return 0;
}

static const struct tp_conf_domain *
find_conf(const struct centry *v, size_t n, const char *domain)
{
	struct centry key, *hit;

	key.name = (char *)domain;
	hit = bsearch(&key, v, n, sizeof(*v), cmp_centry);
	return hit != NULL ? hit->e : NULL;
}

const char *
pub_provider_name(const struct pub_run *run, const struct tp_conf_domain *e)
{
	const char *cli = run->o->provider, *name = NULL;
	int cli_auto = cli != NULL && strcmp(cli, "auto") == 0;

	if (cli != NULL && !cli_auto)
		return cli;
	/* --provider auto leaves a domain whose entry names its provider
	 * (or account) alone: the user said which. */
	if (e != NULL)
		name = e->provider != NULL ? e->provider
		    : e->account != NULL
		    ? tp_conf_account_provider(run->conf, e->account)
		    : NULL;
	if (name == NULL && cli_auto)
		return "auto";
	if (name == NULL)
		name = tp_conf_get(run->conf, "defaults", "provider", NULL);
	return name;
}

/* The raw list: arguments (and --domains-file), --all, or the report. */
static int
collect(struct raw **out, size_t *n, const struct pub_run *run)
{
	const struct tp_strv *args = run->o->domains;
	const struct tp_conf *c = run->conf;
	size_t i, k = 0, total;
	struct raw *v;

	total = (args != NULL ? args->n : 0) + run->restore.n;
	if (run->o->all)
		total += tp_conf_ndomains(c);
	*out = v = calloc(total + 1, sizeof(*v));
	if (v == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	for (i = 0; args != NULL && i < args->n; i++)
		v[k++].name = args->v[i];
	for (i = 0; run->o->all && i < tp_conf_ndomains(c); i++, k++) {
		v[k].entry = tp_conf_domain(c, i);
		v[k].name = v[k].entry->name;
	}
	for (i = 0; i < run->restore.n; i++, k++) {
		v[k].rest = &run->restore.v[i];
		v[k].name = run->restore.v[i].domain;
	}
	*n = k;
	return 0;
}

/* Each invalid name as a warning (the first SHOW_MAX), then one error. */
static int
invalid(const struct pub_run *run, size_t bad, size_t total, const char *first)
{
	if (bad > SHOW_MAX)
		tp_sink_log(run->o->sink, TP_LOG_WARN,
		            "... and %zu more names that are not valid",
		            bad - SHOW_MAX);
	return tp_err_set(TP_EUSAGE,
	                  "publish: %zu of the %zu domain names given %s not "
	                  "valid, so nothing was done (first: %s): fix or "
	                  "remove them",
	                  bad, total, bad == 1 ? "is" : "are", first);
}

/* Normalise every raw name into run->names; names not valid are
 * reported and make the whole run a usage error. */
static int
normalise(struct pub_run *run, const struct raw *raw, size_t n)
{
	struct pub_name *nm;
	size_t i, bad = 0;
	char *first = NULL;
	int rc;

	run->names = calloc(n + 1, sizeof(*run->names));
	if (run->names == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	for (i = 0; i < n; i++) {
		nm = &run->names[run->nnames];
		rc = tp_domain_normalize(&nm->domain, raw[i].name);
		if (rc == TP_EINTERNAL) {
			free(first);
			return rc;
		}
		if (rc == 0) {
			nm->entry = raw[i].entry;
			nm->rest = raw[i].rest;
			run->nnames++;
			continue;
		}
		if (bad++ < SHOW_MAX)
			tp_sink_log(run->o->sink, TP_LOG_WARN, "%s",
			            tp_err_msg());
		if (first == NULL)
			first = strdup(tp_err_msg());
	}
	rc = bad > 0 ? invalid(run, bad, n, first ? first : "?") : 0;
	free(first);
	return rc;
}

/* A name and where it is in the input, for sorting. */
struct pos {
	const char *domain;
	size_t i;
};

static int
cmp_pos(const void *a, const void *b)
{
	const struct pos *x = a, *y = b;
	int c = strcmp(x->domain, y->domain);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Drop repeated domains (the first stays, in input order), each said. */
static int
dedupe(struct pub_run *run)
{
	struct pos *idx;
	size_t i, k, dups = 0;
	char *drop;

	idx = calloc(run->nnames + 1, sizeof(*idx));
	drop = calloc(run->nnames + 1, 1);
	if (idx == NULL || drop == NULL) {
		free(idx);
		free(drop);
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	}
	for (i = 0; i < run->nnames; i++) {
		idx[i].domain = run->names[i].domain;
		idx[i].i = i;
	}
	qsort(idx, run->nnames, sizeof(*idx), cmp_pos);
	for (i = 1; i < run->nnames; i++) {
		if (strcmp(idx[i].domain, idx[i - 1].domain) != 0)
			continue;
		drop[idx[i].i] = 1;
		if (dups++ < SHOW_MAX)
			tp_sink_log(run->o->sink, TP_LOG_WARN,
			            "'%s' is listed more than once: it is done "
			            "once",
			            idx[i].domain);
	}
	if (dups > SHOW_MAX)
		tp_sink_log(run->o->sink, TP_LOG_WARN,
		            "... and %zu more repeated names", dups - SHOW_MAX);
	for (i = 0, k = 0; i < run->nnames; i++) {
		if (drop[i])
			free(run->names[i].domain);
		else
			run->names[k++] = run->names[i];
	}
	run->nnames = k;
	free(idx);
	free(drop);
	return 0;
}

/* Keep the names of this run's shard only. */
static void
shard(struct pub_run *run)
{
	unsigned long k = run->o->shard_k, n = run->o->shard_n;
	size_t i, kept = 0, before = run->nnames;

	if (n == 0)
		return;
	for (i = 0; i < run->nnames; i++) {
		if (tp_shard_of(run->names[i].domain, n) == k)
			run->names[kept++] = run->names[i];
		else
			free(run->names[i].domain);
	}
	run->nnames = kept;
	tp_sink_log(run->o->sink, TP_LOG_INFO,
	            "--shard %lu/%lu: %zu of %zu domains", k, n, kept, before);
}

/* Config entries for names given as arguments. */
static int
attach_entries(struct pub_run *run)
{
	struct centry *v = NULL;
	size_t i, n = 0;
	int rc;

	if (tp_conf_ndomains(run->conf) == 0)
		return 0;
	if ((rc = index_conf(&v, &n, run->conf)) != 0)
		return rc;
	for (i = 0; i < run->nnames; i++)
		if (run->names[i].entry == NULL)
			run->names[i].entry =
			    find_conf(v, n, run->names[i].domain);
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return 0;
}

/* Say what --provider auto found, in one line. */
static void
auto_summary(const struct pub_run *run)
{
	const struct tp_provider *const *list;
	char line[512];
	size_t i, j, n, c, len = 0;

	list = tp_provider_list(&n);
	for (i = 0; i < n; i++) {
		for (c = 0, j = 0; j < run->nnames; j++)
			c += run->names[j].detected == list[i];
		if (c > 0 && len < sizeof(line))
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			                        "%s%zu on %s", len ? ", " : "",
			                        c, list[i]->name);
	}
	if (len > 0)
		tp_sink_log(run->o->sink, TP_LOG_WARN,
		            "--provider auto: %s (from their name servers)",
		            line);
}

/* Look up the name servers of every domain that needs --provider auto. */
static int
detect(struct pub_run *run)
{
	struct tp_autodetect *ad = NULL;
	const char **doms = NULL;
	size_t *at = NULL, i, n = 0, bad = 0;
	char *first = NULL;
	int rc = 0;

	for (i = 0; i < run->nnames; i++) {
		const char *p = pub_provider_name(run, run->names[i].entry);

		if (run->names[i].rest == NULL && p != NULL &&
		    strcmp(p, "auto") == 0)
			n++;
	}
	if (n == 0)
		return 0;
	doms = calloc(n, sizeof(*doms));
	at = calloc(n, sizeof(*at));
	ad = calloc(n, sizeof(*ad));
	if (doms == NULL || at == NULL || ad == NULL) {
		rc = tp_err_set(TP_EINTERNAL, "publish: out of memory");
		goto out;
	}
	for (n = 0, i = 0; i < run->nnames; i++) {
		const char *p = pub_provider_name(run, run->names[i].entry);

		if (run->names[i].rest != NULL || p == NULL ||
		    strcmp(p, "auto") != 0)
			continue;
		at[n] = i;
		doms[n++] = run->names[i].domain;
	}
	rc = tp_autodetect_run(ad, doms, n, &run->resolvers, run->o->sink,
	                       run->o->stop);
	for (i = 0; rc == 0 && i < n; i++) {
		run->names[at[i]].detected = ad[i].provider;
		if (ad[i].provider != NULL)
			continue;
		if (bad++ < SHOW_MAX)
			tp_sink_log(run->o->sink, TP_LOG_WARN, "%s",
			            ad[i].error ? ad[i].error : "?");
		if (first == NULL)
			first = strdup(ad[i].error ? ad[i].error : "?");
	}
	if (rc == 0 && bad > 0)
		rc = tp_err_set(TP_EUSAGE,
		                "publish: --provider auto: the provider of %zu "
		                "domain%s is not known, so nothing was done "
		                "(first: %s)",
		                bad, bad == 1 ? "" : "s", first ? first : "?");
	else if (rc == 0)
		auto_summary(run);
out:
	free(first);
	tp_autodetect_release(ad, ad != NULL ? n : 0);
	free(ad);
	free(doms);
	free(at);
	return rc;
}

static int
empty(const struct pub_run *run, size_t given)
{
	const char *cp = tp_conf_path(run->conf);

	if (run->o->mode == TP_PUBLISH_MODE_RESTORE && given == 0)
		return tp_err_set(TP_EUSAGE,
		                  "restore: the report '%s' records no change "
		                  "(%zu results created, updated or removed "
		                  "nothing): nothing to put back",
		                  run->o->restore_report, run->restore.skipped);
	if (run->o->all && tp_conf_ndomains(run->conf) == 0)
		return tp_err_set(TP_EUSAGE,
		                  "publish: --all, but the config file%s%s has "
		                  "no domains list",
		                  cp ? " " : "", cp ? cp : "");
	if (given == 0)
		return tp_err_set(TP_EUSAGE,
		                  "publish: no domain given: name domains as "
		                  "arguments, with --domains-file FILE, or use "
		                  "--all for the config file's domains list");
	return 0;
}

int
pub_names(struct pub_run *run)
{
	struct raw *raw = NULL;
	size_t n = 0;
	int rc;

	rc = collect(&raw, &n, run);
	if (rc == 0)
		rc = empty(run, n);
	if (rc == 0)
		rc = normalise(run, raw, n);
	free(raw);
	if (rc == 0)
		rc = dedupe(run);
	if (rc == 0)
		shard(run);
	if (rc == 0)
		rc = attach_entries(run);
	if (rc == 0)
		rc = detect(run);
	return rc;
}

void
pub_names_release(struct pub_run *run)
{
	size_t i;

	for (i = 0; i < run->nnames; i++)
		free(run->names[i].domain);
	free(run->names);
	run->names = NULL;
	run->nnames = 0;
}

int
tp_publish_read_domains(struct tp_strv *out, const char *path)
{
	return tp_domain_list_read(out, path);
}
