/*
 * registry.c: the static table of DNS provider backends.
 *
 * Adding a provider (say "example"), the whole recipe:
 *   1. providers/example.c exporting one symbol,
 *        const struct tp_provider tp_provider_example = { ... };
 *      with .version = TP_PROVIDER_VERSION, its settings (credentials are
 *      TP_SETTING_SECRET: environment or config file only), permissions,
 *      rate, TTL limits and timeouts, and open/find_zone/read_txt/
 *      write_txt/close (wait_change and list_zones are optional). It
 *      only reads and replaces the TXT set at one owner: the planning
 *      (what to keep, what "unchanged" means) is core/plan.c's.
 *   2. One extern line and one table line below.
 *   3. docs/providers/example.md: credentials, permissions, settings,
 *      limits, pitfalls (the `providers` command points to it).
 *   4. tests/emulators/example.py, an emulator of its API over HTTPS
 *      (on tests/emulators/base.py), and one function in
 *      tests/harness/sandbox.py so that `make demo PROVIDER=example`
 *      runs the publish-and-confirm flow against it.
 *   5. tests/e2e/test_publish_example.py (tests/e2e/
 *      test_publish_cloudflare.py is the model) and its section in
 *      config.example.
 * Nothing in cmd/ or core/ changes: options, settings and the
 * `providers` listing are all driven by the descriptor.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <limits.h>
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"

extern const struct tp_provider tp_provider_cloudflare;
extern const struct tp_provider tp_provider_route53;
extern const struct tp_provider tp_provider_godaddy;

/* Listing order of `providers` and --help. */
static const struct tp_provider *const providers[] = {
    &tp_provider_cloudflare,
    &tp_provider_route53,
    &tp_provider_godaddy,
};

#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

const struct tp_provider *const *
tp_provider_list(size_t *n)
{
	*n = NPROVIDERS;
	return providers;
}

const struct tp_provider *
tp_provider_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NPROVIDERS; i++)
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i];
	return NULL;
}

const struct tp_setting_def *
tp_provider_find_flag(const char *flag, const struct tp_provider **p)
{
	size_t i, j;

	for (i = 0; i < NPROVIDERS; i++)
		for (j = 0; j < providers[i]->nsettings; j++) {
			const struct tp_setting_def *d =
			    &providers[i]->settings[j];

			if (d->flag != NULL && strcmp(d->flag, flag) == 0) {
				if (p != NULL)
					*p = providers[i];
				return d;
			}
		}
	return NULL;
}

int
tp_provider_check_ttl(const struct tp_provider *p, long ttl, const char *what)
{
	long max;

	max = p->max_ttl > 0 ? p->max_ttl : (long)INT_MAX;
	if (ttl == p->auto_ttl && ttl != 0)
		return 0;
	if (ttl >= p->min_ttl && ttl <= max && ttl > 0)
		return 0;
	if (p->auto_ttl != 0)
		return tp_err_set(
		    TP_EUSAGE,
		    "%s: TTL %ld (%s) is outside what %s accepts: "
		    "use %ld to %ld, or %ld for automatic",
		    p->name, ttl, what, p->title, p->min_ttl, max, p->auto_ttl);
	return tp_err_set(TP_EUSAGE,
	                  "%s: TTL %ld (%s) is outside what %s accepts: use "
	                  "%ld to %ld",
	                  p->name, ttl, what, p->title, p->min_ttl, max);
}

const struct tp_provider *
tp_provider_by_ns(const char *ns)
{
	char name[256];
	size_t i, j, len;

	len = strlen(ns);
	while (len > 0 && ns[len - 1] == '.')
		len--;
	if (len == 0 || len >= sizeof(name))
		return NULL;
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)ns[i]);
	name[len] = '\0';
	for (i = 0; i < NPROVIDERS; i++)
		for (j = 0; providers[i]->ns_patterns != NULL &&
		     providers[i]->ns_patterns[j] != NULL;
		     j++)
			if (fnmatch(providers[i]->ns_patterns[j], name, 0) == 0)
				return providers[i];
	return NULL;
}
