/*
 * stream.c - CSV (or JSON Lines) in, CSV out, in memory bounded by the row
 * width.
 *
 * The input arrives in chunks; complete rows (up to the last newline
 * outside quotes; JSON Lines: up to the last newline, as no JSON value
 * holds a raw one) form a block.  The table layer (table.c) reads the first
 * block, the head: delimiter, header, key and value columns.  Then every
 * block is parsed into values, computed and written with its rows' key
 * fields, and dropped:
 *
 *   - an op along each row (show, any op with dim 1 of a 2-D table) runs on
 *     each block with tc_op_run;
 *   - a scan down the columns (dim 0, or a single-column input) carries its
 *     accumulators from block to block (tc_scan_carry in scan.c); diff and
 *     cumulative_trapezoid down them carry the rows the next block's first
 *     rows are computed with (and the trapezoids' running sum), so every
 *     block gives exactly its rows of the whole result (see "down" below);
 *   - anything else (a reduction down the columns, --reverse down them, a
 *     single row, diff's --prepend/--append along the rows, --x) gathers the
 *     whole input and runs the whole path at the end, which reads the same
 *     text through the same table layer.
 *
 * The dtype is torch.tensor's inference over the whole input, and a column
 * is a key column if its first non-missing cell is a word, wherever that
 * cell is.  With io->rewind a pre-scan reads the input once before the
 * rows go out (cheaply: only blocks that could change what the head found
 * are parsed), so nothing written can be proved wrong by a later row.
 * Without it (a pipe the caller chose not to spill, or live output), the
 * head decides, and a later value that would have changed the dtype is an
 * error that says what to pass.
 *
 * Output is handed to the writer before every read that may block, so a
 * slow producer sees its rows at once.
 */
#include "tc_private.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#define CHUNK 65536

enum { MODE_NONE, MODE_ROWS, MODE_DOWN, MODE_GATHER };

typedef struct down down;

typedef struct stream {
    const tc_op_args *a;
    tc_read_opts ro;
    tc_stream_opts so;
    const tc_stream_io *io;
    tc_err *err;
    tc_buf out;
    char odelim;

    char *win;                  /* unconsumed input */
    size_t n, cap;
    size_t scanned;             /* bytes of win scanned for quotes/newlines */
    bool inq;                   /* inside a quoted field at win[scanned] */
    size_t cut;                 /* end of the last complete row in win */
    long line0;                 /* lines before win[0] */
    bool eof;
    bool second;                /* reading again after the pre-scan */

    size_t head_skip;           /* BOM, skipped lines and header: bytes before the data rows */
    long head_lines;
    bool head_done;             /* the head is read: roles, delimiter, header */
    int mode;
    tc_treader r;
    tc_table *meta;
    bool rich;                  /* a header or key columns: the output is a table */
    tc_layout L;
    bool header_out;
    down *down;                 /* MODE_DOWN: what is carried from block to block */
    tc_block blk;               /* the current block (its buffers reused) */
    int64_t rows_in;            /* data rows computed so far */
} stream;

/* ---- input window ---------------------------------------------------------- */

/*
 * Find the end of the last complete row among the bytes read so far: the
 * last newline outside quotes ("" inside quotes toggles twice).  Jumps from
 * quote to quote; between them, outside quotes, the last newline counts.
 */
static void scan_rows(stream *s)
{
    /* JSON Lines: no value holds a raw newline */
    size_t cut = tc_tok_cut_from(s->win, s->scanned, s->n, s->ro.format != TC_FMT_JSON, &s->inq);
    if (cut)
        s->cut = cut;
    s->scanned = s->n;
}

static int flush(stream *s)
{
    if (s->out.oom)
        return tc_err_set(s->err, TC_ENOMEM, "out of memory formatting the output");
    if (s->out.n && s->io->write(s->io->ctx, s->out.p, s->out.n) != 0) {
        tc_err_set(s->err, TC_EIO, "%s", tc_strerror(errno, (char[128]){0}, 128));
        return tc_err_hint(s->err, TC_EIO, "output", NULL);
    }
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
    if (r < 0) {
        tc_err_set(s->err, TC_EIO, "read error: %s", tc_strerror(errno, (char[128]){0}, 128));
        return tc_err_hint(s->err, TC_EIO, "input", NULL);
    }
    if (r == 0)
        s->eof = true;
    s->n += (size_t)r;
    scan_rows(s);
    return TC_OK;
}

static long count_lines(const char *p, size_t n)
{
    return (long)tc_count_byte(p, n, '\n');
}

/* Drop the first len bytes of the window (lines < 0: count its newlines). */
static void consume(stream *s, size_t len, long lines)
{
    s->line0 += lines < 0 ? count_lines(s->win, len) : lines;
    memmove(s->win, s->win + len, s->n - len);
    s->n -= len;
    s->scanned -= len;
    s->cut = s->cut > len ? s->cut - len : 0;
}

/* ---- ops down the columns, carried from block to block ---------------------- */

/*
 * An op down the columns (dim 0 of a table, or a single column) runs on
 * the blocks in input order, each taking what the blocks before it left:
 *
 *   - a scan: its accumulators (tc_scan_carry);
 *   - diff -n N: the last N rows of its input (cat(prepend, x, append) in
 *     the dtype torch.cat gives them), at first the prepend rows.  Output
 *     row i of diff(cat(rows, block)) depends on its input rows i..i+N
 *     only, so it is exactly the whole result's row for the block's row
 *     i + N - rows; the append rows go after the last block (down_end);
 *   - cumulative_trapezoid (--dx): the last row of y, and the cumsum of
 *     the trapezoids' terms (dx / 2 * (y[k] + y[k+1]), diff.c's
 *     tc_trapz_terms), carried as `tcum cumsum` carries it, in the same
 *     accumulation type.
 *
 * A block's result row i shows the block's row i - kshift (its keys; none
 * outside the block: a prepend or append row).
 */
