/*
 * help.c - the CLI's help texts: `tcum --help` and `tcum OP --help`.
 *
 * The texts mirror man/tcum.1; the examples' outputs are checked against
 * PyTorch by testdata/gen_docs.py, which reads the EX() rows below, so keep
 * each example on one EX() line with plain string literals.
 */
#include "help.h"

#include <string.h>

/* Option groups an op accepts, beyond the common input/output options. */
enum {
    O_DIM_REQ   = 1 << 0,  /* --dim required */
    O_DIM_LAST  = 1 << 1,  /* --dim optional, default -1 */
    O_DIM_ALL   = 1 << 2,  /* --dim optional, default: all elements */
    O_DTYPE_ARG = 1 << 3,  /* --dtype is torch's dtype= argument */
    O_SCAN      = 1 << 4,  /* --reverse --exclusive --include-initial */
    O_KEEPDIM   = 1 << 5,
    O_N         = 1 << 6,  /* diff's -n */
    O_DX        = 1 << 7,  /* cumulative_trapezoid's --dx */
    O_GRAD      = 1 << 8,
    O_SELECT    = 1 << 9,  /* two results: --select values|indices */
    O_NOEXCL    = 1 << 10, /* cummax/cummin: no identity, so no --exclusive
                              or --include-initial */
    O_DIMS      = 1 << 11, /* --dim may be a list of dims */
    O_PREPEND   = 1 << 12, /* diff's --prepend and --append */
    O_X         = 1 << 13, /* cumulative_trapezoid's --x */
    O_NUMPY     = 1 << 14  /* NumPy's function: no --grad */
};

typedef struct ophelp {
    const char *name;
    const char *summary;    /* one line for the overview */
    const char *torch;      /* what it computes, in PyTorch/NumPy terms */
    unsigned opts;
    const char *ex_cmd;     /* an example command line ... */
    const char *ex_out;     /* ... and its output, as PyTorch prints it */
} ophelp;

#define EX(cmd, out) cmd, out

