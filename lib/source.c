/*
 * source.c - an input's bytes, decompressed when they are gzip, bzip2, xz
 * or zstd.
 *
 * A source sits on a raw reader (a file, a pipe, memory) and yields the
 * data: the codec is told by the first bytes' magic, whatever the file is
 * called, so `cat x.csv.gz | tcum ...` works as well as `tcum ... x.gz`.
 * Plain data passes through untouched: after the few bytes read to look
 * for a magic, reads go straight to the raw reader.  Compressed data goes
 * through zlib, libbz2, liblzma or libzstd in streaming mode, so memory is
 * the codec's window and a 64 KiB input buffer, whatever the size of the
 * data.  Concatenated gzip members, bzip2 streams, xz streams and zstd
 * frames read as one, as `gzip -d` and `zstd -d` do; zero bytes padding
 * the end of gzip or bzip2 data are ignored, anything else after it is an
 * error, as is data that ends early or does not decode.
 *
 * The codecs allocate through tc_malloc (their allocator hooks), checked
 * against tc_mem_fits first, so a hostile xz header asking for a 4 GiB
 * dictionary is an out-of-memory error, not an allocation that overcommit
 * lets through, and the fault-simulation build covers them too.
 */
#include "tc_private.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
/* ZSTD_customMem and ZSTD_createDStream_advanced: the allocator hook. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#define CHUNK 65536
#define MAX_MAGIC 10            /* bzip2's: "BZh9" and a block or end marker */

enum { S_START, S_DATA, S_END, S_FAILED };

struct tc_source {
    tc_reader raw;
    int state;
    tc_codec codec;
    bool raw_eof;
    /* The first bytes, read to look for a magic; plain data hands them out first. */
    unsigned char head[16];
    size_t nhead, headoff;
    /* Compressed input not yet decoded: in[inoff, inn). */
    unsigned char *in;
    size_t inn, inoff;
    uint64_t inpos;             /* raw offset of in[0] */
    bool live;                  /* the decoder is initialised */
    bool between;               /* a gzip member or bzip2 stream just ended */
    int idle;                   /* xz: calls in a row that made no progress */
    union {
        z_stream z;
        bz_stream bz;
        lzma_stream xz;
        ZSTD_DStream *zs;
    } u;
    lzma_allocator xzalloc;
    tc_err last;                /* the error that stopped the source (sticky) */
    int last_errno;
};

/* ---- allocator hooks: tc_malloc behind each library's own signature ----------- */

static void *alloc_n(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    if (!tc_mem_fits((uint64_t)n * size))
        return NULL;
    size_t total = n * size;
    return tc_malloc(total ? total : 1);
}

void *tc_zlib_alloc(void *opaque, unsigned n, unsigned size)
{
    (void)opaque;
    return alloc_n(n, size);
}

void tc_zlib_free(void *opaque, void *p)
{
    (void)opaque;
    tc_free(p);
}

static void *bz_alloc(void *opaque, int n, int size)
{
    (void)opaque;
    return n < 0 || size < 0 ? NULL : alloc_n((size_t)n, (size_t)size);
}

static void bz_free(void *opaque, void *p)
{
    (void)opaque;
    tc_free(p);
}

static void *xz_alloc(void *opaque, size_t n, size_t size)
{
    (void)opaque;
    return alloc_n(n, size);
}

static void xz_free(void *opaque, void *p)
{
    (void)opaque;
    tc_free(p);
}

static void *zs_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return alloc_n(1, size);
}

static void zs_free(void *opaque, void *p)
{
    (void)opaque;
    tc_free(p);
}

/* ---- errors ----------------------------------------------------------------- */

/* Record the error that stops s (tc_source_read hands it out); returns its code. */
static int fail(tc_source *s, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(tc_source *s, int code, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->last.msg, sizeof s->last.msg, fmt, ap);
    va_end(ap);
    s->last.code = code;
    s->last.line = s->last.col = 0;
    s->last.param = NULL;
    s->last.suggest[0] = '\0';
    s->last_errno = saved;
    s->state = S_FAILED;
    errno = saved;
    return code;
}

