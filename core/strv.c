/*
 * strv.c: vector of owned strings.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/strv.h"

int
tp_strv_take(struct tp_strv *sv, char *s)
{
	size_t nalloc;
	char **p;

	if (s == NULL)
		return tp_err_set(TP_EINTERNAL, "strv: out of memory");
	if (sv->n == sv->alloc) {
		nalloc = sv->alloc ? sv->alloc * 2 : 8;
		p = realloc(sv->v, nalloc * sizeof(*p));
		if (p == NULL) {
			free(s);
			return tp_err_set(TP_EINTERNAL, "strv: out of memory");
		}
		sv->v = p;
		sv->alloc = nalloc;
	}
	sv->v[sv->n++] = s;
	return 0;
}

int
tp_strv_add(struct tp_strv *sv, const char *s)
{
	return tp_strv_take(sv, strdup(s));
}

int
tp_strv_addn(struct tp_strv *sv, const char *s, size_t len)
{
	char *p;

	p = malloc(len + 1);
	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return tp_strv_take(sv, p);
}

int
tp_strv_has(const struct tp_strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

int
tp_strv_copy(struct tp_strv *dst, const struct tp_strv *src)
{
	struct tp_strv tmp = TP_STRV_INIT;
	size_t i;
	int rc;

	for (i = 0; i < src->n; i++) {
		rc = tp_strv_add(&tmp, src->v[i]);
		if (rc != 0) {
			tp_strv_release(&tmp);
			return rc;
		}
	}
	tp_strv_release(dst);
	*dst = tmp;
	return 0;
}

void
tp_strv_release(struct tp_strv *sv)
{
	size_t i;

	if (sv == NULL)
		return;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
	sv->alloc = 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
tp_strv_same_set(const struct tp_strv *a, const struct tp_strv *b)
{
	const char **x, **y;
	size_t i;
	int same;

	if (a->n != b->n)
		return 0;
	if (a->n == 0)
		return 1;
	x = calloc(a->n, sizeof(*x));
	y = calloc(b->n, sizeof(*y));
	same = x != NULL && y != NULL;
	for (i = 0; same && i < a->n; i++) {
		x[i] = a->v[i];
		y[i] = b->v[i];
	}
	if (same) {
		qsort(x, a->n, sizeof(*x), cmp_str);
		qsort(y, b->n, sizeof(*y), cmp_str);
		for (i = 0; same && i < a->n; i++)
			same = strcmp(x[i], y[i]) == 0;
	}
	free(x);
	free(y);
	return same;
}
