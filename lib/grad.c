/*
 * grad.c - --grad: the gradient torch.autograd computes for op(x).
 *
 * tc_op_grad gives x.grad after op(x).backward(g), where g is the caller's
 * grad_output or, without one, ones (op(x).sum().backward()).  Each op's
 * backward is the formula PyTorch 1.13 runs (tools/autograd/derivatives.yaml
 * and torch/csrc/autograd/FunctionsManual.cpp), spelled as the same sequence
 * of tensor operations so the floats round the same way: elementwise steps
 * round to the working dtype after every operation, and where a formula
 * calls cumsum, cumprod, logcumsumexp or sum, it calls that kernel
 * (tc_scan_run, tc_reduce_run), so those steps share the forward kernels'
 * accumulation types.  Like them, grad.c sits below op_run.c and never
 * calls tc_op_run.
 *
 * Ops PyTorch lacks get the gradient of the composition they are defined by:
 *   nancumsum(x)   torch.cumsum(torch.where(torch.isnan(x), 0, x), dim)
 *   nancumprod(x)  torch.cumprod(torch.where(torch.isnan(x), 1, x), dim)
 *   --reverse      flip(op(flip(x, dim)), dim)
 *   --include-initial  cat([identity, op(x)], dim)
 *   --exclusive    cat([identity, op(x)], dim).narrow(dim, 0, n)
 * so a NaN's gradient is 0 and the last element's gradient under
 * --exclusive is that of an unused output.
 *
 * Complex input follows PyTorch's convention (x.grad is the conjugate
 * Wirtinger derivative), and without grad_output the upstream gradient is
 * ones, as sum().backward() gives in PyTorch.
 */
#include "tc_private.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- a pool of intermediate tensors, freed together ------------------------ */

typedef struct pool {
    tc_tensor **t;
    int n, cap;
    tc_err *err;
    /*
     * A gradient that PyTorch holds as a strided view (cat's backward slices
     * it out of a longer one): TensorIterator's inner loop, and so the split
     * between vector and scalar code, stops at each block of view_blk
     * contiguous elements.
     */
    const tc_tensor *view;
    int64_t view_blk;
    tc_torch_version version;   /* whose kernels the backward ops are */
} pool;

/* Register t (which may be NULL after a failed allocation) and return it. */
static tc_tensor *keep(pool *p, tc_tensor *t)
{
    if (!t)
        return NULL;
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 32;
        /* an array of pointers: sizeof *nt is a pointer's size */
        tc_tensor **nt = tc_realloc(p->t, (size_t)cap * sizeof *nt); /* NOLINT(bugprone-sizeof-expression) */
        if (!nt) {
            tc_tensor_free(t);
            tc_err_set(p->err, TC_ENOMEM, "out of memory");
            return NULL;
        }
        p->t = nt;
        p->cap = cap;
    }
    p->t[p->n++] = t;
    return t;
}

static void pool_free(pool *p)
{
    for (int i = 0; i < p->n; i++)
        tc_tensor_free(p->t[i]);
    tc_free(p->t);
    p->t = NULL;
    p->n = p->cap = 0;
}

static tc_tensor *pnew(pool *p, tc_dtype t, int ndim, const int64_t *shape)
{
    return keep(p, tc_tensor_new(t, ndim, shape, p->err));
}

static tc_tensor *pconvert(pool *p, const tc_tensor *x, tc_dtype t)
{
    tc_tensor *y;
    if (tc_tensor_convert_version(x, t, p->version, &y, p->err) != TC_OK)
        return NULL;
    return keep(p, y);
}

/* The same data with another shape of the same element count (unsqueeze). */
static tc_tensor *preshape(pool *p, const tc_tensor *x, int ndim, const int64_t *shape)
{
    tc_tensor *y = pnew(p, x->dtype, ndim, shape);
    if (y && x->numel)
        memcpy(y->data, x->data, (size_t)x->numel * tc_dtype_size(x->dtype));
    return y;
}

/* ---- dtype arithmetic ------------------------------------------------------ */

/* Round v to the precision of t's (component) type, as storing it would. */
static double rnd(tc_dtype t, double v)
{
    switch (t) {
    case TC_FLOAT16: return tc_half_to_float(tc_float_to_half((float)v));
    case TC_BFLOAT16: return tc_bf16_to_float(tc_float_to_bf16((float)v));
    case TC_FLOAT32: case TC_COMPLEX64: return (float)v;
    default: return v;
    }
}

/* PyTorch's promotion between two floating or complex dtypes. */
static tc_dtype promote(tc_dtype a, tc_dtype b)
{
    if (a == b)
        return a;
    int cplx = tc_dtype_is_complex(a) || tc_dtype_is_complex(b);
    int wide = a == TC_FLOAT64 || b == TC_FLOAT64 || a == TC_COMPLEX128 || b == TC_COMPLEX128;
    if (cplx)
        return wide ? TC_COMPLEX128 : TC_COMPLEX64;
    if (wide)
        return TC_FLOAT64;
    if (a == TC_FLOAT32 || b == TC_FLOAT32)
        return TC_FLOAT32;
    return TC_FLOAT32;  /* float16 with bfloat16 */
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_ADD_ALPHA, OP_SUB_ALPHA };

/*
 * How element i of an n-element ATen loop multiplies or divides complex
 * numbers.  Binary kernels run Vectorized code on chunks of two vectors (8
 * complex64 or 4 complex128 with AVX2) and the rest through the scalar
 * lambda, which GCC compiled with FMA contraction and partly re-vectorized
 * in pairs; complex results differ in the last bit between the forms.
 * Measured (testdata's generators, and by hand on random operands):
 * - PyTorch 1.13: a complex64 product is fused in pairs (a lone last one is
 *   not) or, with a scalar operand, only for the 2nd to 5th of 5 or more
 *   leftovers; every other scalar product and quotient (c10's
 *   (ac + bd) / (c^2 + d^2)) is fused.
 * - PyTorch 2.6: products as in 1.13 with tensor operands; with a scalar
 *   operand (scalar: 1 the first, 2 the second) the first leftover and a
 *   lone last one are plain (complex64) or fused (complex128), and the
 *   pairs between contract the products with the scalar's real part: fully
 *   for a scalar first, (ac - bd) with a*c and (ad + bc) with b*c for a
 *   scalar second (a complex128 scalar first fuses everything).  Quotients
 *   are c10's numpy-style operator/ (fully fused; a lone last complex64 of
 *   three or more fuses its denominator only) and the Vectorized one in
 *   the chunks (tc_cdiv_torch).
 */
typedef enum {
    CP_VEC,     /* Vectorized: every product rounded */
    CP_PLAIN,   /* scalar, no contraction */
    CP_FUSED,   /* scalar, fully contracted */
    CP_FG       /* scalar product: re fused with a*c, im with b*c */
} cpath;

/*
 * basic: the loop has no vector part (cpu_kernel_vec's basic_loop, taken
 * when every input is broadcast along the inner dim).
 */
static cpath path_at(tc_torch_version v, tc_dtype t, int op, int64_t i, int64_t n, int scalar,
                     int basic)
{
    if (!tc_dtype_is_complex(t) || (op != OP_MUL && op != OP_DIV))
        return CP_VEC;
    int c64 = t == TC_COMPLEX64;
    int64_t chunk = c64 ? 8 : 4;
    int64_t vend = basic ? 0 : n / chunk * chunk, rem = n - vend, r = i - vend;
    int lone = rem % 2 == 1 && r == rem - 1;
    if (i < vend)
        return CP_VEC;
    if (v == TC_TORCH_1_13) {
        if (c64 && op == OP_MUL)
            return (scalar ? rem >= 5 && r >= 1 && r <= 4 : !lone) ? CP_FUSED : CP_PLAIN;
        return CP_FUSED;
    }
    if (op == OP_DIV)
        return c64 && lone && rem >= 3 ? CP_PLAIN : CP_FUSED;
    if (!scalar)
        return c64 && lone ? CP_PLAIN : CP_FUSED;
    if (r == 0 || ((rem - 1) % 2 == 1 && r == rem - 1))
        return c64 ? CP_PLAIN : CP_FUSED;
    return scalar == 1 ? CP_FUSED : CP_FG;
}

/* x + (1+0j) * y: ATen's add (alpha = 1) multiplies y as a complex number. */
static void cadd_alpha(tc_dtype t, double xr, double xi, double yr, double yi,
                       double *rr, double *ri)
{
    double mr = rnd(t, rnd(t, 1.0 * yr) - rnd(t, 0.0 * yi));
    double mi = rnd(t, rnd(t, 1.0 * yi) + rnd(t, 0.0 * yr));
    *rr = rnd(t, xr + mr);
    *ri = rnd(t, xi + mi);
}

