/*
 * Which host MSRs a partition may read through hv (the few a kernel reads
 * at start-up: the TSC, APIC base, MTRRs, Intel's MISC_ENABLE), derived
 * from what this CPU reports rather than from a fixed range: RDMSR of an
 * MSR the CPU lacks raises #GP in host mode.  MTRR variable pairs exist
 * only up to MTRRCAP.VCNT, fixed ranges only with MTRRCAP.FIX, MTRRs only
 * with CPUID.1:EDX.MTRR, MISC_ENABLE only on Intel.  Pure, so the host
 * tests check it (tests/unit/test_msr_host.c).
 */
#ifndef HV_MSR_HOST_H
#define HV_MSR_HOST_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_TSC 0x10u
#define MSR_HOST_APIC_BASE 0x1bu
#define MSR_MTRRCAP 0xfeu
#define MSR_MISC_ENABLE 0x1a0u
#define MSR_MTRR_PHYS_FIRST 0x200u
#define MSR_MTRR_FIX64K 0x250u
#define MSR_MTRR_FIX16K_FIRST 0x258u
#define MSR_MTRR_FIX16K_LAST 0x259u
#define MSR_MTRR_FIX4K_FIRST 0x268u
#define MSR_MTRR_FIX4K_LAST 0x26fu
#define MSR_MTRR_DEF_TYPE 0x2ffu

#define CPUID_1_EDX_TSC (1u << 4)
#define CPUID_1_EDX_MSR (1u << 5)
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_EDX_MTRR (1u << 12)
#define MTRRCAP_VCNT 0xffu
#define MTRRCAP_FIX (1u << 8)

struct msr_host_caps {
	bool tsc, apic, mtrr, fixed, misc_enable;
	uint32_t variable_pairs; /* MTRRCAP.VCNT */
};

/*
 * From CPUID.1:EDX, whether the vendor is Intel, and MTRRCAP (read only
 * when CPUID says MTRRs exist; pass 0 otherwise).
 */
struct msr_host_caps msr_host_caps_from(uint32_t cpuid1_edx, bool intel, uint64_t mtrrcap);

bool msr_host_readable(const struct msr_host_caps *caps, uint32_t msr);

#endif
