/*
 * compare.c - torch.testing.assert_close for two tensors.
 *
 * Follows torch/testing/_comparison.py step by step, PyTorch 1.13's:
 *   1. tolerances: both given or both omitted; omitted means the loosest
 *      default of the two dtypes (0 for bool and integers);
 *   2. shape must match, then dtype when check_dtype is set;
 *   3. otherwise both are promoted to torch.promote_types(a, b) and then to
 *      the comparison dtype of that category (int64, float64, complex128);
 *   4. torch.isclose decides, elementwise;
 *   5. the report: a 0-d pair does its arithmetic on Python scalars
 *      (.item()), a tensor pair on tensors, which for integers means int64
 *      wrap-around and a float32 relative difference (true division of
 *      integer tensors gives the default float dtype).
 * PyTorch 2.6's (tc_close_opts.torch_version) differs in two ways: there
 * is no step 3, so isclose and the report's differences are computed in
 * the promoted dtype itself (a float32 relative difference prints as
 * 0.20000000298023224; integers still go to int64 for the report), and a
 * 0-d pair's report says "Expected E but got A." first.
 */
#include "tc_private.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef enum { K_INT, K_FLOAT, K_COMPLEX } kind;


/*
 * torch.promote_types(a, b), except that two integer types give int64: the
 * comparison widens every integer to int64 anyway, and no integer
 * promotion loses a value.
 */
static tc_dtype promote(tc_dtype a, tc_dtype b)
{
    if (a == b)
        return a;
    int ca = tc_dtype_category(a), cb = tc_dtype_category(b);
    if (ca != cb) {
        tc_dtype hi = ca > cb ? a : b, lo = ca > cb ? b : a;
        if (tc_dtype_category(hi) == 3 && lo == TC_FLOAT64)
            return TC_COMPLEX128;      /* complex64 with float64 */
        return hi;
    }
    switch (ca) {
    case 1:
        return TC_INT64;
    case 2:
        if ((a == TC_FLOAT16 && b == TC_BFLOAT16) || (a == TC_BFLOAT16 && b == TC_FLOAT16))
            return TC_FLOAT32;
        return tc_dtype_size(a) > tc_dtype_size(b) ? a : b;
    default:
        return TC_COMPLEX128;
    }
}

/* torch.testing's _DTYPE_PRECISIONS: (rtol, atol); integers and bool (0, 0). */
static void default_tol(tc_dtype t, double *rtol, double *atol)
{
    switch (t) {
    case TC_FLOAT16: *rtol = 0.001; *atol = 1e-5; break;
    case TC_BFLOAT16: *rtol = 0.016; *atol = 1e-5; break;
    case TC_FLOAT32: case TC_COMPLEX64: *rtol = 1.3e-6; *atol = 1e-5; break;
    case TC_FLOAT64: case TC_COMPLEX128: *rtol = 1e-7; *atol = 1e-7; break;
    default: *rtol = 0; *atol = 0; break;
    }
}

/*
 * The real part of element i of t converted to dtype p (x.to(p), which
 * turns an integer into a float in one rounding, and into a half through
 * float as c10::Half does), then widened to double.
 */
static double real_as(const tc_tensor *t, int64_t i, tc_dtype p)
{
    float f;
    bool wide = p == TC_FLOAT64 || p == TC_COMPLEX128;
    if (tc_dtype_is_integral(t->dtype, 1)) {
        int64_t k = tc_tensor_get_i64(t, i);
        if (wide)
            return (double)k;
        f = (float)k;
    } else {
        double v = tc_tensor_get_f64(t, i);
        if (wide)
            return v;
        f = (float)v;                  /* exact: promotion never narrows */
    }
    if (p == TC_FLOAT16)
        return tc_half_to_float(tc_float_to_half(f));
    if (p == TC_BFLOAT16)
        return tc_bf16_to_float(tc_float_to_bf16(f));
    return f;
}

static double imag_of(const tc_tensor *t, int64_t i)
{
    double re, im;
    if (!tc_dtype_is_complex(t->dtype))
        return 0;
    tc_tensor_get_c128(t, i, &re, &im);
    return im;
}

/* |v| of an int64 as torch.abs computes it: INT64_MIN stays INT64_MIN. */
static int64_t wrap_abs(int64_t v)
{
    return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

static int64_t wrap_sub(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)b);
}

/*
 * Python's int / int for non-negative int64-sized values: correctly rounded
 * when both fit in 53 bits (the usual case, and what Python computes);
 * beyond that long double division then rounding to double, which can be
 * off by one ulp in rare double-rounding cases.
 */
