/*
 * test_dns.c: the DNS module without a DNS server: addresses, answers
 * built byte by byte (compression, CNAME chains, split TXT strings,
 * negative answers, malformed ones), and the engine against a closed
 * loopback port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsrpt/dns.h"
#include "tlsrpt/err.h"

/* ---- a tiny DNS message builder (test data, not a parser) ------------ */

struct msg {
	unsigned char b[4096];
	size_t n;
};

static void
put8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (unsigned char)v;
}

static void
put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void
put32(struct msg *m, unsigned long v)
{
	put16(m, (unsigned)(v >> 16));
	put16(m, (unsigned)(v & 0xffff));
}

/* "a.b.c" as labels; "" is the root. */
static void
name(struct msg *m, const char *s)
{
	const char *dot;
	size_t n;

	while (*s != '\0') {
		dot = strchr(s, '.');
		n = dot ? (size_t)(dot - s) : strlen(s);
		put8(m, (unsigned)n);
		memcpy(m->b + m->n, s, n);
		m->n += n;
		s += n + (dot ? 1 : 0);
	}
	put8(m, 0);
}

static void
header(struct msg *m, unsigned flags, unsigned an, unsigned ns, unsigned ar,
       const char *qname, unsigned qtype)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, 1);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
	name(m, qname);
	put16(m, qtype);
	put16(m, 1);
}

/* An RR header; returns where RDLENGTH goes (filled by rr_end). */
static size_t
rr(struct msg *m, const char *owner, unsigned type, unsigned long ttl)
{
	size_t at;

	if (owner == NULL) { /* a pointer to the question name */
		put16(m, 0xc00c);
	} else {
		name(m, owner);
	}
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	at = m->n;
	put16(m, 0);
	return at;
}

static void
rr_end(struct msg *m, size_t at)
{
	size_t len = m->n - at - 2;

	m->b[at] = (unsigned char)(len >> 8);
	m->b[at + 1] = (unsigned char)(len & 0xff);
}

static void
txt_string(struct msg *m, char c, size_t len)
{
	put8(m, (unsigned)len);
	memset(m->b + m->n, c, len);
	m->n += len;
}

#define QR_AA 0x8400 /* QR, AA, NOERROR */

/* ---- addresses -------------------------------------------------------- */

static void
test_addr_parse(void **state)
{
	struct tp_dns_addr a;

	(void)state;
	assert_int_equal(tp_dns_addr_parse(&a, "192.0.2.1", "--x"), 0);
	assert_int_equal(a.port, 53);
	assert_string_equal(a.text, "192.0.2.1");
	assert_int_equal(tp_dns_addr_parse(&a, "192.0.2.1:5353", "--x"), 0);
	assert_int_equal(a.port, 5353);
	assert_string_equal(a.text, "192.0.2.1:5353");
	assert_int_equal(tp_dns_addr_parse(&a, "[2001:DB8:0::1]:5300", "--x"),
	                 0);
	assert_string_equal(a.host, "2001:db8::1");
	assert_string_equal(a.text, "[2001:db8::1]:5300");
	assert_int_equal(tp_dns_addr_parse(&a, "2001:db8::53", "--x"), 0);
	assert_int_equal(a.port, 53);
	assert_string_equal(a.text, "2001:db8::53");
	assert_int_equal(tp_dns_addr_parse(&a, "[::1]", "--x"), 0);
	assert_string_equal(a.text, "::1");
}

static void
test_addr_reject(void **state)
{
	static const char *const bad[] = {"ns1.example.com", "192.0.2.1:0",
	                                  "192.0.2.1:70000", "[::1",
	                                  "[::1]x",          "",
	                                  "192.0.2.1:",      "[::1]:",
	                                  "192.0.2.300",     "1.2.3.4:53x",
	                                  "[192.0.2.1]:53x"};
	struct tp_dns_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tp_dns_addr_parse(&a, bad[i], "--resolver"),
		                 TP_EUSAGE);
		assert_non_null(strstr(tp_err_msg(), "--resolver"));
	}
}

/* ---- answers ---------------------------------------------------------- */

