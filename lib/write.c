/* write.c - STUB: to be written. */
#include "tc_private.h"

/* nothing yet; keeps the translation unit non-empty */
typedef int tc_write_placeholder;
void tc_format_value(tc_buf *out, const tc_tensor *t, int64_t i) { (void)out; (void)t; (void)i; }
int tc_write_csv(tc_buf *out, const tc_tensor *t, char delim, tc_err *err) { (void)out; (void)t; (void)delim; return tc_err_set(err, TC_EUSAGE, "not implemented"); }
int tc_write_json(tc_buf *out, const tc_result *r, tc_err *err) { (void)out; (void)r; return tc_err_set(err, TC_EUSAGE, "not implemented"); }
int tc_write_npy(tc_buf *out, const tc_tensor *t, tc_err *err) { (void)out; (void)t; return tc_err_set(err, TC_EUSAGE, "not implemented"); }
