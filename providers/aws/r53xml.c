/*
 * r53xml.c: Route 53's REST-XML: the ChangeResourceRecordSets body we
 * send, the responses we read (with libxml2, through awsxml.h), and its
 * error documents mapped to our codes (see r53.h; shared/reference/
 * providers.md §2.2-§2.9).
 *
 * Responses are matched by local element names and read tolerantly:
 * unknown elements are ignored, a missing Config means a public zone
 * (zones created without HostedZoneConfig have none).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt/err.h"

#include "awsxml.h"
#include "r53.h"

#define BODY_WHAT "Route 53 response"

/* ---- the request body ------------------------------------------------- */

static void
element(struct tp_buf *b, const char *name, const char *text)
{
	tp_buf_addf(b, "<%s>", name);
	tp_buf_add_xmlesc(b, text, strlen(text));
	tp_buf_addf(b, "</%s>", name);
}

void
tp_r53_xml_change_batch(struct tp_buf *b, const char *comment,
                        const struct tp_r53_change *c, size_t n)
{
	size_t i, j;

	tp_buf_adds(b,
	            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	            "<ChangeResourceRecordSetsRequest xmlns=\"" TP_R53_NS
	            "\"><ChangeBatch>");
	if (comment != NULL && *comment != '\0')
		element(b, "Comment", comment);
	tp_buf_adds(b, "<Changes>");
	for (i = 0; i < n; i++) {
		/* Elements in the order of the model: Route 53 refuses
		 * others. The name is fully qualified (trailing dot). */
		tp_buf_adds(b, "<Change>");
		element(b, "Action", c[i].action);
		tp_buf_adds(b, "<ResourceRecordSet><Name>");
		tp_buf_add_xmlesc(b, c[i].name, strlen(c[i].name));
		tp_buf_adds(b, ".</Name><Type>TXT</Type>");
		tp_buf_addf(b, "<TTL>%ld</TTL><ResourceRecords>", c[i].ttl);
		for (j = 0; j < c[i].values->n; j++) {
			tp_buf_adds(b, "<ResourceRecord>");
			element(b, "Value", c[i].values->v[j]);
			tp_buf_adds(b, "</ResourceRecord>");
		}
		tp_buf_adds(b,
		            "</ResourceRecords></ResourceRecordSet>"
		            "</Change>");
	}
	tp_buf_adds(b,
	            "</Changes></ChangeBatch>"
	            "</ChangeResourceRecordSetsRequest>");
}

/* ---- responses -------------------------------------------------------- */

static int
nomem(void)
{
	return tp_err_set(TP_EINTERNAL, "route53: out of memory");
}

/* The text of n's child name, or NULL (absent) with *rc untouched. */
static char *
child_text(const xmlNode *n, const char *name, int *rc)
{
	const xmlNode *c = tp_aws_xml_child(n, name);
	char *t;

	if (c == NULL)
		return NULL;
	t = tp_aws_xml_text(c);
	if (t == NULL && *rc == 0)
		*rc = nomem();
	return t;
}

static int
child_true(const xmlNode *n, const char *path)
{
	char *t = tp_aws_xml_text(tp_aws_xml_path(n, path));
	int yes = t != NULL && strcasecmp(t, "true") == 0;

	free(t);
	return yes;
}

/* "/hostedzone/Z123" or "/change/C1" -> "Z123" / "C1". */
static char *
bare_id(char *id)
{
	char *slash;

	if (id != NULL && (slash = strrchr(id, '/')) != NULL)
		memmove(id, slash + 1, strlen(slash + 1) + 1);
	return id;
}

static int
zone_read(struct tp_r53_zone *z, const xmlNode *n)
{
	char *name;
	int rc = 0;

	memset(z, 0, sizeof(*z));
	z->id = bare_id(child_text(n, "Id", &rc));
	name = child_text(n, "Name", &rc);
	if (rc == 0 && (z->id == NULL || name == NULL || *z->id == '\0'))
		rc = tp_err_set(TP_ENETWORK,
		                "route53: a HostedZone in the answer has no "
		                "Id or Name");
	if (rc == 0)
		rc = tp_r53_name_decode(&z->name, name);
	free(name);
	z->private_zone = child_true(n, "Config/PrivateZone");
	return rc;
}

