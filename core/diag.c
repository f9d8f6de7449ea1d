/*
 * diag.c: the diagnostics list shared by the record and RRset validators.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/diag.h"
#include "tlsrpt/err.h"

int
tp_diags_add(struct tp_diags *d, enum tp_severity sev, const char *code,
             size_t offset, const char *hint, const char *fmt, ...)
{
	struct tp_diag *nv, *x;
	va_list ap;
	size_t nalloc;
	char *msg;
	int n;

	if (d->n == d->alloc) {
		nalloc = d->alloc ? d->alloc * 2 : 8;
		nv = realloc(d->v, nalloc * sizeof(*nv));
		if (nv == NULL)
			return tp_err_set(TP_EINTERNAL, "diag: out of memory");
		d->v = nv;
		d->alloc = nalloc;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return tp_err_set(TP_EINTERNAL, "diag: bad message format");
	msg = malloc((size_t)n + 1);
	if (msg == NULL)
		return tp_err_set(TP_EINTERNAL, "diag: out of memory");
	va_start(ap, fmt);
	(void)vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	x = &d->v[d->n];
	x->severity = sev;
	x->code = code;
	x->offset = offset;
	x->message = msg;
	x->hint = NULL;
	if (hint != NULL) {
		x->hint = strdup(hint);
		if (x->hint == NULL) {
			free(msg);
			return tp_err_set(TP_EINTERNAL, "diag: out of memory");
		}
	}
	d->n++;
	return 0;
}

size_t
tp_diags_count(const struct tp_diags *d, enum tp_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		if (d->v[i].severity == sev)
			n++;
	return n;
}

int
tp_diags_has(const struct tp_diags *d, const char *code)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].code, code) == 0)
			return 1;
	return 0;
}

const char *
tp_severity_name(enum tp_severity sev)
{
	switch (sev) {
	case TP_SEV_ERROR:
		return "error";
	case TP_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

void
tp_diags_release(struct tp_diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].message);
		free(d->v[i].hint);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
	d->alloc = 0;
}
