/*
 * The rules a value must keep to be written to XCR0 with XSETBV (Intel
 * SDM Vol. 1, 13.3, and XSETBV's #GP conditions in Vol. 2): pure, so the
 * host tests check every rule (tests/unit/test_xcr0.c).  A value that
 * breaks one makes the CPU's own XSETBV raise #GP; hv executes XSETBV for
 * the guest in host mode, so it checks first and injects #GP instead.
 */
#ifndef HV_XCR0_H
#define HV_XCR0_H

#include <stdbool.h>
#include <stdint.h>

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_BNDREGS (1ull << 3)
#define XCR0_BNDCSR (1ull << 4)
#define XCR0_OPMASK (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM (1ull << 7)
#define XCR0_TILECFG (1ull << 17)
#define XCR0_TILEDATA (1ull << 18)

/*
 * True if value may be loaded into XCR0 on a CPU whose XCR0-settable
 * components are `supported` (CPUID.(EAX=0DH,ECX=0):EDX:EAX).
 */
bool xcr0_valid(uint64_t value, uint64_t supported);

#endif
