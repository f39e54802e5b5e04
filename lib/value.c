/*
 * value.c - literals, torch.tensor's dtype inference and storage rules, and
 * the nested-list shape checks shared by the readers.
 *
 * Every reader turns its tokens into tc_scalar values as Python would type
 * them (bool, int, float, complex), appends them to a tc_values list and
 * finally asks for a tensor.  What torch.tensor(values, dtype=T) does with
 * each Python value lives here, in one place:
 *
 *   T bool       any value != 0 (nan and huge integers included)
 *   T integral   range-checked ("value cannot be converted to type int8
 *                without overflow"); floats truncate; uint8 accepts -255..-1
 *                as PyTorch's c10::checked_convert does; complex is refused
 *   T floating   through double, then float, then half/bfloat16 (c10's Half
 *                and BFloat16 are built from a float); complex is refused
 *   T complex    each part through double
 */
#include "tc_private.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- literals ------------------------------------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_trim_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* Does s[0..n) start with word (lowercase), ignoring case? */
static bool has_word(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (lower(s[i]) != word[i])
            return false;
    return true;
}

/*
 * Length of the longest prefix of s that is a real number in Python's
 * float() syntax without underscores: [sign] (digits [. digits] | . digits)
 * [e [sign] digits], or [sign] nan|inf|infinity.  0 if there is none.
 * *is_int is set when the prefix is [sign] digits only.
 */
static size_t scan_real(const char *s, size_t n, bool *is_int)
{
    size_t i = 0, nd = 0;
    *is_int = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (has_word(s + i, n - i, "infinity"))
        return i + 8;
    if (has_word(s + i, n - i, "inf") || has_word(s + i, n - i, "nan"))
        return i + 3;
    while (i < n && is_digit(s[i]))
        i++, nd++;
    bool frac = false;
    if (i < n && s[i] == '.') {
        size_t j = i + 1;
        while (j < n && is_digit(s[j]))
            j++, nd++;
        frac = true;
        i = j;
    }
    if (nd == 0)
        return 0;
    if (!frac)
        *is_int = true;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && is_digit(s[j])) {
            while (j < n && is_digit(s[j]))
                j++;
            *is_int = false;
            i = j;
        }
    }
    return i;
}

/*
 * strtod on a validated slice (it needs a NUL).  glibc's strtod is correctly
 * rounded; it is locale-dependent, and the "C" locale is assumed.
 */
static double slice_to_double(const char *s, size_t n)
{
    /* The common case at memory speed: fast_float through libstdc++. */
    double d;
    size_t k = n && s[0] == '+';
    if (n > k && tc_cc_parse_f64(s + k, n - k, &d) == n - k)
        return d;
    char small[128];
    char *p = n < sizeof small ? small : tc_malloc(n + 1);
    if (!p)
        return NAN;   /* only for absurdly long literals under memory pressure */
    memcpy(p, s, n);
    p[n] = '\0';
    d = strtod(p, NULL);
    if (p != small)
        tc_free(p);
    return d;
}

/* An integer literal ([sign] digits): INT if it fits in int64, else BIGINT. */
static void parse_int(const char *s, size_t n, tc_scalar *out)
{
    size_t i = 0;
    bool neg = false;
    if (s[i] == '+' || s[i] == '-')
        neg = s[i++] == '-';
    uint64_t u = 0;
    bool over = false;
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (u > (UINT64_MAX - d) / 10)
            over = true;
        else
            u = u * 10 + d;
    }
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (over || u > lim) {
        out->kind = over || neg ? TC_SK_BIGINT : TC_SK_UBIG;
        out->i = (int64_t)u;    /* UBIG's bits; meaningless for BIGINT */
        out->re = slice_to_double(s, n);
        return;
    }
    out->kind = TC_SK_INT;
    /* Two's complement negation in uint64_t: no signed overflow at INT64_MIN. */
    uint64_t w = neg ? (uint64_t)0 - u : u;
    out->i = w <= (uint64_t)INT64_MAX ? (int64_t)w : -(int64_t)(UINT64_MAX - w) - 1;
}

