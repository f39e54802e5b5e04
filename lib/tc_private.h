/*
 * tc_private.h - definitions shared by the library sources only; never installed.
 * Sections are owned by modules; add to your module's section.
 */
#ifndef TC_PRIVATE_H
#define TC_PRIVATE_H

#include "tcum.h"

#include <pthread.h>
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Chain helpers that return a static message or NULL (jq's jv_parse.c). */
#define TRY(x) do { const char *msg_ = (x); if (msg_) return msg_; } while (0)

#define TC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TC_MAX(a, b) ((a) > (b) ? (a) : (b))

/* a * b into *out; false on overflow (operands must be >= 0). */
bool tc_mul_ok(int64_t a, int64_t b, int64_t *out);

/*
 * Whether an allocation of n bytes may be tried (alloc.c): at most the
 * machine's physical memory, the process's RLIMIT_AS / RLIMIT_DATA and the
 * calling thread's tc_set_memory_limit.  A bigger one is refused before
 * asking malloc, which with overcommit could "succeed" and end in the OOM
 * killer (and under AddressSanitizer aborts).
 */
bool tc_mem_fits(uint64_t n);

/*
 * pthread_create for the library's own threads (alloc.c): the new thread
 * takes the calling thread's memory limit.  0, or -1 if no thread started.
 */
int tc_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);

/*
 * strerror(e) into buf (cap bytes), as strerror_r: strerror may share one
 * buffer between threads.  Returns buf.  A message's argument:
 * tc_strerror(errno, (char[128]){0}, 128).
 */
const char *tc_strerror(int e, char *buf, size_t cap);

/* "out of memory", the one string functions returning a message use for it (err.c). */
extern const char tc_oom_msg[];

/* Position an error already set: err->line and err->col (err may be NULL); returns code. */
int tc_err_at(tc_err *err, int code, long line, long col);
/*
 * Name the argument at fault and a value that would work (either may be
 * NULL) on an error already set; returns code.
 */
int tc_err_hint(tc_err *err, int code, const char *param, const char *suggest);

/*
 * The library's allocator (alloc.c).  Everything lib/ allocates goes
 * through these, so that a test build (-DTC_FAULTSIM) can fail the n-th
 * allocation on purpose, as SQLite's fault simulation does.
 */
void *tc_malloc(size_t n);
void *tc_calloc(size_t n, size_t size);
void *tc_realloc(void *p, size_t n);
void tc_free(void *p);

/* ---- tensor.c -------------------------------------------------------------- */

/*
 * View x around dim as outer x n x inner (C order): element (o, k, i) is at
 * flat index (o * n + k) * inner + i.  dim must already be wrapped; a 0-d
 * tensor is 1 x 1 x 1.
 */
void tc_lanes(const tc_tensor *x, int dim, int64_t *outer, int64_t *n, int64_t *inner);

/*
 * Layouts (tc_tensor.strided): y takes x's layout (same shape), as
 * preserve_format does; the C-order index of the element at memory
 * position p of x; x's strides, C strides when it is C-contiguous; and
 * whether strides describe C order (size-1 dims aside).
 */
void tc_tensor_set_layout(tc_tensor *y, const tc_tensor *x);
int64_t tc_tensor_logical_index(const tc_tensor *x, int64_t p);
void tc_tensor_strides(const tc_tensor *x, int64_t *strides);
bool tc_strides_are_c(int ndim, const int64_t *shape, const int64_t *strides);

/*
 * The one shape formatter: dims as Python prints a list, "[2, 3]" (open
 * '['), or a tuple, "(2, 3)", "(3,)", "()" (open '(').  tc_dims_str
 * writes into out (cap bytes, at least TC_DIMS_STR_MAX for any shape);
 * tc_dims_put appends to a buffer; tc_shape_str formats a tensor's shape.
 */
#define TC_DIMS_STR_MAX (TC_MAX_DIMS * 22 + 8)
void tc_dims_str(int ndim, const int64_t *dims, char open, char *out, size_t cap);
void tc_dims_put(tc_buf *b, int ndim, const int64_t *dims, char open);
void tc_shape_str(const tc_tensor *x, int parens, char *out, size_t cap);

/* ---- dtype.c ----------------------------------------------------------------- */

/* What a dtype's values are: how they are stored, compared and printed. */
typedef enum tc_kind { TC_KIND_BOOL, TC_KIND_UINT, TC_KIND_INT, TC_KIND_FLOAT, TC_KIND_COMPLEX } tc_kind;

/*
 * Every fact about a dtype, one table row each (dtype.c): names as tcum,
 * PyTorch's messages and NumPy spell them, the element size, the kind
 * (which is also its print class: float formatting, integers, True/False),
 * the range and the PyTorch release that introduced it.
 */
