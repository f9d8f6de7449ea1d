/*
 * test_godaddy.c: the GoDaddy wire pieces: names relative to the
 * registered domain, the records and domains answers in the forms the API
 * returns, the PUT body, the domain match, set comparison, retryAfterSec,
 * errors mapped with GoDaddy's code, message and fields, and the
 * descriptor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "../../providers/godaddy/api.h"
#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"

static void
name_is(const char *owner, const char *domain, const char *want)
{
	char *n = NULL;

	assert_int_equal(tp_gd_name(&n, owner, domain), 0);
	assert_string_equal(n, want);
	free(n);
}

static void
test_name(void **state)
{
	char *n = NULL;

	(void)state;
	name_is("_smtp._tls.example.com", "example.com", "_smtp._tls");
	name_is("_smtp._tls.mail.example.com", "example.com",
	        "_smtp._tls.mail");
	name_is("_smtp._tls.a.b.example.co.uk", "example.co.uk",
	        "_smtp._tls.a.b");
	name_is("example.com", "example.com", "@");
	/* A suffix that is not at a label boundary is another domain. */
	assert_int_equal(
	    tp_gd_name(&n, "_smtp._tls.badexample.com", "example.com"),
	    TP_EUSAGE);
	assert_null(n);
	assert_non_null(strstr(tp_err_msg(), "badexample.com"));
}

static struct tp_txt_rrset
parse_ok(const char *body, const char *name)
{
	struct tp_txt_rrset r;

	assert_int_equal(tp_gd_records_parse(&r, body, strlen(body), name), 0);
	return r;
}

static void
test_records_parse(void **state)
{
	struct tp_txt_rrset r;

	(void)state;
	/* As lego's fixture and acme.sh's log show it: raw data, any key
	 * order, TTL per record. */
	r = parse_ok("[{\"data\":\"v=spf1 -all\",\"name\":\"_smtp._tls\","
	             "\"ttl\":1800,\"type\":\"TXT\"},"
	             "{\"name\":\"_smtp._tls\",\"type\":\"TXT\",\"data\":"
	             "\"v=TLSRPTv1; rua=mailto:a@example.com\",\"ttl\":600}]",
	             "_smtp._tls");
	assert_true(r.exists);
	assert_int_equal(r.ttl, 1800);
	assert_int_equal(r.values.n, 2);
	assert_string_equal(r.values.v[0], "v=spf1 -all");
	assert_string_equal(r.values.v[1],
	                    "v=TLSRPTv1; rua=mailto:a@example.com");
	assert_int_equal(r.ids.n, 0);
	tp_txt_rrset_release(&r);

	r = parse_ok("[]", "_smtp._tls");
	assert_false(r.exists);
	assert_int_equal(r.values.n, 0);
	tp_txt_rrset_release(&r);
}

static void
test_records_parse_raw_forms(void **state)
{
	struct tp_txt_rrset r;

	(void)state;
	/* Quotes, backslashes, a leftover " " placeholder, JSON escapes and
	 * UTF-8 are values as written: kept byte for byte. */
	r = parse_ok(
	    "[{\"type\":\"TXT\",\"name\":\"_smtp._tls\",\"data\":"
	    "\"say \\\"hi\\\" \\\\ ;\"},"
	    "{\"type\":\"TXT\",\"name\":\"_smtp._tls\",\"data\":\" \"},"
	    "{\"type\":\"TXT\",\"name\":\"_SMTP._TLS\",\"data\":"
	    "\"caf\\u00e9\\ttab\"}]",
	    "_smtp._tls");
	assert_int_equal(r.values.n, 3);
	assert_string_equal(r.values.v[0], "say \"hi\" \\ ;");
	assert_string_equal(r.values.v[1], " ");
	assert_string_equal(r.values.v[2], "caf\xc3\xa9\ttab");
	assert_false(r.ttl > 0); /* none given */
	tp_txt_rrset_release(&r);
}

static void
test_records_parse_filters(void **state)
{
	struct tp_txt_rrset r;

	(void)state;
	/* Another type or name is not ours, whatever the endpoint said;
	 * entries without data or that are not objects are skipped. */
	r = parse_ok(
	    "[{\"type\":\"A\",\"name\":\"_smtp._tls\",\"data\":"
	    "\"192.0.2.1\"},{\"type\":\"TXT\",\"name\":\"other\","
	    "\"data\":\"x\"},{\"type\":\"TXT\",\"name\":\"_smtp._tls\"},"
	    "7,null,{\"data\":\"kept\",\"ttl\":900}]",
	    "_smtp._tls");
	assert_int_equal(r.values.n, 1);
	assert_string_equal(r.values.v[0], "kept");
	assert_int_equal(r.ttl, 900);
	tp_txt_rrset_release(&r);
}

