/*
 * reduce.c - sum, prod, mean, amax, amin, logsumexp, max and min.
 *
 * Values must match PyTorch 1.13's CPU kernels to the bit, so the kernels
 * below replay the order in which ATen adds or multiplies (AVX2 build, one
 * thread): float sums use SumKernel.cpp's cascade_sum (four-level cascade,
 * 4-way ILP rows, Vectorized lanes), prod/amax/amin use Reduce.h's
 * binary_kernel_reduce_vec (4 accumulator vectors, then a horizontal fold).
 * A lane of a vector is an independent scalar chain, so each lane is
 * computed on its own with the same sequence of operations.
 *
 * The input is always contiguous, so ATen's TensorIterator sees a reduced
 * dim of size n between an outer and an inner block (tc_lanes); which
 * kernel path it takes depends only on n, inner and the vector width.
 *
 * Other facts measured against torch 1.13 on this build, not read from
 * the source: the scalar complex product was compiled with FMA contraction
 * (but not in the fourth step of the horizontal fold), complex mean divides
 * by (n, 0) with c10::complex's (ac + bd) / (c*c + d*d), and exp_/log_ are
 * SLEEF's u10 functions (ported below), not glibc's.  With more than one
 * thread torch splits large reductions differently; tcum replays the
 * single-threaded order, which is what torch uses here
 * (torch.get_num_threads() == 1).
 *
 * PyTorch 2.6 and 1.13 differ (tc_op_args.torch_version), and each mode is
 * exactly its version:
 * - float16/bfloat16 prod and float16 logsumexp: 1.13 has no kernel
 *   ("prod_cpu" / "exp_vml_cpu" not implemented for 'Half'); 2.6's
 *   prod_out_cpu is the same binary_kernel_reduce_vec order with every
 *   product rounded back to the dtype (Half and BFloat16 arithmetic goes
 *   through float, scalar or Vectorized), and its float16 logsumexp is the
 *   bfloat16 sequence with Half rounding (Vectorized<Half>::exp is
 *   Sleef_expf8_u10 on the floats).
 * - float16/bfloat16 mean: 1.13 sums in the dtype and divides in it; 2.6's
 *   mean_out casts the input to float32, sums and divides there and rounds
 *   once ("cast_fp32 -> sum -> div -> cast_bf16_or_fp16").
 * - complex logsumexp: 1.13 refuses it; 2.6 takes the max of the real
 *   parts (at::amax(at::real(self))) and computes exp in complex.
 * - The 2.6 build runs the AVX512 capability, but sum_stub and prod_stub
 *   are registered without AVX512 (REGISTER_DISPATCH), so their order is
 *   the AVX2 one below in both versions.
 */
#include "tc_private.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <string.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

/* A complex number from its parts (CMPLX is missing under clang with glibc). */
static double complex mkc(double re, double im)
{
    double parts[2] = {re, im};
    double complex z;
    memcpy(&z, parts, sizeof z);
    return z;
}

/* ---- geometry ------------------------------------------------------------ */

typedef struct geom {
    int64_t outer, n, inner;     /* input viewed as outer x n x inner */
    int ndim;                    /* result shape */
    int64_t shape[TC_MAX_DIMS];
} geom;

/*
 * Reduce over dim (has_dim) or over everything; keepdim keeps the reduced
 * dims as size 1.  A 0-d input stays 0-d.
 */
static void geom_init(geom *g, const tc_tensor *x, int has_dim, int dim, int keepdim)
{
    if (!has_dim) {
        g->outer = 1;
        g->n = x->numel;
        g->inner = 1;
        g->ndim = keepdim ? x->ndim : 0;
        for (int i = 0; i < g->ndim; i++)
            g->shape[i] = 1;
        return;
    }
    tc_lanes(x, dim, &g->outer, &g->n, &g->inner);
    g->ndim = 0;
    for (int i = 0; i < x->ndim; i++) {
        if (i != dim)
            g->shape[g->ndim++] = x->shape[i];
        else if (keepdim)
            g->shape[g->ndim++] = 1;
    }
}

/* utils::CeilLog2 from ATen/native/cpu/utils.h */
static int64_t ceil_log2(int64_t x)
{
    if (x <= 2)
        return 1;
    uint64_t v = (uint64_t)x - 1;
    int64_t last = 0;
    while (v >>= 1)
        last++;
    return last + 1;
}

/* ---- cascade sum (SumKernel.cpp) -------------------------------------------- */

enum { K_F32, K_F64, K_F16, K_BF16 };

/*
 * A stream of addends: item i is the scalar at off + i*st (in units of the
 * component type; complex numbers are two components), plus, when pair is
 * non-zero, the scalar pair further on: float16/bfloat16 vector loads fold
 * 16 halves into 8 float lanes before accumulating.
 */
typedef struct src {
    const void *p;
    int kind;
    int64_t off, st, pair;
} src;

static float elem_f(const src *s, int64_t k)
{
    switch (s->kind) {
    case K_F16: return tc_half_to_float(((const uint16_t *)s->p)[k]);
    case K_BF16: return tc_bf16_to_float(((const uint16_t *)s->p)[k]);
    default: return ((const float *)s->p)[k];
    }
}

static float load_f(const src *s, int64_t i)
{
    int64_t k = s->off + i * s->st;
    float v = elem_f(s, k);
    if (s->pair)
        v = v + elem_f(s, k + s->pair);
    return v;
}

static double load_d(const src *s, int64_t i)
{
    return ((const double *)s->p)[s->off + i * s->st];
}

/*
 * multi_row_sum for one row (rows are independent, so nrows = 1 loses
 * nothing) and row_sum, its 4-way interleaved form.
 */
#define DEFINE_CASCADE(T, SUF, LOAD)                                            \
    static T cascade_##SUF(const src *s, int64_t size)                          \
    {                                                                           \
        int64_t lp = TC_MAX(4, ceil_log2(size) / 4);                            \
        int64_t step = (int64_t)1 << lp;                                        \
        uint64_t mask = (uint64_t)step - 1;                                     \
        T acc[4] = {0, 0, 0, 0};                                                \
        int64_t i = 0;                                                          \
        while (i + step <= size) {                                              \
            for (int64_t j = 0; j < step; j++, i++)                             \
                acc[0] += LOAD(s, i);                                           \
            for (int j = 1; j < 4; j++) {                                       \
                acc[j] += acc[j - 1];                                           \
                acc[j - 1] = 0;                                                 \
                if (((uint64_t)i & (mask << (j * lp))) != 0)                    \
                    break;                                                      \
            }                                                                   \
        }                                                                       \
        for (; i < size; i++)                                                   \
            acc[0] += LOAD(s, i);                                               \
        for (int j = 1; j < 4; j++)                                             \
            acc[0] += acc[j];                                                   \
        return acc[0];                                                          \
    }                                                                           \
    static T rowsum_##SUF(const src *s, int64_t size)                           \
    {                                                                           \
        int64_t m = size / 4;                                                   \
        T part[4];                                                              \
        for (int k = 0; k < 4; k++) {                                           \
            src t = *s;                                                         \
            t.off = s->off + k * s->st;                                         \
            t.st = s->st * 4;                                                   \
            part[k] = cascade_##SUF(&t, m);                                     \
        }                                                                       \
        for (int64_t i = m * 4; i < size; i++)                                  \
            part[0] += LOAD(s, i);                                              \
        for (int k = 1; k < 4; k++)                                             \
            part[0] += part[k];                                                 \
        return part[0];                                                         \
    }

