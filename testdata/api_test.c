/*
 * api_test.c - libtcum as a C program embedding it sees it (issue 16):
 *
 *   1. every public function called with err == NULL, on good and on bad
 *      input, returns the same code as with an err (and no crash: a NULL
 *      err is allowed everywhere);
 *   2. the host's cJSON hooks (counting malloc and free) survive tcum's
 *      calls: tcum parses JSON with them and never reinstalls its own, and
 *      the host's own cJSON calls afterwards still go through them;
 *   3. two threads read, run ops and write at once on different tensors
 *      (run under ThreadSanitizer by make tsan), each with its own memory
 *      limit (tc_set_memory_limit is the calling thread's).
 *
 * Built against libtcum.a and run by make check; make tsan builds it from
 * the sources with -fsanitize=thread.  Prints "api_test: N passed, M failed".
 */
#include "tcum.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void expect(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "api_test: FAIL: %s\n", what);
    }
}

/* ---- 1. err == NULL gives the same code ----------------------------------- */

/* A case: one call with the given err; it frees whatever it made. */
typedef int (*api_case)(tc_err *err);

static void same_code(const char *name, api_case f, int want)
{
    tc_err e;
    memset(&e, 0, sizeof e);
    int with = f(&e);
    int without = f(NULL);
    char what[800];
    snprintf(what, sizeof what, "%s: code %d with err, %d without, %d wanted (%s)", name, with,
             without, want, e.msg);
    expect(with == want && without == want, what);
    if (want != TC_OK) {
        snprintf(what, sizeof what, "%s: err filled (code %d, msg \"%s\")", name, e.code, e.msg);
        expect(e.code == want && e.msg[0], what);
    }
}

static int read_text(const char *text, tc_format f, tc_err *err)
{
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    ro.format = f;
    tc_tensor *x = (tc_tensor *)&ro;   /* must come back NULL on failure */
    int rc = tc_read(text, strlen(text), &ro, &x, err);
    if (rc != TC_OK && x != NULL)
        return -1;
    tc_tensor_free(x);
    return rc;
}

static int c_csv_good(tc_err *err) { return read_text("1,2,3\n4,5,6\n", TC_FMT_AUTO, err); }
static int c_csv_ragged(tc_err *err) { return read_text("1,2,3\n4,5\n", TC_FMT_CSV, err); }
static int c_csv_word(tc_err *err) { return read_text("1,2\n3,x\n", TC_FMT_CSV, err); }
static int c_csv_empty(tc_err *err) { return read_text("", TC_FMT_CSV, err); }
static int c_json_good(tc_err *err) { return read_text("[[1.5, 2], [3, 4]]", TC_FMT_AUTO, err); }
static int c_json_bad(tc_err *err) { return read_text("[[1, 2], [3]", TC_FMT_JSON, err); }
static int c_json_ragged(tc_err *err) { return read_text("[[1, 2], [3]]", TC_FMT_JSON, err); }
static int c_json_overflow(tc_err *err) { return read_text("[99999999999999999999]", TC_FMT_JSON, err); }
static int c_torch_good(tc_err *err) { return read_text("tensor([1., 2.])", TC_FMT_AUTO, err); }
static int c_torch_bad(tc_err *err) { return read_text("tensor([1., 2.", TC_FMT_TORCH, err); }
static int c_npy_bad(tc_err *err) { return read_text("\x93NUMPY\x01\x00", TC_FMT_NPY, err); }

static int c_npy_huge(tc_err *err)
{
    /* a header asking for 10^12 float64: refused by the size check, before any allocation */
    char buf[128 + 16];
    memset(buf, ' ', 128);
    memcpy(buf, "\x93NUMPY\x01\x00\x76\x00", 10);
    const char *h = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }";
    memcpy(buf + 10, h, strlen(h));
    buf[127] = '\n';
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    tc_tensor *x = NULL;
    int rc = tc_read(buf, 128, &ro, &x, err);
    tc_tensor_free(x);
    return rc;
}

