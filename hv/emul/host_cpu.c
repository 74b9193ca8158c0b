/*
 * The real processor behind host_cpu.h: the CPUID instruction, the MSR
 * capabilities derived once from CPUID and MTRRCAP, and RDMSR through
 * the fixup table.
 */
#include <emul/host_cpu.h>

#include <stdbool.h>

#include <core/fixup.h>

struct cpuid_regs host_cpu_cpuid(uint32_t leaf, uint32_t subleaf)
{
	return cpuid(leaf, subleaf);
}

const struct msr_host_caps *host_cpu_msr_caps(void)
{
	static struct msr_host_caps caps;
	static bool known;
	struct cpuid_regs vendor_leaf, leaf1;
	uint64_t mtrrcap = 0;
	bool intel;

	if (__atomic_load_n(&known, __ATOMIC_ACQUIRE))
		return &caps;
	vendor_leaf = cpuid(0, 0);
	leaf1 = cpuid(1, 0);
	if ((leaf1.edx & CPUID_1_EDX_MSR) && (leaf1.edx & CPUID_1_EDX_MTRR))
		mtrrcap = rdmsr(MSR_MTRRCAP);
	/* "GenuineIntel": EBX "Genu", EDX "ineI", ECX "ntel" */
	intel = vendor_leaf.ebx == 0x756e6547u && vendor_leaf.edx == 0x49656e69u &&
		vendor_leaf.ecx == 0x6c65746eu;
	caps = msr_host_caps_from(leaf1.edx, intel, mtrrcap);
	__atomic_store_n(&known, true, __ATOMIC_RELEASE);
	return &caps;
}

uint64_t host_cpu_rdmsr(uint32_t msr, uint64_t *value)
{
	return fixup_rdmsr(msr, value);
}