static const ophelp ops[] = {
    {"cumsum", "running sum", "torch.cumsum(x, dim, dtype=T)",
     O_DIM_REQ | O_DTYPE_ARG | O_SCAN | O_GRAD,
     EX("printf '1,2,3\\n4,5,6\\n' | tcum cumsum --dim 1", "tensor([[ 1,  3,  6],\n        [ 4,  9, 15]])\n")},
    {"cumprod", "running product", "torch.cumprod(x, dim, dtype=T)",
     O_DIM_REQ | O_DTYPE_ARG | O_SCAN | O_GRAD,
     EX("printf '1,2,3,4\\n' | tcum cumprod --dim 0 --input-dtype float32", "tensor([ 1.,  2.,  6., 24.])\n")},
    {"cummax", "running maximum and its index", "torch.cummax(x, dim)",
     O_DIM_REQ | O_SCAN | O_NOEXCL | O_GRAD | O_SELECT,
     EX("echo '[1, 3, 2, 5, 4]' | tcum cummax --dim 0", "torch.return_types.cummax(\nvalues=tensor([1, 3, 3, 5, 5]),\nindices=tensor([0, 1, 1, 3, 3]))\n")},
    {"cummin", "running minimum and its index", "torch.cummin(x, dim)",
     O_DIM_REQ | O_SCAN | O_NOEXCL | O_GRAD | O_SELECT,
     EX("echo '[5, 3, 4, 1, 2]' | tcum cummin --dim 0", "torch.return_types.cummin(\nvalues=tensor([5, 3, 3, 1, 1]),\nindices=tensor([0, 1, 1, 3, 3]))\n")},
    {"logcumsumexp", "running log(sum(exp(x)))", "torch.logcumsumexp(x, dim)",
     O_DIM_REQ | O_SCAN | O_GRAD,
     EX("echo '[0.0, 0.0, 0.0]' | tcum logcumsumexp --dim 0", "tensor([0.0000, 0.6931, 1.0986])\n")},
    {"cumulative_trapezoid", "running integral by the trapezoid rule",
     "torch.cumulative_trapezoid(x, dx=DX, dim=dim) or (x, X, dim=dim)",
     O_DIM_LAST | O_DX | O_X | O_GRAD,
     EX("echo '[1, 2, 3]' | tcum cumulative_trapezoid", "tensor([1.5000, 4.0000])\n")},
    {"diff", "n-th forward difference", "torch.diff(x, n=N, dim=dim, prepend=P, append=A)",
     O_DIM_LAST | O_N | O_PREPEND | O_GRAD,
     EX("echo '[1, 4, 9, 16]' | tcum diff -n 2", "tensor([2, 2])\n")},
    {"nancumsum", "running sum, NaN counted as 0", "numpy.nancumsum(x, axis=dim), with PyTorch's dtypes",
     O_DIM_REQ | O_DTYPE_ARG | O_SCAN | O_GRAD,
     EX("echo '[1.0, \"nan\", 2.0]' | tcum nancumsum --dim 0", "tensor([1., 1., 3.])\n")},
    {"nancumprod", "running product, NaN counted as 1", "numpy.nancumprod(x, axis=dim), with PyTorch's dtypes",
     O_DIM_REQ | O_DTYPE_ARG | O_SCAN | O_GRAD,
     EX("echo '[2.0, \"nan\", 3.0]' | tcum nancumprod --dim 0", "tensor([2., 2., 6.])\n")},
    {"sum", "sum", "torch.sum(x, dim, keepdim, dtype=T)",
     O_DIM_ALL | O_DIMS | O_DTYPE_ARG | O_KEEPDIM | O_GRAD,
     EX("printf '1,2\\n3,4\\n' | tcum sum --dim 0", "tensor([4, 6])\n")},
    {"prod", "product", "torch.prod(x, dim, keepdim, dtype=T)",
     O_DIM_ALL | O_DTYPE_ARG | O_KEEPDIM | O_GRAD,
     EX("printf '1,2\\n3,4\\n' | tcum prod", "tensor(24)\n")},
    {"mean", "mean (floating point or complex input)", "torch.mean(x, dim, keepdim, dtype=T)",
     O_DIM_ALL | O_DIMS | O_DTYPE_ARG | O_KEEPDIM | O_GRAD,
     EX("printf '1,2\\n3,4\\n' | tcum mean --dim 1 --input-dtype float32", "tensor([1.5000, 3.5000])\n")},
    {"amax", "maximum", "torch.amax(x, dim, keepdim)",
     O_DIM_ALL | O_DIMS | O_KEEPDIM | O_GRAD,
     EX("printf '1,5\\n3,4\\n' | tcum amax --dim 1", "tensor([5, 4])\n")},
    {"amin", "minimum", "torch.amin(x, dim, keepdim)",
     O_DIM_ALL | O_DIMS | O_KEEPDIM | O_GRAD,
     EX("printf '1,5\\n3,4\\n' | tcum amin --dim 1", "tensor([1, 3])\n")},
    {"logsumexp", "log(sum(exp(x)))", "torch.logsumexp(x, dim, keepdim)",
     O_DIM_ALL | O_DIMS | O_KEEPDIM | O_GRAD,
     EX("echo '[0.0, 0.0]' | tcum logsumexp --dim 0", "tensor(0.6931)\n")},
    {"max", "maximum; with --dim also its index", "torch.max(x) or torch.max(x, dim, keepdim)",
     O_DIM_ALL | O_KEEPDIM | O_GRAD | O_SELECT,
     EX("printf '1,5\\n3,4\\n' | tcum max --dim 1", "torch.return_types.max(\nvalues=tensor([5, 4]),\nindices=tensor([1, 1]))\n")},
    {"min", "minimum; with --dim also its index", "torch.min(x) or torch.min(x, dim, keepdim)",
     O_DIM_ALL | O_KEEPDIM | O_GRAD | O_SELECT,
     EX("printf '1,5\\n3,4\\n' | tcum min --dim 1", "torch.return_types.min(\nvalues=tensor([1, 3]),\nindices=tensor([0, 0]))\n")},
    {"nansum", "sum, NaN counted as 0", "torch.nansum(x, dim, keepdim, dtype=T)",
     O_DIM_ALL | O_DIMS | O_DTYPE_ARG | O_KEEPDIM | O_GRAD,
     EX("echo '[1.0, \"nan\", 2.0]' | tcum nansum", "tensor(3.)\n")},
    {"nanmean", "mean of the values that are not NaN", "torch.nanmean(x, dim, keepdim, dtype=T)",
     O_DIM_ALL | O_DIMS | O_DTYPE_ARG | O_KEEPDIM | O_GRAD,
     EX("echo '[1.0, \"nan\", 2.0]' | tcum nanmean", "tensor(1.5000)\n")},
    {"nanmax", "maximum, NaN skipped (NaN for an all-NaN slice)", "numpy.nanmax(x, axis=dim, keepdims)",
     O_DIM_ALL | O_KEEPDIM | O_NUMPY,
     EX("echo '[[1.0, \"nan\"], [\"nan\", \"nan\"]]' | tcum nanmax --dim 1", "tensor([1., nan])\n")},
    {"nanmin", "minimum, NaN skipped (NaN for an all-NaN slice)", "numpy.nanmin(x, axis=dim, keepdims)",
     O_DIM_ALL | O_KEEPDIM | O_NUMPY,
     EX("echo '[3.0, \"nan\", 2.0]' | tcum nanmin", "tensor(2.)\n")},
    {"nanprod", "product, NaN counted as 1", "numpy.nanprod(x, axis=dim, dtype=T, keepdims)",
     O_DIM_ALL | O_DTYPE_ARG | O_KEEPDIM | O_NUMPY,
     EX("echo '[2.0, \"nan\", 3.0]' | tcum nanprod", "tensor(6.)\n")},
    {"show", "parse and print, no op (pretty-printer, converter)", "print(x)",
     0,
     EX("echo '[[1, 2], [3, 4.5]]' | tcum show", "tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]])\n")},
};