DEFINE_CASCADE(float, f, load_f)
DEFINE_CASCADE(double, d, load_d)

/*
 * cascade_sum over one component stream of a contiguous tensor.  C is the
 * number of components per element (2 for complex) and c the one summed;
 * vw is Vectorized<scalar_t>::size() and nl the lanes of the accumulator
 * vector.  Writes outer*inner sums in the accumulation type.
 */
#define DEFINE_SUM_STREAM(T, SUF, LOAD)                                         \
    static void sum_stream_##SUF(const void *p, int kind, int C, int c,         \
                                 const geom *g, int vw, int nl, T *res)          \
    {                                                                           \
        int64_t outer = g->outer, n = g->n, inner = g->inner;                   \
        src s = {p, kind, 0, 0, 0};                                             \
        if (n == 0) {                                                           \
            for (int64_t k = 0; k < outer * inner; k++)                         \
                res[k] = 0;                                                     \
            return;                                                             \
        }                                                                       \
        if (n == 1) { /* not a true reduction: out = 0 + x */                   \
            for (int64_t k = 0; k < outer * inner; k++) {                       \
                s.off = C * k + c;                                              \
                res[k] = (T)0 + LOAD(&s, 0);                                    \
            }                                                                   \
            return;                                                             \
        }                                                                       \
        if (inner == 1) {                                                       \
            for (int64_t o = 0; o < outer; o++) {                               \
                int64_t base = o * n;                                           \
                T fin = 0;                                                      \
                if (n >= vw) { /* vectorized_inner_sum */                       \
                    int64_t nvec = n / vw;                                      \
                    T lane[16];                                                 \
                    for (int l = 0; l < nl; l++) {                              \
                        src t = s;                                              \
                        if (vw == nl) {                                         \
                            t.off = C * (base + l) + c;                         \
                            t.st = (int64_t)C * vw;                             \
                        } else if (kind == K_F16) {                             \
                            t.off = base + 2 * l;                               \
                            t.st = vw;                                          \
                            t.pair = 1;                                         \
                        } else {                                                \
                            t.off = base + l;                                   \
                            t.st = vw;                                          \
                            t.pair = nl;                                        \
                        }                                                       \
                        lane[l] = rowsum_##SUF(&t, nvec);                       \
                    }                                                           \
                    for (int64_t k = nvec * vw; k < n; k++) {                   \
                        s.off = C * (base + k) + c;                             \
                        fin += LOAD(&s, 0);                                     \
                    }                                                           \
                    for (int l = 0; l < nl; l++)                                \
                        fin += lane[l];                                         \
                } else {                                                        \
                    s.off = C * base + c;                                       \
                    s.st = C;                                                   \
                    fin = rowsum_##SUF(&s, n);                                  \
                }                                                               \
                res[o] = (T)0 + fin;                                            \
            }                                                                   \
            return;                                                             \
        }                                                                       \
        /* vectorized_outer_sum or scalar_outer_sum: columns in blocks of */     \
        /* 4 vectors (or 4 scalars) get multi_row_sum, the rest row_sum */       \
        int64_t ncasc = inner >= vw ? inner / (4 * nl) * (4 * nl) : inner / 4 * 4; \
        for (int64_t o = 0; o < outer; o++) {                                   \
            for (int64_t i = 0; i < inner; i++) {                               \
                s.off = C * (o * n * inner + i) + c;                            \
                s.st = C * inner;                                               \
                T v = i < ncasc ? cascade_##SUF(&s, n) : rowsum_##SUF(&s, n);   \
                res[o * inner + i] = (T)0 + v;                                  \
            }                                                                   \
        }                                                                       \
    }

DEFINE_SUM_STREAM(float, f, load_f)
DEFINE_SUM_STREAM(double, d, load_d)

/* Sum of a floating or complex tensor x into y (same dtype, shape g). */
static int float_sum(const tc_tensor *x, const geom *g, tc_tensor *y, tc_err *err)
{
    int64_t m = y->numel;
    int C = tc_dtype_is_complex(x->dtype) ? 2 : 1;
    int dbl = x->dtype == TC_FLOAT64 || x->dtype == TC_COMPLEX128;
    /* calloc: every element is written, but the analyzer cannot see that m is outer * inner */
    void *buf = tc_calloc((size_t)(m ? m : 1), dbl ? sizeof(double) : sizeof(float));
    if (!buf)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    for (int c = 0; c < C; c++) {
        switch (x->dtype) {
        case TC_FLOAT32:
            sum_stream_f(x->data, K_F32, 1, 0, g, 8, 8, buf);
            memcpy(y->data, buf, (size_t)m * sizeof(float));
            break;
        case TC_FLOAT16:
        case TC_BFLOAT16:
            sum_stream_f(x->data, x->dtype == TC_FLOAT16 ? K_F16 : K_BF16, 1, 0, g, 16, 8, buf);
            for (int64_t k = 0; k < m; k++) {
                float v = ((float *)buf)[k];
                ((uint16_t *)y->data)[k] = x->dtype == TC_FLOAT16 ? tc_float_to_half(v) : tc_float_to_bf16(v);
            }
            break;
        case TC_FLOAT64:
            sum_stream_d(x->data, K_F64, 1, 0, g, 4, 4, buf);
            memcpy(y->data, buf, (size_t)m * sizeof(double));
            break;
        case TC_COMPLEX64:
            sum_stream_f(x->data, K_F32, 2, c, g, 4, 4, buf);
            for (int64_t k = 0; k < m; k++)
                ((float *)y->data)[2 * k + c] = ((float *)buf)[k];
            break;
        case TC_COMPLEX128:
            sum_stream_d(x->data, K_F64, 2, c, g, 2, 2, buf);
            for (int64_t k = 0; k < m; k++)
                ((double *)y->data)[2 * k + c] = ((double *)buf)[k];
            break;
        default:
            break;
        }
    }
    tc_free(buf);
    return TC_OK;
}

/* ---- binary_kernel_reduce_vec (Reduce.h) ------------------------------------ */

/* One value of any floating or complex dtype, held exactly in doubles. */
typedef struct val {
    double re, im;
} val;

typedef val (*binop)(val a, val b);

typedef struct bred {
    binop op, vop;   /* scalar and Vectorized forms, which may differ */
    binop fold3;     /* if set, the op for the last step of the lane fold */
    val ident;
    int vw;          /* Vectorized<scalar_t>::size() */
} bred;

static val get_val(const tc_tensor *x, int64_t k)
{
    val v;
    tc_tensor_get_c128(x, k, &v.re, &v.im);
    return v;
}

