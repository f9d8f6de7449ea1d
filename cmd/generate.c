/*
 * generate.c: `tlsrpt-publish generate`: print the canonical record for
 * some report destinations, as a value, a zone-file line or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "tlsrpt/strv.h"

#define DEFAULT_TTL 3600
#define TTL_MAX     2147483647L /* RFC 2181 §8 */

static const char usage_text[] =
    "usage: tlsrpt-publish generate --rua URI [--rua URI ...] [--domain D]\n"
    "                               [--ttl N] [--output value|zone|json]\n"
    "\n"
    "Print the TLS-RPT record for these report destinations, in the one\n"
    "form every known sender accepts: v=TLSRPTv1; rua=URI[,URI...]\n"
    "\n"
    "Options:\n"
    "  --rua URI        a report destination, mailto:ADDRESS or\n"
    "                   https://HOST/PATH (repeat for more; an\n"
    "                   internationalised domain becomes its A-label;\n"
    "                   ',' '!' ';' in an https URI are percent-encoded)\n"
    "  --domain D       the policy domain; the record goes at\n"
    "                   _smtp._tls.D (needed by --output zone)\n"
    "  --ttl N          TTL of the zone-file line (default 3600)\n"
    "  --output FORMAT  value (default): the record; zone: a zone-file\n"
    "                   line, split into 255-byte strings when long;\n"
    "                   json: {\"record\", \"rua\", \"strings\", \"ttl\",\n"
    "                   \"domain\", \"owner\", \"zone\"}\n"
    "  -h, --help       show this help\n"
    "\n"
    "A destination senders cannot use (another scheme, mailto without an\n"
    "address, https without a host, a bare address) is refused with exit\n"
    "status 2, as is a list of https destinations only.\n";

enum gout { OUT_VALUE, OUT_ZONE, OUT_JSON };

struct gopts {
	struct tp_strv rua;
	char *domain; /* normalised, or NULL */
	long ttl;
	enum gout out;
};

static int
parse_ttl(long *ttl, const char *s)
{
	char *end;

	errno = 0;
	*ttl = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *ttl < 0 ||
	    *ttl > TTL_MAX)
		return cmd_usage_error("generate",
		                       "--ttl '%s': give seconds from 0 to "
		                       "2147483647",
		                       s);
	return 0;
}

static int
parse_output(enum gout *out, const char *s)
{
	if (strcmp(s, "value") == 0)
		*out = OUT_VALUE;
	else if (strcmp(s, "zone") == 0)
		*out = OUT_ZONE;
	else if (strcmp(s, "json") == 0)
		*out = OUT_JSON;
	else
		return cmd_usage_error(
		    "generate", "--output '%s': use value, zone or json", s);
	return 0;
}

static int
option(struct gopts *o, int ch, char **argv)
{
	switch (ch) {
	case 'r':
		if (tp_strv_add(&o->rua, optarg) != 0)
			return cmd_usage_error("generate", "%s", tp_err_msg());
		return 0;
	case 'd':
		free(o->domain);
		o->domain = NULL;
		if (tp_domain_normalize(&o->domain, optarg) != 0)
			return cmd_usage_error("generate", "--domain: %s",
			                       tp_err_msg());
		return 0;
	case 't':
		return parse_ttl(&o->ttl, optarg);
	case 'o':
		return parse_output(&o->out, optarg);
	case 'h':
		fputs(usage_text, stdout);
		return -1;
	case ':':
		return cmd_usage_error("generate", "option '%s' needs a value",
		                       argv[optind - 1]);
	default:
		return cmd_usage_error("generate", "unknown option '%s'",
		                       argv[optind - 1]);
	}
}

static int
parse(struct gopts *o, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"rua", required_argument, NULL, 'r'},
	    {"domain", required_argument, NULL, 'd'},
	    {"ttl", required_argument, NULL, 't'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		if ((rc = option(o, ch, argv)) != 0)
			return rc;
	if (optind < argc)
		return cmd_usage_error("generate",
		                       "unexpected argument '%s': give each "
		                       "destination with --rua",
		                       argv[optind]);
	if (o->rua.n == 0)
		return cmd_usage_error("generate",
		                       "give at least one --rua, e.g. --rua "
		                       "mailto:tls-reports@example.com");
	if (o->out == OUT_ZONE && o->domain == NULL)
		return cmd_usage_error("generate",
		                       "--output zone needs --domain DOMAIN");
	return 0;
}

int
cmd_generate(int argc, char **argv)
{
	struct gopts o = {TP_STRV_INIT, NULL, DEFAULT_TTL, OUT_VALUE};
	char *rec = NULL, *text = NULL;
	int rc;

	if ((rc = parse(&o, argc, argv)) != 0) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	if (tp_record_build(&rec, &o.rua) != 0) {
		if (tp_err_code() == TP_EUSAGE) {
			rc = cmd_usage_error("generate", "%s", tp_err_msg());
		} else {
			cmd_error("%s", tp_err_msg());
			rc = 1;
		}
		goto out;
	}
	if ((o.out == OUT_ZONE &&
	     tp_record_zone_line(&text, o.domain, o.ttl, rec) != 0) ||
	    (o.out == OUT_JSON &&
	     tp_record_generate_json(&text, rec, o.domain, o.ttl) != 0)) {
		cmd_error("%s", tp_err_msg());
		rc = tp_err_code() == TP_EUSAGE ? 2 : 1;
		goto out;
	}
	puts(o.out == OUT_VALUE ? rec : text);
out:
	free(rec);
	free(text);
	free(o.domain);
	tp_strv_release(&o.rua);
	return rc;
}
