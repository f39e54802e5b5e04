/*
 * numfmt.c - Python's number formatting, as PyTorch's printer uses it.
 *
 * PyTorch formats with '{:.4f}', '{:.4e}', '{:.0f}' and '{}'.  Python's
 * float formatting is correctly rounded, and so is glibc's printf for finite
 * values, so snprintf does the digits.  Two things differ and are handled
 * here: glibc writes "-nan" for a NaN with the sign bit set where Python
 * always writes "nan", and printf follows LC_NUMERIC.  The library assumes
 * the "C" locale for LC_NUMERIC: the tcum CLI never calls setlocale(), so
 * the decimal point is always '.'.
 */
#include "tc_private.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Python writes non-finite floats as "nan", "inf" and "-inf" in every format. */
static bool put_nonfinite(tc_buf *b, double v)
{
    if (isnan(v))
        tc_buf_puts(b, "nan");
    else if (isinf(v))
        tc_buf_puts(b, v < 0 ? "-inf" : "inf");
    else
        return false;
    return true;
}

/*
 * A double's exact decimal value has at most 1074 digits after the point
 * (2**-1074) and at most 767 significant digits, so printf's digits past
 * EXACT_DIGITS are all zeros: they are appended rather than computed, which
 * keeps an absurd --precision linear in the output and clear of printf's
 * int-sized length (a precision near INT_MAX made it write nothing).
 */
enum { EXACT_DIGITS = 1100 };

static void put_zeros(tc_buf *b, size_t n)
{
    char z[256];
    memset(z, '0', sizeof z);
    while (n > 0 && !b->oom) {
        size_t k = n < sizeof z ? n : sizeof z;
        tc_buf_put(b, z, k);
        n -= k;
    }
}

void tc_numfmt_fixed(tc_buf *b, double v, int prec)
{
    if (put_nonfinite(b, v))
        return;
    if (prec <= EXACT_DIGITS) {
        tc_buf_printf(b, "%.*f", prec, v);
        return;
    }
    tc_buf_printf(b, "%.*f", EXACT_DIGITS, v);
    put_zeros(b, (size_t)(prec - EXACT_DIGITS));
}

void tc_numfmt_sci(tc_buf *b, double v, int prec)
{
    if (put_nonfinite(b, v))
        return;
    if (prec <= EXACT_DIGITS) {
        tc_buf_printf(b, "%.*e", prec, v);
        return;
    }
    /* "d.ddd...e+XX": the zeros go before the exponent */
    char s[EXACT_DIGITS + 16];
    int n = snprintf(s, sizeof s, "%.*e", EXACT_DIGITS, v);
    const char *e = n > 0 ? strchr(s, 'e') : NULL;
    if (!e)
        return;
    tc_buf_put(b, s, (size_t)(e - s));
    put_zeros(b, (size_t)(prec - EXACT_DIGITS));
    tc_buf_puts(b, e);
}

void tc_numfmt_int(tc_buf *b, int64_t v)
{
    tc_buf_printf(b, "%" PRId64, v);
}

void tc_numfmt_bool(tc_buf *b, int v)
{
    tc_buf_puts(b, v ? "True" : "False");
}