/*
 * out = op(out, x) over each lane of x viewed as outer x n x inner, in the
 * order of vectorized_inner_reduction / vectorized_outer_reduction.
 */
static void reduce_vec(const tc_tensor *x, const geom *g, const bred *b, val *res)
{
    int64_t outer = g->outer, n = g->n, inner = g->inner;
    int64_t blk = 4 * (int64_t)b->vw;
    for (int64_t k = 0; k < outer * inner; k++)
        res[k] = b->ident;
    if (n == 0)
        return;
    if (inner == 1 || n == 1) {
        for (int64_t o = 0; o < outer * (n == 1 ? inner : 1); o++) {
            int64_t base = o * n;
            val out = b->ident;
            int64_t count = n / blk;
            if (count > 0) {
                val acc[4][64];
                for (int j = 0; j < 4; j++)
                    for (int l = 0; l < b->vw; l++)
                        acc[j][l] = get_val(x, base + j * b->vw + l);
                for (int64_t i = 1; i < count; i++)
                    for (int j = 0; j < 4; j++)
                        for (int l = 0; l < b->vw; l++)
                            acc[j][l] = b->vop(acc[j][l], get_val(x, base + i * blk + j * b->vw + l));
                for (int l = 0; l < b->vw; l++)
                    acc[0][l] = b->vop(b->vop(acc[0][l], acc[1][l]), b->vop(acc[2][l], acc[3][l]));
                val b0 = acc[0][0];
                for (int l = 1; l < b->vw; l++)
                    b0 = (l == 3 && b->fold3) ? b->fold3(b0, acc[0][l]) : b->op(b0, acc[0][l]);
                out = b->op(out, b0);
            }
            for (int64_t k = count * blk; k < n; k++)
                out = b->op(out, get_val(x, base + k));
            res[o] = out;
        }
        return;
    }
    int64_t ncols = inner / blk * blk;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * n * inner + i;
            val out;
            if (i < ncols) {
                val acc = get_val(x, base);
                for (int64_t r = 1; r < n; r++)
                    acc = b->vop(acc, get_val(x, base + r * inner));
                out = b->vop(acc, b->ident);
            } else {
                out = b->ident;
                for (int64_t r = 0; r < n; r++)
                    out = b->op(out, get_val(x, base + r * inner));
            }
            res[o * inner + i] = out;
        }
    }
}

static val mul_f32(val a, val b)
{
    val r = {(float)a.re * (float)b.re, 0};
    return r;
}

/*
 * Half and BFloat16 (2.x's prod_out_cpu): both the scalar operator* and
 * Vectorized<Half>'s go through float and round the product back to the
 * dtype at every step.
 */
static val mul_f16(val a, val b)
{
    float p = (float)a.re * (float)b.re;
    val r = {tc_half_to_float(tc_float_to_half(p)), 0};
    return r;
}

static val mul_bf16(val a, val b)
{
    float p = (float)a.re * (float)b.re;
    val r = {tc_bf16_to_float(tc_float_to_bf16(p)), 0};
    return r;
}

static val mul_f64(val a, val b)
{
    val r = {a.re * b.re, 0};
    return r;
}

/*
 * Complex products: Vectorized<complex<T>>::operator* rounds each of ac, bd,
 * ad, bc; the scalar c10::complex operator*= was compiled with FMA
 * contraction in the AVX2 kernel, so it computes fma(a, c, -bd) and
 * fma(a, d, bc).
 */
static val mul_c64_v(val x, val y)
{
    float a = (float)x.re, b = (float)x.im, c = (float)y.re, d = (float)y.im;
    float ac = a * c, bd = b * d, ad = a * d, bc = b * c;
    val r = {ac - bd, ad + bc};
    return r;
}

static val mul_c64_s(val x, val y)
{
    float a = (float)x.re, b = (float)x.im, c = (float)y.re, d = (float)y.im;
    val r = {tc_fmaf(a, c, -(b * d)), tc_fmaf(a, d, b * c)};
    return r;
}

static val mul_c128_v(val x, val y)
{
    double ac = x.re * y.re, bd = x.im * y.im, ad = x.re * y.im, bc = x.im * y.re;
    val r = {ac - bd, ad + bc};
    return r;
}

static val mul_c128_s(val x, val y)
{
    val r = {tc_fma(x.re, y.re, -(x.im * y.im)), tc_fma(x.re, y.im, x.im * y.re)};
    return r;
}

/* std::max / std::min after a NaN check (max_impl, min_impl): ties keep a */
static val max_s(val a, val b)
{
    if (isnan(a.re) || isnan(b.re)) {
        val r = {NAN, 0};
        return r;
    }
    return a.re < b.re ? b : a;
}

static val min_s(val a, val b)
{
    if (isnan(a.re) || isnan(b.re)) {
        val r = {NAN, 0};
        return r;
    }
    return b.re < a.re ? b : a;
}

/* maxps/minps plus a NaN blend (Vectorized maximum/minimum): ties take b */
static val max_v(val a, val b)
{
    if (isnan(a.re) || isnan(b.re)) {
        val r = {NAN, 0};
        return r;
    }
    return a.re > b.re ? a : b;
}

static val min_v(val a, val b)
{
    if (isnan(a.re) || isnan(b.re)) {
        val r = {NAN, 0};
        return r;
    }
    return a.re < b.re ? a : b;
}

/* Elements per 256-bit Vectorized<scalar_t> */
static int vec_width(tc_dtype t)
{
    int w = (int)(32 / tc_dtype_size(t));
    return w > 0 ? w : 1;   /* never 0 (every dtype is at most 16 bytes) */
}

static void store_val(tc_tensor *y, int64_t k, val v)
{
    if (tc_dtype_is_complex(y->dtype))
        tc_store_c128(y, k, v.re, v.im);
    else
        tc_store_f64(y, k, v.re);
}

/* ---- integer kernels (order does not matter: wrapping or exact) ---------- */

/*
 * PyTorch 1.13's bool prod (prod with dtype=bool) takes every element its
 * Vectorized<bool> code handles as true: the blocks of 128 along a
 * contiguous lane, the blocks of 128 columns of an outer reduction (Reduce.h's
 * binary_kernel_reduce_vec, 4 vectors of 32); only the scalar remainder
 * counts.  Measured; 2.6 multiplies them all.
 */
static int lost_in_vector(const geom *g, int64_t r, int64_t i)
{
    if (g->inner == 1 || g->n == 1)
        return g->n != 1 && r < g->n / 128 * 128;
    return i < g->inner / 128 * 128;
}

