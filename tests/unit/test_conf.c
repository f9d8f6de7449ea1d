/*
 * test_conf.c: the configuration file: discovery order, layout, every
 * load-time error with its file and line, type errors from the getters,
 * and the warning for secrets in a file others can read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlsrpt/conf.h"
#include "tlsrpt/err.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(dir, sizeof(dir), "/tmp/tp-conf-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	(void)snprintf(path, sizeof(path), "%s/config", dir);
	unsetenv("TLSRPT_PUBLISH_CONFIG");
	return 0;
}

static int
teardown(void **state)
{
	char p[160];

	(void)state;
	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s/inc.conf", dir);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s/xdg/tlsrpt-publish/config", dir);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s/xdg/tlsrpt-publish", dir);
	(void)rmdir(p);
	(void)snprintf(p, sizeof(p), "%s/xdg", dir);
	(void)rmdir(p);
	(void)rmdir(dir);
	return 0;
}

static void
write_at(const char *p, const char *text, mode_t mode)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

/* Load text as the config file; returns tp_conf_load's code. */
static int
load(const char *text, struct tp_conf **c, char **warning)
{
	write_at(path, text, 0600);
	return tp_conf_load(c, path, warning);
}

/* The load must fail with TP_ECONFIG at "PATH:line: " and say what. */
static void
load_fails(const char *text, int line, const char *what)
{
	struct tp_conf *c = NULL;
	char want[160];

	assert_int_equal(load(text, &c, NULL), TP_ECONFIG);
	assert_null(c);
	(void)snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strncmp(tp_err_msg(), want, strlen(want)) != 0 ||
	    strstr(tp_err_msg(), what) == NULL)
		fail_msg("want '%s...%s', got '%s'", want, what, tp_err_msg());
}

static const char full[] =
    "# a full example\n"
    "defaults = {\n"
    "  provider = \"cloudflare\";\n"
    "  rua = [\"mailto:a@example.com\", \"https://r.example/\"];\n"
    "  ttl = 3600;\n"
    "  timeout = 2.5;\n"
    "  keep_existing_rua = true;\n"
    "};\n"
    "cloudflare = { api_token_file = \"/run/secrets/cf\"; };\n"
    "accounts = ( { name = \"cf-eu\"; provider = \"cloudflare\";\n"
    "               api_url = \"https://eu.example/v4\"; } );\n"
    "domains = ( \"example.com\",\n"
    "  { name = \"example.org\"; account = \"cf-eu\";\n"
    "    rua = \"mailto:o@example.org\"; ttl = 300; zone_id = \"Z1\"; },\n"
    "  { name = \"example.net\"; provider = \"route53\"; } );\n";

