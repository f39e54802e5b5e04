/*
 * numcheck.c - tcum's number text against glibc, beyond what golden cases
 * can hold (`make numcheck`; minutes, not part of `make check`).
 *
 *   parse   tc_scalar_parse on >= 10 million decimals must give strtod's
 *           double bit for bit: %.17g and %.Ne of random bit patterns
 *           (subnormals, extremes included), exact halfway points between
 *           adjacent doubles (up to 767 digits, the ties-to-even cases),
 *           and random digit strings with exponents near the ends of the
 *           range.
 *   f64     tc_repr_f64 of >= 10 million random doubles: strtod reads it
 *           back to the same bits, and its digits are the reference
 *           shortest ones (the correctly rounded %.Ne for the fewest N that
 *           reads back, or the neighbour above it when the nearest misses:
 *           what David Gay's mode 0 and Python's repr give).
 *   f32     every one of the 2^32 float32 bit patterns through
 *           tc_format_value: NaN and inf by name, negatives as "-" and the
 *           positive's text, and for every positive finite value: the text
 *           reads back through double to the same float (as the readers and
 *           torch.tensor read a float32) and directly (strtof), no shorter
 *           decimal rounds to it (only the two shorter decimals around it
 *           can: the values that do form an interval), and no decimal as
 *           short is nearer, ties to even: NumPy's repr.
 *
 *   ryu     the fast shortest digits (Dragonbox) against to_chars' (Ryu):
 *           10 x COUNT random float64 and every positive float32.
 *
 * Usage: numcheck [parse|f64|f32|ryu|all] [COUNT]   (threads: one per core;
 * COUNT defaults to 10 million; `numcheck f32 COUNT` samples COUNT patterns)
 * Prints one line per check and exits 1 on any mismatch.
 */
#include "tc_private.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct job {
    int id, nthreads;
    uint64_t count;
    uint64_t fails, checked, ties;
    char first[400];
} job;

