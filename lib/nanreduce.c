/*
 * nanreduce.c - numpy.nanmax, numpy.nanmin and numpy.nanprod.
 *
 * These are NumPy's functions, not PyTorch's: the results are NumPy's,
 * for the NumPy equivalent of the tensor's dtype, bit for bit (checked
 * against NumPy 1.24, Debian 12's, and 2.2, Debian 13's; where the two
 * differ, 1.13 mode follows 1.24 and 2.6 mode 2.2, the NumPy shipped
 * beside each PyTorch).
 *
 *   nanmax, nanmin  np.fmax.reduce / np.fmin.reduce: NaN is skipped, an
 *                   all-NaN slice gives NaN, an empty one is an error; the
 *                   dtype is kept (bool, integers, floats, complex, with
 *                   NumPy's lexicographic order for complex).
 *   nanprod         np.prod after NaN (in either part of a complex) is
 *                   replaced by 1, so an all-NaN slice gives 1; np.prod's
 *                   dtype: bool and signed integers give int64, unsigned
 *                   ones uint64, floats and complex stay, dtype= computes
 *                   in that dtype.
 *
 * The order of the products follows NumPy's reduction loops.  A float16
 * reduction whose reduced axis is the innermost in memory (or a reduction
 * over everything) multiplies in float32 across each inner loop of at most
 * 8192 elements (NumPy's buffer) and rounds to float16 between them; any
 * other axis multiplies elementwise, rounding every product.  float32,
 * float64 and complex products are sequential in index order; the complex
 * multiply is ((ac - bd), (ad + bc)) with each product rounded, except
 * that NumPy 1.24's complex128 and NumPy 2.2's elementwise loops compute
 * fma(a, c, -bd) and fma(a, d, bc).  bfloat16, which NumPy lacks, is done
 * as float16 is, with bfloat16 rounding.  Of +0 and -0, nanmax and nanmin
 * keep the earlier where the reduced axis is innermost (a reduce loop) and
 * take the later elsewhere for float32 and float64 (an elementwise
 * vector loop).
 */
#include "tc_private.h"

#include <math.h>
#include <string.h>

/* NumPy's reduce buffer: a reduction's inner loop spans at most this many elements. */
#define NPY_BUFSIZE 8192

/* ---- dtypes ------------------------------------------------------------------- */

/* np.prod's result dtype for an input dtype (without dtype=). */
static tc_dtype prod_dtype(tc_dtype t)
{
    if (t == TC_BOOL)
        return TC_INT64;
    if (tc_dtype_is_unsigned(t))
        return TC_UINT64;
    if (tc_dtype_is_integral(t, 0))
        return TC_INT64;
    return t;
}

/* ---- values ------------------------------------------------------------------- */

static bool is_nan(const tc_tensor *x, int64_t i)
{
    double re, im;
    if (tc_dtype_is_integral(x->dtype, 1))
        return false;
    tc_tensor_get_c128(x, i, &re, &im);
    return isnan(re) || isnan(im);
}

/*
 * fmax/fmin of two reals: NaN only if both are.  Of two equal values
 * (+0 and -0), a reduce loop keeps the earlier, and so does float16's
 * scalar elementwise loop; float32's and float64's elementwise loops (a
 * vector max) take the later.
 */
static double fmaxmin(double a, double b, bool is_max, bool keep_a)
{
    if (isnan(b))
        return a;
    if (isnan(a))
        return b;
    if (a == b)
        return keep_a ? a : b;
    return (is_max ? a > b : a < b) ? a : b;
}

/* NumPy's CGE / CLE for complex fmax / fmin: lexicographic, b's NaN loses. */
static bool cplx_keep_a(double ar, double ai, double br, double bi, bool is_max)
{
    if (isnan(br) || isnan(bi))
        return true;
    if (is_max)
        return (ar > br && !isnan(ai) && !isnan(bi)) || (ar == br && ai >= bi);
    return (ar < br && !isnan(ai) && !isnan(bi)) || (ar == br && ai <= bi);
}

/* ---- products ----------------------------------------------------------------- */

static float round_to(tc_dtype t, float v)
{
    if (t == TC_FLOAT16)
        return tc_half_to_float(tc_float_to_half(v));
    if (t == TC_BFLOAT16)
        return tc_bf16_to_float(tc_float_to_bf16(v));
    return v;
}

