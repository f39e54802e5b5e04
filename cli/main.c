/*
 * main.c - tcum's command line: argv into options, input bytes into a
 * tensor, the op, and the result out as bytes.  Everything else lives in
 * lib/; this file maps errors to "tcum: ..." and an exit status.
 *
 * The locale is never set: the library's number parsing and printing rely
 * on the "C" locale's decimal point.
 */
/* sched_getaffinity, for the default number of threads */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "tcum.h"
#include "help.h"

#include <poll.h>
#include <sched.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_DIFF  1   /* assert-close: not close */
#define EXIT_ERROR 2

typedef enum {
    O_DIM, O_DTYPE, O_INPUT_DTYPE, O_DEFAULT_DTYPE, O_REVERSE, O_EXCLUSIVE,
    O_INCLUDE_INITIAL, O_KEEPDIM, O_N, O_DX, O_GRAD, O_GRAD_OUTPUT,
    O_FORMAT, O_OUTPUT, O_SELECT, O_INPUT_FORMAT, O_DELIMITER, O_HEADER,
    O_NO_HEADER, O_SHAPE, O_PRECISION, O_THRESHOLD, O_EDGEITEMS,
    O_LINEWIDTH, O_SCI_MODE, O_PROFILE, O_RTOL, O_ATOL, O_EQUAL_NAN,
    O_CHECK_DTYPE, O_TORCH_VERSION, O_COLUMNS, O_EXCLUDE_COLUMNS, O_NA, O_SKIP_ROWS,
    O_COMMENT, O_OUTPUT_DELIMITER, O_LIVE, O_THREADS, O_LIST, O_DIFF_PREPEND, O_DIFF_APPEND,
    O_TRAPZ_X, O_HELP, O_VERSION
} opt_id;

typedef struct {
    const char *name;   /* long name without "--" */
    char short_name;    /* 0 if none */
    int has_arg;
    opt_id id;
} opt_spec;

static const opt_spec OPTS[] = {
    {"dim", 'd', 1, O_DIM},
    {"axis", 0, 1, O_DIM},        /* NumPy's word for it */
    {"dtype", 0, 1, O_DTYPE},
    {"input-dtype", 0, 1, O_INPUT_DTYPE},
    {"default-dtype", 0, 1, O_DEFAULT_DTYPE},
    {"reverse", 0, 0, O_REVERSE},
    {"exclusive", 0, 0, O_EXCLUSIVE},
    {"include-initial", 0, 0, O_INCLUDE_INITIAL},
    {"keepdim", 0, 0, O_KEEPDIM},
    {"n", 'n', 1, O_N},
    {"dx", 0, 1, O_DX},
    {"grad", 0, 0, O_GRAD},
    {"grad-output", 0, 1, O_GRAD_OUTPUT},
    {"format", 'f', 1, O_FORMAT},
    {"output", 'o', 1, O_OUTPUT},
    {"select", 0, 1, O_SELECT},
    {"input-format", 0, 1, O_INPUT_FORMAT},
    {"delimiter", 0, 1, O_DELIMITER},
    {"header", 0, 0, O_HEADER},
    {"no-header", 0, 0, O_NO_HEADER},
    {"shape", 0, 1, O_SHAPE},
    {"precision", 0, 1, O_PRECISION},
    {"threshold", 0, 1, O_THRESHOLD},
    {"edgeitems", 0, 1, O_EDGEITEMS},
    {"linewidth", 0, 1, O_LINEWIDTH},
    {"sci-mode", 0, 1, O_SCI_MODE},
    {"profile", 0, 1, O_PROFILE},
    {"rtol", 0, 1, O_RTOL},
    {"atol", 0, 1, O_ATOL},
    {"equal-nan", 0, 0, O_EQUAL_NAN},
    {"check-dtype", 0, 0, O_CHECK_DTYPE},
    {"torch-version", 0, 1, O_TORCH_VERSION},
    {"columns", 'c', 1, O_COLUMNS},
    {"exclude-columns", 0, 1, O_EXCLUDE_COLUMNS},
    {"na", 0, 1, O_NA},
    {"skip-rows", 0, 1, O_SKIP_ROWS},
    {"comment", 0, 1, O_COMMENT},
    {"output-delimiter", 0, 1, O_OUTPUT_DELIMITER},
    {"live", 0, 0, O_LIVE},
    {"threads", 0, 1, O_THREADS},
    {"list", 0, 0, O_LIST},
    {"prepend", 0, 1, O_DIFF_PREPEND},
    {"append", 0, 1, O_DIFF_APPEND},
    {"x", 0, 1, O_TRAPZ_X},
    {"help", 'h', 0, O_HELP},
    {"version", 'V', 0, O_VERSION},
};
#define NOPTS (sizeof OPTS / sizeof OPTS[0])

typedef enum { OUT_TORCH, OUT_CSV, OUT_JSON, OUT_NPY } out_format;

typedef struct {
    const char *opname;         /* argv[1] */
    int assert_close;
    tc_op_args args;
    tc_read_opts read;
    int has_delimiter;
    char out_delim;             /* --output-delimiter, or 0: the input's */
    int live;
    int threads;                /* --threads, TCUM_THREADS, else the cores we may run on */
    long test_block;            /* TCUM_TEST_BLOCK: small blocks, for the tests */
    int has_shape, shape_ndim;
    int64_t shape[TC_MAX_DIMS];
    int grad;
    const char *grad_output;
    int has_n, has_dx;
    const char *prepend, *append, *x;   /* diff's and cumulative_trapezoid's tensor arguments */
    out_format format;
    const char *output;         /* -o FILE, or NULL for stdout */
    int select;                 /* 0 both, 1 values, 2 indices */
    /* Print options: the profile is applied first, explicit options win. */
    const char *profile;
    int has_precision, has_threshold, has_edgeitems, has_linewidth, has_sci_mode;
    tc_print_opts print;
    tc_close_opts close;
    const char *files[2];
    int nfiles;
    int list;                   /* show --list: the arrays of an npz */
} cli_opts;

/* ---- errors --------------------------------------------------------------- */

static void fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

static void sink_abort(void);