/* x * y + z in the component type of t, rounded once. */
static double fmat(tc_dtype t, double x, double y, double z)
{
    return t == TC_COMPLEX64 ? (double)tc_fmaf((float)x, (float)y, (float)z) : tc_fma(x, y, z);
}

/*
 * One binary op in dtype t on values already exact in t.  Complex follows
 * ATen (see path_at): the vector path computes (a+bi)(c+di) = (ac - bd) +
 * (ad + bc)i with each product rounded, the scalar path contracts products
 * into FMAs; 1.13 divides as ((ac + bd) + (bc - ad)i) / (c^2 + d^2) (fused
 * on the scalar path), 2.6 as tc_cdiv_torch.
 */
static void arith(tc_torch_version v, tc_dtype t, int op, cpath path, double ar, double ai,
                  double br, double bi, double *rr, double *ri)
{
    if (!tc_dtype_is_complex(t)) {
        double r = op == OP_ADD || op == OP_ADD_ALPHA ? ar + br
                 : op == OP_SUB || op == OP_SUB_ALPHA ? ar - br
                 : op == OP_MUL ? ar * br : ar / br;
        *rr = rnd(t, r);
        *ri = 0;
        return;
    }
    switch (op) {
    case OP_ADD: *rr = rnd(t, ar + br); *ri = rnd(t, ai + bi); break;
    case OP_SUB: *rr = rnd(t, ar - br); *ri = rnd(t, ai - bi); break;
    case OP_ADD_ALPHA: case OP_SUB_ALPHA: {
        /*
         * at::add / at::sub of tensors: a + alpha * b with alpha = 1 or -1
         * taken as a complex number, so an infinite part of b makes the
         * other part NaN (0 * inf).
         */
        double al = op == OP_ADD_ALPHA ? 1.0 : -1.0;
        double mr = rnd(t, rnd(t, al * br) - rnd(t, 0.0 * bi));
        double mi = rnd(t, rnd(t, al * bi) + rnd(t, 0.0 * br));
        *rr = rnd(t, ar + mr);
        *ri = rnd(t, ai + mi);
        break;
    }
    case OP_MUL:
        if (path == CP_FUSED) {
            *rr = fmat(t, ar, br, -rnd(t, ai * bi));
            *ri = fmat(t, ar, bi, rnd(t, ai * br));
        } else if (path == CP_FG) {
            *rr = fmat(t, ar, br, -rnd(t, ai * bi));
            *ri = fmat(t, ai, br, rnd(t, ar * bi));
        } else {
            *rr = rnd(t, rnd(t, ar * br) - rnd(t, ai * bi));
            *ri = rnd(t, rnd(t, ar * bi) + rnd(t, ai * br));
        }
        break;
    default:
        if (v != TC_TORCH_1_13) {
            int cd = path == CP_VEC ? TC_CDIV_VEC : path == CP_FUSED ? TC_CDIV_FMA : TC_CDIV_FMA_DEN;
            tc_cdiv_torch(t, cd, ar, ai, br, bi, rr, ri);
        } else if (path == CP_FUSED) {
            double den = fmat(t, br, br, rnd(t, bi * bi));
            *rr = rnd(t, fmat(t, ar, br, rnd(t, ai * bi)) / den);
            *ri = rnd(t, fmat(t, ai, br, -rnd(t, ar * bi)) / den);
        } else {
            double den = rnd(t, rnd(t, br * br) + rnd(t, bi * bi));
            *rr = rnd(t, rnd(t, rnd(t, ar * br) + rnd(t, ai * bi)) / den);
            *ri = rnd(t, rnd(t, rnd(t, ai * br) - rnd(t, ar * bi)) / den);
        }
        break;
    }
}

/* Flat index into a tensor of shape bs broadcast to shape os (same ndim). */
static int64_t bcast_index(int ndim, const int64_t *os, const int64_t *bs, int64_t i)
{
    int64_t off = 0, stride = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        int64_t c = i % os[d];
        i /= os[d];
        if (bs[d] != 1)
            off += c * stride;
        stride *= bs[d];
    }
    return off;
}

/*
 * The inner loop length of a TensorIterator over shape with operands of
 * shapes sa and sb: the trailing dims it can coalesce (each operand either
 * spans all of them or is broadcast over all of them).
 */
static int64_t inner_len(int nd, const int64_t *shape, const tc_tensor *a, const tc_tensor *b,
                         int *scalar)
{
    int64_t len = 1;
    int ba = -1, bb = -1;
    for (int d = nd - 1; d >= 0; d--) {
        if (shape[d] == 1)
            continue;
        int xa = a->numel == 1 || a->shape[d] == 1, xb = b->numel == 1 || b->shape[d] == 1;
        if (ba < 0) {
            ba = xa;
            bb = xb;
        } else if (xa != ba || xb != bb) {
            break;
        }
        len *= shape[d];
    }
    *scalar = (ba > 0 ? 1 : 0) | (bb > 0 ? 2 : 0);
    return len;
}

/*
 * a OP b elementwise in dtype t, broadcasting size-1 dims (a and b have the
 * same ndim), as a TensorIterator with common dtype t computes it.
 */
static tc_tensor *bin(pool *p, int op, const tc_tensor *a, const tc_tensor *b, tc_dtype t)
{
    int64_t shape[TC_MAX_DIMS];
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    if (nd < 0 || nd > TC_MAX_DIMS)
        return NULL;    /* cannot happen: tensors have at most TC_MAX_DIMS dims */
    for (int d = 0; d < nd; d++) {
        int64_t sa = d < a->ndim ? a->shape[d] : 1, sb = d < b->ndim ? b->shape[d] : 1;
        shape[d] = sa == 1 ? sb : sa;
    }
    tc_tensor *y = pnew(p, t, nd, shape);
    if (!y)
        return NULL;
    int same_a = a->numel == y->numel, same_b = b->numel == y->numel;
    int scalar = (same_a ? 0 : 1) | (same_b ? 0 : 2);
    int64_t len = (same_a || a->numel == 1) && (same_b || b->numel == 1)
                ? y->numel : inner_len(nd, shape, a, b, &scalar);
    if ((a == p->view || b == p->view) && same_a && same_b && p->view_blk < len)
        len = p->view_blk;
    if (len < 1)
        len = 1;
    if (tc_dtype_is_complex(t) && (op == OP_ADD || op == OP_SUB))
        op = op == OP_ADD ? OP_ADD_ALPHA : OP_SUB_ALPHA;
    /*
     * 2.6's mul and div of float16/bfloat16 by a one-element b (is_scalar(2))
     * take b's own value as a float (original_scalar_value<opmath_t>), not b
     * converted to t: nanmean's count, say.
     */
    int b_opmath = p->version != TC_TORCH_1_13 && (t == TC_FLOAT16 || t == TC_BFLOAT16) &&
                   (op == OP_MUL || op == OP_DIV) && b->numel == 1;
    for (int64_t i = 0; i < y->numel; i++) {
        int64_t ia = same_a ? i : a->numel == 1 ? 0 : bcast_index(nd, shape, a->shape, i);
        int64_t ib = same_b ? i : b->numel == 1 ? 0 : bcast_index(nd, shape, b->shape, i);
        double ar, ai, br, bi, rr, ri;
        tc_tensor_get_c128(a, ia, &ar, &ai);
        tc_tensor_get_c128(b, ib, &br, &bi);
        /* Operands of another dtype are converted to t first. */
        ar = rnd(t, ar); ai = rnd(t, ai);
        br = b_opmath ? (double)(float)br : rnd(t, br);
        bi = rnd(t, bi);
        arith(p->version, t, op, path_at(p->version, t, op, i % len, len, scalar, scalar == 3),
              ar, ai, br, bi, &rr, &ri);
        tc_store_c128(y, i, rr, ri);
    }
    return y;
}

/* g broadcast to the shape of like (g.expand_as(like)): a copy, signs kept. */
static tc_tensor *expand(pool *p, const tc_tensor *g, const tc_tensor *like)
{
    tc_tensor *y = pnew(p, g->dtype, like->ndim, like->shape);
    if (!y)
        return NULL;
    size_t esz = tc_dtype_size(g->dtype);
    for (int64_t i = 0; i < y->numel; i++) {
        int64_t j = g->numel == y->numel ? i : g->numel == 1 ? 0
                  : bcast_index(y->ndim, y->shape, g->shape, i);
        memcpy((char *)y->data + (size_t)i * esz, (const char *)g->data + (size_t)j * esz, esz);
    }
    return y;
}

/*
 * a OP s for a real scalar s converted to a's dtype (a wrapped number);
 * float16 and bfloat16 in 2.6 take it as a float, their op math type
 * (mul_kernel, div_true_kernel: iter.original_scalar_value<opmath_t>).
 */
