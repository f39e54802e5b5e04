/*
 * read_csv.c - CSV input through libcsv.
 *
 * libcsv does the RFC 4180 work (quotes, doubled quotes, CR/LF/CRLF, spaces
 * around unquoted fields, skipping blank lines) but reports no positions and
 * knows nothing of comments.  So the input is fed to it one physical line at
 * a time: a line that starts a row and begins with '#' is never fed, and a
 * cursor walks the same bytes in step with the callbacks (libcsv calls them
 * in input order) to know where each field starts, for messages.
 *
 * The table is rows x columns, or 1-D for a single row or column, 0-d for
 * a single value (as numpy.loadtxt).  A first row with no numeric field is a header.
 */
#include "tc_private.h"

#include <csv.h>
#include <stdio.h>
#include <string.h>

/* libcsv's state between rows; struct csv_parser is public in <csv.h>. */
#define LIBCSV_ROW_NOT_BEGUN 0

typedef struct hdr_field {
    tc_scalar v;
    size_t pos;
} hdr_field;

typedef struct csv_state {
    const char *data;
    size_t n;
    unsigned char delim;
    int header;                 /* -1 detect, 0 no, 1 yes */
    tc_values vs;
    size_t cur;                 /* where the next field starts (before spaces) */
    int64_t rows, ncols, col;   /* data rows so far, fields per row, fields in this row */
    bool seen_first;            /* the first row (header candidate) is done */
    hdr_field *hdr;             /* the first row, until it is known not to be a header */
    size_t nhdr, caphdr;
    int64_t hdr_numeric;
    bool hdr_bad;               /* first row: a non-numeric or empty field, at hdr_bad_pos */
    size_t hdr_bad_pos;
    char hdr_bad_msg[240];
    bool extra;                 /* a field beyond ncols in this row, at extra_pos */
    size_t extra_pos;
    bool header_skipped;
    bool failed;                /* err is set; ignore further callbacks */
    size_t fail_pos;
    bool fail_has_pos;
    tc_err *err;
} csv_state;

static void fail_at(csv_state *st, size_t pos, int code, const char *msg)
{
    if (st->failed)
        return;
    tc_err_set(st->err, code, "%s", msg);
    st->failed = true;
    st->fail_pos = pos;
    st->fail_has_pos = true;
}

/* Format "could not convert 'x' to a number" or "empty field" for a token. */
static void bad_token_msg(char *out, size_t cap, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == len) {
        snprintf(out, cap, "empty field");
        return;
    }
    char q[200];
    tc_token_quote(q, sizeof q, s, len);
    snprintf(out, cap, "could not convert %s to a number", q);
}

/*
 * Advance the cursor over one field as libcsv reads it (in strict mode the
 * two agree); return where the field starts.
 */
