/*
 * test_record.c: the record validator against RFC 8460 §3's ABNF (every
 * production and boundary) and the rulings of shared/reference/rfc8460.md:
 * for each record, the verdict and the exact set of diagnostic codes with
 * their severities; plus the invariants every diagnostic keeps (offset
 * inside the record, ordered, code listed in the table and documented).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/record.h"

#define OK  1
#define BAD 0

struct vcase {
	const char *rec;
	int valid;
	const char *codes; /* exact set: "E:code W:code I:code" */
};

static const struct vcase cases[] = {
    /* The canonical forms and their accepted variants (§4.4). */
    {"v=TLSRPTv1; rua=mailto:tlsrpt@example.com", OK, ""},
    {"v=TLSRPTv1;rua=mailto:reports@example.com", OK, ""},
    {"v=TLSRPTv1;\trua=mailto:a@example.com", OK, ""},
    {"v=TLSRPTv1;   rua=mailto:a@example.com", OK, ""},
    {"v=TLSRPTv1; rua=mailto:a@example.com;", OK, ""},
    {"v=TLSRPTv1; rua=mailto:a@example.com; ", OK, ""},
    {"v=TLSRPTv1; rua=mailto:a@example.com ;", OK, ""},
    {"v=TLSRPTv1; rua=mailto:a@example.com\t;\t", OK, ""},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/v1/tlsrpt", OK,
     "I:multiple-uris"},
    {"v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", OK,
     "W:https-only"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,mailto:b@example.net", OK,
     "I:multiple-uris"},
    /* Version: case-sensitive, first, exact, followed by field-delim. */
    {"V=TLSRPTv1; rua=mailto:a@example.com", BAD, "E:version-case"},
    {"v=tlsrptv1; rua=mailto:a@example.com", BAD, "E:version-case"},
    {"v=TLSRPTV1; rua=mailto:a@example.com", BAD, "E:version-case"},
    {"v=TSLRPTv1; rua=mailto:a@example.com", BAD, "E:version-invalid"},
    {"v=TLSRPTv2; rua=mailto:a@example.com", BAD, "E:version-invalid"},
    {"v=TLSRPTv10; rua=mailto:a@example.com", BAD, "E:version-invalid"},
    {"v=TLSRPTv1.0; rua=mailto:a@example.com", BAD, "E:version-invalid"},
    {"v=STSv1; id=20190429T010101", BAD, "E:version-invalid"},
    {"v=spf1 -all", BAD, "E:version-invalid"},
    {"v=DMARC1; p=none; rua=mailto:d@example.com", BAD, "E:version-invalid"},
    {"v=; rua=mailto:a@example.com", BAD, "E:version-invalid"},
    {"v = TLSRPTv1; rua=mailto:a@example.com", BAD, "E:version-wsp"},
    {"v= TLSRPTv1; rua=mailto:a@example.com", BAD, "E:version-wsp"},
    {"v=TLSRPTv1 ; rua=mailto:a@example.com", OK, "W:wsp-before-semicolon"},
    {"v=TLSRPTv1\t;rua=mailto:a@example.com", OK, "W:wsp-before-semicolon"},
    {"v=TLSRPTv1 rua=mailto:a@example.com", BAD, "E:version-delim-missing"},
    {"v=TLSRPTv1,rua=mailto:a@example.com", BAD, "E:version-delim-missing"},
    {"v=TLSRPTv1", BAD, "E:rua-missing"},
    {"v=TLSRPTv1;", BAD, "E:rua-missing"},
    {"v=TLSRPTv1; ", BAD, "E:rua-missing"},
    {"v=TLSRPTv1 ;", BAD, "W:wsp-before-semicolon E:rua-missing"},
    {" v=TLSRPTv1; rua=mailto:a@example.com", BAD, "E:leading-wsp"},
    {"\tv=TLSRPTv1; rua=mailto:a@example.com", BAD, "E:leading-wsp"},
    {";v=TLSRPTv1; rua=mailto:a@example.com", BAD, "E:leading-delim"},
    {"rua=mailto:a@example.com; v=TLSRPTv1", BAD, "E:version-not-first"},
    {"rua=mailto:a@example.com", BAD, "E:version-missing"},
    {"", BAD, "E:version-missing"},
    {"TLSRPTv1; rua=mailto:a@example.com", BAD, "E:version-missing"},
    {"\"v=TLSRPTv1; rua=mailto:a@example.com\"", BAD, "E:record-quoted"},
    {"\xef\xbb\xbfv=TLSRPTv1; rua=mailto:a@example.com", BAD, "E:non-ascii"},
    {"v=TLSRPTv1; v=TLSRPTv1; rua=mailto:a@example.com", OK,
     "W:version-repeated W:rua-not-first"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; v=TLSRPTv2", OK,
     "W:version-repeated"},
    /* Field delimiters. */
    {"v=TLSRPTv1;; rua=mailto:a@example.com", BAD, "E:empty-field"},
    {"v=TLSRPTv1; ; rua=mailto:a@example.com", BAD, "E:empty-field"},
    {"v=TLSRPTv1; rua=mailto:a@example.com;;", BAD, "E:empty-field"},
    {"v=TLSRPTv1; rua=mailto:a@example.com ", BAD, "E:trailing-wsp"},
    {"v=TLSRPTv1; rua=mailto:a@example.com\t", BAD, "E:trailing-wsp"},
    {"v=TLSRPTv1;\r\nrua=mailto:a@example.com", BAD, "E:crlf"},
    {"v=TLSRPTv1; rua=mailto:a@example.com\n", BAD, "E:crlf"},
    {"v=TLSRPTv1; \\\n rua=mailto:a@example.com", BAD, "E:crlf"},
    {"v=TLSRPTv1; rua=mailto:a@example.com\x01", BAD, "E:control-char"},
    /* rua: key, value, list. */
    {"v=TLSRPTv1; RUA=mailto:a@example.com", BAD, "E:rua-key-case"},
    {"v=TLSRPTv1; Rua=mailto:a@example.com", BAD, "E:rua-key-case"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; RUA=mailto:b@example.com", OK,
     "W:rua-key-case"},
    {"v=TLSRPTv1; rua=", BAD, "E:rua-empty"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; rua=", BAD, "E:rua-empty"},
    {"v=TLSRPTv1; rua = mailto:a@example.com", BAD, "E:wsp-around-equals"},
    {"v=TLSRPTv1; rua= mailto:a@example.com", BAD, "E:wsp-around-equals"},
    {"v=TLSRPTv1; rua =mailto:a@example.com", BAD, "E:wsp-around-equals"},
    {"v=TLSRPTv1; rua=tls@example.com", BAD, "E:uri-bare-address"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; rua=b@example.com", OK,
     "W:uri-bare-address"},
    {"v=TLSRPTv1; rua=example.com", BAD, "E:uri-no-scheme"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,", BAD, "E:rua-trailing-comma"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,mailto:b@example.com,", BAD,
     "E:rua-trailing-comma"},
    {"v=TLSRPTv1; rua=,mailto:a@example.com", BAD, "E:rua-empty-item"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@example.com", BAD,
     "E:rua-empty-item"},
    {"v=TLSRPTv1; rua=mailto:a@example.com mailto:b@example.com", BAD,
     "E:uri-space-separated"},
    {"v=TLSRPTv1; rua=mailto:a b@example.com", BAD, "E:uri-raw-space"},
    {"v=TLSRPTv1; rua=mailto:a@example.com, mailto:b@example.com", OK,
     "W:wsp-around-comma I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com ,mailto:b@example.com", OK,
     "W:wsp-around-comma I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com\t,\tmailto:b@example.com", OK,
     "W:wsp-around-comma I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", OK,
     "W:rua-repeated I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,mailto:a@example.com", OK,
     "I:multiple-uris I:uri-duplicate"},
    {"v=TLSRPTv1; rua=mailto:a@x.example,b@y.example", BAD,
     "E:uri-unencoded-comma"},
    {"v=TLSRPTv1; rua=mailto:a@example.com?cc=b@example.com,c@example.com", BAD,
     "E:uri-unencoded-comma"},
    {"v=TLSRPTv1; rua=https://r.example.com/a;b", BAD,
     "W:https-only E:uri-unencoded-semicolon"},
    {"v=TLSRPTv1; rua=https://r.example.com/a;b=c", OK,
     "W:https-only W:ext-unknown"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; mailto:b@example.com", BAD,
     "E:field-no-equals"},
    {"v=TLSRPTv1; rua=mailto:a@example.com!10m", BAD, "E:uri-unencoded-bang"},
    {"v=TLSRPTv1; rua=mailto:a!b@example.com", BAD, "E:uri-unencoded-bang"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com!10m", OK,
     "W:uri-unencoded-bang"},
    {"v=TLSRPTv1; rua=<mailto:a@example.com>", BAD, "E:uri-angle-brackets"},
    {"v=TLSRPTv1; rua=\"mailto:a@example.com\"", BAD, "E:quote-char"},
    {"v=TLSRPTv1; rua=mailto:a@ex\xc3\xa4mple.com", BAD, "E:non-ascii"},
    {"v=TLSRPTv1; rua=mailto:a@xn--exmple-cua.com", OK, ""},
    {"v=TLSRPTv1; x=1; rua=mailto:a@example.com", OK,
     "W:ext-unknown W:rua-not-first"},
    /* Schemes and what senders can deliver to. */
    {"v=TLSRPTv1; rua=MAILTO:a@example.com", OK, "W:uri-scheme-case"},
    {"v=TLSRPTv1; rua=Mailto:a@example.com", OK, "W:uri-scheme-case"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,HTTPS://r.example.com/", OK,
     "W:uri-scheme-case I:multiple-uris"},
    {"v=TLSRPTv1; rua=http://r.example.com/tlsrpt", BAD,
     "E:semantic-scheme-unsupported"},
    {"v=TLSRPTv1; rua=ftp://r.example.com/", BAD,
     "E:semantic-scheme-unsupported"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,http://r.example.com/", OK,
     "W:uri-scheme-unsupported"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,x:", OK, "W:uri-scheme-unsupported"},
    {"v=TLSRPTv1; rua=mailto:reports", BAD, "E:semantic-mailto-no-addr-spec"},
    {"v=TLSRPTv1; rua=mailto:", BAD, "E:semantic-mailto-no-addr-spec"},
    {"v=TLSRPTv1; rua=mailto:?subject=x", BAD,
     "E:semantic-mailto-no-addr-spec"},
    {"v=TLSRPTv1; rua=mailto:a@", BAD, "E:semantic-mailto-no-addr-spec"},
    {"v=TLSRPTv1; rua=mailto:@example.com", BAD,
     "E:semantic-mailto-no-addr-spec"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,mailto:reports", OK,
     "W:mailto-no-addr-spec"},
    {"v=TLSRPTv1; rua=https://", BAD, "E:semantic-https-no-host"},
    {"v=TLSRPTv1; rua=https:host", BAD, "E:semantic-https-no-host"},
    {"v=TLSRPTv1; rua=https:///tlsrpt", BAD, "E:semantic-https-no-host"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://", OK, "W:https-no-host"},
    {"v=TLSRPTv1; rua=https://r.example.com:0/", BAD,
     "E:semantic-https-bad-port"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com:65536/", OK,
     "W:https-bad-port"},
    {"v=TLSRPTv1; rua=https://r.example.com:8443/v1", OK, "W:https-only"},
    {"v=TLSRPTv1; rua=https://r.example.com:/v1", OK, "W:https-only"},
    {"v=TLSRPTv1; rua=https://r.example.com:x/", BAD, "E:uri-bad-port"},
    {"v=TLSRPTv1; rua=mailto:a@example.com?subject=TLS%20report", OK,
     "W:mailto-hfields"},
    {"v=TLSRPTv1; rua=mailto:?to=a@example.com", OK, "W:mailto-hfields"},
    {"v=TLSRPTv1; rua=mailto:a@example.com%2Cb@example.com", OK,
     "W:mailto-multiple-addresses"},
    {"v=TLSRPTv1; rua=mailto:a%21b@example.com", OK, "W:mailto-pct-encoded"},
    {"v=TLSRPTv1; rua=mailto:a%20b@example.com", OK, "W:mailto-pct-encoded"},
    {"v=TLSRPTv1; rua=mailto:a@exa%20mple.com", BAD,
     "E:semantic-mailto-no-addr-spec"},
    {"v=TLSRPTv1; rua=mailto:%22a%20b%22@example.com", OK,
     "W:mailto-pct-encoded"},
    {"v=TLSRPTv1; rua=mailto:a=b@example.com", OK, "W:uri-equals-sign"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/?d=x", OK,
     "W:uri-equals-sign I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://u:p@r.example.com/", OK,
     "W:https-userinfo I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com#x", OK, "W:uri-fragment"},
    /* RFC 3986 productions inside rua. */
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://[2001:db8::1]/r", OK,
     "I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://[::ffff:192.0.2.1]:8443/",
     OK, "I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://[v1.fe80]/", OK,
     "I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://[1::2::3]/", BAD,
     "E:uri-bad-host"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://[fe80::1%25eth0]/", BAD,
     "E:uri-bad-host"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://[::1", BAD,
     "E:uri-bad-host"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://192.0.2.1/r", OK,
     "I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com%2cb@example.com", OK,
     "W:mailto-multiple-addresses"},
    {"v=TLSRPTv1; rua=mailto:a@example.com%2C", BAD,
     "E:semantic-mailto-no-addr-spec"},
    {"v=TLSRPTv1; rua=mailto:a@example.com%2", BAD, "E:uri-bad-percent"},
    {"v=TLSRPTv1; rua=mailto:a@example.com%zz", BAD, "E:uri-bad-percent"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/%7Eme", OK,
     "I:multiple-uris"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/a|b", BAD,
     "E:uri-invalid-char"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/a\\b", BAD,
     "E:uri-invalid-char"},
    {"v=TLSRPTv1; rua=mailto:a@[192.0.2.1]", BAD, "E:uri-invalid-char"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,1http://x", BAD,
     "E:uri-unencoded-comma"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,urn:ietf:rfc:8460", OK,
     "W:uri-scheme-unsupported"},
    {"v=TLSRPTv1; rua=mailto:a@example.com#a#b", BAD, "E:uri-invalid-char"},
    /* Extensions: tlsrpt-ext-name and tlsrpt-ext-value. */
    {"v=TLSRPTv1; rua=mailto:a@example.com; ruf=mailto:a@example.com", OK,
     "W:ext-unknown"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; 1x.y-z_2=v", OK, "W:ext-unknown"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; a=b", OK, "W:ext-unknown"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; "
     "abcdefghijabcdefghijabcdefghijab=x",
     OK, "W:ext-unknown"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; "
     "abcdefghijabcdefghijabcdefghijabc=x",
     BAD, "E:ext-name-too-long"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; _x=v", BAD, "E:ext-name-invalid"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; -x=v", BAD, "E:ext-name-invalid"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; x/y=v", BAD, "E:ext-name-invalid"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; =v", BAD, "E:ext-name-invalid"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; x=", BAD, "E:ext-value-empty"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; x=a b", BAD,
     "E:ext-value-invalid-char"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; x=a=b", BAD,
     "E:ext-value-invalid-char"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; x=\xc3\xa4", BAD, "E:non-ascii"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; x=a\x7f", BAD, "E:control-char"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; x= a", BAD, "E:wsp-around-equals"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; x", BAD, "E:field-no-equals"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; "
     "x=!\"#$%&'()*+,-./0123456789:<>?@AZ[\\]^_`az{|}~",
     OK, "W:ext-unknown"},
    {"v=TLSRPTv1; p=none; rua=mailto:a@example.com", OK,
     "W:ext-unknown W:rua-not-first"},
};

/* "E:code" etc. present in d exactly, and nothing else; returns the
 * number of mismatches (printed), so that one run shows them all. */
static int
check_codes(const struct vcase *c, const struct tp_diags *d)
{
	char want[512], *tok, *save = NULL, sev;
	size_t i, n = 0;
	int found, bad = 0;

	(void)snprintf(want, sizeof(want), "%s", c->codes);
	for (tok = strtok_r(want, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		sev = tok[0];
		found = 0;
		for (i = 0; i < d->n; i++)
			if (strcmp(d->v[i].code, tok + 2) == 0 &&
			    tp_severity_name(d->v[i].severity)[0] ==
			        (sev == 'E'       ? 'e'
			             : sev == 'W' ? 'w'
			                          : 'i'))
				found = 1;
		if (!found)
			bad = 1;
		n++;
	}
	if (n != d->n || bad) {
		print_message("'%s': expected '%s', got:\n", c->rec, c->codes);
		for (i = 0; i < d->n; i++)
			print_message("  %s[%s] @%zu %s\n",
			              tp_severity_name(d->v[i].severity),
			              d->v[i].code, d->v[i].offset,
			              d->v[i].message);
		return 1;
	}
	return 0;
}

static int
in_table(const char *code)
{
	const struct tp_record_code *t;

	for (t = tp_record_codes(); t->code != NULL; t++)
		if (strcmp(t->code, code) == 0)
			return 1;
	return 0;
}

/* What every diagnostic list must satisfy. */
static void
check_invariants(const char *rec, size_t len, const struct tp_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->v[i].offset > len)
			fail_msg("'%s': offset %zu past the end", rec,
			         d->v[i].offset);
		if (i > 0 && d->v[i].offset < d->v[i - 1].offset)
			fail_msg("'%s': diagnostics not ordered", rec);
		if (!in_table(d->v[i].code))
			fail_msg("code '%s' is not in the table", d->v[i].code);
		assert_non_null(d->v[i].message);
		assert_non_null(d->v[i].hint);
	}
}

