/*
 * r53.h: the Amazon Route 53 pieces behind providers/route53.c (private to
 * providers/): TXT values and names in Route 53's wire form, the REST-XML
 * request bodies and response parsers, one signed API request with its
 * errors mapped, zone search, and the credentials shared by the workers
 * of one account. Facts: shared/reference/providers.md §2.
 *
 * Ownership: every char * and struct returned through an out-parameter
 * is owned by the caller and freed with the matching _release/_free (all
 * accept NULL); inputs are borrowed for the call.
 */
#ifndef TLSRPT_AWS_R53_H
#define TLSRPT_AWS_R53_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/http.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/strv.h"

#include "awsconf.h"
#include "creds.h"
#include "sigv4.h"

#define TP_R53_NS        "https://route53.amazonaws.com/doc/2013-04-01/"
#define TP_R53_VALUE_MAX 4000 /* characters of one ResourceRecord Value */

/* ---- TXT values and names (r53txt.c) --------------------------------- */

/*
 * A value (decoded octets) in the form Route 53 requires: strings of at
 * most 255 bytes, each in double quotes, separated by one space; '"' and
 * '\' escaped with a backslash, bytes below 0x20 and from 0x7F as \ooo
 * octal (space stays as it is). *out is the caller's.
 */
int tp_r53_txt_encode(char **out, const char *value, size_t len);

/*
 * The value a Value element holds: quoted strings (\" \\ \ooo and any
 * other \X) concatenated, whitespace between strings ignored; an unquoted
 * word (never written by Route 53, tolerated) is taken as it stands.
 * *out is NUL-terminated, *len its length. TP_ENETWORK naming the value
 * when it is not in that form (an unterminated string).
 */
int tp_r53_txt_decode(char **out, size_t *len, const char *wire);

/* A DNS name as Route 53 returns it ("example.com.", \ooo escapes for
 * characters other than a-z 0-9 - _) as a plain lower-case name without
 * the trailing dot. TP_ENETWORK when an escape is malformed. */
int tp_r53_name_decode(char **out, const char *name);

/* ---- XML bodies and responses (r53xml.c) ----------------------------- */

/* One change of a ChangeResourceRecordSets batch. */
struct tp_r53_change {
	const char *action; /* "CREATE", "DELETE", "UPSERT" */
	const char *name;   /* owner, fully qualified, no trailing dot */
	long ttl;
	const struct tp_strv *values; /* in wire form (tp_r53_txt_encode) */
};

/* The ChangeResourceRecordSetsRequest document for a TXT batch, appended
 * to b (escaped with tp_buf_add_xmlesc, elements in the model's order).
 * comment may be NULL. Errors are b's sticky error. */
void tp_r53_xml_change_batch(struct tp_buf *b, const char *comment,
                             const struct tp_r53_change *c, size_t n);

/* A hosted zone from ListHostedZonesByName, ListHostedZones or
 * GetHostedZone. */
struct tp_r53_zone {
	char *id;   /* bare id: "/hostedzone/" stripped */
	char *name; /* decoded, lower case, no trailing dot */
	int private_zone;
};

/* One page of zones and where the next one starts. */
struct tp_r53_zones {
	struct tp_r53_zone *v;
	size_t n;
	int truncated;
	char *next_name;   /* ListHostedZonesByName: NextDNSName, decoded */
	char *next_id;     /* ListHostedZonesByName: NextHostedZoneId */
	char *next_marker; /* ListHostedZones: NextMarker */
};

/* Parse a ListHostedZonesByNameResponse, ListHostedZonesResponse or
 * GetHostedZoneResponse. TP_ENETWORK when the body is none of them. */
int tp_r53_xml_zones(struct tp_r53_zones *out, const char *body, size_t len);
void tp_r53_zones_release(struct tp_r53_zones *z);

/* The first ResourceRecordSet of a ListResourceRecordSetsResponse. */
struct tp_r53_rrset {
	int found;  /* 0: the page holds none */
	char *name; /* decoded, no trailing dot */
	char *type;
	char *set_id;          /* SetIdentifier (routing policy), or NULL */
	int alias;             /* has an AliasTarget */
	long ttl;              /* -1 when absent */
	struct tp_strv values; /* Value elements as sent (wire form) */
};

int tp_r53_xml_rrset(struct tp_r53_rrset *out, const char *body, size_t len);
void tp_r53_rrset_release(struct tp_r53_rrset *r);

