/* print_torch.c - STUB: to be written. */
#include "tc_private.h"

void tc_print_opts_init(tc_print_opts *o) { (void)o; }
int tc_print_opts_profile(tc_print_opts *o, const char *name) { (void)o; (void)name; return 0; }
int tc_print_torch(tc_buf *out, const tc_tensor *t, const tc_print_opts *o, tc_err *err) { (void)out; (void)t; (void)o; return tc_err_set(err, TC_EUSAGE, "not implemented"); }
int tc_print_result(tc_buf *out, const tc_result *r, const tc_print_opts *o, tc_err *err) { (void)out; (void)r; (void)o; return tc_err_set(err, TC_EUSAGE, "not implemented"); }
