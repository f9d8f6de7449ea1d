/*
 * report_providers.c: the JSON form of the provider registry, for
 * `providers --output json` (descriptors only: no setting's value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/report.h"

static int
add_str(cJSON *o, const char *k, const char *v)
{
	if (v == NULL)
		return 0;
	return cJSON_AddStringToObject(o, k, v) == NULL ? -1 : 0;
}

static int
add_num(cJSON *o, const char *k, double v)
{
	return cJSON_AddNumberToObject(o, k, v) == NULL ? -1 : 0;
}

static int
add_setting(cJSON *a, const struct tp_setting_def *d)
{
	char file_key[128], env_file[128], flag[128];
	int secret = (d->flags & TP_SETTING_SECRET) != 0;
	cJSON *s;

	s = cJSON_CreateObject();
	if (s == NULL || !cJSON_AddItemToArray(a, s))
		return -1;
	/* Secrets also come from files (settings.h): name where. */
	(void)snprintf(file_key, sizeof(file_key), "%s_file", d->key);
	(void)snprintf(env_file, sizeof(env_file), "%s_FILE",
	               d->env ? d->env : "");
	(void)snprintf(flag, sizeof(flag), "--%s", d->flag ? d->flag : "");
	if (add_str(s, "key", d->key) || add_str(s, "env", d->env) ||
	    (secret && d->env && add_str(s, "env_file", env_file)) ||
	    (secret && add_str(s, "config_file_key", file_key)) ||
	    (!secret && d->flag && add_str(s, "flag", flag)) ||
	    !cJSON_AddBoolToObject(s, "secret", secret) ||
	    !cJSON_AddBoolToObject(s, "required",
	                           (d->flags & TP_SETTING_REQUIRED) != 0) ||
	    add_str(s, "default", d->def) || add_str(s, "help", d->help))
		return -1;
	return 0;
}

static int
add_provider(cJSON *a, const struct tp_provider *p)
{
	cJSON *o, *set;
	size_t i;

	o = cJSON_CreateObject();
	if (o == NULL || !cJSON_AddItemToArray(a, o))
		return -1;
	if (add_str(o, "name", p->name) || add_str(o, "title", p->title) ||
	    add_str(o, "doc", p->doc) ||
	    add_str(o, "permissions", p->permissions) ||
	    add_num(o, "rate", p->rate) || add_num(o, "burst", p->burst) ||
	    add_num(o, "min_ttl", (double)p->min_ttl) ||
	    add_num(o, "default_ttl", (double)p->default_ttl) ||
	    (p->max_ttl > 0 && add_num(o, "max_ttl", (double)p->max_ttl)) ||
	    (p->auto_ttl > 0 && add_num(o, "auto_ttl", (double)p->auto_ttl)) ||
	    add_num(o, "timeout", p->timeout) ||
	    add_num(o, "interval", p->interval) ||
	    !cJSON_AddBoolToObject(o, "wait_change", p->wait_change != NULL))
		return -1;
	set = cJSON_AddArrayToObject(o, "settings");
	if (set == NULL)
		return -1;
	for (i = 0; i < p->nsettings; i++)
		if (add_setting(set, &p->settings[i]))
			return -1;
	return 0;
}

int
tp_report_providers_json(char **out, const char *only)
{
	const struct tp_provider *const *list;
	cJSON *o, *a;
	size_t i, n;
	int bad = 0;

	*out = NULL;
	o = cJSON_CreateObject();
	a = o ? cJSON_AddArrayToObject(o, "providers") : NULL;
	list = tp_provider_list(&n);
	for (i = 0; a != NULL && i < n && !bad; i++)
		if (only == NULL || strcmp(list[i]->name, only) == 0)
			bad = add_provider(a, list[i]);
	if (a != NULL && !bad)
		*out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (*out == NULL)
		return tp_err_set(TP_EINTERNAL, "report: out of memory");
	return 0;
}
