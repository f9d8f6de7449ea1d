/*
 * validate.c: `tlsrpt-publish validate`: check one record offline and
 * show each problem under the record, like a compiler.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/diag.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "tlsrpt/txt.h"

#define STDIN_MAX (1024 * 1024)
#define SHOW_COLS 100 /* the part of a long record shown above a caret */

static const char usage_text[] =
    "usage: tlsrpt-publish validate [--output text|json] [--presentation]\n"
    "                               [--strict] [RECORD | -]\n"
    "\n"
    "Check one TLS-RPT record value offline: RFC 8460's grammar decides\n"
    "valid or invalid; warnings say where deployed senders mishandle a\n"
    "record the RFC allows. RECORD is taken byte for byte; '-' (or no\n"
    "argument) reads standard input whole, one trailing newline removed.\n"
    "\n"
    "Options:\n"
    "  --output text|json  text (default) points at each problem; json\n"
    "                      prints one object: {\"record\", \"valid\",\n"
    "                      \"diagnostics\": [{\"severity\", \"code\",\n"
    "                      \"offset\", \"message\", \"hint\"}]}\n"
    "  --presentation      the input is the zone-file form, as dig prints\n"
    "                      it: \"v=TLSRPTv1; \" \"rua=...\" (strings joined\n"
    "                      with nothing added)\n"
    "  --strict            warnings make the exit status 1 as well\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 valid, 1 invalid (or warnings with --strict), 2 usage\n"
    "error. Every diagnostic code is listed in tlsrpt-publish(1).\n";

struct vopts {
	int json;
	int presentation;
	int strict;
	const char *arg; /* NULL or "-": standard input */
};

static int
parse(struct vopts *o, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"presentation", no_argument, NULL, 'p'},
	    {"strict", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0)
				return cmd_usage_error(
				    "validate",
				    "--output '%s': use text or json", optarg);
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'p':
			o->presentation = 1;
			break;
		case 's':
			o->strict = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case ':':
			return cmd_usage_error("validate",
			                       "option '%s' needs a value",
			                       argv[optind - 1]);
		default:
			return cmd_usage_error("validate",
			                       "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(
		    "validate",
		    "give one record (quote it: 'v=TLSRPTv1; "
		    "rua=...'), or '-' for standard input");
	o->arg = optind < argc ? argv[optind] : NULL;
	if ((o->arg == NULL || strcmp(o->arg, "-") == 0) && isatty(0))
		return cmd_usage_error("validate",
		                       "give a RECORD, or pipe one into "
		                       "'validate -'");
	return 0;
}

/* Standard input, whole, with one trailing newline removed. */
static int
read_stdin(struct tp_buf *b)
{
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		tp_buf_add(b, chunk, n);
	if (ferror(stdin))
		return cmd_usage_error("validate",
		                       "cannot read standard input");
	if (b->err != 0)
		return cmd_usage_error("validate",
		                       "standard input is larger than %d bytes",
		                       STDIN_MAX);
	if (b->len > 0 && b->s[b->len - 1] == '\n')
		b->s[--b->len] = '\0';
	return 0;
}

static size_t
width(unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		return 1;
	return c == '\t' ? 2 : 4;
}

static void
put_byte(unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		putchar(c);
	else if (c == '\t')
		fputs("\\t", stdout);
	else
		printf("\\x%02X", c);
}

/* The record (or a window of it around off) and a caret under off. */
static void
show(const char *rec, size_t len, size_t off)
{
	size_t from = 0, to = len, w = 0, col, i;

	if (off > len)
		off = len;
	for (i = 0; i < len; i++)
		w += width((unsigned char)rec[i]);
	if (w > SHOW_COLS) {
		from = to = off;
		w = 0;
		while (from > 0 &&
		       w + width((unsigned char)rec[from - 1]) <= SHOW_COLS / 2)
			w += width((unsigned char)rec[--from]);
		while (to < len &&
		       w + width((unsigned char)rec[to]) <= SHOW_COLS)
			w += width((unsigned char)rec[to++]);
	}
	col = from > 0 ? 3 : 0;
	if (from > 0)
		fputs("...", stdout);
	for (i = from; i < to; i++) {
		if (i < off)
			col += width((unsigned char)rec[i]);
		put_byte((unsigned char)rec[i]);
	}
	if (to < len)
		fputs("...", stdout);
	putchar('\n');
	printf("%*s^\n", (int)col, "");
}

static void
print_text(const char *rec, size_t len, const struct tp_diags *d)
{
	size_t i, e, w, n;

	for (i = 0; i < d->n; i++) {
		show(rec, len, d->v[i].offset);
		printf("%s[%s]: %s\n", tp_severity_name(d->v[i].severity),
		       d->v[i].code, d->v[i].message);
		if (d->v[i].hint != NULL)
			printf("hint: %s\n", d->v[i].hint);
		putchar('\n');
	}
	e = tp_diags_count(d, TP_SEV_ERROR);
	w = tp_diags_count(d, TP_SEV_WARNING);
	n = tp_diags_count(d, TP_SEV_INFO);
	printf("%s: %zu error%s, %zu warning%s, %zu info%s\n",
	       e ? "invalid" : "valid", e, e == 1 ? "" : "s", w,
	       w == 1 ? "" : "s", n, n == 1 ? "" : "s");
}

/* The record's bytes into *rec (decoded when --presentation). */
static int
input(struct tp_buf *in, struct tp_txt *t, const struct vopts *o,
      const char **rec, size_t *len)
{
	int rc;

	if (o->arg != NULL && strcmp(o->arg, "-") != 0)
		tp_buf_adds(in, o->arg);
	else if ((rc = read_stdin(in)) != 0)
		return rc;
	*rec = in->s;
	*len = in->len;
	if (!o->presentation)
		return 0;
	/* dig prints one line per RR: joining lines would merge records. */
	if (memchr(in->s, '\n', in->len) != NULL)
		return cmd_usage_error(
		    "validate",
		    "--presentation input has several lines: "
		    "give one TXT record (one line of dig's "
		    "output) at a time");
	if (tp_txt_from_presentation(t, in->s, in->len) != 0)
		return cmd_usage_error("validate", "%s", tp_err_msg());
	*rec = t->data;
	*len = t->len;
	return 0;
}

int
cmd_validate(int argc, char **argv)
{
	struct tp_buf in = TP_BUF_INIT(STDIN_MAX);
	struct tp_diags d = TP_DIAGS_INIT;
	struct tp_txt t = {NULL, 0, 0, NULL};
	struct vopts o;
	const char *rec;
	char *json = NULL;
	size_t len;
	int rc;

	if ((rc = parse(&o, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = input(&in, &t, &o, &rec, &len)) != 0)
		goto out;
	if (tp_record_validate(&d, rec, len) != 0 ||
	    (o.json && tp_record_validation_json(&json, rec, len, &d) != 0)) {
		cmd_error("%s", tp_err_msg());
		rc = 1;
		goto out;
	}
	if (o.json)
		puts(json);
	else
		print_text(rec, len, &d);
	rc = tp_diags_count(&d, TP_SEV_ERROR) > 0 ||
	    (o.strict && tp_diags_count(&d, TP_SEV_WARNING) > 0);
out:
	free(json);
	tp_txt_release(&t);
	tp_diags_release(&d);
	tp_buf_release(&in);
	return rc;
}
