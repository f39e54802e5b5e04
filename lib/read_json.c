/*
 * read_json.c - JSON input through cJSON.
 *
 * cJSON keeps only a double per number, but PyTorch's inference depends on
 * the literal ([1, 2.0] is float32, [1, 2] int64) and int64 must be exact.
 * So before cJSON sees the text, a light scan records where every value
 * starts, in document order (which is the order of a pre-order walk of
 * cJSON's tree).  The walk then re-reads each number from its own text and
 * has a position for every message.  The same scan rejects absurd nesting
 * before cJSON recurses into it.
 *
 * Accepted: nested arrays of numbers, booleans and strings holding a
 * literal ("nan", "-inf", "1+2j"); the bare NaN, Infinity and -Infinity
 * that Python's json.dumps and JavaScript write for non-finite floats, and
 * Python's repr of a list writes (nan, inf, -inf, True, False: cJSON sees
 * a number or true/false of the same length in their place, so every
 * offset holds); a bare value (0-d); tcum's object form
 * {"dtype": ..., "shape": [...], "data": nested or flat}, and the
 * {"values": {...}, "indices": {...}} form of two-result ops (values read).
 * The object form of a table (tc_write_table_json: "columns", "keys",
 * "key_positions" after "data") gives its table too.  The other JSON
 * tables (records, split, JSON Lines) are read by the table layer
 * (json_rows.c, table.c): tc_read_json sends them there.
 */
#include "tc_private.h"

#include <cJSON.h>
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Arrays or objects nested deeper than this are refused before parsing. */
#define MAX_NESTING (TC_MAX_DIMS + 2)

typedef struct json_ctx {
    const char *data;           /* after any BOM */
    size_t n;
    char *patched;              /* data with NaN/Infinity as numbers, or NULL */
    size_t *offs;               /* start of every value, document order */
    size_t noffs, capoffs;
    const tc_read_opts *o;
    tc_err *err;
    bool failed;                /* err is set */
    bool has_pos;
    size_t pos;
    tc_table **table;           /* where an object form's table goes, or NULL */
} json_ctx;

static void fail_at(json_ctx *c, size_t pos, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void fail_at(json_ctx *c, size_t pos, int code, const char *fmt, ...)
{
    if (c->failed)
        return;
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tc_err_set(c->err, code, "%s", msg);
    c->failed = true;
    c->has_pos = true;
    c->pos = pos;
}

static bool add_off(json_ctx *c, size_t off)
{
    if (c->noffs == c->capoffs) {
        size_t cap = c->capoffs ? c->capoffs * 2 : 256;
        size_t *p = cap <= SIZE_MAX / sizeof *p ? tc_realloc(c->offs, cap * sizeof *p) : NULL;
        if (!p) {
            tc_err_set(c->err, TC_ENOMEM, "out of memory");
            c->failed = true;
            return false;
        }
        c->offs = p;
        c->capoffs = cap;
    }
    c->offs[c->noffs++] = off;
    return true;
}

static bool is_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

/*
 * Length of json.dumps' NaN, Infinity or -Infinity (or Python's repr nan,
 * inf, -inf) at d[i], else 0.  Not after a number's characters: "-NaN" and
 * "1NaN" stay invalid JSON.
 */
static size_t nonfinite_len(const char *d, size_t n, size_t i)
{
    static const char *const words[] = {"NaN", "Infinity", "-Infinity", "nan", "inf", "-inf"};
    if (i > 0 && strchr("-+.eE0123456789", d[i - 1]))
        return 0;
    for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
        size_t len = strlen(words[k]);
        if (n - i >= len && !memcmp(d + i, words[k], len))
            return len;
    }
    return 0;
}

/* Let cJSON see word (as long as the text it replaces) at i. */
static bool patch_word(json_ctx *c, size_t i, const char *word)
{
    if (!c->patched) {
        c->patched = tc_malloc(c->n);
        if (!c->patched) {
            tc_err_set(c->err, TC_ENOMEM, "out of memory");
            c->failed = true;
            return false;
        }
        memcpy(c->patched, c->data, c->n);
    }
    memcpy(c->patched + i, word, strlen(word));
    return true;
}

/* A JSON number as long as the word at i: NaN 0e0, -Infinity -0e000000. */
static bool patch_nonfinite(json_ctx *c, size_t i, size_t len)
{
    char num[sizeof "-Infinity"];
    size_t k = 0;
    if (c->data[i] == '-')
        num[k++] = '-';
    num[k++] = '0';
    num[k++] = 'e';
    while (k < len)
        num[k++] = '0';
    num[k] = '\0';
    return patch_word(c, i, num);
}

/*
 * Record the start of every value (object keys are not values), check
 * nesting and refuse NUL bytes (cJSON would take them for white space).
 * Errors in the JSON itself are left to cJSON.
 */
static bool prescan(json_ctx *c)
{
    const char *d = c->data;
    size_t n = c->n, i = 0;
    int depth = 0;
    while (i < n) {
        char ch = d[i];
        if (ch == '"') {
            size_t start = i++;
            while (i < n && d[i] != '"') {
                if (d[i] == '\\' && i + 1 < n)
                    i++;
                i++;
            }
            i++;
            size_t j = i;
            while (j < n && is_ws(d[j]))
                j++;
            if ((j >= n || d[j] != ':') && !add_off(c, start))
                return false;
        } else if (ch == '[' || ch == '{') {
            if (++depth > MAX_NESTING) {
                fail_at(c, i, TC_EINPUT, "too many dimensions (the limit is %d)", TC_MAX_DIMS);
                return false;
            }
            if (!add_off(c, i))
                return false;
            i++;
        } else if (ch == ']' || ch == '}') {
            depth--;
            i++;
        } else if ((ch == 'T' || ch == 'F') && i + 4 + (ch == 'F') <= n &&
                   !memcmp(d + i, ch == 'T' ? "True" : "False", 4 + (ch == 'F'))) {
            /* Python's repr of a list: True and False as JSON's true and false. */
            if (!add_off(c, i) || !patch_word(c, i, ch == 'T' ? "true" : "false"))
                return false;
            i += 4 + (ch == 'F');
        } else if ((ch == 'N' || ch == 'I' || ch == 'n' || ch == 'i' || ch == '-') &&
                   nonfinite_len(d, n, i)) {
            size_t len = nonfinite_len(d, n, i);
            if (!add_off(c, i) || !patch_nonfinite(c, i, len))
                return false;
            i += len;
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            if (!add_off(c, i))
                return false;
            while (i < n && (d[i] == '-' || d[i] == '+' || d[i] == '.' || d[i] == 'e' ||
                             d[i] == 'E' || (d[i] >= '0' && d[i] <= '9')))
                i++;
        } else if (ch >= 'a' && ch <= 'z') {
            if (!add_off(c, i))
                return false;
            while (i < n && d[i] >= 'a' && d[i] <= 'z')
                i++;
        } else if (ch == '\0') {
            fail_at(c, i, TC_EINPUT, "%s", "NUL byte in JSON input");
            return false;
        } else {
            i++;
        }
    }
    return true;
}

