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

void tc_numfmt_fixed(tc_buf *b, double v, int prec)
{
    if (!put_nonfinite(b, v))
        tc_buf_printf(b, "%.*f", prec, v);
}

void tc_numfmt_sci(tc_buf *b, double v, int prec)
{
    if (!put_nonfinite(b, v))
        tc_buf_printf(b, "%.*e", prec, v);
}

void tc_numfmt_int(tc_buf *b, int64_t v)
{
    tc_buf_printf(b, "%" PRId64, v);
}

void tc_numfmt_bool(tc_buf *b, int v)
{
    tc_buf_puts(b, v ? "True" : "False");
}
