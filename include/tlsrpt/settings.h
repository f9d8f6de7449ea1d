/*
 * settings.h: resolving the settings a provider declares
 * (struct tp_setting_def) for one account, generically: command-line flag
 * > environment variable > config file > built-in default. Secrets come
 * only from the environment or the config file, directly or through a
 * file (KEY_file in the config, ENV_FILE in the environment: for
 * container secrets); a secret read from a file loses one trailing
 * newline.
 */
#ifndef TLSRPT_SETTINGS_H
#define TLSRPT_SETTINGS_H

#include "tlsrpt/conf.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/strv.h"

/*
 * Resolve p's settings. section: the config section to read (the
 * provider's name, or a named account); flags: "key=value" strings from
 * the provider's command-line flags (may be NULL). A required setting
 * that is missing gives TP_ECONFIG naming the environment variable and
 * config key to set, and p->permissions. *out owned by the caller.
 */
int tp_settings_resolve(struct tp_settings **out, const struct tp_provider *p,
                        const struct tp_conf *conf, const char *section,
                        const struct tp_strv *flags);

/* Free s, wiping secret values; s may be NULL. */
void tp_settings_free(struct tp_settings *s);

#endif
