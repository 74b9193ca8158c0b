/*
 * The host MSRs a partition may read (see msr_host.h).
 */
#include <emul/msr_host.h>

struct msr_host_caps msr_host_caps_from(uint32_t cpuid1_edx, bool intel, uint64_t mtrrcap)
{
	bool msr = cpuid1_edx & CPUID_1_EDX_MSR, mtrr = msr && (cpuid1_edx & CPUID_1_EDX_MTRR);

	return (struct msr_host_caps){
		.tsc = msr && (cpuid1_edx & CPUID_1_EDX_TSC),
		.apic = msr && (cpuid1_edx & CPUID_1_EDX_APIC),
		.mtrr = mtrr,
		.fixed = mtrr && (mtrrcap & MTRRCAP_FIX),
		.misc_enable = msr && intel,
		.variable_pairs = mtrr ? (uint32_t)(mtrrcap & MTRRCAP_VCNT) : 0,
	};
}

static bool fixed_range(uint32_t msr)
{
	return msr == MSR_MTRR_FIX64K ||
	       (msr >= MSR_MTRR_FIX16K_FIRST && msr <= MSR_MTRR_FIX16K_LAST) ||
	       (msr >= MSR_MTRR_FIX4K_FIRST && msr <= MSR_MTRR_FIX4K_LAST);
}

bool msr_host_readable(const struct msr_host_caps *caps, uint32_t msr)
{
	if (msr == MSR_TSC)
		return caps->tsc;
	if (msr == MSR_HOST_APIC_BASE)
		return caps->apic;
	if (msr == MSR_MISC_ENABLE)
		return caps->misc_enable;
	if (msr == MSR_MTRRCAP || msr == MSR_MTRR_DEF_TYPE)
		return caps->mtrr;
	if (fixed_range(msr))
		return caps->fixed;
	/* PHYSBASEn at 0x200 + 2n, PHYSMASKn at 0x201 + 2n, n < VCNT */
	return msr >= MSR_MTRR_PHYS_FIRST && msr < MSR_MTRR_PHYS_FIRST + 2 * caps->variable_pairs;
}
