/*
 * scan.c - the cumulative kernels: cumsum, cumprod, cummax, cummin,
 * logcumsumexp, nancumsum, nancumprod, with the --reverse, --exclusive and
 * --include-initial modifiers.
 *
 * Every op runs in one shape: the tensor viewed as outer x n x inner around
 * the dim.  For each outer block a row of `inner` accumulators walks the n
 * rows in memory order (backwards by rows for --reverse), so the traversal
 * streams whatever the dim.  Each row is widened into the accumulator type
 * (load_row), combined (combine_row) and narrowed into the result
 * (store_row); the three loops are tight and typed, the switches on dtype
 * sit outside them.
 *
 * The arithmetic is PyTorch's CPU kernel (aten/src/ATen/native/cpu/
 * ReduceOpsKernel.cpp): at::acc_type<T, false> accumulators (float32 and
 * float64 in double, float16 and bfloat16 in float, complex in
 * complex<double>, integers in int64 with two's-complement wrap-around) and
 * every output rounded to T.
 *
 * PyTorch 1.13 has no CPU kernel for float16 scans or complex logcumsumexp:
 * in 1.13 mode those are its refusals ("cumsum_out_cpu" not implemented for
 * 'Half'), in 2.6 mode 2.6's kernels, which are the same loops (checked bit
 * for bit against 2.6: float16 accumulates in float; complex logcumsumexp
 * is _log_add_exp_helper below).  A 0-d cumsum/cumprod with dtype= is a
 * checked fill_ in 1.13 (an overflow error) and a plain x.to(dtype) in 2.6.
 */
#include "tc_private.h"

#include <complex.h>
#include <math.h>
#include <string.h>

/* Accumulator families: the C type a row is widened into. */
typedef enum {
    FAM_F64,    /* float32, float64: double */
    FAM_F32,    /* float16, bfloat16: float */
    FAM_C128,   /* complex64, complex128: double[2] */
    FAM_I64     /* bool and integers: int64_t */
} family;

/*
 * K_LCSE is logcumsumexp as PyTorch 1.13 computes it, K_LCSE26 as 2.6 does:
 * the same steps, but 2.6's log1pf (glibc 2.41's, correctly rounded) and
 * its complex division (c10's, compiled with FMA contraction).
 */
typedef enum { K_SUM, K_PROD, K_LCSE, K_LCSE26 } kind;

static family family_of(tc_dtype t)
{
    switch (t) {
    case TC_FLOAT32: case TC_FLOAT64: return FAM_F64;
    case TC_FLOAT16: case TC_BFLOAT16: return FAM_F32;
    case TC_COMPLEX64: case TC_COMPLEX128: return FAM_C128;
    default: return FAM_I64;
    }
}

static size_t family_size(family f)
{
    switch (f) {
    case FAM_F64: return sizeof(double);
    case FAM_F32: return sizeof(float);
    case FAM_C128: return 2 * sizeof(double);
    default: return sizeof(int64_t);
    }
}

/* ---- rows ------------------------------------------------------------------ */

/* Widen cnt elements of x starting at flat index off into dst (exact). */
static void load_row(const tc_tensor *x, int64_t off, int64_t cnt, void *dst)
{
    const char *base = x->data;
    switch (x->dtype) {
    case TC_FLOAT32: {
        const float *s = (const float *)(const void *)base + off;
        double *d = dst;
        for (int64_t i = 0; i < cnt; i++)
            d[i] = s[i];
        break;
    }
    case TC_FLOAT64:
        memcpy(dst, (const double *)(const void *)base + off, (size_t)cnt * sizeof(double));
        break;
    case TC_FLOAT16: {
        const uint16_t *s = (const uint16_t *)(const void *)base + off;
        float *d = dst;
        for (int64_t i = 0; i < cnt; i++)
            d[i] = tc_half_to_float(s[i]);
        break;
    }
    case TC_BFLOAT16: {
        const uint16_t *s = (const uint16_t *)(const void *)base + off;
        float *d = dst;
        for (int64_t i = 0; i < cnt; i++)
            d[i] = tc_bf16_to_float(s[i]);
        break;
    }
    case TC_COMPLEX64: {
        const float *s = (const float *)(const void *)base + 2 * off;
        double *d = dst;
        for (int64_t i = 0; i < 2 * cnt; i++)
            d[i] = s[i];
        break;
    }
    case TC_COMPLEX128:
        memcpy(dst, (const double *)(const void *)base + 2 * off, (size_t)cnt * 2 * sizeof(double));
        break;
    case TC_INT64:
        memcpy(dst, (const int64_t *)(const void *)base + off, (size_t)cnt * sizeof(int64_t));
        break;
    default: {
        int64_t *d = dst;
        for (int64_t i = 0; i < cnt; i++)
            d[i] = tc_tensor_get_i64(x, off + i);
        break;
    }
    }
}

