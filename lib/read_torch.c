/*
 * read_torch.c - PyTorch repr input, as pasted from a log:
 *
 *   tensor([[1., 2.],
 *           [3., 4.]], dtype=torch.float64)
 *   tensor(3.5000)    tensor([], size=(2, 0), dtype=torch.int64)
 *   tensor([1., 3.], requires_grad=True)    (other keyword arguments ignored)
 *   torch.return_types.cummax(values=tensor(...), indices=tensor(...))
 *
 * The values are read as written, as torch.tensor(values, dtype=T) with T
 * the repr's dtype (found first, since it follows the data; --input-dtype
 * overrides it), or inferred as torch.tensor infers when the repr shows
 * none.  A summarized repr ("...") cannot be read back and says so.  Errors
 * in the nesting are found in reading order, which for reprs with several
 * problems may differ from the one PyTorch would report first.
 */
#include "tc_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct repr_ctx {
    const char *d;              /* after any BOM */
    size_t n, i;
    const tc_read_opts *o;
    tc_values vs;
    tc_shape sh;
    int store_rc;               /* first store-time error: a TC_SHAPE_* code ... */
    const char *store_msg;      /* ... or a conversion message */
    size_t store_pos;
    tc_err *err;
    bool failed;
    size_t pos;
} repr_ctx;

