/*
 * publish.c: the `publish` (default), `plan` and `remove` commands. Parses
 * the options (provider flags come from the registry, so this file knows
 * no provider), calls tp_publish_run(), and prints through the output
 * sink.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "output.h"
#include "publish_help.h"
#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/publish.h"
#include "tlsrpt/shard.h"

enum {
	OPT_PROVIDER = 256,
	OPT_RUA,
	OPT_TTL,
	OPT_ZONE_ID,
	OPT_KEEP,
	OPT_NO_WAIT,
	OPT_TIMEOUT,
	OPT_INTERVAL,
	OPT_NAMESERVER,
	OPT_RESOLVER,
	OPT_CACERT,
	OPT_CONFIG,
	OPT_ALL,
	OPT_DOMAINS_FILE,
	OPT_OUTPUT,
	OPT_REPORT,
	OPT_DRY_RUN,
	OPT_DETAILED,
	OPT_JOBS,
	OPT_FAIL_FAST,
	OPT_SHARD,
	OPT_MAX_CHANGES,
	OPT_PROVIDER_FLAG = 1000 /* + index into the flag table */
};

static const struct option base_opts[] = {
    {"provider", required_argument, NULL, OPT_PROVIDER},
    {"rua", required_argument, NULL, OPT_RUA},
    {"ttl", required_argument, NULL, OPT_TTL},
    {"zone-id", required_argument, NULL, OPT_ZONE_ID},
    {"keep-existing-rua", no_argument, NULL, OPT_KEEP},
    {"no-wait", no_argument, NULL, OPT_NO_WAIT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"nameserver", required_argument, NULL, OPT_NAMESERVER},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"all", no_argument, NULL, OPT_ALL},
    {"domains-file", required_argument, NULL, OPT_DOMAINS_FILE},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"report", required_argument, NULL, OPT_REPORT},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"detailed-exitcode", no_argument, NULL, OPT_DETAILED},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"fail-fast", no_argument, NULL, OPT_FAIL_FAST},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"max-changes", required_argument, NULL, OPT_MAX_CHANGES},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
};

#define NBASE (sizeof(base_opts) / sizeof(base_opts[0]))

struct pub_cli {
	const char *name; /* command name for messages */
	struct tp_publish_opts o;
	struct tp_strv rua, flags, resolvers, nameservers, domains;
	const char *domains_file;
	const char *output;
	const char *report;
	int quiet, verbose;
	const struct tp_setting_def **flag_defs; /* by OPT_PROVIDER_FLAG */
	size_t nflags;
};

/* A flag without a value (TP_SETTING_SWITCH_ON/OFF). */
static int
is_switch(const struct tp_setting_def *d)
{
	return (d->flags & (TP_SETTING_SWITCH_ON | TP_SETTING_SWITCH_OFF)) != 0;
}

static int
parse_long(long *out, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_seconds(double *out, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
	    v > 86400 * 7)
		return -1;
	*out = v;
	return 0;
}

/* Build getopt's table: the base options plus every provider flag. */
static struct option *
build_opts(struct pub_cli *c)
{
	const struct tp_provider *const *list;
	struct option *opts;
	size_t i, j, n, k = 0, total = 0;

	list = tp_provider_list(&n);
	for (i = 0; i < n; i++)
		for (j = 0; j < list[i]->nsettings; j++)
			total += list[i]->settings[j].flag != NULL;
	opts = calloc(NBASE + total + 1, sizeof(*opts));
	c->flag_defs = calloc(total + 1, sizeof(*c->flag_defs));
	if (opts == NULL || c->flag_defs == NULL) {
		free(opts);
		return NULL;
	}
	memcpy(opts, base_opts, sizeof(base_opts));
	for (i = 0; i < n; i++)
		for (j = 0; j < list[i]->nsettings; j++) {
			const struct tp_setting_def *d = &list[i]->settings[j];

			/* Secrets never get a flag, whatever a descriptor
			 * says. */
			if (d->flag == NULL || (d->flags & TP_SETTING_SECRET))
				continue;
			opts[NBASE + k].name = d->flag;
			opts[NBASE + k].has_arg =
			    is_switch(d) ? no_argument : required_argument;
			opts[NBASE + k].val = OPT_PROVIDER_FLAG + (int)k;
			c->flag_defs[k++] = d;
		}
	c->nflags = k;
	return opts;
}

