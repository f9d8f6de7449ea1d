/*
 * test_settings.c: generic resolution of a provider's declared settings,
 * with a provider descriptor local to this test: precedence, secrets only
 * from the environment or files, secret files, named accounts, required
 * settings, and the shared HTTP options.
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
#include "tlsrpt/http.h"
#include "tlsrpt/settings.h"

static const struct tp_setting_def fake_settings[] = {
    {"api_token", "FAKEDNS_API_TOKEN", NULL,
     TP_SETTING_SECRET | TP_SETTING_REQUIRED, NULL, "API token"},
    {"api_url", "FAKEDNS_API_URL", "api-url", 0, "https://api.fake.example/v1",
     "API base URL"},
    {"zone_limit", NULL, "zone-limit", 0, NULL, "zones per page"},
    {"region", "FAKEDNS_REGION", NULL, 0, "eu", "region"},
};

static const struct tp_provider fake = {
    .version = TP_PROVIDER_VERSION,
    .name = "fakedns",
    .title = "Fake DNS (test)",
    .settings = fake_settings,
    .nsettings = sizeof(fake_settings) / sizeof(fake_settings[0]),
    .permissions = "Zone:Read, DNS:Edit",
};

static const struct tp_setting_def bad_settings[] = {
    {"key", "BAD_KEY", "key", TP_SETTING_SECRET, NULL, "a secret flag"},
};

static const struct tp_provider bad = {
    .version = TP_PROVIDER_VERSION,
    .name = "bad",
    .settings = bad_settings,
    .nsettings = 1,
};

static char dir[64], cpath[128], tokfile[128];

static void
write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, 0600), 0);
}

static struct tp_conf *
conf(const char *text)
{
	struct tp_conf *c = NULL;

	write_file(cpath, text);
	assert_int_equal(tp_conf_load(&c, cpath, NULL), 0);
	return c;
}

static void
clear_env(void)
{
	unsetenv("FAKEDNS_API_TOKEN");
	unsetenv("FAKEDNS_API_TOKEN_FILE");
	unsetenv("FAKEDNS_API_URL");
	unsetenv("FAKEDNS_REGION");
	unsetenv("CURL_CA_BUNDLE");
}

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(dir, sizeof(dir), "/tmp/tp-settings-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	(void)snprintf(cpath, sizeof(cpath), "%s/config", dir);
	(void)snprintf(tokfile, sizeof(tokfile), "%s/token", dir);
	clear_env();
	return 0;
}

/* Every test starts from a clean environment. */
static int
fresh(void **state)
{
	(void)state;
	clear_env();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	clear_env();
	(void)unlink(cpath);
	(void)unlink(tokfile);
	(void)rmdir(dir);
	return 0;
}

static void
test_defaults_and_env(void **state)
{
	struct tp_settings *s = NULL;
	struct tp_conf *c = NULL;

	(void)state;
	assert_int_equal(tp_conf_empty(&c), 0);
	setenv("FAKEDNS_API_TOKEN", "tok-env", 1);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), "tok-env");
	assert_string_equal(tp_settings_source(s, "api_token"),
	                    "environment FAKEDNS_API_TOKEN");
	assert_string_equal(tp_settings_get(s, "api_url"),
	                    "https://api.fake.example/v1");
	assert_string_equal(tp_settings_source(s, "api_url"), "default");
	assert_null(tp_settings_get(s, "zone_limit"));
	assert_string_equal(tp_settings_source(s, "zone_limit"), "unset");
	assert_null(tp_settings_get(s, "no_such_key"));
	assert_string_equal(tp_settings_source(s, "no_such_key"), "unset");
	tp_settings_free(s);
	tp_settings_free(NULL);
	/* An empty variable counts as unset. */
	setenv("FAKEDNS_API_TOKEN", "", 1);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, "fakedns", NULL),
	                 TP_ECONFIG);
	assert_null(s);
	tp_conf_free(c);
}

static void
test_precedence(void **state)
{
	struct tp_settings *s = NULL;
	struct tp_conf *c;
	struct tp_strv flags = TP_STRV_INIT;

	(void)state;
	c = conf("fakedns = {\n api_token = \"tok-conf\";\n"
	         " api_url = \"https://conf.example/\";\n};\n");
	setenv("FAKEDNS_API_URL", "https://env.example/", 1);
	assert_int_equal(tp_strv_add(&flags, "api-url=https://flag.example/"),
	                 0);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, &flags), 0);
	assert_string_equal(tp_settings_get(s, "api_url"),
	                    "https://flag.example/");
	assert_string_equal(tp_settings_source(s, "api_url"), "--api-url");
	assert_string_equal(tp_settings_get(s, "api_token"), "tok-conf");
	assert_string_equal(tp_settings_source(s, "api_token"),
	                    "config file line 2");
	tp_settings_free(s);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_url"),
	                    "https://env.example/");
	tp_settings_free(s);
	unsetenv("FAKEDNS_API_URL");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_url"),
	                    "https://conf.example/");
	assert_string_equal(tp_settings_source(s, "api_url"),
	                    "config file line 3");
	tp_settings_free(s);
	/* A flag may name the setting by its key too. */
	tp_strv_release(&flags);
	assert_int_equal(tp_strv_add(&flags, "zone_limit=50"), 0);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, &flags), 0);
	assert_string_equal(tp_settings_get(s, "zone_limit"), "50");
	tp_settings_free(s);
	tp_strv_release(&flags);
	tp_conf_free(c);
}

