/*
 * result.c: lifecycle, names and exit-status rules of per-domain results.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/result.h"

void
tp_result_init(struct tp_result *r, enum tp_result_kind kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
}

void
tp_confirm_release(struct tp_confirm *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nservers; i++) {
		free(c->servers[i].ns);
		free(c->servers[i].address);
		free(c->servers[i].detail);
		free(c->servers[i].cname);
		tp_strv_release(&c->servers[i].values);
		tp_txtset_release(&c->servers[i].rrset);
	}
	free(c->servers);
	free(c->zone);
	memset(c, 0, sizeof(*c));
}

void
tp_result_release(struct tp_result *r)
{
	if (r == NULL)
		return;
	free(r->domain);
	free(r->provider);
	free(r->account);
	free(r->zone);
	free(r->owner);
	free(r->record);
	tp_strv_release(&r->before);
	tp_strv_release(&r->after);
	tp_strv_release(&r->dropped_rua);
	tp_confirm_release(&r->confirm);
	tp_strv_release(&r->values);
	tp_diags_release(&r->diagnostics);
	tp_error_release(&r->error);
	memset(r, 0, sizeof(*r));
}

void
tp_result_fail(struct tp_result *r)
{
	tp_error_release(&r->error);
	if (tp_err_copy(&r->error) != 0 || r->error.code == 0)
		r->error.code = TP_EINTERNAL;
	if (r->kind == TP_RESULT_CHANGE)
		r->action = TP_ACTION_FAILED;
}

const char *
tp_action_name(enum tp_action a)
{
	static const char *const names[] = {
	    "none",         "created",      "updated",
	    "unchanged",    "removed",      "would-create",
	    "would-update", "would-remove", "failed"};

	if ((size_t)a >= sizeof(names) / sizeof(names[0]))
		return "none";
	return names[a];
}

const char *
tp_server_state_name(enum tp_server_state s)
{
	static const char *const names[] = {
	    "expected", "old", "missing", "refused", "servfail", "unreachable"};

	if ((size_t)s >= sizeof(names) / sizeof(names[0]))
		return "unreachable";
	return names[s];
}

const char *
tp_confirm_status_name(enum tp_confirm_status s)
{
	switch (s) {
	case TP_CONFIRM_CONFIRMED:
		return "confirmed";
	case TP_CONFIRM_TIMEOUT:
		return "timeout";
	case TP_CONFIRM_SKIPPED:
		return "skipped";
	default:
		return "none";
	}
}

const char *
tp_check_status_name(enum tp_check_status s)
{
	switch (s) {
	case TP_CHECK_VALID:
		return "valid";
	case TP_CHECK_INVALID:
		return "invalid";
	case TP_CHECK_MISSING:
		return "missing";
	default:
		return "unknown";
	}
}

const char *
tp_mta_sts_name(enum tp_mta_sts m)
{
	switch (m) {
	case TP_MTA_STS_PRESENT:
		return "present";
	case TP_MTA_STS_ABSENT:
		return "absent";
	case TP_MTA_STS_UNKNOWN:
		return "unknown";
	default:
		return "none";
	}
}

static int
change_exit(const struct tp_result *r, int detailed)
{
	if (r->error.code == TP_EUSAGE || r->error.code == TP_ECONFIG)
		return TP_EXIT_USAGE;
	if (r->error.code == TP_EINTR)
		return TP_EXIT_INTERRUPT;
	if (r->action == TP_ACTION_FAILED || r->error.code != 0)
		return TP_EXIT_FAIL;
	if (r->confirm.status == TP_CONFIRM_TIMEOUT)
		return TP_EXIT_PENDING;
	if (detailed &&
	    (r->action == TP_ACTION_WOULD_CREATE ||
	     r->action == TP_ACTION_WOULD_UPDATE ||
	     r->action == TP_ACTION_WOULD_REMOVE))
		return TP_EXIT_CHANGES;
	return TP_EXIT_OK;
}

static int
check_exit(const struct tp_result *r)
{
	if (r->error.code == TP_EUSAGE || r->error.code == TP_ECONFIG)
		return TP_EXIT_USAGE;
	if (r->error.code == TP_EINTR)
		return TP_EXIT_INTERRUPT;
	switch (r->status) {
	case TP_CHECK_VALID:
		return r->confirm.status == TP_CONFIRM_TIMEOUT ? TP_EXIT_PENDING
		                                               : TP_EXIT_OK;
	case TP_CHECK_UNKNOWN:
		return TP_EXIT_PENDING;
	default:
		/* A --wait deadline with a record still wrong is "not known
		 * to be right yet", not a failure. */
		return r->confirm.status == TP_CONFIRM_TIMEOUT ? TP_EXIT_PENDING
		                                               : TP_EXIT_FAIL;
	}
}

int
tp_result_exit_status(const struct tp_result *r, int detailed)
{
	if (r->kind == TP_RESULT_CHECK)
		return check_exit(r);
	return change_exit(r, detailed);
}

static int
exit_rank(int st)
{
	switch (st) {
	case TP_EXIT_USAGE:
		return 5;
	case TP_EXIT_INTERRUPT:
		return 4;
	case TP_EXIT_FAIL:
		return 3;
	case TP_EXIT_PENDING:
		return 2;
	case TP_EXIT_CHANGES:
		return 1;
	default:
		return 0;
	}
}

int
tp_exit_combine(int a, int b)
{
	return exit_rank(a) >= exit_rank(b) ? a : b;
}

void
tp_summary_add(struct tp_summary *s, const struct tp_result *r, int detailed)
{
	s->total++;
	if (r->kind == TP_RESULT_CHANGE) {
		if ((size_t)r->action <= TP_ACTION_FAILED)
			s->actions[r->action]++;
	} else if ((size_t)r->status <= TP_CHECK_UNKNOWN) {
		s->statuses[r->status]++;
	}
	if ((size_t)r->confirm.status <= TP_CONFIRM_SKIPPED)
		s->confirm[r->confirm.status]++;
	s->exit_status =
	    tp_exit_combine(s->exit_status, tp_result_exit_status(r, detailed));
}
