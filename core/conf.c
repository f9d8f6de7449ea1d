/*
 * conf.c: find, parse and check the configuration file; the one file that
 * uses libconfig.
 *
 * Everything is copied out of libconfig into plain structs (conf_int.h)
 * and checked once, here, so that a mistake is reported with its file
 * and line before any work starts, and no libconfig pointer outlives the
 * load.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "conf_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#define PATH_CAP 4096

/*
 * Where a libconfig setting came from. The main file's settings carry no
 * name (it is read from a stream); an included file's carry the name as
 * written, which is relative to the main file's directory.
 */
static const char *
src_file(struct tp_conf *c, const config_setting_t *s)
{
	struct tp_buf b = TP_BUF_INIT(PATH_CAP);
	const char *f = config_setting_source_file(s), *slash;
	size_t i;

	if (f == NULL)
		return c->path;
	slash = strrchr(c->path, '/');
	if (f[0] != '/' && slash != NULL)
		tp_buf_add(&b, c->path, (size_t)(slash - c->path + 1));
	tp_buf_adds(&b, f);
	for (i = 0; i < c->files.n; i++)
		if (strcmp(c->files.v[i], b.s) == 0)
			break;
	if (i == c->files.n && (b.err || tp_strv_add(&c->files, b.s) != 0))
		i = (size_t)-1;
	tp_buf_release(&b);
	return i == (size_t)-1 ? c->path : c->files.v[i];
}

#define AT(c, s) src_file((c), (s)), (int)config_setting_source_line(s)

static int
nomem(void)
{
	return tp_err_set(TP_EINTERNAL, "config: out of memory");
}

static int
copy_scalar(struct tp_conf_item *it, const config_setting_t *s)
{
	char num[64];

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		it->kind = TP_CONF_STR;
		it->str = strdup(config_setting_get_string(s));
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		it->kind = TP_CONF_INT;
		it->ival = config_setting_get_int64(s);
		(void)snprintf(num, sizeof(num), "%lld", it->ival);
		it->str = strdup(num);
		break;
	case CONFIG_TYPE_FLOAT:
		it->kind = TP_CONF_FLOAT;
		it->fval = config_setting_get_float(s);
		(void)snprintf(num, sizeof(num), "%.15g", it->fval);
		it->str = strdup(num);
		break;
	default:
		it->kind = TP_CONF_BOOL;
		it->ival = config_setting_get_bool(s);
		it->str = strdup(it->ival ? "true" : "false");
		break;
	}
	return it->str == NULL ? nomem() : 0;
}

/* A list or array whose elements are all strings. */
static int
copy_strings(struct tp_conf *c, struct tp_strv *out, const config_setting_t *s,
             const char *what)
{
	const config_setting_t *e;
	int i, n = config_setting_length(s);

	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return tp_err_set(TP_ECONFIG,
			                  "%s:%d: '%s' must be a string or a "
			                  "list of strings in quotes",
			                  AT(c, e), what);
		if (tp_strv_add(out, config_setting_get_string(e)) != 0)
			return nomem();
	}
	return 0;
}

static int
add_item(struct tp_conf *c, struct tp_conf_sec *sec, const config_setting_t *s)
{
	struct tp_conf_item *it, *p;
	const char *key = config_setting_name(s);

	if (config_setting_is_group(s))
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: '%s' in '%s' is a group; settings "
		                  "there are values or lists of strings",
		                  AT(c, s), key, sec->name);
	p = realloc(sec->items, (sec->n + 1) * sizeof(*p));
	if (p == NULL)
		return nomem();
	sec->items = p;
	it = &p[sec->n++];
	memset(it, 0, sizeof(*it));
	it->line = (int)config_setting_source_line(s);
	it->file = src_file(c, s);
	if ((it->key = strdup(key)) == NULL)
		return nomem();
	if (config_setting_is_aggregate(s)) {
		it->kind = TP_CONF_LIST;
		return copy_strings(c, &it->list, s, key);
	}
	return copy_scalar(it, s);
}

static struct tp_conf_sec *
new_sec(struct tp_conf *c, const char *name, const config_setting_t *s)
{
	struct tp_conf_sec *p;

	p = realloc(c->secs, (c->nsecs + 1) * sizeof(*p));
	if (p == NULL)
		return NULL;
	c->secs = p;
	p = &p[c->nsecs];
	memset(p, 0, sizeof(*p));
	p->line = (int)config_setting_source_line(s);
	p->file = src_file(c, s);
	if ((p->name = strdup(name)) == NULL)
		return NULL;
	c->nsecs++;
	return p;
}

