/*
 * tcum.h - the tcum library: tensors, dtypes, readers, ops and printers.
 *
 * Link: cc prog.c $(pkg-config --cflags --libs tcum) (libtcum needs
 * libcjson, libcsv, zlib, libbz2, liblzma, libzstd, libstdc++, libm and
 * pthreads; tcum.pc lists them).
 *
 * What the library promises:
 *   - Ownership: functions never take ownership of their arguments and
 *     never keep a pointer to one after they return (tc_source_new keeps
 *     raw->ctx, as it says).  Every object returned through an out-
 *     parameter is new and the caller's: tensors are freed with
 *     tc_tensor_free, results with tc_result_free, tables with
 *     tc_table_free, sources with tc_source_free, buffers with
 *     tc_buf_free; each of these accepts NULL (tc_buf_free and
 *     tc_result_free a zeroed object).
 *   - Errors: every fallible call returns TC_OK or a tc_code, sets its
 *     out-parameters to NULL (a tc_result to zeros) on failure, and fills
 *     the tc_err it is given.  err may be NULL in every function, and the
 *     code returned is the same whether it is given or not.  Messages name
 *     arguments as this header does ("dim", "dtype"), never a command-line
 *     option; err->param and err->suggest let a front end add its own hint.
 *     Decide on the code, never on the message's text.
 *   - No side effects on the host: the library never prints, never exits,
 *     reads no environment variable, installs no signal handler, never
 *     calls setlocale, and never calls cJSON_InitHooks: JSON is parsed with
 *     whatever allocator the host gave cJSON (malloc by default), the
 *     library's own memory comes from malloc.  The only state it keeps
 *     between calls is per thread: the thread's memory limit
 *     (tc_set_memory_limit) and the machine's memory size, asked once.
 *   - Threads: every function may be called from several threads at once
 *     on different objects (tensors, buffers, tables, sources); objects
 *     passed as const may be shared.  An object written by a call (a
 *     tc_buf appended to, a tc_source read) must not be used by another
 *     thread during that call.  The threads a call starts (tc_read_opts
 *     and tc_stream_opts .threads) have ended when it returns.
 *
 * What the host must provide:
 *   - LC_NUMERIC with '.' as the decimal point (the "C" locale, which a
 *     program has unless it calls setlocale(LC_NUMERIC or LC_ALL, ...) with
 *     another).  Most number text is parsed and printed without the
 *     locale, but the shortest-digits search and PyTorch's fixed-point
 *     formats use snprintf and strtod, which follow LC_NUMERIC.  A host
 *     that needs another locale can give each thread calling tcum a C
 *     LC_NUMERIC with uselocale(3).
 *   - cJSON hooks that stay the same while tcum parses JSON (cJSON's hooks
 *     are process-global: change them only when no thread is in tcum).
 */
#ifndef TCUM_H
#define TCUM_H

#include <stddef.h>
#include <stdint.h>

#define TC_VERSION "0.2.0"

/*
 * Return codes.  Every fallible call returns one; the code alone is enough
 * to decide on (never compare message texts).  Errors are also described
 * in an optional tc_err: every function that takes a tc_err *err accepts
 * NULL there, and its return code is the same whether err is given or not.
 */
typedef enum tc_code {
    TC_OK = 0,
    TC_EINPUT,      /* malformed input: syntax, ragged rows, a field that is no number */
    TC_ENODATA,     /* the input holds no data (empty, or a header alone) */
    TC_EVALUE,      /* a value the dtype cannot hold (PyTorch's overflow errors) */
    TC_EOVERFLOW,   /* an integer literal beyond int64 ("Overflow when unpacking long") */
    TC_EDTYPE,      /* no kernel for this dtype, or a dtype the format cannot store */
    TC_EDIM,        /* a dim missing, out of range or repeated */
    TC_ESHAPE,      /* shapes that do not fit (reshape, broadcast, CSV of 3-D) */
    TC_EARG,        /* any other invalid argument or combination of arguments */
    TC_ENOMEM,      /* out of memory, or a size that cannot fit in memory */
    TC_EIO          /* a read or write failed */
} tc_code;

/*
 * An error: a one-line message (lowercase, no final period, PyTorch's words
 * where PyTorch has them, arguments named as this header names them) and,
 * where known, a 1-based line and column in the input (0 when unknown).
 * param, when not NULL, names the argument at fault as this header spells
 * it ("dim", "dtype", "input_dtype", "format", ...) and suggest, when not
 * empty, a value of it that would work, so that a front end can add its
 * own hint ("(try --dtype float32)").
 */