static int
zone_add(struct tp_r53_zones *out, const xmlNode *n)
{
	struct tp_r53_zone *v;
	int rc;

	v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (v == NULL)
		return nomem();
	out->v = v;
	rc = zone_read(&v[out->n], n);
	if (rc != 0) {
		free(v[out->n].id);
		free(v[out->n].name);
		return rc;
	}
	out->n++;
	return 0;
}

static int
zones_page(struct tp_r53_zones *out, const xmlNode *root)
{
	const xmlNode *list, *c;
	char *next = NULL;
	int rc = 0;

	list = tp_aws_xml_child(root, "HostedZones");
	if (list == NULL)
		return tp_err_set(TP_ENETWORK,
		                  "route53: the zone list answer "
		                  "has no HostedZones element");
	for (c = list->children; c != NULL && rc == 0; c = c->next)
		if (tp_aws_xml_is(c, "HostedZone"))
			rc = zone_add(out, c);
	out->truncated = child_true(root, "IsTruncated");
	out->next_id = child_text(root, "NextHostedZoneId", &rc);
	out->next_marker = child_text(root, "NextMarker", &rc);
	next = child_text(root, "NextDNSName", &rc);
	if (rc == 0 && next != NULL)
		rc = tp_r53_name_decode(&out->next_name, next);
	free(next);
	return rc;
}

int
tp_r53_xml_zones(struct tp_r53_zones *out, const char *body, size_t len)
{
	const xmlNode *root;
	xmlDoc *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = tp_aws_xml_parse(&doc, body, len, BODY_WHAT)) != 0)
		return rc;
	root = tp_aws_xml_root(doc);
	if (tp_aws_xml_is(root, "GetHostedZoneResponse")) {
		root = tp_aws_xml_child(root, "HostedZone");
		rc = root != NULL ? zone_add(out, root)
		                  : tp_err_set(TP_ENETWORK,
		                               "route53: GetHostedZone "
		                               "answer without HostedZone");
	} else if (tp_aws_xml_is(root, "ListHostedZonesByNameResponse") ||
	           tp_aws_xml_is(root, "ListHostedZonesResponse")) {
		rc = zones_page(out, root);
	} else {
		rc = tp_err_set(TP_ENETWORK,
		                "route53: expected a hosted zone "
		                "answer, got another document");
	}
	tp_aws_xml_free(doc);
	if (rc != 0)
		tp_r53_zones_release(out);
	return rc;
}

void
tp_r53_zones_release(struct tp_r53_zones *z)
{
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < z->n; i++) {
		free(z->v[i].id);
		free(z->v[i].name);
	}
	free(z->v);
	free(z->next_name);
	free(z->next_id);
	free(z->next_marker);
	memset(z, 0, sizeof(*z));
}

static int
rrset_read(struct tp_r53_rrset *out, const xmlNode *set)
{
	const xmlNode *recs, *c;
	char *name, *ttl, *v, *end;
	int rc = 0;

	out->found = 1;
	out->ttl = -1;
	name = child_text(set, "Name", &rc);
	out->type = child_text(set, "Type", &rc);
	out->set_id = child_text(set, "SetIdentifier", &rc);
	out->alias = tp_aws_xml_child(set, "AliasTarget") != NULL;
	ttl = child_text(set, "TTL", &rc);
	if (rc == 0 && (name == NULL || out->type == NULL))
		rc = tp_err_set(TP_ENETWORK,
		                "route53: a ResourceRecordSet in "
		                "the answer has no Name or Type");
	if (rc == 0)
		rc = tp_r53_name_decode(&out->name, name);
	if (rc == 0 && ttl != NULL) {
		out->ttl = strtol(ttl, &end, 10);
		if (end == ttl || *end != '\0' || out->ttl < 0)
			rc = tp_err_set(TP_ENETWORK,
			                "route53: TTL '%.40s' in the answer is "
			                "not a number",
			                ttl);
	}
	recs = tp_aws_xml_child(set, "ResourceRecords");
	for (c = recs ? recs->children : NULL; c != NULL && rc == 0;
	     c = c->next) {
		if (!tp_aws_xml_is(c, "ResourceRecord"))
			continue;
		v = child_text(c, "Value", &rc);
		if (rc == 0 && v == NULL)
			v = strdup("");
		rc = rc != 0    ? rc
		    : v == NULL ? nomem()
		                : tp_strv_take(&out->values, v);
	}
	free(name);
	free(ttl);
	return rc;
}

