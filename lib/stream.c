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
 *     accumulators from block to block (tc_scan_carry in scan.c);
 *   - anything else (a reduction down the columns, --reverse down them, a
 *     single row) gathers the whole input and runs the whole path at the
 *     end, which reads the same text through the same table layer.
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
#include <string.h>

#define CHUNK 65536

enum { MODE_NONE, MODE_ROWS, MODE_DOWN, MODE_GATHER };

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
    tc_scan_carry *carry;
    int64_t rows_in;            /* data rows computed so far */
} stream;

/* ---- input window ---------------------------------------------------------- */

/* Find the end of the last complete row among the bytes read so far. */
static void scan_rows(stream *s)
{
    size_t i = s->scanned;
    if (s->ro.format == TC_FMT_JSON || (!s->inq && !memchr(s->win + i, '"', s->n - i))) {
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
    if (s->out.n && s->io->write(s->io->ctx, s->out.p, s->out.n) != 0) {
        tc_err_set(s->err, TC_EIO, "%s", strerror(errno));
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
        tc_err_set(s->err, TC_EIO, "read error: %s", strerror(errno));
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
    long k = 0;
    for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        k++;
    return k;
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

/* ---- output ------------------------------------------------------------------ */

/* The one tensor of a result that CSV shows. */
static int pick(stream *s, tc_result *r, tc_tensor **y)
{
    return tc_result_pick(r, s->so.select, y, s->err);
}

/* Result rows of a block, the keys of block row i - kshift (none before the first). */
static int emit(stream *s, const tc_tensor *y, const tc_block *b, int64_t kshift, bool column)
{
    int rc;
    if (!s->rich) {
        tc_tensor v = *y;
        if (column && v.ndim == 1) {
            v.ndim = 2;
            v.shape[1] = 1;
        }
        return tc_write_csv(&s->out, &v, s->odelim, s->err);
    }
    tc_layout L;
    s->meta->rows = b->rows;
    const tc_op_args *a = s->mode == MODE_ROWS ? s->a : NULL;
    tc_op_args show;
    if (s->mode == MODE_DOWN) {
        tc_op_args_init(&show, TC_OP_SHOW);
        s->meta->rows = y->ndim ? y->shape[0] : 1;
        a = &show;
    }
    if ((rc = tc_layout_make(&L, s->meta, a, y, s->err)))
        return rc;
    if (!s->header_out) {
        tc_layout_header(&s->out, &L, s->meta, s->odelim);
        s->header_out = true;
    }
    for (int64_t i = 0; i < L.rows; i++) {
        int64_t src = i - kshift;
        const size_t *keys = L.keys && src >= 0 && src < b->rows
                             ? b->key + 2 * (size_t)src * (size_t)s->r.s.nkey : NULL;
        tc_layout_row(&s->out, &L, y, i, b->text, keys, s->odelim);
    }
    tc_layout_free(&L);
    return TC_OK;
}

/* Compute and write one block of rows. */
static int run_block(stream *s, tc_block *b)
{
    tc_result r = {0};
    int rc;
    bool column = s->meta->column;
    tc_tensor *x = b->x;
    int64_t kshift = 0;
    if (s->mode == MODE_DOWN) {
        rc = tc_scan_carry_run(s->carry, x, &r, s->err);
    } else {
        if (column) {
            /* a column block is a slice of a 1-D tensor: only show gets here */
            x->ndim = 1;
        }
        rc = tc_op_run(s->a, x, &r, s->err);
        x->ndim = 2;
    }
    tc_tensor *y = NULL;
    if (rc == TC_OK)
        rc = pick(s, &r, &y);
    if (rc == TC_OK) {
        if (s->mode == MODE_DOWN)
            kshift = (y->ndim ? y->shape[0] : 1) - b->rows;
        rc = emit(s, y, b, kshift, column);
    }
    tc_result_free(&r);
    s->rows_in += b->rows;
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
    rc = tc_op_run(s->a, x, &r, s->err);
    if (rc == TC_OK)
        rc = pick(s, &r, &y);
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
    bool down = column || d == 0;
    if (!down) {
        /* along each row: a plain table's row reductions keep their old shape (one row) */
        if (k == TC_OPK_REDUCE && !s->rich)
            return MODE_GATHER;
        return MODE_ROWS;
    }
    if (k == TC_OPK_SCAN && !a->reverse)
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
        if (!s->r.s.fixed && !s->r.s.seen[c])
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
    consume(s, head_len, -1);
    for (;;) {
        size_t len = s->eof ? s->n : s->cut;
        if (len)
            tc_treader_scan(&s->r, s->win, len, s->eof, s->line0);
        consume(s, len, -1);
        if (s->eof)
            break;
        if ((rc = fill(s)))
            return rc;
    }
    if (s->io->rewind(s->io->ctx) != 0) {
        tc_err_set(s->err, TC_EIO, "cannot rewind the input: %s", strerror(errno));
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
        tc_block b;
        if ((rc = tc_treader_block(&s->r, p + data_off, len - data_off, false, s->head_lines, &b)))
            return rc;
        bool early = b.rows == 1 && lone_early(s, &b);
        tc_block_free(&b);
        if (!early)
            return TC_OK;
    }
    bool column;
    int ndim = tc_table_squeeze(header, rows, nval, &column);
    if (lone) {
        column = true;   /* a lone value, taken for a column's first row */
        ndim = 1;
    }
    s->meta = tc_table_from_schema(&s->r.s, s->err);
    if (!s->meta)
        return TC_ENOMEM;
    s->meta->ndim = ndim;
    s->meta->column = column;
    s->rich = tc_table_is_rich(s->meta);
    if (!s->so.delimiter)
        s->odelim = s->r.s.delim == ' ' ? '\t' : s->r.s.delim;
    s->mode = choose_mode(s, ndim, column);
    if (s->mode == MODE_GATHER)
        return TC_OK;
    /* what to write is known before any row: refuse a missing or stray select at once */
    if ((tc_op_nresults(s->a) == 2) != (s->so.select != 0)) {
        tc_result none = {tc_op_name(s->a->op), NULL, NULL};
        tc_tensor *y;
        tc_tensor dummy = {0};
        if (tc_op_nresults(s->a) == 2)
            none.indices = &dummy;
        return tc_result_pick(&none, s->so.select, &y, s->err);
    }
    /*
     * the dtype: input_dtype, or the inference over the whole input; and
     * the role of a column the head saw only missing cells in
     */
    bool twice = !s->so.live && s->io->rewind && (!s->ro.has_input_dtype || undecided(s));
    s->head_skip += data_off;
    s->head_lines += count_lines(p, data_off);
    if (twice && (rc = prescan(s, s->head_skip + len - data_off)))
        return rc;
    if (s->r.s.nval != nval) {
        /*
         * The pre-scan found words in a column the head saw only missing
         * cells in: a key column.  Lay the table out again (with no value
         * column left, the whole path's error; a new mode may gather the
         * input, read again from its start).
         */
        if (s->r.s.nval == 0)
            return tc_table_empty_error(&s->r, rows, s->err);
        nval = s->r.s.nval;
        ndim = tc_table_squeeze(header, rows, nval, &column);
        tc_table_free(s->meta);
        if (!(s->meta = tc_table_from_schema(&s->r.s, s->err)))
            return TC_ENOMEM;
        s->meta->ndim = ndim;
        s->meta->column = column;
        s->rich = tc_table_is_rich(s->meta);
        if ((s->mode = choose_mode(s, ndim, column)) == MODE_GATHER)
            return TC_OK;
    }
    s->r.dtype = tc_treader_infer(&s->r);
    if (s->mode == MODE_DOWN) {
        tc_op_args ca = *s->a;
        ca.dim = 0;
        if ((rc = tc_scan_carry_new(&ca, s->r.dtype, nval, &s->carry, s->err)))
            return rc;
    }
    return TC_OK;
}

int tc_stream_csv(const tc_op_args *a, const tc_read_opts *ro, const tc_stream_opts *so,
                  const char *prefix, size_t nprefix, const tc_stream_io *io, tc_err *err)
{
    stream s;
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
                    continue;
                }
                if (s.eof)
                    break;   /* nothing to read: start() reported it */
            }
        } else if (s.cut > 0 || (s.eof && s.n > 0)) {
            size_t len = s.eof ? s.n : s.cut;
            tc_block b;
            if ((rc = tc_treader_block(&s.r, s.win, len, s.eof, s.line0, &b)))
                break;
            if (b.rows)
                rc = run_block(&s, &b);
            tc_block_free(&b);
            if (rc)
                break;
            consume(&s, len, -1);
            continue;
        }
        if (s.eof)
            break;
        if ((rc = fill(&s)))
            break;
    }
    if (rc == TC_OK)
        rc = flush(&s);
    tc_scan_carry_free(s.carry);
    tc_treader_free(&s.r);
    tc_table_free(s.meta);
    tc_free(s.win);
    tc_buf_free(&s.out);
    return rc;
}
