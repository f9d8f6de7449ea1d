/*
 * test_domain.c: domain normalisation (IDN to A-label, case, final dot,
 * label and name lengths at 63/64 and 253/254, underscores, bad
 * characters), the _smtp._tls owner and zone membership.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"

static void
ok(const char *in, const char *want)
{
	char *out = NULL;

	if (tp_domain_normalize(&out, in) != 0)
		fail_msg("'%s': %s", in, tp_err_msg());
	assert_string_equal(out, want);
	free(out);
}

static void
bad(const char *in, const char *msg)
{
	char *out = NULL;

	if (tp_domain_normalize(&out, in) != TP_EUSAGE)
		fail_msg("'%s' accepted as '%s'", in, out ? out : "");
	assert_null(out);
	if (strstr(tp_err_msg(), msg) == NULL)
		fail_msg("'%s': '%s' lacks '%s'", in, tp_err_msg(), msg);
	assert_true(strncmp(tp_err_msg(), "domain: ", 8) == 0);
}

static void
test_normalize(void **state)
{
	(void)state;
	ok("example.com", "example.com");
	ok("Example.COM.", "example.com");
	ok("localhost", "localhost");
	ok("_smtp._tls.example.com", "_smtp._tls.example.com");
	ok("a_b.example", "a_b.example");
	ok("ab--cd.example", "ab--cd.example");
	ok("1.example", "1.example");
	ok("b\xc3\xbc"
	   "cher.de",
	   "xn--bcher-kva.de");
	ok("B\xc3\x9c"
	   "CHER.de",
	   "xn--bcher-kva.de");
	ok("stra\xc3\x9f"
	   "e.de",
	   "xn--strae-oqa.de"); /* non-transitional: ß kept */
	ok("b\xc3\xbc"
	   "cher\xe3\x80\x82"
	   "de",
	   "xn--bcher-kva.de"); /* ideographic full stop */
	ok("XN--BCHER-KVA.de", "xn--bcher-kva.de");
	ok("_dmarc.b\xc3\xbc"
	   "cher.ab--cd.de",
	   "_dmarc.xn--bcher-kva.ab--cd.de");
	ok("\xe4\xbe\x8b\xe3\x81\x88.jp", "xn--r8jz45g.jp");
	/* One script a label, or scripts that do not look alike: kept. */
	ok("\xce\xb5\xce\xbb.gr", "xn--qxam.gr"); /* Greek only */
	ok("\xd0\xbf\xd1\x80\xd0\xb8.ru.com", "xn--h1and.ru.com");
	ok("a\xe4\xbe\x8b"
	   "1.jp",
	   "xn--a1-qt3c.jp"); /* Latin and Han */
}

static void
test_rejects(void **state)
{
	(void)state;
	bad("", "empty");
	bad(".", "empty");
	bad("a..b", "empty label");
	bad(".a", "empty label");
	bad("a.b..", "empty label");
	bad("a b.com", "a space");
	bad("a\"b.com", "'\"'");
	bad("a/b.com", "'/'");
	bad("a@b.com", "'@'");
	bad("a\tb", "a tab");
	bad("a\nb", "LF");
	bad("-a.com", "starts or ends with '-'");
	bad("a-.com", "starts or ends with '-'");
	bad("192.0.2.1", "IPv4 address");
	bad("xn--zz.com", "internationalised");
	bad("\xe2\x92\x88.com", "internationalised"); /* disallowed ⒈ */
	bad("\xc3.com", "internationalised");         /* invalid UTF-8 */
	/* Homographs: a label mixing Latin, Greek or Cyrillic letters. */
	bad("p\xd0\xb0ypal.com", "mixes Latin and Cyrillic"); /* Cyrillic a */
	bad("xn--pypal-4ve.com", "mixes Latin and Cyrillic");
	bad("mix\xce\xb5"
	    "d.com",
	    "mixes Latin and Greek");
	bad("\xd1\x80\xd0\xb0l.com", "mixes Cyrillic and Latin");
}

static void
test_lengths(void **state)
{
	char name[300], want[300];
	size_t i;

	(void)state;
	/* A label of 63 octets is fine, 64 is not. */
	memset(name, 'a', 63);
	memcpy(name + 63, ".com", 5);
	ok(name, name);
	memset(name, 'a', 64);
	memcpy(name + 64, ".com", 5);
	bad(name, "label of 64 octets");
	/* 253 octets is the longest name (final dot not counted). */
	for (i = 0; i < 4; i++) {
		memset(name + i * 64, 'a', 63);
		name[i * 64 + 63] = '.';
	}
	name[253] = '\0'; /* 3 x 64 + 61 */
	ok(name, name);
	(void)snprintf(want, sizeof(want), "%s", name);
	name[253] = '.';
	name[254] = '\0';
	ok(name, want);
	name[253] = 'a';
	bad(name, "254 octets");
	/* An IDN whose A-label is too long. */
	(void)snprintf(name, sizeof(name), "%s", "");
	for (i = 0; i < 30; i++)
		strncat(name, "\xc3\xbc", sizeof(name) - strlen(name) - 1);
	strncat(name, ".de", sizeof(name) - strlen(name) - 1);
	ok(name, "xn--tdaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.de");
}

static void
test_owner_and_zone(void **state)
{
	char *o = NULL, name[300];

	(void)state;
	assert_int_equal(tp_domain_owner(&o, "example.com"), 0);
	assert_string_equal(o, "_smtp._tls.example.com");
	free(o);
	memset(name, 'a', 242);
	name[242] = '\0'; /* 11 + 242 = 253 */
	assert_int_equal(tp_domain_owner(&o, name), 0);
	assert_int_equal(strlen(o), 253);
	free(o);
	name[242] = 'a';
	name[243] = '\0';
	assert_int_equal(tp_domain_owner(&o, name), TP_EUSAGE);
	assert_null(o);
	/* The owner name given as the domain: refused, naming the domain. */
	assert_int_equal(tp_domain_owner(&o, "_smtp._tls.example.com"),
	                 TP_EUSAGE);
	assert_null(o);
	assert_non_null(strstr(tp_err_msg(), "'example.com'"));
	assert_int_equal(tp_domain_owner(&o, "_smtp.example.com"), 0);
	free(o);
	assert_true(tp_domain_in_zone("example.com", "example.com"));
	assert_true(tp_domain_in_zone("_smtp._tls.example.com", "example.com"));
	assert_true(tp_domain_in_zone("A.Example.COM", "example.com"));
	assert_false(tp_domain_in_zone("badexample.com", "example.com"));
	assert_false(tp_domain_in_zone("example.com", "a.example.com"));
	assert_false(tp_domain_in_zone("com", "example.com"));
	assert_true(tp_domain_in_zone("example.com", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalize),
	    cmocka_unit_test(test_rejects),
	    cmocka_unit_test(test_lengths),
	    cmocka_unit_test(test_owner_and_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
