/*
 * fuzz_restore.c: libFuzzer target for the report reader behind
 * `restore --report` (core/restore.c): a whole json document, jsonl, or
 * a report cut short by an aborted run. Invariants (trap on violation): a
 * failure is a usage error that names the report; every entry kept has a
 * domain and a provider, no domain twice, and an action that changed
 * something.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/restore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tp_restore_list l;
	char *text;
	size_t i, k;
	int rc;

	/* The reader's contract: text NUL-terminated at text[len]. */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = tp_restore_parse(&l, text, size, "fuzz");
	if (rc != 0) {
		if (rc != TP_EUSAGE ||
		    strncmp(tp_err_msg(), "restore: fuzz", 13) != 0)
			__builtin_trap();
	} else {
		for (i = 0; i < l.n; i++) {
			if (l.v[i].domain == NULL || l.v[i].provider == NULL ||
			    l.v[i].action == TP_ACTION_UNCHANGED)
				__builtin_trap();
			for (k = 0; k < i; k++)
				if (strcmp(l.v[k].domain, l.v[i].domain) == 0)
					__builtin_trap();
		}
		tp_restore_list_release(&l);
	}
	free(text);
	return 0;
}
