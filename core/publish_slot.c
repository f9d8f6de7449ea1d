/*
 * publish_slot.c: a publish worker's handles, one provider handle and one
 * HTTP handle per account, opened the first time the worker needs the
 * account (so a worker pays one TLS handshake per API host it uses), and
 * the account state the provider shares between its workers.
 */
#include <stdlib.h>
#include <string.h>

#include "publish_int.h"
#include "tlsrpt/err.h"

int
pub_worker_init(struct pub_worker *w, struct pub_run *run)
{
	w->run = run;
	w->slots =
	    calloc(run->naccounts ? run->naccounts : 1, sizeof(*w->slots));
	if (w->slots == NULL)
		return tp_err_set(TP_EINTERNAL, "publish: out of memory");
	return 0;
}

/* The account's shared state, made once by the first worker that opens
 * the account; a failure is remembered and given to every later one. */
static int
account_shared(struct pub_account *a, const struct tp_provider_ctx *base)
{
	struct tp_provider_ctx ctx = *base;
	int rc;

	if (a->p->open_account == NULL)
		return 0;
	pthread_mutex_lock(&a->shared_lock);
	if (!a->shared_made && a->shared_rc == 0) {
		ctx.http = NULL;
		ctx.shared = NULL;
		rc = a->p->open_account(&a->shared, &ctx);
		if (rc == 0)
			a->shared_made = 1;
		else {
			a->shared_rc = rc;
			a->shared_msg = strdup(tp_err_msg());
		}
	}
	rc = a->shared_rc;
	if (rc != 0)
		(void)tp_err_set(rc, "%s", a->shared_msg ? a->shared_msg : "");
	pthread_mutex_unlock(&a->shared_lock);
	return rc;
}

static int
slot_open(struct pub_slot *s, struct pub_worker *w, struct pub_account *a)
{
	const struct pub_run *run = w->run;
	struct tp_provider_ctx ctx;
	struct tp_http_opts ho;
	int rc;

	ho = run->http;
	ho.sink = run->o->sink;
	ho.limiter = a->limiter;
	ho.stop = &w->halt;
	rc = tp_http_new(&s->http, &ho);
	if (rc != 0)
		return rc;
	memset(&ctx, 0, sizeof(ctx));
	ctx.settings = a->settings;
	ctx.http = s->http;
	ctx.sink = run->o->sink;
	ctx.account = strcmp(a->section, a->p->name) != 0 ? a->section : NULL;
	ctx.confirming = run->o->mode != TP_PUBLISH_MODE_PLAN &&
	    !run->o->dry_run && !run->o->no_wait;
	ctx.http_opts = &ho;
	if ((rc = account_shared(a, &ctx)) != 0)
		return rc;
	ctx.shared = a->shared;
	return a->p->open(&s->handle, &ctx);
}

int
pub_worker_slot(struct pub_worker *w, struct pub_account *a,
                struct pub_slot **out)
{
	struct pub_slot *s = &w->slots[a - w->run->accounts];

	*out = s;
	if (s->handle != NULL)
		return 0;
	/* A failed open fails every later domain of the account the same
	 * way, without trying again. */
	if (s->rc != 0)
		return tp_err_set(s->rc, "%s", s->msg ? s->msg : "");
	s->rc = slot_open(s, w, a);
	if (s->rc != 0) {
		s->msg = strdup(tp_err_msg());
		return s->rc;
	}
	return 0;
}

void
pub_worker_release(struct pub_worker *w)
{
	size_t i;

	if (w == NULL || w->slots == NULL)
		return;
	for (i = 0; i < w->run->naccounts; i++) {
		if (w->slots[i].handle != NULL)
			w->run->accounts[i].p->close(w->slots[i].handle);
		tp_http_free(w->slots[i].http);
		free(w->slots[i].msg);
	}
	free(w->slots);
	w->slots = NULL;
}
