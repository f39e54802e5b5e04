/*
 * sleef.c - exp and log as PyTorch's CPU kernels compute them, and the
 * complex exp built on them.
 *
 * ATen's Vectorized<float> / Vectorized<double> (AVX2 build) call SLEEF's
 * 1-ulp vector functions, not the C library's, and their last bits differ
 * from glibc's for a few percent of arguments.  These are pure-C ports of
 * SLEEF 3.5's scalar algorithms with FMA as the AVX2 build runs them, so
 * tcum needs no libsleef; each is bit-exact with the vector function.
 */
#include "tc_private.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/*
 * exp_() on CPU goes through Vectorized<T>::exp(), i.e. SLEEF's
 * Sleef_expf8_u10 / Sleef_expd4_u10 (AVX2, with FMA), whose last bits differ
 * from glibc's expf/exp for a few percent of inputs.  Ports of SLEEF 3.5's
 * xexpf and xexp; verified bit-exact against torch.exp on 400k inputs each.
 */
static float pow2i_f(int32_t q)
{
    uint32_t u = (uint32_t)(q + 0x7f) << 23;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static double pow2i_d(int32_t q)
{
    uint64_t u = (uint64_t)(int64_t)(q + 0x3ff) << 52;
    double f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* cvtps2dq / cvtpd2dq: round to nearest even, out of range gives INT32_MIN */
static int32_t rint_i32(double t)
{
    if (isnan(t) || fabs(t) > 2e9)
        return INT32_MIN;
    return (int32_t)nearbyint(t);
}

float tc_sleef_expf(float d)
{
    const float r_ln2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
    const float l2u = 0.693145751953125f, l2l = 1.428606765330187045e-06f;
    int32_t q = rint_i32(d * r_ln2);
    float s = fmaf((float)q, -l2u, d);
    s = fmaf((float)q, -l2l, s);
    float u = 0.000198527617612853646278381f;
    u = fmaf(u, s, 0.00139304355252534151077271f);
    u = fmaf(u, s, 0.00833336077630519866943359f);
    u = fmaf(u, s, 0.0416664853692054748535156f);
    u = fmaf(u, s, 0.166666671633720397949219f);
    u = fmaf(u, s, 0.5f);
    u = 1.0f + fmaf(s * s, u, s);
    int32_t h = q / 2 - (q < 0 && q % 2 != 0); /* q >> 1 */
    u = u * pow2i_f(h) * pow2i_f(q - h);
    if (d < -104)
        u = 0;
    if (d > 100)
        u = INFINITY;
    return u;
}

#define MLA(x, y, z) fma((x), (y), (z))
#define POLY2(x, c1, c0) MLA(x, c1, c0)
#define POLY4(x, x2, c3, c2, c1, c0) MLA(x2, MLA(x, c3, c2), MLA(x, c1, c0))
#define POLY8(x, x2, x4, c7, c6, c5, c4, c3, c2, c1, c0) \
    MLA(x4, POLY4(x, x2, c7, c6, c5, c4), POLY4(x, x2, c3, c2, c1, c0))

double tc_sleef_exp(double d)
{
    const double r_ln2 = 1.442695040888963407359924681001892137426645954152985934135449406931;
    const double l2u = .69314718055966295651160180568695068359375;
    const double l2l = 2.8235290563031577e-13;   /* SLEEF's L2L, shortest round-trip text */
    double u = nearbyint(d * r_ln2);
    int32_t q = rint_i32(u);
    double s = fma(u, -l2u, d);
    s = fma(u, -l2l, s);
    double s2 = s * s, s4 = s2 * s2, s8 = s4 * s4;
    u = MLA(s8, POLY2(s, +0.2081276378237164457e-8, +0.2511210703042288022e-7),
            POLY8(s, s2, s4, +0.2755762628169491192e-6, +0.2755723402025388239e-5,
                  +0.2480158687479686264e-4, +0.1984126989855865850e-3,
                  +0.1388888888914497797e-2, +0.8333333333314938210e-2,
                  +0.4166666666666602598e-1, +0.1666666666666669072e+0));
    u = fma(u, s, 0.5);
    u = fma(u, s, 1.0);
    u = fma(u, s, 1.0);
    int32_t h = q / 2 - (q < 0 && q % 2 != 0);
    u = u * pow2i_d(h) * pow2i_d(q - h);
    if (d < -1000)
        u = 0;
    if (d > 709.78271114955742909217217426)
        u = INFINITY;
    return u;
}


/*
 * log_() likewise: Sleef_logf8_u10 / Sleef_logd4_u10 are SLEEF 3.5's
 * xlogf_u1 / xlog_u1, double-float arithmetic with FMA (df.h, dd.h).
 * Verified bit-exact against torch.log on 400k inputs each.
 */
typedef struct { float x, y; } f2;
typedef struct { double x, y; } d2;

static float ldexp3_f(float d, int32_t q)
{
    uint32_t u;
    memcpy(&u, &d, sizeof u);
    u += (uint32_t)q << 23;
    memcpy(&d, &u, sizeof d);
    return d;
}

static int32_t ilogb2k_f(float d)
{
    uint32_t u;
    memcpy(&u, &d, sizeof u);
    return (int32_t)((u >> 23) & 0xff) - 0x7f;
}

static double ldexp3_d(double d, int32_t q)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    u += (uint64_t)(int64_t)q << 52;
    memcpy(&d, &u, sizeof d);
    return d;
}

static int32_t ilogb2k_d(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return (int32_t)((u >> 52) & 0x7ff) - 0x3ff;
}

#define DEFINE_DD(T, P, FMA)                                                    \
    static P P##add2(T x, T y)                                                  \
    {                                                                           \
        P r;                                                                    \
        r.x = x + y;                                                            \
        T v = r.x - x;                                                          \
        r.y = (x - (r.x - v)) + (y - v);                                        \
        return r;                                                               \
    }                                                                           \
    static P P##div(P n, P d)                                                   \
    {                                                                           \
        T t = (T)1 / d.x;                                                       \
        P q;                                                                    \
        q.x = n.x * t;                                                          \
        T u = FMA(t, n.x, -q.x);                                                \
        q.y = FMA(-d.y, t, FMA(-d.x, t, (T)1));                                 \
        q.y = FMA(q.x, q.y, FMA(n.y, t, u));                                    \
        return q;                                                               \
    }                                                                           \
    static P P##mul(P x, T y)                                                   \
    {                                                                           \
        P r;                                                                    \
        r.x = x.x * y;                                                          \
        r.y = FMA(x.y, y, FMA(x.x, y, -r.x));                                   \
        return r;                                                               \
    }                                                                           \
    static P P##add(P x, P y)                                                   \
    {                                                                           \
        P r;                                                                    \
        r.x = x.x + y.x;                                                        \
        r.y = (((x.x - r.x) + y.x) + x.y) + y.y;                                \
        return r;                                                               \
    }                                                                           \
    static P P##add1(P x, T y)                                                  \
    {                                                                           \
        P r;                                                                    \
        r.x = x.x + y;                                                          \
        r.y = ((x.x - r.x) + y) + x.y;                                          \
        return r;                                                               \
    }

DEFINE_DD(float, f2, fmaf)
DEFINE_DD(double, d2, fma)

float tc_sleef_logf(float d)
{
    int o = d < FLT_MIN;
    if (o)
        d = d * ((float)(INT64_C(1) << 32) * (float)(INT64_C(1) << 32));
    int32_t e = ilogb2k_f(d * (1.0f / 0.75f));
    float m = ldexp3_f(d, -e);
    if (o)
        e -= 64;
    f2 ln2 = {0.69314718246459960938f, -1.904654323148236017e-09f};
    f2 s = f2mul(ln2, (float)e);
    f2 x = f2div(f2add2(-1, m), f2add2(1, m));
    float x2 = x.x * x.x;
    float t = +0.3027294874e+0f;
    t = fmaf(t, x2, +0.3996108174e+0f);
    t = fmaf(t, x2, +0.6666694880e+0f);
    f2 x_2 = {x.x * 2, x.y * 2};
    s = f2add(s, x_2);
    s = f2add1(s, (x2 * x.x) * t);
    float r = s.x + s.y;
    if (isinf(d) && d > 0)
        r = INFINITY;
    if (d < 0 || isnan(d))
        r = NAN;
    if (d == 0)
        r = -INFINITY;
    return r;
}

double tc_sleef_log(double d)
{
    int o = d < DBL_MIN;
    if (o)
        d = d * ((double)(INT64_C(1) << 32) * (double)(INT64_C(1) << 32));
    int32_t e = ilogb2k_d(d * (1.0 / 0.75));
    double m = ldexp3_d(d, -e);
    if (o)
        e -= 64;
    d2 x = d2div(d2add2(-1, m), d2add2(1, m));
    double x2 = x.x * x.x, x4 = x2 * x2, x8 = x4 * x4;
    /* POLY7(x2, x4, x8, ...) */
    double t = MLA(x8, MLA(x4, 0.1532076988502701353e+0, MLA(x2, 0.1525629051003428716e+0, 0.1818605932937785996e+0)),
                   MLA(x4, MLA(x2, 0.2222214519839380009e+0, 0.2857142932794299317e+0),
                       MLA(x2, 0.3999999999635251990e+0, 0.6666666666667333541e+0)));
    d2 ln2 = {0.693147180559945286226764, 2.319046813846299558417771e-17};
    d2 s = d2mul(ln2, (double)e);
    d2 x_2 = {x.x * 2, x.y * 2};
    s = d2add(s, x_2);
    s = d2add1(s, (x2 * x.x) * t);
    double r = s.x + s.y;
    if (isinf(d) && d > 0)
        r = INFINITY;
    if (d < 0 || isnan(d))
        r = NAN;
    if (d == 0)
        r = -INFINITY;
    return r;
}

#undef MLA
#undef POLY2
#undef POLY4
#undef POLY8

/*
 * exp of a complex number as PyTorch's CPU kernel computes it: the
 * Vectorized form exp(a) * (cos(b) + i sin(b)), exp(a) by SLEEF's u10 exp,
 * cos and sin by SLEEF's u10 sincos, each product rounded to the component
 * type (measured against 2.6 with libsleef's own functions: every
 * complex128 and 99.6% of complex64 results).  SLEEF's sincos is not
 * ported here: the correctly rounded cos and sin stand in for it, which it
 * returns for all but about 6% of arguments, where they differ in the
 * last place.  So a complex exp (2.6's complex logsumexp and the backward
 * of complex logsumexp and logcumsumexp) may differ from PyTorch's in its
 * last bit: a known gap.
 */
void tc_cexp_torch(int single, double re, double im, double *ore, double *oim)
{
    if (single) {
        float e = tc_sleef_expf((float)re);
        *ore = e * (float)cos(im);
        *oim = e * (float)sin(im);
    } else {
        double e = tc_sleef_exp(re);
        *ore = e * cos(im);
        *oim = e * sin(im);
    }
}
