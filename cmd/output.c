/*
 * output.c: the sinks behind output.h. Text for people (colour only on a
 * terminal and without NO_COLOR; a live progress line on stderr when it
 * is a terminal; a summary table per provider at the end), json and jsonl
 * for pipelines (through core/report.c, so every command emits one
 * schema), and the --report file.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "tlsrpt/clock.h"
#include "tlsrpt/err.h"
#include "tlsrpt/report.h"

enum fmt { FMT_TEXT, FMT_JSON, FMT_JSONL };

/*
 * The --report file is written as results arrive, to a temporary file
 * beside it that is renamed over FILE at the end. So an old report of
 * the same name survives a run that fails before doing anything, and a
 * run aborted by a second signal still leaves every result that was
 * final (cmd_output_abort_report, from the signal handler: rename() is
 * async-signal-safe, and each result is flushed as it is written).
 * restore reads such a cut-short report. One report per process.
 */
static char report_tmp[4096], report_final[4096];
static volatile sig_atomic_t report_armed;

/* The summary table's rows: counts per provider. */
#define MAX_ROWS 16

struct row {
	char name[32];
	struct tp_summary s;
};

struct cmd_output {
	enum fmt fmt;
	int quiet, verbose, tty;
	int color; /* stdout is a terminal and NO_COLOR is not set */
	const char *command;
	FILE *report;      /* the --report file being written: report_tmp */
	size_t nreported;  /* results written to it so far */
	int report_direct; /* FILE itself, not a temporary file beside it */
	char **json;       /* each result's JSON, for --output json */
	size_t njson, ajson;
	struct tp_summary seen;
	struct row rows[MAX_ROWS];
	size_t nrows;
	int progress_shown;
	double progress_at; /* when the line was last drawn */
	struct tp_sink sink;
};

/* ANSI colours for the action and status words. */
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED    "\033[31m"
#define C_DIM    "\033[2m"
#define C_OFF    "\033[0m"

/* https://no-color.org: any non-empty NO_COLOR turns colour off. */
static int
want_color(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc != NULL && nc[0] != '\0')
		return 0;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(STDOUT_FILENO);
}

static const char *
action_color(const struct tp_result *r)
{
	if (r->kind == TP_RESULT_CHECK)
		return r->status == TP_CHECK_VALID  ? C_GREEN
		    : r->status == TP_CHECK_UNKNOWN ? C_YELLOW
		                                    : C_RED;
	switch (r->action) {
	case TP_ACTION_CREATED:
	case TP_ACTION_UPDATED:
	case TP_ACTION_REMOVED:
		return C_GREEN;
	case TP_ACTION_UNCHANGED:
		return C_DIM;
	case TP_ACTION_FAILED:
		return C_RED;
	default:
		return C_YELLOW;
	}
}

/* ---- text ------------------------------------------------------------- */

/* Print bytes that came from DNS without letting them drive the
 * terminal: controls and DEL as \xNN. */
static void
put_safe(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void
clock_of(char *buf, size_t size, double t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, size, "%s", "-");
}

static void
text_servers(FILE *f, const struct tp_confirm *c)
{
	const struct tp_server_result *s;
	char since[16];
	size_t i, k;

	for (i = 0; i < c->nservers; i++) {
		s = &c->servers[i];
		clock_of(since, sizeof(since), s->since);
		fprintf(f, "  %-8s %s%s%s  %s%s since %s", i ? "" : "servers",
		        s->address, s->ns ? " " : "", s->ns ? s->ns : "",
		        tp_server_state_name(s->state),
		        s->excused ? " (not counted)" : "", since);
		if (s->detail != NULL) {
			fputs(": ", f);
			put_safe(f, s->detail);
		}
		fputc('\n', f);
		for (k = 0; s->state != TP_SERVER_EXPECTED && k < s->values.n;
		     k++) {
			fputs("             \"", f);
			put_safe(f, s->values.v[k]);
			fputs("\"\n", f);
		}
	}
}

