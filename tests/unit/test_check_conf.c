/*
 * test_check_conf.c: the settings `check` takes from the config file
 * (check_conf.c), with publish's precedence: the command line wins, then
 * the file's defaults, then the built-in defaults; --all; the configured
 * destinations only with --expect-configured-rua; the errors of a bad
 * file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/check_int.h"
#include "tlsrpt/err.h"

static char path[64];

/* Write the config file; returns its path. */
static const char *
conf(const char *text)
{
	FILE *f;
	int fd;

	if (path[0] != '\0')
		unlink(path);
	(void)snprintf(path, sizeof(path), "/tmp/test_check_conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *const FULL =
    "defaults = {\n"
    "  resolver = [ \"192.0.2.1\", \"192.0.2.2:5353\" ];\n"
    "  nameserver = \"192.0.2.53\";\n"
    "  timeout = 42;\n"
    "  interval = 1.5;\n"
    "  rua = [ \"mailto:tls@example.com\" ];\n"
    "};\n"
    "domains = ( \"example.com\",\n"
    "            { name = \"Example.ORG\";\n"
    "              rua = [ \"mailto:a@example.org\", "
    "\"https://r.example.org/\" ]; } );\n";

static void
test_defaults_apply(void **state)
{
	struct tp_strv doms = TP_STRV_INIT;
	struct tp_check_opts o;
	struct check_conf cc;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.config = conf(FULL);
	tp_strv_add(&doms, "example.net");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), 0);
	assert_int_equal(o.resolvers->n, 2);
	assert_string_equal(o.resolvers->v[1], "192.0.2.2:5353");
	assert_int_equal(o.nameservers->n, 1);
	assert_string_equal(o.nameservers->v[0], "192.0.2.53");
	assert_true(o.timeout == 42);
	assert_true(o.interval == 1.5);
	assert_int_equal(cc.names.n, 1);
	/* defaults.rua is no expectation unless asked for. */
	assert_null(o.expect_rua);
	assert_null(tp_check_conf_expect(&cc, 0, &(const char *){NULL}));
	tp_check_conf_release(&cc);
	tp_strv_release(&doms);
}

static void
test_options_win(void **state)
{
	struct tp_strv doms = TP_STRV_INIT, res = TP_STRV_INIT;
	struct tp_check_opts o;
	struct check_conf cc;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.config = conf(FULL);
	tp_strv_add(&doms, "example.net");
	tp_strv_add(&res, "127.0.0.1");
	o.resolvers = &res;
	o.timeout = 7;
	o.interval = 3;
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), 0);
	assert_int_equal(o.resolvers->n, 1);
	assert_string_equal(o.resolvers->v[0], "127.0.0.1");
	assert_int_equal(o.nameservers->n, 1); /* the file's */
	assert_true(o.timeout == 7);
	assert_true(o.interval == 3);
	tp_check_conf_release(&cc);
	tp_strv_release(&res);
	tp_strv_release(&doms);
}

static void
test_no_file(void **state)
{
	struct tp_strv doms = TP_STRV_INIT;
	struct tp_check_opts o;
	struct check_conf cc;

	(void)state;
	memset(&o, 0, sizeof(o));
	tp_strv_add(&doms, "example.net");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), 0);
	assert_int_equal(o.resolvers->n, 0);
	assert_int_equal(o.nameservers->n, 0);
	assert_true(o.timeout == 0); /* tp_check_run's default then */
	tp_check_conf_release(&cc);
	/* A named file that is missing is an error; no domain is one too. */
	o.config = "/nonexistent/tlsrpt-publish.conf";
	assert_int_not_equal(tp_check_conf_load(&cc, &o, &doms), 0);
	tp_check_conf_release(&cc);
	o.config = NULL;
	tp_strv_release(&doms);
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "--all"));
	tp_check_conf_release(&cc);
}