/* Narrow cnt accumulators from src into y at flat index off, rounding to y's dtype. */
static void store_row(tc_tensor *y, int64_t off, int64_t cnt, const void *src)
{
    char *base = y->data;
    switch (y->dtype) {
    case TC_FLOAT32: {
        float *d = (float *)(void *)base + off;
        const double *s = src;
        for (int64_t i = 0; i < cnt; i++)
            d[i] = (float)s[i];
        break;
    }
    case TC_FLOAT64:
        memcpy((double *)(void *)base + off, src, (size_t)cnt * sizeof(double));
        break;
    case TC_FLOAT16: {
        uint16_t *d = (uint16_t *)(void *)base + off;
        const float *s = src;
        for (int64_t i = 0; i < cnt; i++)
            d[i] = tc_float_to_half(s[i]);
        break;
    }
    case TC_BFLOAT16: {
        uint16_t *d = (uint16_t *)(void *)base + off;
        const float *s = src;
        for (int64_t i = 0; i < cnt; i++)
            d[i] = tc_float_to_bf16(s[i]);
        break;
    }
    case TC_COMPLEX64: {
        float *d = (float *)(void *)base + 2 * off;
        const double *s = src;
        for (int64_t i = 0; i < 2 * cnt; i++)
            d[i] = (float)s[i];
        break;
    }
    case TC_COMPLEX128:
        memcpy((double *)(void *)base + 2 * off, src, (size_t)cnt * 2 * sizeof(double));
        break;
    case TC_INT64:
        memcpy((int64_t *)(void *)base + off, src, (size_t)cnt * sizeof(int64_t));
        break;
    default: {
        const int64_t *s = src;
        for (int64_t i = 0; i < cnt; i++)
            tc_store_i64(y, off + i, s[i]);
        break;
    }
    }
}

/* ---- logcumsumexp's step --------------------------------------------------- */

/*
 * log(exp(x) + exp(y)) for the running value y, as ATen's
 * _log_add_exp_helper: NaN propagates, two equal infinities give x.
 */
static double lae_f64(double x, double y)
{
    double mn = isnan(y) ? y : (y < x ? y : x);
    double mx = isnan(y) ? y : (x < y ? y : x);
    if (mn != mx || isfinite(mn))
        return log1p(exp(mn - mx)) + mx;
    return x;
}

/*
 * float16/bfloat16 accumulate in float, with glibc's expf and log1pf.
 * PyTorch 1.13 runs on Debian 12's glibc 2.36 (this machine's log1pf), 2.6
 * on Debian 13's glibc 2.41, whose log1pf is correctly rounded (from
 * CORE-MATH) and differs from 2.36's for a few percent of arguments: the
 * double log1p rounded to float is that correctly rounded result, unless
 * it falls within 2^-29 of a rounding boundary.
 */
static float lae_f32(float x, float y, int v26)
{
    float mn = isnan(y) ? y : (y < x ? y : x);
    float mx = isnan(y) ? y : (x < y ? y : x);
    if (mn != mx || isfinite(mn)) {
        float e = expf(mn - mx);
        return (v26 ? (float)log1p(e) : log1pf(e)) + mx;
    }
    return x;
}

/*
 * Complex arithmetic as c10::complex does it, without C's Annex G
 * infinity recovery.  The product is FMA-contracted as in PyTorch's build
 * (-mfma): matched bit for bit to torch 1.13's complex cumprod.
 */
static void cmul(double a, double b, double c, double d, double *re, double *im)
{
    *re = tc_fma(a, c, -(b * d));
    *im = tc_fma(a, d, b * c);
}

/* c10::complex operator/ (numpy's algorithm). */
static void cdiv(double a, double b, double c, double d, double *re, double *im)
{
    double ac = fabs(c), ad = fabs(d);
    if (ac >= ad) {
        if (ac == 0 && ad == 0) {
            *re = a / ac;
            *im = b / ad;
        } else {
            double rat = d / c, scl = 1.0 / (c + d * rat);
            *re = (a + b * rat) * scl;
            *im = (b - a * rat) * scl;
        }
    } else {
        double rat = c / d, scl = 1.0 / (d + c * rat);
        *re = (a * rat + b) * scl;
        *im = (b * rat - a) * scl;
    }
}

/* A double complex from its parts (CMPLX is missing under clang with glibc). */
static double complex mkc(double re, double im)
{
    double parts[2] = {re, im};
    double complex z;
    memcpy(&z, parts, sizeof z);
    return z;
}

/*
 * c10's CPU log1p for complex (c10/util/complex_math.h, PyTorch 2.x):
 * log(u) * (z / (u - 1)) for u = 1 + z.  The quotient is c10's operator/,
 * which 2.6's build fuses fully (tc_cdiv_torch), the product is fused too.
 */
static void clog1p_parts(double x, double y, int v26, double *ore, double *oim)
{
    double ur = x + 1, ui = y;
    if (ur == 1 && ui == 0) {
        *ore = x;
        *oim = y;
        return;
    }
    double complex lu = clog(mkc(ur, ui));
    double lr = creal(lu), li = cimag(lu);
    if (ur - 1 == x && ui == y) {
        *ore = lr;
        *oim = li;
        return;
    }
    double qr, qi;
    if (v26)
        tc_cdiv_torch(TC_COMPLEX128, TC_CDIV_FMA, x, y, ur - 1, ui, &qr, &qi);
    else
        cdiv(x, y, ur - 1, ui, &qr, &qi);
    cmul(lr, li, qr, qi, ore, oim);
}

/*
 * Complex logcumsumexp, after PyTorch 2.x's _log_add_exp_helper for
 * c10::complex (aten/src/ATen/native/cpu/LogAddExp.h): ordered by real
 * part, a NaN in either part is infectious, equal infinite real parts are
 * special.  std::exp and std::log of std::complex are glibc's cexp and clog.
 */
static void lae_c128(const double *xv, double *acc, int v26)
{
    double xr = xv[0], xi = xv[1], yr = acc[0], yi = acc[1];
    double mnr, mni, mxr, mxi;
    if (isnan(yr) || isnan(yi)) {
        mnr = mxr = yr;
        mni = mxi = yi;
    } else if (isnan(xr) || isnan(xi)) {
        mnr = mxr = xr;
        mni = mxi = xi;
    } else if (xr < yr) {
        mnr = xr; mni = xi; mxr = yr; mxi = yi;
    } else {
        mnr = yr; mni = yi; mxr = xr; mxi = xi;
    }
    if (isnan(mnr) || isnan(mni)) {
        acc[0] = acc[1] = NAN;
    } else if (!isfinite(mnr) && mnr == mxr) {
        if (mnr < 0) {
            acc[0] = mnr;
            acc[1] = mni;
        } else {
            double complex s = cexp(mkc(mnr, mni)) + cexp(mkc(mxr, mxi));
            double complex l = clog(s);
            acc[0] = creal(l);
            acc[1] = cimag(l);
        }
    } else {
        double complex e = cexp(mkc(mnr - mxr, mni - mxi));
        double lr, li;
        clog1p_parts(creal(e), cimag(e), v26, &lr, &li);
        acc[0] = lr + mxr;
        acc[1] = li + mxi;
    }
}

