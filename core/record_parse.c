/*
 * record_parse.c: the record validator's skeleton (RFC 8460 §3):
 *
 *   tlsrpt-record = %s"v=TLSRPTv1" 1*(field-delim tlsrpt-field)
 *                   [field-delim]
 *   field-delim   = *WSP ";" *WSP
 *
 * Neither a URI (whose ";" MUST be encoded) nor an extension value may
 * hold ";" or WSP, so every ";" is a delimiter and WSP can only sit next
 * to a ";" or a ","; the grammar is read deterministically by splitting on
 * ";". Each field goes to record_field.c. The strict ABNF decides
 * valid/invalid; warnings and infos come on top (shared/reference/
 * rfc8460.md §3 and §4.5 give the rulings; docs/diagnostics.md lists the
 * codes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record_int.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"

size_t
tp_rec_add(struct rec_ctx *c, enum tp_severity sev, const char *code,
           size_t off, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	/* Values in messages are quoted and cut (tp_uri_quote), so 512
	 * bytes always hold a message; truncation would only shorten it. */
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tp_diags_add(c->d, sev, code, off, hint, "%s", msg) != 0) {
		c->err = TP_EINTERNAL;
		return (size_t)-1;
	}
	return c->d->n - 1;
}

void
tp_rec_add_problem(struct rec_ctx *c, enum tp_severity sev, size_t base,
                   const struct tp_uri_problem *p)
{
	(void)tp_rec_add(c, sev, p->code, base + p->off, p->hint, "%s", p->msg);
}

void
tp_rec_bad_byte(struct rec_ctx *c, size_t off, const char *other_code,
                const char *context, const char *hint)
{
	unsigned char b = (unsigned char)c->s[off];
	char nb[16];

	if (b == '\r' || b == '\n')
		(void)tp_rec_add(c, TP_SEV_ERROR, "crlf", off,
		                 "a TXT value is one line: remove the line "
		                 "break",
		                 "line break (%s) in %s",
		                 tp_uri_char_name(nb, b), context);
	else if (b < 0x20 || b == 0x7f)
		(void)tp_rec_add(c, TP_SEV_ERROR, "control-char", off,
		                 "remove the control character",
		                 "control character (%s) in %s",
		                 tp_uri_char_name(nb, b), context);
	else if (b >= 0x80)
		(void)tp_rec_add(c, TP_SEV_ERROR, "non-ascii", off,
		                 "the record is ASCII: use A-labels (xn--...) "
		                 "and percent-encoding",
		                 "raw non-ASCII %s in %s",
		                 tp_uri_char_name(nb, b), context);
	else if (b == '"')
		(void)tp_rec_add(c, TP_SEV_ERROR, "quote-char", off,
		                 "enter the value without quote characters "
		                 "(the DNS interface stored them as data)",
		                 "literal quote character in %s", context);
	else
		(void)tp_rec_add(c, TP_SEV_ERROR, other_code, off,
		                 hint != NULL ? hint : "remove it",
		                 "%s is not allowed in %s",
		                 tp_uri_char_name(nb, b), context);
}

/* Optimal string alignment distance, for "did you mean" on versions. */
static size_t
typo_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[17][17], i, j, x;

	if (la > 16 || lb > 16)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			x = d[i - 1][j - 1] +
			    ((a[i - 1] | 0x20) != (b[j - 1] | 0x20));
			if (d[i - 1][j] + 1 < x)
				x = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < x)
				x = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < x)
				x = d[i - 2][j - 2] + 1;
			d[i][j] = x;
		}
	return d[la][lb];
}

static int
version_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
}

/* The value after "v=" is not TLSRPTv1 in any case: say what it is.
 * Returns 1 when it is another protocol's record (nothing more to say). */
