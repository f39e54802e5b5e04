/*
 * write.c - tensors as CSV, JSON and NumPy .npy, and the shortest text of
 * one value.
 *
 * Number text (tc_format_value) is what the readers read back to the same
 * bits:
 *   float64          Python's repr(float): shortest round-trip digits,
 *                    positional when the decimal exponent is in [-4, 16),
 *                    else scientific ("0.1", "1e-05", "1e+16", "123.0").
 *   float32/float16  NumPy 1.24's repr of np.float32 / np.float16 scalars:
 *                    shortest digits for that type, positional when
 *                    1e-4 <= |v| < 1e16 (or v is 0), else scientific.
 *   bfloat16         as float32, with the shortest digits that read back
 *                    through double -> float -> bfloat16 (the path the
 *                    readers use); NumPy has no bfloat16 to copy.
 *   complex          "RE+IMj" / "RE-IMj", both parts always present, each
 *                    part as its real dtype above but without the ".0"
 *                    Python adds to integral floats, so the text is what
 *                    Python's complex() accepts: "1+2j", "-0.5-0j",
 *                    "1e+16+nanj", "0+infj".
 *   integers in full, bool as true/false, non-finite as nan, inf, -inf.
 * The decimal point is '.' because the library assumes the "C" locale (the
 * CLI never calls setlocale).
 *
 * CSV and JSON output end with a newline (the CLI adds none).  CSV: every
 * row ends with "\n"; a 0-d tensor is one row of one value, a 1-D tensor one
 * row (an empty one is a single empty line), a (0, N) tensor writes
 * nothing.  A field holding the delimiter or a quote is quoted (RFC 4180).
 */
#include "tc_private.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- shortest digits ------------------------------------------------------ */

/* v, already a value of dtype t, read back from text as the readers do. */
static bool reads_back(const char *s, double v, tc_dtype t)
{
    double d = strtod(s, NULL);
    switch (t) {
    case TC_FLOAT32: case TC_COMPLEX64:
        return (float)d == (float)v;
    case TC_FLOAT16:
        return tc_float_to_half((float)d) == tc_float_to_half((float)v);
    case TC_BFLOAT16:
        return tc_float_to_bf16((float)d) == tc_float_to_bf16((float)v);
    default:
        return d == v;
    }
}

/* Build "D.DDDe+X" from p digits and a decimal exponent, for strtod. */
static void sci_text(char *s, size_t cap, const char *dig, int p, int e10)
{
    snprintf(s, cap, "%c%s%.*se%d", dig[0], p > 1 ? "." : "", p - 1, dig + 1, e10);
}

/*
 * The p-digit decimal nearest to v, or failing that its neighbour above,
 * if one reads back to v: its digits (no dot) into dig, the count into *n
 * and the decimal exponent of the first digit into *e10.  When the nearest
 * p-digit number lies below v and misses, the one above can still hit: at
 * a power of two the interval below v is half as wide as the one above.
 */
static bool try_digits(double v, tc_dtype t, int p, char dig[24], int *n, int *e10)
{
    char s[40], alt[40];
    snprintf(s, sizeof s, "%.*e", p - 1, v);
    /* s is "D.DDDDe[+-]XX" (or "De[+-]XX" when p is 1) */
    int k = 0;
    const char *c = s;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            dig[k++] = *c;
    dig[k] = '\0';
    *n = k;
    *e10 = (int)strtol(c + 1, NULL, 10);
    if (reads_back(s, v, t))
        return true;
    if (strtod(s, NULL) > v)
        return false;
    char up[24];
    memcpy(up, dig, (size_t)k + 1);
    int j = k - 1;
    while (j >= 0 && up[j] == '9')
        up[j--] = '0';
    int e2 = *e10;
    if (j >= 0) {
        up[j]++;
    } else {
        up[0] = '1';  /* 99..9 + 1 = 100..0 */
        e2++;
    }
    sci_text(alt, sizeof alt, up, k, e2);
    if (!reads_back(alt, v, t))
        return false;
    memcpy(dig, up, (size_t)k + 1);
    *e10 = e2;
    return true;
}

