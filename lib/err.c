/* err.c - filling in a tc_err. */
#include "tc_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char tc_oom_msg[] = "out of memory";

int tc_err_set(tc_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
        err->line = err->col = 0;
        err->param = NULL;
        err->suggest[0] = '\0';
    }
    return code;
}

int tc_err_at(tc_err *err, int code, long line, long col)
{
    if (err) {
        err->line = line;
        err->col = col;
    }
    return code;
}

int tc_err_hint(tc_err *err, int code, const char *param, const char *suggest)
{
    if (err) {
        err->param = param;
        snprintf(err->suggest, sizeof err->suggest, "%s", suggest ? suggest : "");
    }
    return code;
}

const char *tc_strerror(int e, char *buf, size_t cap)
{
    if (strerror_r(e, buf, cap) != 0)
        snprintf(buf, cap, "error %d", e);
    return buf;
}

bool tc_mul_ok(int64_t a, int64_t b, int64_t *out)
{
    if (a != 0 && b > INT64_MAX / a)
        return false;
    *out = a * b;
    return true;
}