/* Position (byte offset) of the value with pre-order index k. */
static size_t off_of(const json_ctx *c, size_t k)
{
    return k < c->noffs ? c->offs[k] : c->n;
}

/* Number of values in the subtree of node, itself included. */
static size_t subtree_size(const cJSON *node)
{
    size_t k = 1;
    for (const cJSON *ch = node->child; ch; ch = ch->next)
        k += subtree_size(ch);
    return k;
}

/* ---- a nested array into values ---------------------------------------------- */

/*
 * torch.tensor in two passes, in its order: infer the dtype from every leaf,
 * take the sizes from the chain of first elements, then store element by
 * element, checking each list's length as it is entered and each value as
 * it is stored (and nothing at all when a size is 0).  The first error in
 * that order is the one PyTorch reports.
 */
typedef struct store_ctx {
    json_ctx *c;
    tc_values vs;               /* every leaf, in document order */
    tc_dtype dtype;
    int ndim;
    int64_t sizes[TC_MAX_DIMS];
    size_t idx;                 /* pre-order index of the next node */
    size_t leaf;                /* index of the next leaf in vs */
} store_ctx;

/* The literal of a number, string or boolean node; false (c failed) if none. */
static bool leaf_value(json_ctx *c, const cJSON *node, size_t pos, tc_scalar *v)
{
    char q[200];
    if (cJSON_IsBool(node)) {
        memset(v, 0, sizeof *v);
        v->kind = TC_SK_BOOL;
        v->i = cJSON_IsTrue(node);
        return true;
    }
    if (cJSON_IsNumber(node)) {
        const char *s = c->data + pos;
        size_t k = nonfinite_len(c->data, c->n, pos);
        if (k == 0) {
            while (pos + k < c->n && (s[k] == '-' || s[k] == '+' || s[k] == '.' || s[k] == 'e' ||
                                      s[k] == 'E' || (s[k] >= '0' && s[k] <= '9')))
                k++;
        }
        if (tc_scalar_parse(s, k, v))
            return true;
        tc_token_quote(q, sizeof q, s, k);
        fail_at(c, pos, TC_EINPUT, "could not convert %s to a number", q);
        return false;
    }
    if (cJSON_IsString(node)) {
        const char *s = node->valuestring;
        if (tc_scalar_parse(s, strlen(s), v))
            return true;
        tc_token_quote(q, sizeof q, s, strlen(s));
        fail_at(c, pos, TC_EINPUT, "could not convert %s to a number", q);
        return false;
    }
    fail_at(c, pos, TC_EINPUT, "Could not infer dtype of %s", cJSON_IsNull(node) ? "null" : "object");
    return false;
}

/* Pass 1: every leaf into w->vs (unchecked), in document order. */
static void infer(store_ctx *w, const cJSON *node, size_t *idx)
{
    json_ctx *c = w->c;
    size_t pos = off_of(c, (*idx)++);
    if (cJSON_IsArray(node)) {
        if (!node->child)
            tc_values_note(&w->vs, TC_SK_FLOAT);   /* an empty list infers as a float */
        for (const cJSON *ch = node->child; ch && !c->failed; ch = ch->next)
            infer(w, ch, idx);
        return;
    }
    tc_scalar v;
    if (!leaf_value(c, node, pos, &v))
        return;
    const char *msg = tc_values_push(&w->vs, &v, pos);
    if (msg)
        fail_at(c, pos, TC_ENOMEM, "%s", msg);
}

/* Pass 2: check node as the element at dim; false (c failed) at the first error. */
static bool store(store_ctx *w, const cJSON *node, int dim)
{
    json_ctx *c = w->c;
    size_t pos = off_of(c, w->idx++);
    if (dim == w->ndim) {
        if (cJSON_IsArray(node)) {
            /* PyTorch unpacks the list as a number of the dtype being stored. */
            fail_at(c, pos, TC_EINPUT, "%s", tc_dtype_is_integral(w->dtype, 1)
                                                 ? "'list' object cannot be interpreted as an integer"
                                                 : "must be real number, not list");
            return false;
        }
        tc_scalar v;
        tc_values_get(&w->vs, w->leaf++, &v);
        const char *msg = tc_scalar_check(&v, w->dtype);
        if (msg) {
            /* an integer beyond the dtype's range: PyTorch's overflow, as the CSV reader says it */
            bool over = (v.kind == TC_SK_BIGINT || v.kind == TC_SK_UBIG) && tc_dtype_is_integral(w->dtype, 0);
            fail_at(c, pos, over ? TC_EOVERFLOW : TC_EINPUT, "%s", msg);
        }
        return !msg;
    }
    if (!cJSON_IsArray(node)) {
        fail_at(c, pos, TC_EINPUT, "%s", "not a sequence");
        return false;
    }
    int64_t n = cJSON_GetArraySize(node);
    if (n != w->sizes[dim]) {
        fail_at(c, pos, TC_EINPUT, "expected sequence of length %lld at dim %d (got %lld)",
                (long long)w->sizes[dim], dim, (long long)n);
        return false;
    }
    for (const cJSON *ch = node->child; ch; ch = ch->next) {
        if (!store(w, ch, dim + 1))
            return false;
    }
    return true;
}

/*
 * Read the nested array (or bare value) node, whose pre-order index is idx,
 * as torch.tensor(node) or, with has_dtype, torch.tensor(node, dtype=dtype).
 */
