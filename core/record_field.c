/*
 * record_field.c: one field of a TLS-RPT record, and the whole-record
 * rules about its destinations (RFC 8460 §3):
 *
 *   tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *   tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
 *   tlsrpt-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * A field keyed "rua" whose value is not a URI list may still match
 * tlsrpt-extension (so may "RUA=..."): the ABNF then reads it as an
 * ignored extension. Its errors are "deferred": they stay errors when the
 * record has no valid rua field, and become warnings when one exists.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record_int.h"
#include "tlsrpt/err.h"

#define EXT_NAME_MAX 32

static void
defer(struct rec_ctx *c, size_t idx)
{
	size_t *nv, na;

	if (idx == (size_t)-1)
		return;
	if (c->ndeferred == c->adeferred) {
		na = c->adeferred ? c->adeferred * 2 : 8;
		nv = realloc(c->deferred, na * sizeof(*nv));
		if (nv == NULL) {
			c->err = TP_EINTERNAL;
			return;
		}
		c->deferred = nv;
		c->adeferred = na;
	}
	c->deferred[c->ndeferred++] = idx;
}

static void
keep_uri(struct rec_ctx *c, size_t off, size_t len, const struct tp_uri *u)
{
	struct rec_uri *nv;
	size_t na;

	if (c->nuris == c->auris) {
		na = c->auris ? c->auris * 2 : 8;
		nv = realloc(c->uris, na * sizeof(*nv));
		if (nv == NULL) {
			c->err = TP_EINTERNAL;
			return;
		}
		c->uris = nv;
		c->auris = na;
	}
	c->uris[c->nuris].off = off;
	c->uris[c->nuris].len = len;
	c->uris[c->nuris].u = *u;
	c->nuris++;
}

static int
ext_value_char(unsigned char ch)
{
	return (ch >= 0x21 && ch <= 0x3a) || ch == 0x3c ||
	    (ch >= 0x3e && ch <= 0x7e);
}

static int
alnum(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9');
}

/* "_" / "-" / "." of tlsrpt-ext-name (never the NUL that strchr finds). */
static int
name_punct(unsigned char ch)
{
	return ch != '\0' && strchr("_-.", ch) != NULL;
}

/* First byte of s[a..b) outside tlsrpt-ext-value, or b. */
static size_t
ext_value_bad(const char *s, size_t a, size_t b)
{
	while (a < b && ext_value_char((unsigned char)s[a]))
		a++;
	return a;
}

/* The name must be tlsrpt-ext-name; reports and returns 0 when not. */
static int
check_ext_name(struct rec_ctx *c, size_t a, size_t k)
{
	char q[64];
	size_t i;

	if (k == a) {
		(void)tp_rec_add(c, TP_SEV_ERROR, "ext-name-invalid", a,
		                 "a field is NAME=VALUE",
		                 "field with an empty name");
		return 0;
	}
	for (i = a; i < k; i++) {
		if (alnum((unsigned char)c->s[i]) ||
		    (i > a && name_punct((unsigned char)c->s[i])))
			continue;
		(void)tp_uri_quote(q, sizeof(q), c->s + a, k - a);
		if (i == a && name_punct((unsigned char)c->s[i]))
			(void)tp_rec_add(
			    c, TP_SEV_ERROR, "ext-name-invalid", i,
			    "an extension name starts with a letter "
			    "or a digit",
			    "field name '%s' does not start with a "
			    "letter or digit",
			    q);
		else
			tp_rec_bad_byte(
			    c, i, "ext-name-invalid", "a field name",
			    "a field name is letters, digits, '_', '-' "
			    "and '.'");
		return 0;
	}
	if (k - a > EXT_NAME_MAX) {
		(void)tp_rec_add(
		    c, TP_SEV_ERROR, "ext-name-too-long", a + EXT_NAME_MAX,
		    "shorten the name to at most 32 characters",
		    "field name '%s' is %zu characters long; RFC "
		    "8460 allows at most 32",
		    tp_uri_quote(q, sizeof(q), c->s + a, k - a), k - a);
		return 0;
	}
	return 1;
}