static void fail(const char *fmt, ...)
{
    va_list ap;
    sink_abort();
    fflush(stdout);
    /*
     * One write for the line (stderr is unbuffered): two tcums of a
     * pipeline failing at once must not interleave their messages.
     */
    char line[8192];
    va_start(ap, fmt);
    int k = vsnprintf(line + 6, sizeof line - 7, fmt, ap);
    va_end(ap);
    if (k >= 0 && (size_t)k < sizeof line - 7) {
        memcpy(line, "tcum: ", 6);
        line[6 + k] = '\n';
        fwrite(line, 1, (size_t)k + 7, stderr);
    } else {
        fputs("tcum: ", stderr);   /* (a longer message: in pieces) */
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    exit(EXIT_ERROR);
}

/* The op being run, for the messages that name it with its options (with_hint). */
static tc_op hint_op = TC_OP_SHOW;

/*
 * The library names the argument at fault as tcum.h does (err->param) and
 * a value that would work (err->suggest); here they become the command
 * line's words.  Returns the message to print (msg, or a CLI rewording).
 * Where the library's sentence names arguments, the CLI says it again with
 * its options, from the code, the parameter and the op alone.
 */
static const char *with_hint(const tc_err *e, char *buf, size_t cap)
{
    const char *p = e->param, *v = e->suggest;
    const char *op = tc_op_name(hint_op);
    if (!p)
        return e->msg;
    if ((!strcmp(p, "exclusive") || !strcmp(p, "include_initial")) && e->code == TC_EARG &&
        (hint_op == TC_OP_CUMMAX || hint_op == TC_OP_CUMMIN))
        snprintf(buf, cap, "%s has no identity element: --%s is not supported", op,
                 *p == 'e' ? "exclusive" : "include-initial");
    else if (!strcmp(p, "include_initial") && e->code == TC_EARG)
        snprintf(buf, cap, "--exclusive and --include-initial cannot be combined");
    else if (!strcmp(p, "include_initial") && e->code == TC_EDIM)
        snprintf(buf, cap, "--include-initial needs a tensor with at least one dimension");
    else if (!strcmp(p, "keepdim") && e->code == TC_EDIM)
        snprintf(buf, cap, "%s(): --keepdim needs --dim (torch.%s has no keepdim without dim)", op, op);
    else if (!strcmp(p, "op") && e->code == TC_EARG && hint_op == TC_OP_SHOW)
        snprintf(buf, cap, "--grad needs an op");
    else if (!strcmp(p, "format") && e->code == TC_ESHAPE && *v)
        snprintf(buf, cap, "%s (try --format %s, or --shape to make it 2-D)", e->msg, v);
    else if (!strcmp(p, "dtype") && *v)
        snprintf(buf, cap, "%s (try --dtype %s)", e->msg, v);
    else if (!strcmp(p, "input_dtype") && *v)
        snprintf(buf, cap, "%s (pass --input-dtype %s)", e->msg, v);
    else if (!strcmp(p, "header"))
        snprintf(buf, cap, "%s (use --no-header if it is data)", e->msg);
    else if (!strcmp(p, "na") && *v)
        snprintf(buf, cap, "%s (if '%s' marks a missing value, pass --na '%s'; or pick the "
                 "columns with -c)", e->msg, v, v);
    else if (!strcmp(p, "na"))
        snprintf(buf, cap, "%s (pass --na if it marks a missing value, or pick the columns "
                 "with -c)", e->msg);
    else if (!strcmp(p, "delimiter") && *v)
        snprintf(buf, cap, "%s (the fields look %s-separated: try --delimiter %s)", e->msg,
                 !strcmp(v, "tab") ? "tab" : !strcmp(v, ",") ? "comma" : !strcmp(v, ";")
                 ? "semicolon" : "pipe", v[0] == ';' || v[0] == '|' ? (v[0] == ';' ? "';'" : "'|'") : v);
    else if (!strcmp(p, "skip_rows") && *v)
        snprintf(buf, cap, "%s (the first line looks like a preamble: try --skip-rows %s)",
                 e->msg, v);
    else if (!strcmp(p, "columns") && e->code == TC_EINPUT)
        snprintf(buf, cap, "%s (pick the columns of numbers with -c)", e->msg);
    else if (!strcmp(p, "columns") && e->code == TC_ENODATA)
        snprintf(buf, cap, "%s: every column holds words (pick columns with -c, or check "
                 "--delimiter)", e->msg);
    else if (*v) {
        /* any other argument: its option is its name with dashes */
        char opt[64];
        size_t i;
        for (i = 0; p[i] && i + 1 < sizeof opt; i++)
            opt[i] = p[i] == '_' ? '-' : p[i];
        opt[i] = '\0';
        snprintf(buf, cap, "%s (try --%s %s)", e->msg, opt, v);
    } else
        return e->msg;
    return buf;
}

/* Report a library error, with FILE:LINE:COL where the error has a position. */
static void fail_err(const char *file, const tc_err *e)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

static void fail_err(const char *file, const tc_err *e)
{
    char buf[sizeof e->msg + 200];
    const char *msg = with_hint(e, buf, sizeof buf);
    if (file && e->line > 0 && e->col > 0)
        fail("%s:%ld:%ld: %s", file, e->line, e->col, msg);
    if (file && e->line > 0)
        fail("%s:%ld: %s", file, e->line, msg);
    fail("%s", msg);
}

/* ---- option parsing ---------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static void fail_unknown_option(const char *arg)
{
    const char *name = arg;
    while (*name == '-')
        name++;
    char bare[64];
    snprintf(bare, sizeof bare, "%.*s", (int)strcspn(name, "="), name);
    const char *best = NULL;
    size_t bestd = 3;
    /* a prefix of one option's name (--col for --columns) first */
    for (size_t i = 0; i < NOPTS && strlen(bare) >= 2; i++)
        if (!strncmp(OPTS[i].name, bare, strlen(bare)) && strlen(OPTS[i].name) > strlen(bare)) {
            best = OPTS[i].name;
            bestd = 0;
            break;
        }
    for (size_t i = 0; i < NOPTS && !best; i++) {
        size_t d = edit_distance(bare, OPTS[i].name);
        if (d < bestd && d < strlen(bare) && strlen(OPTS[i].name) > 1) {
            bestd = d;
            best = OPTS[i].name;
        }
    }
    if (best)
        fail("unknown option '%s' (did you mean --%s?)", arg, best);
    fail("unknown option '%s'", arg);
}

/* An unknown op: the nearest op name by edit distance, if one is near. */
static void fail_unknown_op(const char *name)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

static void fail_unknown_op(const char *name)
{
    const char *best = NULL;
    size_t bestd = 3;
    for (int i = 0; i < TC_NOPS; i++) {
        const char *cand = tc_op_name((tc_op)i);
        size_t d = edit_distance(name, cand);
        if (d < bestd && d < strlen(name)) {
            bestd = d;
            best = cand;
        }
    }
    if (!best && edit_distance(name, "assert-close") < 3)
        best = "assert-close";
    if (best)
        fail("unknown op '%s' (did you mean %s?)", name, best);
    fail("unknown op '%s' (try tcum --help)", name);
}

static int64_t parse_int(const char *s, const char *opt)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        fail("invalid value '%s' for %s: expected an integer", s, opt);
    return v;
}

static int parse_small_int(const char *s, const char *opt, int min)
{
    int64_t v = parse_int(s, opt);
    if (v < min || v > INT_MAX)
        fail("invalid value '%s' for %s: expected an integer >= %d", s, opt, min);
    return (int)v;
}

static double parse_double(const char *s, const char *opt)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end)
        fail("invalid value '%s' for %s: expected a number", s, opt);
    return v;
}

