/*
 * cmd.h: the commands of tlsrpt-publish. Each command file parses its own
 * options, calls one core entry point, prints, and returns an exit status
 * (shared/DESIGN.md "Exit statuses"). Only cmd/ prints or exits.
 */
#ifndef TLSRPT_CMD_H
#define TLSRPT_CMD_H

/* argv[0] is the command name; returns the exit status. One line per
 * command file. */
int cmd_publish(int argc, char **argv); /* publish.c */
int cmd_plan(int argc, char **argv);    /* publish.c */
int cmd_remove(int argc, char **argv);  /* publish.c */
int cmd_restore(int argc, char **argv); /* publish.c */
int cmd_providers(int argc, char **argv);
int cmd_check(int argc, char **argv);    /* check.c */
int cmd_generate(int argc, char **argv); /* generate.c */
int cmd_validate(int argc, char **argv); /* validate.c */

/* Print "tlsrpt-publish: MSG" on stderr (printf format). */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a usage error with a pointer to --help; returns 2. */
int cmd_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
