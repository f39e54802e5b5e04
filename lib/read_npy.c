/* read_npy.c - STUB: to be written. */
#include "tc_private.h"

int tc_read_npy(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out, tc_err *err) { (void)data; (void)n; (void)o; *out = NULL; return tc_err_set(err, TC_EINPUT, "not implemented"); }
