/*
 * ops.c - the table of ops and tc_op_run, which checks the arguments every
 * op shares, applies --dtype and hands each op to its module (scan.c,
 * reduce.c, nanreduce.c, diff.c).
 */
#include "tc_private.h"

#include <string.h>

static const struct {
    const char *name;
    tc_op_kind kind;
    int has_dtype_arg;    /* PyTorch's (or NumPy's) signature has dtype= */
    int takes_dims;       /* dim may be a tuple of dims */
} ops[TC_NOPS] = {
    [TC_OP_SHOW]         = {"show", TC_OPK_SHOW, 0, 0},
    [TC_OP_CUMSUM]       = {"cumsum", TC_OPK_SCAN, 1, 0},
    [TC_OP_CUMPROD]      = {"cumprod", TC_OPK_SCAN, 1, 0},
    [TC_OP_CUMMAX]       = {"cummax", TC_OPK_SCAN, 0, 0},
    [TC_OP_CUMMIN]       = {"cummin", TC_OPK_SCAN, 0, 0},
    [TC_OP_LOGCUMSUMEXP] = {"logcumsumexp", TC_OPK_SCAN, 0, 0},
    [TC_OP_CUMTRAPZ]     = {"cumulative_trapezoid", TC_OPK_ALONG, 0, 0},
    [TC_OP_DIFF]         = {"diff", TC_OPK_ALONG, 0, 0},
    [TC_OP_NANCUMSUM]    = {"nancumsum", TC_OPK_SCAN, 1, 0},
    [TC_OP_NANCUMPROD]   = {"nancumprod", TC_OPK_SCAN, 1, 0},
    [TC_OP_SUM]          = {"sum", TC_OPK_REDUCE, 1, 1},
    [TC_OP_PROD]         = {"prod", TC_OPK_REDUCE, 1, 0},
    [TC_OP_AMAX]         = {"amax", TC_OPK_REDUCE, 0, 1},
    [TC_OP_AMIN]         = {"amin", TC_OPK_REDUCE, 0, 1},
    [TC_OP_LOGSUMEXP]    = {"logsumexp", TC_OPK_REDUCE, 0, 1},
    [TC_OP_MEAN]         = {"mean", TC_OPK_REDUCE, 1, 1},
    [TC_OP_MAX]          = {"max", TC_OPK_REDUCE, 0, 0},
    [TC_OP_MIN]          = {"min", TC_OPK_REDUCE, 0, 0},
    [TC_OP_NANSUM]       = {"nansum", TC_OPK_REDUCE, 1, 1},
    [TC_OP_NANMEAN]      = {"nanmean", TC_OPK_REDUCE, 1, 1},
    [TC_OP_NANMAX]       = {"nanmax", TC_OPK_REDUCE, 0, 0},
    [TC_OP_NANMIN]       = {"nanmin", TC_OPK_REDUCE, 0, 0},
    [TC_OP_NANPROD]      = {"nanprod", TC_OPK_REDUCE, 1, 0},
};

tc_op_kind tc_op_kind_of(tc_op op)
{
    return (unsigned)op < TC_NOPS ? ops[op].kind : TC_OPK_SHOW;
}

int tc_op_has_dtype_arg(tc_op op)
{
    return (unsigned)op < TC_NOPS && ops[op].has_dtype_arg;
}

int tc_op_takes_dims(tc_op op)
{
    return (unsigned)op < TC_NOPS && ops[op].takes_dims;
}

const char *tc_op_name(tc_op op)
{
    return (unsigned)op < TC_NOPS ? ops[op].name : "?";
}

int tc_op_parse(const char *s, tc_op *out)
{
    for (int i = 0; s && i < TC_NOPS; i++) {
        if (strcmp(s, ops[i].name) == 0) {
            *out = (tc_op)i;
            return 1;
        }
    }
    return 0;
}

void tc_op_args_init(tc_op_args *a, tc_op op)
{
    memset(a, 0, sizeof *a);
    a->op = op;
    a->n = 1;
    a->dx = 1.0;
    a->dtype = TC_FLOAT32;
    a->default_dtype = TC_FLOAT32;
}

int tc_op_args_set_dims(tc_op_args *a, int n, const int64_t *dims)
{
    if (n < 1 || n > TC_MAX_DIMS)
        return 0;
    memcpy(a->dims, dims, (size_t)n * sizeof *dims);
    a->ndims = n;
    a->has_dim = 1;
    a->dim = dims[0];
    return 1;
}

