/*
 * conf_get.c: the loaded configuration (see conf.h): its getters and its
 * lifetime. Type errors surface here, when a caller asks for a key as a
 * number or a list, with the file and line the key came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

int
tp_conf_is_secret_key(const char *key)
{
	static const char *const ends[] = {"token", "secret", "key",
	                                   "password"};
	size_t i, n = strlen(key), e;

	for (i = 0; i < sizeof(ends) / sizeof(*ends); i++) {
		e = strlen(ends[i]);
		if (n >= e && strcasecmp(key + n - e, ends[i]) == 0)
			return 1;
	}
	return 0;
}

const struct tp_conf_sec *
tp_conf_find_sec(const struct tp_conf *c, const char *name)
{
	size_t i;

	for (i = 0; c != NULL && name != NULL && i < c->nsecs; i++)
		if (strcmp(c->secs[i].name, name) == 0)
			return &c->secs[i];
	return NULL;
}

const struct tp_conf_item *
tp_conf_find_item(const struct tp_conf *c, const char *section, const char *key)
{
	const struct tp_conf_sec *s = tp_conf_find_sec(c, section);
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (strcmp(s->items[i].key, key) == 0)
			return &s->items[i];
	return NULL;
}

const char *
tp_conf_path(const struct tp_conf *c)
{
	return c != NULL ? c->path : NULL;
}

const char *
tp_conf_get(const struct tp_conf *c, const char *section, const char *key,
            int *line)
{
	const struct tp_conf_item *it = tp_conf_find_item(c, section, key);

	if (it == NULL || it->kind == TP_CONF_LIST)
		return NULL;
	if (line != NULL)
		*line = it->line;
	return it->str;
}

int
tp_conf_get_value(const struct tp_conf *c, const char *section, const char *key,
                  const char **out, int *line)
{
	const struct tp_conf_item *it = tp_conf_find_item(c, section, key);

	*out = NULL;
	if (it == NULL)
		return 1;
	if (line != NULL)
		*line = it->line;
	if (it->kind == TP_CONF_LIST)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: '%s' must be a single value, not a "
		                  "list",
		                  it->file, it->line, key);
	*out = it->str;
	return 0;
}

int
tp_conf_get_string(const struct tp_conf *c, const char *section,
                   const char *key, const char **out)
{
	const struct tp_conf_item *it = tp_conf_find_item(c, section, key);

	*out = NULL;
	if (it == NULL)
		return 1;
	if (it->kind != TP_CONF_STR)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: '%s' must be a string (in quotes)",
		                  it->file, it->line, key);
	*out = it->str;
	return 0;
}

int
tp_conf_get_long(const struct tp_conf *c, const char *section, const char *key,
                 long *out)
{
	const struct tp_conf_item *it = tp_conf_find_item(c, section, key);

	if (it == NULL)
		return 1;
	if (it->kind != TP_CONF_INT)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: '%s' must be a whole number (without "
		                  "quotes)",
		                  it->file, it->line, key);
	if (it->ival < -2147483647LL - 1 || it->ival > 2147483647LL)
		return tp_err_set(TP_ECONFIG, "%s:%d: '%s' is out of range",
		                  it->file, it->line, key);
	*out = (long)it->ival;
	return 0;
}

int
tp_conf_get_double(const struct tp_conf *c, const char *section,
                   const char *key, double *out)
{
	const struct tp_conf_item *it = tp_conf_find_item(c, section, key);

	if (it == NULL)
		return 1;
	if (it->kind == TP_CONF_INT)
		*out = (double)it->ival;
	else if (it->kind == TP_CONF_FLOAT)
		*out = it->fval;
	else
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: '%s' must be a number (without "
		                  "quotes)",
		                  it->file, it->line, key);
	return 0;
}

int
tp_conf_get_list(const struct tp_conf *c, const char *section, const char *key,
                 struct tp_strv *out)
{
	const struct tp_conf_item *it = tp_conf_find_item(c, section, key);
	size_t i;

	if (it == NULL)
		return 1;
	if (it->kind == TP_CONF_STR)
		return tp_strv_add(out, it->str);
	if (it->kind != TP_CONF_LIST)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: '%s' must be a string or a list of "
		                  "strings in quotes",
		                  it->file, it->line, key);
	for (i = 0; i < it->list.n; i++)
		if (tp_strv_add(out, it->list.v[i]) != 0)
			return TP_EINTERNAL;
	return 0;
}

const char *
tp_conf_where(const struct tp_conf *c, const char *section, const char *key)
{
	static _Thread_local char buf[4200];
	const struct tp_conf_sec *s = tp_conf_find_sec(c, section);
	const struct tp_conf_item *it;

	buf[0] = '\0';
	if (key == NULL && s != NULL)
		(void)snprintf(buf, sizeof(buf), "%s:%d", s->file, s->line);
	else if (key != NULL && (it = tp_conf_find_item(c, section, key)))
		(void)snprintf(buf, sizeof(buf), "%s:%d", it->file, it->line);
	return buf;
}

int
tp_conf_check_keys(const struct tp_conf *c, const char *section,
                   const char *const *known, size_t n)
{
	const struct tp_conf_sec *s = tp_conf_find_sec(c, section);
	char list[1024];
	size_t i, k, len;
	int ok;

	for (i = 0; s != NULL && i < s->n; i++) {
		ok = 0;
		for (k = 0; k < n && !ok; k++)
			ok = strcmp(s->items[i].key, known[k]) == 0;
		if (ok)
			continue;
		list[0] = '\0';
		for (k = 0, len = 0; k < n && len < sizeof(list); k++)
			len +=
			    (size_t)snprintf(list + len, sizeof(list) - len,
			                     "%s%s", k ? ", " : "", known[k]);
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: unknown setting '%s' in '%s'; known: "
		                  "%s",
		                  s->items[i].file, s->items[i].line,
		                  s->items[i].key, section, list);
	}
	return 0;
}

int
tp_conf_has_section(const struct tp_conf *c, const char *section)
{
	return tp_conf_find_sec(c, section) != NULL;
}

const char *
tp_conf_account_provider(const struct tp_conf *c, const char *account)
{
	const struct tp_conf_sec *s = tp_conf_find_sec(c, account);

	return s != NULL && s->account ? s->provider : NULL;
}

/* The i-th section with account == want, skipping defaults. */
static const struct tp_conf_sec *
nth(const struct tp_conf *c, int want, size_t i)
{
	size_t k;

	for (k = 0; c != NULL && k < c->nsecs; k++) {
		if (c->secs[k].account != want ||
		    strcmp(c->secs[k].name, "defaults") == 0)
			continue;
		if (i-- == 0)
			return &c->secs[k];
	}
	return NULL;
}

