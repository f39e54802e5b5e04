/*
 * ops.c - the table of ops: what each op is, which arguments it takes and
 * what it gives.  The bottom of the op modules: the kernels (scan.c,
 * reduce.c, nanreduce.c, diff.c, grad.c) read it, and op_run.c, above
 * them, runs and checks ops through them.
 */
#include "tc_private.h"

#include <string.h>

/* Which arguments of tc_op_args an op reads (besides dim and torch_version). */
enum {
    A_DTYPE = 1 << 0,     /* --dtype as the op's own dtype= (else a cast, x.to(dtype)) */
    A_KEEPDIM = 1 << 1,
    A_SCANMOD = 1 << 2,   /* reverse, exclusive, include_initial */
    A_N = 1 << 3,         /* diff: n, prepend, append */
    A_DX = 1 << 4,        /* cumulative_trapezoid: dx, x */
};

/* How many tensors an op gives. */
enum { R_ONE, R_TWO, R_TWO_WITH_DIM };

/*
 * One row per op.  dim: whether it needs one (scans), defaults to the last
 * (diff, cumulative_trapezoid) or, left out, reduces everything.  The rules
 * for dtypes and shapes are the kernels' checks (tc_scan_check ...), which
 * tc_op_check asks through family.
 */
static const struct {
    const char *name;
    tc_op_kind kind;
    tc_op_family family;  /* the kernel module that runs and checks it */
    unsigned args;        /* A_* */
    int takes_dims;       /* dim may be a tuple of dims */
    int results;          /* R_* */
    int grad;             /* tc_op_grad computes its gradient */
} ops[TC_NOPS] = {
    /*                      name                    kind          family         args                 dims results       grad */
    [TC_OP_SHOW]         = {"show",                 TC_OPK_SHOW,   TC_FAM_SHOW,   0,                   0, R_ONE,          0},
    [TC_OP_CUMSUM]       = {"cumsum",               TC_OPK_SCAN,   TC_FAM_SCAN,   A_DTYPE | A_SCANMOD, 0, R_ONE,          1},
    [TC_OP_CUMPROD]      = {"cumprod",              TC_OPK_SCAN,   TC_FAM_SCAN,   A_DTYPE | A_SCANMOD, 0, R_ONE,          1},
    [TC_OP_CUMMAX]       = {"cummax",               TC_OPK_SCAN,   TC_FAM_SCAN,   A_SCANMOD,           0, R_TWO,          1},
    [TC_OP_CUMMIN]       = {"cummin",               TC_OPK_SCAN,   TC_FAM_SCAN,   A_SCANMOD,           0, R_TWO,          1},
    [TC_OP_LOGCUMSUMEXP] = {"logcumsumexp",         TC_OPK_SCAN,   TC_FAM_SCAN,   A_SCANMOD,           0, R_ONE,          1},
    [TC_OP_CUMTRAPZ]     = {"cumulative_trapezoid", TC_OPK_ALONG,  TC_FAM_DIFF,   A_DX,                0, R_ONE,          1},
    [TC_OP_DIFF]         = {"diff",                 TC_OPK_ALONG,  TC_FAM_DIFF,   A_N,                 0, R_ONE,          1},
    [TC_OP_NANCUMSUM]    = {"nancumsum",            TC_OPK_SCAN,   TC_FAM_SCAN,   A_DTYPE | A_SCANMOD, 0, R_ONE,          1},
    [TC_OP_NANCUMPROD]   = {"nancumprod",           TC_OPK_SCAN,   TC_FAM_SCAN,   A_DTYPE | A_SCANMOD, 0, R_ONE,          1},
    [TC_OP_SUM]          = {"sum",                  TC_OPK_REDUCE, TC_FAM_REDUCE, A_DTYPE | A_KEEPDIM, 1, R_ONE,          1},
    [TC_OP_PROD]         = {"prod",                 TC_OPK_REDUCE, TC_FAM_REDUCE, A_DTYPE | A_KEEPDIM, 0, R_ONE,          1},
    [TC_OP_AMAX]         = {"amax",                 TC_OPK_REDUCE, TC_FAM_REDUCE, A_KEEPDIM,           1, R_ONE,          1},
    [TC_OP_AMIN]         = {"amin",                 TC_OPK_REDUCE, TC_FAM_REDUCE, A_KEEPDIM,           1, R_ONE,          1},
    [TC_OP_LOGSUMEXP]    = {"logsumexp",            TC_OPK_REDUCE, TC_FAM_REDUCE, A_KEEPDIM,           1, R_ONE,          1},
    [TC_OP_MEAN]         = {"mean",                 TC_OPK_REDUCE, TC_FAM_REDUCE, A_DTYPE | A_KEEPDIM, 1, R_ONE,          1},
    [TC_OP_MAX]          = {"max",                  TC_OPK_REDUCE, TC_FAM_REDUCE, A_KEEPDIM,           0, R_TWO_WITH_DIM, 1},
    [TC_OP_MIN]          = {"min",                  TC_OPK_REDUCE, TC_FAM_REDUCE, A_KEEPDIM,           0, R_TWO_WITH_DIM, 1},
    [TC_OP_NANSUM]       = {"nansum",               TC_OPK_REDUCE, TC_FAM_REDUCE, A_DTYPE | A_KEEPDIM, 1, R_ONE,          1},
    [TC_OP_NANMEAN]      = {"nanmean",              TC_OPK_REDUCE, TC_FAM_REDUCE, A_DTYPE | A_KEEPDIM, 1, R_ONE,          1},
    [TC_OP_NANMAX]       = {"nanmax",               TC_OPK_REDUCE, TC_FAM_NANRED, A_KEEPDIM,           0, R_ONE,          0},
    [TC_OP_NANMIN]       = {"nanmin",               TC_OPK_REDUCE, TC_FAM_NANRED, A_KEEPDIM,           0, R_ONE,          0},
    [TC_OP_NANPROD]      = {"nanprod",              TC_OPK_REDUCE, TC_FAM_NANRED, A_DTYPE | A_KEEPDIM, 0, R_ONE,          0},
};