typedef struct tc_dtype_info {
    const char *name;       /* "uint16": tcum's name, torch's without "torch." */
    const char *torch;      /* "torch.uint16" */
    const char *scalar;     /* "UInt16": c10's ScalarType, as in "not implemented for 'UInt16'" */
    const char *cpp;        /* "uint16_t": the C++ type c10::checked_convert names */
    const char *npy;        /* "u2": the .npy type code without byte order; NULL if none */
    const char *overflow;   /* torch.tensor's "value cannot be converted to type uint16 without overflow" */
    size_t size;            /* bytes per element */
    tc_kind kind;
    int64_t imin;           /* integers and bool: the exact range */
    uint64_t imax;
    double lo, hi;          /* the range as doubles: integer limits, largest finite floats
                               (of each part for complex) */
    const char *since;      /* NULL, or the first PyTorch release with the dtype ("2.3") */
} tc_dtype_info;

const tc_dtype_info *tc_dtype_info_of(tc_dtype t);
/*
 * TC_OK if PyTorch version v has dtype t, else TC_EDTYPE: "uint16 needs
 * PyTorch 2.3 or later", param set to "torch_version" (suggest "2.6") so
 * that a front end can name its own flag.
 */
int tc_dtype_check_version(tc_dtype t, tc_torch_version v, tc_err *err);
/* torch.promote_types(a, b) into *out, or PyTorch's refusal (TC_EDTYPE). */
int tc_dtype_promote(tc_dtype a, tc_dtype b, tc_dtype *out, tc_err *err);

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
/* An unsigned 64-bit value (from a uint64 source) into element i. */
void tc_store_u64(tc_tensor *t, int64_t i, uint64_t v);
/* Element i of an integer tensor as its unsigned bits (uint64 in full). */
uint64_t tc_tensor_get_u64(const tc_tensor *t, int64_t i);

/* ---- ops.c / scan.c / reduce.c -------------------------------------------- */

/*
 * ops.c: the checks every op shares, before its own: a list of dims for
 * an op that takes one dim, a dtype the PyTorch version lacks.
 */
int tc_op_check_args(const tc_op_args *a, const tc_tensor *x, tc_err *err);
/*
 * ops.c: the start of every op, run or checked: the op known, the shared
 * checks, then --dtype, which for an op without dtype= means
 * op(x.to(dtype)): *b is a as the kernel gets it (has_dtype cleared then)
 * and *in the dtype the kernel sees.
 */
int tc_op_prepare(const tc_op_args *a, const tc_tensor *x, tc_op_args *b, tc_dtype *in, tc_err *err);

/*
 * ops.c: the kernel module an op belongs to (which tc_*_check and
 * tc_*_run it goes to); whether tc_op_grad has its gradient; the fewest
 * dims an input needs for a's dims (tc_op_result_dtype's input).
 */
typedef enum { TC_FAM_SHOW, TC_FAM_SCAN, TC_FAM_DIFF, TC_FAM_REDUCE, TC_FAM_NANRED } tc_op_family;
tc_op_family tc_op_family_of(tc_op op);
int tc_op_has_grad(tc_op op);
int tc_op_min_ndim(const tc_op_args *a);

/*
 * What an op gives, without its values: the result's dtype and shape (a
 * second result, the indices, is int64 of the same shape).
 */
typedef struct tc_meta {
    tc_dtype dtype;
    int ndim;
    int64_t shape[TC_MAX_DIMS];
} tc_meta;
/* tensor.c: x's dtype and shape as a tc_meta; a tensor header (no data) of that dtype and shape. */
void tc_meta_of(const tc_tensor *x, tc_meta *m);
void tc_tensor_header(tc_tensor *h, tc_dtype t, int ndim, const int64_t *shape);
/*
 * The kernels' checks, each shared by the kernel's run (which calls it
 * first) and tc_op_check (op_run.c): they read x's dtype and shape only,
 * never its data (a tc_tensor_header will do), check in PyTorch's order,
 * and give the run's error, or TC_OK and the result's dtype and shape in
 * *y.  Errors that depend on values (1.13's overflow in a 0-d cumsum with
 * dtype=) are the run's alone.
 */
int tc_scan_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err);
int tc_diff_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err);
int tc_reduce_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err);
int tc_nanreduce_check(const tc_op_args *a, const tc_tensor *x, tc_meta *y, tc_err *err);

/* One op implementation; validates as PyTorch does, in PyTorch's order. */
typedef int (*tc_op_fn)(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);

