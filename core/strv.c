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
