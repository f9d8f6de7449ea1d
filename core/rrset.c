/*
 * rrset.c: the TXT RRset at _smtp._tls.DOMAIN read as a sender reads it
 * (RFC 8460 §3): values that do not begin with "v=TLSRPTv1" + field-delim
 * are discarded, exactly one must remain, and that one is validated.
 * Values arrive decoded (character-strings concatenated); two RRs that
 * differ only in how they are split are still two records.
 */
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "uri.h"

/* Diagnostics about the set as a whole carry offset 0. */
static int
discarded(struct tp_diags *out, const struct tp_txtset *set, size_t i)
{
	const struct tp_txt *t = &set->v[i];
	char q[96];

	tp_uri_quote(q, sizeof(q), t->data, t->len);
	if (tp_record_is_tlsrpt_like(t->data, t->len))
		return tp_diags_add(out, TP_SEV_WARNING, "rrset-discarded", 0,
		                    "fix it so that it begins exactly "
		                    "'v=TLSRPTv1;', or remove it",
		                    "TXT value %zu of %zu ('%s') looks like "
		                    "TLS-RPT but does not begin with "
		                    "'v=TLSRPTv1;', so senders discard it",
		                    i + 1, set->n, q);
	return tp_diags_add(out, TP_SEV_WARNING, "rrset-unrelated", 0,
	                    "senders ignore it; checkdmarc 5 reports an "
	                    "error for it (an SPF record belongs at the "
	                    "domain itself, not at _smtp._tls)",
	                    "TXT value %zu of %zu ('%s') is not a TLS-RPT "
	                    "record",
	                    i + 1, set->n, q);
}

/* 1 when every kept value has the same octets (only the split differs). */
static int
same_text(const struct tp_txtset *set)
{
	const struct tp_txt *a = NULL, *t;
	size_t i;

	for (i = 0; i < set->n; i++) {
		t = &set->v[i];
		if (!tp_record_is_tlsrpt_v1(t->data, t->len))
			continue;
		if (a == NULL)
			a = t;
		else if (a->len != t->len ||
		         memcmp(a->data, t->data, t->len) != 0)
			return 0;
	}
	return 1;
}

static int
several(struct tp_diags *out, const struct tp_txtset *set, size_t kept)
{
	if (same_text(set))
		return tp_diags_add(out, TP_SEV_ERROR, "rrset-split-duplicate",
		                    0, "delete all but one of them",
		                    "the same record is published %zu times, "
		                    "split differently into character-strings: "
		                    "DNS keeps them as %zu records, so senders "
		                    "use none (RFC 8460 §3)",
		                    kept, kept);
	return tp_diags_add(out, TP_SEV_ERROR, "rrset-multiple", 0,
	                    "keep exactly one TLS-RPT record (merge the "
	                    "destinations into its rua= list)",
	                    "%zu TXT values begin with 'v=TLSRPTv1': RFC 8460 "
	                    "§3 says senders then use none of them",
	                    kept);
}

int
tp_rrset_validate(struct tp_diags *out, enum tp_rrset_status *status,
                  size_t *index, const struct tp_txtset *set)
{
	static const char hint[] = "publish 'v=TLSRPTv1; rua=mailto:ADDRESS' "
	                           "at _smtp._tls.DOMAIN";
	size_t i, kept = 0, first = (size_t)-1, start;
	int rc;

	*status = TP_RRSET_MISSING;
	*index = (size_t)-1;
	for (i = 0; i < set->n; i++) {
		if (tp_record_is_tlsrpt_v1(set->v[i].data, set->v[i].len)) {
			if (kept++ == 0)
				first = i;
		} else if ((rc = discarded(out, set, i)) != 0)
			return rc;
	}
	if (kept == 0 && set->n == 0)
		return tp_diags_add(out, TP_SEV_ERROR, "rrset-missing", 0, hint,
		                    "no TXT record at the name");
	if (kept == 0)
		return tp_diags_add(out, TP_SEV_ERROR, "rrset-missing", 0, hint,
		                    "none of the %zu TXT values begins with "
		                    "'v=TLSRPTv1;'",
		                    set->n);
	if (kept > 1) {
		*status = TP_RRSET_INVALID;
		return several(out, set, kept);
	}
	*index = first;
	start = out->n;
	if ((rc = tp_record_validate(out, set->v[first].data,
	                             set->v[first].len)) != 0)
		return rc;
	*status = TP_RRSET_VALID;
	for (i = start; i < out->n; i++)
		if (out->v[i].severity == TP_SEV_ERROR)
			*status = TP_RRSET_INVALID;
	return 0;
}