static void
test_full(void **state)
{
	struct tp_conf *c = NULL;
	struct tp_strv rua = TP_STRV_INIT;
	const struct tp_conf_domain *d;
	char *warning = (char *)1;
	double t;
	long ttl;
	int line = 0;

	(void)state;
	assert_int_equal(load(full, &c, &warning), 0);
	assert_null(warning);
	assert_string_equal(tp_conf_path(c), path);
	assert_string_equal(tp_conf_get(c, "defaults", "provider", &line),
	                    "cloudflare");
	assert_int_equal(line, 3);
	assert_int_equal(tp_conf_get_long(c, "defaults", "ttl", &ttl), 0);
	assert_int_equal(ttl, 3600);
	assert_string_equal(tp_conf_get(c, "defaults", "ttl", NULL), "3600");
	assert_int_equal(tp_conf_get_double(c, "defaults", "timeout", &t), 0);
	assert_true(t == 2.5);
	assert_int_equal(tp_conf_get_double(c, "defaults", "ttl", &t), 0);
	assert_true(t == 3600);
	assert_string_equal(
	    tp_conf_get(c, "defaults", "keep_existing_rua", NULL), "true");
	assert_int_equal(tp_conf_get_list(c, "defaults", "rua", &rua), 0);
	assert_int_equal(rua.n, 2);
	assert_string_equal(rua.v[1], "https://r.example/");
	assert_null(tp_conf_get(c, "defaults", "rua", NULL)); /* a list */
	assert_int_equal(tp_conf_get_long(c, "defaults", "nope", &ttl), 1);
	assert_true(tp_conf_has_section(c, "cloudflare"));
	assert_true(tp_conf_has_section(c, "cf-eu"));
	assert_false(tp_conf_has_section(c, "route53"));
	assert_string_equal(tp_conf_get(c, "cf-eu", "api_url", NULL),
	                    "https://eu.example/v4");
	assert_string_equal(tp_conf_account_provider(c, "cf-eu"), "cloudflare");
	assert_null(tp_conf_account_provider(c, "cloudflare"));
	assert_int_equal(tp_conf_nsections(c), 1);
	assert_string_equal(tp_conf_section(c, 0, &line), "cloudflare");
	assert_int_equal(line, 9);
	assert_int_equal(tp_conf_naccounts(c), 1);
	assert_string_equal(tp_conf_account(c, 0, NULL), "cf-eu");
	assert_int_equal(tp_conf_ndomains(c), 3);
	d = tp_conf_domain(c, 0);
	assert_string_equal(d->name, "example.com");
	assert_null(d->provider);
	assert_int_equal(d->ttl, 0);
	d = tp_conf_domain(c, 1);
	assert_string_equal(d->account, "cf-eu");
	assert_int_equal(d->rua.n, 1);
	assert_int_equal(d->ttl, 300);
	assert_string_equal(d->zone_id, "Z1");
	assert_int_equal(d->line, 13);
	assert_string_equal(tp_conf_domain(c, 2)->provider, "route53");
	assert_null(tp_conf_domain(c, 3));
	assert_non_null(strstr(tp_conf_where(c, "defaults", "ttl"), ":5"));
	tp_strv_release(&rua);
	tp_conf_free(c);
	tp_conf_free(NULL);
}

static void
test_getter_types(void **state)
{
	struct tp_conf *c = NULL;
	struct tp_strv l = TP_STRV_INIT;
	const char *v;
	long n;
	double d;
	char want[160];

	(void)state;
	assert_int_equal(load("defaults = {\n ttl = \"300\";\n b = true;\n"
	                      " rua = [\"x\"];\n};\n",
	                      &c, NULL),
	                 0);
	(void)snprintf(want, sizeof(want), "%s:2: 'ttl' must be a whole number",
	               path);
	assert_int_equal(tp_conf_get_long(c, "defaults", "ttl", &n),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), want));
	assert_int_equal(tp_conf_get_double(c, "defaults", "b", &d),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), ":3: 'b' must be a number"));
	assert_int_equal(tp_conf_get_list(c, "defaults", "b", &l), TP_ECONFIG);
	assert_int_equal(tp_conf_get_value(c, "defaults", "rua", &v, NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), ":4: 'rua' must be a single"));
	assert_int_equal(tp_conf_get_value(c, "defaults", "ttl", &v, NULL), 0);
	assert_string_equal(v, "300");
	assert_int_equal(tp_conf_get_value(c, "defaults", "zz", &v, NULL), 1);
	assert_int_equal(tp_conf_get_list(c, "defaults", "ttl", &l), 0);
	assert_string_equal(l.v[0], "300");
	tp_strv_release(&l);
	tp_conf_free(c);
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	load_fails("defaults = {\n  ttl = 300;\n  rua = ];\n};\n", 3,
	           "syntax error");
	load_fails("defaults = { ttl = 1; ttl = 2; };\n", 1, "duplicate");
	load_fails("\n\ndefaults = { x = 1 2; };\n", 3, "syntax error");
}