static void int_reduce(const tc_tensor *x, const geom *g, tc_op op, tc_tensor *y, int bool113)
{
    int64_t outer = g->outer, n = g->n, inner = g->inner;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            uint64_t acc = op == TC_OP_PROD ? 1 : 0;
            int64_t best = 0;
            for (int64_t r = 0; r < n; r++) {
                if (bool113 && lost_in_vector(g, r, i))
                    continue;
                int64_t v = tc_tensor_get_i64(x, (o * n + r) * inner + i);
                if (op == TC_OP_SUM)
                    acc += (uint64_t)v;
                else if (op == TC_OP_PROD)
                    acc *= (uint64_t)v;
                else if (r == 0 || (op == TC_OP_AMAX ? v > best : v < best))
                    best = v;
            }
            int64_t k = o * inner + i;
            if (op == TC_OP_SUM || op == TC_OP_PROD) {
                if (y->dtype == TC_BOOL) /* bool + is "or", bool * is "and" */
                    ((uint8_t *)y->data)[k] = acc != 0;
                else
                    tc_store_i64(y, k, (int64_t)acc);
            } else {
                tc_store_i64(y, k, best);
            }
        }
    }
}

/* ---- errors ------------------------------------------------------------------ */

static int not_impl(tc_err *err, const char *kernel, tc_dtype t, const char *hint)
{
    return tc_err_set(err, TC_EARG, "\"%s\" not implemented for '%s'%s", kernel,
                      tc_dtype_scalar_name(t), hint);
}

/* ---- sum, prod, mean ------------------------------------------------------ */

/* sum or prod of x (already in the computation dtype) into a new tensor */
static int sum_prod_serial(const tc_tensor *x, const geom *g, tc_op op, tc_torch_version v,
                           tc_tensor **out, tc_err *err)
{
    *out = NULL;
    tc_tensor *y = tc_tensor_new(x->dtype, g->ndim, g->shape, err);
    if (!y)
        return err && err->code ? err->code : TC_ENOMEM;
    int rc = TC_OK;
    if (tc_dtype_is_integral(x->dtype, 1)) {
        int_reduce(x, g, op, y, op == TC_OP_PROD && x->dtype == TC_BOOL && v == TC_TORCH_1_13);
    } else if (op == TC_OP_SUM) {
        rc = float_sum(x, g, y, err);
    } else {
        bred b;
        b.fold3 = NULL;
        b.vw = vec_width(x->dtype);
        b.ident.re = 1;
        b.ident.im = 0;
        switch (x->dtype) {
        case TC_FLOAT32: b.op = b.vop = mul_f32; break;
        case TC_FLOAT64: b.op = b.vop = mul_f64; break;
        case TC_FLOAT16: b.op = b.vop = mul_f16; break;
        case TC_BFLOAT16: b.op = b.vop = mul_bf16; break;
        case TC_COMPLEX64:
            /*
             * Measured: in the horizontal fold of vectorized_reduction the
             * compiled code multiplies the fourth lane without FMA.
             */
            b.op = mul_c64_s;
            b.vop = b.fold3 = mul_c64_v;
            break;
        default: b.op = mul_c128_s; b.vop = mul_c128_v; break;
        }
        val *res = tc_calloc((size_t)(y->numel ? y->numel : 1), sizeof *res);
        if (!res) {
            rc = tc_err_set(err, TC_ENOMEM, "out of memory");
        } else {
            reduce_vec(x, g, &b, res);
            for (int64_t k = 0; k < y->numel; k++)
                store_val(y, k, res[k]);
            tc_free(res);
        }
    }
    if (rc != TC_OK) {
        tc_tensor_free(y);
        return rc;
    }
    *out = y;
    return TC_OK;
}

/*
 * PyTorch 2.6 runs 2 threads here (torch.get_num_threads() on the 2-CPU
 * machine tcum is checked on; 1.13 runs 1), and a reduction to a single
 * element of more than GRAIN_SIZE elements is then two-pass
 * (TensorIteratorBase::parallel_reduce, two_pass_reduction): at::parallel_for
 * gives each thread ceil(n / 2) elements, which it reduces into its own
 * element of a buffer of the result's dtype (the identity where a thread
 * gets none), and the buffer is reduced in turn.  Reductions to several
 * elements split along the outputs, on 128-byte column boundaries, which
 * leaves each output's arithmetic as it is.  Integers do not care.
 */
enum { GRAIN_SIZE = 32768, TORCH26_THREADS = 2 };

static int sum_prod(const tc_tensor *x, const geom *g, tc_op op, tc_torch_version v,
                    tc_tensor **out, tc_err *err)
{
    if (v == TC_TORCH_1_13 || tc_dtype_is_integral(x->dtype, 1) || g->outer * g->inner != 1 ||
        g->n < GRAIN_SIZE)
        return sum_prod_serial(x, g, op, v, out, err);
    *out = NULL;
    int64_t n = g->n, nt = TC_MIN(TORCH26_THREADS, (n + GRAIN_SIZE - 1) / GRAIN_SIZE);
    int64_t chunk = (n + nt - 1) / nt, two = TORCH26_THREADS;
    size_t esz = tc_dtype_size(x->dtype);
    tc_tensor *buf = tc_tensor_new(x->dtype, 1, &two, err);
    if (!buf)
        return TC_ENOMEM;
    int rc = TC_OK;
    for (int64_t t = 0; t < TORCH26_THREADS && rc == TC_OK; t++) {
        int64_t lo = t * chunk, len = TC_MAX(TC_MIN(n, lo + chunk) - lo, 0);
        if (len == 0) {
            tc_store_f64(buf, t, op == TC_OP_PROD ? 1.0 : 0.0);
            continue;
        }
        /* this thread's share, as a view of x */
        tc_tensor part = *x;
        part.ndim = 1;
        part.shape[0] = part.numel = len;
        part.data = (char *)x->data + (size_t)lo * esz;
        geom g1 = {1, len, 1, 0, {0}};
        tc_tensor *p = NULL;
        if ((rc = sum_prod_serial(&part, &g1, op, v, &p, err)) == TC_OK)
            memcpy((char *)buf->data + (size_t)t * esz, p->data, esz);
        tc_tensor_free(p);
    }
    if (rc == TC_OK) {
        geom gb = *g;
        gb.n = TORCH26_THREADS;
        rc = sum_prod_serial(buf, &gb, op, v, out, err);
    }
    tc_tensor_free(buf);
    return rc;
}

/* ---- complex division (PyTorch 2.6) ----------------------------------------- */

/*
 * x86's RCPSS, the estimate of 1/x Vectorized<c10::complex<float>>'s
 * operator/ scales by (_mm256_rcp_ps): its bits are the CPU's, as they are
 * for PyTorch on the same machine.  Elsewhere 1/x.
 */
static float rcp_estimate(float x)
{
#if defined(__SSE__)
    return _mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(x)));
#else
    return 1.0f / x;
#endif
}

/* maxps: x if x > y, else y (so a NaN in either gives y) */
#define MAXPS(x, y) ((x) > (y) ? (x) : (y))