static tc_tensor *bin_scalar_run(pool *p, int op, const tc_tensor *a, double s, int64_t run,
                                 int basic)
{
    tc_tensor *y = pnew(p, a->dtype, a->ndim, a->shape);
    if (!y)
        return NULL;
    int opmath = p->version != TC_TORCH_1_13 && (a->dtype == TC_FLOAT16 || a->dtype == TC_BFLOAT16);
    double sr = opmath ? (double)(float)s : rnd(a->dtype, s);
    if (run < 1)
        run = 1;
    for (int64_t i = 0; i < a->numel; i++) {
        double ar, ai, rr, ri;
        tc_tensor_get_c128(a, i, &ar, &ai);
        arith(p->version, a->dtype, op, path_at(p->version, a->dtype, op, i % run, run, 2, basic),
              ar, ai, sr, 0, &rr, &ri);
        tc_store_c128(y, i, rr, ri);
    }
    return y;
}

static tc_tensor *bin_scalar(pool *p, int op, const tc_tensor *a, double s)
{
    return bin_scalar_run(p, op, a, s, a->numel, 0);
}

enum { U_NEG, U_EXP, U_LOG, U_CONJ };

/*
 * PyTorch's exp and log kernels are SLEEF's 1-ulp vector functions, not
 * the C library's (they differ in the last bit for about one float in ten):
 * sleef.c's ports of them.
 */
#define EXP_F32 tc_sleef_expf
#define LOG_F32 tc_sleef_logf
#define EXP_F64 tc_sleef_exp
#define LOG_F64 tc_sleef_log

static double fexp(tc_dtype t, double v)
{
    return t == TC_FLOAT64 ? EXP_F64(v) : (double)EXP_F32((float)v);
}

static double flog(tc_dtype t, double v)
{
    return t == TC_FLOAT64 ? LOG_F64(v) : (double)LOG_F32((float)v);
}

/*
 * log of a complex number: std::log, glibc's clog (complex128) and clogf
 * (complex64: Debian 13's for 2.6, tc_clogf_torch26; only 2.6 computes
 * complex logarithms in these backward formulas).
 */
static void clog_torch(tc_dtype t, double *re, double *im)
{
    if (t == TC_COMPLEX64) {
        float lr, li;
        tc_clogf_torch26((float)*re, (float)*im, &lr, &li);
        *re = lr;
        *im = li;
    } else {
        double parts[2] = {*re, *im};
        double complex z;
        memcpy(&z, parts, sizeof z);   /* not re + I * im: 0 * inf would be NaN */
        z = clog(z);
        *re = creal(z);
        *im = cimag(z);
    }
}

/*
 * exp of a complex a as 2.6 computes it over the dense tensor it applies
 * exp to, laid out as like (a's shape): a lane's SLEEF reduction depends on
 * the other lanes of its vector, so the whole tensor runs at once, in
 * memory order and thread chunks (sleef.c).
 */
static tc_tensor *cexp_like(pool *p, const tc_tensor *a, const tc_tensor *like)
{
    tc_tensor *y = pnew(p, a->dtype, a->ndim, a->shape);
    if (!y)
        return NULL;
    memcpy(y->data, a->data, (size_t)a->numel * tc_dtype_size(a->dtype));
    if (tc_cexp_torch_tensor(y, like, p->err) != TC_OK)
        return NULL;
    return y;
}

/* Elementwise unary op in a's dtype. */
static tc_tensor *unary(pool *p, int op, const tc_tensor *a)
{
    if (op == U_EXP && tc_dtype_is_complex(a->dtype) && p->version == TC_TORCH_2_6)
        return cexp_like(p, a, a);
    tc_tensor *y = pnew(p, a->dtype, a->ndim, a->shape);
    if (!y)
        return NULL;
    tc_dtype t = a->dtype;
    int cplx = tc_dtype_is_complex(t);
    for (int64_t i = 0; i < a->numel; i++) {
        double re, im;
        tc_tensor_get_c128(a, i, &re, &im);
        switch (op) {
        case U_NEG: re = -re; im = -im; break;
        case U_EXP:
            if (cplx)
                tc_cexp_torch(t == TC_COMPLEX64, re, im, &re, &im);
            else
                re = rnd(t, fexp(t, re));
            break;
        case U_LOG:
            if (cplx)
                clog_torch(t, &re, &im);
            else
                re = rnd(t, flog(t, re));
            break;
        default: im = -im; break;
        }
        tc_store_c128(y, i, re, im);
    }
    return y;
}

/* flip(x, dim) */
static tc_tensor *flip(pool *p, const tc_tensor *x, int dim)
{
    tc_tensor *y = pnew(p, x->dtype, x->ndim, x->shape);
    if (!y)
        return NULL;
    int64_t outer, n, inner;
    size_t esz = tc_dtype_size(x->dtype);
    tc_lanes(x, dim, &outer, &n, &inner);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < n; k++)
            memcpy((char *)y->data + (size_t)((o * n + k) * inner) * esz,
                   (const char *)x->data + (size_t)((o * n + n - 1 - k) * inner) * esz,
                   (size_t)inner * esz);
    return y;
}

/* A forward scan or sum through its kernel: the values, registered in the pool. */
static tc_tensor *run(pool *p, tc_op op, const tc_tensor *x, int dim, int keepdim)
{
    tc_op_args a;
    tc_result r;
    tc_op_args_init(&a, op);
    a.has_dim = 1;
    a.dim = dim;
    a.keepdim = keepdim;
    a.torch_version = p->version;
    int rc = tc_op_kind_of(op) == TC_OPK_SCAN ? tc_scan_run(&a, x, &r, p->err)
                                              : tc_reduce_run(&a, x, &r, p->err);
    if (rc != TC_OK)
        return NULL;
    tc_tensor *v = r.values;
    r.values = NULL;
    tc_result_free(&r);
    return keep(p, v);
}

/* w.flip(dim).cumsum(dim).flip(dim), FunctionsManual's reversed_cumsum. */
static tc_tensor *reversed_cumsum(pool *p, const tc_tensor *w, int dim)
{
    tc_tensor *f = flip(p, w, dim);
    tc_tensor *c = f ? run(p, TC_OP_CUMSUM, f, dim, 0) : NULL;
    return c ? flip(p, c, dim) : NULL;
}

/* x.narrow(dim, start, len): a copy. */
static tc_tensor *narrow(pool *p, const tc_tensor *x, int dim, int64_t start, int64_t len)
{
    int64_t shape[TC_MAX_DIMS], outer, n, inner;
    memcpy(shape, x->shape, (size_t)x->ndim * sizeof *shape);
    shape[dim] = len;
    tc_tensor *y = pnew(p, x->dtype, x->ndim, shape);
    if (!y || y->numel == 0)
        return y;
    size_t esz = tc_dtype_size(x->dtype);
    tc_lanes(x, dim, &outer, &n, &inner);
    for (int64_t o = 0; o < outer; o++)
        memcpy((char *)y->data + (size_t)(o * len * inner) * esz,
               (const char *)x->data + (size_t)((o * n + start) * inner) * esz, (size_t)(len * inner) * esz);
    return y;
}

/* ---- backward formulas ----------------------------------------------------- */

/* cumsum_backward(grad, dim) */
static tc_tensor *cumsum_bw(pool *p, const tc_tensor *g, int dim)
{
    if (g->numel <= 1 || g->ndim == 0 || g->shape[dim] == 1)
        return (tc_tensor *)keep(p, tc_tensor_clone(g, p->err));
    return reversed_cumsum(p, g, dim);
}

/*
 * cumprod_backward(grad, input, dim, output) from ATen's ReduceOps.cpp,
 * GradMode off: the O(n) formula with its masks for lanes holding zeros.
 * grad is in input's dtype; the result too.
 */
