/*
 * read_npz.c - NumPy .npz archives: a zip of .npy files, written by
 * numpy.savez (stored) and numpy.savez_compressed (deflated).
 *
 * The archive is held in memory (a zip's directory is at its end, so a
 * pipe is read whole first).  The reader is a small zip reader of its own,
 * for the part of the format numpy's zipfile writes: the end of central
 * directory record (and its zip64 form), the central directory, each local
 * header, zip64 extra fields for the sizes, data descriptors (bit 3, when
 * the archive was written to a pipe), stored or deflated data.  The file
 * may be hostile: every offset and length is checked against the file
 * size and against the others before use (the central directory must end
 * where the end record starts, each local header must agree with its
 * central entry and lie before the directory, a deflated size may not
 * claim more than deflate can expand to) and the data's CRC-32 is
 * checked, so nothing reads out of bounds or allocates an absurd size.
 * The array itself is then read by tc_read_npy.
 *
 * Names follow numpy.load: member "x.npy" is the array "x" (and may be
 * asked for as "x.npy" too); where a name appears twice the last member
 * wins, as in Python's zipfile; members not named .npy are not arrays.
 */
#include "tc_private.h"

#include <stdio.h>
#include <string.h>

#include <zlib.h>

#define EOCD_SIG 0x06054b50u
#define EOCD_LEN 22
#define Z64_LOC_SIG 0x07064b50u
#define Z64_LOC_LEN 20
#define Z64_EOCD_SIG 0x06064b50u
#define Z64_EOCD_LEN 56
#define CEN_SIG 0x02014b50u
#define CEN_LEN 46
#define LOC_SIG 0x04034b50u
#define LOC_LEN 30
#define MAX32 0xffffffffu

/* Deflate expands at most 1032 to 1 (258 bytes from one 2-bit code, roughly). */
#define DEFLATE_MAX_RATIO 1032

typedef struct entry {
    const char *name;           /* into the archive; not NUL-terminated */
    size_t nname;               /* up to a NUL, as Python's zipfile cuts it */
    size_t nraw;                /* the name field's length */
    unsigned flags, method;
    uint32_t crc;
    uint64_t csize, usize, offset;
} entry;

typedef struct archive {
    const unsigned char *p;
    size_t n;
    uint64_t cdoff;             /* where the central directory starts */
    entry *e;
    size_t count;
} archive;

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int corrupt(tc_err *err, const char *what)
{
    return tc_err_set(err, TC_EINPUT, "corrupt npz archive: %s", what);
}

/* An entry's name for a message: quoted, odd bytes escaped. */
static void quote(char *out, size_t cap, const entry *e)
{
    tc_token_quote(out, cap, e->name, e->nname);
}

/*
 * The zip64 extra field (id 1) of an entry: its 8-byte values, in order,
 * for each of the fields whose 32-bit value is all ones.  want lists those
 * (usize, csize, offset); local headers carry both sizes whenever it is
 * there.  Missing values are an error.
 */
static int zip64_extra(const unsigned char *x, size_t nx, uint64_t *vals[], int nvals, tc_err *err)
{
    if (nvals == 0)
        return TC_OK;
    size_t i = 0;
    while (i + 4 <= nx) {
        unsigned id = get16(x + i), len = get16(x + i + 2);
        if (i + 4 + len > nx)
            return corrupt(err, "an extra field runs past its header");
        if (id == 1) {
            if ((size_t)len < 8 * (size_t)nvals)
                return corrupt(err, "a zip64 extra field is too short");
            for (int k = 0; k < nvals; k++)
                *vals[k] = get64(x + i + 4 + 8 * k);
            return TC_OK;
        }
        i += 4 + len;
    }
    return corrupt(err, "zip64 sizes without a zip64 extra field");
}

