/* tensor.c - allocation, shape arithmetic and element access. */
#include "tc_private.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static uint64_t user_limit;

void tc_set_memory_limit(uint64_t bytes)
{
    user_limit = bytes;
}

/* Physical memory, or RLIMIT_AS / RLIMIT_DATA if lower; UINT64_MAX if unknown. */
static uint64_t system_limit(void)
{
    uint64_t limit = UINT64_MAX;
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psz > 0 && (uint64_t)pages <= UINT64_MAX / (uint64_t)psz)
        limit = (uint64_t)pages * (uint64_t)psz;
    const int which[] = {RLIMIT_AS, RLIMIT_DATA};
    for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
        struct rlimit rl;
        if (getrlimit(which[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            (uint64_t)rl.rlim_cur < limit)
            limit = (uint64_t)rl.rlim_cur;
    }
    return limit;
}

bool tc_mem_fits(uint64_t n)
{
    /*
     * Asked once: the streaming path makes a tensor for every block read,
     * and the machine's memory does not change under one run.  Atomic, as
     * threads may ask at once; the worst race computes it twice.
     */
    static _Atomic uint64_t sys_cache;
    uint64_t sys = sys_cache;
    if (!sys)
        sys_cache = sys = system_limit();
    return n <= sys && n <= SIZE_MAX && (!user_limit || n <= user_limit);
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
    if (c && t->numel)
        memcpy(c->data, t->data, (size_t)t->numel * tc_dtype_size(t->dtype));
    return c;
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
    char want[64 * 24];
    want[0] = '\0';
    {
        size_t len = 0;
        want[len++] = '[';
        for (int i = 0; i < ndim && len < sizeof want - 24; i++)
            len += (size_t)snprintf(want + len, sizeof want - len, "%s%lld", i ? ", " : "", (long long)shape[i]);
        snprintf(want + len, sizeof want - len, "]");
    }
    if (infer >= 0 && known > 0 && x->numel % known == 0) {
        sz[infer] = x->numel / known;
    } else if (infer >= 0 && known == 0) {
        return tc_err_set(err, TC_EARG,
                          "cannot reshape tensor of %lld elements into shape %s because the unspecified dimension size -1 can be any value and is ambiguous",
                          (long long)x->numel, want);
    } else if (infer >= 0 || known != x->numel) {
        return tc_err_set(err, TC_EARG, "shape '%s' is invalid for input of size %lld", want, (long long)x->numel);
    }
    tc_tensor *r = tc_tensor_new(x->dtype, ndim, sz, err);
    if (!r)
        return err ? err->code : TC_ENOMEM;
    if (x->numel)
        memcpy(r->data, x->data, (size_t)x->numel * tc_dtype_size(x->dtype));
    *out = r;
    return TC_OK;
}

int tc_dim_wrap(int64_t dim, int ndim, int *out, tc_err *err)
{
    int64_t n = ndim > 0 ? ndim : 1;
    if (dim < -n || dim >= n)
        return tc_err_set(err, TC_EARG,
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

void tc_shape_str(const tc_tensor *x, int parens, char *out, size_t cap)
{
    size_t len = 0;
    if (cap < 4)
        return;
    out[len++] = parens ? '(' : '[';
    out[len] = '\0';
    for (int i = 0; i < x->ndim && len + 24 < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%lld", i ? ", " : "", (long long)x->shape[i]);
    if (parens && x->ndim == 1 && len + 2 < cap)
        out[len++] = ',';
    if (len + 2 < cap) {
        out[len++] = parens ? ')' : ']';
        out[len] = '\0';
    }
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
    default: return tc_cast_f64_to_i64(tc_tensor_get_f64(t, i));
    }
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
