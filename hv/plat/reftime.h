/*
 * Reference time (TLFS "partition reference counter"): 100 ns units since
 * hv started, derived from the TSC with one scale and offset that every
 * partition shares, so all partitions, the root included, see the same
 * clock.  Both the MSR and the reference TSC page use the same formula:
 * time = ((tsc * scale) >> 64) + offset.
 */
#ifndef HV_REFTIME_H
#define HV_REFTIME_H

#include <stdbool.h>
#include <stdint.h>

/* floor(2^64 * 10^7 / tsc_hz): TSC ticks to 100 ns units; 0 if tsc_hz <= 10^7. */
uint64_t reftime_compute_scale(uint64_t tsc_hz);

/* The high 64 bits of a * b. */
static inline uint64_t reftime_mulhi(uint64_t a, uint64_t b)
{
	uint64_t hi, lo;

	__asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b));
	(void)lo;
	return hi;
}

void reftime_init(uint64_t tsc_hz);
uint64_t reftime_scale(void);
int64_t reftime_offset(void);
/* Reference time now, in 100 ns units. */
uint64_t reftime_now(void);

#endif
