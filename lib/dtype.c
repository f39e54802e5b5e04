/*
 * dtype.c - the table of dtypes, half/bfloat16 arithmetic and x.to(dtype).
 *
 * Every conversion here reproduces what PyTorch 1.13's CPU copy kernel
 * stores on x86-64, including the cases C leaves undefined (NaN or
 * out-of-range floats cast to integers), which are written out explicitly.
 */
#include "tc_private.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name, *torch, *scalar;
    size_t size;
} dtypes[TC_NDTYPES] = {
    [TC_BOOL]       = {"bool",       "torch.bool",       "Bool",          1},
    [TC_UINT8]      = {"uint8",      "torch.uint8",      "Byte",          1},
    [TC_INT8]       = {"int8",       "torch.int8",       "Char",          1},
    [TC_INT16]      = {"int16",      "torch.int16",      "Short",         2},
    [TC_INT32]      = {"int32",      "torch.int32",      "Int",           4},
    [TC_INT64]      = {"int64",      "torch.int64",      "Long",          8},
    [TC_FLOAT16]    = {"float16",    "torch.float16",    "Half",          2},
    [TC_BFLOAT16]   = {"bfloat16",   "torch.bfloat16",   "BFloat16",      2},
    [TC_FLOAT32]    = {"float32",    "torch.float32",    "Float",         4},
    [TC_FLOAT64]    = {"float64",    "torch.float64",    "Double",        8},
    [TC_COMPLEX64]  = {"complex64",  "torch.complex64",  "ComplexFloat",  8},
    [TC_COMPLEX128] = {"complex128", "torch.complex128", "ComplexDouble", 16},
};

static const struct {
    const char *name;
    tc_dtype t;
} aliases[] = {
    {"half", TC_FLOAT16}, {"float", TC_FLOAT32}, {"double", TC_FLOAT64},
    {"short", TC_INT16}, {"int", TC_INT32}, {"long", TC_INT64},
    {"cfloat", TC_COMPLEX64}, {"cdouble", TC_COMPLEX128},
};

static int valid(tc_dtype t)
{
    return (unsigned)t < TC_NDTYPES;
}

size_t tc_dtype_size(tc_dtype t)
{
    return valid(t) ? dtypes[t].size : 1;
}

const char *tc_dtype_name(tc_dtype t)
{
    return valid(t) ? dtypes[t].name : "?";
}

const char *tc_dtype_torch_name(tc_dtype t)
{
    return valid(t) ? dtypes[t].torch : "?";
}

const char *tc_dtype_scalar_name(tc_dtype t)
{
    return valid(t) ? dtypes[t].scalar : "?";
}

int tc_dtype_parse(const char *s, tc_dtype *out)
{
    if (!s)
        return 0;
    if (strncmp(s, "torch.", 6) == 0)
        s += 6;
    for (int i = 0; i < TC_NDTYPES; i++) {
        if (strcmp(s, dtypes[i].name) == 0) {
            *out = (tc_dtype)i;
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcmp(s, aliases[i].name) == 0) {
            *out = aliases[i].t;
            return 1;
        }
    }
    return 0;
}

int tc_dtype_is_float(tc_dtype t)
{
    return t == TC_FLOAT16 || t == TC_BFLOAT16 || t == TC_FLOAT32 || t == TC_FLOAT64;
}

int tc_dtype_is_complex(tc_dtype t)
{
    return t == TC_COMPLEX64 || t == TC_COMPLEX128;
}

int tc_dtype_category(tc_dtype t)
{
    if (t == TC_BOOL)
        return 0;
    if (tc_dtype_is_complex(t))
        return 3;
    if (tc_dtype_is_float(t))
        return 2;
    return 1;
}

int tc_dtype_is_integral(tc_dtype t, int include_bool)
{
    if (t == TC_BOOL)
        return include_bool;
    return t >= TC_UINT8 && t <= TC_INT64;
}

/* ---- half and bfloat16 ---------------------------------------------------- */

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Exact: every half is a float.  NaNs keep their payload and come out quiet, as in c10. */
float tc_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    if (exp == 0x1f)
        return bits_f32(sign | 0x7f800000u | (man << 13) | (man ? 0x400000u : 0));
    if (exp == 0) {
        /* Zero or subnormal: man * 2^-24, exact in float. */
        float v = (float)man * 0x1p-24f;
        return sign ? -v : v;
    }
    return bits_f32(sign | ((exp + 112) << 23) | (man << 13));
}

