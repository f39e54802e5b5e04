/* grad.c - STUB: to be written. */
#include "tc_private.h"

int tc_op_grad(const tc_op_args *a, const tc_tensor *x, const tc_tensor *grad_output, tc_tensor **out, tc_err *err) { (void)a; (void)x; (void)grad_output; *out = NULL; return tc_err_set(err, TC_EUSAGE, "not implemented"); }