/* A delimiter: one character, "tab" or "\\t", "whitespace" (runs of blanks: ' '). */
static char parse_delimiter(const char *val, const char *shown)
{
    if (!strcmp(val, "\\t") || !strcmp(val, "tab"))
        return '\t';
    if (!strcmp(val, "whitespace") || !strcmp(val, " "))
        return ' ';
    if (!strcmp(val, "comma"))
        return ',';
    if (!strcmp(val, "semicolon"))
        return ';';
    if (!strcmp(val, "pipe"))
        return '|';
    if (strlen(val) == 1 && val[0] != '"' && val[0] != '\n' && val[0] != '\r')
        return val[0];
    fail("invalid value '%s' for %s: expected one character, tab or whitespace", val, shown);
}

static tc_dtype parse_dtype(const char *s)
{
    tc_dtype t;
    if (!tc_dtype_parse(s, &t))
        fail("unknown dtype '%s'", s);
    return t;
}

static void parse_shape(cli_opts *o, const char *s)
{
    const char *p = s;
    o->shape_ndim = 0;
    while (*p) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || (*end && *end != ','))
            fail("invalid value '%s' for --shape: expected integers separated by commas", s);
        if (o->shape_ndim == TC_MAX_DIMS)
            fail("--shape has too many dimensions (the limit is %d)", TC_MAX_DIMS);
        o->shape[o->shape_ndim++] = v;
        p = *end ? end + 1 : end;
        if (*end == ',' && !*p)
            fail("invalid value '%s' for --shape: expected integers separated by commas", s);
    }
    o->has_shape = 1;
}

/* --dim N, or a list N,M,... (a trailing comma makes a list of one: torch's (0,)). */
static void parse_dims(cli_opts *o, const char *s, const char *opt)
{
    if (!strchr(s, ',')) {
        o->args.has_dim = 1;
        o->args.dim = parse_int(s, opt);
        return;
    }
    int64_t dims[TC_MAX_DIMS];
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || (*end && *end != ','))
            fail("invalid value '%s' for %s: expected an integer or integers separated by commas", s, opt);
        if (n == TC_MAX_DIMS)
            fail("%s has too many dims (the limit is %d)", opt, TC_MAX_DIMS);
        dims[n++] = v;
        p = *end ? end + 1 : end;
    }
    tc_op_args_set_dims(&o->args, n, dims);
}

/* --torch-version and TCUM_TORCH_VERSION: 2.6 (the default) or 1.13. */
static void set_torch_version(cli_opts *o, const char *val, const char *shown)
{
    tc_torch_version v;
    if (!strcmp(val, "2.6"))
        v = TC_TORCH_2_6;
    else if (!strcmp(val, "1.13"))
        v = TC_TORCH_1_13;
    else
        fail("invalid value '%s' for %s (expected 2.6 or 1.13)", val, shown);
    o->args.torch_version = o->read.torch_version = o->print.torch_version = v;
    o->close.torch_version = v;
}

static void set_option(cli_opts *o, const opt_spec *spec, const char *val, const char *shown)
{
    switch (spec->id) {
    case O_DIM: parse_dims(o, val, shown); break;
    case O_DTYPE: o->args.has_dtype = 1; o->args.dtype = parse_dtype(val); break;
    case O_INPUT_DTYPE: o->read.has_input_dtype = 1; o->read.input_dtype = parse_dtype(val); break;
    case O_DEFAULT_DTYPE: {
        tc_dtype t = parse_dtype(val);
        if (t != TC_FLOAT32 && t != TC_FLOAT64)
            fail("invalid --default-dtype '%s': only float32 and float64 are supported", val);
        o->args.default_dtype = o->read.default_dtype = o->print.default_dtype = t;
        break;
    }
    case O_REVERSE: o->args.reverse = 1; break;
    case O_EXCLUSIVE: o->args.exclusive = 1; break;
    case O_INCLUDE_INITIAL: o->args.include_initial = 1; break;
    case O_KEEPDIM: o->args.keepdim = 1; break;
    case O_N: o->has_n = 1; o->args.n = parse_int(val, shown); break;
    case O_DX: o->has_dx = 1; o->args.dx = parse_double(val, shown); break;
    case O_GRAD: o->grad = 1; break;
    case O_GRAD_OUTPUT: o->grad_output = val; o->grad = 1; break;
    case O_FORMAT:
        if (!strcmp(val, "torch")) o->format = OUT_TORCH;
        else if (!strcmp(val, "csv")) o->format = OUT_CSV;
        else if (!strcmp(val, "json")) o->format = OUT_JSON;
        else if (!strcmp(val, "npy")) o->format = OUT_NPY;
        else fail("unknown format '%s' (expected torch, csv, json or npy)", val);
        break;
    case O_OUTPUT: o->output = val; break;
    case O_SELECT:
        if (!strcmp(val, "values")) o->select = 1;
        else if (!strcmp(val, "indices")) o->select = 2;
        else fail("invalid value '%s' for --select (expected values or indices)", val);
        break;
    case O_INPUT_FORMAT:
        if (!strcmp(val, "csv")) o->read.format = TC_FMT_CSV;
        else if (!strcmp(val, "json")) o->read.format = TC_FMT_JSON;
        else if (!strcmp(val, "npy")) o->read.format = TC_FMT_NPY;
        else if (!strcmp(val, "torch")) o->read.format = TC_FMT_TORCH;
        else if (!strcmp(val, "npz")) o->read.format = TC_FMT_NPZ;
        else fail("unknown input format '%s' (expected csv, json, npy, npz or torch)", val);
        break;
    case O_DELIMITER:
        o->read.delimiter = parse_delimiter(val, shown);
        o->has_delimiter = 1;
        break;
    case O_OUTPUT_DELIMITER:
        o->out_delim = parse_delimiter(val, shown);
        if (o->out_delim == ' ')
            fail("invalid value '%s' for %s: output fields need one delimiter character", val, shown);
        break;
    case O_COLUMNS: o->read.columns = val; break;
    case O_EXCLUDE_COLUMNS: o->read.exclude_columns = val; break;
    case O_NA: o->read.na = val; break;
    case O_SKIP_ROWS: o->read.skip_rows = (long)parse_small_int(val, shown, 0); break;
    case O_COMMENT:
        if (strlen(val) > 1 || val[0] == '"' || val[0] == '\n' || val[0] == '\r')
            fail("invalid value '%s' for %s: expected one character, or '' for none", val, shown);
        o->read.comment = val[0];
        break;
    case O_LIVE: o->live = 1; break;
    case O_THREADS: o->threads = o->read.threads = parse_small_int(val, shown, 1); break;
    case O_HEADER: o->read.header = 1; break;
    case O_NO_HEADER: o->read.header = 0; break;
    case O_SHAPE: parse_shape(o, val); break;
    case O_PRECISION: o->has_precision = 1; o->print.precision = parse_small_int(val, shown, 0); break;
    case O_THRESHOLD:
        o->has_threshold = 1;
        if (!strcmp(val, "inf"))
            o->print.threshold = INFINITY;
        else {
            o->print.threshold = parse_double(val, shown);
            if (isnan(o->print.threshold))
                fail("invalid value '%s' for %s: expected a number", val, shown);
        }
        break;
    case O_EDGEITEMS: o->has_edgeitems = 1; o->print.edgeitems = parse_small_int(val, shown, 0); break;
    case O_LINEWIDTH: o->has_linewidth = 1; o->print.linewidth = parse_small_int(val, shown, INT_MIN); break;
    case O_SCI_MODE:
        o->has_sci_mode = 1;
        if (!strcmp(val, "auto")) o->print.sci_mode = -1;
        else if (!strcmp(val, "on")) o->print.sci_mode = 1;
        else if (!strcmp(val, "off")) o->print.sci_mode = 0;
        else fail("invalid value '%s' for --sci-mode (expected auto, on or off)", val);
        break;
    case O_PROFILE: {
        tc_print_opts scratch;
        tc_print_opts_init(&scratch);
        if (!tc_print_opts_profile(&scratch, val))
            fail("unknown profile '%s' (expected default, short or full)", val);
        o->profile = val;
        break;
    }
    case O_RTOL: o->close.has_rtol = 1; o->close.rtol = parse_double(val, shown); break;
    case O_ATOL: o->close.has_atol = 1; o->close.atol = parse_double(val, shown); break;
    case O_EQUAL_NAN: o->close.equal_nan = 1; break;
    case O_CHECK_DTYPE: o->close.check_dtype = 1; break;
    case O_TORCH_VERSION: set_torch_version(o, val, shown); break;
    case O_LIST: o->list = 1; break;
    case O_DIFF_PREPEND: o->prepend = val; break;
    case O_DIFF_APPEND: o->append = val; break;
    case O_TRAPZ_X: o->x = val; break;
    case O_HELP:
        if (o->opname && !o->assert_close && tc_cli_op_help(stdout, o->opname))
            exit(0);
        if (o->opname && o->assert_close && tc_cli_op_help(stdout, "assert-close"))
            exit(0);
        tc_cli_usage(stdout);
        exit(0);
    case O_VERSION:
        printf("tcum %s (PyTorch 2.6 by default; 1.13 with --torch-version 1.13)\n", TC_VERSION);
        exit(0);
    }
}

