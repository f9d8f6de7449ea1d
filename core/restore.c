/*
 * restore.c: the changed results of a JSON report, for `restore` (format
 * and rules in include/tlsrpt/restore.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/restore.h"

static int
nomem(void)
{
	return tp_err_set(TP_EINTERNAL, "restore: out of memory");
}

static enum tp_action
action_of(const char *s)
{
	int a;

	for (a = TP_ACTION_CREATED; a <= TP_ACTION_FAILED; a++)
		if (strcmp(s, tp_action_name((enum tp_action)a)) == 0)
			return (enum tp_action)a;
	return TP_ACTION_NONE;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An array of strings into out; -1 when absent or not strings. */
static int
strings(struct tp_strv *out, const cJSON *o, const char *k)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k), *e;

	if (!cJSON_IsArray(a))
		return -1;
	cJSON_ArrayForEach(e, a)
	{
		if (!cJSON_IsString(e))
			return -1;
		if (tp_strv_add(out, e->valuestring) != 0)
			return nomem();
	}
	return 0;
}

static int
dupstr(char **out, const char *s)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	*out = strdup(s);
	return *out == NULL ? nomem() : 0;
}

static int
entry_fill(struct tp_restore_entry *e, const cJSON *r, const char *where)
{
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(r, "old_ttl");
	int rc;

	if (str(r, "domain") == NULL || str(r, "provider") == NULL)
		return tp_err_set(TP_EUSAGE,
		                  "restore: %s: a %s result without domain "
		                  "or provider: is this a tlsrpt-publish "
		                  "report?",
		                  where, tp_action_name(e->action));
	if ((rc = dupstr(&e->domain, str(r, "domain"))) != 0 ||
	    (rc = dupstr(&e->provider, str(r, "provider"))) != 0 ||
	    (rc = dupstr(&e->account, str(r, "account"))) != 0 ||
	    (rc = dupstr(&e->zone, str(r, "zone"))) != 0)
		return rc;
	rc = strings(&e->before, r, "before");
	if (rc == 0)
		rc = strings(&e->after, r, "after");
	if (rc == -1)
		return tp_err_set(TP_EUSAGE,
		                  "restore: %s: the result for '%s' has no "
		                  "before/after lists of strings, so there is "
		                  "nothing to put back",
		                  where, e->domain);
	if (rc != 0)
		return rc;
	if (cJSON_IsNumber(ttl) && ttl->valuedouble > 0 &&
	    ttl->valuedouble < 2147483648.0)
		e->old_ttl = (long)ttl->valuedouble;
	return 0;
}

static void
entry_release(struct tp_restore_entry *e)
{
	free(e->domain);
	free(e->provider);
	free(e->account);
	free(e->zone);
	tp_strv_release(&e->before);
	tp_strv_release(&e->after);
	memset(e, 0, sizeof(*e));
}

/* One result object; where: "FILE" or "FILE:LINE". */
static int
take(struct tp_restore_list *l, const cJSON *r, const char *where)
{
	struct tp_restore_entry e, *nv;
	const char *type = str(r, "type"), *act = str(r, "action");
	size_t i;
	int rc;

	if (!cJSON_IsObject(r) || type == NULL)
		return tp_err_set(TP_EUSAGE,
		                  "restore: %s: not a report (objects with a "
		                  "\"type\"): give a file written by --report "
		                  "or --output json/jsonl",
		                  where);
	if (strcmp(type, "result") != 0)
		return 0;
	memset(&e, 0, sizeof(e));
	e.action = act != NULL ? action_of(act) : TP_ACTION_NONE;
	if (e.action != TP_ACTION_CREATED && e.action != TP_ACTION_UPDATED &&
	    e.action != TP_ACTION_REMOVED) {
		l->skipped++;
		return 0;
	}
	if ((rc = entry_fill(&e, r, where)) == 0)
		for (i = 0; i < l->n; i++)
			if (strcmp(l->v[i].domain, e.domain) == 0) {
				rc = tp_err_set(TP_EUSAGE,
				                "restore: %s: '%s' is in the "
				                "report twice: give one run's "
				                "report",
				                where, e.domain);
				break;
			}
	if (rc == 0 && (nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL)
		rc = nomem();
	if (rc != 0) {
		entry_release(&e);
		return rc;
	}
	l->v = nv;
	l->v[l->n++] = e;
	return 0;
}

static int
parse_doc(struct tp_restore_list *l, const cJSON *doc, const char *src)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "results"), *r;
	int rc = 0;

	if (!cJSON_IsArray(res))
		return take(l, doc, src);
	cJSON_ArrayForEach(r, res)
	{
		if ((rc = take(l, r, src)) != 0)
			break;
	}
	return rc;
}

