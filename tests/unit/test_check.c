/*
 * test_check.c: from what `check` saw to its verdict and diagnostics
 * (check_eval.c), and the usage errors tp_check_run() reports before any
 * query.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/check_int.h"
#include "tlsrpt/err.h"

#define VALUE "v=TLSRPTv1; rua=mailto:tls@example.com"

static struct tp_check_opts opts;

static void
dom(struct check_dom *c)
{
	memset(c, 0, sizeof(*c));
	c->domain = (char *)"example.com";
	c->owner = (char *)"_smtp._tls.example.com";
	c->legacy_name = (char *)"_smtp-tlsrpt.example.com";
	c->sts_name = (char *)"_mta-sts.example.com";
	c->own.state = c->apex.state = c->legacy.state = c->sts.state = 1;
	c->own.rcode = TP_DNS_R_NOERROR;
}

static void
clean(struct check_dom *c)
{
	tp_txtset_release(&c->own.set);
	tp_txtset_release(&c->apex.set);
	tp_txtset_release(&c->legacy.set);
	tp_txtset_release(&c->sts.set);
	tp_strv_release(&c->own.cnames);
	tp_confirm_release(&c->confirm);
}

static void
add(struct tp_txtset *s, const char *v)
{
	assert_int_equal(tp_txtset_add(s, v, strlen(v)), 0);
}

static void
test_valid_with_mta_sts(void **state)
{
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	add(&c.own.set, "v=spf1 -all");
	add(&c.own.set, VALUE);
	add(&c.sts.set, "v=STSv1; id=20260101");
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_VALID);
	assert_string_equal(r.record, VALUE);
	assert_int_equal(r.values.n, 2);
	assert_int_equal(r.mta_sts, TP_MTA_STS_PRESENT);
	assert_true(tp_diags_has(&r.diagnostics, "rrset-unrelated"));
	assert_true(tp_diags_has(&r.diagnostics, "mta-sts-present"));
	assert_int_equal(tp_result_exit_status(&r, 0), TP_EXIT_OK);
	tp_result_release(&r);
	clean(&c);
}

static void
test_missing_kinds(void **state)
{
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	c.own.rcode = TP_DNS_R_NXDOMAIN;
	add(&c.apex.set, VALUE);
	c.sts.state = 2;
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_MISSING);
	assert_true(tp_diags_has(&r.diagnostics, "owner-nxdomain"));
	assert_false(tp_diags_has(&r.diagnostics, "owner-nodata"));
	assert_true(tp_diags_has(&r.diagnostics, "record-at-apex"));
	assert_true(tp_diags_has(&r.diagnostics, "rrset-missing"));
	assert_int_equal(r.mta_sts, TP_MTA_STS_UNKNOWN);
	assert_int_equal(tp_result_exit_status(&r, 0), TP_EXIT_FAIL);
	tp_result_release(&r);
	clean(&c);

	dom(&c);
	add(&c.legacy.set, VALUE);
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_MISSING);
	assert_true(tp_diags_has(&r.diagnostics, "owner-nodata"));
	assert_true(tp_diags_has(&r.diagnostics, "record-at-legacy-name"));
	assert_int_equal(r.mta_sts, TP_MTA_STS_ABSENT);
	tp_result_release(&r);
	clean(&c);
}

static void
test_cname_and_expect_rua(void **state)
{
	struct tp_strv want = TP_STRV_INIT;
	struct tp_check_opts o = opts;
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	add(&c.own.set, VALUE);
	tp_strv_add(&c.own.cnames, "rpt.example.net");
	tp_strv_add(&want, "mailto:other@example.com");
	o.expect_rua = &want;
	assert_int_equal(tp_check_eval(&r, &c, &o), 0);
	assert_int_equal(r.status, TP_CHECK_INVALID);
	assert_true(tp_diags_has(&r.diagnostics, "owner-cname"));
	assert_int_equal(r.diagnostics.v[0].severity, TP_SEV_INFO);
	assert_string_equal(r.diagnostics.v[0].code, "owner-cname");
	assert_true(tp_diags_has(&r.diagnostics, "rua-unexpected"));
	tp_result_release(&r);
	tp_strv_release(&want);
	tp_strv_add(&want, "MAILTO:tls@example.com");
	add(&c.own.set, VALUE); /* eval moved the RRset out */
	assert_int_equal(tp_check_eval(&r, &c, &o), 0);
	assert_int_equal(r.status, TP_CHECK_VALID);
	tp_result_release(&r);
	tp_strv_release(&want);
	clean(&c);
}

