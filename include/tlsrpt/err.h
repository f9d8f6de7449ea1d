/*
 * err.h: status codes and the one last-error message of the project.
 *
 * Every fallible function returns int: 0, or one of the negative TP_E*
 * codes below. It records a message with tp_err_set() in the same
 * statement:
 *
 *	return tp_err_set(TP_EAUTH, "cloudflare: token rejected (HTTP %ld)", st);
 *
 * Messages start with the module or provider name, say what went wrong and
 * what to do, and quote user values in '...'. They never contain a secret.
 *
 * The store is thread-local: each worker thread has its own last error.
 * When a domain fails, its result takes a copy (tp_err_copy) so that the
 * error can cross threads and outlive the next call.
 */
#ifndef TLSRPT_ERR_H
#define TLSRPT_ERR_H

#include <stdarg.h>

#define TP_OK         0
#define TP_EUSAGE     (-1)  /* bad command line or input value */
#define TP_ECONFIG    (-2)  /* bad or missing configuration/credentials */
#define TP_EAUTH      (-3)  /* the API refused our credentials */
#define TP_ENOTFOUND  (-4)  /* zone, record or domain does not exist */
#define TP_ECONFLICT  (-5)  /* a concurrent change or an existing object */
#define TP_ERATELIMIT (-6)  /* throttled and out of retries */
#define TP_ENETWORK   (-7)  /* connect, TLS, reset, 5xx, malformed body */
#define TP_ETIMEOUT   (-8)  /* a deadline passed */
#define TP_EINTERNAL  (-9)  /* out of memory, a bug, an unexpected state */
#define TP_EINTR      (-10) /* interrupted by a signal before it started */
#define TP_ESKIPPED   (-11) /* not started: --fail-fast after a failure */

/* Sizes of the thread-local fields; longer text is truncated. */
#define TP_ERR_MSG_MAX   1024
#define TP_ERR_FIELD_MAX 256

/*
 * A copy of an error, owned by whoever holds the struct; release with
 * tp_error_release(). Strings are NULL when absent; http_status is 0 when
 * there was no HTTP response.
 */
struct tp_error {
	int code;
	char *message;
	long http_status;
	char *provider_code;
	char *provider_message;
};

/* Set the message (printf format) and clear the provider fields; returns
 * code so that the call can be returned directly. */
int tp_err_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int tp_err_vset(int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/*
 * Like tp_err_set(), but also records the HTTP status and the API's own
 * error code and text (each may be 0/NULL), for the JSON result. The
 * message itself should already quote them: "(HTTP 403, 9109 Invalid
 * access token)".
 */
int tp_err_set_api(int code, long http_status, const char *provider_code,
                   const char *provider_message, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The calling thread's last message: borrowed, "" when none, valid until
 * the next tp_err_* call on this thread. */
const char *tp_err_msg(void);

/* The calling thread's last code, 0 when none. */
int tp_err_code(void);

/* Forget the calling thread's last error. */
void tp_err_clear(void);

/* Copy the calling thread's last error into *out (caller releases).
 * Returns 0, or TP_EINTERNAL when out of memory. */
int tp_err_copy(struct tp_error *out);

/* Free the strings of e and zero it; e may be NULL. */
void tp_error_release(struct tp_error *e);

/* The JSON "kind" of a code: "auth", "not-found", "conflict",
 * "rate-limited", "network", "timeout", "config", "usage", "internal",
 * "interrupted", "skipped". Static string. */
const char *tp_err_kind(int code);

#endif