/*
 * One result object a line: jsonl (--output jsonl), or, when cut, a
 * report cut short by a second signal (cmd/output.c writes the opening
 * '{"results": [' line, then one result a line, each but the last
 * followed by a comma, and the closing line last). A cut report ends at
 * its closing line, and its last line may have been cut in the middle of
 * being written: that one is dropped, every complete one is taken.
 */
static int
parse_lines(struct tp_restore_list *l, const char *text, size_t len,
            const char *src, int cut)
{
	const char *p = text, *end = text + len, *nl, *e;
	char where[300];
	cJSON *o;
	int rc = 0, line = 0;

	for (; p < end && rc == 0; p = nl + 1) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		p += strspn(p, " \t\r");
		for (e = nl; e > p && e[-1] != '\0' &&
		     strchr(cut ? " \t\r," : " \t\r", e[-1]);
		     e--)
			;
		if (e == p || (cut && line == 1))
			continue;
		if (cut && *p == ']')
			break;
		(void)snprintf(where, sizeof(where), "%s:%d", src, line);
		if ((o = cJSON_ParseWithLength(p, (size_t)(e - p))) == NULL) {
			if (cut && nl == end)
				break;
			return tp_err_set(TP_EUSAGE,
			                  "restore: %s: not JSON: give a file "
			                  "written by --report or --output "
			                  "json/jsonl",
			                  where);
		}
		rc = take(l, o, where);
		cJSON_Delete(o);
	}
	return rc;
}

int
tp_restore_parse(struct tp_restore_list *out, const char *text, size_t len,
                 const char *src)
{
	cJSON *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	/* A whole document first (nothing after it: the NUL at text[len]
	 * is inside the length cJSON checks), else one object per line. */
	doc = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
	if (doc != NULL) {
		rc = parse_doc(out, doc, src);
		cJSON_Delete(doc);
	} else if (len >= 13 && memcmp(text, "{\"results\": [", 13) == 0) {
		rc = parse_lines(out, text, len, src, 1);
	} else {
		rc = parse_lines(out, text, len, src, 0);
	}
	if (rc != 0)
		tp_restore_list_release(out);
	return rc;
}

int
tp_restore_read(struct tp_restore_list *out, const char *path)
{
	struct tp_buf b = TP_BUF_INIT(TP_RESTORE_MAX);
	char chunk[65536];
	size_t n;
	FILE *f;
	int rc, std = strcmp(path, "-") == 0;

	memset(out, 0, sizeof(*out));
	f = std ? stdin : fopen(path, "r");
	if (f == NULL)
		return tp_err_set(TP_EUSAGE, "restore: cannot read '%s': %s",
		                  path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tp_buf_add(&b, chunk, n);
	rc = ferror(f) || b.err
	    ? tp_err_set(TP_EUSAGE,
	                 "restore: cannot read '%s' (an error, or larger "
	                 "than %lu MiB)",
	                 path, TP_RESTORE_MAX >> 20)
	    : tp_restore_parse(out, b.s, b.len, std ? "stdin" : path);
	if (!std)
		fclose(f);
	tp_buf_release(&b);
	return rc;
}

void
tp_restore_list_release(struct tp_restore_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		entry_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