/*
 * Round to nearest even, overflow to infinity, NaN to the quiet NaN 0x7e00
 * with the sign kept (c10's fp16_ieee_from_fp32_value).
 */
uint16_t tc_float_to_half(float f)
{
    uint32_t u = f32_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u)
        return sign | 0x7e00;
    if (a >= 0x477ff000u)               /* rounds to >= 65520: infinity */
        return sign | 0x7c00;
    if (a < 0x38800000u) {
        /* Result is subnormal (or zero): quantum 2^-24. */
        if (a < 0x33000000u)            /* below 2^-25: rounds to zero */
            return sign;
        uint32_t e = a >> 23;           /* biased float exponent, 102..112 */
        uint32_t m = (a & 0x7fffff) | 0x800000;
        uint32_t shift = 126 - e;       /* value = m * 2^(e-150); units 2^-24 */
        uint32_t q = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1);
        uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1)))
            q++;
        return sign | (uint16_t)q;
    }
    /* Normal: rebias the exponent and round off 13 mantissa bits. */
    uint32_t r = a - (112u << 23);
    uint32_t q = r >> 13;
    uint32_t rem = r & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (q & 1)))
        q++;                            /* may carry into the exponent: fine */
    return sign | (uint16_t)q;
}

float tc_bf16_to_float(uint16_t b)
{
    return bits_f32((uint32_t)b << 16);
}

/*
 * c10's round_to_nearest_even.  NaN becomes 0x7fc0 as in c10's scalar code
 * (the AVX2 copy kernel stores 0xffff instead; both print as nan).
 */
uint16_t tc_float_to_bf16(float f)
{
    if (isnan(f))
        return 0x7fc0;
    uint32_t u = f32_bits(f);
    uint32_t bias = ((u >> 16) & 1) + 0x7fffu;
    return (uint16_t)((u + bias) >> 16);
}

/* ---- x86-64 float -> integer casts -------------------------------------- */

/* cvttsd2si with a 64-bit destination: truncate; NaN or out of range -> INT64_MIN. */
int64_t tc_cast_f64_to_i64(double v)
{
    /* cppcheck-suppress incorrectLogicOperator ; cppcheck misreads hex float literals */
    if (v >= -0x1p63 && v < 0x1p63)
        return (int64_t)v;
    return INT64_MIN;
}

/* cvttsd2si with a 32-bit destination: NaN or out of range -> INT32_MIN. */
int32_t tc_cast_f64_to_i32(double v)
{
    if (v > -2147483649.0 && v < 2147483648.0)
        return (int32_t)v;
    return INT32_MIN;
}

/* Keep the low bits of v, as a two's-complement narrowing store does. */
static int8_t wrap_i8(int64_t v)
{
    uint8_t u = (uint8_t)(uint64_t)v;
    return u < 0x80 ? (int8_t)u : (int8_t)(u - 256);
}

static int16_t wrap_i16(int64_t v)
{
    uint16_t u = (uint16_t)(uint64_t)v;
    return u < 0x8000 ? (int16_t)u : (int16_t)((int32_t)u - 65536);
}

static int32_t wrap_i32(int64_t v)
{
    uint32_t u = (uint32_t)(uint64_t)v;
    return u < 0x80000000u ? (int32_t)u : (int32_t)((int64_t)u - 4294967296LL);
}

/* ---- stores --------------------------------------------------------------- */

/*
 * A double (from a real float source) into element i.  Verified against
 * torch 1.13: uint8 and int64 targets go through a 64-bit truncation,
 * int8, int16 and int32 through a 32-bit one; float16 and bfloat16 round
 * twice (double -> float -> half), as c10's Half(float) constructor does.
 */
void tc_store_f64(tc_tensor *t, int64_t i, double v)
{
    void *d = t->data;
    switch (t->dtype) {
    case TC_BOOL: ((uint8_t *)d)[i] = v != 0; break;   /* NaN != 0: true */
    case TC_UINT8: ((uint8_t *)d)[i] = (uint8_t)(uint64_t)tc_cast_f64_to_i64(v); break;
    case TC_INT8: ((int8_t *)d)[i] = wrap_i8(tc_cast_f64_to_i32(v)); break;
    case TC_INT16: ((int16_t *)d)[i] = wrap_i16(tc_cast_f64_to_i32(v)); break;
    case TC_INT32: ((int32_t *)d)[i] = tc_cast_f64_to_i32(v); break;
    case TC_INT64: ((int64_t *)d)[i] = tc_cast_f64_to_i64(v); break;
    case TC_FLOAT16: ((uint16_t *)d)[i] = tc_float_to_half((float)v); break;
    case TC_BFLOAT16: ((uint16_t *)d)[i] = tc_float_to_bf16((float)v); break;
    case TC_FLOAT32: ((float *)d)[i] = (float)v; break;
    case TC_FLOAT64: ((double *)d)[i] = v; break;
    case TC_COMPLEX64: ((float *)d)[2 * i] = (float)v; ((float *)d)[2 * i + 1] = 0; break;
    case TC_COMPLEX128: ((double *)d)[2 * i] = v; ((double *)d)[2 * i + 1] = 0; break;
    default: break;
    }
}