/* ChangeInfo of a ChangeResourceRecordSets or GetChange response: *id
 * the bare change id ("/change/" stripped), *insync 1 when INSYNC, 0 when
 * PENDING. TP_ENETWORK for anything else. */
int tp_r53_xml_change(char **id, int *insync, const char *body, size_t len);

/*
 * Map a Route 53 error answer to a TP_E* code and message, with the HTTP
 * status, the API's code, message and RequestId verbatim after our
 * explanation: Throttling/PriorRequestNotComplete rate-limited,
 * AccessDenied and the signature/credential codes auth (naming the
 * permissions or what to check), NoSuchHostedZone/NoSuchChange not found,
 * InvalidChangeBatch conflict, InvalidInput usage, 5xx network. Both
 * document shapes (ErrorResponse/Error and InvalidChangeBatch/Messages)
 * are read. what names the action ("reading the TXT records").
 */
int tp_r53_error(long status, const char *body, size_t len, const char *what);

/* 1 when body is an error document whose code is a throttle
 * (Throttling, ThrottlingException, PriorRequestNotComplete,
 * RequestLimitExceeded). */
int tp_r53_is_throttle(const char *body, size_t len);

/* ---- credentials shared by an account's workers (r53acct.c) ---------- */

struct tp_r53_account {
	pthread_mutex_t lock;
	struct tp_aws_conf conf;    /* borrows the account's settings */
	struct tp_http_opts opts;   /* for STS, IMDS, container requests */
	struct tp_aws_creds *creds; /* the latest, under lock */
	struct tp_aws_endpoint ep;  /* Route 53 URL and signing region */
};

/* Resolve the endpoint and the credentials (the chain, once). opts may
 * be NULL. *out owned by the caller. */
int tp_r53_account_new(struct tp_r53_account **out,
                       const struct tp_settings *settings,
                       const struct tp_http_opts *opts);
void tp_r53_account_free(struct tp_r53_account *a);

/*
 * A worker's own copy of the account's credentials, fresh: when *mine is
 * NULL or expires within five minutes, the account's are refreshed (under
 * its lock, once for all workers) if they expire too, then copied.
 */
int tp_r53_account_creds(struct tp_r53_account *a, struct tp_aws_creds **mine,
                         time_t now);

/* ---- one API request (r53api.c) -------------------------------------- */

struct tp_r53_api {
	struct tp_http *http; /* borrowed: the worker's handle */
	const char *base;     /* borrowed endpoint URL, no trailing '/' */
	struct tp_r53_account *acct; /* borrowed */
	struct tp_aws_creds *creds;  /* this worker's copy */
	struct tp_sigv4_signer signer;
};

/*
 * Send one signed request to base + path (path starts with "/2013-04-01/"
 * and carries its query, already encoded). On success (2xx) *body is the
 * response body (caller frees) and *len its length. Throttles are retried
 * by the HTTP layer (classify hook); errors are mapped by tp_r53_error
 * with what naming the action; a non-idempotent request whose outcome is
 * unknown fails with TP_ENETWORK/TP_ETIMEOUT (core re-reads).
 */
int tp_r53_call(struct tp_r53_api *api, char **body, size_t *len,
                const char *method, const char *path, const char *xml,
                int idempotent, const char *what);

void tp_r53_api_release(struct tp_r53_api *api);

/* ---- zones (r53zone.c) ----------------------------------------------- */

/* What the zone search remembers per handle: name -> id ("" = none). */
struct tp_r53_memo {
	char **names;
	char **ids;
	size_t n, alloc;
};

struct tp_r53_zone_opts {
	int private_zone; /* look for private zones instead of public ones */
};

/* The zone holding name: --zone-id (GetHostedZone) or the longest
 * matching suffix through ListHostedZonesByName. */
int tp_r53_find_zone(struct tp_r53_api *api, struct tp_r53_memo *memo,
                     const struct tp_r53_zone_opts *o, struct tp_zone *out,
                     const char *name, const char *zone_id);

/* Every zone of the account (ListHostedZones, all pages), of the kind o
 * asks for, appended to *out. */
int tp_r53_list_zones(struct tp_r53_api *api, const struct tp_r53_zone_opts *o,
                      struct tp_zone **out, size_t *n);

void tp_r53_memo_release(struct tp_r53_memo *m);

#endif
