/*
 * reduce.c - sum, prod, mean, amax, amin, logsumexp, max, min, nansum and
 * nanmean.
 *
 * Values must match PyTorch's CPU kernels to the bit, so the kernels
 * below replay the order in which ATen adds or multiplies (AVX2 build;
 * threads below): float sums use SumKernel.cpp's cascade_sum (four-level cascade,
 * 4-way ILP rows, Vectorized lanes; nansum is the same with NaN loaded as
 * 0), prod/amax/amin use Reduce.h's binary_kernel_reduce_vec (4
 * accumulator vectors, then a horizontal fold).  A lane of a vector is an
 * independent scalar chain, so each lane is computed on its own with the
 * same sequence of operations.
 *
 * Which kernel path runs, and so the order of the operations, depends on
 * how ATen's TensorIterator lays the reduction out: geom below replays its
 * sorting and merging of the dims for the input's strides (C order, or a
 * Fortran-order file's column-major ones) and the reduced dims (one, a
 * list, or all), and the kernels run on its 2-D blocks, as
 * parallel_reduce hands them out.
 *
 * Other facts measured against torch 1.13 on this build, not read from
 * the source: the scalar complex product was compiled with FMA contraction
 * (but not in the fourth step of the horizontal fold), complex mean divides
 * by (n, 0) with c10::complex's (ac + bd) / (c*c + d*d), and exp_/log_ are
 * SLEEF's u10 functions (ported in sleef.c), not glibc's.  1.13 runs one
 * thread here (torch.get_num_threads() == 1).
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
 * - float16/bfloat16 sums whose iterator begins with two reduced dims:
 *   1.13 accumulates the second one in the dtype, 2.6 sums through a
 *   float32 buffer (use_acc_buffer).
 * - 2.6 runs two threads, and a reduction of 32768 elements or more to one
 *   element is then two-pass (reduce_torch).
 * - 1.13's bool prod loses what its Vectorized<bool> code reduces
 *   (bool_prod_113).
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

/* ---- geometry: TensorIterator's view of a reduction ------------------------------ */

/*
 * ATen runs a reduction through a TensorIterator over the input's shape
 * with two operands: the result, C-contiguous in its own shape and of
 * stride 0 along the reduced dims, and the input with its own strides (a
 * Fortran-order input has column-major ones).  The iterator sorts the dims
 * (reduced ones first, then by the operands' strides, fastest first),
 * merges neighbours that are contiguous in both operands, and hands the
 * kernel 2-D blocks of its two fastest dims, one for each position of the
 * others.  Which kernel path a block takes, and so the order of the float
 * operations, follows from the blocks' sizes and strides; geom holds them,
 * in elements, from TensorIteratorBase's reorder_dimensions and
 * coalesce_dimensions.
 */
typedef struct geom {
    int ndim;                         /* the result's shape */
    int64_t shape[TC_MAX_DIMS];
    int64_t nout, nred;               /* its elements; input elements reduced into each */
    int64_t omap[TC_MAX_DIMS];        /* the result's C strides along the input's dims, 0 if reduced */
    int nd;                           /* the iterator: dims, fastest first */
    int64_t size[TC_MAX_DIMS], ist[TC_MAX_DIMS], ost[TC_MAX_DIMS];
} geom;

int tc_reduce_dims(const tc_op_args *a, const tc_tensor *x, bool *mask, tc_err *err)
{
    for (int d = 0; d < TC_MAX_DIMS; d++)
        mask[d] = !a->has_dim;
    if (!a->has_dim)
        return TC_OK;
    int n = a->ndims > 0 ? a->ndims : 1;
    const int64_t *dims = a->ndims > 0 ? a->dims : &a->dim;
    for (int k = 0; k < n; k++) {
        int d, rc;
        if ((rc = tc_dim_wrap(dims[k], x->ndim, &d, err)))
            return rc;
        if (mask[d]) {
            tc_err_set(err, TC_EDIM, "dim %d appears multiple times in the list of dims", d);
            return tc_err_hint(err, TC_EDIM, "dim", NULL);
        }
        mask[d] = true;
    }
    return TC_OK;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
    int64_t r;
    return tc_mul_ok(a, b, &r) ? r : INT64_MAX;
}

/* reorder_dimensions' should_swap for the operands (result, input). */
static int should_swap(const int64_t *shape, const int64_t *ost, const int64_t *ist, int d0, int d1)
{
    const int64_t *st[2] = {ost, ist};
    for (int k = 0; k < 2; k++) {
        int64_t s0 = st[k][d0], s1 = st[k][d1];
        if (k == 0 && (s0 == 0) != (s1 == 0))
            return s1 == 0 ? 1 : -1;     /* reduced dims go to the front */
        if (s0 == 0 || s1 == 0)
            continue;
        if (s0 != s1)
            return s0 < s1 ? -1 : 1;
        if (shape[d0] > shape[d1])
            return 1;
    }
    return 0;
}

