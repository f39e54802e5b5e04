/*
 * gen.c - deterministic benchmark data: `gen csv ROWS COLS` writes a CSV of
 * decimals, `gen json N` an N x N JSON matrix of values near 1 (so cumprod
 * stays finite for a while), `gen table ROWS` a real-looking table (W6): a
 * header, a date, a name with a quoted comma, six columns of prices and
 * volumes of which 2% of the cells are empty.  A fixed xorshift generator:
 * same bytes on every machine.
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
    if (argc == 3 && !strcmp(argv[1], "table")) {
        static const char *first[] = {"John", "Mary", "Ahmed", "Li", "Olga", "Pedro", "Yuki", "Anna"};
        static const char *last[] = {"Smith", "Garcia", "Khan", "Wang", "Ivanova", "Silva", "Sato",
                                     "Berg", "O'Neil", "Jones"};
        long rows = atol(argv[2]);
        puts("Date,Name,Open,High,Low,Close,Adj Close,Volume");
        for (long r = 0; r < rows; r++) {
            long day = r % 28 + 1, month = r / 28 % 12 + 1, year = 1990 + r / 336 % 35;
            printf("%ld-%02ld-%02ld,\"%s, %s\"", year, month, day, last[next() % 10], first[next() % 8]);
            for (int c = 0; c < 6; c++) {
                putchar(',');
                if (next() % 50 == 0)
                    continue;   /* 2% of the cells are empty */
                if (c == 5)
                    printf("%" PRIu64, 1000 + next() % 9000000);
                else {
                    uint64_t v = 100 + next() % 99900;   /* 1.00 .. 999.99 */
                    printf("%" PRIu64 ".%02" PRIu64, v / 100, v % 100);
                }
            }
            putchar('\n');
        }
        return 0;
    }
    fprintf(stderr, "usage: gen csv ROWS COLS | gen json N | gen table ROWS\n");
    return 2;
}
