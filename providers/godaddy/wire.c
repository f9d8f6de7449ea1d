/*
 * wire.c: GoDaddy's wire forms, with no I/O (see api.h): record names
 * relative to the registered domain, the records and domains answers,
 * the PUT body. TXT data is raw text on this API: no quotes, no escapes,
 * no 255-byte split (GoDaddy splits long values itself when it serves
 * them), so a value crosses unchanged both ways.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"

int
tp_gd_name(char **out, const char *owner, const char *domain)
{
	size_t lo = strlen(owner), ld = strlen(domain);

	*out = NULL;
	if (!tp_domain_in_zone(owner, domain))
		return tp_err_set(TP_EUSAGE,
		                  "godaddy: '%s' is not in domain '%s': check "
		                  "--zone-id",
		                  owner, domain);
	*out = lo == ld ? strdup("@") : strndup(owner, lo - ld - 1);
	if (*out == NULL)
		return tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
	return 0;
}

/*
 * cJSON decodes "\u0000" into a string it then cuts at the NUL, so a
 * value holding one would be written back shortened: refuse it instead.
 * A backslash escaped by another backslash does not start an escape.
 */
static int
has_nul_escape(const char *s, size_t len)
{
	size_t i, bs = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\') {
			bs++;
			continue;
		}
		if (s[i] == 'u' && bs % 2 == 1 && len - i > 4 &&
		    strncmp(s + i + 1, "0000", 4) == 0)
			return 1;
		bs = 0;
	}
	return 0;
}

static const char *
str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One record of the answer: kept when it is a TXT record at name. The
 * endpoint filters already; type and name are checked when present. */
static int
add_record(struct tp_txt_rrset *out, const cJSON *rec, const char *name)
{
	const char *type = str_of(rec, "type"), *rname = str_of(rec, "name");
	const char *data = str_of(rec, "data");
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(rec, "ttl");
	int rc;

	if (data == NULL || (type != NULL && strcasecmp(type, "TXT") != 0) ||
	    (rname != NULL && strcasecmp(rname, name) != 0))
		return 0;
	rc = tp_strv_add(&out->values, data);
	if (rc != 0)
		return rc;
	if (!out->exists && cJSON_IsNumber(ttl) && ttl->valuedouble > 0 &&
	    ttl->valuedouble < 1e9)
		out->ttl = (long)ttl->valuedouble;
	out->exists = 1;
	return 0;
}

int
tp_gd_records_parse(struct tp_txt_rrset *out, const char *body, size_t len,
                    const char *name)
{
	const cJSON *rec;
	cJSON *json;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (body != NULL && has_nul_escape(body, len))
		return tp_err_set(TP_EUSAGE,
		                  "godaddy: a TXT value at '%s' holds a NUL "
		                  "byte, which this tool cannot keep intact: "
		                  "fix it by hand in GoDaddy's dashboard",
		                  name);
	json = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	if (!cJSON_IsArray(json)) {
		cJSON_Delete(json);
		return tp_err_set(TP_ENETWORK,
		                  "godaddy: the answer listing the TXT records "
		                  "at '%s' is not a JSON array of records: run "
		                  "again",
		                  name);
	}
	cJSON_ArrayForEach(rec, json)
	{
		if (!cJSON_IsObject(rec))
			continue;
		rc = add_record(out, rec, name);
		if (rc != 0)
			break;
	}
	cJSON_Delete(json);
	if (rc != 0)
		tp_txt_rrset_release(out);
	return rc;
}

int
tp_gd_records_body(char **out, const struct tp_strv *values, long ttl)
{
	cJSON *arr, *o;
	size_t i;

	*out = NULL;
	arr = cJSON_CreateArray();
	for (i = 0; arr != NULL && i < values->n; i++) {
		o = cJSON_CreateObject();
		if (o == NULL || !cJSON_AddItemToArray(arr, o) ||
		    cJSON_AddStringToObject(o, "data", values->v[i]) == NULL ||
		    (ttl > 0 &&
		     cJSON_AddNumberToObject(o, "ttl", (double)ttl) == NULL)) {
			cJSON_Delete(arr);
			arr = NULL;
		}
	}
	if (arr != NULL)
		*out = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (*out == NULL)
		return tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
	return 0;
}

int
tp_gd_domains_parse(struct tp_strv *out, size_t *entries, const char *body,
                    size_t len)
{
	const cJSON *d;
	const char *name;
	cJSON *json;
	char *low;
	size_t i;
	int rc = 0;

	*entries = 0;
	json = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	if (!cJSON_IsArray(json)) {
		cJSON_Delete(json);
		return tp_err_set(TP_ENETWORK,
		                  "godaddy: the answer listing the account's "
		                  "domains is not a JSON array: run again");
	}
	cJSON_ArrayForEach(d, json)
	{
		(*entries)++;
		name = str_of(d, "domain");
		if (name == NULL || *name == '\0')
			continue;
		low = strdup(name);
		if (low == NULL) {
			rc = tp_err_set(TP_EINTERNAL, "godaddy: out of memory");
			break;
		}
		for (i = 0; low[i]; i++)
			low[i] = (char)tolower((unsigned char)low[i]);
		i = strlen(low);
		if (i > 1 && low[i - 1] == '.')
			low[i - 1] = '\0';
		rc = tp_strv_take(out, low);
		if (rc != 0)
			break;
	}
	cJSON_Delete(json);
	return rc;
}

const char *
tp_gd_domain_match(const struct tp_strv *domains, const char *name)
{
	const char *best = NULL;
	size_t i;

	for (i = 0; i < domains->n; i++)
		if (tp_domain_in_zone(name, domains->v[i]) &&
		    (best == NULL || strlen(domains->v[i]) > strlen(best)))
			best = domains->v[i];
	return best;
}

static size_t
count_of(const struct tp_strv *sv, const char *s)
{
	size_t i, n = 0;

	for (i = 0; i < sv->n; i++)
		n += strcmp(sv->v[i], s) == 0;
	return n;
}

int
tp_gd_same_values(const struct tp_strv *a, const struct tp_strv *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (count_of(a, a->v[i]) != count_of(b, a->v[i]))
			return 0;
	return 1;
}
