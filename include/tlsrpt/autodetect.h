/*
 * autodetect.h: --provider auto, the DNS provider of each domain from the
 * name servers of its zone (the providers' ns_patterns: Cloudflare
 * NAME.ns.cloudflare.com, Route 53 ns-N.awsdns-N.TLD, GoDaddy
 * nsN.domaincontrol.com).
 *
 * The NS set is looked up through the discovery resolvers (--resolver,
 * else the system's): NS at the domain, else at the zone apex the
 * negative answer's SOA names (or a referral's NS set). A domain is
 * recognised only when every one of its NS names belongs to one provider;
 * a zone served by several operators, or by name servers no provider
 * declares (custom or vanity name servers), is refused with a message
 * naming them, so that nothing is written through a guess.
 *
 * Ownership: the caller owns the array and releases it with
 * tp_autodetect_release().
 */
#ifndef TLSRPT_AUTODETECT_H
#define TLSRPT_AUTODETECT_H

#include <stddef.h>

#include "tlsrpt/provider.h"
#include "tlsrpt/sink.h"
#include "tlsrpt/strv.h"

struct tp_autodetect {
	const struct tp_provider *provider; /* NULL when not recognised */
	struct tp_strv ns;                  /* the NS names found */
	char *zone;                         /* the apex they belong to */
	int code;                           /* TP_E* when provider is NULL */
	char *error;                        /* ... and why */
};

/*
 * The provider of an NS set: 0 and *out set, or TP_ENOTFOUND with a
 * message naming domain and the NS names (none recognised, several
 * providers, or some names of no provider).
 */
int tp_autodetect_pick(const struct tp_provider **out, const struct tp_strv *ns,
                       const char *domain);

/*
 * Look up and recognise every domain (normalised names) at once. out[i]
 * is filled for domains[i] (each initialised by the call). Returns 0
 * once every domain has a verdict, or TP_EUSAGE (a bad --resolver),
 * TP_ECONFIG (no system resolver), TP_EINTERNAL; *stop (may be NULL)
 * ends the lookups early (the rest fail with TP_EINTR).
 */
int tp_autodetect_run(struct tp_autodetect *out, const char *const *domains,
                      size_t n, const struct tp_strv *resolvers,
                      const struct tp_sink *sink, const volatile int *stop);

/* Free what each of the n entries owns; v may be NULL. */
void tp_autodetect_release(struct tp_autodetect *v, size_t n);

#endif
