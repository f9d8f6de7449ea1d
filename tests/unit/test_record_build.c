/*
 * test_record_build.c: the generator. Fixed cases for canonicalisation
 * and each refusal, then randomised round trips: every record built from
 * a random destination list validates with no error and no warning, is
 * accepted by the strictest deployed consumer's rules (tlsrpt-reportd),
 * and gives back its destinations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/err.h"
#include "tlsrpt/record.h"

static void
test_normalize_ok(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
	    {"mailto:tls@example.com", "mailto:tls@example.com"},
	    {"MAILTO:Tls@Example.COM", "mailto:Tls@example.com"},
	    {"mailto:tls@example.com.", "mailto:tls@example.com"},
	    {"mailto:tls@b\xc3\xbc"
	     "cher.de",
	     "mailto:tls@xn--bcher-kva.de"},
	    {"mailto:first.last+tag@example.com",
	     "mailto:first.last+tag@example.com"},
	    {"mailto:o'brien@example.com", "mailto:o'brien@example.com"},
	    {"https://Reports.Example.com/v1/tlsrpt",
	     "https://reports.example.com/v1/tlsrpt"},
	    {"HTTPS://r.example.com", "https://r.example.com"},
	    {"https://r.example.com:8443/x", "https://r.example.com:8443/x"},
	    {"https://r.example.com:/x", "https://r.example.com/x"},
	    {"https://r.example.com/a,b!c;d",
	     "https://r.example.com/a%2Cb%21c%3Bd"},
	    {"https://r.example.com/%7euser", "https://r.example.com/%7Euser"},
	    {"https://r.example.com/caf\xc3\xa9",
	     "https://r.example.com/caf%C3%A9"},
	    {"https://r.example.com/a|b", "https://r.example.com/a%7Cb"},
	    {"https://r.example.com/?x", "https://r.example.com/?x"},
	    {"https://[2001:DB8::1]/r", "https://[2001:db8::1]/r"},
	    {"https://192.0.2.1/r", "https://192.0.2.1/r"},
	    {"https://m\xc3\xbcnchen.example/r",
	     "https://xn--mnchen-3ya.example/r"},
	};
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (tp_rua_normalize(&out, t[i].in) != 0)
			fail_msg("'%s': %s", t[i].in, tp_err_msg());
		assert_string_equal(out, t[i].out);
		free(out);
	}
}

static void
test_normalize_refused(void **state)
{
	static const struct {
		const char *in, *msg;
	} t[] = {
	    {"", "empty"},
	    {"tls@example.com", "write 'mailto:tls@example.com'"},
	    {"example.com", "no scheme"},
	    {"http://r.example.com/", "use https:"},
	    {"ftp://r.example.com/", "scheme 'ftp'"},
	    {"mailto:", "no address"},
	    {"mailto:reports", "not a mail address"},
	    {"mailto:@example.com", "no local part"},
	    {"mailto://a@example.com", "without '//'"},
	    {"mailto:a@example.com?subject=x", "header fields"},
	    {"mailto:a@example.com#x", "header fields"},
	    {"mailto:a@x.example,b@y.example", "several addresses"},
	    {"mailto:a%2Cb@x.example", "percent-encoded"},
	    {"mailto:a!b@example.com", "'!'"},
	    {"mailto:a=b@example.com", "'='"},
	    {"mailto:a..b@example.com", "misplaced '.'"},
	    {"mailto:\xc3\xa4@example.com", "byte 0xC3"},
	    {"mailto:a@-x.example", "starts or ends with '-'"},
	    {"mailto:a@[192.0.2.1]", "'['"},
	    {"mailto:a@exa mple.com", "a space"},
	    {"mailto:a@example.com\n", "LF"},
	    {"https://", "no host"},
	    {"https:r.example.com", "no host"},
	    {"https:///x", "no host"},
	    {"https://user:pw@r.example.com/", "credentials"},
	    {"https://r.example.com:0/", "bad port"},
	    {"https://r.example.com:65536/", "bad port"},
	    {"https://r.example.com:x/", "bad port"},
	    {"https://[::1/", "IPv6"},
	    {"https://r.example.com/?d=example.com", "'='"},
	    {"https://r.example.com/#f", "fragment"},
	    {"https://r.example.com/100%", "%25"},
	    {"https://bad_host!.example/", "'!'"},
	};
	char *out = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (tp_rua_normalize(&out, t[i].in) != TP_EUSAGE)
			fail_msg("'%s' accepted as '%s'", t[i].in,
			         out ? out : "");
		assert_null(out);
		if (strstr(tp_err_msg(), t[i].msg) == NULL)
			fail_msg("'%s': message '%s' lacks '%s'", t[i].in,
			         tp_err_msg(), t[i].msg);
		assert_true(strncmp(tp_err_msg(), "record: ", 8) == 0);
	}
}

static int
build(char **out, const char *const *rua, size_t n)
{
	struct tp_strv sv = TP_STRV_INIT;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		assert_int_equal(tp_strv_add(&sv, rua[i]), 0);
	rc = tp_record_build(out, &sv);
	tp_strv_release(&sv);
	return rc;
}

static void
test_build(void **state)
{
	static const char *const one[] = {"mailto:tls@example.com"};
	static const char *const two[] = {"MAILTO:a@example.com",
	                                  "https://r.example.com/v1",
	                                  "mailto:a@example.com"};
	static const char *const https[] = {"https://r.example.com/v1"};
	static const char *const bad[] = {"mailto:a@example.com", "http://x/"};
	char *out = NULL;

	(void)state;
	assert_int_equal(build(&out, one, 1), 0);
	assert_string_equal(out, "v=TLSRPTv1; rua=mailto:tls@example.com");
	free(out);
	assert_int_equal(build(&out, two, 3), 0);
	assert_string_equal(out,
	                    "v=TLSRPTv1; rua=mailto:a@example.com,"
	                    "https://r.example.com/v1");
	free(out);
	assert_int_equal(build(&out, https, 1), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "add a mailto:"));
	assert_int_equal(build(&out, bad, 2), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "'http'"));
	assert_int_equal(build(&out, NULL, 0), TP_EUSAGE);
	assert_null(out);
}

static void
test_build_too_long(void **state)
{
	struct tp_strv sv = TP_STRV_INIT;
	char buf[64], *out = NULL;
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		(void)snprintf(buf, sizeof(buf),
		               "mailto:tls-reports-%03d@example.com", i);
		assert_int_equal(tp_strv_add(&sv, buf), 0);
	}
	assert_int_equal(tp_record_build(&out, &sv), TP_EUSAGE);
	assert_non_null(strstr(tp_err_msg(), "use fewer"));
	tp_strv_release(&sv);
}

/* tlsrpt-reportd's parse_tlsrpt_record + pre_flight_check, the strictest
 * deployed consumer (reference §2.2): split on ";", field 0 must equal
 * "v=TLSRPTv1", field 1 stripped must start "rua=", the list is split on
 * "," without stripping, and each must start "mailto:" or "https:". */
