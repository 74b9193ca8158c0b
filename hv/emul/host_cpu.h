/*
 * What the guest-facing emulation reads from the real processor: CPUID
 * leaves, which host MSRs a partition may read (msr_host.h) and their
 * values.  cpuid.c and msr.c reach the hardware only through these, so
 * the host tests link a fake CPU here instead (tests/unit/hv_fake.c) and
 * run those files unchanged.
 */
#ifndef HV_HOST_CPU_H
#define HV_HOST_CPU_H

#include <stdint.h>

#include <arch/x86.h>
#include <emul/msr_host.h>

/* CPUID of the calling CPU. */
struct cpuid_regs host_cpu_cpuid(uint32_t leaf, uint32_t subleaf);

/* The host MSRs this CPU has, found once (every CPU finds the same). */
const struct msr_host_caps *host_cpu_msr_caps(void);

/*
 * RDMSR through the exception-fixup table (core/fixup.h): 0 and *value,
 * or FIXUP_FAULTED | the vector when the CPU refused it (*value 0).
 */
uint64_t host_cpu_rdmsr(uint32_t msr, uint64_t *value);

#endif