/* One complex product as the chosen NumPy loop computes it. */
static void cmul(tc_dtype t, bool fused, double ar, double ai, double br, double bi,
                 double *rr, double *ri)
{
    if (t == TC_COMPLEX64) {
        float a = (float)ar, b = (float)ai, c = (float)br, d = (float)bi;
        if (fused) {
            *rr = fmaf(a, c, -(b * d));
            *ri = fmaf(a, d, b * c);
        } else {
            float ac = a * c, bd = b * d, ad = a * d, bc = b * c;
            *rr = ac - bd;
            *ri = ad + bc;
        }
    } else if (fused) {
        *rr = fma(ar, br, -(ai * bi));
        *ri = fma(ar, bi, ai * br);
    } else {
        double ac = ar * br, bd = ai * bi, ad = ar * bi, bc = ai * br;
        *rr = ac - bd;
        *ri = ad + bc;
    }
}

/* ---- the reduction -------------------------------------------------------------- */

typedef struct nanred {
    tc_op op;
    bool is_max;
    tc_dtype t;             /* the computation (and result) dtype */
    bool reduce_path;       /* the reduced axis is innermost in memory (or all are reduced) */
    bool v113;
    int64_t j, w;           /* elementwise path: this output's place in the inner loop, its length */
} nanred;

/*
 * Of +0 and -0 in an elementwise fmax/fmin loop, whether the earlier
 * stays: NumPy 1.24 takes the later everywhere (a vector max); 2.2 does in
 * whole vectors (16 float32, 8 float64), and in a loop's last partial
 * vector keeps the earlier for the first 2 lanes of float32 (all of a
 * tail of 2 or less) and 6 of float64 (all of a tail of 6 or less), as
 * measured on NumPy 2.2 for every loop length up to 69.
 */
static bool elem_keeps_earlier(const nanred *c)
{
    if (c->v113)
        return false;
    int64_t vl = c->t == TC_FLOAT32 ? 16 : 8, keep = c->t == TC_FLOAT32 ? 2 : 6;
    int64_t full = c->w / vl * vl, tail = c->w - full;
    return c->j >= full && (tail <= keep || c->j - full < keep);
}

/*
 * One output: the n elements of x (already in the computation dtype) at
 * flat indices base + k * st, reduced into element o of y.
 */
static void reduce_one(const nanred *c, const tc_tensor *x, int64_t base, int64_t st, int64_t n,
                       tc_tensor *y, int64_t o)
{
    tc_dtype t = c->t;
    if (c->op != TC_OP_NANPROD) {
        if (tc_dtype_is_integral(t, 1)) {
            uint64_t best = tc_tensor_get_u64(x, base);
            bool uns = tc_dtype_is_unsigned(t);
            for (int64_t k = 1; k < n; k++) {
                uint64_t v = tc_tensor_get_u64(x, base + k * st);
                bool more = uns ? v > best : (int64_t)v > (int64_t)best;
                bool less = uns ? v < best : (int64_t)v < (int64_t)best;
                if (c->is_max ? more : less)
                    best = v;
            }
            tc_store_u64(y, o, best);
        } else if (tc_dtype_is_complex(t)) {
            double ar, ai, br, bi;
            tc_tensor_get_c128(x, base, &ar, &ai);
            for (int64_t k = 1; k < n; k++) {
                tc_tensor_get_c128(x, base + k * st, &br, &bi);
                if (!cplx_keep_a(ar, ai, br, bi, c->is_max)) {
                    ar = br;
                    ai = bi;
                }
            }
            tc_store_c128(y, o, ar, ai);
        } else {
            double a = tc_tensor_get_f64(x, base);
            for (int64_t k = 1; k < n; k++)
                a = fmaxmin(a, tc_tensor_get_f64(x, base + k * st), c->is_max,
                            c->reduce_path || (t != TC_FLOAT32 && t != TC_FLOAT64) ||
                            elem_keeps_earlier(c));
            tc_store_f64(y, o, a);
        }
        return;
    }
    /* nanprod: NaN counts as 1 */
    if (tc_dtype_is_integral(t, 1)) {
        uint64_t p = 1;
        for (int64_t k = 0; k < n; k++)
            p *= tc_tensor_get_u64(x, base + k * st);
        if (t == TC_BOOL)
            tc_store_i64(y, o, p != 0);
        else
            tc_store_u64(y, o, p);
    } else if (tc_dtype_is_complex(t)) {
        /* 1.24: complex128's loops are fused; 2.2: the elementwise ones are */
        bool fused = c->v113 ? t == TC_COMPLEX128 : !c->reduce_path;
        double pr = 1, pi = 0;
        for (int64_t k = 0; k < n; k++) {
            double br = 1, bi = 0;
            if (!is_nan(x, base + k * st))
                tc_tensor_get_c128(x, base + k * st, &br, &bi);
            cmul(t, fused, pr, pi, br, bi, &pr, &pi);
        }
        tc_store_c128(y, o, pr, pi);
    } else if (t == TC_FLOAT32 || t == TC_FLOAT64) {
        double p = 1;
        for (int64_t k = 0; k < n; k++) {
            double v = is_nan(x, base + k * st) ? 1 : tc_tensor_get_f64(x, base + k * st);
            p = t == TC_FLOAT32 ? (double)((float)p * (float)v) : p * v;
        }
        tc_store_f64(y, o, p);
    } else {
        /* float16, bfloat16: in float within each inner loop, rounded between them */
        int64_t chunk = c->reduce_path ? NPY_BUFSIZE : 1;
        float out = 1;
        for (int64_t k = 0; k < n; k += chunk) {
            float acc = out;
            for (int64_t j = k; j < n && j < k + chunk; j++) {
                float v = is_nan(x, base + j * st) ? 1.0f : (float)tc_tensor_get_f64(x, base + j * st);
                acc = acc * v;
            }
            out = round_to(t, acc);
        }
        tc_store_f64(y, o, out);
    }
}