/* The raw offset of the next undecoded byte, for messages. */
static unsigned long long at(const tc_source *s)
{
    return (unsigned long long)s->inpos + s->inoff;
}

static int truncated(tc_source *s)
{
    return fail(s, TC_EINPUT, "truncated %s data", tc_codec_name(s->codec));
}

static int corrupt(tc_source *s, unsigned long long pos, const char *why)
{
    if (why && *why)
        return fail(s, TC_EINPUT, "corrupt %s data at byte %llu (%s)",
                    tc_codec_name(s->codec), pos, why);
    return fail(s, TC_EINPUT, "corrupt %s data at byte %llu", tc_codec_name(s->codec), pos);
}

static int nomem(tc_source *s)
{
    return fail(s, TC_ENOMEM, "out of memory decompressing %s data", tc_codec_name(s->codec));
}

/* ---- raw input ------------------------------------------------------------------ */

/* One raw read into buf; sets raw_eof at the end. */
static int raw_read(tc_source *s, void *buf, size_t cap, size_t *got)
{
    *got = 0;
    if (s->raw_eof)
        return TC_OK;
    long r = s->raw.read(s->raw.ctx, buf, cap);
    if (r < 0)
        return fail(s, TC_EIO, "read error: %s", tc_strerror(errno, (char[128]){0}, 128));
    if (r == 0)
        s->raw_eof = true;
    *got = (size_t)r;
    return TC_OK;
}

/*
 * At least want undecoded bytes in the buffer, unless the input ends first
 * (consumed bytes are dropped to make room).
 */
static int want(tc_source *s, size_t want)
{
    while (s->inn - s->inoff < want && !s->raw_eof) {
        if (s->inoff) {
            memmove(s->in, s->in + s->inoff, s->inn - s->inoff);
            s->inpos += s->inoff;
            s->inn -= s->inoff;
            s->inoff = 0;
        }
        size_t got;
        if (s->inn == CHUNK)
            break;          /* never: callers want at most MAX_MAGIC bytes */
        int rc = raw_read(s, s->in + s->inn, CHUNK - s->inn, &got);
        if (rc)
            return rc;
        s->inn += got;
    }
    return TC_OK;
}

/* ---- codecs -------------------------------------------------------------------- */

static const unsigned char GZIP_MAGIC[] = {0x1f, 0x8b};
static const unsigned char XZ_MAGIC[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const unsigned char ZSTD_MAGIC[] = {0x28, 0xb5, 0x2f, 0xfd};

/* Whether p[0..n) starts with magic m[0..len): 1 yes, 0 no, -1 too short to tell. */
static int prefix(const unsigned char *p, size_t n, const unsigned char *m, size_t len)
{
    if (memcmp(p, m, TC_MIN(n, len)) != 0)
        return 0;
    return n >= len ? 1 : -1;
}

/* Whether p[0..n) starts with codec c's magic: 1 yes, 0 no, -1 too short to tell. */
static int match(tc_codec c, const unsigned char *p, size_t n)
{
    static const unsigned char skippable[] = {0x2a, 0x4d, 0x18};
    static const unsigned char bzh[] = {'B', 'Z', 'h'};
    static const unsigned char block[] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};    /* pi */
    static const unsigned char eos[] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};      /* sqrt(pi) */
    int r;
    switch (c) {
    case TC_CODEC_GZIP:
        return prefix(p, n, GZIP_MAGIC, sizeof GZIP_MAGIC);
    case TC_CODEC_XZ:
        return prefix(p, n, XZ_MAGIC, sizeof XZ_MAGIC);
    case TC_CODEC_ZSTD:
        if ((r = prefix(p, n, ZSTD_MAGIC, sizeof ZSTD_MAGIC)) != 0)
            return r;
        /* a skippable frame (magic 0x184D2A50..5F, little-endian) */
        if (n == 0)
            return -1;
        return (p[0] & 0xf0) == 0x50 ? prefix(p + 1, n - 1, skippable, sizeof skippable) : 0;
    case TC_CODEC_BZIP2:
        /*
         * "BZh", a block size digit, then the magic of a block or of the
         * end of the stream: a CSV whose header starts "BZh1" stays CSV.
         */
        if ((r = prefix(p, n, bzh, sizeof bzh)) != 1)
            return r;
        if (n == 3)
            return -1;
        if (p[3] < '1' || p[3] > '9')
            return 0;
        if ((r = prefix(p + 4, n - 4, block, sizeof block)) != 0)
            return r;
        return prefix(p + 4, n - 4, eos, sizeof eos);
    default:
        return 0;
    }
}