static void
test_records_parse_errors(void **state)
{
	struct tp_txt_rrset r;
	const char *nul = "[{\"type\":\"TXT\",\"name\":\"n\",\"data\":"
	                  "\"a\\u0000b\"}]";
	const char *lit = "[{\"type\":\"TXT\",\"name\":\"n\",\"data\":"
	                  "\"a\\\\u0000b\"}]";

	(void)state;
	assert_int_equal(tp_gd_records_parse(&r, "{\"code\":\"x\"}", 12, "n"),
	                 TP_ENETWORK);
	assert_int_equal(tp_gd_records_parse(&r, "<html>", 6, "n"),
	                 TP_ENETWORK);
	assert_int_equal(tp_gd_records_parse(&r, NULL, 0, "n"), TP_ENETWORK);
	assert_int_equal(r.values.n, 0);
	/* cJSON would cut the value at the NUL: refused, not shortened. */
	assert_int_equal(tp_gd_records_parse(&r, nul, strlen(nul), "n"),
	                 TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "NUL"));
	/* An escaped backslash followed by "u0000" is plain text. */
	assert_int_equal(tp_gd_records_parse(&r, lit, strlen(lit), "n"), 0);
	assert_string_equal(r.values.v[0], "a\\u0000b");
	tp_txt_rrset_release(&r);
}

static void
test_records_body(void **state)
{
	struct tp_strv v = TP_STRV_INIT;
	struct tp_txt_rrset back;
	const cJSON *item;
	char *s = NULL;
	cJSON *j;

	(void)state;
	assert_int_equal(tp_strv_add(&v, "v=spf1 -all"), 0);
	assert_int_equal(tp_strv_add(&v, "q\"b\\c\x01\xc3\xa9"), 0);
	assert_int_equal(tp_strv_add(&v, ""), 0);
	assert_int_equal(tp_gd_records_body(&s, &v, 600), 0);
	/* DNSRecordCreateTypeName: data and ttl only, raw values. */
	j = cJSON_Parse(s);
	assert_true(cJSON_IsArray(j));
	assert_int_equal(cJSON_GetArraySize(j), 3);
	cJSON_ArrayForEach(item, j)
	{
		assert_int_equal(cJSON_GetArraySize(item), 2);
		assert_true(cJSON_IsString(
		    cJSON_GetObjectItemCaseSensitive(item, "data")));
		assert_int_equal(
		    cJSON_GetObjectItemCaseSensitive(item, "ttl")->valueint,
		    600);
	}
	assert_non_null(strstr(s, "\"ttl\":600"));
	assert_null(strstr(s, "600."));
	cJSON_Delete(j);
	/* What GoDaddy would return reads back to the same values. */
	assert_int_equal(tp_gd_records_parse(&back, s, strlen(s), "x"), 0);
	assert_int_equal(back.values.n, 3);
	assert_true(tp_gd_same_values(&back.values, &v));
	assert_string_equal(back.values.v[1], v.v[1]);
	tp_txt_rrset_release(&back);
	free(s);
	/* A TTL not known (0) is left for GoDaddy to pick. */
	assert_int_equal(tp_gd_records_body(&s, &v, 0), 0);
	assert_null(strstr(s, "ttl"));
	assert_non_null(strstr(s, "{\"data\":\"v=spf1 -all\"}"));
	free(s);
	tp_strv_release(&v);
}

