/*
 * fuzz_cli.c - libFuzzer target for the whole path: bytes -> reader -> op ->
 * printer or writer.  The first 4 bytes choose the op, dim, dtype,
 * modifiers and output format (PyTorch repr, CSV, JSON, npy); the rest is
 * the input, in any format.  Memory is capped at 256 MB so that an empty
 * tensor with huge dims (valid, and a few bytes of npy) reaches tcum's
 * "too large" refusals instead of libFuzzer's malloc limit.
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
    tc_set_memory_limit((uint64_t)256 << 20);
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

    int format = (b0 / TC_NOPS) & 3;   /* b0 % TC_NOPS is the op */

    tc_buf out = {0};
    tc_result r;
    memset(&r, 0, sizeof r);
    int rc;
    if (b3 & 0x20) {
        rc = tc_op_grad(&a, x, NULL, &r.values, &err);
    } else {
        rc = tc_op_run(&a, x, &r, &err);
    }
    if (rc == TC_OK) {
        switch (format) {
        case 0:
            rc = b3 & 0x20 ? tc_print_torch(&out, r.values, &po, &err) : tc_print_result(&out, &r, &po, &err);
            break;
        case 1: rc = tc_write_csv(&out, r.values, ',', &err); break;
        case 2: rc = tc_write_json(&out, &r, &err); break;
        default: rc = tc_write_npy(&out, r.values, &err); break;
        }
        if (rc != TC_OK && (!err.msg[0] || strchr(err.msg, '\n')))
            abort();   /* a refusal is one line */
    } else if (!err.msg[0] || strchr(err.msg, '\n')) {
        abort();
    }
    tc_result_free(&r);
    tc_buf_free(&out);
    tc_tensor_free(x);
    return 0;
}
