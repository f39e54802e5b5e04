/*
 * stream.c - CSV in, CSV out, in memory bounded by the row width.
 *
 * The input arrives in chunks.  Complete rows (up to the last newline
 * outside quotes) form a block; each block is read by the ordinary CSV
 * reader, computed, written as CSV and dropped.  So every value goes
 * through exactly the code of the whole-input path:
 *
 *   - an op along each row (a 2-D table, dim 1) runs per block with
 *     tc_op_run;
 *   - a scan down the columns (dim 0, or a single-column input) carries its
 *     accumulators from block to block (tc_scan_carry in scan.c);
 *   - anything else (diff down a column, a single-row input, ...) gathers
 *     the whole input and runs the ordinary path at the end.
 *
 * The table's shape is known once two data rows (or the end) have been
 * seen; a first row of a single field is a column from the start (a lone
 * value prints the same as the column's first row), so `(echo 1; sleep 1;
 * echo 2) | tcum cumsum -d 0 -f csv` prints 1 at once.  Output is handed to
 * the writer before every read that may block, so it is live.
 *
 * The dtype is torch.tensor's inference over the whole input.  With
 * io->rewind (a regular file) a first pass finds it, cheaply: only blocks
 * holding a byte that could raise the inferred kind are parsed.  A pipe
 * cannot be read twice: there the first block decides, and a later value
 * that would change the dtype is an error that says to pass --input-dtype.
 */
#include "tc_private.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define CHUNK 65536

typedef struct stream {
    const tc_op_args *a;
    tc_read_opts ro;
    int select;                 /* 0 both, 1 values, 2 indices */
    char odelim;
    const tc_stream_io *io;
    tc_err *err;
    tc_buf out;

    char *win;                  /* unconsumed input */
    size_t n, cap;
    size_t scanned;             /* bytes of win scanned for quotes/newlines */
    bool inq;                   /* inside a quoted field at win[scanned] */
    size_t cut;                 /* end of the last complete row in win */
    long line0;                 /* lines before win[0] */
    bool eof;

    bool started;               /* the layout is known, blocks flow */
    bool column;                /* a single-column input: 1-D */
    bool gather;                /* no streaming form: run the whole path at the end */
    tc_tensor *whole;           /* the whole input, parsed by start() at the end */
    size_t tried_cut;           /* cut when start() last waited for more rows */
    int64_t ncols;
    int nrows_seen;             /* data rows so far, capped at 2 */
    bool dtype_known;           /* dtype holds for the whole input */
    tc_dtype dtype;
    tc_scan_carry *carry;
    void *fast;                 /* values of a block on the fast path */
    size_t fastcap;
} stream;

/* ---- input window ---------------------------------------------------------- */

/* Find the end of the last complete row among the bytes read so far. */
static void scan_rows(stream *s)
{
    size_t i = s->scanned;
    if (!s->inq && !memchr(s->win + i, '"', s->n - i)) {
        /* no quotes (the common case): the last newline ends the last row */
        for (size_t j = s->n; j > i; j--) {
            if (s->win[j - 1] == '\n') {
                s->cut = j;
                break;
            }
        }
        s->scanned = s->n;
        return;
    }
    for (; i < s->n; i++) {
        char c = s->win[i];
        if (c == '"')
            s->inq = !s->inq;   /* "" inside quotes toggles twice */
        else if (c == '\n' && !s->inq)
            s->cut = i + 1;
    }
    s->scanned = s->n;
}

static int flush(stream *s)
{
    if (s->out.oom)
        return tc_err_set(s->err, TC_ENOMEM, "out of memory formatting the output");
    if (s->out.n && s->io->write(s->io->ctx, s->out.p, s->out.n) != 0)
        return tc_err_set(s->err, TC_EIO, "write error: %s", strerror(errno));
    s->out.n = 0;
    return TC_OK;
}

/* Read more input (after handing over the pending output). */
static int fill(stream *s)
{
    int rc = flush(s);
    if (rc)
        return rc;
    if (s->cap - s->n < CHUNK) {
        size_t cap = s->cap ? s->cap : CHUNK;
        while (cap - s->n < CHUNK)
            cap *= 2;
        char *w = tc_realloc(s->win, cap);
        if (!w)
            return tc_err_set(s->err, TC_ENOMEM, "out of memory reading a row of %zu bytes", s->n);
        s->win = w;
        s->cap = cap;
    }
    long r = s->io->read(s->io->ctx, s->win + s->n, s->cap - s->n);
    if (r < 0)
        return tc_err_set(s->err, TC_EIO, "read error: %s", strerror(errno));
    if (r == 0)
        s->eof = true;
    s->n += (size_t)r;
    scan_rows(s);
    return TC_OK;
}

