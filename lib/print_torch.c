/*
 * print_torch.c - repr(tensor) exactly as PyTorch prints it.
 *
 * A port of torch/_tensor_str.py.  The names below follow it: a formatter
 * (_Formatter) decides int_mode, sci_mode and a column width from the
 * elements that will be printed (the summarized data when summarizing),
 * then the tensor is written recursively (_tensor_str_with_formatter,
 * _vector_str, _scalar_str) and the suffixes appended (_add_suffixes).
 *
 * When summarizing, the elements PyTorch's get_summarized_data() collects
 * are exactly the ones printed, so one walk over the printed elements
 * serves both the formatter and the output.
 *
 * PyTorch 2.6 and 1.13 print alike but for edgeitems 0: 1.13 slices with
 * it as Python does (self[:0] and self[-0:], the whole dim) and fails to
 * stack the empty summary of a matrix; 2.6 prints a summarized tensor as
 * "[...]" and adds a size= suffix whenever edgeitems is 0.
 */
#include "tc_private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void tc_print_opts_init(tc_print_opts *o)
{
    o->precision = 4;
    o->threshold = 1000;
    o->edgeitems = 3;
    o->linewidth = 80;
    o->sci_mode = -1;
    o->default_dtype = TC_FLOAT32;
}

/*
 * torch.set_printoptions(profile=name).  Like PyTorch, which assigns its
 * sci_mode argument on every call, this resets sci_mode to auto; apply the
 * profile first and explicit options after it.
 */
int tc_print_opts_profile(tc_print_opts *o, const char *name)
{
    if (strcmp(name, "default") == 0) {
        o->precision = 4;
        o->threshold = 1000;
        o->edgeitems = 3;
    } else if (strcmp(name, "short") == 0) {
        o->precision = 2;
        o->threshold = 1000;
        o->edgeitems = 2;
    } else if (strcmp(name, "full") == 0) {
        o->precision = 4;
        o->threshold = INFINITY;
        o->edgeitems = 3;
    } else {
        return 0;
    }
    o->linewidth = 80;
    o->sci_mode = -1;
    return 1;
}

/* _Formatter: one for a real tensor, two (real, imag) for a complex one. */
typedef struct formatter {
    bool floating;      /* float formats; else '{}' of an int or bool */
    bool any;           /* saw a nonzero finite value */
    bool int_mode, sci_mode;
    double lo, hi;      /* min and max |v| over nonzero finite values */
    size_t max_width;
} formatter;

typedef struct printer {
    const tc_tensor *t;
    const tc_print_opts *o;
    bool summarize;
    bool complex;
    int64_t edge;
    int64_t stride[TC_MAX_DIMS];
    formatter f[2];
    tc_buf scratch;
} printer;

/* ---- element access --------------------------------------------------- */

/* Part 0 (real) or 1 (imaginary) of element i of a float or complex tensor. */
static double elem_float(const tc_tensor *t, int64_t i, int part)
{
    double re, im;
    tc_tensor_get_c128(t, i, &re, &im);
    return part ? im : re;
}

/* '{}' of an integer or bool element, unpadded, into s. */
static void int_text(tc_buf *s, const tc_tensor *t, int64_t i)
{
    switch (tc_dtype_info_of(t->dtype)->kind) {
    case TC_KIND_BOOL: tc_numfmt_bool(s, tc_tensor_get_i64(t, i) != 0); break;
    case TC_KIND_UINT: tc_buf_printf(s, "%llu", (unsigned long long)tc_tensor_get_u64(t, i)); break;
    default: tc_numfmt_int(s, tc_tensor_get_i64(t, i)); break;
    }
}

/* The print class: floating (and complex) dtypes get float formatting. */
static bool is_floating(tc_dtype d)
{
    tc_kind k = tc_dtype_info_of(d)->kind;
    return k == TC_KIND_FLOAT || k == TC_KIND_COMPLEX;
}

/* ---- which elements are printed ----------------------------------------- */

/*
 * The index ranges along a dim of size n: [r0, r1), then an ellipsis if
 * *ellipsis, then [r2, r3).  Summarized, these are Python's self[:e] and
 * self[-e:], slice semantics included (e = 0 gives an empty head and the
 * whole dim as tail, as PyTorch prints it).
 */
static void edge_ranges(const printer *p, int64_t n, int64_t r[4], bool *ellipsis)
{
    int64_t e = p->edge;
    if (p->summarize && n > 2 * e) {
        *ellipsis = true;
        r[0] = 0;
        r[1] = e >= 0 ? TC_MIN(e, n) : TC_MAX(n + e, 0);
        r[2] = e > 0 ? TC_MAX(n - e, 0) : TC_MIN(-e, n);
        r[3] = n;
    } else {
        *ellipsis = false;
        r[0] = 0;
        r[1] = n;
        r[2] = r[3] = n;
    }
}