/* Parse argv[first..] into o: options anywhere, FILE operands collected. */
static void parse_args(cli_opts *o, int argc, char **argv, int first)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--")) {
            for (i++; i < argc; i++) {
                if (o->nfiles == 2)
                    fail("unexpected argument '%s'", argv[i]);
                o->files[o->nfiles++] = argv[i];
            }
            break;
        }
        if (arg[0] != '-' || !strcmp(arg, "-") || !strncmp(arg, "-:", 2)) {   /* -:NAME: an npz on stdin */
            if (o->nfiles == 2 || (o->nfiles == 1 && !o->assert_close))
                fail("unexpected argument '%s' (one input file at most)", arg);
            o->files[o->nfiles++] = arg;
            continue;
        }
        const opt_spec *spec = NULL;
        const char *val = NULL;
        char shown[80];
        if (arg[1] == '-') {
            const char *name = arg + 2;
            size_t len = strcspn(name, "=");
            for (size_t k = 0; k < NOPTS; k++)
                if (strlen(OPTS[k].name) == len && !strncmp(OPTS[k].name, name, len)
                    && (len > 1 || !OPTS[k].short_name))
                    spec = &OPTS[k];
            if (!spec)
                fail_unknown_option(arg);
            snprintf(shown, sizeof shown, "--%s", spec->name);
            if (name[len] == '=') {
                if (!spec->has_arg)
                    fail("option '%s' takes no argument", shown);
                val = name + len + 1;
            }
        } else {
            for (size_t k = 0; k < NOPTS; k++)
                if (OPTS[k].short_name == arg[1])
                    spec = &OPTS[k];
            if (!spec)
                fail_unknown_option(arg);
            snprintf(shown, sizeof shown, "-%c", spec->short_name);
            if (arg[2]) {
                if (!spec->has_arg)
                    fail_unknown_option(arg);
                val = arg + 2;
            }
        }
        if (spec->has_arg && !val) {
            if (i + 1 >= argc)
                fail("option '%s' requires an argument", shown);
            val = argv[++i];
        }
        set_option(o, spec, val, shown);
    }
}

/* ---- output -------------------------------------------------------------------- */

/*
 * Where the output goes: standard output, or for -o a temporary file in the
 * same directory, renamed over FILE once everything is written, so FILE is
 * whole or untouched.  fail() removes the temporary file.
 */
static struct {
    int fd;
    const char *path;       /* -o FILE, or NULL */
    char *tmp;              /* the temporary file, while it exists */
    char *real;             /* what a symlink -o FILE points to, or NULL */
} sink = {1, NULL, NULL, NULL};

static void sink_abort(void)
{
    if (sink.tmp) {
        unlink(sink.tmp);
        free(sink.tmp);
        sink.tmp = NULL;
    }
}

/* The descriptor that /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N names, or -1. */
static int named_descriptor(const char *path)
{
    if (!strcmp(path, "/dev/stdout"))
        return 1;
    if (!strcmp(path, "/dev/stderr"))
        return 2;
    const char *num = NULL;
    if (!strncmp(path, "/dev/fd/", 8))
        num = path + 8;
    else if (!strncmp(path, "/proc/self/fd/", 14))
        num = path + 14;
    if (!num || *num < '0' || *num > '9')
        return -1;
    char *end;
    long fd = strtol(num, &end, 10);
    if (*end || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0)
        return -1;
    return (int)fd;
}

static void sink_open(const char *path)
{
    if (!path || !strcmp(path, "-"))
        return;
    /*
     * A descriptor by name (-o /dev/stdout, /dev/fd/3): that descriptor,
     * as a shell's redirection would; reopening the name could truncate or
     * replace the file behind it.
     */
    int named_fd = named_descriptor(path);
    if (named_fd >= 0) {
        /* A copy, so that closing it at the end leaves stdout to main. */
        sink.fd = fcntl(named_fd, F_DUPFD_CLOEXEC, 3);
        if (sink.fd < 0)
            fail("cannot write %s: %s", path, strerror(errno));
        sink.path = path;
        return;
    }
    struct stat st;     /* of what path names, through any symlink */
    bool exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        /*
         * A device, FIFO or socket (-o /dev/null, a named pipe): write to
         * it as it is.  Renaming a temporary file over it would replace
         * /dev/null with a regular file when run as root.  A directory
         * fails here with EISDIR.
         */
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            fail("cannot write %s: %s", path, strerror(errno));
        sink.fd = fd;
        sink.path = path;
        return;
    }
    /*
     * A symlink to a regular file: write the file it points to, and keep
     * the link (renaming over the link itself would replace it).
     */
    struct stat lst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
        sink.real = realpath(path, NULL);
    const char *target = sink.real ? sink.real : path;
    size_t len = strlen(target);
    sink.tmp = malloc(len + 16);
    if (!sink.tmp)
        fail("out of memory");
    snprintf(sink.tmp, len + 16, "%s.tmp.XXXXXX", target);
    int fd = mkstemp(sink.tmp);
    if (fd < 0) {
        int e = errno;
        free(sink.tmp);
        sink.tmp = NULL;
        fail("cannot create %s: %s", path, strerror(e));
    }
    /*
     * mkstemp makes 0600; give the file the mode of the file it replaces,
     * or else the usual umask-derived one.
     */
    mode_t mode;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(fd, mode) != 0) {
        /* harmless: the file keeps mode 0600 */
    }
    sink.fd = fd;
    sink.path = path;
}