/*
 * Drop the first len bytes of the window: a processed block of lines
 * newlines (-1: count them).
 */
static void consume(stream *s, size_t len, long lines)
{
    if (lines < 0) {
        lines = 0;
        for (size_t i = 0; i < len; i++)
            lines += s->win[i] == '\n';
    }
    s->line0 += lines;
    memmove(s->win, s->win + len, s->n - len);
    s->n -= len;
    s->scanned -= len;
    s->cut -= len;
}

/* ---- blocks ------------------------------------------------------------------ */

/*
 * If the line at p[i] is blank (spaces, tabs, CRs) or a comment (a '#'
 * after spaces and tabs only, as the reader decides), the index just past
 * it; else i.  A '#' after a CR is a field to the reader, not a comment.
 */
static size_t past_blank_or_comment(const char *p, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && (p[j] == ' ' || p[j] == '\t'))
        j++;
    if (j < n && p[j] == '#') {
        while (j < n && p[j] != '\n')
            j++;
        return j < n ? j + 1 : n;
    }
    while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r'))
        j++;
    if (j < n && p[j] != '\n')
        return i;
    return j < n ? j + 1 : n;
}

static bool only_comments(const char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = past_blank_or_comment(p, n, i);
        if (k == i)
            return false;
        i = k;
    }
    return true;
}

/*
 * Parse a block as a rows x columns table.  The first block may hold the
 * header; later ones never do.  *t is NULL (and TC_OK) for a block of
 * comments and blank lines only.
 */
static int parse_block(stream *s, const char *p, size_t n, bool first, tc_tensor **t)
{
    *t = NULL;
    if (!first && only_comments(p, n))
        return TC_OK;
    tc_read_opts ro = s->ro;
    if (!first)
        ro.header = 0;
    /* Later blocks continue the table: its width, once known (0: not yet). */
    int64_t ncols = first || s->ncols <= 0 ? -1 : s->ncols;
    int rc = tc_read_csv_rows(p, n, &ro, ncols, t, s->err);
    if (rc && s->err->line > 0)
        s->err->line += s->line0;
    return rc;
}

/*
 * A block's column count must be the table's (the reader checked the rest
 * of the block against its first row): the reader's message, at the first
 * extra field or at the end of a short row.
 */
static int check_width(stream *s, const tc_tensor *t, const char *p, size_t n)
{
    if (t->shape[1] == s->ncols)
        return TC_OK;
    long line = s->line0 + 1;
    size_t i = 0;
    for (;;) {   /* skip comment and blank lines to the block's first row */
        size_t k = past_blank_or_comment(p, n, i);
        if (k == i || k >= n)
            break;
        i = k;
        line++;
    }
    size_t end = i;
    while (end < n && p[end] != '\n' && p[end] != '\r')
        end++;
    size_t at = end;
    int64_t got = t->shape[1];
    if (got > s->ncols) {
        int64_t field = 0;
        bool q = false;
        for (size_t j = i; j < end; j++) {
            if (p[j] == '"')
                q = !q;
            else if (!q && p[j] == s->ro.delimiter && ++field == s->ncols) {
                at = j + 1;
                while (at < end && (p[at] == ' ' || p[at] == '\t'))
                    at++;
                break;
            }
        }
    }
    long col = 0;
    tc_text_pos(p + i, at - i, &(long){0}, &col);
    tc_err_set(s->err, TC_EINPUT, "row has %lld field%s, expected %lld as in the first row",
               (long long)got, got == 1 ? "" : "s", (long long)s->ncols);
    return tc_err_at(s->err, TC_EINPUT, line, col);
}