/*
 * The shortest digits of a finite v > 0 of dtype t that read back to v,
 * closest to v when several have that length (David Gay's mode 0, and
 * NumPy's Dragon4 "unique" mode).  Writes the digits (no dot, no trailing
 * zeros) to dig and returns their count; *decpt is the position of the
 * decimal point: v = 0.DIG * 10^decpt.
 *
 * Whether p digits suffice is monotone in p (the p-digit grid is a subset
 * of the (p+1)-digit grid, and the texts that read back to v form an
 * interval), so a binary search over printf's correctly rounded %.*e finds
 * the shortest in a few tries.
 */
static int shortest_digits(double v, tc_dtype t, char dig[24], int *decpt)
{
    /* float64 and float32: Dragonbox (or Ryu via to_chars), in charconv.cc */
    if (t == TC_FLOAT64 || t == TC_COMPLEX128)
        return tc_cc_shortest_f64(v, dig, decpt);
    if (t == TC_FLOAT32 || t == TC_COMPLEX64) {
        /*
         * A float32 is read as torch.tensor and NumPy read it: the decimal
         * to double, then to float.  Of all 2^31 positive float32 values
         * (make numcheck) exactly one has shortest digits that this double
         * rounding takes to the neighbouring float: 0x15ae43fd, shortest
         * 7.038531e-26 (NumPy's repr), read back as 0x15ae43fe.  It gets
         * the 8 digits that read back both ways, so pipelines stay lossless.
         */
        float f = (float)v;
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        if (bits == 0x15ae43fdu) {
            memcpy(dig, "70385307", 9);
            *decpt = -25;
            return 8;
        }
        return tc_cc_shortest_f32(f, dig, decpt);
    }
    int n, e10;
    int lo = 1, hi = t == TC_FLOAT64 || t == TC_COMPLEX128 ? 17 : 9;
    if (!try_digits(v, t, hi, dig, &n, &e10))
        hi = 17;   /* cannot happen: 9 digits identify any float */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (try_digits(v, t, mid, dig, &n, &e10))
            hi = mid;
        else
            lo = mid + 1;
    }
    try_digits(v, t, lo, dig, &n, &e10);
    while (n > 1 && dig[n - 1] == '0')
        dig[--n] = '\0';
    *decpt = e10 + 1;
    return n;
}

/*
 * v (a value of real dtype t) in t's layout into o (at least 40 bytes, no
 * NUL): the length.  dot0 adds ".0" to an integral positional value, as
 * repr(float) does (complex parts omit it).  Built in place, as the CSV
 * writer calls it for every value.
 */
static size_t real_text(char *o, double v, tc_dtype t, bool dot0)
{
    char *p = o;
    if (isnan(v)) {
        memcpy(p, "nan", 3);
        return 3;
    }
    if (signbit(v))
        *p++ = '-';
    if (isinf(v)) {
        memcpy(p, "inf", 3);
        return (size_t)(p - o) + 3;
    }
    double a = fabs(v);
    if (a == 0) {
        memcpy(p, "0.0", 3);
        return (size_t)(p - o) + (dot0 ? 3 : 1);
    }
    /*
     * The digits are copied in fixed 16-byte moves (a count of at most 17
     * digits, 9 for float32, is known only at run time: a call to memcpy
     * each).  What they bring past the digits is overwritten or left past
     * the returned length: o has room for it, and dig for the reads.
     */
    char dig[48] = {0};
    int decpt;
    int n = shortest_digits(a, t, dig, &decpt);
    bool positional;
    if (t == TC_FLOAT64 || t == TC_COMPLEX128)
        positional = decpt > -4 && decpt <= 16;        /* Python's float_repr_style */
    else
        positional = a >= 1e-4 && a < 1e16;            /* NumPy's scalar repr */
    if (positional) {
        if (decpt <= 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = decpt; i < 0; i++)
                *p++ = '0';
            memcpy(p, dig, 16);
            memcpy(p + 16, dig + 16, 8);   /* 17 digits: 0.1 + 0.2 */
            p += n;
        } else if (decpt >= n) {
            memcpy(p, dig, 16);
            memcpy(p + 16, dig + 16, 8);
            p += n;
            for (int i = n; i < decpt; i++)
                *p++ = '0';
            if (dot0) {
                *p++ = '.';
                *p++ = '0';
            }
        } else {
            memcpy(p, dig, 16);                /* decpt <= 16 */
            p += decpt;
            *p++ = '.';
            memcpy(p, dig + decpt, 16);        /* n - decpt <= 16 */
            p += n - decpt;
        }
    } else {
        int e = decpt - 1;
        *p++ = dig[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, dig + 1, 16);
            p += n - 1;
        }
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        if (e < 0)
            e = -e;
        if (e >= 100)
            *p++ = (char)('0' + e / 100);
        *p++ = (char)('0' + e / 10 % 10);
        *p++ = (char)('0' + e % 10);
    }
    return (size_t)(p - o);
}

