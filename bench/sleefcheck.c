/*
 * sleefcheck.c - tcum's SLEEF sincos port (lib/sleef.c) against libsleef
 * itself, bit for bit: Sleef_sincosf16_u10 / Sleef_sincosd8_u10 (AVX512F,
 * what PyTorch 2.6 calls on this machine) and the AVX2 Sleef_sincosf8_u10 /
 * Sleef_sincosd4_u10, on random bit patterns, ranges, near multiples of
 * pi/2 and edges, 16 (8) lanes drawn together so the vector's reduction
 * (Cody-Waite or Payne-Hanek, chosen from all lanes) is exercised too.
 * Needs libsleef-dev and an AVX512F CPU; not part of make check:
 *
 *   make && cc -O2 -mavx512f -mavx2 -mfma -ffp-contract=off -D_XOPEN_SOURCE=700 \
 *     -Ilib -o bench/sleefcheck bench/sleefcheck.c lib/sleef.o -lsleef -lm
 *   bench/sleefcheck 40000000                  (Debian 12: libsleef 3.5.1)
 *   chroot /work/chroot/trixie $PWD/bench/sleefcheck 40000000   (3.6.1)
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>
#include <sleef.h>
int tc_sleef_sincosf_path(float x);
void tc_sleef_sincosf(float x, int path, float *s, float *c);
int tc_sleef_sincos_path(double x);
void tc_sleef_sincos(double x, int path, double *s, double *c);

static uint64_t st = 88172645463325252ull;
static uint64_t rnd(void) { st ^= st << 13; st ^= st >> 7; st ^= st << 17; return st; }
static float fbits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static double dbits(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }
static int same_f(float a, float b) { return memcmp(&a, &b, 4) == 0 || (isnan(a) && isnan(b)); }
static int same_d(double a, double b) { return memcmp(&a, &b, 8) == 0 || (isnan(a) && isnan(b)); }

static float genf(int k)
{
    switch (k % 5) {
    case 0: return fbits((uint32_t)rnd());                         /* any bits */
    case 1: return (float)((double)(rnd() >> 11) / 9007199254740992.0 * 250 - 125);
    case 2: return (float)((double)(rnd() >> 11) / 9007199254740992.0 * 8 - 4);
    case 3: { float m = (float)(rnd() % 160) * (float)M_PI_2; uint32_t u; memcpy(&u, &m, 4); u += (uint32_t)(rnd() % 9) - 4; return fbits(u) * ((rnd() & 1) ? 1 : -1); }
    default: return fbits((uint32_t)(rnd() % 0x42fa0000u)) * ((rnd() & 1) ? 1 : -1); /* |x| < 125, all exponents */
    }
}

