/* tensor.c - allocation, shapes and layouts, element access and x.to(dtype). */
#include "tc_private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void tc_meta_of(const tc_tensor *x, tc_meta *m)
{
    memset(m, 0, sizeof *m);
    m->dtype = x->dtype;
    m->ndim = x->ndim;
    memcpy(m->shape, x->shape, (size_t)x->ndim * sizeof *m->shape);
}

void tc_tensor_header(tc_tensor *h, tc_dtype t, int ndim, const int64_t *shape)
{
    memset(h, 0, sizeof *h);
    h->dtype = t;
    h->ndim = ndim;
    h->numel = 1;
    for (int d = 0; d < ndim; d++) {
        h->shape[d] = shape[d];
        /* saturated: the checks ask only whether there are elements */
        if (!tc_mul_ok(h->numel, shape[d], &h->numel))
            h->numel = INT64_MAX;
    }
}

tc_tensor *tc_tensor_new(tc_dtype t, int ndim, const int64_t *shape, tc_err *err)
{
    if (ndim < 0 || ndim > TC_MAX_DIMS) {
        tc_err_set(err, TC_EARG, "too many dimensions %d (the limit is %d)", ndim, TC_MAX_DIMS);
        return NULL;
    }
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) {
            tc_err_set(err, TC_EARG, "negative dimension %lld", (long long)shape[i]);
            return NULL;
        }
        if (!tc_mul_ok(numel, shape[i], &numel)) {
            tc_err_set(err, TC_ENOMEM, "tensor too large: its element count overflows");
            return NULL;
        }
    }
    size_t esz = tc_dtype_size(t);
    if ((uint64_t)numel > SIZE_MAX / esz || !tc_mem_fits((uint64_t)numel * esz)) {
        tc_err_set(err, TC_ENOMEM, "tensor too large: %lld %s elements do not fit in memory",
                   (long long)numel, tc_dtype_name(t));
        return NULL;
    }
    tc_tensor *x = tc_calloc(1, sizeof *x);
    /* Always allocate at least one element so data is never NULL. */
    void *data = tc_calloc(numel ? (size_t)numel : 1, esz);
    if (!x || !data) {
        tc_free(x);
        tc_free(data);
        tc_err_set(err, TC_ENOMEM, "out of memory allocating %lld elements", (long long)numel);
        return NULL;
    }
    x->dtype = t;
    x->ndim = ndim;
    if (ndim)
        memcpy(x->shape, shape, (size_t)ndim * sizeof *shape);
    x->numel = numel;
    x->data = data;
    return x;
}

void tc_tensor_free(tc_tensor *t)
{
    if (t) {
        tc_free(t->data);
        tc_free(t);
    }
}

tc_tensor *tc_tensor_clone(const tc_tensor *t, tc_err *err)
{
    tc_tensor *c = tc_tensor_new(t->dtype, t->ndim, t->shape, err);
    if (c) {
        if (t->numel)
            memcpy(c->data, t->data, (size_t)t->numel * tc_dtype_size(t->dtype));
        tc_tensor_set_layout(c, t);
    }
    return c;
}

/* ---- layouts ------------------------------------------------------------------ */

static void c_strides(int ndim, const int64_t *shape, int64_t *strides)
{
    int64_t st = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        strides[d] = st;
        st *= shape[d] > 1 ? shape[d] : 1;
    }
}

bool tc_strides_are_c(int ndim, const int64_t *shape, const int64_t *strides)
{
    int64_t st = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        if (shape[d] == 1)
            continue;
        if (shape[d] == 0)
            return true;    /* empty: no element has a place */
        if (strides[d] != st)
            return false;
        st *= shape[d];
    }
    return true;
}

void tc_tensor_set_layout(tc_tensor *y, const tc_tensor *x)
{
    y->strided = x->strided && x->ndim == y->ndim && x->numel == y->numel && x->numel > 0 &&
                 !tc_strides_are_c(x->ndim, x->shape, x->strides);
    if (y->strided)
        memcpy(y->strides, x->strides, (size_t)x->ndim * sizeof *x->strides);
}

void tc_tensor_strides(const tc_tensor *x, int64_t *strides)
{
    if (x->strided)
        memcpy(strides, x->strides, (size_t)x->ndim * sizeof *strides);
    else
        c_strides(x->ndim, x->shape, strides);
}

