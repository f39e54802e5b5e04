/*
 * fuzz_stream.c - libFuzzer target for streamed CSV and JSON Lines
 * (tc_stream_csv).  The first 4 bytes choose the op, dim, chunk sizes,
 * modifiers and the format (the top bit of the fourth: JSON Lines); the
 * rest is the input.  The input is streamed twice, once in reads of pseudo-random
 * small sizes and once in one read: for a rewindable input the stream's
 * bytes must not depend on how its input arrives.  A third run reads every
 * block through the tokenizer (ro.reference): the fast path for plain rows
 * must give the same bytes and the same errors; a fourth, with threads and
 * small blocks, the same again.  diff and cumulative_trapezoid (which
 * carry rows from block to block down the columns; diff with -n 0..3 and
 * rows to prepend and append, cumulative_trapezoid with a dx) must also
 * give the whole-input path's bytes (tc_read_table, the op, the table
 * written), as stream.c's gathering would.
 */
#include "tcum.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const char *p;
    size_t n, off;
    uint32_t seed;      /* 0: one read takes everything */
    tc_buf out;
} feed;

static long feed_read(void *ctx, char *buf, size_t cap)
{
    feed *f = ctx;
    size_t k = f->n - f->off;
    if (f->seed) {
        f->seed = f->seed * 1103515245u + 12345u;
        size_t want = 1 + (f->seed >> 16) % 97;
        if (k > want)
            k = want;
    }
    if (k > cap)
        k = cap;
    memcpy(buf, f->p + f->off, k);
    f->off += k;
    return (long)k;
}

static int feed_write(void *ctx, const char *p, size_t n)
{
    feed *f = ctx;
    tc_buf_put(&f->out, p, n);
    return f->out.oom ? -1 : 0;
}

static int feed_rewind(void *ctx)
{
    ((feed *)ctx)->off = 0;
    return 0;
}

/* The whole path, as stream.c's run_whole: the table read at once, the op, the table written. */
static int whole(const tc_op_args *a, const tc_read_opts *ro, int select, const char *p, size_t n,
                 tc_buf *out)
{
    tc_tensor *x = NULL, *y = NULL;
    tc_table *t = NULL;
    tc_result r = {0};
    int rc = tc_read_table(p, n, ro, &x, &t, NULL);
    if (rc == TC_OK)
        rc = tc_op_run(a, x, &r, NULL);
    if (rc == TC_OK)
        rc = tc_result_pick(&r, select, &y, NULL);
    if (rc == TC_OK) {
        if (tc_table_is_rich(t)) {
            rc = tc_write_table_csv(out, y, a, t, ',', NULL);
        } else {
            tc_tensor v = *y;
            if (tc_table_is_column(t) && v.ndim == 1) {
                v.ndim = 2;
                v.shape[1] = 1;
            }
            rc = tc_write_csv(out, &v, ',', NULL);
        }
    }
    tc_result_free(&r);
    tc_tensor_free(x);
    tc_table_free(t);
    return rc;
}

/* k rows of the width of the input's first line (as a CSV table would have), 2-D. */
static tc_tensor *rows_like(const uint8_t *data, size_t size, int64_t k, float base)
{
    int64_t w = 1;
    for (size_t i = 0; i < size && data[i] != '\n' && w < 64; i++)
        w += data[i] == ',';
    int64_t shape[2] = {k, w};
    tc_tensor *t = tc_tensor_new(TC_FLOAT32, 2, shape, NULL);
    for (int64_t i = 0; t && i < t->numel; i++)
        ((float *)t->data)[i] = base + (float)i * 0.75f;
    return t;
}