struct down {
    tc_op_args a;           /* the op on the rows: diff's n, dx, versions; dim 0, no dtype */
    tc_dtype cast;          /* --dtype: the rows as x.to(dtype) first (has_cast) */
    bool has_cast;
    tc_dtype to;            /* then as this: diff's joined dtype, y's dtype for the trapezoids */
    tc_scan_carry *carry;   /* a scan, or the trapezoids' cumsum */
    tc_tensor *rows;        /* the rows carried to the next block (rows x width), or NULL */
    tc_tensor *append;      /* diff --append as rows x width */
    int64_t width;
};

static void down_free(down *d)
{
    if (d) {
        tc_scan_carry_free(d->carry);
        tc_tensor_free(d->rows);
        tc_tensor_free(d->append);
        tc_free(d);
    }
}

/* t (a prepend or append: the input's dims) as rows x width in dtype to. */
static int as_rows(const tc_tensor *t, int64_t width, tc_dtype to, tc_tensor **out, tc_err *err)
{
    tc_tensor *v = NULL;
    int64_t shape[2] = {t->ndim == 2 ? t->shape[0] : t->numel, width};
    int rc = tc_tensor_reshape(t, 2, shape, &v, err);
    if (rc == TC_OK && v->dtype != to) {
        rc = tc_tensor_convert(v, to, out, err);
        tc_tensor_free(v);
        return rc;
    }
    *out = v;
    return rc;
}

/* x in the dtype the op computes in: x.to(dtype) for --dtype, then d->to. */
static int down_cast(const down *d, const tc_tensor *x, tc_tensor **out, tc_err *err)
{
    tc_tensor *c = NULL;
    int rc;
    *out = NULL;
    if (d->has_cast && x->dtype != d->cast) {
        if ((rc = tc_tensor_convert_version(x, d->cast, d->a.torch_version, &c, err)))
            return rc;
        x = c;
    }
    if (x->dtype != d->to) {
        rc = tc_tensor_convert(x, d->to, out, err);
        tc_tensor_free(c);
        return rc;
    }
    *out = c ? c : tc_tensor_clone(x, err);
    return *out ? TC_OK : TC_ENOMEM;
}

/*
 * The last `keep` rows of cat(d->rows, x) (same dtype and width) become
 * d->rows.
 */
static int down_keep(down *d, const tc_tensor *x, int64_t keep, tc_err *err)
{
    int64_t t = d->rows ? d->rows->shape[0] : 0, r = x->shape[0];
    if (keep > t + r)
        keep = t + r;
    int64_t shape[2] = {keep, d->width};
    tc_tensor *n = tc_tensor_new(x->dtype, 2, shape, err);
    if (!n)
        return TC_ENOMEM;
    size_t row = (size_t)d->width * tc_dtype_size(x->dtype);
    int64_t fx = keep < r ? keep : r, ft = keep - fx;
    if (ft > 0 && d->rows)   /* (ft > 0 means rows were carried) */
        memcpy(n->data, (const char *)d->rows->data + (size_t)(t - ft) * row, (size_t)ft * row);
    if (fx)
        memcpy((char *)n->data + (size_t)ft * row, (const char *)x->data + (size_t)(r - fx) * row,
               (size_t)fx * row);
    tc_tensor_free(d->rows);
    d->rows = n;
    return TC_OK;
}

/*
 * The op on one row of the table's width (a column: one value): what it
 * refuses, the whole path refuses (diff's prepend and append are checked
 * against the row's width), said before any row goes out; *rt its
 * result's dtype.
 */
static int probe(const stream *s, tc_dtype in, int64_t width, bool column, tc_dtype *rt)
{
    int64_t shape[2] = {1, width};
    tc_tensor *x = tc_tensor_new(in, column ? 1 : 2, column ? shape + 1 : shape, s->err);
    tc_result r = {0};
    int rc = x ? tc_op_run(s->a, x, &r, s->err) : TC_ENOMEM;
    if (rc == TC_OK && r.values)
        *rt = r.values->dtype;
    tc_result_free(&r);
    tc_tensor_free(x);
    return rc;
}

