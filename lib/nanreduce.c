/* nanreduce.c - numpy.nanmax, numpy.nanmin and numpy.nanprod (stub). */
#include "tc_private.h"

int tc_nanreduce_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    (void)a; (void)x; (void)r;
    return tc_err_set(err, TC_EARG, "not yet");
}