/* ---- combining ---------------------------------------------------------- */

/* acc[i] = acc[i] (op) v[i] for a row of cnt accumulators of family f. */
static void combine_row(kind k, family f, void *accp, const void *vp, int64_t cnt)
{
    switch (f) {
    case FAM_F64: {
        double *acc = accp;
        const double *v = vp;
        if (k == K_SUM)
            for (int64_t i = 0; i < cnt; i++)
                acc[i] += v[i];
        else if (k == K_PROD)
            for (int64_t i = 0; i < cnt; i++)
                acc[i] *= v[i];
        else
            for (int64_t i = 0; i < cnt; i++)
                acc[i] = lae_f64(v[i], acc[i]);
        break;
    }
    case FAM_F32: {
        float *acc = accp;
        const float *v = vp;
        if (k == K_SUM)
            for (int64_t i = 0; i < cnt; i++)
                acc[i] += v[i];
        else if (k == K_PROD)
            for (int64_t i = 0; i < cnt; i++)
                acc[i] *= v[i];
        else
            for (int64_t i = 0; i < cnt; i++)
                acc[i] = lae_f32(v[i], acc[i], k == K_LCSE26);
        break;
    }
    case FAM_C128: {
        double *acc = accp;
        const double *v = vp;
        if (k == K_SUM) {
            for (int64_t i = 0; i < 2 * cnt; i++)
                acc[i] += v[i];
        } else if (k == K_PROD) {
            /*
             * c10::complex operator*=: (ac - bd) + (ad + bc)i, no Annex G
             * fixups.  PyTorch's kernels are built with -mfma and GCC
             * contracts both lines; matched to torch 1.13's results bit for
             * bit (other contractions differ in ~half the cases).
             */
            for (int64_t i = 0; i < cnt; i++)
                cmul(acc[2 * i], acc[2 * i + 1], v[2 * i], v[2 * i + 1], &acc[2 * i], &acc[2 * i + 1]);
        } else {
            for (int64_t i = 0; i < cnt; i++)
                lae_c128(v + 2 * i, acc + 2 * i, k == K_LCSE26);
        }
        break;
    }
    case FAM_I64: {
        /* uint64_t arithmetic: two's-complement wrap-around without UB. */
        int64_t *acc = accp;
        const int64_t *v = vp;
        if (k == K_SUM) {
            for (int64_t i = 0; i < cnt; i++)
                acc[i] = (int64_t)((uint64_t)acc[i] + (uint64_t)v[i]);
        } else {
            for (int64_t i = 0; i < cnt; i++)
                acc[i] = (int64_t)((uint64_t)acc[i] * (uint64_t)v[i]);
        }
        break;
    }
    }
}

/* Fill a row of cnt accumulators with the identity of k. */
static void identity_row(kind k, family f, void *accp, int64_t cnt)
{
    double dv = k == K_SUM ? 0.0 : k == K_PROD ? 1.0 : -INFINITY;
    switch (f) {
    case FAM_F64:
        for (int64_t i = 0; i < cnt; i++)
            ((double *)accp)[i] = dv;
        break;
    case FAM_F32:
        for (int64_t i = 0; i < cnt; i++)
            ((float *)accp)[i] = (float)dv;
        break;
    case FAM_C128:
        for (int64_t i = 0; i < cnt; i++) {
            ((double *)accp)[2 * i] = dv;
            ((double *)accp)[2 * i + 1] = 0.0;
        }
        break;
    case FAM_I64:
        for (int64_t i = 0; i < cnt; i++)
            ((int64_t *)accp)[i] = k == K_PROD;
        break;
    }
}

/* ---- the drivers ------------------------------------------------------------ */

/*
 * One contiguous lane of n values (the inner == 1 case: a scan along the
 * last dim), scanned in place from the identity.  Same arithmetic as
 * combine_row, without a call per element.
 */
#define LANE(T, INIT, STEP)                                                   \
    do {                                                                      \
        T *b = buf;                                                           \
        T acc = (INIT);                                                       \
        for (int64_t s = 0; s < n; s++) {                                     \
            int64_t i = reverse ? n - 1 - s : s;                              \
            T v = b[i];                                                       \
            if (exclusive) {                                                  \
                b[i] = acc;                                                   \
                STEP;                                                         \
            } else {                                                          \
                STEP;                                                         \
                b[i] = acc;                                                   \
            }                                                                 \
        }                                                                     \
    } while (0)