/* The value must be tlsrpt-ext-value; reports and returns 0 when not. */
static int
check_ext_value(struct rec_ctx *c, size_t a, size_t v, size_t b)
{
	char q[64];
	size_t i;

	(void)tp_uri_quote(q, sizeof(q), c->s + a, v - 1 - a);
	if (v == b) {
		(void)tp_rec_add(c, TP_SEV_ERROR, "ext-value-empty", v,
		                 "give the field a value, or remove it",
		                 "field '%s' has an empty value", q);
		return 0;
	}
	i = ext_value_bad(c->s, v, b);
	if (i == b)
		return 1;
	if (c->s[i] == '=' || REC_WSP(c->s[i]))
		(void)tp_rec_add(c, TP_SEV_ERROR, "ext-value-invalid-char", i,
		                 "an extension value has no spaces, '=' or ';'",
		                 "%s in the value of field '%s'",
		                 c->s[i] == '=' ? "'='" : "whitespace", q);
	else
		tp_rec_bad_byte(c, i, "ext-value-invalid-char",
		                "the value of a field", NULL);
	return 0;
}

/* 1 when s[a..b) begins like a URI: a scheme and ':'. */
static int
looks_like_uri(const char *s, size_t a, size_t b)
{
	size_t i = a;

	if (i >= b || !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
		return 0;
	while (i < b &&
	       (alnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
	        s[i] == '.'))
		i++;
	return i < b && s[i] == ':';
}

/* One list item s[a..e) (WSP trimmed), after the ',' at comma (or
 * (size_t)-1 for the first); 1 when it is a valid URI. */
static int
rua_item(struct rec_ctx *c, size_t a, size_t e, size_t comma)
{
	struct tp_uri_problem p;
	struct tp_uri u;
	size_t w, r;
	char q[64];

	for (w = a; w < e && !REC_WSP(c->s[w]); w++)
		;
	if (w < e) {
		for (r = w; r < e && REC_WSP(c->s[r]); r++)
			;
		if (looks_like_uri(c->s, r, e))
			(void)tp_rec_add(c, TP_SEV_ERROR, "uri-space-separated",
			                 w,
			                 "separate destinations with ',': "
			                 "rua=URI1,URI2 (a TXT string boundary "
			                 "does not separate them either)",
			                 "destinations separated by whitespace "
			                 "instead of ','");
		else
			(void)tp_rec_add(
			    c, TP_SEV_ERROR, "uri-raw-space", w,
			    "remove the space (or percent-encode it "
			    "as %20)",
			    "whitespace inside a URI");
		return 0;
	}
	if (tp_uri_check(&u, c->s + a, e - a, TP_URI_TLSRPT, &p)) {
		keep_uri(c, a, e - a, &u);
		return 1;
	}
	if (comma != (size_t)-1 &&
	    (strcmp(p.code, "uri-bare-address") == 0 ||
	     strcmp(p.code, "uri-no-scheme") == 0)) {
		/* "mailto:a@x?cc=b@y,c@z" or RFC 6068 "mailto:a@x,b@y":
		 * the comma most likely belongs to the URI before it. */
		(void)tp_rec_add(
		    c, TP_SEV_ERROR, "uri-unencoded-comma", comma,
		    "write a ',' inside a URI as %2C, or give each "
		    "destination its own scheme: ,mailto:ADDRESS",
		    "',' is followed by '%s', which is not a URI: "
		    "a ',' inside a URI must be percent-encoded "
		    "(RFC 8460 §3)",
		    tp_uri_quote(q, sizeof(q), c->s + a, e - a));
		return 0;
	}
	tp_rec_add_problem(c, TP_SEV_ERROR, a, &p);
	return 0;
}

/*
 * The URI list s[v..b) of a rua field. Returns 1 when it matches
 * tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri). URIs are kept only when the
 * whole field is valid (the caller drops the extra ones otherwise).
 */
static int
rua_list(struct rec_ctx *c, size_t v, size_t b)
{
	const char *s = c->s;
	size_t i = v, j, a, e, items = 0, kept = c->nuris;
	int ok = 1, wsp_said = 0, lead, trail, prev_empty = 0;

	if (v == b) {
		(void)tp_rec_add(c, TP_SEV_ERROR, "rua-empty", v,
		                 "write rua=mailto:ADDRESS (or an https:// "
		                 "URI), or remove the field",
		                 "rua= has no destination");
		return 0;
	}
	for (;;) {
		for (j = i; j < b && s[j] != ','; j++)
			;
		for (a = i; a < j && REC_WSP(s[a]); a++)
			;
		for (e = j; e > a && REC_WSP(s[e - 1]); e--)
			;
		lead = i > v && a > i;
		trail = j < b && e < j && e > a;
		if (!wsp_said && (lead || trail)) {
			wsp_said = 1;
			(void)tp_rec_add(
			    c, TP_SEV_WARNING, "wsp-around-comma", lead ? i : e,
			    "write the list without spaces: "
			    "rua=URI1,URI2",
			    "whitespace around ',' in the rua list: "
			    "tlsrpt-reportd (Postfix) and checkdmarc "
			    "5 reject the record");
		}
		if (a == e && j < b) {
			ok = 0;
			(void)tp_rec_add(
			    c, TP_SEV_ERROR, "rua-empty-item", j,
			    "remove the extra ','",
			    "empty item in the rua list (',,' or a "
			    "',' first)");
		} else if (a == e) {
			ok = 0;
			if (!prev_empty)
				(void)tp_rec_add(c, TP_SEV_ERROR,
				                 "rua-trailing-comma", i - 1,
				                 "remove the last ','",
				                 "the rua list ends with ','");
		} else {
			ok &= rua_item(c, a, e, i > v ? i - 1 : (size_t)-1);
			items++;
		}
		prev_empty = a == e;
		if (j == b)
			break;
		i = j + 1;
	}
	if (!ok)
		c->nuris = kept;
	return ok;
}

static void
wsp_around_equals(struct rec_ctx *c, size_t off, const char *key)
{
	(void)tp_rec_add(c, TP_SEV_ERROR, "wsp-around-equals", off,
	                 "write NAME=VALUE with no space around '='",
	                 "whitespace around '=' in field '%s': the grammar "
	                 "allows none",
	                 key);
}

static void
rua_field(struct rec_ctx *c, size_t a, size_t k, size_t v, size_t b, size_t idx)
{
	const char *s = c->s;
	size_t first = c->d->n, kept = c->nuris, vs = v, i;
	int ws = k < v - 1 || (v < b && REC_WSP(s[v]));
	int exact = memcmp(s + a, "rua", 3) == 0, ok, ext_ok;

	c->rua_key_seen = 1;
	if (!exact)
		(void)tp_rec_add(c, TP_SEV_ERROR, "rua-key-case", a,
		                 "write the key in lower case: 'rua='",
		                 "key '%.3s' is not 'rua': keys are "
		                 "case-sensitive, so senders see no rua field "
		                 "here",
		                 s + a);
	if (ws)
		wsp_around_equals(c, k < v - 1 ? k : v, "rua");
	while (vs < b && REC_WSP(s[vs]))
		vs++;
	ok = rua_list(c, vs, b);
	if (exact && !ws && ok) {
		if (++c->nrua == 1) {
			c->rua_field = idx;
			c->rua_field_off = a;
		} else
			(void)tp_rec_add(
			    c, TP_SEV_WARNING, "rua-repeated", a,
			    "merge the destinations into one list: "
			    "rua=URI1,URI2",
			    "a second rua= field: reporters differ "
			    "(some use only the first, some reject "
			    "the record)");
		return;
	}
	c->nuris = kept;
	ext_ok = !ws && v < b && ext_value_bad(s, v, b) == b;
	for (i = first; ext_ok && i < c->d->n; i++)
		if (c->d->v[i].severity == TP_SEV_ERROR)
			defer(c, i);
}

static void
version_again(struct rec_ctx *c, size_t a, size_t k, size_t v, size_t b)
{
	int ws = k < v - 1 || (v < b && REC_WSP(c->s[v]));

	if (c->version_missing && !c->version_later) {
		c->version_later = 1;
		(void)tp_rec_add(c, TP_SEV_ERROR, "version-not-first", a,
		                 "move 'v=TLSRPTv1' to the very start: "
		                 "'v=TLSRPTv1; rua=...'",
		                 "the version is not the first field, so "
		                 "senders ignore the record");
		return;
	}
	if (ws) {
		wsp_around_equals(c, k < v - 1 ? k : v, "v");
		return;
	}
	if (!check_ext_value(c, a, v, b))
		return;
	(void)tp_rec_add(c, TP_SEV_WARNING, "version-repeated", a,
	                 "remove the second 'v=' field",
	                 "a second 'v=' field: RFC 8460 reads it as an "
	                 "unknown extension, but checkdmarc rejects the record "
	                 "and tlsrpt-reportd misreads it");
}

/* DMARC tags people copy into TLS-RPT records. */
static int
dmarc_tag(const char *s, size_t n)
{
	static const char *const tags[] = {"ruf", "p",     "sp",   "pct",
	                                   "fo",  "adkim", "aspf", "ri",
	                                   "rf",  "np",    "psd",  "t"};
	size_t i;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strlen(tags[i]) == n && strncasecmp(s, tags[i], n) == 0)
			return 1;
	return 0;
}