static int c_table(tc_err *err)
{
    const char *csv = "Date,Open\n2024-01-02,1.5\n2024-01-03,x\n";
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    tc_tensor *x = NULL;
    tc_table *t = NULL;
    int rc = tc_read_table(csv, strlen(csv), &ro, &x, &t, err);
    tc_tensor_free(x);
    tc_table_free(t);
    return rc;
}

static tc_tensor *matrix(int64_t rows, int64_t cols, tc_dtype t)
{
    int64_t shape[2] = {rows, cols};
    tc_tensor *x = tc_tensor_new(t, 2, shape, NULL);
    if (!x)
        abort();
    for (int64_t i = 0; i < x->numel; i++) {
        if (t == TC_FLOAT32)
            ((float *)x->data)[i] = (float)(i % 7) - 2.5f;
        else if (t == TC_INT64)
            ((int64_t *)x->data)[i] = i % 5;
        else if (t == TC_BOOL)
            ((uint8_t *)x->data)[i] = (uint8_t)(i & 1);
    }
    return x;
}

static int run_op(tc_op op, int has_dim, int64_t dim, int excl, int incl, tc_dtype t, tc_err *err)
{
    tc_tensor *x = matrix(3, 4, t);
    tc_op_args a;
    tc_op_args_init(&a, op);
    a.has_dim = has_dim;
    a.dim = dim;
    a.exclusive = excl;
    a.include_initial = incl;
    tc_result r;
    int rc = tc_op_run(&a, x, &r, err);
    if (rc != TC_OK && (r.values || r.indices))
        rc = -1;
    tc_result_free(&r);
    tc_tensor_free(x);
    return rc;
}

static int c_op_good(tc_err *err) { return run_op(TC_OP_CUMSUM, 1, 1, 0, 0, TC_FLOAT32, err); }
static int c_op_cummax(tc_err *err) { return run_op(TC_OP_CUMMAX, 1, 0, 0, 0, TC_INT64, err); }
static int c_op_nodim(tc_err *err) { return run_op(TC_OP_CUMSUM, 0, 0, 0, 0, TC_FLOAT32, err); }
static int c_op_baddim(tc_err *err) { return run_op(TC_OP_CUMPROD, 1, 5, 0, 0, TC_FLOAT32, err); }
static int c_op_excl_incl(tc_err *err) { return run_op(TC_OP_CUMSUM, 1, 0, 1, 1, TC_FLOAT32, err); }
static int c_op_cummax_excl(tc_err *err) { return run_op(TC_OP_CUMMAX, 1, 0, 1, 0, TC_FLOAT32, err); }
static int c_op_bool_lse(tc_err *err) { return run_op(TC_OP_LOGCUMSUMEXP, 1, 0, 0, 0, TC_BOOL, err); }
static int c_op_reduce(tc_err *err) { return run_op(TC_OP_SUM, 0, 0, 0, 0, TC_INT64, err); }
static int c_op_keepdim(tc_err *err)
{
    tc_tensor *x = matrix(2, 2, TC_FLOAT32);
    tc_op_args a;
    tc_op_args_init(&a, TC_OP_PROD);
    a.keepdim = 1;
    tc_result r;
    int rc = tc_op_run(&a, x, &r, err);
    tc_result_free(&r);
    tc_tensor_free(x);
    return rc;
}

static int c_op_check(tc_err *err)
{
    tc_op_args a;
    tc_op_args_init(&a, TC_OP_CUMSUM);
    a.has_dim = 1;
    a.dim = 3;
    int64_t shape[2] = {2, 2};
    tc_dtype out;
    return tc_op_check(&a, TC_FLOAT32, 2, shape, &out, err);
}

static int c_pick(tc_err *err)
{
    tc_tensor *x = matrix(2, 3, TC_FLOAT32);
    tc_op_args a;
    tc_op_args_init(&a, TC_OP_CUMMAX);
    a.has_dim = 1;
    tc_result r;
    int rc = tc_op_run(&a, x, &r, err);
    tc_tensor *one = NULL;
    if (rc == TC_OK)
        rc = tc_op_nresults(&a) == 2 ? tc_result_pick(&r, 0, &one, err) : -1;
    tc_result_free(&r);
    tc_tensor_free(x);
    return rc;
}

