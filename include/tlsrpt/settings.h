/*
 * settings.h: resolving the settings a provider declares
 * (struct tp_setting_def) for one account, generically: command-line flag
 * > environment variable > config file > built-in default. Secrets come
 * only from the environment or the config file, directly or through a
 * file (KEY_file in the config, ENV_FILE in the environment: for
 * container secrets); a secret read from a file loses one trailing
 * newline.
 *
 * Named accounts: when section is an account (accounts list of the
 * config), what the account itself sets wins over the environment, since
 * one run may use several accounts of one provider and a stray
 * CLOUDFLARE_API_TOKEN must not replace all of them; settings the
 * account leaves out fall back to the environment, then to the
 * provider's own section. So: flag > account > environment > provider
 * section > default.
 *
 * Refused: a flag for a secret (TP_EUSAGE), a flag string naming no
 * setting (TP_EUSAGE), both KEY and KEY_file in one section or both ENV
 * and ENV_FILE set (TP_ECONFIG), a secret file that cannot be read, is
 * empty, or holds a line break or control byte after its last newline is
 * dropped (TP_ECONFIG), an account of another provider (TP_ECONFIG).
 * Empty environment variables count as unset.
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

/*
 * The HTTP options every provider shares, from the defaults section of
 * the config: cacert is cacert_flag (--cacert) > $CURL_CA_BUNDLE >
 * defaults.cacert > unset (the system's CAs), checked to be readable;
 * timeout_ms from http_timeout and connect_timeout_ms from
 * http_connect_timeout (seconds, numbers in (0, 3600]), max_retries from
 * http_retries (a whole number, 0 to 20), backoff_base from http_backoff
 * (seconds, (0, 60]). Only those fields of *o are
 * touched; strings are borrowed from conf, the environment or the flag.
 * TP_ECONFIG naming the setting and where it came from. The whole defaults
 * section is checked first: an unknown key or a value of the wrong type
 * (a quoted number, a list where one value goes) is TP_ECONFIG
 * "FILE:LINE: ...".
 */
int tp_settings_http(struct tp_http_opts *o, const struct tp_conf *conf,
                     const char *cacert_flag);

#endif
