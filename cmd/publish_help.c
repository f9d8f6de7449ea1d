/*
 * publish_help.c: the --help text of publish, plan, remove and restore
 * (the provider flags listed from the registry).
 */
#include <stdio.h>

#include "publish_help.h"
#include "tlsrpt/provider.h"

static const char help_publish[] =
    "usage: tlsrpt-publish [publish] --provider NAME --rua URI [OPTIONS] "
    "DOMAIN...\n"
    "\n"
    "Create or update the TLS-RPT record at _smtp._tls.DOMAIN through the\n"
    "provider's API, keeping every other TXT value there, then confirm that\n"
    "every authoritative name server serves it. A record that is already\n"
    "right is not written again.\n";

static const char help_plan[] =
    "usage: tlsrpt-publish plan --provider NAME --rua URI [OPTIONS] "
    "DOMAIN...\n"
    "\n"
    "Show what publish would change (before -> after, the TTL, and the\n"
    "report destinations an update would drop); writes nothing. Same as\n"
    "publish --dry-run.\n";

static const char help_remove[] =
    "usage: tlsrpt-publish remove --provider NAME [OPTIONS] DOMAIN...\n"
    "\n"
    "Remove the TLS-RPT value(s) at _smtp._tls.DOMAIN, keep every other\n"
    "TXT value, then confirm that no authoritative server serves one.\n";

static const char help_restore[] =
    "usage: tlsrpt-publish restore --report FILE [OPTIONS]\n"
    "\n"
    "Put back the TXT sets a report recorded as \"before\" (--report FILE,\n"
    "or --output json/jsonl of publish or remove), for every domain that\n"
    "run created, updated or removed; then confirm them in DNS. A domain\n"
    "whose set is no longer what the report left there was changed since:\n"
    "it is left alone and reported as a conflict. Same write path as\n"
    "publish; --dry-run shows what it would do.\n";

static const char help_domains[] =
    "\n"
    "Domains:\n"
    "  DOMAIN...              domains as arguments (IDNs are converted)\n"
    "  --domains-file FILE    one domain per line, '#' comments; '-' is "
    "stdin\n"
    "  --all                  every domain of the config file's domains "
    "list\n"
    "  --shard K/N            only the domains of shard K of N (a stable "
    "hash of\n"
    "                         each name, see tlsrpt-publish(1)); the "
    "accounts'\n"
    "                         rates are divided by N\n";

static const char help_what[] =
    "\n"
    "What to publish:\n"
    "  --provider NAME        DNS provider ('tlsrpt-publish providers' "
    "lists them),\n"
    "                         or auto: from each domain's name servers\n"
    "  --rua URI              report destination, mailto: or https: "
    "(repeatable)\n"
    "  --keep-existing-rua    keep the destinations of the record already "
    "there\n"
    "  --ttl SECONDS          TTL to set; it applies to every TXT value at "
    "the\n"
    "                         name. Unset: a new record gets the provider's\n"
    "                         default, an existing one keeps its TTL\n"
    "  --zone-id ID           the provider's zone id (skips zone search)\n"
    "  --dry-run              plan only, write nothing (publish: as plan)\n"
    "  --detailed-exitcode    plan: exit 4 when changes are pending\n";

static const char help_bulk[] =
    "\n"
    "Many domains:\n"
    "  --jobs N               publish workers (default 4, or jobs in the "
    "config);\n"
    "                         each account's request rate holds whatever "
    "N is\n"
    "  --max-changes N        plan every domain first; write nothing, exit "
    "2, when\n"
    "                         more than N would change\n"
    "  --fail-fast            start no new domain once one has failed\n";

static const char help_options[] =
    "\n"
    "Confirmation in DNS:\n"
    "  --no-wait              do not wait for the name servers (reported as\n"
    "                         skipped, and not counted in the exit status)\n"
    "  --timeout SECONDS      confirmation deadline per domain (default: the\n"
    "                         provider's, see 'tlsrpt-publish providers')\n"
    "  --interval SECONDS     first poll interval\n"
    "  --nameserver ADDR[:PORT]  poll exactly these servers (repeatable)\n"
    "  --resolver ADDR[:PORT]    recursive resolvers for discovery "
    "(repeatable)\n"
    "\n"
    "Settings and output:\n"
    "  --config FILE          config file (default $TLSRPT_PUBLISH_CONFIG, "
    "then\n"
    "                         $XDG_CONFIG_HOME/tlsrpt-publish/config)\n"
    "  --cacert FILE          CA bundle to trust for the API (also "
    "CURL_CA_BUNDLE)\n"
    "  --output FORMAT        text (default), json or jsonl\n"
    "  --report FILE          also write the JSON report to FILE, as each\n"
    "                         domain is final (restore: the report to put\n"
    "                         back)\n"
    "  -q, --quiet            only results and errors\n"
    "  -v, --verbose          more detail; -vv dumps HTTP with secrets "
    "redacted\n"
    "  -h, --help             show this help\n";

static const char help_secrets[] =
    "\n"
    "Credentials are never taken on the command line, where other users\n"
    "can read them (ps, /proc) and shells keep them in history: set them\n"
    "in the environment, or in the config file or a *_file setting.\n"
    "Settings resolve as: option > environment > config file > default.\n"
    "Exit statuses and the JSON schema: tlsrpt-publish(1).\n";

/* A flag without a value (TP_SETTING_SWITCH_ON/OFF). */
static int
is_switch(const struct tp_setting_def *d)
{
	return (d->flags & (TP_SETTING_SWITCH_ON | TP_SETTING_SWITCH_OFF)) != 0;
}

static void
help_flags(FILE *f)
{
	const struct tp_provider *const *list;
	size_t i, j, n;
	char arg[64];

	list = tp_provider_list(&n);
	fputs("\nProvider settings (also from the environment or config "
	      "file):\n",
	      f);
	for (i = 0; i < n; i++)
		for (j = 0; j < list[i]->nsettings; j++) {
			const struct tp_setting_def *d = &list[i]->settings[j];

			if (d->flag == NULL)
				continue;
			(void)snprintf(arg, sizeof(arg), "--%s%s", d->flag,
			               is_switch(d) ? "" : " VALUE");
			fprintf(f, "  %s  (%s%s%s)\n      %s\n", arg,
			        list[i]->name, d->env ? ", env " : "",
			        d->env ? d->env : "", d->help);
		}
}

void
cmd_publish_usage(enum tp_publish_mode mode, FILE *f)
{
	if (mode == TP_PUBLISH_MODE_PLAN)
		fputs(help_plan, f);
	else if (mode == TP_PUBLISH_MODE_REMOVE)
		fputs(help_remove, f);
	else if (mode == TP_PUBLISH_MODE_RESTORE)
		fputs(help_restore, f);
	else
		fputs(help_publish, f);
	if (mode != TP_PUBLISH_MODE_RESTORE) {
		fputs(help_domains, f);
		fputs(help_what, f);
	} else {
		fputs("\n  --dry-run              show what it would put back; "
		      "write nothing\n",
		      f);
	}
	fputs(help_bulk, f);
	fputs(help_options, f);
	help_flags(f);
	fputs(help_secrets, f);
}