static int down_new(const stream *s, tc_dtype in, int64_t width, bool column, down **out)
{
    const tc_op_args *a = s->a;
    tc_err *err = s->err;
    int rc;
    *out = NULL;
    down *d = tc_calloc(1, sizeof *d);
    if (!d)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    d->width = width;
    if (tc_op_kind_of(a->op) == TC_OPK_SCAN) {
        tc_op_args ca = *a;
        ca.dim = 0;
        if ((rc = tc_scan_carry_new(&ca, in, width, &d->carry, err))) {
            down_free(d);
            return rc;
        }
        *out = d;
        return TC_OK;
    }
    /* the op's checks, in the whole path's order, on one row; its result's dtype */
    int64_t shape[2] = {1, width};
    tc_dtype rt = in;
    if ((rc = probe(s, in, width, column, &rt))) {
        down_free(d);
        return rc;
    }
    tc_op_args_init(&d->a, a->op);
    d->a.has_dim = 1;
    d->a.dim = 0;
    d->a.n = a->n;
    d->a.dx = a->dx;
    d->a.default_dtype = a->default_dtype;
    d->a.torch_version = a->torch_version;
    d->has_cast = a->has_dtype;
    d->cast = a->dtype;
    if (a->op == TC_OP_DIFF) {
        d->to = rt;   /* torch.cat's dtype of prepend, x.to(dtype) and append */
        if (a->prepend)
            rc = as_rows(a->prepend, width, rt, &d->rows, err);
        if (rc == TC_OK && a->append)
            rc = as_rows(a->append, width, rt, &d->append, err);
    } else {
        /* the terms of one row of zeros: their dtype is the cumsum's input */
        d->to = a->has_dtype ? a->dtype : in;
        tc_tensor *z = tc_tensor_new(d->to, 2, shape, err), *p = NULL;
        rc = z ? tc_trapz_terms(&d->a, z, 0, &p, err) : TC_ENOMEM;
        if (rc == TC_OK) {
            tc_op_args ca;
            tc_op_args_init(&ca, TC_OP_CUMSUM);
            ca.has_dim = 1;
            ca.default_dtype = a->default_dtype;
            ca.torch_version = a->torch_version;
            rc = tc_scan_carry_new(&ca, p->dtype, width, &d->carry, err);
        }
        tc_tensor_free(p);
        tc_tensor_free(z);
    }
    if (rc) {
        down_free(d);
        return rc;
    }
    *out = d;
    return TC_OK;
}

/* The next block's rows x (rows x width, the reader's dtype) of the result. */
static int down_run(down *d, const tc_tensor *x, tc_result *r, int64_t *kshift, tc_err *err)
{
    int rc;
    memset(r, 0, sizeof *r);
    if (d->a.op != TC_OP_DIFF && d->a.op != TC_OP_CUMTRAPZ) {
        rc = tc_scan_carry_run(d->carry, x, r, err);
        if (rc == TC_OK)
            *kshift = (r->values->ndim ? r->values->shape[0] : 1) - x->shape[0];
        return rc;
    }
    tc_tensor *c = NULL;
    if ((rc = down_cast(d, x, &c, err)))
        return rc;
    int64_t t = d->rows ? d->rows->shape[0] : 0;
    if (d->a.op == TC_OP_DIFF) {
        tc_op_args da = d->a;
        da.prepend = t ? d->rows : NULL;
        *kshift = t - d->a.n;
        rc = tc_op_run(&da, c, r, err);
        if (rc == TC_OK)
            rc = down_keep(d, c, d->a.n, err);
    } else {
        /* the trapezoids from the row before the block's first (none at first) */
        tc_tensor *p = NULL;
        *kshift = t - 1;
        if ((rc = down_keep(d, c, t + c->shape[0], err)) == TC_OK &&
            (rc = tc_trapz_terms(&d->a, d->rows, 0, &p, err)) == TC_OK)
            rc = tc_scan_carry_run(d->carry, p, r, err);
        tc_tensor_free(p);
        if (rc == TC_OK)
            rc = down_keep(d, c, 1, err);
    }
    tc_tensor_free(c);
    if (rc)
        tc_result_free(r);
    return rc;
}

/* What follows the last block: diff's rows from --append (rows of no input row's). */
static int down_end(down *d, tc_result *r, tc_err *err)
{
    memset(r, 0, sizeof *r);
    if (!d->append)
        return TC_OK;
    tc_op_args da = d->a;
    da.prepend = d->rows;
    return tc_op_run(&da, d->append, r, err);
}

/* ---- output ------------------------------------------------------------------ */

/*
 * Result rows of a block into out, with the keys of block row i - kshift
 * (none before the first); the table's header into head, unless NULL.
 * Touches nothing of s but reads it: workers call it at once.
 */
static int emit(const stream *s, tc_buf *out, const tc_tensor *y, const tc_block *b,
                int64_t kshift, tc_buf *head, tc_err *err)
{
    int rc;
    if (!s->rich) {
        tc_tensor v = *y;
        if (s->meta->column && v.ndim == 1) {
            v.ndim = 2;
            v.shape[1] = 1;
        }
        return tc_write_csv(out, &v, s->odelim, err);
    }
    tc_layout L;
    tc_table m = *s->meta;   /* this block's rows (the text is shared, read only) */
    m.rows = b->rows;
    const tc_op_args *a = s->mode == MODE_ROWS ? s->a : NULL;
    tc_op_args show;
    if (s->mode == MODE_DOWN) {
        tc_op_args_init(&show, TC_OP_SHOW);
        m.rows = y->ndim ? y->shape[0] : 1;
        a = &show;
    }
    if ((rc = tc_layout_make(&L, &m, a, y, err)))
        return rc;
    if (head)
        tc_layout_header(head, &L, &m, s->odelim);
    tc_layout_rows(out, &L, y, b->text, b->key, b->rows, s->r.s.nkey, kshift, s->odelim);
    tc_layout_free(&L);
    return out->oom ? tc_err_set(err, TC_ENOMEM, "out of memory formatting the output") : TC_OK;
}

/*
 * The op on one parsed block: along each row with tc_op_run, or down the
 * columns with the carry (which the caller runs in block order); the
 * result in *r, y the tensor CSV shows, whose row i shows block row
 * i - *kshift.
 */
