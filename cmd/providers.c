/*
 * providers.c: the `providers` command: every registered provider, its
 * settings (where each comes from), permissions, limits and doc, from the
 * descriptors alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/report.h"

static const char help[] =
    "usage: tlsrpt-publish providers [--output text|json] [NAME]\n"
    "\n"
    "List the DNS providers: the credentials and permissions each needs,\n"
    "where every setting can come from (option > environment > config\n"
    "file > default), the request rate used by default, the TTLs accepted,\n"
    "the confirmation timeouts and the documentation file.\n"
    "Secrets come only from the environment or the config file (directly\n"
    "or through a file), never from the command line.\n"
    "\n"
    "  --output FORMAT   text (default) or json\n"
    "  -h, --help        show this help\n";

static void
print_setting(const struct tp_setting_def *d)
{
	int secret = (d->flags & TP_SETTING_SECRET) != 0;

	printf("    %s%s%s\n", d->key, secret ? " (secret)" : "",
	       (d->flags & TP_SETTING_REQUIRED) ? " (required)" : "");
	printf("      %s\n", d->help);
	if (d->env != NULL && secret)
		printf("      environment: %s, or %s_FILE naming a file that "
		       "holds it\n",
		       d->env, d->env);
	else if (d->env != NULL)
		printf("      environment: %s\n", d->env);
	printf("      config file: %s", d->key);
	if (secret)
		printf(", or %s_file (a file holding it)", d->key);
	printf("\n");
	if (d->flag != NULL && !secret)
		printf("      option:      --%s\n", d->flag);
	if (d->def != NULL)
		printf("      default:     %s\n", d->def);
}

static void
print_provider(const struct tp_provider *p)
{
	size_t i;

	printf("%s: %s\n", p->name, p->title);
	printf("  permissions:  %s\n", p->permissions);
	printf("  rate:         %.4g requests/s per account (burst %.4g)\n",
	       p->rate, p->burst);
	printf("  TTL:          %ld to %ld s", p->min_ttl, p->max_ttl);
	if (p->auto_ttl)
		printf(", or %ld for automatic", p->auto_ttl);
	printf("; a new record gets %ld s unless --ttl says\n", p->default_ttl);
	printf("  confirmation: deadline %.4g s, first poll after %.4g s%s\n",
	       p->timeout, p->interval,
	       p->wait_change ? " (after the API reports the change live)"
	                      : "");
	printf("  doc:          %s\n", p->doc);
	printf("  settings:\n");
	for (i = 0; i < p->nsettings; i++)
		print_setting(&p->settings[i]);
}

int
cmd_providers(int argc, char **argv)
{
	const struct tp_provider *const *list;
	const char *output = "text", *only = NULL;
	size_t i, n;
	char *json;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-h") == 0 ||
		    strcmp(argv[a], "--help") == 0) {
			fputs(help, stdout);
			return 0;
		} else if (strcmp(argv[a], "--output") == 0 && a + 1 < argc) {
			output = argv[++a];
		} else if (strncmp(argv[a], "--output=", 9) == 0) {
			output = argv[a] + 9;
		} else if (argv[a][0] != '-' && only == NULL) {
			only = argv[a];
		} else {
			return cmd_usage_error("providers", "unexpected '%s'",
			                       argv[a]);
		}
	}
	if (only != NULL && tp_provider_find(only) == NULL)
		return cmd_usage_error("providers", "unknown provider '%s'",
		                       only);
	if (strcmp(output, "json") == 0) {
		if (tp_report_providers_json(&json, only) != 0) {
			cmd_error("%s", tp_err_msg());
			return 1;
		}
		printf("%s\n", json);
		free(json);
		return 0;
	}
	if (strcmp(output, "text") != 0)
		return cmd_usage_error(
		    "providers", "--output '%s': use text or json", output);
	list = tp_provider_list(&n);
	for (i = 0; i < n; i++) {
		if (only != NULL && strcmp(list[i]->name, only) != 0)
			continue;
		if (i > 0 && only == NULL)
			printf("\n");
		print_provider(list[i]);
	}
	return 0;
}
