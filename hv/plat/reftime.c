/*
 * Reference time (see reftime.h).  The scale is computed once by long
 * division, since hv links no compiler runtime for 128-bit division.
 */
#include <plat/reftime.h>

#include <arch/x86.h>

#define REFTIME_HZ 10000000ull /* 100 ns units */

static uint64_t scale;
static int64_t offset;

uint64_t reftime_compute_scale(uint64_t tsc_hz)
{
	/* Divides the 128-bit value REFTIME_HZ << 64 by tsc_hz, bit by bit. */
	uint64_t quotient = 0, remainder = REFTIME_HZ;

	if (tsc_hz <= REFTIME_HZ)
		return 0;
	for (int bit = 63; bit >= 0; bit--) {
		bool carry = (remainder >> 63) != 0;

		remainder <<= 1;
		if (carry || remainder >= tsc_hz) {
			remainder -= tsc_hz;
			quotient |= 1ull << bit;
		}
	}
	return quotient;
}

void reftime_init(uint64_t tsc_hz)
{
	scale = reftime_compute_scale(tsc_hz);
	offset = -(int64_t)reftime_mulhi(rdtsc(), scale);
}

uint64_t reftime_scale(void)
{
	return scale;
}

int64_t reftime_offset(void)
{
	return offset;
}

uint64_t reftime_now(void)
{
	return reftime_mulhi(rdtsc(), scale) + (uint64_t)offset;
}
