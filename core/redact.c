/*
 * redact.c: secrets out, control bytes escaped, for the HTTP debug dump.
 *
 * Bodies are redacted through real parsers (cJSON, libxml2) rather than
 * patterns, so a secret field is found wherever it sits and however it is
 * spaced; what no parser accepts is shown escaped, and tp_redact_scrub
 * still removes every secret value seen in the headers.
 */
#include <ctype.h>
#include <strings.h>
#include <string.h>

#include <cJSON.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tlsrpt/redact.h"

/* Parts of names that mark a secret, lower case. Over-redacting a debug
 * dump costs little; missing one leaks a credential. */
static const char *const secret_parts[] = {
    "token",      "secret",        "password", "passwd", "signature",
    "credential", "authorization", "auth",     "cookie", "key",
};

#define NPARTS (sizeof(secret_parts) / sizeof(secret_parts[0]))

static int
has_part_ci(const char *s, size_t len, const char *part)
{
	size_t i, j, plen = strlen(part);

	for (i = 0; i + plen <= len; i++) {
		for (j = 0; j < plen; j++)
			if (tolower((unsigned char)s[i + j]) != part[j])
				break;
		if (j == plen)
			return 1;
	}
	return 0;
}

static int
prefix_ci(const char *s, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	return len >= plen && strncasecmp(s, prefix, plen) == 0;
}

int
tp_redact_is_secret_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NPARTS; i++)
		if (has_part_ci(name, len, secret_parts[i]))
			return 1;
	return 0;
}

/* A value that is a credential whatever its name. */
static int
is_credential_value(const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	return prefix_ci(v, len, "sso-key") || prefix_ci(v, len, "bearer ");
}

void
tp_redact_escape(struct tp_buf *b, const char *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)data[i];
		if (c == '\\')
			tp_buf_adds(b, "\\\\");
		else if (c == '\n')
			tp_buf_adds(b, "\\n");
		else if (c == '\r')
			tp_buf_adds(b, "\\r");
		else if (c == '\t')
			tp_buf_adds(b, "\\t");
		else if (c >= 0x20 && c < 0x7f)
			tp_buf_addc(b, (char)c);
		else {
			tp_buf_adds(b, "\\x");
			tp_buf_addc(b, hex[c >> 4]);
			tp_buf_addc(b, hex[c & 15]);
		}
	}
}

static void
add_secret(struct tp_strv *secrets, const char *v, size_t len)
{
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (secrets != NULL && len >= 4)
		(void)tp_strv_addn(secrets, v, len);
}

/* "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=h, Signature=s":
 * keep the scope and the signed headers, which is what one debugs. */
static void
redact_sigv4(struct tp_buf *b, const char *v, size_t len,
             struct tp_strv *secrets)
{
	const char *p = v, *end = v + len, *comma, *slash;
	size_t n;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		n = comma != NULL ? (size_t)(comma - p) : (size_t)(end - p);
		if (has_part_ci(p, n, "credential=")) {
			slash = memchr(p, '/', n);
			tp_redact_escape(b, p,
			                 (size_t)(strchr(p, '=') - p + 1));
			tp_buf_adds(b, TP_REDACTED);
			if (slash != NULL)
				tp_redact_escape(b, slash,
				                 (size_t)(p + n - slash));
			add_secret(secrets, strchr(p, '=') + 1,
			           (size_t)((slash != NULL ? slash : p + n) -
			                    strchr(p, '=') - 1));
		} else if (has_part_ci(p, n, "signature=") &&
		           !has_part_ci(p, n, "signedheaders")) {
			tp_redact_escape(b, p,
			                 (size_t)(strchr(p, '=') - p + 1));
			tp_buf_adds(b, TP_REDACTED);
			add_secret(secrets, strchr(p, '=') + 1,
			           (size_t)(p + n - strchr(p, '=') - 1));
		} else {
			tp_redact_escape(b, p, n);
		}
		if (comma == NULL)
			break;
		tp_buf_addc(b, ',');
		p = comma + 1;
	}
}

static void
redact_value(struct tp_buf *b, const char *name, size_t nlen, const char *v,
             size_t len, struct tp_strv *secrets)
{
	const char *sp;

	if (nlen == 13 && strncasecmp(name, "authorization", 13) == 0 &&
	    prefix_ci(v, len, "AWS4-HMAC-SHA256 ")) {
		redact_sigv4(b, v, len, secrets);
		return;
	}
	/* Keep a scheme word ("Bearer", "sso-key", "Basic") visible. */
	sp = memchr(v, ' ', len);
	if (sp != NULL && (sp - v) < 20 &&
	    (prefix_ci(v, len, "bearer ") || prefix_ci(v, len, "sso-key ") ||
	     prefix_ci(v, len, "basic ") ||
	     (nlen >= 13 && has_part_ci(name, nlen, "authorization")))) {
		tp_redact_escape(b, v, (size_t)(sp - v + 1));
		tp_buf_adds(b, TP_REDACTED);
		add_secret(secrets, sp + 1, (size_t)(v + len - sp - 1));
		return;
	}
	tp_buf_adds(b, TP_REDACTED);
	add_secret(secrets, v, len);
}