/*
 * The codec whose magic p[0..n) starts with; TC_CODEC_NONE if none.  *more
 * is set when p is a proper prefix of a magic, so that a few more bytes
 * would tell (a pipe may deliver one byte at a time).
 */
static tc_codec sniff(const unsigned char *p, size_t n, bool *more)
{
    static const tc_codec all[] = {TC_CODEC_GZIP, TC_CODEC_BZIP2, TC_CODEC_XZ, TC_CODEC_ZSTD};
    *more = false;
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        int r = match(all[k], p, n);
        if (r == 1)
            return all[k];
        if (r < 0)
            *more = true;
    }
    return TC_CODEC_NONE;
}

const char *tc_codec_name(tc_codec c)
{
    switch (c) {
    case TC_CODEC_GZIP: return "gzip";
    case TC_CODEC_BZIP2: return "bzip2";
    case TC_CODEC_XZ: return "xz";
    case TC_CODEC_ZSTD: return "zstd";
    default: return "plain";
    }
}

static void dec_end(tc_source *s)
{
    if (!s->live)
        return;
    switch (s->codec) {
    case TC_CODEC_GZIP: inflateEnd(&s->u.z); break;
    case TC_CODEC_BZIP2: BZ2_bzDecompressEnd(&s->u.bz); break;
    case TC_CODEC_XZ: lzma_end(&s->u.xz); break;
    case TC_CODEC_ZSTD: ZSTD_freeDStream(s->u.zs); break;
    default: break;
    }
    s->live = false;
}

/* A fresh decoder for s->codec (a new gzip member or bzip2 stream too). */
static int dec_init(tc_source *s)
{
    dec_end(s);
    memset(&s->u, 0, sizeof s->u);
    switch (s->codec) {
    case TC_CODEC_GZIP:
        s->u.z.zalloc = tc_zlib_alloc;
        s->u.z.zfree = tc_zlib_free;
        /* 16 + 15: a gzip wrapper (and its CRC-32 and length checked), a 32 KiB window */
        switch (inflateInit2(&s->u.z, 16 + MAX_WBITS)) {
        case Z_OK: break;
        case Z_MEM_ERROR: return nomem(s);
        default: return fail(s, TC_EIO, "cannot start zlib's decoder");
        }
        break;
    case TC_CODEC_BZIP2:
        s->u.bz.bzalloc = bz_alloc;
        s->u.bz.bzfree = bz_free;
        switch (BZ2_bzDecompressInit(&s->u.bz, 0, 0)) {
        case BZ_OK: break;
        case BZ_MEM_ERROR: return nomem(s);
        default: return fail(s, TC_EIO, "cannot start libbz2's decoder");
        }
        break;
    case TC_CODEC_XZ: {
        s->xzalloc.alloc = xz_alloc;
        s->xzalloc.free = xz_free;
        s->xzalloc.opaque = NULL;
        lzma_stream init = LZMA_STREAM_INIT;
        s->u.xz = init;
        s->u.xz.allocator = &s->xzalloc;
        /*
         * No memory limit of its own: the allocator hook applies tcum's.
         * One stream at a time (next_member finds the next), so that what
         * follows the last one is told apart from a cut stream.
         */
        switch (lzma_stream_decoder(&s->u.xz, UINT64_MAX, 0)) {
        case LZMA_OK: break;
        case LZMA_MEM_ERROR: return nomem(s);
        default: return fail(s, TC_EIO, "cannot start liblzma's decoder");
        }
        s->idle = 0;
        break;
    }
    case TC_CODEC_ZSTD: {
        ZSTD_customMem mem = {zs_alloc, zs_free, NULL};
        s->u.zs = ZSTD_createDStream_advanced(mem);
        if (!s->u.zs)
            return nomem(s);
        /* zstd's default window limit (128 MiB), as `zstd -d` has it. */
        break;
    }
    default:
        break;
    }
    s->live = true;
    return TC_OK;
}

