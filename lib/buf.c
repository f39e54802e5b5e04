/* buf.c - the growable output buffer every printer appends to. */
#include "tc_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tc_buf_free(tc_buf *b)
{
    tc_free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* Make room for extra more bytes plus a NUL; false (and b->oom) on failure. */
static bool reserve(tc_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (extra < b->cap - b->n)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->n <= extra) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return false;
        }
        cap *= 2;
    }
    if (!tc_mem_fits(cap)) {
        b->oom = 1;
        return false;
    }
    char *p = tc_realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void tc_buf_put(tc_buf *b, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (!reserve(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void tc_buf_puts(tc_buf *b, const char *s)
{
    tc_buf_put(b, s, strlen(s));
}

void tc_buf_printf(tc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !reserve(b, (size_t)len))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
}

/* A shape or index (tc_dims_str) appended to b. */
void tc_dims_put(tc_buf *b, int ndim, const int64_t *dims, char open)
{
    char s[TC_DIMS_STR_MAX];
    tc_dims_str(ndim, dims, open, s, sizeof s);
    tc_buf_puts(b, s);
}