static void geom_init(geom *g, const tc_tensor *x, const bool *mask, int keepdim)
{
    int n = x->ndim;
    int64_t ist[TC_MAX_DIMS], ost[TC_MAX_DIMS], rst[TC_MAX_DIMS] = {0};
    memset(g, 0, sizeof *g);
    g->nred = 1;
    for (int d = 0; d < n; d++) {
        if (mask[d])
            g->nred = sat_mul(g->nred, x->shape[d]);
        if (!mask[d] || keepdim)
            g->shape[g->ndim++] = mask[d] ? 1 : x->shape[d];
    }
    /* the result's C strides, torch's way: a size below 1 counts as 1 */
    int64_t st = 1;
    g->nout = 1;
    for (int r = g->ndim - 1; r >= 0; r--) {
        rst[r] = st;
        st = sat_mul(st, g->shape[r] > 1 ? g->shape[r] : 1);
        g->nout = sat_mul(g->nout, g->shape[r]);
    }
    /* torch's C strides use max(size, 1); a reduced dim of the result is broadcast */
    for (int d = 0, r = 0; d < n; d++) {
        int has = !mask[d] || keepdim;
        int64_t s = has ? rst[r] : 0;
        r += has;
        g->omap[d] = mask[d] ? 0 : s;
        ost[d] = mask[d] && x->shape[d] != 1 ? 0 : s;
    }
    tc_tensor_strides(x, ist);

    /* reorder_dimensions: an insertion sort that skips over ties */
    int perm[TC_MAX_DIMS];
    for (int i = 0; i < n; i++)
        perm[i] = n - 1 - i;
    for (int i = 1; i < n; i++) {
        int d1 = i;
        for (int d0 = i - 1; d0 >= 0; d0--) {
            int c = should_swap(x->shape, ost, ist, perm[d0], perm[d1]);
            if (c > 0) {
                int t = perm[d0];
                perm[d0] = perm[d1];
                perm[d1] = t;
                d1 = d0;
            } else if (c < 0) {
                break;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        g->size[i] = x->shape[perm[i]];
        g->ist[i] = ist[perm[i]];
        g->ost[i] = ost[perm[i]];
    }

    /* coalesce_dimensions */
    g->nd = n;
    if (n <= 1)
        return;
    int prev = 0;
    for (int d = 1; d < n; d++) {
        bool can = g->size[prev] == 1 || g->size[d] == 1 ||
                   (g->size[prev] * g->ist[prev] == g->ist[d] && g->size[prev] * g->ost[prev] == g->ost[d]);
        if (can) {
            if (g->size[prev] == 1) {
                g->ist[prev] = g->ist[d];
                g->ost[prev] = g->ost[d];
            }
            g->size[prev] *= g->size[d];
        } else {
            prev++;
            g->size[prev] = g->size[d];
            g->ist[prev] = g->ist[d];
            g->ost[prev] = g->ost[d];
        }
    }
    g->nd = prev + 1;
}

/* One 2-D block of the iteration: offsets of its first element, sizes and strides. */
typedef struct block {
    int64_t in, out;
    int64_t size0, size1, ist0, ist1, ost0, ost1;
} block;

typedef void (*blk_fn)(void *ctx, const block *b);

/* serial_for_each over the whole iteration: one call per position of dims 2.. */
static void for_each_block(const geom *g, blk_fn fn, void *ctx)
{
    block b;
    memset(&b, 0, sizeof b);
    b.size0 = g->nd > 0 ? g->size[0] : 1;
    b.size1 = g->nd > 1 ? g->size[1] : 1;
    if (g->nd > 0) {
        b.ist0 = g->ist[0];
        b.ost0 = g->ost[0];
    }
    if (g->nd > 1) {
        b.ist1 = g->ist[1];
        b.ost1 = g->ost[1];
    }
    for (int d = 0; d < g->nd; d++)
        if (g->size[d] == 0)
            return;
    int64_t idx[TC_MAX_DIMS] = {0};
    for (;;) {
        fn(ctx, &b);
        int d = 2;
        for (; d < g->nd; d++) {
            b.in += g->ist[d];
            b.out += g->ost[d];
            if (++idx[d] < g->size[d])
                break;
            b.in -= g->ist[d] * g->size[d];
            b.out -= g->ost[d] * g->size[d];
            idx[d] = 0;
        }
        if (d >= g->nd)
            return;
    }
}

/* The input's elements in C order with the result's index of each: start, then next. */
typedef struct walk {
    int n;
    int64_t idx[TC_MAX_DIMS];
    const int64_t *shape, *omap;
    int64_t out;
} walk;

static void walk_start(walk *w, const tc_tensor *x, const geom *g)
{
    memset(w, 0, sizeof *w);
    w->n = x->ndim;
    w->shape = x->shape;
    w->omap = g->omap;
}

static void walk_next(walk *w)
{
    for (int d = w->n - 1; d >= 0; d--) {
        w->out += w->omap[d];
        if (++w->idx[d] < w->shape[d])
            return;
        w->out -= w->omap[d] * w->shape[d];
        w->idx[d] = 0;
    }
}

/*
 * x's elements in memory order (the order its strides give), for the
 * kernels to address with the iterator's strides: x itself when it is
 * C-contiguous (*own NULL), else a new 1-D copy in *own.
 */
static const tc_tensor *memory_order(const tc_tensor *x, tc_tensor **own, tc_err *err)
{
    *own = NULL;
    if (!x->strided)
        return x;
    int64_t n = x->numel;
    tc_tensor *m = tc_tensor_new(x->dtype, 1, &n, err);
    if (!m)
        return NULL;
    size_t esz = tc_dtype_size(x->dtype);
    int64_t idx[TC_MAX_DIMS] = {0}, off = 0;
    for (int64_t k = 0; k < n; k++) {
        memcpy((char *)m->data + (size_t)off * esz, (const char *)x->data + (size_t)k * esz, esz);
        for (int d = x->ndim - 1; d >= 0; d--) {
            off += x->strides[d];
            if (++idx[d] < x->shape[d])
                break;
            off -= x->strides[d] * x->shape[d];
            idx[d] = 0;
        }
    }
    *own = m;
    return m;
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
 * 16 halves into 8 float lanes before accumulating.  nan: nansum's loads,
 * which read a NaN as 0.
 */
typedef struct src {
    const void *p;
    int kind;
    bool nan;
    int64_t off, st, pair;
} src;

static float elem_f(const src *s, int64_t k)
{
    float v;
    switch (s->kind) {
    case K_F16: v = tc_half_to_float(((const uint16_t *)s->p)[k]); break;
    case K_BF16: v = tc_bf16_to_float(((const uint16_t *)s->p)[k]); break;
    default: v = ((const float *)s->p)[k]; break;
    }
    return s->nan && isnan(v) ? 0.0f : v;
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
    double v = ((const double *)s->p)[s->off + i * s->st];
    return s->nan && isnan(v) ? 0.0 : v;
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
 * One component stream of cascade_sum: component c of C per element of
 * the input in memory order at p, summed into out (the result in C order,
 * one T per element).  vw is Vectorized<scalar_t>::size() and nl the lanes
 * of Vectorized<acc_t>; rnd rounds a value to the result's dtype, as the
 * store (*out += value, in that dtype) does.
 */
typedef struct sumctx {
    const void *p;
    int kind, C, c, vw, nl;
    bool nan;
    void *out;
    float (*rnd)(float);
} sumctx;

static float rnd_none(float v)
{
    return v;
}

static float rnd_half(float v)
{
    return tc_half_to_float(tc_float_to_half(v));
}

static float rnd_bf16(float v)
{
    return tc_bf16_to_float(tc_float_to_bf16(v));
}

/*
 * The loop cascade_sum gives parallel_reduce, for one block: the reduced
 * dim moved first, then an elementwise add where the block reduces
 * nothing, else vectorized_inner_sum, vectorized_outer_sum,
 * scalar_inner_sum or scalar_outer_sum.  Strides are in elements.
 */
#define DEFINE_SUM_BLOCK(T, SUF, LOAD, RND)                                     \
    static void sum_block_##SUF(void *ctxp, const block *bk)                      \
    {                                                                           \
        const sumctx *x = ctxp;                                                 \
        T *out = x->out;                                                        \
        block b = *bk;                                                            \
        int C = x->C, c = x->c, vw = x->vw, nl = x->nl;                         \
        src s = {x->p, x->kind, x->nan, 0, 0, 0};                               \
        if (b.ost0 != 0 && b.ost1 == 0) {                                       \
            int64_t t;                                                          \
            t = b.ist0; b.ist0 = b.ist1; b.ist1 = t;                            \
            t = b.ost0; b.ost0 = b.ost1; b.ost1 = t;                            \
            t = b.size0; b.size0 = b.size1; b.size1 = t;                        \
        }                                                                       \
        if (b.ost0 != 0 && b.ost1 != 0) {                                       \
            /* not a reduction: out = out + x in the result's dtype */          \
            for (int64_t j = 0; j < b.size1; j++)                               \
                for (int64_t i = 0; i < b.size0; i++) {                         \
                    T *o = &out[b.out + j * b.ost1 + i * b.ost0];               \
                    s.off = C * (b.in + j * b.ist1 + i * b.ist0) + c;           \
                    *o = RND(*o + RND(LOAD(&s, 0)));                            \
                }                                                               \
            return;                                                             \
        }                                                                       \
        int64_t os = b.ost1;                                                    \
        if (b.ist0 == 1 && b.size0 >= vw) { /* vectorized_inner_sum */          \
            int64_t nvec = b.size0 / vw;                                        \
            for (int64_t j = 0; j < b.size1; j++) {                             \
                int64_t base = b.in + j * b.ist1;                               \
                T lane[16], fin = 0;                                            \
                for (int l = 0; l < nl; l++) {                                  \
                    src t = s;                                                  \
                    if (vw == nl) {                                             \
                        t.off = C * (base + l) + c;                             \
                        t.st = (int64_t)C * vw;                                 \
                    } else if (x->kind == K_F16) {                              \
                        t.off = base + 2 * l;                                   \
                        t.st = vw;                                              \
                        t.pair = 1;                                             \
                    } else {                                                    \
                        t.off = base + l;                                       \
                        t.st = vw;                                              \
                        t.pair = nl;                                            \
                    }                                                           \
                    lane[l] = rowsum_##SUF(&t, nvec);                           \
                }                                                               \
                for (int64_t k = nvec * vw; k < b.size0; k++) {                 \
                    s.off = C * (base + k) + c;                                 \
                    fin += LOAD(&s, 0);                                         \
                }                                                               \
                for (int l = 0; l < nl; l++)                                    \
                    fin += lane[l];                                             \
                T *o = &out[b.out + j * os];                                    \
                *o = RND(*o + RND(fin));                                        \
            }                                                                   \
            return;                                                             \
        }                                                                       \
        /*                                                                      \
         * The other three: columns j along dim 1, each a sum down dim 0;       \
         * multi_row_sum (a cascade) for columns in blocks of 4 vectors (or     \
         * of 4 scalars), row_sum for the rest.                                 \
         */                                                                     \
        int64_t ncasc;                                                          \
        if (b.ist1 == 1 && b.size1 >= vw)                                       \
            ncasc = b.size1 / (4 * nl) * (4 * nl);   /* vectorized_outer_sum */ \
        else if (b.ist0 < b.ist1)                                               \
            ncasc = 0;                               /* scalar_inner_sum */     \
        else                                                                    \
            ncasc = b.size1 / 4 * 4;                 /* scalar_outer_sum */     \
        for (int64_t j = 0; j < b.size1; j++) {                                 \
            s.off = C * (b.in + j * b.ist1) + c;                                \
            s.st = C * b.ist0;                                                  \
            T v = j < ncasc ? cascade_##SUF(&s, b.size0) : rowsum_##SUF(&s, b.size0); \
            T *o = &out[b.out + j * os];                                        \
            *o = RND(*o + RND(v));                                              \
        }                                                                       \
    }

#define RND_F(v) (x->rnd(v))
#define RND_D(v) (v)
DEFINE_SUM_BLOCK(float, f, load_f, RND_F)
DEFINE_SUM_BLOCK(double, d, load_d, RND_D)
#undef RND_F
#undef RND_D

/*
 * Sum (nan: nansum) of a floating or complex tensor x, whose elements m
 * holds in memory order, into y (same dtype, shape g): cascade_sum after
 * the result is filled with zeros.
 */
static int float_sum(const tc_tensor *m, const geom *g, bool nan, tc_tensor *y, tc_err *err)
{
    int64_t n = y->numel;
    tc_dtype t = m->dtype;
    int C = tc_dtype_is_complex(t) ? 2 : 1;
    bool dbl = t == TC_FLOAT64 || t == TC_COMPLEX128;
    void *buf = tc_calloc((size_t)(n ? n : 1), dbl ? sizeof(double) : sizeof(float));
    if (!buf)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    sumctx x = {m->data, K_F32, C, 0, 8, 8, nan, buf, rnd_none};
    switch (t) {
    case TC_FLOAT16: x.kind = K_F16; x.vw = 16; x.rnd = rnd_half; break;
    case TC_BFLOAT16: x.kind = K_BF16; x.vw = 16; x.rnd = rnd_bf16; break;
    case TC_FLOAT64: x.kind = K_F64; x.vw = x.nl = 4; break;
    case TC_COMPLEX64: x.vw = x.nl = 4; break;
    case TC_COMPLEX128: x.kind = K_F64; x.vw = x.nl = 2; break;
    default: break;
    }
    for (int c = 0; c < C; c++) {
        x.c = c;
        memset(buf, 0, (size_t)(n ? n : 1) * (dbl ? sizeof(double) : sizeof(float)));
        for_each_block(g, dbl ? sum_block_d : sum_block_f, &x);
        for (int64_t k = 0; k < n; k++) {
            double v = dbl ? ((double *)buf)[k] : ((float *)buf)[k];
            if (C == 1)
                tc_store_f64(y, k, v);
            else if (dbl)
                ((double *)y->data)[2 * k + c] = v;
            else
                ((float *)y->data)[2 * k + c] = (float)v;
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
    binop sop;       /* if set, the op of the strided basic_loop (else op) */
    val ident;
    int vw;          /* Vectorized<scalar_t>::size() */
} bred;

static val get_val(const tc_tensor *x, int64_t k)
{
    val v;
    tc_tensor_get_c128(x, k, &v.re, &v.im);
    return v;
}

/* A reduction's input in memory order, its op and the result (C order). */
typedef struct vecctx {
    const tc_tensor *m;
    const bred *b;
    val *out;
} vecctx;

/* vectorized_inner_reduction: out = op(out, x) over n contiguous elements at in. */
static void inner_reduction(const vecctx *v, int64_t in, val *out, int64_t n)
{
    const bred *b = v->b;
    int64_t blk = 4 * (int64_t)b->vw;
    int64_t count = n / blk;
    if (count > 0) {
        val acc[4][64];
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < b->vw; l++)
                acc[j][l] = get_val(v->m, in + j * b->vw + l);
        for (int64_t i = 1; i < count; i++)
            for (int j = 0; j < 4; j++)
                for (int l = 0; l < b->vw; l++)
                    acc[j][l] = b->vop(acc[j][l], get_val(v->m, in + i * blk + j * b->vw + l));
        for (int l = 0; l < b->vw; l++)
            acc[0][l] = b->vop(b->vop(acc[0][l], acc[1][l]), b->vop(acc[2][l], acc[3][l]));
        val b0 = acc[0][0];
        for (int l = 1; l < b->vw; l++)
            b0 = (l == 3 && b->fold3) ? b->fold3(b0, acc[0][l]) : b->op(b0, acc[0][l]);
        *out = b->op(*out, b0);
    }
    for (int64_t k = count * blk; k < n; k++)
        *out = b->op(*out, get_val(v->m, in + k));
}

/*
 * The loop binary_kernel_reduce_vec gives parallel_reduce, for one block:
 * a reduction contiguous in dim 0 (vectorized_inner_reduction per row), an
 * outer reduction with the input and result contiguous in dim 1
 * (vectorized_outer_reduction: columns in blocks of 4 vectors, the rest
 * one by one), else basic_loop.
 */
static void vec_block(void *ctxp, const block *k)
{
    const vecctx *v = ctxp;
    const bred *b = v->b;
    val *out = v->out;
    if (k->ost0 == 0 && k->ist0 == 1) {
        for (int64_t j = 0; j < k->size1; j++)
            inner_reduction(v, k->in + j * k->ist1, &out[k->out + j * k->ost1], k->size0);
    } else if (k->ost0 == 0 && k->ost1 == 1 && k->ist1 == 1) {
        int64_t blk4 = 4 * (int64_t)b->vw, ncols = k->size1 / blk4 * blk4;
        for (int64_t j = 0; j < k->size1; j++) {
            val *o = &out[k->out + j];
            if (j < ncols) {
                val acc = get_val(v->m, k->in + j);
                for (int64_t r = 1; r < k->size0; r++)
                    acc = b->vop(acc, get_val(v->m, k->in + j + r * k->ist0));
                *o = b->vop(acc, *o);
            } else {
                for (int64_t r = 0; r < k->size0; r++)
                    *o = b->op(*o, get_val(v->m, k->in + j + r * k->ist0));
            }
        }
    } else {
        binop op = b->sop ? b->sop : b->op;
        for (int64_t j = 0; j < k->size1; j++)
            for (int64_t i = 0; i < k->size0; i++) {
                val *o = &out[k->out + j * k->ost1 + i * k->ost0];
                *o = op(*o, get_val(v->m, k->in + j * k->ist1 + i * k->ist0));
            }
    }
}

/* out = op(out, x) over x's elements (in memory order in m), out filled with the identity. */
static void reduce_vec(const tc_tensor *m, const geom *g, const bred *b, val *out)
{
    for (int64_t k = 0; k < g->nout; k++)
        out[k] = b->ident;
    vecctx v = {m, b, out};
    if (m->numel > 0)
        for_each_block(g, vec_block, &v);
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
 * sum, prod, amax or amin of an integer or bool tensor x (any layout: the
 * result does not depend on the order) into y, of x's dtype or, for sum
 * and prod, any integer dtype.  Unsigned values compare as unsigned.
 */
static int int_reduce(const tc_tensor *x, const geom *g, tc_op op, tc_tensor *y, tc_err *err)
{
    int64_t n = g->nout;
    uint64_t *acc = tc_calloc((size_t)(n ? n : 1), sizeof *acc);
    bool *seen = tc_calloc((size_t)(n ? n : 1), sizeof *seen);
    if (!acc || !seen) {
        tc_free(acc);
        tc_free(seen);
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    bool uns = tc_dtype_is_unsigned(x->dtype);
    if (op == TC_OP_PROD)
        for (int64_t k = 0; k < n; k++)
            acc[k] = 1;
    walk w;
    walk_start(&w, x, g);
    for (int64_t i = 0; i < x->numel; i++, walk_next(&w)) {
        uint64_t v = tc_tensor_get_u64(x, i), *a = &acc[w.out];
        if (op == TC_OP_SUM) {
            *a += v;
        } else if (op == TC_OP_PROD) {
            *a *= v;
        } else {
            bool less = uns ? v < *a : (int64_t)v < (int64_t)*a;
            bool more = uns ? v > *a : (int64_t)v > (int64_t)*a;
            if (!seen[w.out] || (op == TC_OP_AMAX ? more : less))
                *a = v;
            seen[w.out] = true;
        }
    }
    for (int64_t k = 0; k < n; k++) {
        if (y->dtype == TC_BOOL && (op == TC_OP_SUM || op == TC_OP_PROD))
            ((uint8_t *)y->data)[k] = acc[k] != 0;   /* bool + is "or", bool * is "and" */
        else if (uns && op != TC_OP_SUM && op != TC_OP_PROD)
            tc_store_u64(y, k, acc[k]);
        else
            tc_store_i64(y, k, (int64_t)acc[k]);
    }
    tc_free(acc);
    tc_free(seen);
    return TC_OK;
}

/* ---- errors ------------------------------------------------------------------ */

/*
 * uint16, uint32 and uint64 have no reduction kernels in PyTorch 2.x:
 * they are read, cast and summed into int64, no more.
 */
static bool no_kernel(tc_dtype t)
{
    return tc_dtype_is_unsigned(t) && t != TC_UINT8;
}

static int not_impl(tc_err *err, const char *kernel, tc_dtype t, const char *hint)
{
    return tc_err_set(err, TC_EDTYPE, "\"%s\" not implemented for '%s'%s", kernel,
                      tc_dtype_scalar_name(t), hint);
}

/* ---- sum, prod, mean, nansum, nanmean ------------------------------------------ */

/*
 * PyTorch 1.13's bool prod (prod with dtype=bool) takes every element its
 * Vectorized<bool> code handles as true: binary_kernel_reduce_vec's
 * vectorized_inner_reduction (blocks of 4 vectors of 32 along a contiguous
 * lane) and vectorized_outer_reduction (columns in blocks of 128) lose
 * what they reduce; only basic_loop's scalar "&&" counts.  Measured; 2.6
 * multiplies them all.  So the Vectorized op below is "true" whatever its
 * operands, and the blocks decide what is lost as they decide the order
 * of a float prod.
 */
static val and_s(val a, val b)
{
    val r = {a.re != 0 && b.re != 0, 0};
    return r;
}

static val lost_v(val a, val b)
{
    (void)a;
    (void)b;
    val r = {1, 0};
    return r;
}

static int bool_prod_113(const tc_tensor *m, const geom *g, tc_tensor *y, tc_err *err)
{
    bred b;
    b.fold3 = b.sop = NULL;
    b.vw = vec_width(TC_BOOL);
    b.op = and_s;
    b.vop = lost_v;
    b.ident.re = 1;
    b.ident.im = 0;
    val *res = tc_calloc((size_t)(y->numel ? y->numel : 1), sizeof *res);
    if (!res)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    reduce_vec(m, g, &b, res);
    for (int64_t k = 0; k < y->numel; k++)
        store_val(y, k, res[k]);
    tc_free(res);
    return TC_OK;
}

/*
 * One reduction of a tensor already in the computation dtype: sum (nan:
 * nansum's loads), prod, amax or amin, as PyTorch version v computes it.
 */
typedef struct rdc {
    tc_op op;
    bool nan;
    tc_torch_version v;
} rdc;

/* What the kernel fills the result with first: 0, 1, -inf or inf. */
static val identity(const rdc *r)
{
    val v = {r->op == TC_OP_SUM ? 0 : r->op == TC_OP_PROD ? 1 : r->op == TC_OP_AMAX ? -INFINITY : INFINITY, 0};
    return v;
}

/* The op of a float prod or amax/amin, as binary_kernel_reduce_vec runs it. */
static void bred_for(const rdc *r, tc_dtype t, bred *b)
{
    b->fold3 = b->sop = NULL;
    b->vw = vec_width(t);
    b->ident = identity(r);
    if (r->op == TC_OP_AMAX || r->op == TC_OP_AMIN) {
        int is_max = r->op == TC_OP_AMAX;
        b->op = is_max ? max_s : min_s;
        b->vop = is_max ? max_v : min_v;
        return;
    }
    switch (t) {
    case TC_FLOAT32: b->op = b->vop = mul_f32; break;
    case TC_FLOAT64: b->op = b->vop = mul_f64; break;
    case TC_FLOAT16: b->op = b->vop = mul_f16; break;
    case TC_BFLOAT16: b->op = b->vop = mul_bf16; break;
    case TC_COMPLEX64:
        /*
         * Measured: in the horizontal fold of vectorized_reduction the
         * compiled code multiplies the fourth lane without FMA.
         */
        b->op = mul_c64_s;
        b->vop = b->fold3 = mul_c64_v;
        /* measured: and the basic_loop of a strided reduction multiplies without FMA */
        b->sop = mul_c64_v;
        break;
    default: b->op = mul_c128_s; b->vop = mul_c128_v; break;
    }
}

/*
 * The reduction r of x into a new tensor of x's dtype and shape g, on one
 * thread: integers in any order (but 1.13's bool prod), floats in ATen's.
 */
static int reduce_serial(const tc_tensor *x, const geom *g, const rdc *r, tc_tensor **out, tc_err *err)
{
    *out = NULL;
    tc_tensor *y = tc_tensor_new(x->dtype, g->ndim, g->shape, err);
    if (!y)
        return TC_ENOMEM;
    tc_tensor *own = NULL;
    const tc_tensor *m = NULL;
    int rc = TC_OK;
    bool bool113 = r->op == TC_OP_PROD && x->dtype == TC_BOOL && r->v == TC_TORCH_1_13;
    if (tc_dtype_is_integral(x->dtype, 1) && !bool113) {
        rc = int_reduce(x, g, r->op, y, err);
    } else if (!(m = memory_order(x, &own, err))) {
        rc = TC_ENOMEM;
    } else if (bool113) {
        rc = bool_prod_113(m, g, y, err);
    } else if (r->op == TC_OP_SUM) {
        rc = float_sum(m, g, r->nan, y, err);
    } else {
        bred b;
        bred_for(r, x->dtype, &b);
        val *res = tc_calloc((size_t)(y->numel ? y->numel : 1), sizeof *res);
        if (!res) {
            rc = tc_err_set(err, TC_ENOMEM, "out of memory");
        } else {
            reduce_vec(m, g, &b, res);
            for (int64_t k = 0; k < y->numel; k++)
                store_val(y, k, res[k]);
            tc_free(res);
        }
    }
    tc_tensor_free(own);
    if (rc != TC_OK) {
        tc_tensor_free(y);
        return rc;
    }
    *out = y;
    return TC_OK;
}

/*
 * PyTorch 2.6 runs 2 threads here (torch.get_num_threads() on the 2-CPU
 * machine tcum is checked on; 1.13 runs 1), and TensorIteratorBase's
 * parallel_reduce splits a reduction of at least GRAIN_SIZE elements:
 * - to a single element, two_pass_reduction: at::parallel_for gives each
 *   thread ceil(n / 2) elements of the iteration (for a dense tensor, one
 *   run of memory: the iterator coalesces to one dim), which it reduces
 *   into its own element of a buffer of the result's dtype (the identity
 *   where a thread gets none), and the buffer is reduced in turn.  This
 *   changes the last bits of sums and products and, for amax and amin,
 *   which signed zero wins a tie (measured: the first thread's);
 * - to several, parallel_dim_reduction: each thread takes a range of the
 *   outermost iterator dim not reduced.  For a dense tensor either that
 *   dim lies beyond the kernel's 2-D blocks, or the input is contiguous
 *   along it and the ranges are rounded to 128 bytes, a multiple of every
 *   kernel's column groups: each output's arithmetic stays the serial one.
 * Integers do not care.
 */
enum { GRAIN_SIZE = 32768, TORCH26_THREADS = 2 };

static int reduce_torch(const tc_tensor *x, const geom *g, const rdc *r, tc_tensor **out, tc_err *err)
{
    int64_t n = x->numel;
    if (r->v == TC_TORCH_1_13 || tc_dtype_is_integral(x->dtype, 1) || g->nout != 1 || n < GRAIN_SIZE)
        return reduce_serial(x, g, r, out, err);
    *out = NULL;
    tc_tensor *own = NULL;
    const tc_tensor *m = memory_order(x, &own, err);
    if (!m)
        return TC_ENOMEM;
    /* at::parallel_for(0, n, GRAIN_SIZE): min(threads, ceil(n / grain)) shares of ceil(n / that) */
    int64_t nt = TC_MIN(TORCH26_THREADS, (n + GRAIN_SIZE - 1) / GRAIN_SIZE);
    int64_t chunk = (n + nt - 1) / nt, two = TORCH26_THREADS;
    size_t esz = tc_dtype_size(x->dtype);
    bool all[TC_MAX_DIMS];
    for (int d = 0; d < TC_MAX_DIMS; d++)
        all[d] = true;
    tc_tensor *buf = tc_tensor_new(x->dtype, 1, &two, err);
    int rc = buf ? TC_OK : TC_ENOMEM;
    for (int64_t t = 0; t < TORCH26_THREADS && rc == TC_OK; t++) {
        int64_t lo = t * chunk, len = TC_MAX(TC_MIN(n, lo + chunk) - lo, 0);
        if (len == 0) {
            store_val(buf, t, identity(r));
            continue;
        }
        /* this thread's share, as a 1-D view of memory */
        tc_tensor part = *m;
        part.ndim = 1;
        part.shape[0] = part.numel = len;
        part.strided = 0;
        part.data = (char *)m->data + (size_t)lo * esz;
        geom g1;
        geom_init(&g1, &part, all, 0);
        tc_tensor *p = NULL;
        if ((rc = reduce_serial(&part, &g1, r, &p, err)) == TC_OK)
            memcpy((char *)buf->data + (size_t)t * esz, p->data, esz);
        tc_tensor_free(p);
    }
    if (rc == TC_OK) {
        /* the buffer reduced into the result, whatever its shape of ones */
        geom gb;
        geom_init(&gb, buf, all, 0);
        gb.ndim = g->ndim;
        memcpy(gb.shape, g->shape, sizeof gb.shape);
        rc = reduce_serial(buf, &gb, r, out, err);
    }
    tc_tensor_free(buf);
    tc_tensor_free(own);
    return rc;
}

/* sum (nan: nansum) or prod of x, already in the computation dtype, into a new tensor */
static int sum_prod(const tc_tensor *x, const geom *g, tc_op op, bool nan, tc_torch_version v,
                    tc_tensor **out, tc_err *err)
{
    rdc r = {op, nan, v};
    return reduce_torch(x, g, &r, out, err);
}

/*
 * PyTorch 2.x's sum_out, for a float16 or bfloat16 result whose iterator
 * begins with two reduced dims (several dims, or a strided input), sums
 * self.to(float32) into a float32 buffer and converts that (ATen's
 * should_use_acc_buffer); 1.13 sums in the dtype.  self is the input
 * before any conversion to the result dtype.
 */
static bool use_acc_buffer(const tc_op_args *a, const geom *g, tc_dtype out_t)
{
    return a->torch_version == TC_TORCH_2_6 && (out_t == TC_FLOAT16 || out_t == TC_BFLOAT16) &&
           g->nd >= 2 && g->ost[0] == 0 && g->ost[1] == 0;
}

static int sum_via_float(const tc_tensor *self, const geom *g, tc_dtype out_t, tc_torch_version v,
                         tc_tensor **out, tc_err *err)
{
    tc_tensor *f = NULL, *s = NULL;
    *out = NULL;
    int rc = tc_tensor_convert(self, TC_FLOAT32, &f, err);
    if (rc == TC_OK)
        rc = sum_prod(f, g, TC_OP_SUM, false, v, &s, err);
    if (rc == TC_OK)
        rc = tc_tensor_convert(s, out_t, out, err);
    tc_tensor_free(f);
    tc_tensor_free(s);
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
 * y[k] /= n in y's dtype, as at::div_ by an integer converted to y's dtype
 * first does; exact: float16/bfloat16 divided in float by n's own value,
 * as 2.6's div_true_kernel does when the divisor is a single element
 * (is_scalar(2): original_scalar_value, not the converted one).
 */
static void divide_one(tc_tensor *y, int64_t k, int64_t n, bool exact)
{
    switch (y->dtype) {
    case TC_FLOAT32:
        ((float *)y->data)[k] = ((float *)y->data)[k] / (float)n;
        break;
    case TC_FLOAT64:
        ((double *)y->data)[k] = ((double *)y->data)[k] / (double)n;
        break;
    case TC_FLOAT16: {
        uint16_t *p = y->data;
        float d = exact ? (float)n : tc_half_to_float(tc_float_to_half((float)n));
        p[k] = tc_float_to_half(tc_half_to_float(p[k]) / d);
        break;
    }
    case TC_BFLOAT16: {
        uint16_t *p = y->data;
        float d = exact ? (float)n : tc_bf16_to_float(tc_float_to_bf16((float)n));
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

/*
 * y /= n in y's dtype, as at::div_ by a wrapped integer scalar does.  A
 * complex y divides by (n + 0j): 1.13 with c10's (ac + bd) / (c*c + d*d)
 * (divide_one), 2.6 (tc_cdiv_torch) in the Vectorized form on chunks of
 * two vectors (8 complex64, 4 complex128) and c10's operator/ on the rest.
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
        } else {
            divide_one(y, k, n, false);
        }
    }
}


/*
 * nanmean's divisor: isnan(x).logical_not_().sum(dim, keepdim), the count
 * of non-NaN values reduced into each element of the result.
 */
static int64_t *count_not_nan(const tc_tensor *x, const geom *g, tc_err *err)
{
    int64_t *cnt = tc_calloc((size_t)(g->nout ? g->nout : 1), sizeof *cnt);
    if (!cnt) {
        tc_err_set(err, TC_ENOMEM, "out of memory");
        return NULL;
    }
    walk w;
    walk_start(&w, x, g);
    for (int64_t i = 0; i < x->numel; i++, walk_next(&w))
        cnt[w.out] += !isnan(tc_tensor_get_f64(x, i));
    return cnt;
}

static int is_reduced_float(tc_dtype t)
{
    return t == TC_FLOAT16 || t == TC_BFLOAT16;
}

/* The dims a reduction reduces removed from x's shape (or kept as 1s), and dtype t. */
static void reduced_meta(const tc_tensor *x, const bool *mask, int keepdim, tc_dtype t, tc_meta *y)
{
    memset(y, 0, sizeof *y);
    y->dtype = t;
    for (int d = 0; d < x->ndim; d++)
        if (!mask[d] || keepdim)
            y->shape[y->ndim++] = mask[d] ? 1 : x->shape[d];
}

/* The dtype sum, prod, mean, nansum and nanmean compute in (and give, but nanmean's empty integer sum). */
static tc_dtype sum_dtype(const tc_op_args *a, tc_dtype in)
{
    return a->has_dtype ? a->dtype : tc_dtype_is_integral(in, 1) ? TC_INT64 : in;
}

static int check_sum_prod_mean(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    tc_op op = a->op;
    bool nan = op == TC_OP_NANSUM || op == TC_OP_NANMEAN;
    bool v113 = a->torch_version == TC_TORCH_1_13;
    if (op == TC_OP_MEAN) {
        if (a->has_dtype && !tc_dtype_is_float(a->dtype) && !tc_dtype_is_complex(a->dtype))
            return tc_err_set(err, TC_EDTYPE,
                              "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: %s",
                              tc_dtype_scalar_name(a->dtype));
        if (!a->has_dtype && !tc_dtype_is_float(x->dtype) && !tc_dtype_is_complex(x->dtype)) {
            tc_err_set(err, TC_EDTYPE,
                       "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: %s",
                       tc_dtype_scalar_name(x->dtype));
            return tc_err_hint(err, TC_EDTYPE, "dtype", "float32");
        }
    }
    /* 1.13's nanmean takes floating input only; 2.x lets complex through to nansum's refusal */
    if (op == TC_OP_NANMEAN && !tc_dtype_is_float(x->dtype) && (v113 || !tc_dtype_is_complex(x->dtype)))
        return tc_err_set(err, TC_EDTYPE, "nanmean(): expected input to have floating point %sdtype but got %s",
                          v113 ? "" : "or complex ", tc_dtype_scalar_name(x->dtype));
    if (!a->has_dim && a->keepdim && op == TC_OP_PROD)
        return tc_err_hint(err, tc_err_set(err, TC_EDIM, "prod(): keepdim needs a dim (torch.prod has no keepdim without dim)"),
                           "keepdim", NULL);
    bool mask[TC_MAX_DIMS];
    int rc = tc_reduce_dims(a, x, mask, err);
    if (rc != TC_OK)
        return rc;
    if (nan && tc_dtype_is_complex(x->dtype))
        return tc_err_set(err, TC_EDTYPE, "nansum does not support complex inputs");
    nan = nan && tc_dtype_is_float(x->dtype);   /* integers have no NaN: nansum is sum */

    tc_dtype out_t = sum_dtype(a, x->dtype);
    reduced_meta(x, mask, a->keepdim, out_t, y);
    /* an empty input's integer nansum: nanmean's true division gives the default float dtype */
    if (op == TC_OP_NANMEAN && tc_dtype_is_integral(out_t, 1))
        y->dtype = a->default_dtype;
    /* 1.13 has no float16/bfloat16 prod kernel; an empty input needs none */
    if (op == TC_OP_PROD && v113 && is_reduced_float(out_t) && x->numel > 0) {
        tc_err_set(err, TC_EDTYPE, "\"prod_cpu\" not implemented for '%s'", tc_dtype_scalar_name(out_t));
        return tc_err_hint(err, TC_EDTYPE, "dtype", "float32");
    }
    /* uint16, uint32 and uint64 inputs are summed (into int64), but no kernel computes in them */
    if (no_kernel(out_t) && (!nan || tc_dtype_is_integral(x->dtype, 1)) && x->numel > 0)
        return not_impl(err, op == TC_OP_PROD ? "prod_out_cpu" : "sum_cpu", out_t, "");
    /* nansum of integers is their sum; of floats, a kernel for floating dtypes only */
    if (nan && !tc_dtype_is_float(out_t) && x->numel > 0)   /* empty: zero_() without a kernel */
        return not_impl(err, "nansum_cpu", out_t, "");
    return TC_OK;
}

/* sum, prod, mean, nansum, nanmean, checked. */
static int run_sum_prod_mean(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_op op = a->op;
    bool v113 = a->torch_version == TC_TORCH_1_13;
    /* integers have no NaN: nansum is sum */
    bool nan = (op == TC_OP_NANSUM || op == TC_OP_NANMEAN) && tc_dtype_is_float(x->dtype);
    bool mask[TC_MAX_DIMS];
    int rc = TC_OK;
    tc_reduce_dims(a, x, mask, NULL);
    tc_dtype out_t = sum_dtype(a, x->dtype);
    /*
     * make_reduction_from_out_ty: the input is converted to dtype first; a
     * 2.6 float16/bfloat16 mean converts it to float32 and rounds at the end.
     */
    bool mean32 = op == TC_OP_MEAN && !v113 && is_reduced_float(out_t);
    tc_dtype in_t = mean32 ? TC_FLOAT32 : out_t;

    geom g;
    geom_init(&g, x, mask, a->keepdim);
    tc_tensor *xc = NULL, *y = NULL;
    const tc_tensor *xs = x;
    if (x->dtype != in_t) {
        if ((rc = tc_tensor_convert_version(x, in_t, a->torch_version, &xc, err)) != TC_OK)
            return rc;
        xs = xc;
    }
    /* sum_out's float buffer; nansum of integers is their sum_out */
    if ((op == TC_OP_SUM || (op == TC_OP_NANSUM && !nan)) && use_acc_buffer(a, &g, out_t))
        rc = sum_via_float(x, &g, out_t, a->torch_version, &y, err);
    else
        rc = sum_prod(xs, &g, op == TC_OP_PROD ? TC_OP_PROD : TC_OP_SUM, nan, a->torch_version, &y, err);
    tc_tensor_free(xc);
    if (rc != TC_OK)
        return rc;
    if (mean32) {
        /* the float32 mean, rounded once to float16/bfloat16 */
        tc_tensor *z = NULL;
        divide_by(y, g.nred, a->torch_version);
        rc = tc_tensor_convert(y, out_t, &z, err);
        tc_tensor_free(y);
        if (rc != TC_OK)
            return rc;
        y = z;
    } else if (op == TC_OP_MEAN) {
        divide_by(y, g.nred, a->torch_version);
    }
    if (op == TC_OP_NANMEAN && tc_dtype_is_integral(y->dtype, 1)) {
        /* an empty input's integer nansum: the true division gives the default float dtype */
        tc_tensor *z = NULL;
        rc = tc_tensor_convert(y, a->default_dtype, &z, err);
        tc_tensor_free(y);
        if (rc != TC_OK)
            return rc;
        y = z;
    }
    if (op == TC_OP_NANMEAN) {
        int64_t *cnt = count_not_nan(x, &g, err);
        if (!cnt) {
            tc_tensor_free(y);
            return TC_ENOMEM;
        }
        /* sum.div(count): the count converted to the dtype, or (2.6) taken as it is if one */
        bool exact = !v113 && y->numel == 1;
        for (int64_t k = 0; k < y->numel; k++)
            divide_one(y, k, cnt[k], exact);
        tc_free(cnt);
    }
    r->values = y;
    return TC_OK;
}

/* ---- amax, amin ------------------------------------------------------------ */


/*
 * zero_numel_check_dims: an empty input needs a dim, and each dim given
 * (in order, as given) a non-zero size.
 */
static int check_nonempty(const char *name, const tc_tensor *x, const tc_op_args *a, tc_err *err)
{
    if (x->numel > 0)
        return TC_OK;
    if (!a->has_dim)
        return tc_err_set(err, TC_EARG,
                          "%s(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
                          name);
    int n = a->ndims > 0 ? a->ndims : 1;
    const int64_t *dims = a->ndims > 0 ? a->dims : &a->dim;
    for (int k = 0; k < n; k++) {
        int d, rc;
        if ((rc = tc_dim_wrap(dims[k], x->ndim, &d, err)))
            return rc;
        if (x->ndim > 0 && x->shape[d] == 0)
            return tc_err_set(err, TC_EARG, "%s(): Expected reduction dim %lld to have non-zero size.",
                              name, (long long)dims[k]);
    }
    return TC_OK;
}

/* amax/amin of x into a new tensor of x's dtype, as PyTorch version v computes it */
static int minmax_values(const tc_tensor *x, const geom *g, int is_max, tc_torch_version v,
                         tc_tensor **out, tc_err *err)
{
    rdc r = {is_max ? TC_OP_AMAX : TC_OP_AMIN, false, v};
    return reduce_torch(x, g, &r, out, err);
}

/* amax, amin of x (already x.to(dtype)) */
static int check_amax_amin(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    int is_max = a->op == TC_OP_AMAX;
    bool mask[TC_MAX_DIMS];
    int rc;
    if ((rc = check_nonempty(is_max ? "amax" : "amin", x, a, err)) != TC_OK)
        return rc;
    if ((rc = tc_reduce_dims(a, x, mask, err)) != TC_OK)
        return rc;
    reduced_meta(x, mask, a->keepdim, x->dtype, y);
    if ((tc_dtype_is_complex(x->dtype) || no_kernel(x->dtype)) && x->numel > 0)
        return not_impl(err, is_max ? "max_values_cpu" : "min_values_cpu", x->dtype, "");
    return TC_OK;
}

/* amax, amin, checked. */
static int run_amax_amin(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    int is_max = a->op == TC_OP_AMAX;
    tc_tensor *xc = NULL;
    int rc;
    if (a->has_dtype && a->dtype != x->dtype) {
        if ((rc = tc_tensor_convert(x, a->dtype, &xc, err)) != TC_OK)
            return rc;
        x = xc;
    }
    bool mask[TC_MAX_DIMS];
    tc_reduce_dims(a, x, mask, NULL);
    geom g;
    geom_init(&g, x, mask, a->keepdim);
    if (x->numel == 0) {
        r->values = tc_tensor_new(x->dtype, g.ndim, g.shape, err);
        rc = r->values ? TC_OK : TC_ENOMEM;
        goto done;
    }
    rc = minmax_values(x, &g, is_max, a->torch_version, &r->values, err);
done:
    tc_tensor_free(xc);
    return rc;
}

/* ---- max, min --------------------------------------------------------------- */

/*
 * VecReduceAllSIMD<float> (AVX2): the 8 lanes folded by shuffles, halves
 * first, then pairs, then neighbours.  vop's ties take its second operand,
 * so the order decides which signed zero wins.
 */
static val fold_tree8(binop vop, const val *a)
{
    return vop(vop(vop(a[0], a[4]), vop(a[2], a[6])), vop(vop(a[1], a[5]), vop(a[3], a[7])));
}

/*
 * max_all / min_all over size elements of x from off, in vec::reduce_all's
 * lane order (values only differ in the sign of zero): vw lanes folded in
 * sequence (double, and 1.13's Vectorized<Half>), 8 lanes folded as a tree
 * (float), or, for bfloat16 and 2.6's float16 (functional_bfloat16.h),
 * 16 elements at a time as two 8-lane float vectors, joined at the end.
 */
static val reduce_all_run(const tc_tensor *x, int64_t off, int64_t size, int is_max, tc_torch_version v)
{
    binop vop = is_max ? max_v : min_v;
    bool pairs = x->dtype == TC_BFLOAT16 || (x->dtype == TC_FLOAT16 && v != TC_TORCH_1_13);
    int vw = pairs ? 16 : vec_width(x->dtype);
    val acc[64];
    memset(acc, 0, sizeof acc);   /* only acc[0 .. vw) is used; zeroed for the analyzer */
    if (size < vw) {
        int64_t m = size;
        if (pairs && size > 8) {
            /* fVec::set(lo, vop(lo, hi), size - 8), then all 8 lanes */
            for (int l = 0; l < 8; l++)
                acc[l] = get_val(x, off + l);
            for (int64_t l = 0; l < size - 8; l++)
                acc[l] = vop(acc[l], get_val(x, off + 8 + l));
            m = 8;
        } else {
            for (int64_t l = 0; l < m; l++)
                acc[l] = get_val(x, off + l);
        }
        val a0 = acc[0];
        for (int64_t i = 1; i < m; i++)
            a0 = vop(a0, acc[i]);
        return a0;
    }
    for (int l = 0; l < vw; l++)
        acc[l] = get_val(x, off + l);
    int64_t d = vw;
    for (; d < size - size % vw; d += vw)
        for (int l = 0; l < vw; l++)
            acc[l] = vop(acc[l], get_val(x, off + d + l));
    for (int64_t l = 0; l < size - d; l++)
        acc[l] = vop(acc[l], get_val(x, off + d + l));
    if (pairs) {
        for (int l = 0; l < 8; l++)
            acc[l] = vop(acc[l], acc[8 + l]);
        return fold_tree8(vop, acc);
    }
    if (x->dtype == TC_FLOAT32)
        return fold_tree8(vop, acc);
    for (int l = 1; l < vw; l++)
        acc[0] = vop(acc[0], acc[l]);
    return acc[0];
}

/*
 * max_all / min_all of x (C order, as input.contiguous()): at::parallel_reduce
 * gives 2.6's two threads ceil(n / 2) elements each when n > GRAIN_SIZE and
 * folds their results from the identity with the scalar op, which keeps
 * the first thread's signed zero on a tie (measured).
 */
static val reduce_all(const tc_tensor *x, int is_max, tc_torch_version v)
{
    int64_t n = x->numel;
    if (v == TC_TORCH_1_13 || n <= GRAIN_SIZE)
        return reduce_all_run(x, 0, n, is_max, v);
    binop op = is_max ? max_s : min_s;
    int64_t nt = TC_MIN(TORCH26_THREADS, (n + GRAIN_SIZE - 1) / GRAIN_SIZE), chunk = (n + nt - 1) / nt;
    val acc = {is_max ? -INFINITY : INFINITY, 0};
    for (int64_t lo = 0; lo < n; lo += chunk)
        acc = op(acc, reduce_all_run(x, lo, TC_MIN(chunk, n - lo), is_max, v));
    return acc;
}

/* max and min check a dim already wrapped (or none), as their kernels see it */
static int check_nonempty_dim(const char *name, const tc_tensor *x, int has_dim, int dim, tc_err *err)
{
    tc_op_args b;
    tc_op_args_init(&b, TC_OP_MAX);
    b.has_dim = has_dim;
    b.dim = dim;
    return check_nonempty(name, x, &b, err);
}

/* max, min of x (already x.to(dtype)) */
static int check_max_min(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    int is_max = a->op == TC_OP_MAX;
    const char *name = is_max ? "max" : "min";
    int dim = 0, rc;
    memset(y, 0, sizeof *y);
    y->dtype = x->dtype;
    if (!a->has_dim) {
        if (a->keepdim)
            return tc_err_hint(err, tc_err_set(err, TC_EDIM, "%s(): keepdim needs a dim (torch.%s has no keepdim without dim)",
                              name, name), "keepdim", NULL);
        if ((rc = check_nonempty_dim(name, x, 0, 0, err)) != TC_OK)
            return rc;
        if (tc_dtype_is_complex(x->dtype) || no_kernel(x->dtype))
            return not_impl(err, is_max ? "max_all" : "min_all", x->dtype, "");
        return TC_OK;
    }
    if ((rc = tc_dim_wrap(a->dim, x->ndim, &dim, err)) != TC_OK)
        return rc;
    if ((rc = check_nonempty_dim(name, x, 1, dim, err)) != TC_OK)
        return rc;
    if (tc_dtype_is_complex(x->dtype))
        return tc_err_set(err, TC_EARG, "%s(): does not support complex input", name);
    if (no_kernel(x->dtype) && x->numel > 0 && x->ndim > 0)   /* a 0-d input is copied, no kernel */
        return not_impl(err, is_max ? "max_cpu" : "min_cpu", x->dtype, "");
    for (int d = 0; d < x->ndim; d++)
        if (d != dim || a->keepdim)
            y->shape[y->ndim++] = d != dim ? x->shape[d] : 1;
    return TC_OK;
}

/* max, min, checked. */
static int run_max_min(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    int is_max = a->op == TC_OP_MAX;
    tc_tensor *xc = NULL;
    int dim = 0, rc = TC_OK;
    if (a->has_dtype && a->dtype != x->dtype) {
        if ((rc = tc_tensor_convert(x, a->dtype, &xc, err)) != TC_OK)
            return rc;
        x = xc;
    }
    if (!a->has_dim) {
        tc_tensor *y = tc_tensor_new(x->dtype, 0, NULL, err);
        if (!y) {
            rc = TC_ENOMEM;
            goto done;
        }
        if (tc_dtype_is_integral(x->dtype, 1)) {
            bool all[TC_MAX_DIMS];
            geom g;
            for (int d = 0; d < TC_MAX_DIMS; d++)
                all[d] = true;
            geom_init(&g, x, all, 0);
            rc = int_reduce(x, &g, is_max ? TC_OP_AMAX : TC_OP_AMIN, y, err);
        } else {
            store_val(y, 0, reduce_all(x, is_max, a->torch_version));
        }
        if (rc == TC_OK)
            r->values = y;
        else
            tc_tensor_free(y);
        goto done;
    }
    tc_dim_wrap(a->dim, x->ndim, &dim, NULL);
    int64_t outer, n, inner, shape[TC_MAX_DIMS];
    int nd = 0;
    tc_lanes(x, dim, &outer, &n, &inner);
    for (int d = 0; d < x->ndim; d++)
        if (d != dim || a->keepdim)
            shape[nd++] = d != dim ? x->shape[d] : 1;
    tc_tensor *v = tc_tensor_new(x->dtype, nd, shape, err);
    tc_tensor *ix = v ? tc_tensor_new(TC_INT64, nd, shape, err) : NULL;
    if (!ix) {
        tc_tensor_free(v);
        rc = TC_ENOMEM;
        goto done;
    }
    int fl = !tc_dtype_is_integral(x->dtype, 1);
    size_t esz = tc_dtype_size(x->dtype);
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            int64_t best = 0, k0 = o * n * inner + i;
            /* compare_base_kernel: replace when !(v <= best) (or >=), stop at NaN */
            if (fl) {
                double bv = tc_tensor_get_f64(x, k0);
                for (int64_t j = 0; j < n; j++) {
                    double vv = tc_tensor_get_f64(x, k0 + j * inner);
                    if (is_max ? !(vv <= bv) : !(vv >= bv)) {
                        bv = vv;
                        best = j;
                        if (isnan(vv))
                            break;
                    }
                }
            } else {
                int64_t bv = tc_tensor_get_i64(x, k0);
                for (int64_t j = 0; j < n; j++) {
                    int64_t vv = tc_tensor_get_i64(x, k0 + j * inner);
                    if (is_max ? vv > bv : vv < bv) {
                        bv = vv;
                        best = j;
                    }
                }
            }
            int64_t k = o * inner + i;
            memcpy((char *)v->data + (size_t)k * esz, (const char *)x->data + (size_t)(k0 + best * inner) * esz, esz);
            ((int64_t *)ix->data)[k] = best;
        }
    }
    r->name = is_max ? "max" : "min";
    r->values = v;
    r->indices = ix;
done:
    tc_tensor_free(xc);
    return rc;
}

/* ---- logsumexp --------------------------------------------------------------- */

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
 * PyTorch 2.6's logsumexp of a complex x: maxes = amax(real(x)) with
 * infinities masked to 0, sum((x - maxes).exp_()) (exp over the whole
 * intermediate at once: a lane's SLEEF reduction depends on the other lanes
 * of its vector), then log_() (glibc's clog, as std::log of std::complex
 * is) and add_(maxes) as a complex number (m + 0j).  Over an empty x:
 * log(sum(exp(x))) = log(0) = -inf + 0j.
 */
static int logsumexp_complex(const tc_tensor *x, const geom *g, const geom *gk, tc_tensor **out,
                             tc_err *err)
{
    int single = x->dtype == TC_COMPLEX64;
    tc_dtype rt = single ? TC_FLOAT32 : TC_FLOAT64;
    tc_tensor *xr = tc_tensor_new(rt, x->ndim, x->shape, err);
    tc_tensor *mx = NULL, *e = NULL, *s = NULL;
    int rc = xr ? TC_OK : TC_ENOMEM;
    if (rc == TC_OK && x->numel > 0) {
        /* real(x), a view in x's layout; amax(keepdim=True) of it */
        tc_tensor_set_layout(xr, x);
        for (int64_t k = 0; k < x->numel; k++) {
            double re, im;
            tc_tensor_get_c128(x, k, &re, &im);
            tc_store_f64(xr, k, re);
        }
        if ((rc = minmax_values(xr, gk, 1, TC_TORCH_2_6, &mx, err)) == TC_OK)
            for (int64_t k = 0; k < mx->numel; k++)
                if (isinf(tc_tensor_get_f64(mx, k)))
                    tc_store_f64(mx, k, 0);
    }
    if (rc == TC_OK && !(e = tc_tensor_new(x->dtype, x->ndim, x->shape, err)))
        rc = TC_ENOMEM;
    if (rc == TC_OK && x->numel > 0) {
        /*
         * x - maxes, in x's layout (TensorIterator orders the output's dims
         * by x's strides, maxes being broadcast), then exp_() of that dense
         * tensor in memory order, in 2.6's vectors and thread chunks
         */
        tc_tensor_set_layout(e, x);
        walk w;
        walk_start(&w, x, g);
        for (int64_t k = 0; k < x->numel; k++, walk_next(&w)) {
            double re, im, m = tc_tensor_get_f64(mx, w.out);
            tc_tensor_get_c128(x, k, &re, &im);
            re = single ? (double)((float)re - (float)m) : re - m;
            tc_store_c128(e, k, re, im);
        }
        rc = tc_cexp_torch_tensor(e, e, err);
    }
    if (rc == TC_OK)
        rc = sum_prod(e, g, TC_OP_SUM, false, TC_TORCH_2_6, &s, err);
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

/* logsumexp of x (already x.to(dtype)) */
static int check_logsumexp(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    int rc;
    /* 1.13 checks the result dtype before anything else */
    if (tc_dtype_is_complex(x->dtype) && a->torch_version == TC_TORCH_1_13) {
        rc = tc_err_set(err, TC_EDTYPE, "logsumexp(): Expected floating point type for result tensor, but got: %s",
                        tc_dtype_scalar_name(x->dtype));
        return tc_err_hint(err, rc, "torch_version", "2.6");
    }
    /*
     * 1.13 lacks exp for float16: an empty input reaches exp(self) before
     * sum_out looks at the dims, a non-empty one only after amax did.
     * float16: 1.13 lacks exp_vml_cpu for Half, 2.6 has it.
     */
    bool half113 = x->dtype == TC_FLOAT16 && a->torch_version == TC_TORCH_1_13;
    bool mask[TC_MAX_DIMS] = {false};
    if (!(half113 && x->numel == 0) && (rc = tc_reduce_dims(a, x, mask, err)) != TC_OK)
        return rc;
    if (half113) {
        rc = tc_err_set(err, TC_EDTYPE, "\"exp_vml_cpu\" not implemented for 'Half'");
        return tc_err_hint(err, rc, "dtype", "float32");
    }
    /* integral input is promoted to the default float dtype */
    reduced_meta(x, mask, a->keepdim, tc_dtype_is_integral(x->dtype, 1) ? a->default_dtype : x->dtype, y);
    return TC_OK;
}

/* logsumexp, checked. */
static int run_logsumexp(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_tensor *xc = NULL, *mx = NULL, *e = NULL, *s = NULL;
    int rc = TC_OK;
    if (a->has_dtype && a->dtype != x->dtype) {
        if ((rc = tc_tensor_convert_version(x, a->dtype, a->torch_version, &xc, err)) != TC_OK)
            return rc;
        x = xc;
    }
    bool mask[TC_MAX_DIMS] = {false};
    tc_reduce_dims(a, x, mask, NULL);
    if (tc_dtype_is_integral(x->dtype, 1)) {
        /* integral input is promoted to the default float dtype */
        tc_tensor *t = NULL;
        if ((rc = tc_tensor_convert(x, a->default_dtype, &t, err)) != TC_OK)
            goto done;
        tc_tensor_free(xc);
        x = xc = t;
    }
    /*
     * float16 in 2.6: Vectorized<Half> exp is Sleef_expf8_u10 on the float
     * values, rounded back; the rest is the same sequence as bfloat16.
     */
    geom g, gk;
    geom_init(&g, x, mask, a->keepdim);
    geom_init(&gk, x, mask, 1);
    if (tc_dtype_is_complex(x->dtype)) {
        rc = logsumexp_complex(x, &g, &gk, &r->values, err);
        goto done;
    }
    /* (self - maxes).exp_() keeps self's layout, which the sum then follows */
    if ((e = tc_tensor_new(x->dtype, x->ndim, x->shape, err)) == NULL) {
        rc = TC_ENOMEM;
        goto done;
    }
    tc_tensor_set_layout(e, x);
    if (x->numel > 0) {
        /* maxes = amax(self, dims, keepdim=True), masked_fill_(maxes.abs() == INFINITY, 0) */
        if ((rc = minmax_values(x, &gk, 1, a->torch_version, &mx, err)) != TC_OK)
            goto done;
        for (int64_t k = 0; k < mx->numel; k++)
            if (isinf(tc_tensor_get_f64(mx, k)))
                tc_store_f64(mx, k, 0);
    }
    /* e = exp(x - maxes), each step rounded to the dtype */
    walk w;
    walk_start(&w, x, &g);
    for (int64_t k = 0; k < x->numel; k++, walk_next(&w)) {
        double m = tc_tensor_get_f64(mx, w.out);
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
    if (use_acc_buffer(a, &g, e->dtype))
        rc = sum_via_float(e, &g, e->dtype, a->torch_version, &s, err);
    else
        rc = sum_prod(e, &g, TC_OP_SUM, false, a->torch_version, &s, err);
    if (rc != TC_OK)
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

int tc_reduce_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err)
{
    tc_tensor h = *x;
    tc_meta_of(x, y);
    /* amax, amin, max, min and logsumexp have no dtype=: x.to(dtype) first */
    if (a->has_dtype && !tc_op_has_dtype_arg(a->op))
        h.dtype = a->dtype;
    switch (a->op) {
    case TC_OP_SUM: case TC_OP_PROD: case TC_OP_MEAN: case TC_OP_NANSUM: case TC_OP_NANMEAN:
        return check_sum_prod_mean(a, &h, y, err);
    case TC_OP_AMAX: case TC_OP_AMIN: return check_amax_amin(a, &h, y, err);
    case TC_OP_MAX: case TC_OP_MIN: return check_max_min(a, &h, y, err);
    case TC_OP_LOGSUMEXP: return check_logsumexp(a, &h, y, err);
    default: return tc_err_set(err, TC_EARG, "%s is not a reduction", tc_op_name(a->op));
    }
}

int tc_reduce_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    memset(r, 0, sizeof *r);
    tc_meta y;
    int rc = tc_reduce_check(a, x, &y, err);
    if (rc != TC_OK)
        return rc;
    switch (a->op) {
    case TC_OP_SUM:
    case TC_OP_PROD:
    case TC_OP_MEAN:
    case TC_OP_NANSUM:
    case TC_OP_NANMEAN: rc = run_sum_prod_mean(a, x, r, err); break;
    case TC_OP_AMAX:
    case TC_OP_AMIN: rc = run_amax_amin(a, x, r, err); break;
    case TC_OP_MAX:
    case TC_OP_MIN: rc = run_max_min(a, x, r, err); break;
    case TC_OP_LOGSUMEXP: rc = run_logsumexp(a, x, r, err); break;
    default: rc = TC_EARG; break;   /* tc_reduce_check refused it */
    }
    if (rc != TC_OK)
        tc_result_free(r);
    return rc;
}