static int read_nested(json_ctx *c, const cJSON *node, size_t idx, bool has_dtype,
                       tc_dtype dtype, tc_tensor **out)
{
    store_ctx w;
    memset(&w, 0, sizeof w);
    w.c = c;
    tc_values_init(&w.vs, NULL);
    size_t i = idx;
    infer(&w, node, &i);
    if (c->failed)
        goto done;
    w.dtype = has_dtype ? dtype : tc_values_dtype(&w.vs, c->o->default_dtype);

    /* The sizes, from the chain of first elements (PyTorch's compute_sizes). */
    int64_t numel = 1;
    size_t k = idx;
    for (const cJSON *e = node; cJSON_IsArray(e); e = e->child, k++) {
        if (w.ndim == TC_MAX_DIMS) {
            fail_at(c, off_of(c, k), TC_EINPUT, "too many dimensions (the limit is %d)",
                    TC_MAX_DIMS);
            goto done;
        }
        int64_t n = cJSON_GetArraySize(e);
        w.sizes[w.ndim++] = n;
        numel = n ? numel : 0;
        if (!n)
            break;
    }
    if (numel == 0) {
        w.vs.n = 0;   /* PyTorch stores (and checks) nothing */
    } else {
        w.idx = idx;
        if (!store(&w, node, 0))
            goto done;
    }
    /* Every value is checked: build without checking again. */
    w.vs.has_dtype = 1;
    w.vs.dtype = w.dtype;
    size_t bad;
    bool has_bad;
    if (tc_values_tensor(&w.vs, w.dtype, w.ndim, w.sizes, out, &bad, &has_bad, c->err) != TC_OK)
        c->failed = true;
done:
    tc_values_free(&w.vs);
    return c->failed ? (c->err->code ? c->err->code : TC_EINPUT) : TC_OK;
}

/* ---- tcum's object form -------------------------------------------------------- */

/* x (read from "data" at data_i) to the object's "shape": as it is, or a flat list reshaped. */
static int fit_shape(json_ctx *c, tc_tensor **x, int ndim, const int64_t *dims, size_t data_i)
{
    bool same = (*x)->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = (*x)->shape[i] == dims[i];
    if (same)
        return TC_OK;
    int64_t numel = 1;
    bool fits = true;
    for (int i = 0; i < ndim && fits; i++)
        fits = tc_mul_ok(numel, dims[i], &numel);
    if ((*x)->ndim == 1 && fits && numel == (*x)->numel) {
        tc_tensor *r = NULL;
        int rc = tc_tensor_reshape(*x, ndim, dims, &r, c->err);
        tc_tensor_free(*x);
        *x = r;
        if (rc)
            c->failed = true;
        return rc;
    }
    char want[TC_DIMS_STR_MAX], got[TC_DIMS_STR_MAX];
    tc_dims_str(ndim, dims, '[', want, sizeof want);
    tc_shape_str(*x, 0, got, sizeof got);
    tc_err_set(c->err, TC_EINPUT, "\"data\" has shape %s but \"shape\" is %s", got, want);
    c->failed = c->has_pos = true;
    c->pos = off_of(c, data_i);
    return TC_EINPUT;
}

/* ---- a table's members ------------------------------------------------------------ */

/* A name or a key field: a string, or null (empty); false if it is neither. */
static bool text_of(const cJSON *v, const char **p)
{
    *p = "";
    if (cJSON_IsNull(v)) {
        *p = "";
        return true;
    }
    if (!cJSON_IsString(v))
        return false;
    *p = v->valuestring;
    return true;
}

/* A new copy of text p as a CSV field (NULL if out of memory). */
static char *csv_dup(const char *p, char delim)
{
    tc_buf b = {0};
    tc_csv_form(&b, p, strlen(p), delim);
    tc_buf_put(&b, "", 1);
    if (b.oom) {
        tc_buf_free(&b);
        return NULL;
    }
    return b.p;
}

/*
 * The table of the tensor x that tc_write_table_json wrote: "columns" (the
 * header's names of the value columns), "keys" (each key column's fields,
 * one a row), "key_positions" (the key columns' places among all the
 * columns, 1-based; the first ones if absent) and "delimiter" (CSV
 * output's, if not a comma).  Into *c->table, or checked and dropped.
 */
