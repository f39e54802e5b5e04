/*
 * csv_tok.c - the one CSV tokenizer: a block of text into rows of fields,
 * each field with where it began, and the delimiter sniffer.
 *
 * Delimited text goes through libcsv, which does the RFC 4180 work
 * (quotes, doubled quotes, CR/LF/CRLF, blanks around unquoted fields,
 * blank lines) in strict mode.  libcsv reports no positions and knows no
 * comments, so it is fed one segment at a time (up to and including the
 * next CR or LF, so that it ends at most one row per call), a line that
 * starts a row with the comment character is never fed, and a cursor walks
 * the same bytes in step with its callbacks (libcsv calls them in input
 * order) to know where each field starts and ends.
 *
 * Whitespace-separated text (delimiter ' ': runs of spaces and tabs,
 * leading and trailing ones ignored, as numpy.loadtxt and pandas'
 * delim_whitespace read it) has no libcsv dialect; a small splitter here
 * reads it, with the same quoting rules.
 *
 * JSON tables (records, split, JSON Lines) are a third dialect, in
 * json_rows.c: the same rows of fields with positions, from JSON text.
 *
 * The table layer (table.c) sits above this and is the only caller; its
 * fast path for plain rows is a faster implementation of tokenizer plus
 * table, fuzzed against them.
 */
#include "tc_private.h"

#include <csv.h>
#include <string.h>

/* libcsv's state between rows; struct csv_parser is public in <csv.h>. */
#define LIBCSV_ROW_NOT_BEGUN 0

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- field storage ------------------------------------------------------------ */

static int push_field(tc_tok *t, const char *s, size_t n, size_t off, size_t end, bool quoted)
{
    if (t->nf == t->capf) {
        size_t cap = t->capf ? t->capf * 2 : 16;
        tc_field *f = tc_realloc(t->f, cap * sizeof *f);
        if (!f)
            return TC_ENOMEM;
        t->f = f;
        t->capf = cap;
    }
    if (t->ntext + n + 1 > t->captext) {
        size_t cap = t->captext ? t->captext : 256;
        while (cap < t->ntext + n + 1)
            cap *= 2;
        char *p = tc_realloc(t->text, cap);
        if (!p)
            return TC_ENOMEM;
        t->text = p;
        t->captext = cap;
    }
    memcpy(t->text + t->ntext, s, n);
    t->text[t->ntext + n] = '\0';
    /* p is fixed up once the row is complete: text may still move */
    tc_field *f = &t->f[t->nf++];
    f->p = NULL;
    f->n = n;
    f->off = off;
    f->end = end;
    f->quoted = quoted;
    f->text_at = t->ntext;
    t->ntext += n + 1;
    return TC_OK;
}

int tc_tok_push(tc_tok *t, const char *s, size_t n, size_t off, size_t end)
{
    return push_field(t, s, n, off, end, false);
}

static void finish_row(tc_tok *t)
{
    for (size_t i = 0; i < t->nf; i++)
        t->f[i].p = t->text + t->f[i].text_at;
}

/* ---- positions ------------------------------------------------------------------ */

/* A row starts at pos: its offset and line. */
static void mark_row(tc_tok *t, size_t pos)
{
    for (size_t i = t->line_pos; i < pos; i++)
        t->line_at += t->p[i] == '\n';
    t->line_pos = pos;
    t->row_off = pos;
    t->row_line = t->line_at;
}

void tc_tok_mark(tc_tok *t, size_t pos)
{
    mark_row(t, pos);
}

void tc_tok_pos(const tc_tok *t, size_t off, long *line, long *col)
{
    if (t->json) {
        /* JSON rows need not come in text order (split's names and index): count from the start */
        tc_text_pos(t->p, off < t->n ? off : t->n, line, col);
        *line += t->line0;
        return;
    }
    /* line: the row's line plus the newlines from the row start to off */
    long ln = t->row_line;
    for (size_t i = t->row_off; i < off && i < t->n; i++)
        ln += t->p[i] == '\n';
    size_t b = off < t->n ? off : t->n;
    while (b > 0 && t->p[b - 1] != '\n')
        b--;
    long c = 1, ignored = 0;
    tc_text_pos(t->p + b, off - b, &ignored, &c);
    *line = ln;
    *col = c;
}