/* The line (and field) of the first value in a block above kind k. */
static void find_raise(stream *s, const char *p, size_t n, int k, long *line, long *col)
{
    *line = s->line0 + 1;
    *col = 0;
    size_t i = 0;
    for (; i < n; (*line)++) {
        size_t end = i;
        while (end < n && p[end] != '\n')
            end++;
        size_t f = i;
        for (size_t j = i; j <= end; j++) {
            if (j < end && p[j] != s->ro.delimiter)
                continue;
            tc_scalar v;
            if (tc_scalar_parse(p + f, j - f, &v)) {
                int vk = v.kind == TC_SK_BOOL ? 0 : v.kind == TC_SK_COMPLEX ? 3
                       : v.kind == TC_SK_FLOAT ? 2 : 1;
                if (vk > k) {
                    long l;
                    tc_text_pos(p + i, f - i, &l, col);
                    return;
                }
            }
            f = j + 1;
        }
        i = end + 1;
    }
    *line = s->line0 + 1;
}

/*
 * Bring a block to the table's dtype.  From a pipe, a block may infer a
 * narrower dtype (converted here as torch.tensor stores a Python number:
 * integers through double) or a wider one (an error: the rows before it
 * are out already).
 */
static int settle_dtype(stream *s, tc_tensor **t, const char *p, size_t n)
{
    if ((*t)->dtype == s->dtype)
        return TC_OK;
    if (tc_dtype_category((*t)->dtype) > tc_dtype_category(s->dtype)) {
        long line, col;
        find_raise(s, p, n, tc_dtype_category(s->dtype), &line, &col);
        tc_err_set(s->err, TC_EINPUT,
                   "a %s value after rows read as %s: a stream from a pipe takes its dtype "
                   "from its first rows (pass --input-dtype %s)",
                   tc_dtype_category((*t)->dtype) == 3 ? "complex" : tc_dtype_category((*t)->dtype) == 2 ? "float" : "integer",
                   tc_dtype_name(s->dtype), tc_dtype_name((*t)->dtype));
        return tc_err_at(s->err, TC_EINPUT, line, col);
    }
    tc_tensor *c = NULL, *d = NULL;
    int rc;
    if ((*t)->dtype == TC_INT64 && tc_dtype_category(s->dtype) >= 2 && s->dtype != TC_FLOAT64 &&
        s->dtype != TC_COMPLEX128) {
        rc = tc_tensor_convert(*t, TC_FLOAT64, &d, s->err);
        if (rc == TC_OK)
            rc = tc_tensor_convert(d, s->dtype, &c, s->err);
        tc_tensor_free(d);
    } else {
        rc = tc_tensor_convert(*t, s->dtype, &c, s->err);
    }
    if (rc)
        return rc;
    tc_tensor_free(*t);
    *t = c;
    return TC_OK;
}

/* Append the selected result as CSV rows (a 1-D column result as one value a line). */
static int write_result(stream *s, tc_result *r)
{
    tc_tensor *t = r->values;
    if (r->indices) {
        if (!s->select) {
            return tc_err_set(s->err, TC_EARG,
                              "%s returns values and indices: choose one with --select values|indices",
                              r->name ? r->name : tc_op_name(s->a->op));
        }
        if (s->select == 2)
            t = r->indices;
    } else if (s->select) {
        return tc_err_set(s->err, TC_EARG,
                          "--select applies only to ops with two results (cummax, cummin, max, min)");
    }
    if (s->column && t->ndim == 1) {
        t->ndim = 2;
        t->shape[1] = 1;
    }
    return tc_write_csv(&s->out, t, s->odelim, s->err);
}

/* Run the op on one block of the table and write the result rows. */
static int run_block(stream *s, tc_tensor *t)
{
    tc_result r = {0};
    int rc;
    if (s->carry) {
        rc = tc_scan_carry_run(s->carry, t, &r, s->err);
    } else {
        if (s->column) {
            /* a column block is a slice of a 1-D tensor: only show gets here */
            t->ndim = 1;
        }
        rc = tc_op_run(s->a, t, &r, s->err);
    }
    if (rc == TC_OK)
        rc = write_result(s, &r);
    tc_result_free(&r);
    return rc;
}

/* ---- the fast path: blocks of plain decimals ------------------------------------- */

/*
 * Most large streams are plain numbers: no quotes, spaces, comments, blank
 * lines or CRs.  For such a block, after the first, libcsv and tc_values
 * would cost more than the arithmetic and the printing together.  This
 * path takes a block only when every row is exactly ncols fields separated
 * by the delimiter and ended by '\n' (or the end of the input), each field
 * a decimal [+|-](digits[.digits]|.digits)[(e|E)[+|-]digits] read in full
 * by fast_float (the literals tc_scalar_parse reads the same way, through
 * the same function), every value finite, and at least one a float literal
 * (so the block infers a float dtype, as s->dtype).  On those inputs libcsv
 * yields the same fields and the reader the same values; anything else
 * (and every error) goes to the reader, which starts the block afresh.
 * testdata/fuzz_stream.py checks that both paths give the same output.
 */