static void
text_diags(FILE *f, const struct tp_diags *d, int quiet)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (quiet && d->v[i].severity != TP_SEV_ERROR)
			continue;
		fprintf(f, "  %-8s %s: ", tp_severity_name(d->v[i].severity),
		        d->v[i].code);
		put_safe(f, d->v[i].message);
		fputc('\n', f);
		if (d->v[i].hint != NULL) {
			fputs("           hint: ", f);
			put_safe(f, d->v[i].hint);
			fputc('\n', f);
		}
	}
}

static void
text_values(FILE *f, const char *label, const struct tp_strv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		fprintf(f, "  %-8s \"", i ? "" : label);
		put_safe(f, v->v[i]);
		fputs("\"\n", f);
	}
}

/* A TTL is the whole RRset's: say so when a change sets one. */
static void
text_ttl(FILE *f, const struct tp_result *r)
{
	if (r->kind != TP_RESULT_CHANGE || r->ttl <= 0)
		return;
	if (r->old_ttl > 0 && r->old_ttl != r->ttl)
		fprintf(f,
		        "  %-8s %ld -> %ld (for every TXT value at the name)\n",
		        "ttl", r->old_ttl, r->ttl);
	else if (r->old_ttl <= 0)
		fprintf(f, "  %-8s %ld (new record set)\n", "ttl", r->ttl);
}

static void
text_confirm(FILE *f, const struct tp_confirm *c)
{
	char when[32];
	struct tm tm;
	time_t tt;

	if (c->status == TP_CONFIRM_NONE)
		return;
	fprintf(f, ", %s", tp_confirm_status_name(c->status));
	if (c->status == TP_CONFIRM_SKIPPED)
		return;
	fprintf(f, " after %.1f s", c->seconds);
	tt = (time_t)c->visible_by;
	if (c->visible_by > 0 && gmtime_r(&tt, &tm) != NULL &&
	    strftime(when, sizeof(when), "%H:%M UTC", &tm) > 0)
		fprintf(f, "; visible to all senders by about %s", when);
}

static void
text_result(struct cmd_output *o, const struct tp_result *r)
{
	FILE *f = stdout;

	fprintf(f, "%s: %s%s%s", r->domain ? r->domain : "?",
	        o->color ? action_color(r) : "",
	        r->kind == TP_RESULT_CHECK ? tp_check_status_name(r->status)
	                                   : tp_action_name(r->action),
	        o->color ? C_OFF : "");
	text_confirm(f, &r->confirm);
	fputc('\n', f);
	if (r->record != NULL) {
		fprintf(f, "  %-8s ", "record");
		put_safe(f, r->record);
		fputc('\n', f);
	}
	if (r->kind == TP_RESULT_CHECK &&
	    !(r->values.n == 1 && r->record &&
	      strcmp(r->values.v[0], r->record) == 0))
		text_values(f, "values", &r->values);
	if (r->has_sets) {
		text_values(f, "before", &r->before);
		text_values(f, "after", &r->after);
	}
	text_ttl(f, r);
	text_values(f, "dropped", &r->dropped_rua);
	if (r->zone != NULL && o->verbose)
		fprintf(f, "  %-8s %s\n", "zone", r->zone);
	if (r->provider != NULL && o->verbose && r->kind == TP_RESULT_CHANGE)
		fprintf(f, "  %-8s %s%s%s\n", "provider", r->provider,
		        r->account ? ", account " : "",
		        r->account ? r->account : "");
	text_servers(f, &r->confirm);
	if (r->mta_sts != TP_MTA_STS_NONE)
		fprintf(f, "  %-8s %s\n", "mta-sts",
		        tp_mta_sts_name(r->mta_sts));
	text_diags(f, &r->diagnostics, o->quiet);
	if (r->error.code != 0) {
		fprintf(f, "  %-8s ", "error");
		put_safe(f, r->error.message ? r->error.message : "");
		fputc('\n', f);
	}
}

/* ---- the sink callbacks ---------------------------------------------- */

static void
clear_progress(struct cmd_output *o)
{
	if (o->progress_shown) {
		fputs("\r\033[K", stderr);
		o->progress_shown = 0;
	}
}