/* A clear refusal when an option looks like a provider secret. */
static int
secret_on_cli(const char *name, const char *arg)
{
	const struct tp_provider *const *list;
	char opt[128], dashed[64];
	size_t i, j, n, k, len;

	len = strcspn(arg + 2, "=");
	if (strncmp(arg, "--", 2) != 0 || len >= sizeof(opt))
		return 0;
	memcpy(opt, arg + 2, len);
	opt[len] = '\0';
	list = tp_provider_list(&n);
	for (i = 0; i < n; i++)
		for (j = 0; j < list[i]->nsettings; j++) {
			const struct tp_setting_def *d = &list[i]->settings[j];
			const char *p;

			if (!(d->flags & TP_SETTING_SECRET))
				continue;
			for (k = 0; d->key[k] && k + 1 < sizeof(dashed); k++)
				dashed[k] = d->key[k] == '_' ? '-' : d->key[k];
			dashed[k] = '\0';
			p = opt;
			if (strncmp(p, list[i]->name, strlen(list[i]->name)) ==
			        0 &&
			    p[strlen(list[i]->name)] == '-')
				p += strlen(list[i]->name) + 1;
			if (strcmp(p, dashed) == 0)
				return cmd_usage_error(
				    name,
				    "'--%s': secrets are never taken on the "
				    "command line (other users can read it, "
				    "shells keep it): set %s in the "
				    "environment, or %s / %s_file in the "
				    "config file",
				    opt, d->env ? d->env : "it", d->key,
				    d->key);
		}
	return 0;
}

static int
add_flag(struct pub_cli *c, int idx, const char *arg)
{
	const struct tp_setting_def *d = c->flag_defs[idx];
	char buf[4096];

	if (is_switch(d))
		arg = (d->flags & TP_SETTING_SWITCH_ON) ? "true" : "false";
	(void)snprintf(buf, sizeof(buf), "%s=%s", d->flag, arg);
	return tp_strv_add(&c->flags, buf);
}

/* One option; returns 0, or an exit status to stop with. */
static int
one_opt(struct pub_cli *c, int ch, const char *arg)
{
	long n;

	switch (ch) {
	case OPT_PROVIDER:
		c->o.provider = arg;
		return 0;
	case OPT_RUA:
		return tp_strv_add(&c->rua, arg) ? 1 : 0;
	case OPT_TTL:
		if (parse_long(&c->o.ttl, arg, 1, 2147483647L) != 0)
			return cmd_usage_error(c->name,
			                       "--ttl '%s': a whole number of "
			                       "seconds, 1 or more",
			                       arg);
		return 0;
	case OPT_ZONE_ID:
		c->o.zone_id = arg;
		return 0;
	case OPT_KEEP:
		c->o.keep_existing_rua = 1;
		return 0;
	case OPT_NO_WAIT:
		c->o.no_wait = 1;
		return 0;
	case OPT_TIMEOUT:
	case OPT_INTERVAL:
		if (parse_seconds(ch == OPT_TIMEOUT ? &c->o.timeout
		                                    : &c->o.interval,
		                  arg) != 0)
			return cmd_usage_error(
			    c->name,
			    "--%s '%s': a number of seconds "
			    "above 0 (at most 604800, a week)",
			    ch == OPT_TIMEOUT ? "timeout" : "interval", arg);
		return 0;
	case OPT_NAMESERVER:
		return tp_strv_add(&c->nameservers, arg) ? 1 : 0;
	case OPT_RESOLVER:
		return tp_strv_add(&c->resolvers, arg) ? 1 : 0;
	case OPT_CACERT:
		c->o.cacert = arg;
		return 0;
	case OPT_CONFIG:
		c->o.config = arg;
		return 0;
	case OPT_ALL:
		c->o.all = 1;
		return 0;
	case OPT_DOMAINS_FILE:
		c->domains_file = arg;
		return 0;
	case OPT_OUTPUT:
		c->output = arg;
		return 0;
	case OPT_REPORT:
		c->report = arg;
		return 0;
	case OPT_DRY_RUN:
		c->o.dry_run = 1;
		return 0;
	case OPT_DETAILED:
		c->o.detailed = 1;
		return 0;
	case OPT_JOBS:
		if (parse_long(&n, arg, 1, TP_PUBLISH_JOBS_MAX) != 0)
			return cmd_usage_error(
			    c->name,
			    "--jobs '%s': a whole number from "
			    "1 to %d",
			    arg, TP_PUBLISH_JOBS_MAX);
		c->o.jobs = (int)n;
		return 0;
	case OPT_FAIL_FAST:
		c->o.fail_fast = 1;
		return 0;
	case OPT_SHARD:
		if (tp_shard_parse(&c->o.shard_k, &c->o.shard_n, arg) != 0)
			return cmd_usage_error(c->name, "%s", tp_err_msg());
		return 0;
	case OPT_MAX_CHANGES:
		if (parse_long(&c->o.max_changes, arg, 0, 1000000000L) != 0)
			return cmd_usage_error(c->name,
			                       "--max-changes '%s': a whole "
			                       "number, 0 or more",
			                       arg);
		c->o.max_changes_set = 1;
		return 0;
	case 'q':
		c->quiet = 1;
		return 0;
	case 'v':
		c->verbose++;
		return 0;
	default:
		if (ch >= OPT_PROVIDER_FLAG &&
		    (size_t)(ch - OPT_PROVIDER_FLAG) < c->nflags)
			return add_flag(c, ch - OPT_PROVIDER_FLAG, arg) ? 1 : 0;
		return 2;
	}
}