static void
test_all(void **state)
{
	struct tp_strv doms = TP_STRV_INIT;
	struct tp_check_opts o;
	struct check_conf cc;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.config = conf(FULL);
	o.all = 1;
	tp_strv_add(&doms, "first.example");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), 0);
	assert_int_equal(cc.names.n, 3);
	assert_string_equal(cc.names.v[0], "first.example");
	assert_string_equal(cc.names.v[2], "Example.ORG");
	tp_check_conf_release(&cc);
	o.config = conf("defaults = { timeout = 5; };\n");
	assert_int_equal(tp_check_conf_load(&cc, &o, NULL), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "no domains list"));
	tp_check_conf_release(&cc);
	tp_strv_release(&doms);
}

static void
test_expect_configured(void **state)
{
	struct tp_strv doms = TP_STRV_INIT, want = TP_STRV_INIT;
	const struct tp_strv *e;
	struct tp_check_opts o;
	struct check_conf cc;
	const char *from = NULL;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.config = conf(FULL);
	o.expect_configured_rua = 1;
	tp_strv_add(&doms, "example.org");
	tp_strv_add(&doms, "other.example");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), 0);
	/* Its own entry (matched normalised), else defaults.rua. */
	assert_non_null(e = tp_check_conf_expect(&cc, 0, &from));
	assert_int_equal(e->n, 2);
	assert_non_null(strstr(from, "domains entry"));
	assert_non_null(e = tp_check_conf_expect(&cc, 1, &from));
	assert_int_equal(e->n, 1);
	assert_string_equal(e->v[0], "mailto:tls@example.com");
	assert_non_null(strstr(from, "defaults.rua"));
	tp_check_conf_release(&cc);
	/* Not with --expect-rua too. */
	tp_strv_add(&want, "mailto:x@example.com");
	o.expect_rua = &want;
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), TP_EUSAGE);
	tp_check_conf_release(&cc);
	o.expect_rua = NULL;
	/* Nothing configured for a domain. */
	o.config = conf("domains = ( \"example.org\" );\n");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "'example.org'"));
	tp_check_conf_release(&cc);
	/* A destination --rua would refuse is the file's error. */
	o.config = conf("defaults = { rua = \"tls@example.com\"; };\n");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), ":1:"));
	tp_check_conf_release(&cc);
	tp_strv_release(&want);
	tp_strv_release(&doms);
}

static void
test_bad_values(void **state)
{
	struct tp_strv doms = TP_STRV_INIT;
	struct tp_check_opts o;
	struct check_conf cc;

	(void)state;
	tp_strv_add(&doms, "example.com");
	memset(&o, 0, sizeof(o));
	o.config = conf("defaults = {\n  timeout = \"soon\";\n};\n");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), ":2:"));
	tp_check_conf_release(&cc);
	o.config = conf("defaults = {\n\n  interval = -1;\n};\n");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), ":3:"));
	assert_non_null(strstr(tp_err_msg(), "'interval'"));
	tp_check_conf_release(&cc);
	o.config = conf("defaults = { resolver = ( 1, 2 ); };\n");
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), TP_ECONFIG);
	tp_check_conf_release(&cc);
	o.config = conf("defaults = { timeout = ; };\n"); /* syntax */
	assert_int_equal(tp_check_conf_load(&cc, &o, &doms), TP_ECONFIG);
	tp_check_conf_release(&cc);
	tp_strv_release(&doms);
}

static int
setup(void **state)
{
	(void)state;
	unsetenv("TLSRPT_PUBLISH_CONFIG");
	setenv("XDG_CONFIG_HOME", "/nonexistent-test-check-conf", 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (path[0] != '\0')
		unlink(path);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_apply),
	    cmocka_unit_test(test_options_win),
	    cmocka_unit_test(test_no_file),
	    cmocka_unit_test(test_all),
	    cmocka_unit_test(test_expect_configured),
	    cmocka_unit_test(test_bad_values),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
