/*
 * fuzz_read.c - libFuzzer target for one reader, chosen at build time with
 * -DFUZZ_FORMAT=TC_FMT_CSV (or _JSON, _NPY, _TORCH, _AUTO).  Every input
 * must either parse or fail with a message; the tensor is printed to
 * exercise the printer on whatever the reader accepts.
 */
#include "tcum.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT TC_FMT_AUTO
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_set_memory_limit((uint64_t)256 << 20);   /* see fuzz_cli.c */
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    ro.format = FUZZ_FORMAT;
    tc_tensor *t = NULL;
    tc_err err;
    memset(&err, 0, sizeof err);
    int rc = tc_read((const char *)data, size, &ro, &t, &err);
    if (rc != TC_OK) {
        if (t || !err.msg[0] || strchr(err.msg, '\n'))
            abort();   /* failure must leave no tensor and one line */
        return 0;
    }
    if (!t)
        abort();
    if (t->numel <= 100000) {
        tc_print_opts po;
        tc_print_opts_init(&po);
        tc_buf out = {0};
        if (tc_print_torch(&out, t, &po, &err) != TC_OK && !out.oom)
            abort();
        tc_buf_free(&out);
    }
    tc_tensor_free(t);
    return 0;
}