void tc_cdiv_torch(tc_dtype t, int path, double a, double b, double c, double d,
                   double *re, double *im)
{
    int single = t == TC_COMPLEX64;
    if (path == TC_CDIV_VEC && single) {
        /* scale each lane by ~1/max(|c|, |d|), then (ac + bd, bc - ad) / (c^2 + d^2) */
        float fa = (float)a, fb = (float)b, fc = (float)c, fd = (float)d;
        float s0 = rcp_estimate(MAXPS(fabsf(fc), fabsf(fd)));
        float s1 = rcp_estimate(MAXPS(fabsf(fd), fabsf(fc)));
        float a2 = fa * s0, b2 = fb * s1, c2 = fc * s0, d2 = fd * s1;
        float den = c2 * c2 + d2 * d2;
        *re = (a2 * c2 + b2 * d2) / den;
        *im = (a2 * -d2 + b2 * c2) / den;
        return;
    }
    if (path == TC_CDIV_VEC) {
        double s0 = 1.0 / MAXPS(fabs(c), fabs(d)), s1 = 1.0 / MAXPS(fabs(d), fabs(c));
        double a2 = a * s0, b2 = b * s1, c2 = c * s0, d2 = d * s1;
        double den = c2 * c2 + d2 * d2;
        *re = (a2 * c2 + b2 * d2) / den;
        *im = (a2 * -d2 + b2 * c2) / den;
        return;
    }
    /* c10::complex<T>::operator/=, in T; rnd() rounds a double to T */
#define RND(v) (single ? (double)(float)(v) : (v))
#define FMA(x, y, z) (single ? (double)tc_fmaf((float)(x), (float)(y), (float)(z)) : tc_fma(x, y, z))
    int all = path == TC_CDIV_FMA;
    double ac = fabs(c), ad = fabs(d), rat, scl;
    if (ac >= ad) {
        if (ac == 0 && ad == 0) {
            *re = RND(a / ac);
            *im = RND(b / ad);
            return;
        }
        rat = RND(d / c);
        scl = RND(1.0 / FMA(d, rat, c));
        *re = RND((all ? FMA(b, rat, a) : RND(a + RND(b * rat))) * scl);
        *im = RND((all ? FMA(-a, rat, b) : RND(b - RND(a * rat))) * scl);
    } else {
        rat = RND(c / d);
        scl = RND(1.0 / FMA(c, rat, d));
        *re = RND((all ? FMA(a, rat, b) : RND(RND(a * rat) + b)) * scl);
        *im = RND((all ? FMA(b, rat, -a) : RND(RND(b * rat) - a)) * scl);
    }
#undef RND
#undef FMA
}

/*
 * y /= n in y's dtype, as at::div_ by a wrapped integer scalar does.  A
 * complex y divides by (n + 0j): 1.13 with c10's (ac + bd) / (c*c + d*d),
 * 2.6 (tc_cdiv_torch) in the Vectorized form on chunks of two vectors (8
 * complex64, 4 complex128) and c10's operator/ on the rest.
 */
static void divide_by(tc_tensor *y, int64_t n, tc_torch_version v)
{
    int64_t chunk = y->dtype == TC_COMPLEX64 ? 8 : 4, vend = y->numel / chunk * chunk;
    for (int64_t k = 0; k < y->numel; k++) {
        if (tc_dtype_is_complex(y->dtype) && v != TC_TORCH_1_13) {
            double re, im;
            int64_t rem = y->numel - vend;
            int path = k < vend ? TC_CDIV_VEC
                     : y->dtype == TC_COMPLEX64 && rem % 2 == 1 && rem >= 3 && k == y->numel - 1
                     ? TC_CDIV_FMA_DEN : TC_CDIV_FMA;
            tc_tensor_get_c128(y, k, &re, &im);
            tc_cdiv_torch(y->dtype, path, re, im, (double)n, 0.0, &re, &im);
            tc_store_c128(y, k, re, im);
            continue;
        }
        switch (y->dtype) {
        case TC_FLOAT32:
            ((float *)y->data)[k] = ((float *)y->data)[k] / (float)n;
            break;
        case TC_FLOAT64:
            ((double *)y->data)[k] = ((double *)y->data)[k] / (double)n;
            break;
        case TC_FLOAT16: {
            uint16_t *p = y->data;
            float d = tc_half_to_float(tc_float_to_half((float)n));
            p[k] = tc_float_to_half(tc_half_to_float(p[k]) / d);
            break;
        }
        case TC_BFLOAT16: {
            uint16_t *p = y->data;
            float d = tc_bf16_to_float(tc_float_to_bf16((float)n));
            p[k] = tc_float_to_bf16(tc_bf16_to_float(p[k]) / d);
            break;
        }
        case TC_COMPLEX64: {
            /* c10::complex operator/: (ac + bd) / (c*c + d*d) with d = 0 */
            float *p = y->data;
            float a = p[2 * k], b = p[2 * k + 1], c = (float)n, den = c * c;
            p[2 * k] = (a * c + b * 0.0f) / den;
            p[2 * k + 1] = (b * c - a * 0.0f) / den;
            break;
        }
        case TC_COMPLEX128: {
            double *p = y->data;
            double a = p[2 * k], b = p[2 * k + 1], c = (double)n, den = c * c;
            p[2 * k] = (a * c + b * 0.0) / den;
            p[2 * k + 1] = (b * c - a * 0.0) / den;
            break;
        }
        default:
            break;
        }
    }
}

static int is_reduced_float(tc_dtype t)
{
    return t == TC_FLOAT16 || t == TC_BFLOAT16;
}

static int run_sum_prod_mean(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_op op = a->op;
    if (op == TC_OP_MEAN) {
        if (a->has_dtype && !tc_dtype_is_float(a->dtype) && !tc_dtype_is_complex(a->dtype))
            return tc_err_set(err, TC_EARG,
                              "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: %s",
                              tc_dtype_scalar_name(a->dtype));
        if (!a->has_dtype && !tc_dtype_is_float(x->dtype) && !tc_dtype_is_complex(x->dtype)) {
            tc_err_set(err, TC_EDTYPE,
                       "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: %s",
                       tc_dtype_scalar_name(x->dtype));
            return tc_err_hint(err, TC_EDTYPE, "dtype", "float32");
        }
    }
    if (!a->has_dim && a->keepdim && op == TC_OP_PROD)
        return tc_err_set(err, TC_EARG, "prod(): --keepdim needs --dim (torch.prod has no keepdim without dim)");
    int dim = 0;
    if (a->has_dim && tc_dim_wrap(a->dim, x->ndim, &dim, err) != TC_OK)
        return err ? err->code : TC_EARG;

    tc_dtype out_t = a->has_dtype ? a->dtype
                     : tc_dtype_is_integral(x->dtype, 1) ? TC_INT64 : x->dtype;
    /* 1.13 has no float16/bfloat16 prod kernel; an empty input needs none */
    if (op == TC_OP_PROD && a->torch_version == TC_TORCH_1_13 && is_reduced_float(out_t) &&
        x->numel > 0) {
        tc_err_set(err, TC_EDTYPE, "\"prod_cpu\" not implemented for '%s'", tc_dtype_scalar_name(out_t));
        return tc_err_hint(err, TC_EDTYPE, "dtype", "float32");
    }
    /*
     * make_reduction_from_out_ty: the input is converted to dtype first; a
     * 2.6 float16/bfloat16 mean converts it to float32 and rounds at the end.
     */
    int mean32 = op == TC_OP_MEAN && a->torch_version != TC_TORCH_1_13 && is_reduced_float(out_t);
    tc_dtype in_t = mean32 ? TC_FLOAT32 : out_t;

    geom g;
    geom_init(&g, x, a->has_dim, dim, a->keepdim);
    tc_tensor *xc = NULL, *y = NULL;
    const tc_tensor *xs = x;
    int rc;
    if (x->dtype != in_t) {
        if ((rc = tc_tensor_convert_version(x, in_t, a->torch_version, &xc, err)) != TC_OK)
            return rc;
        xs = xc;
    }
    rc = sum_prod(xs, &g, op == TC_OP_PROD ? TC_OP_PROD : TC_OP_SUM, a->torch_version, &y, err);
    tc_tensor_free(xc);
    if (rc != TC_OK)
        return rc;
    if (mean32)
        divide_by(y, g.n, a->torch_version);
    if (y->dtype != out_t) {
        tc_tensor *z = NULL;
        rc = tc_tensor_convert(y, out_t, &z, err);
        tc_tensor_free(y);
        if (rc != TC_OK)
            return rc;
        y = z;
    }
    if (op == TC_OP_MEAN && !mean32)
        divide_by(y, g.n, a->torch_version);
    r->values = y;
    return TC_OK;
}