static int
is_marked(const struct tp_strv *marked, const char *name, size_t nlen)
{
	size_t i;

	for (i = 0; marked != NULL && i < marked->n; i++)
		if (strlen(marked->v[i]) == nlen &&
		    strncasecmp(marked->v[i], name, nlen) == 0)
			return 1;
	return 0;
}

void
tp_redact_header(struct tp_buf *b, const char *line, size_t len,
                 const struct tp_strv *marked, struct tp_strv *secrets)
{
	const char *colon, *v;
	size_t nlen, vlen;

	colon = memchr(line, ':', len);
	if (colon == NULL) { /* a status line or junk: nothing named */
		if (is_credential_value(line, len)) {
			tp_buf_adds(b, TP_REDACTED);
			return;
		}
		tp_redact_escape(b, line, len);
		return;
	}
	nlen = (size_t)(colon - line);
	v = colon + 1;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(line + len - v);
	tp_redact_escape(b, line, nlen);
	tp_buf_adds(b, ": ");
	if (vlen > 0 &&
	    (tp_redact_is_secret_name(line, nlen) ||
	     is_marked(marked, line, nlen) || is_credential_value(v, vlen)))
		redact_value(b, line, nlen, v, vlen, secrets);
	else
		tp_redact_escape(b, v, vlen);
}

/* name=value&name=value, from a query string or a form body. */
static void
redact_pairs(struct tp_buf *b, const char *s, size_t len, int hide_all,
             struct tp_strv *secrets)
{
	const char *p = s, *end = s + len, *amp, *eq;
	size_t n;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		n = amp != NULL ? (size_t)(amp - p) : (size_t)(end - p);
		eq = memchr(p, '=', n);
		if (eq != NULL &&
		    (hide_all ||
		     tp_redact_is_secret_name(p, (size_t)(eq - p)))) {
			tp_redact_escape(b, p, (size_t)(eq - p + 1));
			tp_buf_adds(b, TP_REDACTED);
			add_secret(secrets, eq + 1, (size_t)(p + n - eq - 1));
		} else {
			tp_redact_escape(b, p, n);
		}
		if (amp == NULL)
			break;
		tp_buf_addc(b, '&');
		p = amp + 1;
	}
}

void
tp_redact_url(struct tp_buf *b, const char *url, int hide_query)
{
	const char *scheme, *auth, *path, *at, *q, *frag;
	size_t len = strlen(url);

	frag = strchr(url, '#');
	if (frag != NULL)
		len = (size_t)(frag - url);
	scheme = strstr(url, "://");
	auth = scheme != NULL && scheme < url + len ? scheme + 3 : url;
	path = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(path - auth));
	tp_redact_escape(b, url, (size_t)(auth - url));
	if (at != NULL) {
		tp_buf_adds(b, TP_REDACTED "@");
		auth = at + 1;
	}
	q = memchr(path, '?', (size_t)(url + len - path));
	if (q == NULL) {
		tp_redact_escape(b, auth, (size_t)(url + len - auth));
		return;
	}
	tp_redact_escape(b, auth, (size_t)(q + 1 - auth));
	redact_pairs(b, q + 1, (size_t)(url + len - q - 1), hide_query, NULL);
}

/* Remember the string leaves under a redacted JSON value. */
static void
json_collect(const cJSON *j, struct tp_strv *secrets)
{
	const cJSON *c;

	if (cJSON_IsString(j))
		add_secret(secrets, j->valuestring, strlen(j->valuestring));
	for (c = j->child; c != NULL; c = c->next)
		json_collect(c, secrets);
}

static void
json_redact(cJSON *j, struct tp_strv *secrets)
{
	cJSON *c, *next, *rep;

	for (c = j->child; c != NULL; c = next) {
		next = c->next;
		if (c->string != NULL &&
		    tp_redact_is_secret_name(c->string, strlen(c->string))) {
			json_collect(c, secrets);
			rep = cJSON_CreateString(TP_REDACTED);
			if (rep == NULL)
				continue;
			/* The replacement takes over the member name. */
			rep->string = c->string;
			c->string = NULL;
			cJSON_ReplaceItemViaPointer(j, c, rep);
		} else if (cJSON_IsString(c) &&
		           is_credential_value(c->valuestring,
		                               strlen(c->valuestring))) {
			json_collect(c, secrets);
			cJSON_SetValuestring(c, TP_REDACTED);
		} else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			json_redact(c, secrets);
		}
	}
}

