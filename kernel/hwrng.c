/*
 * RDSEED and RDRAND (kernel/hwrng.h).  Both can come back empty (CF = 0)
 * when the CPU's generator is drained: RDRAND rarely, RDSEED often under
 * load, so RDSEED gets more tries, with a pause between them as Intel's
 * guide to the instructions advises.
 */
#include "hwrng.h"

#include <arch/x86.h>

#define CPUID_1_ECX_RDRAND (1u << 30)
#define CPUID_7_EBX_RDSEED (1u << 18)
#define RDRAND_TRIES 10
#define RDSEED_TRIES 128

unsigned hwrng_available(void)
{
	static int kinds = -1;

	if (kinds < 0) {
		unsigned k = 0;

		if (cpuid(1, 0).ecx & CPUID_1_ECX_RDRAND)
			k |= HWRNG_RDRAND;
		if (cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & CPUID_7_EBX_RDSEED))
			k |= HWRNG_RDSEED;
		kinds = (int)k;
	}
	return (unsigned)kinds;
}

static bool rdseed_once(uint64_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool rdrand_once(uint64_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

/* CF=1: a value was delivered; CF=0: the generator is drained, retry. */
static bool retry(bool (*once)(uint64_t *), unsigned kind, int tries, uint64_t *out)
{
	for (int i = 0; i < tries && (hwrng_available() & kind); i++) {
		if (once(out))
			return true;
		cpu_relax();
	}
	return false;
}

bool hwrng_rdseed64(uint64_t *out)
{
	return retry(rdseed_once, HWRNG_RDSEED, RDSEED_TRIES, out);
}

bool hwrng_rdrand64(uint64_t *out)
{
	return retry(rdrand_once, HWRNG_RDRAND, RDRAND_TRIES, out);
}
