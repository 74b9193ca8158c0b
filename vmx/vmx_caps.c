/*
 * VT-x capability discovery: whether VMX exists and may be turned on, and
 * what the VMX capability MSRs allow (Intel SDM Vol. 3, Appendix A).
 * Every later control choice derives from these MSRs.  Also registers the
 * backend's ops table, whose other entries live in the other vmx/ files.
 */
#include "vmx.h"
#include "vmx_msr.h"

#include <arch/x86.h>
#include <core/vendor.h>
#include <lib/format.h>

static bool vmx_detect(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	/* "GenuineIntel" in EBX, EDX, ECX */
	return r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e &&
	       (cpuid(1, 0).ecx & CPUID_1_ECX_VMX) != 0;
}

static bool feature_control_allows_vmx(struct virt_caps *caps)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		fmt_snprintf(caps->reason, sizeof(caps->reason),
			     "VMX disabled by firmware (IA32_FEATURE_CONTROL 0x%llx)",
			     (unsigned long long)fc);
		return false;
	}
	return true;
}

static void vmx_probe(struct virt_caps *caps)
{
	uint64_t basic, procbased, secondary = 0;

	*caps = (struct virt_caps){ .next_rip = true };
	if (!feature_control_allows_vmx(caps))
		return;
	basic = rdmsr(MSR_VMX_BASIC);
	caps->revision = (uint32_t)(basic & VMX_BASIC_REVISION_MASK);
	caps->true_controls = (basic & VMX_BASIC_TRUE_CTLS) != 0;
	procbased = rdmsr(caps->true_controls ? MSR_VMX_TRUE_PROCBASED_CTLS
					      : MSR_VMX_PROCBASED_CTLS);
	/* Allowed-1 settings are the high 32 bits of each control MSR. */
	if ((procbased >> 32) & VMX_PROC_SECONDARY_CONTROLS)
		secondary = rdmsr(MSR_VMX_PROCBASED_CTLS2) >> 32;
	caps->stage2 = (secondary & VMX_PROC2_EPT) != 0;
	caps->tagged_tlb = (secondary & VMX_PROC2_VPID) != 0;
	caps->unrestricted = (secondary & VMX_PROC2_UNRESTRICTED_GUEST) != 0;
	if (caps->stage2 || caps->tagged_tlb)
		caps->stage2_caps = rdmsr(MSR_VMX_EPT_VPID_CAP);
	caps->usable = true;
}

static void vmx_describe(const struct virt_caps *caps, char *buf, size_t size)
{
	fmt_snprintf(buf, size,
		     "VT-x VMCS revision 0x%x, TRUE controls %s, EPT %s, VPID %s, "
		     "unrestricted guest %s, EPT/VPID caps 0x%llx",
		     caps->revision, yes_no(caps->true_controls), yes_no(caps->stage2),
		     yes_no(caps->tagged_tlb), yes_no(caps->unrestricted),
		     (unsigned long long)caps->stage2_caps);
}

#define CPUID_7_EBX_INVPCID (1u << 10)
#define CPUID_80000001_EDX_RDTSCP (1u << 27)

/*
 * Features that raise #UD in a guest unless this CPU allows their
 * secondary control (XSAVES the core hides for every backend).
 */
static void vmx_cpuid_adjust(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	uint32_t allowed = (uint32_t)(rdmsr(MSR_VMX_PROCBASED_CTLS2) >> 32);

	if (leaf == 7 && subleaf == 0 && !(allowed & VMX_PROC2_INVPCID))
		r->ebx &= ~CPUID_7_EBX_INVPCID;
	else if (leaf == 0x80000001 && !(allowed & VMX_PROC2_RDTSCP))
		r->edx &= ~CPUID_80000001_EDX_RDTSCP;
}

static const struct vcpu_vendor_ops vmx_ops = {
	.name = "VT-x",
	.detect = vmx_detect,
	.probe = vmx_probe,
	.describe = vmx_describe,
	.stage2 = &vmx_stage2_format,
	.cpu_enable = vmx_cpu_enable,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_enter = vmx_vcpu_enter,
	.vcpu_complete = vmx_vcpu_complete,
	.io_allow = vmx_io_allow,
	.get_state = vmx_get_state,
	.cpuid_adjust = vmx_cpuid_adjust,
	.stage2_flush = vmx_stage2_flush,
	.hypercall_insn = { 0x0f, 0x01, 0xc1 }, /* VMCALL */
};
VENDOR_BACKEND(vmx_ops);