static void
ext_field(struct rec_ctx *c, size_t a, size_t k, size_t v, size_t b)
{
	char q[64];

	(void)tp_uri_quote(q, sizeof(q), c->s + a, k - a);
	if (k < v - 1 || (v < b && REC_WSP(c->s[v]))) {
		if (check_ext_name(c, a, k))
			wsp_around_equals(c, k < v - 1 ? k : v, q);
		return;
	}
	if (!check_ext_name(c, a, k) || !check_ext_value(c, a, v, b))
		return;
	(void)tp_rec_add(c, TP_SEV_WARNING, "ext-unknown", a,
	                 dmarc_tag(c->s + a, k - a)
	                     ? "this is a DMARC tag; TLS-RPT has no such "
	                       "field: remove it"
	                     : "senders ignore unknown fields (RFC 8460 §3), "
	                       "and checkdmarc 5 rejects the record: remove "
	                       "it unless an extension needs it",
	                 "unknown field '%s'", q);
}

static void
no_equals(struct rec_ctx *c, size_t a, size_t b)
{
	const char *s = c->s, *hint;
	unsigned char ch;
	char q[64];
	size_t i;

	for (i = a; i < b; i++) {
		ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f || ch == '"') {
			tp_rec_bad_byte(c, i, "field-no-equals", "a field",
			                NULL);
			return;
		}
	}
	if (looks_like_uri(s, a, b))
		hint = "destinations go in one rua= field, separated by ',' "
		       "(not ';'): rua=URI1,URI2";
	else if (c->after_rua && a >= 2 && s[a - 1] == ';' &&
	         !REC_WSP(s[a - 2])) {
		/* "rua=https://r.example/a;b": the ';' cut the URI. */
		i = a;
		(void)tp_rec_add(
		    c, TP_SEV_ERROR, "uri-unencoded-semicolon", i - 1,
		    "write a ';' inside a URI as %3B",
		    "';' ends the rua field and leaves '%s', a field "
		    "without '=': a ';' inside a URI must be "
		    "percent-encoded (RFC 8460 §3)",
		    tp_uri_quote(q, sizeof(q), s + a, b - a));
		return;
	} else if (b - a >= 3 && strncasecmp(s + a, "rua", 3) == 0)
		hint = "write rua=URI";
	else
		hint = "a field is NAME=VALUE";
	(void)tp_rec_add(c, TP_SEV_ERROR, "field-no-equals", a, hint,
	                 "field '%s' has no '='",
	                 tp_uri_quote(q, sizeof(q), s + a, b - a));
}

