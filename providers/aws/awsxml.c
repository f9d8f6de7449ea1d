/*
 * awsxml.c: libxml2 behind a few helpers for AWS's XML responses and
 * error documents.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#include "awsxml.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libxml2 wants one initialisation before threads parse concurrently. */
static void
init(void)
{
	xmlInitParser();
}

int
tp_aws_xml_parse(xmlDoc **out, const char *body, size_t len, const char *what)
{
	pthread_once(&init_once, init);
	*out = NULL;
	if (len > (size_t)1 << 30)
		return tp_err_set(TP_ENETWORK, "aws: %s is too large", what);
	*out = xmlReadMemory(body, (int)len, NULL, NULL,
	                     XML_PARSE_NONET | XML_PARSE_NOERROR |
	                         XML_PARSE_NOWARNING);
	if (*out == NULL || xmlDocGetRootElement(*out) == NULL) {
		tp_aws_xml_free(*out);
		*out = NULL;
		return tp_err_set(TP_ENETWORK, "aws: %s is not well-formed XML",
		                  what);
	}
	return 0;
}

const xmlNode *
tp_aws_xml_root(const xmlDoc *doc)
{
	return doc ? xmlDocGetRootElement((xmlDoc *)doc) : NULL;
}

int
tp_aws_xml_is(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL &&
	    strcmp((const char *)n->name, name) == 0;
}

const xmlNode *
tp_aws_xml_child(const xmlNode *n, const char *name)
{
	const xmlNode *c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (tp_aws_xml_is(c, name))
			return c;
	return NULL;
}

const xmlNode *
tp_aws_xml_path(const xmlNode *n, const char *path)
{
	char name[128];
	const char *p = path, *e;
	size_t len;

	while (n != NULL && *p != '\0') {
		e = strchr(p, '/');
		len = e ? (size_t)(e - p) : strlen(p);
		if (len >= sizeof(name))
			return NULL;
		memcpy(name, p, len);
		name[len] = '\0';
		n = tp_aws_xml_child(n, name);
		p += len + (e != NULL);
	}
	return n;
}

char *
tp_aws_xml_text(const xmlNode *n)
{
	xmlChar *c;
	char *s;

	if (n == NULL)
		return NULL;
	if ((c = xmlNodeGetContent(n)) == NULL)
		return NULL;
	s = strdup((const char *)c);
	tp_wipe(c, strlen((const char *)c));
	xmlFree(c);
	return s;
}

static void
wipe_nodes(xmlDoc *doc, xmlNode *n)
{
	for (; n != NULL; n = n->next) {
		if ((n->type == XML_TEXT_NODE ||
		     n->type == XML_CDATA_SECTION_NODE) &&
		    n->content != NULL &&
		    (doc->dict == NULL || !xmlDictOwns(doc->dict, n->content)))
			tp_wipe(n->content, strlen((const char *)n->content));
		wipe_nodes(doc, n->children);
	}
}

void
tp_aws_xml_free(xmlDoc *doc)
{
	if (doc == NULL)
		return;
	wipe_nodes(doc, doc->children);
	xmlFreeDoc(doc);
}

/* <InvalidChangeBatch><Messages><Message>...: every message, joined. */
static int
change_batch(struct tp_aws_error *e, const xmlNode *root)
{
	struct tp_buf b = TP_BUF_INIT(8192);
	const xmlNode *msgs = tp_aws_xml_child(root, "Messages"), *c;
	char *t;

	for (c = msgs ? msgs->children : NULL; c != NULL; c = c->next) {
		if (!tp_aws_xml_is(c, "Message"))
			continue;
		if ((t = tp_aws_xml_text(c)) == NULL) {
			tp_buf_release(&b);
			return tp_err_set(TP_EINTERNAL, "aws: out of memory");
		}
		if (b.len > 0)
			tp_buf_adds(&b, "; ");
		tp_buf_adds(&b, t);
		free(t);
	}
	if (b.len == 0)
		tp_buf_adds(&b, "invalid change batch");
	e->code = strdup("InvalidChangeBatch");
	e->message = tp_buf_detach(&b);
	e->request_id = tp_aws_xml_text(tp_aws_xml_child(root, "RequestId"));
	if (e->code == NULL || e->message == NULL)
		return tp_err_set(TP_EINTERNAL, "aws: out of memory");
	return 0;
}

static int
classic(struct tp_aws_error *e, const xmlNode *root)
{
	const xmlNode *err;

	if (tp_aws_xml_is(root, "ErrorResponse"))
		err = tp_aws_xml_child(root, "Error");
	else if (tp_aws_xml_is(root, "Response"))
		err = tp_aws_xml_path(root, "Errors/Error");
	else if (tp_aws_xml_is(root, "Error"))
		err = root;
	else
		return TP_ENOTFOUND;
	if (err == NULL || tp_aws_xml_child(err, "Code") == NULL)
		return TP_ENOTFOUND;
	e->type = tp_aws_xml_text(tp_aws_xml_child(err, "Type"));
	e->code = tp_aws_xml_text(tp_aws_xml_child(err, "Code"));
	e->message = tp_aws_xml_text(tp_aws_xml_child(err, "Message"));
	e->request_id = tp_aws_xml_text(tp_aws_xml_child(root, "RequestId"));
	if (e->request_id == NULL)
		e->request_id =
		    tp_aws_xml_text(tp_aws_xml_child(root, "RequestID"));
	if (e->code == NULL)
		return tp_err_set(TP_EINTERNAL, "aws: out of memory");
	return 0;
}

int
tp_aws_xml_error(struct tp_aws_error *e, const char *body, size_t len)
{
	const xmlNode *root;
	xmlDoc *doc;
	int rc;

	memset(e, 0, sizeof(*e));
	if (body == NULL || len == 0)
		return TP_ENOTFOUND;
	if (tp_aws_xml_parse(&doc, body, len, "error response") != 0) {
		tp_err_clear();
		return TP_ENOTFOUND;
	}
	root = tp_aws_xml_root(doc);
	if (tp_aws_xml_is(root, "InvalidChangeBatch"))
		rc = change_batch(e, root);
	else
		rc = classic(e, root);
	tp_aws_xml_free(doc);
	if (rc != 0)
		tp_aws_error_release(e);
	return rc;
}

void
tp_aws_error_release(struct tp_aws_error *e)
{
	if (e == NULL)
		return;
	free(e->type);
	free(e->code);
	free(e->message);
	free(e->request_id);
	memset(e, 0, sizeof(*e));
}
