/*
 * op_run.c - tc_op_run and tc_op_check: the arguments every op shares
 * checked, --dtype applied, and each op handed to its kernel module (scan.c,
 * reduce.c, nanreduce.c, diff.c) to run or to check.  The one file above
 * the kernels: they never call back into it (testdata/callgraph.py).
 */
#include "tc_private.h"

#include <string.h>

static int dispatch(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    switch (tc_op_family_of(a->op)) {
    case TC_FAM_SHOW:
        r->values = tc_tensor_clone(x, err);
        return r->values ? TC_OK : TC_ENOMEM;
    case TC_FAM_SCAN: return tc_scan_run(a, x, r, err);
    case TC_FAM_DIFF: return tc_diff_run(a, x, r, err);
    case TC_FAM_REDUCE: return tc_reduce_run(a, x, r, err);
    default: return tc_nanreduce_run(a, x, r, err);
    }
}

/*
 * --dtype is the op's own dtype= argument where PyTorch's signature has one
 * (passed through untouched); for every other op it means op(x.to(dtype)),
 * so the input is converted here and the op sees has_dtype == 0.
 */
int tc_op_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_op_args b;
    tc_dtype in;
    memset(r, 0, sizeof *r);
    int rc = tc_op_prepare(a, x, &b, &in, err);
    if (rc)
        return rc;
    if (in != x->dtype) {
        tc_tensor *cx;
        if ((rc = tc_tensor_convert_version(x, in, a->torch_version, &cx, err)))
            return rc;
        rc = dispatch(&b, cx, r, err);
        tc_tensor_free(cx);
    } else {
        rc = dispatch(&b, x, r, err);
    }
    if (rc)
        tc_result_free(r);
    return rc;
}

/*
 * The checks tc_op_run makes, in its order, on a tensor header: the shared
 * ones, x.to(dtype) for an op without dtype=, then the kernel's own
 * (tc_scan_check ...), the same functions its run calls first.
 */
int tc_op_result(const tc_op_args *a, tc_dtype dtype, int ndim, const int64_t *shape,
                 tc_dtype *out_dtype, int *out_ndim, int64_t *out_shape, tc_err *err)
{
    if (ndim < 0 || ndim > TC_MAX_DIMS)
        return tc_err_set(err, TC_EARG, "too many dimensions %d (the limit is %d)", ndim, TC_MAX_DIMS);
    if ((unsigned)dtype >= TC_NDTYPES)
        return tc_err_set(err, TC_EARG, "unknown dtype %d", (int)dtype);
    tc_tensor h;
    tc_meta y;
    int rc;
    tc_op_args b;
    tc_tensor_header(&h, dtype, ndim, shape);
    if ((rc = tc_op_prepare(a, &h, &b, &h.dtype, err)))
        return rc;
    tc_meta_of(&h, &y);
    switch (tc_op_family_of(a->op)) {
    case TC_FAM_SHOW: rc = TC_OK; break;
    case TC_FAM_SCAN: rc = tc_scan_check(&b, &h, &y, err); break;
    case TC_FAM_DIFF: rc = tc_diff_check(&b, &h, &y, err); break;
    case TC_FAM_REDUCE: rc = tc_reduce_check(&b, &h, &y, err); break;
    default: rc = tc_nanreduce_check(&b, &h, &y, err); break;
    }
    if (rc)
        return rc;
    if (out_dtype)
        *out_dtype = y.dtype;
    if (out_ndim)
        *out_ndim = y.ndim;
    if (out_shape)
        memcpy(out_shape, y.shape, (size_t)y.ndim * sizeof *out_shape);
    return TC_OK;
}

int tc_op_check(const tc_op_args *a, tc_dtype dtype, int ndim, const int64_t *shape,
                tc_dtype *out, tc_err *err)
{
    return tc_op_result(a, dtype, ndim, shape, out, NULL, NULL, err);
}

int tc_op_result_dtype(const tc_op_args *a, tc_dtype in, tc_dtype *out, tc_err *err)
{
    int64_t shape[TC_MAX_DIMS];
    int ndim = tc_op_min_ndim(a);
    for (int d = 0; d < ndim; d++)
        shape[d] = 2;
    /* diff's prepend and append, cumulative_trapezoid's x: a shape they fit */
    const tc_tensor *other = a->op == TC_OP_DIFF ? (a->prepend ? a->prepend : a->append)
                           : a->op == TC_OP_CUMTRAPZ ? a->x : NULL;
    if (other && other->ndim > 0) {
        ndim = other->ndim;
        memcpy(shape, other->shape, (size_t)ndim * sizeof *shape);
    }
    return tc_op_result(a, in, ndim, shape, out, NULL, NULL, err);
}
