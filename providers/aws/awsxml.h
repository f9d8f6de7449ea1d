/*
 * awsxml.h: reading AWS XML responses with libxml2 (STS and Route 53),
 * private to providers/aws/ and the AWS backends.
 *
 * Documents are parsed without network access and without entity
 * substitution (no XXE), errors never printed. Elements are matched by
 * local name: AWS's namespaces vary by service and version.
 *
 * Ownership: a parsed document belongs to the caller and is freed with
 * tp_aws_xml_free(), which first wipes the text it holds (STS and
 * credential responses carry keys). Nodes are borrowed from their
 * document; tp_aws_xml_text() returns a malloc'd copy.
 */
#ifndef TLSRPT_AWS_XML_H
#define TLSRPT_AWS_XML_H

#include <stddef.h>

#include <libxml/tree.h>

/* Parse body; what names the document in messages ("STS response").
 * TP_ENETWORK when it is not well-formed XML (a broken response). */
int tp_aws_xml_parse(xmlDoc **out, const char *body, size_t len,
                     const char *what);

/* The root element, or NULL. */
const xmlNode *tp_aws_xml_root(const xmlDoc *doc);

/* The first child element of n with this local name, or NULL; n may be
 * NULL. */
const xmlNode *tp_aws_xml_child(const xmlNode *n, const char *name);

/* Walk "A/B/C" down from n through first matching children, or NULL. */
const xmlNode *tp_aws_xml_path(const xmlNode *n, const char *path);

/* The text content of n as a malloc'd string (the caller frees it), or
 * NULL when n is NULL or out of memory. */
char *tp_aws_xml_text(const xmlNode *n);

/* 1 when n is an element with this local name. */
int tp_aws_xml_is(const xmlNode *n, const char *name);

/* Wipe every text node, then free; doc may be NULL. */
void tp_aws_xml_free(xmlDoc *doc);

/* An AWS error document, in any of its shapes:
 *   <ErrorResponse><Error><Code/><Message/></Error><RequestId/>
 *   <Response><Errors><Error><Code/><Message/></Error></Errors>
 *   <InvalidChangeBatch><Messages><Message/>...</Messages>  (Route 53;
 *     code "InvalidChangeBatch", messages joined with "; ")
 * Strings are owned, NULL when absent. */
struct tp_aws_error {
	char *type; /* "Sender" / "Receiver" */
	char *code;
	char *message;
	char *request_id;
};

/* Fill e from body. 0 when body is an AWS error document, TP_ENOTFOUND
 * when it is not (e is then empty), TP_EINTERNAL without memory. */
int tp_aws_xml_error(struct tp_aws_error *e, const char *body, size_t len);

void tp_aws_error_release(struct tp_aws_error *e);

#endif