static double py_div_u64(uint64_t a, uint64_t b)
{
    if (a <= (UINT64_C(1) << 53) && b <= (UINT64_C(1) << 53))
        return (double)a / (double)b;
    return (double)((long double)a / (long double)b);
}

/*
 * torch.abs of element i of an n-element complex128 tensor.  PyTorch's AVX2
 * loop takes the elements in blocks of four and computes sqrt(re*re +
 * im*im) there (so NaN wins over inf, and huge parts overflow); the
 * remaining n % 4 go through std::abs, i.e. hypot.  (Past 32768 elements
 * PyTorch splits the loop between threads, each with its own remainder;
 * that is not modelled.)  PyTorch 2.6 takes std::abs for every element.
 */
static double torch_cabs(double re, double im, int64_t i, int64_t n, tc_torch_version v)
{
    if (i < n - n % 4 && v == TC_TORCH_1_13)   /* 2.6: hypot for all */
        return sqrt(re * re + im * im);
    return hypot(re, im);
}

/*
 * a - b of complex128 tensors.  PyTorch computes it as a + alpha * b with
 * alpha = -1 + 0j and a full complex product, so an infinite or NaN part of
 * b makes both parts of the difference NaN.
 */
static void torch_csub(double ar, double ai, double br, double bi, double *re, double *im)
{
    *re = ar + (-br - bi * 0.0);
    *im = ai + (br * 0.0 - bi);
}

/* v rounded to the precision of the (component) dtype p, as storing it does. */
static double rnd_p(tc_dtype p, double v)
{
    switch (p) {
    case TC_FLOAT16: return tc_half_to_float(tc_float_to_half((float)v));
    case TC_BFLOAT16: return tc_bf16_to_float(tc_float_to_bf16((float)v));
    case TC_FLOAT32: case TC_COMPLEX64: return (float)v;
    default: return v;
    }
}

/*
 * PyTorch 2.6's arithmetic in the comparison dtype p (not widened): a + b,
 * a - b, a * b and a / b of values exact in p, rounded to p (float16 and
 * bfloat16 compute in float and round, as their op math type is float).
 */
static double op_p(tc_dtype p, char op, double a, double b)
{
    double r = op == '+' ? a + b : op == '-' ? a - b : op == '*' ? a * b : a / b;
    if (p == TC_FLOAT16 || p == TC_BFLOAT16)
        r = (float)r;
    return rnd_p(p, r);
}

/* torch.abs of a complex64 in PyTorch 2.6: std::abs, i.e. hypotf, for every element. */
static double cabs_f32(double re, double im)
{
    return hypotf((float)re, (float)im);
}

/* a - b of complex64 as torch_csub, in float. */
static void csub_f32(double ar, double ai, double br, double bi, double *re, double *im)
{
    float fbr = (float)br, fbi = (float)bi;
    *re = (float)ar + (-fbr - fbi * 0.0f);
    *im = (float)ai + (fbr * 0.0f - fbi);
}

/* One element pair, promoted for comparison. */
typedef struct pair {
    int64_t ia, ib;
    double ar, ai, br, bi;
} pair;

static void load(const tc_tensor *a, const tc_tensor *b, int64_t i, tc_dtype p, kind k, pair *e)
{
    if (k == K_INT) {
        e->ia = tc_tensor_get_i64(a, i);
        e->ib = tc_tensor_get_i64(b, i);
        return;
    }
    e->ar = real_as(a, i, p);
    e->br = real_as(b, i, p);
    if (k == K_COMPLEX) {
        e->ai = imag_of(a, i);
        e->bi = imag_of(b, i);
    }
}

/* torch.isclose in the comparison dtype p itself, as PyTorch 2.6 calls it. */
static bool isclose_p(const pair *e, kind k, tc_dtype p, double rtol, double atol)
{
    if (k == K_FLOAT) {
        double allowed = op_p(p, '+', rnd_p(p, atol), fabs(op_p(p, '*', rnd_p(p, rtol), e->br)));
        double actual = fabs(op_p(p, '-', e->ar, e->br));
        return isfinite(actual) && actual <= allowed;
    }
    /* complex64 (complex128 is the 1.13 arithmetic): rtol * b as a complex product */
    float fr = (float)rtol;
    double allowed = (float)atol + (float)cabs_f32(fr * (float)e->br - (float)e->bi * 0.0f,
                                                   fr * (float)e->bi + (float)e->br * 0.0f);
    double dre, dim;
    csub_f32(e->ar, e->ai, e->br, e->bi, &dre, &dim);
    double actual = cabs_f32(dre, dim);
    return isfinite(actual) && actual <= (float)allowed;
}

