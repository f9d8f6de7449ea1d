/*
 * record_util.c: the cheap record predicates the planner and the RRset
 * rules use (TLS-RPT-like, kept by the discard rule), the tolerant
 * extraction of rua destinations from records that may be broken, and
 * the zone-file line of a record.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"

#define IS_WSP(c) ((c) == ' ' || (c) == '\t')

int
tp_record_is_tlsrpt_like(const char *v, size_t len)
{
	size_t i = 0;

	while (i < len && IS_WSP(v[i]))
		i++;
	return len - i >= 8 && strncasecmp(v + i, "v=TLSRPT", 8) == 0;
}

int
tp_record_is_tlsrpt_v1(const char *v, size_t len)
{
	size_t i = 10;

	if (len < 10 || memcmp(v, "v=TLSRPTv1", 10) != 0)
		return 0;
	while (i < len && IS_WSP(v[i]))
		i++;
	return i < len && v[i] == ';';
}

/* Trim WSP from both ends of s[*a..*b). */
static void
trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && IS_WSP(s[*a]))
		(*a)++;
	while (*b > *a && IS_WSP(s[*b - 1]))
		(*b)--;
}

/* Add every non-empty ","-separated item of s[a..b), trimmed. */
static int
add_items(struct tp_strv *out, const char *s, size_t a, size_t b)
{
	size_t i, j, x, y;
	int rc;

	for (i = a; i <= b; i = j + 1) {
		for (j = i; j < b && s[j] != ','; j++)
			;
		x = i;
		y = j;
		trim(s, &x, &y);
		if (y > x && (rc = tp_strv_addn(out, s + x, y - x)) != 0)
			return rc;
	}
	return 0;
}

int
tp_record_rua(struct tp_strv *out, const char *rec, size_t len)
{
	const char *semi, *eq;
	size_t a = 0, b, k, v;
	int rc;

	while (a <= len) {
		semi = memchr(rec + a, ';', len - a);
		b = semi != NULL ? (size_t)(semi - rec) : len;
		eq = memchr(rec + a, '=', b - a);
		if (eq != NULL) {
			k = a;
			v = (size_t)(eq - rec);
			trim(rec, &k, &v);
			if (v - k == 3 && strncasecmp(rec + k, "rua", 3) == 0 &&
			    (rc = add_items(out, rec, (size_t)(eq - rec) + 1,
			                    b)) != 0)
				return rc;
		}
		a = b + 1;
	}
	return 0;
}

int
tp_record_zone_line(char **out, const char *domain, long ttl,
                    const char *record)
{
	struct tp_buf b = TP_BUF_INIT(8 * 65536);
	char *owner = NULL, *pres = NULL;
	int rc;

	*out = NULL;
	if ((rc = tp_domain_owner(&owner, domain)) != 0 ||
	    (rc = tp_txt_to_presentation(&pres, record, strlen(record))) != 0)
		goto out;
	tp_buf_addf(&b, "%s. %ld IN TXT %s", owner, ttl, pres);
	*out = tp_buf_detach(&b);
	if (*out == NULL)
		rc = tp_err_set(TP_EINTERNAL, "record: out of memory");
out:
	tp_buf_release(&b);
	free(owner);
	free(pres);
	return rc;
}