static int
version_invalid(struct rec_ctx *c, size_t t, size_t te)
{
	const char *v = c->s + t, *hint;
	size_t n = te - t;
	int foreign = 1;
	char q[64];

	if (n == 5 && strncasecmp(v, "STSv1", 5) == 0)
		hint = "v=STSv1 is MTA-STS (its TXT record is at _mta-sts); a "
		       "TLS-RPT record starts with v=TLSRPTv1";
	else if (n == 4 && strncasecmp(v, "spf1", 4) == 0)
		hint = "this is an SPF record; a TLS-RPT record starts with "
		       "v=TLSRPTv1";
	else if (n == 6 && strncasecmp(v, "DMARC1", 6) == 0)
		hint = "this is a DMARC record (at _dmarc); a TLS-RPT record "
		       "starts with v=TLSRPTv1";
	else {
		foreign = 0;
		if (n > 7 && strncasecmp(v, "TLSRPTv", 7) == 0)
			hint = "RFC 8460 defines only version 1: write "
			       "v=TLSRPTv1";
		else if (typo_distance(v, n, "TLSRPTv1", 8) <= 2)
			hint = "this looks like a typo: write v=TLSRPTv1 "
			       "exactly";
		else
			hint = "a TLS-RPT record starts with v=TLSRPTv1";
	}
	(void)tp_rec_add(c, TP_SEV_ERROR, "version-invalid", t, hint,
	                 "version '%s' is not TLSRPTv1, so senders ignore "
	                 "the record",
	                 n ? tp_uri_quote(q, sizeof(q), v, n) : "");
	return foreign;
}

/*
 * Read "v" *WSP "=" *WSP VALUE at p. Returns 0 when p does not start a
 * version field; else 1 with *vend after the value and *bad set when a
 * diagnostic was given (2 when the version is another protocol's).
 */
static int
version_field(struct rec_ctx *c, size_t p, size_t *vend, int *bad)
{
	const char *s = c->s;
	size_t k = p + 1, w, t, te;

	*bad = 0;
	if (p >= c->end || (s[p] != 'v' && s[p] != 'V'))
		return 0;
	while (k < c->end && REC_WSP(s[k]))
		k++;
	if (k >= c->end || s[k] != '=')
		return 0;
	w = k > p + 1 ? p + 1 : (size_t)-1;
	for (t = k + 1; t < c->end && REC_WSP(s[t]); t++)
		if (w == (size_t)-1)
			w = t;
	for (te = t; te < c->end && version_char((unsigned char)s[te]); te++)
		;
	*vend = te;
	if (w != (size_t)-1) {
		*bad = 1;
		(void)tp_rec_add(c, TP_SEV_ERROR, "version-wsp", w,
		                 "write 'v=TLSRPTv1' with no space around '='",
		                 "whitespace around '=' in the version: the "
		                 "record must begin with exactly 'v=TLSRPTv1'");
	}
	if (te - t == 8 && strncasecmp(s + t, "TLSRPTv1", 8) == 0) {
		if (s[p] == 'V' || memcmp(s + t, "TLSRPTv1", 8) != 0) {
			*bad = 1;
			(void)tp_rec_add(
			    c, TP_SEV_ERROR, "version-case",
			    s[p] == 'V' ? p : t,
			    "write 'v=TLSRPTv1' exactly: the version "
			    "is case-sensitive",
			    "version '%.*s' is miscased: senders "
			    "discard the record",
			    (int)(te - p), s + p);
		}
		return 1;
	}
	*bad = 1 + version_invalid(c, t, te);
	return 1;
}

/*
 * After the version value: field-delim = *WSP ";" *WSP. Returns where the
 * first field starts (after the ";"), or, when the delimiter is broken,
 * where reading resumes so that the fields still get checked.
 */
static size_t
version_delim(struct rec_ctx *c, size_t vend, int quiet)
{
	const char *s = c->s;
	size_t q = vend;
	char nb[16];

	while (q < c->end && REC_WSP(s[q]))
		q++;
	if (q < c->end && s[q] == ';') {
		if (q > vend)
			(void)tp_rec_add(
			    c, TP_SEV_WARNING, "wsp-before-semicolon", vend,
			    "write 'v=TLSRPTv1;' with no space "
			    "before ';'",
			    "whitespace between the version and ';': "
			    "RFC 8460's discard rule reads "
			    "'v=TLSRPTv1;' literally, and "
			    "tlsrpt-reportd (Postfix) ignores the "
			    "record");
		return q + 1;
	}
	if (q == c->end)
		return q; /* no field: reported as rua-missing */
	if ((unsigned char)s[q] < 0x20 || (unsigned char)s[q] >= 0x7f ||
	    s[q] == '"') {
		tp_rec_bad_byte(c, q, "version-delim-missing",
		                "the delimiter after the version", NULL);
		while (q < c->end && s[q] != ';')
			q++;
		return q < c->end ? q + 1 : q;
	}
	if (quiet)
		return q == vend ? q + 1 : q;
	if (q == vend) {
		(void)tp_rec_add(c, TP_SEV_ERROR, "version-delim-missing", q,
		                 "write 'v=TLSRPTv1; rua=...'",
		                 "%s after the version: fields are separated "
		                 "by ';'",
		                 tp_uri_char_name(nb, (unsigned char)s[q]));
		return q + 1;
	}
	(void)tp_rec_add(c, TP_SEV_ERROR, "version-delim-missing", vend,
	                 "write 'v=TLSRPTv1; rua=...'",
	                 "no ';' after the version: fields are separated by "
	                 "';', not by spaces");
	return q;
}