/* torch.isclose(a, b, rtol, atol, equal_nan) for one promoted pair. */
static bool isclose(const pair *e, kind k, tc_dtype p, bool narrow, tc_torch_version v,
                    double rtol, double atol, bool equal_nan, int64_t i, int64_t n)
{
    bool zero_tol = rtol == 0 && atol == 0;
    if (k == K_INT) {
        if (e->ia == e->ib)
            return true;
        if (zero_tol)
            return false;
        /*
         * With tolerances PyTorch 1.13 compares integers as float32 (the
         * default dtype): 16777217 is within atol=0.5 of 16777216.
         */
        float fa = (float)e->ia, fb = (float)e->ib;
        float allowed = (float)atol + fabsf((float)rtol * fb);
        float actual = fabsf(fa - fb);
        return isfinite(actual) && actual <= allowed;
    }
    if (k == K_FLOAT) {
        if (e->ar == e->br)
            return true;
        if (equal_nan && isnan(e->ar) && isnan(e->br))
            return true;
        if (zero_tol)
            return false;
        if (narrow)
            return isclose_p(e, k, p, rtol, atol);
        double allowed = atol + fabs(rtol * e->br);
        double actual = fabs(e->ar - e->br);
        return isfinite(actual) && actual <= allowed;
    }
    if (e->ar == e->br && e->ai == e->bi)
        return true;
    if (equal_nan && (isnan(e->ar) || isnan(e->ai)) && (isnan(e->br) || isnan(e->bi)))
        return true;
    if (zero_tol)
        return false;
    if (narrow)
        return isclose_p(e, k, p, rtol, atol);
    /* rtol * b is a complex product too: (br*rtol - bi*0) + (br*0 + bi*rtol)j */
    double allowed = atol + torch_cabs(e->br * rtol - e->bi * 0.0, e->br * 0.0 + e->bi * rtol, i, n, v);
    double dre, dim;
    torch_csub(e->ar, e->ai, e->br, e->bi, &dre, &dim);
    double actual = torch_cabs(dre, dim, i, n, v);
    return isfinite(actual) && actual <= allowed;
}

/* Python's tuple repr of the C-order index of flat position i: "(1,)", "(1, 2)". */
static void put_index(tc_buf *out, const tc_tensor *t, int64_t i)
{
    int64_t idx[TC_MAX_DIMS];
    for (int d = t->ndim - 1; d >= 0; d--) {
        idx[d] = t->shape[d] ? i % t->shape[d] : 0;
        i = t->shape[d] ? i / t->shape[d] : 0;
    }
    tc_dims_put(out, t->ndim, idx, '(');
}

/* torch.max(x, 0) keeps the first maximum; a NaN wins and the first NaN stays. */
static bool beats(double v, double best)
{
    return !isnan(best) && (isnan(v) || v > best);
}

/* " (up to TOL allowed)" unless the comparison is for equality. */
static void put_tol(tc_buf *out, bool equality, double tol)
{
    if (equality)
        return;
    tc_buf_puts(out, " (up to ");
    tc_repr_f64(out, tol);
    tc_buf_puts(out, " allowed)");
}

/* Python's repr of a complex: "(1+2j)", "1j", "(-0-1.5j)", "(nan+infj)". */
static void put_complex_repr(tc_buf *out, double re, double im)
{
    tc_buf part = {0};
    int bare = re == 0 && !signbit(re);
    if (!bare) {
        tc_repr_f64(&part, re);
        if (part.n >= 2 && !part.oom && !memcmp(part.p + part.n - 2, ".0", 2))
            part.n -= 2;
        tc_buf_puts(out, "(");
        tc_buf_put(out, part.p, part.n);
        part.n = 0;
        if (!signbit(im) || isnan(im))
            tc_buf_puts(out, "+");
    }
    tc_repr_f64(&part, im);
    if (part.n >= 2 && !part.oom && !memcmp(part.p + part.n - 2, ".0", 2))
        part.n -= 2;
    tc_buf_put(out, part.p, part.n);
    tc_buf_puts(out, bare ? "j" : "j)");
    if (part.oom)
        out->oom = 1;
    tc_buf_free(&part);
}