static void
test_cases(void **state)
{
	struct tp_diags d = TP_DIAGS_INIT;
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
		    tp_record_validate(&d, cases[i].rec, strlen(cases[i].rec)),
		    0);
		check_invariants(cases[i].rec, strlen(cases[i].rec), &d);
		if ((tp_diags_count(&d, TP_SEV_ERROR) == 0) != cases[i].valid) {
			print_message("'%s': expected %s\n", cases[i].rec,
			              cases[i].valid ? "valid" : "invalid");
			bad++;
		}
		bad += (size_t)check_codes(&cases[i], &d);
		tp_diags_release(&d);
	}
	if (bad > 0)
		fail_msg("%zu of %zu records disagree", bad,
		         sizeof(cases) / sizeof(cases[0]));
}

/* Where the caret goes: the offending byte. */
static void
test_offsets(void **state)
{
	static const struct {
		const char *rec;
		const char *code;
		size_t off;
	} t[] = {
	    {"V=TLSRPTv1; rua=mailto:a@example.com", "version-case", 0},
	    {"v=tlsrptv1; rua=mailto:a@example.com", "version-case", 2},
	    {"v=TLSRPTv1 ; rua=mailto:a@example.com", "wsp-before-semicolon",
	     10},
	    {"v=TLSRPTv1; RUA=mailto:a@example.com", "rua-key-case", 12},
	    {"v=TLSRPTv1; rua=mailto:a@example.com,", "rua-trailing-comma", 36},
	    {"v=TLSRPTv1; rua=mailto:a@example.com ", "trailing-wsp", 36},
	    {"v=TLSRPTv1; rua=mailto:a@example.com!10m", "uri-unencoded-bang",
	     36},
	    {"v=TLSRPTv1; rua=mailto:a@x.example,b@y.example",
	     "uri-unencoded-comma", 34},
	    {"v=TLSRPTv1; rua=https://r.example.com/a;b",
	     "uri-unencoded-semicolon", 39},
	    {"v=TLSRPTv1;; rua=mailto:a@example.com", "empty-field", 11},
	    {"v=TLSRPTv1", "rua-missing", 10},
	    {"v=TLSRPTv1; rua=mailto:a@example.com, mailto:b@example.com",
	     "wsp-around-comma", 37},
	    {"v=TLSRPTv1; rua=mailto:a@example.com%zz", "uri-bad-percent", 36},
	    {"v=TLSRPTv1; rua=mailto:reports", "semantic-mailto-no-addr-spec",
	     23},
	    {"v=TLSRPTv1; rua=mailto:a@example.com; "
	     "abcdefghijabcdefghijabcdefghijabc=x",
	     "ext-name-too-long", 70},
	    {"\"v=TLSRPTv1; rua=mailto:a@example.com\"", "record-quoted", 0},
	};
	struct tp_diags d = TP_DIAGS_INIT;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(
		    tp_record_validate(&d, t[i].rec, strlen(t[i].rec)), 0);
		for (j = 0; j < d.n; j++)
			if (strcmp(d.v[j].code, t[i].code) == 0)
				break;
		if (j == d.n)
			fail_msg("'%s': no %s", t[i].rec, t[i].code);
		if (d.v[j].offset != t[i].off)
			fail_msg("'%s': %s at %zu, expected %zu", t[i].rec,
			         t[i].code, d.v[j].offset, t[i].off);
		tp_diags_release(&d);
	}
}

