/*
 * fuzz_awsini.c: libFuzzer target for the AWS shared config/credentials
 * reader (providers/aws/ini.c): any bytes must parse or fail cleanly, and
 * the lookups the credential chain makes must work on whatever parsed.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsrpt/err.h"

#include "../../providers/aws/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sections[] = {
	    "default", "profile default", "profile dev", "services local", "a"};
	static const char *const keys[] = {"aws_access_key_id",
	                                   "aws_secret_access_key",
	                                   "role_arn",
	                                   "route_53.endpoint_url",
	                                   "services",
	                                   "region",
	                                   "x"};
	struct tp_aws_ini *ini = NULL;
	const char *v;
	size_t i, j;

	if (tp_aws_ini_parse(&ini, (const char *)data, size, "fuzz") != 0) {
		/* Failure leaves nothing behind and says why. */
		if (ini != NULL || tp_err_msg()[0] == '\0')
			__builtin_trap();
		return 0;
	}
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		(void)tp_aws_ini_has_section(ini, sections[i]);
		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
			if ((v = tp_aws_ini_get(ini, sections[i], keys[j])))
				(void)strlen(v);
	}
	tp_aws_ini_free(ini);
	return 0;
}