/* scan.c: cumsum cumprod cummax cummin logcumsumexp nancumsum nancumprod */
int tc_scan_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);
/*
 * scan.c: a scan down the rows of a table that arrives in blocks (stream.c).
 * tc_scan_carry_new checks a->op, a->dtype etc. as tc_op_run would for a
 * 2-D input of dtype in with `width` columns scanned along dim 0; each
 * tc_scan_carry_run takes the next rows (a rows x width tensor of dtype in)
 * and gives their rows of the result, carrying the accumulators (and, for
 * cummax/cummin, the running index) on, so the blocks' results are exactly
 * the rows of one tc_op_run over the whole table.
 */
typedef struct tc_scan_carry tc_scan_carry;
int tc_scan_carry_new(const tc_op_args *a, tc_dtype in, int64_t width, tc_scan_carry **out,
                      tc_err *err);
int tc_scan_carry_run(tc_scan_carry *c, const tc_tensor *x, tc_result *r, tc_err *err);
void tc_scan_carry_free(tc_scan_carry *c);

/* reduce.c: sum prod amax amin logsumexp mean max min nansum nanmean */
int tc_reduce_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);
/* nanreduce.c: nanmax nanmin nanprod, as NumPy computes them */
int tc_nanreduce_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);
/*
 * reduce.c: the dims a reduction reduces (mask[d] for each of x's dims;
 * all of them without a dim), checked as ATen's make_dim_mask checks
 * them: each wrapped, none repeated.
 */
int tc_reduce_dims(const tc_op_args *a, const tc_tensor *x, bool *mask, tc_err *err);
/*
 * sleef.c: exp and log as PyTorch's CPU kernels compute them (AVX2 build): ports of
 * SLEEF 3.5's Sleef_expf8_u10, Sleef_expd4_u10, Sleef_logf8_u10 and
 * Sleef_logd4_u10, bit-exact with torch.exp / torch.log (glibc's expf
 * differs for about 9% of floats).  Pure C, no libsleef needed.
 */
float tc_sleef_expf(float x);
double tc_sleef_exp(double x);
float tc_sleef_logf(float x);
double tc_sleef_log(double x);
/*
 * sleef.c: sin and cos of x as Sleef_sincosf16_u10 / Sleef_sincosd8_u10
 * compute them in a vector whose lanes need reduction path (the largest
 * tc_sleef_sincos{f,}_path of the lanes; 1 for a lone x).
 */
int tc_sleef_sincosf_path(float x);
void tc_sleef_sincosf(float x, int path, float *s, float *c);
int tc_sleef_sincos_path(double x);
void tc_sleef_sincos(double x, int path, double *s, double *c);
/*
 * (a + bi) / (c + di) as PyTorch 2.6's CPU kernels divide complex numbers
 * of dtype t (complex64 or complex128; the parts are exact in it).  path
 * TC_CDIV_VEC is the Vectorized operator/ (scaled by an estimated 1/max(|c|,
 * |d|) for complex64, x86's RCPPS, exactly 1/max for complex128), the
 * others c10::complex's operator/ (numpy's algorithm) as GCC compiled the
 * scalar loop: TC_CDIV_FMA with every product contracted into an FMA,
 * TC_CDIV_FMA_DEN with the denominator's only.
 */
enum { TC_CDIV_VEC, TC_CDIV_FMA, TC_CDIV_FMA_DEN };
void tc_cdiv_torch(tc_dtype t, int path, double a, double b, double c, double d,
                   double *re, double *im);
/*
 * exp of a complex number (single: complex64's float parts) as PyTorch's
 * CPU kernel computes it (sleef.c), and log of a complex64 as PyTorch 2.6
 * does (on Debian 13's glibc; reduce.c).
 */
void tc_cexp_torch(int single, double re, double im, double *ore, double *oim);
/*
 * sleef.c: exp of n complex numbers in place (data: complex64's float
 * pairs if single, else complex128's double pairs), as one vml::vexp call
 * over a contiguous run computes them: vectors of 8 complex64 or 4
 * complex128 from the first, each vector's sincos reduction chosen from
 * all its lanes.  A tensor that ATen's for_each splits among threads
 * (2048 elements and more) is one run per thread's chunk.
 */
void tc_cexp_torch_n(int single, void *data, int64_t n);
/*
 * sleef.c: exp_ of the complex tensor y in place, as 2.6's exp kernel runs
 * over a dense tensor of like's layout (like: y's shape): memory order,
 * split as at::parallel_for splits it among the reference's 2 threads.
 */
