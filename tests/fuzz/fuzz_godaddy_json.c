/*
 * fuzz_godaddy_json.c: libFuzzer target for the GoDaddy answer parsers
 * (providers/godaddy/wire.c and api.c): any bytes must parse or fail
 * cleanly as a records answer, a domains page, a 429 body and an error
 * body; and whatever set of values is read must come back identical after
 * the PUT body we would build from it is read again, because a value the
 * tool does not own is written back byte for byte.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"

#include "../../providers/godaddy/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
records(const char *s, size_t n)
{
	struct tp_txt_rrset r, back;
	char *body = NULL;
	size_t i;

	if (tp_gd_records_parse(&r, s, n, "_smtp._tls") != 0) {
		/* Failure leaves nothing behind and says why. */
		if (r.values.n != 0 || strncmp(tp_err_msg(), "godaddy: ", 9))
			__builtin_trap();
		return;
	}
	if (r.exists != (r.values.n > 0))
		__builtin_trap();
	for (i = 0; i < r.values.n; i++)
		(void)strlen(r.values.v[i]);
	if (tp_gd_records_body(&body, &r.values, 600) != 0)
		__builtin_trap();
	if (tp_gd_records_parse(&back, body, strlen(body), "_smtp._tls") != 0)
		__builtin_trap();
	if (back.values.n != r.values.n)
		__builtin_trap();
	for (i = 0; i < r.values.n; i++)
		if (strcmp(back.values.v[i], r.values.v[i]) != 0)
			__builtin_trap();
	if (!tp_gd_same_values(&back.values, &r.values))
		__builtin_trap();
	free(body);
	tp_txt_rrset_release(&back);
	tp_txt_rrset_release(&r);
}

static void
domains(const char *s, size_t n)
{
	struct tp_strv d = TP_STRV_INIT;
	const char *m;
	size_t entries = 0;

	if (tp_gd_domains_parse(&d, &entries, s, n) == 0) {
		if (d.n > entries)
			__builtin_trap();
		m = tp_gd_domain_match(&d, "_smtp._tls.mail.example.com");
		if (m != NULL &&
		    strstr("_smtp._tls.mail.example.com", m) == NULL)
			__builtin_trap();
	}
	tp_strv_release(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	double ra;
	long status;
	int rc;

	records(s, size);
	domains(s, size);
	ra = tp_gd_retry_after(s, size);
	if (!(ra == -1 || (ra >= 0 && isfinite(ra))))
		__builtin_trap();
	/* The first byte picks a status among those GoDaddy answers. */
	status = size > 0 ? 400 + data[0] % 200 : 500;
	rc = tp_gd_api_error(status, size > 0 ? s + 1 : NULL,
	                     size > 0 ? size - 1 : 0, "fuzzing",
	                     "production (https://api.godaddy.com)");
	if (rc >= 0 || strncmp(tp_err_msg(), "godaddy: fuzzing: ", 18) != 0)
		__builtin_trap();
	return 0;
}
