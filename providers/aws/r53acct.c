/*
 * r53acct.c: what the workers of one Route 53 account share: the endpoint
 * and the credentials, resolved once through the AWS chain (one STS or
 * instance-metadata exchange per run, not one per worker) and refreshed
 * once, for everyone, when they are about to expire.
 *
 * Workers sign with their own copy, so a refresh never pulls strings from
 * under a signature being computed; the account's copy is touched only
 * under its lock.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"

#include "r53.h"

/* Refresh this long before expiry: a request signed now must still be
 * valid when it arrives, retries included. */
#define REFRESH_MARGIN 300

int
tp_r53_account_new(struct tp_r53_account **out,
                   const struct tp_settings *settings,
                   const struct tp_http_opts *opts)
{
	struct tp_r53_account *a;
	int rc;

	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return tp_err_set(TP_EINTERNAL, "route53: out of memory");
	pthread_mutex_init(&a->lock, NULL);
	tp_aws_conf_from_settings(&a->conf, settings);
	if (opts != NULL)
		a->opts = *opts;
	/* STS and instance metadata are not Route 53: not its budget. The
	 * stop flag belongs to the worker that opened the account, which
	 * may end before another worker refreshes: not kept. */
	a->opts.limiter = NULL;
	a->opts.stop = NULL;
	a->conf.http = &a->opts;
	rc = tp_aws_endpoint_route53(&a->ep, &a->conf);
	if (rc == 0)
		rc = tp_aws_creds_resolve(&a->creds, &a->conf);
	if (rc != 0) {
		tp_r53_account_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void
tp_r53_account_free(struct tp_r53_account *a)
{
	if (a == NULL)
		return;
	tp_aws_creds_free(a->creds);
	tp_aws_endpoint_release(&a->ep);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static int
copy_creds(struct tp_aws_creds **out, const struct tp_aws_creds *c)
{
	int rc;

	rc = tp_aws_creds_new(out, c->access_key_id, c->secret_access_key,
	                      c->session_token, c->source);
	if (rc == 0)
		(*out)->expiration = c->expiration;
	return rc;
}

/* Under a->lock: new credentials when the account's expire soon. A
 * failed refresh keeps the old ones while they are still valid. */
static int
refresh(struct tp_r53_account *a, time_t now)
{
	struct tp_aws_creds *fresh = NULL;
	int rc;

	if (a->creds != NULL &&
	    !tp_aws_creds_expiring(a->creds, now, REFRESH_MARGIN))
		return 0;
	rc = tp_aws_creds_resolve(&fresh, &a->conf);
	if (rc != 0) {
		if (a->creds != NULL &&
		    !tp_aws_creds_expiring(a->creds, now, 0))
			return 0;
		return rc;
	}
	tp_aws_creds_free(a->creds);
	a->creds = fresh;
	return 0;
}

int
tp_r53_account_creds(struct tp_r53_account *a, struct tp_aws_creds **mine,
                     time_t now)
{
	struct tp_aws_creds *c = NULL;
	int rc;

	if (*mine != NULL && !tp_aws_creds_expiring(*mine, now, REFRESH_MARGIN))
		return 0;
	pthread_mutex_lock(&a->lock);
	rc = refresh(a, now);
	if (rc == 0)
		rc = copy_creds(&c, a->creds);
	pthread_mutex_unlock(&a->lock);
	if (rc != 0)
		return rc;
	tp_aws_creds_free(*mine);
	*mine = c;
	return 0;
}