/*
 * A dense layout is a permutation of the dims: the memory position p
 * splits into indices by the strides, largest first.
 */
int64_t tc_tensor_logical_index(const tc_tensor *x, int64_t p)
{
    if (!x->strided)
        return p;
    int order[TC_MAX_DIMS], n = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (x->shape[d] <= 1)
            continue;
        int k = n++;
        while (k > 0 && x->strides[order[k - 1]] < x->strides[d]) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = d;
    }
    int64_t idx[TC_MAX_DIMS] = {0}, c = 0;
    for (int k = 0; k < n; k++) {
        idx[order[k]] = p / x->strides[order[k]];
        p %= x->strides[order[k]];
    }
    for (int d = 0; d < x->ndim; d++)
        c = c * x->shape[d] + idx[d];
    return c;
}

/*
 * ATen's computeStride: the strides of x.view(shape) where a view is
 * possible (false where reshape must copy).  numel > 0.
 */
static bool view_strides(const tc_tensor *x, const int64_t *ost, int ndim, const int64_t *shape,
                         int64_t *nst)
{
    if (x->ndim == 0) {
        for (int d = 0; d < ndim; d++)
            nst[d] = 1;
        return true;
    }
    int view_d = ndim - 1;
    int64_t chunk = ost[x->ndim - 1], tnumel = 1, vnumel = 1;
    for (int td = x->ndim - 1; td >= 0; td--) {
        tnumel *= x->shape[td];
        if (td == 0 || (x->shape[td - 1] != 1 && ost[td - 1] != tnumel * chunk)) {
            while (view_d >= 0 && (vnumel < tnumel || shape[view_d] == 1)) {
                nst[view_d] = vnumel * chunk;
                vnumel *= shape[view_d];
                view_d--;
            }
            if (vnumel != tnumel)
                return false;
            if (td > 0) {
                chunk = ost[td - 1];
                tnumel = 1;
                vnumel = 1;
            }
        }
    }
    return view_d == -1;
}

/* ---- the one shape formatter ----------------------------------------------------- */