static int
keep_json(struct cmd_output *o, char *s)
{
	char **nv;

	if (o->njson == o->ajson) {
		nv = realloc(o->json,
		             (o->ajson ? o->ajson * 2 : 64) * sizeof(*nv));
		if (nv == NULL) {
			free(s);
			return -1;
		}
		o->json = nv;
		o->ajson = o->ajson ? o->ajson * 2 : 64;
	}
	o->json[o->njson++] = s;
	return 0;
}

/* Count r in its provider's row of the summary table. */
static void
count_row(struct cmd_output *o, const struct tp_result *r)
{
	const char *name = r->provider != NULL ? r->provider : "-";
	size_t i;

	for (i = 0; i < o->nrows; i++)
		if (strcmp(o->rows[i].name, name) == 0)
			break;
	if (i == o->nrows) {
		if (o->nrows == MAX_ROWS)
			return;
		(void)snprintf(o->rows[i].name, sizeof(o->rows[i].name), "%s",
		               name);
		o->nrows++;
	}
	tp_summary_add(&o->rows[i].s, r, 0);
}

static void
on_result(void *ctx, const struct tp_result *r)
{
	struct cmd_output *o = ctx;
	char *s = NULL;

	clear_progress(o);
	tp_summary_add(&o->seen, r, 0);
	if (r->kind == TP_RESULT_CHANGE)
		count_row(o, r);
	if (o->fmt != FMT_TEXT || o->report != NULL) {
		if (tp_report_result_json(&s, r) != 0) {
			fprintf(stderr, "tlsrpt-publish: %s\n", tp_err_msg());
			return;
		}
	}
	if (o->fmt == FMT_JSONL) {
		puts(s);
		fflush(stdout);
	} else if (o->fmt == FMT_TEXT &&
	           (!o->quiet || tp_result_exit_status(r, 0) != TP_EXIT_OK)) {
		text_result(o, r);
		fflush(stdout);
	}
	if (s != NULL && o->report != NULL) {
		/* One result a line, so a report cut short by an abort is
		 * still read line by line (core/restore.c). */
		fprintf(o->report, "%s\n  %s", o->nreported++ ? "," : "", s);
		fflush(o->report);
	}
	if (s != NULL && o->fmt == FMT_JSON)
		(void)keep_json(o, s);
	else
		free(s);
}

/* Columns of the terminal stderr is, so the line never wraps (a wrapped
 * line cannot be redrawn in place). */
static size_t
term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

static void
on_progress(void *ctx, const struct tp_progress *p)
{
	struct cmd_output *o = ctx;
	char line[512];
	size_t w = term_width();
	double now = tp_clock_mono();

	if (!o->tty || o->quiet || p->total < 2)
		return;
	/* A few redraws a second at most, however often core reports. */
	if (now - o->progress_at < 0.2 && p->done < p->total)
		return;
	o->progress_at = now;
	(void)tp_progress_format(line, sizeof(line), p);
	if (strlen(line) >= w)
		line[w - 1] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	o->progress_shown = 1;
}

static void
on_log(void *ctx, enum tp_log_level level, const char *line)
{
	struct cmd_output *o = ctx;

	(void)level;
	clear_progress(o);
	fputs("tlsrpt-publish: ", stderr);
	put_safe(stderr, line);
	fputc('\n', stderr);
}

/* ---- the API ---------------------------------------------------------- */

/* Start the report: a temporary file beside FILE, with the mode a new
 * FILE would get, and the document's opening. FILE that is a link, a
 * device or a pipe (--report /dev/stdout) is written in place instead:
 * renaming over it would replace it. */
static int
report_open(struct cmd_output *o, const char *report)
{
	struct stat st;
	mode_t um;
	int fd;

	if (lstat(report, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->report = fopen(report, "w")) == NULL)
			return -1;
		o->report_direct = 1;
		fputs("{\"results\": [", o->report);
		fflush(o->report);
		return 0;
	}
	if (report_armed ||
	    (size_t)snprintf(report_final, sizeof(report_final), "%s",
	                     report) >= sizeof(report_final) ||
	    (size_t)snprintf(report_tmp, sizeof(report_tmp), "%s.XXXXXX",
	                     report) >= sizeof(report_tmp))
		return -1;
	if ((fd = mkstemp(report_tmp)) < 0)
		return -1;
	um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	if ((o->report = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(report_tmp);
		return -1;
	}
	fputs("{\"results\": [", o->report);
	fflush(o->report);
	report_armed = 1;
	return 0;
}