static double gend(int k)
{
    switch (k % 6) {
    case 0: return dbits(rnd());
    case 1: return (double)(rnd() >> 11) / 9007199254740992.0 * 30 - 15;
    case 2: return ldexp((double)(rnd() >> 11) / 9007199254740992.0, (int)(rnd() % 47) + 4) * ((rnd() & 1) ? 1 : -1); /* up to 1e14 */
    case 3: { double m = (double)(rnd() % 1000) * M_PI_2; uint64_t u; memcpy(&u, &m, 8); u += rnd() % 9 - 4; return dbits(u) * ((rnd() & 1) ? 1 : -1); }
    case 4: return dbits(rnd() % 0x402e000000000000ull) * ((rnd() & 1) ? 1 : -1);  /* |x| < 15 */
    default: return (double)(rnd() >> 11) / 9007199254740992.0 * 8 - 4;
    }
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long tested = 0, bad = 0, cr_diff = 0;
    /* float: 16 lanes drawn, the vector's path is the max; compare each ported lane */
    for (long it = 0; it < n / 16; it++) {
        float in[16], vs[16], vc[16], vs8[8], vc8[8];
        int path = 1;
        for (int l = 0; l < 16; l++) {
            in[l] = genf((int)it);
            if (it < 64) {   /* edges */
                static const float e[] = {0.0f, -0.0f, 1e-45f, -1e-45f, 1e-38f, 124.99999f, -124.99999f, 1.5707964f, 3.1415927f, 1e-8f, 0.7853982f, 2.3561945f, 100.0f, 1.0f, -1.0f, 0.5f};
                in[l] = e[l] * (float)(it + 1) / (it < 16 ? 1 : (float)it);
                if (it == 0) in[l] = e[l];
            }
            if (tc_sleef_sincosf_path(in[l]) > path) path = tc_sleef_sincosf_path(in[l]);
        }
        Sleef___m512_2 r = Sleef_sincosf16_u10(_mm512_loadu_ps(in));
        _mm512_storeu_ps(vs, r.x); _mm512_storeu_ps(vc, r.y);
        Sleef___m256_2 r8 = Sleef_sincosf8_u10(_mm256_loadu_ps(in));
        _mm256_storeu_ps(vs8, r8.x); _mm256_storeu_ps(vc8, r8.y);
        int path8 = 1;
        for (int l = 0; l < 8; l++) if (tc_sleef_sincosf_path(in[l]) > path8) path8 = tc_sleef_sincosf_path(in[l]);
        for (int l = 0; l < 16; l++) {
            float s, c;
            tc_sleef_sincosf(in[l], path, &s, &c);
            tested++;
            if (!same_f(s, vs[l]) || !same_f(c, vc[l]) || (l < 8 && path8 == path && (!same_f(s, vs8[l]) || !same_f(c, vc8[l])))) {
                if (bad++ < 10) printf("float %a: port %a %a sleef %a %a\n", in[l], s, c, vs[l], vc[l]);
            }
            if (!same_f(s, (float)sin(in[l])) || !same_f(c, (float)cos(in[l]))) cr_diff++;
        }
    }
    printf("float: %ld checked, %ld differ from libsleef; %.2f%% differ from the correctly rounded\n", tested, bad, 100.0 * cr_diff / tested);
    tested = bad = cr_diff = 0;
    for (long it = 0; it < n / 8; it++) {
        double in[8], vs[8], vc[8], vs4[4], vc4[4];
        int path = 1;
        for (int l = 0; l < 8; l++) {
            in[l] = gend((int)it);
            if (it == 0) { static const double e[] = {0.0, -0.0, 5e-324, -1e-300, 14.999999999999998, 1e14 - 0.5, M_PI_2, 1e-20}; in[l] = e[l]; }
            if (tc_sleef_sincos_path(in[l]) > path) path = tc_sleef_sincos_path(in[l]);
        }
        Sleef___m512d_2 r = Sleef_sincosd8_u10(_mm512_loadu_pd(in));
        _mm512_storeu_pd(vs, r.x); _mm512_storeu_pd(vc, r.y);
        Sleef___m256d_2 r4 = Sleef_sincosd4_u10(_mm256_loadu_pd(in));
        _mm256_storeu_pd(vs4, r4.x); _mm256_storeu_pd(vc4, r4.y);
        int path4 = 1;
        for (int l = 0; l < 4; l++) if (tc_sleef_sincos_path(in[l]) > path4) path4 = tc_sleef_sincos_path(in[l]);
        for (int l = 0; l < 8; l++) {
            double s, c;
            tc_sleef_sincos(in[l], path, &s, &c);
            tested++;
            int b = !same_d(s, vs[l]) || !same_d(c, vc[l]);
            if (l < 4 && path4 == path) b |= !same_d(s, vs4[l]) || !same_d(c, vc4[l]);
            if (b && bad++ < 10) printf("double %a (path %d): port %a %a sleef %a %a\n", in[l], path, s, c, vs[l], vc[l]);
            if (!same_d(s, sin(in[l])) || !same_d(c, cos(in[l]))) cr_diff++;
        }
    }
    printf("double: %ld checked, %ld differ from libsleef; %.2f%% differ from glibc\n", tested, bad, 100.0 * cr_diff / tested);
    return bad != 0;
}
