/*
 * test_check_dest.c: the pure part of check's destination checks
 * (check_dest.c): which domains a record's destinations deliver to,
 * which of them lie outside the policy domain, the verdict of their
 * lookups and the diagnostics; plus tp_uri_mailto_each underneath, and
 * that check_eval marks the record senders use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/check_int.h"
#include "../../core/uri.h"
#include "tlsrpt/err.h"

static void
test_dest_list(void **state)
{
	struct check_destv v;

	(void)state;
	assert_int_equal(
	    tp_check_dest_list(
	        &v,
	        "v=TLSRPTv1; rua=mailto:a@Reports.Example.NET,"
	        "mailto:b@reports.example.net,https://Collector.example.org"
	        ":8443/v1,mailto:c@example.com%2Cd@mx.example.com,"
	        "https://192.0.2.1/x,mailto:e@[192.0.2.2],"
	        "mailto:f@example.com.,mailto:?to=g@to.example.com"),
	    0);
	assert_int_equal(v.n, 5);
	assert_int_equal(v.v[0].kind, CHECK_DEST_MAIL);
	assert_string_equal(v.v[0].name, "reports.example.net");
	assert_string_equal(v.v[0].uri, "mailto:a@Reports.Example.NET");
	assert_int_equal(v.v[1].kind, CHECK_DEST_HTTPS);
	assert_string_equal(v.v[1].name, "collector.example.org");
	assert_string_equal(v.v[2].name, "example.com");
	assert_string_equal(v.v[3].name, "mx.example.com");
	assert_string_equal(v.v[3].uri,
	                    "mailto:c@example.com%2Cd@mx.example.com");
	assert_string_equal(v.v[4].name, "to.example.com");
	tp_check_destv_release(&v);
	tp_check_destv_release(&v); /* twice is harmless */
	/* The same name as a mail domain and as an https host: both kept. */
	assert_int_equal(tp_check_dest_list(&v,
	                                    "v=TLSRPTv1; rua=mailto:a@"
	                                    "r.example,https://r.example/"),
	                 0);
	assert_int_equal(v.n, 2);
	assert_int_not_equal(v.v[0].kind, v.v[1].kind);
	tp_check_destv_release(&v);
	/* Nothing usable: nothing to look at. */
	assert_int_equal(
	    tp_check_dest_list(&v, "v=TLSRPTv1; rua=http://r.example/"), 0);
	assert_int_equal(v.n, 0);
	tp_check_destv_release(&v);
}

static int
count_addr(void *arg, const char *addr, size_t len)
{
	(*(int *)arg)++;
	return len == 4 && memcmp(addr, "stop", 4) == 0 ? 7 : 0;
}

static void
test_mailto_each(void **state)
{
	static const char s[] = "mailto:a@x%2Cb@y?subject=1&TO=c@z&to=stop";
	struct tp_uri_problem p;
	struct tp_uri u;
	int n = 0;

	(void)state;
	assert_true(tp_uri_check(&u, s, strlen(s), TP_URI_TLSRPT, &p));
	assert_int_equal(tp_uri_mailto_each(s, &u, count_addr, &n), 7);
	assert_int_equal(n, 4); /* a@x, b@y, c@z, then stop */
}

static void
test_related(void **state)
{
	(void)state;
	assert_true(tp_check_dest_related("example.com", "example.com"));
	assert_true(
	    tp_check_dest_related("example.com", "Reports.example.com"));
	assert_true(tp_check_dest_related("mail.example.com", "example.com"));
	assert_true(
	    tp_check_dest_related("mail.example.com", "reports.example.com"));
	assert_true(tp_check_dest_related("a.b.example.com", "example.com"));
	assert_false(tp_check_dest_related("example.com", "example.net"));
	assert_false(tp_check_dest_related("example.com", "badexample.com"));
	assert_false(tp_check_dest_related("example.com", "com"));
	assert_false(
	    tp_check_dest_related("mail.example.com", "reports.example.net"));
	/* By name only: a sibling under a two-label public suffix counts
	 * (no public suffix list), a deeper cousin does not. */
	assert_true(tp_check_dest_related("example.co.uk", "other.co.uk"));
	assert_false(tp_check_dest_related("a.b.example.com", "c.example.com"));
}

static void
name_init(struct check_dname *n, enum check_ans mx, enum check_ans a,
          enum check_ans aaaa)
{
	memset(n, 0, sizeof(*n));
	n->name = (char *)"r.example";
	n->mx = mx;
	n->a = a;
	n->aaaa = aaaa;
}

