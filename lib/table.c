/*
 * table.c - the table layer: what the rows of a CSV mean.
 *
 * Above the tokenizer (csv_tok.c, and its JSON dialect json_rows.c) and
 * below every table reader (whole input, stream), this decides, in one
 * place, for CSV and JSON tables alike:
 *
 *   - the delimiter, sniffed from the first rows unless given;
 *   - the header: a first row with no number in it (or --header);
 *   - which columns form the tensor: those picked by name or position
 *     (columns, exclude_columns), or else every column whose first
 *     non-missing cell is a number; the others are key columns, carried
 *     through as text;
 *   - missing values: empty fields and pandas' NA tokens (or the caller's
 *     list) read as NaN;
 *   - the dtype: torch.tensor's inference over every value cell (a missing
 *     one counts as a float NaN), or input_dtype;
 *   - positions (line:col) for every message.
 *
 * A table is read in blocks of whole rows.  The first block (the head)
 * settles the delimiter, the header and the columns; a pre-scan of the
 * rest (tc_treader_scan, when the input can be read twice) finds what the
 * head could not know: a wider dtype further down, a column of missing
 * cells that turns out to hold words.  Then every block is parsed into
 * values of the table's dtype plus the spans of its key fields.
 *
 * Blocks of plain rows (numbers in plain decimal notation or empty in the
 * value columns, keys quoted or not, '\n' line ends) take a fast path that
 * reads them without the tokenizer; anything else, and every error, goes
 * through the tokenizer.  fuzz/fuzz_table.c checks that both give the same.
 */
#include "tc_private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* pandas' default missing-value tokens (pandas 2.2's STR_NA_VALUES), the empty field aside. */
static const char *const default_na[] = {
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
};

enum { CELL_MISSING, CELL_VALUE, CELL_WORD };

/* tc_schema.seen for a column whose role the caller set (columns, exclude_columns). */
#define PINNED 3

/* ---- reader setup ------------------------------------------------------------- */

/* A header's names and their text as written (either NULL: none), n columns. */
static void free_names(char **name, char **raw, int n)
{
    for (int c = 0; c < n; c++) {
        if (name)
            tc_free(name[c]);
        if (raw)
            tc_free(raw[c]);
    }
    tc_free(name);
    tc_free(raw);
}

void tc_table_free(tc_table *t)
{
    if (!t)
        return;
    free_names(t->name, t->raw, t->ncols);
    tc_free(t->role);
    tc_free(t->val_col);
    tc_free(t->key_col);
    tc_free(t->keytext);
    tc_free(t->key);
    tc_free(t);
}

int tc_read_opts_check(const tc_read_opts *o, tc_err *err)
{
    return o->has_input_dtype ? tc_dtype_check_version(o->input_dtype, o->torch_version, err) : TC_OK;
}

int tc_treader_share(const tc_treader *from, tc_treader *r, tc_err *err)
{
    *r = *from;
    r->shared = true;
    r->err = err;
    memset(&r->tok, 0, sizeof r->tok);
    return tc_tok_init(&r->tok, from->s.delim, from->ro.comment, err);
}

void tc_treader_free(tc_treader *r)
{
    tc_tok_free(&r->tok);
    if (r->shared) {
        memset(r, 0, sizeof *r);
        return;
    }
    tc_schema *s = &r->s;
    free_names(s->name, s->raw, s->ncols);
    tc_free(s->role);
    tc_free(s->seen);
    tc_free(s->kinds);
    tc_free(s->val_col);
    tc_free(s->key_col);
    for (size_t i = 0; i < r->nna; i++)
        tc_free(r->na[i]);
    tc_free(r->na);
    tc_free(r->na_num);
    memset(r, 0, sizeof *r);
}

