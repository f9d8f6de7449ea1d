/*
 * check_int.h: core-internal. What `check` saw for one domain, filled by
 * check.c (the queries and the watcher) and turned into a result by
 * check_eval.c (status and diagnostics).
 */
#ifndef TLSRPT_CORE_CHECK_INT_H
#define TLSRPT_CORE_CHECK_INT_H

#include "tlsrpt/check.h"
#include "tlsrpt/dns.h"
#include "tlsrpt/result.h"
#include "tlsrpt/txt.h"

/* The answer for one name (the owner through a resolver, or a side
 * name: the domain itself, _smtp-tlsrpt, _mta-sts). */
struct check_look {
	int state; /* 0 pending, 1 answered, 2 no usable answer */
	int rcode;
	char *fail; /* why there is no usable answer */
	struct tp_txtset set;
	struct tp_strv cnames;
	char *zone; /* owner of the authority SOA, if any */
	int chased; /* queries sent after a CNAME chain left the answer */
	struct tp_dns_query *q;
};

struct check_dom {
	struct check_run *run;
	char *domain, *owner, *legacy_name, *sts_name;
	struct check_look own, apex, legacy, sts;
	int pending; /* lookups still out */
	/* authoritative mode: the watcher's verdict */
	int watched;
	int watch_rc;
	char *watch_err;
	struct tp_confirm confirm;
};

/* Build the check result for c into r (initialised here). Moves the
 * RRsets and the watcher's verdict out of c. */
int tp_check_eval(struct tp_result *r, struct check_dom *c,
                  const struct tp_check_opts *o);

#endif