size_t tc_real_text(char *o, double v, tc_dtype t)
{
    return real_text(o, v, t, true);
}

/* Append v (a value of real dtype t) in t's layout (see real_text). */
static void put_real(tc_buf *b, double v, tc_dtype t, bool dot0)
{
    char s[48];
    tc_buf_put(b, s, real_text(s, v, t, dot0));
}

void tc_repr_f64(tc_buf *b, double v)
{
    put_real(b, v, TC_FLOAT64, true);
}

void tc_format_value(tc_buf *out, const tc_tensor *t, int64_t i)
{
    switch (tc_dtype_info_of(t->dtype)->kind) {
    case TC_KIND_BOOL:
        tc_buf_puts(out, ((const uint8_t *)t->data)[i] ? "true" : "false");
        break;
    case TC_KIND_UINT:
        tc_buf_printf(out, "%" PRIu64, tc_tensor_get_u64(t, i));
        break;
    case TC_KIND_INT:
        tc_buf_printf(out, "%" PRId64, tc_tensor_get_i64(t, i));
        break;
    case TC_KIND_FLOAT:
        put_real(out, tc_tensor_get_f64(t, i), t->dtype, true);
        break;
    case TC_KIND_COMPLEX: {
        double re, im;
        tc_tensor_get_c128(t, i, &re, &im);
        put_real(out, re, t->dtype, false);
        if (isnan(im) || !signbit(im))
            tc_buf_put(out, "+", 1);
        put_real(out, im, t->dtype, false);   /* a negative part brings its '-' */
        tc_buf_put(out, "j", 1);
        break;
    }
    default:
        break;
    }
}

/* ---- CSV ------------------------------------------------------------------- */

/* One field, quoted as RFC 4180 says if it holds the delimiter or a quote. */
void tc_put_csv_value(tc_buf *out, const tc_tensor *t, int64_t i, char delim)
{
    size_t start = out->n;
    tc_format_value(out, t, i);
    if (out->oom)
        return;
    size_t len = out->n - start;
    if (!memchr(out->p + start, delim, len) && !memchr(out->p + start, '"', len))
        return;
    char field[128];             /* a formatted value is far shorter */
    if (len >= sizeof field) {
        out->oom = 1;
        return;
    }
    memcpy(field, out->p + start, len);
    out->n = start;
    tc_buf_put(out, "\"", 1);
    for (size_t k = 0; k < len; k++) {
        if (field[k] == '"')
            tc_buf_put(out, "\"", 1);   /* a quote inside is doubled */
        tc_buf_put(out, field + k, 1);
    }
    tc_buf_put(out, "\"", 1);
}

/*
 * Float32 and float64 rows with a delimiter no number text holds (so no
 * quoting): each value straight into a local buffer, one append per chunk
 * of values rather than several per value.
 */
