/* help.h - the CLI's help texts. */
#ifndef TCUM_HELP_H
#define TCUM_HELP_H

#include <stdio.h>

/* The overview printed by `tcum --help`. */
void tc_cli_usage(FILE *f);
/* The help of one op (`tcum cumsum --help`); 0 if op is unknown. */
int tc_cli_op_help(FILE *f, const char *op);

#endif /* TCUM_HELP_H */