/* Find the end records and read the central directory into a->e. */
static int open_archive(archive *a, const char *data, size_t n, tc_err *err)
{
    memset(a, 0, sizeof *a);
    a->p = (const unsigned char *)data;
    a->n = n;
    const unsigned char *p = a->p;
    if (n < EOCD_LEN)
        return corrupt(err, "too short for a zip file");
    /* The end record: the last one whose comment reaches the end of the file exactly. */
    size_t eocd = SIZE_MAX;
    size_t lowest = n - EOCD_LEN > 65535 ? n - EOCD_LEN - 65535 : 0;
    for (size_t i = n - EOCD_LEN + 1; i-- > lowest;) {
        if (get32(p + i) == EOCD_SIG && i + EOCD_LEN + get16(p + i + 20) == n) {
            eocd = i;
            break;
        }
    }
    if (eocd == SIZE_MAX)
        return corrupt(err, "no end of central directory record");
    const unsigned char *r = p + eocd;
    if (get16(r + 4) != 0 || get16(r + 6) != 0)
        return tc_err_set(err, TC_EINPUT, "multi-disk zip archives are not supported");
    uint64_t count = get16(r + 10), cdsize = get32(r + 12), cdoff = get32(r + 16);
    if (get16(r + 8) != count)
        return corrupt(err, "entry counts disagree in the end record");
    uint64_t cdend = eocd;      /* where the directory must end */
    if (eocd >= Z64_LOC_LEN && get32(p + eocd - Z64_LOC_LEN) == Z64_LOC_SIG) {
        /* zip64: the locator just before the end record points to the zip64 end record */
        const unsigned char *l = p + eocd - Z64_LOC_LEN;
        uint64_t z = get64(l + 8);
        if (get32(l + 4) != 0 || get32(l + 16) > 1)
            return tc_err_set(err, TC_EINPUT, "multi-disk zip archives are not supported");
        if (z > eocd - Z64_LOC_LEN || eocd - Z64_LOC_LEN - z < Z64_EOCD_LEN ||
            get32(p + z) != Z64_EOCD_SIG)
            return corrupt(err, "the zip64 locator points to no zip64 end record");
        const unsigned char *q = p + z;
        if (get32(q + 16) != 0 || get32(q + 20) != 0)
            return tc_err_set(err, TC_EINPUT, "multi-disk zip archives are not supported");
        count = get64(q + 32);
        if (get64(q + 24) != count)
            return corrupt(err, "entry counts disagree in the zip64 end record");
        cdsize = get64(q + 40);
        cdoff = get64(q + 48);
        cdend = z;
    }
    if (cdoff > cdend || cdsize != cdend - cdoff)
        return corrupt(err, "the central directory does not end where the end record starts");
    if (count > cdsize / CEN_LEN)
        return corrupt(err, "more entries than the central directory can hold");
    a->cdoff = cdoff;
    a->e = tc_calloc(count ? (size_t)count : 1, sizeof *a->e);
    if (!a->e)
        return tc_err_set(err, TC_ENOMEM, "out of memory");
    size_t i = (size_t)cdoff;
    for (uint64_t k = 0; k < count; k++) {
        if (cdend - i < CEN_LEN || get32(p + i) != CEN_SIG)
            return corrupt(err, "a central directory entry is missing or cut short");
        const unsigned char *c = p + i;
        size_t nname = get16(c + 28), nextra = get16(c + 30), ncomment = get16(c + 32);
        if (cdend - i - CEN_LEN < nname + nextra + ncomment)
            return corrupt(err, "a central directory entry runs past the directory");
        entry *e = &a->e[a->count++];
        e->name = (const char *)c + CEN_LEN;
        e->nraw = nname;
        const char *nul = memchr(e->name, '\0', nname);
        e->nname = nul ? (size_t)(nul - e->name) : nname;
        e->flags = get16(c + 8);
        e->method = get16(c + 10);
        e->crc = get32(c + 16);
        e->csize = get32(c + 20);
        e->usize = get32(c + 24);
        e->offset = get32(c + 42);
        uint64_t *vals[3];
        int nv = 0;
        if (e->usize == MAX32)
            vals[nv++] = &e->usize;
        if (e->csize == MAX32)
            vals[nv++] = &e->csize;
        if (e->offset == MAX32)
            vals[nv++] = &e->offset;
        int rc = zip64_extra(c + CEN_LEN + nname, nextra, vals, nv, err);
        if (rc)
            return rc;
        if (get16(c + 34) != 0 && get16(c + 34) != 0xffff)
            return tc_err_set(err, TC_EINPUT, "multi-disk zip archives are not supported");
        i += CEN_LEN + nname + nextra + ncomment;
    }
    if (i != cdend)
        return corrupt(err, "the central directory holds more than its entries");
    return TC_OK;
}

