/*
 * fuzz_source.c - libFuzzer target for compressed input (tc_source).  The
 * first byte seeds how the raw reads and the caller's reads are cut; the
 * rest is the raw data, in any codec or none.  The data is read three
 * times: in pseudo-random small pieces, in big ones, and again in big
 * ones after tc_source_rewind.  Each time the result must be the same
 * code and the same bytes (before an error, one a prefix of the other):
 * how the input arrives must not change what comes out.  Output past
 * 1 MiB is not compared (a small input may inflate a thousandfold).
 */
#include "tcum.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OUT_CAP ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t n, off;
    uint32_t seed;      /* 0: every read takes what it can */
} feed;

static uint32_t next(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 16;
}

static long feed_read(void *ctx, char *buf, size_t cap)
{
    feed *f = ctx;
    size_t k = f->n - f->off;
    if (f->seed && k > 1)
        k = 1 + next(&f->seed) % (k < 97 ? k : 97);
    if (k > cap)
        k = cap;
    memcpy(buf, f->p + f->off, k);
    f->off += k;
    return (long)k;
}

static int feed_rewind(void *ctx)
{
    ((feed *)ctx)->off = 0;
    return 0;
}

/* Read s to its end or error; the bytes in *out (up to OUT_CAP), the code returned. */
static int drain(tc_source *s, uint32_t seed, char **out, size_t *nout)
{
    static char buf[70000];
    size_t n = 0, cap = 1 << 16;
    char *o = malloc(cap);
    if (!o)
        abort();
    int rc;
    for (;;) {
        size_t want = seed ? 1 + next(&seed) % 2000 : sizeof buf, got;
        tc_err err;
        memset(&err, 0, sizeof err);
        rc = tc_source_read(s, buf, want, &got, &err);
        if (rc != TC_OK) {
            if (!err.msg[0] || strchr(err.msg, '\n') || err.code != rc)
                abort();   /* a failure says why, on one line */
            break;
        }
        if (got == 0)
            break;
        if (got > want)
            abort();
        if (n + got > OUT_CAP)
            break;
        if (n + got > cap) {
            while (n + got > cap)
                cap *= 2;
            o = realloc(o, cap);
            if (!o)
                abort();
        }
        memcpy(o + n, buf, got);
        n += got;
    }
    *out = o;
    *nout = n;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    tc_set_memory_limit((uint64_t)256 << 20);
    uint8_t b0 = data[0];
    feed small = {data + 1, size - 1, 0, 0x9e3779b9u ^ b0};
    feed big = {data + 1, size - 1, 0, 0};
    tc_reader r1 = {feed_read, NULL, &small};
    tc_reader r2 = {feed_read, feed_rewind, &big};
    tc_source *s1 = NULL, *s2 = NULL;
    if (tc_source_new(&r1, &s1, NULL) != TC_OK || tc_source_new(&r2, &s2, NULL) != TC_OK)
        abort();
    char *o1, *o2, *o3;
    size_t n1, n2, n3;
    int rc1 = drain(s1, 0x85ebca6bu ^ b0, &o1, &n1);
    int rc2 = drain(s2, 0, &o2, &n2);
    tc_codec c2 = tc_source_codec(s2);
    if (tc_source_rewind(s2, NULL) != TC_OK)
        abort();
    int rc3 = drain(s2, 0, &o3, &n3);
    /*
     * Out of memory may strike one way and not another (buffers differ).
     * Before an error, how much comes out depends on how the reads were
     * cut (libzstd, for one, keeps what it decoded in a call that fails),
     * but what comes out is always a prefix of the data.
     */
    if (rc1 != TC_ENOMEM && rc2 != TC_ENOMEM) {
        size_t m = n1 < n2 ? n1 : n2;
        bool capped = n1 >= OUT_CAP - 70000 || n2 >= OUT_CAP - 70000;
        if (memcmp(o1, o2, m) != 0)
            abort();
        if (!capped && (rc1 != rc2 || (rc1 == TC_OK && n1 != n2)))
            abort();
    }
    if (rc3 != rc2 || n3 != n2 || memcmp(o2, o3, n2) != 0 || tc_source_codec(s2) != c2)
        abort();
    if (c2 == TC_CODEC_NONE && (rc2 != TC_OK || n2 != size - 1 || memcmp(o2, data + 1, n2) != 0))
        abort();   /* plain data passes through untouched */
    free(o1);
    free(o2);
    free(o3);
    tc_source_free(s1);
    tc_source_free(s2);
    return 0;
}
