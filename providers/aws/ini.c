/*
 * ini.c: the AWS shared config/credentials file format (see ini.h). Kept
 * small and free of global state so it can be fuzzed on any buffer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#include "ini.h"

#define NONE ((size_t)-1)

struct ent {
	size_t sec;
	char *key;
	char *val;
	size_t vlen;
};

struct tp_aws_ini {
	struct ent *e;
	size_t n, alloc;
	char **secs;
	size_t nsecs, secalloc;
};

/* Where the parser is: the current section and property. */
struct state {
	struct tp_aws_ini *ini;
	const char *name;
	unsigned int line;
	size_t sec;   /* index in secs, or NONE */
	size_t prop;  /* index in e of the last property, or NONE */
	char *parent; /* key whose indented lines are sub-properties */
};

static int
oom(void)
{
	return tp_err_set(TP_EINTERNAL,
	                  "aws: out of memory reading a "
	                  "shared config file");
}

static int
syntax(const struct state *st, const char *what)
{
	return tp_err_set(TP_ECONFIG, "aws: '%s' line %u: %s: fix the file",
	                  st->name, st->line, what);
}

static char *
dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* Cut an inline comment: '#' or ';' after whitespace. */
static void
cut_comment(const char *s, size_t *n)
{
	size_t i;

	for (i = 1; i < *n; i++) {
		if ((s[i] == '#' || s[i] == ';') &&
		    isspace((unsigned char)s[i - 1])) {
			*n = i;
			return;
		}
	}
}

static int
add_section(struct state *st, const char *s, size_t n)
{
	struct tp_buf b = TP_BUF_INIT(4096);
	struct tp_aws_ini *ini = st->ini;
	char **p;
	size_t i;
	int space = 0;

	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i])) {
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			tp_buf_addc(&b, ' ');
		space = 0;
		tp_buf_addc(&b, s[i]);
	}
	if (b.err) {
		tp_buf_release(&b);
		return syntax(st, "section name too long");
	}
	if (b.len == 0)
		return syntax(st, "empty section name");
	if (ini->nsecs == ini->secalloc) {
		p = realloc(ini->secs,
		            (ini->secalloc ? ini->secalloc * 2 : 8) *
		                sizeof(*p));
		if (p == NULL) {
			tp_buf_release(&b);
			return oom();
		}
		ini->secs = p;
		ini->secalloc = ini->secalloc ? ini->secalloc * 2 : 8;
	}
	if ((ini->secs[ini->nsecs] = tp_buf_detach(&b)) == NULL)
		return oom();
	st->sec = ini->nsecs++;
	return 0;
}

/*
 * Add key (taken) = val (taken) to the current section. Repeats are not
 * looked for here (that would make parsing quadratic): lookups take the
 * last one, which is the "later wins" rule.
 */
static int
set(struct state *st, char *key, char *val)
{
	struct tp_aws_ini *ini = st->ini;
	struct ent *p;

	if (key == NULL || val == NULL)
		goto fail;
	if (ini->n == ini->alloc) {
		p = realloc(ini->e,
		            (ini->alloc ? ini->alloc * 2 : 16) * sizeof(*p));
		if (p == NULL)
			goto fail;
		ini->e = p;
		ini->alloc = ini->alloc ? ini->alloc * 2 : 16;
	}
	ini->e[ini->n].sec = st->sec;
	ini->e[ini->n].key = key;
	ini->e[ini->n].val = val;
	ini->e[ini->n].vlen = strlen(val);
	st->prop = ini->n++;
	return 0;
fail:
	free(key);
	tp_free_secret(val);
	return oom();
}

/* "key = value" (or "key: value") into a lower-cased key (with the
 * parent's prefix for a sub-property) and a value. */
static int
property(struct state *st, const char *s, size_t n, const char *prefix)
{
	struct tp_buf k = TP_BUF_INIT(1024);
	const char *key = s, *v;
	size_t d, vn, i, kn;

	for (d = 0; d < n && s[d] != '=' && s[d] != ':'; d++)
		;
	if (d == n)
		return syntax(st, "expected [section] or 'key = value'");
	kn = d;
	trim(&key, &kn);
	if (kn == 0)
		return syntax(st, "missing key before '='");
	if (st->sec == NONE)
		return syntax(st, "setting outside any [section]");
	v = s + d + 1;
	vn = n - d - 1;
	if (prefix != NULL) {
		tp_buf_adds(&k, prefix);
		tp_buf_addc(&k, '.');
	}
	for (i = 0; i < kn; i++)
		tp_buf_addc(&k, (char)tolower((unsigned char)key[i]));
	trim(&v, &vn);
	cut_comment(v, &vn);
	trim(&v, &vn);
	if (k.err) {
		tp_buf_release(&k);
		return syntax(st, "key too long");
	}
	return set(st, tp_buf_detach(&k), dupn(v, vn));
}

static int
section_line(struct state *st, const char *t, size_t tn)
{
	const char *close = memchr(t, ']', tn), *rest;
	size_t rn;

	if (close == NULL)
		return syntax(st, "missing ']' after the section name");
	rest = close + 1;
	rn = tn - (size_t)(rest - t);
	trim(&rest, &rn);
	if (rn > 0 && rest[0] != '#' && rest[0] != ';')
		return syntax(st, "text after the section header");
	st->prop = NONE;
	return add_section(st, t + 1, (size_t)(close - t - 1));
}