static int
parse(struct pub_cli *c, int argc, char **argv)
{
	struct option *opts;
	int ch, rc = 0, i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		rc = secret_on_cli(c->name, argv[i]);
		if (rc != 0)
			return rc;
	}
	opts = build_opts(c);
	if (opts == NULL) {
		cmd_error("out of memory");
		return 1;
	}
	opterr = 0;
	optind = 1;
	while (rc == 0 &&
	       (ch = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		if (ch == 'h') {
			cmd_publish_usage(c->o.mode, stdout);
			rc = -1;
		} else if ((ch == '?' || ch == ':') && optopt > 0 &&
		           optopt < 128 && strchr("qvh", optopt) == NULL) {
			/* A short option: argv[optind - 1] may be another
			 * argument while getopt is inside a cluster. */
			rc = cmd_usage_error(c->name, "unknown option '-%c'",
			                     optopt);
		} else if (ch == '?' || ch == ':') {
			rc = cmd_usage_error(c->name,
			                     "unknown or incomplete "
			                     "option '%s'",
			                     argv[optind - 1]);
		} else {
			rc = one_opt(c, ch, optarg);
		}
	}
	free(opts);
	for (i = optind; rc == 0 && i < argc; i++)
		if (tp_strv_add(&c->domains, argv[i]) != 0)
			rc = 1;
	return rc;
}

/* restore takes everything it does from the report. */
static int
validate_restore(struct pub_cli *c)
{
	const char *bad = c->domains.n > 0 ? "DOMAIN arguments"
	    : c->domains_file != NULL      ? "--domains-file"
	    : c->o.all                     ? "--all"
	    : c->o.provider != NULL        ? "--provider"
	    : c->rua.n > 0                 ? "--rua"
	    : c->o.ttl != 0                ? "--ttl"
	    : c->o.zone_id != NULL         ? "--zone-id"
	    : c->o.keep_existing_rua       ? "--keep-existing-rua"
	    : c->o.detailed                ? "--detailed-exitcode"
	                                   : NULL;

	if (bad != NULL)
		return cmd_usage_error(c->name,
		                       "%s: restore takes the domains, "
		                       "providers and TXT sets from the report",
		                       bad);
	if (c->report == NULL)
		return cmd_usage_error(
		    c->name,
		    "give the report to put back: --report "
		    "FILE (written by publish or remove with "
		    "--report, or their --output json/jsonl)");
	c->o.restore_report = c->report;
	c->report = NULL;
	return 0;
}