static int grad(tc_op op, tc_dtype t, tc_err *err)
{
    tc_tensor *x = matrix(2, 3, t);
    tc_op_args a;
    tc_op_args_init(&a, op);
    a.has_dim = 1;
    tc_tensor *g = NULL;
    int rc = tc_op_grad(&a, x, NULL, &g, err);
    if (rc != TC_OK && g)
        rc = -1;
    tc_tensor_free(g);
    tc_tensor_free(x);
    return rc;
}

static int c_grad_good(tc_err *err) { return grad(TC_OP_CUMPROD, TC_FLOAT32, err); }
static int c_grad_show(tc_err *err) { return grad(TC_OP_SHOW, TC_FLOAT32, err); }
static int c_grad_int(tc_err *err) { return grad(TC_OP_CUMSUM, TC_INT64, err); }
static int c_grad_nan(tc_err *err) { return grad(TC_OP_NANMAX, TC_FLOAT32, err); }

static int c_tensor_new_neg(tc_err *err)
{
    int64_t shape[1] = {-1};
    tc_tensor *x = tc_tensor_new(TC_FLOAT32, 1, shape, err);
    tc_tensor_free(x);
    return x ? TC_OK : TC_EARG;
}

static int c_reshape(tc_err *err)
{
    tc_tensor *x = matrix(2, 3, TC_FLOAT32), *y = NULL;
    int64_t shape[1] = {4};
    int rc = tc_tensor_reshape(x, 1, shape, &y, err);
    tc_tensor_free(x);
    tc_tensor_free(y);
    return rc;
}

static int c_convert(tc_err *err)
{
    tc_tensor *x = matrix(2, 3, TC_FLOAT32), *y = NULL;
    int rc = tc_tensor_convert_version(x, TC_COMPLEX64, TC_TORCH_1_13, &y, err);
    tc_tensor_free(x);
    tc_tensor_free(y);
    return rc;
}

static int c_convert_u16(tc_err *err)
{
    /* 1.13 has no uint16: refused, as its readers and ops refuse it */
    tc_tensor *x = matrix(2, 3, TC_FLOAT32), *y = NULL;
    int rc = tc_tensor_convert_version(x, TC_UINT16, TC_TORCH_1_13, &y, err);
    tc_tensor_free(x);
    tc_tensor_free(y);
    return rc;
}

static int c_dim_wrap(tc_err *err)
{
    int d;
    return tc_dim_wrap(-3, 2, &d, err);
}

static int write_one(int which, tc_dtype t, int ndim, tc_err *err)
{
    int64_t shape[3] = {2, 2, 2};
    tc_tensor *x = tc_tensor_new(t, ndim, shape, NULL);
    tc_buf b = {0};
    tc_result r = {NULL, x, NULL};
    int rc = which == 0 ? tc_write_csv(&b, x, ',', err) : which == 1 ? tc_write_npy(&b, x, err)
           : which == 2 ? tc_write_json(&b, &r, err) : tc_print_torch(&b, x, NULL, err);
    tc_buf_free(&b);
    tc_tensor_free(x);
    return rc;
}

static int c_csv_3d(tc_err *err) { return write_one(0, TC_FLOAT32, 3, err); }
static int c_csv_2d(tc_err *err) { return write_one(0, TC_FLOAT32, 2, err); }
static int c_npy_bf16(tc_err *err) { return write_one(1, TC_BFLOAT16, 2, err); }
static int c_json_out(tc_err *err) { return write_one(2, TC_INT64, 3, err); }

static int c_print(tc_err *err)
{
    tc_tensor *x = matrix(2, 2, TC_FLOAT32);
    tc_print_opts po;
    tc_print_opts_init(&po);
    tc_buf b = {0};
    int rc = tc_print_torch(&b, x, &po, err);
    tc_buf_free(&b);
    tc_tensor_free(x);
    return rc;
}

