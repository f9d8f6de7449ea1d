/*
 * check.h: `tlsrpt-publish check`: read the TXT RRset at _smtp._tls.DOMAIN
 * from DNS, validate it as senders do (record.h, RRset rules included),
 * and diagnose the mistakes people make (the record at the domain itself
 * or at the pre-RFC name _smtp-tlsrpt, a CNAME at the owner, SPF where
 * TLS-RPT belongs, NXDOMAIN vs no TXT, several records, authoritative
 * servers that disagree), plus the MTA-STS stage (_mta-sts.DOMAIN TXT).
 *
 * Modes: through a recursive resolver (default; --resolver or the
 * system's), or from every address of every authoritative server
 * (authoritative, implied by nameservers and by wait). wait watches
 * until every server serves exactly one valid record (and, with
 * expect_rua, exactly those destinations) or the per-domain timeout.
 *
 * All domains are checked concurrently; each result (struct tp_result of
 * kind TP_RESULT_CHECK) goes to sink->result as soon as it is final, from
 * the calling thread. The caller counts them (tp_summary_add) for the
 * exit status.
 *
 * Ownership: options and domains are borrowed for the call.
 */
#ifndef TLSRPT_CHECK_H
#define TLSRPT_CHECK_H

#include "tlsrpt/sink.h"
#include "tlsrpt/strv.h"

struct tp_check_opts {
	const struct tp_strv *resolvers;   /* "ADDR[:PORT]"; NULL/empty: the
					    * system's */
	const struct tp_strv *nameservers; /* "ADDR[:PORT]" or "HOST[:PORT]":
					    * skip discovery, poll these */
	int authoritative;                 /* read every authoritative
					    * address instead of a resolver */
	int wait;                          /* watch until valid (implies
					    * authoritative) */
	double timeout;                    /* wait deadline per domain, s
					    * (0: 300) */
	double interval;                   /* first poll interval, s (0: 2) */
	double query_timeout;              /* first try of a query, s (0: 1) */
	const struct tp_strv *expect_rua;  /* the record's destinations must
					    * be exactly these; may be NULL */
	int strict_families;               /* an unreachable address family
					    * fails the domain */
	const struct tp_sink *sink;        /* results and log lines */
};

/*
 * Check every domain (as given: normalised here). Returns 0 once every
 * result was delivered; TP_EUSAGE (message set, nothing delivered) for a
 * bad domain, address or URI, before any query; TP_EINTERNAL.
 */
int tp_check_run(const struct tp_check_opts *o, const struct tp_strv *domains);

#endif