static int compute(const stream *s, tc_block *b, tc_result *r, tc_tensor **y, int64_t *kshift,
                   tc_err *err)
{
    int rc;
    tc_tensor *x = b->x;
    *y = NULL;
    *kshift = 0;
    if (s->mode == MODE_DOWN) {
        rc = down_run(s->down, x, r, kshift, err);
    } else {
        if (s->meta->column)
            x->ndim = 1;   /* a column block is a slice of a 1-D tensor: show, diff -n 0 */
        rc = tc_op_run(s->a, x, r, err);
        x->ndim = 2;
    }
    if (rc == TC_OK)
        rc = tc_result_pick(r, s->so.select, y, err);
    return rc;
}

/* Compute and write one block of rows (one thread). */
static int run_block(stream *s, tc_block *b)
{
    tc_result r = {0};
    tc_tensor *y;
    int64_t kshift;
    int rc = compute(s, b, &r, &y, &kshift, s->err);
    if (rc == TC_OK) {
        rc = emit(s, &s->out, y, b, kshift, s->header_out ? NULL : &s->out, s->err);
        s->header_out = true;
    }
    tc_result_free(&r);
    s->rows_in += b->rows;
    return rc;
}

/* After the last block: diff's rows from --append, and the header if no block wrote it. */
static int run_end(stream *s)
{
    tc_result r = {0};
    tc_tensor *y;
    int rc = down_end(s->down, &r, s->err);
    if (rc == TC_OK && r.values) {
        tc_block none = {0};
        if ((rc = tc_result_pick(&r, s->so.select, &y, s->err)) == TC_OK)
            rc = emit(s, &s->out, y, &none, 0, s->header_out ? NULL : &s->out, s->err);
        s->header_out = true;
    }
    tc_result_free(&r);
    return rc;
}

/* ---- the whole path, for what has no streaming form --------------------- */

static int run_whole(stream *s)
{
    tc_tensor *x = NULL;
    tc_table *t = NULL;
    int rc = tc_read_table(s->win, s->n, &s->ro, &x, &t, s->err);
    if (rc)
        return rc;
    tc_result r = {0};
    tc_tensor *y = NULL;
    if (!s->so.delimiter)
        s->odelim = t->delim == ' ' ? '\t' : t->delim;
    rc = tc_op_run(s->a, x, &r, s->err);
    if (rc == TC_OK)
        rc = tc_result_pick(&r, s->so.select, &y, s->err);
    if (rc == TC_OK) {
        if (tc_table_is_rich(t)) {
            rc = tc_write_table_csv(&s->out, y, s->a, t, s->odelim, s->err);
        } else {
            tc_tensor v = *y;
            if (t && t->column && v.ndim == 1) {   /* (no table: JSON that is one document) */
                v.ndim = 2;   /* a CSV column in, a column out */
                v.shape[1] = 1;
            }
            rc = tc_write_csv(&s->out, &v, s->odelim, s->err);
        }
    }
    tc_result_free(&r);
    tc_tensor_free(x);
    tc_table_free(t);
    return rc;
}

/* ---- layout ------------------------------------------------------------------ */

/*
 * How the op runs over the table: along each row, down the columns with a
 * carry, or on the whole input.  ndim and column describe the values.
 */
static int choose_mode(const stream *s, int ndim, bool column)
{
    const tc_op_args *a = s->a;
    tc_op_kind k = tc_op_kind_of(a->op);
    if (k == TC_OPK_SHOW)
        return ndim == 2 || column ? MODE_ROWS : MODE_GATHER;
    if (ndim == 0 || (ndim == 1 && !column))
        return MODE_GATHER;   /* a single row or value: all of it is here anyway */
    if (k == TC_OPK_SCAN && !a->has_dim)
        return MODE_GATHER;   /* the whole path gives the message */
    int64_t dflt = k == TC_OPK_ALONG ? -1 : 0;
    int d;
    if (k == TC_OPK_REDUCE && !a->has_dim)
        return MODE_GATHER;
    if (tc_dim_wrap(a->has_dim ? a->dim : dflt, ndim, &d, NULL) != TC_OK)
        return MODE_GATHER;   /* likewise */
    bool columns = column || d == 0;   /* down the columns */
    if (!columns) {
        /* along each row: a plain table's row reductions keep their old shape (one row) */
        if (k == TC_OPK_REDUCE && !s->rich)
            return MODE_GATHER;
        /* diff's prepend and append along the rows have the whole input's rows */
        if (a->op == TC_OP_DIFF && (a->prepend || a->append))
            return MODE_GATHER;
        return MODE_ROWS;
    }
    if (k == TC_OPK_SCAN)
        return a->reverse ? MODE_GATHER : MODE_DOWN;
    if (a->op == TC_OP_DIFF)   /* n 0: the input itself; n < 0 (1.13): the whole path's */
        return a->n == 0 ? MODE_ROWS : a->n < 0 ? MODE_GATHER : MODE_DOWN;
    if (a->op == TC_OP_CUMTRAPZ && !a->x)
        return MODE_DOWN;
    return MODE_GATHER;
}

/*
 * Whether a lone first value (one field, no header, more to come) may go
 * out before it is known whether it is the whole input (0-d) or a column's
 * first row: show and the plain scans give the same text both ways, but
 * for -0.0 (a 0-d cumsum is x, a column's first row 0 + x), a --dtype (a
 * 0-d op may refuse or convert differently) and the dtypes some scans have
 * no kernel for.
 */
