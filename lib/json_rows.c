/*
 * json_rows.c - the tokenizer's JSON dialect: JSON tables as rows of fields.
 *
 * pandas writes tables as JSON in a few forms, and web APIs and loggers
 * write JSON Lines; each is a table, and the table layer (table.c) reads
 * it exactly as it reads a CSV, from the rows of fields this dialect gives
 * (the other dialects are in csv_tok.c):
 *
 *   records  [{"Date": "2024-01-02", "Open": 1.5}, ...], or one object
 *            (pandas' orient="records"): the first object's keys are the
 *            header; a later object's members go to the columns of their
 *            keys, whatever their order; a key it lacks is a missing value,
 *            a key the first object lacks is an error;
 *   split    {"columns": [...], "index": [...], "data": [[...], ...]}
 *            (orient="split"): "columns" is the header; an "index" other
 *            than pandas' default 0, 1, ..., n-1 (a date index, a filtered
 *            frame's) is kept as a first key column with an empty name, as
 *            pandas' to_csv writes it, and a default one is dropped, as
 *            to_csv(index=False) would;
 *   lines    one array or one object a line (JSON Lines, NDJSON, pandas'
 *            lines=True), blank lines skipped, every line of the first
 *            line's kind: objects as records, arrays as the rows of a CSV
 *            (whose first row may be a header, as in a CSV).
 *
 * A field's text is what a CSV field would hold: a number's literal as
 * written (int64 stays exact, 1 and 1.0 infer as they do), a string's
 * characters, true and false, and null as an empty field, which is
 * missing.  So a string that reads as a number ("1.5", "nan", "1+2j") is
 * that number, as tcum's JSON arrays take it and as pandas.read_json
 * converts numeric strings; a missing-value token ("NA", "") is missing, as
 * in a CSV; any other string is a word, and a column of words a key column.
 * The bare NaN, Infinity and -Infinity of Python's json.dumps (and
 * Python's nan, inf, True, False) are values, as in read_json.c.  A list
 * or an object in a cell is an error naming the column.
 *
 * The names row comes first when the table layer's head asks for it
 * (want_names): the header of records, split and object lines, made from
 * the first record without consuming it, so the data rows start where the
 * head started.  Whole documents (records, split) are one block, whose
 * structure is read again at each tc_tok_block; JSON Lines come in blocks
 * of whole lines (stream.c cuts them at newlines: no JSON value holds a raw
 * newline), and each value must end on its line.  Positions are the JSON
 * text's; the texts kept for key columns and the header are CSV fields
 * (tc_csv_form), so that CSV output and the rest of the table layer take
 * them as they take a CSV's.
 */
#include "tc_private.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Lists and objects nested deeper than this are refused while skipped. */
#define MAX_DEPTH 512

struct tc_jrows {
    int form;                   /* TC_JSON_LINES, _RECORDS or _SPLIT */
    char kind;                  /* lines: '[' or '{', as the first row; 0 before it */
    /* the column names: the first record's keys, or split's "columns" */
    char **name;
    size_t *nlen, *name_at;     /* their lengths and where they are in the text */
    int nname, cap;             /* (cap: also of colof, stamp and ord) */
    bool have_names;
    int *colof;                 /* per member of the record being read: its column */
    int64_t *stamp;             /* per column: the record that last filled it */
    int64_t nrec;
    tc_field *ord;              /* a record's fields put in column order */
    tc_buf str;                 /* a string, decoded */
    tc_buf raw;                 /* this block's kept fields, as CSV fields */
    int64_t block_rows;         /* rows given since tc_tok_block */
    /* a whole document, read again at each block */
    bool started, done, in_array, first;
    size_t i;                   /* where the next row (or ',' before it) is */
    size_t idx_i;               /* split: where the next index entry (or ',') is */
    size_t columns_at, index_at, data_at;   /* split: its members' values (SIZE_MAX: none) */
    bool keep_index;
};

/* ---- lexing ------------------------------------------------------------------------- */

typedef struct lex {
    const char *d;
    size_t n, i;
    bool line;                  /* JSON Lines: a value ends on its line */
    size_t at;                  /* where the error is */
} lex;

static const char *lex_fail(lex *L, size_t at, const char *msg)
{
    L->at = at;
    return msg;
}

static void ws(lex *L)
{
    while (L->i < L->n) {
        char c = L->d[L->i];
        if (c == ' ' || c == '\t' || c == '\r' || (c == '\n' && !L->line))
            L->i++;
        else
            break;
    }
}

/* At the end of the text, or of the line in JSON Lines. */
static bool at_end(const lex *L)
{
    return L->i >= L->n || (L->line && L->d[L->i] == '\n');
}

/* The message for a value cut short at L->i. */
static const char *cut(lex *L)
{
    return lex_fail(L, L->i, L->i < L->n ? "invalid JSON: unexpected end of line (JSON Lines "
                                           "hold one value a line)"
                                         : "invalid JSON: unexpected end of input");
}