static int read_table_members(json_ctx *c, const tc_tensor *x, size_t data_i,
                              const cJSON *tab[4], const size_t tab_i[4])
{
    const cJSON *columns = tab[0], *keys = tab[1], *kpos = tab[2], *delim = tab[3];
    const char *p = "";
#define BAD(i, ...) do { fail_at(c, off_of(c, tab_i[i]), TC_EINPUT, __VA_ARGS__); return TC_EINPUT; } while (0)
    if (x->ndim > 2) {
        fail_at(c, off_of(c, data_i), TC_EINPUT, "a table's \"data\" has at most 2 dimensions");
        return TC_EINPUT;
    }
    int64_t ncolumns = -1, klen = -1;
    int nkey = 0;
    if (columns) {
        if (!cJSON_IsArray(columns))
            BAD(0, "\"columns\" must be a list of names");
        ncolumns = 0;
        for (const cJSON *e = columns->child; e; e = e->next, ncolumns++)
            if (!text_of(e, &p))
                BAD(0, "\"columns\" must be a list of names");
    }
    if (keys) {
        if (!cJSON_IsObject(keys))
            BAD(1, "\"keys\" must be an object of lists, one a key column");
        for (const cJSON *m = keys->child; m; m = m->next, nkey++) {
            int64_t len = 0;
            bool ok = cJSON_IsArray(m) && nkey < INT32_MAX / 2;
            for (const cJSON *e = ok ? m->child : NULL; e && ok; e = e->next, len++)
                ok = text_of(e, &p);
            if (!ok)
                BAD(1, "\"keys\" must be an object of lists (of strings), one a key column");
            if (klen >= 0 && len != klen)
                BAD(1, "the lists in \"keys\" must be as long as each other");
            klen = len;
        }
        if (nkey == 0)
            keys = NULL;
    }
    if (delim && (!cJSON_IsString(delim) || strlen(delim->valuestring) != 1 ||
                  strchr("\"\r\n", delim->valuestring[0])))
        BAD(3, "\"delimiter\" must be one character");
    if (!columns && !keys) {
        if (kpos)
            BAD(2, "\"key_positions\" needs \"keys\"");
        return TC_OK;   /* no table */
    }
    int64_t rows = 1, nval = 1;
    bool column = false;
    if (x->ndim == 2) {
        rows = x->shape[0];
        nval = x->shape[1];
    } else if (x->ndim == 1) {
        column = columns ? ncolumns == 1 : klen == x->shape[0];
        rows = column ? x->shape[0] : 1;
        nval = column ? 1 : x->shape[0];
    }
    if (nval < 1 || nval > INT32_MAX / 2)
        BAD(columns ? 0 : 1, "a table's \"data\" needs 1 to %d columns", INT32_MAX / 2);
    if (columns && ncolumns != nval)
        BAD(0, "\"columns\" has %lld name%s but \"data\" has %lld column%s", (long long)ncolumns,
            ncolumns == 1 ? "" : "s", (long long)nval, nval == 1 ? "" : "s");
    if (keys && klen != rows)
        BAD(1, "the lists in \"keys\" have %lld entr%s but \"data\" has %lld row%s",
            (long long)klen, klen == 1 ? "y" : "ies", (long long)rows, rows == 1 ? "" : "s");
    int ncols = nkey + (int)nval;
    tc_table *t = tc_calloc(1, sizeof *t);
    if (!t)
        goto oom;
    t->delim = delim ? delim->valuestring[0] : ',';
    t->header = columns != NULL;
    t->ncols = ncols;
    t->nval = (int)nval;
    t->nkey = nkey;
    t->rows = rows;
    t->ndim = x->ndim;
    t->column = column;
    t->role = tc_calloc((size_t)ncols, 1);
    t->val_col = tc_calloc((size_t)ncols, sizeof *t->val_col);
    t->key_col = tc_calloc((size_t)ncols, sizeof *t->key_col);
    if (!t->role || !t->val_col || !t->key_col)
        goto oom;
    /* the places of the key columns: key_positions, else the first ones */
    int k = 0;
    if (kpos) {
        bool ok = cJSON_IsArray(kpos);
        int64_t last = 0;
        for (const cJSON *e = ok ? kpos->child : NULL; e && ok; e = e->next) {
            ok = k < nkey && cJSON_IsNumber(e) && e->valuedouble > (double)last &&
                 e->valuedouble <= ncols && e->valuedouble == (double)(int64_t)e->valuedouble;
            if (ok) {
                last = (int64_t)e->valuedouble;
                t->role[last - 1] = TC_ROLE_KEY;
                k++;
            }
        }
        if (!ok || k != nkey) {
            tc_table_free(t);
            BAD(2, "\"key_positions\" must list the %d key columns' places, increasing, "
                "from 1 to %d", nkey, ncols);
        }
    } else {
        for (k = 0; k < nkey; k++)
            t->role[k] = TC_ROLE_KEY;
    }
    int nv = 0, nk = 0;
    for (int col = 0; col < ncols; col++) {
        if (t->role[col] == TC_ROLE_KEY)
            t->key_col[nk++] = col;
        else
            t->val_col[nv++] = col;
    }
    if (t->header) {
        t->name = tc_calloc((size_t)ncols, sizeof *t->name);
        t->raw = tc_calloc((size_t)ncols, sizeof *t->raw);
        if (!t->name || !t->raw)
            goto oom;
        const cJSON *kn = keys ? keys->child : NULL, *vn = columns->child;
        for (int col = 0; col < ncols; col++) {
            if (t->role[col] == TC_ROLE_KEY) {
                p = kn && kn->string ? kn->string : "";
                kn = kn ? kn->next : NULL;
            } else {
                text_of(vn, &p);
                vn = vn ? vn->next : NULL;
            }
            size_t len = strlen(p);
            t->raw[col] = csv_dup(p, t->delim);
            t->name[col] = tc_malloc(len + 1);
            if (!t->raw[col] || !t->name[col])
                goto oom;
            memcpy(t->name[col], p, len + 1);
        }
    }
    if (nkey) {
        /* the key fields decoded from the text: cJSON's strings end at a \u0000 */
        tc_buf text = {0}, one = {0};
        t->key = tc_malloc(2 * (size_t)(rows ? rows : 1) * (size_t)nkey * sizeof *t->key);
        if (!t->key)
            goto oom;
        int j = 0;
        size_t mi = tab_i[1] + 1;   /* the pre-order index of a key column's list */
        for (const cJSON *m = keys->child; m; m = m->next, j++) {
            int64_t i = 0;
            for (const cJSON *e = m->child; e; e = e->next, i++) {
                one.n = 0;
                if (cJSON_IsString(e) && !tc_json_string(c->data, c->n, off_of(c, mi + 1 + (size_t)i), &one))
                    one.oom = 1;
                size_t *sp = t->key + 2 * ((size_t)i * (size_t)nkey + (size_t)j);
                sp[0] = text.n;
                tc_csv_form(&text, one.p ? one.p : "", one.n, t->delim);
                sp[1] = text.n;
            }
            mi += 1 + (size_t)i;
        }
        tc_buf_put(&text, "", 1);
        bool failed = text.oom || one.oom;
        tc_buf_free(&one);
        if (failed) {
            tc_buf_free(&text);
            goto oom;
        }
        t->keytext = text.p;
    }
    if (c->table)
        *c->table = t;
    else
        tc_table_free(t);
    return TC_OK;
oom:
    tc_err_set(c->err, TC_ENOMEM, "out of memory");
    tc_table_free(t);
    c->failed = true;
    return TC_ENOMEM;
#undef BAD
}

