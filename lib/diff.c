/*
 * diff.c - torch.diff and torch.cumulative_trapezoid.
 *
 * Both are compositions of elementwise ATen ops (narrow, sub, add, mul) and,
 * for cumulative_trapezoid, a cumsum.  Each elementwise step is done in the
 * tensor's own dtype, rounding after every operation as ATen's CPU kernels
 * do, so float results match PyTorch bit for bit; the final cumsum is the
 * scan module's, reached through tc_op_run, so its accumulation type is the
 * same as `tcum cumsum`.
 */
#include "tc_private.h"

#include <string.h>

/*
 * out[o, k, i] = f(x[o, k + 1, i], x[o, k, i]) for k < n - 1, where f is the
 * dtype's subtraction (sub) or addition (add).  x is viewed as
 * outer x n x inner; out has n - 1 along the dim.
 */
#define PAIRWISE(T, EXPR) do {                                               \
        const T *px = x->data;                                               \
        T *po = y->data;                                                     \
        for (int64_t o = 0; o < outer; o++)                                  \
            for (int64_t k = 0; k + 1 < n; k++)                              \
                for (int64_t i = 0; i < inner; i++) {                        \
                    T hi = px[(o * n + k + 1) * inner + i];                  \
                    T lo = px[(o * n + k) * inner + i];                      \
                    po[(o * (n - 1) + k) * inner + i] = (EXPR);              \
                }                                                            \
    } while (0)

/* Wrapping integer arithmetic without signed overflow: go through uint64. */
#define WRAP_SUB(T, UT) ((T)(UT)((uint64_t)(int64_t)hi - (uint64_t)(int64_t)lo))
#define WRAP_ADD(T, UT) ((T)(UT)((uint64_t)(int64_t)hi + (uint64_t)(int64_t)lo))

static uint16_t half_op(uint16_t hi, uint16_t lo, int sub)
{
    float a = tc_half_to_float(hi), b = tc_half_to_float(lo);
    return tc_float_to_half(sub ? a - b : a + b);
}

static uint16_t bf16_op(uint16_t hi, uint16_t lo, int sub)
{
    float a = tc_bf16_to_float(hi), b = tc_bf16_to_float(lo);
    return tc_float_to_bf16(sub ? a - b : a + b);
}

/*
 * One difference (sub != 0) or neighbour sum (sub == 0) along dim, in x's
 * dtype.  Bool subtraction is logical_xor (torch.diff's special case); bool
 * addition is never asked for.
 */