static void
test_domains_parse_and_match(void **state)
{
	struct tp_strv d = TP_STRV_INIT;
	const char *page = "[{\"domain\":\"Example.COM\",\"status\":\"ACTIVE\","
	                   "\"domainId\":1},{\"domain\":\"sub.example.com\"},"
	                   "{\"status\":\"ACTIVE\"},{\"domain\":\"example.co.uk"
	                   ".\"},{\"domain\":7}]";
	size_t entries = 0;

	(void)state;
	assert_int_equal(tp_gd_domains_parse(&d, &entries, page, strlen(page)),
	                 0);
	assert_int_equal(entries, 5);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0], "example.com");
	assert_string_equal(d.v[2], "example.co.uk");
	/* The longest domain holding the name wins. */
	assert_string_equal(
	    tp_gd_domain_match(&d, "_smtp._tls.mail.example.com"),
	    "example.com");
	assert_string_equal(tp_gd_domain_match(&d, "x.sub.example.com"),
	                    "sub.example.com");
	assert_string_equal(tp_gd_domain_match(&d, "example.com"),
	                    "example.com");
	assert_string_equal(tp_gd_domain_match(&d, "mail.example.co.uk"),
	                    "example.co.uk");
	assert_null(tp_gd_domain_match(&d, "badexample.com"));
	assert_null(tp_gd_domain_match(&d, "co.uk"));
	assert_int_equal(tp_gd_domains_parse(&d, &entries, "{}", 2),
	                 TP_ENETWORK);
	assert_int_equal(entries, 0);
	tp_strv_release(&d);
}

static void
test_same_values(void **state)
{
	struct tp_strv a = TP_STRV_INIT, b = TP_STRV_INIT;

	(void)state;
	assert_true(tp_gd_same_values(&a, &b));
	tp_strv_add(&a, "x");
	tp_strv_add(&a, "y");
	tp_strv_add(&a, "x");
	tp_strv_add(&b, "y");
	tp_strv_add(&b, "x");
	assert_false(tp_gd_same_values(&a, &b));
	tp_strv_add(&b, "y");
	/* Same count, different multiplicities. */
	assert_false(tp_gd_same_values(&a, &b));
	tp_strv_release(&b);
	tp_strv_add(&b, "x");
	tp_strv_add(&b, "x");
	tp_strv_add(&b, "y");
	assert_true(tp_gd_same_values(&a, &b));
	tp_strv_release(&a);
	tp_strv_release(&b);
}

static void
test_retry_after(void **state)
{
	const char *b =
	    "{\"code\":\"TOO_MANY_REQUESTS\",\"message\":\"Too many "
	    "requests received within interval\","
	    "\"retryAfterSec\":7}";

	(void)state;
	assert_true(tp_gd_retry_after(b, strlen(b)) == 7.0);
	assert_true(tp_gd_retry_after("{\"retryAfterSec\":0}", 19) == 0.0);
	assert_true(tp_gd_retry_after("{\"retryAfterSec\":-3}", 20) < 0);
	assert_true(tp_gd_retry_after("{\"retryAfterSec\":\"7\"}", 21) < 0);
	assert_true(tp_gd_retry_after("{\"code\":\"X\"}", 12) < 0);
	assert_true(tp_gd_retry_after("<html>", 6) < 0);
	assert_true(tp_gd_retry_after(NULL, 0) < 0);
}

static int
map(long status, const char *body)
{
	return tp_gd_api_error(status, body, body ? strlen(body) : 0,
	                       "reading the TXT records at '_smtp._tls' in "
	                       "'example.com'",
	                       "production (https://api.godaddy.com)");
}

static void
test_error_401(void **state)
{
	struct tp_error e;

	(void)state;
	assert_int_equal(map(401,
	                     "{\"code\":\"UNABLE_TO_AUTHENTICATE\","
	                     "\"message\":\"Unauthorized : Could not "
	                     "authenticate API key/secret\"}"),
	                 TP_EAUTH);
	assert_non_null(strstr(tp_err_msg(),
	                       "(HTTP 401, UNABLE_TO_AUTHENTICATE Unauthorized "
	                       ": Could not authenticate API key/secret)"));
	assert_non_null(strstr(tp_err_msg(), "GODADDY_API_KEY"));
	assert_non_null(strstr(tp_err_msg(), "OTE"));
	assert_non_null(strstr(tp_err_msg(), "production (https://api."));
	assert_int_equal(strncmp(tp_err_msg(), "godaddy: reading", 16), 0);
	assert_int_equal(tp_err_copy(&e), 0);
	assert_int_equal(e.http_status, 401);
	assert_string_equal(e.provider_code, "UNABLE_TO_AUTHENTICATE");
	assert_string_equal(e.provider_message,
	                    "UNABLE_TO_AUTHENTICATE Unauthorized : Could not "
	                    "authenticate API key/secret");
	tp_error_release(&e);
}