static void
test_cname_and_split_txt(void **state)
{
	struct tp_strv cn = TP_STRV_INIT;
	struct tp_txtset set = TP_TXTSET_INIT;
	struct tp_dns_answer a;
	unsigned long ttl = 0;
	struct msg m;
	size_t at;

	(void)state;
	header(&m, QR_AA, 3, 0, 0, "_smtp._tls.example.com", TP_DNS_T_TXT);
	at = rr(&m, NULL, TP_DNS_T_CNAME, 600);
	name(&m, "rpt.example.net");
	rr_end(&m, at);
	at = rr(&m, "rpt.example.net", TP_DNS_T_TXT, 300);
	txt_string(&m, 'a', 255);
	txt_string(&m, 'b', 10);
	rr_end(&m, at);
	at = rr(&m, "rpt.example.net", TP_DNS_T_TXT, 120);
	txt_string(&m, 'c', 3);
	rr_end(&m, at);

	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_int_equal(a.rcode, TP_DNS_R_NOERROR);
	assert_int_equal(a.aa, 1);
	assert_int_equal(a.nrr, 3);
	assert_string_equal(a.rr[0].name, "_smtp._tls.example.com");
	assert_string_equal(a.rr[0].target, "rpt.example.net");
	assert_int_equal(
	    tp_dns_answer_txt(&set, &cn, &ttl, &a, "_SMTP._tls.example.com"),
	    0);
	assert_int_equal(cn.n, 1);
	assert_string_equal(cn.v[0], "rpt.example.net");
	assert_int_equal(set.n, 2);
	assert_int_equal(set.v[0].len, 265);
	assert_int_equal(set.v[0].nstrings, 2);
	assert_int_equal(set.v[0].strlens[0], 255);
	assert_int_equal(set.v[0].strlens[1], 10);
	assert_int_equal(set.v[0].data[254], 'a');
	assert_int_equal(set.v[0].data[255], 'b');
	assert_int_equal(set.v[1].len, 3);
	assert_int_equal(ttl, 120);
	assert_int_equal(tp_dns_negative_ttl(&a), -1);
	tp_txtset_release(&set);
	tp_strv_release(&cn);
	tp_dns_answer_release(&a);
}

static void
test_nxdomain_soa(void **state)
{
	const struct tp_dns_rr *soa;
	struct tp_dns_answer a;
	struct msg m;
	size_t at;

	(void)state;
	header(&m, QR_AA | TP_DNS_R_NXDOMAIN, 0, 1, 0, "_smtp._tls.example.com",
	       TP_DNS_T_TXT);
	at = rr(&m, "Example.COM", TP_DNS_T_SOA, 300);
	name(&m, "ns1.example.com");
	name(&m, "hostmaster.example.com");
	put32(&m, 2026112201);
	put32(&m, 3600);
	put32(&m, 900);
	put32(&m, 604800);
	put32(&m, 60);
	rr_end(&m, at);

	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_int_equal(a.rcode, TP_DNS_R_NXDOMAIN);
	soa = tp_dns_answer_soa(&a, TP_DNS_AUTHORITY);
	assert_non_null(soa);
	assert_null(tp_dns_answer_soa(&a, TP_DNS_ANSWER));
	assert_string_equal(soa->name, "example.com");
	assert_string_equal(soa->target, "ns1.example.com");
	assert_int_equal(soa->soa_serial, 2026112201);
	assert_int_equal(soa->soa_minimum, 60);
	assert_int_equal(tp_dns_negative_ttl(&a), 60);
	assert_string_equal(tp_dns_rcode_name(a.rcode), "NXDOMAIN");
	tp_dns_answer_release(&a);
}

