/*
 * fuzz_cloudflare_json.c: libFuzzer target for what Cloudflare sends back
 * (providers/cloudflare/parse.c, api.c): any bytes, under any status, must
 * read as the API envelope or fail cleanly with a "cloudflare: " message;
 * an envelope is then read as a zone lookup, a zone list page and a TXT
 * record page. Invariants (trap on violation): every record kept has an
 * id; the set exists exactly when it has values; no value holds a NUL;
 * each value written back the way we write it (quoted strings) reads as
 * the same value; total_pages is at least 1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"

#include "../../providers/cloudflare/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
must_say_why(int rc)
{
	if (rc != 0 && strncmp(tp_err_msg(), "cloudflare: ", 12) != 0)
		__builtin_trap();
}

static void
round_trip(const char *v)
{
	struct tp_strv back = TP_STRV_INIT;
	char *wire = NULL;

	if (tp_cf_txt_encode(&wire, v) != 0)
		return; /* over 65535 bytes */
	if (tp_cf_txt_decode(&back, wire) != 0 || back.n != 1 ||
	    strcmp(back.v[0], v) != 0)
		__builtin_trap();
	free(wire);
	tp_strv_release(&back);
}

static void
records(const cJSON *json)
{
	struct tp_txt_rrset r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = tp_cf_records_add(&r, json, "_smtp._tls.example.com");
	must_say_why(rc);
	if (rc == 0) {
		if (r.ids.n != r.values.n || r.exists != (r.values.n > 0))
			__builtin_trap();
		for (i = 0; i < r.values.n; i++) {
			if (r.ids.v[i][0] == '\0')
				__builtin_trap();
			round_trip(r.values.v[i]);
		}
	}
	tp_txt_rrset_release(&r);
}

static void
zones(const cJSON *json)
{
	struct tp_zone *z = NULL;
	char *id = NULL;
	size_t n = 0, i;
	int count, rc;

	rc = tp_cf_zones_match(&id, &count, json, "example.com");
	must_say_why(rc);
	if (rc == 0 && (count > 0) != (id != NULL))
		__builtin_trap();
	free(id);
	rc = tp_cf_zones_add(&z, &n, json);
	must_say_why(rc);
	for (i = 0; i < n; i++) {
		if (z[i].id == NULL || z[i].name == NULL)
			__builtin_trap();
		tp_zone_release(&z[i]);
	}
	free(z);
	if (tp_cf_total_pages(json) < 1)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = {200, 201, 204, 400, 401, 403,
	                                404, 405, 409, 429, 500, 502};
	struct tp_strv v = TP_STRV_INIT;
	cJSON *json = NULL;
	char *s;
	long status;
	int rc;

	if (size == 0)
		return 0;
	/* The first byte picks a status, the rest is the body. */
	status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
	rc = tp_cf_api_answer(&json, status, (const char *)data + 1, size - 1,
	                      "fuzzing");
	if (rc != 0) {
		must_say_why(rc);
		if (json != NULL || (status < 300 && rc != TP_ENETWORK))
			__builtin_trap();
	} else {
		if (json == NULL || status >= 300)
			__builtin_trap();
		records(json);
		zones(json);
		cJSON_Delete(json);
	}
	/* The same bytes as a record's content. */
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	rc = tp_cf_txt_decode(&v, s);
	must_say_why(rc);
	if (rc == 0 && v.n == 1)
		round_trip(v.v[0]);
	tp_strv_release(&v);
	free(s);
	return 0;
}