static void
test_verdict(void **state)
{
	struct check_dname n;

	(void)state;
	name_init(&n, CHECK_ANS_DATA, CHECK_ANS_NODATA, CHECK_ANS_NODATA);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_MAIL),
	                 CHECK_DEST_OK);
	n.null_mx = 1;
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_MAIL),
	                 CHECK_DEST_NULL_MX);
	/* No MX: the address is the MX (RFC 5321 §5.1). */
	name_init(&n, CHECK_ANS_NODATA, CHECK_ANS_NODATA, CHECK_ANS_DATA);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_MAIL),
	                 CHECK_DEST_OK);
	name_init(&n, CHECK_ANS_NODATA, CHECK_ANS_NODATA, CHECK_ANS_NODATA);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_MAIL),
	                 CHECK_DEST_NO_MAIL);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_HTTPS),
	                 CHECK_DEST_NO_ADDRESS);
	name_init(&n, CHECK_ANS_NODATA, CHECK_ANS_FAILED, CHECK_ANS_NODATA);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_MAIL),
	                 CHECK_DEST_UNKNOWN);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_HTTPS),
	                 CHECK_DEST_UNKNOWN);
	name_init(&n, CHECK_ANS_NODATA, CHECK_ANS_PENDING, CHECK_ANS_NODATA);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_MAIL),
	                 CHECK_DEST_PENDING);
	name_init(&n, CHECK_ANS_NXDOMAIN, CHECK_ANS_NXDOMAIN,
	          CHECK_ANS_NXDOMAIN);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_MAIL),
	                 CHECK_DEST_NXDOMAIN);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_HTTPS),
	                 CHECK_DEST_NXDOMAIN);
	/* A failed MX lookup decides nothing, whatever the addresses say. */
	name_init(&n, CHECK_ANS_FAILED, CHECK_ANS_DATA, CHECK_ANS_DATA);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_MAIL),
	                 CHECK_DEST_UNKNOWN);
	assert_int_equal(tp_check_dest_verdict(&n, CHECK_DEST_HTTPS),
	                 CHECK_DEST_OK);
}

static const struct tp_diag *
find(const struct tp_result *r, const char *code, size_t nth)
{
	size_t i;

	for (i = 0; i < r->diagnostics.n; i++)
		if (strcmp(r->diagnostics.v[i].code, code) == 0 && nth-- == 0)
			return &r->diagnostics.v[i];
	return NULL;
}

static void
test_diags(void **state)
{
	struct check_dname mail, web, gone, down;
	const struct check_dname *names[5];
	struct check_destv v;
	struct tp_result r;
	const struct tp_diag *d;

	(void)state;
	assert_int_equal(
	    tp_check_dest_list(&v,
	                       "v=TLSRPTv1; rua=mailto:a@mx.example.com,"
	                       "mailto:b@null.example.net,https://"
	                       "null.example.net/r,mailto:c@gone.example,"
	                       "mailto:d@down.example"),
	    0);
	assert_int_equal(v.n, 5);
	name_init(&mail, CHECK_ANS_DATA, CHECK_ANS_NODATA, CHECK_ANS_NODATA);
	/* null.example.net: a null MX, but an address for its https. */
	name_init(&web, CHECK_ANS_DATA, CHECK_ANS_DATA, CHECK_ANS_NODATA);
	web.null_mx = 1;
	name_init(&gone, CHECK_ANS_NXDOMAIN, CHECK_ANS_NXDOMAIN,
	          CHECK_ANS_NXDOMAIN);
	name_init(&down, CHECK_ANS_FAILED, CHECK_ANS_FAILED, CHECK_ANS_FAILED);
	down.why = (char *)"MX: timeout";
	names[0] = &mail;
	names[1] = names[2] = &web;
	names[3] = &gone;
	names[4] = &down;
	tp_result_init(&r, TP_RESULT_CHECK);
	r.status = TP_CHECK_VALID;
	assert_int_equal(tp_check_dest_diags(&r, "example.com", &v, names), 0);
	assert_int_equal(r.status, TP_CHECK_VALID);
	/* Three names outside example.com, one info each. */
	assert_non_null(d = find(&r, "rua-other-domain", 2));
	assert_null(find(&r, "rua-other-domain", 3));
	assert_int_equal(d->severity, TP_SEV_INFO);
	assert_non_null(d = find(&r, "rua-null-mx", 0));
	assert_int_equal(d->severity, TP_SEV_WARNING);
	assert_non_null(strstr(d->message, "mailto:b@null.example.net"));
	/* The https host has addresses: nothing about it. */
	assert_null(find(&r, "rua-host-unresolved", 0));
	assert_non_null(d = find(&r, "rua-undeliverable", 0));
	assert_non_null(strstr(d->message, "NXDOMAIN"));
	assert_null(find(&r, "rua-undeliverable", 1));
	assert_non_null(d = find(&r, "rua-dest-unchecked", 0));
	assert_int_equal(d->severity, TP_SEV_INFO);
	assert_non_null(strstr(d->message, "MX: timeout"));
	assert_int_equal(tp_diags_count(&r.diagnostics, TP_SEV_ERROR), 0);
	tp_result_release(&r);
	/* Not looked up (names NULL): only the offline info. */
	tp_result_init(&r, TP_RESULT_CHECK);
	assert_int_equal(tp_check_dest_diags(&r, "example.com", &v, NULL), 0);
	assert_int_equal(r.diagnostics.n, 3);
	tp_result_release(&r);
	/* An https host without address. */
	name_init(&web, CHECK_ANS_NONE, CHECK_ANS_NODATA, CHECK_ANS_NODATA);
	names[2] = &web;
	names[1] = &mail;
	tp_result_init(&r, TP_RESULT_CHECK);
	assert_int_equal(tp_check_dest_diags(&r, "example.net", &v, names), 0);
	assert_non_null(find(&r, "rua-host-unresolved", 0));
	assert_null(find(&r, "rua-null-mx", 0));
	tp_result_release(&r);
	tp_check_destv_release(&v);
}

