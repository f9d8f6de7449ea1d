/*
 * sink.c: serialised delivery of results, progress and log lines to the
 * sink that cmd/ supplies.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "tlsrpt/sink.h"

/* One lock for every sink: output is rare next to network waits, and one
 * lock keeps lines from different workers from interleaving. */
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;

void
tp_sink_result(const struct tp_sink *s, const struct tp_result *r)
{
	if (s == NULL || s->result == NULL)
		return;
	pthread_mutex_lock(&sink_lock);
	s->result(s->ctx, r);
	pthread_mutex_unlock(&sink_lock);
}

void
tp_sink_progress(const struct tp_sink *s, const struct tp_progress *p)
{
	if (s == NULL || s->progress == NULL)
		return;
	pthread_mutex_lock(&sink_lock);
	s->progress(s->ctx, p);
	pthread_mutex_unlock(&sink_lock);
}

void
tp_sink_log(const struct tp_sink *s, enum tp_log_level level, const char *fmt,
            ...)
{
	char line[2048];
	va_list ap;

	if (s == NULL || s->log == NULL || level > s->level)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&sink_lock);
	s->log(s->ctx, level, line);
	pthread_mutex_unlock(&sink_lock);
}