/* Copy every member of group s into a new section called name. */
static int
add_group(struct tp_conf *c, const char *name, const config_setting_t *s,
          struct tp_conf_sec **out)
{
	struct tp_conf_sec *sec;
	int i, n, rc;

	if ((sec = new_sec(c, name, s)) == NULL)
		return nomem();
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		if ((rc = add_item(
		         c, sec, config_setting_get_elem(s, (unsigned)i))) != 0)
			return rc;
	if (out != NULL)
		*out = sec;
	return 0;
}

static const char *
member_string(struct tp_conf *c, const config_setting_t *g, const char *key,
              int *rc)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	*rc = 0;
	if (m == NULL)
		return NULL;
	if (config_setting_type(m) != CONFIG_TYPE_STRING ||
	    config_setting_get_string(m)[0] == '\0') {
		*rc = tp_err_set(TP_ECONFIG,
		                 "%s:%d: '%s' must be a non-empty string in "
		                 "quotes",
		                 AT(c, m), key);
		return NULL;
	}
	return config_setting_get_string(m);
}

static int
reserved(const char *name)
{
	return strcmp(name, "defaults") == 0 || strcmp(name, "accounts") == 0 ||
	    strcmp(name, "domains") == 0;
}

static int
add_account(struct tp_conf *c, const config_setting_t *g)
{
	const struct tp_conf_sec *other;
	struct tp_conf_sec *sec;
	const char *name, *prov;
	int rc;

	if (!config_setting_is_group(g))
		return tp_err_set(
		    TP_ECONFIG,
		    "%s:%d: each entry of 'accounts' must be a "
		    "group: { name = \"...\"; provider = \"...\"; "
		    "... }",
		    AT(c, g));
	name = member_string(c, g, "name", &rc);
	if (rc == 0)
		prov = member_string(c, g, "provider", &rc);
	if (rc != 0)
		return rc;
	if (name == NULL || prov == NULL)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: an account needs name = \"...\"; and "
		                  "provider = \"...\";",
		                  AT(c, g));
	if (reserved(name) || (other = tp_conf_find_sec(c, name)) != NULL)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: account name '%s' is already a "
		                  "section or account name: choose another",
		                  AT(c, g), name);
	if ((rc = add_group(c, name, g, &sec)) != 0)
		return rc;
	sec->account = 1;
	if ((sec->provider = strdup(prov)) == NULL)
		return nomem();
	return 0;
}

static int
add_accounts(struct tp_conf *c, const config_setting_t *s)
{
	int i, n, rc;

	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: 'accounts' must be a list: accounts "
		                  "= ( { name = \"...\"; provider = \"...\"; } "
		                  ");",
		                  AT(c, s));
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		if ((rc = add_account(
		         c, config_setting_get_elem(s, (unsigned)i))) != 0)
			return rc;
	return 0;
}

/* Top-level groups are sections; accounts are read after them so that an
 * account named like a later section is still caught. */
static int
walk_root(struct tp_conf *c, const config_setting_t *root,
          const config_setting_t **accounts, const config_setting_t **doms)
{
	const config_setting_t *s;
	const char *name;
	int i, n, rc;

	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(root, (unsigned)i);
		name = config_setting_name(s);
		if (strcmp(name, "accounts") == 0) {
			*accounts = s;
			continue;
		}
		if (strcmp(name, "domains") == 0) {
			*doms = s;
			continue;
		}
		if (!config_setting_is_group(s))
			return tp_err_set(TP_ECONFIG,
			                  "%s:%d: '%s' is not a section: put "
			                  "settings inside defaults = { ... }; "
			                  "or a provider's section",
			                  AT(c, s), name);
		if ((rc = add_group(c, name, s, NULL)) != 0)
			return rc;
	}
	return 0;
}

static int
dom_rua(struct tp_conf *c, struct tp_conf_domain *d, const config_setting_t *m)
{
	if (config_setting_type(m) == CONFIG_TYPE_STRING)
		return tp_strv_add(&d->rua, config_setting_get_string(m)) != 0
		    ? nomem()
		    : 0;
	if (!config_setting_is_list(m) && !config_setting_is_array(m))
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: 'rua' must be a string or a list of "
		                  "strings in quotes",
		                  AT(c, m));
	return copy_strings(c, &d->rua, m, "rua");
}