typedef void (*visit_fn)(printer *p, int64_t i);

/* Call fn on the flat index of every printed element, in order. */
static void walk(printer *p, int d, int64_t off, visit_fn fn)
{
    const tc_tensor *t = p->t;
    if (d == t->ndim) {
        fn(p, off);
        return;
    }
    int64_t r[4];
    bool ell;
    edge_ranges(p, t->shape[d], r, &ell);
    for (int k = 0; k < 4; k += 2)
        for (int64_t j = r[k]; j < r[k + 1]; j++)
            walk(p, d + 1, off + j * p->stride[d], fn);
}

/* ---- the formatter ------------------------------------------------------ */

static void stat_one(formatter *f, double v)
{
    if (!isfinite(v) || v == 0)
        return;
    double a = fabs(v);
    if (!f->any) {
        f->any = true;
        f->lo = f->hi = a;
    } else {
        f->lo = TC_MIN(f->lo, a);
        f->hi = TC_MAX(f->hi, a);
    }
    if (v != ceil(v))
        f->int_mode = false;
}

static void visit_stat(printer *p, int64_t i)
{
    for (int part = 0; part < (p->complex ? 2 : 1); part++)
        stat_one(&p->f[part], elem_float(p->t, i, part));
}

static void width_one(printer *p, formatter *f, double v)
{
    if (!isfinite(v) || v == 0)
        return;
    tc_buf *s = &p->scratch;
    s->n = 0;
    size_t extra = 0;
    if (f->sci_mode) {
        tc_numfmt_sci(s, v, p->o->precision);
    } else if (f->int_mode) {
        tc_numfmt_fixed(s, v, 0);
        extra = 1; /* the "." appended to every integral float */
    } else {
        tc_numfmt_fixed(s, v, p->o->precision);
    }
    f->max_width = TC_MAX(f->max_width, s->n + extra);
}

static void visit_width(printer *p, int64_t i)
{
    if (p->f[0].floating) {
        for (int part = 0; part < (p->complex ? 2 : 1); part++)
            if (p->f[part].any)
                width_one(p, &p->f[part], elem_float(p->t, i, part));
        return;
    }
    tc_buf *s = &p->scratch;
    s->n = 0;
    int_text(s, p->t, i);
    p->f[0].max_width = TC_MAX(p->f[0].max_width, s->n);
}

/* Build the formatter(s) from the printed elements: _Formatter.__init__. */
static void formatters_init(printer *p)
{
    for (int part = 0; part < 2; part++) {
        formatter *f = &p->f[part];
        memset(f, 0, sizeof *f);
        f->floating = is_floating(p->t->dtype);
        f->int_mode = true;
        f->max_width = 1;
    }
    if (p->f[0].floating)
        walk(p, 0, 0, visit_stat);
    for (int part = 0; part < 2; part++) {
        formatter *f = &p->f[part];
        if (!f->any)
            continue;
        f->sci_mode = f->hi / f->lo > 1000.0 || f->hi > 1.0e8 ||
                      (!f->int_mode && f->lo < 1.0e-4);
    }
    walk(p, 0, 0, visit_width);
    /*
     * PyTorch returns early from __init__ when a float tensor has no nonzero
     * finite value, before the sci_mode option is applied.
     */
    for (int part = 0; part < 2; part++) {
        formatter *f = &p->f[part];
        if ((!f->floating || f->any) && p->o->sci_mode >= 0)
            f->sci_mode = p->o->sci_mode != 0;
    }
}

static void pad_to(tc_buf *out, size_t width, size_t len)
{
    for (; len < width; len++)
        tc_buf_put(out, " ", 1);
}

/* _Formatter.format(v) for a float formatter, unpadded, into b. */
static void format_float(const printer *p, const formatter *f, tc_buf *b, double v)
{
    if (f->sci_mode) {
        tc_numfmt_sci(b, v, p->o->precision);
    } else if (f->int_mode) {
        tc_numfmt_fixed(b, v, 0);
        if (isfinite(v))
            tc_buf_put(b, ".", 1);
    } else {
        tc_numfmt_fixed(b, v, p->o->precision);
    }
}

