/*
 * tc_private.h - definitions shared by the library sources only; never installed.
 * Sections are owned by modules; add to your module's section.
 */
#ifndef TC_PRIVATE_H
#define TC_PRIVATE_H

#include "tcum.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Chain helpers that return a static message or NULL (jq's jv_parse.c). */
#define TRY(x) do { const char *msg_ = (x); if (msg_) return msg_; } while (0)

#define TC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TC_MAX(a, b) ((a) > (b) ? (a) : (b))

/* a * b into *out; false on overflow (operands must be >= 0). */
bool tc_mul_ok(int64_t a, int64_t b, int64_t *out);

/* Position a message: sets err->line and err->col and returns err->code. */
int tc_err_at(tc_err *err, long line, long col);

/* ---- tensor.c -------------------------------------------------------------- */

/*
 * View x around dim as outer x n x inner (C order): element (o, k, i) is at
 * flat index (o * n + k) * inner + i.  dim must already be wrapped; a 0-d
 * tensor is 1 x 1 x 1.
 */
void tc_lanes(const tc_tensor *x, int dim, int64_t *outer, int64_t *n, int64_t *inner);

/* Shape as PyTorch prints it in messages: "[2, 3]" (brackets) or "(2, 3)" (parens). */
void tc_shape_str(const tc_tensor *x, int parens, char *out, size_t cap);

/* ---- dtype.c ----------------------------------------------------------------- */

/*
 * Casts with PyTorch's x86-64 CPU semantics.  Each takes a double (or int64)
 * and returns the stored value of the target dtype.
 */
int64_t tc_cast_f64_to_i64(double v);     /* cvttsd2si: NaN/out of range -> INT64_MIN */
int32_t tc_cast_f64_to_i32(double v);     /* NaN/out of range -> INT32_MIN */
/* Store one value into element i of t, converting as tensor.to() does. */
void tc_store_f64(tc_tensor *t, int64_t i, double v);
void tc_store_i64(tc_tensor *t, int64_t i, int64_t v);
void tc_store_c128(tc_tensor *t, int64_t i, double re, double im);

/* ---- ops.c / scan.c / reduce.c -------------------------------------------- */

/* One op implementation; validates as PyTorch does, in PyTorch's order. */
typedef int (*tc_op_fn)(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);

/* scan.c: cumsum cumprod cummax cummin logcumsumexp nancumsum nancumprod */
int tc_scan_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);
/* reduce.c: sum prod amax amin logsumexp mean max min */
int tc_reduce_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);
/* diff.c: diff, cumulative_trapezoid */
int tc_diff_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);

/* ---- readers (value.c, read_*.c) ------------------------------------------ */

/* ---- printers (print_torch.c, numfmt.c) ------------------------------------ */

/*
 * numfmt.c: Python's formatting of one number, appended to b.  fixed is
 * '{:.Nf}', sci is '{:.Ne}' (both "nan", "inf", "-inf" for non-finite
 * values, never "-nan"), int is '{}' of an int, bool is "True"/"False".
 * Assumes LC_NUMERIC is "C" (the CLI never calls setlocale).
 */
void tc_numfmt_fixed(tc_buf *b, double v, int prec);
void tc_numfmt_sci(tc_buf *b, double v, int prec);
void tc_numfmt_int(tc_buf *b, int64_t v);
void tc_numfmt_bool(tc_buf *b, int v);

/* ---- write.c ------------------------------------------------------------------ */

/* Append Python's repr(v) of a float: "0.1", "1e-05", "123.0", "-0.0", "nan". */
void tc_repr_f64(tc_buf *b, double v);

#endif /* TC_PRIVATE_H */