static tc_tensor *cumprod_bw(pool *p, const tc_tensor *g, const tc_tensor *x, int dim,
                             const tc_tensor *out)
{
    if (x->numel <= 1 || x->ndim == 0 || x->shape[dim] == 1)
        return keep(p, tc_tensor_clone(g, p->err));
    tc_dtype wt = promote(out->dtype, g->dtype);
    tc_tensor *xc = unary(p, U_CONJ, x), *oc = unary(p, U_CONJ, out);
    if (!xc || !oc)
        return NULL;
    tc_tensor *w = bin(p, OP_MUL, oc, g, wt);
    if (!w)
        return NULL;
    int any_zero = 0;
    for (int64_t i = 0; i < x->numel && !any_zero; i++) {
        double re, im;
        tc_tensor_get_c128(x, i, &re, &im);
        any_zero = re == 0 && im == 0;
    }
    if (!any_zero) {
        tc_tensor *rc = reversed_cumsum(p, w, dim);
        return rc ? bin(p, OP_DIV, rc, xc, promote(wt, x->dtype)) : NULL;
    }

    if (wt != g->dtype) {
        /* PyTorch 1.13 fails here when dtype= widened the result. */
        tc_err_set(p->err, TC_EARG,
                   "masked_scatter: expected self and source to have same dtypes but got%s and %s",
                   tc_dtype_scalar_name(g->dtype), tc_dtype_scalar_name(wt));
        return NULL;
    }
    int64_t outer, n, inner;
    tc_lanes(x, dim, &outer, &n, &inner);
    int64_t N = x->numel;
    /* cumsum of is_zero along dim: zero counts up to and including k. */
    int64_t *zc = tc_malloc((size_t)N * sizeof *zc);
    int64_t *fz = tc_malloc((size_t)(outer * inner > 0 ? outer * inner : 1) * sizeof *fz);
    tc_tensor *gi = pnew(p, g->dtype, x->ndim, x->shape);
    tc_tensor *wm = pnew(p, w->dtype, w->ndim, w->shape);
    tc_tensor *xm = pnew(p, xc->dtype, xc->ndim, xc->shape);
    tc_tensor *gm = pnew(p, g->dtype, g->ndim, g->shape);
    if (!zc || !fz || !gi || !wm || !xm || !gm) {
        tc_free(zc);
        tc_free(fz);
        if (!zc || !fz)
            tc_err_set(p->err, TC_ENOMEM, "out of memory");
        return NULL;
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t c = 0, first = -1;
            for (int64_t k = 0; k < n; k++) {
                int64_t e = (o * n + k) * inner + i;
                double re, im;
                tc_tensor_get_c128(x, e, &re, &im);
                if (re == 0 && im == 0) {
                    c++;
                    if (c == 1)
                        first = k;
                }
                zc[e] = c;
            }
            /* (cumsum == 1).max(dim).indices: 0 when the lane has no zero. */
            fz[o * inner + i] = first < 0 ? 0 : first;
        }
    /* Before the first zero: reversed_cumsum(w.masked_fill(~mask, 0)) / x. */
    for (int64_t e = 0; e < N; e++) {
        double re = 0, im = 0;
        if (zc[e] == 0)
            tc_tensor_get_c128(w, e, &re, &im);
        tc_store_c128(wm, e, re, im);
    }
    tc_tensor *before = reversed_cumsum(p, wm, dim);
    before = before ? bin(p, OP_DIV, before, xc, promote(wt, x->dtype)) : NULL;
    /* At the first zero: cumprod of x over (z1, z2) times grad over [z1, z2). */
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < n; k++)
            for (int64_t i = 0; i < inner; i++) {
                int64_t e = (o * n + k) * inner + i;
                int between = zc[e] == 1 && k != fz[o * inner + i];
                double re = 1, im = 0;
                if (between)
                    tc_tensor_get_c128(xc, e, &re, &im);
                tc_store_c128(xm, e, re, im);
                re = im = 0;
                if (zc[e] == 1)
                    tc_tensor_get_c128(g, e, &re, &im);
                tc_store_c128(gm, e, re, im);
            }
    tc_tensor *cp = before ? run(p, TC_OP_CUMPROD, xm, dim, 0) : NULL;
    tc_tensor *prod = cp ? bin(p, OP_MUL, cp, gm, g->dtype) : NULL;
    tc_tensor *s = prod ? run(p, TC_OP_SUM, prod, dim, 1) : NULL;
    if (!s) {
        tc_free(zc);
        tc_free(fz);
        return NULL;
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < n; k++)
            for (int64_t i = 0; i < inner; i++) {
                int64_t e = (o * n + k) * inner + i, z1 = fz[o * inner + i];
                double re = 0, im = 0;
                if (zc[e] == 0) {
                    tc_tensor_get_c128(before, e, &re, &im);
                } else if (zc[e] == 1 && k == z1) {
                    /* s.mul_(output[z1 - 1] or 1): computed in the promoted dtype. */
                    double sr, si, pr = 1, pi = 0, rr, ri;
                    tc_dtype mt = promote(g->dtype, oc->dtype);
                    tc_tensor_get_c128(s, o * inner + i, &sr, &si);
                    if (z1 > 0)
                        tc_tensor_get_c128(oc, (o * n + z1 - 1) * inner + i, &pr, &pi);
                    arith(p->version, mt, OP_MUL,
                          path_at(p->version, mt, OP_MUL, o * inner + i, outer * inner, 0, 0),
                          sr, si, pr, pi, &rr, &ri);
                    re = rr;
                    im = ri;
                }
                tc_store_c128(gi, e, re, im);
            }
    tc_free(zc);
    tc_free(fz);
    return gi;
}

/*
 * zeros.scatter_add_(dim, indices, grad): cummaxmin_backward.  Each lane
 * adds in index order, rounding to the dtype at every step.
 */
static tc_tensor *scatter_add(pool *p, const tc_tensor *g, const tc_tensor *idx, int dim,
                              const tc_tensor *like)
{
    tc_tensor *y = pnew(p, g->dtype, like->ndim, like->shape);
    if (!y)
        return NULL;
    int64_t outer, n, inner;
    tc_lanes(like, dim, &outer, &n, &inner);
    /* 2.6 sums float16 and bfloat16 in float and rounds once (measured) */
    int opmath = p->version != TC_TORCH_1_13 && (g->dtype == TC_FLOAT16 || g->dtype == TC_BFLOAT16);
    tc_dtype at = opmath ? TC_FLOAT32 : g->dtype;
    tc_tensor *acc = opmath ? pnew(p, TC_FLOAT32, like->ndim, like->shape) : y;
    if (!acc)
        return NULL;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < n; k++)
            for (int64_t i = 0; i < inner; i++) {
                int64_t e = (o * n + k) * inner + i;
                int64_t j = tc_tensor_get_i64(idx, e);
                int64_t d = (o * n + j) * inner + i;
                double ar, ai, br, bi, rr, ri;
                tc_tensor_get_c128(acc, d, &ar, &ai);
                tc_tensor_get_c128(g, e, &br, &bi);
                arith(p->version, at, OP_ADD, CP_VEC, ar, ai, br, bi, &rr, &ri);
                tc_store_c128(acc, d, rr, ri);
            }
    if (opmath)
        for (int64_t e = 0; e < y->numel; e++)
            tc_store_f64(y, e, tc_tensor_get_f64(acc, e));
    return y;
}

/*
 * logcumsumexp_backward: the reversed logcumsumexp of log|grad| - result,
 * for the positive and the negative gradients apart; for complex (2.6
 * only) exp(reverse_logcumsumexp(log(grad.conj()) - result) + self).conj().
 * 2.6 dispatches it for bfloat16, float, double and complex: float16 is
 * its error.
 */
static tc_tensor *logcumsumexp_bw(pool *p, const tc_tensor *g, const tc_tensor *x,
                                  const tc_tensor *res, int dim)
{
    if (g->ndim == 0 || g->numel == 0)
        return keep(p, tc_tensor_clone(g, p->err));
    tc_dtype t = g->dtype;
    if (t == TC_FLOAT16) {
        tc_err_set(p->err, TC_EDTYPE, "\"logcumsumexp_backward\" not implemented for 'Half'");
        tc_err_hint(p->err, TC_EDTYPE, "dtype", "float32");
        return NULL;
    }
    if (tc_dtype_is_complex(t)) {
        tc_tensor *gc = unary(p, U_CONJ, g);
        tc_tensor *lg = gc ? unary(p, U_LOG, gc) : NULL;
        tc_tensor *d = lg ? bin(p, OP_SUB, lg, res, t) : NULL;
        tc_tensor *f = d ? flip(p, d, dim) : NULL;
        tc_tensor *c = f ? run(p, TC_OP_LOGCUMSUMEXP, f, dim, 0) : NULL;
        tc_tensor *b = c ? flip(p, c, dim) : NULL;
        tc_tensor *e = b ? bin(p, OP_ADD, b, x, t) : NULL;
        tc_tensor *o = e ? unary(p, U_EXP, e) : NULL;
        return o ? unary(p, U_CONJ, o) : NULL;
    }
    double lowest = t == TC_FLOAT64 ? -DBL_MAX : t == TC_FLOAT32 ? -(double)FLT_MAX
                  : t == TC_FLOAT16 ? -65504.0 : -3.3895313892515355e38;
    tc_tensor *lp = pnew(p, t, g->ndim, g->shape), *ln = pnew(p, t, g->ndim, g->shape);
    if (!lp || !ln)
        return NULL;
    for (int64_t i = 0; i < g->numel; i++) {
        double v = tc_tensor_get_f64(g, i);
        double la = rnd(t, flog(t, fabs(v)));
        tc_store_f64(lp, i, v > 0 ? la : lowest);
        tc_store_f64(ln, i, v < 0 ? la : lowest);
    }
    tc_tensor *side[2] = {lp, ln}, *o[2];
    for (int s = 0; s < 2; s++) {
        tc_tensor *d = bin(p, OP_SUB, side[s], res, t);
        tc_tensor *f = d ? flip(p, d, dim) : NULL;
        tc_tensor *c = f ? run(p, TC_OP_LOGCUMSUMEXP, f, dim, 0) : NULL;
        tc_tensor *b = c ? flip(p, c, dim) : NULL;
        tc_tensor *e = b ? bin(p, OP_ADD, b, x, t) : NULL;
        o[s] = e ? unary(p, U_EXP, e) : NULL;
        if (!o[s])
            return NULL;
    }
    return bin(p, OP_SUB, o[0], o[1], t);
}

