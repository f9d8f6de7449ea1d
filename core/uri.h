/*
 * uri.h (core-internal): RFC 3986 URI syntax, and what an RFC 8460 sender
 * can do with a rua URI (mailto: and https: semantics). Shared by the
 * validator (record_field.c) and the generator (record_build.c) so that
 * both apply one definition.
 *
 * Nothing here allocates: a parsed URI is a set of spans into the caller's
 * bytes, and a problem is a small fixed struct.
 */
#ifndef TLSRPT_CORE_URI_H
#define TLSRPT_CORE_URI_H

#include <stddef.h>

/* A part of the URI: offset and length relative to the URI's first byte. */
struct tp_uri_span {
	int present;
	size_t off;
	size_t len;
};

enum tp_uri_host {
	TP_URI_HOST_NONE, /* no authority */
	TP_URI_HOST_REG,  /* reg-name (possibly empty) */
	TP_URI_HOST_IPV4,
	TP_URI_HOST_IPV6,
	TP_URI_HOST_IPVFUTURE
};

struct tp_uri {
	struct tp_uri_span scheme; /* without the ':' */
	struct tp_uri_span userinfo;
	struct tp_uri_span host; /* IP-literals without the brackets */
	struct tp_uri_span port;
	struct tp_uri_span path;
	struct tp_uri_span query;    /* without the '?' */
	struct tp_uri_span fragment; /* without the '#' */
	int has_authority;
	enum tp_uri_host host_kind;
};

/*
 * One finding about a URI: a stable diagnostic code (static), the offset
 * relative to the URI, a message (values quoted and escaped) and a hint
 * (static).
 */
struct tp_uri_problem {
	const char *code;
	size_t off;
	char msg[240];
	const char *hint;
};

/* Fill *p (message printf-style); returns 0, the checkers' "invalid". */
int tp_uri_problem_set(struct tp_uri_problem *p, const char *code, size_t off,
                       const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Also reject raw "," "!" ";": RFC 8460 §3 says they MUST be encoded. */
#define TP_URI_TLSRPT 1

/*
 * Check s[0..len) against RFC 3986 §3 "URI" (scheme ":" hier-part
 * ["?" query] ["#" fragment], every production in full). Returns 1 when
 * valid (*u filled), 0 when not (*p says where and why; the first problem
 * wins).
 */
int tp_uri_check(struct tp_uri *u, const char *s, size_t len, int flags,
                 struct tp_uri_problem *p);

/* What a sender can do with a valid URI. */
enum tp_uri_use {
	TP_URI_USE_MAILTO,        /* mailto: with one or more addr-specs */
	TP_URI_USE_HTTPS,         /* https: with a host */
	TP_URI_USE_UNSUPPORTED,   /* a scheme RFC 8460 does not support */
	TP_URI_USE_MAILTO_NOADDR, /* mailto: without an addr-spec */
	TP_URI_USE_HTTPS_NOHOST,  /* https: without a host */
	TP_URI_USE_HTTPS_BADPORT  /* https: with port 0 or above 65535 */
};

/* Classify a URI that tp_uri_check accepted; for the unusable kinds, *why
 * has the reason (code is the warning code, e.g. "mailto-no-addr-spec"). */
enum tp_uri_use tp_uri_use(const char *s, const struct tp_uri *u,
                           struct tp_uri_problem *why);

/*
 * Each mail address of a mailto: URI that tp_uri_check accepted,
 * percent-decoded and split on ',' as tp_uri_use reads them: the path's,
 * then those of every to= hfield (RFC 6068). fn gets the address (not
 * NUL-terminated; empty ones and ones over 256 bytes are skipped); a
 * non-zero return stops the walk and is returned.
 */
int tp_uri_mailto_each(const char *s, const struct tp_uri *u,
                       int (*fn)(void *arg, const char *addr, size_t len),
                       void *arg);

/*
 * Interop warnings for a usable URI (reference §3, §4.5): upper-case
 * scheme, mailto hfields, several or percent-encoded addresses, "=" in
 * the URI, userinfo, fragment. Fills up to max problems; returns how many.
 */
size_t tp_uri_interop(const char *s, const struct tp_uri *u,
                      struct tp_uri_problem *w, size_t max);

/*
 * 1 when s[0..len) (percent-decoded) is a mail address a reporter can
 * send to, as RFC 6068 requires in mailto: LOCAL@DOMAIN with a non-empty
 * local part free of control characters ("@" only inside a quoted-string;
 * otherwise judged leniently, as reporters pass it on unchanged: the
 * reference rates "%20" in an address a warning, not an error) and a
 * domain that is an RFC 5322 dot-atom (UTF-8 allowed) or domain-literal.
 */
int tp_uri_addr_spec_ok(const char *s, size_t len);

/* 1 when s[0..len) is an RFC 3986 IPv4address / IPv6address. */
int tp_uri_ipv4_ok(const char *s, size_t len);
int tp_uri_ipv6_ok(const char *s, size_t len);

/* RFC 3986 character classes. */
int tp_uri_unreserved(unsigned char c);
int tp_uri_subdelim(unsigned char c);
int tp_uri_hexdig(unsigned char c);

/* Describe a byte for a message: "'a'", "space", "CR", "byte 0xC3". */
const char *tp_uri_char_name(char buf[16], unsigned char c);

/* Quote a user value for a message: bytes outside 0x20-0x7E as \xHH,
 * long values cut with "...". Returns buf. */
const char *tp_uri_quote(char *buf, size_t size, const char *s, size_t len);

#endif
