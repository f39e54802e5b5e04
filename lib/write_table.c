/*
 * write_table.c - a result written back into its table: header, key
 * columns and values, as CSV, and as JSON (tc_write_json's object form
 * with the table's names, key fields and their places, which read_json.c
 * reads back to the same table).
 *
 * The input is a grid of rows x value columns, with key columns among the
 * value columns.  An op changes the grid along the axis it runs on:
 *
 *   show, a scan, --grad     nothing (an --include-initial scan adds one
 *                            first row or column, with empty keys or name)
 *   diff -n N                drops the first N rows or columns
 *   cumulative_trapezoid     drops the first row or column
 *   a reduction              removes the axis (or every axis without dim)
 *
 * so each output row carries the keys of the input row it came from, in
 * their places among the values, and the header names the columns; a
 * reduction down the rows gives one row (no keys), a reduction along the
 * rows one new column named after the op, after the keys.
 *
 * Key fields and names are copied as they were written; a field not
 * quoted in the input is quoted when the output delimiter needs it.
 */
#include "tc_private.h"

#include <string.h>

enum { AX_SAME, AX_SHIFT, AX_GONE };

typedef struct axis {
    int state;
    int64_t shift;      /* AX_SHIFT: output i is input i + shift (-1: a new first one) */
    int64_t grow;       /* AX_SHIFT: rows or columns after the input's (diff --append) */
} axis;

void tc_layout_free(tc_layout *L)
{
    tc_free(L->cell);
    tc_free(L->vname);
    memset(L, 0, sizeof *L);
}

/* Whether a table's CSV output is a table (a header or key columns), not a bare grid. */
int tc_table_is_rich(const tc_table *t)
{
    return t && (t->header || t->nkey > 0);
}

int tc_table_is_column(const tc_table *t)
{
    return t && t->column;
}

/*
 * What op a does to the grid axis that its dim d lands on.  diff's input
 * is cat(prepend, x, append) along d (unless n is 0): an output row or
 * column from prepend or append has no input's (empty keys, no name).
 */
static void op_effect(const tc_op_args *a, int d, int64_t len, axis *ax)
{
    ax->state = AX_SAME;
    ax->shift = 0;
    ax->grow = 0;
    if (!a)
        return;
    switch (tc_op_kind_of(a->op)) {
    case TC_OPK_SCAN:
        if (a->include_initial) {
            ax->state = AX_SHIFT;
            ax->shift = -1;
        }
        break;
    case TC_OPK_ALONG:
        ax->state = AX_SHIFT;
        if (a->op == TC_OP_DIFF) {
            int64_t pre = a->n && a->prepend && d < a->prepend->ndim ? a->prepend->shape[d] : 0;
            int64_t app = a->n && a->append && d < a->append->ndim ? a->append->shape[d] : 0;
            int64_t joined = pre + len + app;
            ax->shift = (a->n < 0 ? 0 : a->n < joined ? a->n : joined) - pre;
            ax->grow = app;
        } else {
            ax->shift = len > 0 ? 1 : 0;
        }
        break;
    case TC_OPK_REDUCE:
        ax->state = AX_GONE;
        break;
    default:
        break;
    }
}

static int64_t axis_len(const axis *ax, int64_t len)
{
    if (ax->state == AX_GONE)
        return 1;
    if (ax->state == AX_SHIFT)
        return len - ax->shift + ax->grow > 0 ? len - ax->shift + ax->grow : 0;
    return len;
}

static int put_cell(tc_layout *L, int cell, const char *name)
{
    L->cell[L->ncell] = cell;
    L->vname[L->ncell] = name;
    L->ncell++;
    return TC_OK;
}