int tc_cexp_torch_tensor(tc_tensor *y, const tc_tensor *like, tc_err *err);
void tc_clogf_torch26(float x, float y, float *ore, float *oim);
/* diff.c: diff, cumulative_trapezoid */
int tc_diff_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);
/*
 * diff.c, for the gradient too: diff's checks of its arguments, and the
 * tensor it differences: torch.cat of prepend, x and append along the dim
 * (NULL in *out when there is nothing to concatenate or n is 0).
 */
int tc_diff_input(const tc_op_args *a, const tc_tensor *x, tc_tensor **out, tc_err *err);
/* cumulative_trapezoid's spacings from a->x for y along dim (wrapped): a new tensor. */
int tc_trapz_dx(const tc_op_args *a, const tc_tensor *y, int dim, tc_tensor **out, tc_err *err);
/*
 * cumulative_trapezoid's terms for a scalar a->dx: dx / 2 * (y[k] + y[k + 1])
 * along dim (wrapped), in the dtype whose cumsum the op returns: a new tensor.
 */
int tc_trapz_terms(const tc_op_args *a, const tc_tensor *y, int dim, tc_tensor **out, tc_err *err);

/* ---- readers (value.c, read_*.c) ------------------------------------------ */

/*
 * A literal as Python would type it (value.c).  An integer beyond int64 is
 * kept as BIGINT: PyTorch reads it as a float where the dtype is floating
 * but refuses it ("Overflow when unpacking long") where it is integral.
 * UBIG is such an integer that still fits in uint64 (2^63 .. 2^64 - 1):
 * a BIGINT everywhere except that uint64 takes it.
 */
enum { TC_SK_BOOL, TC_SK_INT, TC_SK_BIGINT, TC_SK_FLOAT, TC_SK_COMPLEX, TC_SK_UBIG, TC_SK_NKINDS };

typedef struct tc_scalar {
    int kind;
    int64_t i;          /* BOOL (0 or 1) and INT; UBIG: the value's bits */
    double re, im;      /* FLOAT and COMPLEX; BIGINT and UBIG: correctly rounded, may be inf */
} tc_scalar;

/*
 * Parse one literal of n bytes (no NUL needed; spaces and tabs around it
 * ignored): true/false, an integer, a decimal with exponent, nan/inf/infinity
 * (any case, optional sign), or a complex "1+2j", "-1.5e3-2j", "2j", "(1+2j)".
 * Returns false if it is none of these.  Uses strtod, so it assumes the "C"
 * locale for LC_NUMERIC (the CLI never calls setlocale).
 */
bool tc_scalar_parse(const char *s, size_t n, tc_scalar *out);

/*
 * table.c: TC_OK, or TC_EDTYPE if o's input_dtype does not exist in
 * o's PyTorch version; every reader's entry point asks first.
 */
int tc_read_opts_check(const tc_read_opts *o, tc_err *err);
/*
 * read_csv.c: tc_read_table for text of format f (CSV or JSON, after
 * tc_read_table's checks in read.c): a table, or a JSON document.
 */
int tc_read_text_table(const char *data, size_t n, const tc_read_opts *o, tc_format f, tc_tensor **out,
                       tc_table **table, tc_err *err);

/*
 * NULL if torch.tensor([v], dtype=t) accepts v, else PyTorch's message
 * ("value cannot be converted to type uint8 without overflow", ...).
 */
const char *tc_scalar_check(const tc_scalar *v, tc_dtype t);

/* 'token' for a message: quoted, non-printable bytes as \xNN, long ones cut. */
void tc_token_quote(char *out, size_t cap, const char *s, size_t n);
/* The same without the quotes (a name in a list), one line whatever s holds. */
void tc_token_plain(char *out, size_t cap, const char *s, size_t n);

/* Line and 1-based column (in UTF-8 characters) of byte offset off in data. */
void tc_text_pos(const char *data, size_t off, long *line, long *col);

/* Length of a UTF-8 byte order mark at the start of data (0 or 3). */
size_t tc_bom_len(const char *data, size_t n);

/*
 * A growing flat list of values with torch.tensor's dtype inference, stored
 * compactly (a kind byte and 8 bytes per value; imaginary parts only once a
 * complex value appears).  With has_dtype every push is checked against
 * dtype so the caller can report the position at once.
 */
typedef union tc_num { int64_t i; double d; } tc_num;

typedef struct tc_values {
    size_t n, cap;
    uint8_t *kind;
    tc_num *v;
    double *im;             /* NULL until the first complex value */
    unsigned seen;          /* 1 << kind for every kind pushed or noted */
    int has_dtype;
    tc_dtype dtype;
    bool has_bigint, has_hugeint;
    size_t bigint_pos, hugeint_pos;   /* caller's positions of the first ones */
} tc_values;