static bool fast_delim(char d)
{
    return d && !strchr("0123456789.eE+-\n\r \t\"#nNiIaAfFjJ(", d);
}

static bool is_digit_or_dot(char c)
{
    return (c >= '0' && c <= '9') || c == '.';
}

/*
 * The commonest field, [-]digits.digits with at most 19 significant digits
 * whose value as an integer w is below 2^53 and at most 22 digits after the
 * point: w and 10^k are exact doubles, so w / 10^k is one correctly rounded
 * division, the value fast_float would give (Clinger's fast path).  Returns
 * the length read, or 0 for anything else (the caller asks fast_float).
 */
static size_t parse_simple(const char *f, const char *end, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *c = f;
    bool neg = c < end && *c == '-';
    c += neg;
    uint64_t w = 0;
    int digits = 0;
    const char *int_start = c;
    while (c < end && *c >= '0' && *c <= '9') {
        w = w * 10 + (uint64_t)(*c - '0');
        digits += w != 0;       /* leading zeros are not significant */
        c++;
        if (digits > 19)
            return 0;
    }
    if (c == int_start || c == end || *c != '.')
        return 0;               /* integers and ".5" go to fast_float */
    const char *frac_start = ++c;
    while (c < end && *c >= '0' && *c <= '9') {
        w = w * 10 + (uint64_t)(*c - '0');
        digits += w != 0;
        c++;
        if (digits > 19)
            return 0;
    }
    size_t k = (size_t)(c - frac_start);
    if (k == 0 || k > 22 || w > ((uint64_t)1 << 53) ||
        (c < end && (*c == 'e' || *c == 'E')))
        return 0;
    double d = (double)w / p10[k];
    *out = neg ? -d : d;
    return (size_t)(c - f);
}

/*
 * Values of a block of plain decimals into s->fast as s->dtype, with the
 * row count in *rows and the newlines in *lines; false (nothing changed but
 * the scratch buffer) for a block the reader must take.
 */
static bool fast_block(stream *s, const char *p, size_t n, int64_t *rows, long *lines)
{
    bool f32 = s->dtype == TC_FLOAT32;
    char delim = s->ro.delimiter ? s->ro.delimiter : ',';
    int64_t w = s->ncols;
    /* a field takes at least 2 bytes: room for every value of the block */
    size_t need = (n / 2 + 1) * (f32 ? sizeof(float) : sizeof(double));
    if (need > s->fastcap) {
        void *b = tc_realloc(s->fast, need);
        if (!b)
            return false;
        s->fast = b;
        s->fastcap = need;
    }
    double *pd = s->fast;
    float *pf = s->fast;
    size_t k = 0;
    int64_t r = 0;
    long nl = 0;
    bool any_float = false;
    const char *c = p, *end = p + n;
    while (c < end) {
        for (int64_t j = 0; j < w; j++) {
            const char *f = c;
            if (f < end && *f == '+')
                f++;   /* fast_float takes no '+'; the reader drops it too */
            const char *g = f < end && *f == '-' ? f + 1 : f;
            if (g >= end || !is_digit_or_dot(*g))
                return false;   /* no nan, inf, "+-1" or empty field here */
            double d;
            size_t len = parse_simple(f, end, &d);
            if (len == 0)
                len = tc_cc_parse_f64(f, (size_t)(end - f), &d);
            if (len == 0 || !isfinite(d))
                return false;
            const char *e = f + len;
            if (j + 1 < w ? e == end || *e != delim : e != end && *e != '\n')
                return false;
            if (!any_float || d == 0) {
                bool lit_float = false;
                for (const char *q = f; q < e; q++)
                    lit_float |= *q == '.' || *q == 'e' || *q == 'E';
                if (lit_float)
                    any_float = true;
                else if (d == 0)
                    d = 0;   /* an integer -0 is the int 0, stored as +0.0 */
            }
            if (f32) {
                if (fabs(d) >= 0x1.ffffffp127)   /* rounds to inf: the reader's narrow() */
                    return false;
                pf[k++] = (float)d;
            } else {
                pd[k++] = d;
            }
            if (e < end)
                c = e + 1;   /* past the delimiter or '\n' */
            else {
                c = e;
                nl--;   /* the last row has no '\n' */
            }
        }
        r++;
        nl++;
    }
    if (!any_float)
        return false;
    *rows = r;
    *lines = nl;
    return true;
}

