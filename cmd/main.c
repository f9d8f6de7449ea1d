/*
 * main.c: global options and the command table of tlsrpt-publish.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/version.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("tlsrpt-publish %s\n", TP_VERSION);
	return 0;
}

/* One line per command, in the order --help lists them. */
static const struct cmd cmds[] = {
    {"publish", cmd_publish,
     "create or update the record, then confirm it in DNS (default)"},
    {"plan", cmd_plan, "show what publish would change; writes nothing"},
    {"check", cmd_check, "read the live record from DNS and validate it"},
    {"validate", cmd_validate, "validate record text offline"},
    {"generate", cmd_generate,
     "print the record (value, zone-file line, JSON)"},
    {"remove", cmd_remove,
     "remove the TLS-RPT value, keep every other TXT value"},
    {"restore", cmd_restore,
     "put back the TXT sets a report recorded before its changes"},
    {"providers", cmd_providers,
     "list providers, their credentials, limits and docs"},
    {"version", cmd_version, "show the version"},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const char usage_head[] =
    "usage: tlsrpt-publish [COMMAND] [OPTIONS] [ARGS]\n"
    "       tlsrpt-publish --provider NAME --rua URI DOMAIN...   (publish)\n"
    "\n"
    "Publish and check SMTP TLS Reporting (RFC 8460) records at\n"
    "_smtp._tls.DOMAIN.\n"
    "\n"
    "Commands:\n";

static const char usage_tail[] =
    "\n"
    "Run 'tlsrpt-publish COMMAND --help' for a command's options, and see\n"
    "tlsrpt-publish(1) for exit statuses and the JSON output.\n"
    "  --help, -h     show this help\n"
    "  --version      show the version\n";

void
cmd_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tlsrpt-publish: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tlsrpt-publish %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tlsrpt-publish %s --help'.\n", cmd);
	return 2;
}

static void
usage(FILE *f)
{
	size_t i;

	fputs(usage_head, f);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fputs(usage_tail, f);
}

static const struct cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct cmd *c;

	/* Before anything holds a secret. */
	(void)tp_wipe_freed_memory();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("tlsrpt-publish %s\n", TP_VERSION);
		return 0;
	}
	c = find_cmd(argv[1]);
	/* publish is the default command: "tlsrpt-publish --provider cf
	 * example.com". Only for an option or a name with a dot, so that a
	 * mistyped command ("chek") is an error, never a domain to write. */
	if (c == NULL && (argv[1][0] == '-' || strchr(argv[1], '.') != NULL)) {
		argv[0] = (char *)"publish";
		return cmd_publish(argc, argv);
	}
	if (c == NULL) {
		cmd_error("unknown command '%s'", argv[1]);
		usage(stderr);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