bool tc_scalar_parse(const char *s, size_t n, tc_scalar *out)
{
    memset(out, 0, sizeof *out);
    while (n && is_trim_space(*s))
        s++, n--;
    while (n && is_trim_space(s[n - 1]))
        n--;
    bool paren = false;
    if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
        /* Python's complex() accepts "(1+2j)". */
        s++, n -= 2;
        paren = true;
    }
    if (n == 0)
        return false;
    if (!paren && n == 4 && has_word(s, n, "true")) {
        out->kind = TC_SK_BOOL;
        out->i = 1;
        return true;
    }
    if (!paren && n == 5 && has_word(s, n, "false")) {
        out->kind = TC_SK_BOOL;
        return true;
    }
    bool is_int;
    size_t k = scan_real(s, n, &is_int);
    if (k == n) {
        if (paren) {
            out->kind = TC_SK_COMPLEX;
            out->re = slice_to_double(s, n);
        } else if (is_int) {
            parse_int(s, n, out);
        } else {
            out->kind = TC_SK_FLOAT;
            out->re = slice_to_double(s, n);
        }
        return true;
    }
    /* Complex: [real] imag 'j', where imag may be a bare sign ("1-j", "j"). */
    const char *rest = s + k;
    size_t nrest = n - k;
    double re = 0, im;
    if (k > 0 && nrest == 1 && lower(rest[0]) == 'j') {
        out->kind = TC_SK_COMPLEX;
        out->re = 0;
        out->im = slice_to_double(s, k);
        return true;
    }
    if (k > 0 && rest[0] != '+' && rest[0] != '-')
        return false;
    bool dummy;
    size_t k2 = scan_real(rest, nrest, &dummy);
    if (k2 > 0 && k2 + 1 == nrest && lower(rest[k2]) == 'j') {
        im = slice_to_double(rest, k2);
    } else if (nrest == 1 && lower(rest[0]) == 'j') {
        im = 1;
    } else if (nrest == 2 && (rest[0] == '+' || rest[0] == '-') && lower(rest[1]) == 'j') {
        im = rest[0] == '-' ? -1 : 1;
    } else {
        return false;
    }
    if (k > 0)
        re = slice_to_double(s, k);   /* once the whole is known to be a complex ("1990-01-01" is not) */
    out->kind = TC_SK_COMPLEX;
    out->re = re;
    out->im = im;
    return true;
}

/* ---- torch.tensor's storage rules -------------------------------------------- */

/*
 * uint64 goes through Python's int conversion instead of c10's checked
 * one: only non-negative integers up to 2^64 - 1, with Python's messages.
 */
static const char *check_uint64(const tc_scalar *v)
{
    switch (v->kind) {
    case TC_SK_BOOL: case TC_SK_UBIG:
        return NULL;
    case TC_SK_INT:
        return v->i < 0 ? "can't convert negative int to unsigned" : NULL;
    case TC_SK_BIGINT:
        return v->re < 0 ? "can't convert negative int to unsigned" : "int too big to convert";
    default:
        return "an integer is required";
    }
}

const char *tc_scalar_check(const tc_scalar *v, tc_dtype t)
{
    if (t == TC_BOOL)
        return NULL;
    if (t == TC_UINT64)
        return check_uint64(v);
    const tc_dtype_info *d = tc_dtype_info_of(t);
    if (tc_dtype_is_integral(t, 0)) {
        switch (v->kind) {
        case TC_SK_COMPLEX:
            return "'complex' object cannot be interpreted as an integer";
        case TC_SK_BIGINT: case TC_SK_UBIG:
            return "Overflow when unpacking long";
        case TC_SK_INT:
            /*
             * c10's overflows<uint8_t>(int64_t) lets -255..-1 through (they
             * wrap), as -1 for "all bits set" is common; likewise for every
             * unsigned dtype down to minus its maximum.
             */
            if (tc_dtype_is_unsigned(t) && v->i < 0)
                return -(uint64_t)v->i > d->imax ? d->overflow : NULL;
            return v->i < d->imin || (v->i > 0 && (uint64_t)v->i > d->imax) ? d->overflow : NULL;
        case TC_SK_FLOAT:
            /* c10 compares in double: for int64, 2^63 itself passes. */
            if (isnan(v->re) || isinf(v->re) || v->re < d->lo || v->re > d->hi)
                return d->overflow;
            return NULL;
        default:
            return NULL;
        }
    }
    if (v->kind == TC_SK_COMPLEX && !tc_dtype_is_complex(t))
        return "must be real number, not complex";
    if (v->kind == TC_SK_BIGINT && isinf(v->re))
        return "int too large to convert to float";
    return NULL;
}