static int
dom_ttl(struct tp_conf *c, struct tp_conf_domain *d, const config_setting_t *m)
{
	long long v;

	if (config_setting_type(m) != CONFIG_TYPE_INT &&
	    config_setting_type(m) != CONFIG_TYPE_INT64)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: 'ttl' must be a whole number of "
		                  "seconds (no quotes)",
		                  AT(c, m));
	v = config_setting_get_int64(m);
	if (v < 1 || v > 2147483647)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: 'ttl' must be between 1 and "
		                  "2147483647 seconds",
		                  AT(c, m));
	d->ttl = (long)v;
	return 0;
}

/* One member of a domain group. */
static int
dom_member(struct tp_conf *c, struct tp_conf_domain *d,
           const config_setting_t *m)
{
	const char *k = config_setting_name(m);
	char **dst = NULL;
	int rc;

	if (strcmp(k, "rua") == 0)
		return dom_rua(c, d, m);
	if (strcmp(k, "ttl") == 0)
		return dom_ttl(c, d, m);
	if (strcmp(k, "name") == 0)
		dst = &d->name;
	else if (strcmp(k, "provider") == 0)
		dst = &d->provider;
	else if (strcmp(k, "account") == 0)
		dst = &d->account;
	else if (strcmp(k, "zone_id") == 0)
		dst = &d->zone_id;
	else
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: unknown setting '%s' in a domain "
		                  "entry; known: name, provider, account, rua, "
		                  "ttl, zone_id",
		                  AT(c, m), k);
	(void)member_string(c, config_setting_parent(m), k, &rc);
	if (rc != 0)
		return rc;
	if ((*dst = strdup(config_setting_get_string(m))) == NULL)
		return nomem();
	return 0;
}

static int
dom_fill(struct tp_conf *c, struct tp_conf_domain *d, const config_setting_t *e)
{
	int i, n, rc;

	d->line = (int)config_setting_source_line(e);
	if (config_setting_type(e) == CONFIG_TYPE_STRING) {
		d->name = strdup(config_setting_get_string(e));
		return d->name == NULL ? nomem() : 0;
	}
	if (!config_setting_is_group(e))
		return tp_err_set(
		    TP_ECONFIG,
		    "%s:%d: each entry of 'domains' must be a name "
		    "in quotes or a group { name = \"...\"; ... }",
		    AT(c, e));
	n = config_setting_length(e);
	for (i = 0; i < n; i++)
		if ((rc = dom_member(
		         c, d, config_setting_get_elem(e, (unsigned)i))) != 0)
			return rc;
	if (d->name == NULL)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: a domain entry needs name = \"...\";",
		                  AT(c, e));
	return 0;
}

/* Same name, ignoring case and a trailing dot. */
static int
same_domain(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Cross-checks once the entry is read: name, duplicates, account. */
static int
dom_check(struct tp_conf *c, const struct tp_conf_domain *d,
          const config_setting_t *e)
{
	const struct tp_conf_sec *acct;
	size_t i;

	if (d->name[0] == '\0')
		return tp_err_set(TP_ECONFIG, "%s:%d: empty domain name",
		                  AT(c, e));
	for (i = 0; i + 1 < c->ndoms; i++)
		if (same_domain(c->doms[i].name, d->name))
			return tp_err_set(TP_ECONFIG,
			                  "%s:%d: domain '%s' is listed twice "
			                  "(first on line %d): keep one entry",
			                  AT(c, e), d->name, c->doms[i].line);
	if (d->account == NULL)
		return 0;
	acct = tp_conf_find_sec(c, d->account);
	if (acct == NULL || !acct->account)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: domain '%s' uses account '%s', which "
		                  "the accounts list does not define",
		                  AT(c, e), d->name, d->account);
	if (d->provider != NULL && strcmp(d->provider, acct->provider) != 0)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: domain '%s' names provider '%s' but "
		                  "its account '%s' is a '%s' account",
		                  AT(c, e), d->name, d->provider, d->account,
		                  acct->provider);
	return 0;
}