/* The configured destinations (--expect-configured-rua) per domain: they
 * win over the options' list, and the message names where they come
 * from. */
static void
test_expect_configured(void **state)
{
	struct tp_strv want = TP_STRV_INIT, other = TP_STRV_INIT;
	struct tp_check_opts o = opts;
	struct check_dom c;
	struct tp_result r;
	const struct tp_diag *d = NULL;
	size_t i;

	(void)state;
	dom(&c);
	add(&c.own.set, VALUE);
	tp_strv_add(&want, "mailto:cfg@example.com");
	tp_strv_add(&other, "mailto:tls@example.com");
	o.expect_rua = &other; /* would match: the domain's own list wins */
	c.expect = &want;
	c.expect_from = "its domains entry's rua";
	assert_int_equal(tp_check_eval(&r, &c, &o), 0);
	assert_int_equal(r.status, TP_CHECK_INVALID);
	for (i = 0; i < r.diagnostics.n; i++)
		if (strcmp(r.diagnostics.v[i].code, "rua-unexpected") == 0)
			d = &r.diagnostics.v[i];
	assert_non_null(d);
	assert_non_null(strstr(d->message, "its domains entry's rua"));
	assert_non_null(strstr(d->message, "missing mailto:cfg@example.com"));
	assert_non_null(strstr(d->hint, "config file"));
	tp_result_release(&r);
	tp_strv_release(&want);
	tp_strv_release(&other);
	clean(&c);
}

static void
test_resolver_failed(void **state)
{
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	c.own.state = 2;
	c.own.fail = (char *)"rcode SERVFAIL";
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_UNKNOWN);
	assert_true(tp_diags_has(&r.diagnostics, "resolver-failed"));
	assert_int_equal(tp_result_exit_status(&r, 0), TP_EXIT_PENDING);
	tp_result_release(&r);
	c.own.fail = NULL;
	clean(&c);
}

static struct tp_server_result *
servers(struct check_dom *c, size_t n)
{
	c->watched = 1;
	c->confirm.servers = calloc(n, sizeof(*c->confirm.servers));
	c->confirm.nservers = n;
	for (size_t i = 0; i < n; i++) {
		c->confirm.servers[i].address =
		    strdup(i ? "192.0.2.2" : "192.0.2.1");
		c->confirm.servers[i].rcode = TP_DNS_R_NOERROR;
	}
	return c->confirm.servers;
}

/* What a server serves: the printable values and the RRset as served. */
static void
serve(struct tp_server_result *s, const char *v, size_t len)
{
	assert_int_equal(tp_strv_addn(&s->values, v, len), 0);
	assert_int_equal(tp_txtset_add(&s->rrset, v, len), 0);
}

static void
test_servers_disagree(void **state)
{
	struct tp_server_result *s;
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	s = servers(&c, 2);
	s[0].state = TP_SERVER_EXPECTED;
	serve(&s[0], VALUE, strlen(VALUE));
	s[1].state = TP_SERVER_MISSING;
	s[1].rcode = TP_DNS_R_NXDOMAIN;
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_INVALID);
	assert_true(tp_diags_has(&r.diagnostics, "servers-disagree"));
	assert_int_equal(r.confirm.nservers, 2);
	assert_int_equal(r.confirm.status, TP_CONFIRM_NONE);
	tp_result_release(&r);
	clean(&c);

	/* Agreeing servers, one refusing: the lame one is an error. */
	dom(&c);
	s = servers(&c, 2);
	s[0].state = TP_SERVER_EXPECTED;
	serve(&s[0], VALUE, strlen(VALUE));
	s[1].state = TP_SERVER_REFUSED;
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_INVALID);
	assert_true(tp_diags_has(&r.diagnostics, "server-failed"));
	assert_false(tp_diags_has(&r.diagnostics, "servers-disagree"));
	tp_result_release(&r);
	clean(&c);
}