/* (float)d without relying on C's undefined out-of-range conversion. */
static float narrow(double d)
{
    /* At or beyond FLT_MAX plus half an ulp, round-to-nearest gives inf. */
    if (fabs(d) >= 0x1.ffffffp127)
        return d < 0 ? -INFINITY : INFINITY;
    return (float)d;
}

/* ---- the value list ---------------------------------------------------------- */

void tc_values_init(tc_values *vs, const tc_read_opts *o)
{
    memset(vs, 0, sizeof *vs);
    if (o && o->has_input_dtype) {
        vs->has_dtype = 1;
        vs->dtype = o->input_dtype;
    }
}

void tc_values_free(tc_values *vs)
{
    tc_free(vs->kind);
    tc_free(vs->v);
    tc_free(vs->im);
    vs->kind = NULL;
    vs->v = NULL;
    vs->im = NULL;
    vs->n = vs->cap = 0;
}

static bool grow(tc_values *vs)
{
    size_t cap = vs->cap ? vs->cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(double))
        return false;
    uint8_t *k = tc_realloc(vs->kind, cap);
    if (!k)
        return false;
    vs->kind = k;
    tc_num *v = tc_realloc(vs->v, cap * sizeof *v);
    if (!v)
        return false;
    vs->v = v;
    if (vs->im) {
        double *im = tc_realloc(vs->im, cap * sizeof *im);
        if (!im)
            return false;
        vs->im = im;
    }
    vs->cap = cap;
    return true;
}

const char *tc_values_push(tc_values *vs, const tc_scalar *v, size_t pos)
{
    if (vs->has_dtype) {
        const char *msg = tc_scalar_check(v, vs->dtype);
        if (msg)
            return msg;
    }
    if (vs->n == vs->cap && !grow(vs))
        return tc_oom_msg;
    if (v->kind == TC_SK_COMPLEX && !vs->im) {
        vs->im = tc_calloc(vs->cap, sizeof *vs->im);
        if (!vs->im)
            return tc_oom_msg;
    }
    size_t i = vs->n++;
    vs->kind[i] = (uint8_t)v->kind;
    if (v->kind == TC_SK_BOOL || v->kind == TC_SK_INT || v->kind == TC_SK_UBIG)
        vs->v[i].i = v->i;
    else
        vs->v[i].d = v->re;
    if (vs->im)
        vs->im[i] = v->kind == TC_SK_COMPLEX ? v->im : 0;
    if (v->kind == TC_SK_BIGINT || v->kind == TC_SK_UBIG) {
        if (!vs->has_bigint) {
            vs->has_bigint = true;
            vs->bigint_pos = pos;
        }
        if (isinf(v->re) && !vs->has_hugeint) {
            vs->has_hugeint = true;
            vs->hugeint_pos = pos;
        }
    }
    vs->seen |= 1u << v->kind;
    return NULL;
}

void tc_values_get(const tc_values *vs, size_t i, tc_scalar *v)
{
    memset(v, 0, sizeof *v);
    v->kind = vs->kind[i];
    if (v->kind == TC_SK_BOOL || v->kind == TC_SK_INT || v->kind == TC_SK_UBIG)
        v->i = vs->v[i].i;
    else
        v->re = vs->v[i].d;
    if (v->kind == TC_SK_UBIG)
        v->re = (double)(uint64_t)v->i;
    if (vs->im)
        v->im = vs->im[i];
}

void tc_values_note(tc_values *vs, int kind)
{
    vs->seen |= 1u << kind;
}

tc_dtype tc_values_dtype(const tc_values *vs, tc_dtype default_dtype)
{
    if (vs->has_dtype)
        return vs->dtype;
    /* at::promoteTypes over the Python types, as torch's infer_scalar_type. */
    if (vs->seen & (1u << TC_SK_COMPLEX))
        return default_dtype == TC_FLOAT64 ? TC_COMPLEX128 : TC_COMPLEX64;
    if (vs->seen & (1u << TC_SK_FLOAT) || !vs->seen)
        return default_dtype;
    if (vs->seen & (1u << TC_SK_INT | 1u << TC_SK_BIGINT | 1u << TC_SK_UBIG))
        return TC_INT64;
    return TC_BOOL;
}

/*
 * A float already checked to be in range, as an integer: truncated; 2^63
 * wraps as on x86.  (Also asked of NaN for float dtypes, which do not use
 * it: NaN gives x86's INT64_MIN rather than C's undefined behaviour.)
 */