int tc_layout_make(tc_layout *L, const tc_table *t, const tc_op_args *a, const tc_tensor *y,
                   tc_err *err)
{
    memset(L, 0, sizeof *L);
    axis rows = {AX_SAME, 0, 0}, cols = {AX_SAME, 0, 0};
    int64_t R = t->rows, C = t->nval;
    /* the grid axis each tensor dim is: 2-D (rows, cols); a column (rows); a row (cols) */
    int grid[2] = {0, 1};
    int nd = t->ndim;
    if (nd < 0 || nd > 2)
        return tc_err_set(err, TC_ESHAPE, "internal error: a table of %d dimensions", nd);
    if (nd == 1)
        grid[0] = t->column ? 0 : 1;
    if (a && tc_op_kind_of(a->op) != TC_OPK_SHOW) {
        if (tc_op_kind_of(a->op) == TC_OPK_REDUCE && !a->has_dim) {
            /* over every dim: each axis the tensor has goes */
            for (int d = 0; d < nd && d < 2; d++)
                (grid[d] == 0 ? &rows : &cols)->state = AX_GONE;
        } else if (nd > 0) {
            int64_t dflt = tc_op_kind_of(a->op) == TC_OPK_ALONG ? -1 : 0;
            int d;
            if (tc_dim_wrap(a->has_dim ? a->dim : dflt, nd, &d, NULL) == TC_OK)
                op_effect(a, d, grid[d] == 0 ? R : C, grid[d] == 0 ? &rows : &cols);
        }
    }
    int64_t R2 = axis_len(&rows, R), C2 = axis_len(&cols, C);
    if ((uint64_t)R2 * (uint64_t)C2 != (uint64_t)y->numel)
        return tc_err_set(err, TC_ESHAPE, "internal error: a result of %lld elements for a %lld x %lld table",
                          (long long)y->numel, (long long)R2, (long long)C2);
    L->rows = R2;
    L->vals = C2;
    L->header = t->header;
    L->keys = rows.state != AX_GONE && t->nkey > 0;
    L->row_shift = rows.state == AX_SHIFT ? rows.shift : 0;
    size_t maxcell = (size_t)t->nkey + (size_t)C2 + 1;
    L->cell = tc_malloc(maxcell * sizeof *L->cell);
    L->vname = tc_calloc(maxcell, sizeof *L->vname);
    if (!L->cell || !L->vname) {
        tc_layout_free(L);
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    const char *opname = a && tc_op_kind_of(a->op) == TC_OPK_REDUCE ? tc_op_name(a->op) : "";
    if (cols.state == AX_GONE) {
        /* a reduction along the rows: the keys, then one column named after the op */
        if (L->keys)
            for (int k = 0; k < t->nkey; k++)
                put_cell(L, -1 - k, NULL);
        const char *name = opname;
        if (C == 1 && t->name && rows.state == AX_GONE)
            name = t->raw[t->val_col[0]];   /* a series reduced to one value keeps its name */
        put_cell(L, 0, name);
        return TC_OK;
    }
    /*
     * Result column o shows input value column src = o + shift (-1: a new
     * first column); it stands where input value column max(src, 0) stood.
     */
    int64_t shift = cols.state == AX_SHIFT ? cols.shift : 0, o = 0;
    int k = 0, j = 0;
    for (int c = 0; c < t->ncols; c++) {
        if (t->role[c] == TC_ROLE_KEY) {
            if (L->keys)
                put_cell(L, -1 - k, NULL);
            k++;
            continue;
        }
        for (; o < C2 && (o + shift < 0 ? 0 : o + shift) == j; o++) {
            int64_t src = o + shift;
            put_cell(L, (int)o, t->raw && src >= 0 ? t->raw[t->val_col[src]] : "");
        }
        j++;
    }
    for (; o < C2; o++)   /* diff's columns from --append */
        put_cell(L, (int)o, "");
    return TC_OK;
}

/*
 * Rows are assembled in a local buffer and appended in chunks: a row of a
 * real table is many short pieces (keys, delimiters, numbers).
 */
typedef struct lbuf {
    tc_buf *out;
    size_t k;
    char s[8192];
} lbuf;

static void lb_flush(lbuf *b)
{
    tc_buf_put(b->out, b->s, b->k);
    b->k = 0;
}

static void lb_put(lbuf *b, const char *p, size_t n)
{
    if (b->k + n > sizeof b->s) {
        lb_flush(b);
        if (n > sizeof b->s / 2) {
            tc_buf_put(b->out, p, n);
            return;
        }
    }
    memcpy(b->s + b->k, p, n);
    b->k += n;
}

static void lb_char(lbuf *b, char c)
{
    if (b->k == sizeof b->s)
        lb_flush(b);
    b->s[b->k++] = c;
}

/*
 * A key field or a name, given as it was written (quotes included): its
 * text, quoted only where the output delimiter needs it (the delimiter, a
 * quote, a line end), as CSV writers quote; so "gamma, inc" stays one field.
 */
static void put_text(lbuf *b, const char *p, size_t n, char delim)
{
    bool quoted = n >= 2 && p[0] == '"' && p[n - 1] == '"';
    const char *v = quoted ? p + 1 : p;
    size_t m = quoted ? n - 2 : n;
    bool need = false, quote = false;
    for (size_t i = 0; i < m; i++) {
        quote |= v[i] == '"';
        need |= v[i] == delim || v[i] == '\n' || v[i] == '\r';
    }
    if (!need && !quote) {
        lb_put(b, v, m);
        return;
    }
    if (quoted && !quote) {
        lb_put(b, p, n);   /* quoted as written, and so as it is to be: "Ivanova, Pedro" */
        return;
    }
    lb_char(b, '"');
    for (size_t i = 0; i < m; i++) {
        if (v[i] == '"') {
            lb_put(b, "\"\"", 2);
            if (quoted && i + 1 < m && v[i + 1] == '"')
                i++;   /* a doubled quote as written: one quote of the text */
            continue;
        }
        lb_char(b, v[i]);
    }
    lb_char(b, '"');
}

void tc_layout_header(tc_buf *out, const tc_layout *L, const tc_table *t, char delim)
{
    if (!L->header)
        return;
    const char *only = L->ncell == 1 ? (L->cell[0] < 0 ? t->raw[t->key_col[-1 - L->cell[0]]]
                                                       : L->vname[0]) : NULL;
    if (L->ncell == 1 && (!only || !only[0] || !strcmp(only, "\"\""))) {
        /* one empty name: "" as Python's csv writes it, not a blank line, which readers skip */
        tc_buf_puts(out, "\"\"\n");
        return;
    }
    lbuf b = {out, 0, {0}};
    for (int i = 0; i < L->ncell; i++) {
        if (i)
            lb_char(&b, delim);
        int c = L->cell[i];
        const char *name = c < 0 ? t->raw[t->key_col[-1 - c]] : L->vname[i];
        if (name)
            put_text(&b, name, strlen(name), delim);
    }
    lb_char(&b, '\n');
    lb_flush(&b);
}

/* Result rows [r0, r1): row i with the keys of keys(i) (NULL: empty keys). */
static void put_rows(tc_buf *out, const tc_layout *L, const tc_tensor *y, int64_t r0, int64_t r1,
                     const char *keytext, const size_t *(*keys)(void *, int64_t), void *kctx,
                     char delim)
{
    lbuf b = {out, 0, {0}};
    bool f32 = y->dtype == TC_FLOAT32, f64 = y->dtype == TC_FLOAT64;
    for (int64_t i = r0; i < r1 && !out->oom; i++) {
        const size_t *k = keys(kctx, i);
        for (int c = 0; c < L->ncell; c++) {
            if (c)
                lb_char(&b, delim);
            int cell = L->cell[c];
            if (cell < 0) {
                if (k) {
                    const size_t *sp = k + 2 * (-1 - cell);
                    put_text(&b, keytext + sp[0], sp[1] - sp[0], delim);
                }
            } else if (f32 || f64) {
                if (b.k + 48 > sizeof b.s)
                    lb_flush(&b);
                int64_t e = i * L->vals + cell;
                double v = f32 ? ((const float *)y->data)[e] : ((const double *)y->data)[e];
                b.k += tc_real_text(b.s + b.k, v, y->dtype);
            } else {
                lb_flush(&b);
                tc_put_csv_value(out, y, i * L->vals + cell, delim);
            }
        }
        lb_char(&b, '\n');
    }
    lb_flush(&b);
}

/* Keys of result row i of a block: block row i - shift. */
typedef struct block_keys {
    const size_t *key;
    int64_t rows, shift;
    int nkey;
    bool on;
} block_keys;

static const size_t *keys_of_block(void *ctx, int64_t i)
{
    const block_keys *k = ctx;
    int64_t src = i - k->shift;
    return k->on && src >= 0 && src < k->rows ? k->key + 2 * (size_t)src * (size_t)k->nkey : NULL;
}

void tc_layout_rows(tc_buf *out, const tc_layout *L, const tc_tensor *y, const char *keytext,
                    const size_t *key, int64_t key_rows, int nkey, int64_t shift, char delim)
{
    block_keys k = {key, key_rows, shift, nkey, L->keys};
    put_rows(out, L, y, 0, L->rows, keytext, keys_of_block, &k, delim);
}

int tc_write_table_csv(tc_buf *out, const tc_tensor *y, const tc_op_args *a, const tc_table *t,
                       char delim, tc_err *err)
{
    tc_layout L;
    int rc = tc_layout_make(&L, t, a, y, err);
    if (rc)
        return rc;
    tc_layout_header(out, &L, t, delim);
    /* result row i shows input row i + row_shift */
    tc_layout_rows(out, &L, y, t->keytext, t->key, t->rows, t->nkey, -L.row_shift, delim);
    tc_layout_free(&L);
    return out->oom ? tc_err_set(err, TC_ENOMEM, "out of memory formatting the output") : TC_OK;
}

/* ---- JSON ------------------------------------------------------------------------- */

/* A JSON string of text p[0, n); a quoted CSV field (csv) has its quotes taken off. */
static void put_json_text(tc_buf *out, const char *p, size_t n, bool csv)
{
    bool quoted = csv && n > 0 && p[0] == '"';
    if (quoted) {
        p++;
        n -= n > 1 && p[n - 2] == '"' ? 2 : 1;
    }
    tc_buf_put(out, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (quoted && c == '"' && i + 1 < n && p[i + 1] == '"')
            i++;   /* "" inside quotes is one quote */
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            tc_buf_put(out, e, 2);
        } else if (c == '\n') {
            tc_buf_puts(out, "\\n");
        } else if (c == '\r') {
            tc_buf_puts(out, "\\r");
        } else if (c == '\t') {
            tc_buf_puts(out, "\\t");
        } else if (c < 0x20) {
            tc_buf_printf(out, "\\u%04x", c);
        } else {
            tc_buf_put(out, p + i, 1);
        }
    }
    tc_buf_put(out, "\"", 1);
}