static void close_archive(archive *a)
{
    tc_free(a->e);
    a->e = NULL;
}

static bool is_npy(const entry *e)
{
    return e->nname > 4 && memcmp(e->name + e->nname - 4, ".npy", 4) == 0;
}

/* The last .npy entry that name[0..len) ("x" or "x.npy") names; NULL if none. */
static const entry *lookup(const archive *a, const char *name, size_t len)
{
    for (size_t k = a->count; k-- > 0;) {
        const entry *e = &a->e[k];
        if (!is_npy(e))
            continue;
        if ((e->nname == len && !memcmp(e->name, name, len)) ||
            (e->nname == len + 4 && !memcmp(e->name, name, len)))
            return e;
    }
    return NULL;
}

/* "x, arr_1, y": the arrays' names for a message, cut to fit in cap. */
static void name_list(const archive *a, char *out, size_t cap)
{
    size_t used = 0, shown = 0, total = 0;
    out[0] = '\0';
    for (size_t k = 0; k < a->count; k++)
        total += is_npy(&a->e[k]);
    for (size_t k = 0; k < a->count; k++) {
        const entry *e = &a->e[k];
        if (!is_npy(e))
            continue;
        char q[80];
        tc_token_quote(q, sizeof q, e->name, e->nname - 4);
        /* room for this name and ", and 999999 more" */
        if (used + strlen(q) + 2 + 24 >= cap) {
            snprintf(out + used, cap - used, "%sand %zu more", shown ? ", " : "", total - shown);
            return;
        }
        used += (size_t)snprintf(out + used, cap - used, "%s%s", shown ? ", " : "", q);
        shown++;
    }
}

/* Whether the archive looks like a torch.save file (a zip with a data.pkl). */
static bool torch_save(const archive *a)
{
    for (size_t k = 0; k < a->count; k++) {
        const entry *e = &a->e[k];
        if (e->nname >= 8 && !memcmp(e->name + e->nname - 8, "data.pkl", 8))
            return true;
    }
    return false;
}