static bool lone_early(const stream *s, const tc_block *b)
{
    const tc_op_args *a = s->a;
    tc_op_kind k = tc_op_kind_of(a->op);
    if (k != TC_OPK_SHOW && (k != TC_OPK_SCAN || a->exclusive || a->include_initial ||
                             a->reverse || a->has_dtype))
        return false;
    tc_dtype t = b->x->dtype;
    if (t == TC_BOOL || tc_dtype_is_complex(t) || t == TC_FLOAT16 || t == TC_BFLOAT16)
        return k == TC_OPK_SHOW;
    if (k == TC_OPK_SCAN && (a->dim < -1 || a->dim > 0))
        return false;
    if (tc_dtype_is_float(t)) {
        double v = tc_tensor_get_f64(b->x, 0);
        if (v == 0 && signbit(v))
            return false;
        if (a->op == TC_OP_LOGCUMSUMEXP || a->op == TC_OP_NANCUMSUM || a->op == TC_OP_NANCUMPROD)
            return !isnan(v);
    }
    if (k == TC_OPK_SCAN && !tc_dtype_is_float(t) && a->op == TC_OP_LOGCUMSUMEXP)
        return false;
    return true;
}

/* Skip a BOM and ro.skip_rows lines at the start: false while more input is needed. */
static bool skip_start(stream *s)
{
    size_t bom = tc_bom_len(s->win, s->n);
    if (!s->eof && s->n < 3 && (s->n == 0 || (unsigned char)s->win[0] == 0xEF))
        return false;
    long lines = 0;
    size_t k = tc_skip_lines(s->win + bom, s->n - bom, s->ro.skip_rows, &lines);
    if (lines < s->ro.skip_rows && !s->eof)
        return false;
    s->head_skip = bom + k;
    s->head_lines = lines;
    return true;
}

/* Whether a column's role is still open: the head saw only missing cells in it. */
static bool undecided(const stream *s)
{
    for (int c = 0; c < s->r.s.ncols; c++)
        if (!s->r.s.seen[c])
            return true;
    return false;
}

/*
 * Read the whole input once for its dtype and the roles of columns the
 * head could not settle, then go back to its start.
 */
static int prescan(stream *s, size_t head_len)
{
    int rc;
    /* (no line numbers: the scan reports nothing, and the rows are read again from line 1) */
    consume(s, head_len, 0);
    for (;;) {
        size_t len = s->eof ? s->n : s->cut;
        if (len)
            tc_treader_scan(&s->r, s->win, len, s->eof, 0);
        consume(s, len, 0);
        if (s->eof)
            break;
        if ((rc = fill(s)))
            return rc;
    }
    if (s->io->rewind(s->io->ctx) != 0) {
        tc_err_set(s->err, TC_EIO, "cannot rewind the input: %s", tc_strerror(errno, (char[128]){0}, 128));
        return tc_err_hint(s->err, TC_EIO, "input", NULL);
    }
    s->n = s->scanned = s->cut = 0;
    s->inq = false;
    s->eof = false;
    s->line0 = 0;
    s->second = true;
    return TC_OK;
}

/*
 * The head: returns TC_OK with s->mode set once blocks can flow (or the
 * whole path is chosen), or with s->mode MODE_NONE while more input is
 * needed.
 */
static int start(stream *s)
{
    if (!skip_start(s))
        return TC_OK;
    const char *p = s->win + s->head_skip;
    size_t len = (s->eof ? s->n : s->cut);
    if (len < s->head_skip)
        return TC_OK;
    len -= s->head_skip;
    /*
     * A sniffed delimiter comes from the first rows (tc_tok_sniff's
     * sample): an input that can be read twice waits for all of them, so
     * the choice does not depend on how the input arrives.  A live pipe
     * decides on the rows it has.
     */
    if (!s->ro.delimiter && !s->eof && s->io->rewind && !s->so.live && len < TC_SNIFF_BYTES &&
        count_lines(p, len) < TC_SNIFF_ROWS + 1)
        return TC_OK;
    size_t data_off;
    int64_t rows;
    tc_treader_free(&s->r);
    int rc = tc_treader_init(&s->r, &s->ro, s->err);
    if (rc == TC_OK)
        rc = tc_treader_head(&s->r, p, len, s->eof, s->head_lines, &data_off, &rows);
    if (rc)
        return rc;
    if (rows == 0 || s->r.s.nval == 0) {
        if (!s->eof)
            return TC_OK;   /* only a header or comments so far: wait for data */
        return tc_table_empty_error(&s->r, rows, s->err);
    }
    bool header = s->r.s.header;
    int64_t nval = s->r.s.nval;
    bool lone = !header && rows == 1 && !s->eof;
    if (lone) {
        /*
         * One row without a header, more to come: a vector, or a table's
         * first row?  Wait for row 2 or the end, except for a lone value
         * that can go out before a pipe says which (see lone_early).
         */
        if (nval > 1 || s->io->rewind)
            return TC_OK;
        s->r.dtype = tc_treader_infer(&s->r);
        tc_block b = {0};
        rc = tc_treader_block(&s->r, p + data_off, len - data_off, false, s->head_lines, &b);
        bool early = rc == TC_OK && b.rows == 1 && lone_early(s, &b);
        tc_block_free(&b);
        if (rc)
            return rc;
        if (!early)
            return TC_OK;
    }
    bool column;
    int ndim = tc_table_squeeze(header, rows, nval, &column);
    if (lone) {
        column = true;   /* a lone value, taken for a column's first row */
        ndim = 1;
    }
    s->rich = header || s->r.s.nkey > 0;
    s->mode = choose_mode(s, ndim, column);
    if (s->mode == MODE_GATHER)
        return TC_OK;
    /*
     * the dtype: input_dtype, or the inference over the whole input; and
     * the role of a column the head saw only missing cells in
     */
    bool twice = !s->so.live && s->io->rewind && (!s->ro.has_input_dtype || undecided(s));
    s->head_skip += data_off;
    s->head_lines += count_lines(p, data_off);
    if (twice) {
        if ((rc = prescan(s, s->head_skip + len - data_off)))
            return rc;
        /* words further down a column of missing cells make it a key column after all */
        if (s->r.s.nval != nval) {
            nval = s->r.s.nval;
            if (nval == 0)
                return tc_table_empty_error(&s->r, rows, s->err);
            ndim = tc_table_squeeze(header, rows, nval, &column);
            s->rich = header || s->r.s.nkey > 0;
            s->mode = choose_mode(s, ndim, column);
            if (s->mode == MODE_GATHER)
                return TC_OK;   /* from the start again, which the rewind gave */
        }
    }
    s->meta = tc_table_from_schema(&s->r.s, s->err);
    if (!s->meta)
        return TC_ENOMEM;
    s->meta->ndim = ndim;
    s->meta->column = column;
    if (!s->so.delimiter)
        s->odelim = s->r.s.delim == ' ' ? '\t' : s->r.s.delim;
    s->r.dtype = tc_treader_infer(&s->r);
    if (s->mode == MODE_DOWN) {
        if ((rc = down_new(s, s->r.dtype, nval, column, &s->down)))
            return rc;
    } else {
        /*
         * The op along each row: an op that refuses this table says so
         * now, before any row, however the input arrives in blocks.
         */
        tc_dtype rt;
        if ((rc = probe(s, s->r.dtype, nval, column, &rt)))
            return rc;
    }
    /*
     * What to write is known before any row: a missing or stray select is
     * refused at once, however the rows arrive, but after the op's own
     * refusal, as PyTorch runs the op before anything is selected (the
     * whole path picks after its run too).
     */
    if ((tc_op_nresults(s->a) == 2) != (s->so.select != 0)) {
        tc_result none = {tc_op_name(s->a->op), NULL, NULL};
        tc_tensor *y;
        tc_tensor dummy = {0};
        if (tc_op_nresults(s->a) == 2)
            none.indices = &dummy;
        return tc_result_pick(&none, s->so.select, &y, s->err);
    }
    return TC_OK;
}