static void
test_bad_flags(void **state)
{
	struct tp_settings *s = NULL;
	struct tp_conf *c = NULL;
	struct tp_strv flags = TP_STRV_INIT;

	(void)state;
	assert_int_equal(tp_conf_empty(&c), 0);
	setenv("FAKEDNS_API_TOKEN", "tok", 1);
	assert_int_equal(tp_strv_add(&flags, "api_token=on-the-command-line"),
	                 0);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, &flags),
	                 TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "never taken from the command"));
	assert_null(strstr(tp_err_msg(), "on-the-command-line"));
	tp_strv_release(&flags);
	assert_int_equal(tp_strv_add(&flags, "colour=blue"), 0);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, &flags),
	                 TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "unknown setting 'colour'"));
	tp_strv_release(&flags);
	assert_int_equal(tp_strv_add(&flags, "api-url"), 0);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, &flags),
	                 TP_EUSAGE);
	tp_strv_release(&flags);
	assert_int_equal(tp_settings_resolve(&s, &bad, c, NULL, NULL),
	                 TP_EINTERNAL);
	tp_conf_free(c);
}

static void
test_secret_files_env(void **state)
{
	struct tp_settings *s = NULL;
	struct tp_conf *c = NULL;

	(void)state;
	assert_int_equal(tp_conf_empty(&c), 0);
	setenv("FAKEDNS_API_TOKEN_FILE", tokfile, 1);
	write_file(tokfile, "tok-from-file\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), "tok-from-file");
	assert_non_null(strstr(tp_settings_source(s, "api_token"), tokfile));
	assert_non_null(strstr(tp_settings_source(s, "api_token"),
	                       "FAKEDNS_API_TOKEN_FILE"));
	tp_settings_free(s);
	write_file(tokfile, "tok-crlf\r\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), "tok-crlf");
	tp_settings_free(s);
	write_file(tokfile, "no-newline");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), "no-newline");
	tp_settings_free(s);
	/* Only one newline goes. */
	write_file(tokfile, "two\n\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "line break"));
	write_file(tokfile, "\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "is empty"));
	(void)unlink(tokfile);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), tokfile));
	assert_non_null(strstr(tp_err_msg(), "FAKEDNS_API_TOKEN_FILE"));
	setenv("FAKEDNS_API_TOKEN", "tok", 1);
	write_file(tokfile, "tok\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "both FAKEDNS_API_TOKEN and"));
	tp_conf_free(c);
	clear_env();
}