void tc_values_init(tc_values *vs, const tc_read_opts *o);
void tc_values_free(tc_values *vs);
/*
 * Append v, remembering pos (the caller's byte offset) for errors found
 * later.  Returns NULL, a message for a value has_dtype cannot hold, or
 * tc_oom_msg (compare the pointer, never the text).
 */
const char *tc_values_push(tc_values *vs, const tc_scalar *v, size_t pos);
/* Value i back as a scalar. */
void tc_values_get(const tc_values *vs, size_t i, tc_scalar *v);
/* Count kind as seen without a value (an empty list infers as a float). */
void tc_values_note(tc_values *vs, int kind);
/* The dtype: has_dtype's, else torch.tensor's inference from what was seen. */
tc_dtype tc_values_dtype(const tc_values *vs, tc_dtype default_dtype);
/*
 * A new tensor of dtype t and the given shape holding the values (whose
 * count must equal the shape's element count).  On an error tied to a value
 * *pos is set to that value's position and *has_pos to true.
 */
int tc_values_tensor(const tc_values *vs, tc_dtype t, int ndim, const int64_t *shape,
                     tc_tensor **out, size_t *pos, bool *has_pos, tc_err *err);

/*
 * Nested-list shape checking shared by the JSON and repr readers, with
 * torch.tensor's rules: the sizes come from the chain of first elements,
 * every other list must match them, and nothing is checked when a size is 0
 * (PyTorch then stores nothing).  Feed it events in document order.
 */
enum { TC_SHAPE_OK, TC_SHAPE_LEN, TC_SHAPE_NOT_SEQ, TC_SHAPE_SEQ, TC_SHAPE_DEEP };

typedef struct tc_shape {
    int ndim;               /* -1 until the first chain ends */
    int depth;              /* lists open now */
    bool empty;             /* a size is 0: stop checking and storing */
    int64_t shape[TC_MAX_DIMS];
    int64_t count[TC_MAX_DIMS + 1];
    bool known[TC_MAX_DIMS];
    int64_t want, got;      /* TC_SHAPE_LEN details */
    int dim;
} tc_shape;

void tc_shape_init(tc_shape *s);
int tc_shape_open(tc_shape *s);
/* A scalar: TC_SHAPE_OK and *store says whether to keep its value. */
int tc_shape_scalar(tc_shape *s, bool *store);
int tc_shape_close(tc_shape *s);
/* PyTorch's message for a TC_SHAPE_* error, given the dtype being stored. */
void tc_shape_message(const tc_shape *s, int rc, tc_dtype t, tc_err *err);

/* ---- csv_tok.c: the tokenizer ------------------------------------------------ */

typedef struct tc_field {
    const char *p;      /* the value: unquoted, "" undoubled, NUL-terminated */
    size_t n;
    size_t off;         /* where the raw field starts in the block (its quote if quoted) */
    size_t end;         /* just past the raw field (its closing quote; blanks excluded) */
    bool quoted;
    size_t text_at;     /* (the tokenizer's own bookkeeping) */
} tc_field;

typedef struct tc_row {
    const tc_field *f;
    size_t nf;
    size_t off;         /* where the row starts in the block */
    long line;          /* the input line it starts on, 1-based */
} tc_row;

struct csv_parser;
struct tc_jrows;
struct tc_dialect;

/*
 * A tokenizer for one dialect: delimiter (' ' for runs of spaces and tabs)
 * and comment character (0 for none).  Feed it blocks of whole rows (a
 * block may end without a newline only when final) and pull rows.
 */
typedef struct tc_tok {
    char delim, comment;
    tc_err *err;
    struct csv_parser *csv;     /* NULL for blank-separated text */
    const char *p;
    size_t n;
    bool final;
    size_t pos, cur;            /* next byte to feed; the field cursor */
    long line0, line_at;        /* lines before the block; the line at line_pos */
    size_t line_pos;
    size_t row_off;
    long row_line;
    bool row_done;
    int rc;
    tc_field *f;
    size_t nf, capf;
    char *text;
    size_t ntext, captext;
    /* the JSON dialect (json_rows.c) and its hooks, NULL for delimited text */
    struct tc_jrows *json;
    const struct tc_dialect *dialect;
    bool want_names;            /* give the names row (records, split, object lines) first */
    bool named;                 /* the first row given was the names row: a header */
    int nindex;                 /* leading columns that are a pandas index: keys, whatever they hold */
    size_t row_end;             /* just past the current row's closing bracket */
} tc_tok;