/* A referral is no answer; NODATA (with or without AA) and NXDOMAIN are. */
static void
test_referral(void **state)
{
	struct tp_dns_answer a;
	struct msg m;
	size_t at;

	(void)state;
	header(&m, 0x8000, 0, 1, 1, "_smtp._tls.sub.example.com", TP_DNS_T_TXT);
	at = rr(&m, "Sub.Example.com", TP_DNS_T_NS, 300);
	name(&m, "ns.sub.example.com");
	rr_end(&m, at);
	at = rr(&m, "ns.sub.example.com", TP_DNS_T_A, 300);
	put32(&m, 0x7f000003);
	rr_end(&m, at);
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_non_null(tp_dns_answer_referral(&a));
	assert_string_equal(tp_dns_answer_referral(&a), "sub.example.com");
	tp_dns_answer_release(&a);

	/* The same from a server authoritative for the name: NODATA. */
	m.b[2] |= 0x04;
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_null(tp_dns_answer_referral(&a));
	tp_dns_answer_release(&a);

	/* NODATA from a resolver (AA=0) carries the SOA, not a referral. */
	header(&m, 0x8180, 0, 1, 0, "_smtp._tls.example.com", TP_DNS_T_TXT);
	at = rr(&m, "example.com", TP_DNS_T_SOA, 300);
	name(&m, "ns1.example.com");
	name(&m, "hostmaster.example.com");
	put32(&m, 1);
	put32(&m, 3600);
	put32(&m, 900);
	put32(&m, 604800);
	put32(&m, 60);
	rr_end(&m, at);
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_null(tp_dns_answer_referral(&a));
	tp_dns_answer_release(&a);

	/* No authority at all (minimal responses): NODATA, not a referral. */
	header(&m, 0x8180, 0, 0, 0, "_smtp._tls.example.com", TP_DNS_T_TXT);
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_null(tp_dns_answer_referral(&a));
	tp_dns_answer_release(&a);
}

static void
test_ttl_top_bit_and_empty_txt(void **state)
{
	struct tp_txtset set = TP_TXTSET_INIT;
	struct tp_dns_answer a;
	struct msg m;
	size_t at;

	(void)state;
	/* An empty TXT RDATA (malformed but seen) must not shift the strings
	 * of the next RR onto it. */
	header(&m, QR_AA, 2, 0, 0, "x.test", TP_DNS_T_TXT);
	at = rr(&m, NULL, TP_DNS_T_TXT, 0x80000001UL);
	rr_end(&m, at);
	at = rr(&m, NULL, TP_DNS_T_TXT, 30);
	txt_string(&m, 'z', 5);
	rr_end(&m, at);
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_int_equal(a.rr[0].ttl, 0);
	assert_int_equal(a.rr[0].txt.len, 0);
	assert_int_equal(a.rr[1].txt.len, 5);
	assert_int_equal(tp_dns_answer_txt(&set, NULL, NULL, &a, "x.test"), 0);
	assert_int_equal(set.n, 2);
	tp_txtset_release(&set);
	tp_dns_answer_release(&a);
}

static void
test_malformed(void **state)
{
	struct tp_dns_answer a;
	struct msg m;
	size_t at;

	(void)state;
	header(&m, QR_AA, 1, 0, 0, "x.test", TP_DNS_T_TXT);
	at = rr(&m, NULL, TP_DNS_T_TXT, 30);
	txt_string(&m, 'z', 5);
	rr_end(&m, at);
	/* Cut inside the RDATA. */
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n - 2), TP_ENETWORK);
	assert_int_equal(a.nrr, 0);
	/* A string length running past the RDATA. */
	m.b[at + 2] = 9;
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), TP_ENETWORK);
	assert_int_equal(tp_dns_answer_parse(&a, m.b, 5), TP_ENETWORK);
}

static void
test_address_records(void **state)
{
	struct tp_dns_answer a;
	struct msg m;
	size_t at;

	(void)state;
	header(&m, QR_AA, 1, 1, 1, "ns1.example.com", TP_DNS_T_AAAA);
	at = rr(&m, NULL, TP_DNS_T_AAAA, 300);
	put32(&m, 0x20010db8);
	put32(&m, 0);
	put32(&m, 0);
	put32(&m, 0x53);
	rr_end(&m, at);
	at = rr(&m, "example.com", TP_DNS_T_NS, 300);
	put16(&m, 0xc00c); /* compressed: ns1.example.com */
	rr_end(&m, at);
	at = rr(&m, "ns1.example.com", TP_DNS_T_A, 300);
	put32(&m, 0xc0000201);
	rr_end(&m, at);
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_int_equal(a.nrr, 3);
	assert_string_equal(a.rr[0].target, "2001:db8::53");
	assert_int_equal(a.rr[1].section, TP_DNS_AUTHORITY);
	assert_string_equal(a.rr[1].target, "ns1.example.com");
	assert_int_equal(a.rr[2].section, TP_DNS_ADDITIONAL);
	assert_string_equal(a.rr[2].target, "192.0.2.1");
	tp_dns_answer_release(&a);
}