/* Raw deflate of src into exactly ulen bytes at dst. */
static int inflate_all(const unsigned char *src, uint64_t clen, unsigned char *dst, uint64_t ulen,
                       const char *qname, tc_err *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    z.zalloc = tc_zlib_alloc;
    z.zfree = tc_zlib_free;
    int r = inflateInit2(&z, -MAX_WBITS);
    if (r != Z_OK)
        return r == Z_MEM_ERROR ? tc_err_set(err, TC_ENOMEM, "out of memory")
                                : tc_err_set(err, TC_EIO, "cannot start zlib's decoder");
    uint64_t in = 0, out = 0;
    int rc = TC_OK;
    for (;;) {
        /* zlib counts in unsigned int: feed at most 1 GiB at a time */
        uint64_t ci = TC_MIN(clen - in, (uint64_t)1 << 30), co = TC_MIN(ulen - out, (uint64_t)1 << 30);
        z.next_in = (Bytef *)(uintptr_t)(src + in);
        z.avail_in = (uInt)ci;
        z.next_out = dst + out;
        z.avail_out = (uInt)co;
        r = inflate(&z, Z_NO_FLUSH);
        in += ci - z.avail_in;
        out += co - z.avail_out;
        if (r == Z_STREAM_END) {
            if (out != ulen || in != clen)
                rc = tc_err_set(err, TC_EINPUT, "corrupt npz archive: %s inflates to %llu bytes, "
                                "not the %llu its directory says", qname,
                                (unsigned long long)out, (unsigned long long)ulen);
            break;
        }
        if (r == Z_MEM_ERROR) {
            rc = tc_err_set(err, TC_ENOMEM, "out of memory");
            break;
        }
        if (r == Z_DATA_ERROR || r == Z_NEED_DICT) {
            rc = tc_err_set(err, TC_EINPUT, "corrupt npz archive: bad deflate data in %s (%s)", qname,
                            z.msg ? z.msg : "a preset dictionary");
            break;
        }
        if (ci - z.avail_in == 0 && co - z.avail_out == 0) {
            /* no progress: the input is used up or the output full, short of the end */
            rc = tc_err_set(err, TC_EINPUT, out == ulen
                            ? "corrupt npz archive: %s inflates to more bytes than its directory says"
                            : "corrupt npz archive: the deflate data of %s is cut short", qname);
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

/*
 * The bytes of entry e: checked against its local header; a pointer into
 * the archive (stored) or a new buffer in *owned (deflated).
 */
static int member_data(const archive *a, const entry *e, const unsigned char **out, uint64_t *nout,
                       unsigned char **owned, tc_err *err)
{
    *out = NULL;
    *owned = NULL;
    char q[96];
    quote(q, sizeof q, e);
    const unsigned char *p = a->p;
    if (e->flags & 1)
        return tc_err_set(err, TC_EINPUT, "%s in the npz archive is encrypted", q);
    if (e->method != 0 && e->method != 8)
        return tc_err_set(err, TC_EINPUT, "%s in the npz archive uses compression method %u "
                          "(tcum reads stored and deflated members)", q, e->method);
    if (e->offset > a->cdoff || a->cdoff - e->offset < LOC_LEN || get32(p + e->offset) != LOC_SIG)
        return tc_err_set(err, TC_EINPUT, "corrupt npz archive: no local header for %s where the "
                          "directory says", q);
    const unsigned char *l = p + e->offset;
    size_t nname = get16(l + 26), nextra = get16(l + 28);
    uint64_t start = e->offset + LOC_LEN + nname + nextra;
    if (start > a->cdoff)
        return tc_err_set(err, TC_EINPUT, "corrupt npz archive: the local header of %s runs into "
                          "the central directory", q);
    if (nname != e->nraw || memcmp(l + LOC_LEN, e->name, nname) != 0)
        return tc_err_set(err, TC_EINPUT, "corrupt npz archive: the local header of %s names "
                          "another file", q);
    if (get16(l + 8) != e->method)
        return tc_err_set(err, TC_EINPUT, "corrupt npz archive: the local header of %s gives "
                          "another compression method", q);
    if (!(e->flags & 8)) {
        /* Sizes and CRC in the local header too (else in a data descriptor after the data). */
        uint64_t cs = get32(l + 18), us = get32(l + 22);
        if (cs == MAX32 || us == MAX32) {
            uint64_t *vals[2] = {&us, &cs};
            int rc = zip64_extra(l + LOC_LEN + nname, nextra, vals, 2, err);
            if (rc)
                return rc;
        }
        if (get32(l + 14) != e->crc || cs != e->csize || us != e->usize)
            return tc_err_set(err, TC_EINPUT, "corrupt npz archive: the local header of %s gives "
                              "other sizes or CRC than the directory", q);
    }
    if (e->csize > a->cdoff - start)
        return tc_err_set(err, TC_EINPUT, "corrupt npz archive: the data of %s runs past the "
                          "central directory", q);
    const unsigned char *src = p + start;
    const unsigned char *data = src;
    if (e->method == 0) {
        if (e->usize != e->csize)
            return tc_err_set(err, TC_EINPUT, "corrupt npz archive: stored %s has two sizes", q);
    } else {
        if (e->usize / DEFLATE_MAX_RATIO > e->csize + 1)
            return tc_err_set(err, TC_EINPUT, "corrupt npz archive: %s claims %llu bytes from %llu "
                              "deflated ones", q, (unsigned long long)e->usize,
                              (unsigned long long)e->csize);
        if (e->usize > SIZE_MAX - 1 || !tc_mem_fits(e->usize))
            return tc_err_set(err, TC_ENOMEM, "%s is too large to inflate in memory "
                              "(%llu bytes)", q, (unsigned long long)e->usize);
        unsigned char *buf = tc_malloc((size_t)e->usize + 1);
        if (!buf)
            return tc_err_set(err, TC_ENOMEM, "out of memory");
        int rc = inflate_all(src, e->csize, buf, e->usize, q, err);
        if (rc) {
            tc_free(buf);
            return rc;
        }
        *owned = buf;
        data = buf;
    }
    /* crc32 counts in unsigned int too */
    uLong crc = crc32(0L, Z_NULL, 0);
    for (uint64_t i = 0; i < e->usize;) {
        uInt k = (uInt)TC_MIN(e->usize - i, (uint64_t)1 << 30);
        crc = crc32(crc, data + i, k);
        i += k;
    }
    if ((uint32_t)crc != e->crc) {
        tc_free(*owned);
        *owned = NULL;
        return tc_err_set(err, TC_EINPUT, "corrupt npz archive: CRC-32 mismatch in %s", q);
    }
    *out = data;
    *nout = e->usize;
    return TC_OK;
}

int tc_read_npz(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out, tc_err *err)
{
    *out = NULL;
    archive a;
    int rc = open_archive(&a, data, n, err);
    if (rc) {
        close_archive(&a);
        return rc;
    }
    const char *name = o ? o->npz_name : NULL;
    const entry *e = NULL;
    if (name) {
        e = lookup(&a, name, strlen(name));
    } else {
        for (size_t k = 0; k < a.count && !e; k++)
            if (is_npy(&a.e[k]))
                e = &a.e[k];
        if (e)      /* numpy.load's first name, then its last member of that name */
            e = lookup(&a, e->name, e->nname - 4);
    }
    if (!e) {
        char names[400];
        name_list(&a, names, sizeof names);
        char q[96];
        if (name)
            tc_token_quote(q, sizeof q, name, strlen(name));
        if (!names[0]) {
            rc = tc_err_set(err, TC_ENODATA, "no arrays in the npz archive%s",
                            torch_save(&a) ? " (it looks like a torch.save file: save the tensor "
                                             "with numpy.save or numpy.savez instead)" : "");
        } else {
            rc = tc_err_set(err, TC_EARG, "no array %s in the npz archive (its arrays: %s)", q, names);
            tc_err_hint(err, rc, "npz_name", NULL);
        }
        close_archive(&a);
        return rc;
    }
    const unsigned char *bytes;
    uint64_t nbytes = 0;
    unsigned char *owned;
    rc = member_data(&a, e, &bytes, &nbytes, &owned, err);
    if (rc == TC_OK) {
        rc = tc_read_npy((const char *)bytes, (size_t)nbytes, o, out, err);
        if (rc != TC_OK && err) {
            /* say which array the npy reader speaks of */
            char q[96], pre[128];
            tc_token_quote(q, sizeof q, e->name, e->nname - 4);
            size_t k = (size_t)snprintf(pre, sizeof pre, "array %s of the npz: ", q);
            size_t m = strlen(err->msg);
            if (k + m >= sizeof err->msg)
                m = sizeof err->msg - 1 - k;
            memmove(err->msg + k, err->msg, m);
            memcpy(err->msg, pre, k);
            err->msg[k + m] = '\0';
        }
    }
    tc_free(owned);
    close_archive(&a);
    return rc;
}

int tc_npz_names(const char *data, size_t n, tc_buf *names, size_t *count, tc_err *err)
{
    *count = 0;
    archive a;
    int rc = open_archive(&a, data, n, err);
    if (rc == TC_OK) {
        for (size_t k = 0; k < a.count; k++) {
            const entry *e = &a.e[k];
            if (!is_npy(e))
                continue;
            tc_buf_put(names, e->name, e->nname - 4);
            tc_buf_put(names, "", 1);
            ++*count;
        }
        if (names->oom)
            rc = tc_err_set(err, TC_ENOMEM, "out of memory");
    }
    close_archive(&a);
    return rc;
}
