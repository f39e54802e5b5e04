/* ops.c - STUB: to be written. */
#include "tc_private.h"

const char *tc_op_name(tc_op op) { (void)op; return "?"; }
int tc_op_parse(const char *s, tc_op *out) { (void)s; (void)out; return 0; }
void tc_op_args_init(tc_op_args *a, tc_op op) { (void)a; (void)op; }
int tc_op_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err) { (void)a; (void)x; (void)r; return tc_err_set(err, TC_EUSAGE, "not implemented"); }