static void scan_lane(kind k, family f, void *buf, int64_t n, int reverse, int exclusive)
{
    switch (f) {
    case FAM_F64:
        if (k == K_SUM)
            LANE(double, 0.0, acc += v);
        else if (k == K_PROD)
            LANE(double, 1.0, acc *= v);
        else
            LANE(double, -INFINITY, acc = lae_f64(v, acc));
        break;
    case FAM_F32:
        if (k == K_SUM)
            LANE(float, 0.0f, acc += v);
        else if (k == K_PROD)
            LANE(float, 1.0f, acc *= v);
        else
            LANE(float, -INFINITY, acc = lae_f32(v, acc, k == K_LCSE26));
        break;
    case FAM_I64:
        if (k == K_SUM)
            LANE(int64_t, 0, acc = (int64_t)((uint64_t)acc + (uint64_t)v));
        else
            LANE(int64_t, 1, acc = (int64_t)((uint64_t)acc * (uint64_t)v));
        break;
    case FAM_C128: {
        double *b = buf, acc[2], v[2];
        identity_row(k, f, acc, 1);
        for (int64_t s = 0; s < n; s++) {
            int64_t i = reverse ? n - 1 - s : s;
            v[0] = b[2 * i];
            v[1] = b[2 * i + 1];
            if (exclusive) {
                b[2 * i] = acc[0];
                b[2 * i + 1] = acc[1];
            }
            combine_row(k, f, acc, v, 1);
            if (!exclusive) {
                b[2 * i] = acc[0];
                b[2 * i + 1] = acc[1];
            }
        }
        break;
    }
    }
}

/*
 * Scan x (already in the result dtype) along dim into a new tensor.  With
 * include_initial the result is one longer along dim.
 */
