/*
 * test_uri.c: the RFC 3986 URI checker production by production, the
 * IPv4/IPv6 grammars at their boundaries, RFC 5322 addr-specs, and the
 * RFC 8460 reading of mailto:/https: destinations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/uri.h"

static int
valid(const char *s, int flags)
{
	struct tp_uri u;
	struct tp_uri_problem p;

	return tp_uri_check(&u, s, strlen(s), flags, &p);
}

/* The first problem's code, or "" when valid. */
static const char *
code(const char *s)
{
	static struct tp_uri_problem p;
	struct tp_uri u;

	if (tp_uri_check(&u, s, strlen(s), TP_URI_TLSRPT, &p))
		return "";
	return p.code;
}

static void
test_valid_uris(void **state)
{
	static const char *const ok[] = {
	    "mailto:a@example.com",
	    "x:",          /* path-empty */
	    "x:/",         /* path-absolute */
	    "x:/a//b",     /* path-absolute with an empty segment */
	    "x:a:b/c",     /* path-rootless, ':' in a segment */
	    "a+b-c.d:x",   /* scheme characters */
	    "https://h",   /* path-abempty, empty */
	    "https://h/",  /* path-abempty */
	    "https://h:/", /* empty port */
	    "https://h:8443/p?q#f",
	    "https://user:pw@h/", /* userinfo with ':' */
	    "https://@h/",        /* empty userinfo */
	    "https:///p",         /* empty reg-name */
	    "https://[::1]/",
	    "https://[2001:db8::8:800:200c:417a]/",
	    "https://[1:2:3:4:5:6:7:8]/",
	    "https://[::ffff:192.0.2.1]:443/",
	    "https://[v1.fe80::a+b]/",
	    "https://[V7.x]/",
	    "https://h/%41%2f%2F",
	    "https://h/?a=b&c=d/?",
	    "https://h/#f/?:@",
	    "https://h/!$&'()*+,;=", /* sub-delims (not under TP_URI_TLSRPT) */
	    "https://h/~-._",
	    "mailto:?",
	    "mailto:#",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!valid(ok[i], 0))
			fail_msg("'%s' should be a valid URI (%s)", ok[i],
			         code(ok[i]));
}