static int64_t float_to_int(double d)
{
    const double two63 = 9223372036854775808.0;   /* (cppcheck misreads 0x1p63) */
    if (isnan(d) || d >= two63 || d < -two63)
        return INT64_MIN;
    return (int64_t)d;
}

void tc_scalar_store(tc_tensor *x, int64_t i, const tc_scalar *v)
{
    void *d = x->data;
    int k = v->kind;
    /* UBIG holds its bits in i (and its value, rounded, in re) */
    bool exact_int = k == TC_SK_BOOL || k == TC_SK_INT || k == TC_SK_UBIG;
    /* the value as (re, im) doubles, the way PyTorch unpacks a Python number */
    double re = k == TC_SK_BOOL || k == TC_SK_INT ? (double)v->i : v->re, im = v->im;
    /* as an integer only for the integer dtypes, which took only checked, finite values */
    int64_t n = exact_int || !tc_dtype_is_integral(x->dtype, 0) ? v->i : float_to_int(v->re);
    switch (x->dtype) {
    case TC_BOOL:
        ((uint8_t *)d)[i] = exact_int ? v->i != 0 : re != 0 || im != 0;   /* nan is true */
        break;
    case TC_UINT8: ((uint8_t *)d)[i] = (uint8_t)(uint64_t)n; break;
    case TC_INT8: ((int8_t *)d)[i] = (int8_t)n; break;
    case TC_INT16: ((int16_t *)d)[i] = (int16_t)n; break;
    case TC_INT32: ((int32_t *)d)[i] = (int32_t)n; break;
    case TC_INT64: ((int64_t *)d)[i] = n; break;
    case TC_UINT16: ((uint16_t *)d)[i] = (uint16_t)(uint64_t)n; break;
    case TC_UINT32: ((uint32_t *)d)[i] = (uint32_t)(uint64_t)n; break;
    case TC_UINT64: ((uint64_t *)d)[i] = (uint64_t)n; break;
    case TC_FLOAT16: ((uint16_t *)d)[i] = tc_float_to_half(narrow(re)); break;
    case TC_BFLOAT16: ((uint16_t *)d)[i] = tc_float_to_bf16(narrow(re)); break;
    case TC_FLOAT32: ((float *)d)[i] = narrow(re); break;
    case TC_FLOAT64: ((double *)d)[i] = re; break;
    case TC_COMPLEX64:
        ((float *)d)[2 * i] = narrow(re);
        ((float *)d)[2 * i + 1] = narrow(im);
        break;
    case TC_COMPLEX128:
        ((double *)d)[2 * i] = re;
        ((double *)d)[2 * i + 1] = im;
        break;
    default:
        break;
    }
}

int tc_values_tensor(const tc_values *vs, tc_dtype t, int ndim, const int64_t *shape,
                     tc_tensor **out, size_t *pos, bool *has_pos, tc_err *err)
{
    *out = NULL;
    *has_pos = false;
    if (!vs->has_dtype) {
        /* Checks PyTorch makes while storing, deferred until the dtype is known. */
        if (tc_dtype_is_integral(t, 0) && vs->has_bigint) {
            *pos = vs->bigint_pos;
            *has_pos = true;
            return tc_err_set(err, TC_EOVERFLOW, "Overflow when unpacking long");
        }
        if ((tc_dtype_is_float(t) || tc_dtype_is_complex(t)) && vs->has_hugeint) {
            *pos = vs->hugeint_pos;
            *has_pos = true;
            return tc_err_set(err, TC_EVALUE, "int too large to convert to float");
        }
    }
    tc_tensor *x = tc_tensor_new(t, ndim, shape, err);
    if (!x)
        return TC_ENOMEM;
    if ((uint64_t)x->numel != (uint64_t)vs->n) {
        tc_tensor_free(x);
        return tc_err_set(err, TC_EINPUT, "internal error: %zu values for %lld elements",
                          vs->n, (long long)x->numel);
    }
    for (size_t i = 0; i < vs->n; i++) {
        tc_scalar v;
        tc_values_get(vs, i, &v);
        tc_scalar_store(x, (int64_t)i, &v);
    }
    *out = x;
    return TC_OK;
}

/* ---- nested-list shapes ------------------------------------------------------- */

void tc_shape_init(tc_shape *s)
{
    memset(s, 0, sizeof *s);
    s->ndim = -1;
}

int tc_shape_open(tc_shape *s)
{
    if (s->depth >= TC_MAX_DIMS)
        return TC_SHAPE_DEEP;
    if (!s->empty && s->ndim >= 0 && s->depth >= s->ndim)
        return TC_SHAPE_SEQ;
    if (s->depth > 0)
        s->count[s->depth - 1]++;
    s->count[s->depth++] = 0;
    return TC_SHAPE_OK;
}

