/*
 * print_diff.c - driver for print_diff.py: reads binary cases from stdin
 * and writes tc_print_torch's (or tc_print_result's) text for each,
 * followed by "\n\x01\n".  Not part of tcum; built by print_diff.py.
 *
 * A case: int32 dtype, ndim, precision, edgeitems, linewidth, sci_mode,
 * float64-default flag, named-tuple flag; double threshold; int64 shape[ndim];
 * the elements in tcum's storage layout; for a named tuple, int64 indices
 * of the same shape.  All native byte order.
 */
#include "tc_private.h"

#include <stdio.h>
#include <string.h>

static int rd(void *p, size_t n)
{
    return fread(p, 1, n, stdin) == n;
}

int main(void)
{
    int32_t h[8];
    while (rd(h, sizeof h)) {
        double thr;
        int64_t shape[TC_MAX_DIMS];
        tc_print_opts o;
        tc_err err;
        tc_buf b = {0};
        int rc;
        if (h[1] < 0 || h[1] > TC_MAX_DIMS || !rd(&thr, sizeof thr) ||
            !rd(shape, sizeof shape[0] * (size_t)h[1]))
            return 1;
        tc_print_opts_init(&o);
        o.precision = h[2];
        o.edgeitems = h[3];
        o.linewidth = h[4];
        o.sci_mode = h[5];
        o.default_dtype = h[6] ? TC_FLOAT64 : TC_FLOAT32;
        o.threshold = thr;
        tc_tensor *t = tc_tensor_new((tc_dtype)h[0], h[1], shape, &err);
        if (!t || !rd(t->data, (size_t)t->numel * tc_dtype_size(t->dtype)))
            return 1;
        if (h[7]) {
            tc_tensor *ix = tc_tensor_new(TC_INT64, h[1], shape, &err);
            if (!ix || !rd(ix->data, (size_t)ix->numel * sizeof(int64_t)))
                return 1;
            tc_result r = {"cummax", t, ix};
            rc = tc_print_result(&b, &r, &o, &err);
            tc_tensor_free(ix);
        } else {
            rc = tc_print_torch(&b, t, &o, &err);
        }
        if (rc != TC_OK)
            printf("ERROR: %s", err.msg);
        else
            fwrite(b.p, 1, b.n, stdout);
        printf("\n\x01\n");
        tc_buf_free(&b);
        tc_tensor_free(t);
    }
    return 0;
}
