/*
 * CPU vendor and hypervisor-interface detection from CPUID, shared by the
 * hypercall set-up, the self-test and the crash knobs.
 */
#include <kernel/cpu.h>

#include <arch/x86.h>
#include <hv/hypercall.h>
#include <lib/string.h>

static bool regs_spell(uint32_t a, uint32_t b, uint32_t c, const char *text)
{
	uint32_t w[3] = { a, b, c };

	return memcmp(w, text, 12) == 0;
}

enum cpu_vendor cpu_vendor(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	if (regs_spell(r.ebx, r.edx, r.ecx, "GenuineIntel"))
		return CPU_VENDOR_INTEL;
	if (regs_spell(r.ebx, r.edx, r.ecx, "AuthenticAMD"))
		return CPU_VENDOR_AMD;
	return CPU_VENDOR_OTHER;
}

const char *cpu_vendor_name(enum cpu_vendor vendor)
{
	switch (vendor) {
	case CPU_VENDOR_INTEL:
		return "Intel";
	case CPU_VENDOR_AMD:
		return "AMD";
	default:
		return "unknown vendor";
	}
}

bool cpu_hyperv_interface(void)
{
	struct cpuid_regs r;

	if (!(cpuid(1, 0).ecx & (1u << 31)))
		return false;
	r = cpuid(HV_CPUID_VENDOR, 0);
	if (r.eax < HV_CPUID_INTERFACE || !regs_spell(r.ebx, r.ecx, r.edx, "Microsoft Hv"))
		return false;
	return cpuid(HV_CPUID_INTERFACE, 0).eax == HV_CPUID_INTERFACE_HV1;
}
