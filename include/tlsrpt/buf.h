/*
 * buf.h: the one growable string type, with a mandatory size cap and a
 * sticky error (git's strbuf invariants plus curl's "too big" cap).
 *
 * Invariants: s is never NULL and always NUL-terminated (it points to a
 * shared empty string until the first growth); len never exceeds max.
 * Once an append fails (allocation, or the cap would be exceeded), err is
 * set, every later append is a no-op, and the content stays what it was
 * before the failed append. Check once after a chain of appends:
 *
 *	tp_buf_adds(&b, "a"); tp_buf_addf(&b, "%d", n);
 *	if (b.err) return tp_err_set(b.err, "module: ...");
 *
 * Ownership: the storage belongs to the struct; tp_buf_release() frees it,
 * tp_buf_detach() hands it to the caller. Storage the buffer leaves behind
 * (when it grows, on release) is wiped first, so a buffer may hold a
 * secret; a detached string holding one is freed with tp_free_secret().
 */
#ifndef TLSRPT_BUF_H
#define TLSRPT_BUF_H

#include <stddef.h>

extern char tp_buf_empty[];

struct tp_buf {
	char *s;
	size_t len;
	size_t alloc; /* bytes allocated, 0 while s == tp_buf_empty */
	size_t max;   /* cap on len */
	int err;      /* 0, TP_EINTERNAL (no memory) or TP_EUSAGE (cap hit) */
};

#define TP_BUF_INIT(cap)                                                       \
	{                                                                      \
		tp_buf_empty, 0, 0, (cap), 0                                   \
	}

/* Initialise an empty buffer that may hold up to max bytes. */
void tp_buf_init(struct tp_buf *b, size_t max);

/* Append n bytes (may contain NUL), a C string, one char, or printf
 * output. */
void tp_buf_add(struct tp_buf *b, const void *data, size_t n);
void tp_buf_adds(struct tp_buf *b, const char *str);
void tp_buf_addc(struct tp_buf *b, char c);
void tp_buf_addf(struct tp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append str percent-encoded for a URL path segment or query value: every
 * byte outside RFC 3986 unreserved (ALPHA DIGIT - . _ ~) becomes %XX
 * (upper-case hex). */
void tp_buf_add_urlenc(struct tp_buf *b, const char *str);

/* Append n bytes escaped for XML character data or attribute values
 * (& < > " ' become entities). */
void tp_buf_add_xmlesc(struct tp_buf *b, const char *data, size_t n);

/* Empty the content and clear err; keeps the allocation. */
void tp_buf_reset(struct tp_buf *b);

/* Return the content as a malloc'd NUL-terminated string owned by the
 * caller (an empty buffer gives a fresh ""), and reset b to empty. NULL
 * when b->err is set or allocation fails; b is released either way. */
char *tp_buf_detach(struct tp_buf *b);

/* Wipe and free the storage and reset to the empty state. b may be
 * NULL. */
void tp_buf_release(struct tp_buf *b);

/* Overwrite n bytes with zeros in a way the compiler keeps (for secrets).
 * p may be NULL. */
void tp_wipe(void *p, size_t n);

/* Wipe a NUL-terminated secret and free it; s may be NULL. */
void tp_free_secret(char *s);

/*
 * From now on, every block free() releases is overwritten (glibc's
 * M_PERTURB): the copies of secrets that libraries make and free without
 * wiping (libconfig's scanner, libcurl's header lists, OpenSSL) do not
 * outlive their use either. Called first thing by main(). 0, or -1 when
 * the C library cannot.
 */
int tp_wipe_freed_memory(void);

#endif
