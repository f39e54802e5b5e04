/*
 * read_npy.c - NumPy .npy files (format versions 1.0, 2.0 and 3.0).
 *
 * Layout: "\x93NUMPY", major and minor version bytes, a little-endian
 * header length (2 bytes in 1.0, 4 in 2.0 and 3.0), then the header, a
 * Python dict literal such as
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * and the raw elements.  The file may be hostile: every length is checked
 * against the bytes actually present before anything is allocated, and the
 * dict is parsed by a small strict parser rather than trusted.
 *
 * A Fortran-order file gives the tensor torch.from_numpy(np.load(f))
 * gives: its data are stored here in C order like every tensor's, and its
 * column-major strides are kept as the tensor's layout (tc_tensor.strided),
 * which the reductions follow.
 */
#include "tc_private.h"

#include <stdio.h>
#include <string.h>

#define NPY_TYPES "b1 u1 u2 u4 u8 i1 i2 i4 i8 f2 f4 f8 c8 c16"

typedef struct npy_header {
    char descr[16];
    int have_descr, have_fortran, have_shape;
    int fortran;
    int ndim;
    int64_t shape[TC_MAX_DIMS];
} npy_header;

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool eat(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* A quoted Python string ('...' or "...") without escapes, copied to s. */
static const char *parse_string(cursor *c, char *s, size_t cap)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return "invalid npy header: expected a quoted string";
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || *c->p == '\n')
            return "invalid npy header: unsupported character in a string";
        if (n + 1 < cap)
            s[n] = *c->p;
        n++;
        c->p++;
    }
    if (c->p >= c->end)
        return "invalid npy header: unterminated string";
    c->p++;
    if (n + 1 > cap)
        return "invalid npy header: unexpected long string";
    s[n] = '\0';
    return NULL;
}

static bool starts(const cursor *c, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0;
}

static const char *parse_bool(cursor *c, int *out)
{
    skip_space(c);
    if (starts(c, "True")) {
        c->p += 4;
        *out = 1;
    } else if (starts(c, "False")) {
        c->p += 5;
        *out = 0;
    } else {
        return "invalid npy header: 'fortran_order' must be True or False";
    }
    return NULL;
}

/* A tuple of non-negative integers: (), (3,), (2, 3), (2L, 3L). */
static const char *parse_shape(cursor *c, npy_header *h)
{
    if (!eat(c, '('))
        return "invalid npy header: 'shape' must be a tuple of integers";
    h->ndim = 0;
    for (;;) {
        if (eat(c, ')'))
            return NULL;
        skip_space(c);
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return "invalid npy header: 'shape' must be a tuple of non-negative integers";
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            int d = *c->p++ - '0';
            if (v > (INT64_MAX - d) / 10)
                return "invalid npy header: a dimension in 'shape' is too large";
            v = v * 10 + d;
        }
        if (c->p < c->end && (*c->p == 'L' || *c->p == 'l'))
            c->p++;                  /* Python 2's long suffix */
        if (h->ndim == TC_MAX_DIMS)
            return "invalid npy header: too many dimensions (the limit is 64)";
        h->shape[h->ndim++] = v;
        if (eat(c, ','))
            continue;
        if (eat(c, ')'))
            return NULL;
        return "invalid npy header: expected ',' or ')' in 'shape'";
    }
}

