/*
 * CPUID as partitions see it: the host's leaves with what hv does not
 * virtualise hidden (VMX/SVM, SMX, MONITOR/MWAIT, machine checks, thermal
 * monitoring, SpeedStep, performance and power-management MSRs, 5-level
 * paging, the TSC-deadline timer, SEV) and the hypervisor bit set, plus
 * the Hyper-V leaves 0x40000000.. announcing only what hv really
 * implements (TLFS "Feature and interface discovery").  A PC-platform
 * partition also sees its virtual x2APIC: APIC ids are vCPU indexes, and
 * the synthetic timers.
 */
#include <emul/emulate.h>

#include <core/vendor.h>
#include <emul/host_cpu.h>
#include <part/partition.h>

#include <arch/x86.h>
#include <hv/hypercall.h>

#define CPUID_1_ECX_MONITOR (1u << 3)
#define CPUID_1_ECX_EST (1u << 7)
#define CPUID_1_ECX_TM2 (1u << 8)
#define CPUID_1_ECX_SMX (1u << 6)
#define CPUID_1_ECX_PDCM (1u << 15)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CR4_OSXSAVE (1ull << 18)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_MCE (1u << 7)
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_EDX_MTRR (1u << 12)
#define CPUID_1_EDX_MCA (1u << 14)
#define CPUID_1_EDX_ACPI (1u << 22) /* thermal monitor and clock control MSRs */
#define CPUID_1_EDX_TM (1u << 29)
#define CPUID_7_EBX_TSC_ADJUST (1u << 1)
#define CPUID_D1_EAX_XSAVES (1u << 3)
#define CPUID_7_ECX_LA57 (1u << 16)
#define CPUID_80000007_EDX_INVARIANT_TSC (1u << 8)
#define HV_MAX_VPS 64u
#define HV_VERSION_MAJOR_MINOR 0x00010000u /* 1.0 */

static const struct cpuid_regs none = { 0, 0, 0, 0 };

static struct cpuid_regs hyperv_features(const struct partition *p)
{
	struct cpuid_regs r = {
		HV_ACCESS_PARTITION_REFERENCE_COUNTER | HV_ACCESS_SYNIC_REGS |
			HV_ACCESS_HYPERCALL_MSRS | HV_ACCESS_VP_INDEX |
			HV_ACCESS_PARTITION_REFERENCE_TSC | HV_ACCESS_FREQUENCY_MSRS,
		HV_FLAG_POST_MESSAGES | HV_FLAG_SIGNAL_EVENTS, 0,
		HV_FEATURE_FREQUENCY_MSRS_AVAILABLE | HV_FEATURE_GUEST_CRASH_MSRS_AVAILABLE };

	if (p->platform == PLATFORM_PC) {
		r.eax |= HV_ACCESS_SYNTHETIC_TIMERS;
		r.edx |= HV_FEATURE_STIMER_DIRECT_MODE;
	}
	return r;
}

static struct cpuid_regs hyperv_leaf(const struct partition *p, uint32_t leaf)
{
	switch (leaf) {
	case HV_CPUID_VENDOR: /* "Microsoft Hv" */
		return (struct cpuid_regs){ HV_CPUID_MAX_LEAF, 0x7263694d, 0x666f736f, 0x76482074 };
	case HV_CPUID_INTERFACE:
		return (struct cpuid_regs){ HV_CPUID_INTERFACE_HV1, 0, 0, 0 };
	case HV_CPUID_VERSION:
		return (struct cpuid_regs){ 1, HV_VERSION_MAJOR_MINOR, 0, 0 };
	case HV_CPUID_FEATURES:
		return hyperv_features(p);
	case HV_CPUID_RECOMMENDATIONS: /* EBX all ones: never notify on spinlock retries */
		return (struct cpuid_regs){ 0, 0xffffffffu, 0, 0 };
	case HV_CPUID_LIMITS:
		return (struct cpuid_regs){ HV_MAX_VPS, HV_MAX_VPS, 0, 0 };
	default:
		return none;
	}
}

