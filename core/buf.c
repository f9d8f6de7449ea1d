/*
 * buf.c: growable, capped string buffer with a sticky error.
 *
 * Every block a buffer leaves behind (growing, released) is wiped first:
 * buffers carry tokens, signatures and files of secrets, and marking the
 * ones that do would be one more thing to get wrong. The cost is a copy
 * and a memset per doubling, nothing next to a network round trip.
 */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

char tp_buf_empty[1];

void
tp_buf_init(struct tp_buf *b, size_t max)
{
	b->s = tp_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
	b->err = 0;
}

/* Make room for n more bytes plus the NUL; 0 or sets the sticky error. */
static int
buf_grow(struct tp_buf *b, size_t n)
{
	size_t need, nalloc;
	char *p;

	if (b->err)
		return -1;
	if (n > b->max || b->len > b->max - n) {
		b->err = TP_EUSAGE;
		return -1;
	}
	need = b->len + n + 1;
	if (need <= b->alloc)
		return 0;
	nalloc = b->alloc ? b->alloc : 64;
	while (nalloc < need)
		nalloc = nalloc > ((size_t)-1) / 2 ? need : nalloc * 2;
	/* Not realloc: the block a buffer grows out of is wiped, as it may
	 * hold part of a secret. */
	p = malloc(nalloc);
	if (p == NULL) {
		b->err = TP_EINTERNAL;
		return -1;
	}
	if (b->alloc == 0) {
		p[0] = '\0';
	} else {
		memcpy(p, b->s, b->len + 1);
		tp_wipe(b->s, b->alloc);
		free(b->s);
	}
	b->s = p;
	b->alloc = nalloc;
	return 0;
}

void
tp_buf_add(struct tp_buf *b, const void *data, size_t n)
{
	if (buf_grow(b, n) != 0)
		return;
	if (n > 0)
		memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
tp_buf_adds(struct tp_buf *b, const char *str)
{
	tp_buf_add(b, str, strlen(str));
}

void
tp_buf_addc(struct tp_buf *b, char c)
{
	tp_buf_add(b, &c, 1);
}

void
tp_buf_addf(struct tp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = TP_EINTERNAL;
		return;
	}
	if (buf_grow(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
tp_buf_add_urlenc(struct tp_buf *b, const char *str)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char enc[3];

	for (p = (const unsigned char *)str; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			tp_buf_addc(b, (char)*p);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[*p >> 4];
		enc[2] = hex[*p & 0x0f];
		tp_buf_add(b, enc, 3);
	}
}

void
tp_buf_add_xmlesc(struct tp_buf *b, const char *data, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (data[i]) {
		case '&':
			tp_buf_adds(b, "&amp;");
			break;
		case '<':
			tp_buf_adds(b, "&lt;");
			break;
		case '>':
			tp_buf_adds(b, "&gt;");
			break;
		case '"':
			tp_buf_adds(b, "&quot;");
			break;
		case '\'':
			tp_buf_adds(b, "&apos;");
			break;
		default:
			tp_buf_addc(b, data[i]);
		}
	}
}

void
tp_buf_reset(struct tp_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->alloc)
		b->s[0] = '\0';
}

char *
tp_buf_detach(struct tp_buf *b)
{
	char *s;

	if (b->err) {
		tp_buf_release(b);
		return NULL;
	}
	if (b->alloc == 0)
		s = strdup("");
	else
		s = b->s;
	tp_buf_init(b, b->max);
	return s;
}

void
tp_buf_release(struct tp_buf *b)
{
	if (b == NULL)
		return;
	if (b->alloc) {
		tp_wipe(b->s, b->alloc);
		free(b->s);
	}
	tp_buf_init(b, b->max);
}

void
tp_wipe(void *p, size_t n)
{
	/* A volatile function pointer keeps the compiler from proving the
	 * stores dead and removing them (explicit_bzero is not in C11). */
	static void *(*volatile memset_v)(void *, int, size_t) = memset;

	if (p != NULL)
		memset_v(p, 0, n);
}

int
tp_wipe_freed_memory(void)
{
	/* glibc: free() fills what it releases with this byte (and malloc
	 * fills new blocks with its complement). */
	return mallopt(M_PERTURB, 0x5a) == 1 ? 0 : -1;
}

void
tp_free_secret(char *s)
{
	if (s == NULL)
		return;
	tp_wipe(s, strlen(s));
	free(s);
}