/* An indented line: a sub-property under an empty-valued key, or more of
 * the last value. */
static int
indented(struct state *st, const char *t, size_t tn)
{
	struct ent *e = &st->ini->e[st->prop];
	size_t need;
	char *v;

	if (st->parent == NULL && e->vlen == 0 && memchr(t, '=', tn) != NULL) {
		st->parent = dupn(e->key, strlen(e->key));
		if (st->parent == NULL)
			return oom();
	}
	if (st->parent != NULL)
		return property(st, t, tn, st->parent);
	/* Grown in place (the file is capped, so this stays bounded). */
	need = e->vlen + (e->vlen > 0) + tn + 1;
	if ((v = realloc(e->val, need)) == NULL)
		return oom();
	if (e->vlen > 0)
		v[e->vlen++] = '\n';
	memcpy(v + e->vlen, t, tn);
	e->vlen += tn;
	v[e->vlen] = '\0';
	e->val = v;
	return 0;
}

static int
one_line(struct state *st, const char *p, size_t n)
{
	const char *t;
	size_t indent, tn;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	for (indent = 0; indent < n && (p[indent] == ' ' || p[indent] == '\t');
	     indent++)
		;
	t = p + indent;
	tn = n - indent;
	while (tn > 0 && isspace((unsigned char)t[tn - 1]))
		tn--;
	if (tn == 0 || t[0] == '#' || t[0] == ';')
		return 0;
	if (indent > 0 && st->prop != NONE)
		return indented(st, t, tn);
	free(st->parent);
	st->parent = NULL;
	if (t[0] == '[')
		return section_line(st, t, tn);
	return property(st, t, tn, NULL);
}

int
tp_aws_ini_parse(struct tp_aws_ini **out, const char *buf, size_t len,
                 const char *name)
{
	struct state st;
	const char *p = buf, *end = buf + len, *nl;
	int rc = 0;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	st.name = name;
	st.sec = st.prop = NONE;
	if (len > TP_AWS_INI_MAX)
		return tp_err_set(TP_ECONFIG,
		                  "aws: '%s' is larger than %d bytes: is it "
		                  "the right file?",
		                  name, TP_AWS_INI_MAX);
	if (len > 0 && memchr(buf, '\0', len) != NULL)
		return tp_err_set(TP_ECONFIG,
		                  "aws: '%s' holds a NUL byte: not a text file",
		                  name);
	if ((st.ini = calloc(1, sizeof(*st.ini))) == NULL)
		return oom();
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* UTF-8 byte order mark, as Windows editors write */
	while (p < end && rc == 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		st.line++;
		rc = one_line(&st, p, (size_t)((nl ? nl : end) - p));
		p = nl ? nl + 1 : end;
	}
	free(st.parent);
	if (rc != 0) {
		tp_aws_ini_free(st.ini);
		return rc;
	}
	*out = st.ini;
	return 0;
}

int
tp_aws_ini_load(struct tp_aws_ini **out, const char *path)
{
	struct tp_buf b = TP_BUF_INIT(TP_AWS_INI_MAX + 1);
	char chunk[4096];
	size_t n;
	FILE *f;
	int rc;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return tp_err_set(TP_ECONFIG, "aws: cannot read '%s': %s", path,
		                  strerror(errno));
	}
	/* Unbuffered: no stdio buffer left holding the secret. */
	(void)setvbuf(f, NULL, _IONBF, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tp_buf_add(&b, chunk, n);
	tp_wipe(chunk, sizeof(chunk));
	if (ferror(f))
		rc = tp_err_set(TP_ECONFIG, "aws: cannot read '%s': %s", path,
		                strerror(errno));
	else if (b.err)
		rc = tp_err_set(TP_ECONFIG,
		                "aws: '%s' is larger than %d bytes: is it "
		                "the right file?",
		                path, TP_AWS_INI_MAX);
	else
		rc = tp_aws_ini_parse(out, b.s, b.len, path);
	fclose(f);
	tp_wipe(b.s, b.len);
	tp_buf_release(&b);
	return rc;
}

/* A repeated section is one section: every header with the name
 * counts, and the last setting of a key wins. */
const char *
tp_aws_ini_get(const struct tp_aws_ini *ini, const char *section,
               const char *key)
{
	size_t i;

	if (ini == NULL)
		return NULL;
	for (i = ini->n; i-- > 0;)
		if (strcasecmp(ini->e[i].key, key) == 0 &&
		    strcmp(ini->secs[ini->e[i].sec], section) == 0)
			return ini->e[i].val;
	return NULL;
}

int
tp_aws_ini_has_section(const struct tp_aws_ini *ini, const char *section)
{
	size_t i;

	for (i = 0; ini != NULL && i < ini->nsecs; i++)
		if (strcmp(ini->secs[i], section) == 0)
			return 1;
	return 0;
}

void
tp_aws_ini_free(struct tp_aws_ini *ini)
{
	size_t i;

	if (ini == NULL)
		return;
	for (i = 0; i < ini->n; i++) {
		free(ini->e[i].key);
		tp_free_secret(ini->e[i].val);
	}
	for (i = 0; i < ini->nsecs; i++)
		free(ini->secs[i]);
	free(ini->e);
	free(ini->secs);
	free(ini);
}