/* Checks that need every option, before anything runs. */
static int
validate(struct pub_cli *c)
{
	if (c->o.mode == TP_PUBLISH_MODE_RESTORE && validate_restore(c) != 0)
		return TP_EXIT_USAGE;
	if (c->o.mode == TP_PUBLISH_MODE_PUBLISH && c->o.dry_run)
		c->o.mode = TP_PUBLISH_MODE_PLAN;
	if (c->o.detailed && c->o.mode != TP_PUBLISH_MODE_PLAN)
		return cmd_usage_error(c->name,
		                       "--detailed-exitcode is a plan "
		                       "option (or publish "
		                       "--dry-run)");
	if (c->o.mode == TP_PUBLISH_MODE_REMOVE && c->rua.n > 0)
		return cmd_usage_error(c->name,
		                       "--rua means nothing to remove: "
		                       "it removes every TLS-RPT value");
	if (c->output != NULL && strcmp(c->output, "text") != 0 &&
	    strcmp(c->output, "json") != 0 && strcmp(c->output, "jsonl") != 0)
		return cmd_usage_error(c->name,
		                       "--output '%s': use text, json or jsonl",
		                       c->output);
	if (c->domains_file != NULL &&
	    tp_publish_read_domains(&c->domains, c->domains_file) != 0) {
		cmd_error("%s", tp_err_msg());
		return TP_EXIT_USAGE;
	}
	return 0;
}

static volatile sig_atomic_t stop_flag;
static volatile int stop_seen; /* what core watches */

/* The first SIGINT/SIGTERM asks for an orderly stop (writes in flight
 * finish, the report says what was done); a second one aborts at once. */
static void
on_signal(int sig)
{
	static const char msg[] = "\ntlsrpt-publish: second interrupt: "
	                          "aborting now; the report holds the domains\n"
	                          "finished so far, without a summary\n";

	(void)sig;
	if (stop_flag) {
		(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
		cmd_output_abort_report();
		_exit(TP_EXIT_INTERRUPT);
	}
	stop_flag = 1;
	stop_seen = 1;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int
run(struct pub_cli *c)
{
	struct cmd_output *out = NULL;
	struct tp_summary sum;
	int rc, status;

	rc = cmd_output_open(&out, c->output, c->report, c->quiet, c->verbose,
	                     c->name);
	if (rc != 0)
		return cmd_usage_error(c->name, "%s", tp_err_msg());
	c->o.rua = &c->rua;
	c->o.flags = &c->flags;
	c->o.resolvers = &c->resolvers;
	c->o.nameservers = &c->nameservers;
	c->o.domains = &c->domains;
	c->o.sink = cmd_output_sink(out);
	c->o.stop = &stop_seen;
	catch_signals();
	rc = tp_publish_run(&c->o, &sum);
	if (rc != 0) {
		cmd_output_free(out);
		cmd_error("%s", tp_err_msg());
		return rc == TP_EINTERNAL ? TP_EXIT_FAIL : TP_EXIT_USAGE;
	}
	status = cmd_output_finish(out, &sum);
	cmd_output_free(out);
	if (stop_flag)
		status = tp_exit_combine(status, TP_EXIT_INTERRUPT);
	return status;
}

static int
cmd_change(int argc, char **argv, enum tp_publish_mode mode)
{
	struct pub_cli c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.name = argv[0];
	c.o.mode = mode;
	rc = parse(&c, argc, argv);
	if (rc == 0)
		rc = validate(&c);
	if (rc == 0)
		rc = run(&c);
	tp_strv_release(&c.rua);
	tp_strv_release(&c.flags);
	tp_strv_release(&c.resolvers);
	tp_strv_release(&c.nameservers);
	tp_strv_release(&c.domains);
	free(c.flag_defs);
	return rc < 0 ? 0 : rc;
}

int
cmd_publish(int argc, char **argv)
{
	return cmd_change(argc, argv, TP_PUBLISH_MODE_PUBLISH);
}

int
cmd_plan(int argc, char **argv)
{
	return cmd_change(argc, argv, TP_PUBLISH_MODE_PLAN);
}

int
cmd_remove(int argc, char **argv)
{
	return cmd_change(argc, argv, TP_PUBLISH_MODE_REMOVE);
}

int
cmd_restore(int argc, char **argv)
{
	return cmd_change(argc, argv, TP_PUBLISH_MODE_RESTORE);
}