static int read_object(json_ctx *c, const cJSON *obj, size_t idx, tc_tensor **out)
{
    const cJSON *dtype = NULL, *shape = NULL, *data = NULL, *values = NULL;
    const cJSON *tab[4] = {NULL, NULL, NULL, NULL};   /* columns, keys, key_positions, delimiter */
    size_t dtype_i = 0, shape_i = 0, data_i = 0, values_i = 0, tab_i[4] = {0, 0, 0, 0};
    size_t k = idx + 1;
    char q[200];
    for (const cJSON *m = obj->child; m; m = m->next) {
        const char *key = m->string ? m->string : "";
        if (!strcmp(key, "dtype"))
            dtype = m, dtype_i = k;
        else if (!strcmp(key, "shape"))
            shape = m, shape_i = k;
        else if (!strcmp(key, "data"))
            data = m, data_i = k;
        else if (!strcmp(key, "values"))
            values = m, values_i = k;
        else if (!strcmp(key, "columns"))
            tab[0] = m, tab_i[0] = k;
        else if (!strcmp(key, "keys"))
            tab[1] = m, tab_i[1] = k;
        else if (!strcmp(key, "key_positions"))
            tab[2] = m, tab_i[2] = k;
        else if (!strcmp(key, "delimiter"))
            tab[3] = m, tab_i[3] = k;
        else if (!strcmp(key, "schema")) {
            fail_at(c, off_of(c, k), TC_EINPUT, "%s", "\"schema\" and \"data\" are pandas' "
                    "orient=\"table\", which tcum does not read: write the table with "
                    "orient=\"records\" or \"split\"");
            return TC_EINPUT;
        } else if (strcmp(key, "indices")) {
            tc_token_quote(q, sizeof q, key, strlen(key));
            fail_at(c, off_of(c, k), TC_EINPUT, "unknown key %s in a tensor object", q);
            return TC_EINPUT;
        }
        k += subtree_size(m);
    }
    for (int j = 0; j < 4 && !data; j++) {
        if (tab[j]) {
            fail_at(c, off_of(c, tab_i[j]), TC_EINPUT, "\"%s\" belongs in a tensor object with "
                    "\"data\"", tab[j]->string);
            return TC_EINPUT;
        }
    }
    if (!data && values && cJSON_IsObject(values))
        return read_object(c, values, values_i, out);
    if (!data) {
        fail_at(c, off_of(c, idx), TC_EINPUT, "%s",
                "a tensor object needs a \"data\" member");
        return TC_EINPUT;
    }
    bool has_dtype = c->o->has_input_dtype;
    tc_dtype t = c->o->input_dtype;
    if (dtype) {
        tc_dtype named;
        if (!cJSON_IsString(dtype) || !tc_dtype_parse(dtype->valuestring, &named)) {
            const char *s = cJSON_IsString(dtype) ? dtype->valuestring : "";
            tc_token_quote(q, sizeof q, s, strlen(s));
            fail_at(c, off_of(c, dtype_i), TC_EINPUT, "unknown dtype %s", q);
            return TC_EINPUT;
        }
        if (!has_dtype) {
            has_dtype = true;
            t = named;
        }
    }
    int64_t dims[TC_MAX_DIMS];
    int ndim = 0;
    if (shape) {
        bool ok = cJSON_IsArray(shape);
        size_t j = shape_i + 1;
        for (const cJSON *e = ok ? shape->child : NULL; e && ok; e = e->next, j++) {
            tc_scalar v;
            const char *s = c->data + off_of(c, j);
            size_t len = 0;
            while (off_of(c, j) + len < c->n && s[len] >= '0' && s[len] <= '9')
                len++;
            ok = ndim < TC_MAX_DIMS && cJSON_IsNumber(e) && tc_scalar_parse(s, len, &v) &&
                 v.kind == TC_SK_INT;
            if (ok)
                dims[ndim++] = v.i;
        }
        if (!ok) {
            fail_at(c, off_of(c, shape_i), TC_EINPUT, "%s",
                    "\"shape\" must be a list of at most 64 sizes >= 0");
            return TC_EINPUT;
        }
    }
    tc_tensor *x = NULL;
    int rc = read_nested(c, data, data_i, has_dtype, t, &x);
    if (rc == TC_OK && shape)
        rc = fit_shape(c, &x, ndim, dims, data_i);
    if (rc == TC_OK && (tab[0] || tab[1] || tab[2] || tab[3]))
        rc = read_table_members(c, x, data_i, tab, tab_i);
    if (rc != TC_OK) {
        tc_tensor_free(x);
        return rc;
    }
    *out = x;
    return TC_OK;
}

/* ---- what cJSON refused ------------------------------------------------------------ */

/*
 * cJSON allocates with the process's hooks, which the library leaves to
 * its host (installing its own would change them for the whole process),
 * and says NULL both for bad syntax and for memory it could not get.
 * Whether the text is valid JSON (RFC 8259) tells the two apart: valid
 * text that cJSON refused means out of memory.
 */
static size_t skip_ws(const char *d, size_t n, size_t i)
{
    while (i < n && is_ws(d[i]))
        i++;
    return i;
}

/* The end of the JSON string at d[i] (its opening quote), or 0 if it is none. */
static size_t string_end(const char *d, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        unsigned char ch = (unsigned char)d[i];
        if (ch == '"')
            return i + 1;
        if (ch < 0x20)
            return 0;
        if (ch == '\\') {
            if (++i >= n)
                return 0;
            if (d[i] == 'u') {
                for (int k = 0; k < 4; k++)
                    if (++i >= n || !strchr("0123456789abcdefABCDEF", d[i]) || !d[i])
                        return 0;
            } else if (!strchr("\"\\/bfnrt", d[i]) || !d[i]) {
                return 0;
            }
        }
    }
    return 0;
}

/* The end of the JSON number at d[i], or 0. */
static size_t number_end(const char *d, size_t n, size_t i)
{
    if (i < n && d[i] == '-')
        i++;
    if (i >= n || d[i] < '0' || d[i] > '9')
        return 0;
    if (d[i] == '0')
        i++;
    else
        while (i < n && d[i] >= '0' && d[i] <= '9')
            i++;
    if (i < n && d[i] == '.') {
        if (++i >= n || d[i] < '0' || d[i] > '9')
            return 0;
        while (i < n && d[i] >= '0' && d[i] <= '9')
            i++;
    }
    if (i < n && (d[i] == 'e' || d[i] == 'E')) {
        i++;
        if (i < n && (d[i] == '+' || d[i] == '-'))
            i++;
        if (i >= n || d[i] < '0' || d[i] > '9')
            return 0;
        while (i < n && d[i] >= '0' && d[i] <= '9')
            i++;
    }
    return i;
}

static bool json_valid(const char *d, size_t n)
{
    char stack[MAX_NESTING + 2];   /* the open '[' and '{' */
    int depth = 0;
    size_t i = skip_ws(d, n, 0);
    for (;;) {
        /* a value */
        if (i >= n)
            return false;
        if (d[i] == '[' || d[i] == '{') {
            if (depth > MAX_NESTING)
                return false;
            stack[depth++] = d[i];
            i = skip_ws(d, n, i + 1);
            if (i < n && d[i] == (stack[depth - 1] == '[' ? ']' : '}')) {
                depth--;
                i++;
            } else {
                if (stack[depth - 1] == '{') {
                    if (i >= n || d[i] != '"' || !(i = string_end(d, n, i)))
                        return false;
                    i = skip_ws(d, n, i);
                    if (i >= n || d[i] != ':')
                        return false;
                    i = skip_ws(d, n, i + 1);
                }
                continue;
            }
        } else if (d[i] == '"') {
            if (!(i = string_end(d, n, i)))
                return false;
        } else if (d[i] == '-' || (d[i] >= '0' && d[i] <= '9')) {
            if (!(i = number_end(d, n, i)))
                return false;
        } else {
            static const char *const words[] = {"true", "false", "null"};
            size_t k = 0;
            while (k < 3 && (n - i < strlen(words[k]) || memcmp(d + i, words[k], strlen(words[k]))))
                k++;
            if (k == 3)
                return false;
            i += strlen(words[k]);
        }
        /* after a value: a comma, a closing bracket, or the end */
        for (;;) {
            i = skip_ws(d, n, i);
            if (depth == 0)
                return i == n;
            if (i >= n)
                return false;
            if (d[i] == ',') {
                i = skip_ws(d, n, i + 1);
                if (stack[depth - 1] == '{') {
                    if (i >= n || d[i] != '"' || !(i = string_end(d, n, i)))
                        return false;
                    i = skip_ws(d, n, i);
                    if (i >= n || d[i] != ':')
                        return false;
                    i = skip_ws(d, n, i + 1);
                }
                break;   /* the next value */
            }
            if (d[i] != (stack[depth - 1] == '[' ? ']' : '}'))
                return false;
            depth--;
            i++;
        }
    }
}