/*
 * Run the decoder on the buffered input into out[0..cap): *made bytes out,
 * *done at the end of a gzip member, a bzip2 or xz stream, a zstd frame.
 */
static int dec_run(tc_source *s, char *out, size_t cap, size_t *made, bool *done)
{
    size_t avail = s->inn - s->inoff;
    unsigned char *src = s->in + s->inoff;
    *made = 0;
    *done = false;
    cap = TC_MIN(cap, (size_t)1 << 30);    /* the libraries count in unsigned int */
    switch (s->codec) {
    case TC_CODEC_GZIP: {
        z_stream *z = &s->u.z;
        z->next_in = src;
        z->avail_in = (uInt)avail;
        z->next_out = (Bytef *)out;
        z->avail_out = (uInt)cap;
        int r = inflate(z, Z_NO_FLUSH);
        size_t used = avail - z->avail_in;
        *made = cap - z->avail_out;
        if (r == Z_DATA_ERROR || r == Z_NEED_DICT)
            return corrupt(s, at(s) + used, r == Z_NEED_DICT ? "a preset dictionary" : z->msg);
        s->inoff += used;
        if (r == Z_MEM_ERROR)
            return nomem(s);
        *done = r == Z_STREAM_END;
        return TC_OK;       /* Z_OK, or Z_BUF_ERROR: more input needed */
    }
    case TC_CODEC_BZIP2: {
        bz_stream *b = &s->u.bz;
        b->next_in = (char *)src;
        b->avail_in = (unsigned)avail;
        b->next_out = out;
        b->avail_out = (unsigned)cap;
        int r = BZ2_bzDecompress(b);
        size_t used = avail - b->avail_in;
        *made = cap - b->avail_out;
        if (r == BZ_DATA_ERROR || r == BZ_DATA_ERROR_MAGIC)
            return corrupt(s, at(s) + used, NULL);
        s->inoff += used;
        if (r == BZ_MEM_ERROR)
            return nomem(s);
        if (r != BZ_OK && r != BZ_STREAM_END)
            return corrupt(s, at(s), NULL);
        *done = r == BZ_STREAM_END;
        return TC_OK;
    }
    case TC_CODEC_XZ: {
        lzma_stream *x = &s->u.xz;
        x->next_in = src;
        x->avail_in = avail;
        x->next_out = (uint8_t *)out;
        x->avail_out = cap;
        lzma_ret r = lzma_code(x, s->raw_eof ? LZMA_FINISH : LZMA_RUN);
        size_t used = avail - x->avail_in;
        *made = cap - x->avail_out;
        s->inoff += used;
        s->idle = used || *made ? 0 : s->idle + 1;
        switch (r) {
        case LZMA_OK:
            /* Under LZMA_FINISH without progress twice: the data stops short. */
            if (s->raw_eof && s->idle >= 2)
                return truncated(s);
            return TC_OK;
        case LZMA_STREAM_END: *done = true; return TC_OK;
        case LZMA_BUF_ERROR:
            /* no progress possible: more input would help, unless there is none */
            return s->raw_eof ? truncated(s) : TC_OK;
        case LZMA_MEM_ERROR:
        case LZMA_MEMLIMIT_ERROR: return nomem(s);
        case LZMA_OPTIONS_ERROR: return corrupt(s, at(s), "unsupported options");
        default: return corrupt(s, at(s), NULL);
        }
    }
    case TC_CODEC_ZSTD: {
        ZSTD_inBuffer zi = {src, avail, 0};
        ZSTD_outBuffer zo = {out, cap, 0};
        size_t r = ZSTD_decompressStream(s->u.zs, &zo, &zi);
        *made = zo.pos;
        if (ZSTD_isError(r)) {
            if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
                return nomem(s);
            /*
             * libzstd decodes whole blocks and leaves pos as it was: the
             * error lies in the input it was given
             */
            return corrupt(s, at(s) + avail, ZSTD_getErrorName(r));
        }
        s->inoff += zi.pos;
        *done = r == 0 && (zi.pos || zo.pos);     /* a frame decoded and flushed */
        return TC_OK;
    }
    default:
        return TC_OK;
    }
}