/* Records are bytes: a NUL is a control character, never an end. */
static void
test_nul_bytes(void **state)
{
	static const char rec[] = "v=TLSRPTv1; rua=mailto:a@example.com\0x";
	struct tp_diags d = TP_DIAGS_INIT;

	(void)state;
	assert_int_equal(tp_record_validate(&d, rec, sizeof(rec) - 1), 0);
	check_invariants("nul", sizeof(rec) - 1, &d);
	assert_true(tp_diags_has(&d, "control-char"));
	assert_int_equal(d.v[0].offset, 36);
	tp_diags_release(&d);
	assert_int_equal(tp_record_validate(&d, rec, 36), 0);
	assert_int_equal(d.n, 0);
	tp_diags_release(&d);
}

/* A NUL anywhere is a control character, never one of the "_-." an
 * extension name allows (strchr finds the terminator) nor a size suffix. */
static void
test_nul_in_fields(void **state)
{
	static const struct {
		const char *rec;
		size_t len;
		size_t off;
	} nul[] = {
	    {"v=TLSRPTv1; rua=mailto:a@example.com; r\0a=1", 41, 39},
	    {"v=TLSRPTv1; rua=mailto:a@example.com; rua\0=x", 44, 41},
	    {"v=TLSRPTv1; rua=mailto:a@example.com; x\0", 41, 39},
	    {"v=TLSRPTv1; rua=mailto:a@example.com!10\0", 41, 36},
	};
	struct tp_diags d = TP_DIAGS_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nul) / sizeof(nul[0]); i++) {
		assert_int_equal(tp_record_validate(&d, nul[i].rec, nul[i].len),
		                 0);
		check_invariants("nul", nul[i].len, &d);
		if (tp_diags_count(&d, TP_SEV_ERROR) == 0)
			fail_msg("case %zu: a NUL byte was accepted", i);
		assert_true(d.n > 0);
		assert_int_equal(d.v[0].offset, nul[i].off);
		tp_diags_release(&d);
	}
}