static size_t step_field(csv_state *st)
{
    const char *d = st->data;
    size_t n = st->n, p = st->cur;
    unsigned char delim = st->delim;
    for (;;) {
        if (p >= n || (unsigned char)d[p] == delim)
            break;
        char c = d[p];
        /* Row terminators left over from blank lines only come before the first field. */
        if (c == ' ' || c == '\t' || (st->col == 0 && (c == '\r' || c == '\n')))
            p++;
        else
            break;
    }
    size_t start = p;
    if (p < n && d[p] == '"' && delim != '"') {
        p++;
        while (p < n) {
            if (d[p] == '"') {
                if (p + 1 < n && d[p + 1] == '"') {
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            p++;
        }
    }
    while (p < n && (unsigned char)d[p] != delim && d[p] != '\r' && d[p] != '\n')
        p++;
    if (p < n && (unsigned char)d[p] == delim)
        p++;
    st->cur = p;
    return start;
}

static void push_value(csv_state *st, const tc_scalar *v, size_t pos)
{
    const char *msg = tc_values_push(&st->vs, v, pos);
    if (msg)
        fail_at(st, pos, strcmp(msg, "out of memory") ? TC_EINPUT : TC_ENOMEM, msg);
}

static void on_field(void *s, size_t len, void *data)
{
    csv_state *st = data;
    if (st->failed)
        return;
    size_t pos = step_field(st);
    st->col++;
    const char *text = s ? s : "";
    tc_scalar v;
    bool ok = tc_scalar_parse(text, len, &v);
    if (!st->seen_first) {
        if (!ok) {
            if (!st->hdr_bad) {
                st->hdr_bad = true;
                st->hdr_bad_pos = pos;
                bad_token_msg(st->hdr_bad_msg, sizeof st->hdr_bad_msg, text, len);
            }
            return;
        }
        st->hdr_numeric++;
        if (st->nhdr == st->caphdr) {
            size_t cap = st->caphdr ? st->caphdr * 2 : 16;
            hdr_field *h = tc_realloc(st->hdr, cap * sizeof *h);
            if (!h) {
                fail_at(st, pos, TC_ENOMEM, "out of memory");
                return;
            }
            st->hdr = h;
            st->caphdr = cap;
        }
        st->hdr[st->nhdr].v = v;
        st->hdr[st->nhdr].pos = pos;
        st->nhdr++;
        return;
    }
    if (st->ncols >= 0 && st->col > st->ncols) {
        if (!st->extra) {
            st->extra = true;
            st->extra_pos = pos;
        }
        return;
    }
    if (!ok) {
        char msg[240];
        bad_token_msg(msg, sizeof msg, text, len);
        fail_at(st, pos, TC_EINPUT, msg);
        return;
    }
    push_value(st, &v, pos);
}

static void on_row(int c, void *data)
{
    csv_state *st = data;
    (void)c;
    if (st->failed)
        return;
    if (!st->seen_first) {
        st->seen_first = true;
        bool skip = st->header == 1 || (st->header < 0 && st->hdr_numeric == 0);
        if (skip) {
            st->header_skipped = true;
        } else if (st->hdr_bad) {
            fail_at(st, st->hdr_bad_pos, TC_EINPUT, st->hdr_bad_msg);
        } else {
            for (size_t i = 0; i < st->nhdr && !st->failed; i++)
                push_value(st, &st->hdr[i].v, st->hdr[i].pos);
            st->ncols = st->col;
            st->rows++;
        }
        tc_free(st->hdr);
        st->hdr = NULL;
        st->nhdr = st->caphdr = 0;
    } else if (st->ncols < 0) {
        st->ncols = st->col;
        st->rows++;
    } else if (st->col != st->ncols) {
        char msg[120];
        snprintf(msg, sizeof msg, "row has %lld field%s, expected %lld as in the first row",
                 (long long)st->col, st->col == 1 ? "" : "s", (long long)st->ncols);
        fail_at(st, st->col > st->ncols ? st->extra_pos : st->cur, TC_EINPUT, msg);
    } else {
        st->rows++;
    }
    st->col = 0;
    st->extra = false;
    if (st->cur < st->n && st->data[st->cur] == '\r')
        st->cur++;
    if (st->cur < st->n && st->data[st->cur] == '\n')
        st->cur++;
}

/* Position of err at byte offset pos (relative to the data after any BOM). */
static void fail_pos(tc_err *err, const char *data, size_t pos)
{
    long line, col;
    tc_text_pos(data, pos, &line, &col);
    tc_err_at(err, TC_OK, line, col);
}

int tc_read_csv_table(const char *data, size_t n, const tc_read_opts *o,
                      tc_tensor **out, tc_err *err)
{
    return tc_read_csv_rows(data, n, o, -1, out, err);
}

int tc_read_csv_rows(const char *data, size_t n, const tc_read_opts *o, int64_t ncols,
                     tc_tensor **out, tc_err *err)
{
    *out = NULL;
    int vrc = tc_read_opts_check(o, err);
    if (vrc)
        return vrc;
    size_t bom = tc_bom_len(data, n);
    data += bom;
    n -= bom;

    csv_state st;
    memset(&st, 0, sizeof st);
    st.data = data;
    st.n = n;
    st.delim = (unsigned char)(o->delimiter ? o->delimiter : ',');
    st.header = o->header;
    st.ncols = ncols;
    st.seen_first = ncols >= 0;     /* rows of a table already begun: no header */
    st.err = err;
    tc_values_init(&st.vs, o);

    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        tc_err_set(err, TC_ENOMEM, "out of memory");
        return TC_ENOMEM;   /* spelled out for the analyzer */
    }
    csv_set_delim(&p, st.delim);

    size_t pos = 0;
    while (pos < n && !st.failed) {
        const char *nl = memchr(data + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - data) + 1 : n;
        if (p.pstate == LIBCSV_ROW_NOT_BEGUN) {
            size_t q = pos;
            while (q < end && (data[q] == ' ' || data[q] == '\t'))
                q++;
            if (q < end && data[q] == '#') {
                pos = end;
                continue;
            }
            st.cur = pos;
            st.col = 0;
        }
        /*
         * libcsv grows its field buffer by a fixed block: make the block at
         * least the line and the current buffer, so long fields cost linear
         * time rather than quadratic.
         */
        size_t blk = csv_get_buffer_size(&p);
        if (blk < end - pos + 2)
            blk = end - pos + 2;
        csv_set_blk_size(&p, blk < 128 ? 128 : blk);
        size_t r = csv_parse(&p, data + pos, end - pos, on_field, on_row, &st);
        if (st.failed)
            break;
        if (r < end - pos) {
            if (csv_error(&p) == CSV_EPARSE)
                fail_at(&st, pos + r, TC_EINPUT,
                        p.quoted ? "unexpected character after a closing quote"
                                 : "unexpected quote inside an unquoted field");
            else
                fail_at(&st, pos + r, TC_ENOMEM, "out of memory");
            break;
        }
        pos = end;
    }
    if (!st.failed && csv_fini(&p, on_field, on_row, &st) != 0) {
        /* The opening quote of the unterminated field. */
        size_t q = st.cur;
        while (q < n && data[q] != '"')
            q++;
        fail_at(&st, q, TC_EINPUT, "unterminated quoted field");
    }
    csv_free(&p);
    tc_free(st.hdr);

    int rc = TC_OK;
    if (st.failed) {
        rc = err ? err->code : TC_EINPUT;
        if (st.fail_has_pos)
            fail_pos(err, data, st.fail_pos);
    } else if (st.rows == 0) {
        rc = tc_err_set(err, TC_EINPUT, st.header_skipped
                            ? "no data: the only row is a header (use --no-header if it is data)"
                            : "no data");
    } else {
        int64_t shape[2] = {st.rows, st.ncols};
        size_t bad;
        bool has_bad;
        rc = tc_values_tensor(&st.vs, tc_values_dtype(&st.vs, o->default_dtype), 2, shape,
                              out, &bad, &has_bad, err);
        if (rc != TC_OK && has_bad)
            fail_pos(err, data, bad);
    }
    tc_values_free(&st.vs);
    return rc;
}

int tc_read_csv(const char *data, size_t n, const tc_read_opts *o,
                tc_tensor **out, tc_err *err)
{
    int rc = tc_read_csv_table(data, n, o, out, err);
    if (rc != TC_OK)
        return rc;
    /* Like numpy.loadtxt: a single row or column is 1-D, a single value 0-d. */
    tc_tensor *t = *out;
    /* TC_OK always comes with the table (the analyzer cannot see into tc_values_tensor) */
    int64_t rows = t->shape[0], cols = t->shape[1]; /* NOLINT(clang-analyzer-core.NullDereference) */
    if (rows == 1 && cols == 1) {
        t->ndim = 0;
    } else if (rows == 1 || cols == 1) {
        t->ndim = 1;
        t->shape[0] = rows * cols;
    }
    return TC_OK;
}