/* ---- per-op drivers ---------------------------------------------------------- */


/*
 * The plain scan's gradient: x (the op's input, in its own dtype), g the
 * upstream gradient in the scan's result dtype, no modifiers.
 */
static tc_tensor *scan_bw(pool *p, const tc_op_args *a, const tc_tensor *x, const tc_tensor *g,
                          int dim)
{
    tc_op op = a->op;
    const tc_tensor *xs = x;
    if (op == TC_OP_NANCUMSUM || op == TC_OP_NANCUMPROD) {
        /* torch.where(torch.isnan(x), 0 or 1, x) */
        tc_tensor *f = keep(p, tc_tensor_clone(x, p->err));
        if (!f)
            return NULL;
        for (int64_t i = 0; i < f->numel; i++) {
            double re, im;
            tc_tensor_get_c128(f, i, &re, &im);
            if (isnan(re) || isnan(im))
                tc_store_c128(f, i, op == TC_OP_NANCUMSUM ? 0.0 : 1.0, 0.0);
        }
        xs = f;
        op = op == TC_OP_NANCUMSUM ? TC_OP_CUMSUM : TC_OP_CUMPROD;
    }
    tc_tensor *gx = NULL;
    switch (op) {
    case TC_OP_CUMSUM: {
        tc_tensor *gs = pconvert(p, g, x->dtype);
        gx = gs ? cumsum_bw(p, gs, dim) : NULL;
        break;
    }
    case TC_OP_CUMPROD: {
        tc_op_args b = *a;
        tc_result r;
        b.op = TC_OP_CUMPROD;
        b.has_dim = 1;
        b.dim = dim;
        b.reverse = b.exclusive = b.include_initial = 0;
        if (tc_scan_run(&b, xs, &r, p->err) != TC_OK)
            return NULL;
        tc_tensor *out = keep(p, r.values);
        r.values = NULL;
        tc_result_free(&r);
        /* same dtype: no copy, so a strided view of the grad stays one */
        const tc_tensor *gs = !out ? NULL : g->dtype == x->dtype ? g : pconvert(p, g, x->dtype);
        gx = gs ? cumprod_bw(p, gs, xs, dim, out) : NULL;
        break;
    }
    case TC_OP_CUMMAX: case TC_OP_CUMMIN: {
        tc_op_args b = *a;
        tc_result r;
        b.has_dim = 1;
        b.dim = dim;
        b.reverse = 0;
        if (tc_scan_run(&b, x, &r, p->err) != TC_OK)
            return NULL;
        tc_tensor *idx = keep(p, r.indices);
        r.indices = NULL;
        tc_result_free(&r);
        if (!idx)
            return NULL;
        if (x->numel == 0)
            return keep(p, tc_tensor_clone(x, p->err));
        if (x->ndim == 0)
            return keep(p, tc_tensor_clone(g, p->err));
        gx = scatter_add(p, g, idx, dim, x);
        break;
    }
    case TC_OP_LOGCUMSUMEXP: {
        tc_tensor *res = run(p, TC_OP_LOGCUMSUMEXP, x, dim, 0);
        gx = res ? logcumsumexp_bw(p, g, x, res, dim) : NULL;
        break;
    }
    default:
        return NULL;
    }
    if (gx && xs != x) {
        /* where(isnan(x), 0, grad) */
        for (int64_t i = 0; i < x->numel; i++) {
            double re, im;
            tc_tensor_get_c128(x, i, &re, &im);
            if (isnan(re) || isnan(im))
                tc_store_c128(gx, i, 0.0, 0.0);
        }
    }
    return gx;
}

/*
 * A scan with --reverse / --exclusive / --include-initial: the autograd of
 * flip, cat and narrow around the plain scan.  g has the modified result's
 * shape.
 */
static tc_tensor *scan_mod_bw(pool *p, const tc_op_args *a, const tc_tensor *x,
                              const tc_tensor *g, int dim)
{
    if (x->ndim == 0) {
        if (a->exclusive)  /* the identity: a constant */
            return pnew(p, g->dtype, 0, NULL);
        return scan_bw(p, a, x, g, 0);
    }
    const tc_tensor *xs = x, *gs = g;
    if (a->reverse) {
        xs = flip(p, x, dim);
        gs = xs ? flip(p, g, dim) : NULL;
        if (!gs)
            return NULL;
    }
    if (a->exclusive || a->include_initial) {
        /* Drop the identity's gradient; under --exclusive the last output is unused. */
        int64_t outer, m, inner, n = x->shape[dim];
        tc_lanes(gs, dim, &outer, &m, &inner);
        tc_tensor *h = pnew(p, gs->dtype, x->ndim, x->shape);
        if (!h)
            return NULL;
        size_t esz = tc_dtype_size(gs->dtype);
        for (int64_t o = 0; o < outer; o++)
            for (int64_t k = 0; k < n; k++)
                if (k + 1 < m)
                    memcpy((char *)h->data + (size_t)((o * n + k) * inner) * esz,
                           (const char *)gs->data + (size_t)((o * m + k + 1) * inner) * esz,
                           (size_t)inner * esz);
        gs = h;
        if (outer > 1) {  /* grad.narrow(dim, 1, n) of a contiguous grad */
            p->view = h;
            p->view_blk = n * inner;
        }
    }
    tc_tensor *gx = scan_bw(p, a, xs, gs, dim);
    if (gx && a->reverse)
        gx = flip(p, gx, dim);
    return gx;
}

/* diff's backward: n rounds of (g[k-1] or 0) + (-g[k] or 0). */
static tc_tensor *diff_bw(pool *p, const tc_tensor *x, const tc_tensor *g, int dim, int64_t nrep)
{
    int64_t size = x->shape[dim];
    if (nrep > size)
        nrep = size;
    const tc_tensor *cur = g;
    tc_tensor *own = NULL;
    for (int64_t r = nrep; r >= 1; r--) {
        /* cur has size - r along dim; the next has size - r + 1. */
        int64_t shape[TC_MAX_DIMS], outer, m, inner;
        memcpy(shape, x->shape, (size_t)x->ndim * sizeof *shape);
        shape[dim] = size - r + 1;
        tc_lanes(cur, dim, &outer, &m, &inner);
        tc_tensor *nx = tc_tensor_new(g->dtype, x->ndim, shape, p->err);
        if (!nx) {
            tc_tensor_free(own);
            return NULL;
        }
        tc_dtype t = g->dtype;
        for (int64_t o = 0; o < outer; o++)
            for (int64_t k = 0; k <= m; k++)
                for (int64_t i = 0; i < inner; i++) {
                    double ar = 0, ai = 0, br = 0, bi = 0, rr, ri;
                    if (k >= 1)
                        tc_tensor_get_c128(cur, (o * m + k - 1) * inner + i, &ar, &ai);
                    if (k < m) {
                        tc_tensor_get_c128(cur, (o * m + k) * inner + i, &br, &bi);
                        br = -br;
                        bi = -bi;
                    }
                    /*
                     * The engine runs the later-made slice (narrow(r, 1))
                     * first; the other's gradient is added as 1 * other.
                     */
                    if (tc_dtype_is_complex(t))
                        cadd_alpha(t, ar, ai, br, bi, &rr, &ri);
                    else
                        arith(p->version, t, OP_ADD, CP_VEC, ar, ai, br, bi, &rr, &ri);
                    tc_store_c128(nx, (o * (m + 1) + k) * inner + i, rr, ri);
                }
        tc_tensor_free(own);
        cur = own = nx;
    }
    return keep(p, own ? own : tc_tensor_clone(g, p->err));
}

/*
 * The gradient of y from gm, the gradient of left + right (left =
 * y.slice(dim, 0, -1), right = y.slice(dim, 1)): the two slices' backward
 * added up.
 */