/* ---- amax, amin ------------------------------------------------------------ */

static int check_nonempty(const char *name, const tc_tensor *x, int has_dim, int dim,
                          int64_t raw_dim, tc_err *err)
{
    if (!has_dim && x->numel == 0)
        return tc_err_set(err, TC_EARG,
                          "%s(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
                          name);
    if (has_dim && x->ndim > 0 && x->shape[dim] == 0)
        return tc_err_set(err, TC_EARG, "%s(): Expected reduction dim %lld to have non-zero size.", name,
                          (long long)raw_dim);
    return TC_OK;
}

/* amax/amin of x into a new tensor of x's dtype */
static int minmax_values(const tc_tensor *x, const geom *g, int is_max, tc_tensor **out, tc_err *err)
{
    *out = NULL;
    tc_tensor *y = tc_tensor_new(x->dtype, g->ndim, g->shape, err);
    if (!y)
        return err && err->code ? err->code : TC_ENOMEM;
    if (tc_dtype_is_integral(x->dtype, 1)) {
        int_reduce(x, g, is_max ? TC_OP_AMAX : TC_OP_AMIN, y, 0);
        *out = y;
        return TC_OK;
    }
    bred b;
    b.fold3 = NULL;
    b.vw = vec_width(x->dtype);
    b.op = is_max ? max_s : min_s;
    b.vop = is_max ? max_v : min_v;
    b.ident.re = is_max ? -INFINITY : INFINITY;
    b.ident.im = 0;
    val *res = tc_calloc((size_t)(y->numel ? y->numel : 1), sizeof *res);
    if (!res) {
        tc_tensor_free(y);
        tc_err_set(err, TC_ENOMEM, "out of memory");
        return TC_ENOMEM;   /* spelled out: the analyzer cannot see tc_err_set returns it */
    }
    reduce_vec(x, g, &b, res);
    for (int64_t k = 0; k < y->numel; k++)
        store_val(y, k, res[k]);
    tc_free(res);
    *out = y;
    return TC_OK;
}

static int run_amax_amin(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    int is_max = a->op == TC_OP_AMAX;
    const char *name = is_max ? "amax" : "amin";
    tc_tensor *xc = NULL;
    if (a->has_dtype && a->dtype != x->dtype) {
        if (tc_tensor_convert(x, a->dtype, &xc, err) != TC_OK)
            return err ? err->code : TC_EARG;
        x = xc;
    }
    int dim = 0, rc;
    if (a->has_dim && (rc = tc_dim_wrap(a->dim, x->ndim, &dim, err)) != TC_OK)
        goto done;
    if ((rc = check_nonempty(name, x, a->has_dim, dim, a->dim, err)) != TC_OK)
        goto done;
    geom g;
    geom_init(&g, x, a->has_dim, dim, a->keepdim);
    if (tc_dtype_is_complex(x->dtype) && x->numel > 0) {
        rc = not_impl(err, is_max ? "max_values_cpu" : "min_values_cpu", x->dtype, "");
        goto done;
    }
    if (tc_dtype_is_complex(x->dtype)) {
        r->values = tc_tensor_new(x->dtype, g.ndim, g.shape, err);
        rc = r->values ? TC_OK : TC_ENOMEM;
        goto done;
    }
    rc = minmax_values(x, &g, is_max, &r->values, err);
done:
    tc_tensor_free(xc);
    return rc;
}

/* ---- max, min --------------------------------------------------------------- */

/* max_all / min_all: vec::reduce_all's lane order (values only differ in the sign of zero) */
static val reduce_all(const tc_tensor *x, int is_max)
{
    binop vop = is_max ? max_v : min_v;
    int64_t size = x->numel;
    int vw = vec_width(x->dtype);
    val acc[64];
    memset(acc, 0, sizeof acc);   /* only acc[0 .. vw) is used; zeroed for the analyzer */
    if (size < vw) {
        val a0 = get_val(x, 0);
        for (int64_t i = 1; i < size; i++)
            a0 = vop(a0, get_val(x, i));
        return a0;
    }
    for (int l = 0; l < vw; l++)
        acc[l] = get_val(x, l);
    int64_t d = vw;
    for (; d < size - size % vw; d += vw)
        for (int l = 0; l < vw; l++)
            acc[l] = vop(acc[l], get_val(x, d + l));
    for (int64_t l = 0; l < size - d; l++)
        acc[l] = vop(acc[l], get_val(x, d + l));
    for (int l = 1; l < vw; l++)
        acc[0] = vop(acc[0], acc[l]);
    return acc[0];
}

