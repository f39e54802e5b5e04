/*
 * fuzz_npz.c - libFuzzer target for .npz archives (read_npz.c): the names
 * listed, every named array read, and the first one.  Every call must
 * succeed or fail with a one-line message and no tensor; every name
 * listed must be found again by name (it may fail to read, not to be
 * found).
 */
#include "tcum.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, const tc_tensor *t, const tc_err *err)
{
    if (rc == TC_OK ? !t : (t || !err->msg[0] || strchr(err->msg, '\n')))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_set_memory_limit((uint64_t)256 << 20);   /* see fuzz_cli.c */
    const char *p = (const char *)data;
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    tc_tensor *t = NULL;
    tc_err err;
    memset(&err, 0, sizeof err);
    check(tc_read_npz(p, size, &ro, &t, &err), t, &err);
    tc_tensor_free(t);

    tc_buf names = {0};
    size_t count = 0;
    int rc = tc_npz_names(p, size, &names, &count, &err);
    if (rc == TC_OK) {
        const char *name = names.p;
        for (size_t k = 0; k < count && k < 16; k++, name += strlen(name) + 1) {
            ro.npz_name = name;
            t = NULL;
            memset(&err, 0, sizeof err);
            rc = tc_read_npz(p, size, &ro, &t, &err);
            check(rc, t, &err);
            if (rc == TC_EARG)
                abort();   /* a listed name is always found */
            tc_tensor_free(t);
        }
    } else if (count || !err.msg[0]) {
        abort();
    }
    ro.npz_name = "arr_0";
    t = NULL;
    check(tc_read_npz(p, size, &ro, &t, &err), t, &err);
    tc_tensor_free(t);
    tc_buf_free(&names);
    return 0;
}