static void put_float_rows(tc_buf *out, const tc_tensor *t, int64_t rows, int64_t cols, char delim)
{
    char s[4096];
    size_t k = 0;
    bool f32 = t->dtype == TC_FLOAT32;
    for (int64_t r = 0; r < rows && !out->oom; r++) {
        for (int64_t c = 0; c < cols; c++) {
            int64_t i = r * cols + c;
            double v = f32 ? ((const float *)t->data)[i] : ((const double *)t->data)[i];
            if (k > sizeof s - 64) {
                tc_buf_put(out, s, k);
                k = 0;
            }
            if (c)
                s[k++] = delim;
            k += real_text(s + k, v, t->dtype, true);
        }
        if (k == sizeof s) {
            /* rows of no columns: only newlines, and many of them */
            tc_buf_put(out, s, k);
            k = 0;
        }
        s[k++] = '\n';
    }
    tc_buf_put(out, s, k);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

/*
 * An output that cannot fit in memory is refused before it is written:
 * an empty tensor of shape (2**40, 0) is a few bytes of npy header but
 * 2**40 lines of CSV, which would take hours to fail.
 */
static int check_fits(const char *what, uint64_t min_bytes, tc_err *err)
{
    if (tc_mem_fits(min_bytes))
        return TC_OK;
    return tc_err_set(err, TC_ENOMEM, "output too large: %s of at least %llu bytes does not fit in memory",
                      what, (unsigned long long)min_bytes);
}

int tc_write_csv(tc_buf *out, const tc_tensor *t, char delim, tc_err *err)
{
    if (t->ndim > 2)
        return tc_err_hint(err, tc_err_set(err, TC_ESHAPE, "cannot write a %d-D tensor as CSV, which holds "
                                           "at most 2 dimensions", t->ndim), "format", "json");
    /* 0-d and 1-D are one row; a 1-D empty tensor is one empty row */
    int64_t rows = t->ndim == 2 ? t->shape[0] : 1;
    int64_t cols = t->ndim == 2 ? t->shape[1] : t->numel;
    /* a newline a row, a character a value */
    int rc = check_fits("CSV", sat_add((uint64_t)rows, (uint64_t)t->numel), err);
    if (rc != TC_OK)
        return rc;
    if ((t->dtype == TC_FLOAT64 || t->dtype == TC_FLOAT32) && !strchr("0123456789.-+eEinfa\"", delim)) {
        put_float_rows(out, t, rows, cols, delim);
        rows = 0;
    }
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t c = 0; c < cols; c++) {
            if (c)
                tc_buf_put(out, &delim, 1);
            tc_put_csv_value(out, t, r * cols + c, delim);
        }
        tc_buf_put(out, "\n", 1);
        if (out->oom)
            break;
    }
    if (out->oom)
        return tc_err_set(err, TC_ENOMEM, "out of memory writing CSV");
    return TC_OK;
}

/* ---- JSON ------------------------------------------------------------------ */

/* A value as a JSON token: numbers bare, non-finite floats and complex as strings. */
static void put_json_value(tc_buf *out, const tc_tensor *t, int64_t i)
{
    bool quote = tc_dtype_is_complex(t->dtype);
    if (tc_dtype_is_float(t->dtype) && !isfinite(tc_tensor_get_f64(t, i)))
        quote = true;
    if (quote)
        tc_buf_put(out, "\"", 1);
    tc_format_value(out, t, i);
    if (quote)
        tc_buf_put(out, "\"", 1);
}

/* The nested array of dims d.. starting at flat index *i. */
static void put_json_data(tc_buf *out, const tc_tensor *t, int d, int64_t *i)
{
    if (d == t->ndim) {
        put_json_value(out, t, (*i)++);
        return;
    }
    tc_buf_put(out, "[", 1);
    for (int64_t k = 0; k < t->shape[d] && !out->oom; k++) {
        if (k)
            tc_buf_put(out, ", ", 2);
        put_json_data(out, t, d + 1, i);
    }
    tc_buf_put(out, "]", 1);
}

/* At least "[]" for each list (the lists of a level are the dims before it multiplied), a character a value. */
static uint64_t json_min_bytes(const tc_tensor *t)
{
    uint64_t lists = 1, total = (uint64_t)t->numel;
    for (int d = 0; d < t->ndim && lists; d++) {
        total = sat_add(total, sat_mul(2, lists));
        lists = sat_mul(lists, (uint64_t)t->shape[d]);
    }
    return total;
}

static void put_json_tensor(tc_buf *out, const tc_tensor *t, tc_json_more_fn more, void *ctx,
                            int *fail)
{
    tc_buf_printf(out, "{\"dtype\": \"%s\", \"shape\": ", tc_dtype_name(t->dtype));
    tc_dims_put(out, t->ndim, t->shape, '[');
    tc_buf_puts(out, ", \"data\": ");
    int64_t i = 0;
    put_json_data(out, t, 0, &i);
    if (more)
        more(out, t, ctx, fail);
    tc_buf_put(out, "}", 1);
}

