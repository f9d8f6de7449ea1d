/*
 * txt.h: TXT record values: character-strings, splitting, and the
 * zone-file presentation form ("a" "b", \" \\ \DDD).
 *
 * A TXT RR's RDATA is one or more character-strings of at most 255 bytes.
 * RFC 8460 §3 (after RFC 7208 §3.3) reads a value as those strings
 * concatenated with nothing added, so throughout the project a "value" is
 * the decoded, concatenated octets; struct tp_txt also remembers how the
 * strings were split when that is known (DNS answers), because two RRs
 * that differ only in their split are still two records to a sender.
 *
 * Ownership: struct tp_txt owns data and strlens; struct tp_txtset owns
 * its elements. Release with tp_txt_release / tp_txtset_release.
 */
#ifndef TLSRPT_TXT_H
#define TLSRPT_TXT_H

#include <stddef.h>

#include "tlsrpt/strv.h"

#define TP_TXT_STRING_MAX 255

struct tp_txt {
	char *data;      /* concatenated value, NUL-terminated; may hold NULs */
	size_t len;      /* bytes in data, without the terminator */
	size_t nstrings; /* character-strings in the RR; 0 when unknown */
	size_t *strlens; /* length of each string; NULL when unknown */
};

struct tp_txtset {
	struct tp_txt *v;
	size_t n;
	size_t alloc;
};

#define TP_TXTSET_INIT                                                         \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Append a value (copied) with an unknown split. */
int tp_txtset_add(struct tp_txtset *set, const char *data, size_t len);

/* Append an RR given as its character-strings (copied, in order). */
int tp_txtset_add_strings(struct tp_txtset *set, const char *const *strs,
                          const size_t *lens, size_t n);

/*
 * A value as text for output (JSON must be UTF-8, a terminal shows no
 * NUL): data[0..len) with every NUL byte and every byte that is not part
 * of valid UTF-8 replaced by U+FFFD. Display only, never for a verdict.
 * Returns a new string (the caller frees it), or NULL when out of memory.
 */
char *tp_txt_display(const char *data, size_t len);

/* Free every element and the array; set may be NULL. */
void tp_txtset_release(struct tp_txtset *set);
void tp_txt_release(struct tp_txt *t);

/* Split a value into character-strings of at most 255 bytes, in order,
 * cutting only on length (a split never stands for a separator). An empty
 * value gives one empty string. out is appended to. */
int tp_txt_split(struct tp_strv *out, const char *data, size_t len);

/*
 * Encode a value in zone-file presentation form: each character-string in
 * double quotes, separated by one space; '"' and '\' escaped with a
 * backslash, bytes outside 0x20-0x7E as \DDD. *out is a malloc'd string
 * owned by the caller.
 */
int tp_txt_to_presentation(char **out, const char *data, size_t len);

/*
 * Decode the presentation form (as printed by dig or a zone file, or as a
 * provider stores it): quoted strings with \" \\ \DDD and any \X, separated
 * by whitespace; an unquoted word is one string. Returns TP_EUSAGE with a
 * message naming the offset on malformed input (unterminated quote, bad
 * \DDD, a string over 255 bytes). out is initialised by this call.
 */
int tp_txt_from_presentation(struct tp_txt *out, const char *s, size_t len);

#endif