/* f"{v}" of a 0-d tensor's .item() in dtype p: "1.5", "3", "True", "(1+2j)". */
static void put_item(tc_buf *out, const pair *e, kind k, tc_dtype p, int which)
{
    if (k == K_INT && p == TC_BOOL)
        tc_buf_puts(out, (which ? e->ib : e->ia) ? "True" : "False");
    else if (k == K_INT)
        tc_buf_printf(out, "%" PRId64, which ? e->ib : e->ia);
    else if (k == K_FLOAT)
        tc_repr_f64(out, which ? e->br : e->ar);
    else
        put_complex_repr(out, which ? e->br : e->ar, which ? e->bi : e->ai);
}

/* make_scalar_mismatch_msg: the arithmetic is Python's on .item() values. */
static void scalar_report(tc_buf *out, const pair *e, kind k, tc_dtype p, bool narrow,
                          double rtol, double atol)
{
    bool equality = rtol == 0 && atol == 0;
    tc_buf_printf(out, "Scalars are not %s!\n\n", equality ? "equal" : "close");
    if (narrow) {
        tc_buf_puts(out, "Expected ");
        put_item(out, e, k, p, 1);
        tc_buf_puts(out, " but got ");
        put_item(out, e, k, p, 0);
        tc_buf_puts(out, ".\n");
    }
    tc_buf_puts(out, "Absolute difference: ");
    double rel;
    if (k == K_INT) {
        uint64_t d = e->ia >= e->ib ? (uint64_t)e->ia - (uint64_t)e->ib
                                    : (uint64_t)e->ib - (uint64_t)e->ia;
        uint64_t m = e->ib < 0 ? 0 - (uint64_t)e->ib : (uint64_t)e->ib;
        tc_buf_printf(out, "%" PRIu64, d);
        rel = e->ib == 0 ? INFINITY : py_div_u64(d, m);
    } else {
        double d, m;
        if (k == K_FLOAT) {
            d = fabs(e->ar - e->br);
            m = fabs(e->br);
        } else {
            d = hypot(e->ar - e->br, e->ai - e->bi);
            m = hypot(e->br, e->bi);
        }
        bool zero = k == K_FLOAT ? e->br == 0 : e->br == 0 && e->bi == 0;
        tc_repr_f64(out, d);
        rel = zero ? INFINITY : d / m;
    }
    put_tol(out, equality, atol);
    tc_buf_puts(out, "\nRelative difference: ");
    tc_repr_f64(out, rel);
    put_tol(out, equality, rtol);
}

/* make_tensor_mismatch_msg, with the tensor arithmetic of the comparison dtype. */
static void tensor_report(tc_buf *out, const tc_tensor *a, const tc_tensor *b, tc_dtype p, kind k,
                          bool narrow, tc_torch_version v, double rtol, double atol, bool equal_nan)
{
    bool equality = rtol == 0 && atol == 0;
    int64_t n = a->numel, nbad = 0;
    int64_t abs_i = 0, rel_i = 0;
    int64_t abs_int = 0;
    double abs_f = 0, rel_f = 0;
    pair e;
    for (int64_t i = 0; i < n; i++) {
        load(a, b, i, p, k, &e);
        bool match = isclose(&e, k, p, narrow, v, rtol, atol, equal_nan, i, n);
        nbad += !match;
        double rel;
        if (k == K_INT) {
            int64_t d = match ? 0 : wrap_abs(wrap_sub(e.ia, e.ib));
            if (i == 0 || d > abs_int) {
                abs_int = d;
                abs_i = i;
            }
            rel = match ? 0 : (double)((float)d / (float)wrap_abs(e.ib));
        } else {
            double d, m;
            if (narrow && k == K_FLOAT) {
                d = fabs(op_p(p, '-', e.ar, e.br));
                m = fabs(e.br);
            } else if (narrow && p == TC_COMPLEX64) {
                double dre, dim;
                csub_f32(e.ar, e.ai, e.br, e.bi, &dre, &dim);
                d = cabs_f32(dre, dim);
                m = cabs_f32(e.br, e.bi);
            } else if (k == K_FLOAT) {
                d = fabs(e.ar - e.br);
                m = fabs(e.br);
            } else {
                double dre, dim;
                torch_csub(e.ar, e.ai, e.br, e.bi, &dre, &dim);
                d = torch_cabs(dre, dim, i, n, v);
                m = torch_cabs(e.br, e.bi, i, n, v);
            }
            if (match)
                d = 0;
            if (i == 0 || beats(d, abs_f)) {
                abs_f = d;
                abs_i = i;
            }
            /* 2.6 divides in the dtype: a float32 quotient, a float16 one through float */
            rel = match ? 0 : !narrow ? d / m
                : op_p(p == TC_COMPLEX64 ? TC_FLOAT32 : p == TC_COMPLEX128 ? TC_FLOAT64 : p, '/', d, m);
        }
        if (i == 0 || beats(rel, rel_f)) {
            rel_f = rel;
            rel_i = i;
        }
    }
    tc_buf_printf(out, "Tensor-likes are not %s!\n\n", equality ? "equal" : "close");
    char pct[32];
    double frac = (double)nbad / (double)n;
    snprintf(pct, sizeof pct, "%.1f", frac * 100);
    tc_buf_printf(out, "Mismatched elements: %" PRId64 " / %" PRId64 " (%s%%)\n", nbad, n, pct);
    tc_buf_puts(out, "Greatest absolute difference: ");
    if (k == K_INT)
        tc_buf_printf(out, "%" PRId64, abs_int);
    else
        tc_repr_f64(out, abs_f);
    tc_buf_puts(out, " at index ");
    put_index(out, a, abs_i);
    put_tol(out, equality, atol);
    tc_buf_puts(out, "\nGreatest relative difference: ");
    tc_repr_f64(out, rel_f);
    tc_buf_puts(out, " at index ");
    put_index(out, a, rel_i);
    put_tol(out, equality, rtol);
}

