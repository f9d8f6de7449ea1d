/*
 * check.c: `tlsrpt-publish check [options] DOMAIN...`: parse the options,
 * call tp_check_run() (which also reads the config file, as publish
 * does), print through the output sink.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "tlsrpt/check.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"

enum {
	OPT_RESOLVER = 256,
	OPT_NAMESERVER,
	OPT_AUTHORITATIVE,
	OPT_WAIT,
	OPT_TIMEOUT,
	OPT_INTERVAL,
	OPT_EXPECT_RUA,
	OPT_STRICT,
	OPT_OUTPUT,
	OPT_REPORT,
	OPT_DOMAINS_FILE,
	OPT_CONFIG,
	OPT_ALL,
	OPT_EXPECT_CONFIGURED,
	OPT_NO_DEST
};

static const struct option longopts[] = {
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"nameserver", required_argument, NULL, OPT_NAMESERVER},
    {"authoritative", no_argument, NULL, OPT_AUTHORITATIVE},
    {"wait", no_argument, NULL, OPT_WAIT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"expect-rua", required_argument, NULL, OPT_EXPECT_RUA},
    {"strict-families", no_argument, NULL, OPT_STRICT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"report", required_argument, NULL, OPT_REPORT},
    {"domains-file", required_argument, NULL, OPT_DOMAINS_FILE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"all", no_argument, NULL, OPT_ALL},
    {"expect-configured-rua", no_argument, NULL, OPT_EXPECT_CONFIGURED},
    {"no-destination-checks", no_argument, NULL, OPT_NO_DEST},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const char help[] =
    "usage: tlsrpt-publish check [OPTIONS] DOMAIN...\n"
    "       tlsrpt-publish check [OPTIONS] --all\n"
    "\n"
    "Read the TXT record at _smtp._tls.DOMAIN from DNS, validate it the "
    "way\n"
    "senders do, and diagnose common mistakes (a record at DOMAIN itself "
    "or\n"
    "at _smtp-tlsrpt.DOMAIN, a CNAME, SPF where TLS-RPT belongs, several\n"
    "records, servers that disagree). Also shows whether MTA-STS is\n"
    "published (_mta-sts.DOMAIN), the next step of the rollout, and looks\n"
    "at the report destinations: another domain (info), a mail domain\n"
    "with a null MX or no MX and no address, an https host without an\n"
    "address (warnings; never a failure).\n"
    "\n"
    "Where to read:\n"
    "  --resolver ADDR[:PORT]   recursive resolver to ask (repeatable;\n"
    "                           IPv6 as [ADDR]:PORT); default: the "
    "system's\n"
    "  --authoritative          read every address of every name server\n"
    "                           of the zone instead (recursion off);\n"
    "                           reports servers that disagree\n"
    "  --nameserver ADDR[:PORT] read exactly these servers (repeatable;\n"
    "                           skips discovery; implies "
    "--authoritative)\n"
    "  --strict-families        an address family unreachable from here\n"
    "                           (often IPv6) fails the check instead of\n"
    "                           being reported and skipped\n"
    "  --no-destination-checks  do not look at the destinations' domains\n"
    "                           (rua-other-domain and the MX/A/AAAA "
    "lookups)\n"
    "\n"
    "Waiting (implies --authoritative):\n"
    "  --wait                   poll until every server serves exactly "
    "one\n"
    "                           valid record, or the deadline\n"
    "  --timeout SECONDS        deadline per domain (default 300)\n"
    "  --interval SECONDS       first poll interval (default 2; grows to\n"
    "                           30)\n"
    "  --expect-rua URI         the record's destinations must be "
    "exactly\n"
    "                           these (repeatable)\n"
    "  --expect-configured-rua  ... exactly those the config file gives\n"
    "                           each domain (its domains entry's rua, "
    "else\n"
    "                           defaults.rua): what publish would write\n"
    "\n"
    "Domains and settings:\n"
    "  --domains-file FILE      one domain per line, '#' comments; '-' "
    "is\n"
    "                           stdin\n"
    "  --all                    every domain of the config file's "
    "domains\n"
    "                           list\n"
    "  --config FILE            config file (default "
    "$TLSRPT_PUBLISH_CONFIG,\n"
    "                           then $XDG_CONFIG_HOME/tlsrpt-publish/"
    "config);\n"
    "                           its defaults give resolver, nameserver,\n"
    "                           timeout and interval when no option does.\n"
    "                           Its rua is never expected unless\n"
    "                           --expect-configured-rua asks\n"
    "\n"
    "Output:\n"
    "  --output FORMAT          text (default), json or jsonl\n"
    "  --report FILE            also write the JSON report to FILE\n"
    "  -q, --quiet              text: only domains that are not valid\n"
    "  -v, --verbose            more detail (-vv: DNS traffic)\n"
    "\n"
    "Exit status: 0 every domain has exactly one valid (and, with\n"
    "--expect-rua, expected) record; 1 some record is invalid, missing "
    "or\n"
    "different; 3 not known (no server reachable, or the --wait "
    "deadline\n"
    "passed); 2 usage or config file error.\n";

struct check_cli {
	struct tp_check_opts o;
	struct tp_strv resolvers, nameservers, expect_rua, domains;
	const char *output, *report, *domains_file;
	int quiet, verbose;
};

static int
seconds(double *out, const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v > 0) || v > 86400)
		return cmd_usage_error("check",
		                       "%s '%s': give a number of seconds "
		                       "above 0 (at most 86400)",
		                       opt, arg);
	*out = v;
	return 0;
}

static int
parse(struct check_cli *c, int argc, char **argv)
{
	int ch, rc = 0;

	optind = 1;
	while (rc == 0 &&
	       (ch = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_RESOLVER:
			rc = tp_strv_add(&c->resolvers, optarg) ? 1 : 0;
			break;
		case OPT_NAMESERVER:
			rc = tp_strv_add(&c->nameservers, optarg) ? 1 : 0;
			break;
		case OPT_AUTHORITATIVE:
			c->o.authoritative = 1;
			break;
		case OPT_WAIT:
			c->o.wait = 1;
			break;
		case OPT_TIMEOUT:
			rc = seconds(&c->o.timeout, "--timeout", optarg);
			break;
		case OPT_INTERVAL:
			rc = seconds(&c->o.interval, "--interval", optarg);
			break;
		case OPT_EXPECT_RUA:
			rc = tp_strv_add(&c->expect_rua, optarg) ? 1 : 0;
			break;
		case OPT_STRICT:
			c->o.strict_families = 1;
			break;
		case OPT_OUTPUT:
			c->output = optarg;
			break;
		case OPT_REPORT:
			c->report = optarg;
			break;
		case OPT_DOMAINS_FILE:
			c->domains_file = optarg;
			break;
		case OPT_CONFIG:
			c->o.config = optarg;
			break;
		case OPT_ALL:
			c->o.all = 1;
			break;
		case OPT_EXPECT_CONFIGURED:
			c->o.expect_configured_rua = 1;
			break;
		case OPT_NO_DEST:
			c->o.no_destination_checks = 1;
			break;
		case 'q':
			c->quiet = 1;
			break;
		case 'v':
			c->verbose++;
			break;
		case 'h':
			fputs(help, stdout);
			return -1;
		default:
			return cmd_usage_error("check", "bad option");
		}
	}
	for (; rc == 0 && optind < argc; optind++)
		rc = tp_strv_add(&c->domains, argv[optind]) ? 1 : 0;
	if (rc == 0 && c->domains_file != NULL &&
	    tp_domain_list_read(&c->domains, c->domains_file) != 0)
		rc = cmd_usage_error("check", "%s", tp_err_msg());
	if (rc == 0 && c->domains.n == 0 && !c->o.all)
		rc = cmd_usage_error("check",
		                     "no domain: give DOMAIN arguments, "
		                     "--domains-file FILE, or --all for the "
		                     "config file's domains list");
	return rc;
}

static int
run(struct check_cli *c)
{
	struct cmd_output *out = NULL;
	const char *msg;
	int rc;

	if (cmd_output_open(&out, c->output, c->report, c->quiet, c->verbose,
	                    "check") != 0)
		return cmd_usage_error("check", "%s", tp_err_msg());
	c->o.resolvers = &c->resolvers;
	c->o.nameservers = &c->nameservers;
	c->o.expect_rua = &c->expect_rua;
	c->o.sink = cmd_output_sink(out);
	rc = tp_check_run(&c->o, &c->domains);
	if (rc != 0) {
		cmd_output_free(out);
		msg = tp_err_msg();
		if (strncmp(msg, "check: ", 7) == 0)
			msg += 7;
		if (rc == TP_EUSAGE)
			return cmd_usage_error("check", "%s", msg);
		/* A bad config file: as publish says it. */
		cmd_error("%s%s", rc == TP_ECONFIG ? "" : "check: ", msg);
		return rc == TP_ECONFIG ? TP_EXIT_USAGE : TP_EXIT_FAIL;
	}
	rc = cmd_output_finish(out, NULL);
	cmd_output_free(out);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	struct check_cli c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = parse(&c, argc, argv);
	if (rc == 0)
		rc = run(&c);
	else if (rc < 0)
		rc = 0; /* --help */
	else if (rc != TP_EXIT_USAGE)
		rc = TP_EXIT_FAIL;
	tp_strv_release(&c.resolvers);
	tp_strv_release(&c.nameservers);
	tp_strv_release(&c.expect_rua);
	tp_strv_release(&c.domains);
	return rc;
}
