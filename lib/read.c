/*
 * read.c - read options, format detection and dispatch to the readers.
 */
#include "tc_private.h"

#include <string.h>

void tc_read_opts_init(tc_read_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = TC_FMT_AUTO;
    o->delimiter = ',';
    o->header = -1;
    o->has_input_dtype = 0;
    o->input_dtype = TC_FLOAT32;
    o->default_dtype = TC_FLOAT32;
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

tc_format tc_detect_format(const char *data, size_t n)
{
    /* A proper prefix of the magic is a truncated npy, not a CSV header. */
    if (starts_with(data, n, "\x93NUMPY") || (n > 0 && n < 6 && !memcmp(data, "\x93NUMPY", n)))
        return TC_FMT_NPY;
    size_t i = tc_bom_len(data, n);
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < n && (data[i] == '[' || data[i] == '{'))
        return TC_FMT_JSON;
    if (starts_with(data + i, n - i, "tensor(") ||
        starts_with(data + i, n - i, "torch.return_types."))
        return TC_FMT_TORCH;
    return TC_FMT_CSV;
}

int tc_read_opts_check(const tc_read_opts *o, tc_err *err)
{
    return o->has_input_dtype ? tc_dtype_check_version(o->input_dtype, o->torch_version, err) : TC_OK;
}

int tc_read(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out, tc_err *err)
{
    *out = NULL;
    int rc = tc_read_opts_check(o, err);
    if (rc)
        return rc;
    tc_format f = o->format == TC_FMT_AUTO ? tc_detect_format(data, n) : o->format;
    switch (f) {
    case TC_FMT_JSON: rc = tc_read_json(data, n, o, out, err); break;
    case TC_FMT_NPY: rc = tc_read_npy(data, n, o, out, err); break;
    case TC_FMT_TORCH: rc = tc_read_torch(data, n, o, out, err); break;
    default: rc = tc_read_csv(data, n, o, out, err); break;
    }
    /* a dtype named in the input itself (JSON's "dtype", a repr's dtype=) */
    if (rc == TC_OK && (rc = tc_dtype_check_version((*out)->dtype, o->torch_version, err))) {
        tc_tensor_free(*out);
        *out = NULL;
    }
    return rc;
}