/* ---- the fast path: a rectangular array of plain numbers -------------------------- */

/*
 * The common case without building a tree: nested arrays of JSON numbers,
 * rectangular, not empty, read in one pass straight into values, alone or
 * as the "data" of tcum's object form {"dtype": ..., "shape": [...],
 * "data": [...]}.  The readers below return true with *out set when the
 * text is exactly that and the tensor is built; false for anything else
 * (strings, booleans, NaN, other members, empty or ragged lists, bad
 * syntax, a value the dtype refuses), and the general path reads the text
 * again from the start and says what is wrong.  The values, dtype and
 * checks are the general path's own (tc_scalar_parse, tc_values,
 * tc_scalar_check), so a result from here is the same tensor.
 *
 * A large array is read by threads: the text is cut after commas between
 * top-level elements (rows), each part is read into values of its own,
 * then the dtype is inferred from all of them and the parts are stored in
 * the tensor at once.  A row boundary is found without reading from the
 * start because the array holds nothing but numbers, brackets, commas and
 * blanks: a comma between rows is the one followed by exactly ndim - 1
 * '[' (ndim learnt from the first row).  A cut anywhere else (a quote, or
 * anything the fast path refuses, is no array of numbers) makes a part
 * fail, and the array is read again by one thread, so whatever the text,
 * the result is that of one thread.
 */

/* Below this much text one thread reads an array. */
#define PAR_MIN (1 << 20)
/* At most this many parts (the test knob o->block could ask for more). */
#define PAR_MAX_PARTS 1024
/* fast_run's stop: the first comma between rows. */
#define FIRST_ROW SIZE_MAX

/*
 * Numbers and lists from d[i], the start of a value, into vs with sh's
 * shape rules: until the outermost list closes (the position after it is
 * returned), or until the comma between rows (at depth 1) that ends at
 * stop (FIRST_ROW: the first one), whose end is returned; 0 for anything
 * else.
 */
static size_t fast_run(const char *d, size_t n, size_t i, size_t stop, tc_shape *sh, tc_values *vs)
{
    for (;;) {
        /* At the start of a value: lists open, then a number. */
        while (i < n && is_ws(d[i]))
            i++;
        if (i < n && d[i] == '[') {
            if (tc_shape_open(sh) != TC_SHAPE_OK)
                return 0;
            i++;
            continue;
        }
        size_t len = tc_json_number_len(d, n, i);
        bool store;
        tc_scalar v;
        if (len == 0 || tc_shape_scalar(sh, &store) != TC_SHAPE_OK ||
            !tc_scalar_parse(d + i, len, &v) || tc_values_push(vs, &v, i))
            return 0;               /* not a number (or []), or misplaced */
        i += len;
        /* After a value: ',' for the next one, or ']' closing lists. */
        for (;;) {
            while (i < n && is_ws(d[i]))
                i++;
            if (i < n && d[i] == ',') {
                i++;
                if (sh->depth == 1 && (i == stop || stop == FIRST_ROW))
                    return i;
                if (i == stop)
                    return 0;
                break;
            }
            if (i == n || d[i] != ']' || tc_shape_close(sh) != TC_SHAPE_OK)
                return 0;
            i++;
            if (sh->depth == 0)
                return i;
        }
    }
}

/* The dtype of the values: has_dtype's t, else torch.tensor's inference from seen. */
static tc_dtype fast_dtype(const json_ctx *c, unsigned seen, bool has_dtype, tc_dtype t)
{
    if (has_dtype)
        return t;
    tc_values all;
    memset(&all, 0, sizeof all);
    all.seen = seen;
    return tc_values_dtype(&all, c->o->default_dtype);
}

/* The array at d[b] by one thread; the position after it, or 0. */
static size_t fast_seq(const json_ctx *c, size_t b, bool has_dtype, tc_dtype t, tc_tensor **out)
{
    tc_shape sh;                    /* torch.tensor's shape rules, as read_torch.c */
    tc_shape_init(&sh);
    tc_values vs;
    tc_values_init(&vs, NULL);
    size_t e = fast_run(c->data, c->n, b, 0, &sh, &vs);
    if (e && !sh.empty) {
        t = fast_dtype(c, vs.seen, has_dtype, t);
        if (has_dtype) {
            tc_scalar v;
            for (size_t k = 0; k < vs.n && e; k++) {
                tc_values_get(&vs, k, &v);
                if (tc_scalar_check(&v, t))
                    e = 0;
            }
            vs.has_dtype = 1;
            vs.dtype = t;
        }
        size_t bad;
        bool has_bad;
        if (e && tc_values_tensor(&vs, t, sh.ndim, sh.shape, out, &bad, &has_bad, NULL) != TC_OK)
            e = 0;
    } else {
        e = 0;
    }
    tc_values_free(&vs);
    return e;
}

typedef struct fast_part {
    size_t from, to;            /* its text; to == the stop after its last comma */
    bool last;                  /* to the end of the array (to: the text's end) */
    tc_shape sh;
    tc_values vs;
    size_t end;                 /* fast_run's result */
    int64_t at;                 /* where its first value goes in the tensor */
    bool bad;                   /* a value the dtype refuses */
} fast_part;

typedef struct fast_job {
    const char *d;
    fast_part *part;
    int nparts;
    atomic_int next;            /* the next part a thread takes */
    bool store;                 /* false: read the parts; true: store them in x */
    bool check;                 /* store: check every value against x's dtype */
    tc_tensor *x;
} fast_job;

static void *fast_work(void *arg)
{
    fast_job *j = arg;
    int k;
    while ((k = atomic_fetch_add(&j->next, 1)) < j->nparts) {
        fast_part *p = &j->part[k];
        if (!j->store) {
            p->end = fast_run(j->d, p->to, p->from, p->last ? 0 : p->to, &p->sh, &p->vs);
            continue;
        }
        tc_scalar v;
        for (size_t i = 0; i < p->vs.n; i++) {
            tc_values_get(&p->vs, i, &v);
            if (j->check && tc_scalar_check(&v, j->x->dtype))
                p->bad = true;
            tc_scalar_store(j->x, p->at + (int64_t)i, &v);
        }
    }
    return NULL;
}

/* Every part of j by threads threads, this one among them. */
static void fast_jobs(fast_job *j, int threads)
{
    atomic_store(&j->next, 0);
    int extra = (threads < j->nparts ? threads : j->nparts) - 1;
    pthread_t *th = extra > 0 ? tc_malloc((size_t)extra * sizeof *th) : NULL;
    int started = 0;
    while (th && started < extra && pthread_create(&th[started], NULL, fast_work, j) == 0)
        started++;
    fast_work(j);                   /* (without threads: all of them here) */
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    tc_free(th);
}