tc_op_family tc_op_family_of(tc_op op)
{
    return (unsigned)op < TC_NOPS ? ops[op].family : TC_FAM_SHOW;
}

int tc_op_has_grad(tc_op op)
{
    return (unsigned)op < TC_NOPS && ops[op].grad;
}

int tc_op_min_ndim(const tc_op_args *a)
{
    int n = 1;
    int k = a->ndims > 0 ? a->ndims : a->has_dim ? 1 : 0;
    const int64_t *dims = a->ndims > 0 ? a->dims : &a->dim;
    for (int i = 0; i < k; i++) {
        int64_t need = dims[i] < 0 ? -dims[i] : dims[i] + 1;
        if (need > n)
            n = need > TC_MAX_DIMS ? TC_MAX_DIMS : (int)need;
    }
    if (a->x && a->x->ndim > n)
        n = a->x->ndim;
    return n;
}

tc_op_kind tc_op_kind_of(tc_op op)
{
    return (unsigned)op < TC_NOPS ? ops[op].kind : TC_OPK_SHOW;
}

int tc_op_has_dtype_arg(tc_op op)
{
    return (unsigned)op < TC_NOPS && (ops[op].args & A_DTYPE);
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

int tc_op_prepare(const tc_op_args *a, const tc_tensor *x, tc_op_args *b, tc_dtype *in, tc_err *err)
{
    int rc;
    *b = *a;
    *in = x->dtype;
    if ((unsigned)a->op >= TC_NOPS)
        return tc_err_set(err, TC_EARG, "unknown op %d", (int)a->op);
    if ((rc = tc_op_check_args(a, x, err)))
        return rc;
    if (a->has_dtype && !(ops[a->op].args & A_DTYPE)) {
        b->has_dtype = 0;
        *in = a->dtype;
    }
    return TC_OK;
}

int tc_op_nresults(const tc_op_args *a)
{
    if ((unsigned)a->op >= TC_NOPS)
        return 1;
    return ops[a->op].results == R_TWO || (ops[a->op].results == R_TWO_WITH_DIM && a->has_dim) ? 2 : 1;
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