/*
 * The place of the output at lane (o, i) in NumPy's elementwise loop,
 * which runs over the dims faster than the reduced one in memory, in
 * chunks of NumPy's buffer: c->j and c->w.
 */
static void elem_place(nanred *c, const tc_tensor *x, int dim, int64_t o, int64_t i)
{
    int64_t st[TC_MAX_DIMS], idx[TC_MAX_DIMS];
    tc_tensor_strides(x, st);
    for (int d = x->ndim - 1; d >= 0; d--) {
        if (d == dim) {
            idx[d] = 0;
        } else if (d > dim) {
            idx[d] = i % x->shape[d];
            i /= x->shape[d];
        } else {
            idx[d] = o % x->shape[d];
            o /= x->shape[d];
        }
    }
    /* the dims faster than the reduced one, fastest first */
    int order[TC_MAX_DIMS], n = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (d == dim || x->shape[d] <= 1 || st[d] >= st[dim])
            continue;
        int k = n++;
        while (k > 0 && st[order[k - 1]] > st[d]) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = d;
    }
    int64_t j = 0, w = 1;
    for (int k = 0; k < n; k++) {
        j += idx[order[k]] * w;
        w *= x->shape[order[k]];
    }
    c->w = w > NPY_BUFSIZE ? (j / NPY_BUFSIZE == (w - 1) / NPY_BUFSIZE ? w % NPY_BUFSIZE : NPY_BUFSIZE) : w;
    if (c->w == 0)
        c->w = NPY_BUFSIZE;
    c->j = j % NPY_BUFSIZE;
}

/* Whether the reduced dim is the innermost in x's memory, size-1 dims aside. */
static bool innermost(const tc_tensor *x, int dim)
{
    int64_t st[TC_MAX_DIMS];
    tc_tensor_strides(x, st);
    for (int d = 0; d < x->ndim; d++)
        if (d != dim && x->shape[d] > 1 && st[d] < st[dim])
            return false;
    return true;
}

/* The axis NumPy reduces, checked (-1: all of them). */
static int nan_axis(const tc_op_args *a, const tc_tensor *x, int *dim, tc_err *err)
{
    *dim = -1;
    if (a->has_dim) {
        int64_t n = x->ndim > 0 ? x->ndim : 1;
        if (a->dim < -n || a->dim >= n) {
            tc_err_set(err, TC_EDIM, "axis %lld is out of bounds for array of dimension %d",
                       (long long)a->dim, x->ndim);
            return tc_err_hint(err, TC_EDIM, "dim", NULL);
        }
        *dim = x->ndim > 0 ? (int)(a->dim < 0 ? a->dim + n : a->dim) : -1;
    }
    return TC_OK;
}