static int run_max_min(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    int is_max = a->op == TC_OP_MAX;
    const char *name = is_max ? "max" : "min";
    tc_tensor *xc = NULL;
    if (a->has_dtype && a->dtype != x->dtype) {
        if (tc_tensor_convert(x, a->dtype, &xc, err) != TC_OK)
            return err ? err->code : TC_EARG;
        x = xc;
    }
    int dim = 0, rc = TC_OK;
    if (!a->has_dim) {
        if (a->keepdim) {
            rc = tc_err_set(err, TC_EARG, "%s(): --keepdim needs --dim (torch.%s has no keepdim without dim)", name, name);
            goto done;
        }
        if ((rc = check_nonempty(name, x, 0, 0, 0, err)) != TC_OK)
            goto done;
        if (tc_dtype_is_complex(x->dtype)) {
            rc = not_impl(err, is_max ? "max_all" : "min_all", x->dtype, "");
            goto done;
        }
        tc_tensor *y = tc_tensor_new(x->dtype, 0, NULL, err);
        if (!y) {
            rc = err ? err->code : TC_ENOMEM;
            goto done;
        }
        if (tc_dtype_is_integral(x->dtype, 1)) {
            geom g;
            geom_init(&g, x, 0, 0, 0);
            int_reduce(x, &g, is_max ? TC_OP_AMAX : TC_OP_AMIN, y, 0);
        } else {
            store_val(y, 0, reduce_all(x, is_max));
        }
        r->values = y;
        goto done;
    }
    if ((rc = tc_dim_wrap(a->dim, x->ndim, &dim, err)) != TC_OK)
        goto done;
    if ((rc = check_nonempty(name, x, 1, dim, dim, err)) != TC_OK)
        goto done;
    if (tc_dtype_is_complex(x->dtype)) {
        rc = tc_err_set(err, TC_EARG, "%s(): does not support complex input", name);
        goto done;
    }
    geom g;
    geom_init(&g, x, 1, dim, a->keepdim);
    tc_tensor *v = tc_tensor_new(x->dtype, g.ndim, g.shape, err);
    tc_tensor *ix = v ? tc_tensor_new(TC_INT64, g.ndim, g.shape, err) : NULL;
    if (!ix) {
        tc_tensor_free(v);
        rc = err ? err->code : TC_ENOMEM;
        goto done;
    }
    int fl = !tc_dtype_is_integral(x->dtype, 1);
    size_t esz = tc_dtype_size(x->dtype);
    for (int64_t o = 0; o < g.outer; o++) {
        for (int64_t i = 0; i < g.inner; i++) {
            int64_t best = 0, k0 = o * g.n * g.inner + i;
            /* compare_base_kernel: replace when !(v <= best) (or >=), stop at NaN */
            if (fl) {
                double bv = tc_tensor_get_f64(x, k0);
                for (int64_t j = 0; j < g.n; j++) {
                    double vv = tc_tensor_get_f64(x, k0 + j * g.inner);
                    if (is_max ? !(vv <= bv) : !(vv >= bv)) {
                        bv = vv;
                        best = j;
                        if (isnan(vv))
                            break;
                    }
                }
            } else {
                int64_t bv = tc_tensor_get_i64(x, k0);
                for (int64_t j = 0; j < g.n; j++) {
                    int64_t vv = tc_tensor_get_i64(x, k0 + j * g.inner);
                    if (is_max ? vv > bv : vv < bv) {
                        bv = vv;
                        best = j;
                    }
                }
            }
            int64_t k = o * g.inner + i;
            memcpy((char *)v->data + (size_t)k * esz, (const char *)x->data + (size_t)(k0 + best * g.inner) * esz, esz);
            ((int64_t *)ix->data)[k] = best;
        }
    }
    r->name = name;
    r->values = v;
    r->indices = ix;
done:
    tc_tensor_free(xc);
    return rc;
}

/* ---- logsumexp --------------------------------------------------------------- */

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
 * log of a complex64 as PyTorch 2.6 computes it: std::log, i.e. glibc's
 * clogf, and Debian 13's glibc 2.41 (Debian 12's 2.36 differs) runs it on
 * correctly rounded log1pf and atan2f (from CORE-MATH).  glibc's algorithm
 * (math/s_clog_template.c) is redone here on those: log(hypot) far from the
 * unit circle, log1p(|z|^2 - 1) / 2 near it; the correctly rounded float
 * functions are the double ones rounded (exact but for arguments within
 * 2^-29 of a rounding boundary).
 */
void tc_clogf_torch26(float x, float y, float *ore, float *oim)
{
    const float eps = FLT_EPSILON;
    if (x == 0 && y == 0) {
        *oim = copysignf(signbit(x) ? (float)M_PI : 0.0f, y);
        *ore = -1.0f / fabsf(x);
        return;
    }
    if (isnan(x) || isnan(y)) {
        *oim = NAN;
        *ore = isinf(x) || isinf(y) ? INFINITY : NAN;
        return;
    }
    float ax = fabsf(x), ay = fabsf(y);
    int scale = 0;
    if (ax < ay) {
        float t = ax;
        ax = ay;
        ay = t;
    }
    if (ax > FLT_MAX / 2) {
        scale = -1;
        ax = scalbnf(ax, scale);
        ay = ay >= FLT_MIN * 2 ? scalbnf(ay, scale) : 0;
    } else if (ax < FLT_MIN && ay < FLT_MIN) {
        scale = FLT_MANT_DIG;
        ax = scalbnf(ax, scale);
        ay = scalbnf(ay, scale);
    }
#define LOG1PF(v) ((float)log1p((double)(v)))
    if (ax == 1 && scale == 0) {
        *ore = LOG1PF(ay * ay) / 2;
    } else if (ax > 1 && ax < 2 && ay < 1 && scale == 0) {
        float d2m1 = (ax - 1) * (ax + 1);
        if (ay >= eps)
            d2m1 += ay * ay;
        *ore = LOG1PF(d2m1) / 2;
    } else if (ax < 1 && ax >= 0.5f && ay < eps / 2 && scale == 0) {
        *ore = LOG1PF((ax - 1) * (ax + 1)) / 2;
    } else if (ax < 1 && ax >= 0.5f && scale == 0 && ax * ax + ay * ay >= 0.5f) {
        double dx = ax, dy = ay;
        *ore = LOG1PF((float)(dx * dx + dy * dy - 1.0)) / 2;
    } else {
        *ore = logf(hypotf(ax, ay)) - (float)scale * (float)M_LN2;
    }
#undef LOG1PF
    *oim = (float)atan2((double)y, (double)x);
}

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

/*
 * PyTorch 2.6's logsumexp of a complex x: maxes = amax(real(x)) with
 * infinities masked to 0, sum((x - maxes).exp_()), then log_() (glibc's
 * clog, as std::log of std::complex is) and add_(maxes) as a complex number
 * (m + 0j).  Over an empty x: log(sum(exp(x))) = log(0) = -inf + 0j.
 */
static int logsumexp_complex(const tc_tensor *x, const geom *g, tc_tensor **out, tc_err *err)
{
    int single = x->dtype == TC_COMPLEX64;
    tc_dtype rt = single ? TC_FLOAT32 : TC_FLOAT64;
    tc_tensor *xr = tc_tensor_new(rt, x->ndim, x->shape, err);
    tc_tensor *mx = NULL, *e = NULL, *s = NULL;
    int rc = xr ? TC_OK : TC_ENOMEM;
    if (rc == TC_OK && x->numel > 0) {
        for (int64_t k = 0; k < x->numel; k++) {
            double re, im;
            tc_tensor_get_c128(x, k, &re, &im);
            tc_store_f64(xr, k, re);
        }
        if ((rc = minmax_values(xr, g, 1, &mx, err)) == TC_OK)
            for (int64_t k = 0; k < mx->numel; k++)
                if (isinf(tc_tensor_get_f64(mx, k)))
                    tc_store_f64(mx, k, 0);
    }
    if (rc == TC_OK && !(e = tc_tensor_new(x->dtype, x->ndim, x->shape, err)))
        rc = TC_ENOMEM;
    for (int64_t o = 0; rc == TC_OK && x->numel > 0 && o < g->outer; o++) {
        for (int64_t j = 0; j < g->n; j++) {
            for (int64_t i = 0; i < g->inner; i++) {
                int64_t k = (o * g->n + j) * g->inner + i;
                double re, im, m = tc_tensor_get_f64(mx, o * g->inner + i), er, ei;
                tc_tensor_get_c128(x, k, &re, &im);
                re = single ? (double)((float)re - (float)m) : re - m;
                tc_cexp_torch(single, re, im, &er, &ei);
                tc_store_c128(e, k, er, ei);
            }
        }
    }
    if (rc == TC_OK)
        rc = sum_prod(e, g, TC_OP_SUM, TC_TORCH_2_6, &s, err);
    for (int64_t k = 0; rc == TC_OK && k < s->numel; k++) {
        double re, im, m = mx ? tc_tensor_get_f64(mx, k) : 0;
        tc_tensor_get_c128(s, k, &re, &im);
        if (single) {
            float lr, li;
            tc_clogf_torch26((float)re, (float)im, &lr, &li);
            tc_store_c128(s, k, lr + (float)m, li + 0.0f);
        } else {
            double complex l = clog(mkc(re, im));
            tc_store_c128(s, k, creal(l) + m, cimag(l) + 0.0);
        }
    }
    if (rc == TC_OK) {
        *out = s;
        s = NULL;
    }
    tc_tensor_free(xr);
    tc_tensor_free(mx);
    tc_tensor_free(e);
    tc_tensor_free(s);
    return rc;
}

