/*
 * fuzz_conf.c: libFuzzer target for the configuration file (libconfig
 * through core/conf.c, core/conf_get.c) and the settings resolved from it
 * (core/settings.c). Any bytes must load or fail with "NAME:LINE: ..." or
 * "config: ..."; whatever loads must answer every getter and resolve every
 * provider's settings without crashing.
 *
 * Inputs naming other files (@include, *_file settings) are skipped: they
 * would read this machine's files, not the fuzzer's bytes.
 */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/conf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/http.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
    "provider", "rua",       "ttl",      "timeout",   "interval",
    "cacert",   "api_token", "api_url",  "region",    "http_timeout",
    "name",     "account",   "zone_id",  "api_key",   "http_retries",
    "domains",  "defaults",  "accounts", "api_secret"};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void
said_why(int rc)
{
	if (rc < 0 && tp_err_msg()[0] == '\0')
		__builtin_trap();
}

static void
section(const struct tp_conf *c, const char *sec)
{
	struct tp_strv list = TP_STRV_INIT;
	const char *v;
	double d;
	long l;
	int line;
	size_t k;

	for (k = 0; k < NKEYS; k++) {
		line = 0;
		v = tp_conf_get(c, sec, keys[k], &line);
		if (v != NULL && line < 0)
			__builtin_trap();
		said_why(tp_conf_get_long(c, sec, keys[k], &l));
		said_why(tp_conf_get_double(c, sec, keys[k], &d));
		said_why(tp_conf_get_list(c, sec, keys[k], &list));
		said_why(tp_conf_get_value(c, sec, keys[k], &v, &line));
		(void)tp_conf_where(c, sec, keys[k]);
	}
	(void)tp_conf_where(c, sec, NULL);
	said_why(tp_conf_check_keys(c, sec, keys, NKEYS));
	tp_strv_release(&list);
}

static void
settings(const struct tp_conf *c, const char *sec)
{
	const struct tp_provider *const *ps;
	struct tp_settings *s = NULL;
	size_t n, i;

	ps = tp_provider_list(&n);
	for (i = 0; i < n; i++) {
		said_why(tp_settings_resolve(&s, ps[i], c, sec, NULL));
		tp_settings_free(s);
		s = NULL;
	}
}

static void
walk(const struct tp_conf *c, int resolve)
{
	const struct tp_conf_domain *d;
	struct tp_http_opts ho;
	const char *name;
	size_t i;

	section(c, "defaults");
	for (i = 0; i < tp_conf_nsections(c); i++) {
		if ((name = tp_conf_section(c, i, NULL)) == NULL)
			__builtin_trap();
		section(c, name);
		if (resolve)
			settings(c, name);
	}
	for (i = 0; i < tp_conf_naccounts(c); i++) {
		if ((name = tp_conf_account(c, i, NULL)) == NULL ||
		    !tp_conf_has_section(c, name))
			__builtin_trap();
		(void)tp_conf_account_provider(c, name);
		section(c, name);
		if (resolve)
			settings(c, name);
	}
	for (i = 0; i < tp_conf_ndomains(c); i++) {
		d = tp_conf_domain(c, i);
		if (d == NULL || d->name == NULL)
			__builtin_trap();
	}
	if (resolve) {
		memset(&ho, 0, sizeof(ho));
		said_why(tp_settings_http(&ho, c, NULL));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tp_conf *c = NULL;
	int rc, resolve;

	if (memmem(data, size, "include", 7) != NULL)
		return 0;
	resolve = memmem(data, size, "file", 4) == NULL &&
	    memmem(data, size, "FILE", 4) == NULL;
	rc = tp_conf_load_mem(&c, (const char *)data, size, "fuzz.conf");
	if (rc != 0) {
		if (c != NULL ||
		    (strncmp(tp_err_msg(), "fuzz.conf:", 10) != 0 &&
		     strncmp(tp_err_msg(), "config: ", 8) != 0))
			__builtin_trap();
		return 0;
	}
	walk(c, resolve);
	tp_conf_free(c);
	return 0;
}