static void
test_secret_files_config(void **state)
{
	struct tp_settings *s = NULL;
	struct tp_conf *c;

	(void)state;
	write_file(tokfile, "tok-conf-file\n");
	/* Relative to the config file's folder. */
	c = conf("fakedns = {\n api_token_file = \"token\";\n};\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), "tok-conf-file");
	assert_non_null(
	    strstr(tp_settings_source(s, "api_token"), "config file line 2"));
	tp_settings_free(s);
	tp_conf_free(c);
	/* The environment still wins over the provider section. */
	setenv("FAKEDNS_API_TOKEN", "tok-env", 1);
	c = conf("fakedns = { api_token_file = \"token\"; };\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), "tok-env");
	tp_settings_free(s);
	tp_conf_free(c);
	clear_env();
	c = conf("fakedns = { api_token = \"a\";\n api_token_file = \"t\"; "
	         "};\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "both 'api_token' and"));
	tp_conf_free(c);
	c = conf("fakedns = { api_token = [\"a\"]; };\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "must be a single value"));
	tp_conf_free(c);
}

static void
test_required_missing(void **state)
{
	struct tp_settings *s = NULL;
	struct tp_conf *c;
	const char *m;

	(void)state;
	c = conf("fakedns = { api_url = \"https://x/\"; };\n");
	assert_int_equal(tp_settings_resolve(&s, &fake, c, NULL, NULL),
	                 TP_ECONFIG);
	assert_null(s);
	m = tp_err_msg();
	assert_true(strncmp(m, "fakedns: missing api_token", 26) == 0);
	assert_non_null(
	    strstr(m, "FAKEDNS_API_TOKEN or FAKEDNS_API_TOKEN_FILE"));
	assert_non_null(strstr(m, "api_token_file"));
	assert_non_null(strstr(m, "'fakedns' section of"));
	assert_non_null(strstr(m, cpath));
	assert_non_null(strstr(m, "Zone:Read, DNS:Edit"));
	/* Said once: the setting's help is not repeated before the how-to. */
	assert_null(strstr(m, "api_token ("));
	tp_conf_free(c);
}

static void
test_accounts(void **state)
{
	struct tp_settings *s = NULL;
	struct tp_conf *c;

	(void)state;
	c = conf("fakedns = { region = \"us\"; api_token = \"tok-prov\"; };\n"
	         "accounts = ( { name = \"eu\"; provider = \"fakedns\";\n"
	         "  api_token = \"tok-eu\"; },\n"
	         " { name = \"bare\"; provider = \"fakedns\"; },\n"
	         " { name = \"r53\"; provider = \"route53\"; } );\n");
	setenv("FAKEDNS_API_TOKEN", "tok-env", 1);
	/* The account's own token beats the environment... */
	assert_int_equal(tp_settings_resolve(&s, &fake, c, "eu", NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), "tok-eu");
	assert_string_equal(tp_settings_source(s, "api_token"),
	                    "config file line 3");
	/* ...and what it leaves out comes from the provider section. */
	assert_string_equal(tp_settings_get(s, "region"), "us");
	tp_settings_free(s);
	/* An account without a token takes the environment's. */
	assert_int_equal(tp_settings_resolve(&s, &fake, c, "bare", NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), "tok-env");
	tp_settings_free(s);
	assert_int_equal(tp_settings_resolve(&s, &fake, c, "r53", NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "is a 'route53' account"));
	assert_int_equal(tp_settings_resolve(&s, &fake, c, "nope", NULL),
	                 TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "account 'nope' is not"));
	clear_env();
	tp_conf_free(c);
}

static void
test_http_options(void **state)
{
	struct tp_http_opts o;
	struct tp_conf *c;

	(void)state;
	write_file(tokfile, "not really a CA\n");
	c = conf("defaults = {\n cacert = \"/nonexistent/ca.pem\";\n"
	         " http_timeout = 2.5;\n http_connect_timeout = 3;\n"
	         " http_retries = 2;\n http_backoff = 0.05;\n};\n");
	memset(&o, 0, sizeof(o));
	assert_int_equal(tp_settings_http(&o, c, tokfile), 0);
	assert_true(o.backoff_base > 0.049 && o.backoff_base < 0.051);
	assert_string_equal(o.cacert, tokfile);
	assert_int_equal(o.timeout_ms, 2500);
	assert_int_equal(o.connect_timeout_ms, 3000);
	assert_int_equal(o.max_retries, 2);
	setenv("CURL_CA_BUNDLE", tokfile, 1);
	o.cacert = NULL;
	assert_int_equal(tp_settings_http(&o, c, NULL), 0);
	assert_string_equal(o.cacert, tokfile);
	unsetenv("CURL_CA_BUNDLE");
	assert_int_equal(tp_settings_http(&o, c, NULL), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "'/nonexistent/ca.pem'"));
	assert_non_null(strstr(tp_err_msg(), ":2"));
	tp_conf_free(c);
	c = conf("defaults = { http_timeout = \"soon\"; };\n");
	assert_int_equal(tp_settings_http(&o, c, NULL), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "'http_timeout' must be"));
	tp_conf_free(c);
	c = conf("defaults = { http_timeout = -1; };\n");
	assert_int_equal(tp_settings_http(&o, c, NULL), TP_ECONFIG);
	tp_conf_free(c);
	c = conf("defaults = { http_retries = 21; };\n");
	assert_int_equal(tp_settings_http(&o, c, NULL), TP_ECONFIG);
	tp_conf_free(c);
	c = conf("defaults = { http_backoff = 0; };\n");
	assert_int_equal(tp_settings_http(&o, c, NULL), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "'http_backoff' must be"));
	tp_conf_free(c);
	/* Nothing set: nothing touched. */
	assert_int_equal(tp_conf_empty(&c), 0);
	memset(&o, 0, sizeof(o));
	o.max_retries = -1;
	assert_int_equal(tp_settings_http(&o, c, NULL), 0);
	assert_null(o.cacert);
	assert_int_equal(o.timeout_ms, 0);
	assert_int_equal(o.max_retries, -1);
	assert_true(o.backoff_base == 0);
	tp_conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_defaults_and_env, fresh),
	    cmocka_unit_test_setup(test_precedence, fresh),
	    cmocka_unit_test_setup(test_bad_flags, fresh),
	    cmocka_unit_test_setup(test_secret_files_env, fresh),
	    cmocka_unit_test_setup(test_secret_files_config, fresh),
	    cmocka_unit_test_setup(test_required_missing, fresh),
	    cmocka_unit_test_setup(test_accounts, fresh),
	    cmocka_unit_test_setup(test_http_options, fresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
