/*
 * CPUID as partitions see it: the host's leaves with virtualization
 * hidden (a guest must not try VMX or SVM itself) and the hypervisor bit
 * set, plus the Hyper-V leaves 0x40000000.. announcing only what hv
 * really implements (TLFS "Feature and interface discovery").
 */
#include <emul/emulate.h>

#include <arch/x86.h>
#include <hv/hypercall.h>

#define CPUID_1_ECX_SMX (1u << 6)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define HV_MAX_VPS 64u
#define HV_VERSION_MAJOR_MINOR 0x00010000u /* 1.0 */

static struct cpuid_regs hyperv_leaf(uint32_t leaf)
{
	switch (leaf) {
	case HV_CPUID_VENDOR: /* "Microsoft Hv" */
		return (struct cpuid_regs){ HV_CPUID_MAX_LEAF, 0x7263694d, 0x666f736f, 0x76482074 };
	case HV_CPUID_INTERFACE:
		return (struct cpuid_regs){ HV_CPUID_INTERFACE_HV1, 0, 0, 0 };
	case HV_CPUID_VERSION:
		return (struct cpuid_regs){ 1, HV_VERSION_MAJOR_MINOR, 0, 0 };
	case HV_CPUID_FEATURES:
		return (struct cpuid_regs){
			HV_ACCESS_PARTITION_REFERENCE_COUNTER | HV_ACCESS_SYNIC_REGS |
				HV_ACCESS_HYPERCALL_MSRS | HV_ACCESS_VP_INDEX |
				HV_ACCESS_PARTITION_REFERENCE_TSC | HV_ACCESS_FREQUENCY_MSRS,
			HV_FLAG_POST_MESSAGES | HV_FLAG_SIGNAL_EVENTS, 0,
			HV_FEATURE_FREQUENCY_MSRS_AVAILABLE };
	case HV_CPUID_RECOMMENDATIONS: /* EBX all ones: never notify on spinlock retries */
		return (struct cpuid_regs){ 0, 0xffffffffu, 0, 0 };
	case HV_CPUID_LIMITS:
		return (struct cpuid_regs){ HV_MAX_VPS, HV_MAX_VPS, 0, 0 };
	default:
		return (struct cpuid_regs){ 0, 0, 0, 0 };
	}
}

static struct cpuid_regs host_leaf(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = cpuid(leaf, subleaf);

	if (leaf == 1) {
		r.ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX);
		r.ecx |= CPUID_1_ECX_HYPERVISOR;
	} else if (leaf == 0x80000001) {
		r.ecx &= ~CPUID_80000001_ECX_SVM;
	} else if (leaf == 0x8000000a) {
		r = (struct cpuid_regs){ 0, 0, 0, 0 }; /* SVM features */
	}
	return r;
}

enum exit_action guest_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.rax, subleaf = (uint32_t)v->regs.rcx;
	struct cpuid_regs r = (leaf & 0xf0000000u) == 0x40000000u ? hyperv_leaf(leaf)
								 : host_leaf(leaf, subleaf);

	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	return ACTION_NEXT;
}