static int
reportd_accepts(const char *rec)
{
	const char *semi = strchr(rec, ';'), *p, *e, *end;

	if (semi == NULL || (size_t)(semi - rec) != 10 ||
	    strncmp(rec, "v=TLSRPTv1", 10) != 0)
		return 0;
	for (p = semi + 1; *p == ' ' || *p == '\t'; p++)
		;
	if (strncmp(p, "rua=", 4) != 0)
		return 0;
	p += 4;
	end = p + strcspn(p, ";");
	while (p < end) {
		e = memchr(p, ',', (size_t)(end - p));
		if (e == NULL)
			e = end;
		if (strncmp(p, "mailto:", 7) != 0 &&
		    strncmp(p, "https:", 6) != 0)
			return 0;
		p = e + 1;
	}
	return 1;
}

static const char *const idn[] = {"b\xc3\xbc"
                                  "cher",
                                  "m\xc3\xbcnchen", "\xc3\xa9t\xc3\xa9",
                                  "xn--bcher-kva", "\xe4\xbe\x8b"};

static void
rand_label(char *b, size_t *o)
{
	static const char ldh[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	size_t n = 1 + (size_t)rand() % 10, i;

	if (rand() % 8 == 0) {
		i = (size_t)rand() % 5;
		memcpy(b + *o, idn[i], strlen(idn[i]));
		*o += strlen(idn[i]);
		return;
	}
	for (i = 0; i < n; i++)
		b[(*o)++] =
		    ldh[(size_t)rand() % (i == 0 || i == n - 1 ? 36 : 37)];
}

static void
rand_domain(char *b, size_t *o)
{
	int labels = 1 + rand() % 3, i;

	for (i = 0; i < labels; i++) {
		rand_label(b, o);
		b[(*o)++] = '.';
	}
	memcpy(b + *o, "example", 7);
	*o += 7;
	if (rand() % 2)
		b[(*o)++] = 'A' + (char)(rand() % 26);
}

static void
rand_uri(char *b)
{
	static const char local[] = "abcXYZ019$&'*+-_~";
	static const char path[] = "abcXYZ09-._~!$&'()*+,;:@/?|^ \"<>[]\\{}`";
	size_t o = 0, n, i;

	if (rand() % 3 != 0) {
		memcpy(b, rand() % 5 ? "mailto:" : "MaIlTo:", 7);
		o = 7;
		n = 1 + (size_t)rand() % 12;
		for (i = 0; i < n; i++) {
			b[o++] = local[(size_t)rand() % (sizeof(local) - 1)];
			if (i + 1 < n && rand() % 6 == 0)
				b[o++] = '.';
		}
		b[o++] = '@';
		rand_domain(b, &o);
	} else {
		memcpy(b, rand() % 5 ? "https://" : "HTTPS://", 8);
		o = 8;
		if (rand() % 6 == 0) {
			memcpy(b + o, "[2001:db8::1]", 13);
			o += 13;
		} else
			rand_domain(b, &o);
		if (rand() % 4 == 0)
			o += (size_t)snprintf(b + o, 8, ":%d",
			                      1 + rand() % 65535);
		n = (size_t)rand() % 20;
		b[o++] = '/';
		for (i = 0; i < n; i++) {
			if (rand() % 10 == 0) {
				o += (size_t)snprintf(b + o, 4, "%%%02X",
				                      rand() % 256);
				continue;
			}
			if (rand() % 15 == 0) {
				memcpy(b + o, "\xc3\xa9", 2);
				o += 2;
				continue;
			}
			b[o++] = path[(size_t)rand() % (sizeof(path) - 1)];
			if (b[o - 1] == ' ')
				b[o - 1] = '_';
		}
	}
	b[o] = '\0';
}

/* A record from random destinations: clean, reportd-proof, reversible.
 * Returns 1 when built, 0 when rightly refused as https-only. */
static int
round_trip(void)
{
	struct tp_strv in = TP_STRV_INIT, back = TP_STRV_INIT;
	struct tp_diags d = TP_DIAGS_INIT;
	char uri[512], *rec = NULL, *again;
	size_t i, n = 1 + (size_t)rand() % 5;
	int has_mailto = 0, built = 0;

	for (i = 0; i < n; i++) {
		rand_uri(uri);
		has_mailto |= strncasecmp(uri, "mailto:", 7) == 0;
		assert_int_equal(tp_strv_add(&in, uri), 0);
	}
	if (tp_record_build(&rec, &in) != 0) {
		if (!has_mailto && strstr(tp_err_msg(), "add a mailto:"))
			goto out;
		fail_msg("refused %s...: %s", in.v[0], tp_err_msg());
	}
	assert_int_equal(tp_record_validate(&d, rec, strlen(rec)), 0);
	for (i = 0; i < d.n; i++)
		if (d.v[i].severity != TP_SEV_INFO ||
		    strcmp(d.v[i].code, "multiple-uris") != 0)
			fail_msg("'%s': %s[%s] %s", rec,
			         tp_severity_name(d.v[i].severity), d.v[i].code,
			         d.v[i].message);
	if (!reportd_accepts(rec))
		fail_msg("tlsrpt-reportd would reject '%s'", rec);
	assert_int_equal(tp_record_rua(&back, rec, strlen(rec)), 0);
	assert_true(back.n >= 1 && back.n <= n);
	for (i = 0; i < back.n; i++) {
		assert_int_equal(tp_rua_normalize(&again, back.v[i]), 0);
		assert_string_equal(again, back.v[i]); /* idempotent */
		free(again);
	}
	built = 1;
out:
	free(rec);
	tp_diags_release(&d);
	tp_strv_release(&in);
	tp_strv_release(&back);
	return built;
}

static void
test_random_round_trips(void **state)
{
	int i, built = 0;

	(void)state;
	srand(8460);
	for (i = 0; i < 3000; i++)
		built += round_trip();
	/* Most lists hold a mailto, so most must have been built. */
	assert_true(built > 2500);
}

/* Arbitrary printable input: refused as usage, or clean when accepted. */
static void
test_random_inputs(void **state)
{
	static const char pre[][9] = {"mailto:", "https://", "", "MAILTO:"};
	struct tp_diags d = TP_DIAGS_INIT;
	char in[64], rec[600], *out;
	int i, j, n, rc, accepted = 0;

	(void)state;
	srand(7405);
	for (i = 0; i < 5000; i++) {
		n = snprintf(in, sizeof(in), "%s", pre[rand() % 4]);
		for (j = rand() % 30; j > 0; j--)
			in[n++] = (char)(0x21 + rand() % 94);
		in[n] = '\0';
		rc = tp_rua_normalize(&out, in);
		if (rc != 0) {
			assert_int_equal(rc, TP_EUSAGE);
			continue;
		}
		(void)snprintf(rec, sizeof(rec), "v=TLSRPTv1; rua=%s", out);
		assert_int_equal(tp_record_validate(&d, rec, strlen(rec)), 0);
		for (j = 0; j < (int)d.n; j++)
			if (strcmp(d.v[j].code, "https-only") != 0)
				fail_msg("'%s' -> '%s': %s", in, out,
				         d.v[j].code);
		tp_diags_release(&d);
		free(out);
		accepted++;
	}
	assert_true(accepted > 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalize_ok),
	    cmocka_unit_test(test_normalize_refused),
	    cmocka_unit_test(test_build),
	    cmocka_unit_test(test_build_too_long),
	    cmocka_unit_test(test_random_round_trips),
	    cmocka_unit_test(test_random_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
