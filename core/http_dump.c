/*
 * http_dump.c: the -vv dump of one HTTP attempt, with every secret
 * redacted (rules in include/tlsrpt/redact.h).
 *
 * All lines of an attempt are built first and scrubbed of every secret
 * value seen anywhere in the request before the first one is shown, so a
 * token echoed in a URL or a response body is caught too.
 */
#include <string.h>
#include <strings.h>

#include "http_int.h"
#include "tlsrpt/redact.h"

#define LINE_MAX_BYTES (64 * 1024)
#define BODY_SHOWN     4096 /* bytes of a body shown */
#define CHUNK          1500 /* the sink takes lines of up to 2 KiB */

struct dump {
	struct tp_strv lines;
	struct tp_strv marked;  /* header names marked secret */
	struct tp_strv secrets; /* values to scrub everywhere */
	struct tp_buf b;
};

static void
line_end(struct dump *d)
{
	if (d->b.err == 0)
		(void)tp_strv_addn(&d->lines, d->b.s, d->b.len);
	tp_wipe(d->b.s, d->b.len);
	tp_buf_reset(&d->b);
}

static void
collect(struct dump *d, const struct tp_http_header *hd, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!hd[i].secret &&
		    !tp_redact_is_secret_name(hd[i].name, strlen(hd[i].name)))
			continue;
		(void)tp_strv_add(&d->marked, hd[i].name);
		if (strlen(hd[i].value) >= 4)
			(void)tp_strv_add(&d->secrets, hd[i].value);
	}
}

static const char *
req_content_type(const struct tp_http_req *req)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, "Content-Type") == 0)
			return req->headers[i].value;
	return NULL;
}

static void
add_body(struct dump *d, const char *dir, const char *body, size_t n,
         const char *ctype, int hide)
{
	if (n == 0)
		return;
	if (hide) {
		tp_buf_addf(&d->b,
		            "%s body: %zu bytes, not shown (may hold "
		            "credentials)",
		            dir, n);
	} else {
		tp_buf_addf(&d->b, "%s body (%zu bytes): ", dir, n);
		tp_redact_body(&d->b, body, n, ctype, BODY_SHOWN, &d->secrets);
	}
	line_end(d);
}

/* The header block libcurl sent: the request line is replaced by ours
 * (its target may hold a token), the rest redacted one by one. */
static void
add_block(struct dump *d, const char *block)
{
	const char *p = block, *eol;
	size_t len;
	int first = 1;

	while (p != NULL && *p != '\0') {
		eol = strchr(p, '\n');
		len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (!first && len > 0) {
			tp_buf_adds(&d->b, "> ");
			tp_redact_header(&d->b, p, len, &d->marked,
			                 &d->secrets);
			line_end(d);
		}
		first = 0;
		p = eol != NULL ? eol + 1 : NULL;
	}
}

static void
add_response(struct dump *d, const struct tp_http_req *req,
             const char *status_line, const struct tp_http_resp *resp,
             double seconds, int new_conn)
{
	size_t i;

	tp_buf_adds(&d->b, "< ");
	tp_redact_escape(&d->b, status_line, strlen(status_line));
	tp_buf_addf(&d->b, " (%.3f s, %s connection)", seconds,
	            new_conn ? "new" : "reused");
	line_end(d);
	for (i = 0; i < resp->headers.n; i++) {
		tp_buf_adds(&d->b, "< ");
		tp_redact_header(&d->b, resp->headers.v[i],
		                 strlen(resp->headers.v[i]), &d->marked,
		                 &d->secrets);
		line_end(d);
	}
	add_body(d, "<", resp->body, resp->body_len, resp->content_type,
	         req->no_body_log);
}

static void
emit(const struct tp_sink *sink, struct dump *d)
{
	size_t i, off, len;
	const char *cont;

	for (i = 0; i < d->lines.n; i++) {
		tp_buf_reset(&d->b);
		tp_buf_adds(&d->b, d->lines.v[i]);
		tp_redact_scrub(&d->b, &d->secrets);
		off = 0;
		do {
			len = d->b.len - off < CHUNK ? d->b.len - off : CHUNK;
			cont = off > 0 ? "  ..." : "";
			tp_sink_log(sink, TP_LOG_DEBUG, "http: %s%.*s", cont,
			            (int)len, d->b.s + off);
			off += len;
		} while (off < d->b.len);
		tp_wipe(d->b.s, d->b.len);
	}
}

void
tp_http_dump(const struct tp_sink *sink, const struct tp_http_req *req,
             const struct tp_http_extra *extra, const char *header_block,
             const char *status_line, const struct tp_http_resp *resp,
             const char *error, double seconds, int new_conn, int n, int max)
{
	struct dump d;
	size_t i;

	memset(&d, 0, sizeof(d));
	tp_buf_init(&d.b, LINE_MAX_BYTES);
	collect(&d, req->headers, req->nheaders);
	collect(&d, extra->h, extra->n);
	tp_buf_addf(&d.b, "> %s ", req->method);
	tp_redact_url(&d.b, req->url, req->no_body_log);
	tp_buf_addf(&d.b, " (attempt %d of %d)", n + 1, max + 1);
	line_end(&d);
	add_block(&d, header_block);
	if (req->body != NULL)
		add_body(&d, ">", req->body, req->body_len,
		         req_content_type(req), req->no_body_log);
	if (error != NULL) {
		tp_buf_adds(&d.b, "! ");
		tp_redact_escape(&d.b, error, strlen(error));
		line_end(&d);
	}
	if (status_line != NULL)
		add_response(&d, req, status_line, resp, seconds, new_conn);
	emit(sink, &d);
	for (i = 0; i < d.secrets.n; i++)
		tp_wipe(d.secrets.v[i], strlen(d.secrets.v[i]));
	for (i = 0; i < d.lines.n; i++)
		tp_wipe(d.lines.v[i], strlen(d.lines.v[i]));
	tp_strv_release(&d.lines);
	tp_strv_release(&d.marked);
	tp_strv_release(&d.secrets);
	tp_buf_release(&d.b);
}