static int dispatch(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    switch (a->op) {
    case TC_OP_SHOW:
        r->values = tc_tensor_clone(x, err);
        return r->values ? TC_OK : TC_ENOMEM;   /* x's shape: only memory can fail */
    case TC_OP_CUMSUM: case TC_OP_CUMPROD: case TC_OP_CUMMAX: case TC_OP_CUMMIN:
    case TC_OP_LOGCUMSUMEXP: case TC_OP_NANCUMSUM: case TC_OP_NANCUMPROD:
        return tc_scan_run(a, x, r, err);
    case TC_OP_CUMTRAPZ: case TC_OP_DIFF:
        return tc_diff_run(a, x, r, err);
    case TC_OP_SUM: case TC_OP_PROD: case TC_OP_AMAX: case TC_OP_AMIN:
    case TC_OP_LOGSUMEXP: case TC_OP_MEAN: case TC_OP_MAX: case TC_OP_MIN:
    case TC_OP_NANSUM: case TC_OP_NANMEAN:
        return tc_reduce_run(a, x, r, err);
    case TC_OP_NANMAX: case TC_OP_NANMIN: case TC_OP_NANPROD:
        return tc_nanreduce_run(a, x, r, err);
    default:
        return tc_err_set(err, TC_EARG, "unknown op %d", (int)a->op);
    }
}

int tc_op_check_args(const tc_op_args *a, const tc_tensor *x, tc_err *err)
{
    int rc;
    /*
     * torch's argument parser refuses a tuple for an int dim with a
     * many-line TypeError listing signatures; tcum says it in one line.
     */
    if (a->ndims > 0 && !ops[a->op].takes_dims) {
        tc_err_set(err, TC_EARG, "%s takes a single dim, not a list of dims", ops[a->op].name);
        return tc_err_hint(err, TC_EARG, "dim", NULL);
    }
    if (a->has_dtype && (rc = tc_dtype_check_version(a->dtype, a->torch_version, err)))
        return rc;
    return tc_dtype_check_version(x->dtype, a->torch_version, err);
}

/*
 * --dtype is the op's own dtype= argument where PyTorch's signature has one
 * (passed through untouched); for every other op it means op(x.to(dtype)),
 * so the input is converted here and the op sees has_dtype == 0.
 */
int tc_op_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    memset(r, 0, sizeof *r);
    if ((unsigned)a->op >= TC_NOPS)
        return tc_err_set(err, TC_EARG, "unknown op %d", (int)a->op);
    int rc;
    if ((rc = tc_op_check_args(a, x, err)))
        return rc;
    if (a->has_dtype && !ops[a->op].has_dtype_arg) {
        tc_tensor *cx;
        tc_op_args b = *a;
        b.has_dtype = 0;
        if ((rc = tc_tensor_convert_version(x, a->dtype, a->torch_version, &cx, err)))
            return rc;
        rc = dispatch(&b, cx, r, err);
        tc_tensor_free(cx);
    } else {
        rc = dispatch(a, x, r, err);
    }
    if (rc)
        tc_result_free(r);
    return rc;
}

int tc_op_nresults(const tc_op_args *a)
{
    if (a->op == TC_OP_CUMMAX || a->op == TC_OP_CUMMIN)
        return 2;
    return (a->op == TC_OP_MAX || a->op == TC_OP_MIN) && a->has_dim ? 2 : 1;
}

int tc_result_pick(const tc_result *r, int select, tc_tensor **out, tc_err *err)
{
    *out = NULL;
    if (r->indices && !select) {
        tc_err_set(err, TC_EARG, "%s returns values and indices: select one", r->name ? r->name : "the op");
        return tc_err_hint(err, TC_EARG, "select", "values|indices");
    }
    if (!r->indices && select) {
        tc_err_set(err, TC_EARG, "select applies only to ops with two results (cummax, cummin, max, min)");
        return tc_err_hint(err, TC_EARG, "select", NULL);
    }
    *out = select == 2 ? r->indices : r->values;
    return TC_OK;
}

/*
 * For now the answer comes from the op itself, on a tensor of zeros of
 * that dtype and shape with at most one element along each dim (an op's
 * checks look at dtypes, ranks and dims, not at values or lengths).
 * TODO(issue 16): the op table's own checks, without running the op.
 */
int tc_op_check(const tc_op_args *a, tc_dtype dtype, int ndim, const int64_t *shape,
                tc_dtype *out, tc_err *err)
{
    int64_t small[TC_MAX_DIMS];
    if (ndim < 0 || ndim > TC_MAX_DIMS)
        return tc_err_set(err, TC_EARG, "too many dimensions %d (the limit is %d)", ndim, TC_MAX_DIMS);
    for (int d = 0; d < ndim; d++)
        small[d] = shape[d] > 1 ? 1 : shape[d];
    tc_tensor *x = tc_tensor_new(dtype, ndim, small, err);
    if (!x)
        return TC_ENOMEM;
    tc_result r;
    int rc = tc_op_run(a, x, &r, err);
    if (rc == TC_OK && out && r.values)
        *out = r.values->dtype;
    tc_result_free(&r);
    tc_tensor_free(x);
    return rc;
}