/*
 * The first comma between rows at or after d[i] (before n) of an array of
 * ndim dims: preceded by ']' (ndim 1: a digit), followed by ndim - 1 '['
 * and no more.  The position after it, or 0.
 */
static size_t row_cut(const char *d, size_t n, size_t i, int ndim)
{
    for (;;) {
        const char *p = memchr(d + i, ',', n - i);
        if (!p)
            return 0;
        i = (size_t)(p - d) + 1;
        size_t k = i - 1;
        while (k > 0 && is_ws(d[k - 1]))
            k--;
        char before = k > 0 ? d[k - 1] : '\0';
        if (ndim > 1 ? before != ']' : before < '0' || before > '9')
            continue;
        int open = 0;
        for (k = i; k < n && (is_ws(d[k]) || d[k] == '['); k++)
            open += d[k] == '[';
        if (open == ndim - 1)
            return i;
    }
}

enum { PAR_OK, PAR_NO, PAR_RETRY };

/*
 * The array at d[b] by threads: PAR_OK with *out and *end set, PAR_NO when
 * the fast path cannot read it, PAR_RETRY when one thread may yet (a part
 * failed: a cut in the wrong place, or anything else one thread sees).
 */
static int fast_par(const json_ctx *c, size_t b, bool has_dtype, tc_dtype t, tc_tensor **out,
                    size_t *end)
{
    const char *d = c->data;
    size_t n = c->n;
    /* The first row: ndim and the row's sizes (sh then stands after a comma at depth 1). */
    tc_shape sh;
    tc_shape_init(&sh);
    tc_values vs;
    tc_values_init(&vs, NULL);
    size_t first = fast_run(d, n, b, FIRST_ROW, &sh, &vs);
    tc_values_free(&vs);
    if (!first || sh.depth != 1 || sh.empty)
        return PAR_RETRY;           /* one row, or none: no cut */
    sh.count[0] = 0;

    size_t span = n - b;
    long np = c->o->block > 0 ? (long)(span / (size_t)c->o->block) + 1 : 4L * c->o->threads;
    np = np < PAR_MAX_PARTS ? np : PAR_MAX_PARTS;
    fast_part *part = tc_calloc((size_t)np, sizeof *part);
    if (!part)
        return PAR_RETRY;
    int k = 0;
    size_t at = b + 1;
    while (k < np) {
        fast_part *p = &part[k++];
        p->from = at;
        p->sh = sh;
        tc_values_init(&p->vs, NULL);
        size_t cut = 0, want = b + (size_t)((double)span * k / (double)np);
        if (k < np)
            cut = row_cut(d, n, want > at ? want : at, sh.ndim);
        p->last = cut == 0;
        p->to = cut ? cut : n;
        at = p->to;
        if (p->last)
            break;
    }

    fast_job j;
    memset(&j, 0, sizeof j);
    j.d = d;
    j.part = part;
    j.nparts = k;
    fast_jobs(&j, c->o->threads);
    int rc = PAR_OK;
    size_t nvals = 0;
    unsigned seen = 0;
    bool bigint = false, hugeint = false;
    int64_t rows = 0;
    for (int q = 0; q < k && rc == PAR_OK; q++) {
        fast_part *p = &part[q];
        if (!p->end || (!p->last && p->end != p->to))
            rc = PAR_RETRY;
        p->at = (int64_t)nvals;
        nvals += p->vs.n;
        rows += p->sh.count[0];
        seen |= p->vs.seen;
        bigint |= p->vs.has_bigint;
        hugeint |= p->vs.has_hugeint;
    }
    if (rc == PAR_OK) {
        /* after the array: the end, or the object's next member (the caller's to check) */
        *end = part[k - 1].end;
        t = fast_dtype(c, seen, has_dtype, t);
        /* tc_values_tensor's checks (with a dtype, each value is checked as it is stored) */
        if (!has_dtype && ((tc_dtype_is_integral(t, 0) && bigint) ||
                           ((tc_dtype_is_float(t) || tc_dtype_is_complex(t)) && hugeint)))
            rc = PAR_NO;
    }
    tc_tensor *x = NULL;
    if (rc == PAR_OK) {
        int64_t shape[TC_MAX_DIMS];
        memcpy(shape, sh.shape, sizeof shape);
        shape[0] = rows;
        x = tc_tensor_new(t, sh.ndim, shape, NULL);
        if (!x)
            rc = PAR_RETRY;
        else if ((uint64_t)x->numel != (uint64_t)nvals)
            rc = PAR_NO;            /* (cannot be: every row was checked) */
    }
    if (rc == PAR_OK) {
        j.store = true;
        j.check = has_dtype;
        j.x = x;
        fast_jobs(&j, c->o->threads);
        for (int q = 0; q < k; q++)
            rc = part[q].bad ? PAR_NO : rc;
    }
    for (int q = 0; q < k; q++)
        tc_values_free(&part[q].vs);
    tc_free(part);
    if (rc == PAR_OK)
        *out = x;
    else
        tc_tensor_free(x);
    return rc;
}

/* The array at d[b] as torch.tensor(it[, dtype=t]); the position after it, or 0. */
static size_t fast_array(const json_ctx *c, size_t b, bool has_dtype, tc_dtype t, tc_tensor **out)
{
    int threads = c->o->threads;
    if (threads > 1 && (c->o->block > 0 || c->n - b >= PAR_MIN)) {
        size_t e = 0;
        int rc = fast_par(c, b, has_dtype, t, out, &e);
        if (rc != PAR_RETRY)
            return rc == PAR_OK ? e : 0;
    }
    return fast_seq(c, b, has_dtype, t, out);
}

/* A name, the colon and the blanks after it: 0 "dtype", 1 "shape", 2 "data", else -1. */
static int fast_member(const char *d, size_t n, size_t *i)
{
    static const char *const names[] = {"\"dtype\"", "\"shape\"", "\"data\""};
    for (int m = 0; m < 3; m++) {
        size_t len = strlen(names[m]);
        if (n - *i >= len && !memcmp(d + *i, names[m], len)) {
            size_t k = skip_ws(d, n, *i + len);
            if (k >= n || d[k] != ':')
                return -1;
            *i = skip_ws(d, n, k + 1);
            return m;
        }
    }
    return -1;
}

