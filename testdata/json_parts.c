/*
 * json_parts.c - a JSON array read by threads, cut into parts at row
 * boundaries (read_json.c's fast path), is the tensor one thread reads:
 * the same dtype, shape and bytes, or the same error at the same position.
 * Random rectangular arrays (1-4 dims; ints, int64's edges, integers
 * beyond int64 and uint64, huge ones; floats, -0, 1e308, 1e309,
 * subnormals; booleans and a few values the fast path leaves to cJSON),
 * plain or in tcum's object form, some with an input dtype, some broken
 * on purpose (a row too short, a deleted or inserted byte, cut short),
 * each read with 1 thread and with 4 threads in parts of 1 to 64 bytes
 * (tc_read_opts.block), and one large array (over 1 MiB) with the
 * default parts.  No golden file: the one-thread read is the reference,
 * and the golden suite pins that down.  Run by make check.
 */
#include "tcum.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void)
{
    /* xorshift64*: the same cases on every run */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Du;
}

static int pick(int n) { return (int)(rnd() % (uint64_t)n); }

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void put(text *t, const char *s)
{
    size_t k = strlen(s);
    if (t->n + k + 1 > t->cap) {
        t->cap = (t->n + k + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            abort();
    }
    memcpy(t->p + t->n, s, k + 1);
    t->n += k;
}

static void blank(text *t)
{
    static const char *const ws[] = {"", "", "", " ", "\n", "\t", "\r\n", "  "};
    put(t, ws[pick(8)]);
}

enum { M_INT, M_FLOAT, M_MIXED, M_BOOL, M_BIG, M_ALL, M_NMODES };

/* 10^340: beyond float64 too ("int too large to convert to float") */
static char huge[342];

/* One value of the array's kind (mode). */
static void number(text *t, int mode)
{
    static const char *const ints[] = {
        "0", "-0", "1", "-1", "7", "42", "-13", "255", "256", "-129", "65535", "2147483648",
        "9223372036854775807", "-9223372036854775808", "123456789012",
    };
    static const char *const bigs[] = {
        "9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "-18446744073709551616", huge,
    };
    static const char *const floats[] = {
        "1.5", "-0.0", "0.0", "-0.5e-3", "1e308", "1e309", "-1E+2", "4.9e-324", "2.5e-330",
        "123456789.123456789", "1e-7", "3.4028235e38", "3.5e38", "65504.0", "65520.0", "0.1",
        "-2.5", "1e0", "6.02214076e23",
    };
    static const char *const odd[] = {
        "NaN", "-Infinity", "\"1.5\"", "null", "true", "false", "1+2j", "\"1+2j\"", "01", "1.",
        ".5", "+1", "[]", "{}",
    };
    char buf[32];
    int m = mode == M_MIXED ? pick(3) == 0 ? M_INT : M_FLOAT : mode;
    if (mode == M_ALL)
        m = pick(5);
    if (m == M_BIG && pick(3))
        m = M_INT;
    switch (m) {
    case M_INT:
        if (pick(2)) {
            snprintf(buf, sizeof buf, "%d", pick(2001) - 1000);
            put(t, buf);
        } else {
            put(t, ints[pick(sizeof ints / sizeof *ints)]);
        }
        break;
    case M_FLOAT:
        if (pick(2)) {
            snprintf(buf, sizeof buf, "%.*g", 1 + pick(17), (double)(int64_t)rnd() / 1e15);
            put(t, strchr(buf, '.') || strchr(buf, 'e') ? buf : "2.25");
        } else {
            put(t, floats[pick(sizeof floats / sizeof *floats)]);
        }
        break;
    case M_BOOL:
        put(t, pick(2) ? "true" : "false");
        break;
    case M_BIG:
        put(t, bigs[pick(sizeof bigs / sizeof *bigs)]);
        break;
    default:
        put(t, odd[pick(sizeof odd / sizeof *odd)]);
        break;
    }
}

/* The nested list of sizes sz[dim..ndim) (a rare ragged row or misplaced value: bad). */
static void array(text *t, int ndim, const int *sz, int dim, int mode, int bad)
{
    if (dim == ndim) {
        if (bad && pick(200) == 0)
            put(t, "[1]");
        else if (mode != M_ALL || pick(50))
            number(t, mode == M_ALL ? M_MIXED : mode);
        else
            number(t, M_ALL);
        return;
    }
    put(t, "[");
    int n = sz[dim];
    if (bad && pick(100) == 0)
        n += pick(2) ? 1 : -1;
    for (int i = 0; i < n; i++) {
        blank(t);
        array(t, ndim, sz, dim + 1, mode, bad);
        blank(t);
        if (i + 1 < n)
            put(t, ",");
    }
    put(t, "]");
}

static const char *const dtypes[] = {
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
    "float64", "complex64", "complex128", "uint16", "uint64", "torch.float64", "half", "bogus",
};

/* One input: an array, plain or in an object, maybe broken. */
static void make_case(text *t, tc_read_opts *o)
{
    int ndim = 1 + pick(4), sz[4], rows = 1 + pick(pick(4) ? 40 : 300);
    sz[0] = rows;
    for (int k = 1; k < ndim; k++)
        sz[k] = 1 + pick(k == ndim - 1 ? 8 : 3);
    int mode = pick(M_NMODES), bad = pick(4) == 0;
    t->n = 0;
    put(t, "");
    blank(t);
    int object = pick(4) == 0;
    if (object) {
        put(t, "{");
        if (pick(2)) {
            put(t, "\"dtype\": \"");
            put(t, dtypes[pick(sizeof dtypes / sizeof *dtypes)]);
            put(t, "\", ");
        }
        if (pick(2)) {
            char buf[64];
            if (pick(3))
                snprintf(buf, sizeof buf, "\"shape\": [%d, %d],", sz[0], ndim > 1 ? sz[1] : 1);
            else
                snprintf(buf, sizeof buf, "\"shape\": [%d],", sz[0] * (ndim > 1 ? sz[1] : 1));
            put(t, buf);
        }
        blank(t);
        put(t, "\"data\"");
        blank(t);
        put(t, ":");
    }
    array(t, ndim, sz, 0, mode, bad);
    if (object) {
        if (pick(6) == 0)
            put(t, pick(2) ? ", \"dtype\": \"float64\"" : ", \"shape\": [2]");
        put(t, "}");
    }
    blank(t);
    if (bad && t->n > 2) {
        size_t at = (size_t)pick((int)t->n);
        switch (pick(4)) {
        case 0:   /* a byte deleted */
            memmove(t->p + at, t->p + at + 1, t->n - at);
            t->n--;
            break;
        case 1: { /* a byte inserted */
            static const char ins[] = ",[]0-1e.\" x{}:";
            memmove(t->p + at + 1, t->p + at, t->n - at + 1);
            t->p[at] = ins[pick((int)sizeof ins - 1)];
            t->n++;
            break;
        }
        case 2:   /* cut short */
            t->n = at;
            t->p[at] = '\0';
            break;
        default:  /* a byte replaced */
            t->p[at] = ",[]0-1e.\" x"[pick(11)];
            break;
        }
    }
    tc_read_opts_init(o);
    o->format = TC_FMT_JSON;
    o->default_dtype = pick(3) ? TC_FLOAT32 : TC_FLOAT64;
    if (pick(5) == 0) {
        o->has_input_dtype = 1;
        o->input_dtype = (tc_dtype)pick(TC_NDTYPES);
    }
}

/* The result as text: the tensor's dtype, shape and bytes in hex, or the error. */
static char *describe(const char *p, size_t n, const tc_read_opts *o)
{
    tc_tensor *x = NULL;
    tc_err err;
    memset(&err, 0, sizeof err);
    int rc = tc_read_json(p, n, o, &x, &err);
    text r = {NULL, 0, 0};
    char buf[600];
    if (rc != TC_OK) {
        snprintf(buf, sizeof buf, "error %d at %ld:%ld: %s [%s %s]", rc, err.line, err.col, err.msg,
                 err.param ? err.param : "-", err.suggest);
        put(&r, buf);
        return r.p;
    }
    snprintf(buf, sizeof buf, "%s %d", tc_dtype_name(x->dtype), x->ndim);
    put(&r, buf);
    for (int k = 0; k < x->ndim; k++) {
        snprintf(buf, sizeof buf, " %lld", (long long)x->shape[k]);
        put(&r, buf);
    }
    put(&r, ":");
    const unsigned char *b = x->data;
    size_t bytes = (size_t)x->numel * tc_dtype_size(x->dtype);
    char *hex = malloc(2 * bytes + 1);
    if (!hex)
        abort();
    for (size_t k = 0; k < bytes; k++) {
        hex[2 * k] = "0123456789abcdef"[b[k] >> 4];
        hex[2 * k + 1] = "0123456789abcdef"[b[k] & 15];
    }
    hex[2 * bytes] = '\0';
    put(&r, hex);
    free(hex);
    tc_tensor_free(x);
    return r.p;
}

static int check(const text *t, const tc_read_opts *o, int threads, long block, long *fails)
{
    tc_read_opts one = *o, many = *o;
    one.threads = 1;
    many.threads = threads;
    many.block = block;
    char *a = describe(t->p, t->n, &one), *b = describe(t->p, t->n, &many);
    int same = !strcmp(a, b);
    if (!same && ++*fails <= 5) {
        fprintf(stderr, "json_parts: %d threads, parts of %ld bytes differ from one thread\n"
                "input (%zu bytes): %.400s\none:  %.300s\nmany: %.300s\n",
                threads, block, t->n, t->p, a, b);
    }
    int ok = strncmp(a, "error", 5) != 0;
    free(a);
    free(b);
    return ok;
}

int main(int argc, char **argv)
{
    long cases = argc > 1 ? strtol(argv[1], NULL, 10) : 8000, fails = 0, read = 0;
    huge[0] = '1';
    memset(huge + 1, '0', sizeof huge - 2);
    text t = {NULL, 0, 0};
    tc_read_opts o;
    for (long i = 0; i < cases; i++) {
        make_case(&t, &o);
        read += check(&t, &o, 2 + pick(3), 1 + pick(64), &fails);
    }
    /* a large one: the default parts (from 1 MiB), a row of 8 floats at a time */
    tc_read_opts_init(&o);
    o.format = TC_FMT_JSON;
    t.n = 0;
    put(&t, "[");
    for (int r = 0; t.n < (3u << 19); r++) {
        put(&t, r ? ",\n[" : "[");
        for (int k = 0; k < 8; k++) {
            if (k)
                put(&t, ", ");
            number(&t, r % 1000 == 999 ? M_MIXED : M_FLOAT);
        }
        put(&t, "]");
    }
    put(&t, "]");
    read += check(&t, &o, 2, 0, &fails);
    read += check(&t, &o, 3, 0, &fails);
    free(t.p);
    printf("json_parts: %ld inputs (%ld read, the others refused alike), %ld differ\n", cases + 2,
           read, fails);
    return fails != 0;
}
