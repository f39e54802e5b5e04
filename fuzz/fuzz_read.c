/*
 * fuzz_read.c - libFuzzer target for one reader, chosen at build time with
 * -DFUZZ_FORMAT=TC_FMT_CSV (or _JSON, _NPY, _TORCH, _AUTO).  Every input
 * must either parse or fail with a message; the tensor is printed to
 * exercise the printer on whatever the reader accepts.
 *
 * CSV and JSON are read as tables too (tc_read_table: records, split and
 * JSON Lines for JSON), and a table must survive JSON: its JSON output
 * (tc_write_table_json) read back must give the same CSV output, header,
 * key fields and values, byte for byte.  A CSV's fields keep the quotes
 * they were written with, which JSON does not carry: for CSV input the two
 * CSV outputs are read back in turn and must give the same JSON, the same
 * table however quoted.  (Header names end at a NUL byte, so a CSV with
 * one is not held to it.)
 *
 * JSON is also read by 3 threads in parts of a few bytes (read_json.c cuts
 * a rectangular number array between rows): the same tensor, bytes, dtype
 * and shape, or the same error at the same position as one thread.
 */
#include "tcum.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT TC_FMT_AUTO
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, const tc_err *err)
{
    if (rc != TC_OK && (!err->msg[0] || strchr(err->msg, '\n')))
        abort();   /* failure must say why, on one line */
}

/* CSV of x and its table as `tcum show -f csv` writes it; NULL if too big to bother. */
static tc_buf csv_of(const tc_tensor *x, const tc_table *t, int *rc)
{
    tc_buf out = {0};
    tc_err err;
    memset(&err, 0, sizeof err);
    if (tc_table_is_rich(t))
        *rc = tc_write_table_csv(&out, x, NULL, t, tc_table_delimiter(t) == ' ' ? '\t'
                                                                          : tc_table_delimiter(t), &err);
    else
        *rc = x->ndim <= 2 ? tc_write_csv(&out, x, ',', &err) : TC_ESHAPE;
    return out;
}

/* Two CSV texts that differ at most in quoting: the same table read back, in JSON. */
static void same_table(const tc_buf *a, const tc_buf *b, char delim)
{
    if (a->n == b->n && !memcmp(a->p, b->p, a->n))
        return;
    tc_buf json[2] = {{0}, {0}};
    int rc[2];
    for (int k = 0; k < 2; k++) {
        const tc_buf *c = k ? b : a;
        tc_read_opts ro;
        tc_read_opts_init(&ro);
        ro.format = TC_FMT_CSV;
        ro.delimiter = delim;
        ro.comment = 0;   /* (tcum writes no comments; a key may start with one) */
        tc_tensor *x = NULL;
        tc_table *t = NULL;
        rc[k] = tc_read_table(c->p, c->n, &ro, &x, &t, NULL);
        if (rc[k] == TC_OK) {
            tc_result r = {NULL, x, NULL};
            rc[k] = tc_write_table_json(&json[k], &r, NULL, t, NULL);
        }
        tc_tensor_free(x);
        tc_table_free(t);
    }
    if (rc[0] != rc[1] || (rc[0] == TC_OK && !json[0].oom && !json[1].oom &&
                           (json[0].n != json[1].n || memcmp(json[0].p, json[1].p, json[0].n))))
        abort();   /* the table changed through JSON */
    tc_buf_free(&json[0]);
    tc_buf_free(&json[1]);
}

