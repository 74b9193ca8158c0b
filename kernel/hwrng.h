/*
 * The CPU's random number instructions for the partition kernels: RDSEED
 * (conditioned entropy, meant for seeding) and RDRAND (output of the
 * CPU's own DRBG, reseeded by that entropy).  The root's network takes
 * RDRAND for sequence numbers and ports (mgmt/net/port.c); its TLS takes
 * RDSEED, else RDRAND, as the entropy of mbedTLS's DRBG (mgmt/tls).
 */
#ifndef KERNEL_HWRNG_H
#define KERNEL_HWRNG_H

#include <stdbool.h>
#include <stdint.h>

enum hwrng_kind {
	HWRNG_NONE = 0,
	HWRNG_RDRAND = 1,
	HWRNG_RDSEED = 2,
};

/* Which instructions the CPU offers (CPUID), as HWRNG_* bits; read once. */
unsigned hwrng_available(void);
/*
 * One 64-bit value from RDSEED or RDRAND, retrying while the instruction
 * reports (CF = 0) that it has nothing ready; false if it never did, or
 * the CPU lacks the instruction.
 */
bool hwrng_rdseed64(uint64_t *out);
bool hwrng_rdrand64(uint64_t *out);

#endif