size_t tc_json_number_len(const char *d, size_t n, size_t i)
{
    size_t k = i;
    if (k < n && d[k] == '-')
        k++;
    if (k < n && d[k] == '0') {
        k++;
    } else if (k < n && d[k] >= '1' && d[k] <= '9') {
        while (k < n && d[k] >= '0' && d[k] <= '9')
            k++;
    } else {
        return 0;
    }
    if (k < n && d[k] == '.') {
        size_t f = ++k;
        while (k < n && d[k] >= '0' && d[k] <= '9')
            k++;
        if (k == f)
            return 0;
    }
    if (k < n && (d[k] == 'e' || d[k] == 'E')) {
        k++;
        if (k < n && (d[k] == '+' || d[k] == '-'))
            k++;
        size_t e = k;
        while (k < n && d[k] >= '0' && d[k] <= '9')
            k++;
        if (k == e)
            return 0;
    }
    return k - i;
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/*
 * Length of a bare word value at d[i]: JSON's true, false and null, the
 * NaN, Infinity and -Infinity of json.dumps, Python's True, False, nan,
 * inf and -inf (read_json.c takes the same); 0 if none.
 */
static size_t word_len(const char *d, size_t n, size_t i)
{
    static const char *const words[] = {"true", "false", "null", "NaN", "Infinity", "-Infinity",
                                        "True", "False", "nan", "inf", "-inf"};
    for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
        size_t len = strlen(words[k]);
        if (n - i >= len && !memcmp(d + i, words[k], len) && (i + len == n || !is_alnum(d[i + len])))
            return len;
    }
    return 0;
}