int
tp_r53_xml_rrset(struct tp_r53_rrset *out, const char *body, size_t len)
{
	const xmlNode *root, *sets, *c;
	xmlDoc *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	out->ttl = -1;
	if ((rc = tp_aws_xml_parse(&doc, body, len, BODY_WHAT)) != 0)
		return rc;
	root = tp_aws_xml_root(doc);
	sets = tp_aws_xml_child(root, "ResourceRecordSets");
	if (!tp_aws_xml_is(root, "ListResourceRecordSetsResponse") ||
	    sets == NULL) {
		tp_aws_xml_free(doc);
		return tp_err_set(TP_ENETWORK,
		                  "route53: expected a "
		                  "ListResourceRecordSetsResponse, got another "
		                  "document");
	}
	for (c = sets->children; c != NULL; c = c->next)
		if (tp_aws_xml_is(c, "ResourceRecordSet"))
			break;
	if (c != NULL)
		rc = rrset_read(out, c);
	tp_aws_xml_free(doc);
	if (rc != 0)
		tp_r53_rrset_release(out);
	return rc;
}

void
tp_r53_rrset_release(struct tp_r53_rrset *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->type);
	free(r->set_id);
	tp_strv_release(&r->values);
	memset(r, 0, sizeof(*r));
	r->ttl = -1;
}

int
tp_r53_xml_change(char **id, int *insync, const char *body, size_t len)
{
	const xmlNode *root, *info;
	char *status = NULL;
	xmlDoc *doc;
	int rc;

	*id = NULL;
	*insync = 0;
	if ((rc = tp_aws_xml_parse(&doc, body, len, BODY_WHAT)) != 0)
		return rc;
	root = tp_aws_xml_root(doc);
	info = tp_aws_xml_child(root, "ChangeInfo");
	if (info != NULL) {
		*id = bare_id(child_text(info, "Id", &rc));
		status = child_text(info, "Status", &rc);
	}
	tp_aws_xml_free(doc);
	if (rc == 0 &&
	    (*id == NULL || **id == '\0' || status == NULL ||
	     (strcmp(status, "PENDING") != 0 && strcmp(status, "INSYNC") != 0)))
		rc = tp_err_set(TP_ENETWORK,
		                "route53: expected a ChangeInfo with an Id and "
		                "a PENDING or INSYNC Status in the answer");
	if (rc == 0)
		*insync = strcmp(status, "INSYNC") == 0;
	free(status);
	if (rc != 0) {
		free(*id);
		*id = NULL;
	}
	return rc;
}

/* ---- errors ----------------------------------------------------------- */