/* 0 and the redacted JSON appended, or -1 when body is not JSON. */
static int
body_json(struct tp_buf *out, const char *body, size_t n,
          struct tp_strv *secrets)
{
	cJSON *j;
	char *s;

	j = cJSON_ParseWithLength(body, n);
	if (j == NULL)
		return -1;
	json_redact(j, secrets);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (s == NULL)
		return -1;
	tp_buf_adds(out, s);
	cJSON_free(s);
	return 0;
}

static void
xml_collect(xmlNode *n, struct tp_strv *secrets)
{
	xmlChar *s;

	s = xmlNodeGetContent(n);
	if (s != NULL) {
		add_secret(secrets, (const char *)s, strlen((const char *)s));
		tp_wipe(s, strlen((const char *)s));
		xmlFree(s);
	}
}

static void
xml_redact(xmlNode *n, struct tp_strv *secrets)
{
	xmlAttr *a;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a != NULL; a = a->next)
			if (tp_redact_is_secret_name(
			        (const char *)a->name,
			        strlen((const char *)a->name))) {
				xml_collect((xmlNode *)a, secrets);
				xmlSetProp(n, a->name, BAD_CAST TP_REDACTED);
			}
		if (tp_redact_is_secret_name((const char *)n->name,
		                             strlen((const char *)n->name))) {
			xml_collect(n, secrets);
			xmlNodeSetContent(n, BAD_CAST TP_REDACTED);
		} else {
			xml_redact(n->children, secrets);
		}
	}
}

static int
body_xml(struct tp_buf *out, const char *body, size_t n,
         struct tp_strv *secrets)
{
	xmlDoc *doc;
	xmlBuffer *xb;
	int rc = -1;

	if (n > (size_t)0x7fffffff)
		return -1;
	/* No network, no entity expansion, no messages on stderr. */
	doc = xmlReadMemory(body, (int)n, NULL, NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR |
	                        XML_PARSE_NOWARNING);
	if (doc == NULL)
		return -1;
	xml_redact(xmlDocGetRootElement(doc), secrets);
	xb = xmlBufferCreate();
	if (xb != NULL &&
	    xmlNodeDump(xb, doc, xmlDocGetRootElement(doc), 0, 0) >= 0) {
		tp_buf_adds(out, (const char *)xmlBufferContent(xb));
		rc = 0;
	}
	xmlBufferFree(xb);
	xmlFreeDoc(doc);
	return rc;
}

static int
type_has(const char *content_type, const char *what)
{
	return content_type != NULL &&
	    has_part_ci(content_type, strlen(content_type), what);
}

void
tp_redact_body(struct tp_buf *b, const char *body, size_t n,
               const char *content_type, size_t max, struct tp_strv *secrets)
{
	struct tp_buf red = TP_BUF_INIT(((size_t)1) << 26);
	const char *p = body;
	size_t len = n, i = 0;
	int done = -1;

	while (i < n && isspace((unsigned char)body[i]))
		i++;
	if (type_has(content_type, "json") ||
	    (i < n && (body[i] == '{' || body[i] == '[')))
		done = body_json(&red, body, n, secrets);
	else if (type_has(content_type, "xml") || (i < n && body[i] == '<'))
		done = body_xml(&red, body, n, secrets);
	else if (type_has(content_type, "x-www-form-urlencoded")) {
		redact_pairs(&red, body, n, 0, secrets);
		done = 0;
	}
	if (done == 0 && red.err == 0) {
		p = red.s;
		len = red.len;
	}
	tp_redact_escape(b, p, len < max ? len : max);
	if (len > max)
		tp_buf_addf(b, "... [%zu more bytes]", len - max);
	tp_buf_release(&red);
}

void
tp_redact_scrub(struct tp_buf *b, const struct tp_strv *secrets)
{
	struct tp_buf out;
	size_t i, k, slen;
	int hit;

	if (secrets == NULL || secrets->n == 0 || b->err)
		return;
	tp_buf_init(&out, b->max);
	for (i = 0; i < b->len;) {
		hit = 0;
		for (k = 0; k < secrets->n && !hit; k++) {
			slen = strlen(secrets->v[k]);
			if (slen >= 4 && slen <= b->len - i &&
			    memcmp(b->s + i, secrets->v[k], slen) == 0) {
				tp_buf_adds(&out, TP_REDACTED);
				i += slen;
				hit = 1;
			}
		}
		if (!hit)
			tp_buf_addc(&out, b->s[i++]);
	}
	if (out.err) {
		/* Cannot show it safely: show nothing of it. */
		tp_buf_reset(b);
		tp_buf_adds(b, TP_REDACTED);
	} else {
		tp_buf_reset(b);
		tp_buf_add(b, out.s, out.len);
	}
	tp_wipe(out.s, out.len);
	tp_buf_release(&out);
}
