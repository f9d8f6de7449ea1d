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
 * Settings: like publish, check reads the config file (config.example):
 * the command line wins, then the config file's defaults (resolver,
 * nameserver, timeout, interval), then the built-in defaults; the file is
 * config, else $TLSRPT_PUBLISH_CONFIG, else the XDG default (conf.h).
 * all adds every domain of the file's domains list. The configured rua
 * (defaults.rua, a domains entry's rua) is never an expectation unless
 * expect_configured_rua asks for it: then each domain's record must have
 * exactly the destinations publish would give it.
 *
 * Destinations: unless no_destination_checks, a valid record's
 * destinations are looked at too: a mail domain or https host outside
 * the policy domain (rua-other-domain, info: RFC 8460 has no
 * authorisation for it), and, through the resolvers (the query timeout,
 * one retry), a mail domain with a null MX or neither MX nor address, or
 * an https host without address (warnings). They never change the
 * status; a lookup that fails only says so (rua-dest-unchecked).
 *
 * All domains are checked concurrently (in authoritative mode the watcher
 * runs in a second thread); each result (struct tp_result of kind
 * TP_RESULT_CHECK) goes to sink->result as soon as it is final, from the
 * calling thread. The caller counts them (tp_summary_add) for the exit
 * status.
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
	const char *config;                /* --config FILE; NULL: search */
	int all;                           /* also the config's domains list */
	int expect_configured_rua; /* expect each domain's configured rua
				    * (not with expect_rua) */
	int no_destination_checks; /* skip the destination checks */
};

/*
 * Check every domain (as given: normalised here; one given twice is
 * checked once). Returns 0 once every result was delivered; TP_EUSAGE
 * (message set, nothing delivered) for no domain, a bad domain, address
 * or URI, before any query; TP_ECONFIG for a bad config file;
 * TP_EINTERNAL.
 */
int tp_check_run(const struct tp_check_opts *o, const struct tp_strv *domains);

#endif
