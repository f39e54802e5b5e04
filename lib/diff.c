/*
 * diff.c - torch.diff and torch.cumulative_trapezoid.
 *
 * Both are compositions of elementwise ATen ops (narrow, sub, add, mul) and,
 * for cumulative_trapezoid, a cumsum.  Each elementwise step is done in the
 * tensor's own dtype, rounding after every operation as ATen's CPU kernels
 * do, so float results match PyTorch bit for bit; the final cumsum is the
 * scan module's (tc_scan_run), so its accumulation type is the same as
 * `tcum cumsum`.
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
static int pairwise_check(tc_dtype t, tc_err *err)
{
    if (tc_dtype_is_unsigned(t) && t != TC_UINT8)   /* no kernel in PyTorch 2.x */
        return tc_err_set(err, TC_EDTYPE, "\"add_stub\" not implemented for '%s'", tc_dtype_scalar_name(t));
    return TC_OK;
}

static int pairwise(const tc_tensor *x, int dim, int sub, tc_tensor **out, tc_err *err)
{
    int64_t outer, n, inner, shape[TC_MAX_DIMS];
    int rc;
    *out = NULL;
    if ((rc = pairwise_check(x->dtype, err)) != TC_OK)
        return rc;
    tc_lanes(x, dim, &outer, &n, &inner);
    memcpy(shape, x->shape, sizeof shape);
    shape[dim] = n > 0 ? n - 1 : 0;
    tc_tensor *y = tc_tensor_new(x->dtype, x->ndim, shape, err);
    if (!y)
        return TC_ENOMEM;   /* a valid shape: only memory can fail */
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
 * diff_check_compatible_shape for a prepend or append tensor t: the dim
 * wrapped for the input, the same number of dims, the same sizes except
 * along the dim.
 */
static int check_other(const tc_tensor *x, const tc_tensor *t, int64_t rawdim, tc_err *err)
{
    int dim = 0, rc;
    if ((rc = tc_dim_wrap(rawdim, x->ndim, &dim, err)) != TC_OK)
        return rc;
    if (t->ndim != x->ndim)
        return tc_err_set(err, TC_ESHAPE, "diff expects prepend or append to be the same dimension as input");
    for (int d = 0; d < t->ndim; d++)
        if (t->shape[d] != x->shape[d] && d != dim)
            return tc_err_set(err, TC_ESHAPE,
                              "diff expects the shape of tensor to prepend or append to match that of input "
                              "except along the differencing dimension; input.size(%d) = %lld, but got "
                              "tensor.size(%d) = %lld",
                              d, (long long)x->shape[d], d, (long long)t->shape[d]);
    return TC_OK;
}

/*
 * torch.cat(parts, dim) of n tensors that match except along dim, in the
 * dtype torch.cat gives (promote_types of all).  A new tensor; C order.
 */
static int cat(const tc_tensor *const *parts, int n, int dim, tc_tensor **out, tc_err *err)
{
    tc_dtype t = parts[0]->dtype;
    int rc;
    *out = NULL;
    for (int k = 1; k < n; k++)
        if ((rc = tc_dtype_promote(t, parts[k]->dtype, &t, err)) != TC_OK)
            return rc;
    int64_t shape[TC_MAX_DIMS];
    memcpy(shape, parts[0]->shape, sizeof shape);
    shape[dim] = 0;
    for (int k = 0; k < n; k++)
        shape[dim] += parts[k]->shape[dim];
    tc_tensor *y = tc_tensor_new(t, parts[0]->ndim, shape, err);
    if (!y)
        return TC_ENOMEM;
    size_t esz = tc_dtype_size(t);
    int64_t off = 0;   /* along dim */
    for (int k = 0; k < n && y->numel > 0; k++) {
        tc_tensor *c = NULL;
        const tc_tensor *src = parts[k];
        if (src->dtype != t) {
            if ((rc = tc_tensor_convert(src, t, &c, err)) != TC_OK) {
                tc_tensor_free(y);
                return rc;
            }
            src = c;
        }
        int64_t outer, m, inner, yo, yn, yi;
        tc_lanes(src, dim, &outer, &m, &inner);
        tc_lanes(y, dim, &yo, &yn, &yi);
        for (int64_t o = 0; o < outer; o++)
            memcpy((char *)y->data + (size_t)((o * yn + off) * inner) * esz,
                   (const char *)src->data + (size_t)(o * m * inner) * esz, (size_t)(m * inner) * esz);
        off += src->shape[dim];
        tc_tensor_free(c);
    }
    *out = y;
    return TC_OK;
}

int tc_diff_input(const tc_op_args *a, const tc_tensor *x, tc_tensor **out, tc_err *err)
{
    int rc, dim = 0;
    *out = NULL;
    if (x->ndim == 0)
        return tc_err_set(err, TC_ESHAPE, "diff expects input to be at least one-dimensional");
    if (a->n < 0 && a->torch_version != TC_TORCH_1_13)
        return tc_err_set(err, TC_EARG, "order must be non-negative but got %lld", (long long)a->n);
    int64_t rawdim = a->has_dim ? a->dim : -1;
    if (a->prepend && (rc = check_other(x, a->prepend, rawdim, err)) != TC_OK)
        return rc;
    if (a->append && (rc = check_other(x, a->append, rawdim, err)) != TC_OK)
        return rc;
    if (a->n == 0 || (!a->prepend && !a->append))
        return TC_OK;
    const tc_tensor *parts[3];
    int n = 0;
    if (a->prepend)
        parts[n++] = a->prepend;
    parts[n++] = x;
    if (a->append)
        parts[n++] = a->append;
    if ((rc = tc_dim_wrap(rawdim, x->ndim, &dim, err)) != TC_OK)
        return rc;
    return cat(parts, n, dim, out, err);
}

/*
 * torch.diff as ATen's diff_helper does it: n == 0 returns the input
 * before the dim is even looked at (prepend and append aside, which are
 * checked first), n is clamped to the dim's size; n < 0 is an error in 2.6
 * ("order must be non-negative", checked right after the input's dims)
 * and, in 1.13, which has no check, returns the input too (concatenated,
 * if prepend or append were given).
 */
static int diff(const tc_op_args *a, const tc_tensor *x, tc_tensor **out, tc_err *err)
{
    int dim = 0, rc;
    tc_tensor *joined = NULL;
    *out = NULL;
    if ((rc = tc_diff_input(a, x, &joined, err)) != TC_OK)
        return rc;
    if (a->n == 0) {
        *out = tc_tensor_clone(x, err);
        tc_tensor_free(joined);
        return *out ? TC_OK : TC_ENOMEM;
    }
    if (joined)
        x = joined;
    if ((rc = tc_dim_wrap(a->has_dim ? a->dim : -1, x->ndim, &dim, err)) != TC_OK) {
        tc_tensor_free(joined);
        return rc;
    }
    int64_t n = a->n < x->shape[dim] ? a->n : x->shape[dim];
    tc_tensor *cur = tc_tensor_clone(x, err);
    tc_tensor_free(joined);
    if (!cur)
        return TC_ENOMEM;
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

static int cumtrapz_check(const tc_op_args *a, const tc_tensor *x, int *dim, tc_err *err)
{
    if (x->dtype == TC_BOOL)
        return tc_err_set(err, TC_EARG,
                          "cumulative_trapezoid: received a bool input for `y`, but bool is not supported");
    if (x->ndim == 0)
        return tc_err_set(err, TC_EARG, "slice() cannot be applied to a 0-dim tensor.");
    return tc_dim_wrap(a->has_dim ? a->dim : -1, x->ndim, dim, err);
}

/* The cumsum both forms of cumulative_trapezoid end with. */
static void cumsum_args(const tc_op_args *a, int dim, tc_op_args *ca)
{
    tc_op_args_init(ca, TC_OP_CUMSUM);
    ca->has_dim = 1;
    ca->dim = dim;
    ca->default_dtype = a->default_dtype;
    ca->torch_version = a->torch_version;
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
int tc_trapz_terms(const tc_op_args *a, const tc_tensor *x, int dim, tc_tensor **out, tc_err *err)
{
    int rc;
    tc_tensor *s, *p;
    *out = NULL;
    if ((rc = pairwise(x, dim, 0, &s, err)) != TC_OK)
        return rc;
    tc_dtype rt = x->dtype;
    if (tc_dtype_is_integral(rt, 1))
        rt = a->default_dtype == TC_FLOAT64 ? TC_FLOAT64 : TC_FLOAT32;
    p = tc_tensor_new(rt, s->ndim, s->shape, err);
    if (!p) {
        tc_tensor_free(s);
        return TC_ENOMEM;   /* a valid shape: only memory can fail */
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
    *out = p;
    return TC_OK;
}

/* cumulative_trapezoid with --dx: the cumsum of its terms (stream.c carries that cumsum). */
static int cumtrapz(const tc_op_args *a, const tc_tensor *x, tc_tensor **out, tc_err *err)
{
    int dim = 0, rc;
    tc_tensor *p = NULL;
    *out = NULL;
    if ((rc = cumtrapz_check(a, x, &dim, err)) != TC_OK ||
        (rc = tc_trapz_terms(a, x, dim, &p, err)) != TC_OK)
        return rc;

    tc_op_args ca;
    tc_result cr;
    cumsum_args(a, dim, &ca);
    rc = tc_scan_run(&ca, p, &cr, err);
    tc_tensor_free(p);
    if (rc != TC_OK)
        return rc;
    *out = cr.values;
    cr.values = NULL;
    tc_result_free(&cr);
    return TC_OK;
}

/* ---- cumulative_trapezoid with sample points x ---------------------------------- */

/* Right-aligned broadcast of two shapes, as TensorIterator's compute_shape. */
static int broadcast(const tc_tensor *a, const tc_tensor *b, int *ndim, int64_t *shape, tc_err *err)
{
    int n = TC_MAX(a->ndim, b->ndim);
    if (n > TC_MAX_DIMS)
        return tc_err_set(err, TC_ESHAPE, "too many dimensions");   /* cannot happen */
    for (int i = 0; i < n; i++) {
        int ia = i - (n - a->ndim), ib = i - (n - b->ndim);
        int64_t sa = ia >= 0 ? a->shape[ia] : 1, sb = ib >= 0 ? b->shape[ib] : 1;
        if (sa != sb && sa != 1 && sb != 1)
            return tc_err_set(err, TC_ESHAPE,
                              "The size of tensor a (%lld) must match the size of tensor b (%lld) at non-singleton dimension %d",
                              (long long)sa, (long long)sb, i);
        shape[i] = sa == 1 ? sb : sa;
    }
    *ndim = n;
    return TC_OK;
}

/* Flat index into t (right-aligned, broadcast) of element i of a tensor of shape (n, shape). */
static int64_t bindex(const tc_tensor *t, int n, const int64_t *shape, int64_t i)
{
    int64_t off = 0, st = 1;
    for (int d = n - 1; d >= 0; d--) {
        int64_t sd = shape[d] > 0 ? shape[d] : 1;   /* an empty shape has no element i */
        int64_t c = i % sd;
        i /= sd;
        int td = d - (n - t->ndim);
        if (td >= 0 && td < t->ndim) {
            if (t->shape[td] != 1)
                off += c * st;
            st *= t->shape[td];
        }
    }
    return off;
}

/*
 * a * b elementwise with broadcasting, in torch.promote_types(a, b): each
 * product rounded to that dtype (integers wrap; complex as c10::complex
 * multiplies, each real product rounded).
 */
static int mul_bcast(const tc_tensor *a, const tc_tensor *b, tc_tensor **out, tc_err *err)
{
    int nd = 0, rc;
    int64_t shape[TC_MAX_DIMS] = {0};
    tc_dtype t = a->dtype;
    *out = NULL;
    if ((rc = broadcast(a, b, &nd, shape, err)) != TC_OK || (rc = tc_dtype_promote(a->dtype, b->dtype, &t, err)))
        return rc;
    tc_tensor *y = tc_tensor_new(t, nd, shape, err);
    if (!y)
        return TC_ENOMEM;
    for (int64_t i = 0; i < y->numel; i++) {
        int64_t ia = bindex(a, nd, shape, i), ib = bindex(b, nd, shape, i);
        if (tc_dtype_is_integral(t, 1)) {
            uint64_t p = tc_tensor_get_u64(a, ia) * tc_tensor_get_u64(b, ib);
            tc_store_i64(y, i, t == TC_BOOL ? (int64_t)(p != 0) : (int64_t)p);
        } else if (tc_dtype_is_complex(t)) {
            double ar, ai, br, bi;
            tc_tensor_get_c128(a, ia, &ar, &ai);
            tc_tensor_get_c128(b, ib, &br, &bi);
            if (t == TC_COMPLEX64) {
                float a0 = (float)ar, a1 = (float)ai, b0 = (float)br, b1 = (float)bi;
                float ac = a0 * b0, bd = a1 * b1, ad = a0 * b1, bc = a1 * b0;
                tc_store_c128(y, i, ac - bd, ad + bc);
            } else {
                tc_store_c128(y, i, ar * br - ai * bi, ar * bi + ai * br);
            }
        } else {
            /* operands converted to t first, the product rounded to t */
            double va = tc_tensor_get_f64(a, ia), vb = tc_tensor_get_f64(b, ib);
            if (t == TC_FLOAT64) {
                tc_store_f64(y, i, va * vb);
            } else {
                float fa = (float)va, fb = (float)vb;
                if (t == TC_FLOAT16) {
                    fa = tc_half_to_float(tc_float_to_half(fa));
                    fb = tc_half_to_float(tc_float_to_half(fb));
                } else if (t == TC_BFLOAT16) {
                    fa = tc_bf16_to_float(tc_float_to_bf16(fa));
                    fb = tc_bf16_to_float(tc_float_to_bf16(fb));
                }
                tc_store_f64(y, i, fa * fb);
            }
        }
    }
    *out = y;
    return TC_OK;
}

/*
 * x.view(...).slice(dim, 1) - x.slice(dim, 0, -1): the sample spacings,
 * with x viewed as ATen's cumulative_trapezoid views it (a 1-D x along
 * dim, a shorter x padded with leading 1s).
 */
static int trapz_view(const tc_op_args *a, const tc_tensor *y, int dim, int *ndim, int64_t *vshape,
                      tc_err *err)
{
    const tc_tensor *x = a->x;
    int vnd = x->ndim;
    if (y->dtype == TC_BOOL || x->dtype == TC_BOOL)
        return tc_err_set(err, TC_EDTYPE,
                          "cumulative_trapezoid: received a bool input for `x` or `y`, but bool is not supported");
    if (x->ndim == 1) {
        if (y->ndim == 0)
            return tc_err_set(err, TC_EDIM, "Dimension specified as 0 but tensor has no dimensions");
        if (x->shape[0] != y->shape[dim])
            return tc_err_set(err, TC_ESHAPE,
                              "cumulative_trapezoid: There must be one `x` value for each sample point");
        vnd = y->ndim;
        for (int d = 0; d < vnd; d++)
            vshape[d] = d == dim ? x->shape[0] : 1;
    } else if (x->ndim < y->ndim) {
        vnd = y->ndim;
        for (int d = 0; d < vnd; d++)
            vshape[d] = d < vnd - x->ndim ? 1 : x->shape[d - (vnd - x->ndim)];
    } else {
        memcpy(vshape, x->shape, (size_t)vnd * sizeof *vshape);
    }
    if (vnd == 0)
        return tc_err_set(err, TC_EDIM, "slice() cannot be applied to a 0-dim tensor.");
    *ndim = vnd;
    return TC_OK;
}

int tc_trapz_dx(const tc_op_args *a, const tc_tensor *y, int dim, tc_tensor **out, tc_err *err)
{
    int64_t vshape[TC_MAX_DIMS];
    int vnd = 0;
    *out = NULL;
    int rc = trapz_view(a, y, dim, &vnd, vshape, err);
    if (rc != TC_OK)
        return rc;
    tc_tensor *xv = NULL;
    rc = tc_tensor_reshape(a->x, vnd, vshape, &xv, err);
    if (rc != TC_OK)
        return rc;
    rc = pairwise(xv, dim, 1, out, err);
    tc_tensor_free(xv);
    return rc;
}

/*
 * t / 2. in place, in t's (floating or complex) dtype: a complex divides
 * by (2, 0) as c10::complex does, (ac + bd) / (c*c + d*d).
 */
static void halve(tc_tensor *t)
{
    for (int64_t i = 0; i < t->numel; i++) {
        if (tc_dtype_is_complex(t->dtype)) {
            double re, im;
            tc_tensor_get_c128(t, i, &re, &im);
            if (t->dtype == TC_COMPLEX64) {
                float a = (float)re, b = (float)im;
                tc_store_c128(t, i, (a * 2.0f + b * 0.0f) / 4.0f, (b * 2.0f - a * 0.0f) / 4.0f);
            } else {
                tc_store_c128(t, i, (re * 2.0 + im * 0.0) / 4.0, (im * 2.0 - re * 0.0) / 4.0);
            }
        } else if (t->dtype == TC_FLOAT64) {
            ((double *)t->data)[i] /= 2.0;
        } else {
            tc_store_f64(t, i, (float)tc_tensor_get_f64(t, i) / 2.0f);
        }
    }
}

/*
 * ATen's do_cumulative_trapezoid for a tensor of spacings dx:
 *     ((y.slice(dim, 0, -1) + y.slice(dim, 1)) * dx).cumsum(dim) / 2.
 * The neighbour sum in y's dtype, the product in the promoted dtype with
 * broadcasting, the cumsum the scan module's, then a true division by 2.
 */
static int cumtrapz_x(const tc_op_args *a, const tc_tensor *y, tc_tensor **out, tc_err *err)
{
    int dim = 0, rc;
    *out = NULL;
    if ((rc = tc_dim_wrap(a->has_dim ? a->dim : -1, y->ndim, &dim, err)) != TC_OK)
        return rc;
    tc_tensor *dx = NULL, *s = NULL, *p = NULL;
    if ((rc = tc_trapz_dx(a, y, dim, &dx, err)) != TC_OK)
        return rc;
    if (!dx)
        return TC_ENOMEM;   /* TC_OK always comes with dx (for the analyzer) */
    if (y->ndim == 0) {
        tc_tensor_free(dx);
        return tc_err_set(err, TC_EDIM, "slice() cannot be applied to a 0-dim tensor.");
    }
    if ((rc = pairwise(y, dim, 0, &s, err)) == TC_OK)
        rc = s ? mul_bcast(s, dx, &p, err) : TC_ENOMEM;
    tc_tensor_free(s);
    tc_tensor_free(dx);
    if (rc != TC_OK)
        return rc;
    tc_op_args ca;
    tc_result cr;
    cumsum_args(a, dim, &ca);
    rc = tc_scan_run(&ca, p, &cr, err);
    tc_tensor_free(p);
    if (rc != TC_OK)
        return rc;
    tc_tensor *c = cr.values;
    cr.values = NULL;
    tc_result_free(&cr);
    /* / 2.: integers become the default float dtype first */
    tc_tensor *q = c;
    if (tc_dtype_is_integral(c->dtype, 1)) {
        if ((rc = tc_tensor_convert(c, a->default_dtype, &q, err)) != TC_OK) {
            tc_tensor_free(c);
            return rc;
        }
        tc_tensor_free(c);
    }
    halve(q);
    *out = q;
    return TC_OK;
}

/* ---- checks -------------------------------------------------------------------- */

static void meta_set_dim(tc_meta *y, int dim, int64_t len)
{
    y->shape[dim] = len > 0 ? len : 0;
}

/* torch.diff's checks (tc_diff_input's, then diff's own) and its result. */
static int diff_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    int rc, dim = 0;
    tc_tensor *none = NULL;
    tc_op_args b = *a;
    b.prepend = b.append = NULL;    /* their checks without their concatenation */
    if ((rc = tc_diff_input(&b, x, &none, err)) != TC_OK)
        return rc;
    if (a->prepend && (rc = check_other(x, a->prepend, a->has_dim ? a->dim : -1, err)) != TC_OK)
        return rc;
    if (a->append && (rc = check_other(x, a->append, a->has_dim ? a->dim : -1, err)) != TC_OK)
        return rc;
    if (a->n == 0)
        return TC_OK;
    if ((rc = tc_dim_wrap(a->has_dim ? a->dim : -1, x->ndim, &dim, err)) != TC_OK)
        return rc;
    /* torch.cat's dtype and length */
    int64_t len = x->shape[dim];
    if (a->prepend) {
        if ((rc = tc_dtype_promote(a->prepend->dtype, y->dtype, &y->dtype, err)) != TC_OK)
            return rc;
        len += a->prepend->shape[dim];
    }
    if (a->append) {
        if ((rc = tc_dtype_promote(y->dtype, a->append->dtype, &y->dtype, err)) != TC_OK)
            return rc;
        len += a->append->shape[dim];
    }
    int64_t n = a->n < len ? a->n : len;
    if (n > 0 && (rc = pairwise_check(y->dtype, err)) != TC_OK)
        return rc;
    meta_set_dim(y, dim, len - (n > 0 ? n : 0));
    return TC_OK;
}

/* The cumsum that ends cumulative_trapezoid, on a tensor of dtype t and shape p. */
static int cumsum_check(const tc_op_args *a, int dim, tc_dtype t, const tc_meta *p, tc_meta *y, tc_err *err)
{
    tc_op_args ca;
    tc_tensor h;
    cumsum_args(a, dim, &ca);
    tc_tensor_header(&h, t, p->ndim, p->shape);
    return tc_scan_check(&ca, &h, y, err);
}

/* cumulative_trapezoid with a scalar dx: cumtrapz's checks and its result. */
static int cumtrapz_meta(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    int dim = 0, rc;
    if ((rc = cumtrapz_check(a, x, &dim, err)) != TC_OK || (rc = pairwise_check(x->dtype, err)) != TC_OK)
        return rc;
    tc_dtype rt = x->dtype;
    if (tc_dtype_is_integral(rt, 1))
        rt = a->default_dtype == TC_FLOAT64 ? TC_FLOAT64 : TC_FLOAT32;
    tc_meta p = *y;
    meta_set_dim(&p, dim, x->shape[dim] - 1);
    return cumsum_check(a, dim, rt, &p, y, err);
}

/* cumulative_trapezoid with sample points x: cumtrapz_x's checks and its result. */
static int cumtrapz_x_meta(const tc_op_args *a, const tc_tensor *y, tc_meta *out, tc_err *err)
{
    int dim = 0, rc, vnd = 0, nd = 0;
    int64_t vshape[TC_MAX_DIMS], shape[TC_MAX_DIMS];
    tc_dtype t;
    if ((rc = tc_dim_wrap(a->has_dim ? a->dim : -1, y->ndim, &dim, err)) != TC_OK)
        return rc;
    if ((rc = trapz_view(a, y, dim, &vnd, vshape, err)) != TC_OK || (rc = pairwise_check(a->x->dtype, err)) != TC_OK)
        return rc;
    if (y->ndim == 0)
        return tc_err_set(err, TC_EDIM, "slice() cannot be applied to a 0-dim tensor.");
    if ((rc = pairwise_check(y->dtype, err)) != TC_OK)
        return rc;
    /* (y[1:] + y[:-1]) * dx, broadcast */
    tc_tensor s, dx;
    tc_meta m;
    tc_meta_of(y, &m);
    meta_set_dim(&m, dim, y->shape[dim] - 1);
    tc_tensor_header(&s, y->dtype, m.ndim, m.shape);
    vshape[dim] = vshape[dim] > 0 ? vshape[dim] - 1 : 0;
    tc_tensor_header(&dx, a->x->dtype, vnd, vshape);
    if ((rc = broadcast(&s, &dx, &nd, shape, err)) != TC_OK || (rc = tc_dtype_promote(s.dtype, dx.dtype, &t, err)))
        return rc;
    tc_meta p = {t, nd, {0}};
    memcpy(p.shape, shape, (size_t)nd * sizeof *shape);
    if ((rc = cumsum_check(a, dim, t, &p, out, err)) != TC_OK)
        return rc;
    if (tc_dtype_is_integral(out->dtype, 1))   /* / 2. */
        out->dtype = a->default_dtype;
    return TC_OK;
}

int tc_diff_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    tc_tensor h = *x;
    if (a->has_dtype)   /* --dtype for these ops means op(x.to(dtype)) */
        h.dtype = a->dtype;
    tc_meta_of(&h, y);
    if (a->op == TC_OP_DIFF)
        return diff_check(a, &h, y, err);
    return a->x ? cumtrapz_x_meta(a, &h, y, err) : cumtrapz_meta(a, &h, y, err);
}

int tc_diff_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_tensor *conv = NULL, *y = NULL;
    tc_meta m;
    int rc;
    memset(r, 0, sizeof *r);
    if ((rc = tc_diff_check(a, x, &m, err)) != TC_OK)
        return rc;
    /* --dtype for these ops means op(x.to(dtype)). */
    if (a->has_dtype && a->dtype != x->dtype) {
        if ((rc = tc_tensor_convert_version(x, a->dtype, a->torch_version, &conv, err)) != TC_OK)
            return rc;
        x = conv;
    }
    if (a->op == TC_OP_DIFF)
        rc = diff(a, x, &y, err);
    else
        rc = a->x ? cumtrapz_x(a, x, &y, err) : cumtrapz(a, x, &y, err);
    tc_tensor_free(conv);
    if (rc == TC_OK)
        r->values = y;
    return rc;
}
