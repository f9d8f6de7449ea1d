/*
 * shard.h: --shard K/N, splitting one domain list across N runs (jobs of
 * a CI matrix, a Kubernetes indexed Job) so that every domain lands in
 * exactly one of them, whatever order or machine each run has.
 *
 * The hash is FNV-1a, 64 bits, over the octets of the normalised domain
 * (A-label, lower case, no final dot): start from 14695981039346656037,
 * then for each octet XOR it in and multiply by 1099511628211 modulo
 * 2^64. The domain belongs to shard (hash mod N) + 1. Written out in the
 * man page so that users can compute it themselves; it never changes.
 */
#ifndef TLSRPT_SHARD_H
#define TLSRPT_SHARD_H

#include <stdint.h>

/* The largest N accepted. */
#define TP_SHARD_MAX 65536

/* Parse "K/N" (1 <= K <= N <= TP_SHARD_MAX, decimal). TP_EUSAGE quoting
 * s when it is not that. */
int tp_shard_parse(unsigned long *k, unsigned long *n, const char *s);

/* FNV-1a 64 of the octets of domain. */
uint64_t tp_shard_hash(const char *domain);

/* The shard (1..n) of a normalised domain; n >= 1. */
unsigned long tp_shard_of(const char *domain, unsigned long n);

#endif
