/*
 * domain.h: domain names as users type them, normalised for DNS and APIs.
 */
#ifndef TLSRPT_DOMAIN_H
#define TLSRPT_DOMAIN_H

#include <stddef.h>

#include "tlsrpt/strv.h"

#define TP_DOMAIN_MAX 253 /* presentation length without the final dot */

/*
 * Normalise a user-supplied domain: U-labels to A-labels (IDNA2008 with
 * UTS #46 mapping, libidn2), lower case, one trailing dot removed. Rejects,
 * with TP_EUSAGE and a message naming the input and the problem, empty
 * names and labels, labels over 63 or names over 253 octets, characters
 * outside letters, digits, '-' and '_' (leading '_' labels are allowed,
 * as in _smtp._tls), leading or trailing '-', control characters, quotes,
 * spaces and anything else that could reach a request raw, and labels
 * that mix Latin, Greek and Cyrillic letters (homographs of other names,
 * which registries refuse). A single label is accepted. *out is malloc'd, owned by the caller.
 */
int tp_domain_normalize(char **out, const char *in);

/* "_smtp._tls." + domain (domain already normalised). *out owned by the
 * caller. TP_EUSAGE when domain already starts with "_smtp._tls." (the
 * owner name typed for the domain) or the owner would exceed 253 octets. */
int tp_domain_owner(char **out, const char *domain);

/* 1 when name equals zone or is below it (both normalised), else 0. */
int tp_domain_in_zone(const char *name, const char *zone);

/*
 * A domains list (--domains-file): one name per line, '#' starts a
 * comment, blank lines skipped, spaces around a name dropped; each name is
 * appended to out as written (tp_domain_normalize judges it later).
 * TP_EUSAGE "domains file 'NAME' line N ..." for a NUL byte, two words on
 * one line, or a line over 1024 bytes. name is for messages.
 */
int tp_domain_list_parse(struct tp_strv *out, const char *text, size_t len,
                         const char *name);

/* Read path ('-' is stdin; at most 64 MiB) with tp_domain_list_parse.
 * TP_EUSAGE when it cannot be read. */
int tp_domain_list_read(struct tp_strv *out, const char *path);

#endif