/* Leading quote, WSP or ";" before the version (all outside the ABNF). */
static size_t
leading(struct rec_ctx *c)
{
	const char *s = c->s;
	size_t p = 0, semi = (size_t)-1;

	if (c->len > 0 && s[0] == '"') {
		(void)tp_rec_add(
		    c, TP_SEV_ERROR, "record-quoted", 0,
		    "enter the value without the surrounding quotes "
		    "(the DNS interface stored them as data)",
		    "the record starts with a literal '\"': quote "
		    "characters are part of the TXT data");
		p = 1;
		if (c->len > 1 && s[c->len - 1] == '"')
			c->end = c->len - 1;
	}
	/* A byte-order mark or other bytes no record can start with. */
	if (p < c->end &&
	    ((unsigned char)s[p] >= 0x7f ||
	     ((unsigned char)s[p] < 0x20 && !REC_WSP(s[p])))) {
		tp_rec_bad_byte(c, p, "version-missing", "front of the record",
		                NULL);
		while (p < c->end &&
		       ((unsigned char)s[p] >= 0x7f ||
		        ((unsigned char)s[p] < 0x20 && !REC_WSP(s[p]))))
			p++;
	}
	while (p < c->end && (REC_WSP(s[p]) || s[p] == ';')) {
		if (s[p] == ';' && semi == (size_t)-1)
			semi = p;
		p++;
	}
	if (semi != (size_t)-1)
		(void)tp_rec_add(c, TP_SEV_ERROR, "leading-delim", semi,
		                 "start the record with 'v=TLSRPTv1'",
		                 "';' before the version: nothing may precede "
		                 "'v=TLSRPTv1'");
	else if (p > 0 && REC_WSP(s[p - 1]))
		(void)tp_rec_add(c, TP_SEV_ERROR, "leading-wsp",
		                 s[0] == '"' ? 1 : 0,
		                 "remove the whitespace: the record must begin "
		                 "with 'v=TLSRPTv1'",
		                 "whitespace before the version: senders look "
		                 "for 'v=TLSRPTv1' at the very start");
	return p;
}

/* Line breaks next to a delimiter (a record pasted from a wrapped
 * example): one error, then read on as if they were spaces. */
static int
skippable(struct rec_ctx *c, size_t i, int *crlf_said)
{
	int cont;

	if (REC_WSP(c->s[i]))
		return 1;
	cont = c->s[i] == '\\' && i + 1 < c->end &&
	    (c->s[i + 1] == '\r' || c->s[i + 1] == '\n');
	if (c->s[i] != '\r' && c->s[i] != '\n' && !cont)
		return 0;
	if (!*crlf_said && cont)
		(void)tp_rec_add(c, TP_SEV_ERROR, "crlf", i,
		                 "a TXT value is one line: remove the '\\' "
		                 "and the line break",
		                 "'\\' line continuation (copied from a "
		                 "wrapped example) in the record");
	else if (!*crlf_said)
		tp_rec_bad_byte(c, i, "crlf", "the record", NULL);
	*crlf_said = 1;
	return 1;
}

