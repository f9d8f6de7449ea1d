/*
 * httpsd.h: start and stop tests/harness/httpsd.py (a scripted HTTPS
 * server with a test CA) from a cmocka test, and a sink that captures log
 * lines. Header-only: each test program that needs it includes it once.
 *
 * The server runs as a child process of the test; it exits when its stdin
 * (a pipe held by the test) closes, so it never outlives the test even if
 * the test crashes.
 */
#ifndef TLSRPT_TEST_HTTPSD_H
#define TLSRPT_TEST_HTTPSD_H

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/sink.h"

struct httpsd {
	pid_t pid;
	int in; /* write end of the server's stdin */
	int port;
	int plain_port;
	char dir[256];
	char ca[300];
	char other_ca[300];
};

static inline double
httpsd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start the server; 0 or -1 (with a message on stderr). */
static inline int
httpsd_start(struct httpsd *s)
{
	const char *py = getenv("PYTHON"), *script = getenv("TP_HTTPSD");
	int in[2], out[2];
	char line[64];
	struct pollfd p;
	ssize_t n;
	size_t got = 0;

	memset(s, 0, sizeof(*s));
	if (py == NULL || py[0] == '\0')
		py = "/usr/bin/python3";
	if (script == NULL)
		script = "tests/harness/httpsd.py";
	(void)snprintf(s->dir, sizeof(s->dir), "/tmp/tp-httpsd-XXXXXX");
	if (mkdtemp(s->dir) == NULL || pipe(in) != 0 || pipe(out) != 0)
		return -1;
	(void)snprintf(s->ca, sizeof(s->ca), "%s/ca.pem", s->dir);
	(void)snprintf(s->other_ca, sizeof(s->other_ca), "%s/other-ca.pem",
	               s->dir);
	s->pid = fork();
	if (s->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(py, py, script, "--dir", s->dir, "--plain", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->in = in[1];
	/* Making the CA takes a moment; 30 s is far beyond it. */
	p.fd = out[0];
	p.events = POLLIN;
	while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL) {
		if (poll(&p, 1, 30000) <= 0)
			break;
		n = read(out[0], line + got, sizeof(line) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(out[0]);
	line[got] = '\0';
	if (sscanf(line, "%d %d", &s->port, &s->plain_port) != 2) {
		fprintf(stderr, "httpsd: did not start (%s %s)\n", py, script);
		return -1;
	}
	return 0;
}

/* The CA directory is flat: remove its files, then it. */
static inline void
httpsd_rm(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		(void)unlink(path);
	}
	closedir(d);
	(void)rmdir(dir);
}

static inline void
httpsd_stop(struct httpsd *s)
{
	int i, status;

	if (s->pid <= 0)
		return;
	close(s->in);
	for (i = 0; i < 100; i++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			break;
		usleep(50000);
	}
	if (i == 100) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &status, 0);
	}
	s->pid = 0;
	httpsd_rm(s->dir);
}

/* A sink that keeps every log line, one per line. */
struct capture {
	struct tp_buf text;
	struct tp_sink sink;
};

static inline void
capture_log(void *ctx, enum tp_log_level level, const char *line)
{
	struct capture *c = ctx;

	(void)level;
	tp_buf_adds(&c->text, line);
	tp_buf_addc(&c->text, '\n');
}

static inline void
capture_init(struct capture *c, enum tp_log_level level)
{
	memset(c, 0, sizeof(*c));
	tp_buf_init(&c->text, 1 << 22);
	c->sink.ctx = c;
	c->sink.log = capture_log;
	c->sink.level = level;
}

#endif