static int c_close(tc_err *err)
{
    tc_tensor *x = matrix(2, 2, TC_FLOAT32), *y = matrix(2, 2, TC_FLOAT32);
    ((float *)y->data)[3] += 1;
    tc_close_opts co;
    memset(&co, 0, sizeof co);
    co.check_dtype = 1;
    tc_buf rep = {0};
    int close = -1;
    int rc = tc_assert_close(x, y, &co, &rep, &close, err);
    if (rc == TC_OK && close != 0)
        rc = -1;
    tc_buf_free(&rep);
    tc_tensor_free(x);
    tc_tensor_free(y);
    return rc;
}

static int c_npz_names(tc_err *err)
{
    tc_buf names = {0};
    size_t count = 0;
    int rc = tc_npz_names("PK\x03\x04garbage", 11, &names, &count, err);
    tc_buf_free(&names);
    return rc;
}

/* A stream over a string, into a buffer. */
typedef struct mem_io {
    const char *p;
    size_t n, at;
    tc_buf out;
} mem_io;

static long mem_read(void *ctx, char *buf, size_t cap)
{
    mem_io *m = ctx;
    size_t k = m->n - m->at < cap ? m->n - m->at : cap;
    memcpy(buf, m->p + m->at, k);
    m->at += k;
    return (long)k;
}

static int mem_rewind(void *ctx)
{
    ((mem_io *)ctx)->at = 0;
    return 0;
}

static int mem_write(void *ctx, const char *p, size_t n)
{
    tc_buf_put(&((mem_io *)ctx)->out, p, n);
    return 0;
}

static int stream(const char *text, tc_op op, tc_err *err)
{
    mem_io m = {text, strlen(text), 0, {0}};
    tc_stream_io io = {mem_read, mem_write, mem_rewind, &m, NULL};
    tc_op_args a;
    tc_op_args_init(&a, op);
    a.has_dim = 1;
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    tc_stream_opts so;
    memset(&so, 0, sizeof so);
    int rc = tc_stream_csv(&a, &ro, &so, NULL, 0, &io, err);
    if (rc == TC_OK && (!m.out.p || strcmp(m.out.p, "1,2\n4,6\n")))
        rc = -1;
    tc_buf_free(&m.out);
    return rc;
}

static int c_stream_good(tc_err *err) { return stream("1,2\n3,4\n", TC_OP_CUMSUM, err); }
static int c_stream_bad(tc_err *err) { return stream("1,2\n3,x\n", TC_OP_CUMSUM, err); }
static int c_stream_nodim(tc_err *err)
{
    mem_io m = {"1\n", 2, 0, {0}};
    tc_stream_io io = {mem_read, mem_write, NULL, &m, NULL};
    tc_op_args a;
    tc_op_args_init(&a, TC_OP_CUMPROD);
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    tc_stream_opts so;
    memset(&so, 0, sizeof so);
    int rc = tc_stream_csv(&a, &ro, &so, NULL, 0, &io, err);
    tc_buf_free(&m.out);
    return rc;
}

static int c_source_bad(tc_err *err)
{
    static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage";
    mem_io m = {gz, sizeof gz - 1, 0, {0}};
    tc_reader raw = {mem_read, mem_rewind, &m};
    tc_source *s = NULL;
    int rc = tc_source_new(&raw, &s, err);
    char buf[256];
    size_t got = 1;
    while (rc == TC_OK && got)
        rc = tc_source_read(s, buf, sizeof buf, &got, err);
    tc_source_free(s);
    return rc;
}

static int c_memory_limit(tc_err *err)
{
    tc_set_memory_limit((uint64_t)1 << 20);
    int rc = read_text("[[1, 2, 3]]", TC_FMT_JSON, err);
    int64_t shape[1] = {1 << 20};
    tc_tensor *x = rc == TC_OK ? tc_tensor_new(TC_FLOAT64, 1, shape, err) : NULL;
    tc_set_memory_limit(0);
    if (rc == TC_OK)
        rc = x ? -1 : TC_ENOMEM;
    tc_tensor_free(x);
    return rc;
}