/* Close the report; keep it as FILE when keep, else remove it. */
static int
report_close(struct cmd_output *o, int keep)
{
	int rc = fclose(o->report) != 0 ? -1 : 0;

	o->report = NULL;
	if (o->report_direct)
		return rc;
	report_armed = 0;
	if (keep && rc == 0)
		rc = rename(report_tmp, report_final);
	else
		unlink(report_tmp);
	return rc;
}

void
cmd_output_abort_report(void)
{
	if (report_armed)
		(void)rename(report_tmp, report_final);
}

int
cmd_output_open(struct cmd_output **out, const char *format, const char *report,
                int quiet, int verbose, const char *command)
{
	struct cmd_output *o;

	*out = NULL;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return tp_err_set(TP_EINTERNAL, "output: out of memory");
	if (format == NULL || strcmp(format, "text") == 0)
		o->fmt = FMT_TEXT;
	else if (strcmp(format, "json") == 0)
		o->fmt = FMT_JSON;
	else if (strcmp(format, "jsonl") == 0)
		o->fmt = FMT_JSONL;
	else {
		free(o);
		return tp_err_set(TP_EUSAGE,
		                  "--output '%s': use text, json or jsonl",
		                  format);
	}
	if (report != NULL && report_open(o, report) != 0) {
		free(o);
		return tp_err_set(TP_EUSAGE,
		                  "--report '%s': cannot write it: check the "
		                  "directory and permissions",
		                  report);
	}
	o->quiet = quiet;
	o->verbose = verbose;
	o->tty = isatty(STDERR_FILENO);
	o->color = want_color();
	o->command = command;
	o->sink.ctx = o;
	o->sink.result = on_result;
	o->sink.progress = on_progress;
	o->sink.log = on_log;
	o->sink.level = quiet ? TP_LOG_WARN
	    : verbose >= 2    ? TP_LOG_DEBUG
	    : verbose == 1    ? TP_LOG_INFO
	                      : TP_LOG_WARN;
	/* -q hides warnings too: a level below WARN does not exist, so the
	 * log callback is dropped instead. */
	if (quiet)
		o->sink.log = NULL;
	*out = o;
	return 0;
}

const struct tp_sink *
cmd_output_sink(struct cmd_output *o)
{
	return &o->sink;
}

/* {"results": [...], "summary": {...}} from the kept lines. */
static void
json_doc(FILE *f, struct cmd_output *o, const char *summary)
{
	size_t i;

	fputs("{\"results\": [", f);
	for (i = 0; i < o->njson; i++)
		fprintf(f, "%s\n  %s", i ? "," : "", o->json[i]);
	fprintf(f, "%s], \"summary\": %s}\n", o->njson ? "\n" : "", summary);
}

static void
text_summary(struct cmd_output *o, const struct tp_summary *s)
{
	int i, first = 1;

	printf("%s: %zu domain%s:", o->command, s->total,
	       s->total == 1 ? "" : "s");
	for (i = TP_ACTION_CREATED; i <= TP_ACTION_FAILED; i++)
		if (s->actions[i] > 0) {
			printf("%s %zu %s", first ? "" : ",", s->actions[i],
			       tp_action_name(i));
			first = 0;
		}
	for (i = TP_CHECK_VALID; i <= TP_CHECK_UNKNOWN; i++)
		if (s->statuses[i] > 0) {
			printf("%s %zu %s", first ? "" : ",", s->statuses[i],
			       tp_check_status_name(i));
			first = 0;
		}
	for (i = TP_CONFIRM_CONFIRMED; i <= TP_CONFIRM_SKIPPED; i++)
		if (s->confirm[i] > 0) {
			printf("%s %zu %s", first ? "" : ",", s->confirm[i],
			       tp_confirm_status_name(i));
			first = 0;
		}
	printf("\n");
}