/* An int64 (from an integer or bool source) into element i: wraps on narrowing. */
void tc_store_i64(tc_tensor *t, int64_t i, int64_t v)
{
    void *d = t->data;
    switch (t->dtype) {
    case TC_BOOL: ((uint8_t *)d)[i] = v != 0; break;
    case TC_UINT8: ((uint8_t *)d)[i] = (uint8_t)(uint64_t)v; break;
    case TC_INT8: ((int8_t *)d)[i] = wrap_i8(v); break;
    case TC_INT16: ((int16_t *)d)[i] = wrap_i16(v); break;
    case TC_INT32: ((int32_t *)d)[i] = wrap_i32(v); break;
    case TC_INT64: ((int64_t *)d)[i] = v; break;
    /* int64 -> half/bfloat16 rounds through float, as c10 does. */
    case TC_FLOAT16: ((uint16_t *)d)[i] = tc_float_to_half((float)v); break;
    case TC_BFLOAT16: ((uint16_t *)d)[i] = tc_float_to_bf16((float)v); break;
    case TC_FLOAT32: ((float *)d)[i] = (float)v; break;
    case TC_FLOAT64: ((double *)d)[i] = (double)v; break;
    case TC_COMPLEX64: ((float *)d)[2 * i] = (float)v; ((float *)d)[2 * i + 1] = 0; break;
    case TC_COMPLEX128: ((double *)d)[2 * i] = (double)v; ((double *)d)[2 * i + 1] = 0; break;
    default: break;
    }
}

/*
 * A complex value into element i: a real target takes the real part.  Even
 * bool does, as torch 1.13's copy kernel gives tensor([1j]).bool() == False
 * (2.6's is True: tc_tensor_convert_version).
 */
void tc_store_c128(tc_tensor *t, int64_t i, double re, double im)
{
    void *d = t->data;
    switch (t->dtype) {
    case TC_COMPLEX64: ((float *)d)[2 * i] = (float)re; ((float *)d)[2 * i + 1] = (float)im; break;
    case TC_COMPLEX128: ((double *)d)[2 * i] = re; ((double *)d)[2 * i + 1] = im; break;
    default: tc_store_f64(t, i, re); break;
    }
}

int tc_tensor_convert(const tc_tensor *x, tc_dtype t, tc_tensor **out, tc_err *err)
{
    return tc_tensor_convert_version(x, t, TC_TORCH_2_6, out, err);
}

int tc_tensor_convert_version(const tc_tensor *x, tc_dtype t, tc_torch_version v,
                              tc_tensor **out, tc_err *err)
{
    *out = NULL;
    tc_tensor *r = tc_tensor_new(t, x->ndim, x->shape, err);
    if (!r)
        return err ? err->code : TC_ENOMEM;
    int64_t n = x->numel;
    if (x->dtype == t) {
        if (n)
            memcpy(r->data, x->data, (size_t)n * tc_dtype_size(t));
    } else if (tc_dtype_is_integral(x->dtype, 1)) {
        for (int64_t i = 0; i < n; i++)
            tc_store_i64(r, i, tc_tensor_get_i64(x, i));
    } else if (tc_dtype_is_complex(x->dtype)) {
        /* 2.6 casts complex to bool as z != 0, 1.13 as real(z) != 0. */
        int both = t == TC_BOOL && v != TC_TORCH_1_13;
        for (int64_t i = 0; i < n; i++) {
            double re, im;
            tc_tensor_get_c128(x, i, &re, &im);
            tc_store_c128(r, i, both && im != 0 ? 1.0 : re, im);
        }
    } else {
        /* float16/bfloat16/float32 widen to double exactly. */
        for (int64_t i = 0; i < n; i++)
            tc_store_f64(r, i, tc_tensor_get_f64(x, i));
    }
    *out = r;
    return TC_OK;
}