static const char usage_head[] =
    "usage: tcum OP [OPTIONS] [FILE]\n"
    "       tcum assert-close ACTUAL EXPECTED [OPTIONS]\n"
    "       tcum --help | tcum OP --help | tcum --version\n"
    "\n"
    "Read a tensor from FILE (standard input if FILE is absent or \"-\") as CSV,\n"
    "JSON, NumPy .npy or .npz or a PyTorch repr, any of them gzip, bzip2, xz or\n"
    "zstd compressed, apply OP and print the result exactly as PyTorch 2.6\n"
    "prints it (or 1.13: --torch-version).  Options may come before or after FILE.\n"
    "\n"
    "Ops:\n";

static const char usage_tail[] =
    "  assert-close          compare two tensors as torch.testing.assert_close\n"
    "\n"
    "Op options:\n"
    "  -d, --dim N           dimension, negative counts from the end (--axis N too);\n"
    "                        required by\n"
    "                        cumsum cumprod cummax cummin logcumsumexp nancumsum\n"
    "                        nancumprod; a list N,M,... for sum mean amax amin\n"
    "                        logsumexp nansum nanmean\n"
    "  --dtype T             the op's dtype= argument (cumsum cumprod nancumsum\n"
    "                        nancumprod sum prod mean nansum nanmean nanprod),\n"
    "                        else cast the input first\n"
    "  --reverse             scan from the end\n"
    "  --exclusive           element i excludes x[i] (scans but cummax, cummin)\n"
    "  --include-initial     prepend the identity along the dim (scans but\n"
    "                        cummax and cummin)\n"
    "  -n N                  diff: number of times to difference (1)\n"
    "  --prepend FILE        diff: a tensor joined before the input along the dim\n"
    "  --append FILE         diff: a tensor joined after the input along the dim\n"
    "  --dx DX               cumulative_trapezoid: sample spacing (1)\n"
    "  --x FILE              cumulative_trapezoid: sample points instead of --dx\n"
    "  --keepdim             reductions: keep the reduced dim with size 1\n"
    "  --grad                print the gradient of sum(result) w.r.t. the input\n"
    "  --grad-output FILE    with --grad: the vector-Jacobian product for FILE\n"
    "  --torch-version V     reproduce PyTorch 2.6 (default) or 1.13, each to the\n"
    "                        byte; also TCUM_TORCH_VERSION (the option wins)\n"
    "\n"
    "Input options:\n"
    "  --input-format F      csv, json, npy, npz or torch (default: detected;\n"
    "                        compressed input is detected whatever F is)\n"
    "  --input-dtype T       read the data as torch.tensor(values, dtype=T)\n"
    "  --default-dtype T     float32 (default) or float64\n"
    "  --delimiter C         CSV field delimiter: a character, tab or whitespace\n"
    "                        (default: sniffed; tab for .tsv files)\n"
    "  --header, --no-header CSV: force the first row to be a header or data\n"
    "  -c, --columns LIST    CSV columns that form the tensor: names, numbers,\n"
    "                        ranges (Close, 2-5, 3-); the others pass through\n"
    "  --exclude-columns LIST  keep these columns out of the tensor (as keys)\n"
    "  --na LIST             tokens that mark a missing value (NaN); default:\n"
    "                        empty fields and pandas' NA, N/A, null, None, ...\n"
    "  --skip-rows N         skip N lines before anything else\n"
    "  --comment C           comment character ('#'; '' for none)\n"
    "  --live                stream from a pipe without holding it: the first\n"
    "                        rows decide the dtype\n"
    "  --threads N           threads that parse, compute and format (default: the\n"
    "                        CPUs available; also TCUM_THREADS); same output\n"
    "  --shape D1,D2,...     reshape after reading (one -1 allowed)\n"
    "  FILE:NAME             the array NAME of an .npz (default: its first; -:NAME\n"
    "                        reads the .npz on standard input)\n"
    "  --list                with show: list an .npz's arrays, dtypes and shapes\n"
    "\n"
    "Output options:\n"
    "  -f, --format F        torch (default), csv, json or npy\n"
    "  -o, --output FILE     write to FILE (whole or not at all)\n"
    "  --select R            values or indices of a two-result op\n"
    "  --output-delimiter C  CSV output delimiter (default: the input's)\n"
    "  --precision N         digits after the point (4)\n"
    "  --threshold N         summarize above N elements (1000; inf allowed)\n"
    "  --edgeitems N         items shown at each end when summarized (3)\n"
    "  --linewidth N         characters per line (80)\n"
    "  --sci-mode M          auto (default), on or off\n"
    "  --profile P           default, short or full\n"
    "\n"
    "Other options:\n"
    "  -h, --help            this help; after an op, that op's help\n"
    "  -V, --version         print the version\n"
    "\n"
    "Dtypes: bool uint8 int8 int16 int32 int64 float16 bfloat16 float32 float64\n"
    "complex64 complex128, and uint16 uint32 uint64 (PyTorch 2.3 and later) (also\n"
    "torch.float32, half, float, double, short, int, long, cfloat, cdouble).\n"
    "\n"
    "Input is CSV, JSON, npy, npz or a PyTorch repr, told by its first bytes, and\n"
    "may be gzip, bzip2, xz or zstd compressed (told by its magic, not its name).\n"
    "A long option's value may follow '=' (--dim=1); -- ends the options.\n"
    "Exit status: 0 success, 1 assert-close found a difference, 2 error.\n"
    "Run 'tcum OP --help' for one op, 'man tcum' for the whole manual.\n";

