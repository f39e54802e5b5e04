/*
 * optable_test.c - tc_op_result, tc_op_check and tc_op_result_dtype (which
 * ask the op table and the kernels' checks, without running anything)
 * against tc_op_run on a small tensor of zeros: for every op, every input
 * dtype, every --dtype, both PyTorch versions, a set of shapes and of
 * arguments, the same code, the same message and, on success, the same
 * dtype and shape (make check runs it).
 */
#include "tcum.h"

#include <stdio.h>
#include <string.h>

static long cases, failures;

static void shape_text(int ndim, const int64_t *shape, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "(");
    for (int d = 0; d < ndim && n < cap; d++)
        n += (size_t)snprintf(out + n, cap - n, "%s%lld", d ? "," : "", (long long)shape[d]);
    if (n < cap)
        snprintf(out + n, cap - n, ")");
}

static void describe(const tc_op_args *a, tc_dtype in, int ndim, const int64_t *shape, char *out, size_t cap)
{
    char s[128];
    shape_text(ndim, shape, s, sizeof s);
    snprintf(out, cap, "%s %s%s torch=%s dim=%s%lld ndims=%d dtype=%s keepdim=%d rev=%d excl=%d init=%d n=%lld%s%s",
             tc_op_name(a->op), tc_dtype_name(in), s, a->torch_version == TC_TORCH_1_13 ? "1.13" : "2.6",
             a->has_dim ? "" : "none:", (long long)a->dim, a->ndims, a->has_dtype ? tc_dtype_name(a->dtype) : "-",
             a->keepdim, a->reverse, a->exclusive, a->include_initial, (long long)a->n,
             a->prepend ? " prepend" : "", a->x ? " x" : "");
}

/* One comparison: tc_op_result against tc_op_run on zeros of this dtype and shape. */
static void compare(const tc_op_args *a, tc_dtype in, int ndim, const int64_t *shape)
{
    tc_err ec, er;
    tc_dtype odt = TC_NDTYPES;
    int ond = -1;
    int64_t osh[TC_MAX_DIMS];
    memset(&ec, 0, sizeof ec);
    memset(&er, 0, sizeof er);
    cases++;
    int rc_check = tc_op_result(a, in, ndim, shape, &odt, &ond, osh, &ec);
    tc_tensor *x = tc_tensor_new(in, ndim, shape, &er);
    if (!x) {
        fprintf(stderr, "optable_test: out of memory\n");
        failures++;
        return;
    }
    tc_result r;
    int rc_run = tc_op_run(a, x, &r, &er);
    char what[512];
    const char *bad = NULL;
    if (rc_check != rc_run)
        bad = "code";
    else if (rc_run != TC_OK && strcmp(ec.msg, er.msg) != 0)
        bad = "message";
    else if (rc_run != TC_OK && (ec.param != er.param || strcmp(ec.suggest, er.suggest) != 0))
        bad = "hint";
    else if (rc_run == TC_OK && r.values->dtype != odt)
        bad = "dtype";
    else if (rc_run == TC_OK && (r.values->ndim != ond ||
                                 memcmp(r.values->shape, osh, (size_t)ond * sizeof *osh) != 0))
        bad = "shape";
    else if (rc_run == TC_OK && (r.indices != NULL) != (tc_op_nresults(a) == 2))
        bad = "results";
    if (rc_check == TC_OK && rc_run == TC_OK) {
        tc_dtype c = TC_NDTYPES;   /* tc_op_check is tc_op_result's dtype */
        if (tc_op_check(a, in, ndim, shape, &c, NULL) != TC_OK || c != odt)
            bad = "tc_op_check";
    }
    if (bad) {
        failures++;
        if (failures <= 20) {
            char rs[128] = "", cs[128] = "";
            describe(a, in, ndim, shape, what, sizeof what);
            if (rc_run == TC_OK)
                shape_text(r.values->ndim, r.values->shape, rs, sizeof rs);
            if (rc_check == TC_OK)
                shape_text(ond, osh, cs, sizeof cs);
            fprintf(stderr, "optable_test: %s differs for %s\n  run:   %d %s %s %s\n  check: %d %s %s %s\n", bad,
                    what, rc_run, er.msg, rc_run == TC_OK ? tc_dtype_name(r.values->dtype) : "", rs, rc_check,
                    ec.msg, rc_check == TC_OK ? tc_dtype_name(odt) : "", cs);
        }
    }
    if (rc_run == TC_OK)
        tc_result_free(&r);
    tc_tensor_free(x);
}