static uint64_t next(uint64_t *s)
{
    /* splitmix64: deterministic, per-thread streams */
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static void fail(job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(job *j, const char *fmt, ...)
{
    if (!j->fails++) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(j->first, sizeof j->first, fmt, ap);
        va_end(ap);
    }
}

/* ---- parse ---------------------------------------------------------------- */

static void parse_one(job *j, const char *s)
{
    tc_scalar v;
    double want = strtod(s, NULL);
    j->checked++;
    if (!tc_scalar_parse(s, strlen(s), &v)) {
        fail(j, "parse: %s refused", s);
        return;
    }
    double got = v.kind == TC_SK_INT ? (double)v.i : v.re;
    if (v.kind == TC_SK_INT && v.i == 0 && s[0] == '-')
        got = -0.0;   /* an int literal; strtod keeps the sign of zero */
    if (bits(got) != bits(want) && !(isnan(got) && isnan(want))) {
        char g[40];
        snprintf(g, sizeof g, "%a", got);
        fail(j, "parse: %s gave %s", s, g);
    }
}

static void *parse_thread(void *arg)
{
    job *j = arg;
    uint64_t st = 0x1234567 + (uint64_t)j->id * 0x10001;
    char s[1200];
    for (uint64_t k = 0; k < j->count; k++) {
        uint64_t r = next(&st);
        double d = from_bits(next(&st));
        if (isnan(d) || isinf(d))
            d = from_bits(r >> 12);   /* a subnormal instead */
        switch (r % 6) {
        case 0:
            snprintf(s, sizeof s, "%.17g", d);
            break;
        case 1:
            snprintf(s, sizeof s, "%.*e", (int)(r >> 8) % 25, d);
            break;
        case 2: {
            /* the exact midpoint between d and its neighbour above */
            double up = nextafter(fabs(d), INFINITY);
            if (isinf(up))
                up = fabs(d);
            long double mid = ((long double)fabs(d) + (long double)up) / 2;
            snprintf(s, sizeof s, "%s%.800Le", signbit(d) ? "-" : "", mid);
            /* cut the zeros glibc pads with */
            char *e = strchr(s, 'e'), *z = e;
            while (z[-1] == '0')
                z--;
            memmove(z, e, strlen(e) + 1);
            break;
        }
        case 3: {
            /* random digits, random length, exponent anywhere in range */
            int nd = 1 + (int)((r >> 8) % 30), e = (int)((r >> 16) % 700) - 350;
            int k2 = 0;
            if (r & 1 << 30)
                s[k2++] = '-';
            for (int i = 0; i < nd; i++) {
                s[k2++] = (char)('0' + next(&st) % 10);
                if (i == 0 && nd > 1)
                    s[k2++] = '.';
            }
            snprintf(s + k2, sizeof s - (size_t)k2, "e%d", e);
            break;
        }
        case 4: {
            /* near the ends: the largest and the subnormal range */
            static const char *edge[] = {"1.7976931348623157e308", "1.7976931348623158e308",
                                         "1.797693134862315807e308", "1.7976931348623159e308",
                                         "4.9406564584124654e-324", "2.4703282292062327e-324",
                                         "2.4703282292062328e-324", "2.2250738585072011e-308",
                                         "2.2250738585072014e-308", "1e-400", "1e400", "0e999"};
            size_t ne = sizeof edge / sizeof *edge;
            snprintf(s, sizeof s, "%s%.*s%" PRIu64, r & 1 << 20 ? "-" : "",
                     (int)strcspn(edge[(r >> 8) % ne], "e"), edge[(r >> 8) % ne], (r >> 24) % 1000);
            strcat(s, strchr(edge[(r >> 8) % ne], 'e'));
            break;
        }
        default:
            /* plain decimals as in a CSV: up to 19 digits around the point */
            snprintf(s, sizeof s, "%" PRId64 ".%0*" PRIu64, (int64_t)(r >> 20) - (INT64_C(1) << 43),
                     (int)(r % 12) + 1, next(&st) % 1000000000000u);
            break;
        }
        parse_one(j, s);
    }
    return NULL;
}

/* ---- shortest float64 ------------------------------------------------------ */

/* The reference shortest digits of v > 0 (no dot, no trailing zeros) and exponent of the first. */
static int ref_shortest(double v, char dig[32], int *e10)
{
    char s[48];
    for (int p = 1; p <= 17; p++) {
        snprintf(s, sizeof s, "%.*e", p - 1, v);
        double back = strtod(s, NULL);
        int k = 0;
        char *c = s;
        for (; *c != 'e'; c++)
            if (*c != '.')
                dig[k++] = *c;
        *e10 = atoi(c + 1);
        if (back != v && back < v) {
            /* the neighbour above can read back when the nearest below misses */
            char up[32];
            memcpy(up, dig, (size_t)k);
            int i = k - 1, e2 = *e10;
            while (i >= 0 && up[i] == '9')
                up[i--] = '0';
            if (i >= 0)
                up[i]++;
            else
                up[0] = '1', e2++;
            char t[64];
            snprintf(t, sizeof t, "%c.%.*se%d", up[0], k - 1, up + 1, e2);
            if (strtod(t, NULL) == v) {
                memcpy(dig, up, (size_t)k);
                *e10 = e2;
                back = v;
            }
        }
        if (back == v) {
            while (k > 1 && dig[k - 1] == '0')
                k--;
            dig[k] = '\0';
            return k;
        }
    }
    return 0;
}

/* The digits and exponent of repr text s (positional or scientific). */
static int text_digits(const char *s, char dig[32], int *e10)
{
    int k = 0, point = -1, lead = 0;
    bool nz = false;
    const char *c = s;
    for (; *c && *c != 'e'; c++) {
        if (*c == '.') {
            point = k + lead;
            continue;
        }
        if (*c < '0' || *c > '9')
            continue;
        if (!nz && *c == '0') {
            lead++;
            continue;
        }
        nz = true;
        dig[k++] = *c;
    }
    if (point < 0)
        point = k + lead;
    *e10 = point - lead - 1 + (*c == 'e' ? atoi(c + 1) : 0);   /* before dig (maybe s) is cut */
    while (k > 1 && dig[k - 1] == '0')
        k--;
    dig[k] = '\0';
    return k;
}

static void *f64_thread(void *arg)
{
    job *j = arg;
    uint64_t st = 0xABCDEF + (uint64_t)j->id * 0x10001;
    tc_buf b = {0};
    for (uint64_t k = 0; k < j->count; k++) {
        uint64_t r = next(&st);
        double v = from_bits(r);
        if (k % 4 == 1)
            v = from_bits(r >> 12);                         /* subnormal */
        else if (k % 4 == 2)
            v = (double)(int64_t)(r >> 34) / 1e6;           /* CSV-like decimals */
        if (isnan(v) || isinf(v) || v == 0)
            continue;
        b.n = 0;
        tc_repr_f64(&b, v);
        if (b.oom)
            abort();
        j->checked++;
        if (strtod(b.p, NULL) != v) {
            char g[40];
            snprintf(g, sizeof g, "%a", v);
            fail(j, "f64: %s does not read back to %s", b.p, g);
            continue;
        }
        char want[32], got[32];
        int we, ge;
        ref_shortest(fabs(v), want, &we);
        text_digits(b.p, got, &ge);
        if (strcmp(want, got) || we != ge) {
            char w[64];
            snprintf(w, sizeof w, "%se%d (%.17g)", want, we, v);
            fail(j, "f64: %s, expected digits %s", b.p, w);
        }
    }
    tc_buf_free(&b);
    return NULL;
}

/* ---- float32, exhaustive ------------------------------------------------------ */

/*
 * Does decimal dig (k digits) x 10^e10 round to f?  Shortest and nearest
 * are NumPy's (Dragon4) and Ryu's: decimal to float rounded once (strtof).
 * Through double it can differ: 7.038531e-26 is just below the midpoint
 * under 7.0385313e-26f, so strtof gives the float below, but the double
 * nearest to it is that midpoint exactly, which rounds to the even
 * 7.0385313e-26f.  NumPy prints 8 digits there, and so does tcum; the
 * printed text must read back both ways (checked separately).
 */
static bool reads_f32(const char *dig, int k, int e10, float f)
{
    char t[64];
    snprintf(t, sizeof t, "%c.%.*se%d", dig[0], k - 1, dig + 1, e10);
    return strtof(t, NULL) == f;
}

static void *f32_thread(void *arg)
{
    job *j = arg;
    tc_buf b = {0}, nb = {0};
    float f;
    tc_tensor t = {.dtype = TC_FLOAT32, .ndim = 0, .numel = 1, .data = &f};
    uint64_t n = (uint64_t)1 << 31;
    /* a count samples the patterns evenly (a quick run); 0 takes them all */
    uint64_t step = j->count > 1 && j->count < n ? n / j->count : 1;
    for (uint64_t u = (uint64_t)j->id * step; u < n; u += (uint64_t)j->nthreads * step) {
        uint32_t w = (uint32_t)u;
        memcpy(&f, &w, sizeof f);
        b.n = 0;
        tc_format_value(&b, &t, 0);
        /* the negative pattern: "-" and the same text ("nan" stays) */
        uint32_t wn = w | 0x80000000u;
        memcpy(&f, &wn, sizeof f);
        nb.n = 0;
        tc_format_value(&nb, &t, 0);
        memcpy(&f, &w, sizeof f);
        if (b.oom || nb.oom)
            abort();
        j->checked += 2;
        if (isnan(f)) {
            if (strcmp(b.p, "nan") || strcmp(nb.p, "nan"))
                fail(j, "f32: NaN as %s / %s", b.p, nb.p);
            continue;
        }
        if (nb.p[0] != '-' || strcmp(nb.p + 1, b.p))
            fail(j, "f32: negative %s of %s", nb.p, b.p);
        if (isinf(f)) {
            if (strcmp(b.p, "inf"))
                fail(j, "f32: inf as %s", b.p);
            continue;
        }
        if (f == 0) {
            if (strcmp(b.p, "0.0"))
                fail(j, "f32: zero as %s", b.p);
            continue;
        }
        if ((float)strtod(b.p, NULL) != f || strtof(b.p, NULL) != f) {
            fail(j, "f32: %s does not read back", b.p);
            continue;
        }
        if (w == 0x15ae43fdu) {
            /* write.c's one exception: NumPy's 7.038531e-26 reads back
               through double as the next float; 8 digits do not */
            if (strcmp(b.p, "7.0385307e-26"))
                fail(j, "f32: 0x15ae43fd as %s", b.p);
            continue;
        }
        char dig[32];
        int e10;
        int k = text_digits(b.p, dig, &e10);
        if (k > 1) {
            /* the two (k-1)-digit decimals around it must both miss */
            char lo[32];
            memcpy(lo, dig, (size_t)k - 1);
            lo[k - 1] = '\0';
            char hi[32];
            memcpy(hi, lo, (size_t)k);
            int i = k - 2, e2 = e10;
            while (i >= 0 && hi[i] == '9')
                hi[i--] = '0';
            if (i >= 0)
                hi[i]++;
            else
                hi[0] = '1', e2++;
            if (reads_f32(lo, k - 1, e10, f) || reads_f32(hi, k - 1, e2, f))
                fail(j, "f32: %s is not the shortest", b.p);
        }
        /*
         * No k-digit neighbour that reads back is nearer, and on an exact
         * tie the even one (NumPy's Dragon4 and Ryu round half to even).
         * Doubles decide unless the two distances are within 1e-5 of a
         * unit (their error is below 1e-7 of one); then the exact decimal
         * expansion of f (glibc prints it) is compared with the midpoint.
         */
        long long D = atoll(dig);
        int sc = e10 - (k - 1);
        double unit = pow(10, sc);
        double dist = fabs((double)D * unit - (double)f);
        for (int s2 = -1; s2 <= 1; s2 += 2) {
            long long N = D + s2;
            double nd = fabs((double)N * unit - (double)f);
            char nt[32];
            int nk = snprintf(nt, sizeof nt, "%lld", N);
            if (nk != k || nd > dist + 1e-5 * unit || !reads_f32(nt, nk, e10, f))
                continue;
            if (nd < dist - 1e-5 * unit) {
                fail(j, "f32: %s has a nearer neighbour %s", b.p, nt);
                continue;
            }
            char ex[200], mid[40];
            snprintf(ex, sizeof ex, "%.150e", (double)f);
            int xe, me;
            int xk = text_digits(ex, ex, &xe);
            long long L = D < N ? D : N;
            snprintf(mid, sizeof mid, "%llde%d", (2 * L + 1) * 5, sc - 1);
            int mk = text_digits(mid, mid, &me);
            if (xk != mk || xe != me || memcmp(ex, mid, (size_t)xk)) {
                /* not a tie: the doubles were right within their error */
                if (nd < dist)
                    fail(j, "f32: %s has a nearer neighbour %s", b.p, nt);
                continue;
            }
            j->ties++;
            if ((D & 1) != 0)
                fail(j, "f32: %s on a tie with %s is not the even one", b.p, nt);
        }
    }
    tc_buf_free(&b);
    tc_buf_free(&nb);
    return NULL;
}

/* ---- the fast shortest digits against to_chars ---------------------------------- */

/*
 * tc_cc_shortest_* (Dragonbox when built with it) against the same digits
 * from libstdc++'s to_chars (Ryu): COUNT random float64 bit patterns and
 * every positive finite float32.
 */
static void *ryu_thread(void *arg)
{
    job *j = arg;
    uint64_t seed = 0xD1CE + (uint64_t)j->id;
    char a[24], b[24];
    int da, db;
    for (uint64_t k = 0; k < j->count; k++) {
        double v = fabs(from_bits(next(&seed)));
        if (!isfinite(v) || v == 0)
            continue;
        int na = tc_cc_shortest_f64(v, a, &da), nb = tc_cc_shortest_f64_ryu(v, b, &db);
        j->checked++;
        if (na != nb || da != db || memcmp(a, b, (size_t)na))
            fail(j, "f64 %a: %s e%d against %s e%d", v, a, da, b, db);
    }
    for (uint64_t u = (uint64_t)j->id + 1; u < 0x7f800000u; u += (uint64_t)j->nthreads) {
        uint32_t w = (uint32_t)u;
        float f;
        memcpy(&f, &w, sizeof f);
        int na = tc_cc_shortest_f32(f, a, &da), nb = tc_cc_shortest_f32_ryu(f, b, &db);
        j->checked++;
        if (na != nb || da != db || memcmp(a, b, (size_t)na))
            fail(j, "f32 %a: %s e%d against %s e%d", (double)f, a, da, b, db);
    }
    return NULL;
}

/* ---- driver ------------------------------------------------------------------- */

static int run(const char *name, void *(*fn)(void *), uint64_t count, int nt)
{
    job jobs[64];
    pthread_t th[64];
    for (int i = 0; i < nt; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].id = i;
        jobs[i].nthreads = nt;
        jobs[i].count = count / (uint64_t)nt + 1;
        if (pthread_create(&th[i], NULL, fn, &jobs[i]) != 0) {
            perror("pthread_create");
            exit(2);
        }
    }
    uint64_t fails = 0, checked = 0, ties = 0;
    const char *first = NULL;
    for (int i = 0; i < nt; i++) {
        pthread_join(th[i], NULL);
        fails += jobs[i].fails;
        checked += jobs[i].checked;
        ties += jobs[i].ties;
        if (jobs[i].fails && !first)
            first = jobs[i].first;
    }
    printf("%-6s %" PRIu64 " values checked, %" PRIu64 " mismatches", name, checked, fails);
    if (ties)
        printf(" (%" PRIu64 " exact ties between two nearest)", ties);
    printf("%s%s\n", first ? "; first: " : "", first ? first : "");
    fflush(stdout);
    return fails != 0;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "all";
    uint64_t count = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
    long nt = sysconf(_SC_NPROCESSORS_ONLN);
    if (nt < 1 || nt > 64)
        nt = nt < 1 ? 1 : 64;
    int rc = 0;
    bool all = !strcmp(what, "all");
    if (all || !strcmp(what, "parse"))
        rc |= run("parse", parse_thread, count, (int)nt);
    if (all || !strcmp(what, "f64"))
        rc |= run("f64", f64_thread, count, (int)nt);
    if (all || !strcmp(what, "f32"))
        rc |= run("f32", f32_thread, argc > 2 && !all ? count : 0, (int)nt);
    if (all || !strcmp(what, "ryu"))
        rc |= run("ryu", ryu_thread, count * 10, (int)nt);
    return rc;
}
