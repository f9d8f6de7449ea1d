/*
 * conf_find.c: where the configuration file is (--config,
 * $TLSRPT_PUBLISH_CONFIG, the XDG default) and whether a secret in it is
 * exposed to other users. No libconfig here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#define PATH_CAP 4096

/* --config, $TLSRPT_PUBLISH_CONFIG, then the XDG default (optional). */
int
tp_conf_find_path(char **out, const char *path, int *optional)
{
	struct tp_buf b = TP_BUF_INIT(PATH_CAP);
	const char *env, *home;

	*out = NULL;
	*optional = 0;
	if (path == NULL && (env = getenv("TLSRPT_PUBLISH_CONFIG")) != NULL &&
	    env[0] != '\0')
		path = env;
	if (path != NULL) {
		if (path[0] == '\0')
			return tp_err_set(TP_EUSAGE,
			                  "config: empty file name given");
		return (*out = strdup(path)) == NULL
		    ? tp_err_set(TP_EINTERNAL, "config: out of memory")
		    : 0;
	}
	*optional = 1;
	env = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	/* The XDG spec ignores a relative XDG_CONFIG_HOME. */
	if (env != NULL && env[0] == '/')
		tp_buf_addf(&b, "%s/tlsrpt-publish/config", env);
	else if (home != NULL && home[0] != '\0')
		tp_buf_addf(&b, "%s/.config/tlsrpt-publish/config", home);
	else
		return 0;
	if (b.err)
		return tp_err_set(
		    TP_ECONFIG, "config: the default file's path is too long");
	*out = tp_buf_detach(&b);
	return *out == NULL ? tp_err_set(TP_EINTERNAL, "config: out of memory")
	                    : 0;
}

/* The first secret held in a file readable by group or others. */
char *
tp_conf_perm_warning(const struct tp_conf *c)
{
	const struct tp_conf_item *it;
	struct tp_buf b = TP_BUF_INIT(PATH_CAP * 2);
	struct stat st;
	size_t i, k;

	for (i = 0; i < c->nsecs; i++) {
		for (k = 0; k < c->secs[i].n; k++) {
			it = &c->secs[i].items[k];
			if (!tp_conf_is_secret_key(it->key) ||
			    stat(it->file, &st) != 0 ||
			    (st.st_mode & (S_IRGRP | S_IROTH)) == 0)
				continue;
			tp_buf_addf(&b,
			            "config: %s:%d: '%s' is a secret, and the "
			            "file is readable by group or others: run "
			            "chmod 600 '%s' (or move the secret to a "
			            "%s_file)",
			            it->file, it->line, it->key, it->file,
			            it->key);
			return tp_buf_detach(&b);
		}
	}
	return NULL;
}