/* MX (RFC 1035 3.3.9) behind a CNAME, and RFC 7505's null MX "0 .". */
static void
test_mx_records(void **state)
{
	struct tp_dns_answer a;
	struct msg m;
	size_t at;

	(void)state;
	header(&m, 0x8180, 3, 0, 0, "mail.example.com", TP_DNS_T_MX);
	at = rr(&m, NULL, TP_DNS_T_CNAME, 300);
	name(&m, "mx-alias.example.net");
	rr_end(&m, at);
	at = rr(&m, "MX-Alias.example.net", TP_DNS_T_MX, 300);
	put16(&m, 10);
	name(&m, "mx1.example.net");
	rr_end(&m, at);
	at = rr(&m, "null.example.org", TP_DNS_T_MX, 300);
	put16(&m, 0);
	name(&m, "");
	rr_end(&m, at);
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), 0);
	assert_int_equal(a.nrr, 3);
	assert_string_equal(tp_dns_answer_owner(&a, "mail.example.com"),
	                    "mx-alias.example.net");
	assert_string_equal(tp_dns_answer_owner(&a, "other.example.com"),
	                    "other.example.com");
	assert_int_equal(a.rr[1].mx_pref, 10);
	assert_string_equal(a.rr[1].target, "mx1.example.net");
	assert_int_equal(a.rr[2].mx_pref, 0);
	assert_string_equal(a.rr[2].target, ".");
	tp_dns_answer_release(&a);
	/* An MX without room for its exchange is malformed. */
	header(&m, 0x8180, 1, 0, 0, "x.example", TP_DNS_T_MX);
	at = rr(&m, NULL, TP_DNS_T_MX, 300);
	put16(&m, 10);
	rr_end(&m, at);
	assert_int_equal(tp_dns_answer_parse(&a, m.b, m.n), TP_ENETWORK);
	tp_dns_answer_release(&a);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(tp_dns_name_in("_smtp._tls.example.com", "example.com"));
	assert_true(tp_dns_name_in("Example.com.", "example.COM"));
	assert_true(tp_dns_name_in("a.b", "."));
	assert_false(tp_dns_name_in("badexample.com", "example.com"));
	assert_false(tp_dns_name_in("example.com", "a.example.com"));
	assert_string_equal(tp_dns_rcode_name(5), "REFUSED");
	assert_string_equal(tp_dns_rcode_name(23), "RCODE 23");
}

/* ---- the engine ------------------------------------------------------- */

static int calls;

static void
on_answer(void *arg, const struct tp_dns_answer *a)
{
	int *status = arg;

	calls++;
	*status = (int)a->status;
}

static void
test_engine_refused_and_cancel(void **state)
{
	struct tp_dns_server *s;
	struct tp_dns_query *q;
	struct tp_dns_addr addr;
	struct tp_dns *d;
	unsigned long sent, answered;
	int st = -1, st2 = -1, i;

	(void)state;
	/* Port 9 (discard) is not served on loopback here: ICMP port
	 * unreachable, seen by c-ares as a refused connection. */
	assert_int_equal(tp_dns_new(&d, NULL), 0);
	assert_int_equal(tp_dns_addr_parse(&addr, "127.0.0.1:9", "x"), 0);
	assert_int_equal(tp_dns_server(&s, d, &addr), 0);
	calls = 0;
	assert_int_equal(
	    tp_dns_query(&q, s, "a.test", TP_DNS_T_TXT, on_answer, &st), 0);
	assert_int_equal(
	    tp_dns_query(NULL, s, "b.test", TP_DNS_T_TXT, on_answer, &st2), 0);
	tp_dns_cancel(q);
	assert_int_equal(calls, 0); /* never inside tp_dns_query */
	for (i = 0; i < 50 && tp_dns_pending(d) > 0; i++)
		assert_true(tp_dns_step(d, -1, 0.2) >= 0);
	assert_int_equal(calls, 1);
	assert_int_equal(st, -1);
	assert_int_equal(st2, TP_DNS_CONNREFUSED);
	tp_dns_stats(d, &sent, &answered);
	assert_int_equal(sent, 1);
	assert_int_equal(answered, 0);
	tp_dns_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr_parse),
	    cmocka_unit_test(test_addr_reject),
	    cmocka_unit_test(test_cname_and_split_txt),
	    cmocka_unit_test(test_nxdomain_soa),
	    cmocka_unit_test(test_referral),
	    cmocka_unit_test(test_ttl_top_bit_and_empty_txt),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_address_records),
	    cmocka_unit_test(test_mx_records),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_engine_refused_and_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
