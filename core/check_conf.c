/*
 * check_conf.c: the settings `check` takes from the config file, resolved
 * as publish resolves them (core/publish_setup.c): command line > config
 * file > built-in default, the file found as conf.h says. These settings
 * have no environment variable (publish's have none either); the
 * environment only names the file.
 *
 * What check shares with publish: defaults.resolver and
 * defaults.nameserver (a list given on the command line replaces the
 * file's), defaults.timeout (the --wait deadline) and defaults.interval,
 * and the domains list (--all). The configured rua is what publish would
 * write; check compares against it only when asked
 * (--expect-configured-rua), since a record that differs from the file
 * is not wrong in itself.
 */
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"

/* The CLI's list, else the config's (a single string is a list of one). */
static int
servers(struct tp_strv *out, const struct tp_conf *conf,
        const struct tp_strv *cli, const char *key)
{
	int rc;

	if (cli != NULL && cli->n > 0)
		return tp_strv_copy(out, cli);
	rc = tp_conf_get_list(conf, "defaults", key, out);
	return rc < 0 ? rc : 0;
}

/* A number of seconds: the option when set, else the config's. The file
 * is shared with publish, so it may hold anything publish's options take
 * (up to a week); unlike publish, a value of 0 or below is refused
 * rather than silently replaced by the default. */
static int
seconds(double *v, const struct tp_conf *conf, const char *key)
{
	double t;
	int rc;

	if (*v > 0)
		return 0;
	rc = tp_conf_get_double(conf, "defaults", key, &t);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (!(t > 0) || t > 86400)
		return tp_err_set(
		    TP_ECONFIG,
		    "%s: '%s' must be a number of seconds above 0 "
		    "(at most 86400)",
		    tp_conf_where(conf, "defaults", key), key);
	*v = t;
	return 0;
}

/* Arguments, then (--all) every name of the domains list. */
static int
collect(struct check_conf *cc, const struct tp_check_opts *o,
        const struct tp_strv *domains)
{
	const char *path = tp_conf_path(cc->conf);
	size_t i;
	int rc = 0;

	if (domains != NULL)
		rc = tp_strv_copy(&cc->names, domains);
	for (i = 0; o->all && rc == 0 && i < tp_conf_ndomains(cc->conf); i++)
		rc = tp_strv_add(&cc->names, tp_conf_domain(cc->conf, i)->name);
	if (rc == 0 && o->all && tp_conf_ndomains(cc->conf) == 0)
		return tp_err_set(
		    TP_EUSAGE,
		    "check: --all, but the config file%s%s has no "
		    "domains list",
		    path ? " " : "", path ? path : "");
	if (rc == 0 && cc->names.n == 0)
		return tp_err_set(TP_EUSAGE,
		                  "check: no domain given: name domains as "
		                  "arguments, with --domains-file FILE, or use "
		                  "--all for the config file's domains list");
	return rc;
}

/* A domains entry by its normalised name. */
struct centry {
	char *name;
	const struct tp_conf_domain *e;
};

static int
cmp_centry(const void *a, const void *b)
{
	return strcmp(((const struct centry *)a)->name,
	              ((const struct centry *)b)->name);
}

/* Every entry normalised once and sorted, so that --all on a long list
 * costs n log n. An entry whose name is no domain is the file's error. */