int tc_tok_init(tc_tok *t, char delim, char comment, tc_err *err);
void tc_tok_free(tc_tok *t);
/* The next block: n bytes at p, line0 input lines before it. */
void tc_tok_block(tc_tok *t, const char *p, size_t n, bool final, long line0);
/*
 * The next row: 1 and *row (valid until the next call), 0 at the end of the
 * block, or minus an error code with err positioned.
 */
int tc_tok_row(tc_tok *t, tc_row *row);
/*
 * The end of the last complete row of p[0, n): its last newline outside
 * quotes; 0 if none.  tc_tok_cut_from goes on from i with *inq the quote
 * state there (left as it is at n), for a window that grows; quotes false
 * for JSON Lines, where no value holds a raw newline.  The one row-boundary
 * finder of the whole-input, threaded and streamed paths.
 */
size_t tc_tok_cut(const char *p, size_t n);
size_t tc_tok_cut_from(const char *p, size_t i, size_t n, bool quotes, bool *inq);
/* How many bytes of p[0, n) are c (newlines for line numbers, quotes for their parity). */
size_t tc_count_byte(const char *p, size_t n, char c);
/* Line and column of byte off of the current row's block (off >= the row's start). */
void tc_tok_pos(const tc_tok *t, size_t off, long *line, long *col);
/*
 * The delimiter of the text p[0, n) (comment lines aside): among ',', tab,
 * ';', '|' the one that splits the first rows into the same number of
 * fields, more than one, the most fields winning; else ' ' (runs of
 * blanks) if that does; else the first that splits the first row; else ','.
 */
char tc_tok_sniff(const char *p, size_t n, char comment, bool final);
/* The sniffer's sample: at most these rows of the first these bytes. */
enum { TC_SNIFF_ROWS = 64, TC_SNIFF_BYTES = 65536 };
/*
 * Field f of the current row as a CSV field holds it (quoted where it
 * needs to be, as it was written for CSV) for keeping: start and end in
 * tc_tok_raw, valid until the next tc_tok_block.
 */
int tc_tok_keep(tc_tok *t, const tc_field *f, size_t span[2]);
const char *tc_tok_raw(const tc_tok *t);
/* For a dialect: start a row at pos; add a field (its text is copied). */
void tc_tok_mark(tc_tok *t, size_t pos);
int tc_tok_push(tc_tok *t, const char *s, size_t n, size_t off, size_t end);

/* ---- json_rows.c: the tokenizer's JSON dialect ---------------------------------- */

/*
 * The forms of a JSON input: one value for read_json.c (nested arrays, a
 * number, tcum's object form); JSON Lines (an array or an object a line);
 * pandas' records ([{...}, ...], or one object) and split
 * ({"columns": [...], "index": [...], "data": [[...], ...]}) forms.
 */
enum { TC_JSON_PLAIN, TC_JSON_LINES, TC_JSON_RECORDS, TC_JSON_SPLIT };

/* The form of the whole JSON text p[0, n) (after any BOM). */
int tc_json_form(const char *p, size_t n);
/*
 * Make t a tokenizer of rows of the JSON form (LINES, RECORDS, SPLIT).
 * A field's text is what a CSV field would hold: a number's literal as
 * written, a string's characters, true/false, and null an empty field.
 */
int tc_tok_init_json(tc_tok *t, int form, tc_err *err);
/*
 * A dialect's hooks, which the tokenizer calls for its rows (JSON's,
 * installed by tc_tok_init_json): csv_tok.c knows this interface, not
 * json_rows.c, which builds on the tokenizer (tc_tok_mark, tc_tok_push,
 * tc_tok_pos) without a loop of calls between the two files.
 */
struct tc_dialect {
    void (*free)(struct tc_jrows *j);
    void (*block)(tc_tok *t);
    int (*row)(tc_tok *t);
    int (*keep)(tc_tok *t, const char *p, size_t n, size_t span[2]);
    const char *(*raw)(const struct tc_jrows *j);
};
/*
 * Text p[0, n) as a CSV field for delimiter delim: as it is, or quoted if a
 * reader would not read it back (a delimiter, a quote, a line end, blanks
 * at either end, a leading '#').
 */
void tc_csv_form(tc_buf *out, const char *p, size_t n, char delim);
/* The JSON string whose opening quote is d[i], decoded into out (emptied first); false if none. */
bool tc_json_string(const char *d, size_t n, size_t i, tc_buf *out);
/* Length of the JSON number (RFC 8259 grammar) at d[i], or 0 if none. */
size_t tc_json_number_len(const char *d, size_t n, size_t i);

/*
 * read_json.c: one JSON document that is no table form (nested arrays, a
 * number, tcum's object form); with table not NULL, the table of tcum's
 * object form with "columns" or "keys" (else NULL).
 */