static int scan_accumulate(kind k, const tc_tensor *x, int dim, int reverse, int exclusive,
                           int include_initial, tc_tensor **out, tc_err *err)
{
    int64_t outer, n, inner;
    tc_lanes(x, dim, &outer, &n, &inner);
    int64_t shape[TC_MAX_DIMS];
    int ndim = x->ndim;
    memcpy(shape, x->shape, sizeof shape);
    int64_t m = n + (include_initial ? 1 : 0);
    if (ndim > 0)
        shape[dim] = m;
    tc_tensor *y = tc_tensor_new(x->dtype, ndim, shape, err);
    if (!y)
        return TC_ENOMEM;   /* a valid shape: only memory can fail */
    if (y->numel == 0) {
        *out = y;
        return TC_OK;
    }
    family f = family_of(x->dtype);
    size_t esz = family_size(f);
    if (inner == 1) {
        /* Lanes are contiguous: widen a whole lane, scan it, narrow it. */
        char *buf = tc_malloc((size_t)m * esz);
        if (!buf) {
            tc_tensor_free(y);
            return tc_err_set(err, TC_ENOMEM, "out of memory");
        }
        char *lane = buf + (include_initial && !reverse ? esz : 0);
        for (int64_t o = 0; o < outer; o++) {
            if (n > 0) {
                load_row(x, o * n, n, lane);
                scan_lane(k, f, lane, n, reverse, exclusive);
            }
            if (include_initial)
                identity_row(k, f, buf + (reverse ? n : 0) * esz, 1);
            store_row(y, o * m, m, buf);
        }
        tc_free(buf);
        *out = y;
        return TC_OK;
    }
    int64_t cols = inner ? inner : 1;
    char *acc = tc_malloc((size_t)cols * esz);
    char *tmp = tc_malloc((size_t)cols * esz);
    if (!acc || !tmp) {
        tc_free(acc);
        tc_free(tmp);
        tc_tensor_free(y);
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    for (int64_t o = 0; o < outer; o++) {
        identity_row(k, f, acc, inner);
        int64_t ybase = o * m * inner;
        if (include_initial)
            store_row(y, ybase + (reverse ? n : 0) * inner, inner, acc);
        for (int64_t s = 0; s < n; s++) {
            int64_t kk = reverse ? n - 1 - s : s;
            int64_t pos = kk + (include_initial && !reverse ? 1 : 0);
            load_row(x, (o * n + kk) * inner, inner, tmp);
            if (exclusive)
                store_row(y, ybase + pos * inner, inner, acc);
            combine_row(k, f, acc, tmp, inner);
            if (!exclusive)
                store_row(y, ybase + pos * inner, inner, acc);
        }
    }
    tc_free(acc);
    tc_free(tmp);
    *out = y;
    return TC_OK;
}

/*
 * cummax / cummin: ATen's cummax_cummin_helper.  A new element replaces the
 * running one when it is NaN, or when the running one is not NaN and the new
 * one compares >= (max) or <= (min): ties and NaNs move the index forward.
 */
#define EXTREMUM_LOOP(T, ISNAN)                                               \
    do {                                                                      \
        T *a = accp;                                                          \
        const T *v = vp;                                                      \
        for (int64_t i = 0; i < cnt; i++) {                                   \
            T c = v[i];                                                       \
            if (first || ISNAN(c) ||                                          \
                (!ISNAN(a[i]) && (is_max ? c >= a[i] : c <= a[i]))) {         \
                a[i] = c;                                                     \
                idx[i] = k;                                                   \
            }                                                                 \
        }                                                                     \
    } while (0)

#define NEVER_NAN(v) ((void)(v), 0)

static void extremum_row(family f, int is_max, int first, int64_t k, void *accp,
                         const void *vp, int64_t *idx, int64_t cnt)
{
    if (f == FAM_F64)
        EXTREMUM_LOOP(double, isnan);
    else if (f == FAM_F32)
        EXTREMUM_LOOP(float, isnan);
    else
        EXTREMUM_LOOP(int64_t, NEVER_NAN);
}

/* The same rule along one contiguous lane, in place; idx gets the indices. */
#define EXTREMUM_LANE(T, ISNAN)                                               \
    do {                                                                      \
        T *b = buf;                                                           \
        T a = b[reverse ? n - 1 : 0];                                         \
        int64_t at = reverse ? n - 1 : 0;                                     \
        for (int64_t s = 0; s < n; s++) {                                     \
            int64_t i = reverse ? n - 1 - s : s;                              \
            T c = b[i];                                                       \
            if (ISNAN(c) || (!ISNAN(a) && (is_max ? c >= a : c <= a))) {      \
                a = c;                                                        \
                at = i;                                                       \
            }                                                                 \
            b[i] = a;                                                         \
            idx[i] = at;                                                      \
        }                                                                     \
    } while (0)

static void extremum_lane(family f, int is_max, int reverse, void *buf, int64_t *idx, int64_t n)
{
    if (f == FAM_F64)
        EXTREMUM_LANE(double, isnan);
    else if (f == FAM_F32)
        EXTREMUM_LANE(float, isnan);
    else
        EXTREMUM_LANE(int64_t, NEVER_NAN);
}

static int scan_extremum(int is_max, const tc_tensor *x, int dim, int reverse,
                         tc_tensor **ov, tc_tensor **oi, tc_err *err)
{
    int64_t outer, n, inner;
    tc_lanes(x, dim, &outer, &n, &inner);
    tc_tensor *v = tc_tensor_new(x->dtype, x->ndim, x->shape, err);
    tc_tensor *ix = v ? tc_tensor_new(TC_INT64, x->ndim, x->shape, err) : NULL;
    if (!ix) {
        tc_tensor_free(v);
        return TC_ENOMEM;   /* a valid shape: only memory can fail */
    }
    family f = family_of(x->dtype);
    size_t esz = family_size(f);
    int64_t cols = inner ? inner : 1;
    char *acc = tc_malloc((size_t)cols * esz);
    char *tmp = tc_malloc((size_t)cols * esz);
    int64_t *idx = tc_malloc((size_t)cols * sizeof *idx);
    if (!acc || !tmp || !idx) {
        tc_free(acc);
        tc_free(tmp);
        tc_free(idx);
        tc_tensor_free(v);
        tc_tensor_free(ix);
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    int64_t *iout = ix->data;
    if (inner == 1 && x->numel > 0) {
        /* Lanes are contiguous: widen one, scan it in place, narrow it. */
        char *buf = tc_malloc((size_t)n * esz);
        if (!buf) {
            tc_free(acc);
            tc_free(tmp);
            tc_free(idx);
            tc_tensor_free(v);
            tc_tensor_free(ix);
            return tc_err_set(err, TC_ENOMEM, "out of memory");
        }
        for (int64_t o = 0; o < outer; o++) {
            load_row(x, o * n, n, buf);
            extremum_lane(f, is_max, reverse, buf, iout + o * n, n);
            store_row(v, o * n, n, buf);
        }
        tc_free(buf);
        outer = 0;
    }
    for (int64_t o = 0; o < outer && x->numel > 0; o++) {
        for (int64_t s = 0; s < n; s++) {
            int64_t kk = reverse ? n - 1 - s : s;
            int64_t off = (o * n + kk) * inner;
            load_row(x, off, inner, tmp);
            extremum_row(f, is_max, s == 0, kk, acc, tmp, idx, inner);
            store_row(v, off, inner, acc);
            memcpy(iout + off, idx, (size_t)inner * sizeof *idx);
        }
    }
    tc_free(acc);
    tc_free(tmp);
    tc_free(idx);
    *ov = v;
    *oi = ix;
    return TC_OK;
}

/* ---- checks ------------------------------------------------------------------ */

/* c10's overflows<To, double>(v). */
static int overflows_f64(tc_dtype to, double v)
{
    const tc_dtype_info *d = tc_dtype_info_of(to);
    int has_inf = !tc_dtype_is_integral(to, 1);
    if (has_inf && isinf(v))
        return 0;
    if (!has_inf && isnan(v))
        return 1;
    return v < d->lo || v > d->hi;
}

/*
 * A 0-d cumsum/cumprod is result.fill_(self): the value goes through a
 * Scalar and c10's checked_convert, which refuses what does not fit (bool
 * excepted).  Stores element 0 of x into y or fails with PyTorch's message.
 */
static int fill_checked(tc_tensor *y, const tc_tensor *x, tc_err *err)
{
    tc_dtype to = y->dtype;
    int bad = 0;
    if (to == TC_BOOL) {
        bad = 0;
    } else if (tc_dtype_is_complex(x->dtype)) {
        double re, im;
        tc_tensor_get_c128(x, 0, &re, &im);
        if (!tc_dtype_is_complex(to) && im != 0)
            bad = 1;
        else
            bad = overflows_f64(to, re) || overflows_f64(to, im);
    } else if (tc_dtype_is_integral(x->dtype, 1)) {
        int64_t v = tc_tensor_get_i64(x, 0);
        const tc_dtype_info *d = tc_dtype_info_of(to);
        if (tc_dtype_is_unsigned(to))   /* negative values may wrap, as two's complement */
            bad = (v > 0 && (uint64_t)v > d->imax) || (v < 0 && -(uint64_t)v > d->imax);
        else if (tc_dtype_is_integral(to, 0))
            bad = v < d->imin || (v > 0 && (uint64_t)v > d->imax);
        else                    /* int64 compared with a float limit: as float */
            bad = (double)(float)v < d->lo || (double)(float)v > d->hi;
    } else {
        bad = overflows_f64(to, tc_tensor_get_f64(x, 0));
    }
    if (bad)
        return tc_err_set(err, TC_EARG, "value cannot be converted to type %s without overflow",
                          tc_dtype_info_of(to)->cpp);
    double re, im;
    if (tc_dtype_is_integral(x->dtype, 1)) {
        tc_store_i64(y, 0, tc_tensor_get_i64(x, 0));
    } else {
        tc_tensor_get_c128(x, 0, &re, &im);
        tc_store_c128(y, 0, re, im);
    }
    return TC_OK;
}

static const char *kernel_name(tc_op op)
{
    switch (op) {
    case TC_OP_CUMSUM: case TC_OP_NANCUMSUM: return "cumsum_out_cpu";
    case TC_OP_CUMPROD: case TC_OP_NANCUMPROD: return "cumprod_out_cpu";
    case TC_OP_LOGCUMSUMEXP: return "logcumsumexp_out_cpu";
    case TC_OP_CUMMAX: return "cummax_cpu";
    case TC_OP_CUMMIN: return "cummin_cpu";
    default: return "?";
    }
}

/*
 * PyTorch's refusal of a dtype, and what would work: a value of param
 * ("dtype", "torch_version"), or a note (in parentheses) where nothing does.
 */
static int not_implemented(tc_op op, tc_dtype t, const char *param, const char *suggest,
                           tc_err *err)
{
    if (!param)
        return tc_err_set(err, TC_EDTYPE, "\"%s\" not implemented for '%s' (%s)",
                          kernel_name(op), tc_dtype_scalar_name(t), suggest);
    tc_err_set(err, TC_EDTYPE, "\"%s\" not implemented for '%s'", kernel_name(op),
               tc_dtype_scalar_name(t));
    return tc_err_hint(err, TC_EDTYPE, param, suggest);
}

/* PyTorch 1.13 has no float16 kernel for the scans (2.6 has). */
static int lacks_half(const tc_op_args *a, tc_dtype t)
{
    return a->torch_version == TC_TORCH_1_13 && t == TC_FLOAT16;
}

/* uint16, uint32 and uint64 have no scan kernels in PyTorch 2.x (they are read and summed, no more). */
static bool no_kernel(tc_dtype t)
{
    return tc_dtype_is_unsigned(t) && t != TC_UINT8;
}

/* A copy of x with NaN replaced by 0 (nancumsum) or 1 (nancumprod), as numpy's _replace_nan. */
static int replace_nan(const tc_tensor *x, double with, tc_tensor **out, tc_err *err)
{
    tc_tensor *c = tc_tensor_clone(x, err);
    if (!c)
        return TC_ENOMEM;   /* x's shape: only memory can fail */
    if (tc_dtype_is_complex(x->dtype)) {
        for (int64_t i = 0; i < x->numel; i++) {
            double re, im;
            tc_tensor_get_c128(x, i, &re, &im);
            if (isnan(re) || isnan(im))
                tc_store_c128(c, i, with, 0);
        }
    } else if (!tc_dtype_is_integral(x->dtype, 1)) {
        for (int64_t i = 0; i < x->numel; i++)
            if (isnan(tc_tensor_get_f64(x, i)))
                tc_store_f64(c, i, with);
    }
    *out = c;
    return TC_OK;
}

/* The result of a 0-d scan: one element, or the identity with --exclusive. */
static int scan_scalar(kind k, const tc_tensor *xs, tc_dtype to, int exclusive, int checked,
                       tc_tensor **out, tc_err *err)
{
    tc_tensor *y = tc_tensor_new(to, 0, NULL, err);
    if (!y)
        return TC_ENOMEM;   /* a valid shape: only memory can fail */
    /* --exclusive replaces the value, but PyTorch's checks on it still apply. */
    int rc = checked ? fill_checked(y, xs, err) : TC_OK;
    if (!checked)
        memcpy(y->data, xs->data, tc_dtype_size(to));
    if (rc == TC_OK && exclusive) {
        if (tc_dtype_is_integral(to, 1))
            tc_store_i64(y, 0, k == K_PROD);
        else
            tc_store_f64(y, 0, k == K_SUM ? 0.0 : k == K_PROD ? 1.0 : -INFINITY);
    }
    if (rc) {
        tc_tensor_free(y);
        return rc;
    }
    *out = y;
    return TC_OK;
}

/* The dtype cumsum, cumprod, nancumsum and nancumprod give: dtype=, or int64 for integers. */
static tc_dtype sum_prod_dtype(const tc_op_args *a, tc_dtype in)
{
    return a->has_dtype ? a->dtype : tc_dtype_is_integral(in, 1) ? TC_INT64 : in;
}

/* cumsum, cumprod, nancumsum, nancumprod: torch.cumsum(x, dim, dtype=)'s checks. */
static int check_sum_prod(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    int dim, rc;
    if ((rc = tc_dim_wrap(a->dim, x->ndim, &dim, err)))
        return rc;
    tc_dtype to = sum_prod_dtype(a, x->dtype);
    y->dtype = to;
    if (x->ndim == 0)       /* a fill_ (1.13, checked against the value) or a copy_ (2.6) */
        return TC_OK;
    if (x->numel > 0 && (to == TC_BOOL || no_kernel(to)))
        return not_implemented(a->op, to, "dtype", "int64", err);
    if (x->numel > 0 && lacks_half(a, to))
        return not_implemented(a->op, to, "dtype", "float32", err);
    return TC_OK;
}

static int check_logcumsumexp(const tc_op_args *a, const tc_tensor *x, tc_err *err)
{
    int dim, rc;
    if ((rc = tc_dim_wrap(a->dim, x->ndim, &dim, err)))
        return rc;
    if (tc_dtype_is_integral(x->dtype, 1) || lacks_half(a, x->dtype))
        return not_implemented(a->op, x->dtype, "dtype", "float32", err);
    if (tc_dtype_is_complex(x->dtype) && a->torch_version == TC_TORCH_1_13)
        return not_implemented(a->op, x->dtype, "torch_version", "2.6", err);
    return TC_OK;
}

static int check_extremum(const tc_op_args *a, const tc_tensor *x, tc_err *err)
{
    int dim, rc;
    /*
     * ATen's cummax_out fills a 0-d result and returns an empty one before
     * it looks at dim, so those accept any dim.
     */
    if (x->ndim == 0 || x->numel == 0)
        return TC_OK;
    if ((rc = tc_dim_wrap(a->dim, x->ndim, &dim, err)))
        return rc;
    if (tc_dtype_is_complex(x->dtype))
        return not_implemented(a->op, x->dtype, NULL, "complex numbers are not ordered", err);
    if (lacks_half(a, x->dtype))
        return not_implemented(a->op, x->dtype, "dtype", "float32", err);
    if (no_kernel(x->dtype))
        return not_implemented(a->op, x->dtype, "dtype", "int64", err);
    return TC_OK;
}

int tc_scan_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    int rc;
    int extremum = a->op == TC_OP_CUMMAX || a->op == TC_OP_CUMMIN;
    tc_meta_of(x, y);
    if (extremum && (a->exclusive || a->include_initial))
        return tc_err_hint(err, tc_err_set(err, TC_EARG, "%s has no identity element: %s is not supported",
                                           tc_op_name(a->op), a->exclusive ? "exclusive" : "include_initial"),
                           a->exclusive ? "exclusive" : "include_initial", NULL);
    if (a->exclusive && a->include_initial)
        return tc_err_hint(err, tc_err_set(err, TC_EARG, "exclusive and include_initial cannot be combined"),
                           "include_initial", NULL);
    if (a->include_initial && x->ndim == 0)
        return tc_err_hint(err, tc_err_set(err, TC_EDIM, "include_initial needs a tensor with at least one dimension"),
                           "include_initial", NULL);
    if (!a->has_dim)
        return tc_err_hint(err, tc_err_set(err, TC_EDIM, "%s needs a dim", tc_op_name(a->op)), "dim", NULL);
    switch (a->op) {
    case TC_OP_CUMSUM: case TC_OP_CUMPROD: case TC_OP_NANCUMSUM: case TC_OP_NANCUMPROD:
        rc = check_sum_prod(a, x, y, err);
        break;
    case TC_OP_LOGCUMSUMEXP:
        rc = check_logcumsumexp(a, x, err);
        break;
    case TC_OP_CUMMAX: case TC_OP_CUMMIN:
        rc = check_extremum(a, x, err);
        break;
    default:
        rc = tc_err_set(err, TC_EARG, "%s is not a scan", tc_op_name(a->op));
        break;
    }
    if (rc == TC_OK && a->include_initial) {
        int dim;
        tc_dim_wrap(a->dim, x->ndim, &dim, NULL);
        y->shape[dim]++;
    }
    return rc;
}

/* cumsum, cumprod, nancumsum, nancumprod, checked: torch.cumsum(x, dim, dtype=). */
static int run_sum_prod(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    int dim, rc = TC_OK;
    kind k = (a->op == TC_OP_CUMSUM || a->op == TC_OP_NANCUMSUM) ? K_SUM : K_PROD;
    tc_dim_wrap(a->dim, x->ndim, &dim, NULL);
    tc_dtype to = sum_prod_dtype(a, x->dtype);
    tc_tensor *src = NULL, *cx = NULL;
    if (a->op == TC_OP_NANCUMSUM || a->op == TC_OP_NANCUMPROD) {
        if ((rc = replace_nan(x, k == K_SUM ? 0.0 : 1.0, &src, err)))
            return rc;
        x = src;
    }
    if (x->ndim == 0 && a->torch_version == TC_TORCH_1_13) {
        rc = scan_scalar(k, x, to, a->exclusive, 1, &r->values, err);
    } else if (x->ndim == 0) {
        /* 2.6: result.copy_(self), converting as x.to(dtype) does */
        if (x->dtype != to &&
            (rc = tc_tensor_convert_version(x, to, a->torch_version, &cx, err)) != TC_OK)
            goto done;
        rc = scan_scalar(k, cx ? cx : x, to, a->exclusive, 0, &r->values, err);
    } else if (x->dtype == to) {
        rc = scan_accumulate(k, x, dim, a->reverse, a->exclusive, a->include_initial,
                             &r->values, err);
    } else if ((rc = tc_tensor_convert_version(x, to, a->torch_version, &cx, err)) == TC_OK) {
        rc = scan_accumulate(k, cx, dim, a->reverse, a->exclusive, a->include_initial,
                             &r->values, err);
    }
done:
    tc_tensor_free(cx);
    tc_tensor_free(src);
    return rc;
}

/* logcumsumexp, checked. */
static int run_logcumsumexp(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    int dim;
    tc_dim_wrap(a->dim, x->ndim, &dim, NULL);
    kind k = a->torch_version == TC_TORCH_1_13 ? K_LCSE : K_LCSE26;
    if (x->ndim == 0)
        return scan_scalar(k, x, x->dtype, a->exclusive, 0, &r->values, err);
    return scan_accumulate(k, x, dim, a->reverse, a->exclusive, a->include_initial,
                           &r->values, err);
}

/* cummax, cummin, checked. */
static int run_extremum(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    int is_max = a->op == TC_OP_CUMMAX;
    int dim = 0;
    r->name = is_max ? "cummax" : "cummin";
    if (x->ndim == 0 || x->numel == 0) {
        r->values = tc_tensor_clone(x, err);
        r->indices = r->values ? tc_tensor_new(TC_INT64, x->ndim, x->shape, err) : NULL;
        return r->indices ? TC_OK : TC_ENOMEM;
    }
    tc_dim_wrap(a->dim, x->ndim, &dim, NULL);
    return scan_extremum(is_max, x, dim, a->reverse, &r->values, &r->indices, err);
}

int tc_scan_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_meta y;
    memset(r, 0, sizeof *r);
    int rc = tc_scan_check(a, x, &y, err);
    if (rc)
        return rc;
    switch (a->op) {
    case TC_OP_LOGCUMSUMEXP:
        rc = run_logcumsumexp(a, x, r, err);
        break;
    case TC_OP_CUMMAX: case TC_OP_CUMMIN:
        rc = run_extremum(a, x, r, err);
        break;
    default:
        rc = run_sum_prod(a, x, r, err);
        break;
    }
    if (rc)
        tc_result_free(r);
    return rc;
}

