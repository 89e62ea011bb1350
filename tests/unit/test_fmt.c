/* fmt_put_fixed and fmt_put_long against printf itself: the fast digits
 * must give printf's bytes for every value, ties and near-ties included. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "harness.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t next_u64(void)
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return rng_state;
}

/* Counts the values at prec where ours and printf's differ. */
static size_t mismatches(const double *v, size_t n, int prec, char *first, size_t first_n)
{
    size_t bad = 0;
    strbuf b;
    buf_init(&b);
    char want[512];
    for (size_t i = 0; i < n; i++) {
        buf_reset(&b);
        fmt_put_fixed(&b, v[i], prec);
        snprintf(want, sizeof want, "%.*f", prec, v[i]);
        if (strcmp(b.data, want) != 0 && bad++ == 0)
            snprintf(first, first_n, "%.17g at %d: %s, printf %s", v[i], prec, b.data, want);
    }
    buf_free(&b);
    return bad;
}

int main(void)
{
    enum { N = 200000 };
    static double v[N];
    size_t n = 0;
    /* hand-picked: ties at 0..6 decimals (exact and not), signs, zero,
     * values printf rounds up across a digit, large and odd ones */
    const double special[] = {0.0, -0.0, 0.5, 1.5, 2.5, -0.5, 0.125, 0.375, 1.005, 2.675,
                              0.0000005, 0.0000015, -0.0000004, 1e-300, -1e-300, 9.9999995,
                              999999999.5, 1e9, -1e9, 8e9, 123456.7890125, 1.1102230246251565e-16,
                              DBL_MAX, -DBL_MAX, DBL_MIN, INFINITY, -INFINITY, NAN,
                              4294967295.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 109.99999949999};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        v[n++] = special[i];
    /* every tie k/2^j near the usual range, which sits exactly on .5 */
    for (int j = 1; j <= 12 && n < N; j++)
        for (int k = -300; k <= 300 && n < N; k += 1)
            v[n++] = ldexp(k, -j);
    /* GiB-like values, decimal-looking values, and random bit patterns */
    while (n < N) {
        uint64_t r = next_u64();
        switch (r % 4) {
        case 0: v[n++] = (double)(r >> 20 & 0xffffffff) / 1048576.0; break;
        case 1: v[n++] = (double)(int64_t)(r >> 24) / 1e6 - 5e4; break;
        case 2: v[n++] = (double)(r >> 40) / 1000.0 + 0.0005; break;
        default: {
            double d;
            memcpy(&d, &r, sizeof d);
            v[n++] = d;
        }
        }
    }
    char first[1200] = "";
    size_t bad = 0;
    for (int prec = 0; prec <= 12; prec++)
        bad += mismatches(v, n, prec, first, sizeof first);
    CHECK_(bad == 0, "fmt_put_fixed: printf's bytes for every value at 0..12 decimals",
           "%zu mismatches of %zu values; first: %s", bad, n, first);

    const long longs[] = {0, 1, -1, 9, 10, -10, 123456789, -987654321, 2147483648L, LONG_MAX,
                          LONG_MIN};
    size_t lbad = 0;
    strbuf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "%ld", longs[i]);
        buf_reset(&b);
        fmt_put_long(&b, longs[i]);
        lbad += strcmp(b.data, want) != 0;
    }
    buf_free(&b);
    OK(lbad == 0, "fmt_put_long: printf's bytes, LONG_MIN and LONG_MAX included");
    return harness_done();
}