/* ---- the whole path, for what has no streaming form --------------------- */

static int run_whole(stream *s)
{
    tc_tensor *t = s->whole;
    s->whole = NULL;
    int rc = t ? TC_OK : parse_block(s, s->win, s->n, true, &t);
    if (rc)
        return rc;
    int64_t rows = t->shape[0], cols = t->shape[1];
    s->column = rows > 1 && cols == 1;
    if (rows == 1 && cols == 1) {
        t->ndim = 0;
    } else if (rows == 1 || cols == 1) {
        t->ndim = 1;
        t->shape[0] = rows * cols;
    }
    tc_result r = {0};
    rc = tc_op_run(s->a, t, &r, s->err);
    tc_tensor_free(t);
    if (rc == TC_OK)
        rc = write_result(s, &r);
    tc_result_free(&r);
    return rc;
}

/* ---- layout ------------------------------------------------------------------ */

/* The scans carry their accumulators from block to block. */
static bool carry_op(tc_op op)
{
    return tc_op_kind_of(op) == TC_OPK_SCAN;
}

/* Bytes that could raise the inferred kind above k: '.', 'e', nan, inf, j, digits. */
static bool may_raise(const char *p, size_t n, int k)
{
    static const char *raise_by[3] = {"0123456789.eEnNiIjJ", ".eEnNiIjJ", "jJ"};
    if (k >= 3)
        return false;
    if (k == 2)   /* a float table (the common case): only a complex can raise it */
        return memchr(p, 'j', n) || memchr(p, 'J', n);
    bool tab[256] = {false};
    for (const char *c = raise_by[k]; *c; c++)
        tab[(unsigned char)*c] = true;
    for (size_t i = 0; i < n; i++)
        if (tab[(unsigned char)p[i]])
            return true;
    return false;
}

/* The reader's error for an integer literal beyond int64. */
static bool int_overflow(const tc_err *err)
{
    return !strcmp(err->msg, "Overflow when unpacking long");
}

/*
 * With a rewindable input, find the dtype of the whole input by a first
 * pass over the rest of it (the first block, already parsed, gave
 * s->dtype), parsing only blocks that could raise the kind; then rewind.
 */
static int prescan_dtype(stream *s)
{
    int rc;
    int k = tc_dtype_category(s->dtype);
    consume(s, s->cut, 0);   /* line0 restarts after the rewind */
    for (;;) {
        size_t len = s->eof ? s->n : s->cut;
        if (len && may_raise(s->win, len, k)) {
            tc_tensor *t = NULL;
            if (parse_block(s, s->win, len, false, &t) != TC_OK) {
                tc_tensor_free(t);
                /*
                 * An int beyond int64 fails only because no float is in
                 * this block: it is an int for the inference, read on.
                 */
                if (int_overflow(s->err))
                    goto next;
                break;      /* the real pass reports it, with its position */
            }
            if (t && tc_dtype_category(t->dtype) > k) {
                s->dtype = t->dtype;
                k = tc_dtype_category(t->dtype);
            }
            tc_tensor_free(t);
        }
    next:
        consume(s, len, 0);
        if (s->eof)
            break;
        if ((rc = fill(s)))
            return rc;
    }
    if (s->io->rewind(s->io->ctx) != 0)
        return tc_err_set(s->err, TC_EIO, "cannot rewind the input: %s", strerror(errno));
    s->n = s->scanned = s->cut = 0;
    s->inq = false;
    s->eof = false;
    s->line0 = 0;
    return TC_OK;
}

/*
 * A lone value may be the whole (0-d) input or a column's first row: it
 * goes out early only if the op takes it both ways.  Some ops accept only
 * the 0-d tensor (cummax of complex or with any dim, cumsum --dtype bool),
 * and a 0-d cumsum/cumprod --dtype checks the value (ATen's fill_).
 */