static const char *parse_header(const char *p, size_t n, npy_header *h)
{
    cursor c = {p, p + n};
    memset(h, 0, sizeof *h);
    if (!eat(&c, '{'))
        return "invalid npy header: expected a dict";
    for (;;) {
        if (eat(&c, '}'))
            break;
        char key[32];
        TRY(parse_string(&c, key, sizeof key));
        if (!eat(&c, ':'))
            return "invalid npy header: expected ':' after a key";
        if (!strcmp(key, "descr")) {
            skip_space(&c);
            if (c.p < c.end && *c.p == '[')
                return "unsupported npy dtype: structured arrays are not tensors";
            TRY(parse_string(&c, h->descr, sizeof h->descr));
            h->have_descr = 1;
        } else if (!strcmp(key, "fortran_order")) {
            TRY(parse_bool(&c, &h->fortran));
            h->have_fortran = 1;
        } else if (!strcmp(key, "shape")) {
            TRY(parse_shape(&c, h));
            h->have_shape = 1;
        } else {
            return "invalid npy header: unexpected key (expected 'descr', 'fortran_order' and 'shape')";
        }
        if (eat(&c, ','))
            continue;
        if (eat(&c, '}'))
            break;
        return "invalid npy header: expected ',' or '}'";
    }
    skip_space(&c);
    if (c.p != c.end)
        return "invalid npy header: junk after the dict";
    if (!h->have_descr)
        return "invalid npy header: missing key 'descr'";
    if (!h->have_fortran)
        return "invalid npy header: missing key 'fortran_order'";
    if (!h->have_shape)
        return "invalid npy header: missing key 'shape'";
    return NULL;
}

/* descr such as "<f4" into a dtype and whether its bytes need swapping. */
static bool parse_descr(const char *d, tc_dtype *t, bool *swap)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    bool host_big = first == 0;
    bool big = host_big;
    if (*d == '<' || *d == '>' || *d == '|' || *d == '=') {
        if (*d == '<')
            big = false;
        else if (*d == '>')
            big = true;
        d++;
    }
    for (int k = 0; k < TC_NDTYPES; k++) {
        const char *code = tc_dtype_info_of((tc_dtype)k)->npy;
        if ((code && !strcmp(d, code)) || (k == TC_BOOL && !strcmp(d, "?"))) {
            *t = (tc_dtype)k;
            *swap = big != host_big && tc_dtype_size(*t) > 1;
            return true;
        }
    }
    return false;
}

/* Copy one element of esz bytes, reversing each w-byte word if swap. */
static void copy_elem(unsigned char *dst, const unsigned char *src, size_t esz, size_t w, bool swap)
{
    if (!swap) {
        memcpy(dst, src, esz);
        return;
    }
    for (size_t k = 0; k < esz; k += w)
        for (size_t j = 0; j < w; j++)
            dst[k + j] = src[k + w - 1 - j];
}