static int fail_at(tc_tok *t, int code, size_t off, const char *msg)
{
    long line, col;
    tc_tok_pos(t, off, &line, &col);
    tc_err_set(t->err, code, "%s", msg);
    return tc_err_at(t->err, code, line, col);
}

/* ---- libcsv ------------------------------------------------------------------------ */

/*
 * Advance the cursor over one field as libcsv reads it (in strict mode the
 * two agree); return where the field starts, and where it ends in *end.
 */
static size_t step_field(tc_tok *t, size_t *end)
{
    const char *d = t->p;
    size_t n = t->n, p = t->cur;
    unsigned char delim = (unsigned char)t->delim;
    for (;;) {
        if (p >= n || (unsigned char)d[p] == delim)
            break;
        char c = d[p];
        /* Row terminators left over from blank lines only come before the first field. */
        if (is_blank(c) || (t->nf == 0 && (c == '\r' || c == '\n')))
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
    size_t e = p;
    while (e > start && is_blank(d[e - 1]) && (unsigned char)d[e - 1] != delim)
        e--;
    *end = e;
    if (p < n && (unsigned char)d[p] == delim)
        p++;
    t->cur = p;
    return start;
}

static void on_field(void *s, size_t len, void *data)
{
    tc_tok *t = data;
    if (t->rc)
        return;
    size_t end, off = step_field(t, &end);
    bool quoted = off < t->n && t->p[off] == '"' && t->delim != '"';
    if (push_field(t, s ? s : "", len, off, end, quoted))
        t->rc = tc_err_set(t->err, TC_ENOMEM, "out of memory");
}

static void on_row(int c, void *data)
{
    tc_tok *t = data;
    (void)c;
    t->row_done = true;
    if (t->cur < t->n && t->p[t->cur] == '\r')
        t->cur++;
    if (t->cur < t->n && t->p[t->cur] == '\n')
        t->cur++;
}

/* The end of the segment that starts at pos: just past the next CR or LF, or the end. */
static size_t segment_end(const tc_tok *t, size_t pos)
{
    const char *p = t->p + pos;
    size_t n = t->n - pos;
    const char *lf = memchr(p, '\n', n);
    size_t m = lf ? (size_t)(lf - p) : n;
    const char *cr = memchr(p, '\r', m);
    if (cr)
        return pos + (size_t)(cr - p) + 1;
    return lf ? pos + m + 1 : t->n;
}

/* If the physical line at i is a comment line, the index just past it; else i. */
static size_t past_comment(const tc_tok *t, size_t i)
{
    if (!t->comment)
        return i;
    size_t j = i;
    while (j < t->n && is_blank(t->p[j]))
        j++;
    if (j >= t->n || t->p[j] != t->comment)
        return i;
    return segment_end(t, j);   /* a CR ends it too, as it ends a row ("a,b\r#,") */
}

static int row_libcsv(tc_tok *t)
{
    struct csv_parser *p = t->csv;
    while (t->pos < t->n || (t->final && p->pstate != LIBCSV_ROW_NOT_BEGUN)) {
        if (t->pos >= t->n) {
            /* the end of the input: a last row without its newline */
            if (csv_fini(p, on_field, on_row, t) != 0) {
                /* The opening quote of the unterminated field. */
                size_t q = t->cur;
                while (q < t->n && t->p[q] != '"')
                    q++;
                return fail_at(t, TC_EINPUT, q, "unterminated quoted field");
            }
            break;
        }
        if (p->pstate == LIBCSV_ROW_NOT_BEGUN) {
            /* a physical line begins here: a comment line is skipped whole */
            if (t->pos == 0 || t->p[t->pos - 1] == '\n' || t->p[t->pos - 1] == '\r') {
                size_t k = past_comment(t, t->pos);
                if (k != t->pos) {
                    t->pos = k;
                    continue;
                }
            }
            t->cur = t->pos;
            t->nf = 0;
            t->ntext = 0;
            mark_row(t, t->pos);
        }
        size_t end = segment_end(t, t->pos);
        /*
         * libcsv grows its field buffer by a fixed block: make the block at
         * least the segment and the current buffer, so long fields cost
         * linear time rather than quadratic.
         */
        size_t blk = csv_get_buffer_size(p);
        if (blk < end - t->pos + 2)
            blk = end - t->pos + 2;
        csv_set_blk_size(p, blk < 128 ? 128 : blk);
        size_t r = csv_parse(p, t->p + t->pos, end - t->pos, on_field, on_row, t);
        if (t->rc)
            return t->rc;
        if (r < end - t->pos) {
            if (csv_error(p) == CSV_EPARSE)
                return fail_at(t, TC_EINPUT, t->pos + r,
                               p->quoted ? "unexpected character after a closing quote"
                                         : "unexpected quote inside an unquoted field");
            return tc_err_set(t->err, TC_ENOMEM, "out of memory");
        }
        t->pos = end;
        if (t->row_done)
            break;
    }
    return TC_OK;
}

/* ---- whitespace-separated text ------------------------------------------------------ */

/*
 * One row of blank-separated fields.  A field that starts with a quote
 * runs to the closing quote ("" is a quote inside it) and must be followed
 * by a blank or the end of the line.
 */
static int row_blanks(tc_tok *t)
{
    const char *d = t->p;
    size_t n = t->n;
    for (;;) {
        /* blank lines and comment lines are skipped */
        size_t i = t->pos;
        if (i >= n)
            return TC_OK;
        size_t k = past_comment(t, i);
        if (k != i) {
            t->pos = k;
            continue;
        }
        while (i < n && (is_blank(d[i]) || d[i] == '\r'))
            i++;
        if (i < n && d[i] == '\n') {
            t->pos = i + 1;
            continue;
        }
        if (i >= n) {
            t->pos = n;
            return TC_OK;
        }
        break;
    }
    t->nf = 0;
    t->ntext = 0;
    mark_row(t, t->pos);
    size_t i = t->pos;
    for (;;) {
        while (i < n && is_blank(d[i]))
            i++;
        if (i >= n || d[i] == '\n' || d[i] == '\r')
            break;
        size_t off = i;
        int rc;
        if (d[i] == '"') {
            /* collect the text, undoubling quotes */
            size_t from = ++i;
            tc_buf scratch = {0};
            for (;;) {
                if (i >= n) {
                    tc_buf_free(&scratch);
                    return fail_at(t, TC_EINPUT, off, "unterminated quoted field");
                }
                if (d[i] == '"') {
                    if (i + 1 < n && d[i + 1] == '"') {
                        tc_buf_put(&scratch, d + from, i + 1 - from);
                        i += 2;
                        from = i;
                        continue;
                    }
                    tc_buf_put(&scratch, d + from, i - from);
                    i++;
                    break;
                }
                i++;
            }
            if (i < n && !is_blank(d[i]) && d[i] != '\n' && d[i] != '\r') {
                tc_buf_free(&scratch);
                return fail_at(t, TC_EINPUT, i, "unexpected character after a closing quote");
            }
            if (scratch.oom) {
                tc_buf_free(&scratch);
                return tc_err_set(t->err, TC_ENOMEM, "out of memory");
            }
            rc = push_field(t, scratch.n ? scratch.p : "", scratch.n, off, i, true);
            tc_buf_free(&scratch);
        } else {
            while (i < n && !is_blank(d[i]) && d[i] != '\n' && d[i] != '\r') {
                if (d[i] == '"')
                    return fail_at(t, TC_EINPUT, i, "unexpected quote inside an unquoted field");
                i++;
            }
            rc = push_field(t, d + off, i - off, off, i, false);
        }
        if (rc)
            return tc_err_set(t->err, TC_ENOMEM, "out of memory");
    }
    /* past the row's end of line */
    while (i < n && d[i] != '\n')
        i++;
    t->pos = i < n ? i + 1 : n;
    t->row_done = true;
    return TC_OK;
}

/* ---- the interface ------------------------------------------------------------------ */

int tc_tok_init(tc_tok *t, char delim, char comment, tc_err *err)
{
    memset(t, 0, sizeof *t);
    t->delim = delim ? delim : ',';
    t->comment = comment;
    t->err = err;
    if (t->delim == ' ')
        return TC_OK;
    t->csv = tc_malloc(sizeof *t->csv);
    if (!t->csv || csv_init(t->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        tc_free(t->csv);
        t->csv = NULL;
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    csv_set_delim(t->csv, (unsigned char)t->delim);
    csv_set_realloc_func(t->csv, tc_realloc);
    csv_set_free_func(t->csv, tc_free);
    return TC_OK;
}

void tc_tok_free(tc_tok *t)
{
    if (t->dialect)
        t->dialect->free(t->json);
    if (t->csv) {
        csv_free(t->csv);
        tc_free(t->csv);
    }
    tc_free(t->f);
    tc_free(t->text);
    memset(t, 0, sizeof *t);
}

void tc_tok_block(tc_tok *t, const char *p, size_t n, bool final, long line0)
{
    t->p = p;
    t->n = n;
    t->final = final;
    t->pos = 0;
    t->line0 = line0;
    t->line_pos = 0;
    t->line_at = line0 + 1;
    t->row_off = 0;
    t->row_line = line0 + 1;
    if (t->json)
        t->dialect->block(t);
    if (t->csv) {
        /* a fresh state: blocks end at rows (csv_fini would submit a partial row) */
        t->csv->pstate = LIBCSV_ROW_NOT_BEGUN;
        t->csv->quoted = 0;
        t->csv->spaces = 0;
        t->csv->entry_pos = 0;
        t->csv->status = 0;
    }
}

int tc_tok_row(tc_tok *t, tc_row *row)
{
    t->row_done = false;
    t->rc = TC_OK;
    t->nf = 0;
    int rc = t->json ? t->dialect->row(t) : t->csv ? row_libcsv(t) : row_blanks(t);
    if (rc)
        return -rc;
    if (!t->row_done)
        return 0;
    finish_row(t);
    row->f = t->f;
    row->nf = t->nf;
    row->off = t->row_off;
    row->line = t->row_line;
    return 1;
}

int tc_tok_keep(tc_tok *t, const tc_field *f, size_t span[2])
{
    if (t->json)
        return t->dialect->keep(t, f->p, f->n, span);
    /*
     * Delimited text: the field as it was written, blanks around an
     * unquoted one included ("Kansas ,412" keeps "Kansas ", as pandas
     * reads it); blanks are no part of a field in the whitespace dialect.
     */
    size_t a = f->off, e = f->end;
    const char *d = t->p;
    if (t->delim != ' ' && !(a < t->n && d[a] == '"')) {
        while (a > 0 && is_blank(d[a - 1]) && d[a - 1] != t->delim)
            a--;
        while (e < t->n && is_blank(d[e]) && d[e] != t->delim)
            e++;
    }
    span[0] = a;
    span[1] = e;
    return TC_OK;
}

const char *tc_tok_raw(const tc_tok *t)
{
    return t->json ? t->dialect->raw(t->json) : t->p;
}

size_t tc_count_byte(const char *p, size_t n, char c)
{
    /* 16 bytes at a time (GCC's vector extension: SSE2 on x86-64, whatever the target has) */
    typedef signed char v16 __attribute__((vector_size(16)));
    typedef unsigned char u16 __attribute__((vector_size(16)));
    size_t k = 0, i = 0;
    v16 want;
    memset(&want, c, sizeof want);
    while (n - i >= 16) {
        /* up to 255 vectors counted in unsigned byte lanes (a match's mask is 0xff: minus it is + 1) */
        size_t m = (n - i) / 16 > 255 ? 255 : (n - i) / 16;
        u16 acc = {0};
        for (size_t j = 0; j < m; j++, i += 16) {
            v16 x;
            memcpy(&x, p + i, 16);
            acc -= (u16)(x == want);
        }
        unsigned char u[16];
        memcpy(u, &acc, 16);
        for (int b = 0; b < 16; b++)
            k += u[b];
    }
    for (; i < n; i++)
        k += p[i] == c;
    return k;
}

size_t tc_tok_cut_from(const char *p, size_t i, size_t n, bool quotes, bool *inq)
{
    /*
     * The common case in one pass: outside quotes at i, and an even number
     * of quotes before the last newline, which is then outside them too
     * (a table with quoted names has two quotes a row: a memchr each was
     * the reading thread's largest cost).
     */
    if (quotes && !*inq) {
        size_t nl = n;
        while (nl > i && p[nl - 1] != '\n')
            nl--;
        if (nl > i && tc_count_byte(p + i, nl - i, '"') % 2 == 0) {
            *inq = tc_count_byte(p + nl, n - nl, '"') % 2 == 1;
            return nl;
        }
    }
    /* from quote to quote; between them, outside quotes, the last newline counts */
    size_t cut = 0;
    while (i < n) {
        const char *q = quotes ? memchr(p + i, '"', n - i) : NULL;
        size_t e = q ? (size_t)(q - p) : n;
        if (!*inq) {
            for (size_t j = e; j > i; j--)
                if (p[j - 1] == '\n') {
                    cut = j;
                    break;
                }
        }
        if (!q)
            break;
        *inq = !*inq;   /* "" inside quotes toggles twice */
        i = e + 1;
    }
    return cut;
}

size_t tc_tok_cut(const char *p, size_t n)
{
    bool inq = false;
    return tc_tok_cut_from(p, 0, n, true, &inq);
}

/* ---- sniffing -------------------------------------------------------------------------- */

/*
 * Fields in each of the first rows of p[0, n) split at d (' ': runs of
 * blanks), quotes honoured where a field starts with one; comment and
 * blank lines skipped.  Stores up to cap counts, returns how many rows.
 */
static int count_fields(const char *p, size_t n, char d, char comment, bool final, int *counts,
                        int cap)
{
    int rows = 0;
    size_t i = 0;
    while (i < n && rows < cap) {
        size_t j = i;
        while (j < n && is_blank(p[j]))
            j++;
        if (j < n && comment && p[j] == comment) {
            const char *nl = memchr(p + j, '\n', n - j);
            i = nl ? (size_t)(nl - p) + 1 : n;
            continue;
        }
        if (j < n && (p[j] == '\n' || p[j] == '\r')) {
            i = j + 1;
            continue;
        }
        if (j >= n)
            break;
        int k = 0;
        bool at_start = true, inq = false;
        size_t c = d == ' ' ? j : i;
        for (; c < n; c++) {
            char ch = p[c];
            if (inq) {
                if (ch == '"') {
                    if (c + 1 < n && p[c + 1] == '"')
                        c++;
                    else
                        inq = false;
                }
                continue;
            }
            if (ch == '\n' || ch == '\r')
                break;
            if (d == ' ' ? is_blank(ch) : ch == d) {
                if (d == ' ') {
                    while (c + 1 < n && is_blank(p[c + 1]))
                        c++;
                    if (c + 1 < n && p[c + 1] != '\n' && p[c + 1] != '\r')
                        k++;
                } else {
                    k++;
                }
                at_start = true;
                continue;
            }
            if (ch == '"' && at_start)
                inq = true;
            if (!is_blank(ch))
                at_start = false;
        }
        if (c >= n && !final)
            break;   /* an incomplete last row */
        counts[rows++] = k + 1;
        i = c + 1;
        if (c < n && p[c] == '\r' && c + 1 < n && p[c + 1] == '\n')
            i++;
    }
    return rows;
}

char tc_tok_sniff(const char *p, size_t n, char comment, bool final)
{
    static const char cand[] = {',', '\t', ';', '|', ' '};
    enum { ROWS = TC_SNIFF_ROWS };
    if (n > TC_SNIFF_BYTES) {
        /* the sample is the same however the input arrives: its first rows or bytes */
        n = TC_SNIFF_BYTES;
        final = false;
    }
    int counts[ROWS];
    char best = 0, first_wide = 0;
    int bestk = 1;
    for (size_t c = 0; c < sizeof cand; c++) {
        int rows = count_fields(p, n, cand[c], comment, final, counts, ROWS);
        if (rows == 0)
            continue;
        bool same = true;
        for (int r = 1; r < rows; r++)
            same &= counts[r] == counts[0];
        if (counts[0] > 1 && !first_wide && cand[c] != ' ')
            first_wide = cand[c];
        /* runs of blanks only when no delimiter character splits the rows */
        if (same && counts[0] > bestk && (cand[c] != ' ' || !best)) {
            best = cand[c];
            bestk = counts[0];
        }
    }
    if (best)
        return best;
    /* nothing splits consistently: the first delimiter that splits the first row (a ragged table) */
    return first_wide ? first_wide : ',';
}
