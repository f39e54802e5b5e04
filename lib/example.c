/*
 * example.c - tcum's library from C: parse a CSV table, take its cumulative
 * sum down the columns and print it as PyTorch would.  Built and run by
 * `make check` (testdata/example.test):
 *
 *     cc -Ilib example.c libtcum.a -lcjson -lcsv -lstdc++ -lm
 */
#include "tcum.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
    const char *csv = "1,2,3\n4,5,6\n";
    tc_err err;
    memset(&err, 0, sizeof err);

    tc_read_opts ro;
    tc_read_opts_init(&ro);
    tc_tensor *x = NULL;
    if (tc_read(csv, strlen(csv), &ro, &x, &err) != TC_OK) {
        fprintf(stderr, "example: %s\n", err.msg);
        return 2;
    }

    tc_op_args a;
    tc_op_args_init(&a, TC_OP_CUMSUM);
    a.has_dim = 1;
    a.dim = 0;
    tc_result r;
    int rc = tc_op_run(&a, x, &r, &err);
    tc_tensor_free(x);
    if (rc != TC_OK) {
        fprintf(stderr, "example: %s\n", err.msg);
        return 2;
    }

    tc_print_opts po;
    tc_print_opts_init(&po);
    tc_buf out = {0};
    rc = tc_print_result(&out, &r, &po, &err);
    tc_result_free(&r);
    if (rc == TC_OK)
        printf("%s\n", out.p);
    tc_buf_free(&out);
    return rc == TC_OK ? 0 : 2;
}