static bool same_shape(const tc_tensor *a, const tc_tensor *b)
{
    if (a->ndim != b->ndim)
        return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d])
            return false;
    return true;
}

int tc_assert_close(const tc_tensor *actual, const tc_tensor *expected,
                    const tc_close_opts *o, tc_buf *report, int *close, tc_err *err)
{
    *close = 0;
    static const tc_close_opts defaults;
    if (!o)
        o = &defaults;
    double rtol, atol;
    if (o->has_rtol != o->has_atol)
        return tc_err_set(err, TC_EARG,
                          "Both 'rtol' and 'atol' must be either specified or omitted, but got no %s.",
                          o->has_rtol ? "atol" : "rtol");
    if (o->has_rtol) {
        rtol = o->rtol;
        atol = o->atol;
    } else {
        double r2, a2;
        default_tol(actual->dtype, &rtol, &atol);
        default_tol(expected->dtype, &r2, &a2);
        rtol = TC_MAX(rtol, r2);
        atol = TC_MAX(atol, a2);
    }

    if (!same_shape(actual, expected)) {
        char sa[TC_MAX_DIMS * 24], sb[TC_MAX_DIMS * 24];
        tc_shape_str(actual, 0, sa, sizeof sa);
        tc_shape_str(expected, 0, sb, sizeof sb);
        tc_buf_printf(report, "The values for attribute 'shape' do not match: torch.Size(%s) != torch.Size(%s).",
                      sa, sb);
        goto done;
    }
    if (o->check_dtype && actual->dtype != expected->dtype) {
        tc_buf_printf(report, "The values for attribute 'dtype' do not match: %s != %s.",
                      tc_dtype_torch_name(actual->dtype), tc_dtype_torch_name(expected->dtype));
        goto done;
    }
    /* torch.isclose's own checks (TORCH_CHECK(rtol >= 0) refuses NaN too) */
    if (!(rtol >= 0))
        return tc_err_set(err, TC_EARG, "rtol must be greater than or equal to zero, but got %g", rtol);
    if (!(atol >= 0))
        return tc_err_set(err, TC_EARG, "atol must be greater than or equal to zero, but got %g", atol);

    tc_dtype p = promote(actual->dtype, expected->dtype);
    kind k = tc_dtype_category(p) == 3 ? K_COMPLEX : tc_dtype_category(p) == 2 ? K_FLOAT : K_INT;
    /* 2.6 compares in p itself; float64 and complex128 are 1.13's arithmetic anyway */
    bool narrow = o->torch_version != TC_TORCH_1_13 && k != K_INT &&
                  p != TC_FLOAT64 && p != TC_COMPLEX128;
    bool all = true;
    pair e;
    for (int64_t i = 0; i < actual->numel && all; i++) {
        load(actual, expected, i, p, k, &e);
        all = isclose(&e, k, p, narrow, o->torch_version, rtol, atol, o->equal_nan, i, actual->numel);
    }
    if (all) {
        *close = 1;
        return TC_OK;
    }
    if (actual->ndim == 0)
        scalar_report(report, &e, k, p, o->torch_version != TC_TORCH_1_13, rtol, atol);
    else
        tensor_report(report, actual, expected, p, k, narrow, o->torch_version, rtol, atol, o->equal_nan);
done:
    if (report->oom)
        return tc_err_set(err, TC_ENOMEM, "out of memory writing the assert-close report");
    return TC_OK;
}