static int
add_domains(struct tp_conf *c, const config_setting_t *s)
{
	struct tp_conf_domain *p;
	const config_setting_t *e;
	int i, n, rc;

	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return tp_err_set(
		    TP_ECONFIG,
		    "%s:%d: 'domains' must be a list: domains = ( "
		    "\"example.com\", { name = \"example.org\"; "
		    "... } );",
		    AT(c, s));
	n = config_setting_length(s);
	if (n > 0 && (c->doms = calloc((size_t)n, sizeof(*p))) == NULL)
		return nomem();
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		p = &c->doms[c->ndoms++];
		if ((rc = dom_fill(c, p, e)) != 0 ||
		    (rc = dom_check(c, p, e)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Wipe libconfig's copy of every string before config_destroy frees it:
 * the file may hold secrets, and what was needed is copied already. (The
 * scanner's own buffers are beyond reach; main() makes free() clear what
 * it releases, see tp_wipe_freed_memory.)
 */
static void
wipe_strings(config_setting_t *s)
{
	config_setting_t *e;
	const char *v;
	int i;

	if (s == NULL)
		return;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if ((v = config_setting_get_string(s)) != NULL)
			tp_wipe((char *)(uintptr_t)v, strlen(v));
		return;
	}
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL; i++)
		wipe_strings(e);
}

static int
parse(struct tp_conf *c, FILE *f)
{
	const config_setting_t *accounts = NULL, *doms = NULL;
	struct tp_buf dir = TP_BUF_INIT(PATH_CAP);
	const char *slash;
	config_t cfg;
	int rc;

	config_init(&cfg);
	slash = strrchr(c->path, '/');
	if (slash != NULL)
		tp_buf_add(&dir, c->path, (size_t)(slash - c->path));
	config_set_include_dir(&cfg, slash != NULL ? dir.s : ".");
	if (config_read(&cfg, f) != CONFIG_TRUE) {
		rc = tp_err_set(
		    TP_ECONFIG, "%s:%d: %s",
		    config_error_file(&cfg) != NULL ? config_error_file(&cfg)
		                                    : c->path,
		    config_error_line(&cfg),
		    config_error_text(&cfg) != NULL ? config_error_text(&cfg)
		                                    : "cannot be read");
		goto out;
	}
	rc = walk_root(c, config_root_setting(&cfg), &accounts, &doms);
	if (rc == 0 && accounts != NULL)
		rc = add_accounts(c, accounts);
	if (rc == 0 && doms != NULL)
		rc = add_domains(c, doms);
out:
	wipe_strings(config_root_setting(&cfg));
	config_destroy(&cfg);
	tp_buf_release(&dir);
	return rc;
}

/* Parse len bytes of text (checked first) as c's file. */
static int
parse_text(struct tp_conf *c, const char *text, size_t len)
{
	FILE *f;
	int rc;

	if ((rc = tp_conf_check_text(text, len, c->path)) != 0)
		return rc;
	if (len == 0) /* fmemopen may refuse a size of 0 */
		return 0;
	f = fmemopen((void *)(uintptr_t)text, len, "r");
	if (f == NULL)
		return tp_err_set(TP_EINTERNAL, "config: %s", strerror(errno));
	/* Unbuffered: no stdio buffer left holding a secret of the file. */
	(void)setvbuf(f, NULL, _IONBF, 0);
	rc = parse(c, f);
	fclose(f);
	return rc;
}

static int
read_file(struct tp_conf *c, int optional, int *absent)
{
	struct tp_buf text;
	int rc;

	rc = tp_conf_read_text(&text, c->path, optional, absent);
	if (rc != 0 || *absent)
		return rc;
	rc = parse_text(c, text.s, text.len);
	tp_buf_release(&text);
	return rc;
}

int
tp_conf_load(struct tp_conf **out, const char *path, char **warning)
{
	struct tp_conf *c = NULL;
	int rc, optional, absent;

	*out = NULL;
	if (warning != NULL)
		*warning = NULL;
	if ((rc = tp_conf_empty(&c)) != 0)
		return rc;
	if ((rc = tp_conf_find_path(&c->path, path, &optional)) != 0)
		goto fail;
	if (c->path == NULL) /* no file anywhere: an empty configuration */
		goto done;
	if ((rc = read_file(c, optional, &absent)) != 0)
		goto fail;
	if (absent) {
		free(c->path);
		c->path = NULL;
		goto done;
	}
	if (warning != NULL)
		*warning = tp_conf_perm_warning(c);
done:
	*out = c;
	return 0;
fail:
	tp_conf_free(c);
	return rc;
}

int
tp_conf_load_mem(struct tp_conf **out, const char *text, size_t len,
                 const char *name)
{
	struct tp_conf *c = NULL;
	int rc;

	*out = NULL;
	if ((rc = tp_conf_empty(&c)) != 0)
		return rc;
	if ((c->path = strdup(name)) == NULL) {
		rc = nomem();
		goto fail;
	}
	if ((rc = parse_text(c, text, len)) != 0)
		goto fail;
	*out = c;
	return 0;
fail:
	tp_conf_free(c);
	return rc;
}
