/*
 * publish_help.h: the --help text of the commands in cmd/publish.c.
 */
#ifndef TLSRPT_CMD_PUBLISH_HELP_H
#define TLSRPT_CMD_PUBLISH_HELP_H

#include <stdio.h>

#include "tlsrpt/publish.h"

/* Print the usage of the command mode names to f. */
void cmd_publish_usage(enum tp_publish_mode mode, FILE *f);

#endif