/* One mailto URI listing 40 addresses (RFC 6068 %2C) is valid: the
 * addresses are judged one by one, however long the list. */
static void
test_long_mailto_list(void **state)
{
	struct tp_diags d = TP_DIAGS_INIT;
	char rec[1024];
	size_t n, i;

	(void)state;
	n = (size_t)snprintf(rec, sizeof(rec), "v=TLSRPTv1; rua=mailto:");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n,
		                      "%sr%zu@example.com", i ? "%2C" : "", i);
	assert_true(n < sizeof(rec));
	assert_int_equal(tp_record_validate(&d, rec, n), 0);
	check_invariants(rec, n, &d);
	assert_int_equal(tp_diags_count(&d, TP_SEV_ERROR), 0);
	assert_true(tp_diags_has(&d, "mailto-multiple-addresses"));
	tp_diags_release(&d);
}

/* Appending to a list that already holds diagnostics leaves them be. */
static void
test_appends(void **state)
{
	struct tp_diags d = TP_DIAGS_INIT;

	(void)state;
	assert_int_equal(tp_diags_add(&d, TP_SEV_INFO, "x", 99, NULL, "m"), 0);
	assert_int_equal(tp_record_validate(&d, "v=TLSRPTv1", 10), 0);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0].code, "x");
	assert_string_equal(d.v[1].code, "rua-missing");
	tp_diags_release(&d);
}

