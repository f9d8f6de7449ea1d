/*
 * fuzz_record.c: libFuzzer target for the record validator, and for the
 * generator and domain normaliser on the same bytes. Invariants (abort on
 * violation): validation never fails but for memory; every diagnostic has
 * an offset within the record, a listed code, a message and a hint, in
 * offset order; a valid record passes the senders' discard rule and has a
 * destination; the JSON is parseable; whatever tp_rua_normalize accepts
 * validates cleanly and is a fixed point; whatever tp_domain_normalize
 * accepts is a short LDH(+_) name and a fixed point.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tlsrpt/domain.h"
#include "tlsrpt/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			abort();                                               \
	} while (0)

static int
listed(const char *code)
{
	const struct tp_record_code *t;

	for (t = tp_record_codes(); t->code != NULL; t++)
		if (strcmp(t->code, code) == 0)
			return 1;
	return 0;
}

static void
validate(const char *rec, size_t len)
{
	struct tp_diags d = TP_DIAGS_INIT;
	struct tp_strv rua = TP_STRV_INIT;
	char *json = NULL;
	cJSON *j;
	size_t i;

	CHECK(tp_record_validate(&d, rec, len) == 0);
	for (i = 0; i < d.n; i++) {
		CHECK(d.v[i].offset <= len);
		CHECK(i == 0 || d.v[i - 1].offset <= d.v[i].offset);
		CHECK(listed(d.v[i].code));
		CHECK(d.v[i].message != NULL && d.v[i].hint != NULL);
	}
	if (tp_diags_count(&d, TP_SEV_ERROR) == 0) {
		CHECK(tp_record_is_tlsrpt_v1(rec, len));
		CHECK(tp_record_rua(&rua, rec, len) == 0 && rua.n > 0);
	}
	CHECK(tp_record_validation_json(&json, rec, len, &d) == 0);
	j = cJSON_Parse(json);
	CHECK(j != NULL);
	cJSON_Delete(j);
	free(json);
	tp_strv_release(&rua);
	tp_diags_release(&d);
}

static void
generate(const char *s)
{
	struct tp_diags d = TP_DIAGS_INIT;
	char rec[2048], *out = NULL, *again = NULL;
	size_t i, n;

	if (tp_rua_normalize(&out, s) != 0)
		return;
	n = strlen(out);
	CHECK(n < sizeof(rec) - 20);
	memcpy(rec, "v=TLSRPTv1; rua=", 16);
	memcpy(rec + 16, out, n + 1);
	CHECK(tp_record_validate(&d, rec, n + 16) == 0);
	for (i = 0; i < d.n; i++)
		CHECK(strcmp(d.v[i].code, "https-only") == 0);
	CHECK(tp_rua_normalize(&again, out) == 0 && strcmp(again, out) == 0);
	tp_diags_release(&d);
	free(again);
	free(out);
}

static void
domain(const char *s)
{
	char *out = NULL, *again = NULL;
	const char *p;

	if (tp_domain_normalize(&out, s) != 0)
		return;
	CHECK(strlen(out) > 0 && strlen(out) <= TP_DOMAIN_MAX);
	for (p = out; *p != '\0'; p++)
		CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.');
	CHECK(tp_domain_normalize(&again, out) == 0 && strcmp(again, out) == 0);
	free(again);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	validate((const char *)data, size);
	if (size > 1024)
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	generate(s);
	domain(s);
	free(s);
	return 0;
}
