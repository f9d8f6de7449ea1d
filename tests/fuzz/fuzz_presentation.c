/*
 * fuzz_presentation.c: libFuzzer target for the TXT presentation decoder
 * and encoder. Invariants (abort on violation): decoding never crashes and
 * fails only with a usage error; a decoded value's strings are at most 255
 * bytes and add up to its length; encoding any value and decoding it again
 * gives the same octets, split at 255-byte boundaries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/txt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			abort();                                               \
	} while (0)

/* encode(v) then decode: the same octets, cut every 255 bytes. */
static void
round_trip(const char *v, size_t len)
{
	struct tp_txt t;
	char *p = NULL;
	size_t i, sum = 0;

	if (tp_txt_to_presentation(&p, v, len) != 0) {
		CHECK(len > 65535);
		return;
	}
	CHECK(tp_txt_from_presentation(&t, p, strlen(p)) == 0);
	CHECK(t.len == len && memcmp(t.data, v, len) == 0);
	CHECK(t.nstrings == (len == 0 ? 1 : (len + 254) / 255));
	for (i = 0; i < t.nstrings; i++) {
		CHECK(t.strlens[i] <= TP_TXT_STRING_MAX);
		CHECK(i + 1 == t.nstrings || t.strlens[i] == 255);
		sum += t.strlens[i];
	}
	CHECK(sum == len);
	tp_txt_release(&t);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tp_txt t;
	size_t i, sum = 0;
	int rc;

	rc = tp_txt_from_presentation(&t, (const char *)data, size);
	if (rc != 0) {
		CHECK(rc == TP_EUSAGE && t.data == NULL);
	} else {
		CHECK(t.nstrings > 0 && t.data[t.len] == '\0');
		for (i = 0; i < t.nstrings; i++) {
			CHECK(t.strlens[i] <= TP_TXT_STRING_MAX);
			sum += t.strlens[i];
		}
		CHECK(sum == t.len);
		round_trip(t.data, t.len);
		tp_txt_release(&t);
	}
	round_trip((const char *)data, size);
	return 0;
}
