/*
 * record_codes.c: the table of diagnostic codes (a stable interface:
 * codes are added, never renamed). docs/diagnostics.md documents each, and
 * the unit tests check that every code the validators emit is listed.
 */
#include <stddef.h>

#include "tlsrpt/record.h"

static const struct tp_record_code codes[] = {
    /* The record as a whole, and the version. */
    {"record-quoted", "error", "literal quote characters around the record"},
    {"leading-wsp", "error", "whitespace before the version"},
    {"leading-delim", "error", "';' before the version"},
    {"version-missing", "error", "the record does not start with a version"},
    {"version-not-first", "error", "the version is not the first field"},
    {"version-case", "error", "miscased version ('V=', 'tlsrptv1')"},
    {"version-wsp", "error", "whitespace around '=' in the version"},
    {"version-invalid", "error",
     "a version other than TLSRPTv1 (typo, v2, STSv1, spf1)"},
    {"version-delim-missing", "error", "no ';' after the version"},
    {"wsp-before-semicolon", "warning", "'v=TLSRPTv1 ;'"},
    {"rua-missing", "error", "no rua= field (or nothing after the version)"},
    {"empty-field", "error", "an empty field (';;')"},
    {"trailing-wsp", "error", "whitespace after the last field"},
    {"crlf", "error", "a line break or '\\' continuation in the record"},
    {"control-char", "error", "a control character in the record"},
    {"non-ascii", "error", "a raw non-ASCII byte in the record"},
    {"quote-char", "error*", "a literal '\"' where the grammar has none"},
    /* Fields. */
    {"field-no-equals", "error", "a field without '='"},
    {"wsp-around-equals", "error", "whitespace around '=' in a field"},
    {"ext-name-invalid", "error",
     "an extension name with a bad character or first character"},
    {"ext-name-too-long", "error", "an extension name over 32 characters"},
    {"ext-value-empty", "error", "an extension with an empty value"},
    {"ext-value-invalid-char", "error",
     "a space, '=', control or non-ASCII byte in an extension value"},
    {"ext-unknown", "warning", "an unknown (ignored) extension field"},
    {"version-repeated", "warning", "a second 'v=' field"},
    {"rua-key-case", "error*", "'RUA=' or 'Rua=': keys are case-sensitive"},
    {"rua-empty", "error", "'rua=' with no destination"},
    {"rua-empty-item", "error*", "an empty item in the rua list (',,')"},
    {"rua-trailing-comma", "error*", "the rua list ends with ','"},
    {"rua-repeated", "warning", "more than one rua= field"},
    {"rua-not-first", "warning", "rua= is not the first field"},
    {"wsp-around-comma", "warning", "whitespace around ',' in the rua list"},
    /* URI syntax (RFC 3986, RFC 8460 §3 encoding). */
    {"uri-space-separated", "error", "destinations separated by spaces"},
    {"uri-raw-space", "error", "whitespace inside a URI"},
    {"uri-no-scheme", "error*", "a destination without a URI scheme"},
    {"uri-bare-address", "error*", "a mail address without 'mailto:'"},
    {"uri-invalid-char", "error*", "a character RFC 3986 does not allow there"},
    {"uri-bad-percent", "error*", "'%' not followed by two hex digits"},
    {"uri-bad-host", "error*", "a malformed IP literal in the host"},
    {"uri-bad-port", "error*", "a port that is not a number"},
    {"uri-angle-brackets", "error*", "'<' or '>' around a URI"},
    {"uri-unencoded-bang", "error*", "an unencoded '!' (e.g. DMARC '!10m')"},
    {"uri-unencoded-comma", "error*", "an unencoded ',' inside a URI"},
    {"uri-unencoded-semicolon", "error", "an unencoded ';' inside a URI"},
    /* What senders can do with each destination. */
    {"semantic-scheme-unsupported", "error",
     "no usable destination: only schemes other than mailto/https"},
    {"semantic-mailto-no-addr-spec", "error",
     "no usable destination: mailto without a mail address"},
    {"semantic-https-no-host", "error",
     "no usable destination: https without a host"},
    {"semantic-https-bad-port", "error",
     "no usable destination: https with port 0 or above 65535"},
    {"uri-scheme-unsupported", "warning",
     "a destination whose scheme is not mailto/https (others usable)"},
    {"mailto-no-addr-spec", "warning",
     "a mailto without a mail address (others usable)"},
    {"https-no-host", "warning", "an https URI without a host (others usable)"},
    {"https-bad-port", "warning", "an https URI with an unusable port"},
    {"uri-scheme-case", "warning", "an upper-case scheme ('MAILTO:')"},
    {"mailto-hfields", "warning", "mailto header fields ('?subject=')"},
    {"mailto-multiple-addresses", "warning",
     "several addresses in one mailto URI"},
    {"mailto-pct-encoded", "warning", "a percent-encoded mail address"},
    {"uri-equals-sign", "warning", "'=' in a URI (mail-auth corrupts it)"},
    {"https-userinfo", "warning", "credentials in an https URI"},
    {"uri-fragment", "warning", "a '#fragment' in a destination"},
    {"https-only", "warning", "every usable destination is https"},
    {"multiple-uris", "info", "more than one destination"},
    {"uri-duplicate", "info", "the same destination listed twice"},
    /* The RRset at _smtp._tls.DOMAIN. */
    {"rrset-missing", "error", "no value begins with 'v=TLSRPTv1;'"},
    {"rrset-multiple", "error", "several TLS-RPT records"},
    {"rrset-split-duplicate", "error",
     "the same record twice, split differently into strings"},
    {"rrset-discarded", "warning",
     "a TLS-RPT-like value senders discard ('V=TLSRPTv1')"},
    {"rrset-unrelated", "warning", "an unrelated TXT value (e.g. SPF)"},
    {NULL, NULL, NULL},
};

const struct tp_record_code *
tp_record_codes(void)
{
	return codes;
}