static void
test_error_access_denied(void **state)
{
	const char *msg;

	(void)state;
	assert_int_equal(map(403,
	                     "{\"code\":\"ACCESS_DENIED\",\"message\":"
	                     "\"Authenticated user is not allowed "
	                     "access\"}"),
	                 TP_EAUTH);
	msg = tp_err_msg();
	/* Our explanation first, GoDaddy's words verbatim, then advice that
	 * does not send the user after a new key. */
	assert_true(strstr(msg, "does not let this account use the API") <
	            strstr(msg,
	                   "ACCESS_DENIED Authenticated user is not "
	                   "allowed access"));
	assert_non_null(strstr(msg, "10 or more domains"));
	assert_non_null(strstr(msg, "Discount Domain Club"));
	assert_non_null(strstr(msg, "another key will not help"));
	assert_int_equal(map(403, "{\"code\":\"FORBIDDEN\"}"), TP_EAUTH);
	assert_null(strstr(tp_err_msg(), "Discount Domain Club"));
}

static void
test_error_fields(void **state)
{
	(void)state;
	assert_int_equal(
	    map(422,
	        "{\"code\":\"INVALID_BODY\",\"fields\":[{\"code\":"
	        "\"UNKNOWN_RESTRICTION\",\"message\":\"must have a "
	        "minimum value of 600\",\"path\":\"records[0].ttl\"}],"
	        "\"message\":\"Request body doesn't fulfill schema, see "
	        "details in `fields`\"}"),
	    TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(),
	                       "INVALID_BODY Request body doesn't fulfill "
	                       "schema, see details in `fields`; "
	                       "records[0].ttl: UNKNOWN_RESTRICTION must have "
	                       "a minimum value of 600"));
}

static void
test_error_path_related(void **state)
{
	(void)state;
	/* lego's fixture: every ErrorField member, shown verbatim. */
	assert_int_equal(map(403,
	                     "{\"code\":\"ACCESS_DENIED\",\"fields\":"
	                     "[{\"code\":\"test\",\"message\":"
	                     "\"content\",\"path\":\"/foo\","
	                     "\"pathRelated\":\"/bar\"}],\"message\":"
	                     "\"Authenticated user is not allowed "
	                     "access\"}"),
	                 TP_EAUTH);
	assert_non_null(
	    strstr(tp_err_msg(),
	           "ACCESS_DENIED Authenticated user is not allowed "
	           "access; /foo (/bar): test content)"));
}

static void
test_error_kinds(void **state)
{
	(void)state;
	assert_int_equal(map(404,
	                     "{\"code\":\"UNKNOWN_DOMAIN\",\"message\":"
	                     "\"The given domain is not registered, or "
	                     "does not have a zone file\"}"),
	                 TP_ENOTFOUND);
	assert_non_null(strstr(tp_err_msg(), "--zone-id"));
	assert_int_equal(map(404,
	                     "{\"code\":\"NOT_FOUND\",\"message\":"
	                     "\"Domain auth.example.com not found for "
	                     "shopper\"}"),
	                 TP_ENOTFOUND);
	assert_int_equal(map(409, "{\"code\":\"X\"}"), TP_EAUTH);
	assert_int_equal(map(429,
	                     "{\"code\":\"TOO_MANY_REQUESTS\","
	                     "\"retryAfterSec\":30}"),
	                 TP_ERATELIMIT);
	assert_non_null(strstr(tp_err_msg(), "60 requests per minute"));
	assert_int_equal(map(500, "{\"code\":\"INTERNAL_SERVER_ERROR\"}"),
	                 TP_ENETWORK);
	assert_int_equal(map(503, "<html>busy</html>"), TP_ENETWORK);
	assert_non_null(strstr(tp_err_msg(),
	                       "HTTP 503, no error in the "
	                       "answer"));
	assert_int_equal(map(400, NULL), TP_EINTERNAL);
	assert_int_equal(map(418, "[1,2]"), TP_EINTERNAL);
}

