/*
 * domain.c: domain names as users type them, normalised for DNS queries
 * and provider APIs. Internationalised names go through libidn2 (IDNA2008
 * with the UTS #46 non-transitional mapping, as browsers and Postfix do);
 * the result is then held to the LDH rules plus '_' (for labels such as
 * _smtp and _tls), so nothing odd ever reaches a request. A label mixing
 * Latin, Greek and Cyrillic letters (a homograph) is refused.
 */
#include <idn2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/domain.h"
#include "tlsrpt/err.h"
#include "uri.h"

#define LABEL_MAX 63

/* The first byte a domain may never contain, in any script. */
static int
check_bytes(const char *in)
{
	const unsigned char *p;
	char q[80], nb[16];

	for (p = (const unsigned char *)in; *p != '\0'; p++) {
		if (*p >= 0x80 || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.')
			continue;
		return tp_err_set(TP_EUSAGE,
		                  "domain: '%s' contains %s: a domain name is "
		                  "letters, digits, '-', '_' and dots",
		                  tp_uri_quote(q, sizeof(q), in, strlen(in)),
		                  tp_uri_char_name(nb, *p));
	}
	return 0;
}

/* LDH-plus-underscore rules on the ASCII form (lower-cased in place). */
static int
check_ascii(char *name, const char *in)
{
	size_t len = strlen(name), i, start = 0, digits_only = 1, labels = 0;
	char q[80], nb[16];

	tp_uri_quote(q, sizeof(q), in, strlen(in));
	if (len > TP_DOMAIN_MAX)
		return tp_err_set(TP_EUSAGE,
		                  "domain: '%s' is %zu octets long; a domain "
		                  "name has at most 253",
		                  q, len);
	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '.') {
			if (name[i] >= 'A' && name[i] <= 'Z')
				name[i] = (char)(name[i] - 'A' + 'a');
			if (name[i] < '0' || name[i] > '9')
				digits_only = 0;
			if (name[i] != '-' && name[i] != '_' &&
			    !(name[i] >= 'a' && name[i] <= 'z') &&
			    !(name[i] >= '0' && name[i] <= '9'))
				return tp_err_set(
				    TP_EUSAGE,
				    "domain: '%s' maps to %s, which a domain "
				    "name cannot contain",
				    q,
				    tp_uri_char_name(nb,
				                     (unsigned char)name[i]));
			continue;
		}
		if (i == start)
			return tp_err_set(
			    TP_EUSAGE,
			    "domain: '%s' has an empty label (two "
			    "dots in a row, or a leading dot)",
			    q);
		if (i - start > LABEL_MAX)
			return tp_err_set(
			    TP_EUSAGE,
			    "domain: '%s' has a label of %zu octets; "
			    "a label has at most 63",
			    q, i - start);
		if (name[start] == '-' || name[i - 1] == '-')
			return tp_err_set(
			    TP_EUSAGE,
			    "domain: '%s' has a label that starts or "
			    "ends with '-'",
			    q);
		labels++;
		start = i + 1;
	}
	if (digits_only && labels == 4)
		return tp_err_set(TP_EUSAGE,
		                  "domain: '%s' is an IPv4 address, not a "
		                  "domain name",
		                  q);
	return 0;
}

/* Bytes of a label separator at p: '.', or the full stops UTS #46 maps
 * to it (U+3002, U+FF0E, U+FF61); 0 for anything else. */
static size_t
dot_len(const char *p)
{
	if (*p == '.')
		return 1;
	if (strncmp(p, "\xe3\x80\x82", 3) == 0 ||
	    strncmp(p, "\xef\xbc\x8e", 3) == 0 ||
	    strncmp(p, "\xef\xbd\xa1", 3) == 0)
		return 3;
	return 0;
}

/* The homograph scripts of UTS #39: letters of Latin, Greek and Cyrillic
 * look alike ("pаypal" with a Cyrillic 'а'). 0 for anything else. */
enum script { OTHER, LATIN, GREEK, CYRILLIC };

static enum script
script_of(uint32_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 0xdf && c <= 0x24f && c != 0xf7) ||
	    (c >= 0x1e00 && c <= 0x1eff) || (c >= 0x2c60 && c <= 0x2c7f) ||
	    (c >= 0xa720 && c <= 0xa7ff) || (c >= 0xab30 && c <= 0xab6f))
		return LATIN;
	if ((c >= 0x370 && c <= 0x3ff) || (c >= 0x1f00 && c <= 0x1fff))
		return GREEK;
	if ((c >= 0x400 && c <= 0x52f) || (c >= 0x1c80 && c <= 0x1c8f) ||
	    (c >= 0x2de0 && c <= 0x2dff) || (c >= 0xa640 && c <= 0xa69f))
		return CYRILLIC;
	return OTHER;
}

/*
 * IDNA2008 accepts a label that mixes scripts; most registries do not,
 * and a label that mixes Latin, Greek or Cyrillic letters is the classic
 * homograph of another name. Refused, naming the scripts. alabel is the
 * label's "xn--" form (decoded by libidn2).
 */