/* ---- threads ------------------------------------------------------------------- */

/*
 * With so->threads > 1 the blocks go through a pool: the reading thread
 * (the caller's) cuts the input into jobs at row boundaries (the quote-
 * aware cut above) and writes their output in input order; workers (and
 * the reading thread, when it would wait) parse a job's text into values
 * and keys, compute, and format its rows.  Only a carried scan must run in
 * order: a job takes its turn for it (scan turn = job number), so the
 * accumulation is exactly the one thread's.  Jobs in flight are bounded
 * (2 per thread), so memory stays bounded by the block size.  A file's job is BLOCK bytes; a pipe's is
 * what it gives at once, so output is as live as without threads.  (JSON
 * Lines keep one thread: their rows are read against the head's keys.)
 */
#define BLOCK (64 * 1024)   /* W1 as fast as with 128 KiB, W6 at 1.6x one thread's peak RSS */

enum { JOB_FREE, JOB_QUEUED, JOB_DONE };

typedef struct job {
    int state;
    int64_t seq;
    char *text;
    size_t n, cap;
    bool final;
    long lines;             /* newlines in text */
    tc_buf head;            /* the table's header, which the writer puts before the first rows */
    tc_buf out;
    int rc;
    tc_err err;             /* positioned within the job; the writer adds the lines before */
} job;

typedef struct pool {
    stream *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *jobs;
    int njobs;
    int64_t next_seq, next_take, next_scan, next_write;
    bool header_due;        /* a table whose header is still to be written */
    pthread_t *th;
    int nth, started;
    bool quit;
    bool helps;             /* the reading thread works a queued job while it waits */
    tc_treader r;           /* its reader view and block, for that */
    tc_block b;
} pool;

/* One job, on a worker with its own reader view r and block. */
static void work(pool *P, job *j, tc_treader *r, tc_block *b)
{
    stream *s = P->s;
    memset(&j->err, 0, sizeof j->err);
    r->err = &j->err;
    j->lines = count_lines(j->text, j->n);
    int rc = tc_treader_block(r, j->text, j->n, j->final, 0, b);
    tc_result res = {0};
    tc_tensor *y = NULL;
    int64_t kshift = 0;
    if (s->mode == MODE_DOWN) {
        /*
         * The carry in input order: wait for this job's turn.  A stream
         * that stops (an error in an earlier job) wakes the jobs still
         * waiting: they leave without their turn and without touching the
         * carry, which the job that has the turn may be using.
         */
        pthread_mutex_lock(&P->mu);
        while (P->next_scan != j->seq && !P->quit)
            pthread_cond_wait(&P->cv, &P->mu);
        bool turn = P->next_scan == j->seq;
        pthread_mutex_unlock(&P->mu);
        if (turn) {
            if (rc == TC_OK && b->rows)
                rc = compute(s, b, &res, &y, &kshift, &j->err);
            pthread_mutex_lock(&P->mu);
            P->next_scan++;
            pthread_cond_broadcast(&P->cv);
            pthread_mutex_unlock(&P->mu);
        }
    } else if (rc == TC_OK && b->rows) {
        rc = compute(s, b, &res, &y, &kshift, &j->err);
    }
    j->out.n = 0;
    j->head.n = 0;
    if (rc == TC_OK && y) {
        rc = emit(s, &j->out, y, b, kshift, s->rich ? &j->head : NULL, &j->err);
    }
    tc_result_free(&res);
    j->rc = rc;
}