static bool lone_either_way(const stream *s, const tc_tensor *t)
{
    static const int64_t one = 1;
    tc_buf text[2] = {{0}, {0}};
    bool same = true;
    for (int nd = 0; nd <= 1 && same; nd++) {
        tc_err e;
        tc_tensor *v = NULL;
        tc_result r;
        if (tc_tensor_reshape(t, nd, &one, &v, &e)) {
            same = false;
            break;
        }
        int rc = tc_op_run(s->a, v, &r, &e);
        tc_tensor_free(v);
        if (rc) {
            same = false;
            break;
        }
        /* and both print the same (a 0-d cumsum of -0.0 is -0.0, 0 + -0.0 is 0.0) */
        tc_tensor *y = s->select == 2 && r.indices ? r.indices : r.values;
        y->ndim = 0;
        if (y->numel != 1 || tc_write_csv(&text[nd], y, ',', &e))
            same = false;
        tc_result_free(&r);
    }
    if (same)
        same = text[0].n == text[1].n && (text[0].n == 0 || !memcmp(text[0].p, text[1].p, text[0].n));
    tc_buf_free(&text[0]);
    tc_buf_free(&text[1]);
    return same;
}

/*
 * The first block: find the layout and the dtype.  Returns TC_OK with
 * s->started set once blocks flow, s->gather set for the whole path, or
 * neither when more input is needed.
 */
/*
 * Whether win[0, len) is a single line holding the delimiter and no quote:
 * one data row (or a header) of several fields, after which start() would
 * only wait for more.  Not parsing it until more rows come keeps a long
 * first row from being read again for every chunk of a slow pipe.
 */
static bool one_line_of_fields(const stream *s, size_t len)
{
    char delim = s->ro.delimiter ? s->ro.delimiter : ',';
    size_t newlines = 0;
    bool quote = false, fields = false;
    for (size_t i = 0; i < len; i++) {
        newlines += s->win[i] == '\n';
        quote |= s->win[i] == '"';
        fields |= s->win[i] == delim;
    }
    return len > 0 && newlines == 1 && s->win[len - 1] == '\n' && !quote && fields;
}

static int start(stream *s)
{
    size_t len = s->eof ? s->n : s->cut;
    s->tried_cut = s->cut;
    if (!s->eof && one_line_of_fields(s, len))
        return TC_OK;   /* one row of several fields: the layout needs row 2 */
    tc_tensor *t = NULL;
    /* s->win is tc_stream_csv's, freed there (the analyzer loses it here) */
    int rc = parse_block(s, s->win, len, true, &t); /* NOLINT(clang-analyzer-unix.Malloc) */
    if (rc) {
        /* Only a header or comments so far: wait for data. */
        if (!s->eof && !strncmp(s->err->msg, "no data", 7))
            return TC_OK;
        /* An int beyond int64 is fine if a float comes later: look ahead. */
        if (!s->eof && int_overflow(s->err) && s->io->rewind && !s->ro.has_input_dtype) {
            s->dtype = TC_INT64;
            s->dtype_known = true;
            rc = prescan_dtype(s);
            s->ro.has_input_dtype = 1;
            s->ro.input_dtype = s->dtype;
            return rc;   /* then start again from the top */
        }
        if (s->eof)
            s->gather = true;   /* the whole path reports it */
        return s->eof ? TC_OK : rc;
    }
    int64_t rows = t->shape[0];
    s->ncols = t->shape[1];
    /*
     * A lone first field is a column's first row or the whole (0-d) input:
     * both print the same, so it can go out before row 2 arrives.  Except
     * -0.0: a 0-d cumsum is x itself, a column's first row is 0 + x.
     */
    bool lone_field = s->ncols == 1 && !s->a->exclusive && !s->a->include_initial &&
                      (carry_op(s->a->op) || s->a->op == TC_OP_SHOW);
    if (lone_field && rows == 1 && (tc_dtype_is_float(t->dtype) || tc_dtype_is_complex(t->dtype))) {
        double re, im;
        tc_tensor_get_c128(t, 0, &re, &im);
        if ((re == 0 && signbit(re)) || (im == 0 && signbit(im)))
            lone_field = false;
    }
    if (lone_field && rows == 1 && !lone_either_way(s, t))
        lone_field = false;
    if (s->eof || (rows < 2 && !lone_field)) {
        /* All of it is here (the whole path is exact), or wait for row 2. */
        s->gather = s->eof;
        if (s->eof)
            s->whole = t;   /* run_whole takes it from here */
        else
            tc_tensor_free(t);
        return TC_OK;
    }
    s->column = s->ncols == 1;
    int dim = 0;
    bool down = s->a->op != TC_OP_SHOW &&
                (s->column || (tc_dim_wrap(s->a->dim, 2, &dim, NULL) == TC_OK && dim == 0));
    if ((s->a->op != TC_OP_SHOW && s->a->reverse) || (down && !carry_op(s->a->op)) ||
        (carry_op(s->a->op) && !s->a->has_dim)) {
        s->gather = true;
        tc_tensor_free(t);
        return TC_OK;
    }
    if (!s->dtype_known) {
        s->dtype = t->dtype;
        s->dtype_known = true;
        if (!s->ro.has_input_dtype && s->io->rewind) {
            tc_tensor_free(t);
            rc = prescan_dtype(s);
            /*
             * The whole input's dtype is known: read every block as it, as
             * torch.tensor stores each Python number into the inferred dtype
             * (an int beyond int64 into a float table included).
             */
            s->ro.has_input_dtype = 1;
            s->ro.input_dtype = s->dtype;
            return rc;   /* then start again from the top */
        }
    }
    if (down) {
        if (s->column && (rc = tc_dim_wrap(s->a->dim, 1, &dim, s->err))) {
            tc_tensor_free(t);
            return rc;
        }
        tc_op_args ca = *s->a;
        ca.dim = 0;
        if ((rc = tc_scan_carry_new(&ca, s->dtype, s->ncols, &s->carry, s->err))) {
            tc_tensor_free(t);
            return rc;
        }
    }
    s->started = true;
    if ((rc = settle_dtype(s, &t, s->win, len)) == TC_OK)
        rc = run_block(s, t);
    tc_tensor_free(t);
    if (rc == TC_OK)
        consume(s, len, -1);
    return rc;
}

