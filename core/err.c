/*
 * err.c: the thread-local last-error store behind tp_err_set().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"

struct err_state {
	int code;
	long http_status;
	int has_pcode;
	int has_pmsg;
	char msg[TP_ERR_MSG_MAX];
	char pcode[TP_ERR_FIELD_MAX];
	char pmsg[TP_ERR_FIELD_MAX];
};

static _Thread_local struct err_state st;

int
tp_err_vset(int code, const char *fmt, va_list ap)
{
	char msg[TP_ERR_MSG_MAX];

	/* Formatted aside first: callers often wrap the current message
	 * ("%s: %s", where, tp_err_msg()), and vsnprintf into the buffer an
	 * argument points into is undefined. Truncation is acceptable: the
	 * message is for people. */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	memcpy(st.msg, msg, sizeof(st.msg));
	st.code = code;
	st.http_status = 0;
	st.has_pcode = 0;
	st.has_pmsg = 0;
	return code;
}

int
tp_err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tp_err_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int
tp_err_set_api(int code, long http_status, const char *provider_code,
               const char *provider_message, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tp_err_vset(code, fmt, ap);
	va_end(ap);
	st.http_status = http_status;
	if (provider_code != NULL) {
		(void)snprintf(st.pcode, sizeof(st.pcode), "%s", provider_code);
		st.has_pcode = 1;
	}
	if (provider_message != NULL) {
		(void)snprintf(st.pmsg, sizeof(st.pmsg), "%s",
		               provider_message);
		st.has_pmsg = 1;
	}
	return code;
}

const char *
tp_err_msg(void)
{
	return st.code == 0 ? "" : st.msg;
}

int
tp_err_code(void)
{
	return st.code;
}

void
tp_err_clear(void)
{
	memset(&st, 0, sizeof(st));
}

int
tp_err_copy(struct tp_error *out)
{
	memset(out, 0, sizeof(*out));
	out->code = st.code;
	out->http_status = st.http_status;
	out->message = strdup(tp_err_msg());
	if (st.has_pcode)
		out->provider_code = strdup(st.pcode);
	if (st.has_pmsg)
		out->provider_message = strdup(st.pmsg);
	if (out->message == NULL || (st.has_pcode && !out->provider_code) ||
	    (st.has_pmsg && !out->provider_message)) {
		tp_error_release(out);
		return TP_EINTERNAL;
	}
	return 0;
}

void
tp_error_release(struct tp_error *e)
{
	if (e == NULL)
		return;
	free(e->message);
	free(e->provider_code);
	free(e->provider_message);
	memset(e, 0, sizeof(*e));
}

const char *
tp_err_kind(int code)
{
	/* DESIGN.md fixes the kinds pipelines switch on: a domain that the
	 * command line or the config file got wrong is "config" either way.
	 * interrupted and skipped are the bulk run's own additions. */
	switch (code) {
	case TP_EUSAGE:
	case TP_ECONFIG:
		return "config";
	case TP_EAUTH:
		return "auth";
	case TP_ENOTFOUND:
		return "not-found";
	case TP_ECONFLICT:
		return "conflict";
	case TP_ERATELIMIT:
		return "rate-limited";
	case TP_ENETWORK:
		return "network";
	case TP_ETIMEOUT:
		return "timeout";
	case TP_EINTR:
		return "interrupted";
	case TP_ESKIPPED:
		return "skipped";
	default:
		return "internal";
	}
}