void
tp_rec_field(struct rec_ctx *c, size_t a, size_t b, size_t idx)
{
	const char *eq;
	size_t k, v;

	eq = memchr(c->s + a, '=', b - a);
	if (eq == NULL) {
		no_equals(c, a, b);
		c->after_rua = 0;
		return;
	}
	v = (size_t)(eq - c->s) + 1;
	for (k = v - 1; k > a && REC_WSP(c->s[k - 1]); k--)
		;
	c->after_rua = k - a == 3 && strncasecmp(c->s + a, "rua", 3) == 0;
	if (c->after_rua)
		rua_field(c, a, k, v, b, idx);
	else if (k - a == 1 && (c->s[a] == 'v' || c->s[a] == 'V'))
		version_again(c, a, k, v, b);
	else
		ext_field(c, a, k, v, b);
}

/* The semantic twin of a per-URI warning code: used when no destination
 * of the record is usable, so the ABNF-valid record is still an error. */
static const char *
semantic_code(const char *code)
{
	if (strcmp(code, "uri-scheme-unsupported") == 0)
		return "semantic-scheme-unsupported";
	if (strcmp(code, "mailto-no-addr-spec") == 0)
		return "semantic-mailto-no-addr-spec";
	if (strcmp(code, "https-no-host") == 0)
		return "semantic-https-no-host";
	return "semantic-https-bad-port";
}

