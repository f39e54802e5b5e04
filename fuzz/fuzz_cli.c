/*
 * fuzz_cli.c - libFuzzer target for the whole path: bytes -> reader -> op ->
 * printer.  The first 4 bytes choose the op, dim, dtype and modifiers; the
 * rest is the input, in any format.
 */
#include "tcum.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint8_t b0 = data[0], b1 = data[1], b2 = data[2], b3 = data[3];
    data += 4;
    size -= 4;

    tc_read_opts ro;
    tc_read_opts_init(&ro);
    if (b3 & 0x40) {
        ro.has_input_dtype = 1;
        ro.input_dtype = (tc_dtype)(b2 % TC_NDTYPES);
    }
    tc_tensor *x = NULL;
    tc_err err;
    memset(&err, 0, sizeof err);
    if (tc_read((const char *)data, size, &ro, &x, &err) != TC_OK)
        return 0;
    if (x->numel > 20000) {
        tc_tensor_free(x);
        return 0;
    }
    tc_op_args a;
    tc_op_args_init(&a, (tc_op)(b0 % TC_NOPS));
    a.has_dim = (b1 & 0x80) == 0;
    a.dim = (int8_t)(b1 << 1) / 2 % 6;
    if (b3 & 0x80) {
        a.has_dtype = 1;
        a.dtype = (tc_dtype)((b2 >> 4) % TC_NDTYPES);
    }
    a.reverse = b3 & 1;
    a.exclusive = (b3 >> 1) & 1;
    a.include_initial = (b3 >> 2) & 1;
    a.keepdim = (b3 >> 3) & 1;
    a.n = (b3 >> 4) & 3;

    tc_print_opts po;
    tc_print_opts_init(&po);
    po.precision = b2 & 7;
    po.threshold = (b2 & 8) ? 10 : 1000;
    po.linewidth = 20 + (b1 & 63);

    tc_buf out = {0};
    if (b3 & 0x20) {
        tc_tensor *g = NULL;
        if (tc_op_grad(&a, x, NULL, &g, &err) == TC_OK) {
            tc_print_torch(&out, g, &po, &err);
            tc_tensor_free(g);
        }
    } else {
        tc_result r;
        memset(&r, 0, sizeof r);
        if (tc_op_run(&a, x, &r, &err) == TC_OK) {
            tc_print_result(&out, &r, &po, &err);
            tc_result_free(&r);
        }
    }
    tc_buf_free(&out);
    tc_tensor_free(x);
    return 0;
}
