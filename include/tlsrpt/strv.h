/*
 * strv.h: a growable vector of owned, NUL-terminated strings.
 *
 * Ownership: the vector owns every string in it; tp_strv_release() frees
 * them and the array. v is NULL only while n == 0.
 */
#ifndef TLSRPT_STRV_H
#define TLSRPT_STRV_H

#include <stddef.h>

struct tp_strv {
	char **v;
	size_t n;
	size_t alloc;
};

#define TP_STRV_INIT                                                           \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Append a copy of s (or of its first len bytes with tp_strv_addn).
 * Returns 0 or TP_EINTERNAL (message set). */
int tp_strv_add(struct tp_strv *sv, const char *s);
int tp_strv_addn(struct tp_strv *sv, const char *s, size_t len);

/* Append s itself, taking ownership (freed on failure too). */
int tp_strv_take(struct tp_strv *sv, char *s);

/* 1 when sv holds a string equal to s (case-sensitive), else 0. */
int tp_strv_has(const struct tp_strv *sv, const char *s);

/* Replace *dst with a deep copy of src. */
int tp_strv_copy(struct tp_strv *dst, const struct tp_strv *src);

/* 1 when a and b hold the same strings, each as often, in any order
 * (0 also when out of memory). */
int tp_strv_same_set(const struct tp_strv *a, const struct tp_strv *b);

/* Free every string and the array; sv may be NULL. */
void tp_strv_release(struct tp_strv *sv);

#endif