typedef struct json_table {
    const tc_table *t;
    const tc_op_args *a;
    tc_err *err;
} json_table;

/* After "data": "columns", "keys" and "key_positions", as y's layout has them. */
static void table_members(tc_buf *out, const tc_tensor *y, void *ctx, int *fail)
{
    const json_table *J = ctx;
    const tc_table *t = J->t;
    tc_layout L;
    int rc = tc_layout_make(&L, t, J->a, y, J->err);
    if (rc) {
        *fail = rc;
        return;
    }
    if (L.header) {
        tc_buf_puts(out, ", \"columns\": [");
        int k = 0;
        for (int c = 0; c < L.ncell; c++) {
            if (L.cell[c] < 0)
                continue;
            if (k++)
                tc_buf_puts(out, ", ");
            const char *name = L.vname[c] ? L.vname[c] : "";
            put_json_text(out, name, strlen(name), true);
        }
        tc_buf_put(out, "]", 1);
    }
    if (L.keys) {
        tc_buf_puts(out, ", \"keys\": {");
        for (int k = 0; k < t->nkey && !out->oom; k++) {
            if (k)
                tc_buf_puts(out, ", ");
            if (t->header) {
                const char *name = t->raw[t->key_col[k]];
                put_json_text(out, name, strlen(name), true);
            } else {
                tc_buf_printf(out, "\"%d\"", t->key_col[k] + 1);
            }
            tc_buf_puts(out, ": [");
            for (int64_t i = 0; i < L.rows && !out->oom; i++) {
                int64_t src = i + L.row_shift;
                if (i)
                    tc_buf_puts(out, ", ");
                if (src >= 0 && src < t->rows) {
                    const size_t *sp = t->key + 2 * ((size_t)src * (size_t)t->nkey + (size_t)k);
                    put_json_text(out, t->keytext + sp[0], sp[1] - sp[0], true);
                } else {
                    tc_buf_puts(out, "\"\"");
                }
            }
            tc_buf_put(out, "]", 1);
        }
        tc_buf_puts(out, "}, \"key_positions\": [");
        int k = 0;
        for (int c = 0; c < L.ncell; c++)
            if (L.cell[c] < 0)
                tc_buf_printf(out, "%s%d", k++ ? ", " : "", c + 1);
        tc_buf_put(out, "]", 1);
    }
    /* a CSV input's other delimiter, for CSV output from this JSON (runs of blanks: tab) */
    if (t->delim != ',') {
        char d = t->delim == ' ' ? '\t' : t->delim;
        tc_buf_puts(out, ", \"delimiter\": ");
        put_json_text(out, &d, 1, false);
    }
    tc_layout_free(&L);
}

int tc_write_table_json(tc_buf *out, const tc_result *r, const tc_op_args *a, const tc_table *t,
                        tc_err *err)
{
    json_table J = {t, a, err};
    return tc_write_json_more(out, r, tc_table_is_rich(t) ? table_members : NULL, &J, err);
}
