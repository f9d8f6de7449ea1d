/*
 * record_json.c: the JSON objects of `validate` and `generate` (cJSON stays
 * in core; cmd/ only prints the strings made here).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "tlsrpt/txt.h"

static int
add_diag(cJSON *a, const struct tp_diag *x)
{
	cJSON *j = cJSON_CreateObject();

	if (j == NULL || !cJSON_AddItemToArray(a, j))
		return -1;
	if (cJSON_AddStringToObject(j, "severity",
	                            tp_severity_name(x->severity)) == NULL ||
	    cJSON_AddStringToObject(j, "code", x->code) == NULL ||
	    cJSON_AddNumberToObject(j, "offset", (double)x->offset) == NULL ||
	    cJSON_AddStringToObject(j, "message", x->message) == NULL)
		return -1;
	if (x->hint != NULL &&
	    cJSON_AddStringToObject(j, "hint", x->hint) == NULL)
		return -1;
	return 0;
}

/* Print and free o; *out NULL on failure. */
static int
finish(char **out, cJSON *o, int failed)
{
	*out = failed ? NULL : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (*out == NULL)
		return tp_err_set(TP_EINTERNAL, "record: out of memory");
	return 0;
}

int
tp_record_validation_json(char **out, const char *rec, size_t len,
                          const struct tp_diags *d)
{
	cJSON *o, *a;
	char *clean;
	size_t i;
	int failed = 0;

	*out = NULL;
	o = cJSON_CreateObject();
	clean = tp_txt_display(rec, len);
	if (o == NULL || clean == NULL ||
	    cJSON_AddStringToObject(o, "record", clean) == NULL ||
	    cJSON_AddBoolToObject(
	        o, "valid", tp_diags_count(d, TP_SEV_ERROR) == 0) == NULL ||
	    (a = cJSON_AddArrayToObject(o, "diagnostics")) == NULL)
		failed = 1;
	for (i = 0; !failed && i < d->n; i++)
		failed = add_diag(a, &d->v[i]) != 0;
	free(clean);
	return finish(out, o, failed);
}

static int
add_strv(cJSON *o, const char *k, const struct tp_strv *sv)
{
	cJSON *a;
	size_t i;

	if ((a = cJSON_AddArrayToObject(o, k)) == NULL)
		return -1;
	for (i = 0; i < sv->n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(sv->v[i])))
			return -1;
	return 0;
}

/* domain, owner and zone line, for a generate --domain. */
static int
add_placement(cJSON *o, const char *record, const char *domain, long ttl)
{
	char *owner = NULL, *zone = NULL;
	int rc;

	if ((rc = tp_domain_owner(&owner, domain)) != 0 ||
	    (rc = tp_record_zone_line(&zone, domain, ttl, record)) != 0)
		goto out;
	if (cJSON_AddStringToObject(o, "domain", domain) == NULL ||
	    cJSON_AddStringToObject(o, "owner", owner) == NULL ||
	    cJSON_AddStringToObject(o, "zone", zone) == NULL)
		rc = tp_err_set(TP_EINTERNAL, "record: out of memory");
out:
	free(owner);
	free(zone);
	return rc;
}

int
tp_record_generate_json(char **out, const char *record, const char *domain,
                        long ttl)
{
	struct tp_strv rua = TP_STRV_INIT, strs = TP_STRV_INIT;
	cJSON *o;
	int rc = 0, failed;

	*out = NULL;
	o = cJSON_CreateObject();
	failed = o == NULL ||
	    tp_record_rua(&rua, record, strlen(record)) != 0 ||
	    tp_txt_split(&strs, record, strlen(record)) != 0 ||
	    cJSON_AddStringToObject(o, "record", record) == NULL ||
	    add_strv(o, "rua", &rua) != 0 ||
	    add_strv(o, "strings", &strs) != 0 ||
	    cJSON_AddNumberToObject(o, "ttl", (double)ttl) == NULL;
	if (!failed && domain != NULL &&
	    (rc = add_placement(o, record, domain, ttl)) != 0) {
		cJSON_Delete(o);
		goto out;
	}
	rc = finish(out, o, failed);
out:
	tp_strv_release(&rua);
	tp_strv_release(&strs);
	return rc;
}
