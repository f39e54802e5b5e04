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

#include <pthread.h>
#include <string.h>

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

/* ---- delimited text, in parallel blocks ------------------------------------------------- */

/* The head's sample: the first rows of this many bytes (the sniffer's and the stream's). */
#define HEAD_BYTES 65536
/* Below this much text one thread reads it all. */
#define PAR_MIN (1 << 20)

typedef struct part {
    const tc_treader *from;
    const char *p;
    size_t n;
    bool final;
    tc_block b;
    tc_err err;
    int rc;
} part;

static void *parse_part(void *arg)
{
    part *q = arg;
    tc_treader r;
    q->rc = tc_treader_share(q->from, &r, &q->err);
    if (q->rc == TC_OK)
        q->rc = tc_treader_block(&r, q->p, q->n, q->final, 0, &q->b);
    tc_treader_free(&r);
    return NULL;
}

/* The parts' rows one after another in b, key spans relative to p. */
static int join_parts(const tc_treader *r, const part *q, int np, int64_t rows, const char *p,
                      tc_block *b, tc_err *err)
{
    int64_t shape[2] = {rows, r->s.nval};
    size_t nkey = (size_t)r->s.nkey, esz = tc_dtype_size(r->dtype);
    memset(b, 0, sizeof *b);
    b->x = tc_tensor_new(r->dtype, 2, shape, err);
    b->key = tc_malloc(nkey * 2 * (size_t)(rows ? rows : 1) * sizeof *b->key);
    if (!b->x || !b->key) {
        tc_block_free(b);
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    b->text = p;
    b->rows = b->cap = rows;
    size_t vrow = (size_t)r->s.nval * esz;
    int64_t at = 0;
    for (int i = 0; i < np; i++) {
        const tc_block *qb = &q[i].b;
        if (qb->rows && vrow)
            memcpy((char *)b->x->data + (size_t)at * vrow, qb->x->data, (size_t)qb->rows * vrow);
        size_t off = (size_t)(qb->text - p), m = nkey * 2 * (size_t)qb->rows;
        for (size_t j = 0; j < m; j++)
            b->key[nkey * 2 * (size_t)at + j] = qb->key[j] + off;
        at += qb->rows;
    }
    return TC_OK;
}

/*
 * The data rows p[0, n) into one block b, cut at row boundaries into parts
 * that threads parse at once; the values and the key spans (made relative
 * to p) are joined in order.  The first error in input order wins, its
 * line counted from line0.
 */
static int parse_parts(tc_treader *r, const char *p, size_t n, long line0, int threads,
                       tc_block *b, tc_err *err)
{
    int k = threads * 2;
    part *q = tc_calloc((size_t)k, sizeof *q);
    pthread_t *th = tc_calloc((size_t)k, sizeof *th);
    bool *started = tc_calloc((size_t)k, sizeof *started);
    if (!q || !th || !started) {
        tc_free(q);
        tc_free(th);
        tc_free(started);
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    size_t at = 0;
    int np = 0;
    for (; np < k && at < n; np++) {
        size_t end = np == k - 1 ? n : at + (n - at) / (size_t)(k - np);
        if (end < n) {
            size_t c = tc_tok_cut(p + at, end - at);
            if (!c)
                c = tc_tok_cut(p + at, n - at);   /* a row longer than a part */
            end = c ? at + c : n;
        }
        q[np] = (part){r, p + at, end - at, end == n, {0}, {0}, 0};
        at = end;
    }
    for (int i = 0; i < np; i++)
        started[i] = tc_thread_start(&th[i], parse_part, &q[i]) == 0;
    for (int i = 0; i < np; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            parse_part(&q[i]);   /* no thread: this one here */
    }
    int rc = TC_OK;
    long lines = line0;
    int64_t rows = 0;
    for (int i = 0; i < np && rc == TC_OK; i++) {
        if (q[i].rc) {
            rc = q[i].rc;
            if (err) {
                *err = q[i].err;
                if (err->line > 0)
                    err->line += lines;
            }
        }
        for (size_t j = 0; j < q[i].n && rc == TC_OK; j++)
            lines += q[i].p[j] == '\n';
        rows += q[i].b.rows;
    }
    if (rc == TC_OK)
        rc = join_parts(r, q, np, rows, p, b, err);
    for (int i = 0; i < np; i++)
        tc_block_free(&q[i].b);
    tc_free(q);
    tc_free(th);
    tc_free(started);
    return rc;
}

int tc_read_text_table(const char *data, size_t n, const tc_read_opts *o, tc_format f, tc_tensor **out,
                       tc_table **table, tc_err *err)
{
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
        /* a dtype named in the input itself ("dtype") */
        if (rc == TC_OK && (rc = tc_dtype_check_version((*out)->dtype, o->torch_version, err))) {
            tc_tensor_free(*out);
            *out = NULL;
            if (table) {
                tc_table_free(*table);
                *table = NULL;
            }
        }
        return rc;
    }

    tc_treader r;
    int rc = tc_treader_init(&r, o, err);
    r.json = json;
    size_t data_off = 0;
    int64_t rows = 0;
    /*
     * The head: a JSON document whole; delimited text its first rows (as
     * the stream reads them), then a pre-scan of the rest for what the
     * head cannot know (a wider dtype, the role of a column of holes).
     */
    size_t head = n;
    if (!json && n > HEAD_BYTES) {
        size_t c = tc_tok_cut(data, HEAD_BYTES);
        head = c ? c : n;
    }
    for (;;) {
        if (rc == TC_OK)
            rc = tc_treader_head(&r, data, head, head == n, line0, &data_off, &rows);
        if (rc || rows > 0 || head == n)
            break;
        /* only a header or comments so far: a bigger head */
        size_t c = tc_tok_cut(data, head * 2 < n ? head * 2 : n);
        head = c > head ? c : n;
        tc_treader_free(&r);
        rc = tc_treader_init(&r, o, err);
        r.json = json;
    }
    if (rc == TC_OK && rows == 0)
        rc = tc_table_empty_error(&r, rows, err);
    tc_block b = {0};
    if (rc == TC_OK) {
        long lines = 0;
        for (size_t i = 0; i < data_off; i++)
            lines += data[i] == '\n';
        if (head < n) {
            long hl = lines;
            for (size_t i = data_off; i < head; i++)
                hl += data[i] == '\n';
            tc_treader_scan(&r, data + head, n - head, true, line0 + hl);
        }
        r.dtype = tc_treader_infer(&r);
        /* (without value columns too: a key column holding a number says so first) */
        if (!json && o->threads > 1 && n - data_off >= PAR_MIN)
            rc = parse_parts(&r, data + data_off, n - data_off, line0 + lines, o->threads, &b, err);
        else
            rc = tc_treader_block(&r, data + data_off, n - data_off, true, line0 + lines, &b);
    }
    if (rc == TC_OK && r.s.nval == 0)
        rc = tc_table_empty_error(&r, rows, err);
    if (rc == TC_OK && !b.x) {
        tc_err_set(err, TC_ENOMEM, "out of memory");   /* (a block always has its tensor) */
        rc = TC_ENOMEM;
    }
    tc_table *t = NULL;
    if (rc == TC_OK && table) {
        t = tc_table_from_schema(&r.s, err);
        rc = t ? keep_keys(t, &b, err) : TC_ENOMEM;
        if (t)
            t->rows = b.rows;
    }
    if (rc == TC_OK && !b.x)
        rc = TC_ENOMEM;   /* TC_OK always comes with b.x (for the analyzer) */
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
