/*
 * XCR0's rules (see xcr0.h), each a #GP condition of XSETBV in the SDM.
 */
#include <emul/xcr0.h>

#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_MPX (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AMX (XCR0_TILECFG | XCR0_TILEDATA)

/* Components that exist only together: none or all of them. */
static bool all_or_none(uint64_t value, uint64_t group)
{
	return (value & group) == 0 || (value & group) == group;
}

bool xcr0_valid(uint64_t value, uint64_t supported)
{
	if (!(value & XCR0_X87) || (value & ~supported))
		return false; /* x87 state is always on; no component the CPU lacks */
	if ((value & XCR0_AVX) && !(value & XCR0_SSE))
		return false;
	if (!all_or_none(value, XCR0_AVX512) || !all_or_none(value, XCR0_MPX) ||
	    !all_or_none(value, XCR0_AMX))
		return false;
	/* AVX-512 state needs AVX (and so SSE) */
	return !(value & XCR0_AVX512) || (value & XCR0_AVX);
}