/*
 * tcum's object form with "dtype", "shape" and "data" only, each at most
 * once, "dtype" before "data" (read_object's rules, for that much): a
 * dtype named by letters, digits, '.' and '_', sizes as digits.
 */
static bool read_fast_object(const json_ctx *c, size_t i, tc_tensor **out)
{
    const char *d = c->data;
    size_t n = c->n;
    bool seen[3] = {false, false, false};
    bool has_dtype = c->o->has_input_dtype;
    tc_dtype t = c->o->input_dtype;
    int64_t dims[TC_MAX_DIMS];
    int ndim = 0;
    tc_tensor *x = NULL;
    i++;                            /* the '{' */
    for (;;) {
        i = skip_ws(d, n, i);
        int m = fast_member(d, n, &i);
        if (m < 0 || seen[m] || (m == 0 && seen[2]))
            goto fail;
        seen[m] = true;
        if (m == 0) {
            char name[32];
            size_t k = 0;
            if (i >= n || d[i] != '"')
                goto fail;
            for (i++; i < n && k + 1 < sizeof name && (isalnum((unsigned char)d[i]) ||
                                                     d[i] == '.' || d[i] == '_'); i++)
                name[k++] = d[i];
            name[k] = '\0';
            tc_dtype named;
            if (i >= n || d[i] != '"' || !tc_dtype_parse(name, &named))
                goto fail;
            i++;
            if (!has_dtype) {
                has_dtype = true;
                t = named;
            }
        } else if (m == 1) {
            if (i >= n || d[i] != '[')
                goto fail;
            i = skip_ws(d, n, i + 1);
            bool more = i >= n || d[i] != ']';
            if (!more)
                i++;
            while (more) {
                size_t len = tc_json_number_len(d, n, i), k = 0;
                while (k < len && d[i + k] >= '0' && d[i + k] <= '9')
                    k++;
                tc_scalar v;
                if (!len || k != len || ndim == TC_MAX_DIMS || !tc_scalar_parse(d + i, len, &v) ||
                    v.kind != TC_SK_INT)
                    goto fail;
                dims[ndim++] = v.i;
                i = skip_ws(d, n, i + len);
                if (i >= n || (d[i] != ',' && d[i] != ']'))
                    goto fail;
                more = d[i] == ',';
                i = skip_ws(d, n, i + 1);
            }
        } else {
            if (i >= n || d[i] != '[' || !(i = fast_array(c, i, has_dtype, t, &x)))
                goto fail;
        }
        i = skip_ws(d, n, i);
        if (i < n && d[i] == ',') {
            i++;
            continue;
        }
        if (i >= n || d[i] != '}')
            goto fail;
        break;
    }
    if (skip_ws(d, n, i + 1) != n || !x)
        goto fail;
    if (seen[1]) {
        /* fit_shape: as it is, or a flat list reshaped */
        bool same = x->ndim == ndim;
        for (int k = 0; same && k < ndim; k++)
            same = x->shape[k] == dims[k];
        int64_t numel = 1;
        bool fits = true;
        for (int k = 0; k < ndim && fits; k++)
            fits = tc_mul_ok(numel, dims[k], &numel);
        if (!same) {
            tc_tensor *r = NULL;
            if (x->ndim != 1 || !fits || numel != x->numel ||
                tc_tensor_reshape(x, ndim, dims, &r, NULL) != TC_OK)
                goto fail;
            tc_tensor_free(x);
            x = r;
        }
    }
    *out = x;
    return true;
fail:
    tc_tensor_free(x);
    return false;
}

/* The text as a rectangular array of numbers, or tcum's object form holding one. */
static bool read_fast(const json_ctx *c, tc_tensor **out)
{
    size_t i = skip_ws(c->data, c->n, 0);
    if (i < c->n && c->data[i] == '{')
        return read_fast_object(c, i, out);
    if (i == c->n || c->data[i] != '[')
        return false;
    size_t e = fast_array(c, i, c->o->has_input_dtype, c->o->input_dtype, out);
    if (e && skip_ws(c->data, c->n, e) == c->n)
        return true;
    if (e) {
        tc_tensor_free(*out);
        *out = NULL;
    }
    return false;
}

/* ---- entry point ----------------------------------------------------------------- */

int tc_read_json_doc(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out,
                     tc_table **table, tc_err *err)
{
    *out = NULL;
    if (table)
        *table = NULL;
    size_t bom = tc_bom_len(data, n);
    json_ctx c;
    memset(&c, 0, sizeof c);
    c.data = data + bom;
    c.n = n - bom;
    c.o = o;
    /* The failure's code is read back from c.err: one of our own when the caller gives none. */
    tc_err scratch = {0};
    c.err = err ? err : &scratch;
    c.err->code = TC_OK;
    c.table = table;

    int rc = TC_OK;
    cJSON *root = NULL;
    size_t i = 0;
    while (i < c.n && is_ws(c.data[i]))
        i++;
    if (i == c.n) {
        rc = tc_err_set(err, TC_EINPUT, "no data");
    } else if (read_fast(&c, out)) {
        rc = TC_OK;
    } else if (!prescan(&c)) {
        rc = c.err->code ? c.err->code : TC_EINPUT;
    } else {
        const char *end = NULL;
        const char *text = c.patched ? c.patched : c.data;
        root = cJSON_ParseWithLengthOpts(text, c.n, &end, 0);
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        if (!root && json_valid(text, c.n)) {
            rc = tc_err_set(err, TC_ENOMEM, "out of memory reading JSON");
        } else if (!root) {
            size_t j = at;
            while (j < c.n && is_ws(c.data[j]))
                j++;
            fail_at(&c, at, TC_EINPUT, "%s", j >= c.n ? "invalid JSON: unexpected end of input"
                                                       : "invalid JSON");
            rc = TC_EINPUT;
        } else {
            while (at < c.n && is_ws(c.data[at]))
                at++;
            if (at < c.n) {
                fail_at(&c, at, TC_EINPUT, "%s", "invalid JSON: unexpected data after the value");
                rc = TC_EINPUT;
            } else if (cJSON_IsObject(root)) {
                rc = read_object(&c, root, 0, out);
            } else {
                rc = read_nested(&c, root, 0, o->has_input_dtype, o->input_dtype, out);
            }
        }
    }
    if (rc != TC_OK) {
        tc_tensor_free(*out);
        *out = NULL;
        if (table) {
            tc_table_free(*table);
            *table = NULL;
        }
        if (c.has_pos) {
            long line, col;
            tc_text_pos(c.data, c.pos, &line, &col);
            tc_err_at(err, rc, line, col);
        }
    }
    cJSON_Delete(root);
    tc_free(c.offs);
    tc_free(c.patched);
    return rc;
}
