/*
 * fuzz_dnsmsg.c: libFuzzer target for DNS answers as the watcher and
 * check read them (core/dnsmsg.c over glibc's ns_initparse/ns_parserr,
 * core/dns.c's TXT strings through c-ares): any bytes must parse or fail
 * cleanly, and the questions asked of a parsed answer (the TXT RRset
 * behind CNAMEs, the SOA, the negative TTL, what senders make of the
 * RRset) must be answered. Invariants (trap on violation): a failure says
 * why; every RR has an owner name; a TXT value's strings add up to its
 * length and are at most 255 bytes each.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/diag.h"
#include "tlsrpt/dns.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "tlsrpt/txt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_txt(const struct tp_txt *t)
{
	size_t i, sum = 0;

	if (t->data == NULL)
		return;
	if (t->data[t->len] != '\0')
		__builtin_trap();
	for (i = 0; t->strlens != NULL && i < t->nstrings; i++) {
		if (t->strlens[i] > TP_TXT_STRING_MAX)
			__builtin_trap();
		sum += t->strlens[i];
	}
	if (t->strlens != NULL && sum != t->len)
		__builtin_trap();
}

static void
ask(const struct tp_dns_answer *a, const char *qname)
{
	struct tp_strv cnames = TP_STRV_INIT;
	struct tp_txtset set = TP_TXTSET_INIT;
	struct tp_diags d = TP_DIAGS_INIT;
	enum tp_rrset_status st;
	unsigned long ttl;
	size_t i, idx;

	if (tp_dns_answer_txt(&set, &cnames, &ttl, a, qname) != 0)
		__builtin_trap();
	for (i = 0; i < set.n; i++)
		check_txt(&set.v[i]);
	if (tp_rrset_validate(&d, &st, &idx, &set) != 0)
		__builtin_trap();
	if (st == TP_RRSET_VALID && idx >= set.n)
		__builtin_trap();
	tp_diags_release(&d);
	tp_txtset_release(&set);
	tp_strv_release(&cnames);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tp_dns_answer a;
	size_t i;

	if (tp_dns_answer_parse(&a, data, size) != 0) {
		if (tp_err_msg()[0] == '\0' || a.nrr != 0)
			__builtin_trap();
		tp_dns_answer_release(&a);
		return 0;
	}
	for (i = 0; i < a.nrr; i++) {
		if (a.rr[i].name == NULL)
			__builtin_trap();
		if (a.rr[i].type == TP_DNS_T_TXT)
			check_txt(&a.rr[i].txt);
		(void)tp_dns_name_in(a.rr[i].name, "example.com");
	}
	ask(&a, "_smtp._tls.example.com");
	if (a.nrr > 0)
		ask(&a, a.rr[0].name);
	(void)tp_dns_answer_soa(&a, TP_DNS_ANSWER);
	(void)tp_dns_answer_soa(&a, TP_DNS_AUTHORITY);
	(void)tp_dns_negative_ttl(&a);
	(void)tp_dns_rcode_name(a.rcode);
	tp_dns_answer_release(&a);
	return 0;
}
