/*
 * The pseudo-random choices of the fuzz targets that play several clients
 * (fuzz_api.c, fuzz_http.c): seeded from the whole input, so one input
 * always replays the same interleaving.  Include it once per target.
 */
#ifndef TESTS_FUZZ_FUZZ_RNG_H
#define TESTS_FUZZ_FUZZ_RNG_H

#include <stddef.h>
#include <stdint.h>

static uint64_t rng;

/* Seeds the generator with an FNV-1a hash of the input (never 0). */
static inline void fuzz_seed(const uint8_t *data, size_t size)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ull;
	rng = h | 1;
}

/* 0 .. n-1 (xorshift64), 0 when n is 0. */
static inline uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

#endif