static void
test_unreachable_servers(void **state)
{
	struct tp_server_result *s;
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	s = servers(&c, 2);
	s[0].state = TP_SERVER_EXPECTED;
	serve(&s[0], VALUE, strlen(VALUE));
	s[1].state = TP_SERVER_UNREACHABLE;
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_UNKNOWN);
	assert_true(tp_diags_has(&r.diagnostics, "server-unreachable"));
	tp_result_release(&r);
	clean(&c);

	dom(&c);
	s = servers(&c, 2);
	s[0].state = TP_SERVER_EXPECTED;
	serve(&s[0], VALUE, strlen(VALUE));
	s[1].state = TP_SERVER_UNREACHABLE;
	s[1].excused = 1;
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_VALID);
	assert_true(tp_diags_has(&r.diagnostics, "family-unreachable"));
	tp_result_release(&r);
	clean(&c);

	/* No server answered at all. */
	dom(&c);
	s = servers(&c, 1);
	s[0].state = TP_SERVER_UNREACHABLE;
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_UNKNOWN);
	assert_int_equal(tp_result_exit_status(&r, 0), TP_EXIT_PENDING);
	tp_result_release(&r);
	clean(&c);
}

/* A NUL byte served in the record: the printable values stop at it, the
 * verdict must not (it is a control character, so invalid). */
static void
test_nul_from_servers(void **state)
{
	static const char nul[] = VALUE "\0; x=1";
	struct tp_server_result *s;
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	s = servers(&c, 1);
	s[0].state = TP_SERVER_OLD;
	serve(&s[0], nul, sizeof(nul) - 1);
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_INVALID);
	assert_true(tp_diags_has(&r.diagnostics, "control-char"));
	tp_result_release(&r);
	clean(&c);

	/* Two servers that differ only after the NUL do disagree. */
	dom(&c);
	s = servers(&c, 2);
	s[0].state = s[1].state = TP_SERVER_OLD;
	serve(&s[0], nul, sizeof(nul) - 1);
	serve(&s[1], nul, sizeof(nul) - 2);
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_INVALID);
	assert_true(tp_diags_has(&r.diagnostics, "servers-disagree"));
	tp_result_release(&r);
	clean(&c);
}

/* A CNAME chain that comes back to a name it passed: an error of its
 * own, not "exists but has no TXT record". */
static void
test_cname_loop(void **state)
{
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	tp_strv_add(&c.own.cnames, "a.example.com");
	tp_strv_add(&c.own.cnames, "_smtp._tls.example.com");
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_MISSING);
	assert_true(tp_diags_has(&r.diagnostics, "owner-cname-loop"));
	assert_false(tp_diags_has(&r.diagnostics, "owner-nodata"));
	tp_result_release(&r);
	clean(&c);

	dom(&c);
	tp_strv_add(&c.own.cnames, "a.example.com");
	tp_strv_add(&c.own.cnames, "b.example.com");
	tp_strv_add(&c.own.cnames, "a.example.com");
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_true(tp_diags_has(&r.diagnostics, "owner-cname-loop"));
	tp_result_release(&r);
	clean(&c);

	/* A chain that ends: no loop. */
	dom(&c);
	tp_strv_add(&c.own.cnames, "a.example.com");
	tp_strv_add(&c.own.cnames, "b.example.com");
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_false(tp_diags_has(&r.diagnostics, "owner-cname-loop"));
	assert_true(tp_diags_has(&r.diagnostics, "owner-nodata"));
	tp_result_release(&r);
	clean(&c);
}

/* A wildcard *.DOMAIN serves the owner's record at _smtp-tlsrpt.DOMAIN
 * too: nothing is misplaced. A different record there still is. */
static void
test_wildcard_side_names(void **state)
{
	struct check_dom c;
	struct tp_result r;

	(void)state;
	dom(&c);
	add(&c.own.set, VALUE);
	add(&c.legacy.set, VALUE);
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_VALID);
	assert_false(tp_diags_has(&r.diagnostics, "record-at-legacy-name"));
	tp_result_release(&r);
	clean(&c);

	dom(&c);
	add(&c.own.set, VALUE);
	add(&c.legacy.set, "v=TLSRPTv1; rua=mailto:old@example.com");
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_VALID);
	assert_true(tp_diags_has(&r.diagnostics, "record-at-legacy-name"));
	tp_result_release(&r);
	clean(&c);
}

/* The servers serve only a CNAME into another zone: the record and the
 * whole chain come from the resolver's lookup. */