int tc_read_json_doc(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out,
                     tc_table **table, tc_err *err);

/* ---- table.c: the table layer ------------------------------------------------- */

enum { TC_ROLE_VALUE, TC_ROLE_KEY };

/* What the head of a table settled. */
typedef struct tc_schema {
    char delim;                 /* the delimiter read with (' ': runs of blanks) */
    bool header;                /* the first row was a header */
    int ncols;                  /* fields in every row */
    uint8_t *role;              /* per column: TC_ROLE_VALUE or TC_ROLE_KEY */
    uint8_t *seen;              /* per column: 0 only missing cells so far, 1 a number, 2 a word,
                                   3 its role set by the caller */
    uint8_t *kinds;             /* per column: 1 << TC_SK_* of its cells seen (missing: float) */
    char **name;                /* per column: the header's text; NULL without a header */
    char **raw;                 /* per column: the header field as written, quotes included */
    int nval, nkey;
    int *val_col, *key_col;     /* the column of value column j, of key column k */
    bool fixed;                 /* every role picked by the caller (columns) */
    int nindex;                 /* leading key columns whatever they hold (a pandas index) */
} tc_schema;

typedef struct tc_treader {
    tc_read_opts ro;
    tc_err *err;
    tc_tok tok;
    tc_schema s;
    char **na;                  /* the caller's missing-value tokens (ro.na) */
    size_t nna;
    double *na_num;             /* those of them that are numbers */
    size_t nna_num;
    const char *odelim;         /* a word held another delimiter ("tab", ";"): a hint */
    bool shared;                /* tc_treader_share's: the head is another reader's */
    tc_dtype dtype;             /* set by the caller before tc_treader_block */
    int json;                   /* TC_JSON_*: the rows are JSON of that form; 0 CSV */
    long first_line;            /* the line of the table's first row (a preamble hint) */
    bool first_words;           /* that row has words and numbers but is no header */
} tc_treader;

/* Rows of a block: their values and the spans of their key fields. */
typedef struct tc_block {
    int64_t rows, cap;
    tc_tensor *x;               /* rows x nval, the reader's dtype */
    size_t *key;                /* per row, per key column: start and end in text */
    const char *text;
} tc_block;

int tc_treader_init(tc_treader *r, const tc_read_opts *o, tc_err *err);
/*
 * A reader for another thread: from's head (schema, missing-value tokens,
 * dtype) shared read-only, its own tokenizer and err.  from must outlive
 * it; tc_treader_free frees only its own parts.
 */
int tc_treader_share(const tc_treader *from, tc_treader *r, tc_err *err);
void tc_treader_free(tc_treader *r);
/*
 * The head, p[0, n): delimiter, header, columns, and what its data rows
 * tell of roles and kinds.  *data_off is where the data rows start (after
 * a header), *rows how many data rows it holds (0: read more, unless final).
 */
int tc_treader_head(tc_treader *r, const char *p, size_t n, bool final, long line0,
                    size_t *data_off, int64_t *rows);
/* The pre-scan of more data rows (errors are left to the main pass). */
void tc_treader_scan(tc_treader *r, const char *p, size_t n, bool final, long line0);
/* input_dtype, or torch.tensor's inference over the value cells seen. */
tc_dtype tc_treader_infer(const tc_treader *r);
/*
 * Data rows p[0, n) into block b (zeroed before its first use, reused
 * after: its buffers only grow) as values of r->dtype; tc_block_free at
 * the end, error or not.
 */
int tc_treader_block(tc_treader *r, const char *p, size_t n, bool final, long line0, tc_block *b);
void tc_block_free(tc_block *b);
/*
 * numpy.loadtxt's squeeze, with a header meaning a table: the ndim of rows
 * x cols values (0, 1 or 2), *column set for a single column read as 1-D.
 */
int tc_table_squeeze(bool header, int64_t rows, int64_t cols, bool *column);
/* torch.tensor's storage of one Python number into element i of x (value.c). */
void tc_scalar_store(tc_tensor *x, int64_t i, const tc_scalar *v);

/* read_csv.c: a table's text around its numbers (opaque in tcum.h). */
struct tc_table {
    char delim;                 /* the input's delimiter (' ': runs of blanks) */
    bool header;
    int ncols, nval, nkey;
    uint8_t *role;
    char **name, **raw;         /* per column, with a header; else NULL */
    int *val_col, *key_col;
    int64_t rows;               /* data rows */
    char *keytext;              /* every key field as written, one after another */
    size_t *key;                /* per row, per key column: start and end in keytext */
    int ndim;                   /* how the values were squeezed */
    bool column;                /* a single column read as 1-D */
};