static int pairwise(const tc_tensor *x, int dim, int sub, tc_tensor **out, tc_err *err)
{
    int64_t outer, n, inner, shape[TC_MAX_DIMS];
    *out = NULL;
    tc_lanes(x, dim, &outer, &n, &inner);
    memcpy(shape, x->shape, sizeof shape);
    shape[dim] = n > 0 ? n - 1 : 0;
    tc_tensor *y = tc_tensor_new(x->dtype, x->ndim, shape, err);
    if (!y)
        return err ? err->code : TC_ENOMEM;
    if (y->numel == 0) {
        /* nothing to compute, however many empty lanes the shape has */
        *out = y;
        return TC_OK;
    }
    switch (x->dtype) {
    case TC_BOOL: PAIRWISE(uint8_t, (uint8_t)(hi != lo)); break;
    case TC_UINT8:
        if (sub) PAIRWISE(uint8_t, (uint8_t)(hi - lo)); else PAIRWISE(uint8_t, (uint8_t)(hi + lo));
        break;
    case TC_INT8:
        if (sub) PAIRWISE(int8_t, WRAP_SUB(int8_t, uint8_t)); else PAIRWISE(int8_t, WRAP_ADD(int8_t, uint8_t));
        break;
    case TC_INT16:
        if (sub) PAIRWISE(int16_t, WRAP_SUB(int16_t, uint16_t)); else PAIRWISE(int16_t, WRAP_ADD(int16_t, uint16_t));
        break;
    case TC_INT32:
        if (sub) PAIRWISE(int32_t, WRAP_SUB(int32_t, uint32_t)); else PAIRWISE(int32_t, WRAP_ADD(int32_t, uint32_t));
        break;
    case TC_INT64:
        if (sub) PAIRWISE(int64_t, WRAP_SUB(int64_t, uint64_t)); else PAIRWISE(int64_t, WRAP_ADD(int64_t, uint64_t));
        break;
    case TC_FLOAT16: PAIRWISE(uint16_t, half_op(hi, lo, sub)); break;
    case TC_BFLOAT16: PAIRWISE(uint16_t, bf16_op(hi, lo, sub)); break;
    case TC_FLOAT32:
        if (sub) PAIRWISE(float, hi - lo); else PAIRWISE(float, hi + lo);
        break;
    case TC_FLOAT64:
        if (sub) PAIRWISE(double, hi - lo); else PAIRWISE(double, hi + lo);
        break;
    case TC_COMPLEX64:
    case TC_COMPLEX128: {
        /*
         * ATen's sub is add(a, b, alpha=-1), i.e. a + alpha * b with a
         * complex multiply: (-1+0j) * (br+bi j) = (-br - 0*bi) + (-bi + 0*br)j,
         * so an infinite part of b turns the other part into NaN, as in
         * PyTorch (diff([1+infj, 2+3j]) is nan-infj).  Addition (for
         * cumulative_trapezoid's left + right) is lo + (1+0j) * hi likewise.
         */
        for (int64_t o = 0; o < outer; o++)
            for (int64_t k = 0; k + 1 < n; k++)
                for (int64_t i = 0; i < inner; i++) {
                    int64_t ih = (o * n + k + 1) * inner + i, il = (o * n + k) * inner + i;
                    int64_t io = (o * (n - 1) + k) * inner + i;
                    double ar, ai, br, bi, rr, ri;
                    tc_tensor_get_c128(x, ih, &ar, &ai);
                    tc_tensor_get_c128(x, il, &br, &bi);
                    if (x->dtype == TC_COMPLEX64) {
                        float fbr = (float)br, fbi = (float)bi, far = (float)ar, fai = (float)ai;
                        if (sub) {
                            float mr = -1.0f * fbr - 0.0f * fbi, mi = -1.0f * fbi + 0.0f * fbr;
                            rr = (float)(far + mr);
                            ri = (float)(fai + mi);
                        } else {
                            /* left + right is lo + alpha * hi with alpha = 1+0j. */
                            float mr = 1.0f * far - 0.0f * fai, mi = 1.0f * fai + 0.0f * far;
                            rr = (float)(fbr + mr);
                            ri = (float)(fbi + mi);
                        }
                        ((float *)y->data)[2 * io] = (float)rr;
                        ((float *)y->data)[2 * io + 1] = (float)ri;
                    } else {
                        if (sub) {
                            double mr = -1.0 * br - 0.0 * bi, mi = -1.0 * bi + 0.0 * br;
                            rr = ar + mr;
                            ri = ai + mi;
                        } else {
                            double mr = 1.0 * ar - 0.0 * ai, mi = 1.0 * ai + 0.0 * ar;
                            rr = br + mr;
                            ri = bi + mi;
                        }
                        ((double *)y->data)[2 * io] = rr;
                        ((double *)y->data)[2 * io + 1] = ri;
                    }
                }
        break;
    }
    default:
        break;
    }
    *out = y;
    return TC_OK;
}

/*
 * torch.diff as ATen's diff_helper does it: n == 0 returns the input before
 * the dim is even looked at; n < 0 is an error in 2.6 and, in 1.13, which
 * has no check, returns the input too; n is clamped to the dim's size.
 */
static int diff(const tc_op_args *a, const tc_tensor *x, tc_tensor **out, tc_err *err)
{
    int dim, rc;
    *out = NULL;
    if (x->ndim == 0)
        return tc_err_set(err, TC_EARG, "diff expects input to be at least one-dimensional");
    if (a->n < 0 && a->torch_version != TC_TORCH_1_13)
        return tc_err_set(err, TC_EARG, "order must be non-negative but got %lld", (long long)a->n);
    if (a->n == 0) {
        *out = tc_tensor_clone(x, err);
        return *out ? TC_OK : err ? err->code : TC_ENOMEM;
    }
    if ((rc = tc_dim_wrap(a->has_dim ? a->dim : -1, x->ndim, &dim, err)) != TC_OK)
        return rc;
    int64_t n = a->n < x->shape[dim] ? a->n : x->shape[dim];
    tc_tensor *cur = tc_tensor_clone(x, err);
    if (!cur)
        return err ? err->code : TC_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
        tc_tensor *next;
        if ((rc = pairwise(cur, dim, 1, &next, err)) != TC_OK) {
            tc_tensor_free(cur);
            return rc;
        }
        tc_tensor_free(cur);
        cur = next;
    }
    *out = cur;
    return TC_OK;
}

/*
 * ATen's do_cumulative_trapezoid for a scalar dx:
 *     (dx / 2. * (y.slice(dim, 0, -1) + y.slice(dim, 1))).cumsum(dim)
 * The neighbour sum is in y's dtype (int8 wraps); the multiply promotes
 * integers to the default float dtype, and the double dx / 2 is first
 * converted to the result dtype, except that a float16/bfloat16 multiply
 * by a scalar uses the scalar rounded to that dtype in 1.13's mul kernel
 * and to float (the op math type) in 2.6's.  The cumsum is tcum cumsum's,
 * so 1.13's float16 refusal comes from it, as in PyTorch.
 */