/*
 * After a gzip member, a bzip2 or xz stream, a zstd frame: another one, zero padding to
 * the end (ignored, as gzip ignores it and xz's stream padding is), the
 * end, or trailing garbage (an error: it may be a damaged member whose
 * data would be lost silently).
 */
static int next_member(tc_source *s)
{
    for (;;) {
        int rc = want(s, 1);
        if (rc)
            return rc;
        if (s->inoff == s->inn) {
            s->state = S_END;
            return TC_OK;
        }
        if (s->in[s->inoff] != 0)
            break;
        while (s->inoff < s->inn && s->in[s->inoff] == 0)
            s->inoff++;
    }
    int rc = want(s, MAX_MAGIC);
    if (rc)
        return rc;
    int r = match(s->codec, s->in + s->inoff, s->inn - s->inoff);
    if (r < 0)
        return truncated(s);       /* the start of a magic, then the end */
    if (r == 0)
        return fail(s, TC_EINPUT, "trailing garbage after %s data at byte %llu",
                    tc_codec_name(s->codec), at(s));
    if (s->codec == TC_CODEC_GZIP) {
        if (inflateReset(&s->u.z) != Z_OK)
            return fail(s, TC_EIO, "cannot restart zlib's decoder");
    } else if (s->codec == TC_CODEC_ZSTD) {
        ZSTD_DCtx_reset(s->u.zs, ZSTD_reset_session_only);
    } else if ((rc = dec_init(s))) {
        return rc;
    }
    s->between = false;
    return TC_OK;
}

static int decode(tc_source *s, char *buf, size_t cap, size_t *got)
{
    int idle = 0;
    for (;;) {
        int rc;
        if (s->between && (rc = next_member(s)))
            return rc;
        if (s->state == S_END)
            return TC_OK;
        /* Decode what is buffered first: output may be pending without more input. */
        size_t before = s->inoff, made;
        bool done;
        if ((rc = dec_run(s, buf, cap, &made, &done))) {
            /* the data decoded before the damage goes out first; the error is kept for the next read */
            if (made) {
                *got = made;
                return TC_OK;
            }
            return rc;
        }
        if (done)
            s->between = true;
        if (made) {
            *got = made;
            return TC_OK;
        }
        if (done)
            continue;
        if (s->inoff < s->inn) {
            /* Input left, nothing made, not done: never expected; never spin. */
            if (s->inoff == before && ++idle > 2)
                return corrupt(s, at(s), "the decoder made no progress");
            continue;
        }
        if (!s->raw_eof) {
            if ((rc = want(s, 1)))
                return rc;
            continue;
        }
        /* The input has ended inside a member, and the decoder has flushed all it can. */
        if (s->codec != TC_CODEC_XZ)
            return truncated(s);
        /* xz: once more with LZMA_FINISH, which reports the cut */
    }
}