static char *dup_text(const char *p, size_t n)
{
    char *s = tc_malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/*
 * Split a list as one CSV row (a name holding a comma is quoted as in
 * CSV): the fields into *out (count *nout), each a new string.
 */
static int split_list(const char *list, char ***out, size_t *nout, tc_err *err)
{
    *out = NULL;
    *nout = 0;
    size_t n = strlen(list), cap = 0;
    char **v = NULL;
    size_t i = 0;
    for (;;) {
        tc_buf f = {0};
        while (i < n && (list[i] == ' ' || list[i] == '\t'))
            i++;
        if (i < n && list[i] == '"') {
            i++;
            while (i < n) {
                if (list[i] == '"') {
                    if (i + 1 < n && list[i + 1] == '"') {
                        tc_buf_put(&f, "\"", 1);
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                tc_buf_put(&f, list + i, 1);
                i++;
            }
            while (i < n && list[i] != ',')
                i++;
        } else {
            size_t s = i;
            while (i < n && list[i] != ',')
                i++;
            size_t e = i;
            while (e > s && (list[e - 1] == ' ' || list[e - 1] == '\t'))
                e--;
            tc_buf_put(&f, list + s, e - s);
        }
        if (*nout == cap) {
            cap = cap ? cap * 2 : 8;
            char **w = tc_realloc(v, cap * sizeof *w);
            if (!w) {
                tc_buf_free(&f);
                goto oom;
            }
            v = w;
        }
        char *s = dup_text(f.p ? f.p : "", f.n);
        bool oom = f.oom;
        tc_buf_free(&f);
        if (!s || oom) {
            tc_free(s);
            goto oom;
        }
        v[(*nout)++] = s;
        if (i >= n)
            break;
        i++;   /* past the comma */
    }
    *out = v;
    return TC_OK;
oom:
    for (size_t k = 0; k < *nout; k++)
        tc_free(v[k]);
    tc_free(v);
    *nout = 0;
    return tc_err_set(err, TC_ENOMEM, "out of memory");
}

int tc_treader_init(tc_treader *r, const tc_read_opts *o, tc_err *err)
{
    memset(r, 0, sizeof *r);
    r->ro = *o;
    r->err = err;
    int vrc = tc_read_opts_check(o, err);   /* an input_dtype the PyTorch version lacks */
    if (vrc)
        return vrc;
    /* JSON: JSON Lines unless the caller, who has the whole text, says which form */
    r->json = o->format == TC_FMT_JSON ? TC_JSON_LINES : 0;
    if (o->na) {
        int rc = split_list(o->na, &r->na, &r->nna, err);
        if (rc)
            return rc;
        if (r->nna == 1 && !r->na[0][0]) {
            /* --na '': no tokens at all (empty fields are still missing) */
            tc_free(r->na[0]);
            r->nna = 0;
        }
        r->na_num = tc_calloc(r->nna ? r->nna : 1, sizeof *r->na_num);
        if (!r->na_num)
            return tc_err_set(err, TC_ENOMEM, "out of memory");
        for (size_t i = 0; i < r->nna; i++) {
            tc_scalar v;
            if (tc_scalar_parse(r->na[i], strlen(r->na[i]), &v) &&
                (v.kind == TC_SK_INT || v.kind == TC_SK_FLOAT) && !isnan(v.kind == TC_SK_INT ? 0 : v.re))
                r->na_num[r->nna_num++] = v.kind == TC_SK_INT ? (double)v.i : v.re;
        }
    }
    return TC_OK;
}

/* ---- cells -------------------------------------------------------------------------- */

static bool is_na_token(const tc_treader *r, const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (!r->ro.na) {
        if (n > 8)
            return false;
        for (size_t i = 0; i < sizeof default_na / sizeof default_na[0]; i++)
            if (strlen(default_na[i]) == n && !memcmp(default_na[i], p, n))
                return true;
        return false;
    }
    for (size_t i = 0; i < r->nna; i++)
        if (strlen(r->na[i]) == n && !memcmp(r->na[i], p, n))
            return true;
    return false;
}

/*
 * What a field holds: missing, a value (*v) or a word.  A number is a
 * value even where it is also a missing-value token ("nan"): the two read
 * the same but for an integer input_dtype, where torch.tensor's own error
 * is the right one; a number among the caller's tokens (-999) is missing.
 */
static int classify(const tc_treader *r, const char *p, size_t n, tc_scalar *v)
{
    if (!tc_scalar_parse(p, n, v)) {
        if (is_na_token(r, p, n))
            return CELL_MISSING;
        /* blanks only (a quoted "  ") are an empty field too */
        size_t i = 0;
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        return i == n ? CELL_MISSING : CELL_WORD;
    }
    if (r->nna_num && (v->kind == TC_SK_INT || v->kind == TC_SK_FLOAT)) {
        double d = v->kind == TC_SK_INT ? (double)v->i : v->re;
        for (size_t i = 0; i < r->nna_num; i++)
            if (d == r->na_num[i])
                return CELL_MISSING;
    }
    return CELL_VALUE;
}

/* The kind a value cell adds to the inference: missing is a float NaN. */
static int cell_kind(int cell, const tc_scalar *v)
{
    return cell == CELL_MISSING ? TC_SK_FLOAT : v->kind;
}

/* Column c holds a value cell of this kind (its role may still change: kinds are per column). */
static void note_kind(tc_treader *r, int c, int kind)
{
    r->s.kinds[c] |= (uint8_t)(1u << kind);
}

/* The kinds of every value column's cells. */
static unsigned value_kinds(const tc_treader *r)
{
    unsigned k = 0;
    for (int j = 0; j < r->s.nval; j++)
        k |= r->s.kinds[r->s.val_col[j]];
    return k;
}

static const char *other_delimiter(const tc_treader *r, const char *p, size_t n);

/* The column's name for messages: 'Close', or column 3 without a header. */
static void col_label(const tc_treader *r, int c, char *out, size_t cap)
{
    if (r->s.name && r->s.name[c]) {
        char q[200];
        tc_token_quote(q, sizeof q, r->s.name[c], strlen(r->s.name[c]));
        snprintf(out, cap, "column %s", q);
    } else {
        snprintf(out, cap, "column %d", c + 1);
    }
}

static int fail_field(tc_treader *r, int code, const tc_field *f)
{
    long line, col;
    tc_tok_pos(&r->tok, f->off, &line, &col);
    return tc_err_at(r->err, code, line, col);
}

/* ---- the head: delimiter, header, columns -------------------------------------- */

/* Whether a row is a header: no field in it is a number (nan, inf and true are). */
static bool looks_like_header(const tc_row *row)
{
    for (size_t i = 0; i < row->nf; i++) {
        tc_scalar v;
        if (tc_scalar_parse(row->f[i].p, row->f[i].n, &v))
            return false;
    }
    return true;
}

/*
 * Whether a first row with numbers in it is still a header: it has a word
 * over a column whose cells below (in the rows at hand, as wide as it) are
 * numbers and missing values, at least one number ("150,4,setosa,..." over
 * rows of numbers: scikit-learn's iris.csv).  DuckDB's sniffer decides so
 * (a first-row value that does not fit its column's type), and pandas,
 * which takes the first row as the header by default, reads such a file
 * the same way.  The tokenizer is left after the rows it read.
 */
static bool header_over_numbers(tc_treader *r, const tc_row *first)
{
    size_t nf = first->nf;
    if (nf == 0 || nf > 4096)
        return false;
    /* per column: 1 the first row's cell is a word, 2 and a number below, 4 and a word below */
    uint8_t st[4096];
    bool any = false;
    for (size_t c = 0; c < nf; c++) {
        tc_scalar v;
        st[c] = classify(r, first->f[c].p, first->f[c].n, &v) == CELL_WORD;
        any |= st[c];
    }
    tc_row row;
    while (any && tc_tok_row(&r->tok, &row) > 0) {
        if (row.nf != nf)
            continue;
        for (size_t c = 0; c < nf; c++) {
            if (!st[c])
                continue;
            tc_scalar v;
            int cell = classify(r, row.f[c].p, row.f[c].n, &v);
            st[c] |= cell == CELL_VALUE ? 2 : cell == CELL_WORD ? 4 : 0;
        }
    }
    for (size_t c = 0; c < nf; c++)
        if (st[c] == 3)
            return true;
    return false;
}

/* The name of column c in messages listing them all. */
static void list_names(const tc_treader *r, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (int c = 0; c < r->s.ncols && o + 8 < cap; c++) {
        char nm[200] = "?";
        if (r->s.name && r->s.name[c])
            tc_token_plain(nm, sizeof nm, r->s.name[c], strlen(r->s.name[c]));
        int k = snprintf(out + o, cap - o, "%s%s", c ? ", " : "", nm);
        if (k < 0 || (size_t)k >= cap - o) {
            snprintf(out + (cap > 4 ? cap - 4 : 0), 4, "...");
            break;
        }
        o += (size_t)k;
    }
}

/* Column c (0-based) for one item of a column list, or -1 with err set. */
static int column_index(tc_treader *r, const char *item, int64_t *lo, int64_t *hi)
{
    /* a header name wins over a number (a column may be called "2019") */
    if (r->s.name)
        for (int c = 0; c < r->s.ncols; c++)
            if (r->s.name[c] && !strcmp(r->s.name[c], item)) {
                *lo = *hi = c + 1;
                return TC_OK;
            }
    const char *p = item;
    char *end;
    int64_t a = 1, b = r->s.ncols;
    bool ok = false;
    if (*p >= '0' && *p <= '9') {
        a = strtoll(p, &end, 10);
        if (*end == '\0') {
            b = a;
            ok = true;
        } else if (*end == '-') {
            p = end + 1;
            if (*p == '\0') {
                ok = true;   /* "3-": to the last column */
            } else if (*p >= '0' && *p <= '9') {
                b = strtoll(p, &end, 10);
                ok = *end == '\0';
            }
        }
    }
    if (ok && a >= 1 && b >= a) {
        if (b > r->s.ncols || a > r->s.ncols) {
            tc_err_set(r->err, TC_EARG, "column %lld does not exist: the table has %d column%s",
                       (long long)(b > r->s.ncols ? b : a), r->s.ncols, r->s.ncols == 1 ? "" : "s");
            return tc_err_hint(r->err, TC_EARG, "columns", NULL);
        }
        *lo = a;
        *hi = b;
        return TC_OK;
    }
    char q[200], names[400];
    tc_token_quote(q, sizeof q, item, strlen(item));
    if (!r->s.name) {
        tc_err_set(r->err, TC_EARG,
                   "unknown column %s: the table has no header, so columns are numbered 1 to %d",
                   q, r->s.ncols);
    } else {
        list_names(r, names, sizeof names);
        tc_err_set(r->err, TC_EARG, "unknown column %s (the columns are: %s)", q, names);
    }
    return tc_err_hint(r->err, TC_EARG, "columns", NULL);
}

/* Roles from columns / exclude_columns. */
static int pick_columns(tc_treader *r)
{
    const char *list = r->ro.columns ? r->ro.columns : r->ro.exclude_columns;
    bool exclude = !r->ro.columns;
    char **items;
    size_t nitems;
    int rc = split_list(list, &items, &nitems, r->err);
    if (rc)
        return rc;
    /* exclude_columns: those are keys, the others as the data says */
    for (int c = 0; c < r->s.ncols; c++)
        r->s.role[c] = exclude ? TC_ROLE_VALUE : TC_ROLE_KEY;
    for (size_t i = 0; i < nitems && rc == TC_OK; i++) {
        int64_t lo = 0, hi = -1;
        if (!items[i][0]) {
            tc_err_set(r->err, TC_EARG, "empty column name in the list '%s'", list);
            rc = tc_err_hint(r->err, TC_EARG, exclude ? "exclude_columns" : "columns", NULL);
            break;
        }
        if ((rc = column_index(r, items[i], &lo, &hi)) != TC_OK) {
            if (exclude && r->err)
                r->err->param = "exclude_columns";
            break;
        }
        for (int64_t c = lo; c <= hi; c++) {
            r->s.role[c - 1] = exclude ? TC_ROLE_KEY : TC_ROLE_VALUE;
            r->s.seen[c - 1] = PINNED;
        }
    }
    for (size_t i = 0; i < nitems; i++)
        tc_free(items[i]);
    tc_free(items);
    if (!exclude) {
        /* columns: the picked ones are the values, every other one a key */
        for (int c = 0; c < r->s.ncols; c++)
            r->s.seen[c] = PINNED;
        r->s.fixed = true;
    }
    return rc;
}

/* The column lists for the roles. */
static int settle_roles(tc_treader *r)
{
    tc_schema *s = &r->s;
    s->nval = s->nkey = 0;
    for (int c = 0; c < s->ncols; c++) {
        if (s->role[c] == TC_ROLE_VALUE)
            s->val_col[s->nval++] = c;
        else
            s->key_col[s->nkey++] = c;
    }
    return TC_OK;
}

static int schema_alloc(tc_treader *r, int ncols)
{
    tc_schema *s = &r->s;
    s->ncols = ncols;
    size_t m = ncols ? (size_t)ncols : 1;
    s->role = tc_calloc(m, 1);
    s->seen = tc_calloc(m, 1);
    s->kinds = tc_calloc(m, 1);
    s->val_col = tc_calloc(m, sizeof *s->val_col);
    s->key_col = tc_calloc(m, sizeof *s->key_col);
    if (!s->role || !s->seen || !s->kinds || !s->val_col || !s->key_col)
        return tc_err_set(r->err, TC_ENOMEM, "out of memory");
    return TC_OK;
}

static int take_header(tc_treader *r, const tc_row *row)
{
    tc_schema *s = &r->s;
    s->name = tc_calloc((size_t)s->ncols, sizeof *s->name);
    s->raw = tc_calloc((size_t)s->ncols, sizeof *s->raw);
    if (!s->name || !s->raw)
        return tc_err_set(r->err, TC_ENOMEM, "out of memory");
    for (int c = 0; c < s->ncols; c++) {
        /* names for the columns the header has; the others have none */
        const tc_field *f = (size_t)c < row->nf ? &row->f[c] : NULL;
        s->name[c] = f ? dup_text(f->p, f->n) : dup_text("", 0);
        size_t sp[2] = {0, 0};
        int rc = f ? tc_tok_keep(&r->tok, f, sp) : TC_OK;
        if (rc)
            return rc;
        s->raw[c] = dup_text(tc_tok_raw(&r->tok) + sp[0], sp[1] - sp[0]);
        if (!s->name[c] || !s->raw[c])
            return tc_err_set(r->err, TC_ENOMEM, "out of memory");
    }
    return TC_OK;
}

/* "row has N fields, expected M as in the first row", at the first extra field or the row's end. */
static int ragged(tc_treader *r, const tc_row *row)
{
    size_t at;
    if (row->nf > (size_t)r->s.ncols) {
        at = row->f[r->s.ncols].off;
    } else if (r->json) {
        at = r->tok.row_end;   /* the closing bracket */
    } else {
        /* the end of the row's last field: where the missing ones should be */
        at = row->nf ? row->f[row->nf - 1].end : row->off;
        const char *p = r->tok.p;
        while (at < r->tok.n && p[at] != '\n' && p[at] != '\r' && p[at] != r->tok.delim)
            at++;
        while (at < r->tok.n && (p[at] == r->tok.delim) && r->tok.delim != ' ')
            at++;
    }
    long line, col;
    tc_tok_pos(&r->tok, at, &line, &col);
    tc_err_set(r->err, TC_EINPUT, "row has %zu %s%s, expected %d as in the first row", row->nf,
               r->json ? "value" : "field", row->nf == 1 ? "" : "s", r->s.ncols);
    long rline, rcol;
    tc_tok_pos(&r->tok, row->off, &rline, &rcol);
    if (!r->json && r->first_words && row->nf > (size_t)r->s.ncols && rline == r->first_line + 1)
        tc_err_hint(r->err, TC_EINPUT, "skip_rows", "1");   /* the first line is a preamble */
    return tc_err_at(r->err, TC_EINPUT, line, col);
}

/*
 * Learn from one data row: the roles of columns not yet seen (auto roles)
 * and the kinds of the value cells.  Errors are left to the main pass.
 */
static void learn_row(tc_treader *r, const tc_row *row)
{
    tc_schema *s = &r->s;
    if (row->nf != (size_t)s->ncols)
        return;
    for (int c = 0; c < s->ncols; c++) {
        const tc_field *f = &row->f[c];
        tc_scalar v;
        int cell = classify(r, f->p, f->n, &v);
        if (!s->seen[c] && cell != CELL_MISSING) {
            s->seen[c] = cell == CELL_VALUE ? 1 : 2;
            s->role[c] = cell == CELL_VALUE ? TC_ROLE_VALUE : TC_ROLE_KEY;
        }
        if (cell != CELL_WORD)
            note_kind(r, c, cell_kind(cell, &v));
        if (cell == CELL_WORD && !r->odelim)
            r->odelim = other_delimiter(r, f->p, f->n);
    }
}

int tc_treader_head(tc_treader *r, const char *p, size_t n, bool final, long line0,
                    size_t *data_off, int64_t *rows)
{
    *data_off = 0;
    *rows = 0;
    char delim = r->ro.delimiter;
    int rc;
    tc_tok_free(&r->tok);
    if (r->json) {
        delim = ',';   /* (CSV output's) */
        rc = tc_tok_init_json(&r->tok, r->json, r->err);
    } else {
        if (!delim)
            delim = tc_tok_sniff(p, n, r->ro.comment, final);
        rc = tc_tok_init(&r->tok, delim, r->ro.comment, r->err);
    }
    r->s.delim = delim;
    if (rc)
        return rc;
    /* JSON records and split give their names (the header) as a first row */
    r->tok.want_names = true;
    tc_tok_block(&r->tok, p, n, final, line0);
    tc_row row;
    int got = tc_tok_row(&r->tok, &row);
    if (got <= 0) {
        r->tok.want_names = false;
        return -got;   /* an error, or no row yet: *rows 0 and the caller reads on */
    }
    if (row.nf > INT32_MAX)
        return tc_err_set(r->err, TC_EINPUT, "too many columns");
    long col0;
    tc_tok_pos(&r->tok, row.off, &r->first_line, &col0);
    bool header = r->tok.named || r->ro.header == 1 ||
                  (r->ro.header < 0 && looks_like_header(&row));
    if (!header && r->ro.header < 0 && !r->json) {
        header = header_over_numbers(r, &row);
        /* back to the first row: the tokenizer's row storage is reused */
        tc_tok_block(&r->tok, p, n, final, line0);
        if (tc_tok_row(&r->tok, &row) <= 0)
            return tc_err_set(r->err, TC_EINPUT, "internal error: the first row went away");
    }
    r->s.header = header;
    for (size_t c = 0; !header && c < row.nf && !r->first_words; c++) {
        tc_scalar v;
        r->first_words = classify(r, row.f[c].p, row.f[c].n, &v) == CELL_WORD;
    }
    int ncols = (int)row.nf;
    tc_row hrow = row;
    if (header) {
        /* a header may be wider or narrower than the data: the first data row decides */
        *data_off = r->tok.pos;
        int more = tc_tok_row(&r->tok, &row);
        if (more < 0)
            return -more;
        if (more > 0)
            ncols = (int)row.nf;
        /* read the header again: the tokenizer's row storage is reused */
        tc_tok_block(&r->tok, p, n, final, line0);
        if (tc_tok_row(&r->tok, &hrow) <= 0)
            return tc_err_set(r->err, TC_EINPUT, "internal error: the header row went away");
    }
    if ((rc = schema_alloc(r, ncols)))
        return rc;
    if (header && (rc = take_header(r, &hrow)))
        return rc;
    if (r->ro.columns || r->ro.exclude_columns) {
        if ((rc = pick_columns(r)))
            return rc;
    } else {
        for (int c = 0; c < r->s.ncols; c++)
            r->s.role[c] = TC_ROLE_VALUE;
    }
    /* a pandas index (JSON split) is a key column whatever it holds */
    r->s.nindex = r->tok.nindex < r->s.ncols ? r->tok.nindex : r->s.ncols;
    for (int c = 0; c < r->s.nindex && !r->s.fixed; c++) {
        r->s.role[c] = TC_ROLE_KEY;
        r->s.seen[c] = PINNED;
    }
    if (!header) {
        learn_row(r, &row);
        ++*rows;
    }
    while (tc_tok_row(&r->tok, &row) > 0) {
        learn_row(r, &row);
        ++*rows;
    }
    r->tok.want_names = false;
    /* a tokenizer error further down is reported by the main pass, in order */
    return settle_roles(r);
}

/* ---- the pre-scan ---------------------------------------------------------------- */

/* Whether bytes in p[0, n) could change what is known: a wider kind or an undecided column. */
/*
 * Whether a 'j' or 'J' (the mark of a complex number) may stand in a value
 * column of p[0, n): each one's line is split at the delimiter, quotes
 * honoured, to see which column holds it; a name like "Jones" in a key
 * column is no reason to read the block.  A line whose quotes do not close
 * (a quoted field across lines) counts as a yes.
 */
/*
 * Whether the text around the j at p[j] (out to the nearest delimiter,
 * quote or line end) could be part of a number literal: a char no number
 * holds (the c of "Jackson") says no, whatever the field and its quoting,
 * as the field holds that text.  Blanks, parentheses and the letters of
 * inf, infinity and nan may be part of one.
 */
static bool j_may_be_number(const char *p, const char *end, const char *j, char d)
{
    static const bool ok[256] = {
        ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
        ['8'] = 1, ['9'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['('] = 1, [')'] = 1, [' '] = 1,
        ['\t'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, ['e'] = 1, ['E'] = 1, ['j'] = 1, ['J'] = 1,
        ['i'] = 1, ['I'] = 1, ['n'] = 1, ['N'] = 1, ['f'] = 1, ['F'] = 1, ['t'] = 1, ['T'] = 1,
        ['y'] = 1, ['Y'] = 1, ['a'] = 1, ['A'] = 1,
    };
    for (const char *c = j; c > p && c[-1] != d && c[-1] != '"' && c[-1] != '\n'; c--)
        if (!ok[(unsigned char)c[-1]])
            return false;
    for (const char *c = j + 1; c < end && *c != d && *c != '"' && *c != '\n'; c++)
        if (!ok[(unsigned char)*c])
            return false;
    return true;
}

static bool j_in_values(const tc_treader *r, const char *p, size_t n)
{
    const char *end = p + n, *q = p;
    char d = r->s.delim;
    /* the next 'j' and 'J' at or after q (each searched again only once passed) */
    const char *j1 = memchr(p, 'j', n), *j2 = memchr(p, 'J', n);
    while (q < end) {
        if (j1 && j1 < q)
            j1 = memchr(q, 'j', (size_t)(end - q));
        if (j2 && j2 < q)
            j2 = memchr(q, 'J', (size_t)(end - q));
        const char *j = !j1 ? j2 : !j2 ? j1 : j1 < j2 ? j1 : j2;
        if (!j)
            return false;
        if (!j_may_be_number(p, end, j, d)) {
            q = j + 1;
            continue;
        }
        const char *ls = j;
        while (ls > p && ls[-1] != '\n')
            ls--;
        const char *le = memchr(j, '\n', (size_t)(end - j));
        le = le ? le : end;
        int col = 0;
        bool inq = false, at_start = true;
        for (const char *c = ls; c < j; c++) {
            if (inq) {
                if (*c == '"')
                    inq = c + 1 < le && c[1] == '"' ? (c++, true) : false;
                continue;
            }
            if (d == ' ' ? (*c == ' ' || *c == '\t') : *c == d) {
                if (d != ' ' || (c + 1 < j && c[1] != ' ' && c[1] != '\t'))
                    col++;
                at_start = true;
                continue;
            }
            if (*c == '"' && at_start)
                inq = true;
            at_start = false;
        }
        if (d == ' ' && ls < j && (*ls == ' ' || *ls == '\t'))
            col--;   /* leading blanks are no delimiter */
        /* the rest of the line: its quotes must close */
        for (const char *c = j; c < le; c++)
            if (*c == '"')
                inq = !inq;
        if (inq || col < 0 || col >= r->s.ncols || r->s.role[col] == TC_ROLE_VALUE ||
            !r->s.seen[col])
            return true;
        q = le;
    }
    return false;
}

static bool may_matter(const tc_treader *r, const char *p, size_t n)
{
    for (int c = 0; c < r->s.ncols; c++)
        if (!r->s.seen[c])
            return true;
    unsigned k = value_kinds(r);
    if (k & (1u << TC_SK_COMPLEX))
        return false;
    if (k & (1u << TC_SK_FLOAT))
        /* JSON rows are no delimited lines: any 'j' may be a complex */
        return r->json ? memchr(p, 'j', n) || memchr(p, 'J', n) : j_in_values(r, p, n);
    return true;
}

void tc_treader_scan(tc_treader *r, const char *p, size_t n, bool final, long line0)
{
    if (!may_matter(r, p, n))
        return;
    tc_tok_block(&r->tok, p, n, final, line0);
    tc_row row;
    while (tc_tok_row(&r->tok, &row) > 0)
        learn_row(r, &row);
    settle_roles(r);
}

tc_dtype tc_treader_infer(const tc_treader *r)
{
    if (r->ro.has_input_dtype)
        return r->ro.input_dtype;
    unsigned k = value_kinds(r);
    tc_dtype dflt = r->ro.default_dtype == TC_FLOAT64 ? TC_FLOAT64 : TC_FLOAT32;
    if (k & (1u << TC_SK_COMPLEX))
        return dflt == TC_FLOAT64 ? TC_COMPLEX128 : TC_COMPLEX64;
    if (k & (1u << TC_SK_FLOAT) || !k)
        return dflt;
    if (k & (1u << TC_SK_INT | 1u << TC_SK_BIGINT | 1u << TC_SK_UBIG))
        return TC_INT64;
    return TC_BOOL;
}

/* ---- blocks ------------------------------------------------------------------------- */

void tc_block_free(tc_block *b)
{
    tc_tensor_free(b->x);
    tc_free(b->key);
    memset(b, 0, sizeof *b);
}

/* Room for one more row of values and keys. */
static int block_grow(tc_treader *r, tc_block *b, size_t esz)
{
    if (b->rows < b->cap)
        return TC_OK;
    int64_t cap = b->cap ? b->cap * 2 : 64;
    size_t nval = (size_t)r->s.nval, nkey = (size_t)r->s.nkey;
    if ((uint64_t)cap * (nval * esz + nkey * 2 * sizeof(size_t)) > SIZE_MAX / 2)
        return tc_err_set(r->err, TC_ENOMEM, "out of memory");
    if (nval) {
        void *d = tc_realloc(b->x->data, (size_t)cap * nval * esz);
        if (!d)
            return tc_err_set(r->err, TC_ENOMEM, "out of memory");
        b->x->data = d;
    }
    if (nkey) {
        size_t *k = tc_realloc(b->key, (size_t)cap * nkey * 2 * sizeof *k);
        if (!k)
            return tc_err_set(r->err, TC_ENOMEM, "out of memory");
        b->key = k;
    }
    b->cap = cap;
    return TC_OK;
}

/* Whether a value of kind k fits the dtype the stream settled on from its first rows. */
static bool fits_kind(int k, tc_dtype t)
{
    int cat = tc_dtype_category(t);
    int vk = k == TC_SK_BOOL ? 0 : k == TC_SK_COMPLEX ? 3 : k == TC_SK_FLOAT ? 2 : 1;
    return vk <= cat;
}

static const char *kind_word(int k)
{
    return k == TC_SK_COMPLEX ? "complex" : k == TC_SK_FLOAT ? "float" : k == TC_SK_BOOL ? "bool" : "integer";
}

/*
 * If a field holds a delimiter that is not the table's, the name of that
 * delimiter ("tab", ";"): the fields were likely split with the wrong one.
 */
static const char *other_delimiter(const tc_treader *r, const char *p, size_t n)
{
    static const char cand[] = ",\t;|";
    if (r->json)
        return NULL;   /* JSON has no delimiter to get wrong */
    for (const char *c = cand; *c; c++)
        if (*c != r->s.delim && memchr(p, *c, n))
            return *c == '\t' ? "tab" : *c == ',' ? "," : *c == ';' ? ";" : "|";
    return NULL;
}

/* Whether a word reads back the same inside '...' on a command line (for a hint). */
static bool plain_word(const char *p, size_t n)
{
    char q[200];
    if (n == 0 || n > 30)
        return false;
    tc_token_quote(q, sizeof q, p, n);
    return strlen(q) == n + 2 && !memcmp(q + 1, p, n);
}

/* A word in a value column, or a number in a key column: one message for both. */
static int mixed(tc_treader *r, const tc_row *row, int c, const tc_field *f, bool word)
{
    char label[240], q[200];
    col_label(r, c, label, sizeof label);
    tc_token_quote(q, sizeof q, f->p, f->n);
    if (word && r->s.seen[c] == PINNED)
        tc_err_set(r->err, TC_EINPUT, "%s holds %s, which is not a number", label, q);
    else if (word)
        tc_err_set(r->err, TC_EINPUT, "%s mixes numbers and words: %s is not a number", label, q);
    else
        tc_err_set(r->err, TC_EINPUT, "%s mixes words and numbers: %s is a number", label, q);
    const char *d = word ? other_delimiter(r, f->p, f->n) : NULL;
    long line, col;
    tc_tok_pos(&r->tok, row->off, &line, &col);
    if (word && !r->json && !r->s.header && line == r->first_line + 1 && row->nf > 1 &&
        looks_like_header(row))
        tc_err_hint(r->err, TC_EINPUT, "skip_rows", "1");   /* a header under a preamble line */
    else if (d)
        tc_err_hint(r->err, TC_EINPUT, "delimiter", d);
    else if (word)
        tc_err_hint(r->err, TC_EINPUT, "na", plain_word(f->p, f->n) ? f->p : NULL);
    else
        tc_err_hint(r->err, TC_EINPUT, "columns", NULL);
    return fail_field(r, TC_EINPUT, f);
}

/* Parse one row of the tokenizer into row b->rows of the block. */
static int take_row(tc_treader *r, tc_block *b, const tc_row *row)
{
    tc_schema *s = &r->s;
    if (row->nf != (size_t)s->ncols)
        return ragged(r, row);
    int rc = block_grow(r, b, tc_dtype_size(r->dtype));
    if (rc)
        return rc;
    for (int j = 0; j < s->nval; j++) {
        const tc_field *f = &row->f[s->val_col[j]];
        tc_scalar v;
        int cell = classify(r, f->p, f->n, &v);
        if (cell == CELL_WORD)
            return mixed(r, row, s->val_col[j], f, true);
        if (cell == CELL_MISSING) {
            if (r->ro.has_input_dtype && tc_dtype_is_integral(r->dtype, 0)) {
                tc_err_set(r->err, TC_EVALUE, "a missing value cannot be converted to type %s",
                           tc_dtype_name(r->dtype));
                tc_err_hint(r->err, TC_EVALUE, "input_dtype",
                            r->ro.default_dtype == TC_FLOAT64 ? "float64" : "float32");
                return fail_field(r, TC_EVALUE, f);
            }
            memset(&v, 0, sizeof v);
            v.kind = TC_SK_FLOAT;
            v.re = NAN;
        }
        if (!r->ro.has_input_dtype && !fits_kind(v.kind, r->dtype)) {
            /* a stream that had to settle its dtype on its first rows */
            tc_err_set(r->err, TC_EVALUE,
                       "a %s value after rows read as %s: a stream without a second pass takes "
                       "its dtype from its first rows", kind_word(v.kind), tc_dtype_name(r->dtype));
            tc_err_hint(r->err, TC_EVALUE, "input_dtype",
                        v.kind == TC_SK_COMPLEX ? (r->ro.default_dtype == TC_FLOAT64 ? "complex128" : "complex64")
                        : (r->ro.default_dtype == TC_FLOAT64 ? "float64" : "float32"));
            return fail_field(r, TC_EVALUE, f);
        }
        const char *msg = tc_scalar_check(&v, r->dtype);
        if (msg) {
            int code = (v.kind == TC_SK_BIGINT || v.kind == TC_SK_UBIG) && tc_dtype_is_integral(r->dtype, 0)
                       ? TC_EOVERFLOW : TC_EVALUE;
            tc_err_set(r->err, code, "%s", msg);
            return fail_field(r, code, f);
        }
        tc_scalar_store(b->x, b->rows * s->nval + j, &v);
    }
    for (int k = 0; k < s->nkey; k++) {
        const tc_field *f = &row->f[s->key_col[k]];
        if (s->seen[s->key_col[k]] != PINNED && s->key_col[k] >= s->nindex) {
            tc_scalar v;
            if (classify(r, f->p, f->n, &v) == CELL_VALUE)
                return mixed(r, row, s->key_col[k], f, false);
        }
        size_t *kk = b->key + 2 * ((size_t)b->rows * (size_t)s->nkey + (size_t)k);
        if ((rc = tc_tok_keep(&r->tok, f, kk)))
            return rc;
    }
    b->rows++;
    return TC_OK;
}

/* ---- the fast path: plain rows --------------------------------------------------- */

/*
 * SWAR digits (as fast_float and simdjson read them): up to 8 ASCII digits
 * at c, from one 8-byte load (c has 8 readable bytes).  Returns how many
 * lead the bytes and puts their value in *v.
 */
static int digits8(const char *c, uint64_t *v)
{
    uint64_t x;
    memcpy(&x, c, 8);
    x ^= 0x3030303030303030u;   /* the digits' bytes now 0..9 */
    /* a byte above 9 gets its high bit (a carry out of it reaches only later bytes) */
    uint64_t other = ((x + 0x7676767676767676u) | x) & 0x8080808080808080u;
    int n = other ? __builtin_ctzll(other) >> 3 : 8;
    if (n == 0) {
        *v = 0;
        return 0;
    }
    x <<= 8 * (8 - n);          /* the n digits last, zeros (leading) before */
    x = x * 10 + (x >> 8);      /* pairs */
    x = (((x & 0x000000FF000000FFu) * (100 + (1000000ull << 32))) +
         (((x >> 16) & 0x000000FF000000FFu) * (1 + (10000ull << 32)))) >> 32;
    *v = (uint32_t)x;
    return n;
}

/* The digits from c on added to *w (w * 10^n + digits, wrapping): where they end. */
static const char *take_digits(const char *c, const char *end, uint64_t *w)
{
    static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - c >= 8) {
        uint64_t v;
        int n = digits8(c, &v);
        *w = *w * p10[n] + v;
        c += n;
        if (n < 8)
            return c;
    }
#endif
    while (c < end && *c >= '0' && *c <= '9')
        *w = *w * 10 + (uint64_t)(*c++ - '0');
    return c;
}

/*
 * The commonest value, read in one pass over the row (c < end): a
 * [-]digits[.digits] from c, at most 19 digits in all, whose digits as an
 * integer w are at most 2^53: w and 10^k are exact doubles, so w / 10^k is
 * one correctly rounded division, the value fast_float would give
 * (Clinger's fast path).  The caller checks that its end is the field's.  NULL for anything else (the field's own scan
 * decides then).  Reads past the field, never past end: a delimiter that
 * a number can hold (a digit or '.') must not take this path.
 */
static const char *plain_number(const char *c, const char *end, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19};
    bool neg = *c == '-';
    c += neg;
    const char *int_start = c;
    uint64_t w = 0;
    c = take_digits(c, end, &w);
    size_t ni = (size_t)(c - int_start);
    if (ni == 0)
        return NULL;
    if (c == end || *c != '.') {
        /* an integer: exact below 2^53; its -0 is the int 0, +0.0 (see fast_value) */
        if (ni > 19 || w > ((uint64_t)1 << 53) || (c < end && (*c == 'e' || *c == 'E')))
            return NULL;
        *out = neg && w ? -(double)w : (double)w;
        return c;
    }
    const char *frac_start = ++c;
    c = take_digits(c, end, &w);
    size_t k = (size_t)(c - frac_start);
    if (k == 0 || ni + k > 19 || w > ((uint64_t)1 << 53) || (c < end && (*c == 'e' || *c == 'E')))
        return NULL;
    double d = (double)w / p10[k];
    *out = neg ? -d : d;
    return c;
}

/*
 * The chars a number literal (or nan, inf, true, false, a complex) can
 * start with, and the blanks tc_scalar_parse skips before one ("\f1" is 1).
 */
static bool may_start_number(char c)
{
    return (c >= '0' && c <= '9') || strchr("+-.(tTfFnNiIjJ\v\f", c);
}

/*
 * A plain value field p[0, n): a finite decimal read in full (fast_float,
 * the function tc_scalar_parse reads it with), or empty (missing: NaN).
 * false for anything the tokenizer and the table layer must see.
 */
static bool fast_value(const char *p, size_t n, double *out)
{
    if (n == 0) {
        *out = NAN;
        return true;
    }
    const char *f = p, *end = p + n;
    if (*f == '+')
        f++;   /* fast_float takes no '+'; tc_scalar_parse drops it too */
    const char *g = f < end && *f == '-' ? f + 1 : f;
    if (g >= end || !((*g >= '0' && *g <= '9') || *g == '.'))
        return false;   /* no nan, inf, words or "+-1" here */
    double d;
    const char *e = plain_number(f, end, &d);
    size_t len = e ? (size_t)(e - f) : tc_cc_parse_f64(f, (size_t)(end - f), &d);
    if (len != (size_t)(end - f) || !isfinite(d))
        return false;
    if (d == 0) {
        bool lit_float = false;
        for (const char *q = f; q < end; q++)
            lit_float |= *q == '.' || *q == 'e' || *q == 'E';
        if (!lit_float)
            d = 0;   /* an integer -0 is the int 0, stored as +0.0 */
    }
    *out = d;
    return true;
}

/*
 * Whether a key field's text (quotes taken off) reads as a number, which
 * the tokenizer's path reports (a column mixing words and numbers): "0.5"
 * quoted is a number to it too.  Blanks around one are its to trim.
 */
static bool key_is_number(const tc_schema *s, int col, const char *f, size_t len)
{
    if (s->seen[col] == PINNED || !len || !(may_start_number(f[0]) || f[0] == ' ' || f[0] == '\t'))
        return false;
    tc_scalar v;
    return tc_scalar_parse(f, len, &v);
}

/*
 * Rows of plain fields: each row exactly ncols fields separated by the
 * delimiter and ended by '\n' (or "\r\n", or the end of a final block);
 * a field unquoted with no quote or surrounding blank in it, or quoted
 * with no doubled quote in a value column; value fields plain decimals or
 * empty; key fields anything that is not a number.  On those rows libcsv
 * gives the same fields and the table layer the same values and spans;
 * for anything else (and every error) the block goes through them
 * instead, from its start: false, and b holds no rows.
 */
static bool fast_block(tc_treader *r, const char *p, size_t n, bool final, tc_block *b)
{
    tc_schema *s = &r->s;
    if (s->nval == 0)
        return false;   /* keys alone: the tokenizer's */
    bool f32 = r->dtype == TC_FLOAT32;
    char delim = s->delim;
    int ncols = s->ncols;
    const char *c = p, *end = p + n;
    size_t esz = f32 ? sizeof(float) : sizeof(double);
    bool one_pass = !(delim >= '0' && delim <= '9') && delim != '.';
    double d1;
    while (c < end) {
        if (*c == '\n' || *c == '\r')
            return false;   /* a blank line, skipped by the tokenizer, not a row */
        if (block_grow(r, b, esz))
            return false;
        if (!b->x->data)
            return false;   /* (never: block_grow made room for the values; for the analyzer) */
        float *pf = (float *)b->x->data + b->rows * s->nval;
        double *pd = (double *)b->x->data + b->rows * s->nval;
        size_t *kk = s->nkey ? b->key + 2 * (size_t)b->rows * (size_t)s->nkey : NULL;
        int j = 0, k = 0;
        for (int col = 0; col < ncols; col++) {
            const char *f = c, *fe;
            bool last = col == ncols - 1;
            if (f < end && *f == '"') {
                const char *q = f + 1;
                for (;;) {
                    q = memchr(q, '"', (size_t)(end - q));
                    if (!q)
                        return false;
                    if (q + 1 < end && q[1] == '"') {
                        if (s->role[col] == TC_ROLE_VALUE)
                            return false;
                        q += 2;
                        continue;
                    }
                    break;
                }
                fe = q + 1;
                if (s->role[col] == TC_ROLE_VALUE) {
                    double d;
                    if (!fast_value(f + 1, (size_t)(q - f - 1), &d))
                        return false;
                    if (f32)
                        pf[j++] = fabs(d) >= 0x1.ffffffp127 ? (d < 0 ? -INFINITY : INFINITY) : (float)d;
                    else
                        pd[j++] = d;
                } else {
                    if (!kk || key_is_number(s, col, f + 1, (size_t)(q - f - 1)))
                        return false;   /* (a key column means keys: for the analyzer) */
                    kk[2 * k] = (size_t)(f - p);
                    kk[2 * k + 1] = (size_t)(fe - p);
                    k++;
                }
            } else if (one_pass && s->role[col] == TC_ROLE_VALUE && f < end &&
                       ((*f >= '0' && *f <= '9') || *f == '-') &&
                       (fe = plain_number(f, end, &d1)) != NULL &&
                       (fe == end || *fe == delim || *fe == '\n' || *fe == '\r')) {
                /* the common field, [-]digits.digits, read where it is scanned */
                if (f32)
                    pf[j++] = (float)d1;   /* (below 2^53: never beyond float's range) */
                else
                    pd[j++] = d1;
            } else {
                fe = f;
                while (fe < end && *fe != delim && *fe != '\n' && *fe != '\r') {
                    if (*fe == '"')
                        return false;
                    fe++;
                }
                size_t len = (size_t)(fe - f);
                if (len && (f[0] == ' ' || f[0] == '\t' || f[len - 1] == ' ' || f[len - 1] == '\t'))
                    return false;
                if (s->role[col] == TC_ROLE_VALUE) {
                    double d;
                    if (!fast_value(f, len, &d))
                        return false;
                    if (f32)
                        pf[j++] = fabs(d) >= 0x1.ffffffp127 ? (d < 0 ? -INFINITY : INFINITY) : (float)d;
                    else
                        pd[j++] = d;
                } else {
                    if (key_is_number(s, col, f, len))
                        return false;   /* a number in a key column: the slow path says so */
                    if ((len == 1 && f[0] == r->ro.comment && col == 0) || !kk)
                        return false;
                    kk[2 * k] = (size_t)(f - p);
                    kk[2 * k + 1] = (size_t)(f + len - p);
                    k++;
                }
                fe = f + len;
            }
            /* the field's end: the delimiter, or the row's end for the last */
            if (!last) {
                if (fe >= end || *fe != delim)
                    return false;
                c = fe + 1;
            } else {
                if (fe < end && *fe == '\r')
                    fe++;
                if (fe < end && *fe != '\n')
                    return false;
                if (fe >= end && !final)
                    return false;
                c = fe < end ? fe + 1 : end;
            }
            if (col == 0 && r->ro.comment && f < end && *f == r->ro.comment)
                return false;   /* a comment line */
        }
        b->rows++;
    }
    return true;
}

int tc_treader_block(tc_treader *r, const char *p, size_t n, bool final, long line0, tc_block *b)
{
    if (!b->x || b->x->dtype != r->dtype) {
        tc_block_free(b);
        b->x = tc_calloc(1, sizeof *b->x);
        if (!b->x)
            return tc_err_set(r->err, TC_ENOMEM, "out of memory");
    }
    b->rows = 0;   /* a block is reused: its buffers only grow */
    b->text = p;
    r->tok.err = r->err;   /* (a worker's reader points its err at each job's) */
    b->x->dtype = r->dtype;
    b->x->ndim = 2;
    /* (numbers among the missing-value tokens are the tokenizer path's to match) */
    if ((r->dtype == TC_FLOAT32 || r->dtype == TC_FLOAT64) && r->s.delim != ' ' &&
        r->s.delim != '"' && !r->ro.reference && !r->nna_num && !r->json) {
        if (fast_block(r, p, n, final, b)) {
            b->x->shape[0] = b->rows;
            b->x->shape[1] = r->s.nval;
            b->x->numel = b->rows * r->s.nval;
            return TC_OK;
        }
        b->rows = 0;   /* the slow path reads the block afresh */
    }
    tc_tok_block(&r->tok, p, n, final, line0);
    tc_row row;
    int got, rc = TC_OK;
    while ((got = tc_tok_row(&r->tok, &row)) > 0)
        if ((rc = take_row(r, b, &row)) != TC_OK)
            break;
    if (got < 0)
        rc = -got;
    b->text = tc_tok_raw(&r->tok);   /* the key spans' text: the block's (JSON: kept fields) */
    b->x->shape[0] = b->rows;
    b->x->shape[1] = r->s.nval;
    b->x->numel = b->rows * r->s.nval;
    return rc;
}

/* ---- shapes -------------------------------------------------------------------------- */

int tc_table_squeeze(bool header, int64_t rows, int64_t cols, bool *column)
{
    *column = false;
    if (cols == 1) {
        if (rows == 1 && !header)
            return 0;
        *column = true;
        return 1;
    }
    if (rows == 1 && !header)
        return 1;
    return 2;
}
