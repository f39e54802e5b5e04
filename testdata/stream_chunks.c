/*
 * stream_chunks.c - the streamed CSV path gives the same bytes however the
 * input arrives (libcsv's test_csv.c feeds its parser in every chunk size;
 * so does this).  For each input and op, the output with the whole input in
 * one read is the reference; every chunk size from 1 byte up must give the
 * same output, or the same error.  Run by make check.
 */
#include "tcum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    size_t n, pos, chunk;
    int rewinds;
} src;

static long rd(void *ctx, char *buf, size_t cap)
{
    src *s = ctx;
    size_t k = s->n - s->pos;
    if (k > s->chunk)
        k = s->chunk;
    if (k > cap)
        k = cap;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (long)k;
}

static int rw(void *ctx)
{
    src *s = ctx;
    s->pos = 0;
    s->rewinds++;
    return 0;
}

static tc_buf out;

static int wr(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    tc_buf_put(&out, p, n);
    return 0;
}

/* The output (or "error: ..."), a new string. */
static char *run(const char *input, const char *op, int64_t dim, int select, size_t chunk,
                 int rewindable)
{
    tc_op_args a;
    tc_op k;
    if (!tc_op_parse(op, &k))
        abort();
    tc_op_args_init(&a, k);
    a.has_dim = 1;
    a.dim = dim;
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    src s = {input, strlen(input), 0, chunk, 0};
    tc_stream_io io = {rd, wr, rewindable ? rw : NULL, &s, NULL};
    tc_err err;
    memset(&err, 0, sizeof err);
    out.n = 0;
    tc_buf_put(&out, "", 0);
    tc_stream_opts so = {select, ',', 0, 0, 0};
    int rc = tc_stream_csv(&a, &ro, &so, NULL, 0, &io, &err);
    char *r;
    if (rc == TC_OK) {
        r = malloc(out.n + 1);
        memcpy(r, out.p ? out.p : "", out.n);
        r[out.n] = '\0';
    } else {
        r = malloc(strlen(err.msg) + 64);
        sprintf(r, "error %ld:%ld: %s", err.line, err.col, err.msg);
    }
    return r;
}

int main(void)
{
    static const char *inputs[] = {
        "1,2,3\n4,5,6\n7,8,9\n",
        "1\n2\n3\n4\n5\n",
        "a,b\r\n1.5,-2\r\n# note\r\n\r\n3,4.25\r\n5,6\r\n",
        "\"1\",\" 2 \"\n\"3\",4\n5,\"6\"\n",
        "x,\"multi\nline\"\n1,2\n3,4\n",
        "1,2\n3\n4,5\n",
        "1,2\n3,nan\n-inf,4\n",
        "true,false\nfalse,true\ntrue,true\n",
        "1\n2\n2.5\n",           /* from a pipe, a documented error once chunked */
        "-0.0\n",
        "5\n",
        "1,2,3",
        "",
        "# only a comment\n",
        "h1,h2\n",
        "1+2j,3\n4,5-1j\n",
    };
    static const struct {
        const char *op;
        int64_t dim;
        int select;
    } ops[] = {
        {"show", 0, 0}, {"cumsum", 0, 0}, {"cumsum", 1, 0}, {"cumsum", -1, 0},
        {"cumprod", 0, 0}, {"cummax", 0, 1}, {"cummin", 0, 2}, {"logcumsumexp", 0, 0},
        {"diff", 1, 0}, {"diff", 0, 0}, {"cummax", 0, 0},
    };
    int failed = 0, passed = 0;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        size_t n = strlen(inputs[i]);
        for (size_t j = 0; j < sizeof ops / sizeof ops[0]; j++) {
            for (int rewindable = 0; rewindable <= 1; rewindable++) {
                if (!rewindable && strstr(inputs[i], "2.5"))
                    continue;
                char *want = run(inputs[i], ops[j].op, ops[j].dim, ops[j].select, n + 1, rewindable);
                for (size_t chunk = 1; chunk <= n; chunk++) {
                    char *got = run(inputs[i], ops[j].op, ops[j].dim, ops[j].select, chunk, rewindable);
                    if (strcmp(want, got)) {
                        if (failed < 4)
                            printf("FAIL: input %zu, %s dim %lld, chunk %zu%s:\n--- whole\n%s\n--- chunked\n%s\n",
                                   i, ops[j].op, (long long)ops[j].dim, chunk,
                                   rewindable ? " (file)" : " (pipe)", want, got);
                        failed++;
                    } else {
                        passed++;
                    }
                    free(got);
                }
                free(want);
            }
        }
    }
    tc_buf_free(&out);
    printf("stream_chunks: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