int tc_nanreduce_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    tc_dtype t = x->dtype;
    int dim, rc;
    memset(y, 0, sizeof *y);
    if (a->op == TC_OP_NANPROD)
        t = a->has_dtype ? a->dtype : prod_dtype(x->dtype);
    if (tc_dtype_check_version(t, a->torch_version, err) != TC_OK) {
        tc_err_set(err, TC_EDTYPE, "numpy.nanprod of %s gives %s, which needs PyTorch 2.3 or later",
                   tc_dtype_name(x->dtype), tc_dtype_name(t));
        return tc_err_hint(err, TC_EDTYPE, "torch_version", "2.6");
    }
    if ((rc = nan_axis(a, x, &dim, err)) != TC_OK)
        return rc;
    y->dtype = t;
    int64_t n = dim >= 0 ? x->shape[dim] : x->numel;
    for (int d = 0; d < x->ndim; d++)
        if (dim < 0 ? a->keepdim : d != dim || a->keepdim)
            y->shape[y->ndim++] = d != dim && dim >= 0 ? x->shape[d] : 1;
    if (n == 0 && a->op != TC_OP_NANPROD)
        return tc_err_set(err, TC_EARG, "zero-size array to reduction operation %s which has no identity",
                          a->op == TC_OP_NANMAX ? "fmax" : "fmin");
    return TC_OK;
}

int tc_nanreduce_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    memset(r, 0, sizeof *r);
    tc_meta ym;
    int rc = tc_nanreduce_check(a, x, &ym, err);
    if (rc != TC_OK)
        return rc;
    nanred c = {a->op, a->op == TC_OP_NANMAX, ym.dtype, true, a->torch_version == TC_TORCH_1_13, 0, 1};
    int dim;
    nan_axis(a, x, &dim, NULL);
    /* the lanes reduced into each result element */
    int64_t outer = 1, n = x->numel, inner = 1;
    if (dim >= 0) {
        tc_lanes(x, dim, &outer, &n, &inner);
        c.reduce_path = innermost(x, dim);
    }
    tc_tensor *xc = NULL, *y = tc_tensor_new(c.t, ym.ndim, ym.shape, err);
    if (!y)
        return TC_ENOMEM;
    const tc_tensor *xs = x;
    if (x->dtype != c.t) {
        /*
         * dtype=: NumPy replaces NaN by 1 in the input, then casts each
         * value to the dtype as the multiply loop reads it.
         */
        tc_tensor *r1 = NULL;
        if (a->op == TC_OP_NANPROD && !tc_dtype_is_integral(x->dtype, 1)) {
            if (!(r1 = tc_tensor_clone(x, err))) {
                tc_tensor_free(y);
                return TC_ENOMEM;
            }
            for (int64_t i = 0; i < r1->numel; i++)
                if (is_nan(r1, i))
                    tc_store_c128(r1, i, 1, 0);
        }
        rc = tc_tensor_convert(r1 ? r1 : x, c.t, &xc, err);
        tc_tensor_free(r1);
        if (rc) {
            tc_tensor_free(y);
            return rc;
        }
        xs = xc;
    }
    if (dim >= 0) {
        for (int64_t o = 0; o < outer && n > 0; o++)
            for (int64_t i = 0; i < inner; i++) {
                if (!c.reduce_path)
                    elem_place(&c, x, dim, o, i);
                reduce_one(&c, xs, o * n * inner + i, inner, n, y, o * inner + i);
            }
        for (int64_t k = 0; n == 0 && k < y->numel; k++)
            tc_store_i64(y, k, 1);   /* an empty nanprod */
    } else {
        /* over everything: memory order, as NumPy reduces a contiguous array */
        tc_tensor *m = NULL;
        if (xs->strided) {
            int64_t numel = xs->numel;
            if (!(m = tc_tensor_new(c.t, 1, &numel, err))) {
                tc_tensor_free(xc);
                tc_tensor_free(y);
                return TC_ENOMEM;
            }
            size_t esz = tc_dtype_size(c.t);
            for (int64_t p = 0; p < numel; p++)
                memcpy((char *)m->data + (size_t)p * esz,
                       (const char *)xs->data + (size_t)tc_tensor_logical_index(xs, p) * esz, esz);
        }
        reduce_one(&c, m ? m : xs, 0, 1, n, y, 0);
        tc_tensor_free(m);
    }
    tc_tensor_free(xc);
    r->values = y;
    return TC_OK;
}
