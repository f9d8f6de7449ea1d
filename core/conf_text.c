/*
 * conf_text.c: the configuration file's bytes, before libconfig sees them.
 *
 * libconfig reads strings as C strings: a NUL byte in the file cuts the
 * string there and a "\x00" escape is dropped, both silently, so a domain
 * written "example.com<NUL>evil.example" would be read as "example.com",
 * and "a\x00b" as "ab". Neither is what the file says, so both are
 * refused here with their line, before anything is parsed.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#define CONF_MAX (1024 * 1024)

static int
line_of(const char *text, const char *at)
{
	int line = 1;

	for (; text < at; text++)
		line += *text == '\n';
	return line;
}

int
tp_conf_check_text(const char *text, size_t len, const char *name)
{
	const char *p, *nul;
	size_t bs = 0, i;

	if ((nul = memchr(text, '\0', len)) != NULL)
		return tp_err_set(TP_ECONFIG,
		                  "%s:%d: a NUL byte: a configuration file is "
		                  "text; remove it",
		                  name, line_of(text, nul));
	for (i = 0; i < len; i++) {
		p = text + i;
		if (*p == '\\') {
			bs++;
			continue;
		}
		if (bs % 2 == 1 && *p == 'x' && len - i > 2 && p[1] == '0' &&
		    p[2] == '0')
			return tp_err_set(
			    TP_ECONFIG,
			    "%s:%d: '\\x00' (a NUL byte) cannot be "
			    "part of a value: remove it",
			    name, line_of(text, p));
		bs = 0;
	}
	return 0;
}

int
tp_conf_read_text(struct tp_buf *out, const char *path, int optional,
                  int *absent)
{
	char chunk[4096];
	struct stat st;
	ssize_t n;
	int fd;

	*absent = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && optional && (errno == ENOENT || errno == ENOTDIR)) {
		*absent = 1;
		return 0;
	}
	if (fd < 0)
		return tp_err_set(TP_ECONFIG, "config: cannot read '%s': %s",
		                  path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tp_err_set(TP_ECONFIG,
		                  "config: '%s' is not a regular file", path);
	}
	tp_buf_init(out, CONF_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		tp_buf_add(out, chunk, (size_t)n);
	tp_wipe(chunk, sizeof(chunk));
	close(fd);
	if (n < 0 || out->err) {
		tp_buf_release(out);
		return tp_err_set(TP_ECONFIG,
		                  "config: '%s' cannot be read or is larger "
		                  "than %d bytes",
		                  path, CONF_MAX);
	}
	return 0;
}