int tc_shape_scalar(tc_shape *s, bool *store)
{
    *store = false;
    if (s->depth > 0)
        s->count[s->depth - 1]++;
    if (s->empty)
        return TC_SHAPE_OK;
    if (s->ndim < 0)
        s->ndim = s->depth;
    else if (s->depth < s->ndim)
        return TC_SHAPE_NOT_SEQ;
    *store = true;
    return TC_SHAPE_OK;
}

int tc_shape_close(tc_shape *s)
{
    int d = s->depth - 1;
    int64_t n = s->count[d];
    if (s->ndim < 0)
        s->ndim = s->depth;   /* the first chain ends in an empty list */
    s->depth--;
    if (d == 0) {
        s->shape[0] = n;
        if (n == 0)
            s->empty = true;
        return TC_SHAPE_OK;
    }
    if (!s->known[d]) {
        /* The first list closed at each depth is on the first chain. */
        s->known[d] = true;
        s->shape[d] = n;
        if (n == 0)
            s->empty = true;
    } else if (!s->empty && s->shape[d] != n) {
        s->want = s->shape[d];
        s->got = n;
        s->dim = d;
        return TC_SHAPE_LEN;
    }
    return TC_SHAPE_OK;
}

void tc_shape_message(const tc_shape *s, int rc, tc_dtype t, tc_err *err)
{
    switch (rc) {
    case TC_SHAPE_LEN:
        tc_err_set(err, TC_EINPUT, "expected sequence of length %lld at dim %d (got %lld)",
                   (long long)s->want, s->dim, (long long)s->got);
        break;
    case TC_SHAPE_NOT_SEQ:
        tc_err_set(err, TC_EINPUT, "not a sequence");
        break;
    case TC_SHAPE_SEQ:
        /* PyTorch unpacks the list as a number of the dtype being stored. */
        if (tc_dtype_is_integral(t, 1))
            tc_err_set(err, TC_EINPUT, "'list' object cannot be interpreted as an integer");
        else
            tc_err_set(err, TC_EINPUT, "must be real number, not list");
        break;
    default:
        tc_err_set(err, TC_EINPUT, "too many dimensions (the limit is %d)", TC_MAX_DIMS);
        break;
    }
}

/* ---- positions and messages ------------------------------------------------- */

size_t tc_bom_len(const char *data, size_t n)
{
    return n >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
           (unsigned char)data[2] == 0xBF ? 3 : 0;
}

void tc_text_pos(const char *data, size_t off, long *line, long *col)
{
    long ln = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        unsigned char b = (unsigned char)data[i];
        if (b == '\n') {
            ln++;
            c = 1;
        } else if ((b & 0xC0) != 0x80) {
            c++;   /* count characters, not UTF-8 continuation bytes */
        }
    }
    *line = ln;
    *col = c;
}

/* Length of the valid UTF-8 multibyte sequence at s, or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        if (s[0] == 0xE0) lo = 0xA0;
        if (s[0] == 0xED) hi = 0x9F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        if (s[0] == 0xF0) lo = 0x90;
        if (s[0] == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

void tc_token_quote(char *out, size_t cap, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, i = 0;
    if (cap < 8) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[o++] = '\'';
    while (i < n) {
        if (i >= 40 || o + 12 >= cap) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        size_t k;
        if (u[i] == '\'' || u[i] == '\\') {
            out[o++] = '\\';
            out[o++] = (char)u[i++];
        } else if (u[i] >= 0x20 && u[i] < 0x7F) {
            out[o++] = (char)u[i++];
        } else if (u[i] >= 0x80 && (k = utf8_seq(u + i, n - i)) > 0) {
            memcpy(out + o, u + i, k);
            o += k;
            i += k;
        } else {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", u[i++]);
        }
    }
    out[o++] = '\'';
    out[o] = '\0';
}

void tc_token_plain(char *out, size_t cap, const char *s, size_t n)
{
    char q[240];
    tc_token_quote(q, sizeof q, s, n);
    size_t k = strlen(q);
    /* q is 'text' (or 'text...): drop the quotes */
    if (k >= 2 && q[k - 1] == '\'')
        q[--k] = '\0';
    snprintf(out, cap, "%s", q + (k ? 1 : 0));
}
