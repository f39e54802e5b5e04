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

extern "C" int tc_cc_shortest_f64(double v, char dig[24], int *decpt)
{
    return shortest(v, dig, decpt);
}

extern "C" int tc_cc_shortest_f32(float v, char dig[24], int *decpt)
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
