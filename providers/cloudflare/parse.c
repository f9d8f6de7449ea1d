/*
 * parse.c: reading Cloudflare's answers (see api.h): the JSON envelope,
 * zone lists and TXT record lists. No request is made here, so every
 * function can be fed any bytes (tests/fuzz/fuzz_cloudflare_json.c).
 *
 * The API's filters (name=, type=) are case-insensitive and are the
 * API's, not ours: every entry is checked again before it is believed.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "tlsrpt/err.h"

int
tp_cf_api_answer(cJSON **json, long status, const char *body, size_t len,
                 const char *what)
{
	int ok;

	*json = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	ok = status >= 200 && status < 300;
	if (ok &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(*json, "success")))
		return 0;
	/* A 2xx that is not the API's envelope: the change may or may not
	 * have been made, like a lost answer. */
	if (ok)
		(void)tp_err_set_api(
		    TP_ENETWORK, status, NULL, NULL,
		    "cloudflare: %s: the answer is not the API's "
		    "JSON envelope (HTTP %ld): run again",
		    what, status);
	else
		(void)tp_cf_api_error(status, *json, what);
	cJSON_Delete(*json);
	*json = NULL;
	return tp_err_code();
}

long
tp_cf_json_long(const cJSON *n, long dflt)
{
	double d;

	if (!cJSON_IsNumber(n))
		return dflt;
	/* Converting a double out of long's range is undefined: a number
	 * of any size may come back. */
	d = n->valuedouble;
	if (isnan(d))
		return dflt;
	if (d >= 9.0e15)
		return 9000000000000000L;
	if (d <= -9.0e15)
		return -9000000000000000L;
	return (long)d;
}

int
tp_cf_zone_set(struct tp_zone *out, const char *id, const char *name)
{
	char *p;

	out->id = strdup(id);
	out->name = strdup(name);
	if (out->id == NULL || out->name == NULL) {
		tp_zone_release(out);
		return tp_err_set(TP_EINTERNAL, "cloudflare: out of memory");
	}
	for (p = out->name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* A list answer without a result list would read as "nothing there":
 * for records that means writing a duplicate. */
static const cJSON *
result_list(const cJSON *json, const char *what)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(json, "result");

	if (!cJSON_IsArray(r))
		(void)tp_err_set(TP_ENETWORK,
		                 "cloudflare: %s: the answer has no result "
		                 "list: run again",
		                 what);
	return cJSON_IsArray(r) ? r : NULL;
}

int
tp_cf_zones_match(char **id, int *n, const cJSON *json, const char *name)
{
	const char *zid, *zname;
	const cJSON *z, *list;

	*id = NULL;
	*n = 0;
	if ((list = result_list(json, "looking up zones")) == NULL)
		return TP_ENETWORK;
	cJSON_ArrayForEach(z, list)
	{
		zid = tp_cf_json_str(z, "id");
		zname = tp_cf_json_str(z, "name");
		if (zid == NULL || zname == NULL || *zid == '\0' ||
		    strcasecmp(zname, name) != 0)
			continue;
		if ((*n)++ == 0 && (*id = strdup(zid)) == NULL)
			return tp_err_set(TP_EINTERNAL,
			                  "cloudflare: out of memory");
	}
	return 0;
}

int
tp_cf_zones_add(struct tp_zone **out, size_t *n, const cJSON *json)
{
	const char *zid, *zname;
	const cJSON *z, *list;
	struct tp_zone *v;
	int rc;

	if ((list = result_list(json, "listing zones")) == NULL)
		return TP_ENETWORK;
	cJSON_ArrayForEach(z, list)
	{
		zid = tp_cf_json_str(z, "id");
		zname = tp_cf_json_str(z, "name");
		if (zid == NULL || zname == NULL || *zid == '\0' ||
		    *zname == '\0')
			continue;
		v = realloc(*out, (*n + 1) * sizeof(*v));
		if (v == NULL)
			return tp_err_set(TP_EINTERNAL,
			                  "cloudflare: out of memory");
		*out = v;
		memset(&v[*n], 0, sizeof(v[*n]));
		if ((rc = tp_cf_zone_set(&v[*n], zid, zname)) != 0)
			return rc;
		(*n)++;
	}
	return 0;
}

int
tp_cf_records_add(struct tp_txt_rrset *out, const cJSON *json,
                  const char *owner)
{
	const char *id, *content, *type, *name;
	const cJSON *rec, *list;
	int rc;

	if ((list = result_list(json, "reading the TXT records")) == NULL)
		return TP_ENETWORK;
	cJSON_ArrayForEach(rec, list)
	{
		id = tp_cf_json_str(rec, "id");
		content = tp_cf_json_str(rec, "content");
		type = tp_cf_json_str(rec, "type");
		name = tp_cf_json_str(rec, "name");
		if (id == NULL || content == NULL || type == NULL ||
		    name == NULL || *id == '\0' || strcmp(type, "TXT") != 0 ||
		    strcasecmp(name, owner) != 0)
			continue;
		rc = tp_cf_txt_decode(&out->values, content);
		if (rc == 0)
			rc = tp_strv_add(&out->ids, id);
		if (rc != 0)
			return rc;
		if (!out->exists)
			out->ttl = tp_cf_json_long(
			    cJSON_GetObjectItemCaseSensitive(rec, "ttl"), 0);
		out->exists = 1;
	}
	return 0;
}
