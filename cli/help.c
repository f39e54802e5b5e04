/* help.c - STUB: the help texts (being written). */
#include "help.h"

void tc_cli_usage(FILE *f)
{
    fputs("usage: tcum OP [OPTIONS] [FILE]\n", f);
}

int tc_cli_op_help(FILE *f, const char *op)
{
    (void)f;
    (void)op;
    return 0;
}