static void
test_layout_errors(void **state)
{
	(void)state;
	load_fails("defaults = {};\nttl = 300;\n", 2, "'ttl' is not a section");
	load_fails("cloudflare = {\n  nested = { a = 1; };\n};\n", 2,
	           "'nested' in 'cloudflare' is a group");
	load_fails("defaults = {\n rua = [1, 2];\n};\n", 2,
	           "'rua' must be a string or a list of strings");
	load_fails("defaults = { r = (\"a\", 2); };\n", 1, "list of strings");
}

static void
test_account_errors(void **state)
{
	(void)state;
	load_fails("accounts = { name = \"a\"; };\n", 1, "must be a list");
	load_fails("accounts = ( \"a\" );\n", 1, "must be a group");
	load_fails("accounts = (\n { provider = \"cloudflare\"; } );\n", 2,
	           "needs name");
	load_fails("accounts = ( { name = \"a\"; } );\n", 1, "provider");
	load_fails("accounts = ( { name = 5; provider = \"x\"; } );\n", 1,
	           "'name' must be a non-empty string");
	load_fails("accounts = ( { name = \"a\"; provider = \"x\"; },\n"
	           "  { name = \"a\"; provider = \"y\"; } );\n",
	           2, "account name 'a' is already");
	load_fails("accounts = ( { name = \"cf\"; provider = \"x\"; } );\n"
	           "cf = { };\n",
	           1, "account name 'cf'");
	load_fails(
	    "accounts = ( { name = \"defaults\"; provider = \"x\"; } );\n", 1,
	    "account name 'defaults'");
}

static void
test_domain_errors(void **state)
{
	(void)state;
	load_fails("domains = \"example.com\";\n", 1, "must be a list");
	load_fails("domains = ( 5 );\n", 1, "must be a name in quotes");
	load_fails("domains = (\n { provider = \"x\"; } );\n", 2, "needs name");
	load_fails("domains = (\n { name = \"a.b\";\n  tll = 300; } );\n", 3,
	           "unknown setting 'tll' in a domain entry");
	load_fails("domains = ( { name = \"a.b\";\n ttl = \"300\"; } );\n", 2,
	           "'ttl' must be a whole number");
	load_fails("domains = ( { name = \"a.b\"; ttl = 0; } );\n", 1,
	           "between 1 and");
	load_fails("domains = ( { name = \"a.b\"; rua = 5; } );\n", 1,
	           "'rua' must be a string or a list");
	load_fails("domains = ( { name = \"a.b\"; zone_id = 5; } );\n", 1,
	           "'zone_id' must be a non-empty string");
	load_fails("domains = ( \"\" );\n", 1, "empty domain name");
	load_fails("domains = ( \"Example.COM\",\n \"example.com.\" );\n", 2,
	           "'example.com.' is listed twice (first on line 1)");
	load_fails("domains = ( { name = \"a.b\"; account = \"nope\"; } );\n",
	           1, "account 'nope', which the accounts list does not");
	load_fails("accounts = ( { name = \"r\"; provider = \"route53\"; } );\n"
	           "domains = ( { name = \"a.b\"; account = \"r\";\n"
	           "  provider = \"cloudflare\"; } );\n",
	           2, "is a 'route53' account");
}

static void
test_permissions_warning(void **state)
{
	struct tp_conf *c = NULL;
	char *w = NULL;
	char want[200];

	(void)state;
	write_at(path, "cloudflare = {\n  api_token = \"t0ken\";\n};\n", 0644);
	assert_int_equal(tp_conf_load(&c, path, &w), 0);
	assert_non_null(w);
	(void)snprintf(want, sizeof(want), "%s:2: 'api_token' is a secret",
	               path);
	assert_non_null(strstr(w, want));
	assert_non_null(strstr(w, "chmod 600"));
	assert_null(strstr(w, "t0ken"));
	free(w);
	tp_conf_free(c);
	/* The same file, private: no warning. */
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(tp_conf_load(&c, path, &w), 0);
	assert_null(w);
	tp_conf_free(c);
	/* Readable by all, but only a path to a secret: no warning. */
	write_at(path, "cloudflare = { api_token_file = \"/x\"; };\n", 0644);
	assert_int_equal(tp_conf_load(&c, path, &w), 0);
	assert_null(w);
	tp_conf_free(c);
	/* Group-readable only, secret in an account: warned. */
	write_at(path,
	         "accounts = ( { name = \"a\"; provider = \"godaddy\";\n"
	         "  api_secret = \"s\"; } );\n",
	         0640);
	assert_int_equal(tp_conf_load(&c, path, &w), 0);
	assert_non_null(w);
	assert_non_null(strstr(w, ":2: 'api_secret'"));
	free(w);
	tp_conf_free(c);
}

