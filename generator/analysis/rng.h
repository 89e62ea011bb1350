/* rng.h - the project's one source of deterministic random numbers.
 *
 * Two generators built from one mixing function, so every draw in the
 * project (the bootstrap, the distribution chart's jitter, the simulator)
 * is reproducible from a seed:
 * - rng: splitmix64, one 64-bit state. The bootstrap resamples with it;
 *   seeded with a relay's index it gives that relay's fixed jitter.
 * - rng_stream: xoshiro256** seeded through splitmix64, with independent
 *   streams per (seed, stream) pair, for the simulator, whose draws must
 *   not shift when another stream draws more. */
#ifndef MEMREPORT_RNG_H
#define MEMREPORT_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s;
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
/* Uniform in [0, n), unbiased; 0 when n <= 1. */
size_t rng_below(rng *r, size_t n);
/* Uniform in [0, 1), 53 bits. */
double rng_unit(rng *r);

typedef struct {
    uint64_t s[4];
} rng_stream;

void rng_stream_seed(rng_stream *r, uint64_t seed, uint64_t stream);
uint64_t rng_stream_next(rng_stream *r);
/* Uniform in [0, 1), 53 bits. */
double rng_stream_unit(rng_stream *r);

#endif