static size_t
count(const struct tp_conf *c, int want)
{
	size_t n = 0;

	while (nth(c, want, n) != NULL)
		n++;
	return n;
}

size_t
tp_conf_nsections(const struct tp_conf *c)
{
	return count(c, 0);
}

const char *
tp_conf_section(const struct tp_conf *c, size_t i, int *line)
{
	const struct tp_conf_sec *s = nth(c, 0, i);

	if (s != NULL && line != NULL)
		*line = s->line;
	return s != NULL ? s->name : NULL;
}

size_t
tp_conf_naccounts(const struct tp_conf *c)
{
	return count(c, 1);
}

const char *
tp_conf_account(const struct tp_conf *c, size_t i, int *line)
{
	const struct tp_conf_sec *s = nth(c, 1, i);

	if (s != NULL && line != NULL)
		*line = s->line;
	return s != NULL ? s->name : NULL;
}

size_t
tp_conf_ndomains(const struct tp_conf *c)
{
	return c != NULL ? c->ndoms : 0;
}

const struct tp_conf_domain *
tp_conf_domain(const struct tp_conf *c, size_t i)
{
	return c != NULL && i < c->ndoms ? &c->doms[i] : NULL;
}

int
tp_conf_empty(struct tp_conf **out)
{
	*out = calloc(1, sizeof(**out));
	return *out == NULL ? tp_err_set(TP_EINTERNAL, "config: out of memory")
	                    : 0;
}

static void
free_item(struct tp_conf_item *it)
{
	size_t i;

	/* Wipe anything that may be a secret, whatever its name. */
	if (it->str != NULL)
		tp_wipe(it->str, strlen(it->str));
	for (i = 0; i < it->list.n; i++)
		tp_wipe(it->list.v[i], strlen(it->list.v[i]));
	free(it->key);
	free(it->str);
	tp_strv_release(&it->list);
}

void
tp_conf_free(struct tp_conf *c)
{
	size_t i, k;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsecs; i++) {
		for (k = 0; k < c->secs[i].n; k++)
			free_item(&c->secs[i].items[k]);
		free(c->secs[i].items);
		free(c->secs[i].name);
		free(c->secs[i].provider);
	}
	free(c->secs);
	for (i = 0; i < c->ndoms; i++) {
		free(c->doms[i].name);
		free(c->doms[i].provider);
		free(c->doms[i].account);
		free(c->doms[i].zone_id);
		tp_strv_release(&c->doms[i].rua);
	}
	free(c->doms);
	tp_strv_release(&c->files);
	free(c->path);
	free(c);
}