static void
test_invalid_uris(void **state)
{
	static const struct {
		const char *uri, *code;
	} bad[] = {
	    {"", "uri-no-scheme"},
	    {":x", "uri-no-scheme"},
	    {"1x:y", "uri-no-scheme"},
	    {"example.com", "uri-no-scheme"},
	    {"a@example.com", "uri-bare-address"},
	    {"m\xc3\xa4ilto:x", "non-ascii"},
	    {"mai_lto:x", "uri-invalid-char"},
	    {"\"mailto:a@b\"", "quote-char"},
	    {"<mailto:a@b>", "uri-angle-brackets"},
	    {"mailto:a@b>", "uri-angle-brackets"},
	    {"mailto:a b", "uri-raw-space"},
	    {"mailto:a\tb", "uri-raw-space"},
	    {"mailto:a\rb", "crlf"},
	    {"mailto:a\x01", "control-char"},
	    {"mailto:a\x7f", "control-char"},
	    {"mailto:a@b%", "uri-bad-percent"},
	    {"mailto:a@b%4", "uri-bad-percent"},
	    {"mailto:a@b%4g", "uri-bad-percent"},
	    {"https://h/%", "uri-bad-percent"},
	    {"https://h/?%x1", "uri-bad-percent"},
	    {"https://h/a^b", "uri-invalid-char"},
	    {"https://h/a`b", "uri-invalid-char"},
	    {"https://h/a{b}", "uri-invalid-char"},
	    {"https://h/a[b]", "uri-invalid-char"},
	    {"https://h/a\\b", "uri-invalid-char"},
	    {"https://h/#a#b", "uri-invalid-char"},
	    {"https://h[/", "uri-invalid-char"},
	    {"https://a@b@h/", "uri-invalid-char"},
	    {"https://us er@h/", "uri-raw-space"},
	    {"https://h:80a/", "uri-bad-port"},
	    {"https://h:-1/", "uri-bad-port"},
	    {"https://[::1/", "uri-bad-host"},
	    {"https://[::1]x/", "uri-bad-host"},
	    {"https://[1::2::3]/", "uri-bad-host"},
	    {"https://[1:2:3:4:5:6:7:8:9]/", "uri-bad-host"},
	    {"https://[1:2:3:4:5:6:7]/", "uri-bad-host"},
	    {"https://[12345::]/", "uri-bad-host"},
	    {"https://[:1::]/", "uri-bad-host"},
	    {"https://[1:]/", "uri-bad-host"},
	    {"https://[::256.1.1.1]/", "uri-bad-host"},
	    {"https://[::1.2.3]/", "uri-bad-host"},
	    {"https://[fe80::1%25en0]/", "uri-bad-host"},
	    {"https://[v1]/", "uri-bad-host"},
	    {"https://[v.x]/", "uri-bad-host"},
	    {"https://[vg.x]/", "uri-bad-host"},
	    {"https://[]/", "uri-bad-host"},
	    {"mailto:a@b!10m", "uri-unencoded-bang"},
	    {"mailto:a!b@c", "uri-unencoded-bang"},
	    {"mailto:a,b", "uri-unencoded-comma"},
	    {"https://h/a;b", "uri-unencoded-semicolon"},
	    {"https://a!b@h/", "uri-unencoded-bang"},
	    {"https://[v1.a!]/", "uri-unencoded-bang"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(code(bad[i].uri), bad[i].code) != 0)
			fail_msg("'%s': expected %s, got '%s'", bad[i].uri,
			         bad[i].code, code(bad[i].uri));
	/* Without the RFC 8460 flag the sub-delims are plain URI text. */
	assert_true(valid("mailto:a,b!c;d", 0));
}

static void
test_spans(void **state)
{
	static const char s[] = "https://u:p@[::1]:8443/a/b?q=1#frag";
	struct tp_uri u;
	struct tp_uri_problem p;

	(void)state;
	assert_true(tp_uri_check(&u, s, strlen(s), 0, &p));
	assert_int_equal(u.scheme.len, 5);
	assert_true(u.has_authority);
	assert_memory_equal(s + u.userinfo.off, "u:p", 3);
	assert_int_equal(u.host_kind, TP_URI_HOST_IPV6);
	assert_memory_equal(s + u.host.off, "::1", 3);
	assert_int_equal(u.host.len, 3);
	assert_memory_equal(s + u.port.off, "8443", 4);
	assert_memory_equal(s + u.path.off, "/a/b", 4);
	assert_int_equal(u.path.len, 4);
	assert_memory_equal(s + u.query.off, "q=1", 3);
	assert_memory_equal(s + u.fragment.off, "frag", 4);
	assert_true(tp_uri_check(&u, "https://192.0.2.1", 17, 0, &p));
	assert_int_equal(u.host_kind, TP_URI_HOST_IPV4);
	assert_true(tp_uri_check(&u, "https://192.0.2.256", 19, 0, &p));
	assert_int_equal(u.host_kind, TP_URI_HOST_REG);
	assert_true(tp_uri_check(&u, "mailto:x", 8, 0, &p));
	assert_false(u.has_authority);
	assert_int_equal(u.host_kind, TP_URI_HOST_NONE);
}

static void
test_ip_grammars(void **state)
{
	(void)state;
	assert_true(tp_uri_ipv4_ok("0.0.0.0", 7));
	assert_true(tp_uri_ipv4_ok("255.255.255.255", 15));
	assert_false(tp_uri_ipv4_ok("256.1.1.1", 9));
	assert_false(tp_uri_ipv4_ok("01.1.1.1", 8));
	assert_false(tp_uri_ipv4_ok("1.1.1", 5));
	assert_false(tp_uri_ipv4_ok("1.1.1.1.1", 9));
	assert_false(tp_uri_ipv4_ok("1..1.1", 6));
	assert_false(tp_uri_ipv4_ok("", 0));
	assert_true(tp_uri_ipv6_ok("::", 2));
	assert_true(tp_uri_ipv6_ok("::1", 3));
	assert_true(tp_uri_ipv6_ok("1::", 3));
	assert_true(tp_uri_ipv6_ok("1:2:3:4:5:6:7::", 15));
	assert_true(tp_uri_ipv6_ok("::2:3:4:5:6:7:8", 15));
	assert_true(tp_uri_ipv6_ok("1:2:3:4:5:6:1.2.3.4", 19));
	assert_true(tp_uri_ipv6_ok("1:2:3:4:5::1.2.3.4", 18));
	assert_true(tp_uri_ipv6_ok("ffff:FFFF::abcd", 15));
	assert_false(tp_uri_ipv6_ok("1:2:3:4:5:6::1.2.3.4", 20));
	assert_false(tp_uri_ipv6_ok("1:2:3:4:5:6:7:8::", 17));
	assert_false(tp_uri_ipv6_ok("1:2:3:4:5:6:7:1.2.3.4", 21));
	assert_false(tp_uri_ipv6_ok("1.2.3.4::", 9));
	assert_false(tp_uri_ipv6_ok(":::", 3));
	assert_false(tp_uri_ipv6_ok("g::", 3));
	assert_false(tp_uri_ipv6_ok("", 0));
}

static void
test_addr_spec(void **state)
{
	static const char *const ok[] = {
	    "a@b", "first.last@example.com", "a+tag@example.com",
	    "!#$%&'*+-/=?^_`{|}~@x", "\"a b\"@x", "\"a\\\"b\"@x", "\"a@b\"@x",
	    "a@[192.0.2.1]", "a@[IPv6:::1]", "\xc3\xa4@x", "a@b.c.d",
	    /* Lenient local parts: reporters pass them on unchanged. */
	    "a b@c", ".a@b", "a..b@c", "a(c)@b"};
	static const char *const bad[] = {
	    "",     "a",    "@b",      "a@",    "a@b@c",   "\"a@b", "a@b.",
	    "a@.b", "a@[x", "a@[a[b]", "a@b c", "a\x01@b", "a@[1]x"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!tp_uri_addr_spec_ok(ok[i], strlen(ok[i])))
			fail_msg("'%s' is an addr-spec", ok[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tp_uri_addr_spec_ok(bad[i], strlen(bad[i])))
			fail_msg("'%s' is not an addr-spec", bad[i]);
}

static enum tp_uri_use
use(const char *s, const char **why)
{
	static struct tp_uri_problem p;
	struct tp_uri u;
	enum tp_uri_use r;

	assert_true(tp_uri_check(&u, s, strlen(s), 0, &p));
	r = tp_uri_use(s, &u, &p);
	*why = p.code;
	return r;
}

static void
test_use(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(use("mailto:a@example.com", &why), TP_URI_USE_MAILTO);
	assert_int_equal(use("MAILTO:a@example.com", &why), TP_URI_USE_MAILTO);
	assert_int_equal(use("mailto:a@x%2Cb@y", &why), TP_URI_USE_MAILTO);
	assert_int_equal(use("mailto:?to=a@x&subject=s", &why),
	                 TP_URI_USE_MAILTO);
	assert_int_equal(use("mailto:?to=a", &why), TP_URI_USE_MAILTO_NOADDR);
	assert_int_equal(use("mailto:a@x?to=b", &why),
	                 TP_URI_USE_MAILTO_NOADDR);
	assert_int_equal(use("mailto:reports", &why), TP_URI_USE_MAILTO_NOADDR);
	assert_string_equal(why, "mailto-no-addr-spec");
	assert_int_equal(use("mailto://a@x", &why), TP_URI_USE_MAILTO_NOADDR);
	assert_int_equal(use("https://h", &why), TP_URI_USE_HTTPS);
	assert_int_equal(use("https://h:65535/", &why), TP_URI_USE_HTTPS);
	assert_int_equal(use("https://h:65536/", &why),
	                 TP_URI_USE_HTTPS_BADPORT);
	assert_string_equal(why, "https-bad-port");
	assert_int_equal(use("https://h:00000000000000000000443/", &why),
	                 TP_URI_USE_HTTPS);
	assert_int_equal(use("https://h:0/", &why), TP_URI_USE_HTTPS_BADPORT);
	assert_int_equal(use("https:/h", &why), TP_URI_USE_HTTPS_NOHOST);
	assert_string_equal(why, "https-no-host");
	assert_int_equal(use("https://u@/", &why), TP_URI_USE_HTTPS_NOHOST);
	assert_int_equal(use("http://h/", &why), TP_URI_USE_UNSUPPORTED);
	assert_string_equal(why, "uri-scheme-unsupported");
	assert_int_equal(use("mailtox:a@b", &why), TP_URI_USE_UNSUPPORTED);
}

/* RFC 6068 lists of any length: each address is judged on its own (a
 * list of 40 short addresses is over 512 bytes decoded and still fine),
 * and a single address over 254 octets is not one. */
static void
test_use_long_lists(void **state)
{
	char many[1024], local[300];
	const char *why;
	size_t n, i;

	(void)state;
	n = (size_t)snprintf(many, sizeof(many), "mailto:");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
		                      "%sa%zu@example.com", i ? "%2C" : "", i);
	assert_true(n > 600 && n < sizeof(many));
	assert_int_equal(use(many, &why), TP_URI_USE_MAILTO);
	n = (size_t)snprintf(many + n, sizeof(many) - n, "%%2C");
	assert_int_equal(use(many, &why), TP_URI_USE_MAILTO_NOADDR);
	memset(local, 'a', sizeof(local) - 1);
	local[sizeof(local) - 1] = '\0';
	(void)snprintf(many, sizeof(many), "mailto:%.242s@example.com", local);
	assert_int_equal(use(many, &why), TP_URI_USE_MAILTO);
	(void)snprintf(many, sizeof(many), "mailto:%.243s@example.com", local);
	assert_int_equal(use(many, &why), TP_URI_USE_MAILTO_NOADDR);
	assert_string_equal(why, "mailto-no-addr-spec");
	(void)snprintf(many, sizeof(many), "mailto:%s@example.com", local);
	assert_int_equal(use(many, &why), TP_URI_USE_MAILTO_NOADDR);
}

static void
test_interop(void **state)
{
	static const struct {
		const char *uri, *codes;
	} t[] = {
	    {"mailto:a@example.com", ""},
	    {"https://r.example/v1/tlsrpt", ""},
	    {"MAILTO:a@x", "uri-scheme-case"},
	    {"mailto:a@x?subject=s", "mailto-hfields"},
	    {"mailto:a@x%2cb@y", "mailto-multiple-addresses"},
	    {"mailto:a%20b@x", "mailto-pct-encoded"},
	    {"mailto:a%2Cb@x%21",
	     "mailto-multiple-addresses mailto-pct-encoded"},
	    {"https://h/?a=b", "uri-equals-sign"},
	    {"https://h/a=b", "uri-equals-sign"},
	    {"https://u@h/", "https-userinfo"},
	    {"https://h/#f", "uri-fragment"},
	    {"HTTPS://u@h/?x=1#",
	     "uri-scheme-case uri-equals-sign "
	     "https-userinfo uri-fragment"},
	};
	struct tp_uri_problem w[8], p;
	struct tp_uri u;
	char got[256];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_true(
		    tp_uri_check(&u, t[i].uri, strlen(t[i].uri), 0, &p));
		n = tp_uri_interop(t[i].uri, &u, w, 8);
		got[0] = '\0';
		for (j = 0; j < n; j++) {
			if (j > 0)
				strncat(got, " ",
				        sizeof(got) - strlen(got) - 1);
			strncat(got, w[j].code, sizeof(got) - strlen(got) - 1);
		}
		if (strcmp(got, t[i].codes) != 0)
			fail_msg("'%s': '%s', expected '%s'", t[i].uri, got,
			         t[i].codes);
	}
	/* The cap is honoured. */
	assert_true(tp_uri_check(&u, "HTTPS://u@h/?x=1#", 17, 0, &p));
	assert_int_equal(tp_uri_interop("HTTPS://u@h/?x=1#", &u, w, 2), 2);
}

static void
test_quote(void **state)
{
	char q[16];

	(void)state;
	assert_string_equal(tp_uri_quote(q, sizeof(q), "ab\x01\xff", 4),
	                    "ab\\x01\\xFF");
	assert_string_equal(
	    tp_uri_quote(q, sizeof(q), "abcdefghijklmnopqrstuvwxyz", 26),
	    "abcdefgh...");
	assert_string_equal(tp_uri_char_name(q, ' '), "a space");
	assert_string_equal(tp_uri_char_name(q, 0xc3), "byte 0xC3");
	assert_string_equal(tp_uri_char_name(q, '|'), "'|'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_uris),
	    cmocka_unit_test(test_invalid_uris),
	    cmocka_unit_test(test_spans),
	    cmocka_unit_test(test_ip_grammars),
	    cmocka_unit_test(test_addr_spec),
	    cmocka_unit_test(test_use),
	    cmocka_unit_test(test_use_long_lists),
	    cmocka_unit_test(test_interop),
	    cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