static int
check_scripts(const char *alabel, const char *in)
{
	static const char *const names[] = {"", "Latin", "Greek", "Cyrillic"};
	enum script seen = OTHER, s;
	uint32_t *u = NULL, *p;
	char q[80];
	int rc = 0;

	if (idn2_to_unicode_8z4z(alabel, &u, 0) != IDN2_OK)
		return 0; /* to_ascii has judged it already */
	for (p = u; *p != 0 && rc == 0; p++) {
		if ((s = script_of(*p)) == OTHER)
			continue;
		if (seen != OTHER && s != seen)
			rc = tp_err_set(
			    TP_EUSAGE,
			    "domain: '%s' has a label ('%s') that mixes %s and "
			    "%s letters, as look-alikes of other names do; "
			    "registries refuse such labels: check the name",
			    tp_uri_quote(q, sizeof(q), in, strlen(in)), alabel,
			    names[seen], names[s]);
		seen = s;
	}
	idn2_free(u);
	return rc;
}

/*
 * One label through libidn2 (IDNA2008, UTS #46 non-transitional): a
 * U-label becomes its A-label, and an "xn--" label is verified. Labels
 * are converted one by one so that an ASCII label elsewhere in the name
 * (an LDH hostname with "--", an underscore label) is never judged by
 * IDNA's stricter rules.
 */
static int
idn_label(struct tp_buf *b, const char *label, size_t n, const char *in)
{
	char *lab, *conv = NULL, q[80], lq[80];
	int rc;

	lab = strndup(label, n);
	if (lab == NULL)
		return tp_err_set(TP_EINTERNAL, "domain: out of memory");
	rc = idn2_to_ascii_8z(lab, &conv, IDN2_NONTRANSITIONAL);
	free(lab);
	if (rc != IDN2_OK)
		return tp_err_set(TP_EUSAGE,
		                  "domain: label '%s' of '%s' is not a valid "
		                  "internationalised label (%s)",
		                  tp_uri_quote(lq, sizeof(lq), label, n),
		                  tp_uri_quote(q, sizeof(q), in, strlen(in)),
		                  idn2_strerror(rc));
	rc = check_scripts(conv, in);
	tp_buf_adds(b, conv);
	idn2_free(conv);
	return rc;
}

/* The ASCII form of in (without its final dot) into b. */
static int
to_ascii(struct tp_buf *b, const char *in)
{
	const char *p = in, *start;
	size_t d, n;
	int wide, rc;

	for (;;) {
		for (start = p, wide = 0; *p != '\0' && dot_len(p) == 0; p++)
			wide |= (unsigned char)*p >= 0x80;
		n = (size_t)(p - start);
		if (wide || (n >= 4 && strncasecmp(start, "xn--", 4) == 0)) {
			if ((rc = idn_label(b, start, n, in)) != 0)
				return rc;
		} else
			tp_buf_add(b, start, n);
		if (*p == '\0')
			return 0;
		d = dot_len(p);
		p += d;
		if (*p == '\0') /* one final dot is allowed */
			return 0;
		tp_buf_addc(b, '.');
	}
}

int
tp_domain_normalize(char **out, const char *in)
{
	struct tp_buf b = TP_BUF_INIT(4 * TP_DOMAIN_MAX);
	char q[80];
	int rc;

	*out = NULL;
	if (in == NULL || *in == '\0' || dot_len(in) == strlen(in))
		return tp_err_set(TP_EUSAGE,
		                  "domain: the domain name is empty");
	if ((rc = check_bytes(in)) != 0 || (rc = to_ascii(&b, in)) != 0)
		goto out;
	if (b.err != 0) {
		rc = tp_err_set(TP_EUSAGE,
		                "domain: '%s' is longer than a domain name can "
		                "be (253 octets)",
		                tp_uri_quote(q, sizeof(q), in, strlen(in)));
		goto out;
	}
	if ((rc = check_ascii(b.s, in)) != 0)
		goto out;
	*out = tp_buf_detach(&b);
	if (*out == NULL)
		rc = tp_err_set(TP_EINTERNAL, "domain: out of memory");
out:
	tp_buf_release(&b);
	return rc;
}

int
tp_domain_owner(char **out, const char *domain)
{
	static const char prefix[] = "_smtp._tls.";
	size_t n = strlen(domain);
	char q[80];

	*out = NULL;
	/* The owner name typed for the domain would put the record one
	 * level too deep (_smtp._tls._smtp._tls.DOMAIN), where no sender
	 * looks. */
	if (strncmp(domain, prefix, sizeof(prefix) - 1) == 0)
		return tp_err_set(TP_EUSAGE,
		                  "domain: '%s' is the record's owner name: "
		                  "give the domain itself, '%s'",
		                  tp_uri_quote(q, sizeof(q), domain, n),
		                  domain + sizeof(prefix) - 1);
	if (n + sizeof(prefix) - 1 > TP_DOMAIN_MAX)
		return tp_err_set(
		    TP_EUSAGE,
		    "domain: '_smtp._tls.%s' would be longer than "
		    "253 octets; use a shorter domain",
		    tp_uri_quote(q, sizeof(q), domain, n));
	*out = malloc(n + sizeof(prefix));
	if (*out == NULL)
		return tp_err_set(TP_EINTERNAL, "domain: out of memory");
	memcpy(*out, prefix, sizeof(prefix) - 1);
	memcpy(*out + sizeof(prefix) - 1, domain, n + 1);
	return 0;
}

int
tp_domain_in_zone(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	if (z == 0)
		return 1; /* the root holds every name */
	if (n == z)
		return strcasecmp(name, zone) == 0;
	return n > z && name[n - z - 1] == '.' &&
	    strcasecmp(name + n - z, zone) == 0;
}