/* One element, padded to the column width: _val_formatter / _scalar_str. */
static void put_elem(printer *p, tc_buf *out, int64_t i)
{
    tc_buf *s = &p->scratch;
    const formatter *f = &p->f[0];
    s->n = 0;
    if (!f->floating) {
        int_text(s, p->t, i);
    } else {
        format_float(p, f, s, elem_float(p->t, i, 0));
    }
    if (s->oom) {
        out->oom = 1;
        return;
    }
    pad_to(out, f->max_width, s->n);
    tc_buf_put(out, s->p, s->n);
    if (!p->complex)
        return;
    /* The imaginary part, stripped of its padding, with a sign and a "j". */
    s->n = 0;
    format_float(p, &p->f[1], s, elem_float(p->t, i, 1));
    if (s->oom) {
        out->oom = 1;
        return;
    }
    if (s->p[0] != '-' && s->p[0] != '+')
        tc_buf_put(out, "+", 1);
    tc_buf_put(out, s->p, s->n);
    tc_buf_put(out, "j", 1);
}

/* ---- the tensor body ---------------------------------------------------- */

static void put_spaces(tc_buf *out, int64_t n)
{
    for (; n > 0; n--)
        tc_buf_put(out, " ", 1);
}

/* _vector_str */
static void vector_str(printer *p, tc_buf *out, int d, int64_t off, int64_t indent)
{
    int64_t elen = (int64_t)p->f[0].max_width + 2;
    if (p->complex)
        elen += (int64_t)p->f[1].max_width + 1;
    /* Python's floor((linewidth - indent) / element_length), at least 1 */
    int64_t room = (int64_t)p->o->linewidth - indent;
    int64_t per_line = room / elen;
    if (room % elen != 0 && room < 0)
        per_line--;
    per_line = TC_MAX(per_line, 1);

    int64_t r[4];
    bool ell;
    edge_ranges(p, p->t->shape[d], r, &ell);
    int64_t k = 0; /* items written, the " ..." item included */
    tc_buf_put(out, "[", 1);
    for (int piece = 0; piece < 3; piece++) {
        int64_t lo, hi;
        if (piece == 1) {
            lo = 0;
            hi = ell ? 1 : 0;
        } else {
            lo = r[piece];
            hi = r[piece + 1];
        }
        for (int64_t j = lo; j < hi; j++, k++) {
            if (k > 0 && k % per_line == 0) {
                tc_buf_put(out, ",\n", 2);
                put_spaces(out, indent + 1);
            } else if (k > 0) {
                tc_buf_put(out, ", ", 2);
            }
            if (piece == 1)
                tc_buf_put(out, " ...", 4);
            else
                put_elem(p, out, off + j * p->stride[d]);
        }
    }
    tc_buf_put(out, "]", 1);
}

/* _tensor_str_with_formatter for the sub-tensor at dim d, flat offset off */
static void tensor_str(printer *p, tc_buf *out, int d, int64_t off, int64_t indent)
{
    int rest = p->t->ndim - d;
    if (rest == 0) {
        put_elem(p, out, off);
        return;
    }
    if (rest == 1) {
        vector_str(p, out, d, off, indent);
        return;
    }
    int64_t r[4];
    bool ell;
    edge_ranges(p, p->t->shape[d], r, &ell);
    bool first = true;
    tc_buf_put(out, "[", 1);
    for (int piece = 0; piece < 3; piece++) {
        int64_t lo, hi;
        if (piece == 1) {
            lo = 0;
            hi = ell ? 1 : 0;
        } else {
            lo = r[piece];
            hi = r[piece + 1];
        }
        for (int64_t j = lo; j < hi; j++) {
            if (!first) {
                tc_buf_put(out, ",", 1);
                for (int nl = 1; nl < rest; nl++)
                    tc_buf_put(out, "\n", 1);
                put_spaces(out, indent + 1);
            }
            first = false;
            if (piece == 1)
                tc_buf_put(out, "...", 3);
            else
                tensor_str(p, out, d + 1, off + j * p->stride[d], indent + 1);
        }
    }
    tc_buf_put(out, "]", 1);
}

/* ---- suffixes and the whole repr ----------------------------------------- */

static tc_dtype default_complex(tc_dtype dflt)
{
    return dflt == TC_FLOAT64 ? TC_COMPLEX128 : TC_COMPLEX64;
}

/* _add_suffixes; s is the whole repr so far, "tensor(" included. */
static void add_suffixes(tc_buf *out, size_t start, char suffixes[][24 * TC_MAX_DIMS],
                         int nsuf, int64_t indent, int linewidth)
{
    /* Python's len(s) - s.rfind("\n") + 1, quirk (+2 without a newline) included */
    int64_t len = (int64_t)(out->n - start), nl = -1;
    for (int64_t i = len - 1; i >= 0; i--)
        if (out->p[start + (size_t)i] == '\n') {
            nl = i;
            break;
        }
    int64_t last = len - nl + 1;
    for (int k = 0; k < nsuf; k++) {
        int64_t slen = (int64_t)strlen(suffixes[k]);
        if (last + slen + 2 > linewidth) {
            tc_buf_put(out, ",\n", 2);
            put_spaces(out, indent);
            last = indent + slen;
        } else {
            tc_buf_put(out, ", ", 2);
            last += slen + 2;
        }
        tc_buf_puts(out, suffixes[k]);
    }
    tc_buf_put(out, ")", 1);
}