static char *
slurp(const char *path)
{
	char *s = calloc(1, 1 << 20);
	size_t n = 0;
	FILE *f;

	if (s == NULL || (f = fopen(path, "rb")) == NULL) {
		free(s);
		return NULL;
	}
	n = fread(s, 1, (1 << 20) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* Every code the destination checks can give is documented where users
 * look: docs/diagnostics.md and the man page's DIAGNOSTICS table. */
static void
test_codes_documented(void **state)
{
	struct check_dname n[5];
	const struct check_dname *names[5];
	struct check_destv v;
	struct tp_result r;
	char *md, *man, needle[80];
	size_t i;

	(void)state;
	assert_int_equal(
	    tp_check_dest_list(&v,
	                       "v=TLSRPTv1; rua=mailto:a@null.example.net,"
	                       "mailto:b@gone.example.net,https://"
	                       "nohost.example.net/,mailto:c@down.example.net"),
	    0);
	name_init(&n[0], CHECK_ANS_DATA, CHECK_ANS_NODATA, CHECK_ANS_NODATA);
	n[0].null_mx = 1;
	name_init(&n[1], CHECK_ANS_NODATA, CHECK_ANS_NODATA, CHECK_ANS_NODATA);
	name_init(&n[2], CHECK_ANS_NONE, CHECK_ANS_NODATA, CHECK_ANS_NODATA);
	name_init(&n[3], CHECK_ANS_FAILED, CHECK_ANS_FAILED, CHECK_ANS_FAILED);
	for (i = 0; i < 4; i++)
		names[i] = &n[i];
	tp_result_init(&r, TP_RESULT_CHECK);
	assert_int_equal(tp_check_dest_diags(&r, "example.com", &v, names), 0);
	md = slurp("docs/diagnostics.md");
	man = slurp("docs/tlsrpt-publish.1");
	assert_non_null(md);
	assert_non_null(man);
	assert_int_equal(r.diagnostics.n, 4 + 4); /* 4 other-domain */
	for (i = 0; i < r.diagnostics.n; i++) {
		(void)snprintf(needle, sizeof(needle), "`%s`",
		               r.diagnostics.v[i].code);
		if (strstr(md, needle) == NULL)
			fail_msg("docs/diagnostics.md lacks %s", needle);
		(void)snprintf(needle, sizeof(needle), "\n%s\t",
		               r.diagnostics.v[i].code);
		if (strstr(man, needle) == NULL)
			fail_msg("the man page's DIAGNOSTICS lacks %s",
			         r.diagnostics.v[i].code);
	}
	assert_non_null(find(&r, "rua-host-unresolved", 0));
	assert_non_null(find(&r, "rua-dest-unchecked", 0));
	free(md);
	free(man);
	tp_result_release(&r);
	tp_check_destv_release(&v);
}

/* check_eval marks the record senders use, and only that one. */
static void
test_eval_marks_record(void **state)
{
	static const struct tp_check_opts opts;
	struct check_dom c;
	struct tp_result r;
	static const char *const rrsets[][2] = {
	    {"v=TLSRPTv1; rua=mailto:a@example.com", NULL},
	    {"v=TLSRPTv1; rua=mailto:a@example.com",
	     "v=TLSRPTv1; rua=mailto:b@example.com"},
	    {"v=TLSRPTv1; rua=ftp://example.com/", NULL},
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < 3; i++) {
		memset(&c, 0, sizeof(c));
		c.domain = (char *)"example.com";
		c.owner = (char *)"_smtp._tls.example.com";
		c.legacy_name = (char *)"_smtp-tlsrpt.example.com";
		c.sts_name = (char *)"_mta-sts.example.com";
		c.own.state = c.apex.state = c.legacy.state = c.sts.state = 1;
		for (k = 0; k < 2 && rrsets[i][k] != NULL; k++)
			assert_int_equal(tp_txtset_add(&c.own.set, rrsets[i][k],
			                               strlen(rrsets[i][k])),
			                 0);
		assert_int_equal(tp_check_eval(&r, &c, &opts), 0);
		assert_int_equal(c.rrset_valid, i == 0);
		assert_int_equal(r.status == TP_CHECK_VALID, i == 0);
		tp_result_release(&r);
		tp_txtset_release(&c.own.set);
		tp_strv_release(&c.own.cnames);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dest_list),
	    cmocka_unit_test(test_mailto_each),
	    cmocka_unit_test(test_related),
	    cmocka_unit_test(test_verdict),
	    cmocka_unit_test(test_diags),
	    cmocka_unit_test(test_eval_marks_record),
	    cmocka_unit_test(test_codes_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