/* ---- carried scans (stream.c) ------------------------------------------------ */

struct tc_scan_carry {
    tc_op_args a;
    tc_dtype cast;          /* x.to(cast) first (--dtype of an op without dtype=), or in */
    tc_dtype to;            /* the result dtype */
    int extremum, is_max;
    kind k;
    family f;
    int64_t width;
    int64_t rows;           /* rows scanned so far */
    void *acc, *tmp;
    int64_t *idx;
};

void tc_scan_carry_free(tc_scan_carry *c)
{
    if (c) {
        tc_free(c->acc);
        tc_free(c->tmp);
        tc_free(c->idx);
        tc_free(c);
    }
}

int tc_scan_carry_new(const tc_op_args *a, tc_dtype in, int64_t width, tc_scan_carry **out,
                      tc_err *err)
{
    *out = NULL;
    /*
     * The checks and the result dtype: tc_op_run's for a table of dtype in
     * with `width` columns, scanned along dim 0 (x.to(dtype) first for an
     * op without dtype=), asked of the checks, not of a run.
     */
    tc_op_args pa = *a;
    pa.dim = 0;
    int64_t shape[2] = {1, width};
    tc_tensor h;
    tc_meta y;
    int rc;
    tc_op_args b;
    tc_tensor_header(&h, in, 2, shape);
    if ((rc = tc_op_prepare(&pa, &h, &b, &h.dtype, err)) || (rc = tc_scan_check(&b, &h, &y, err)))
        return rc;
    tc_dtype to = y.dtype;

    tc_scan_carry *c = tc_calloc(1, sizeof *c);
    if (!c)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    c->a = pa;
    c->to = to;
    c->width = width;
    c->extremum = a->op == TC_OP_CUMMAX || a->op == TC_OP_CUMMIN;
    c->is_max = a->op == TC_OP_CUMMAX;
    c->k = (a->op == TC_OP_CUMSUM || a->op == TC_OP_NANCUMSUM) ? K_SUM
         : a->op != TC_OP_LOGCUMSUMEXP ? K_PROD
         : a->torch_version == TC_TORCH_1_13 ? K_LCSE : K_LCSE26;
    c->cast = (a->has_dtype && (c->extremum || a->op == TC_OP_LOGCUMSUMEXP)) ? a->dtype : in;
    c->f = family_of(to);
    size_t esz = family_size(c->f);
    size_t cols = width > 0 ? (size_t)width : 1;
    c->acc = tc_malloc(cols * esz);
    c->tmp = tc_malloc(cols * esz);
    c->idx = tc_calloc(cols, sizeof *c->idx);
    if (!c->acc || !c->tmp || !c->idx) {
        tc_scan_carry_free(c);
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    if (!c->extremum)
        identity_row(c->k, c->f, c->acc, width);
    *out = c;
    return TC_OK;
}

int tc_scan_carry_run(tc_scan_carry *c, const tc_tensor *x, tc_result *r, tc_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = TC_OK;
    tc_tensor *nx = NULL, *cx = NULL;
    const tc_tensor *src = x;
    if (c->a.op == TC_OP_NANCUMSUM || c->a.op == TC_OP_NANCUMPROD) {
        if ((rc = replace_nan(src, c->k == K_SUM ? 0.0 : 1.0, &nx, err)))
            return rc;
        src = nx;
    }
    tc_dtype want = c->extremum || c->k == K_LCSE || c->k == K_LCSE26 ? c->cast : c->to;
    if (src->dtype != want) {
        if ((rc = tc_tensor_convert_version(src, want, c->a.torch_version, &cx, err))) {
            tc_tensor_free(nx);
            return rc;
        }
        src = cx;
    }
    int64_t rows = src->shape[0], w = c->width;
    int initial = c->a.include_initial && c->rows == 0;
    int64_t shape[2] = {rows + initial, w};
    tc_tensor *y = tc_tensor_new(c->to, 2, shape, err);
    tc_tensor *iy = y && c->extremum ? tc_tensor_new(TC_INT64, 2, shape, err) : NULL;
    if (!y || (c->extremum && !iy)) {
        tc_tensor_free(y);
        tc_tensor_free(nx);
        tc_tensor_free(cx);
        return TC_ENOMEM;   /* a valid shape: only memory can fail */
    }
    if (initial)
        store_row(y, 0, w, c->acc);
    for (int64_t s = 0; s < rows; s++) {
        int64_t pos = (s + initial) * w;
        load_row(src, s * w, w, c->tmp);
        if (c->extremum) {
            extremum_row(c->f, c->is_max, c->rows == 0, c->rows, c->acc, c->tmp, c->idx, w);
            store_row(y, pos, w, c->acc);
            memcpy((int64_t *)iy->data + pos, c->idx, (size_t)w * sizeof *c->idx);
        } else {
            if (c->a.exclusive)
                store_row(y, pos, w, c->acc);
            combine_row(c->k, c->f, c->acc, c->tmp, w);
            if (!c->a.exclusive)
                store_row(y, pos, w, c->acc);
        }
        c->rows++;
    }
    tc_tensor_free(nx);
    tc_tensor_free(cx);
    r->values = y;
    if (c->extremum) {
        r->indices = iy;
        r->name = c->is_max ? "cummax" : "cummin";
    }
    return TC_OK;
}