static void
test_cname_followed_through_resolver(void **state)
{
	struct tp_server_result *s;
	struct check_dom c;
	struct tp_result r;
	size_t i;

	(void)state;
	dom(&c);
	s = servers(&c, 1);
	s[0].state = TP_SERVER_MISSING;
	s[0].cname = strdup("h1.example.net");
	tp_strv_add(&c.own.cnames, "h1.example.net");
	tp_strv_add(&c.own.cnames, "rpt.example.org");
	add(&c.own.set, VALUE);
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_VALID);
	assert_true(tp_diags_has(&r.diagnostics, "owner-cname-followed"));
	for (i = 0; i < r.diagnostics.n; i++)
		if (strcmp(r.diagnostics.v[i].code, "owner-cname") == 0)
			assert_non_null(strstr(r.diagnostics.v[i].message,
			                       "rpt.example.org"));
	assert_true(tp_diags_has(&r.diagnostics, "owner-cname"));
	tp_result_release(&r);
	clean(&c);

	/* The resolver found the chain loops back: so does the result. */
	dom(&c);
	s = servers(&c, 1);
	s[0].state = TP_SERVER_MISSING;
	s[0].cname = strdup("h1.example.net");
	tp_strv_add(&c.own.cnames, "h1.example.net");
	tp_strv_add(&c.own.cnames, "_smtp._tls.example.com");
	assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
	assert_int_equal(r.status, TP_CHECK_MISSING);
	assert_true(tp_diags_has(&r.diagnostics, "owner-cname-loop"));
	tp_result_release(&r);
	clean(&c);
}

static void
test_wait_timeout(void **state)
{
	struct tp_check_opts o = opts;
	struct tp_server_result *s;
	struct check_dom c;
	struct tp_result r;

	(void)state;
	o.wait = 1;
	o.timeout = 5;
	dom(&c);
	s = servers(&c, 1);
	s[0].state = TP_SERVER_MISSING;
	c.confirm.status = TP_CONFIRM_TIMEOUT;
	assert_int_equal(tp_check_eval(&r, &c, &o), 0);
	assert_int_equal(r.status, TP_CHECK_MISSING);
	assert_true(tp_diags_has(&r.diagnostics, "wait-timeout"));
	assert_int_equal(tp_result_exit_status(&r, 0), TP_EXIT_PENDING);
	tp_result_release(&r);
	clean(&c);
}

static void
test_run_usage(void **state)
{
	struct tp_strv doms = TP_STRV_INIT, bad = TP_STRV_INIT;
	struct tp_check_opts o = opts;

	(void)state;
	assert_int_equal(tp_check_run(&o, &doms), TP_EUSAGE);
	tp_strv_add(&doms, "bad domain!");
	assert_int_equal(tp_check_run(&o, &doms), TP_EUSAGE);
	tp_strv_release(&doms);
	tp_strv_add(&doms, "_SMTP._tls.example.com");
	assert_int_equal(tp_check_run(&o, &doms), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "'example.com'"));
	tp_strv_release(&doms);
	tp_strv_add(&doms, "example.com");
	tp_strv_add(&bad, "resolver.example:53");
	o.resolvers = &bad;
	assert_int_equal(tp_check_run(&o, &doms), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "resolver.example"));
	o.resolvers = NULL;
	tp_strv_release(&bad);
	tp_strv_add(&bad, "ftp://example.com/x");
	o.expect_rua = &bad;
	assert_int_equal(tp_check_run(&o, &doms), TP_EUSAGE);
	tp_strv_release(&bad);
	tp_strv_release(&doms);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_with_mta_sts),
	    cmocka_unit_test(test_missing_kinds),
	    cmocka_unit_test(test_cname_and_expect_rua),
	    cmocka_unit_test(test_expect_configured),
	    cmocka_unit_test(test_resolver_failed),
	    cmocka_unit_test(test_servers_disagree),
	    cmocka_unit_test(test_unreachable_servers),
	    cmocka_unit_test(test_nul_from_servers),
	    cmocka_unit_test(test_cname_loop),
	    cmocka_unit_test(test_wildcard_side_names),
	    cmocka_unit_test(test_cname_followed_through_resolver),
	    cmocka_unit_test(test_wait_timeout),
	    cmocka_unit_test(test_run_usage),
	};

	/* tp_check_run reads the config file: never the user's here. */
	unsetenv("TLSRPT_PUBLISH_CONFIG");
	setenv("XDG_CONFIG_HOME", "/nonexistent-test-check", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
