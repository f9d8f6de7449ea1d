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