/* Read the first bytes and choose the codec. */
static int start(tc_source *s)
{
    bool more = true;
    s->codec = TC_CODEC_NONE;
    while (more && s->nhead < MAX_MAGIC && !s->raw_eof) {
        size_t got;
        int rc = raw_read(s, s->head + s->nhead, sizeof s->head - s->nhead, &got);
        if (rc)
            return rc;
        s->nhead += got;
        s->codec = sniff(s->head, s->nhead, &more);
    }
    if (s->codec == TC_CODEC_NONE && s->nhead >= 4 && match(TC_CODEC_BZIP2, s->head, s->nhead) < 0) {
        /* "BZh9" and part of a block magic, then the end: a cut bzip2 file */
        s->codec = TC_CODEC_BZIP2;
        s->state = S_DATA;
        return truncated(s);
    }
    s->state = S_DATA;
    if (s->codec == TC_CODEC_NONE)
        return TC_OK;
    if (!s->in) {
        s->in = tc_malloc(CHUNK);
        if (!s->in)
            return nomem(s);
    }
    memcpy(s->in, s->head, s->nhead);
    s->inn = s->nhead;
    s->inoff = 0;
    s->inpos = 0;
    s->headoff = s->nhead;
    return dec_init(s);
}

/* ---- public API ------------------------------------------------------------------ */

int tc_source_new(const tc_reader *raw, tc_source **out, tc_err *err)
{
    *out = NULL;
    tc_source *s = tc_calloc(1, sizeof *s);
    if (!s)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    s->raw = *raw;
    *out = s;
    return TC_OK;
}

void tc_source_free(tc_source *s)
{
    if (!s)
        return;
    dec_end(s);
    tc_free(s->in);
    tc_free(s);
}

static int read_some(tc_source *s, char *buf, size_t cap, size_t *got)
{
    int rc;
    if (s->state == S_FAILED)
        return s->last.code;
    if (cap == 0)
        return TC_OK;
    if (s->state == S_START && (rc = start(s)))
        return rc;
    if (s->codec != TC_CODEC_NONE)
        return s->state == S_END ? TC_OK : decode(s, buf, cap, got);
    if (s->headoff < s->nhead) {
        size_t k = TC_MIN(cap, s->nhead - s->headoff);
        memcpy(buf, s->head + s->headoff, k);
        s->headoff += k;
        *got = k;
        return TC_OK;
    }
    return raw_read(s, buf, cap, got);
}

int tc_source_read(tc_source *s, char *buf, size_t cap, size_t *got, tc_err *err)
{
    *got = 0;
    int rc = read_some(s, buf, cap, got);
    if (rc != TC_OK) {
        if (err)
            *err = s->last;
        errno = s->last_errno;
    }
    return rc;
}

int tc_source_rewind(tc_source *s, tc_err *err)
{
    if (!s->raw.rewind)
        return tc_err_set(err, TC_EIO, "cannot rewind the input: it is a pipe");
    if (s->raw.rewind(s->raw.ctx) != 0)
        return tc_err_set(err, TC_EIO, "cannot rewind the input: %s", tc_strerror(errno, (char[128]){0}, 128));
    dec_end(s);
    s->state = S_START;
    s->codec = TC_CODEC_NONE;
    s->raw_eof = false;
    s->nhead = s->headoff = 0;
    s->inn = s->inoff = 0;
    s->inpos = 0;
    s->between = false;
    s->idle = 0;
    memset(&s->last, 0, sizeof s->last);
    return TC_OK;
}

tc_codec tc_source_codec(const tc_source *s)
{
    return s->codec;
}

const tc_err *tc_source_error(const tc_source *s)
{
    return &s->last;
}

long tc_source_io_read(void *source, char *buf, size_t cap)
{
    tc_source *s = source;
    size_t got;
    int rc = tc_source_read(s, buf, TC_MIN(cap, (size_t)LONG_MAX), &got, NULL);
    if (rc == TC_OK)
        return (long)got;
    if (rc != TC_EIO)
        errno = rc == TC_ENOMEM ? ENOMEM : EILSEQ;
    return -1;
}

int tc_source_io_rewind(void *source)
{
    tc_source *s = source;
    tc_err e;
    if (tc_source_rewind(s, &e) != TC_OK) {
        s->last = e;
        return -1;
    }
    return 0;
}