/*
 * Layout: one line, Python json.dumps' separators (", " and ": "), keys in
 * the order dtype, shape, data (then a table's members, write_table.c),
 * then a newline:
 *   {"dtype": "float32", "shape": [2], "data": [1.0, "nan"]}
 *   {"values": {...}, "indices": {...}}
 */
int tc_write_json_more(tc_buf *out, const tc_result *r, tc_json_more_fn more, void *ctx, tc_err *err)
{
    uint64_t min = json_min_bytes(r->values);
    if (r->indices)
        min = sat_add(min, json_min_bytes(r->indices));
    int rc = check_fits("JSON", min, err);
    if (rc != TC_OK)
        return rc;
    int fail = TC_OK;
    if (r->indices) {
        tc_buf_puts(out, "{\"values\": ");
        put_json_tensor(out, r->values, more, ctx, &fail);
        tc_buf_puts(out, ", \"indices\": ");
        put_json_tensor(out, r->indices, more, ctx, &fail);
        tc_buf_put(out, "}", 1);
    } else {
        put_json_tensor(out, r->values, more, ctx, &fail);
    }
    tc_buf_put(out, "\n", 1);
    if (fail)
        return fail;
    if (out->oom)
        return tc_err_set(err, TC_ENOMEM, "out of memory writing JSON");
    return TC_OK;
}

int tc_write_json(tc_buf *out, const tc_result *r, tc_err *err)
{
    return tc_write_json_more(out, r, NULL, NULL, err);
}

/* ---- npy ------------------------------------------------------------------- */

static bool host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

/*
 * Byte for byte what numpy.save writes (NumPy 1.24): the header dict with
 * sorted keys, 21 - len(str(shape[0])) spare spaces for in-place growth,
 * then spaces and a newline up to a multiple of 64 bytes.
 */
int tc_write_npy(tc_buf *out, const tc_tensor *t, tc_err *err)
{
    const tc_dtype_info *d = tc_dtype_info_of(t->dtype);
    if (!d->npy)
        return tc_err_hint(err, tc_err_set(err, TC_EDTYPE, "npy has no %s type", d->name), "dtype", "float32");
    tc_buf h = {0};
    tc_buf_printf(&h, "{'descr': '%c%s', 'fortran_order': False, 'shape': ",
                  d->size == 1 ? '|' : '<', d->npy);
    tc_dims_put(&h, t->ndim, t->shape, '(');
    tc_buf_puts(&h, ", }");
    if (t->ndim > 0) {
        char first[24];
        int len = snprintf(first, sizeof first, "%" PRId64, t->shape[0]);
        for (int k = len; k < 21; k++)
            tc_buf_put(&h, " ", 1);
    }
    size_t hlen = h.n + 1;                   /* with the final newline */
    size_t pad = 64 - (10 + hlen) % 64;
    if (h.oom || hlen + pad > 65535) {
        tc_buf_free(&h);
        return tc_err_set(err, TC_ENOMEM, "npy header too large");
    }
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    pre[8] = (unsigned char)((hlen + pad) & 0xff);
    pre[9] = (unsigned char)((hlen + pad) >> 8);
    tc_buf_put(out, (const char *)pre, sizeof pre);
    tc_buf_put(out, h.p, h.n);
    for (size_t k = 0; k < pad; k++)
        tc_buf_put(out, " ", 1);
    tc_buf_put(out, "\n", 1);
    tc_buf_free(&h);

    size_t esz = tc_dtype_size(t->dtype);
    size_t nbytes = (size_t)t->numel * esz;
    if (host_is_little_endian() || esz == 1) {
        tc_buf_put(out, (const char *)t->data, nbytes);
    } else {
        /* complex parts are swapped one float at a time */
        size_t w = tc_dtype_is_complex(t->dtype) ? esz / 2 : esz;
        const unsigned char *p = t->data;
        for (size_t k = 0; k < nbytes; k += w) {
            unsigned char tmp[8];
            for (size_t j = 0; j < w; j++)
                tmp[j] = p[k + w - 1 - j];
            tc_buf_put(out, (const char *)tmp, w);
        }
    }
    if (out->oom)
        return tc_err_set(err, TC_ENOMEM, "out of memory writing npy");
    return TC_OK;
}
