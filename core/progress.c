/*
 * progress.c: the one-line progress text a terminal shows during a run
 * (cmd/ decides whether and where to draw it).
 */
#include <stdio.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/sink.h"

/* "42 s", "3:07", "1:02:03". */
static void
add_eta(struct tp_buf *b, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t < 60)
		tp_buf_addf(b, "%lu s", t);
	else if (t < 3600)
		tp_buf_addf(b, "%lu:%02lu", t / 60, t % 60);
	else
		tp_buf_addf(b, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60,
		            t % 60);
}

static void
add_count(struct tp_buf *b, int *first, size_t n, const char *what)
{
	if (n == 0)
		return;
	tp_buf_addf(b, "%s %zu %s", *first ? ":" : ",", n, what);
	*first = 0;
}

size_t
tp_progress_format(char *buf, size_t size, const struct tp_progress *p)
{
	struct tp_buf b = TP_BUF_INIT(1024);
	size_t n;
	int first = 1;

	tp_buf_addf(&b, "%zu/%zu done", p->done, p->total);
	add_count(&b, &first, p->created,
	          p->planning ? "to create" : "created");
	add_count(&b, &first, p->updated,
	          p->planning ? "to update" : "updated");
	add_count(&b, &first, p->removed,
	          p->planning ? "to remove" : "removed");
	add_count(&b, &first, p->unchanged, "unchanged");
	add_count(&b, &first, p->failed, "failed");
	if (p->confirming > 0)
		tp_buf_addf(&b, "; %zu confirming", p->confirming);
	if (p->rate > 0)
		tp_buf_addf(&b, "; %.1f req/s", p->rate);
	if (p->eta >= 0 && p->done < p->total) {
		tp_buf_adds(&b, "; ETA ");
		add_eta(&b, p->eta);
	}
	n = 0;
	if (size > 0) {
		n = b.len < size ? b.len : size - 1;
		if (b.s != NULL)
			(void)snprintf(buf, n + 1, "%s", b.s);
		else
			buf[0] = '\0';
	}
	tp_buf_release(&b);
	return n;
}