static void
test_include(void **state)
{
	struct tp_conf *c = NULL;
	char inc[160], want[200];

	(void)state;
	(void)snprintf(inc, sizeof(inc), "%s/inc.conf", dir);
	write_at(inc, "cloudflare = { api_url = \"https://x/\"; };\n", 0600);
	assert_int_equal(
	    load("@include \"inc.conf\"\ndefaults = {};\n", &c, NULL), 0);
	assert_string_equal(tp_conf_get(c, "cloudflare", "api_url", NULL),
	                    "https://x/");
	tp_conf_free(c);
	write_at(inc, "\ncloudflare = { n = { }; };\n", 0600);
	assert_int_equal(load("@include \"inc.conf\"\n", &c, NULL), TP_ECONFIG);
	(void)snprintf(want, sizeof(want), "%s:2: 'n' in 'cloudflare'", inc);
	assert_non_null(strstr(tp_err_msg(), want));
}

static void
test_discovery(void **state)
{
	struct tp_conf *c = NULL;
	char p[160];

	(void)state;
	/* An explicitly named file must exist. */
	(void)snprintf(p, sizeof(p), "%s/missing", dir);
	assert_int_equal(tp_conf_load(&c, p, NULL), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "cannot read"));
	assert_non_null(strstr(tp_err_msg(), p));
	assert_int_equal(tp_conf_load(&c, dir, NULL), TP_ECONFIG);
	/* So must one named by $TLSRPT_PUBLISH_CONFIG... */
	setenv("TLSRPT_PUBLISH_CONFIG", p, 1);
	assert_int_equal(tp_conf_load(&c, NULL, NULL), TP_ECONFIG);
	/* ...which --config overrides. */
	write_at(path, "defaults = { ttl = 7; };\n", 0600);
	assert_int_equal(tp_conf_load(&c, path, NULL), 0);
	tp_conf_free(c);
	setenv("TLSRPT_PUBLISH_CONFIG", path, 1);
	assert_int_equal(tp_conf_load(&c, NULL, NULL), 0);
	assert_string_equal(tp_conf_get(c, "defaults", "ttl", NULL), "7");
	tp_conf_free(c);
	unsetenv("TLSRPT_PUBLISH_CONFIG");
	/* The XDG default is optional... */
	(void)snprintf(p, sizeof(p), "%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", p, 1);
	assert_int_equal(tp_conf_load(&c, NULL, NULL), 0);
	assert_null(tp_conf_path(c));
	assert_int_equal(tp_conf_ndomains(c), 0);
	tp_conf_free(c);
	/* ...and read when present. */
	assert_int_equal(mkdir(p, 0700), 0);
	(void)snprintf(p, sizeof(p), "%s/xdg/tlsrpt-publish", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	(void)snprintf(p, sizeof(p), "%s/xdg/tlsrpt-publish/config", dir);
	write_at(p, "defaults = { ttl = 9; };\n", 0600);
	assert_int_equal(tp_conf_load(&c, NULL, NULL), 0);
	assert_string_equal(tp_conf_path(c), p);
	assert_string_equal(tp_conf_get(c, "defaults", "ttl", NULL), "9");
	tp_conf_free(c);
	/* Without XDG_CONFIG_HOME: $HOME/.config/... */
	unsetenv("XDG_CONFIG_HOME");
	(void)snprintf(p, sizeof(p), "%s/nohome", dir);
	setenv("HOME", p, 1);
	assert_int_equal(tp_conf_load(&c, NULL, NULL), 0);
	assert_null(tp_conf_path(c));
	tp_conf_free(c);
}