static const char common_opts[] =
    "Common options (see tcum --help):\n"
    "  --input-format F, --input-dtype T, --default-dtype T, --delimiter C,\n"
    "  --header, --no-header, --shape D1,D2,..., -f/--format torch|csv|json|npy,\n"
    "  -o/--output FILE, --precision N, --threshold N, --edgeitems N,\n"
    "  --linewidth N, --sci-mode auto|on|off, --profile default|short|full,\n"
    "  --torch-version 2.6|1.13\n";

static const char assert_close_help[] =
    "usage: tcum assert-close ACTUAL EXPECTED [OPTIONS]\n"
    "\n"
    "Compare two tensors, each in any input format, as\n"
    "torch.testing.assert_close(actual, expected) does: the shapes must match\n"
    "and every element must satisfy |actual - expected| <= atol + rtol * |expected|.\n"
    "Close: exit 0, silent.  Not close: exit 1 and PyTorch's report\n"
    "(\"Tensor-likes are not close!\" ...).  Error: exit 2.\n"
    "\n"
    "Options:\n"
    "  --rtol R              relative tolerance (default by dtype: float16 0.001,\n"
    "                        bfloat16 0.016, float32 1.3e-06, float64 1e-07,\n"
    "                        complex as its parts, integers and bool 0)\n"
    "  --atol A              absolute tolerance (default by dtype: 1e-05,\n"
    "                        float64 1e-07, integers and bool 0)\n"
    "  --equal-nan           NaN compares equal to NaN\n"
    "  --check-dtype         the dtypes must match too\n"
    "  --torch-version V     whose report: PyTorch 2.6 (default) or 1.13\n"
    "  --input-format F, --input-dtype T, --default-dtype T, --delimiter C,\n"
    "  --header, --no-header, --shape D1,D2,...  as for the other ops\n"
    "\n"
    "Example:\n"
    "  $ tcum cumsum --dim 0 data.csv -f csv -o got.csv\n"
    "  $ tcum assert-close got.csv expected.csv --rtol 1e-4 || echo differs\n";