static void
test_init(void **state)
{
	struct tp_gd_api api;

	(void)state;
	assert_int_equal(
	    tp_gd_api_init(&api, NULL, "k", "s", NULL, NULL, NULL, NULL), 0);
	assert_string_equal(api.base, TP_GD_URL_PRODUCTION);
	assert_string_equal(api.auth, "sso-key k:s");
	assert_null(api.shopper);
	tp_gd_api_release(&api);
	assert_int_equal(
	    tp_gd_api_init(&api, NULL, "k", "s:t", "OTE", NULL, NULL, "123"),
	    0);
	assert_string_equal(api.base, TP_GD_URL_OTE);
	assert_non_null(strstr(api.where, "OTE"));
	assert_string_equal(api.shopper, "123");
	tp_gd_api_release(&api);
	assert_int_equal(tp_gd_api_init(&api, NULL, "k", "s", "ote",
	                                "https://127.0.0.1:8443///", "env",
	                                NULL),
	                 0);
	assert_string_equal(api.base, "https://127.0.0.1:8443");
	tp_gd_api_release(&api);
	assert_int_equal(
	    tp_gd_api_init(&api, NULL, "k", "s", "staging", NULL, NULL, NULL),
	    TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "'staging'"));
	assert_int_equal(tp_gd_api_init(&api, NULL, "k", "s", NULL,
	                                "http://127.0.0.1:1", "GODADDY_API_URL",
	                                NULL),
	                 TP_ECONFIG);
	assert_int_equal(
	    tp_gd_api_init(&api, NULL, "k:x", "s", NULL, NULL, NULL, NULL),
	    TP_ECONFIG);
	assert_int_equal(tp_gd_api_init(&api, NULL, "k", "s\r\nX: y", NULL,
	                                NULL, NULL, NULL),
	                 TP_ECONFIG);
	/* A secret is never quoted back. */
	assert_null(strstr(tp_err_msg(), "X: y"));
	assert_int_equal(
	    tp_gd_api_init(&api, NULL, "", "s", NULL, NULL, NULL, NULL),
	    TP_ECONFIG);
	assert_null(api.auth);
}

static void
test_url(void **state)
{
	struct tp_buf b = TP_BUF_INIT(1024);
	struct tp_gd_api api;

	(void)state;
	assert_int_equal(tp_gd_api_init(&api, NULL, "k", "s", NULL,
	                                "https://h:1/", NULL, NULL),
	                 0);
	tp_gd_url(&b, &api, "example.com", "_smtp._tls.mail");
	assert_string_equal(b.s,
	                    "https://h:1/v1/domains/example.com/records/"
	                    "TXT/_smtp._tls.mail");
	tp_buf_reset(&b);
	tp_gd_url(&b, &api, "exa/mple?.com", "@");
	assert_string_equal(b.s,
	                    "https://h:1/v1/domains/exa%2Fmple%3F.com/"
	                    "records/TXT/%40");
	tp_buf_reset(&b);
	tp_gd_url(&b, &api, NULL, NULL);
	assert_string_equal(b.s, "https://h:1/v1/domains");
	tp_buf_release(&b);
	tp_gd_api_release(&api);
}

static void
test_descriptor(void **state)
{
	const struct tp_provider *p = tp_provider_find("godaddy");
	size_t i, secrets = 0;

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->version, TP_PROVIDER_VERSION);
	for (i = 0; i < p->nsettings; i++)
		if (p->settings[i].flags & TP_SETTING_SECRET) {
			secrets++;
			assert_null(p->settings[i].flag);
		}
	assert_int_equal(secrets, 2);
	assert_non_null(tp_provider_find_flag("godaddy-env", NULL));
	assert_non_null(tp_provider_find_flag("godaddy-clamp-ttl", NULL));
	assert_true(p->rate * 60 + p->burst <= 60);
	assert_int_equal(tp_provider_check_ttl(p, 600, "--ttl"), 0);
	assert_int_equal(tp_provider_check_ttl(p, 599, "--ttl"), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "600"));
	assert_int_equal(tp_provider_check_ttl(p, 1, "--ttl"), TP_EUSAGE);
	assert_non_null(p->find_zone);
	assert_non_null(p->list_zones);
	assert_null(p->wait_change);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_records_parse),
	    cmocka_unit_test(test_records_parse_raw_forms),
	    cmocka_unit_test(test_records_parse_filters),
	    cmocka_unit_test(test_records_parse_errors),
	    cmocka_unit_test(test_records_body),
	    cmocka_unit_test(test_domains_parse_and_match),
	    cmocka_unit_test(test_same_values),
	    cmocka_unit_test(test_retry_after),
	    cmocka_unit_test(test_error_401),
	    cmocka_unit_test(test_error_access_denied),
	    cmocka_unit_test(test_error_fields),
	    cmocka_unit_test(test_error_path_related),
	    cmocka_unit_test(test_error_kinds),
	    cmocka_unit_test(test_init),
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