/* tc_op_result_dtype against a run on the input it describes. */
static void compare_dtype(const tc_op_args *a, tc_dtype in)
{
    int64_t shape[TC_MAX_DIMS];
    int ndim = 1;
    /* the input tc_op_result_dtype documents: 2 along each dim a's dims need */
    for (int k = 0; k < (a->ndims ? a->ndims : a->has_dim); k++) {
        int64_t d = a->ndims ? a->dims[k] : a->dim;
        int need = (int)(d < 0 ? -d : d + 1);
        if (need > ndim && need <= TC_MAX_DIMS)
            ndim = need;
    }
    const tc_tensor *other = a->op == TC_OP_DIFF ? (a->prepend ? a->prepend : a->append)
                           : a->op == TC_OP_CUMTRAPZ ? a->x : NULL;
    if (other && other->ndim > ndim)
        ndim = other->ndim;
    for (int d = 0; d < ndim; d++)
        shape[d] = 2;
    if (other && other->ndim > 0) {
        ndim = other->ndim;
        memcpy(shape, other->shape, (size_t)ndim * sizeof *shape);
    }
    tc_dtype want = TC_NDTYPES, got = TC_NDTYPES;
    tc_err e1, e2;
    memset(&e1, 0, sizeof e1);
    memset(&e2, 0, sizeof e2);
    int rc1 = tc_op_result_dtype(a, in, &got, &e1);
    int rc2 = tc_op_result(a, in, ndim, shape, &want, NULL, NULL, &e2);
    cases++;
    if (rc1 != rc2 || (rc1 == TC_OK && got != want) || (rc1 != TC_OK && strcmp(e1.msg, e2.msg) != 0)) {
        char what[512];
        failures++;
        describe(a, in, ndim, shape, what, sizeof what);
        fprintf(stderr, "optable_test: tc_op_result_dtype differs for %s: %d %s / %d %s\n", what, rc1, e1.msg,
                rc2, e2.msg);
    }
    compare(a, in, ndim, shape);
}

/* ndim, then the sizes: a scalar, 1-D, 2-D, empty ones, 3-D, a single element */
static const int64_t shapes[][4] = {{0}, {1, 3}, {2, 2, 3}, {2, 0, 3}, {2, 2, 0}, {3, 2, 1, 2}, {1, 1}, {1, 0}};

static void each_shape(const tc_op_args *a, tc_dtype in)
{
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        compare(a, in, (int)shapes[s][0], shapes[s] + 1);
    compare_dtype(a, in);
}

int main(void)
{
    static const int64_t dims[] = {0, 1, -1, 2, -3};
    tc_tensor *pre = NULL, *xs = NULL, *xs2 = NULL;
    int64_t ps[2] = {2, 1}, xsh[1] = {3}, xsh2[2] = {2, 3};
    for (int v = 0; v < 2; v++) {
        tc_torch_version tv = v ? TC_TORCH_1_13 : TC_TORCH_2_6;
        for (int op = 0; op < TC_NOPS; op++) {
            for (int in = 0; in < TC_NDTYPES; in++) {
                for (int dt = -1; dt < TC_NDTYPES; dt++) {
                    tc_op_args a;
                    tc_op_args_init(&a, (tc_op)op);
                    a.torch_version = tv;
                    if (dt >= 0) {
                        a.has_dtype = 1;
                        a.dtype = (tc_dtype)dt;
                    }
                    /* no dim, then each dim, with and without keepdim */
                    for (int k = -1; k < (int)(sizeof dims / sizeof *dims); k++) {
                        a.has_dim = k >= 0;
                        a.dim = k >= 0 ? dims[k] : 0;
                        for (int keep = 0; keep < 2; keep++) {
                            a.keepdim = keep;
                            each_shape(&a, (tc_dtype)in);
                        }
                    }
                    a.keepdim = 0;
                    /* the arguments the table says an op reads, one input dtype's worth of --dtype */
                    if (dt > 0 && dt != in)
                        continue;
                    a.has_dim = 1;
                    a.dim = 1;
                    for (int m = 1; m < 8; m++) {
                        a.reverse = m & 1;
                        a.exclusive = (m >> 1) & 1;
                        a.include_initial = (m >> 2) & 1;
                        each_shape(&a, (tc_dtype)in);
                    }
                    a.reverse = a.exclusive = a.include_initial = 0;
                    int64_t two[2] = {0, -1}, same[2] = {1, -1};
                    tc_op_args_set_dims(&a, 2, two);
                    each_shape(&a, (tc_dtype)in);
                    tc_op_args_set_dims(&a, 2, same);
                    each_shape(&a, (tc_dtype)in);
                    tc_op_args_set_dims(&a, 1, two);
                    each_shape(&a, (tc_dtype)in);
                    a.ndims = 0;
                    if (op == TC_OP_DIFF) {
                        for (int64_t n = -1; n < 4; n++) {
                            a.n = n;
                            each_shape(&a, (tc_dtype)in);
                        }
                        a.n = 1;
                        for (int pd = 0; pd < TC_NDTYPES; pd += 3) {
                            pre = tc_tensor_new((tc_dtype)pd, 2, ps, NULL);
                            a.prepend = pre;
                            each_shape(&a, (tc_dtype)in);
                            a.prepend = NULL;
                            a.append = pre;
                            each_shape(&a, (tc_dtype)in);
                            a.append = NULL;
                            tc_tensor_free(pre);
                        }
                    }
                    if (op == TC_OP_CUMTRAPZ) {
                        a.has_dim = 0;
                        for (int xd = 0; xd < TC_NDTYPES; xd += 2) {
                            xs = tc_tensor_new((tc_dtype)xd, 1, xsh, NULL);
                            xs2 = tc_tensor_new((tc_dtype)xd, 2, xsh2, NULL);
                            a.x = xs;
                            each_shape(&a, (tc_dtype)in);
                            a.x = xs2;
                            each_shape(&a, (tc_dtype)in);
                            a.x = NULL;
                            tc_tensor_free(xs);
                            tc_tensor_free(xs2);
                        }
                    }
                }
            }
        }
    }
    printf("optable_test: %ld cases, %ld failed\n", cases, failures);
    return failures != 0;
}
