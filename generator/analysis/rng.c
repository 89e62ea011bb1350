/* rng.c - splitmix64 and xoshiro256** (see rng.h). */
#include "rng.h"

void rng_seed(rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

size_t rng_below(rng *r, size_t n)
{
    if (n <= 1)
        return 0;
    /* Rejection keeps the draw unbiased. */
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= lim);
    return (size_t)(x % n);
}

double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

void rng_stream_seed(rng_stream *r, uint64_t seed, uint64_t stream)
{
    rng x = {seed ^ (stream * 0xD1B54A32D192ED03ULL)};
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_next(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_stream_next(rng_stream *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double rng_stream_unit(rng_stream *r)
{
    return (double)(rng_stream_next(r) >> 11) * 0x1.0p-53;
}