static tc_tensor *slice_adds(pool *p, const tc_tensor *x, const tc_tensor *gm, int dim)
{
    tc_tensor *y = pnew(p, gm->dtype, x->ndim, x->shape);
    if (!y || x->numel == 0)
        return y;
    int64_t outer, n, inner;
    tc_lanes(x, dim, &outer, &n, &inner);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < n; k++)
            for (int64_t i = 0; i < inner; i++) {
                double ar = 0, ai = 0, br = 0, bi = 0, rr, ri;
                if (k + 1 < n)
                    tc_tensor_get_c128(gm, (o * (n - 1) + k) * inner + i, &ar, &ai);
                if (k >= 1)
                    tc_tensor_get_c128(gm, (o * (n - 1) + k - 1) * inner + i, &br, &bi);
                /*
                 * The later slice's gradient (right's, at k - 1) arrives
                 * first; left's is added as 1 * other.
                 */
                if (tc_dtype_is_complex(gm->dtype))
                    cadd_alpha(gm->dtype, br, bi, ar, ai, &rr, &ri);
                else
                    arith(p->version, gm->dtype, OP_ADD, CP_VEC, ar, ai, br, bi, &rr, &ri);
                tc_store_c128(y, (o * n + k) * inner + i, rr, ri);
            }
    return y;
}

/* cumulative_trapezoid's backward: cumsum_backward, * dx/2, slice adds. */
static tc_tensor *cumtrapz_bw(pool *p, const tc_tensor *x, const tc_tensor *g, int dim, double dx)
{
    tc_tensor *gc = cumsum_bw(p, g, dim);
    tc_tensor *gm = gc ? bin_scalar(p, OP_MUL, gc, dx / 2.) : NULL;
    return gm ? slice_adds(p, x, gm, dim) : NULL;
}

/*
 * at::sum_to(grad, shape): the sum over the dims a broadcast added (in
 * front) or widened (from 1), as the engine reduces the gradient of an
 * input that was broadcast.
 */
static const tc_tensor *sum_to(pool *p, const tc_tensor *g, int ndim, const int64_t *shape)
{
    int64_t dims[TC_MAX_DIMS];
    int n = 0, lead = g->ndim - ndim;
    for (int d = 0; d < g->ndim; d++)
        if (d < lead || (shape[d - lead] == 1 && g->shape[d] != 1))
            dims[n++] = d;
    if (n == 0)
        return g;
    tc_op_args a;
    tc_result r;
    tc_op_args_init(&a, TC_OP_SUM);
    tc_op_args_set_dims(&a, n, dims);
    a.keepdim = 1;
    if (tc_reduce_run(&a, g, &r, p->err) != TC_OK)
        return NULL;
    tc_tensor *s = keep(p, r.values);
    r.values = NULL;
    tc_result_free(&r);
    return s ? preshape(p, s, ndim, shape) : NULL;
}

/*
 * cumulative_trapezoid with sample points: out = ((left + right) * dx)
 * .cumsum(dim) / 2., so g / 2, cumsum_backward, * dx (summed back to the
 * shape of left + right and cast to y's dtype), slice adds.
 */
static tc_tensor *cumtrapz_x_bw(pool *p, const tc_op_args *a, const tc_tensor *x, const tc_tensor *g,
                                int dim)
{
    tc_tensor *dx = NULL;
    if (tc_trapz_dx(a, x, dim, &dx, p->err) != TC_OK)
        return NULL;
    if (!keep(p, dx))
        return NULL;
    tc_tensor *gh = bin_scalar(p, OP_DIV, g, 2.);
    tc_tensor *gc = gh ? cumsum_bw(p, gh, dim) : NULL;
    tc_tensor *dc = gc ? unary(p, U_CONJ, dx) : NULL;
    tc_tensor *gp = dc ? bin(p, OP_MUL, gc, dc, gc->dtype) : NULL;
    if (!gp)
        return NULL;
    int64_t sshape[TC_MAX_DIMS];
    memcpy(sshape, x->shape, (size_t)x->ndim * sizeof *sshape);
    sshape[dim] = x->shape[dim] > 0 ? x->shape[dim] - 1 : 0;
    /* summed back to the shape of left + right, cast to y's dtype (a real y: the real part) */
    const tc_tensor *gs = sum_to(p, gp, x->ndim, sshape);
    const tc_tensor *gm = gs ? (gs->dtype == x->dtype ? gs : pconvert(p, gs, x->dtype)) : NULL;
    return gm ? slice_adds(p, x, gm, dim) : NULL;
}

/* prod_safe_zeros_backward(grad, inp, dim); grad has inp's ndim (keepdim form). */
static tc_tensor *prod_safe_zeros_bw(pool *p, const tc_tensor *g, const tc_tensor *x, int dim)
{
    if (x->numel == 0)
        return expand(p, g, x);
    int64_t outer, n, inner;
    tc_lanes(x, dim, &outer, &n, &inner);
    tc_tensor *en = pnew(p, x->dtype, x->ndim, x->shape);   /* cat(1, x[:-1]) */
    tc_tensor *er = pnew(p, x->dtype, x->ndim, x->shape);   /* cat(1, flip(x[1:])) */
    if (!en || !er)
        return NULL;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < n; k++)
            for (int64_t i = 0; i < inner; i++) {
                int64_t e = (o * n + k) * inner + i;
                double re = 1, im = 0;
                if (k > 0)
                    tc_tensor_get_c128(x, (o * n + k - 1) * inner + i, &re, &im);
                tc_store_c128(en, e, re, im);
                re = 1, im = 0;
                if (k > 0)
                    tc_tensor_get_c128(x, (o * n + n - k) * inner + i, &re, &im);
                tc_store_c128(er, e, re, im);
            }
    tc_tensor *cn = run(p, TC_OP_CUMPROD, en, dim, 0);
    tc_tensor *cr = cn ? run(p, TC_OP_CUMPROD, er, dim, 0) : NULL;
    tc_tensor *fr = cr ? flip(p, cr, dim) : NULL;
    tc_tensor *m = fr ? bin(p, OP_MUL, cn, fr, x->dtype) : NULL;
    tc_tensor *mc = m ? unary(p, U_CONJ, m) : NULL;
    return mc ? bin(p, OP_MUL, g, mc, x->dtype) : NULL;
}

/*
 * The result's flat index (in keepdim form: size 1 along the reduced dims)
 * of element i of x: keep_map gives the strides, keep_index applies them.
 */
static void keep_map(const tc_tensor *x, const bool *mask, int64_t *om)
{
    int64_t st = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        om[d] = mask[d] ? 0 : st;
        st *= mask[d] ? 1 : x->shape[d];
    }
}

static int64_t keep_index(const tc_tensor *x, const int64_t *om, int64_t i)
{
    int64_t r = 0;
    for (int d = x->ndim - 1; d >= 0; d--) {
        r += (i % x->shape[d]) * om[d];
        i /= x->shape[d];
    }
    return r;
}

static bool is_nan_at(const tc_tensor *x, int64_t i)
{
    double re, im;
    tc_tensor_get_c128(x, i, &re, &im);
    return isnan(re) || isnan(im);
}

static int count_zeros(const tc_tensor *x)
{
    int64_t c = 0;
    for (int64_t i = 0; i < x->numel && c < 2; i++) {
        double re, im;
        tc_tensor_get_c128(x, i, &re, &im);
        c += re == 0 && im == 0;
    }
    return (int)c;
}

/*
 * The reductions.  x is in the op's compute dtype; g (result dtype) and
 * the forward result res are given in keepdim form (reduced dims of size 1,
 * or 0-d for a reduction over everything).
 */