static void
test_empty_and_check_keys(void **state)
{
	static const char *const known[] = {"api_token", "api_url"};
	struct tp_conf *c = NULL;

	(void)state;
	assert_int_equal(tp_conf_empty(&c), 0);
	assert_null(tp_conf_path(c));
	assert_null(tp_conf_get(c, "defaults", "ttl", NULL));
	assert_int_equal(tp_conf_ndomains(c), 0);
	assert_int_equal(tp_conf_check_keys(c, "cloudflare", known, 2), 0);
	tp_conf_free(c);
	assert_int_equal(load("cloudflare = {\n api_url = \"u\";\n"
	                      " api_tokn = \"x\";\n};\n",
	                      &c, NULL),
	                 0);
	assert_int_equal(tp_conf_check_keys(c, "cloudflare", known, 2),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), ":3: unknown setting 'api_tokn'"));
	assert_non_null(strstr(tp_err_msg(), "known: api_token, api_url"));
	tp_conf_free(c);
}

/* The shipped example is valid and means what it says. */
static void
test_config_example(void **state)
{
	struct tp_conf *c = NULL;
	struct tp_strv rua = TP_STRV_INIT;
	const char *ex = getenv("TP_CONFIG_EXAMPLE");

	(void)state;
	if (ex == NULL)
		ex = "config.example";
	if (tp_conf_load(&c, ex, NULL) != 0)
		fail_msg("%s", tp_err_msg());
	assert_int_equal(tp_conf_get_list(c, "defaults", "rua", &rua), 0);
	assert_string_equal(rua.v[0], "mailto:tls-reports@example.com");
	assert_string_equal(tp_conf_account_provider(c, "cf-eu"), "cloudflare");
	assert_int_equal(tp_conf_ndomains(c), 2);
	assert_string_equal(tp_conf_domain(c, 1)->account, "cf-eu");
	assert_int_equal(tp_conf_domain(c, 1)->ttl, 300);
	tp_strv_release(&rua);
	tp_conf_free(c);
}

/* What libconfig would change silently is refused, file and memory. */
static void
test_nul_refused(void **state)
{
	static const char raw[] =
	    "domains = ( \"example.com\0evil.example\" );\n";
	struct tp_conf *c = NULL;

	(void)state;
	load_fails("defaults = {};\n"
	           "domains = ( \"example.com\\x00evil.example\" );\n",
	           2, "'\\x00' (a NUL byte)");
	assert_int_equal(tp_conf_load_mem(&c, raw, sizeof(raw) - 1, "mem"),
	                 TP_ECONFIG);
	assert_null(c);
	assert_string_equal(tp_err_msg(),
	                    "mem:1: a NUL byte: a configuration "
	                    "file is text; remove it");
	/* An escaped backslash before x00 is text, not a NUL. */
	assert_int_equal(load("defaults = { a = \"\\\\x00\"; };\n", &c, NULL),
	                 0);
	assert_string_equal(tp_conf_get(c, "defaults", "a", NULL), "\\x00");
	tp_conf_free(c);
	/* Other escapes stay libconfig's. */
	assert_int_equal(load("defaults = { a = \"\\x41\"; };\n", &c, NULL), 0);
	assert_string_equal(tp_conf_get(c, "defaults", "a", NULL), "A");
	tp_conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_getter_types),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_layout_errors),
	    cmocka_unit_test(test_account_errors),
	    cmocka_unit_test(test_domain_errors),
	    cmocka_unit_test(test_permissions_warning),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_discovery),
	    cmocka_unit_test(test_empty_and_check_keys),
	    cmocka_unit_test(test_config_example),
	    cmocka_unit_test(test_nul_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