static void *worker_main(void *arg)
{
    pool *P = arg;
    tc_err err = {0};
    tc_treader r;
    tc_block b = {0};
    int rc = tc_treader_share(&P->s->r, &r, &err);
    pthread_mutex_lock(&P->mu);
    for (;;) {
        while (!P->quit && P->next_take == P->next_seq)
            pthread_cond_wait(&P->cv, &P->mu);
        if (P->quit)
            break;
        job *j = &P->jobs[P->next_take % P->njobs];
        P->next_take++;
        pthread_mutex_unlock(&P->mu);
        if (rc == TC_OK) {
            work(P, j, &r, &b);
        } else {
            j->err = err;
            j->rc = rc;
            if (P->s->mode == MODE_DOWN) {
                /* its turn passes on (see work) */
                pthread_mutex_lock(&P->mu);
                while (P->next_scan != j->seq && !P->quit)
                    pthread_cond_wait(&P->cv, &P->mu);
                if (P->next_scan == j->seq) {
                    P->next_scan++;
                    pthread_cond_broadcast(&P->cv);
                }
                pthread_mutex_unlock(&P->mu);
            }
        }
        pthread_mutex_lock(&P->mu);
        j->state = JOB_DONE;
        pthread_cond_broadcast(&P->cv);
    }
    pthread_mutex_unlock(&P->mu);
    tc_block_free(&b);
    tc_treader_free(&r);
    return NULL;
}

/* Hand the window's first len bytes to the pool as the next job. */
static int submit(pool *P, size_t len)
{
    stream *s = P->s;
    job *j = &P->jobs[P->next_seq % P->njobs];
    if (j->cap < len) {
        char *t = tc_realloc(j->text, len);
        if (!t)
            return tc_err_set(s->err, TC_ENOMEM, "out of memory");
        j->text = t;
        j->cap = len;
    }
    memcpy(j->text, s->win, len);
    j->n = len;
    j->final = s->eof && len == s->n;
    consume(s, len, 0);   /* the workers count the lines */
    pthread_mutex_lock(&P->mu);
    j->seq = P->next_seq++;
    j->state = JOB_QUEUED;
    pthread_cond_broadcast(&P->cv);
    pthread_mutex_unlock(&P->mu);
    /* a worker more for each job in flight, up to the number wanted */
    if (P->started < P->nth && P->started < P->next_seq - P->next_write) {
        if (tc_thread_start(&P->th[P->started], worker_main, P) != 0)
            return P->started ? TC_OK : tc_err_set(s->err, TC_ENOMEM, "out of memory: cannot start a thread");
        P->started++;
    }
    return TC_OK;
}

/* Write the jobs that are done, in order; an error stops the stream. */
static int drain(pool *P, long *lines, bool wait)
{
    stream *s = P->s;
    pthread_mutex_lock(&P->mu);
    for (;;) {
        job *j = &P->jobs[P->next_write % P->njobs];
        if (P->next_write == P->next_seq || (j->state != JOB_DONE && !wait))
            break;
        if (j->state != JOB_DONE) {
            if (P->helps && P->next_take < P->next_seq) {
                /* rather than sleep while a core is free: a queued job, here */
                job *q = &P->jobs[P->next_take % P->njobs];
                P->next_take++;
                pthread_mutex_unlock(&P->mu);
                work(P, q, &P->r, &P->b);
                pthread_mutex_lock(&P->mu);
                q->state = JOB_DONE;
                pthread_cond_broadcast(&P->cv);
                continue;
            }
            pthread_cond_wait(&P->cv, &P->mu);
            continue;
        }
        pthread_mutex_unlock(&P->mu);
        if (j->rc) {
            if (s->err) {
                *s->err = j->err;
                if (s->err->line > 0)
                    s->err->line += *lines;
            }
            return j->rc;
        }
        if (j->out.oom || j->head.oom)
            return tc_err_set(s->err, TC_ENOMEM, "out of memory formatting the output");
        /* the header before the first job that has rows */
        if (P->header_due && j->head.n) {
            if (s->io->write(s->io->ctx, j->head.p, j->head.n) != 0) {
                tc_err_set(s->err, TC_EIO, "%s", tc_strerror(errno, (char[128]){0}, 128));
                return tc_err_hint(s->err, TC_EIO, "output", NULL);
            }
            P->header_due = false;
        }
        if (j->out.n && s->io->write(s->io->ctx, j->out.p, j->out.n) != 0) {
            tc_err_set(s->err, TC_EIO, "%s", tc_strerror(errno, (char[128]){0}, 128));
            return tc_err_hint(s->err, TC_EIO, "output", NULL);
        }
        *lines += j->lines;
        pthread_mutex_lock(&P->mu);
        j->state = JOB_FREE;
        P->next_write++;
        wait = false;   /* one job was waited for: the others only if done */
    }
    pthread_mutex_unlock(&P->mu);
    return TC_OK;
}

/*
 * The blocks of a stream whose head is read, through the pool.  Returns
 * with the input read and every job written, or the first error in input
 * order.
 */
