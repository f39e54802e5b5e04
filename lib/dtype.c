/* dtype.c - STUB: to be written. */
#include "tc_private.h"

size_t tc_dtype_size(tc_dtype t) { (void)t; return 1; }
const char *tc_dtype_name(tc_dtype t) { (void)t; return "?"; }
const char *tc_dtype_torch_name(tc_dtype t) { (void)t; return "?"; }
const char *tc_dtype_scalar_name(tc_dtype t) { (void)t; return "?"; }
int tc_dtype_parse(const char *s, tc_dtype *out) { (void)s; (void)out; return 0; }
int tc_dtype_is_float(tc_dtype t) { (void)t; return 0; }
int tc_dtype_is_complex(tc_dtype t) { (void)t; return 0; }
int tc_dtype_is_integral(tc_dtype t, int include_bool) { (void)t; (void)include_bool; return 0; }
float tc_half_to_float(uint16_t h) { (void)h; return 0; }
uint16_t tc_float_to_half(float f) { (void)f; return 0; }
float tc_bf16_to_float(uint16_t b) { (void)b; return 0; }
uint16_t tc_float_to_bf16(float f) { (void)f; return 0; }
int tc_tensor_convert(const tc_tensor *x, tc_dtype t, tc_tensor **out, tc_err *err) { (void)x; (void)t; *out = NULL; return tc_err_set(err, TC_EUSAGE, "not implemented"); }
int64_t tc_cast_f64_to_i64(double v) { (void)v; return 0; }
int32_t tc_cast_f64_to_i32(double v) { (void)v; return 0; }
void tc_store_f64(tc_tensor *t, int64_t i, double v) { (void)t; (void)i; (void)v; }
void tc_store_i64(tc_tensor *t, int64_t i, int64_t v) { (void)t; (void)i; (void)v; }
void tc_store_c128(tc_tensor *t, int64_t i, double re, double im) { (void)t; (void)i; (void)re; (void)im; }