static int
code_in(const char *code, const char *const *list)
{
	for (; code != NULL && *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

static const char *const throttle_codes[] = {"Throttling",
                                             "ThrottlingException",
                                             "PriorRequestNotComplete",
                                             "RequestLimitExceeded",
                                             "TooManyRequestsException",
                                             NULL};
static const char *const denied_codes[] = {
    "AccessDenied", "AccessDeniedException", "NotAuthorizedException", NULL};
static const char *const signature_codes[] = {
    "SignatureDoesNotMatch", "IncompleteSignature", "InvalidSignature", NULL};
static const char *const key_codes[] = {"InvalidClientTokenId",
                                        "UnrecognizedClientException",
                                        "MissingAuthenticationToken",
                                        "InvalidAccessKeyId",
                                        "ExpiredToken",
                                        "ExpiredTokenException",
                                        "InvalidToken",
                                        "AuthFailure",
                                        NULL};
static const char *const notfound_codes[] = {"NoSuchHostedZone", "NoSuchChange",
                                             "HostedZoneNotFound", NULL};
static const char *const input_codes[] = {
    "InvalidInput",           "InvalidDomainName",
    "MalformedInput",         "InvalidArgument",
    "InvalidParameterValue",  "ValidationError",
    "InvalidPaginationToken", NULL};

int
tp_r53_is_throttle(const char *body, size_t len)
{
	struct tp_aws_error e;
	int yes;

	if (tp_aws_xml_error(&e, body, len) != 0) {
		tp_err_clear();
		return 0;
	}
	yes = code_in(e.code, throttle_codes);
	tp_aws_error_release(&e);
	return yes;
}

static int
error_kind(long status, const char *code)
{
	if (code_in(code, throttle_codes))
		return TP_ERATELIMIT;
	if (code_in(code, denied_codes) || code_in(code, signature_codes) ||
	    code_in(code, key_codes))
		return TP_EAUTH;
	if (code_in(code, notfound_codes))
		return TP_ENOTFOUND;
	if (code != NULL && strcmp(code, "InvalidChangeBatch") == 0)
		return TP_ECONFLICT;
	if (code_in(code, input_codes))
		return TP_EUSAGE;
	if (status >= 500)
		return TP_ENETWORK;
	if (status == 401 || status == 403)
		return TP_EAUTH;
	if (status == 404)
		return TP_ENOTFOUND;
	if (status == 429)
		return TP_ERATELIMIT;
	return TP_EINTERNAL;
}

static const char *
error_hint(int kind, const char *code)
{
	if (code_in(code, denied_codes))
		return ": the credentials need route53:ListHostedZonesByName "
		       "(and route53:GetHostedZone for --zone-id, "
		       "route53:ListHostedZones for long lists), "
		       "route53:ListResourceRecordSets, "
		       "route53:ChangeResourceRecordSets and "
		       "route53:GetChange on the zone: see "
		       "docs/providers/route53.md, Permissions";
	if (code_in(code, signature_codes))
		return ": check the secret access key (AWS_SECRET_ACCESS_KEY "
		       "or the profile's) and this machine's clock: a "
		       "signature more than 5 minutes off is refused";
	if (code_in(code, key_codes))
		return ": check the access key id and, for temporary "
		       "credentials, the session token (AWS_SESSION_TOKEN): "
		       "they expire, get new ones";
	switch (kind) {
	case TP_ERATELIMIT:
		return ": Route 53 allows 5 requests per second per account, "
		       "shared with every other tool; wait and run again";
	case TP_ENOTFOUND:
		return ": check --zone-id and that the hosted zone is in this "
		       "account";
	case TP_ENETWORK:
		return ": run again to converge";
	case TP_EAUTH:
		return ": check the credentials and their permissions "
		       "(docs/providers/route53.md)";
	default:
		return "";
	}
}

int
tp_r53_error(long status, const char *body, size_t len, const char *what)
{
	struct tp_aws_error e;
	const char *msg;
	int kind, rc;

	if (tp_aws_xml_error(&e, body, len) != 0) {
		tp_err_clear();
		kind = error_kind(status, NULL);
		return tp_err_set_api(kind, status, NULL, NULL,
		                      "route53: %s (HTTP %ld, not an AWS error "
		                      "document)%s",
		                      what, status, error_hint(kind, NULL));
	}
	kind = error_kind(status, e.code);
	msg = e.message != NULL ? e.message : "";
	/* SignatureDoesNotMatch goes on, after a blank line, with the
	 * canonical request, whose signed headers include the session
	 * token: only the first line is ever shown. */
	if (e.message != NULL)
		e.message[strcspn(e.message, "\r\n")] = '\0';
	rc = tp_err_set_api(
	    kind, status, e.code, msg, "route53: %s (HTTP %ld, %s: %s%s%s)%s",
	    what, status, e.code, msg, e.request_id ? "; RequestId " : "",
	    e.request_id ? e.request_id : "", error_hint(kind, e.code));
	tp_aws_error_release(&e);
	return rc;
}