/* Leaves describing hardware no partition may program: thermal, MWAIT, PMU, SEV. */
static bool hidden_leaf(uint32_t leaf)
{
	return leaf == 5 || leaf == 6 || leaf == 0xa || leaf == 0x8000001f;
}

static struct cpuid_regs host_leaf(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = hidden_leaf(leaf) ? none : host_cpu_cpuid(leaf, subleaf);

	if (leaf == 1) {
		r.ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_MONITOR |
			   CPUID_1_ECX_EST | CPUID_1_ECX_TM2 | CPUID_1_ECX_PDCM |
			   CPUID_1_ECX_TSC_DEADLINE);
		r.ecx |= CPUID_1_ECX_HYPERVISOR;
		r.edx &= ~(CPUID_1_EDX_MCE | CPUID_1_EDX_MCA | CPUID_1_EDX_ACPI | CPUID_1_EDX_TM);
	} else if (leaf == 0xd && subleaf == 1) {
		r.eax &= ~CPUID_D1_EAX_XSAVES; /* IA32_XSS is not virtualised */
	} else if (leaf == 7 && subleaf == 0) {
		r.ebx &= ~CPUID_7_EBX_TSC_ADJUST;
		r.ecx &= ~CPUID_7_ECX_LA57;
	} else if (leaf == 0x80000001) {
		r.ecx &= ~CPUID_80000001_ECX_SVM;
	} else if (leaf == 0x80000007) {
		r.edx &= CPUID_80000007_EDX_INVARIANT_TSC; /* the rest names power MSRs */
	} else if (leaf == 0x8000000a) {
		r = none; /* SVM features */
	}
	return r;
}

/*
 * The PC platform's virtual x2APIC: APIC id = vCPU index, x2APIC present.
 * No MTRRs: its RAM is all write-back, and Linux would otherwise read
 * vendor MSRs (AMD's SYSCFG) that hv does not offer.
 */
static void pc_platform_leaf(const struct vcpu *v, uint32_t leaf, struct cpuid_regs *r)
{
	if (leaf == 1) {
		r->ebx = (r->ebx & 0x00ffffffu) | v->vp_index << 24;
		r->ecx |= CPUID_1_ECX_X2APIC;
		r->edx |= CPUID_1_EDX_APIC;
		r->edx &= ~CPUID_1_EDX_MTRR;
	} else if (leaf == 0xb || leaf == 0x1f) {
		r->edx = v->vp_index;
	} else if (leaf == 0x8000001e) {
		r->eax = v->vp_index;
	}
}

/*
 * CPUID.1:ECX.OSXSAVE mirrors CR4.OSXSAVE of the CPU that executes CPUID,
 * which here is hv (it sets OSXSAVE for itself): report the guest's own
 * bit, or a guest whose kernel left XSAVE off runs XGETBV and takes #UD.
 */
static void guest_osxsave(struct vcpu *v, struct cpuid_regs *r)
{
	struct vcpu_state state;

	vendor->get_state(v, &state);
	r->ecx &= ~CPUID_1_ECX_OSXSAVE;
	if (state.cr4 & CR4_OSXSAVE)
		r->ecx |= CPUID_1_ECX_OSXSAVE;
}

enum exit_action guest_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.rax, subleaf = (uint32_t)v->regs.rcx;
	struct cpuid_regs r;

	if ((leaf & 0xf0000000u) == 0x40000000u) {
		r = hyperv_leaf(v->partition, leaf);
	} else {
		r = host_leaf(leaf, subleaf);
		if (leaf == 1)
			guest_osxsave(v, &r);
		if (vendor->cpuid_adjust != NULL)
			vendor->cpuid_adjust(leaf, subleaf, &r);
		if (v->partition->platform == PLATFORM_PC)
			pc_platform_leaf(v, leaf, &r);
	}
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	return ACTION_NEXT;
}
