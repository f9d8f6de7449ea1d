/*
 * ini.h: reader for AWS's shared config and credentials files
 * (~/.aws/config, ~/.aws/credentials), private to providers/aws/.
 *
 * The format, as the AWS SDKs read it:
 *   [section]            whitespace inside the brackets is trimmed and
 *                        inner runs collapse to one space ("profile x")
 *   key = value          also "key: value"; keys are case-insensitive
 *                        (stored lower-case); a later key replaces an
 *                        earlier one, a repeated section merges
 *   # or ; comment       full-line; also inline when preceded by
 *                        whitespace, after a value or a section header
 *   parent =             an empty value followed by indented "sub = v"
 *     sub = v            lines: stored as key "parent.sub" (the
 *                        [services NAME] sections use this)
 *   key = a              an indented line after a non-empty value
 *     b                  continues it ("a\nb")
 * Anything else is an error naming the file and line, never the line's
 * text (it may hold a key).
 *
 * Ownership: the parsed file is owned by the caller, freed (values wiped)
 * with tp_aws_ini_free(); strings returned by lookups are borrowed from it.
 */
#ifndef TLSRPT_AWS_INI_H
#define TLSRPT_AWS_INI_H

#include <stddef.h>

#define TP_AWS_INI_MAX (1024 * 1024) /* larger files are refused */

struct tp_aws_ini;

/* Parse len bytes of buf (need not be NUL-terminated); name is used in
 * messages. TP_ECONFIG on a syntax error, TP_EINTERNAL without memory. */
int tp_aws_ini_parse(struct tp_aws_ini **out, const char *buf, size_t len,
                     const char *name);

/* Read and parse a file. A file that does not exist gives 0 with *out
 * NULL (it is optional); one that cannot be read is TP_ECONFIG. */
int tp_aws_ini_load(struct tp_aws_ini **out, const char *path);

/* A value (key compared case-insensitively), or NULL; ini may be NULL. */
const char *tp_aws_ini_get(const struct tp_aws_ini *ini, const char *section,
                           const char *key);

/* 1 when the section appeared in the file (even empty); ini may be NULL. */
int tp_aws_ini_has_section(const struct tp_aws_ini *ini, const char *section);

void tp_aws_ini_free(struct tp_aws_ini *ini);

#endif
