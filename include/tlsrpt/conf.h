/*
 * conf.h: the configuration file (libconfig syntax; libconfig stays in
 * core/conf.c and its pointers never leave it).
 *
 * Found as: --config FILE, else $TLSRPT_PUBLISH_CONFIG, else
 * $XDG_CONFIG_HOME/tlsrpt-publish/config (default ~/.config/...), else
 * none (an empty configuration). An explicitly named file that is missing
 * is an error; the default one is optional.
 *
 * Layout (config.example documents every setting):
 *
 *	defaults = { provider = "cloudflare"; rua = ["mailto:..."];
 *	             ttl = 3600; timeout = 300; interval = 5; ... };
 *	cloudflare = { api_token_file = "/run/secrets/cf"; };   # per provider
 *	accounts = ( { name = "cf-eu"; provider = "cloudflare"; ... } );
 *	domains = ( "example.com",
 *	            { name = "example.org"; provider = "route53";
 *	              account = "aws-prod"; rua = [...]; ttl = 300;
 *	              zone_id = "Z123"; } );
 *
 * Checked at load time, each error as "FILE:LINE: what; what to do":
 * syntax; top-level settings other than the groups above; values that
 * are groups or lists of non-strings inside a section; accounts without
 * a unique name or a provider, or named like a section; domain entries
 * with an unknown key, a wrong type, a duplicate name, or an account the
 * accounts list does not define (or whose provider differs). Setting
 * names inside defaults and provider sections are not checked here (the
 * provider framework knows them): see tp_conf_check_keys.
 *
 * @include "FILE" works (relative to the including file's directory).
 *
 * Ownership: struct tp_conf owns copies of everything read; strings
 * returned by the getters are borrowed from it. tp_conf_free() wipes
 * secret-looking values before freeing.
 */
#ifndef TLSRPT_CONF_H
#define TLSRPT_CONF_H

#include <stddef.h>

#include "tlsrpt/strv.h"

struct tp_conf;

/* One entry of the domains list; absent fields are NULL / 0 / empty. */
struct tp_conf_domain {
	char *name;
	char *provider;
	char *account;
	struct tp_strv rua;
	long ttl;
	char *zone_id;
	int line; /* in the config file, for messages */
};

/*
 * Load the configuration. path: --config, or NULL to search as above.
 * Syntax errors give TP_ECONFIG with "FILE:LINE: what". When the file
 * holds a secret (a key ending in token, secret, key or password) and is
 * readable by group or others, *warning is set to a malloc'd message
 * (owned by the caller) else NULL. *out: owned, free with tp_conf_free.
 */
int tp_conf_load(struct tp_conf **out, const char *path, char **warning);

/*
 * Load a configuration from len bytes of text (which may hold any
 * bytes), checked like a file; name stands for the file in messages and
 * for @include. No permission check. *out as tp_conf_load.
 */
int tp_conf_load_mem(struct tp_conf **out, const char *text, size_t len,
                     const char *name);

/* An empty configuration (no file). */
int tp_conf_empty(struct tp_conf **out);

/* The file read, or NULL when none. Borrowed. */
const char *tp_conf_path(const struct tp_conf *c);

/*
 * A scalar setting of a section ("defaults", a provider name or an
 * account name; accounts are looked up by their name) as a string:
 * numbers and booleans are converted. NULL when absent. *line (may be
 * NULL) gets its line number for messages.
 */
const char *tp_conf_get(const struct tp_conf *c, const char *section,
                        const char *key, int *line);

/* A string setting (in quotes in the file): 0 and *out set (borrowed), 1
 * when absent, TP_ECONFIG "FILE:LINE: 'KEY' must be a string (in quotes)"
 * for a number, a boolean or a list. */
int tp_conf_get_string(const struct tp_conf *c, const char *section,
                       const char *key, const char **out);

/* An integer setting: 0 and *out set, 1 when absent, TP_ECONFIG with
 * "FILE:LINE: 'KEY' must be a whole number" when of the wrong type. */
int tp_conf_get_long(const struct tp_conf *c, const char *section,
                     const char *key, long *out);

/* A number (integer or float), like tp_conf_get_long. */
int tp_conf_get_double(const struct tp_conf *c, const char *section,
                       const char *key, double *out);

/* A list of strings (a single string counts as a list of one): appends
 * to *out; 1 when absent; TP_ECONFIG on a wrong type. */
int tp_conf_get_list(const struct tp_conf *c, const char *section,
                     const char *key, struct tp_strv *out);

/*
 * A single value as a string, like tp_conf_get, but telling a list apart
 * from an absent key: 0 and *out set (borrowed), 1 when absent, or
 * TP_ECONFIG "FILE:LINE: 'KEY' must be a single value, not a list".
 * *line (may be NULL) gets the line.
 */
int tp_conf_get_value(const struct tp_conf *c, const char *section,
                      const char *key, const char **out, int *line);

/*
 * "FILE:LINE" of a key (or of the section itself when key is NULL), for
 * messages: borrowed until the next call on this thread; "" when absent.
 */
const char *tp_conf_where(const struct tp_conf *c, const char *section,
                          const char *key);

/*
 * Check that every key of section is one of known[0..n-1]:
 * TP_ECONFIG "FILE:LINE: unknown setting 'KEY' in 'SECTION'; known: ..."
 * for the first that is not. 0 when all are known or section is absent.
 */
int tp_conf_check_keys(const struct tp_conf *c, const char *section,
                       const char *const *known, size_t n);

/* Provider sections (top-level groups other than defaults), in file
 * order, so the caller can check the names against the registry. The
 * name is borrowed; *line (may be NULL) gets its line. */
size_t tp_conf_nsections(const struct tp_conf *c);
const char *tp_conf_section(const struct tp_conf *c, size_t i, int *line);

/* The named accounts, in file order. Borrowed. */
size_t tp_conf_naccounts(const struct tp_conf *c);
const char *tp_conf_account(const struct tp_conf *c, size_t i, int *line);

/* 1 when a section of that name exists (provider section or account). */
int tp_conf_has_section(const struct tp_conf *c, const char *section);

/* The provider an account section names (its "provider" key), or NULL. */
const char *tp_conf_account_provider(const struct tp_conf *c,
                                     const char *account);

/* The domains list. Borrowed. */
size_t tp_conf_ndomains(const struct tp_conf *c);
const struct tp_conf_domain *tp_conf_domain(const struct tp_conf *c, size_t i);

/* c may be NULL. */
void tp_conf_free(struct tp_conf *c);

#endif
