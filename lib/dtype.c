/*
 * dtype.c - the table of dtypes, half/bfloat16 arithmetic and the x86-64
 * float-to-integer casts (x.to(dtype) itself is in tensor.c).
 *
 * Every conversion here reproduces what PyTorch's CPU copy kernel stores
 * on x86-64, including the cases C leaves undefined (NaN or
 * out-of-range floats cast to integers), which are written out explicitly.
 */
#include "tc_private.h"

#include <math.h>
#include <string.h>

/*
 * One row per dtype.  ROW spells the name once: torch's name and the
 * message torch.tensor gives for a value out of range derive from it.
 */
#define ROW(name, scalar, cpp, npy, size, kind, range, since)                         \
    {#name, "torch." #name, scalar, cpp, npy,                                         \
     "value cannot be converted to type " #name " without overflow", size, kind, range, since}
#define I(lo, hi) (int64_t)(lo), (uint64_t)(hi), (double)(lo), (double)(hi)
#define F(m) 0, 0, -(m), (m)

static const tc_dtype_info dtypes[TC_NDTYPES] = {
    [TC_BOOL]       = ROW(bool,       "Bool",          "bool",                 "b1",   1, TC_KIND_BOOL,    I(0, 1), NULL),
    [TC_UINT8]      = ROW(uint8,      "Byte",          "uint8_t",              "u1",   1, TC_KIND_UINT,    I(0, UINT8_MAX), NULL),
    [TC_INT8]       = ROW(int8,       "Char",          "int8_t",               "i1",   1, TC_KIND_INT,     I(INT8_MIN, INT8_MAX), NULL),
    [TC_INT16]      = ROW(int16,      "Short",         "int16_t",              "i2",   2, TC_KIND_INT,     I(INT16_MIN, INT16_MAX), NULL),
    [TC_INT32]      = ROW(int32,      "Int",           "int",                  "i4",   4, TC_KIND_INT,     I(INT32_MIN, INT32_MAX), NULL),
    [TC_INT64]      = ROW(int64,      "Long",          "int64_t",              "i8",   8, TC_KIND_INT,     I(INT64_MIN, INT64_MAX), NULL),
    [TC_FLOAT16]    = ROW(float16,    "Half",          "at::Half",             "f2",   2, TC_KIND_FLOAT,   F(65504.0), NULL),
    [TC_BFLOAT16]   = ROW(bfloat16,   "BFloat16",      "at::BFloat16",         NULL,   2, TC_KIND_FLOAT,   F(0x1.fep127), NULL),
    [TC_FLOAT32]    = ROW(float32,    "Float",         "float",                "f4",   4, TC_KIND_FLOAT,   F(0x1.fffffep127), NULL),
    [TC_FLOAT64]    = ROW(float64,    "Double",        "double",               "f8",   8, TC_KIND_FLOAT,   F(INFINITY), NULL),
    [TC_COMPLEX64]  = ROW(complex64,  "ComplexFloat",  "c10::complex<float>",  "c8",   8, TC_KIND_COMPLEX, F(0x1.fffffep127), NULL),
    [TC_COMPLEX128] = ROW(complex128, "ComplexDouble", "c10::complex<double>", "c16", 16, TC_KIND_COMPLEX, F(INFINITY), NULL),
    [TC_UINT16]     = ROW(uint16,     "UInt16",        "uint16_t",             "u2",   2, TC_KIND_UINT,    I(0, UINT16_MAX), "2.3"),
    [TC_UINT32]     = ROW(uint32,     "UInt32",        "uint32_t",             "u4",   4, TC_KIND_UINT,    I(0, UINT32_MAX), "2.3"),
    [TC_UINT64]     = ROW(uint64,     "UInt64",        "uint64_t",             "u8",   8, TC_KIND_UINT,    I(0, UINT64_MAX), "2.3"),
};

#undef ROW
#undef I
#undef F

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

const tc_dtype_info *tc_dtype_info_of(tc_dtype t)
{
    return &dtypes[valid(t) ? t : TC_BOOL];
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

int tc_dtype_check_version(tc_dtype t, tc_torch_version v, tc_err *err)
{
    const tc_dtype_info *d = tc_dtype_info_of(t);
    if (v != TC_TORCH_1_13 || !d->since)
        return TC_OK;
    tc_err_set(err, TC_EDTYPE, "%s needs PyTorch %s or later", d->name, d->since);
    return tc_err_hint(err, TC_EDTYPE, "torch_version", "2.6");
}

static tc_kind kind_of(tc_dtype t)
{
    return tc_dtype_info_of(t)->kind;
}

/*
 * c10::promoteTypes.  Its table, by rule: bool gives way to anything;
 * complex beats floating, floating beats integers; within a kind the wider
 * wins, float16 with bfloat16 is float32, uint8 with a signed integer is
 * the signed one but at least int16, complex64 with float64 is complex128.
 * uint16, uint32 and uint64 promote only with themselves and with floats.
 */
int tc_dtype_promote(tc_dtype a, tc_dtype b, tc_dtype *out, tc_err *err)
{
    if (a == b) {
        *out = a;
        return TC_OK;
    }
    bool wa = tc_dtype_info_of(a)->since != NULL, wb = tc_dtype_info_of(b)->since != NULL;
    if ((wa && !tc_dtype_is_float(b)) || (wb && !tc_dtype_is_float(a)))
        return tc_err_set(err, TC_EDTYPE,
                          "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote %s and %s",
                          tc_dtype_scalar_name(a), tc_dtype_scalar_name(b));
    int ca = tc_dtype_category(a), cb = tc_dtype_category(b);
    if (ca != cb) {
        tc_dtype hi = ca > cb ? a : b, lo = ca > cb ? b : a;
        *out = tc_dtype_category(hi) == 3 && lo == TC_FLOAT64 ? TC_COMPLEX128 : hi;
        return TC_OK;
    }
    switch (ca) {
    case 1:
        if (a == TC_UINT8 || b == TC_UINT8) {
            tc_dtype s = a == TC_UINT8 ? b : a;
            *out = s == TC_INT8 ? TC_INT16 : s;
        } else {
            *out = tc_dtype_size(a) > tc_dtype_size(b) ? a : b;
        }
        return TC_OK;
    case 2:
        if ((a == TC_FLOAT16 && b == TC_BFLOAT16) || (a == TC_BFLOAT16 && b == TC_FLOAT16))
            *out = TC_FLOAT32;
        else
            *out = tc_dtype_size(a) > tc_dtype_size(b) ? a : b;
        return TC_OK;
    default:
        *out = TC_COMPLEX128;
        return TC_OK;
    }
}

int tc_dtype_is_float(tc_dtype t)
{
    return valid(t) && kind_of(t) == TC_KIND_FLOAT;
}

int tc_dtype_is_complex(tc_dtype t)
{
    return valid(t) && kind_of(t) == TC_KIND_COMPLEX;
}

int tc_dtype_is_unsigned(tc_dtype t)
{
    return valid(t) && kind_of(t) == TC_KIND_UINT;
}

int tc_dtype_category(tc_dtype t)
{
    switch (kind_of(t)) {
    case TC_KIND_BOOL: return 0;
    case TC_KIND_FLOAT: return 2;
    case TC_KIND_COMPLEX: return 3;
    default: return 1;
    }
}

int tc_dtype_is_integral(tc_dtype t, int include_bool)
{
    if (!valid(t))
        return 0;
    if (t == TC_BOOL)
        return include_bool;
    return kind_of(t) == TC_KIND_UINT || kind_of(t) == TC_KIND_INT;
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