typedef struct tc_err {
    int code;
    long line, col;
    const char *param;
    char suggest[32];
    char msg[480];
} tc_err;

/* Set err (which may be NULL) and return code; printf-style. */
int tc_err_set(tc_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- dtypes ------------------------------------------------------------ */

/*
 * Whose behaviour to reproduce: PyTorch 2.6 (the default, Debian 13's) or
 * PyTorch 1.13 (Debian 12's): results, dtypes, gradients and refusals,
 * each to the byte of that version.
 */
typedef enum tc_torch_version { TC_TORCH_2_6 = 0, TC_TORCH_1_13 } tc_torch_version;


typedef enum tc_dtype {
    TC_BOOL, TC_UINT8, TC_INT8, TC_INT16, TC_INT32, TC_INT64,
    TC_FLOAT16, TC_BFLOAT16, TC_FLOAT32, TC_FLOAT64,
    TC_COMPLEX64, TC_COMPLEX128,
    TC_UINT16, TC_UINT32, TC_UINT64,    /* PyTorch 2.3 and later only */
    TC_NDTYPES
} tc_dtype;

/*
 * Element storage, C order, native byte order:
 *   bool      uint8_t 0/1         float16, bfloat16   uint16_t bit pattern
 *   integers  their C type        float32, float64    float, double
 *   complex64 float[2] (re, im)   complex128          double[2]
 * uint16, uint32 and uint64 exist from PyTorch 2.3 on: with torch_version
 * TC_TORCH_1_13 every function that meets one refuses it (TC_EDTYPE).
 */
size_t tc_dtype_size(tc_dtype t);
const char *tc_dtype_name(tc_dtype t);        /* "float32" */
const char *tc_dtype_torch_name(tc_dtype t);  /* "torch.float32" */
const char *tc_dtype_scalar_name(tc_dtype t); /* "Float", as in PyTorch's errors */
/* Parse "float32", "torch.float32", "half", "long", ...; 0 if unknown. */
int tc_dtype_parse(const char *s, tc_dtype *out);
int tc_dtype_is_float(tc_dtype t);    /* float16 .. float64 */
int tc_dtype_is_complex(tc_dtype t);
int tc_dtype_is_integral(tc_dtype t, int include_bool);   /* uint8 .. uint64, int8 .. int64 */
int tc_dtype_is_unsigned(tc_dtype t);                     /* uint8, uint16, uint32, uint64 */
/* PyTorch's promotion category: 0 bool, 1 integer, 2 floating, 3 complex. */
int tc_dtype_category(tc_dtype t);

/* Half and bfloat16 conversions, bit-exact with c10 (round to nearest even). */
float tc_half_to_float(uint16_t h);
uint16_t tc_float_to_half(float f);
float tc_bf16_to_float(uint16_t b);
uint16_t tc_float_to_bf16(float f);

/* ---- tensors ------------------------------------------------------------ */

#define TC_MAX_DIMS 64

typedef struct tc_tensor {
    tc_dtype dtype;
    int ndim;                      /* 0 for a scalar */
    int64_t shape[TC_MAX_DIMS];
    int64_t numel;                 /* product of shape; 1 for 0-d */
    void *data;                    /* numel * tc_dtype_size(dtype) bytes, C order */
    /*
     * The layout PyTorch's tensor would have where it is not C-contiguous
     * (torch.from_numpy of a Fortran-order .npy, and what keeps that
     * layout: x.to(dtype), clones, views by --shape): its strides, in
     * elements.  data is in C order all the same; the float reductions,
     * whose last bits depend on the order PyTorch visits memory in, follow
     * these strides.  strided == 0 (as tc_tensor_new leaves it) means
     * C-contiguous.
     */
    int strided;
    int64_t strides[TC_MAX_DIMS];
} tc_tensor;

/*
 * A new zero-filled tensor of the given shape; NULL (and err set to
 * TC_ENOMEM) if the size overflows or memory runs out.  Caller frees.
 */
tc_tensor *tc_tensor_new(tc_dtype t, int ndim, const int64_t *shape, tc_err *err);
void tc_tensor_free(tc_tensor *t);
/* A new copy (x.clone(): the layout is kept).  Caller frees. */
tc_tensor *tc_tensor_clone(const tc_tensor *t, tc_err *err);

/*
 * x.to(t) with PyTorch's CPU conversion rules (x86-64 float->int results,
 * complex->real drops the imaginary part, anything->bool is "!= 0"); the
 * layout is kept.  Returns a new tensor in *out.  Caller frees.
 * tc_tensor_convert follows PyTorch 2.6; tc_tensor_convert_version the
 * given version (1.13's complex -> bool looks at the real part only; a
 * dtype 1.13 does not have, uint16/32/64, is refused: TC_EDTYPE).
 */
int tc_tensor_convert(const tc_tensor *x, tc_dtype t, tc_tensor **out, tc_err *err);
int tc_tensor_convert_version(const tc_tensor *x, tc_dtype t, tc_torch_version v,
                              tc_tensor **out, tc_err *err);

/*
 * x.reshape(shape) with one -1 allowed; PyTorch's messages on mismatch.
 * Like PyTorch, the result keeps a strided layout where it can be a view
 * of x, and is C-contiguous where it is a copy.  Returns a new tensor.
 * Caller frees.
 */
int tc_tensor_reshape(const tc_tensor *x, int ndim, const int64_t *shape,
                      tc_tensor **out, tc_err *err);

/*
 * Element i (flat, C order) as double / as complex parts / as int64 (the
 * bits of a uint64 beyond INT64_MAX come out as a negative number).
 */
double tc_tensor_get_f64(const tc_tensor *t, int64_t i);
void tc_tensor_get_c128(const tc_tensor *t, int64_t i, double *re, double *im);
int64_t tc_tensor_get_i64(const tc_tensor *t, int64_t i);

/*
 * Wrap a dim as PyTorch's maybe_wrap_dim does (a 0-d tensor accepts -1 and
 * 0).  On failure: "Dimension out of range (expected to be in range of
 * [-2, 1], but got 2)".
 */
int tc_dim_wrap(int64_t dim, int ndim, int *out, tc_err *err);

/* ---- reading ------------------------------------------------------------ */

/*
 * TC_FMT_NPZ: a zip of npy files (numpy.savez).  TC_FMT_BINARY is never
 * an input format: tc_detect_format's answer for data that is none of the
 * formats (tc_read then refuses it).
 */
typedef enum tc_format {
    TC_FMT_AUTO, TC_FMT_CSV, TC_FMT_JSON, TC_FMT_NPY, TC_FMT_TORCH, TC_FMT_NPZ,
    TC_FMT_BINARY
} tc_format;

typedef struct tc_read_opts {
    tc_format format;         /* TC_FMT_AUTO sniffs the content */
    /*
     * CSV: the field delimiter; 0 (the default) sniffs it from the first
     * rows (',', tab, ';' or '|', else runs of blanks); ' ' means runs of
     * spaces and tabs, leading and trailing ones ignored.
     */
    char delimiter;
    int header;               /* CSV: -1 detect, 0 none, 1 first row is a header */
    long skip_rows;           /* CSV: lines skipped before anything else */
    char comment;             /* CSV: a line starting with it is skipped; '#', 0 for none */
    /*
     * CSV and JSON tables: the tokens that mark a missing value (read as
     * NaN), as one CSV row ("NA,-999"); NULL for pandas' defaults.  An
     * empty field (JSON: null, "") is always missing.
     */
    const char *na;
    /*
     * CSV and JSON tables: the columns that form the tensor, as one CSV row of header names,
     * 1-based numbers and ranges ("Close", "2-5", "3-"); the others are key
     * columns.  NULL: every column whose first non-missing cell is a number.
     * exclude_columns names the others instead.  At most one of the two.
     */
    const char *columns;
    const char *exclude_columns;
    int has_input_dtype;      /* read as torch.tensor(values, dtype=input_dtype) */
    tc_dtype input_dtype;
    tc_dtype default_dtype;   /* TC_FLOAT32 or TC_FLOAT64 */
    tc_torch_version torch_version;
    const char *npz_name;     /* npz: the array to read (NAME or NAME.npy); NULL: the first */
    /*
     * For tests: read every CSV block through the tokenizer, never the
     * fast path for plain rows (the two must give the same bytes).
     */
    int reference;
    /*
     * CSV and JSON arrays: threads parsing a whole input of 1 MiB or more,
     * cut at row boundaries (0 or 1: the caller's thread only).  The tensor
     * is the same whatever the number; the threads take the caller's memory
     * limit and have ended when the call returns.
     */
    int threads;
    long block;               /* for tests: with threads, parts of this many bytes (0: by size) */
} tc_read_opts;

void tc_read_opts_init(tc_read_opts *o);

/*
 * Detect the format of the first bytes (after a UTF-8 BOM): npy and npz
 * (zip) by their magic, JSON by '[' or '{', a PyTorch repr by "tensor(",
 * else CSV, or TC_FMT_BINARY if the first 8000 bytes are not text: they
 * hold a NUL byte, or more than a third of them are control characters or
 * bytes that are not UTF-8 (Perl's -B test; Latin-1 text stays text).
 */
tc_format tc_detect_format(const char *data, size_t n);
/*
 * For JSON: 1 if data starts JSON Lines (one array or object a line, more
 * than one line, or a record: an object without tcum's keys), 0 if it is
 * one JSON document, -1 if the bytes so far cannot tell (final: no more
 * will come).  A stream can take JSON Lines (tc_stream_csv).
 */
int tc_json_lines(const char *data, size_t n, int final);

/*
 * Parse a whole input held in memory (n bytes, need not be NUL-terminated)
 * into a new tensor.  On failure err carries line and column where known.
 */
int tc_read(const char *data, size_t n, const tc_read_opts *o,
            tc_tensor **out, tc_err *err);
int tc_read_csv(const char *data, size_t n, const tc_read_opts *o,
                tc_tensor **out, tc_err *err);
int tc_read_json(const char *data, size_t n, const tc_read_opts *o,
                 tc_tensor **out, tc_err *err);
int tc_read_npy(const char *data, size_t n, const tc_read_opts *o,
                tc_tensor **out, tc_err *err);
int tc_read_torch(const char *data, size_t n, const tc_read_opts *o,
                  tc_tensor **out, tc_err *err);
/*
 * An array of an npz archive (numpy.savez, savez_compressed: a zip of npy
 * files, stored or deflated, zip64 included): o->npz_name, or the first
 * one.  An unknown name is TC_EARG, with the archive's names in the
 * message.  The archive is checked whole (central directory, local
 * headers, sizes, CRC-32) before an array is decoded with tc_read_npy.
 */
int tc_read_npz(const char *data, size_t n, const tc_read_opts *o,
                tc_tensor **out, tc_err *err);

/* ---- tables (table.c, read_csv.c, write_table.c) --------------------------- */

/*
 * A table read from CSV or JSON: besides its values, the text around them
 * that CSV and JSON output carry through: the delimiter, the header and the
 * key columns (dates, names, ids: the columns that are not part of the
 * tensor) with every key field as it was written.  Freed with
 * tc_table_free (NULL is fine).
 *
 * JSON tables: pandas' records ([{"Date": ..., "Open": 1.5}, ...]) and
 * split ({"columns": [...], "index": [...], "data": [[...]]}) forms and
 * JSON Lines (an array or an object a line) are read by the same table
 * layer as CSV, null as a missing value; tcum's own JSON output of a table
 * ({"dtype", "shape", "data", "columns", "keys", "key_positions"}) reads
 * back to its table.
 */
typedef struct tc_table tc_table;
void tc_table_free(tc_table *t);

/*
 * A whole input: its values in *out and in *table (which may be NULL) its
 * table, both new (caller frees).  CSV and the JSON tables: rows x value
 * columns, squeezed as numpy.loadtxt squeezes, except that a header keeps
 * a single row 2-D.  Other JSON (nested arrays, tcum's object form without
 * a table), npy and torch input: what tc_read gives, and *table NULL.
 */
int tc_read_table(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out,
                  tc_table **table, tc_err *err);
/* The delimiter the table was read with (' ' for runs of blanks). */
char tc_table_delimiter(const tc_table *t);
/* 1 if the table has a header or key columns: its CSV output is a table, not a bare grid. */
int tc_table_is_rich(const tc_table *t);
/* 1 if the values are a single column read as 1-D (written back as a column). */
int tc_table_is_column(const tc_table *t);

/* ---- ops ---------------------------------------------------------------- */

typedef enum tc_op {
    TC_OP_SHOW,
    TC_OP_CUMSUM, TC_OP_CUMPROD, TC_OP_CUMMAX, TC_OP_CUMMIN,
    TC_OP_LOGCUMSUMEXP, TC_OP_CUMTRAPZ, TC_OP_DIFF,
    TC_OP_NANCUMSUM, TC_OP_NANCUMPROD,
    TC_OP_SUM, TC_OP_PROD, TC_OP_AMAX, TC_OP_AMIN, TC_OP_LOGSUMEXP,
    TC_OP_MEAN, TC_OP_MAX, TC_OP_MIN,
    TC_OP_NANSUM, TC_OP_NANMEAN,                  /* torch.nansum, torch.nanmean */
    TC_OP_NANMAX, TC_OP_NANMIN, TC_OP_NANPROD,    /* numpy.nanmax, nanmin, nanprod */
    TC_NOPS
} tc_op;

/* The op's CLI name ("cumulative_trapezoid"); tc_op_parse returns 0 if unknown. */
const char *tc_op_name(tc_op op);
int tc_op_parse(const char *s, tc_op *out);

/*
 * What an op is: show; a scan (cumsum cumprod cummax cummin logcumsumexp
 * nancumsum nancumprod: --dim required, --reverse/--exclusive/
 * --include-initial apply); an op along a dim (diff, cumulative_trapezoid:
 * default dim -1); a reduction (--keepdim applies, no --dim = all elements).
 */
typedef enum tc_op_kind { TC_OPK_SHOW, TC_OPK_SCAN, TC_OPK_ALONG, TC_OPK_REDUCE } tc_op_kind;
tc_op_kind tc_op_kind_of(tc_op op);
/* 1 if PyTorch's signature has dtype= (--dtype is that argument, not a cast). */
int tc_op_has_dtype_arg(tc_op op);
/* 1 if the op takes a list of dims (sum, mean, amax, amin, logsumexp, nansum, nanmean). */
int tc_op_takes_dims(tc_op op);

typedef struct tc_op_args {
    tc_op op;
    tc_torch_version torch_version;
    int has_dim;
    int64_t dim;
    /*
     * A list of dims (--dim 0,2), ndims >= 1: the ops that take one
     * (tc_op_takes_dims) reduce over all of them, every other op refuses a
     * list, even of one dim, as torch refuses a tuple.  ndims == 0: dim
     * alone.  tc_op_args_set_dims sets a list (and has_dim, dim = dims[0]).
     */
    int ndims;
    int64_t dims[TC_MAX_DIMS];
    int has_dtype;            /* --dtype */
    tc_dtype dtype;
    int keepdim, reverse, exclusive, include_initial;
    int64_t n;                /* diff: -n, default 1 */
    double dx;                /* cumulative_trapezoid: --dx, default 1 */
    /*
     * diff: tensors concatenated before and after the input along the dim
     * (torch.diff's prepend= and append=); cumulative_trapezoid: the sample
     * points (x=, instead of dx).  NULL when not given; the caller owns them.
     */
    const tc_tensor *prepend, *append;
    const tc_tensor *x;
    tc_dtype default_dtype;   /* TC_FLOAT32 or TC_FLOAT64 */
} tc_op_args;

void tc_op_args_init(tc_op_args *a, tc_op op);
/* Set a list of n dims (1 <= n <= TC_MAX_DIMS; returns 0 otherwise). */
int tc_op_args_set_dims(tc_op_args *a, int n, const int64_t *dims);

/*
 * The result of an op: one tensor (indices NULL, name NULL) or PyTorch's
 * named tuple (values, indices) with name "cummax", "max", ...
 */
typedef struct tc_result {
    const char *name;
    tc_tensor *values;
    tc_tensor *indices;
} tc_result;

void tc_result_free(tc_result *r);
/*
 * What op a would give for an input of this dtype and shape, and whether
 * it takes it, without running it (no data, no allocation): the checks
 * tc_op_run makes, in its order, which are the same functions the run
 * calls first.  TC_OK and, for each pointer given, the result's dtype,
 * number of dims and shape (out_shape has room for TC_MAX_DIMS; a second
 * result, the indices, is int64 of the same shape); or the code and
 * message tc_op_run would give.  Only errors that depend on the values
 * (PyTorch 1.13's overflow in a 0-d cumsum with dtype=) are tc_op_run's
 * alone.  tc_op_check is tc_op_result with the dtype alone.
 */
int tc_op_result(const tc_op_args *a, tc_dtype dtype, int ndim, const int64_t *shape,
                 tc_dtype *out_dtype, int *out_ndim, int64_t *out_shape, tc_err *err);
int tc_op_check(const tc_op_args *a, tc_dtype dtype, int ndim, const int64_t *shape,
                tc_dtype *out, tc_err *err);
/*
 * The result dtype of op a for an input of dtype in, whatever its shape:
 * tc_op_result for the smallest input a's dims fit (2 along each of at
 * least one dim; diff's prepend or cumulative_trapezoid's x shape it where
 * given).  TC_OK and *out, or the error for that dtype.
 */
int tc_op_result_dtype(const tc_op_args *a, tc_dtype in, tc_dtype *out, tc_err *err);
/* How many tensors op a gives: 2 for cummax, cummin, and max/min with a dim; else 1. */
int tc_op_nresults(const tc_op_args *a);
/*
 * The one tensor of r to write where a format holds one: select 1 values,
 * 2 indices, 0 the only one.  A two-result r without select, or a select
 * for a one-result r, is TC_EARG with param "select" (suggest
 * "values|indices" for the first).  *out points into r.
 */
int tc_result_pick(const tc_result *r, int select, tc_tensor **out, tc_err *err);

/*
 * Run an op on x.  On success r holds new tensors (free with
 * tc_result_free); on failure r is zeroed and err holds PyTorch's message
 * and, where useful, a hint.
 */
int tc_op_run(const tc_op_args *a, const tc_tensor *x, tc_result *r, tc_err *err);

/*
 * The gradient of sum(op(x)) (or, with a non-NULL grad_output, the
 * vector-Jacobian product) with respect to x, as torch.autograd computes it.
 * A new tensor in *out.
 */
int tc_op_grad(const tc_op_args *a, const tc_tensor *x, const tc_tensor *grad_output,
               tc_tensor **out, tc_err *err);

/* ---- printing ------------------------------------------------------------ */

/*
 * A growable byte buffer; zero-initialise, free with tc_buf_free.  p is
 * NULL before the first append and NUL-terminated after every one.  An append that cannot
 * get memory sets oom and makes every later append a no-op; the functions
 * that write into a tc_buf then return TC_ENOMEM.  On any failure they may
 * have appended part of their text: a caller that keeps the buffer cuts it
 * back to the n it had before the call.
 */
typedef struct tc_buf {
    char *p;
    size_t n, cap;
    int oom;                  /* set if an append failed */
} tc_buf;

void tc_buf_free(tc_buf *b);
void tc_buf_put(tc_buf *b, const char *s, size_t n);
void tc_buf_puts(tc_buf *b, const char *s);
void tc_buf_printf(tc_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* torch.set_printoptions; see tc_print_opts_init for the defaults. */
typedef struct tc_print_opts {
    int precision;            /* 4 */
    double threshold;         /* 1000; may be INFINITY */
    int edgeitems;            /* 3 */
    int linewidth;            /* 80 */
    int sci_mode;             /* -1 auto (None), 0 False, 1 True */
    tc_dtype default_dtype;   /* TC_FLOAT32; TC_FLOAT64 changes suffixes */
    tc_torch_version torch_version;
} tc_print_opts;

void tc_print_opts_init(tc_print_opts *o);
/* Apply a profile: "default", "short" or "full"; 0 if unknown. */
int tc_print_opts_profile(tc_print_opts *o, const char *name);

/* Append repr(t), exactly as PyTorch prints it, with no trailing newline. */
int tc_print_torch(tc_buf *out, const tc_tensor *t, const tc_print_opts *o, tc_err *err);
/* Append the repr of a result: a tensor, or torch.return_types.NAME(...). */
int tc_print_result(tc_buf *out, const tc_result *r, const tc_print_opts *o, tc_err *err);

/* ---- writing (write.c) --------------------------------------------------- */

/*
 * Element i of t as the shortest text that reads back to the same value of
 * t's dtype (Python's repr for float64, NumPy's for float32/float16),
 * integers in full, "true"/"false", complex as "1+2j", "nan", "inf", "-inf".
 */
void tc_format_value(tc_buf *out, const tc_tensor *t, int64_t i);

/* CSV: 0-d one value, 1-D one row, 2-D rows x columns; more dims: an error. */
int tc_write_csv(tc_buf *out, const tc_tensor *t, char delim, tc_err *err);
/* JSON object form {"dtype": ..., "shape": [...], "data": nested}; a
 * two-result r gives {"values": {...}, "indices": {...}}. */
int tc_write_json(tc_buf *out, const tc_result *r, tc_err *err);
/* NumPy .npy format 1.0, little-endian, C order; bfloat16 is an error. */
int tc_write_npy(tc_buf *out, const tc_tensor *t, tc_err *err);

/*
 * CSV of y, the result of op a on a table's values (a NULL or show: y has
 * the values' shape, as --grad's x.grad): the header when the input had
 * one, each row with the key fields of the input row it came from, in
 * their places.  delim separates the fields.
 */
int tc_write_table_csv(tc_buf *out, const tc_tensor *y, const tc_op_args *a, const tc_table *t,
                       char delim, tc_err *err);
/*
 * JSON of r, the result of op a on a table's values (a NULL: --grad): the
 * object form of tc_write_json, each tensor object with the table's members
 * after "data", where the table has them:
 *   "columns": [...]        the header's names of the result's value
 *                           columns (a table with a header);
 *   "keys": {"Date": [...]} each key column's fields, one a result row,
 *                           their text unquoted ("" for a row without
 *                           keys); named by the header, else by the
 *                           column's 1-based number;
 *   "key_positions": [1]    where the key columns stand among the CSV
 *                           output's columns, 1-based.
 * tc_read_table reads it back to the same table.
 */
int tc_write_table_json(tc_buf *out, const tc_result *r, const tc_op_args *a, const tc_table *t,
                        tc_err *err);

/*
 * The calling thread's memory limit: from now on, calls made by this
 * thread (and the threads such a call starts) refuse tensors, output texts
 * and decompression windows bigger than this many bytes (TC_ENOMEM)
 * before anything is allocated.  0, the default, means the machine's
 * physical memory or RLIMIT_AS / RLIMIT_DATA, whichever is less.  It is
 * the thread's, not the process's: other threads, and other parts of the
 * host, keep their own.  A fuzzer, or a server reading untrusted input,
 * sets a lower one.
 */
void tc_set_memory_limit(uint64_t bytes);

/* ---- comparing (compare.c) ---------------------------------------------- */

typedef struct tc_close_opts {
    int has_rtol, has_atol;   /* unset: torch.testing's defaults per dtype */
    double rtol, atol;
    int equal_nan;
    int check_dtype;
    tc_torch_version torch_version;   /* whose report to write (zero: 2.6) */
} tc_close_opts;

/*
 * torch.testing.assert_close(actual, expected).  On TC_OK, *close is 1 if
 * they are close, else 0 and report holds PyTorch's message ("Tensor-likes
 * are not close!\n\nMismatched elements: ...").  Shape and dtype mismatches
 * are "not close" with PyTorch's message too.
 */
int tc_assert_close(const tc_tensor *actual, const tc_tensor *expected,
                    const tc_close_opts *o, tc_buf *report, int *close, tc_err *err);

/* ---- streaming (stream.c) ------------------------------------------------ */

/* Where a stream's bytes come from and go to. */
typedef struct tc_stream_io {
    /* Up to cap bytes into buf: the count, 0 at the end, -1 (errno set) on error. */
    long (*read)(void *ctx, char *buf, size_t cap);
    /* All n bytes out: 0, or -1 (errno set) on error. */
    int (*write)(void *ctx, const char *p, size_t n);
    /* Back to the first byte: 0, or -1; NULL if the input is a pipe. */
    int (*rewind)(void *ctx);
    void *ctx;
    /*
     * Optional: 1 if a read would not wait (data or the end is there).
     * With threads, a pipe's pending rows are written before a read that
     * may wait, so output stays live; without this, before every read.
     */
    int (*ready)(void *ctx);
} tc_stream_io;

/* How a stream writes. */
typedef struct tc_stream_opts {
    int select;               /* a two-result op's values (1) or indices (2); 0 none */
    char delimiter;           /* CSV output delimiter; 0: the input's (runs of blanks give tab) */
    int live;                 /* never read the input twice (see tc_stream_csv) */
    /*
     * Threads parsing and formatting blocks (0 or 1: the caller's only);
     * the output is the same bytes whatever the number.  io's functions
     * are called from the caller's thread alone; the threads take the
     * caller's memory limit and have ended when tc_stream_csv returns.
     */
    int threads;
    long block;               /* for tests: a block's bytes with threads (0: 64 KiB) */
} tc_stream_opts;

/*
 * CSV (or, with ro->format TC_FMT_JSON, JSON Lines: see tc_json_lines) in,
 * CSV out for op a, in memory bounded by the row width where the
 * op runs along the rows or down the columns of the table (show, the
 * scans, ops along the rows), and through the whole-input path otherwise;
 * the bytes are the same either way, and carry the table's header and key
 * columns.  prefix holds input already read (format sniffing).  Output
 * goes out through io->write before each read, so a slow producer sees its
 * rows at once.
 *
 * The dtype is torch.tensor's inference over the whole input: with
 * io->rewind, and unless so->live or ro->has_input_dtype, the input is
 * read once before any row goes out.  Otherwise its first rows decide, and
 * a later value that needs a wider dtype is an error (TC_EVALUE, param
 * "input_dtype").
 *
 * Errors: what io->write took before the error stays written (a caller
 * writing to a file removes it); err has the input's line and column where
 * known; a failed io->write is TC_EIO with param "output", a failed
 * io->read TC_EIO; so->select that does not fit the op is TC_EARG with
 * param "select" (see tc_result_pick).
 */
int tc_stream_csv(const tc_op_args *a, const tc_read_opts *ro, const tc_stream_opts *so,
                  const char *prefix, size_t nprefix, const tc_stream_io *io, tc_err *err);

/* ---- npz archives (read_npz.c; tc_read_npz is with the readers) ----------- */

/*
 * The names of an npz's arrays, in archive order, appended to names as
 * NUL-terminated strings ("x\0arr_1\0"); *count is their number.
 */
int tc_npz_names(const char *data, size_t n, tc_buf *names, size_t *count, tc_err *err);

/* ---- compressed input (source.c) ----------------------------------------- */

/*
 * Where raw bytes come from: read up to cap bytes into buf (the count, 0
 * at the end, -1 with errno set on error); rewind back to the first byte
 * (0, or -1 with errno set), NULL if the input cannot be read twice (a
 * pipe).  The same contract as tc_stream_io's read and rewind.
 */
typedef struct tc_reader {
    long (*read)(void *ctx, char *buf, size_t cap);
    int (*rewind)(void *ctx);
    void *ctx;
} tc_reader;

typedef enum tc_codec {
    TC_CODEC_NONE, TC_CODEC_GZIP, TC_CODEC_BZIP2, TC_CODEC_XZ, TC_CODEC_ZSTD
} tc_codec;

/* "gzip", "bzip2", "xz", "zstd"; "plain" for TC_CODEC_NONE. */
const char *tc_codec_name(tc_codec c);

/*
 * A source: the bytes of a raw reader, decompressed if its first bytes are
 * the magic of gzip, bzip2, xz or zstd (whatever the file is called), else
 * passed through untouched.  Concatenated gzip members, bzip2 and xz
 * streams and zstd frames read as one.  Memory stays bounded: the codec's
 * window (32 KiB for gzip, about 3.5 MiB for bzip2, the xz dictionary, a
 * zstd window up to 128 MiB) and a 64 KiB buffer.
 *
 * tc_source_new copies *raw (raw->ctx must outlive the source) and reads
 * nothing yet; free the source with tc_source_free, which accepts NULL.
 */
typedef struct tc_source tc_source;

int tc_source_new(const tc_reader *raw, tc_source **out, tc_err *err);
void tc_source_free(tc_source *s);

/*
 * Up to cap bytes of data into buf; *got is their count, at least 1 until
 * the data ends, then 0.  Errors: TC_EIO when the raw reader fails (errno
 * as it left it), TC_EINPUT for data that does not decode ("truncated gzip
 * data", "corrupt xz data at byte N (...)", "trailing garbage after gzip
 * data at byte N", N counting the compressed bytes), TC_ENOMEM.  An error
 * stops the source: later reads return it again.
 */
int tc_source_read(tc_source *s, char *buf, size_t cap, size_t *got, tc_err *err);

/* Back to the first byte (the decoder restarts); TC_EIO if the raw reader cannot rewind. */
int tc_source_rewind(tc_source *s, tc_err *err);

/* The codec found by the first read; TC_CODEC_NONE for plain data and before it. */
tc_codec tc_source_codec(const tc_source *s);

/*
 * A source as a tc_stream_io's read and rewind (ctx: the tc_source *):
 * they return -1 on failure with errno set (EILSEQ for data that does not
 * decode) and tc_source_error gives the error in full.
 */
long tc_source_io_read(void *source, char *buf, size_t cap);
int tc_source_io_rewind(void *source);
const tc_err *tc_source_error(const tc_source *s);

#endif /* TCUM_H */