static int cumtrapz(const tc_op_args *a, const tc_tensor *x, tc_tensor **out, tc_err *err)
{
    int dim, rc;
    *out = NULL;
    if (x->dtype == TC_BOOL)
        return tc_err_set(err, TC_EARG,
                          "cumulative_trapezoid: received a bool input for `y`, but bool is not supported");
    if (x->ndim == 0)
        return tc_err_set(err, TC_EARG, "slice() cannot be applied to a 0-dim tensor.");
    if ((rc = tc_dim_wrap(a->has_dim ? a->dim : -1, x->ndim, &dim, err)) != TC_OK)
        return rc;

    tc_tensor *s, *p;
    if ((rc = pairwise(x, dim, 0, &s, err)) != TC_OK)
        return rc;
    tc_dtype rt = x->dtype;
    if (tc_dtype_is_integral(rt, 1))
        rt = a->default_dtype == TC_FLOAT64 ? TC_FLOAT64 : TC_FLOAT32;
    p = tc_tensor_new(rt, s->ndim, s->shape, err);
    if (!p) {
        tc_tensor_free(s);
        return err ? err->code : TC_ENOMEM;
    }
    double h = a->dx / 2.;
    int64_t m = s->numel;
    switch (rt) {
    case TC_FLOAT16: {
        float hb = a->torch_version == TC_TORCH_1_13 ? tc_half_to_float(tc_float_to_half((float)h))
                                                     : (float)h;
        for (int64_t i = 0; i < m; i++)
            ((uint16_t *)p->data)[i] =
                tc_float_to_half(tc_half_to_float(((const uint16_t *)s->data)[i]) * hb);
        break;
    }
    case TC_BFLOAT16: {
        float hb = a->torch_version == TC_TORCH_1_13 ? tc_bf16_to_float(tc_float_to_bf16((float)h))
                                                     : (float)h;
        for (int64_t i = 0; i < m; i++)
            ((uint16_t *)p->data)[i] =
                tc_float_to_bf16(tc_bf16_to_float(((const uint16_t *)s->data)[i]) * hb);
        break;
    }
    case TC_FLOAT32: {
        float hf = (float)h;
        for (int64_t i = 0; i < m; i++) {
            /* An int64 goes straight to float (one rounding), as ATen casts it. */
            float v = s->dtype == TC_INT64 ? (float)((const int64_t *)s->data)[i]
                                           : (float)tc_tensor_get_f64(s, i);
            ((float *)p->data)[i] = v * hf;
        }
        break;
    }
    case TC_FLOAT64:
        for (int64_t i = 0; i < m; i++) {
            double v = s->dtype == TC_INT64 ? (double)((const int64_t *)s->data)[i]
                                            : tc_tensor_get_f64(s, i);
            ((double *)p->data)[i] = v * h;
        }
        break;
    case TC_COMPLEX64: {
        /* (sr + si j) * (c + 0j) with c10::complex's multiply. */
        float c = (float)h, d = 0.0f;
        float *q = p->data;
        const float *sp = s->data;
        for (int64_t i = 0; i < m; i++) {
            float sr = sp[2 * i], si = sp[2 * i + 1];
            q[2 * i] = sr * c - si * d;
            q[2 * i + 1] = sr * d + si * c;
        }
        break;
    }
    case TC_COMPLEX128: {
        double c = h, d = 0.0;
        double *q = p->data;
        const double *sp = s->data;
        for (int64_t i = 0; i < m; i++) {
            double sr = sp[2 * i], si = sp[2 * i + 1];
            q[2 * i] = sr * c - si * d;
            q[2 * i + 1] = sr * d + si * c;
        }
        break;
    }
    default:
        break;
    }
    tc_tensor_free(s);

    tc_op_args ca;
    tc_result cr;
    tc_op_args_init(&ca, TC_OP_CUMSUM);
    ca.has_dim = 1;
    ca.dim = dim;
    ca.default_dtype = a->default_dtype;
    ca.torch_version = a->torch_version;
    rc = tc_op_run(&ca, p, &cr, err);
    tc_tensor_free(p);
    if (rc != TC_OK)
        return rc;
    *out = cr.values;
    cr.values = NULL;
    tc_result_free(&cr);
    return TC_OK;
}

int tc_diff_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_tensor *conv = NULL, *y = NULL;
    int rc;
    memset(r, 0, sizeof *r);
    /* --dtype for these ops means op(x.to(dtype)). */
    if (a->has_dtype && a->dtype != x->dtype) {
        if ((rc = tc_tensor_convert_version(x, a->dtype, a->torch_version, &conv, err)) != TC_OK)
            return rc;
        x = conv;
    }
    rc = a->op == TC_OP_DIFF ? diff(a, x, &y, err) : cumtrapz(a, x, &y, err);
    tc_tensor_free(conv);
    if (rc == TC_OK)
        r->values = y;
    return rc;
}