static int run_pool(stream *s)
{
    pool P;
    memset(&P, 0, sizeof P);
    P.s = s;
    /*
     * The reading thread is one of the threads: it works queued jobs when
     * it would wait (drain), so threads - 1 workers keep the cores busy
     * without a thread more than cores (whose switching cost W2b 10%).
     */
    P.helps = tc_treader_share(&s->r, &P.r, NULL) == TC_OK;
    if (!P.helps)
        tc_treader_free(&P.r);   /* (a failed share: its tokenizer's remains) */
    P.nth = P.helps ? s->so.threads - 1 : s->so.threads;
    P.njobs = 2 * s->so.threads;
    P.header_due = s->rich && !s->header_out;
    s->header_out = true;
    size_t block = s->so.block ? (size_t)s->so.block : BLOCK;
    P.jobs = tc_calloc((size_t)P.njobs, sizeof *P.jobs);
    P.th = tc_calloc((size_t)P.nth, sizeof *P.th);
    if (!P.jobs || !P.th) {
        tc_free(P.jobs);
        tc_free(P.th);
        if (P.helps)
            tc_treader_free(&P.r);
        return tc_err_set(s->err, TC_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&P.mu, NULL);
    pthread_cond_init(&P.cv, NULL);
    long lines = s->line0;
    int rc = TC_OK;
    bool regular = s->io->rewind != NULL;
    for (;;) {
        if ((rc = drain(&P, &lines, false)))
            break;
        bool room = P.next_seq - P.next_write < P.njobs;
        size_t len = s->eof ? s->n : s->cut;
        if (room && len > 0 && (s->eof || !regular || s->n >= block)) {
            if ((rc = submit(&P, len)))
                break;
            continue;
        }
        if (s->eof && s->n == 0) {
            rc = drain(&P, &lines, true);
            if (rc || P.next_write == P.next_seq)
                break;
            continue;
        }
        if (!room || (s->eof && len == 0)) {
            if ((rc = drain(&P, &lines, true)))
                break;
            continue;
        }
        /* a pipe that may make us wait: what is computed goes out first (liveness) */
        while (!regular && P.next_write < P.next_seq && !(s->io->ready && s->io->ready(s->io->ctx)))
            if ((rc = drain(&P, &lines, true)))
                break;
        if (rc || (rc = fill(s)))
            break;
    }
    pthread_mutex_lock(&P.mu);
    P.quit = true;
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    for (int t = 0; t < P.started; t++)
        pthread_join(P.th[t], NULL);
    for (int k = 0; k < P.njobs; k++) {
        tc_free(P.jobs[k].text);
        tc_buf_free(&P.jobs[k].head);
        tc_buf_free(&P.jobs[k].out);
    }
    tc_free(P.jobs);
    tc_free(P.th);
    if (P.helps) {
        tc_block_free(&P.b);
        tc_treader_free(&P.r);
    }
    pthread_mutex_destroy(&P.mu);
    pthread_cond_destroy(&P.cv);
    s->header_out = !P.header_due;
    return rc;
}

int tc_stream_csv(const tc_op_args *a, const tc_read_opts *ro, const tc_stream_opts *so,
                  const char *prefix, size_t nprefix, const tc_stream_io *io, tc_err *err)
{
    stream s;
    int vrc = tc_read_opts_check(ro, err);
    if (vrc)
        return vrc;
    memset(&s, 0, sizeof s);
    s.a = a;
    s.ro = *ro;
    s.so = *so;
    s.odelim = so->delimiter;
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
    size_t tried = (size_t)-1;
    for (;;) {
        if (s.mode == MODE_NONE) {
            if (s.eof || (s.cut > 0 && s.cut != tried)) {
                tried = s.cut;
                if ((rc = start(&s)))
                    break;
                if (s.mode == MODE_GATHER) {
                    while (!s.eof && (rc = fill(&s)) == TC_OK)
                        ;
                    if (rc == TC_OK)
                        rc = run_whole(&s);
                    break;
                }
                if (s.mode != MODE_NONE) {
                    /* the data rows start after the head (on the second reading too) */
                    while (s.n < s.head_skip && !s.eof && (rc = fill(&s)) == TC_OK)
                        ;
                    if (rc)
                        break;
                    consume(&s, s.head_skip < s.n ? s.head_skip : s.n, s.head_lines);
                    s.line0 = s.head_lines;
                    /* threads for an input of more than one block (none for a small one) */
                    if (s.so.threads > 1 && !s.r.json &&
                        !(s.eof && s.n <= (s.so.block ? (size_t)s.so.block : BLOCK))) {
                        rc = run_pool(&s);
                        break;
                    }
                    continue;
                }
                if (s.eof)
                    break;   /* nothing to read: start() reported it */
            }
        } else if (s.cut > 0 || (s.eof && s.n > 0)) {
            size_t len = s.eof ? s.n : s.cut;
            if ((rc = tc_treader_block(&s.r, s.win, len, s.eof, s.line0, &s.blk)))
                break;
            if (s.blk.rows && (rc = run_block(&s, &s.blk)))
                break;
            consume(&s, len, -1);
            continue;
        }
        if (s.eof)
            break;
        if ((rc = fill(&s)))
            break;
    }
    if (rc == TC_OK && s.mode == MODE_DOWN)
        rc = run_end(&s);
    if (rc == TC_OK)
        rc = flush(&s);
    down_free(s.down);
    tc_block_free(&s.blk);
    tc_treader_free(&s.r);
    tc_table_free(s.meta);
    tc_free(s.win);
    tc_buf_free(&s.out);
    return rc;
}