static int run_logsumexp(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_tensor *xc = NULL, *mx = NULL, *e = NULL, *s = NULL;
    int rc = TC_OK;
    if (a->has_dtype && a->dtype != x->dtype) {
        if ((rc = tc_tensor_convert_version(x, a->dtype, a->torch_version, &xc, err)) != TC_OK)
            return rc;
        x = xc;
    }
    /* 1.13 checks the result dtype before anything else */
    if (tc_dtype_is_complex(x->dtype) && a->torch_version == TC_TORCH_1_13) {
        rc = tc_err_set(err, TC_EDTYPE, "logsumexp(): Expected floating point type for result tensor, but got: %s",
                        tc_dtype_scalar_name(x->dtype));
        tc_err_hint(err, rc, "torch_version", "2.6");
        goto done;
    }
    /*
     * 1.13 lacks exp for float16: an empty input reaches exp(self) before
     * sum_out looks at the dims, a non-empty one only after amax did.
     */
    int half113 = x->dtype == TC_FLOAT16 && a->torch_version == TC_TORCH_1_13;
    int dim = 0;
    if (!(half113 && x->numel == 0) && a->has_dim &&
        (rc = tc_dim_wrap(a->dim, x->ndim, &dim, err)) != TC_OK)
        goto done;
    if (tc_dtype_is_integral(x->dtype, 1)) {
        /* integral input is promoted to the default float dtype */
        tc_tensor *t = NULL;
        if ((rc = tc_tensor_convert(x, a->default_dtype, &t, err)) != TC_OK)
            goto done;
        tc_tensor_free(xc);
        x = xc = t;
    }
    /*
     * float16: 1.13 lacks exp_vml_cpu for Half, 2.6 has it (Vectorized<Half>
     * exp is Sleef_expf8_u10 on the float values, rounded back); the rest is
     * the same sequence as bfloat16.
     */
    if (half113) {
        rc = tc_err_set(err, TC_EDTYPE, "\"exp_vml_cpu\" not implemented for 'Half'");
        tc_err_hint(err, rc, "dtype", "float32");
        goto done;
    }
    geom g;
    geom_init(&g, x, a->has_dim, dim, a->keepdim);
    if (tc_dtype_is_complex(x->dtype)) {
        rc = logsumexp_complex(x, &g, &r->values, err);
        goto done;
    }
    if ((e = tc_tensor_new(x->dtype, x->ndim, x->shape, err)) == NULL) {
        rc = err ? err->code : TC_ENOMEM;
        goto done;
    }
    if (x->numel > 0) {
        if ((rc = minmax_values(x, &g, 1, &mx, err)) != TC_OK)
            goto done;
        /* maxes.masked_fill_(maxes.abs() == INFINITY, 0) */
        for (int64_t k = 0; k < mx->numel; k++)
            if (isinf(tc_tensor_get_f64(mx, k)))
                tc_store_f64(mx, k, 0);
    }
    /* e = exp(x - maxes), each step rounded to the dtype; none if x is empty
     * (reducing an empty dim leaves g.outer lanes of nothing, maybe 2**40) */
    for (int64_t o = 0; o < g.outer && x->numel > 0; o++) {
        for (int64_t j = 0; j < g.n; j++) {
            for (int64_t i = 0; i < g.inner; i++) {
                int64_t k = (o * g.n + j) * g.inner + i;
                double m = mx ? tc_tensor_get_f64(mx, o * g.inner + i) : 0;
                double v = tc_tensor_get_f64(x, k);
                if (x->dtype == TC_FLOAT64) {
                    ((double *)e->data)[k] = tc_sleef_exp(v - m);
                } else {
                    float d = (float)v - (float)m;
                    if (x->dtype == TC_BFLOAT16)
                        d = tc_bf16_to_float(tc_float_to_bf16(d));
                    else if (x->dtype == TC_FLOAT16)
                        d = tc_half_to_float(tc_float_to_half(d));
                    tc_store_f64(e, k, tc_sleef_expf(d));
                }
            }
        }
    }
    if ((rc = sum_prod(e, &g, TC_OP_SUM, a->torch_version, &s, err)) != TC_OK)
        goto done;
    /* result.log_().add_(maxes) */
    for (int64_t k = 0; k < s->numel; k++) {
        double v = tc_tensor_get_f64(s, k);
        double m = mx ? tc_tensor_get_f64(mx, k) : 0;
        if (s->dtype == TC_FLOAT64) {
            ((double *)s->data)[k] = tc_sleef_log(v) + m;
        } else {
            float l = tc_sleef_logf((float)v);
            if (s->dtype == TC_BFLOAT16)
                l = tc_bf16_to_float(tc_float_to_bf16(l));
            else if (s->dtype == TC_FLOAT16)
                l = tc_half_to_float(tc_float_to_half(l));
            tc_store_f64(s, k, l + (float)m);
        }
    }
    r->values = s;
    s = NULL;
done:
    tc_tensor_free(xc);
    tc_tensor_free(mx);
    tc_tensor_free(e);
    tc_tensor_free(s);
    return rc;
}

int tc_reduce_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    memset(r, 0, sizeof *r);
    int rc;
    switch (a->op) {
    case TC_OP_SUM:
    case TC_OP_PROD:
    case TC_OP_MEAN: rc = run_sum_prod_mean(a, x, r, err); break;
    case TC_OP_AMAX:
    case TC_OP_AMIN: rc = run_amax_amin(a, x, r, err); break;
    case TC_OP_MAX:
    case TC_OP_MIN: rc = run_max_min(a, x, r, err); break;
    case TC_OP_LOGSUMEXP: rc = run_logsumexp(a, x, r, err); break;
    default: rc = tc_err_set(err, TC_EARG, "%s is not a reduction", tc_op_name(a->op)); break;
    }
    if (rc != TC_OK)
        tc_result_free(r);
    return rc;
}