tc_table *tc_table_from_schema(const tc_schema *s, tc_err *err);
size_t tc_skip_lines(const char *p, size_t n, long skip, long *lines);
int tc_table_empty_error(const tc_treader *r, int64_t rows, tc_err *err);

/* write_table.c: where each cell of a result's CSV row comes from. */
typedef struct tc_layout {
    bool header;                /* a header line first */
    bool keys;                  /* rows carry key fields */
    int64_t rows, vals;         /* the result as rows x vals */
    int64_t row_shift;          /* result row i shows input row i + row_shift */
    int ncell;                  /* cells in a row */
    int *cell;                  /* >= 0: result value column; < 0: key column -1 - cell */
    const char **vname;         /* per cell: a value column's header name as written */
} tc_layout;

/* The layout of y = op a of the table's values (a NULL: y has the values' shape). */
int tc_layout_make(tc_layout *L, const tc_table *t, const tc_op_args *a, const tc_tensor *y,
                   tc_err *err);
void tc_layout_free(tc_layout *L);
void tc_layout_header(tc_buf *out, const tc_layout *L, const tc_table *t, char delim);
/*
 * Every row of y: row i with the key fields of row i - shift of key (rows
 * x nkey start/end pairs into keytext; a row outside [0, key_rows) has
 * empty keys).
 */
void tc_layout_rows(tc_buf *out, const tc_layout *L, const tc_tensor *y, const char *keytext,
                    const size_t *key, int64_t key_rows, int nkey, int64_t shift, char delim);
/*
 * write.c: v, a value of float dtype t, as the CSV writer writes it, into o
 * (at least 48 bytes, no NUL); returns the length.
 */
size_t tc_real_text(char *o, double v, tc_dtype t);
/* write.c: element i as a CSV field (quoted if its text needs it). */
void tc_put_csv_value(tc_buf *out, const tc_tensor *t, int64_t i, char delim);

/* ---- source.c ------------------------------------------------------------------- */

/* zlib's allocator hooks (zalloc, zfree) through tc_malloc, for source.c and read_npz.c. */
void *tc_zlib_alloc(void *opaque, unsigned n, unsigned size);
void tc_zlib_free(void *opaque, void *p);

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

/* ---- charconv.cc: Dragonbox and libstdc++'s <charconv> -------------------------- */

/*
 * The shortest digits of a finite v > 0 that read back to the same double
 * (or float): v = 0.DIG * 10^decpt; returns the digit count, no trailing
 * zeros.  The closest such digits where several are as short, ties to
 * even (Dragonbox; the _ryu forms get the same from to_chars, for checks).
 */
int tc_cc_shortest_f64(double v, char dig[24], int *decpt);
int tc_cc_shortest_f32(float v, char dig[24], int *decpt);
int tc_cc_shortest_f64_ryu(double v, char dig[24], int *decpt);
int tc_cc_shortest_f32_ryu(float v, char dig[24], int *decpt);
/*
 * A decimal number at s (n bytes, no leading '+') correctly rounded to
 * double (fast_float): the bytes used; 0 if there is none or it is out of
 * range (overflow, underflow), where *out is left unset.
 */
size_t tc_cc_parse_f64(const char *s, size_t n, double *out);

/* ---- write.c ------------------------------------------------------------------ */

/* Append Python's repr(v) of a float: "0.1", "1e-05", "123.0", "-0.0", "nan". */
void tc_repr_f64(tc_buf *b, double v);
/*
 * tc_write_json with more members in each tensor object: more(out, t, ctx)
 * appends them (", \"name\": value") before its closing brace; more may
 * be NULL.  A nonzero *fail (set by more) ends the writing with that code.
 */
typedef void (*tc_json_more_fn)(tc_buf *out, const tc_tensor *t, void *ctx, int *fail);
int tc_write_json_more(tc_buf *out, const tc_result *r, tc_json_more_fn more, void *ctx, tc_err *err);

/*
 * fma(a, b, c), except that a product with a zero factor, which is exact,
 * is added plainly: the same result natively, and under valgrind, whose
 * emulation of the FMA instruction loses the sign of zero (fma(0, -1, -0)
 * gives +0 there), `make valgrind` sees the same -0 as the native run.
 */
static inline double tc_fma(double a, double b, double c)
{
    return a == 0 || b == 0 ? a * b + c : fma(a, b, c);
}

static inline float tc_fmaf(float a, float b, float c)
{
    return a == 0 || b == 0 ? a * b + c : fmaf(a, b, c);
}

#endif /* TC_PRIVATE_H */
