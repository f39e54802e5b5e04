// charconv.cc - the one C++ file: libstdc++'s <charconv> (Ryu for
// to_chars, fast_float for from_chars in GCC 12) behind a C interface, so
// the hot paths parse and print numbers correctly rounded at memory speed.
// Nothing here allocates or throws.
#include <charconv>
#include <cstdint>
#include <cstring>
#include <system_error>

extern "C" {
#include "tc_private.h"
}

// Shortest digits of finite v > 0 that read back to the same double (or,
// with single, the same float): v = 0.DIG * 10^decpt.  Returns the digit
// count (no trailing zeros).  to_chars' scientific text "D[.DDD]e[+-]XX[X]"
// is taken apart in place: this runs for every value written.
template <typename T> static int shortest(T v, char dig[24], int *decpt)
{
    char s[48];
    const char *end = std::to_chars(s, s + 40, v, std::chars_format::scientific).ptr;
    const char *sign = end[-3] == '+' || end[-3] == '-' ? end - 3 : end - 4;
    int e10 = 0;
    for (const char *c = sign + 1; c < end; c++)
        e10 = e10 * 10 + (*c - '0');
    int n = 1;
    if (s[1] == '.') {
        s[1] = s[0];   // the digits, contiguous from s + 1 to the 'e'
        n = (int)(sign - 1 - (s + 1));
        std::memcpy(dig, s + 1, 24);
    } else {
        dig[0] = s[0];
    }
    while (n > 1 && dig[n - 1] == '0')
        n--;
    dig[n] = '\0';
    *decpt = (*sign == '-' ? -e10 : e10) + 1;
    return n;
}

#if __has_include(<dragonbox/dragonbox.h>)
// Dragonbox (Debian's libdragonbox-dev, header only) finds the same
// shortest, correctly rounded digits as Ryu, about twice as fast: this is
// where the CSV and JSON writers spend most of their time.
#include <dragonbox/dragonbox.h>

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// v < 10^8 as exactly eight digits at p; returns p + 8.
static char *put_8digits(char *p, std::uint32_t v)
{
    std::uint32_t a = v / 10000, b = v % 10000;
    std::memcpy(p, digit_pairs + 2 * (a / 100), 2);
    std::memcpy(p + 2, digit_pairs + 2 * (a % 100), 2);
    std::memcpy(p + 4, digit_pairs + 2 * (b / 100), 2);
    std::memcpy(p + 6, digit_pairs + 2 * (b % 100), 2);
    return p + 8;
}

// v < 10^8 in as many digits as it has; returns the end.
static char *put_u32(char *p, std::uint32_t v)
{
    int n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5
          : v < 1000000 ? 6 : v < 10000000 ? 7 : 8;
    char *e = p + n, *q = e;
    while (v >= 100) {
        std::uint32_t k = 2 * (v % 100);
        v /= 100;
        q -= 2;
        std::memcpy(q, digit_pairs + k, 2);
    }
    if (v >= 10) {
        q -= 2;
        std::memcpy(q, digit_pairs + 2 * v, 2);
    } else {
        *--q = (char)('0' + v);
    }
    return e;
}

template <typename T> static int shortest_fast(T v, char dig[24], int *decpt)
{
    auto r = jkj::dragonbox::to_decimal(v, jkj::dragonbox::policy::sign::ignore);
    // r.significand has no trailing zeros (the default policy removes them).
    // Its digits in blocks of eight, each cut into pairs by 32-bit
    // arithmetic: short independent chains instead of one long one.
    std::uint64_t m = r.significand;
    char *p = dig;
    if (m >= 100000000) {
        std::uint64_t hi = m / 100000000;
        std::uint32_t lo = (std::uint32_t)(m % 100000000);
        if (hi >= 100000000) {
            p = put_u32(p, (std::uint32_t)(hi / 100000000));
            p = put_8digits(p, (std::uint32_t)(hi % 100000000));
        } else {
            p = put_u32(p, (std::uint32_t)hi);
        }
        p = put_8digits(p, lo);
    } else {
        p = put_u32(p, (std::uint32_t)m);
    }
    *p = '\0';
    int n = (int)(p - dig);
    *decpt = r.exponent + n;
    return n;
}
#define TC_SHORTEST shortest_fast
#else
#define TC_SHORTEST shortest
#endif

extern "C" int tc_cc_shortest_f64(double v, char dig[24], int *decpt)
{
    return TC_SHORTEST(v, dig, decpt);
}

extern "C" int tc_cc_shortest_f32(float v, char dig[24], int *decpt)
{
    return TC_SHORTEST(v, dig, decpt);
}

// The same digits from to_chars (Ryu), to check the fast path against.
extern "C" int tc_cc_shortest_f64_ryu(double v, char dig[24], int *decpt)
{
    return shortest(v, dig, decpt);
}

extern "C" int tc_cc_shortest_f32_ryu(float v, char dig[24], int *decpt)
{
    return shortest(v, dig, decpt);
}

extern "C" size_t tc_cc_parse_f64(const char *s, size_t n, double *out)
{
    // Out of range (overflow or underflow) leaves *out unset: 0, and the
    // caller asks strtod for its inf or subnormal.
    auto r = std::from_chars(s, s + n, *out, std::chars_format::general);
    if (r.ec != std::errc())
        return 0;
    return (size_t)(r.ptr - s);
}