static void test_null_err(void)
{
    same_code("csv", c_csv_good, TC_OK);
    same_code("csv ragged", c_csv_ragged, TC_EINPUT);
    same_code("csv word", c_csv_word, TC_EINPUT);
    same_code("csv empty", c_csv_empty, TC_ENODATA);
    same_code("json", c_json_good, TC_OK);
    same_code("json bad", c_json_bad, TC_EINPUT);
    same_code("json ragged", c_json_ragged, TC_EINPUT);
    same_code("json overflow", c_json_overflow, TC_EOVERFLOW);   /* PyTorch's message, tcum.h's code */
    same_code("torch", c_torch_good, TC_OK);
    same_code("torch bad", c_torch_bad, TC_EINPUT);
    same_code("npy bad", c_npy_bad, TC_EINPUT);
    same_code("npy huge", c_npy_huge, TC_EINPUT);
    same_code("table word", c_table, TC_EINPUT);
    same_code("cumsum", c_op_good, TC_OK);
    same_code("cummax", c_op_cummax, TC_OK);
    same_code("cumsum no dim", c_op_nodim, TC_EDIM);
    same_code("cumprod dim 5", c_op_baddim, TC_EDIM);
    same_code("exclusive include_initial", c_op_excl_incl, TC_EARG);
    same_code("cummax exclusive", c_op_cummax_excl, TC_EARG);
    same_code("logcumsumexp bool", c_op_bool_lse, TC_EDTYPE);
    same_code("sum", c_op_reduce, TC_OK);
    same_code("prod keepdim", c_op_keepdim, TC_EDIM);
    same_code("op check", c_op_check, TC_EDIM);
    same_code("result pick", c_pick, TC_EARG);
    same_code("grad", c_grad_good, TC_OK);
    same_code("grad show", c_grad_show, TC_EARG);
    same_code("grad int", c_grad_int, TC_EARG);
    same_code("grad nanmax", c_grad_nan, TC_EARG);
    same_code("tensor_new -1", c_tensor_new_neg, TC_EARG);
    same_code("reshape", c_reshape, TC_ESHAPE);
    same_code("convert", c_convert, TC_OK);
    same_code("convert uint16 in 1.13", c_convert_u16, TC_EDTYPE);
    same_code("dim_wrap", c_dim_wrap, TC_EDIM);
    same_code("csv 3-D", c_csv_3d, TC_ESHAPE);
    same_code("csv 2-D", c_csv_2d, TC_OK);
    same_code("npy bfloat16", c_npy_bf16, TC_EDTYPE);
    same_code("json out", c_json_out, TC_OK);
    same_code("print", c_print, TC_OK);
    same_code("assert_close", c_close, TC_OK);
    same_code("npz names", c_npz_names, TC_EINPUT);
    same_code("stream", c_stream_good, TC_OK);
    same_code("stream word", c_stream_bad, TC_EINPUT);
    same_code("stream no dim", c_stream_nodim, TC_EDIM);
    same_code("gzip garbage", c_source_bad, TC_EINPUT);
    same_code("memory limit", c_memory_limit, TC_ENOMEM);
}

/* ---- 2. the host's cJSON hooks ------------------------------------------------ */

static long hook_mallocs, hook_frees;

static void *count_malloc(size_t n)
{
    hook_mallocs++;
    return malloc(n);
}

static void count_free(void *p)
{
    if (p)
        hook_frees++;
    free(p);
}