static void
interop(struct rec_ctx *c, const struct rec_uri *r)
{
	struct tp_uri_problem w[8];
	size_t n, i;

	n = tp_uri_interop(c->s + r->off, &r->u, w, 8);
	for (i = 0; i < n; i++)
		tp_rec_add_problem(c, TP_SEV_WARNING, r->off, &w[i]);
}

static void
duplicates(struct rec_ctx *c)
{
	const struct rec_uri *a, *b;
	size_t i, j;
	char q[64];

	for (j = 1; j < c->nuris && j < 256; j++) {
		b = &c->uris[j];
		for (i = 0; i < j; i++) {
			a = &c->uris[i];
			if (a->len != b->len ||
			    memcmp(c->s + a->off, c->s + b->off, a->len) != 0)
				continue;
			(void)tp_rec_add(
			    c, TP_SEV_INFO, "uri-duplicate", b->off,
			    "list each destination once",
			    "'%s' is listed more than once",
			    tp_uri_quote(q, sizeof(q), c->s + b->off, b->len));
			break;
		}
	}
}

/* Which destinations a sender can use, and what follows from that. */
void
tp_rec_semantics(struct rec_ctx *c)
{
	struct tp_uri_problem why;
	size_t i, usable = 0, mailto = 0, https = 0;
	enum tp_uri_use use;

	for (i = 0; i < c->nuris; i++) {
		use = tp_uri_use(c->s + c->uris[i].off, &c->uris[i].u, &why);
		mailto += use == TP_URI_USE_MAILTO;
		https += use == TP_URI_USE_HTTPS;
	}
	usable = mailto + https;
	for (i = 0; i < c->nuris; i++) {
		use = tp_uri_use(c->s + c->uris[i].off, &c->uris[i].u, &why);
		if (use == TP_URI_USE_MAILTO || use == TP_URI_USE_HTTPS) {
			interop(c, &c->uris[i]);
			continue;
		}
		if (usable == 0)
			why.code = semantic_code(why.code);
		tp_rec_add_problem(c, usable ? TP_SEV_WARNING : TP_SEV_ERROR,
		                   c->uris[i].off, &why);
	}
	duplicates(c);
	if (c->nrua > 0 && c->rua_field != 0 && !c->version_missing)
		(void)tp_rec_add(c, TP_SEV_WARNING, "rua-not-first",
		                 c->rua_field_off,
		                 "put rua= directly after the version: "
		                 "'v=TLSRPTv1; rua=...'",
		                 "rua= is not the first field: tlsrpt-reportd "
		                 "(Postfix) requires it there and sends no "
		                 "report");
	if (https > 0 && mailto == 0)
		(void)tp_rec_add(
		    c, TP_SEV_WARNING, "https-only", c->uris[0].off,
		    "add a mailto: destination as well",
		    "every usable destination is https: mox never "
		    "posts reports, and a Google Workspace mailbox "
		    "cannot be an https endpoint");
	if (usable > 1)
		(void)tp_rec_add(c, TP_SEV_INFO, "multiple-uris",
		                 c->uris[0].off,
		                 "make sure every destination accepts reports",
		                 "%zu destinations: a reporter MAY deliver to "
		                 "only one of them (RFC 8460 §3)",
		                 usable);
}