static int hex4(const char *d, size_t n, size_t i)
{
    if (n < 4 || i > n - 4)
        return -1;
    int v = 0;
    for (size_t k = i; k < i + 4; k++) {
        char c = d[k];
        int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static void put_utf8(tc_buf *b, unsigned cp)
{
    char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    tc_buf_put(b, u, k);
}

/*
 * The string whose opening quote is at L->i, decoded into out (NULL: only
 * skipped).  Bytes that are not ASCII pass through as they are; a lone
 * surrogate escape becomes U+FFFD.
 */
static const char *string(lex *L, tc_buf *out)
{
    const char *d = L->d;
    size_t start = L->i++;
    if (out)
        out->n = 0;
    for (;;) {
        size_t from = L->i;
        while (L->i < L->n && d[L->i] != '"' && d[L->i] != '\\' && (unsigned char)d[L->i] >= 0x20)
            L->i++;
        if (out)
            tc_buf_put(out, d + from, L->i - from);
        if (L->i >= L->n || (L->line && d[L->i] == '\n'))
            return lex_fail(L, start, "invalid JSON: unterminated string");
        char c = d[L->i];
        if (c == '"') {
            L->i++;
            return NULL;
        }
        if (c != '\\')
            return lex_fail(L, L->i, "invalid JSON: control character in a string");
        if (L->i + 1 >= L->n)
            return lex_fail(L, start, "invalid JSON: unterminated string");
        char e = d[L->i + 1], rep;
        switch (e) {
        case '"': rep = '"'; break;
        case '\\': rep = '\\'; break;
        case '/': rep = '/'; break;
        case 'b': rep = '\b'; break;
        case 'f': rep = '\f'; break;
        case 'n': rep = '\n'; break;
        case 'r': rep = '\r'; break;
        case 't': rep = '\t'; break;
        case 'u': {
            int v = hex4(d, L->n, L->i + 2);
            if (v < 0)
                return lex_fail(L, L->i, "invalid JSON: bad \\u escape in a string");
            L->i += 6;
            if (v >= 0xD800 && v <= 0xDBFF && L->i + 1 < L->n && d[L->i] == '\\' && d[L->i + 1] == 'u') {
                int w = hex4(d, L->n, L->i + 2);
                if (w >= 0xDC00 && w <= 0xDFFF) {
                    v = 0x10000 + ((v - 0xD800) << 10) + (w - 0xDC00);
                    L->i += 6;
                }
            }
            if (v >= 0xD800 && v <= 0xDFFF)
                v = 0xFFFD;
            if (out)
                put_utf8(out, (unsigned)v);
            continue;
        }
        default:
            return lex_fail(L, L->i, "invalid JSON: bad escape in a string");
        }
        if (out)
            tc_buf_put(out, &rep, 1);
        L->i += 2;
    }
}

/*
 * Skip the value at L->i (after blanks), checking its syntax; lists and
 * objects are followed with a stack, not recursion.
 */
static const char *skip_value(lex *L)
{
    char close[MAX_DEPTH];
    int depth = 0;
    bool key = false;           /* an object's key comes next, not a value */
    for (;;) {
        ws(L);
        if (at_end(L))
            return cut(L);
        size_t at = L->i;
        char c = L->d[at];
        if (key) {
            if (c != '"')
                return lex_fail(L, at, "invalid JSON: expected a string (a key)");
            const char *m = string(L, NULL);
            if (m)
                return m;
            ws(L);
            if (at_end(L))
                return cut(L);
            if (L->d[L->i] != ':')
                return lex_fail(L, L->i, "invalid JSON: expected ':'");
            L->i++;
            key = false;
            continue;
        }
        if (c == '[' || c == '{') {
            if (depth == MAX_DEPTH)
                return lex_fail(L, at, "invalid JSON: nested deeper than 512 lists and objects");
            close[depth++] = c == '[' ? ']' : '}';
            L->i++;
            ws(L);
            if (L->i < L->n && L->d[L->i] == close[depth - 1]) {
                L->i++;
                depth--;
            } else {
                key = c == '{';
                continue;
            }
        } else if (c == '"') {
            const char *m = string(L, NULL);
            if (m)
                return m;
        } else {
            size_t len = word_len(L->d, L->n, at);
            if (!len)
                len = tc_json_number_len(L->d, L->n, at);
            if (!len)
                return lex_fail(L, at, "invalid JSON: expected a value");
            L->i += len;
        }
        /* after a value: ',' and the next one, or the end of lists and objects */
        for (;;) {
            if (depth == 0)
                return NULL;
            ws(L);
            if (at_end(L))
                return cut(L);
            char k = L->d[L->i];
            if (k == ',') {
                L->i++;
                key = close[depth - 1] == '}';
                break;
            }
            if (k != close[depth - 1])
                return lex_fail(L, L->i, close[depth - 1] == ']' ? "invalid JSON: expected ',' or ']'"
                                                                 : "invalid JSON: expected ',' or '}'");
            L->i++;
            depth--;
        }
    }
}

/* ---- errors and fields ---------------------------------------------------------------- */

static int fail_at(tc_tok *t, size_t pos, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail_at(tc_tok *t, size_t pos, int code, const char *fmt, ...)
{
    char msg[sizeof t->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tc_err_set(t->err, code, "%s", msg);
    long line, col;
    tc_tok_pos(t, pos, &line, &col);
    return tc_err_at(t->err, code, line, col);
}

static int syntax(tc_tok *t, const lex *L, const char *msg)
{
    return fail_at(t, L->at, TC_EINPUT, "%s", msg);
}

static int oom(tc_tok *t)
{
    return tc_err_set(t->err, TC_ENOMEM, "out of memory");
}

static int push(tc_tok *t, const char *s, size_t n, size_t off, size_t end)
{
    return tc_tok_push(t, s, n, off, end) ? oom(t) : TC_OK;
}

/* "column 'Open'" or "column 3", for messages. */
static void label(char *out, size_t cap, const char *key, size_t nkey, int64_t col)
{
    if (key) {
        char q[200];
        tc_token_quote(q, sizeof q, key, nkey);
        snprintf(out, cap, "column %s", q);
    } else {
        snprintf(out, cap, "column %lld", (long long)col);
    }
}

/*
 * The cell at L->i (after blanks) as the row's next field; key (nkey
 * bytes) or else the 1-based col names its column in messages.
 */
static int cell(tc_tok *t, lex *L, const char *key, size_t nkey, int64_t col)
{
    struct tc_jrows *J = t->json;
    ws(L);
    if (at_end(L))
        return syntax(t, L, cut(L));
    size_t at = L->i;
    char c = L->d[at];
    if (c == '"') {
        const char *m = string(L, &J->str);
        if (m)
            return syntax(t, L, m);
        if (J->str.oom)
            return oom(t);
        return push(t, J->str.p ? J->str.p : "", J->str.n, at, L->i);
    }
    if (c == '{' && J->form == TC_JSON_RECORDS && !J->in_array)
        return fail_at(t, at, TC_EINPUT, "an object of objects is pandas' orient=\"columns\" (to_json's "
                       "default) or orient=\"index\", which tcum does not read: write the table "
                       "with orient=\"records\" or \"split\"");
    if (c == '[' || c == '{') {
        char lab[240];
        label(lab, sizeof lab, key, nkey, col);
        return fail_at(t, at, TC_EINPUT, "%s holds %s: a table's cell is a number, a string, "
                       "true, false or null", lab, c == '[' ? "a list" : "an object");
    }
    size_t len = word_len(L->d, L->n, at);
    if (len == 4 && !memcmp(L->d + at, "null", 4)) {
        L->i += 4;
        return push(t, "", 0, at, L->i);   /* missing */
    }
    if (!len)
        len = tc_json_number_len(L->d, L->n, at);
    if (!len)
        return fail_at(t, at, TC_EINPUT, "invalid JSON: expected a value");
    L->i += len;
    return push(t, L->d + at, len, at, L->i);
}

/* The row whose '[' is at L->i: its values as fields (names, when given, label them). */
static int array_row(tc_tok *t, lex *L, bool named)
{
    struct tc_jrows *J = t->json;
    L->i++;
    ws(L);
    if (L->i < L->n && L->d[L->i] == ']') {
        t->row_end = L->i++;
        return TC_OK;
    }
    for (int64_t k = 0;; k++) {
        bool has = named && k < J->nname;
        int rc = cell(t, L, has ? J->name[k] : NULL, has ? J->nlen[k] : 0, k + 1);
        if (rc)
            return rc;
        ws(L);
        if (at_end(L))
            return syntax(t, L, cut(L));
        char c = L->d[L->i];
        if (c == ']') {
            t->row_end = L->i++;
            return TC_OK;
        }
        if (c != ',')
            return fail_at(t, L->i, TC_EINPUT, "invalid JSON: expected ',' or ']'");
        L->i++;
    }
}

/* ---- names ------------------------------------------------------------------------------- */

static void drop_names(struct tc_jrows *J)
{
    for (int k = 0; k < J->nname; k++)
        tc_free(J->name[k]);
    J->nname = 0;
    J->have_names = false;
}

/* Room for one more column. */
static int grow(tc_tok *t)
{
    struct tc_jrows *J = t->json;
    if (J->nname < J->cap)
        return TC_OK;
    if (J->cap > INT_MAX / 2)
        return fail_at(t, 0, TC_EINPUT, "too many columns");
    int cap = J->cap ? J->cap * 2 : 16;
    char **name = tc_realloc(J->name, (size_t)cap * sizeof *name);
    if (name)
        J->name = name;
    size_t *nlen = tc_realloc(J->nlen, (size_t)cap * sizeof *nlen);
    if (nlen)
        J->nlen = nlen;
    size_t *name_at = tc_realloc(J->name_at, (size_t)cap * sizeof *name_at);
    if (name_at)
        J->name_at = name_at;
    int *colof = tc_realloc(J->colof, (size_t)cap * sizeof *colof);
    if (colof)
        J->colof = colof;
    int64_t *stamp = tc_realloc(J->stamp, (size_t)cap * sizeof *stamp);
    if (stamp)
        J->stamp = stamp;
    tc_field *ord = tc_realloc(J->ord, (size_t)cap * sizeof *ord);
    if (ord)
        J->ord = ord;
    if (!name || !nlen || !name_at || !colof || !stamp || !ord)
        return oom(t);
    J->cap = cap;
    return TC_OK;
}

static int add_name(tc_tok *t, const char *p, size_t n, size_t at)
{
    struct tc_jrows *J = t->json;
    int rc = grow(t);
    if (rc)
        return rc;
    char *s = tc_malloc(n + 1);
    if (!s)
        return oom(t);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    J->name[J->nname] = s;
    J->nlen[J->nname] = n;
    J->name_at[J->nname] = at;
    J->stamp[J->nname] = 0;
    J->nname++;
    return TC_OK;
}

/* The column of a record's key, -1 if none; guess is where it usually is. */
static int find_name(const struct tc_jrows *J, const char *p, size_t n, int guess)
{
    if (guess < J->nname && J->nlen[guess] == n && !memcmp(J->name[guess], p, n))
        return guess;
    for (int k = 0; k < J->nname; k++)
        if (J->nlen[k] == n && !memcmp(J->name[k], p, n))
            return k;
    return -1;
}

static int unknown_key(tc_tok *t, size_t at, const char *p, size_t n)
{
    struct tc_jrows *J = t->json;
    char q[200], names[300];
    tc_token_quote(q, sizeof q, p, n);
    size_t o = 0;
    names[0] = '\0';
    for (int k = 0; k < J->nname && o + 8 < sizeof names; k++) {
        char nm[200];
        tc_token_plain(nm, sizeof nm, J->name[k], strlen(J->name[k]));
        int w = snprintf(names + o, sizeof names - o, "%s%s", k ? ", " : "", nm);
        if (w < 0 || (size_t)w >= sizeof names - o) {
            snprintf(names + sizeof names - 4, 4, "...");
            break;
        }
        o += (size_t)w;
    }
    return fail_at(t, at, TC_EINPUT, "unknown column %s: the first record's keys name the "
                   "columns (%s)", q, names);
}

/* ---- records -------------------------------------------------------------------------------- */

/*
 * The object whose '{' is at L->i: with names_only, its keys as the names
 * row; else its values as fields in the order of the columns (the first
 * record's keys, learnt here if they are not yet known), a missing key an
 * empty field.
 */
static int object_row(tc_tok *t, lex *L, bool names_only)
{
    struct tc_jrows *J = t->json;
    const char *d = L->d;
    bool learn = !J->have_names;
    if (learn)
        drop_names(J);
    int64_t rec = ++J->nrec;
    int m = 0;
    L->i++;
    ws(L);
    if (L->i < L->n && d[L->i] == '}') {
        L->i++;
    } else {
        for (;;) {
            ws(L);
            if (at_end(L))
                return syntax(t, L, cut(L));
            size_t kat = L->i;
            if (d[kat] != '"')
                return fail_at(t, kat, TC_EINPUT, "invalid JSON: expected a string (a key)");
            const char *msg = string(L, &J->str);
            if (msg)
                return syntax(t, L, msg);
            if (J->str.oom)
                return oom(t);
            size_t kend = L->i;
            ws(L);
            if (at_end(L))
                return syntax(t, L, cut(L));
            if (d[L->i] != ':')
                return fail_at(t, L->i, TC_EINPUT, "invalid JSON: expected ':'");
            L->i++;
            const char *key = J->str.p ? J->str.p : "";
            size_t nkey = J->str.n;
            int col = find_name(J, key, nkey, m);
            if (learn) {
                if (col >= 0) {
                    char q[200];
                    tc_token_quote(q, sizeof q, key, nkey);
                    return fail_at(t, kat, TC_EINPUT, "duplicate key %s in a record", q);
                }
                int rc = add_name(t, key, nkey, kat);
                if (rc)
                    return rc;
                col = J->nname - 1;
            } else if (col < 0 && !names_only) {
                return unknown_key(t, kat, key, nkey);
            }
            int rc;
            if (names_only) {
                if ((rc = push(t, key, nkey, kat, kend)))
                    return rc;
                ws(L);
                msg = skip_value(L);
                if (msg)
                    return syntax(t, L, msg);
            } else {
                if (J->stamp[col] == rec) {
                    char q[200];
                    tc_token_quote(q, sizeof q, key, nkey);
                    return fail_at(t, kat, TC_EINPUT, "duplicate key %s in a record", q);
                }
                J->stamp[col] = rec;
                J->colof[m] = col;
                /* (the key is in J->str, which the cell reuses: label by the column's name) */
                if ((rc = cell(t, L, J->name[col], J->nlen[col], col + 1)))
                    return rc;
            }
            m++;
            ws(L);
            if (at_end(L))
                return syntax(t, L, cut(L));
            char c = d[L->i];
            if (c == '}') {
                L->i++;
                break;
            }
            if (c != ',')
                return fail_at(t, L->i, TC_EINPUT, "invalid JSON: expected ',' or '}'");
            L->i++;
        }
    }
    t->row_end = L->i - 1;
    J->have_names = true;
    if (names_only)
        return TC_OK;
    /* the columns it lacks are missing; then every field to its column */
    for (int c = 0; c < J->nname; c++) {
        if (J->stamp[c] == rec)
            continue;
        int rc = push(t, "", 0, t->row_end, t->row_end);
        if (rc)
            return rc;
        J->colof[m++] = c;
    }
    for (int k = 0; k < m; k++)
        J->ord[J->colof[k]] = t->f[k];
    if (m)
        memcpy(t->f, J->ord, (size_t)m * sizeof *t->f);
    return TC_OK;
}

/* A row starts at pos: empty field storage, positions. */
static void begin_row(tc_tok *t, size_t pos)
{
    t->nf = 0;
    t->ntext = 0;
    tc_tok_mark(t, pos);
}

static int end_doc(tc_tok *t, lex *L)
{
    ws(L);
    if (L->i < L->n)
        return fail_at(t, L->i, TC_EINPUT, "invalid JSON: unexpected data after the value");
    t->json->done = true;
    return TC_OK;
}

static int row_records(tc_tok *t)
{
    struct tc_jrows *J = t->json;
    if (J->done)
        return TC_OK;
    lex L = {t->p, t->n, J->i, false, 0};
    if (!J->started) {
        ws(&L);
        J->in_array = L.i < L.n && L.d[L.i] == '[';
        if (J->in_array)
            L.i++;
        J->started = J->first = true;
        J->i = L.i;
    }
    ws(&L);
    if (J->in_array && !J->first) {
        if (L.i >= L.n)
            return syntax(t, &L, cut(&L));
        if (L.d[L.i] == ']') {
            L.i++;
            return end_doc(t, &L);
        }
        if (L.d[L.i] != ',')
            return fail_at(t, L.i, TC_EINPUT, "invalid JSON: expected ',' or ']'");
        L.i++;
        ws(&L);
    } else if (J->in_array && L.i < L.n && L.d[L.i] == ']') {
        L.i++;
        return end_doc(t, &L);
    } else if (!J->in_array && !J->first) {
        return end_doc(t, &L);
    }
    if (L.i >= L.n)
        return syntax(t, &L, cut(&L));
    if (L.d[L.i] != '{')
        return fail_at(t, L.i, TC_EINPUT, "expected an object (a record), as the first element is");
    begin_row(t, L.i);
    bool names = t->want_names && J->block_rows == 0;
    int rc = object_row(t, &L, names);
    if (rc)
        return rc;
    if (names) {
        t->named = true;   /* the first record again next: it is data too */
    } else {
        J->i = L.i;
        J->first = false;
    }
    J->block_rows++;
    t->row_done = true;
    return TC_OK;
}

/* ---- JSON Lines ------------------------------------------------------------------------------ */

static int row_lines(tc_tok *t)
{
    struct tc_jrows *J = t->json;
    const char *d = t->p;
    size_t n = t->n, i = t->pos;
    for (;;) {
        while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r'))
            i++;
        if (i < n && d[i] == '\n') {
            i++;
            continue;
        }
        break;
    }
    if (i >= n) {
        t->pos = n;
        return TC_OK;
    }
    char c = d[i];
    begin_row(t, i);
    if (c != '[' && c != '{')
        return fail_at(t, i, TC_EINPUT, "%s", J->kind == '[' ? "expected an array, as on the first line"
                       : J->kind == '{' ? "expected an object, as on the first line"
                       : "expected an array or an object (a JSON Lines row)");
    if (!J->kind)
        J->kind = c;
    else if (c != J->kind)
        return fail_at(t, i, TC_EINPUT, "%s", J->kind == '[' ? "expected an array, as on the first line"
                                                             : "expected an object, as on the first line");
    lex L = {d, n, i, true, 0};
    bool names = c == '{' && t->want_names && J->block_rows == 0;
    int rc = c == '[' ? array_row(t, &L, false) : object_row(t, &L, names);
    if (rc)
        return rc;
    ws(&L);
    if (L.i < n && d[L.i] != '\n')
        return fail_at(t, L.i, TC_EINPUT, "invalid JSON: unexpected data after the value");
    if (names)
        t->named = true;   /* (t->pos stays: the first record is data too) */
    else
        t->pos = L.i < n ? L.i + 1 : n;
    J->block_rows++;
    t->row_done = true;
    return TC_OK;
}

/* ---- split ------------------------------------------------------------------------------------- */

/* The value of a split member at *at must open a list; then *at is past the '['. */
static int want_list(tc_tok *t, size_t *at, const char *what)
{
    if (*at >= t->n || t->p[*at] != '[')
        return fail_at(t, *at < t->n ? *at : t->n, TC_EINPUT, "%s", what);
    ++*at;
    return TC_OK;
}

/*
 * The elements of the list that starts just past its '[' at *at: calls
 * each(t, L, k) with L at element k (after blanks), which must consume it.
 */
typedef int (*each_fn)(tc_tok *t, lex *L, int64_t k, void *ctx);

static int each_element(tc_tok *t, size_t at, each_fn each, void *ctx, int64_t *count)
{
    lex L = {t->p, t->n, at, false, 0};
    int64_t k = 0;
    ws(&L);
    if (L.i < L.n && L.d[L.i] == ']') {
        *count = 0;
        return TC_OK;
    }
    for (;; k++) {
        ws(&L);
        if (at_end(&L))
            return syntax(t, &L, cut(&L));
        int rc = each(t, &L, k, ctx);
        if (rc)
            return rc;
        ws(&L);
        if (at_end(&L))
            return syntax(t, &L, cut(&L));
        if (L.d[L.i] == ']')
            break;
        if (L.d[L.i] != ',')
            return fail_at(t, L.i, TC_EINPUT, "invalid JSON: expected ',' or ']'");
        L.i++;
    }
    *count = k + 1;
    return TC_OK;
}

static int skip_each(tc_tok *t, lex *L, int64_t k, void *ctx)
{
    (void)k;
    (void)ctx;
    const char *m = skip_value(L);
    return m ? syntax(t, L, m) : TC_OK;
}

/* A name in "columns": a string, or a number's literal. */
static int name_each(tc_tok *t, lex *L, int64_t k, void *ctx)
{
    (void)k;
    (void)ctx;
    size_t at = L->i;
    size_t before = t->nf;
    char c = L->d[at];
    if (c == '[' || c == '{')
        return fail_at(t, at, TC_EINPUT, "\"columns\" must be a list of names (strings or numbers)");
    int rc = cell(t, L, NULL, 0, 0);
    if (rc)
        return rc;
    /* (the tokenizer's row storage holds the text until the row is given) */
    tc_field *f = &t->f[before];
    rc = add_name(t, t->text + f->text_at, f->n, at);
    t->nf = before;
    t->ntext = f->text_at;
    return rc;
}

/* Whether an index entry is pandas' default one for row k: the integer k. */
static int index_each(tc_tok *t, lex *L, int64_t k, void *ctx)
{
    bool *dflt = ctx;
    size_t at = L->i, len = tc_json_number_len(L->d, L->n, at);
    tc_scalar v;
    if (*dflt && !(len && tc_scalar_parse(L->d + at, len, &v) && v.kind == TC_SK_INT && v.i == k))
        *dflt = false;
    return skip_each(t, L, k, NULL);
}

/* The document's members, the names, the rows' count and whether the index is kept. */
static int split_start(tc_tok *t)
{
    struct tc_jrows *J = t->json;
    lex L = {t->p, t->n, 0, false, 0};
    J->columns_at = J->index_at = J->data_at = SIZE_MAX;
    ws(&L);
    if (L.i >= L.n || L.d[L.i] != '{')
        return fail_at(t, L.i, TC_EINPUT, "expected an object (pandas' split form)");
    L.i++;
    ws(&L);
    if (L.i < L.n && L.d[L.i] == '}') {
        L.i++;
    } else {
        for (;;) {
            ws(&L);
            if (at_end(&L))
                return syntax(t, &L, cut(&L));
            size_t kat = L.i;
            if (L.d[kat] != '"')
                return fail_at(t, kat, TC_EINPUT, "invalid JSON: expected a string (a key)");
            const char *msg = string(&L, &J->str);
            if (msg)
                return syntax(t, &L, msg);
            if (J->str.oom)
                return oom(t);
            ws(&L);
            if (at_end(&L))
                return syntax(t, &L, cut(&L));
            if (L.d[L.i] != ':')
                return fail_at(t, L.i, TC_EINPUT, "invalid JSON: expected ':'");
            L.i++;
            ws(&L);
            const char *key = J->str.p ? J->str.p : "";
            size_t *slot = J->str.n == 7 && !memcmp(key, "columns", 7) ? &J->columns_at
                         : J->str.n == 5 && !memcmp(key, "index", 5) ? &J->index_at
                         : J->str.n == 4 && !memcmp(key, "data", 4) ? &J->data_at : NULL;
            char q[200];
            tc_token_quote(q, sizeof q, key, J->str.n);
            if (!slot)
                return fail_at(t, kat, TC_EINPUT, "unknown key %s in pandas' split form (it has "
                               "\"columns\", \"index\" and \"data\")", q);
            if (*slot != SIZE_MAX)
                return fail_at(t, kat, TC_EINPUT, "duplicate key %s", q);
            *slot = L.i;
            msg = skip_value(&L);
            if (msg)
                return syntax(t, &L, msg);
            ws(&L);
            if (at_end(&L))
                return syntax(t, &L, cut(&L));
            if (L.d[L.i] == '}') {
                L.i++;
                break;
            }
            if (L.d[L.i] != ',')
                return fail_at(t, L.i, TC_EINPUT, "invalid JSON: expected ',' or '}'");
            L.i++;
        }
    }
    int rc = end_doc(t, &L);
    J->done = false;
    if (rc)
        return rc;
    if (J->columns_at == SIZE_MAX || J->data_at == SIZE_MAX)
        return fail_at(t, 0, TC_EINPUT, "pandas' split form needs \"columns\" and \"data\"");
    size_t at = J->columns_at;
    int64_t count;
    if ((rc = want_list(t, &at, "\"columns\" must be a list of names (strings or numbers)")))
        return rc;
    drop_names(J);
    begin_row(t, J->columns_at);
    if ((rc = each_element(t, at, name_each, NULL, &count)))
        return rc;
    J->have_names = true;
    at = J->data_at;
    int64_t rows;
    if ((rc = want_list(t, &at, "\"data\" must be a list of rows")) ||
        (rc = each_element(t, at, skip_each, NULL, &rows)))
        return rc;
    J->i = at;
    J->keep_index = false;
    if (J->index_at != SIZE_MAX) {
        at = J->index_at;
        bool dflt = true;
        if ((rc = want_list(t, &at, "\"index\" must be a list")) ||
            (rc = each_element(t, at, index_each, &dflt, &count)))
            return rc;
        if (count != rows)
            return fail_at(t, J->index_at, TC_EINPUT, "\"index\" has %lld entr%s but \"data\" has "
                           "%lld row%s", (long long)count, count == 1 ? "y" : "ies", (long long)rows,
                           rows == 1 ? "" : "s");
        J->keep_index = !dflt;
        J->idx_i = at;
    }
    t->nindex = J->keep_index ? 1 : 0;
    J->started = J->first = true;
    return TC_OK;
}

/* Step past the ',' before the next element of a list (not before the first); false at its ']'. */
static int next_element(tc_tok *t, lex *L, bool first, bool *more)
{
    ws(L);
    if (L->i >= L->n)
        return syntax(t, L, cut(L));
    *more = L->d[L->i] != ']';
    if (!*more || first)
        return TC_OK;
    if (L->d[L->i] != ',')
        return fail_at(t, L->i, TC_EINPUT, "invalid JSON: expected ',' or ']'");
    L->i++;
    ws(L);
    return TC_OK;
}

static int row_split(tc_tok *t)
{
    struct tc_jrows *J = t->json;
    int rc;
    if (!J->started && (rc = split_start(t)))
        return rc;
    if (J->done)
        return TC_OK;
    if (t->want_names && J->block_rows == 0) {
        begin_row(t, J->columns_at);
        if (J->keep_index && (rc = push(t, "", 0, J->index_at, J->index_at)))
            return rc;
        for (int k = 0; k < J->nname; k++)
            if ((rc = push(t, J->name[k], J->nlen[k], J->name_at[k], J->name_at[k])))
                return rc;
        t->named = true;
        J->block_rows++;
        t->row_done = true;
        return TC_OK;
    }
    lex L = {t->p, t->n, J->i, false, 0};
    bool more = false;
    if ((rc = next_element(t, &L, J->first, &more)))
        return rc;
    if (!more) {
        J->done = true;
        return TC_OK;
    }
    if (L.d[L.i] != '[')
        return fail_at(t, L.i, TC_EINPUT, "expected a row (a list) in \"data\"");
    begin_row(t, L.i);
    if (J->keep_index) {
        lex I = {t->p, t->n, J->idx_i, false, 0};
        if ((rc = next_element(t, &I, J->first, &more)) || (rc = cell(t, &I, NULL, 0, 1)))
            return rc;
        J->idx_i = I.i;
    }
    int lead = J->keep_index ? 1 : 0;
    if ((rc = array_row(t, &L, true)))
        return rc;
    size_t nv = t->nf - (size_t)lead;
    if (nv != (size_t)J->nname)
        return fail_at(t, nv > (size_t)J->nname ? t->f[lead + J->nname].off : t->row_end,
                       TC_EINPUT, "row has %zu value%s, expected %d as \"columns\" has", nv,
                       nv == 1 ? "" : "s", J->nname);
    J->i = L.i;
    J->first = false;
    J->block_rows++;
    t->row_done = true;
    return TC_OK;
}

/* ---- the tokenizer's hooks ----------------------------------------------------------------------- */

static void jrows_free(struct tc_jrows *J)
{
    if (!J)
        return;
    drop_names(J);
    tc_free(J->name);
    tc_free(J->nlen);
    tc_free(J->name_at);
    tc_free(J->colof);
    tc_free(J->stamp);
    tc_free(J->ord);
    tc_buf_free(&J->str);
    tc_buf_free(&J->raw);
    tc_free(J);
}

static void jrows_block(tc_tok *t)
{
    struct tc_jrows *J = t->json;
    J->block_rows = 0;
    J->raw.n = 0;
    J->raw.oom = 0;
    J->started = J->done = false;
    J->i = 0;
    t->named = false;
}

static int jrows_row(tc_tok *t)
{
    t->nf = 0;
    switch (t->json->form) {
    case TC_JSON_RECORDS: return row_records(t);
    case TC_JSON_SPLIT: return row_split(t);
    default: return row_lines(t);
    }
}

void tc_csv_form(tc_buf *out, const char *p, size_t n, char delim)
{
    bool need = n && (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t' ||
                      p[0] == '#');
    for (size_t i = 0; i < n && !need; i++)
        need = p[i] == delim || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (!need) {
        tc_buf_put(out, p, n);
        return;
    }
    tc_buf_put(out, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"') {
            tc_buf_put(out, p + from, i + 1 - from);
            tc_buf_put(out, "\"", 1);
            from = i + 1;
        }
    }
    tc_buf_put(out, p + from, n - from);
    tc_buf_put(out, "\"", 1);
}

static int jrows_keep(tc_tok *t, const char *p, size_t n, size_t span[2])
{
    tc_buf *raw = &t->json->raw;
    span[0] = raw->n;
    tc_csv_form(raw, p, n, ',');
    span[1] = raw->n;
    return raw->oom ? oom(t) : TC_OK;
}

static const char *jrows_raw(const struct tc_jrows *J)
{
    return J->raw.p ? J->raw.p : "";
}

bool tc_json_string(const char *d, size_t n, size_t i, tc_buf *out)
{
    lex L = {d, n, i, false, 0};
    return i < n && d[i] == '"' && !string(&L, out) && !out->oom;
}

/* ---- detection ---------------------------------------------------------------------------------- */

/*
 * Just past the value (a list or an object) at d[i], following brackets
 * and strings only; SIZE_MAX if it does not end in d[0, n).  *newline is
 * set if a newline comes first.
 */
static size_t value_end(const char *d, size_t n, size_t i, bool *newline)
{
    size_t depth = 0;
    *newline = false;
    while (i < n) {
        char c = d[i];
        if (c == '"') {
            for (i++; i < n && d[i] != '"'; i++) {
                if (d[i] == '\\')
                    i++;
                else if (d[i] == '\n')
                    *newline = true;
            }
        } else if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (depth <= 1)
                return i + 1;
            depth--;
        } else if (c == '\n') {
            *newline = true;
        }
        i++;
    }
    return SIZE_MAX;
}

enum {
    K_DTYPE = 1, K_SHAPE = 2, K_DATA = 4, K_VALUES = 8, K_INDICES = 16, K_COLUMNS = 32,
    K_INDEX = 64, K_OTHER = 128
};
#define K_TCUM (K_DTYPE | K_SHAPE | K_DATA | K_VALUES | K_INDICES)

/*
 * The keys (K_*) of the object at d[i] (up to its end, or e): its members
 * at depth 1.  It stops at the first of tcum's own keys but "data": the
 * object is then neither a record nor a split table, whatever follows
 * (tcum's object form starts with "dtype": its data is not read through).
 */
static unsigned object_keys(const char *d, size_t i, size_t e)
{
    static const struct { const char *name; unsigned bit; } known[] = {
        {"dtype", K_DTYPE}, {"shape", K_SHAPE}, {"data", K_DATA}, {"values", K_VALUES},
        {"indices", K_INDICES}, {"columns", K_COLUMNS}, {"index", K_INDEX},
    };
    unsigned keys = 0;
    size_t depth = 0;
    for (; i < e; i++) {
        char c = d[i];
        if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (--depth == 0)
                break;
        } else if (c == '"') {
            size_t s = ++i;
            while (i < e && d[i] != '"')
                i += d[i] == '\\' ? 2 : 1;
            if (depth != 1 || i >= e)
                continue;
            size_t j = i + 1;
            while (j < e && (d[j] == ' ' || d[j] == '\t' || d[j] == '\r' || d[j] == '\n'))
                j++;
            if (j >= e || d[j] != ':')
                continue;
            unsigned bit = K_OTHER;
            for (size_t k = 0; k < sizeof known / sizeof *known; k++)
                if (strlen(known[k].name) == i - s && !memcmp(known[k].name, d + s, i - s))
                    bit = known[k].bit;
            keys |= bit;
            if (keys & (K_TCUM & ~K_DATA))
                break;
        }
    }
    return keys;
}

/* An object with none of tcum's keys is a record (a split object is not). */
static bool is_record(unsigned keys)
{
    return !(keys & K_TCUM);
}

static bool is_split(unsigned keys)
{
    return (keys & (K_COLUMNS | K_DATA)) == (K_COLUMNS | K_DATA) &&
           !(keys & (K_DTYPE | K_SHAPE | K_VALUES | K_INDICES));
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int tc_json_lines(const char *d, size_t n, int final)
{
    size_t i = tc_bom_len(d, n);
    while (i < n && is_ws(d[i]))
        i++;
    if (i >= n)
        return final ? 0 : -1;
    if (d[i] != '[' && d[i] != '{')
        return 0;
    bool newline;
    size_t e = value_end(d, n, i, &newline);
    if (newline)
        return 0;                       /* a value over lines: one document */
    if (e == SIZE_MAX)
        return final ? 0 : -1;
    size_t j = e;
    while (j < n && (d[j] == ' ' || d[j] == '\t' || d[j] == '\r'))
        j++;
    if (j < n && d[j] != '\n')
        return 0;                       /* more on its line: one (bad) document */
    if (j >= n)
        return final ? 0 : -1;
    if (d[i] == '{' && is_record(object_keys(d, i, e)))
        return 1;                       /* a record on its line */
    while (j < n && is_ws(d[j]))
        j++;
    if (j >= n)
        return final ? 0 : -1;
    return d[j] == '[' || d[j] == '{';
}

int tc_json_form(const char *d, size_t n)
{
    if (tc_json_lines(d, n, 1) == 1)
        return TC_JSON_LINES;
    size_t i = tc_bom_len(d, n);
    while (i < n && is_ws(d[i]))
        i++;
    if (i >= n)
        return TC_JSON_PLAIN;
    if (d[i] == '[') {
        size_t j = i + 1;
        while (j < n && is_ws(d[j]))
            j++;
        return j < n && d[j] == '{' ? TC_JSON_RECORDS : TC_JSON_PLAIN;
    }
    if (d[i] == '{') {
        unsigned keys = object_keys(d, i, n);
        if (is_split(keys))
            return TC_JSON_SPLIT;
        return is_record(keys) ? TC_JSON_RECORDS : TC_JSON_PLAIN;
    }
    return TC_JSON_PLAIN;
}

static const struct tc_dialect json_dialect = {jrows_free, jrows_block, jrows_row, jrows_keep, jrows_raw};

int tc_tok_init_json(tc_tok *t, int form, tc_err *err)
{
    memset(t, 0, sizeof *t);
    t->delim = ',';
    t->err = err;
    t->json = tc_calloc(1, sizeof *t->json);
    if (!t->json)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    t->json->form = form;
    t->dialect = &json_dialect;
    return TC_OK;
}
