/*
 * read_csv.c - a whole table in memory (CSV, or a JSON table: pandas'
 * records and split forms, JSON Lines) into a tensor and its table.
 *
 * All the reading is the table layer's (table.c): here the input is one
 * block, read twice (the head learns the columns and the dtype from every
 * row, then the rows are parsed into values of that dtype), exactly as the
 * stream reads the same text block by block.  The values are squeezed as
 * numpy.loadtxt does, except that a header makes a table: rows x columns,
 * a single column 1-D, a single row without a header 1-D, a single value
 * without a header 0-d.  JSON that is no table (nested arrays, tcum's
 * object form) goes to read_json.c.
 */
#include "tc_private.h"

#include <string.h>

void tc_table_free(tc_table *t)
{
    if (!t)
        return;
    for (int c = 0; c < t->ncols; c++) {
        if (t->name)
            tc_free(t->name[c]);
        if (t->raw)
            tc_free(t->raw[c]);
    }
    tc_free(t->name);
    tc_free(t->raw);
    tc_free(t->role);
    tc_free(t->val_col);
    tc_free(t->key_col);
    tc_free(t->keytext);
    tc_free(t->key);
    tc_free(t);
}

char tc_table_delimiter(const tc_table *t)
{
    return t ? t->delim : ',';
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *d = tc_malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

tc_table *tc_table_from_schema(const tc_schema *s, tc_err *err)
{
    tc_table *t = tc_calloc(1, sizeof *t);
    if (!t)
        goto oom;
    t->delim = s->delim;
    t->header = s->header;
    t->ncols = s->ncols;
    t->nval = s->nval;
    t->nkey = s->nkey;
    size_t m = s->ncols ? (size_t)s->ncols : 1;
    t->role = tc_malloc(m);
    t->val_col = tc_malloc(m * sizeof *t->val_col);
    t->key_col = tc_malloc(m * sizeof *t->key_col);
    if (!t->role || !t->val_col || !t->key_col)
        goto oom;
    memcpy(t->role, s->role, (size_t)s->ncols);
    memcpy(t->val_col, s->val_col, (size_t)s->nval * sizeof *t->val_col);
    memcpy(t->key_col, s->key_col, (size_t)s->nkey * sizeof *t->key_col);
    if (s->header) {
        t->name = tc_calloc(m, sizeof *t->name);
        t->raw = tc_calloc(m, sizeof *t->raw);
        if (!t->name || !t->raw)
            goto oom;
        for (int c = 0; c < s->ncols; c++) {
            t->name[c] = dup_or_null(s->name[c]);
            t->raw[c] = dup_or_null(s->raw[c]);
            if (!t->name[c] || !t->raw[c])
                goto oom;
        }
    }
    return t;
oom:
    tc_table_free(t);
    tc_err_set(err, TC_ENOMEM, "out of memory");
    return NULL;
}

/* Copy a block's key fields into the table (one buffer of texts, spans into it). */
static int keep_keys(tc_table *t, const tc_block *b, tc_err *err)
{
    size_t nk = (size_t)t->nkey * (size_t)b->rows;
    if (!nk)
        return TC_OK;
    size_t bytes = 0;
    for (size_t i = 0; i < nk; i++)
        bytes += b->key[2 * i + 1] - b->key[2 * i];
    t->keytext = tc_malloc(bytes ? bytes : 1);
    t->key = tc_malloc(2 * nk * sizeof *t->key);
    if (!t->keytext || !t->key)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    size_t o = 0;
    for (size_t i = 0; i < nk; i++) {
        size_t len = b->key[2 * i + 1] - b->key[2 * i];
        memcpy(t->keytext + o, b->text + b->key[2 * i], len);
        t->key[2 * i] = o;
        t->key[2 * i + 1] = o + len;
        o += len;
    }
    return TC_OK;
}

/* Past the first skip lines of p[0, n): the offset, and the lines passed in *lines. */
size_t tc_skip_lines(const char *p, size_t n, long skip, long *lines)
{
    size_t i = 0;
    long k = 0;
    while (k < skip && i < n) {
        const char *nl = memchr(p + i, '\n', n - i);
        if (!nl) {
            i = n;
            break;
        }
        i = (size_t)(nl - p) + 1;
        k++;
    }
    *lines = k;
    return i;
}

/* The message for a table without data rows, or without a column of numbers. */
int tc_table_empty_error(const tc_treader *r, int64_t rows, tc_err *err)
{
    const tc_schema *s = &r->s;
    if (rows == 0 && s->header && !r->json) {
        tc_err_set(err, TC_ENODATA, "no data: the only row is a header");
        return tc_err_hint(err, TC_ENODATA, "header", "no");
    }
    if (rows == 0)
        return tc_err_set(err, TC_ENODATA, "no data");
    tc_err_set(err, TC_ENODATA, "no column holds numbers");
    if (r->odelim)
        return tc_err_hint(err, TC_ENODATA, "delimiter", r->odelim);
    return tc_err_hint(err, TC_ENODATA, "columns", NULL);
}

int tc_read_table(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out,
                  tc_table **table, tc_err *err)
{
    *out = NULL;
    if (table)
        *table = NULL;
    tc_format f = o->format == TC_FMT_AUTO ? tc_detect_format(data, n) : o->format;
    if (f == TC_FMT_NPY || f == TC_FMT_TORCH) {
        tc_read_opts po = *o;
        po.format = f;
        return tc_read(data, n, &po, out, err);
    }
    size_t bom = tc_bom_len(data, n);
    data += bom;
    n -= bom;
    long line0;
    size_t skip = tc_skip_lines(data, n, o->skip_rows, &line0);
    data += skip;
    n -= skip;
    int json = f == TC_FMT_JSON ? tc_json_form(data, n) : 0;
    if (f == TC_FMT_JSON && json == TC_JSON_PLAIN) {
        int rc = tc_read_json_doc(data, n, o, out, table, err);
        if (rc && err && err->line > 0)
            err->line += line0;
        return rc;
    }

    tc_treader r;
    int rc = tc_treader_init(&r, o, err);
    r.json = json;
    size_t data_off = 0;
    int64_t rows = 0;
    if (rc == TC_OK)
        rc = tc_treader_head(&r, data, n, true, line0, &data_off, &rows);
    if (rc == TC_OK && rows == 0)
        rc = tc_table_empty_error(&r, rows, err);
    tc_block b = {0};
    if (rc == TC_OK) {
        r.dtype = tc_treader_infer(&r);
        long lines = 0;
        for (size_t i = 0; i < data_off; i++)
            lines += data[i] == '\n';
        /* (without value columns too: a key column holding a number says so first) */
        rc = tc_treader_block(&r, data + data_off, n - data_off, true, line0 + lines, &b);
    }
    if (rc == TC_OK && r.s.nval == 0)
        rc = tc_table_empty_error(&r, rows, err);
    tc_table *t = NULL;
    if (rc == TC_OK && table) {
        t = tc_table_from_schema(&r.s, err);
        rc = t ? keep_keys(t, &b, err) : TC_ENOMEM;
        if (t)
            t->rows = b.rows;
    }
    if (rc == TC_OK) {
        bool column;
        tc_tensor *x = b.x;
        b.x = NULL;
        x->ndim = tc_table_squeeze(r.s.header, x->shape[0], x->shape[1], &column);
        if (x->ndim == 1)
            x->shape[0] = x->numel;
        if (t) {
            t->ndim = x->ndim;
            t->column = column;
        }
        *out = x;
        if (table) {
            *table = t;
            t = NULL;
        }
    }
    tc_table_free(t);
    tc_block_free(&b);
    tc_treader_free(&r);
    return rc;
}

int tc_read_csv(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out, tc_err *err)
{
    tc_read_opts co = *o;
    co.format = TC_FMT_CSV;
    return tc_read_table(data, n, &co, out, NULL, err);
}