/* The columns of the table: every action and confirmation status that
 * some domain has, in a fixed order. */
static size_t
table_cols(const struct tp_summary *t, const char **names, size_t *vals_at,
           int *is_confirm)
{
	size_t n = 0;
	int i;

	for (i = TP_ACTION_CREATED; i <= TP_ACTION_FAILED; i++)
		if (t->actions[i] > 0) {
			names[n] = tp_action_name(i);
			vals_at[n] = (size_t)i;
			is_confirm[n++] = 0;
		}
	for (i = TP_CONFIRM_CONFIRMED; i <= TP_CONFIRM_SKIPPED; i++)
		if (t->confirm[i] > 0) {
			names[n] = tp_confirm_status_name(i);
			vals_at[n] = (size_t)i;
			is_confirm[n++] = 1;
		}
	return n;
}

static void
table_row(const char *name, const struct tp_summary *s, size_t ncols,
          const size_t *at, const int *conf, const char **names)
{
	size_t i;

	printf("%-12s %7zu", name, s->total);
	for (i = 0; i < ncols; i++)
		printf("  %*zu",
		       (int)strlen(names[i]) > 7 ? (int)strlen(names[i]) : 7,
		       conf[i] ? s->confirm[at[i]] : s->actions[at[i]]);
	putchar('\n');
}

/* publish/plan/remove/restore of several domains: one row per provider
 * and a total, so a portfolio run ends with what happened where. */
static void
text_table(const struct cmd_output *o, const struct tp_summary *total)
{
	const char *names[TP_ACTION_FAILED + TP_CONFIRM_SKIPPED + 2];
	size_t at[TP_ACTION_FAILED + TP_CONFIRM_SKIPPED + 2], i, n;
	int conf[TP_ACTION_FAILED + TP_CONFIRM_SKIPPED + 2];

	n = table_cols(total, names, at, conf);
	printf("\n%-12s %7s", "provider", "domains");
	for (i = 0; i < n; i++)
		printf("  %*s",
		       strlen(names[i]) > 7 ? (int)strlen(names[i]) : 7,
		       names[i]);
	putchar('\n');
	for (i = 0; i < o->nrows; i++)
		table_row(o->rows[i].name, &o->rows[i].s, n, at, conf, names);
	if (o->nrows > 1)
		table_row("total", total, n, at, conf, names);
}

int
cmd_output_finish(struct cmd_output *o, const struct tp_summary *sum)
{
	const struct tp_summary *s = sum != NULL ? sum : &o->seen;
	char *js = NULL;
	int status = s->exit_status;

	clear_progress(o);
	if ((o->fmt != FMT_TEXT || o->report != NULL) &&
	    tp_report_summary_json(&js, s, o->command) != 0) {
		fprintf(stderr, "tlsrpt-publish: %s\n", tp_err_msg());
		return tp_exit_combine(status, TP_EXIT_FAIL);
	}
	if (o->fmt == FMT_JSONL)
		puts(js);
	else if (o->fmt == FMT_JSON)
		json_doc(stdout, o, js);
	else if (!o->quiet && s->total > 1) {
		if (o->nrows > 0)
			text_table(o, &o->seen);
		text_summary(o, s);
	}
	fflush(stdout);
	if (o->report != NULL) {
		fprintf(o->report, "%s], \"summary\": %s}\n",
		        o->nreported ? "\n" : "", js);
		if (report_close(o, 1) != 0) {
			fprintf(stderr,
			        "tlsrpt-publish: --report '%s': write "
			        "failed\n",
			        report_final);
			status = tp_exit_combine(status, TP_EXIT_FAIL);
		}
	}
	free(js);
	return status;
}

void
cmd_output_free(struct cmd_output *o)
{
	size_t i;

	if (o == NULL)
		return;
	/* Not finished: a report with results in it is kept (it records
	 * writes made), an empty one leaves any old FILE as it was. */
	if (o->report != NULL)
		(void)report_close(o, o->nreported > 0);
	for (i = 0; i < o->njson; i++)
		free(o->json[i]);
	free(o->json);
	free(o);
}
