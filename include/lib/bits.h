/*
 * Bit counting without libgcc (freestanding images link no compiler
 * runtime, and __builtin_popcount may call into it).
 */
#ifndef LIB_BITS_H
#define LIB_BITS_H

#include <stdint.h>

static inline uint32_t bits_count64(uint64_t v)
{
	uint32_t n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

#endif