static void fail_at(repr_ctx *c, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void fail_code(repr_ctx *c, size_t pos, int code, const char *msg)
{
    if (c->failed)
        return;
    tc_err_set(c->err, code, "%s", msg);
    c->failed = true;
    c->pos = pos;
}

static void fail_at(repr_ctx *c, size_t pos, const char *fmt, ...)
{
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail_code(c, pos, TC_EINPUT, msg);
}

static bool is_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

static void skip_ws(repr_ctx *c)
{
    while (c->i < c->n && is_ws(c->d[c->i]))
        c->i++;
}

/* Consume word if the input continues with it. */
static bool eat(repr_ctx *c, const char *word)
{
    size_t k = strlen(word);
    if (c->n - c->i >= k && memcmp(c->d + c->i, word, k) == 0) {
        c->i += k;
        return true;
    }
    return false;
}

static bool peek(const repr_ctx *c, char ch) { return c->i < c->n && c->d[c->i] == ch; }

/* A description of what is at the cursor, for "expected X, found Y". */
static void found(const repr_ctx *c, char *out, size_t cap)
{
    if (c->i >= c->n) {
        snprintf(out, cap, "end of input");
        return;
    }
    tc_token_quote(out, cap, c->d + c->i, 1);
}

static void expected(repr_ctx *c, const char *what)
{
    char f[32];
    found(c, f, sizeof f);
    fail_at(c, c->i, "invalid tensor repr: expected %s, found %s", what, f);
}

static void store_fail(repr_ctx *c, int rc, const char *msg, size_t pos)
{
    if (c->store_rc || c->store_msg)
        return;
    c->store_rc = rc;
    c->store_msg = msg;
    c->store_pos = pos;
}

static bool storing(const repr_ctx *c) { return !c->store_rc && !c->store_msg; }

static void scalar(repr_ctx *c)
{
    size_t start = c->i;
    while (c->i < c->n && !is_ws(c->d[c->i]) && c->d[c->i] != ',' && c->d[c->i] != ']' &&
           c->d[c->i] != ')' && c->d[c->i] != '[')
        c->i++;
    size_t len = c->i - start;
    if (len == 0) {
        expected(c, "a value");
        return;
    }
    if (len >= 3 && memcmp(c->d + start, "...", 3) == 0) {
        fail_at(c, start, "cannot read a summarized tensor repr ('...' hides elements): "
                          "print it with torch.set_printoptions(profile='full')");
        return;
    }
    tc_scalar v;
    if (!tc_scalar_parse(c->d + start, len, &v)) {
        char q[200];
        tc_token_quote(q, sizeof q, c->d + start, len);
        fail_at(c, start, "could not convert %s to a number", q);
        return;
    }
    bool store = false;
    int rc;
    if (storing(c) && (rc = tc_shape_scalar(&c->sh, &store)) != TC_SHAPE_OK)
        store_fail(c, rc, NULL, start);
    if (!store) {
        tc_values_note(&c->vs, v.kind);
        return;
    }
    const char *msg = tc_values_push(&c->vs, &v, start);
    if (msg == tc_oom_msg)
        fail_code(c, start, TC_ENOMEM, msg);
    else if (msg)
        store_fail(c, 0, msg, start);
}

/* The data: a scalar or nested lists, iteratively (nesting is bounded here). */
static void data(repr_ctx *c)
{
    int depth = 0, rc;
    bool need_value = true, after_open = false;
    while (!c->failed) {
        skip_ws(c);
        if (need_value) {
            if (peek(c, '[')) {
                if (depth >= TC_MAX_DIMS) {
                    fail_at(c, c->i, "too many dimensions (the limit is %d)", TC_MAX_DIMS);
                    return;
                }
                if (storing(c) && (rc = tc_shape_open(&c->sh)) != TC_SHAPE_OK)
                    store_fail(c, rc, NULL, c->i);
                depth++;
                c->i++;
                after_open = true;
                continue;
            }
            if (!(after_open && peek(c, ']'))) {
                scalar(c);
                need_value = after_open = false;
                if (depth == 0)
                    return;
                continue;
            }
            /* "[]": fall through to close it */
        } else if (peek(c, ',')) {
            c->i++;
            need_value = true;
            continue;
        } else if (!peek(c, ']')) {
            expected(c, "',' or ']'");
            return;
        }
        /* ']' closes a list */
        if (after_open)
            tc_values_note(&c->vs, TC_SK_FLOAT);   /* an empty list infers as a float */
        if (storing(c) && (rc = tc_shape_close(&c->sh)) != TC_SHAPE_OK)
            store_fail(c, rc, NULL, c->i);
        c->i++;
        depth--;
        need_value = after_open = false;
        if (depth == 0)
            return;
    }
}

/* Skip one keyword argument's value: up to ',' or ')' outside brackets. */
static void skip_arg(repr_ctx *c)
{
    int nest = 0;
    while (c->i < c->n) {
        char ch = c->d[c->i];
        if (nest == 0 && (ch == ',' || ch == ')'))
            return;
        if (ch == '(' || ch == '[' || ch == '<')
            nest++;
        else if ((ch == ')' || ch == ']' || ch == '>') && nest > 0)
            nest--;
        c->i++;
    }
}

/* "(2, 0)" or "(3,)" into shape. */
static bool size_arg(repr_ctx *c, int *ndim, int64_t *shape)
{
    if (!eat(c, "(")) {
        expected(c, "'('");
        return false;
    }
    *ndim = 0;
    for (;;) {
        skip_ws(c);
        if (eat(c, ")"))
            return true;
        size_t start = c->i;
        while (c->i < c->n && c->d[c->i] >= '0' && c->d[c->i] <= '9')
            c->i++;
        tc_scalar v;
        if (*ndim >= TC_MAX_DIMS || !tc_scalar_parse(c->d + start, c->i - start, &v) ||
            v.kind != TC_SK_INT) {
            c->i = start;
            expected(c, "a size");
            return false;
        }
        shape[(*ndim)++] = v.i;
        skip_ws(c);
        if (!eat(c, ",") && !peek(c, ')')) {
            expected(c, "',' or ')'");
            return false;
        }
    }
}

/*
 * The dtype=torch.NAME argument of the tensor( starting at c->i, if any:
 * it follows the data but decides how the data is stored.
 */
static bool find_dtype(repr_ctx *c, bool *has, tc_dtype *t)
{
    int nest = 1;
    *has = false;
    for (size_t j = c->i; j < c->n && nest > 0; j++) {
        char ch = c->d[j];
        if (ch == '(')
            nest++;
        else if (ch == ')')
            nest--;
        else if (nest == 1 && ch == 'd' && c->n - j > 6 && memcmp(c->d + j, "dtype=", 6) == 0) {
            size_t k = j + 6;
            while (k < c->n && (c->d[k] == '.' || c->d[k] == '_' ||
                                (c->d[k] >= 'a' && c->d[k] <= 'z') ||
                                (c->d[k] >= '0' && c->d[k] <= '9')))
                k++;
            char name[40];
            size_t len = k - (j + 6);
            if (len < sizeof name) {
                memcpy(name, c->d + j + 6, len);
                name[len] = '\0';
            }
            if (len >= sizeof name || !tc_dtype_parse(name, t)) {
                char q[80];
                tc_token_quote(q, sizeof q, c->d + j + 6, len);
                fail_at(c, j + 6, "unsupported dtype %s", q);
                return false;
            }
            *has = true;
        }
    }
    return true;
}

/* A tensor(...) at the cursor, into a new tensor. */
static int tensor(repr_ctx *c, tc_tensor **out)
{
    if (!eat(c, "tensor(")) {
        expected(c, "'tensor('");
        return TC_EINPUT;
    }
    bool has_dtype;
    tc_dtype t = TC_FLOAT32;
    if (!find_dtype(c, &has_dtype, &t))
        return TC_EINPUT;
    if (c->o->has_input_dtype) {
        has_dtype = true;
        t = c->o->input_dtype;
    }
    c->vs.has_dtype = has_dtype;
    c->vs.dtype = t;
    size_t data_pos = c->i;
    data(c);
    int size_ndim = -1;
    int64_t size[TC_MAX_DIMS];
    while (!c->failed) {
        skip_ws(c);
        if (eat(c, ")"))
            break;
        if (!eat(c, ",")) {
            expected(c, "',' or ')'");
            break;
        }
        skip_ws(c);
        if (eat(c, "size="))
            size_arg(c, &size_ndim, size);
        else
            skip_arg(c);   /* dtype (already read), requires_grad, grad_fn, device, ... */
    }
    if (c->failed)
        return TC_EINPUT;
    if (!has_dtype)
        t = tc_values_dtype(&c->vs, c->o->default_dtype);
    if (c->store_msg) {
        fail_at(c, c->store_pos, "%s", c->store_msg);
        return TC_EINPUT;
    }
    if (c->store_rc) {
        tc_shape_message(&c->sh, c->store_rc, t, c->err);
        c->failed = true;
        c->pos = c->store_pos;
        return TC_EINPUT;
    }
    tc_tensor *x = NULL;
    size_t bad;
    bool has_bad;
    int rc = tc_values_tensor(&c->vs, t, c->sh.ndim, c->sh.shape, &x, &bad, &has_bad, c->err);
    if (rc != TC_OK) {
        c->failed = true;
        c->pos = has_bad ? bad : data_pos;
        return rc;
    }
    if (size_ndim >= 0) {
        /* size= is printed for empty tensors that are not 1-D. */
        rc = tc_tensor_reshape(x, size_ndim, size, out, c->err);
        tc_tensor_free(x);
        if (rc != TC_OK) {
            c->failed = true;
            c->pos = data_pos;
        }
        return rc;
    }
    *out = x;
    return TC_OK;
}

int tc_read_torch(const char *data_, size_t n, const tc_read_opts *o,
                  tc_tensor **out, tc_err *err)
{
    *out = NULL;
    size_t bom = tc_bom_len(data_, n);
    repr_ctx c;
    memset(&c, 0, sizeof c);
    c.d = data_ + bom;
    c.n = n - bom;
    c.o = o;
    /* The failure's code is read back from c.err: one of our own when the caller gives none. */
    tc_err scratch = {0};
    c.err = err ? err : &scratch;
    c.err->code = TC_OK;
    tc_values_init(&c.vs, NULL);
    tc_shape_init(&c.sh);

    int rc;
    skip_ws(&c);
    if (eat(&c, "torch.return_types.")) {
        /* A named tuple: read its values=tensor(...), ignore the rest. */
        while (c.i < c.n && (c.d[c.i] == '_' || (c.d[c.i] >= 'a' && c.d[c.i] <= 'z')))
            c.i++;
        skip_ws(&c);
        if (!eat(&c, "(")) {
            expected(&c, "'('");
        } else {
            skip_ws(&c);
            if (!eat(&c, "values="))
                expected(&c, "'values='");
        }
        rc = c.failed ? TC_EINPUT : tensor(&c, out);
    } else {
        rc = tensor(&c, out);
        skip_ws(&c);
        if (rc == TC_OK && c.i < c.n) {
            tc_tensor_free(*out);
            *out = NULL;
            fail_at(&c, c.i, "%s", "invalid tensor repr: unexpected text after the tensor");
            rc = TC_EINPUT;
        }
    }
    if (rc != TC_OK) {
        rc = c.err->code ? c.err->code : rc;
        long line, col;
        tc_text_pos(c.d, c.pos, &line, &col);
        tc_err_at(err, rc, line, col);
    }
    tc_values_free(&c.vs);
    return rc;
}
