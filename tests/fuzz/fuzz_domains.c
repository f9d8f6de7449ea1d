/*
 * fuzz_domains.c: libFuzzer target for the domains file reader
 * (core/domain_list.c) and the domain normaliser it feeds. Invariants
 * (trap on violation): a failure says which line; every name kept is
 * non-empty and holds no NUL, space, line break or '#'; whatever
 * tp_domain_normalize accepts of it is a lower-case LDH(+_) name and a
 * fixed point.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
normalized(const char *name)
{
	char *out = NULL, *again = NULL;
	const char *p;

	if (tp_domain_normalize(&out, name) != 0)
		return;
	if (*out == '\0' || strlen(out) > TP_DOMAIN_MAX)
		__builtin_trap();
	for (p = out; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			__builtin_trap();
	if (tp_domain_normalize(&again, out) != 0 || strcmp(again, out) != 0)
		__builtin_trap();
	free(again);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tp_strv v = TP_STRV_INIT;
	size_t i;
	int rc;

	rc = tp_domain_list_parse(&v, (const char *)data, size, "fuzz");
	if (rc != 0) {
		if (rc != TP_EUSAGE ||
		    strncmp(tp_err_msg(), "domains file 'fuzz' line ", 25) != 0)
			__builtin_trap();
	} else {
		for (i = 0; i < v.n; i++) {
			if (v.v[i][0] == '\0' ||
			    strpbrk(v.v[i], " \t\r\n#") != NULL)
				__builtin_trap();
			normalized(v.v[i]);
		}
	}
	tp_strv_release(&v);
	return 0;
}
