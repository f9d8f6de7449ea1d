/*
 * shard.c: the stable split of a domain list behind --shard K/N (the
 * hash is fixed in include/tlsrpt/shard.h and the man page).
 */
#include <errno.h>
#include <stdlib.h>

#include "tlsrpt/err.h"
#include "tlsrpt/shard.h"

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME  1099511628211ULL

uint64_t
tp_shard_hash(const char *domain)
{
	const unsigned char *p = (const unsigned char *)domain;
	uint64_t h = FNV_OFFSET;

	for (; *p != '\0'; p++) {
		h ^= *p;
		h *= FNV_PRIME;
	}
	return h;
}

unsigned long
tp_shard_of(const char *domain, unsigned long n)
{
	if (n <= 1)
		return 1;
	return (unsigned long)(tp_shard_hash(domain) % n) + 1;
}

/* A decimal number without sign or blanks, at most TP_SHARD_MAX. */
static int
number(unsigned long *out, const char *s, const char **end)
{
	unsigned long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > TP_SHARD_MAX)
			return -1;
	}
	if (p == s)
		return -1;
	*out = v;
	*end = p;
	return 0;
}

int
tp_shard_parse(unsigned long *k, unsigned long *n, const char *s)
{
	const char *p;

	if (s == NULL || number(k, s, &p) != 0 || *p != '/' ||
	    number(n, p + 1, &p) != 0 || *p != '\0' || *n < 1 || *k < 1 ||
	    *k > *n)
		return tp_err_set(TP_EUSAGE,
		                  "--shard '%s': give K/N, two whole numbers "
		                  "with 1 <= K <= N <= %d (this run does shard "
		                  "K of N)",
		                  s ? s : "", TP_SHARD_MAX);
	return 0;
}
