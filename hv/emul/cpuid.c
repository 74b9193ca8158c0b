/*
 * CPUID as partitions see it: the host's leaves with what hv does not
 * virtualise hidden (VMX/SVM, SMX, MONITOR/MWAIT, machine checks, thermal
 * monitoring, SpeedStep, performance, debug-store, tracing and
 * power-management MSRs, the speculation-control MSRs, CET, user wait,
 * 5-level paging, the TSC-deadline timer, SEV) and the hypervisor bit set, plus
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

#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CR4_OSXSAVE (1ull << 18)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_EDX_MTRR (1u << 12)
#define CPUID_80000007_EDX_INVARIANT_TSC (1u << 8)
#define ANY_SUBLEAF 0xffffffffu
#define B(n) (1u << (n))
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

/*
 * Feature bits hidden from every partition (SDM Vol. 2A "CPUID", APM Vol. 3
 * E.4): each announces an MSR, instruction or hardware hv does not
 * virtualise, which a kernel that saw the bit would use and take #GP or
 * #UD on; tests/unit/test_cpuid.c pairs each MSR-announcing bit with its
 * MSR.  Leaves 1, 0x80000001 and 0x80000008 take no subleaf.
 */
static const struct {
	uint32_t leaf, subleaf;
	struct cpuid_regs bits;
} hidden_bits[] = {
	/* ECX: DTES64 2, MONITOR 3, DS-CPL 4, VMX 5, SMX 6, EST 7, TM2 8, SDBG 9, PDCM 15,
	 * DCA 18, TSC-deadline 24; EDX: MCE 7, MCA 14, DS 21, ACPI 22, TM 29 */
	{ 1, ANY_SUBLEAF, { 0, 0, B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8) | B(9) | B(15) |
				   B(18) | B(24), B(7) | B(14) | B(21) | B(22) | B(29) } },
	/* EBX: TSC_ADJUST 1, MPX 14, Intel PT 25; ECX: WAITPKG 5, CET_SS 7, TME 13, LA57 16,
	 * SGX_LC 30; EDX: TSX_FORCE_ABORT 13, CET_IBT 20, IBRS/IBPB 26, STIBP 27, L1D_FLUSH 28,
	 * ARCH_CAPABILITIES 29, CORE_CAPABILITIES 30, SSBD 31 (the speculation MSRs) */
	{ 7, 0, { 0, B(1) | B(14) | B(25), B(5) | B(7) | B(13) | B(16) | B(30),
		  B(13) | B(20) | B(26) | B(27) | B(28) | B(29) | B(30) | B(31) } },
	/* EAX: XSAVES (IA32_XSS) */
	{ 0xd, 1, { B(3), 0, 0, 0 } },
	/* ECX: SVM 2, OSVW 9, IBS 10, PerfCtrExtCore 23, PerfCtrExtNB 24, PerfCtrExtLLC 28 */
	{ 0x80000001, ANY_SUBLEAF, { 0, 0, B(2) | B(9) | B(10) | B(23) | B(24) | B(28), 0 } },
	/* EBX: IRPERF 1, IBPB 12, IBRS 14, STIBP 15, SSBD 24, VIRT_SSBD 25 */
	{ 0x80000008, ANY_SUBLEAF, { 0, B(1) | B(12) | B(14) | B(15) | B(24) | B(25), 0, 0 } },
};

/* Leaves describing hardware no partition may program: MWAIT, thermal, PMU, SVM, SEV. */
static bool hidden_leaf(uint32_t leaf)
{
	return leaf == 5 || leaf == 6 || leaf == 0xa || leaf == 0x8000000a || leaf == 0x8000001f;
}

static struct cpuid_regs host_leaf(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = hidden_leaf(leaf) ? none : host_cpu_cpuid(leaf, subleaf);

	for (uint32_t i = 0; i < sizeof(hidden_bits) / sizeof(hidden_bits[0]); i++) {
		if (hidden_bits[i].leaf != leaf ||
		    (hidden_bits[i].subleaf != ANY_SUBLEAF && hidden_bits[i].subleaf != subleaf))
			continue;
		r.eax &= ~hidden_bits[i].bits.eax;
		r.ebx &= ~hidden_bits[i].bits.ebx;
		r.ecx &= ~hidden_bits[i].bits.ecx;
		r.edx &= ~hidden_bits[i].bits.edx;
	}
	if (leaf == 1)
		r.ecx |= CPUID_1_ECX_HYPERVISOR;
	else if (leaf == 0x80000007)
		r.edx &= CPUID_80000007_EDX_INVARIANT_TSC; /* the rest names power MSRs */
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
