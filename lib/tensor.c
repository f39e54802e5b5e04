/* tensor.c - allocation, shapes and layouts, and element access. */
#include "tc_private.h"

#include <stdio.h>
#include <string.h>

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

void tc_dims_put(tc_buf *b, int ndim, const int64_t *dims, char open)
{
    char s[TC_DIMS_STR_MAX];
    tc_dims_str(ndim, dims, open, s, sizeof s);
    tc_buf_puts(b, s);
}

void tc_shape_str(const tc_tensor *x, int parens, char *out, size_t cap)
{
    tc_dims_str(x->ndim, x->shape, parens ? '(' : '[', out, cap);
}

int tc_tensor_reshape(const tc_tensor *x, int ndim, const int64_t *shape,
                      tc_tensor **out, tc_err *err)
{
    *out = NULL;
    int64_t sz[TC_MAX_DIMS];
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
