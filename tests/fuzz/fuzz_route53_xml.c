/*
 * fuzz_route53_xml.c: libFuzzer target for what Route 53 sends back
 * (providers/aws/r53xml.c, r53txt.c): any bytes must parse or fail
 * cleanly as a zone list, an RRset list, a ChangeInfo or an error
 * document; every TXT value and name found must decode or fail cleanly;
 * and encoding then decoding any value gives the value back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"

#include "../../providers/aws/r53.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_fail(int rc)
{
	/* A failure always says why. */
	if (rc != 0 && tp_err_msg()[0] == '\0')
		__builtin_trap();
}

static void
values(const struct tp_r53_rrset *r)
{
	char *out;
	size_t i, len;

	for (i = 0; i < r->values.n; i++) {
		if (tp_r53_txt_decode(&out, &len, r->values.v[i]) == 0) {
			if (out[len] != '\0')
				__builtin_trap();
			free(out);
		}
	}
}

static void
round_trip(const uint8_t *data, size_t size)
{
	char *wire = NULL, *back = NULL;
	size_t len;

	if (tp_r53_txt_encode(&wire, (const char *)data, size) != 0)
		return;
	if (tp_r53_txt_decode(&back, &len, wire) != 0 || len != size ||
	    memcmp(back, data, size) != 0)
		__builtin_trap();
	free(wire);
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct tp_r53_zones z;
	struct tp_r53_rrset r;
	char *id = NULL, *s, *out;
	size_t len;
	int insync, rc;

	rc = tp_r53_xml_zones(&z, body, size);
	check_fail(rc);
	if (rc == 0)
		tp_r53_zones_release(&z);
	rc = tp_r53_xml_rrset(&r, body, size);
	check_fail(rc);
	if (rc == 0) {
		values(&r);
		tp_r53_rrset_release(&r);
	}
	rc = tp_r53_xml_change(&id, &insync, body, size);
	check_fail(rc);
	free(id);
	check_fail(tp_r53_error(400, body, size, "fuzzing"));
	(void)tp_r53_is_throttle(body, size);

	/* The same bytes as a Value and as a name. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (tp_r53_txt_decode(&out, &len, s) == 0)
		free(out);
	if (tp_r53_name_decode(&out, s) == 0)
		free(out);
	free(s);
	round_trip(data, size < 4096 ? size : 4096);
	return 0;
}
