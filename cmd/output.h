/*
 * output.h: what every command prints, in one place: a struct tp_sink for
 * core that renders results as text (one block per domain, diagnostics
 * with hints), json ({"results": [...], "summary": {...}} at the end) or
 * jsonl (a line per result as it is final, then the summary line), log
 * lines on stderr by -q/-v level, progress on a terminal, and the
 * --report FILE copy of the json form.
 *
 * Ownership: cmd_output_open() gives a handle freed with
 * cmd_output_free(); the sink it lends is valid until then. Strings
 * passed in are borrowed and must outlive the handle.
 */
#ifndef TLSRPT_CMD_OUTPUT_H
#define TLSRPT_CMD_OUTPUT_H

#include "tlsrpt/result.h"
#include "tlsrpt/sink.h"

struct cmd_output;

/*
 * format: "text" (or NULL), "json" or "jsonl". report: a file to write
 * the json form to, or NULL (started now, so a bad path fails before any
 * work; results are written as they arrive to a temporary file beside
 * it, which replaces FILE at the end). quiet: text shows only domains not in the desired
 * state, and no warnings; verbose: 1 info lines, 2 debug lines. command
 * names the summary ("check", "publish"). Returns 0, or TP_EUSAGE with
 * the message set.
 */
int cmd_output_open(struct cmd_output **out, const char *format,
                    const char *report, int quiet, int verbose,
                    const char *command);

/* The sink to hand to core. */
const struct tp_sink *cmd_output_sink(struct cmd_output *o);

/*
 * Print the closing summary (text: one line; json: the whole document;
 * jsonl: the summary line) and write the report. sum: the counts core
 * made, or NULL to use the results this sink saw. Returns the exit
 * status (TP_EXIT_*), at least TP_EXIT_FAIL when the report cannot be
 * written.
 */
int cmd_output_finish(struct cmd_output *o, const struct tp_summary *sum);

/* o may be NULL. A report not finished is kept when it holds results,
 * else removed (an older FILE stays as it was). */
void cmd_output_free(struct cmd_output *o);

/* From a signal handler about to _exit: put the report as written so far
 * (every result final by now, without the summary) in place as FILE.
 * Async-signal-safe. */
void cmd_output_abort_report(void);

#endif