static void test_cjson_hooks(void)
{
    cJSON_Hooks hooks = {count_malloc, count_free};
    cJSON_InitHooks(&hooks);

    /* tcum parses JSON (nested lists, its object form, a records table) with them */
    const char *docs[] = {
        "[[1, 2.5], [3, 4]]",
        "{\"dtype\": \"float64\", \"shape\": [2], \"data\": [1, 2]}",
        "[{\"Date\": \"2024-01-02\", \"Close\": 1.5}, {\"Date\": \"2024-01-03\", \"Close\": 2}]",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        tc_read_opts ro;
        tc_read_opts_init(&ro);
        tc_tensor *x = NULL;
        tc_table *t = NULL;
        int rc = tc_read_table(docs[i], strlen(docs[i]), &ro, &x, &t, NULL);
        expect(rc == TC_OK && x, "tcum reads JSON with the host's cJSON hooks installed");
        tc_tensor_free(x);
        tc_table_free(t);
    }
    expect(hook_mallocs == hook_frees, "tcum frees all it allocated through the hooks");

    /* the hooks are still there: the host's own cJSON calls go through them */
    long before = hook_mallocs;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "x", 1.5);
    char *s = cJSON_PrintUnformatted(o);
    expect(s && !strcmp(s, "{\"x\":1.5}"), "the host's cJSON prints");
    cJSON_free(s);
    cJSON_Delete(o);
    expect(hook_mallocs > before, "the host's cJSON hooks survive tcum's calls");
    expect(hook_mallocs == hook_frees, "the host's cJSON frees through its hooks");
    cJSON_InitHooks(NULL);
}

/* ---- 3. two threads at once ------------------------------------------------- */

typedef struct worker {
    int id;
    int ok;
    char expect[256];
} worker;

/* Read, cumsum, write as CSV and as the repr: the same bytes every time. */
static int one_round(int id, char *out, size_t cap)
{
    char csv[200];
    snprintf(csv, sizeof csv, "a,b,c\n%d,2,3\n4,%d,6\n7,8,%d\n", id, id + 1, id + 2);
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    ro.threads = 2;
    tc_tensor *x = NULL;
    tc_table *t = NULL;
    if (tc_read_table(csv, strlen(csv), &ro, &x, &t, NULL) != TC_OK)
        return 0;
    tc_op_args a;
    tc_op_args_init(&a, id % 2 ? TC_OP_CUMPROD : TC_OP_CUMSUM);
    a.has_dim = 1;
    tc_result r;
    int ok = tc_op_run(&a, x, &r, NULL) == TC_OK;
    tc_buf b = {0};
    tc_print_opts po;
    tc_print_opts_init(&po);
    ok = ok && tc_write_table_csv(&b, r.values, &a, t, ',', NULL) == TC_OK &&
         tc_print_result(&b, &r, &po, NULL) == TC_OK && tc_write_json(&b, &r, NULL) == TC_OK;
    ok = ok && !b.oom && b.n < cap;
    if (ok)
        memcpy(out, b.p, b.n + 1);
    tc_buf_free(&b);
    tc_result_free(&r);
    tc_tensor_free(x);
    tc_table_free(t);
    return ok;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    /* each thread its own memory limit: 1 MiB here, none in the other */
    tc_set_memory_limit(w->id == 1 ? (uint64_t)1 << 20 : 0);
    int64_t shape[1] = {1 << 18};
    tc_tensor *big = tc_tensor_new(TC_FLOAT64, 1, shape, NULL);   /* 2 MiB */
    w->ok = w->id == 1 ? big == NULL : big != NULL;
    tc_tensor_free(big);
    char out[256];
    for (int i = 0; i < 300 && w->ok; i++)
        w->ok = one_round(w->id, out, sizeof out) && !strcmp(out, w->expect);
    return NULL;
}

static void test_threads(void)
{
    worker w[2];
    for (int i = 0; i < 2; i++) {
        w[i].id = i + 1;
        w[i].ok = 0;
        expect(one_round(w[i].id, w[i].expect, sizeof w[i].expect), "a round alone");
    }
    expect(strcmp(w[0].expect, w[1].expect) != 0, "the two threads work on different tensors");
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
            abort();
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    expect(w[0].ok, "thread 1: its own memory limit, 300 rounds, the same bytes");
    expect(w[1].ok, "thread 2: no memory limit, 300 rounds, the same bytes");
}

int main(void)
{
    test_null_err();
    test_cjson_hooks();
    test_threads();
    printf("api_test: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