void tc_cli_usage(FILE *f)
{
    size_t i;

    fputs(usage_head, f);
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        fprintf(f, "  %-21s %s\n", ops[i].name, ops[i].summary);
    fputs(usage_tail, f);
}

static const ophelp *find_op(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

/* Print text, indenting every line by two spaces. */
static void put_indented(FILE *f, const char *s)
{
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);

        fputs("  ", f);
        fwrite(s, 1, n, f);
        fputc('\n', f);
        s += n + (nl != NULL);
    }
}

int tc_cli_op_help(FILE *f, const char *op)
{
    const ophelp *h;
    unsigned o;

    if (strcmp(op, "assert-close") == 0) {
        fputs(assert_close_help, f);
        return 1;
    }
    h = find_op(op);
    if (!h)
        return 0;
    o = h->opts;

    fprintf(f, "usage: tcum %s%s [OPTIONS] [FILE]\n\n", h->name,
            (o & O_DIM_REQ) ? " -d N" : "");
    fprintf(f, "tcum %s: %s, as %s.\n\n", h->name, h->summary, h->torch);

    if (o) {
        fputs("Options:\n", f);
        if (o & O_DIM_REQ)
            fputs("  -d, --dim N           the dimension (required); negative counts from the end\n", f);
        if (o & O_DIM_LAST)
            fputs("  -d, --dim N           the dimension (default -1, the last)\n", f);
        if (o & O_DIM_ALL)
            fputs((o & O_DIMS) ? "  -d, --dim N[,M...]    the dimension, or a list of them (default: all\n"
                                 "                        elements); a trailing comma makes a list of one\n"
                               : "  -d, --dim N           the dimension (default: all elements)\n", f);
        if (o & O_DTYPE_ARG)
            fputs((o & O_NUMPY) ? "  --dtype T             NumPy's dtype= argument: compute in and return T\n"
                                : "  --dtype T             torch's dtype= argument: compute in and return T\n", f);
        else
            fputs("  --dtype T             cast the input to T first: op(x.to(T))\n", f);
        if (o & O_N)
            fputs("  -n N                  difference N times (default 1)\n", f);
        if (o & O_PREPEND)
            fputs("  --prepend FILE        join FILE's tensor before the input along the dim\n"
                  "  --append FILE         join FILE's tensor after the input along the dim\n", f);
        if (o & O_DX)
            fputs("  --dx DX               spacing between samples (default 1)\n", f);
        if (o & O_X)
            fputs("  --x FILE              the sample points (1-D along the dim, or broadcast)\n", f);
        if (o & O_SCAN) {
            fputs("  --reverse             scan from the end: flip(op(flip(x)))\n", f);
            /* cummax and cummin have no identity to start from */
            if (!(o & O_NOEXCL))
                fputs("  --exclusive           element i excludes x[i]: the identity comes first\n"
                      "  --include-initial     prepend the identity; the result is one longer\n", f);
        }
        if (o & O_KEEPDIM)
            fputs("  --keepdim             keep the reduced dim with size 1\n", f);
        if (o & O_SELECT)
            fputs("  --select R            print only the values or the indices\n"
                  "                        (required for -f csv and -f npy)\n", f);
        if (o & O_GRAD)
            fputs("  --grad                print x.grad after op(x).sum().backward()\n"
                  "  --grad-output FILE    with --grad: x.grad after op(x).backward(FILE)\n", f);
        if (o & O_NUMPY)
            fputs("  (NumPy's function, NumPy's dtypes and results; no --grad)\n", f);
        fputc('\n', f);
    } else {
        fputs("Options:\n"
              "  --dtype T             cast to T: x.to(T)\n\n", f);
    }
    fputs(common_opts, f);
    fputs("\nExample:\n", f);
    fprintf(f, "  $ %s\n", h->ex_cmd);
    put_indented(f, h->ex_out);
    return 1;
}