static int run(const tc_op_args *a, const tc_read_opts *ro, int select, int rewind,
               feed *f, tc_err *err)
{
    tc_stream_io io = {feed_read, feed_write, rewind ? feed_rewind : NULL, f, NULL};
    memset(err, 0, sizeof *err);
    tc_stream_opts so = {select, ',', 0, 0, 0};
    int rc = tc_stream_csv(a, ro, &so, NULL, 0, &io, err);
    if (rc != TC_OK && (!err->msg[0] || strchr(err->msg, '\n')))
        abort();   /* failure must say why, on one line */
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint8_t b0 = data[0], b1 = data[1], b2 = data[2], b3 = data[3];
    data += 4;
    size -= 4;

    tc_read_opts ro;
    tc_read_opts_init(&ro);
#ifdef FUZZ_JSON_ONLY
    b3 |= 0x80;   /* (a build that streams JSON Lines only) */
#endif
    ro.format = b3 & 0x80 ? TC_FMT_JSON : TC_FMT_CSV;
    ro.header = (int)(b3 & 3) - 1 > 1 ? -1 : (int)(b3 & 3) - 1;
    if (b3 & 0x40) {
        ro.has_input_dtype = 1;
        ro.input_dtype = (tc_dtype)(b2 % TC_NDTYPES);
    }
    tc_op_args a;
    /* The ops the CLI streams (show, the scans, diff): reductions never are. */
    tc_op_args_init(&a, (tc_op)(b0 % (TC_OP_NANCUMPROD + 1)));
    a.has_dim = 1;
    a.dim = (b1 & 3) - 2;    /* -2 .. 1 */
    a.reverse = (b1 >> 2) & 1;
    a.exclusive = (b1 >> 3) & 1;
    a.include_initial = (b1 >> 4) & 1;
    int select = (b1 >> 5) & 3;
    if (select == 3)
        select = 0;
    int rewind = (b3 >> 2) & 1;
    tc_tensor *pre = NULL, *app = NULL;
    bool along = a.op == TC_OP_DIFF || a.op == TC_OP_CUMTRAPZ;
    if (along) {
        /* the scans' modifier bits, for diff's n and rows, cumulative_trapezoid's dx */
        a.n = (b1 >> 2) & 3;
        a.dx = a.include_initial ? 0.5 : 1.0;
        a.reverse = a.exclusive = a.include_initial = 0;
        if (a.op == TC_OP_DIFF && (b3 & 0x08))
            a.prepend = pre = rows_like(data, size, 1 + (b2 & 1), -1.5f);
        if (a.op == TC_OP_DIFF && (b3 & 0x10))
            a.append = app = rows_like(data, size, 2, 3.25f);
    }

    feed f1 = {(const char *)data, size, 0, 0x9e3779b9u ^ b2, {0}};
    feed f2 = {(const char *)data, size, 0, 0, {0}};
    tc_err e1, e2;
    int rc1 = run(&a, &ro, select, rewind, &f1, &e1);
    int rc2 = run(&a, &ro, select, rewind, &f2, &e2);
    if (rewind && !f1.out.oom && !f2.out.oom) {
        /*
         * Same input, same bytes out, however the reads were cut.  (From a
         * pipe the first block decides the dtype, and blocks depend on the
         * reads, so only a rewindable input is held to this.  Rows written
         * before an error depend on the reads too, and so may which of two
         * problems is found first: only successes are compared.)
         */
        if ((rc1 == TC_OK) != (rc2 == TC_OK))
            abort();
        if (rc1 == TC_OK && (f1.out.n != f2.out.n ||
                             (f1.out.n && memcmp(f1.out.p, f2.out.p, f1.out.n) != 0)))
            abort();
    }
    tc_read_opts ref = ro;
    ref.reference = 1;
    feed f3 = {(const char *)data, size, 0, 0, {0}};
    tc_err e3;
    int rc3 = run(&a, &ref, select, rewind, &f3, &e3);
    if (!f2.out.oom && !f3.out.oom) {
        if (rc2 != rc3 || f2.out.n != f3.out.n ||
            (f2.out.n && memcmp(f2.out.p, f3.out.p, f2.out.n) != 0))
            abort();
        if (rc2 != TC_OK && (strcmp(e2.msg, e3.msg) || e2.line != e3.line || e2.col != e3.col))
            abort();
    }
    /*
     * Threads: the input read as for f1 but cut into blocks of a
     * pseudo-random size, parsed and formatted by 3 workers, must give f1's
     * bytes and error (the head, which the reads decide, is the same).
     */
    feed f4 = {(const char *)data, size, 0, 0x9e3779b9u ^ b2, {0}};
    tc_err e4;
    memset(&e4, 0, sizeof e4);
    tc_stream_io io4 = {feed_read, feed_write, rewind ? feed_rewind : NULL, &f4, NULL};
    tc_stream_opts so4 = {select, ',', 0, 3, 1 + (long)(b2 % 200)};
    int rc4 = tc_stream_csv(&a, &ro, &so4, NULL, 0, &io4, &e4);
    if (rewind && !f1.out.oom && !f4.out.oom) {
        /* (rows written before an error depend on the blocks: only successes are compared) */
        if (rc1 != rc4 || (rc1 == TC_OK && (f1.out.n != f4.out.n ||
                           (f1.out.n && memcmp(f1.out.p, f4.out.p, f1.out.n) != 0))))
            abort();
        if (rc1 != TC_OK && (strcmp(e1.msg, e4.msg) || e1.line != e4.line || e1.col != e4.col))
            abort();
    }
    if (along && rewind && rc1 == TC_OK && ro.format == TC_FMT_CSV && !f1.out.oom) {
        /* the stream's bytes are the whole path's */
        tc_buf w = {0};
        if (whole(&a, &ro, select, (const char *)data, size, &w) != TC_OK ||
            (!w.oom && (w.n != f1.out.n || (w.n && memcmp(w.p, f1.out.p, w.n) != 0))))
            abort();
        tc_buf_free(&w);
    }
    tc_tensor_free(pre);
    tc_tensor_free(app);
    tc_buf_free(&f1.out);
    tc_buf_free(&f2.out);
    tc_buf_free(&f3.out);
    tc_buf_free(&f4.out);
    return 0;
}