/* All n bytes to the sink: 0, or -1 with errno set. */
static int sink_write(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    while (n) {
        ssize_t w = write(sink.fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE && !sink.path) {
                sink_abort();
                exit(0);   /* the reader went away (| head): end quietly */
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void sink_put(const tc_buf *b)
{
    if (b->oom)
        fail("out of memory formatting the output");
    if (b->n && sink_write(NULL, b->p, b->n) != 0) {
        if (sink.path)
            fail("write error on %s: %s", sink.path, strerror(errno));
        fail("write error: %s", strerror(errno));
    }
}

static void sink_commit(void)
{
    if (!sink.path)
        return;
    if (close(sink.fd) != 0)
        fail("write error on %s: %s", sink.path, strerror(errno));
    sink.fd = -1;
    if (!sink.tmp)
        return;     /* a device or FIFO, written in place */
    if (rename(sink.tmp, sink.real ? sink.real : sink.path) != 0)
        fail("cannot write %s: %s", sink.path, strerror(errno));
    free(sink.tmp);
    sink.tmp = NULL;
}

/* ---- input ------------------------------------------------------------------- */

/*
 * An input: a file or standard input, read through a tc_source, which
 * decompresses gzip, bzip2, xz and zstd (told by their magic) and passes
 * anything else through.  FILE:NAME names the array NAME of an npz; it is
 * split only when no file FILE:NAME exists (a file name may hold ':').
 */
typedef struct {
    int fd;
    const char *path;       /* as given; "-" is standard input */
    char *file;             /* path without its ":NAME", when split (owned) */
    const char *member;     /* npz: the NAME of FILE:NAME, else NULL */
    tc_source *src;         /* NULL once a pipe is spilled (the copy is plain) */
    char *p;                /* bytes read so far (decompressed) */
    size_t n, cap;
    int eof;
    int regular;            /* a regular file: can be read twice */
    size_t size_hint;       /* a regular file's size + 1, for reading it whole */
} input;

static const char *display_name(const char *path)
{
    return strcmp(path, "-") ? path : "<stdin>";
}

static long input_raw_read(void *ctx, char *buf, size_t cap)
{
    const input *in = ctx;
    for (;;) {
        ssize_t r = read(in->fd, buf, cap);
        if (r < 0 && errno == EINTR)
            continue;
        return (long)r;
    }
}

static int input_raw_rewind(void *ctx)
{
    const input *in = ctx;
    return lseek(in->fd, 0, SEEK_SET) == 0 ? 0 : -1;
}

/* FILE:NAME, for a path that names no file: the last split whose FILE opens ("-": stdin). */
static int open_member(input *in)
{
    const char *path = in->path;
    for (const char *c = strrchr(path, ':'); c; ) {
        if (c[1] && c > path) {
            size_t len = (size_t)(c - path);
            char *file = malloc(len + 1);
            if (!file)
                fail("out of memory");
            memcpy(file, path, len);
            file[len] = '\0';
            int fd = strcmp(file, "-") ? open(file, O_RDONLY) : 0;
            if (fd >= 0) {
                in->file = file;
                in->member = c + 1;
                return fd;
            }
            free(file);
        }
        while (--c > path && *c != ':')
            ;
        if (c == path)
            break;
    }
    return -1;
}

static void input_open(input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    if (strcmp(path, "-")) {
        in->fd = open(path, O_RDONLY);
        if (in->fd < 0) {
            int e = errno;
            if (e == ENOENT)
                in->fd = open_member(in);
            if (in->fd < 0)
                fail("cannot open %s: %s", path, strerror(e));
        }
    }
    struct stat st;
    if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        in->regular = 1;
        if (st.st_size > 0 && (uintmax_t)st.st_size < SIZE_MAX - 1)
            in->size_hint = (size_t)st.st_size + 1;
    }
    tc_reader raw = {input_raw_read, in->regular ? input_raw_rewind : NULL, in};
    tc_err err = {0};
    if (tc_source_new(&raw, &in->src, &err) != TC_OK)
        fail("%s", err.msg);
}

/* A failed read: the system's reason, or what is wrong with the (compressed) data. */
static void input_fail(const input *in, int rc, const tc_err *err)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

static void input_fail(const input *in, int rc, const tc_err *err)
{
    if (rc == TC_EIO)
        fail("cannot read %s: %s", strcmp(in->path, "-") ? in->path : "standard input",
             strerror(errno));
    fail("%s: %s", display_name(in->path), err->msg);
}

/*
 * Up to cap bytes of the input's data, 0 at its end; a failure ends tcum.
 * Through the source (decompressed), or straight from a spilled copy.
 */
static size_t input_read(input *in, char *buf, size_t cap)
{
    tc_err err = {0};
    if (!in->src) {
        long r = input_raw_read(in, buf, cap);
        if (r < 0)
            input_fail(in, TC_EIO, &err);
        return (size_t)r;
    }
    size_t got;
    int rc = tc_source_read(in->src, buf, cap, &got, &err);
    if (rc != TC_OK)
        input_fail(in, rc, &err);
    return got;
}

/* One read of at most max bytes into the buffer, growing it; sets eof. */
static void input_read_upto(input *in, size_t max)
{
    if (!in->p || in->n == in->cap) {
        size_t cap = in->cap < 65536 ? 65536 : in->cap;
        while (cap - in->n < 65536 / 2) {
            if (cap > SIZE_MAX / 2)
                fail("%s: input too large", display_name(in->path));
            cap *= 2;
        }
        char *p = realloc(in->p, cap);
        if (!p)
            fail("out of memory reading %s", display_name(in->path));
        in->p = p;
        in->cap = cap;
    }
    size_t room = in->cap - in->n;
    size_t got = input_read(in, in->p + in->n, room < max ? room : max);
    if (got == 0)
        in->eof = 1;
    in->n += got;
}

/* FILE:NAME on a FILE that is no npz. */
static void check_member(const input *in)
{
    if (in->member && tc_detect_format(in->p, in->n) != TC_FMT_NPZ)
        fail("%s is not an npz archive, so it has no array '%s'", display_name(in->file), in->member);
}

static void input_read_all(input *in)
{
    if (!in->n && !in->eof)
        input_read_upto(in, SIZE_MAX);     /* the first bytes tell whether it is compressed */
    if (tc_source_codec(in->src) == TC_CODEC_NONE && in->size_hint > in->cap) {
        char *p = realloc(in->p, in->size_hint);
        if (!p)
            fail("out of memory reading %s", display_name(in->path));
        in->p = p;
        in->cap = in->size_hint;
    }
    while (!in->eof)
        input_read_upto(in, SIZE_MAX);
    check_member(in);
}

static void input_close(input *in)
{
    tc_source_free(in->src);
    in->src = NULL;
    if (in->fd != 0)
        close(in->fd);
    free(in->p);
    in->p = NULL;
    free(in->file);
    in->file = NULL;
}

/*
 * Enough of the input to tell its format: the first line, or 64 bytes
 * (reading no more than 64 KiB, so a stream stays small).
 */
static void input_read_head(input *in)
{
    while (!in->eof && in->n < 64 && !(in->n && memchr(in->p, '\n', in->n)))
        input_read_upto(in, 65536);
    check_member(in);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The read options for one input (a .tsv file defaults to tabs). */
static tc_read_opts read_opts_for(const cli_opts *o, const char *path)
{
    tc_read_opts ro = o->read;
    if (!o->has_delimiter && (has_suffix(path, ".tsv") || has_suffix(path, ".TSV")))
        ro.delimiter = '\t';
    return ro;
}

/*
 * Parse a whole input.  A CSV input is read as a table; *table (may be
 * NULL) gets its table, which CSV and JSON output write back around the
 * result.  --shape drops it: a reshaped tensor has no rows to key.
 */
static tc_tensor *parse_input(const cli_opts *o, input *in, int reshape, tc_table **table)
{
    tc_read_opts ro = read_opts_for(o, in->path);
    ro.npz_name = in->member;
    tc_tensor *t = NULL;
    tc_table *tab = NULL;
    tc_err err = {0};
    tc_format f = ro.format == TC_FMT_AUTO ? tc_detect_format(in->p, in->n) : ro.format;
    int rc;
    if (table)
        *table = NULL;
    if (f == TC_FMT_CSV || f == TC_FMT_JSON) {
        ro.format = f;   /* (JSON: a table when it is one) */
        rc = tc_read_table(in->p, in->n, &ro, &t, table ? &tab : NULL, &err);
    } else {
        ro.format = f;
        rc = tc_read(in->p, in->n, &ro, &t, &err);
    }
    if (rc != TC_OK && f == TC_FMT_BINARY)
        fail("%s is %s", display_name(in->path), err.msg);   /* "FILE is not CSV, ..." */
    if (rc != TC_OK)
        fail_err(display_name(in->path), &err);
    if (reshape && o->has_shape) {
        tc_tensor *r = NULL;
        if (tc_tensor_reshape(t, o->shape_ndim, o->shape, &r, &err) != TC_OK)
            fail_err(NULL, &err);
        tc_tensor_free(t);
        t = r;
        tc_table_free(tab);
        tab = NULL;
    }
    if (table)
        *table = tab;
    return t;
}

/* Read and parse a whole input. */
static tc_tensor *load(const cli_opts *o, const char *path, int reshape)
{
    input in;
    input_open(&in, path);
    input_read_all(&in);
    tc_tensor *t = parse_input(o, &in, reshape, NULL);
    input_close(&in);
    return t;
}

/* ---- streaming --------------------------------------------------------------- */

/*
 * The stream's reads, from the input's source.  A read that fails ends
 * tcum here, with the source's own message ("truncated gzip data"), which
 * a -1 to the stream would turn into a generic read error.
 */
static long stream_read(void *ctx, char *buf, size_t cap)
{
    return (long)input_read(ctx, buf, cap);
}

/* Whether a read of the input would not wait: data (or its end) is there. */
static int stream_ready(void *ctx)
{
    input *in = ctx;
    struct pollfd pfd = {in->fd, POLLIN, 0};
    return poll(&pfd, 1, 0) > 0;
}

static int stream_rewind(void *ctx)
{
    input *in = ctx;
    if (!in->src)
        return input_raw_rewind(in);
    return tc_source_rewind(in->src, NULL) == TC_OK ? 0 : -1;
}

/* The CLI's words for tc_result_pick's refusals. */
static void select_error(const cli_opts *o, const tc_err *e)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

static void select_error(const cli_opts *o, const tc_err *e)
{
    if (e->suggest[0]) {
        const char *name = o->args.op == TC_OP_MAX ? "max" : o->args.op == TC_OP_MIN ? "min"
                         : tc_op_name(o->args.op);
        fail("%s returns values and indices: choose one with --select values|indices", name);
    }
    fail("--select applies only to ops with two results (cummax, cummin, max, min)");
}

/*
 * CSV in and CSV out: the stream (which gathers what it cannot stream).
 * diff's --prepend and --append are read first, unless they are standard
 * input too.
 */
static int streamable(const cli_opts *o)
{
    return o->format == OUT_CSV && !o->has_shape && !o->grad && !o->x &&
           !(o->prepend && !strcmp(o->prepend, "-")) && !(o->append && !strcmp(o->append, "-"));
}

/* CSV output's delimiter: --output-delimiter, else the input's (runs of blanks give a tab). */
static char csv_out_delim(const cli_opts *o, const tc_table *t)
{
    if (o->out_delim)
        return o->out_delim;
    char d = tc_table_delimiter(t);
    return d == ' ' ? '\t' : d;
}

/*
 * A pipe is copied to an unlinked temporary file before a stream starts,
 * so that it can be read twice (the dtype is the whole input's) and no row
 * goes out that a later row could prove wrong, in bounded memory, as sort
 * spills.  --live and --input-dtype stream straight from the pipe.
 */
static void spill(input *in)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tcum-spill.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        fail("cannot hold standard input in a temporary file: %s (pass --live to stream "
             "without holding the output)", strerror(errno));
    unlink(path);
    const char *p = in->p;
    size_t n = in->n;
    char *buf = NULL;
    for (;;) {
        while (n) {
            ssize_t w = write(fd, p, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                fail("cannot hold standard input in a temporary file: %s (pass --live to "
                     "stream without holding the output)", strerror(errno));
            p += w;
            n -= (size_t)w;
        }
        if (!buf && !(buf = malloc(65536)))
            fail("out of memory");
        size_t r = input_read(in, buf, 65536);
        if (r == 0)
            break;
        p = buf;
        n = r;
    }
    free(buf);
    if (lseek(fd, 0, SEEK_SET) != 0)
        fail("cannot read the temporary copy of standard input: %s", strerror(errno));
    if (in->fd != 0)
        close(in->fd);
    in->fd = fd;
    in->regular = 1;
    in->n = 0;   /* read again from the start, through the copy */
    /* The copy holds the data decompressed: it is read as it is. */
    tc_source_free(in->src);
    in->src = NULL;
}

static void run_stream(const cli_opts *o, input *in, tc_format f)
{
    tc_read_opts ro = read_opts_for(o, in->path);
    ro.format = f;   /* CSV, or JSON Lines */
    if (!in->regular && !o->live && !ro.has_input_dtype)
        spill(in);
    tc_stream_io io = {stream_read, sink_write, in->regular ? stream_rewind : NULL, in, stream_ready};
    tc_stream_opts so = {o->select, o->out_delim, o->live, o->threads, o->test_block};
    tc_err err = {0};
    int rc = tc_stream_csv(&o->args, &ro, &so, in->p, in->n, &io, &err);
    if (rc != TC_OK) {
        if (err.param && !strcmp(err.param, "output")) {
            if (sink.path)
                fail("write error on %s: %s", sink.path, err.msg);
            fail("write error: %s", err.msg);
        }
        if (err.param && !strcmp(err.param, "select"))
            select_error(o, &err);
        fail_err(display_name(in->path), &err);
    }
}

static void format_result(const cli_opts *o, const tc_result *r, tc_buf *out,
                          const tc_table *table)
{
    tc_err err = {0};
    int rc = TC_OK;
    tc_tensor *one = NULL;
    int pair = r->indices != NULL;
    if (o->select || o->format == OUT_CSV || o->format == OUT_NPY) {
        if (tc_result_pick(r, o->select, &one, &err) != TC_OK)
            select_error(o, &err);
    }
    switch (o->format) {
    case OUT_TORCH:
        if (pair && !o->select)
            rc = tc_print_result(out, r, &o->print, &err);
        else
            rc = tc_print_torch(out, one ? one : r->values, &o->print, &err);
        if (rc == TC_OK)
            tc_buf_put(out, "\n", 1);
        break;
    case OUT_JSON: {
        tc_result single = {NULL, one ? one : r->values, NULL};
        const tc_result *w = pair && !o->select ? r : &single;
        if (table && tc_table_is_rich(table))
            rc = tc_write_table_json(out, w, o->grad ? NULL : &o->args, table, &err);
        else
            rc = tc_write_json(out, w, &err);
        break;
    }
    case OUT_CSV:
        if (table && tc_table_is_rich(table)) {
            rc = tc_write_table_csv(out, one, o->grad ? NULL : &o->args, table,
                                    csv_out_delim(o, table), &err);
        } else {
            tc_tensor v = *one;
            if (table && tc_table_is_column(table) && v.ndim == 1) {
                /* a CSV column in, a column out */
                v.ndim = 2;
                v.shape[1] = 1;
            }
            rc = tc_write_csv(out, &v, table ? csv_out_delim(o, table) : ',', &err);
        }
        break;
    case OUT_NPY:
        rc = tc_write_npy(out, one, &err);
        break;
    }
    if (rc != TC_OK)
        fail_err(NULL, &err);
}

/* ---- commands ------------------------------------------------------------------ */

static void finish_print_opts(cli_opts *o)
{
    tc_print_opts explicit_opts = o->print;
    tc_print_opts_init(&o->print);
    o->print.default_dtype = explicit_opts.default_dtype;
    o->print.torch_version = explicit_opts.torch_version;
    if (o->profile)
        tc_print_opts_profile(&o->print, o->profile);
    if (o->has_precision) o->print.precision = explicit_opts.precision;
    if (o->has_threshold) o->print.threshold = explicit_opts.threshold;
    if (o->has_edgeitems) o->print.edgeitems = explicit_opts.edgeitems;
    if (o->has_linewidth) o->print.linewidth = explicit_opts.linewidth;
    if (o->has_sci_mode) o->print.sci_mode = explicit_opts.sci_mode;
}

/* An option that the op would silently ignore is an error instead. */
static void check_applicable(const cli_opts *o, tc_op op)
{
    const char *mod = o->args.reverse ? "--reverse" : o->args.exclusive ? "--exclusive"
                    : o->args.include_initial ? "--include-initial" : NULL;
    if (mod && tc_op_kind_of(op) != TC_OPK_SCAN)
        fail("%s applies to the scans only (cumsum, cumprod, cummax, cummin, logcumsumexp, "
             "nancumsum, nancumprod), not %s", mod, o->opname);
    if (o->args.keepdim && tc_op_kind_of(op) != TC_OPK_REDUCE)
        fail("--keepdim applies to the reductions only (sum, prod, mean, amax, amin, "
             "logsumexp, max, min, nansum, nanmean, nanmax, nanmin, nanprod), not %s", o->opname);
    if (o->has_n && op != TC_OP_DIFF)
        fail("-n applies to diff only, not %s", o->opname);
    if (o->has_dx && op != TC_OP_CUMTRAPZ)
        fail("--dx applies to cumulative_trapezoid only, not %s", o->opname);
    if ((o->prepend || o->append) && op != TC_OP_DIFF)
        fail("--%s applies to diff only, not %s", o->prepend ? "prepend" : "append", o->opname);
    if (o->x && op != TC_OP_CUMTRAPZ)
        fail("--x applies to cumulative_trapezoid only, not %s", o->opname);
    if (o->x && o->has_dx)
        fail("--x and --dx cannot be combined (torch.cumulative_trapezoid takes x or dx)");
}

static int run_assert_close(cli_opts *o)
{
    if (o->nfiles != 2)
        fail("assert-close needs two inputs: ACTUAL EXPECTED");
    if (!strcmp(o->files[0], "-") && !strcmp(o->files[1], "-"))
        fail("assert-close: only one input can be standard input");
    tc_tensor *actual = load(o, o->files[0], 0);
    tc_tensor *expected = load(o, o->files[1], 0);
    tc_buf report = {0};
    tc_err err = {0};
    int close_enough = 0;
    if (tc_assert_close(actual, expected, &o->close, &report, &close_enough, &err) != TC_OK)
        fail_err(NULL, &err);
    tc_tensor_free(actual);
    tc_tensor_free(expected);
    if (!close_enough) {
        tc_buf_put(&report, "\n", 1);
        sink_open(o->output);
        sink_put(&report);
        sink_commit();
    }
    tc_buf_free(&report);
    return close_enough ? 0 : EXIT_DIFF;
}

/*
 * show --list: the arrays of an npz archive, one a line, NAME, dtype and
 * shape (as NumPy writes a shape) separated by tabs; an array tcum cannot
 * read has its reason instead of dtype and shape.
 */
static int run_list(const cli_opts *o)
{
    if (o->args.op != TC_OP_SHOW)
        fail("--list applies to show only, not %s", o->opname);
    input in;
    input_open(&in, o->nfiles ? o->files[0] : "-");
    input_read_all(&in);
    tc_format f = o->read.format == TC_FMT_AUTO ? tc_detect_format(in.p, in.n) : o->read.format;
    if (f != TC_FMT_NPZ)
        fail("%s is not an npz archive (--list lists an npz's arrays)", display_name(in.path));
    tc_buf names = {0}, out = {0};
    size_t count = 0;
    tc_err err = {0};
    if (in.member) {
        tc_buf_puts(&names, in.member);
        tc_buf_put(&names, "", 1);
        count = 1;
    } else if (tc_npz_names(in.p, in.n, &names, &count, &err) != TC_OK) {
        fail_err(display_name(in.path), &err);
    }
    const char *name = names.p;
    for (size_t k = 0; k < count; k++, name += strlen(name) + 1) {
        tc_read_opts ro;
        tc_read_opts_init(&ro);
        ro.npz_name = name;
        tc_tensor *t = NULL;
        int rc = tc_read_npz(in.p, in.n, &ro, &t, &err);
        if (rc == TC_EARG)
            fail_err(display_name(in.path), &err);     /* FILE:NAME with an unknown NAME */
        tc_buf_printf(&out, "%s\t", name);
        if (rc != TC_OK) {
            tc_buf_printf(&out, "cannot read it: %s\n", err.msg);
            continue;
        }
        tc_buf_printf(&out, "%s\t(", tc_dtype_name(t->dtype));
        for (int d = 0; d < t->ndim; d++)
            tc_buf_printf(&out, "%s%lld", d ? ", " : "", (long long)t->shape[d]);
        tc_buf_puts(&out, t->ndim == 1 ? ",)\n" : ")\n");
        tc_tensor_free(t);
    }
    input_close(&in);
    tc_buf_free(&names);
    sink_open(o->output);
    sink_put(&out);
    sink_commit();
    tc_buf_free(&out);
    return 0;
}

static int run_op(cli_opts *o)
{
    tc_op op;
    if (!tc_op_parse(o->opname, &op))
        fail_unknown_op(o->opname);
    o->args.op = hint_op = op;
    if (tc_op_kind_of(op) == TC_OPK_SCAN && !o->args.has_dim)
        fail("%s requires --dim", o->opname);
    check_applicable(o, op);
    if (o->nfiles > 1)
        fail("unexpected argument '%s' (one input file at most)", o->files[1]);
    if (o->list)
        return run_list(o);

    input in;
    input_open(&in, o->nfiles ? o->files[0] : "-");
    input_read_head(&in);
    tc_read_opts ro = read_opts_for(o, in.path);
    tc_format f = ro.format == TC_FMT_AUTO ? tc_detect_format(in.p, in.n) : ro.format;
    int lines = 0;   /* JSON Lines stream too: read until the first lines tell */
    /* (each try reads as much again as it has: a one-line document is scanned O(n) times in all) */
    while (f == TC_FMT_JSON && streamable(o) && (lines = tc_json_lines(in.p, in.n, in.eof)) < 0)
        input_read_upto(&in, in.n > 65536 ? in.n : 65536);
    if ((f == TC_FMT_CSV || lines) && streamable(o)) {
        cli_opts go = *o;   /* tensor arguments: plain inference, as below */
        go.read.has_input_dtype = 0;
        tc_tensor *pre = o->prepend ? load(&go, o->prepend, 0) : NULL;
        tc_tensor *app = o->append ? load(&go, o->append, 0) : NULL;
        o->args.prepend = pre;
        o->args.append = app;
        sink_open(o->output);
        run_stream(o, &in, f);
        input_close(&in);
        sink_commit();
        tc_tensor_free(pre);
        tc_tensor_free(app);
        return 0;
    }
    input_read_all(&in);
    tc_table *table = NULL;
    tc_tensor *x = parse_input(o, &in, 1, &table);
    input_close(&in);

    tc_err err = {0};
    tc_result r = {0};
    /* Tensor arguments and the upstream gradient: plain inference, not --input-dtype. */
    cli_opts go = *o;
    go.read.has_input_dtype = 0;
    tc_tensor *pre = o->prepend ? load(&go, o->prepend, 0) : NULL;
    tc_tensor *app = o->append ? load(&go, o->append, 0) : NULL;
    tc_tensor *xs = o->x ? load(&go, o->x, 0) : NULL;
    o->args.prepend = pre;
    o->args.append = app;
    o->args.x = xs;
    if (o->grad) {
        tc_tensor *gout = o->grad_output ? load(&go, o->grad_output, 0) : NULL;
        tc_tensor *g = NULL;
        if (tc_op_grad(&o->args, x, gout, &g, &err) != TC_OK)
            fail_err(NULL, &err);
        tc_tensor_free(gout);
        r.values = g;
    } else if (tc_op_run(&o->args, x, &r, &err) != TC_OK) {
        fail_err(NULL, &err);
    }
    tc_tensor_free(x);

    tc_buf out = {0};
    format_result(o, &r, &out, table);   /* (a table's layout reads prepend and append) */
    tc_tensor_free(pre);
    tc_tensor_free(app);
    tc_tensor_free(xs);
    tc_result_free(&r);
    tc_table_free(table);
    sink_open(o->output);
    sink_put(&out);
    sink_commit();
    tc_buf_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    cli_opts o;
    memset(&o, 0, sizeof o);
    tc_op_args_init(&o.args, TC_OP_SHOW);
    tc_read_opts_init(&o.read);
    tc_print_opts_init(&o.print);
    o.args.default_dtype = o.read.default_dtype = o.print.default_dtype = TC_FLOAT32;

    /*
     * The library's worker threads free and allocate a block's tensors and
     * text (tens to hundreds of KB) for every 64 KiB of input.  glibc
     * serves such sizes with mmap and trims its thread arenas at 128 KiB,
     * so each block returned its pages (madvise, munmap: a TLB shootdown on
     * every core) and faulted them in again: 10% of the time of W2b with
     * two threads.  Kept in the arenas instead, a few MB at most, as the
     * jobs in flight are bounded.  A program's choice, so here, not in lib/.
     */
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 8 << 20);

    /* the threads: the cores this process may run on, unless TCUM_THREADS (or --threads) */
    cpu_set_t cpus;
    o.threads = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
    const char *env_threads = getenv("TCUM_THREADS");
    if (env_threads && *env_threads)
        o.threads = parse_small_int(env_threads, "TCUM_THREADS", 1);
    o.read.threads = o.threads;
    const char *env_block = getenv("TCUM_TEST_BLOCK");
    if (env_block && *env_block)
        o.test_block = o.read.block = parse_small_int(env_block, "TCUM_TEST_BLOCK", 1);
    /* tests only: every CSV block through the tokenizer, never the fast path */
    const char *env_ref = getenv("TCUM_TEST_REFERENCE");
    o.read.reference = env_ref && *env_ref == '1';
    const char *env_version = getenv("TCUM_TORCH_VERSION");
    if (env_version && *env_version)
        set_torch_version(&o, env_version, "TCUM_TORCH_VERSION");   /* the flag wins */

    if (argc < 2)
        fail("missing op (try tcum --help)");   /* one line, as every error */
    int first = 2;
    if (argv[1][0] == '-' && strcmp(argv[1], "-")) {
        /* tcum --help / --version, or options before the op: not allowed. */
        parse_args(&o, argc, argv, 1);
        fail("missing op (try tcum --help)");
    }
    o.opname = argv[1];
    o.assert_close = !strcmp(o.opname, "assert-close");
    if (!o.assert_close) {
        tc_op op;
        if (!tc_op_parse(o.opname, &op)) {
            /* Still honour `tcum foo --help` with a clear message. */
            fail_unknown_op(o.opname);
        }
    }
    parse_args(&o, argc, argv, first);
    finish_print_opts(&o);

    int status = o.assert_close ? run_assert_close(&o) : run_op(&o);
    if (fclose(stdout) != 0)
        fail("write error: %s", strerror(errno));
    return status;
}