/* Every code in the table (but the RRset ones, test_rrset.c) is produced
 * by some case above, and documented for users. */
static void
test_every_code_covered(void **state)
{
	const struct tp_record_code *t;
	struct tp_diags d = TP_DIAGS_INIT;
	size_t i, ncodes = 0;
	int seen;

	(void)state;
	for (t = tp_record_codes(); t->code != NULL; t++, ncodes++) {
		if (strncmp(t->code, "rrset-", 6) == 0)
			continue;
		seen = 0;
		for (i = 0; !seen && i < sizeof(cases) / sizeof(cases[0]);
		     i++) {
			tp_record_validate(&d, cases[i].rec,
			                   strlen(cases[i].rec));
			seen = tp_diags_has(&d, t->code);
			tp_diags_release(&d);
		}
		if (!seen)
			fail_msg("no test case produces '%s'", t->code);
	}
	assert_true(ncodes > 60);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	if (s != NULL && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static void
test_codes_documented(void **state)
{
	const struct tp_record_code *t;
	char *md, *man, needle[80];

	(void)state;
	md = slurp("docs/diagnostics.md");
	man = slurp("docs/tlsrpt-publish.1");
	assert_non_null(md);
	assert_non_null(man);
	for (t = tp_record_codes(); t->code != NULL; t++) {
		(void)snprintf(needle, sizeof(needle), "`%s`", t->code);
		if (strstr(md, needle) == NULL)
			fail_msg("docs/diagnostics.md lacks %s", needle);
		if (strstr(man, t->code) == NULL)
			fail_msg("the man page lacks %s", t->code);
	}
	free(md);
	free(man);
}

static void
test_predicates(void **state)
{
	(void)state;
	assert_true(tp_record_is_tlsrpt_like("v=TLSRPTv1; rua=x", 17));
	assert_true(tp_record_is_tlsrpt_like("  V=tlsrptv2", 12));
	assert_true(tp_record_is_tlsrpt_like("\tv=TLSRPT", 9));
	assert_false(tp_record_is_tlsrpt_like("v=TLSRP", 7));
	assert_false(tp_record_is_tlsrpt_like("v=spf1 -all", 11));
	assert_false(tp_record_is_tlsrpt_like("x v=TLSRPTv1", 12));
	assert_true(tp_record_is_tlsrpt_v1("v=TLSRPTv1;", 11));
	assert_true(tp_record_is_tlsrpt_v1("v=TLSRPTv1 \t;rua", 16));
	assert_false(tp_record_is_tlsrpt_v1("v=TLSRPTv1", 10));
	assert_false(tp_record_is_tlsrpt_v1("v=TLSRPTv1 rua=x", 16));
	assert_false(tp_record_is_tlsrpt_v1("v=TLSRPTv10;", 12));
	assert_false(tp_record_is_tlsrpt_v1("V=TLSRPTv1;", 11));
	assert_false(tp_record_is_tlsrpt_v1(" v=TLSRPTv1;", 12));
}

static void
test_rua_extraction(void **state)
{
	static const char rec[] = "v=TLSRPTv1; rua=mailto:a@x.example , "
	                          "https://r.example/ ;x=1; RUA = mailto:b@y,,"
	                          "; ruaa=no; rua=";
	struct tp_strv sv = TP_STRV_INIT;

	(void)state;
	assert_int_equal(tp_record_rua(&sv, rec, strlen(rec)), 0);
	assert_int_equal(sv.n, 3);
	assert_string_equal(sv.v[0], "mailto:a@x.example");
	assert_string_equal(sv.v[1], "https://r.example/");
	assert_string_equal(sv.v[2], "mailto:b@y");
	tp_strv_release(&sv);
	assert_int_equal(tp_record_rua(&sv, "", 0), 0);
	assert_int_equal(sv.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_offsets),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_nul_in_fields),
	    cmocka_unit_test(test_long_mailto_list),
	    cmocka_unit_test(test_appends),
	    cmocka_unit_test(test_every_code_covered),
	    cmocka_unit_test(test_codes_documented),
	    cmocka_unit_test(test_predicates),
	    cmocka_unit_test(test_rua_extraction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