/* Split s[pos..end) on ";" and hand each non-empty field over. */
static void
fields(struct rec_ctx *c, size_t pos)
{
	const char *s = c->s, *semi;
	size_t a, b, e, w, idx = 0;
	int last, empty_run = 0, crlf_said = 0;

	for (;;) {
		semi = memchr(s + pos, ';', c->end - pos);
		e = semi != NULL ? (size_t)(semi - s) : c->end;
		last = semi == NULL;
		for (a = pos; a < e && skippable(c, a, &crlf_said); a++)
			;
		for (w = e; w > a && REC_WSP(s[w - 1]); w--)
			;
		for (b = e; b > a && skippable(c, b - 1, &crlf_said); b--)
			;
		if (a == b) {
			if (!last && !empty_run)
				(void)tp_rec_add(
				    c, TP_SEV_ERROR, "empty-field", e,
				    "remove the extra ';'",
				    "empty field (';;'): every ';' must "
				    "be followed by a field or end the "
				    "record");
			empty_run = 1;
		} else {
			if (last && w < e)
				(void)tp_rec_add(
				    c, TP_SEV_ERROR, "trailing-wsp", w,
				    "remove the trailing whitespace (or end the "
				    "record with ';')",
				    "whitespace after the last field: the "
				    "grammar allows it only next to ';'");
			empty_run = 0;
			c->nfields++;
			tp_rec_field(c, a, b, idx++);
		}
		if (last)
			break;
		pos = e + 1;
	}
}

/* 1 when a later ";"-separated field is keyed "v" (a misplaced version). */
static int
later_version(const struct rec_ctx *c, size_t p)
{
	const char *s = c->s;
	size_t i;

	for (i = p; i < c->end; i++) {
		if (s[i] != ';')
			continue;
		for (i++; i < c->end && REC_WSP(s[i]); i++)
			;
		if (i < c->end && (s[i] == 'v' || s[i] == 'V')) {
			for (i++; i < c->end && REC_WSP(s[i]); i++)
				;
			if (i < c->end && s[i] == '=')
				return 1;
		}
		i--;
	}
	return 0;
}

/* Stable merge sort of v[0..n) by offset (tmp has room for n). */
static void
sort_diags(struct tp_diag *v, struct tp_diag *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	sort_diags(v, tmp, h);
	sort_diags(v + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = v[j].offset < v[i].offset ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* Whole-record rules once every field is read. */
static void
finish(struct rec_ctx *c, int read_fields)
{
	size_t i;

	if (read_fields && c->nrua == 0 && !c->rua_key_seen)
		(void)tp_rec_add(c, TP_SEV_ERROR, "rua-missing", c->end,
		                 "add '; rua=mailto:ADDRESS' (or an https:// "
		                 "URI) after the version",
		                 c->nfields == 0
		                     ? "nothing after the version: RFC 8460 "
		                       "requires a rua= field"
		                     : "no rua= field: RFC 8460 requires one");
	/* A broken rua= field is still a valid (ignored) extension to the
	 * ABNF; it only breaks the record when no other rua= is valid. */
	for (i = 0; c->nrua > 0 && i < c->ndeferred; i++)
		c->d->v[c->deferred[i]].severity = TP_SEV_WARNING;
	if (c->err == 0)
		tp_rec_semantics(c);
}

int
tp_record_validate(struct tp_diags *out, const char *rec, size_t len)
{
	struct tp_diag *tmp;
	struct rec_ctx c;
	size_t start = out->n, p, vend;
	int bad, read_fields = 1;

	memset(&c, 0, sizeof(c));
	c.d = out;
	c.s = rec;
	c.len = len;
	c.end = len;
	p = leading(&c);
	if (version_field(&c, p, &vend, &bad)) {
		/* An SPF, DMARC or MTA-STS record: its fields say nothing. */
		if (bad == 2)
			read_fields = 0;
		else
			fields(&c, version_delim(&c, vend, bad));
	} else if (later_version(&c, p)) {
		c.version_missing = 1;
		fields(&c, p);
	} else {
		read_fields = 0;
		(void)tp_rec_add(&c, TP_SEV_ERROR, "version-missing", p,
		                 "a TLS-RPT record starts with 'v=TLSRPTv1; "
		                 "rua=...'",
		                 "the record does not start with 'v=TLSRPTv1', "
		                 "so senders ignore it");
	}
	finish(&c, read_fields);
	free(c.deferred);
	free(c.uris);
	if (c.err != 0)
		return tp_err_set(TP_EINTERNAL, "record: out of memory");
	if (out->n - start > 1) {
		tmp = malloc((out->n - start) * sizeof(*tmp));
		if (tmp == NULL)
			return tp_err_set(TP_EINTERNAL,
			                  "record: out of memory");
		sort_diags(out->v + start, tmp, out->n - start);
		free(tmp);
	}
	return 0;
}