static void table_round_trip(const uint8_t *data, size_t size, const tc_read_opts *ro)
{
    tc_tensor *x = NULL;
    tc_table *t = NULL;
    tc_err err;
    memset(&err, 0, sizeof err);
    int rc = tc_read_table((const char *)data, size, ro, &x, &t, &err);
    check_err(rc, &err);
    if (rc != TC_OK) {
        if (x || t)
            abort();
        return;
    }
    if (!tc_table_is_rich(t) || x->numel > 100000 ||
        (ro->format == TC_FMT_CSV && memchr(data, '\0', size))) {
        tc_tensor_free(x);
        tc_table_free(t);
        return;
    }
    tc_buf json = {0};
    tc_result r = {NULL, x, NULL};
    rc = tc_write_table_json(&json, &r, NULL, t, &err);
    check_err(rc, &err);
    int rc1 = TC_OK, rc2 = TC_OK;
    tc_buf csv1 = csv_of(x, t, &rc1);
    tc_tensor *x2 = NULL;
    tc_table *t2 = NULL;
    if (rc == TC_OK && !json.oom) {
        tc_read_opts jo;
        tc_read_opts_init(&jo);
        jo.format = TC_FMT_JSON;
        if (tc_read_table(json.p, json.n, &jo, &x2, &t2, &err) != TC_OK)
            abort();   /* tcum's own JSON must read back */
        tc_buf csv2 = csv_of(x2, t2, &rc2);
        if (rc1 != rc2)
            abort();
        if (rc1 == TC_OK && !csv1.oom && !csv2.oom) {
            if (ro->format == TC_FMT_CSV)
                same_table(&csv1, &csv2, tc_table_delimiter(t) == ' ' ? '\t' : tc_table_delimiter(t));
            else if (csv1.n != csv2.n || memcmp(csv1.p, csv2.p, csv1.n) != 0)
                abort();   /* the table changed through JSON */
        }
        tc_buf_free(&csv2);
    }
    tc_buf_free(&csv1);
    tc_buf_free(&json);
    tc_tensor_free(x);
    tc_tensor_free(x2);
    tc_table_free(t);
    tc_table_free(t2);
}

/* One thread and 3 threads in tiny parts read the same. */
static void same_in_parts(const uint8_t *data, size_t size, const tc_read_opts *ro)
{
    tc_read_opts o[2] = {*ro, *ro};
    o[0].threads = 1;
    o[1].threads = 3;
    o[1].block = 1 + (long)(size % 7);
    tc_tensor *x[2] = {NULL, NULL};
    tc_err err[2];
    int rc[2];
    for (int k = 0; k < 2; k++) {
        memset(&err[k], 0, sizeof err[k]);
        rc[k] = tc_read((const char *)data, size, &o[k], &x[k], &err[k]);
    }
    if (rc[0] != rc[1])
        abort();
    if (rc[0] != TC_OK) {
        if (err[0].line != err[1].line || err[0].col != err[1].col ||
            strcmp(err[0].msg, err[1].msg) || !err[0].param != !err[1].param ||
            (err[0].param && strcmp(err[0].param, err[1].param)) ||
            strcmp(err[0].suggest, err[1].suggest))
            abort();   /* another error, or elsewhere */
        return;
    }
    if (x[0]->dtype != x[1]->dtype || x[0]->ndim != x[1]->ndim || x[0]->numel != x[1]->numel ||
        memcmp(x[0]->shape, x[1]->shape, (size_t)x[0]->ndim * sizeof *x[0]->shape) ||
        memcmp(x[0]->data, x[1]->data, (size_t)x[0]->numel * tc_dtype_size(x[0]->dtype)))
        abort();   /* another tensor */
    tc_tensor_free(x[0]);
    tc_tensor_free(x[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_set_memory_limit((uint64_t)256 << 20);   /* see fuzz_cli.c */
    tc_read_opts ro;
    tc_read_opts_init(&ro);
    ro.format = FUZZ_FORMAT;
    tc_tensor *t = NULL;
    tc_err err;
    memset(&err, 0, sizeof err);
    int rc = tc_read((const char *)data, size, &ro, &t, &err);
    if (rc != TC_OK) {
        if (t || !err.msg[0] || strchr(err.msg, '\n'))
            abort();   /* failure must leave no tensor and one line */
    } else {
        if (!t)
            abort();
        if (t->numel <= 100000) {
            tc_print_opts po;
            tc_print_opts_init(&po);
            tc_buf out = {0};
            if (tc_print_torch(&out, t, &po, &err) != TC_OK && !out.oom)
                abort();
            tc_buf_free(&out);
        }
        tc_tensor_free(t);
    }
    if (FUZZ_FORMAT == TC_FMT_JSON)
        same_in_parts(data, size, &ro);
    if (FUZZ_FORMAT == TC_FMT_CSV || FUZZ_FORMAT == TC_FMT_JSON)
        table_round_trip(data, size, &ro);
    return 0;
}
