/* read.c - STUB: to be written. */
#include "tc_private.h"

void tc_read_opts_init(tc_read_opts *o) { (void)o; }
tc_format tc_detect_format(const char *data, size_t n) { (void)data; (void)n; return TC_FMT_CSV; }
int tc_read(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out, tc_err *err) { (void)data; (void)n; (void)o; *out = NULL; return tc_err_set(err, TC_EINPUT, "not implemented"); }