static tc_tensor *reduce_bw(pool *p, const tc_op_args *a, const tc_tensor *x, const tc_tensor *g,
                            const tc_result *res, const tc_tensor *rk, int dim, const bool *mask)
{
    tc_dtype t = g->dtype;
    tc_tensor *zero = pnew(p, t, x->ndim, x->shape);
    if (!zero)
        return NULL;
    int64_t nred = 1;    /* elements reduced into each of the result's */
    for (int d = 0; d < x->ndim; d++)
        if (mask[d])
            nred *= x->shape[d];
    switch (a->op) {
    case TC_OP_SUM:
        return expand(p, g, x);
    case TC_OP_MEAN: {
        /*
         * grad.expand(sizes) / n: the expanded grad is a view, broadcast
         * along the reduced dims, so the division loops over the dims after
         * the last of them (vectorized), or, where the last dims are
         * reduced (or everything is), over a broadcast input (basic_loop, no
         * vector part), whose inner loop is those trailing dims coalesced.
         */
        int64_t inner = 1, trail = 1;
        int d = x->ndim - 1;
        for (; d >= 0 && !mask[d]; d--)
            inner *= x->shape[d];
        for (; d >= 0 && mask[d]; d--)
            trail *= x->shape[d];
        tc_tensor *e = expand(p, g, x);
        if (nred == 1)   /* nothing broadcast: one contiguous loop */
            return e ? bin_scalar_run(p, OP_DIV, e, 1.0, x->numel, 0) : NULL;
        if (inner > 1)
            return e ? bin_scalar_run(p, OP_DIV, e, (double)nred, inner, 0) : NULL;
        return e ? bin_scalar_run(p, OP_DIV, e, (double)nred, x->ndim ? trail : 1, 1) : NULL;
    }
    case TC_OP_NANSUM: case TC_OP_NANMEAN: {
        /* nanmean: g / count, then nansum_backward: grad.to(x's dtype) expanded * ~isnan(x) */
        const tc_tensor *gn = g;
        if (a->op == TC_OP_NANMEAN) {
            tc_tensor *c = pnew(p, TC_INT64, g->ndim, g->shape);
            if (!c)
                return NULL;
            int64_t om[TC_MAX_DIMS];
            keep_map(x, mask, om);
            for (int64_t i = 0; i < x->numel; i++)
                if (!is_nan_at(x, i))
                    ((int64_t *)c->data)[keep_index(x, om, i)]++;
            if (!(gn = bin(p, OP_DIV, g, c, t)))
                return NULL;
        }
        if (gn->dtype != x->dtype && !(gn = pconvert(p, gn, x->dtype)))
            return NULL;
        tc_tensor *e = expand(p, gn, x);
        if (!e)
            return NULL;
        for (int64_t i = 0; i < e->numel; i++) {
            double re, im;
            tc_tensor_get_c128(e, i, &re, &im);
            double m = is_nan_at(x, i) ? 0.0 : 1.0;
            tc_store_c128(e, i, rnd(e->dtype, re * m), rnd(e->dtype, im * m));
        }
        return e;
    }
    case TC_OP_PROD: {
        /* prod_backward(grad, input.to(grad.dtype), result) */
        tc_tensor *xi = pconvert(p, x, t);
        if (!xi)
            return NULL;
        if (x->ndim == 0)
            return keep(p, tc_tensor_clone(g, p->err));
        int z = count_zeros(xi);
        if (z == 0) {
            tc_tensor *q = bin(p, OP_DIV, rk, xi, t);
            tc_tensor *qc = q ? unary(p, U_CONJ, q) : NULL;
            return qc ? bin(p, OP_MUL, g, qc, t) : NULL;
        }
        if (dim < 0) {
            if (z > 1)
                return zero;
            /* prod_safe_zeros_backward(grad, input.view(-1), 0).view_as(input) */
            int64_t n1 = xi->numel;
            tc_tensor *flat = preshape(p, xi, 1, &n1);
            tc_tensor *r = flat ? prod_safe_zeros_bw(p, g, flat, 0) : NULL;
            return r ? preshape(p, r, x->ndim, x->shape) : NULL;
        }
        return prod_safe_zeros_bw(p, g, xi, dim);
    }
    case TC_OP_AMAX: case TC_OP_AMIN: {
        /* scale_grad_by_count(grad, result == x, dims): (grad / count) * mask */
        int64_t om[TC_MAX_DIMS];
        int64_t *eq = tc_calloc((size_t)(rk->numel ? rk->numel : 1), sizeof *eq);
        if (!eq) {
            tc_err_set(p->err, TC_ENOMEM, "out of memory");
            return NULL;
        }
        keep_map(x, mask, om);
        for (int64_t i = 0; i < x->numel; i++) {
            int64_t ri = keep_index(x, om, i);
            eq[ri] += tc_tensor_get_f64(x, i) == tc_tensor_get_f64(rk, ri);
        }
        tc_tensor *y = zero;
        for (int64_t i = 0; i < x->numel; i++) {
            int64_t ri = keep_index(x, om, i);
            double gv = tc_tensor_get_f64(g, g->numel == 1 ? 0 : ri);
            double q = rnd(t, gv / rnd(t, (double)eq[ri]));
            int m = tc_tensor_get_f64(x, i) == tc_tensor_get_f64(rk, ri);
            tc_store_f64(y, i, rnd(t, q * (m ? 1.0 : 0.0)));
        }
        tc_free(eq);
        return y;
    }
    case TC_OP_MAX: case TC_OP_MIN: {
        tc_tensor *y = zero;
        if (dim < 0) {
            /* evenly_distribute_backward: ties (or NaNs) share the gradient */
            double v = tc_tensor_get_f64(rk, 0);
            int64_t cnt = 0;
            for (int64_t i = 0; i < x->numel; i++) {
                double xv = tc_tensor_get_f64(x, i);
                cnt += isnan(v) ? isnan(xv) : xv == v;
            }
            double q = rnd(t, tc_tensor_get_f64(g, 0) / rnd(t, (double)cnt));
            for (int64_t i = 0; i < x->numel; i++) {
                double xv = tc_tensor_get_f64(x, i);
                if (isnan(v) ? isnan(xv) : xv == v)
                    tc_store_f64(y, i, q);
            }
            return y;
        }
        /* value_selecting_reduction_backward: the gradient goes to the index */
        if (x->ndim == 0)
            return expand(p, g, x);
        int64_t outer, n, inner;
        tc_lanes(x, dim, &outer, &n, &inner);
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0; i < inner; i++) {
                int64_t j = tc_tensor_get_i64(res->indices, o * inner + i);
                tc_store_f64(y, (o * n + j) * inner + i, tc_tensor_get_f64(g, o * inner + i));
            }
        return y;
    }
    case TC_OP_LOGSUMEXP: {
        /* grad * (self - result).exp(), conjugated for complex (2.6) */
        tc_tensor *d = bin(p, OP_SUB, x, rk, t);
        /* self - result has self's layout (TensorIterator follows its strides) */
        tc_tensor *e = !d ? NULL : tc_dtype_is_complex(t) && p->version == TC_TORCH_2_6
                     ? cexp_like(p, d, x) : unary(p, U_EXP, d);
        if (e && tc_dtype_is_complex(t))
            e = unary(p, U_CONJ, e);
        return e ? bin(p, OP_MUL, g, e, t) : NULL;
    }
    default:
        tc_err_set(p->err, TC_EARG, "no gradient for %s", tc_op_name(a->op));
        return NULL;
    }
}

static int is_reduction(tc_op op)
{
    return tc_op_kind_of(op) == TC_OPK_REDUCE;
}

/* "torch.Size([2, 3])" */
static void size_str(const tc_tensor *t, char *out, size_t cap)
{
    char s[TC_MAX_DIMS * 24];
    tc_shape_str(t, 0, s, sizeof s);
    snprintf(out, cap, "torch.Size(%s)", s);
}

/*
 * The upstream gradient is a tensor of the result's dtype, as
 * torch.tensor(values, dtype=y.dtype) makes it: for an integer result
 * that refuses values out of range before autograd has its say.
 */
static int check_gout_values(const tc_tensor *go, tc_dtype t, tc_err *err)
{
    for (int64_t i = 0; i < go->numel; i++) {
        tc_scalar v = {0};
        if (tc_dtype_is_complex(go->dtype)) {
            v.kind = TC_SK_COMPLEX;
            tc_tensor_get_c128(go, i, &v.re, &v.im);
        } else if (tc_dtype_is_integral(go->dtype, 1)) {
            v.kind = go->dtype == TC_BOOL ? TC_SK_BOOL : TC_SK_INT;
            v.i = tc_tensor_get_i64(go, i);
        } else {
            v.kind = TC_SK_FLOAT;
            v.re = tc_tensor_get_f64(go, i);
        }
        const char *msg = tc_scalar_check(&v, t);
        if (msg)
            return tc_err_set(err, TC_EARG, "%s", msg);
    }
    return TC_OK;
}

/*
 * op(x) as tc_op_run runs it: the checks every op shares, x.to(dtype) for
 * an op without dtype=, then its kernel (no show, no nanreduce here).
 */
static int forward(pool *p, const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err)
{
    tc_op_args b;
    tc_dtype in;
    memset(r, 0, sizeof *r);
    int rc = tc_op_prepare(a, x, &b, &in, err);
    if (rc != TC_OK)
        return rc;
    if (in != x->dtype && !(x = pconvert(p, x, in)))
        return TC_ENOMEM;
    switch (tc_op_kind_of(a->op)) {
    case TC_OPK_SCAN: return tc_scan_run(&b, x, r, err);
    case TC_OPK_ALONG: return tc_diff_run(&b, x, r, err);
    default: return tc_reduce_run(&b, x, r, err);
    }
}