void tc_dims_str(int ndim, const int64_t *dims, char open, char *out, size_t cap)
{
    size_t len = 0;
    if (cap < 8) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[len++] = open;
    for (int i = 0; i < ndim; i++) {
        if (len + 28 >= cap) {
            len += (size_t)snprintf(out + len, cap - len, ", ...");
            break;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%lld", i ? ", " : "", (long long)dims[i]);
    }
    if (open == '(' && ndim == 1)
        out[len++] = ',';
    out[len++] = open == '(' ? ')' : ']';
    out[len] = '\0';
}

void tc_shape_str(const tc_tensor *x, int parens, char *out, size_t cap)
{
    tc_dims_str(x->ndim, x->shape, parens ? '(' : '[', out, cap);
}

int tc_tensor_reshape(const tc_tensor *x, int ndim, const int64_t *shape,
                      tc_tensor **out, tc_err *err)
{
    *out = NULL;
    int64_t sz[TC_MAX_DIMS] = {0};   /* (zeroed for the analyzer: only sz[0, ndim) is read) */
    int infer = -1;
    int64_t known = 1;
    if (ndim > TC_MAX_DIMS)
        return tc_err_set(err, TC_EARG, "too many dimensions %d (the limit is %d)", ndim, TC_MAX_DIMS);
    for (int i = 0; i < ndim; i++) {
        sz[i] = shape[i];
        if (shape[i] == -1) {
            if (infer >= 0)
                return tc_err_set(err, TC_EARG, "only one dimension can be inferred");
            infer = i;
        } else if (shape[i] < 0) {
            return tc_err_set(err, TC_EARG, "invalid shape dimension %lld", (long long)shape[i]);
        } else if (known >= 0 && !tc_mul_ok(known, shape[i], &known)) {
            known = -1;   /* overflowed: no size matches; sz[] is still filled */
        }
    }
    char want[TC_DIMS_STR_MAX];
    tc_dims_str(ndim, shape, '[', want, sizeof want);
    if (infer >= 0 && known > 0 && x->numel % known == 0) {
        sz[infer] = x->numel / known;
    } else if (infer >= 0 && known == 0) {
        return tc_err_set(err, TC_ESHAPE,
                          "cannot reshape tensor of %lld elements into shape %s because the unspecified dimension size -1 can be any value and is ambiguous",
                          (long long)x->numel, want);
    } else if (infer >= 0 || known != x->numel) {
        return tc_err_set(err, TC_ESHAPE, "shape '%s' is invalid for input of size %lld", want, (long long)x->numel);
    }
    tc_tensor *r = tc_tensor_new(x->dtype, ndim, sz, err);
    if (!r)
        return TC_ENOMEM;
    if (x->numel)
        memcpy(r->data, x->data, (size_t)x->numel * tc_dtype_size(x->dtype));
    /* reshape is a view where computeStride allows one, and views keep strides */
    int64_t st[TC_MAX_DIMS];
    if (x->strided && x->numel > 0 && view_strides(x, x->strides, ndim, sz, st) &&
        !tc_strides_are_c(ndim, sz, st)) {
        r->strided = 1;
        memcpy(r->strides, st, (size_t)ndim * sizeof *st);
    }
    *out = r;
    return TC_OK;
}

int tc_dim_wrap(int64_t dim, int ndim, int *out, tc_err *err)
{
    int64_t n = ndim > 0 ? ndim : 1;
    if (dim < -n || dim >= n)
        return tc_err_set(err, TC_EDIM,
                          "Dimension out of range (expected to be in range of [%lld, %lld], but got %lld)",
                          (long long)-n, (long long)(n - 1), (long long)dim);
    *out = (int)(dim < 0 ? dim + n : dim);
    return TC_OK;
}

void tc_lanes(const tc_tensor *x, int dim, int64_t *outer, int64_t *n, int64_t *inner)
{
    int64_t o = 1, in = 1;
    if (x->ndim == 0) {
        *outer = *n = *inner = 1;
        return;
    }
    /*
     * In an empty tensor the dims on one side of a zero can multiply past
     * int64 (shape (0, 2**40, 2**40) is valid): an empty side makes both
     * sides 0, so no loop runs over lanes that hold nothing, and the
     * products saturate (a tensor built from them is refused as too large).
     */
    bool empty = false;
    for (int i = 0; i < x->ndim; i++)
        empty |= i != dim && x->shape[i] == 0;
    for (int i = 0; i < dim && !empty; i++)
        if (!tc_mul_ok(o, x->shape[i], &o))
            o = INT64_MAX;
    for (int i = dim + 1; i < x->ndim && !empty; i++)
        if (!tc_mul_ok(in, x->shape[i], &in))
            in = INT64_MAX;
    *outer = empty ? 0 : o;
    *n = x->shape[dim];
    *inner = empty ? 0 : in;
}

double tc_tensor_get_f64(const tc_tensor *t, int64_t i)
{
    const void *d = t->data;
    switch (t->dtype) {
    case TC_BOOL: case TC_UINT8: return ((const uint8_t *)d)[i];
    case TC_INT8: return ((const int8_t *)d)[i];
    case TC_INT16: return ((const int16_t *)d)[i];
    case TC_INT32: return ((const int32_t *)d)[i];
    case TC_INT64: return (double)((const int64_t *)d)[i];
    case TC_UINT16: return ((const uint16_t *)d)[i];
    case TC_UINT32: return ((const uint32_t *)d)[i];
    case TC_UINT64: return (double)((const uint64_t *)d)[i];
    case TC_FLOAT16: return tc_half_to_float(((const uint16_t *)d)[i]);
    case TC_BFLOAT16: return tc_bf16_to_float(((const uint16_t *)d)[i]);
    case TC_FLOAT32: return ((const float *)d)[i];
    case TC_FLOAT64: return ((const double *)d)[i];
    case TC_COMPLEX64: return ((const float *)d)[2 * i];
    case TC_COMPLEX128: return ((const double *)d)[2 * i];
    default: return 0;
    }
}

void tc_tensor_get_c128(const tc_tensor *t, int64_t i, double *re, double *im)
{
    if (t->dtype == TC_COMPLEX64) {
        *re = ((const float *)t->data)[2 * i];
        *im = ((const float *)t->data)[2 * i + 1];
    } else if (t->dtype == TC_COMPLEX128) {
        *re = ((const double *)t->data)[2 * i];
        *im = ((const double *)t->data)[2 * i + 1];
    } else {
        *re = tc_tensor_get_f64(t, i);
        *im = 0;
    }
}

int64_t tc_tensor_get_i64(const tc_tensor *t, int64_t i)
{
    const void *d = t->data;
    switch (t->dtype) {
    case TC_BOOL: case TC_UINT8: return ((const uint8_t *)d)[i];
    case TC_INT8: return ((const int8_t *)d)[i];
    case TC_INT16: return ((const int16_t *)d)[i];
    case TC_INT32: return ((const int32_t *)d)[i];
    case TC_INT64: return ((const int64_t *)d)[i];
    case TC_UINT16: return ((const uint16_t *)d)[i];
    case TC_UINT32: return ((const uint32_t *)d)[i];
    case TC_UINT64: return (int64_t)((const uint64_t *)d)[i];   /* the bits */
    default: return tc_cast_f64_to_i64(tc_tensor_get_f64(t, i));
    }
}

uint64_t tc_tensor_get_u64(const tc_tensor *t, int64_t i)
{
    return t->dtype == TC_UINT64 ? ((const uint64_t *)t->data)[i] : (uint64_t)tc_tensor_get_i64(t, i);
}

void tc_result_free(tc_result *r)
{
    if (r) {
        tc_tensor_free(r->values);
        tc_tensor_free(r->indices);
        r->values = r->indices = NULL;
        r->name = NULL;
    }
}

/* ---- element stores and x.to(dtype) -------------------------------------- */

/*
 * Every conversion here reproduces what PyTorch's CPU copy kernel stores
 * on x86-64, including the cases C leaves undefined (NaN or out-of-range
 * floats cast to integers), which are written out explicitly.
 */

/* Keep the low bits of v, as a two's-complement narrowing store does. */
static int8_t wrap_i8(int64_t v)
{
    uint8_t u = (uint8_t)(uint64_t)v;
    return u < 0x80 ? (int8_t)u : (int8_t)(u - 256);
}

static int16_t wrap_i16(int64_t v)
{
    uint16_t u = (uint16_t)(uint64_t)v;
    return u < 0x8000 ? (int16_t)u : (int16_t)((int32_t)u - 65536);
}

static int32_t wrap_i32(int64_t v)
{
    uint32_t u = (uint32_t)(uint64_t)v;
    return u < 0x80000000u ? (int32_t)u : (int32_t)((int64_t)u - 4294967296LL);
}

/*
 * x86-64's unsigned conversions as GCC compiles static_cast<uint64_t>(v):
 * below 2^63 (and NaN) cvttsd2si, else cvttsd2si(v - 2^63) with the top bit
 * flipped, so 2^64 and above (and +inf) give 0, NaN and -inf 2^63.
 */
static uint64_t cast_f64_to_u64(double v)
{
    if (!(v >= 0x1p63))
        return (uint64_t)tc_cast_f64_to_i64(v);
    return (uint64_t)tc_cast_f64_to_i64(v - 0x1p63) ^ ((uint64_t)1 << 63);
}

/*
 * static_cast<uint32_t>(v) in the copy kernel's scalar code: a 64-bit
 * cvttsd2si, low 32 bits (NaN, inf and 1e20 give 0, -3e9 gives 1294967296).
 */
static uint32_t cast_f64_to_u32(double v)
{
    return (uint32_t)(uint64_t)tc_cast_f64_to_i64(v);
}

/*
 * The same in GCC's vectorized form of that loop, which uses the 32-bit
 * cvttps2dq: values from 2^31 on are converted less 2^31 with the top bit
 * flipped; NaN and whatever else is out of range give 2^31.
 */
static uint32_t cast_f64_to_u32_vec(double v)
{
    if (v >= 0x1p31)
        return (uint32_t)tc_cast_f64_to_i32(v - 0x1p31) ^ 0x80000000u;
    return (uint32_t)tc_cast_f64_to_i32(v);
}

/* ---- stores --------------------------------------------------------------- */

/*
 * A double (from a real float source) into element i.  Verified against
 * torch: uint8, int64 and uint32 targets go through a 64-bit truncation,
 * int8, int16, uint16 and int32 through a 32-bit one, uint64 through the
 * unsigned conversion above; float16 and bfloat16 round twice (double ->
 * float -> half), as c10's Half(float) constructor does.
 */
void tc_store_f64(tc_tensor *t, int64_t i, double v)
{
    void *d = t->data;
    switch (t->dtype) {
    case TC_BOOL: ((uint8_t *)d)[i] = v != 0; break;   /* NaN != 0: true */
    case TC_UINT8: ((uint8_t *)d)[i] = (uint8_t)(uint64_t)tc_cast_f64_to_i64(v); break;
    case TC_INT8: ((int8_t *)d)[i] = wrap_i8(tc_cast_f64_to_i32(v)); break;
    case TC_INT16: ((int16_t *)d)[i] = wrap_i16(tc_cast_f64_to_i32(v)); break;
    case TC_INT32: ((int32_t *)d)[i] = tc_cast_f64_to_i32(v); break;
    case TC_INT64: ((int64_t *)d)[i] = tc_cast_f64_to_i64(v); break;
    case TC_UINT16: ((uint16_t *)d)[i] = (uint16_t)(uint32_t)tc_cast_f64_to_i32(v); break;
    case TC_UINT32: ((uint32_t *)d)[i] = cast_f64_to_u32(v); break;
    case TC_UINT64: ((uint64_t *)d)[i] = cast_f64_to_u64(v); break;
    case TC_FLOAT16: ((uint16_t *)d)[i] = tc_float_to_half((float)v); break;
    case TC_BFLOAT16: ((uint16_t *)d)[i] = tc_float_to_bf16((float)v); break;
    case TC_FLOAT32: ((float *)d)[i] = (float)v; break;
    case TC_FLOAT64: ((double *)d)[i] = v; break;
    case TC_COMPLEX64: ((float *)d)[2 * i] = (float)v; ((float *)d)[2 * i + 1] = 0; break;
    case TC_COMPLEX128: ((double *)d)[2 * i] = v; ((double *)d)[2 * i + 1] = 0; break;
    default: break;
    }
}

/* An int64 (from a signed integer or bool source) into element i: wraps on narrowing. */
void tc_store_i64(tc_tensor *t, int64_t i, int64_t v)
{
    void *d = t->data;
    switch (t->dtype) {
    case TC_BOOL: ((uint8_t *)d)[i] = v != 0; break;
    case TC_UINT8: ((uint8_t *)d)[i] = (uint8_t)(uint64_t)v; break;
    case TC_INT8: ((int8_t *)d)[i] = wrap_i8(v); break;
    case TC_INT16: ((int16_t *)d)[i] = wrap_i16(v); break;
    case TC_INT32: ((int32_t *)d)[i] = wrap_i32(v); break;
    case TC_INT64: ((int64_t *)d)[i] = v; break;
    case TC_UINT16: ((uint16_t *)d)[i] = (uint16_t)(uint64_t)v; break;
    case TC_UINT32: ((uint32_t *)d)[i] = (uint32_t)(uint64_t)v; break;
    case TC_UINT64: ((uint64_t *)d)[i] = (uint64_t)v; break;
    /* int64 -> half/bfloat16 rounds through float, as c10 does. */
    case TC_FLOAT16: ((uint16_t *)d)[i] = tc_float_to_half((float)v); break;
    case TC_BFLOAT16: ((uint16_t *)d)[i] = tc_float_to_bf16((float)v); break;
    case TC_FLOAT32: ((float *)d)[i] = (float)v; break;
    case TC_FLOAT64: ((double *)d)[i] = (double)v; break;
    case TC_COMPLEX64: ((float *)d)[2 * i] = (float)v; ((float *)d)[2 * i + 1] = 0; break;
    case TC_COMPLEX128: ((double *)d)[2 * i] = (double)v; ((double *)d)[2 * i + 1] = 0; break;
    default: break;
    }
}

/*
 * An unsigned value (from an unsigned source) into element i: integers
 * keep the low bits, floats are the correctly rounded conversion (half and
 * bfloat16 through float).
 */
void tc_store_u64(tc_tensor *t, int64_t i, uint64_t v)
{
    void *d = t->data;
    switch (t->dtype) {
    case TC_FLOAT16: ((uint16_t *)d)[i] = tc_float_to_half((float)v); break;
    case TC_BFLOAT16: ((uint16_t *)d)[i] = tc_float_to_bf16((float)v); break;
    case TC_FLOAT32: ((float *)d)[i] = (float)v; break;
    case TC_FLOAT64: ((double *)d)[i] = (double)v; break;
    case TC_COMPLEX64: ((float *)d)[2 * i] = (float)v; ((float *)d)[2 * i + 1] = 0; break;
    case TC_COMPLEX128: ((double *)d)[2 * i] = (double)v; ((double *)d)[2 * i + 1] = 0; break;
    default: tc_store_i64(t, i, (int64_t)v); break;   /* the same bits: wraps as a narrowing does */
    }
}

/*
 * A complex value into element i: a real target takes the real part.  Even
 * bool does, as torch 1.13's copy kernel gives tensor([1j]).bool() == False
 * (2.6's is True: tc_tensor_convert_version).
 */
void tc_store_c128(tc_tensor *t, int64_t i, double re, double im)
{
    void *d = t->data;
    switch (t->dtype) {
    case TC_COMPLEX64: ((float *)d)[2 * i] = (float)re; ((float *)d)[2 * i + 1] = (float)im; break;
    case TC_COMPLEX128: ((double *)d)[2 * i] = re; ((double *)d)[2 * i + 1] = im; break;
    default: tc_store_f64(t, i, re); break;
    }
}

/*
 * How many leading elements of an n-element copy from a floating dtype to
 * uint32 GCC's vectorized loop converts (the rest take the scalar code);
 * measured on torch 2.6: 4 at a time from float32 and float64, 8 from
 * bfloat16, none from float16, and complex leaves at least one element to
 * the scalar code.
 */
static int64_t u32_vector_count(tc_dtype from, int64_t n)
{
    switch (from) {
    case TC_FLOAT32: case TC_FLOAT64: return n / 4 * 4;
    case TC_BFLOAT16: return n / 8 * 8;
    case TC_COMPLEX64: return n > 0 ? (n - 1) / 4 * 4 : 0;
    case TC_COMPLEX128: return n > 0 ? (n - 1) / 8 * 8 : 0;
    default: return 0;
    }
}

int tc_tensor_convert(const tc_tensor *x, tc_dtype t, tc_tensor **out, tc_err *err)
{
    return tc_tensor_convert_version(x, t, TC_TORCH_2_6, out, err);
}

int tc_tensor_convert_version(const tc_tensor *x, tc_dtype t, tc_torch_version v,
                              tc_tensor **out, tc_err *err)
{
    *out = NULL;
    int rc = tc_dtype_check_version(t, v, err);   /* 1.13 has no uint16 to convert to */
    if (rc != TC_OK)
        return rc;
    tc_tensor *r = tc_tensor_new(t, x->ndim, x->shape, err);
    if (!r)
        return TC_ENOMEM;
    tc_tensor_set_layout(r, x);
    int64_t n = x->numel;
    if (x->dtype == t) {
        if (n)
            memcpy(r->data, x->data, (size_t)n * tc_dtype_size(t));
    } else if (tc_dtype_is_unsigned(x->dtype)) {
        for (int64_t i = 0; i < n; i++)
            tc_store_u64(r, i, tc_tensor_get_u64(x, i));
    } else if (tc_dtype_is_integral(x->dtype, 1)) {
        for (int64_t i = 0; i < n; i++)
            tc_store_i64(r, i, tc_tensor_get_i64(x, i));
    } else if (tc_dtype_is_complex(x->dtype)) {
        /* 2.6 casts complex to bool as z != 0, 1.13 as real(z) != 0. */
        int both = t == TC_BOOL && v != TC_TORCH_1_13;
        for (int64_t i = 0; i < n; i++) {
            double re, im;
            tc_tensor_get_c128(x, i, &re, &im);
            tc_store_c128(r, i, both && im != 0 ? 1.0 : re, im);
        }
    } else {
        /* float16/bfloat16/float32 widen to double exactly. */
        for (int64_t i = 0; i < n; i++)
            tc_store_f64(r, i, tc_tensor_get_f64(x, i));
    }
    if (t == TC_UINT32 && (tc_dtype_is_float(x->dtype) || tc_dtype_is_complex(x->dtype))) {
        /* the loop runs in memory order: the vector part is the first elements there */
        int64_t nv = u32_vector_count(x->dtype, n);
        for (int64_t p = 0; p < nv; p++) {
            int64_t i = tc_tensor_logical_index(x, p);
            ((uint32_t *)r->data)[i] = cast_f64_to_u32_vec(tc_tensor_get_f64(x, i));
        }
    }
    *out = r;
    return TC_OK;
}