/* "size=(2, 3)" as Python prints tuple(shape): "size=(8,)", "size=()". */
static void size_suffix(char *z, size_t cap, const tc_tensor *t)
{
    char dims[TC_DIMS_STR_MAX];
    tc_shape_str(t, 1, dims, sizeof dims);
    snprintf(z, cap, "size=%s", dims);
}

int tc_print_torch(tc_buf *out, const tc_tensor *t, const tc_print_opts *o, tc_err *err)
{
    static const char prefix[] = "tensor(";
    const int64_t indent = (int64_t)sizeof prefix - 1;
    size_t start = out->n;
    char suffixes[2][24 * TC_MAX_DIMS];
    int nsuf = 0;
    tc_dtype dflt = o->default_dtype;

    if (out->oom)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    if (o->precision < 0)
        return tc_err_set(err, TC_EARG, "Format specifier missing precision");

    tc_buf_puts(out, prefix);
    if (t->numel == 0) {
        /* Explicitly print the shape if it is not (0,), as NumPy does */
        if (t->ndim != 1)
            size_suffix(suffixes[nsuf++], sizeof suffixes[0], t);
        if (t->dtype != dflt)
            snprintf(suffixes[nsuf++], 24 * TC_MAX_DIMS, "dtype=%s",
                     tc_dtype_torch_name(t->dtype));
        tc_buf_puts(out, "[]");
    } else {
        printer p;
        memset(&p, 0, sizeof p);
        p.t = t;
        p.o = o;
        p.summarize = (double)t->numel > o->threshold;
        p.complex = t->dtype == TC_COMPLEX64 || t->dtype == TC_COMPLEX128;
        p.edge = o->edgeitems;
        bool no_edges = p.edge == 0 && o->torch_version != TC_TORCH_1_13;
        if (no_edges)
            size_suffix(suffixes[nsuf++], sizeof suffixes[0], t);
        if (no_edges && p.summarize && t->ndim >= 1) {
            tc_buf_puts(out, "[...]");
        } else if (p.summarize && t->ndim >= 2 && p.edge <= 0) {
            /* get_summarized_data() stacks an empty list of slices */
            out->n = start;
            if (out->p)
                out->p[start] = '\0';
            return tc_err_set(err, TC_EARG, "stack expects a non-empty TensorList");
        } else {
            int64_t st = 1;
            for (int d = t->ndim - 1; d >= 0; d--) {
                p.stride[d] = st;
                st *= t->shape[d];
            }
            formatters_init(&p);
            tensor_str(&p, out, 0, 0, indent);
            if (p.scratch.oom)
                out->oom = 1;
            tc_buf_free(&p.scratch);
        }
        if (t->dtype != dflt && t->dtype != default_complex(dflt) &&
            t->dtype != TC_INT64 && t->dtype != TC_BOOL)
            snprintf(suffixes[nsuf++], 24 * TC_MAX_DIMS, "dtype=%s",
                     tc_dtype_torch_name(t->dtype));
    }
    add_suffixes(out, start, suffixes, nsuf, indent, o->linewidth);
    if (out->oom) {
        out->n = start;
        if (out->p)
            out->p[start] = '\0';
        return tc_err_set(err, TC_ENOMEM, "out of memory formatting a tensor");
    }
    return TC_OK;
}

int tc_print_result(tc_buf *out, const tc_result *r, const tc_print_opts *o, tc_err *err)
{
    if (!r->indices)
        return tc_print_torch(out, r->values, o, err);
    size_t start = out->n;
    tc_buf_printf(out, "torch.return_types.%s(\nvalues=", r->name ? r->name : "result");
    int rc = tc_print_torch(out, r->values, o, err);
    if (rc == TC_OK) {
        tc_buf_puts(out, ",\nindices=");
        rc = tc_print_torch(out, r->indices, o, err);
    }
    if (rc == TC_OK)
        tc_buf_put(out, ")", 1);
    if (rc == TC_OK && out->oom)
        rc = tc_err_set(err, TC_ENOMEM, "out of memory formatting a tensor");
    if (rc != TC_OK) {
        out->n = start;
        if (out->p)
            out->p[start] = '\0';
    }
    return rc;
}
