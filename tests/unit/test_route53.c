/*
 * test_route53.c: the Route 53 wire pieces (providers/aws/r53*.c): TXT
 * values in Route 53's quoted, octal-escaped form both ways, names as it
 * returns them, the change batch we send, the responses it sends
 * (tests/fixtures/route53/), and its errors mapped with code, text and
 * RequestId.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../providers/aws/awsxml.h"
#include "../../providers/aws/r53.h"
#include "tlsrpt/err.h"

#define FIXTURES "tests/fixtures/route53/"

static char *
slurp(const char *name, size_t *len)
{
	char path[256], *buf;
	FILE *f;
	long n;

	(void)snprintf(path, sizeof(path), FIXTURES "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
encodes_to(const char *value, const char *want)
{
	char *out = NULL;

	assert_int_equal(tp_r53_txt_encode(&out, value, strlen(value)), 0);
	assert_string_equal(out, want);
	free(out);
}

static void
decodes_to(const char *wire, const char *want, size_t want_len)
{
	char *out = NULL;
	size_t len;

	assert_int_equal(tp_r53_txt_decode(&out, &len, wire), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
	free(out);
}

static void
test_encode(void **state)
{
	(void)state;
	encodes_to("v=TLSRPTv1; rua=mailto:a@example.com",
	           "\"v=TLSRPTv1; rua=mailto:a@example.com\"");
	/* Space stays; quote and backslash escaped; control and 8-bit
	 * bytes as three octal digits (not decimal: \344 is 0xE4). */
	encodes_to("say \"hi\" \\", "\"say \\\"hi\\\" \\\\\"");
	encodes_to("tab\there", "\"tab\\011here\"");
	encodes_to("ex\xe4mple", "\"ex\\344mple\"");
	encodes_to("\x7f\x1f", "\"\\177\\037\"");
	encodes_to("", "\"\"");
	/* '&' '<' '>' are plain text here: XML escaping is the body's. */
	encodes_to("a&b<c>", "\"a&b<c>\"");
}

static void
test_encode_splits_at_255(void **state)
{
	char v[600], want[700], *out = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < 510; i++)
		v[i] = (char)('a' + i % 26);
	v[510] = '\0';
	assert_int_equal(tp_r53_txt_encode(&out, v, 255), 0);
	assert_int_equal(strlen(out), 257); /* exactly one string */
	free(out);
	assert_int_equal(tp_r53_txt_encode(&out, v, 510), 0);
	(void)snprintf(want, sizeof(want), "\"%.255s\" \"%.255s\"", v, v + 255);
	assert_string_equal(out, want);
	free(out);
	/* The split counts bytes of the value, not of its escaped form. */
	memset(v, '"', 256);
	assert_int_equal(tp_r53_txt_encode(&out, v, 256), 0);
	assert_int_equal(strlen(out), 2 + 255 * 2 + 3 + 2);
	assert_string_equal(out + strlen(out) - 6, "\" \"\\\"\"");
	free(out);
}

static void
test_decode(void **state)
{
	(void)state;
	decodes_to("\"v=TLSRPTv1; rua=mailto:a@example.com\"",
	           "v=TLSRPTv1; rua=mailto:a@example.com", 36);
	/* Several strings: concatenated, nothing added. */
	decodes_to("\"v=TLSRPTv1; rua=mai\" \"lto:a@example.com\"",
	           "v=TLSRPTv1; rua=mailto:a@example.com", 36);
	decodes_to("\"say \\\"hi\\\" \\\\ caf\\303\\251\"",
	           "say \"hi\" \\ caf\xc3\xa9", 16);
	/* \ooo is octal; a backslash before anything else is that thing;
	 * fewer than three octal digits are not an escape. */
	decodes_to("\"\\101\\x\\8\\12\"", "Ax812", 5);
	decodes_to("\"a\\000b\"", "a\0b", 3);
	/* Glued strings (refused by Route 53 on input) still decode. */
	decodes_to("\"ab\"\"cd\"", "abcd", 4);
	/* Never written by Route 53, tolerated: an unquoted word. */
	decodes_to("plain", "plain", 5);
	decodes_to("\"\"", "", 0);
}

