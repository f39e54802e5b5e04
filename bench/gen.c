/*
 * gen.c - deterministic benchmark data: `gen csv ROWS COLS` writes a CSV of
 * decimals, `gen json N` an N x N JSON matrix of values near 1 (so cumprod
 * stays finite for a while).  A fixed xorshift generator: same bytes on
 * every machine.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9E3779B97F4A7C15u;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "csv")) {
        long rows = atol(argv[2]), cols = atol(argv[3]);
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < cols; c++) {
                /* -999.999999 .. 999.999999 with 6 decimals */
                int64_t v = (int64_t)(next() % 1999999999u) - 999999999;
                int64_t a = v < 0 ? -v : v;
                printf("%s%" PRId64 ".%06" PRId64 "%c", v < 0 ? "-" : "", a / 1000000, a % 1000000,
                       c + 1 < cols ? ',' : '\n');
            }
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "json")) {
        long n = atol(argv[2]);
        putchar('[');
        for (long r = 0; r < n; r++) {
            printf("%s[", r ? ",\n" : "");
            for (long c = 0; c < n; c++)
                printf("%s%.4f", c ? ", " : "", 0.99 + (double)(next() % 2001) / 100000.0);
            putchar(']');
        }
        puts("]");
        return 0;
    }
    fprintf(stderr, "usage: gen csv ROWS COLS | gen json N\n");
    return 2;
}