int tc_stream_csv(const tc_op_args *a, const tc_read_opts *ro, int select, char out_delim,
                  const char *prefix, size_t nprefix, const tc_stream_io *io, tc_err *err)
{
    stream s;
    int vrc = tc_read_opts_check(ro, err);
    if (vrc)
        return vrc;
    memset(&s, 0, sizeof s);
    s.a = a;
    s.ro = *ro;
    s.select = select;
    s.odelim = out_delim;
    s.io = io;
    s.err = err;
    int rc = TC_OK;
    if (nprefix) {
        s.cap = nprefix + CHUNK;
        s.win = tc_malloc(s.cap);
        if (!s.win)
            return tc_err_set(err, TC_ENOMEM, "out of memory");
        memcpy(s.win, prefix, nprefix);
        s.n = nprefix;
        scan_rows(&s);
    }
    bool fast = false;
    for (;;) {
        if (!s.started && !s.gather && ((s.cut > 0 && s.cut != s.tried_cut) || s.eof)) {
            if ((rc = start(&s)))
                break;
            fast = s.started && (s.dtype == TC_FLOAT64 || s.dtype == TC_FLOAT32) &&
                   fast_delim(s.ro.delimiter ? s.ro.delimiter : ',');
        } else if (s.started && (s.cut > 0 || (s.eof && s.n > 0))) {
            size_t len = s.eof ? s.n : s.cut;
            int64_t rows;
            long lines = -1;
            if (fast && fast_block(&s, s.win, len, &rows, &lines)) {
                tc_tensor ft = {.dtype = s.dtype, .ndim = 2, .shape = {rows, s.ncols},
                                .numel = rows * s.ncols, .data = s.fast};
                if ((rc = run_block(&s, &ft)))
                    break;
            } else {
                tc_tensor *t = NULL;
                if ((rc = parse_block(&s, s.win, len, false, &t)))
                    break;
                if (t && (rc = check_width(&s, t, s.win, len)) == TC_OK &&
                    (rc = settle_dtype(&s, &t, s.win, len)) == TC_OK)
                    rc = run_block(&s, t);
                tc_tensor_free(t);
                if (rc)
                    break;
            }
            consume(&s, len, lines);
        }
        if (s.eof && (s.started || s.gather))
            break;
        if (s.eof && !s.started) {
            /* nothing parsed yet: the whole path gives the right message */
            s.gather = true;
            break;
        }
        if ((rc = fill(&s)))
            break;
    }
    if (rc == TC_OK && s.gather)
        rc = run_whole(&s);
    if (rc == TC_OK)
        rc = flush(&s);
    tc_scan_carry_free(s.carry);
    tc_tensor_free(s.whole);
    tc_free(s.fast);
    tc_free(s.win);
    tc_buf_free(&s.out);
    return rc;
}
