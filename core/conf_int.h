/*
 * conf_int.h: the configuration as core/conf.c copies it out of libconfig,
 * read by the getters in core/conf_get.c. No libconfig type appears here:
 * its pointers never leave conf.c. Not a contract for other modules.
 */
#ifndef TLSRPT_CONF_INT_H
#define TLSRPT_CONF_INT_H

#include <stddef.h>

#include "tlsrpt/conf.h"

enum tp_conf_kind {
	TP_CONF_STR,
	TP_CONF_INT,
	TP_CONF_FLOAT,
	TP_CONF_BOOL,
	TP_CONF_LIST /* of strings; any other list is refused at load */
};

struct tp_conf_item {
	char *key;
	enum tp_conf_kind kind;
	char *str; /* every scalar as text ("300", "2.5", "true") */
	long long ival;
	double fval;
	struct tp_strv list;
	int line;
	const char *file; /* borrowed from tp_conf.files */
};

struct tp_conf_sec {
	char *name;
	int account;    /* from the accounts list (else a top-level group) */
	char *provider; /* accounts: their provider key */
	int line;
	const char *file;
	struct tp_conf_item *items;
	size_t n;
};

struct tp_conf {
	char *path;           /* the file read, NULL when none */
	struct tp_strv files; /* every file read (includes), for messages */
	struct tp_conf_sec *secs;
	size_t nsecs;
	struct tp_conf_domain *doms;
	size_t ndoms;
};

/* The file to read (conf.h's order); *out NULL when there is none;
 * *optional set when a missing file means an empty configuration. */
int tp_conf_find_path(char **out, const char *path, int *optional);

/* Refuse what libconfig would silently change (conf_text.c): a NUL byte
 * or a "\x00" escape. TP_ECONFIG "NAME:LINE: ...". */
int tp_conf_check_text(const char *text, size_t len, const char *name);

/* The file's bytes into out (initialised here, at most 1 MiB; release
 * with tp_buf_release). A missing optional file sets *absent. */
struct tp_buf;
int tp_conf_read_text(struct tp_buf *out, const char *path, int optional,
                      int *absent);

/* A warning (malloc'd) for the first secret in a file readable by group
 * or others, or NULL. */
char *tp_conf_perm_warning(const struct tp_conf *c);

/* 1 when a key names a secret: it ends in token, secret, key or password
 * (any case). */
int tp_conf_is_secret_key(const char *key);

/* The section named name (a top-level group or an account), or NULL. */
const struct tp_conf_sec *tp_conf_find_sec(const struct tp_conf *c,
                                           const char *name);

/* The item key of section, or NULL. */
const struct tp_conf_item *tp_conf_find_item(const struct tp_conf *c,
                                             const char *section,
                                             const char *key);

#endif