static int
index_entries(struct centry **out, size_t *n, const struct tp_conf *conf)
{
	const struct tp_conf_domain *e;
	struct centry *v;
	size_t i;

	*n = tp_conf_ndomains(conf);
	*out = v = calloc(*n + 1, sizeof(*v));
	if (v == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	for (i = 0; i < *n; i++) {
		e = v[i].e = tp_conf_domain(conf, i);
		if (tp_domain_normalize(&v[i].name, e->name) != 0)
			return tp_err_set(TP_ECONFIG, "%s:%d: %s",
			                  tp_conf_path(conf), e->line,
			                  tp_err_msg());
	}
	qsort(v, *n, sizeof(*v), cmp_centry);
	return 0;
}

/* The destinations publish would give names.v[i]: its entry's rua, else
 * defaults.rua; each must be a destination --rua would take. */
static int
expect_one(struct check_conf *cc, size_t i, const struct centry *idx,
           size_t nidx)
{
	const struct tp_conf_domain *e = NULL;
	struct centry key, *hit;
	const char *where = NULL;
	char *n;
	size_t k;
	int rc = 0, line = 0;

	/* A bad name is reported with the others, by tp_check_run. */
	if (tp_domain_normalize(&key.name, cc->names.v[i]) != 0) {
		tp_err_clear();
		return 0;
	}
	hit = bsearch(&key, idx, nidx, sizeof(*idx), cmp_centry);
	free(key.name);
	if (hit != NULL)
		e = hit->e;
	if (e != NULL && e->rua.n > 0) {
		rc = tp_strv_copy(&cc->expect[i], &e->rua);
		cc->expect_from[i] = "its domains entry's rua";
		line = e->line;
	} else {
		rc = tp_conf_get_list(cc->conf, "defaults", "rua",
		                      &cc->expect[i]);
		rc = rc < 0 ? rc : 0;
		cc->expect_from[i] = "defaults.rua of the config file";
		where = tp_conf_where(cc->conf, "defaults", "rua");
	}
	if (rc == 0 && cc->expect[i].n == 0)
		return tp_err_set(
		    TP_EUSAGE,
		    "check: --expect-configured-rua, but no rua is configured "
		    "for '%s': set rua in its domains entry or in defaults of "
		    "the config file%s%s",
		    cc->names.v[i], tp_conf_path(cc->conf) ? " " : "",
		    tp_conf_path(cc->conf) ? tp_conf_path(cc->conf) : "");
	for (k = 0; rc == 0 && k < cc->expect[i].n; k++) {
		n = NULL;
		if (tp_rua_normalize(&n, cc->expect[i].v[k]) == 0) {
			free(n);
			continue;
		}
		if (where != NULL)
			return tp_err_set(TP_ECONFIG, "%s: %s", where,
			                  tp_err_msg());
		return tp_err_set(TP_ECONFIG, "%s:%d: %s",
		                  tp_conf_path(cc->conf), line, tp_err_msg());
	}
	return rc;
}

static int
expectations(struct check_conf *cc)
{
	struct centry *idx = NULL;
	size_t i, nidx = 0;
	int rc;

	cc->expect = calloc(cc->names.n, sizeof(*cc->expect));
	cc->expect_from = calloc(cc->names.n, sizeof(*cc->expect_from));
	if (cc->expect == NULL || cc->expect_from == NULL)
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	rc = index_entries(&idx, &nidx, cc->conf);
	for (i = 0; rc == 0 && i < cc->names.n; i++)
		rc = expect_one(cc, i, idx, nidx);
	for (i = 0; idx != NULL && i < nidx; i++)
		free(idx[i].name);
	free(idx);
	return rc;
}

int
tp_check_conf_load(struct check_conf *cc, struct tp_check_opts *o,
                   const struct tp_strv *domains)
{
	char *warning = NULL;
	int rc;

	memset(cc, 0, sizeof(*cc));
	if (o->expect_configured_rua && o->expect_rua != NULL &&
	    o->expect_rua->n > 0)
		return tp_err_set(TP_EUSAGE,
		                  "check: give --expect-rua or "
		                  "--expect-configured-rua, not both");
	rc = tp_conf_load(&cc->conf, o->config, &warning);
	if (rc != 0)
		return rc;
	if (warning != NULL)
		tp_sink_log(o->sink, TP_LOG_WARN, "%s", warning);
	free(warning);
	if ((rc = servers(&cc->resolvers, cc->conf, o->resolvers,
	                  "resolver")) != 0 ||
	    (rc = servers(&cc->nameservers, cc->conf, o->nameservers,
	                  "nameserver")) != 0 ||
	    (rc = seconds(&o->timeout, cc->conf, "timeout")) != 0 ||
	    (rc = seconds(&o->interval, cc->conf, "interval")) != 0 ||
	    (rc = collect(cc, o, domains)) != 0)
		return rc;
	o->resolvers = &cc->resolvers;
	o->nameservers = &cc->nameservers;
	if (o->expect_configured_rua)
		rc = expectations(cc);
	return rc;
}

const struct tp_strv *
tp_check_conf_expect(const struct check_conf *cc, size_t i, const char **from)
{
	if (cc->expect == NULL || i >= cc->names.n)
		return NULL;
	*from = cc->expect_from[i];
	return &cc->expect[i];
}

void
tp_check_conf_release(struct check_conf *cc)
{
	size_t i;

	for (i = 0; cc->expect != NULL && i < cc->names.n; i++)
		tp_strv_release(&cc->expect[i]);
	free(cc->expect);
	free(cc->expect_from);
	tp_strv_release(&cc->resolvers);
	tp_strv_release(&cc->nameservers);
	tp_strv_release(&cc->names);
	tp_conf_free(cc->conf);
	memset(cc, 0, sizeof(*cc));
}
