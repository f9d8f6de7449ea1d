/*
 * domain.c: domain names as users type them, normalised for DNS queries
 * and provider APIs. Internationalised names go through libidn2 (IDNA2008
 * with the UTS #46 non-transitional mapping, as browsers and Postfix do);
 * the result is then held to the LDH rules plus '_' (for labels such as
 * _smtp and _tls), so nothing odd ever reaches a request.
 */
#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* libidn2 for U-labels, and to check xn-- labels really are A-labels. */
static int
idn_convert(char **out, const char *name, const char *in)
{
	char q[80];
	int rc;

	rc = idn2_to_ascii_8z(name, out, IDN2_NONTRANSITIONAL);
	if (rc == IDN2_OK)
		return 0;
	*out = NULL;
	return tp_err_set(TP_EUSAGE,
	                  "domain: '%s' is not a valid internationalised "
	                  "domain name (%s)",
	                  tp_uri_quote(q, sizeof(q), in, strlen(in)),
	                  idn2_strerror(rc));
}

/* Non-ASCII bytes, or a label that claims to be an A-label ("xn--"):
 * libidn2 converts the first and verifies the second. */
static int
needs_idn(const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return 1;
	for (p = name; p != NULL; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		if (strncasecmp(p, "xn--", 4) == 0)
			return 1;
	}
	return 0;
}

int
tp_domain_normalize(char **out, const char *in)
{
	char *name = NULL, *conv = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if (in == NULL || *in == '\0' || strcmp(in, ".") == 0)
		return tp_err_set(TP_EUSAGE,
		                  "domain: the domain name is empty");
	if ((rc = check_bytes(in)) != 0)
		return rc;
	name = strdup(in);
	if (name == NULL)
		return tp_err_set(TP_EINTERNAL, "domain: out of memory");
	len = strlen(name);
	if (name[len - 1] == '.')
		name[len - 1] = '\0';
	if (needs_idn(name)) {
		if ((rc = idn_convert(&conv, name, in)) != 0)
			goto out;
		free(name);
		name = conv;
	}
	if ((rc = check_ascii(name, in)) != 0)
		goto out;
	*out = name;
	name = NULL;
out:
	free(name);
	return rc;
}

int
tp_domain_owner(char **out, const char *domain)
{
	static const char prefix[] = "_smtp._tls.";
	size_t n = strlen(domain);
	char q[80];

	*out = NULL;
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