static void
test_decode_malformed(void **state)
{
	char *out = (char *)"x";
	size_t len = 9;

	(void)state;
	assert_int_equal(tp_r53_txt_decode(&out, &len, "\"unterminated"),
	                 TP_ENETWORK);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_non_null(strstr(tp_err_msg(), "unterminated"));
	assert_int_equal(tp_r53_txt_decode(&out, &len, "\"ends in \\"),
	                 TP_ENETWORK);
}

/* Quoted strings of at most 255 bytes each, one space between them. */
static void
strings_ok(const char *w)
{
	const char *p;
	size_t run = 0;
	int in = 0;

	for (p = w; *p; p++) {
		if (!in) {
			assert_true(*p == '"' && (p == w || p[-1] == ' '));
			in = 1;
			run = 0;
			continue;
		}
		if (*p == '"') {
			in = 0;
			assert_true(run <= 255);
			assert_true(p[1] == '\0' ||
			            (p[1] == ' ' && p[2] == '"'));
			p += p[1] != '\0';
			continue;
		}
		if (*p == '\\')
			p += (p[1] >= '0' && p[1] <= '3') ? 3 : 1;
		run++;
	}
	assert_false(in);
}

static void
test_round_trip_random(void **state)
{
	char v[1200], *wire, *back, *p;
	size_t n, len, i;
	int k;

	(void)state;
	srand(5353);
	for (k = 0; k < 2000; k++) {
		n = (size_t)(rand() % 1100);
		for (i = 0; i < n; i++)
			v[i] = (char)(1 + rand() % 255);
		assert_int_equal(tp_r53_txt_encode(&wire, v, n), 0);
		/* Only printable ASCII on the wire, strings <= 255 bytes. */
		for (p = wire; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
		assert_int_equal(tp_r53_txt_decode(&back, &len, wire), 0);
		assert_int_equal(len, n);
		assert_memory_equal(back, v, n);
		strings_ok(wire);
		free(wire);
		free(back);
	}
}

static void
names_to(const char *wire, const char *want)
{
	char *out = NULL;

	assert_int_equal(tp_r53_name_decode(&out, wire), 0);
	assert_string_equal(out, want);
	free(out);
}

static void
test_names(void **state)
{
	char *out = NULL;

	(void)state;
	names_to("_smtp._tls.example.com.", "_smtp._tls.example.com");
	names_to("Example.COM.", "example.com");
	names_to("\\052.example.com.", "*.example.com");
	names_to("ex\\344mple.com.", "ex\xe4mple.com");
	names_to("example.com", "example.com");
	names_to("a\\.b.", "a.b");
	assert_int_equal(tp_r53_name_decode(&out, "bad\\"), TP_ENETWORK);
	assert_null(out);
}

static void
test_change_batch_xml(void **state)
{
	struct tp_strv old = TP_STRV_INIT, new = TP_STRV_INIT;
	struct tp_buf b = TP_BUF_INIT(1 << 16);
	struct tp_r53_change c[2];
	const xmlNode *root, *ch, *set;
	xmlDoc *doc;
	char *t;

	(void)state;
	assert_int_equal(tp_strv_add(&old, "\"v=TLSRPTv1; rua=mailto:o@x\""),
	                 0);
	assert_int_equal(tp_strv_add(&new,
	                             "\"rua=https://r.example/?a=1&b=<"
	                             "2>\" \"x\""),
	                 0);
	c[0] = (struct tp_r53_change){"DELETE", "_smtp._tls.example.com", 300,
	                              &old};
	c[1] = (struct tp_r53_change){"CREATE", "_smtp._tls.example.com", 900,
	                              &new};
	tp_r53_xml_change_batch(&b, "a & b", c, 2);
	assert_int_equal(b.err, 0);
	assert_non_null(strstr(b.s, "&amp;b=&lt;2&gt;"));
	assert_null(strstr(b.s, "&b=<"));
	/* A real parser reads it back as sent, in the model's order. */
	assert_int_equal(tp_aws_xml_parse(&doc, b.s, b.len, "batch"), 0);
	root = tp_aws_xml_root(doc);
	assert_true(tp_aws_xml_is(root, "ChangeResourceRecordSetsRequest"));
	assert_string_equal((const char *)root->ns->href, TP_R53_NS);
	t = tp_aws_xml_text(tp_aws_xml_path(root, "ChangeBatch/Comment"));
	assert_string_equal(t, "a & b");
	free(t);
	ch = tp_aws_xml_path(root, "ChangeBatch/Changes/Change");
	t = tp_aws_xml_text(tp_aws_xml_child(ch, "Action"));
	assert_string_equal(t, "DELETE");
	free(t);
	set = tp_aws_xml_child(ch->next, "ResourceRecordSet");
	assert_true(tp_aws_xml_is(set->children, "Name"));
	assert_true(tp_aws_xml_is(set->children->next, "Type"));
	assert_true(tp_aws_xml_is(set->children->next->next, "TTL"));
	t = tp_aws_xml_text(set->children);
	assert_string_equal(t, "_smtp._tls.example.com.");
	free(t);
	t = tp_aws_xml_text(
	    tp_aws_xml_path(set, "ResourceRecords/ResourceRecord/Value"));
	assert_string_equal(t, new.v[0]);
	free(t);
	t = tp_aws_xml_text(tp_aws_xml_child(set, "TTL"));
	assert_string_equal(t, "900");
	free(t);
	tp_aws_xml_free(doc);
	tp_buf_release(&b);
	tp_strv_release(&old);
	tp_strv_release(&new);
}

static void
test_parse_zones(void **state)
{
	struct tp_r53_zones z;
	size_t len;
	char *body;

	(void)state;
	body = slurp("list_hosted_zones_by_name.xml", &len);
	assert_int_equal(tp_r53_xml_zones(&z, body, len), 0);
	assert_int_equal(z.n, 1);
	assert_string_equal(z.v[0].id, "ABCDEFG");
	assert_string_equal(z.v[0].name, "example.com");
	assert_false(z.v[0].private_zone);
	assert_true(z.truncated);
	assert_string_equal(z.next_name, "example2.com");
	assert_string_equal(z.next_id, "ZLT12321321124");
	tp_r53_zones_release(&z);
	free(body);

	body = slurp("list_hosted_zones_by_name_split.xml", &len);
	assert_int_equal(tp_r53_xml_zones(&z, body, len), 0);
	assert_int_equal(z.n, 3);
	assert_true(z.v[0].private_zone);
	assert_false(z.v[1].private_zone); /* no Config: public */
	assert_string_equal(z.v[1].id, "Z0PUBLIC000000000001");
	assert_string_equal(z.v[2].name, "*.wild.example.com");
	assert_false(z.truncated);
	assert_null(z.next_name);
	tp_r53_zones_release(&z);
	free(body);

	body = slurp("list_hosted_zones.xml", &len);
	assert_int_equal(tp_r53_xml_zones(&z, body, len), 0);
	assert_int_equal(z.n, 2);
	assert_true(z.v[1].private_zone);
	assert_string_equal(z.next_marker, "Z3M3LMPEXAMPLE");
	tp_r53_zones_release(&z);
	free(body);

	body = slurp("get_hosted_zone.xml", &len);
	assert_int_equal(tp_r53_xml_zones(&z, body, len), 0);
	assert_int_equal(z.n, 1);
	assert_string_equal(z.v[0].name, "example.org");
	assert_string_equal(z.v[0].id, "Z1D633PJN98FT9");
	tp_r53_zones_release(&z);
	free(body);

	/* Another document, or no XML at all. */
	body = slurp("change_pending.xml", &len);
	assert_int_equal(tp_r53_xml_zones(&z, body, len), TP_ENETWORK);
	assert_int_equal(z.n, 0);
	free(body);
	assert_int_equal(tp_r53_xml_zones(&z, "<html>", 6), TP_ENETWORK);
}

static void
test_parse_rrsets(void **state)
{
	struct tp_r53_rrset r;
	size_t len;
	char *body;

	(void)state;
	body = slurp("list_rrsets_txt.xml", &len);
	assert_int_equal(tp_r53_xml_rrset(&r, body, len), 0);
	assert_true(r.found);
	assert_string_equal(r.name, "_smtp._tls.example.com");
	assert_string_equal(r.type, "TXT");
	assert_int_equal(r.ttl, 300);
	assert_null(r.set_id);
	assert_int_equal(r.values.n, 3);
	/* Values as sent (wire form), XML entities resolved. */
	assert_string_equal(r.values.v[1],
	                    "\"say \\\"hi\\\" \\\\ "
	                    "caf\\303\\251\" \"second string\"");
	assert_string_equal(r.values.v[2], "\"a & b <c>\"");
	tp_r53_rrset_release(&r);
	free(body);

	body = slurp("list_rrsets_other.xml", &len);
	assert_int_equal(tp_r53_xml_rrset(&r, body, len), 0);
	assert_true(r.found);
	assert_string_equal(r.name, "www.example.com");
	assert_string_equal(r.type, "A");
	tp_r53_rrset_release(&r);
	free(body);

	body = slurp("list_rrsets_weighted.xml", &len);
	assert_int_equal(tp_r53_xml_rrset(&r, body, len), 0);
	assert_string_equal(r.set_id, "blue");
	tp_r53_rrset_release(&r);
	free(body);

	body = slurp("list_rrsets_empty.xml", &len);
	assert_int_equal(tp_r53_xml_rrset(&r, body, len), 0);
	assert_false(r.found);
	assert_int_equal(r.values.n, 0);
	tp_r53_rrset_release(&r);
	free(body);
}

static void
test_parse_change(void **state)
{
	size_t len;
	char *body, *id;
	int insync = 7;

	(void)state;
	body = slurp("change_pending.xml", &len);
	assert_int_equal(tp_r53_xml_change(&id, &insync, body, len), 0);
	assert_string_equal(id, "123456");
	assert_false(insync);
	free(id);
	free(body);
	body = slurp("get_change_insync.xml", &len);
	assert_int_equal(tp_r53_xml_change(&id, &insync, body, len), 0);
	assert_string_equal(id, "C2682N5HXP0BZ4");
	assert_true(insync);
	free(id);
	free(body);
	body = slurp("error_throttling.xml", &len);
	assert_int_equal(tp_r53_xml_change(&id, &insync, body, len),
	                 TP_ENETWORK);
	assert_null(id);
	free(body);
}

/* Map a fixture; check the code, the provider fields, and that the
 * message holds every string in want. */
static void
maps_to(const char *fixture, long status, int code, const char *pcode,
        const char *const *want)
{
	struct tp_error e;
	size_t len;
	char *body;

	body = slurp(fixture, &len);
	assert_int_equal(tp_r53_error(status, body, len, "doing X"), code);
	memset(&e, 0, sizeof(e));
	assert_int_equal(tp_err_copy(&e), 0);
	assert_int_equal(e.code, code);
	assert_int_equal(e.http_status, status);
	assert_string_equal(e.provider_code, pcode);
	assert_true(strncmp(e.message, "route53: doing X (HTTP ", 23) == 0);
	for (; *want != NULL; want++)
		if (strstr(e.message, *want) == NULL)
			fail_msg("'%s' not in '%s'", *want, e.message);
	tp_error_release(&e);
	free(body);
}

static void
test_errors(void **state)
{
	static const char *const throttle[] = {
	    "Throttling: Rate exceeded",
	    "RequestId bbc0ee24-16ae-4a22-a980-fd2237241d59",
	    "5 requests per second", NULL};
	static const char *const batch[] = {
	    "but it already exists; Tried to delete",
	    "RequestId b25f48e8-84fd-11e6-80d9-574e0c4664cb", NULL};
	static const char *const fatal[] = {"FATAL problem", NULL};
	static const char *const denied[] = {
	    "not authorized to perform: route53:ChangeResourceRecordSets",
	    "route53:ListResourceRecordSets", "route53:GetChange",
	    "docs/providers/route53.md", NULL};
	static const char *const sig[] = {
	    "does not match", "AWS_SECRET_ACCESS_KEY", "clock", NULL};
	static const char *const zone[] = {"ZNOSUCHZONE1", "--zone-id", NULL};
	static const char *const old[] = {"Invalid domain name",
	                                  "e7c2f2a8-0000", NULL};
	struct tp_error e;
	size_t len;
	char *body;

	(void)state;
	maps_to("error_throttling.xml", 400, TP_ERATELIMIT, "Throttling",
	        throttle);
	maps_to("error_prior.xml", 400, TP_ERATELIMIT,
	        "PriorRequestNotComplete", fatal + 1);
	maps_to("error_invalid_change_batch.xml", 400, TP_ECONFLICT,
	        "InvalidChangeBatch", batch);
	maps_to("error_fatal.xml", 400, TP_ECONFLICT, "InvalidChangeBatch",
	        fatal);
	maps_to("error_access_denied.xml", 403, TP_EAUTH, "AccessDenied",
	        denied);
	maps_to("error_signature.xml", 403, TP_EAUTH, "SignatureDoesNotMatch",
	        sig);
	maps_to("error_no_such_zone.xml", 404, TP_ENOTFOUND, "NoSuchHostedZone",
	        zone);
	maps_to("error_old_shape.xml", 400, TP_EUSAGE, "InvalidInput", old);

	/* The signature error's canonical request carries the session
	 * token: only its first line is ever shown. */
	body = slurp("error_signature.xml", &len);
	(void)tp_r53_error(403, body, len, "doing X");
	memset(&e, 0, sizeof(e));
	assert_int_equal(tp_err_copy(&e), 0);
	assert_null(strstr(e.message, "SECRETSESSIONTOKEN"));
	assert_null(strstr(e.provider_message, "SECRETSESSIONTOKEN"));
	assert_null(strstr(e.message, "Canonical"));
	tp_error_release(&e);
	free(body);

	/* Not an AWS document: the status decides. */
	assert_int_equal(tp_r53_error(503, "<html>busy</html>", 17, "x"),
	                 TP_ENETWORK);
	assert_non_null(strstr(tp_err_msg(), "HTTP 503"));
	assert_int_equal(tp_r53_error(403, "", 0, "x"), TP_EAUTH);
}

static void
test_is_throttle(void **state)
{
	size_t len;
	char *body;

	(void)state;
	body = slurp("error_throttling.xml", &len);
	assert_true(tp_r53_is_throttle(body, len));
	free(body);
	body = slurp("error_prior.xml", &len);
	assert_true(tp_r53_is_throttle(body, len));
	free(body);
	body = slurp("error_fatal.xml", &len);
	assert_false(tp_r53_is_throttle(body, len));
	free(body);
	assert_false(tp_r53_is_throttle("not xml", 7));
	assert_false(tp_r53_is_throttle("", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode),
	    cmocka_unit_test(test_encode_splits_at_255),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_decode_malformed),
	    cmocka_unit_test(test_round_trip_random),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_change_batch_xml),
	    cmocka_unit_test(test_parse_zones),
	    cmocka_unit_test(test_parse_rrsets),
	    cmocka_unit_test(test_parse_change),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_is_throttle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
