// floor.cc - the speed floor for W1: parse every number of a CSV with
// std::from_chars and print each column's running sum with std::to_chars
// (shortest round-trip).  No validation, no dtype logic: nothing tcum does
// can be faster than this by much.  `floor rows`: the running sum along
// each row instead (W2a's cumsum --dim 1); `floor max`: each column's
// running maximum (W2b's cummax --dim 0, its values).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <unistd.h>

int main(int argc, char **argv)
{
    const bool rows = argc > 1 && std::strcmp(argv[1], "rows") == 0;
    const bool max = argc > 1 && std::strcmp(argv[1], "max") == 0;
    double rowsum = 0;
    static char in[1 << 16], out[1 << 16];
    std::vector<double> sum;
    std::string carry;
    size_t on = 0;
    size_t col = 0;
    ssize_t got;
    auto flush = [&]() { if (on) { (void)!write(1, out, on); on = 0; } };
    auto field = [&](const char *b, const char *e, bool last) {
        double v = 0;
        std::from_chars(b, e, v);
        if (col >= sum.size()) sum.push_back(max ? -HUGE_VAL : 0);
        double s;
        if (rows)
            s = rowsum = col ? rowsum + v : v;
        else if (max)
            s = sum[col] = v > sum[col] ? v : sum[col];
        else
            s = sum[col] += v;
        if (on + 40 > sizeof out) flush();
        on = std::to_chars(out + on, out + sizeof out, s).ptr - out;
        out[on++] = last ? '\n' : ',';
        col = last ? 0 : col + 1;
    };
    while ((got = read(0, in, sizeof in)) > 0) {
        const char *p = in, *end = in + got;
        while (p < end) {
            const char *nl = (const char *)memchr(p, '\n', end - p);
            if (!nl) { carry.append(p, end); break; }
            const char *b = p, *e = nl;
            if (!carry.empty()) { carry.append(p, nl); b = carry.data(); e = b + carry.size(); }
            const char *f = b;
            for (const char *q = b; q <= e; q++)
                if (q == e || *q == ',') { field(f, q, q == e); f = q + 1; }
            carry.clear();
            p = nl + 1;
        }
    }
    flush();
    return 0;
}