int tc_read_npy(const char *data, size_t n, const tc_read_opts *o,
                tc_tensor **out, tc_err *err)
{
    *out = NULL;
    const unsigned char *u = (const unsigned char *)data;
    /* A proper prefix of the magic is a truncated file, not another format. */
    size_t k = n < 6 ? n : 6;
    if (k == 0 || memcmp(data, "\x93NUMPY", k) != 0)
        return tc_err_set(err, TC_EINPUT, "not an npy file (it does not start with \\x93NUMPY)");
    if (n < 10)
        return tc_err_set(err, TC_EINPUT, "truncated npy file: %zu bytes is too short for the header", n);
    int major = u[6], minor = u[7];
    size_t start;
    uint64_t hlen;
    if (major == 1 && minor == 0) {
        hlen = (uint64_t)u[8] | (uint64_t)u[9] << 8;
        start = 10;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (n < 12)
            return tc_err_set(err, TC_EINPUT, "truncated npy file: %zu bytes is too short for the header", n);
        hlen = (uint64_t)u[8] | (uint64_t)u[9] << 8 | (uint64_t)u[10] << 16 | (uint64_t)u[11] << 24;
        start = 12;
    } else {
        return tc_err_set(err, TC_EINPUT, "unsupported npy format version %d.%d (tcum reads 1.0, 2.0 and 3.0)",
                          major, minor);
    }
    if (hlen > n - start)
        return tc_err_set(err, TC_EINPUT,
                          "truncated npy header: its length field says %llu bytes but only %zu follow",
                          (unsigned long long)hlen, n - start);
    npy_header h;
    const char *msg = parse_header(data + start, (size_t)hlen, &h);
    if (msg)
        return tc_err_set(err, TC_EINPUT, "%s", msg);
    tc_dtype t;
    bool swap;
    if (!parse_descr(h.descr, &t, &swap))
        return tc_err_set(err, TC_EINPUT, "unsupported npy dtype '%s' (tcum reads " NPY_TYPES ")", h.descr);
    if (o && o->torch_version == TC_TORCH_1_13 && tc_dtype_info_of(t)->since) {
        /* torch.from_numpy's refusal in 1.13, which has no unsigned type but uint8 */
        tc_err_set(err, TC_EDTYPE,
                   "can't convert np.ndarray of type numpy.%s. The only supported types are: float64, "
                   "float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.",
                   tc_dtype_name(t));
        return tc_err_hint(err, TC_EDTYPE, "torch_version", "2.6");
    }

    /* Validate the size against the bytes present before allocating. */
    size_t esz = tc_dtype_size(t);
    size_t avail = n - start - (size_t)hlen;
    int64_t numel = 1;
    bool empty = false;
    for (int d = 0; d < h.ndim; d++)
        empty |= h.shape[d] == 0;
    if (!empty) {
        for (int d = 0; d < h.ndim; d++)
            if (!tc_mul_ok(numel, h.shape[d], &numel))
                return tc_err_set(err, TC_EINPUT, "invalid npy header: the shape's element count overflows");
    } else {
        numel = 0;
    }
    /* numel * esz itself may not fit in size_t (the message would wrap). */
    if ((uint64_t)numel > SIZE_MAX / esz)
        return tc_err_set(err, TC_EINPUT, "invalid npy header: the shape's size in bytes overflows");
    if ((uint64_t)numel > avail / esz)
        return tc_err_set(err, TC_EINPUT,
                          "truncated npy data: the shape needs %lld elements (%llu bytes) but only %zu bytes follow the header",
                          (long long)numel, (unsigned long long)numel * esz, avail);

    tc_tensor *x = tc_tensor_new(t, h.ndim, h.shape, err);
    if (!x)
        return TC_ENOMEM;   /* the header's shape is checked: only memory can fail */
    const unsigned char *src = u + start + hlen;
    unsigned char *dst = x->data;
    size_t w = tc_dtype_is_complex(t) ? esz / 2 : esz;
    if (!h.fortran || h.ndim < 2) {
        if (!swap)
            memcpy(dst, src, (size_t)numel * esz);
        else
            for (int64_t i = 0; i < numel; i++)
                copy_elem(dst + (size_t)i * esz, src + (size_t)i * esz, esz, w, swap);
    } else if (numel > 0) {
        /* Fortran order: walk C order keeping the column-major offset. */
        int64_t idx[TC_MAX_DIMS] = {0}, fstride[TC_MAX_DIMS];
        fstride[0] = 1;
        for (int d = 1; d < h.ndim; d++)
            fstride[d] = fstride[d - 1] * h.shape[d - 1];
        int64_t off = 0;
        for (int64_t i = 0; i < numel; i++) {
            copy_elem(dst + (size_t)i * esz, src + (size_t)off * esz, esz, w, swap);
            for (int d = h.ndim - 1; d >= 0; d--) {
                off += fstride[d];
                if (++idx[d] < h.shape[d])
                    break;
                off -= fstride[d] * h.shape[d];
                idx[d] = 0;
            }
        }
    }
    if (t == TC_BOOL)
        for (int64_t i = 0; i < numel; i++)
            dst[i] = dst[i] != 0;   /* any nonzero byte is True, as in NumPy */
    if (h.fortran && numel > 0) {
        /* torch.from_numpy keeps NumPy's strides: column-major */
        int64_t st = 1;
        for (int d = 0; d < h.ndim; d++) {
            x->strides[d] = st;
            st *= h.shape[d];
        }
        x->strided = !tc_strides_are_c(x->ndim, x->shape, x->strides);
    }

    if (o && o->has_input_dtype && o->input_dtype != t) {
        tc_tensor *y = NULL;
        int rc = tc_tensor_convert(x, o->input_dtype, &y, err);
        tc_tensor_free(x);
        if (rc != TC_OK)
            return rc;
        x = y;
    }
    *out = x;
    return TC_OK;
}
