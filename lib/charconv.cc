// charconv.cc - the one C++ file: libstdc++'s <charconv> (Ryu for
// to_chars, fast_float for from_chars in GCC 12) behind a C interface, so
// the hot paths parse and print numbers correctly rounded at memory speed.
// Nothing here allocates or throws.
#include <charconv>
#include <cstring>
#include <system_error>

extern "C" {
#include "tc_private.h"
}

// Shortest digits of finite v > 0 that read back to the same double (or,
// with single, the same float): v = 0.DIG * 10^decpt.  Returns the digit
// count (no trailing zeros).  s..end is to_chars' scientific text of v,
// "D[.DDD]e[+-]XX", taken apart without a per-character loop (this runs for
// every value written).
static int shortest(char dig[24], int *decpt, const char *s, const char *end)
{
    int n = 1;
    dig[0] = s[0];
    const char *c = s + 1;
    if (*c == '.') {
        const char *e = static_cast<const char *>(std::memchr(c, 'e', (size_t)(end - c)));
        std::memcpy(dig + 1, c + 1, (size_t)(e - c - 1));
        n += (int)(e - c - 1);
        c = e;
    }
    int e10 = 0;
    c++;   // 'e'
    bool neg = *c == '-';
    for (c++; c < end; c++)
        e10 = e10 * 10 + (*c - '0');
    while (n > 1 && dig[n - 1] == '0')
        n--;
    dig[n] = '\0';
    *decpt = (neg ? -e10 : e10) + 1;
    return n;
}

extern "C" int tc_cc_shortest_f64(double v, char dig[24], int *decpt)
{
    char s[40];
    auto r = std::to_chars(s, s + sizeof s, v, std::chars_format::scientific);
    return shortest(dig, decpt, s, r.ptr);
}

extern "C" int tc_cc_shortest_f32(float v, char dig[24], int *decpt)
{
    char s[40];
    auto r = std::to_chars(s, s + sizeof s, v, std::chars_format::scientific);
    return shortest(dig, decpt, s, r.ptr);
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
