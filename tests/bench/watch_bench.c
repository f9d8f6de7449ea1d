/*
 * watch_bench.c: drives the propagation watcher (watch.h) the way the
 * publish stage does, for `make bench` (scripts/bench/watch.sh): domains
 * are read from stdin, one per line, all expecting the same value; each
 * verdict is printed as a JSON line, then the counters, CPU time and peak
 * memory of this process.
 *
 * usage: watch_bench --value V [--nameserver ADDR[:PORT]]... [--interval S]
 *        [--max-interval S] [--timeout S] [--inflight N] < domains
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>

#include "tlsrpt/err.h"
#include "tlsrpt/watch.h"

struct bench {
	size_t confirmed, timeout, failed;
	double last_wall;
};

static double
wall(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void
done(void *ctx, void *user, struct tp_confirm *c, int rc)
{
	struct bench *b = ctx;
	char *domain = user;
	double now = wall();

	if (rc != 0)
		b->failed++;
	else if (c->status == TP_CONFIRM_CONFIRMED)
		b->confirmed++;
	else
		b->timeout++;
	if (now > b->last_wall)
		b->last_wall = now;
	printf("{\"domain\":\"%s\",\"status\":\"%s\",\"seconds\":%.3f,"
	       "\"wall\":%.3f,\"servers\":%zu}\n",
	       domain, rc ? "failed" : tp_confirm_status_name(c->status),
	       c->seconds, now, c->nservers);
	free(domain);
}

/* Peak resident memory of this process image, in kB (VmHWM: unlike
 * ru_maxrss it does not carry the parent's peak across fork and exec). */
static long
peak_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double
num(const char *s)
{
	return strtod(s, NULL);
}

int
main(int argc, char **argv)
{
	struct tp_strv ns = TP_STRV_INIT, names = TP_STRV_INIT;
	struct tp_watch_opts o;
	struct tp_watch_req req;
	struct tp_watch *w;
	struct bench b = {0};
	struct rusage ru;
	unsigned long q, a;
	const char *value = NULL;
	double timeout = 120, t0;
	char line[512];
	size_t i, n;
	int k;

	memset(&o, 0, sizeof(o));
	for (k = 1; k + 1 < argc; k += 2) {
		if (strcmp(argv[k], "--nameserver") == 0)
			tp_strv_add(&ns, argv[k + 1]);
		else if (strcmp(argv[k], "--interval") == 0)
			o.interval = num(argv[k + 1]);
		else if (strcmp(argv[k], "--max-interval") == 0)
			o.max_interval = num(argv[k + 1]);
		else if (strcmp(argv[k], "--timeout") == 0)
			timeout = num(argv[k + 1]);
		else if (strcmp(argv[k], "--inflight") == 0)
			o.inflight_per_server = (unsigned)num(argv[k + 1]);
		else if (strcmp(argv[k], "--value") == 0)
			value = argv[k + 1];
	}
	if (value == NULL) {
		fprintf(stderr, "watch_bench: --value is required\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n > 0)
			tp_strv_add(&names, line);
	}
	o.nameservers = &ns;
	if (tp_watch_new(&w, &o, done, &b) != 0) {
		fprintf(stderr, "watch_bench: %s\n", tp_err_msg());
		return 2;
	}
	t0 = wall();
	for (i = 0; i < names.n; i++) {
		memset(&req, 0, sizeof(req));
		req.domain = names.v[i];
		req.expect = TP_WATCH_VALUE;
		req.value = value;
		req.timeout = timeout;
		req.old_ttl = -1;
		req.user = strdup(names.v[i]);
		if (tp_watch_add(w, &req) != 0) {
			fprintf(stderr, "watch_bench: %s\n", tp_err_msg());
			return 2;
		}
	}
	tp_watch_close(w);
	if (tp_watch_run(w) != 0)
		fprintf(stderr, "watch_bench: %s\n", tp_err_msg());
	tp_watch_stats(w, &q, &a);
	getrusage(RUSAGE_SELF, &ru);
	printf(
	    "{\"type\":\"stats\",\"domains\":%zu,\"servers\":%zu,"
	    "\"confirmed\":%zu,\"timeout\":%zu,\"failed\":%zu,"
	    "\"queries\":%lu,\"answers\":%lu,\"start\":%.3f,"
	    "\"last_verdict\":%.3f,\"cpu_user\":%.3f,\"cpu_sys\":%.3f,"
	    "\"peak_kb\":%ld}\n",
	    names.n, ns.n, b.confirmed, b.timeout, b.failed, q, a, t0,
	    b.last_wall, (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, peak_kb());
	tp_watch_free(w);
	tp_strv_release(&ns);
	tp_strv_release(&names);
	return b.confirmed == names.n ? 0 : 3;
}