int tc_op_grad(const tc_op_args *a, const tc_tensor *x, const tc_tensor *grad_output,
               tc_tensor **out, tc_err *err)
{
    /* The failure's code is read back from err: one of our own when the caller gives none. */
    tc_err scratch = {0};
    if (!err)
        err = &scratch;
    err->code = TC_OK;
    pool p = {NULL, 0, 0, err, NULL, 0, a->torch_version};
    tc_result res = {0};
    int rc;
    *out = NULL;
    if (a->op == TC_OP_SHOW)
        return tc_err_hint(err, tc_err_set(err, TC_EARG, "show has no gradient: a gradient needs an op"),
                           "op", NULL);
    if (!tc_op_has_grad(a->op))
        return tc_err_set(err, TC_EARG, "%s has no gradient: it is numpy.%s, and NumPy computes none",
                          tc_op_name(a->op), tc_op_name(a->op));

    /* The leaf: x itself, or x.to(dtype) when x is integral. */
    const tc_tensor *leaf = x;
    int float_dtype = a->has_dtype && (tc_dtype_is_float(a->dtype) || tc_dtype_is_complex(a->dtype));
    if (tc_dtype_is_integral(x->dtype, 1)) {
        if (!float_dtype)
            return tc_err_hint(err, tc_err_set(err, TC_EARG, "Only Tensors of floating point and complex dtype "
                                               "can require gradients"), "dtype", "float32");
        if (!(leaf = pconvert(&p, x, a->dtype)))
            goto fail;
    }
    if ((rc = forward(&p, a, leaf, &res, err)) != TC_OK) {
        pool_free(&p);
        return rc;
    }
    if (a->has_dtype && !float_dtype) {
        if (grad_output && check_gout_values(grad_output, res.values->dtype, err) != TC_OK)
            goto fail;
        /*
         * An integer result has no gradient.  Through x.to(dtype) autograd
         * says so; an op's own dtype= trips an internal assert in 1.13,
         * whose text is what PyTorch prints.
         */
        if (tc_op_has_dtype_arg(a->op))
            tc_err_set(err, TC_EARG,
                       "isDifferentiableType(variable.scalar_type()) INTERNAL ASSERT FAILED at"
                       " \"./torch/csrc/autograd/functions/utils.h\":%d, please report a bug to PyTorch. ",
                       a->torch_version == TC_TORCH_1_13 ? 75 : 74);
        else
            tc_err_set(err, TC_EARG, "element 0 of tensors does not require grad and does not have a grad_fn");
        goto fail;
    }
    /* autograd has no complex formula for these and refuses a complex output */
    if ((a->op == TC_OP_CUMMAX || a->op == TC_OP_CUMMIN || a->op == TC_OP_AMAX || a->op == TC_OP_AMIN)
        && tc_dtype_is_complex(res.values->dtype)) {
        tc_err_set(err, TC_EARG,
                   "%s does not support automatic differentiation for outputs with complex dtype.",
                   tc_op_name(a->op));
        goto fail;
    }

    /* The upstream gradient, in the result's dtype and shape. */
    const tc_tensor *rv = res.values;
    tc_tensor *g;
    if (grad_output) {
        char gs[TC_MAX_DIMS * 24 + 16], os[TC_MAX_DIMS * 24 + 16];
        int same = grad_output->ndim == rv->ndim;
        for (int d = 0; same && d < rv->ndim; d++)
            same = grad_output->shape[d] == rv->shape[d];
        if (!same) {
            size_str(grad_output, gs, sizeof gs);
            size_str(rv, os, sizeof os);
            tc_err_set(err, TC_EARG,
                       "Mismatch in shape: grad_output[0] has a shape of %s and output[0] has a shape of %s.",
                       gs, os);
            goto fail;
        }
        if (tc_dtype_is_complex(grad_output->dtype) != tc_dtype_is_complex(rv->dtype)) {
            tc_err_set(err, TC_EARG,
                       "For complex Tensors, both grad_output and output are required to have the same dtype."
                       " Mismatch in dtype: grad_output[0] has a dtype of %s and output[0] has a dtype of %s.",
                       tc_dtype_torch_name(grad_output->dtype), tc_dtype_torch_name(rv->dtype));
            goto fail;
        }
        if (!(g = pconvert(&p, grad_output, rv->dtype)))
            goto fail;
    } else {
        /* sum().backward(): 2.6's engine wants a real scalar, 1.13 takes ones */
        if (tc_dtype_is_complex(rv->dtype) && a->torch_version != TC_TORCH_1_13) {
            tc_err_set(err, TC_EARG,
                       "grad can be implicitly created only for real scalar outputs but got %s",
                       tc_dtype_torch_name(rv->dtype));
            goto fail;
        }
        if (!(g = pnew(&p, rv->dtype, rv->ndim, rv->shape)))
            goto fail;
        for (int64_t i = 0; i < g->numel; i++)
            tc_store_f64(g, i, 1.0);
    }

    /* The op's input: the leaf, or leaf.to(dtype) for ops without dtype=. */
    const tc_tensor *xo = leaf;
    if (a->has_dtype && !tc_op_has_dtype_arg(a->op) && a->dtype != leaf->dtype)
        if (!(xo = pconvert(&p, leaf, a->dtype)))
            goto fail;
    tc_op_args b = *a;
    b.has_dtype = tc_op_has_dtype_arg(a->op) ? a->has_dtype : 0;

    int dim = -1;
    tc_tensor *gx = NULL;
    if ((a->op == TC_OP_CUMMAX || a->op == TC_OP_CUMMIN) && xo->numel == 0) {
        /*
         * cummax_out never wraps the dim of an empty input, and
         * cummaxmin_backward returns the (empty) input as it is.
         */
        gx = pnew(&p, xo->dtype, xo->ndim, xo->shape);
    } else if (tc_op_kind_of(a->op) == TC_OPK_SCAN) {
        if (tc_dim_wrap(a->dim, xo->ndim, &dim, err) != TC_OK)
            goto fail;
        gx = scan_mod_bw(&p, &b, xo, g, dim);
    } else if (a->op == TC_OP_DIFF) {
        /* prepend and append take no gradient: x's is its slice of the joined tensor's */
        tc_tensor *joined = NULL;
        if (a->n != 0 && tc_diff_input(a, xo, &joined, err) != TC_OK)
            goto fail;
        const tc_tensor *xd = keep(&p, joined) ? joined : xo;
        if (tc_dim_wrap(a->has_dim ? a->dim : -1, xo->ndim, &dim, err) != TC_OK)
            goto fail;
        gx = a->n <= 0 ? g : diff_bw(&p, xd, g, dim, a->n);
        if (gx && xd != xo)
            gx = narrow(&p, gx, dim, a->prepend ? a->prepend->shape[dim] : 0, xo->shape[dim]);
    } else if (a->op == TC_OP_CUMTRAPZ) {
        if (tc_dim_wrap(a->has_dim ? a->dim : -1, xo->ndim, &dim, err) != TC_OK)
            goto fail;
        gx = a->x ? cumtrapz_x_bw(&p, &b, xo, g, dim) : cumtrapz_bw(&p, xo, g, dim, a->dx);
    } else if (is_reduction(a->op)) {
        /* g and the result in keepdim form */
        int64_t ks[TC_MAX_DIMS];
        bool mask[TC_MAX_DIMS];
        const tc_tensor *gk = g, *rk = rv;
        if (tc_reduce_dims(a, xo, mask, err) != TC_OK)
            goto fail;
        if (a->has_dim && a->ndims == 0 && tc_dim_wrap(a->dim, xo->ndim, &dim, err) != TC_OK)
            goto fail;
        if (a->has_dim && xo->ndim > 0 && !a->keepdim) {
            for (int d = 0; d < xo->ndim; d++)
                ks[d] = mask[d] ? 1 : xo->shape[d];
            if (!(gk = preshape(&p, g, xo->ndim, ks)) || !(rk = preshape(&p, rv, xo->ndim, ks)))
                goto fail;
        }
        /* In the result's dtype (sum, prod, mean with dtype=); the leaf's at the end. */
        gx = reduce_bw(&p, &b, xo, gk, &res, rk, dim, mask);
    } else {
        tc_err_set(err, TC_EARG, "no gradient for %s", tc_op_name(a->op));
        goto fail;
    }
    if (!gx)
        goto fail;
    /*
     * A dtype= op taking real input to a complex result hands the engine a
     * complex gradient for a real input, which it refuses (validate_outputs).
     */
    if (tc_op_has_dtype_arg(a->op) && tc_dtype_is_complex(gx->dtype) && !tc_dtype_is_complex(leaf->dtype)) {
        tc_err_set(err, TC_EARG,
                   "Expected isFloatingType(grad.scalar_type()) || (input_is_complex == grad_is_complex)"
                   " to be true, but got false.  (Could this error message be improved?  If so, please"
                   " report an enhancement request to PyTorch.)");
        goto fail;
    }
    /* The engine casts each gradient to its input's dtype. */
    if (tc_tensor_convert_version(gx, leaf->dtype, a->torch_version, out, err) != TC_OK)
        goto fail;
    tc_result_free(&res);
    pool_free(&p);
    return TC_OK;

fail:
    tc_result_free(&res);
    pool_free(&p);
    *out = NULL;
    return err->code ? err->code : TC_EARG;
}
