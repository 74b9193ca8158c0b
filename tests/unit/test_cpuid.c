/*
 * Every CPUID leaf a partition sees (hv/emul/cpuid.c) on the fake
 * machine (hv_fake.h).  One row per leaf, register and partition kind:
 * which bits are the host's (`keep`) and what the others read (`set`),
 * so a guest's value is (host & keep) | set.  Each row is checked against
 * three hosts: every bit set (a hidden bit shows as 0), no bit set (a bit
 * hv sets shows as 1), and a varied pattern, on an Intel and an AMD
 * processor.
 *
 * Where the truth comes from: docs/hypercalls.md "Discovery (CPUID)"
 * (which leaves and bits are hidden and why: hv does not virtualise the
 * MSRs and hardware they announce), the Hyper-V TLFS "Feature and
 * interface discovery" for 0x40000000-0x40000005 (vendor "Microsoft Hv",
 * interface "Hv#1", the privilege and feature bits of the MSRs and calls
 * hv implements), the Intel SDM Vol. 2A CPUID and the AMD APM Vol. 3
 * Appendix E for the bit positions, and SDM Vol. 2A "CPUID" for the
 * rule that 0x40000000-0x4FFFFFFF is never the processor's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv_fake.h"

#include <emul/host_cpu.h>

#include <hv/hypercall.h>

enum kind { HVK = 1, PC = 2, BOTH = 3 }; /* our kernels, the PC platform */
enum reg { EAX, EBX, ECX, EDX };

#define VP 1u /* rows run on vCPU 1 */
#define BIT(n) (1u << (n))
#define ALL 0xffffffffu

struct cpuid_row {
	uint32_t leaf, subleaf;
	enum kind kind;
	enum reg reg;
	uint32_t keep; /* the host's bits */
	uint32_t set;  /* the value of the others */
	const char *why;
};

/* Leaf 1 ECX bits every partition loses (docs/hypercalls.md; SDM Table 3-10), OSXSAVE off. */
#define L1_ECX_HIDDEN (BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(9) | \
		       BIT(15) | BIT(18) | BIT(24) | BIT(27))
/* Leaf 1 EDX: MCE 7, MCA 14, DS 21, ACPI (thermal MSRs) 22, TM 29 (SDM Table 3-11). */
#define L1_EDX_HIDDEN (BIT(7) | BIT(14) | BIT(21) | BIT(22) | BIT(29))
/* Leaf 7.0 (SDM Table 3-8) and the AMD leaves (APM E.4): see docs/hypercalls.md. */
#define L7_EBX_HIDDEN (BIT(1) | BIT(14) | BIT(25))
#define L7_ECX_HIDDEN (BIT(5) | BIT(7) | BIT(13) | BIT(16) | BIT(30))
#define L7_EDX_HIDDEN (BIT(13) | BIT(20) | BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(30) | BIT(31))
#define L80000001_ECX_HIDDEN (BIT(2) | BIT(9) | BIT(10) | BIT(23) | BIT(24) | BIT(28))
#define L80000008_EBX_HIDDEN (BIT(1) | BIT(12) | BIT(14) | BIT(15) | BIT(24) | BIT(25))
/* TLFS: EAX privileges; EBX flags; EDX features (docs/hypercalls.md, 0x40000003). */
#define HV_PRIVILEGES (BIT(1) | BIT(2) | BIT(5) | BIT(6) | BIT(9) | BIT(11))
#define HV_FEATURES (BIT(8) | BIT(10))

static const struct cpuid_row rows[] = {
	/* the host's identification and limits */
	{ 0, 0, BOTH, EAX, ALL, 0, "highest basic leaf" },
	{ 0, 0, BOTH, EBX, ALL, 0, "vendor string" },
	{ 0, 0, BOTH, ECX, ALL, 0, "vendor string" },
	{ 0, 0, BOTH, EDX, ALL, 0, "vendor string" },
	{ 0x80000000, 0, BOTH, EAX, ALL, 0, "highest extended leaf" },
	/* leaf 1: features, with what hv does not virtualise hidden */
	{ 1, 0, BOTH, EAX, ALL, 0, "family, model, stepping" },
	{ 1, 0, HVK, EBX, ALL, 0, "brand, CLFLUSH, count, APIC id: the host's" },
	{ 1, 0, PC, EBX, 0x00ffffffu, VP << 24, "APIC id 31:24 = vCPU index" },
	{ 1, 0, HVK, ECX, ~(L1_ECX_HIDDEN | BIT(31)), BIT(31),
	  "DTES64, MONITOR, DS-CPL, VMX, SMX, EST, TM2, SDBG, PDCM, DCA, TSC-deadline, OSXSAVE "
	  "(CR4 off) hidden; hypervisor" },
	{ 1, 0, PC, ECX, ~(L1_ECX_HIDDEN | BIT(21) | BIT(31)), BIT(21) | BIT(31),
	  "as above, and x2APIC" },
	{ 1, 0, HVK, EDX, ~L1_EDX_HIDDEN, 0, "MCE, MCA, DS, ACPI, TM hidden" },
	{ 1, 0, PC, EDX, ~(L1_EDX_HIDDEN | BIT(9) | BIT(12)), BIT(9), "and APIC set, MTRR hidden" },
	/* leaves describing hardware no partition may program */
	{ 5, 0, BOTH, EAX, 0, 0, "MONITOR/MWAIT" }, { 5, 0, BOTH, EDX, 0, 0, "MONITOR/MWAIT" },
	{ 6, 0, BOTH, EAX, 0, 0, "thermal and power" }, { 6, 0, BOTH, ECX, 0, 0, "thermal and power" },
	{ 0xa, 0, BOTH, EAX, 0, 0, "performance monitoring" },
	{ 0xa, 0, BOTH, EDX, 0, 0, "performance monitoring" },
	/* leaf 7 */
	{ 7, 0, BOTH, EAX, ALL, 0, "highest subleaf" },
	{ 7, 0, BOTH, EBX, ~L7_EBX_HIDDEN, 0, "TSC_ADJUST, MPX, Intel PT hidden" },
	{ 7, 0, BOTH, ECX, ~L7_ECX_HIDDEN, 0, "WAITPKG, CET_SS, TME, LA57, SGX_LC hidden" },
	{ 7, 0, BOTH, EDX, ~L7_EDX_HIDDEN, 0, "TSX_FORCE_ABORT, CET_IBT, speculation MSRs hidden" },
	{ 7, 1, BOTH, EAX, ALL, 0, "subleaf 1 is the host's" },
	{ 7, 1, BOTH, EBX, ALL, 0, "subleaf 1 is the host's" },
	/* topology: the PC platform's x2APIC ids are vCPU indexes */
	{ 0xb, 0, HVK, EDX, ALL, 0, "x2APIC id: the host's" },
	{ 0xb, 0, PC, EDX, 0, VP, "x2APIC id = vCPU index" },
	{ 0xb, 1, PC, EDX, 0, VP, "x2APIC id = vCPU index, every level" },
	{ 0xb, 0, BOTH, EBX, ALL, 0, "logical processors at the level" },
	{ 0x1f, 0, PC, EDX, 0, VP, "x2APIC id = vCPU index" },
	{ 0x8000001e, 0, PC, EAX, 0, VP, "extended APIC id = vCPU index" },
	{ 0x8000001e, 0, HVK, EAX, ALL, 0, "extended APIC id: the host's" },
	/* XSAVE */
	{ 0xd, 0, BOTH, EAX, ALL, 0, "XCR0 components: the host's (XSETBV checks them)" },
	{ 0xd, 1, BOTH, EAX, ~BIT(3), 0, "XSAVES hidden: IA32_XSS is not virtualised" },
	/* other basic leaves are the host's */
	{ 2, 0, BOTH, EAX, ALL, 0, "cache descriptors" },
	{ 4, 0, BOTH, EAX, ALL, 0, "cache parameters" },
	{ 0x14, 0, BOTH, EBX, ALL, 0, "Intel PT" },
	/* extended leaves */
	{ 0x80000001, 0, BOTH, ECX, ~L80000001_ECX_HIDDEN, 0, "SVM, OSVW, IBS, perf counters hidden" },
	{ 0x80000001, 0, BOTH, EDX, ALL, 0, "the host's (on AMD-V no adjustment)" },
	{ 0x80000007, 0, BOTH, EDX, BIT(8), 0, "only invariant TSC: the rest names power MSRs" },
	{ 0x80000008, 0, BOTH, EAX, ALL, 0, "address sizes" },
	{ 0x80000008, 0, BOTH, EBX, ~L80000008_EBX_HIDDEN, 0, "IRPERF, speculation MSRs hidden" },
	{ 0x8000000a, 0, BOTH, EAX, 0, 0, "SVM revision" },
	{ 0x8000000a, 0, BOTH, EDX, 0, 0, "SVM features" },
	{ 0x8000001f, 0, BOTH, EAX, 0, 0, "SEV" },
	{ 0x8000001f, 0, BOTH, EBX, 0, 0, "SEV" },
	/* Hyper-V leaves (TLFS) */
	{ 0x40000000, 0, BOTH, EAX, 0, 0x40000005, "highest hypervisor leaf" },
	{ 0x40000000, 0, BOTH, EBX, 0, 0x7263694d, "\"Micr\"" },
	{ 0x40000000, 0, BOTH, ECX, 0, 0x666f736f, "\"osof\"" },
	{ 0x40000000, 0, BOTH, EDX, 0, 0x76482074, "\"t Hv\"" },
	{ 0x40000001, 0, BOTH, EAX, 0, 0x31237648, "\"Hv#1\"" },
	{ 0x40000001, 0, BOTH, EBX, 0, 0, "reserved" },
	{ 0x40000002, 0, BOTH, EAX, 0, 1, "build 1" },
	{ 0x40000002, 0, BOTH, EBX, 0, 0x00010000, "version 1.0" },
	{ 0x40000003, 0, HVK, EAX, 0, HV_PRIVILEGES, "reference counter, SynIC, hypercall, "
	  "VP index, reference TSC, frequency MSRs" },
	{ 0x40000003, 0, PC, EAX, 0, HV_PRIVILEGES | BIT(3), "and synthetic timers" },
	{ 0x40000003, 0, BOTH, EBX, 0, BIT(4) | BIT(5), "PostMessages, SignalEvents" },
	{ 0x40000003, 0, BOTH, ECX, 0, 0, "no power management" },
	{ 0x40000003, 0, HVK, EDX, 0, HV_FEATURES, "frequency MSRs, crash MSRs" },
	{ 0x40000003, 0, PC, EDX, 0, HV_FEATURES | BIT(19), "and direct-mode timers" },
	{ 0x40000004, 0, BOTH, EAX, 0, 0, "no recommendations" },
	{ 0x40000004, 0, BOTH, EBX, 0, ALL, "never notify on spinlock retries" },
	{ 0x40000005, 0, BOTH, EAX, 0, 64, "virtual processors" },
	{ 0x40000005, 0, BOTH, EBX, 0, 64, "logical processors" },
	{ 0x40000006, 0, BOTH, EAX, 0, 0, "past the highest hypervisor leaf" },
	{ 0x400000ff, 0, BOTH, EAX, 0, 0, "the benchmark leaf: zeros in the core" },
	{ 0x40000100, 0, BOTH, EBX, 0, 0, "never the processor's (SDM)" },
	{ 0x4fffffff, 0, BOTH, EDX, 0, 0, "never the processor's (SDM)" },
};

static const uint32_t fills[] = { ALL, 0, 0x5a5aa5a5u };
static const char *const reg_names[] = { "EAX", "EBX", "ECX", "EDX" };

static uint32_t reg_of(const struct cpuid_regs *r, enum reg reg)
{
	return reg == EAX ? r->eax : reg == EBX ? r->ebx : reg == ECX ? r->ecx : r->edx;
}

/* What vCPU VP of a fresh partition sees for (leaf, subleaf); *host gets the processor's. */
static struct cpuid_regs guest_view(enum kind kind, bool intel, uint32_t fill, bool vary,
				    uint32_t leaf, uint32_t subleaf, struct cpuid_regs *host)
{
	struct fake_cpu cpu = intel ? fake_cpu_intel : fake_cpu_amd;
	struct partition *p;
	struct vcpu *v;

	cpu.fill = fill;
	cpu.vary = vary;
	fake_machine_reset(&fake_amdv_ops, &cpu);
	p = fake_partition_add("g", HVCFG_ROLE_GUEST, kind == PC ? PLATFORM_PC : PLATFORM_HV_KERNEL,
			       2ull << 20, 2);
	v = partition_vcpu(p, VP);
	v->regs.rax = leaf;
	v->regs.rcx = subleaf;
	assert_int_equal(guest_cpuid(v), ACTION_NEXT);
	*host = host_cpu_cpuid(leaf, subleaf);
	return (struct cpuid_regs){ (uint32_t)v->regs.rax, (uint32_t)v->regs.rbx,
				    (uint32_t)v->regs.rcx, (uint32_t)v->regs.rdx };
}

static void check_row(const struct cpuid_row *r, enum kind kind, bool intel, uint32_t fill,
		      bool vary)
{
	struct cpuid_regs host, guest = guest_view(kind, intel, fill, vary, r->leaf, r->subleaf, &host);
	uint32_t got = reg_of(&guest, r->reg), want = (reg_of(&host, r->reg) & r->keep) | r->set;

	if (got != want)
		fail_msg("CPUID 0x%x.%u %s (%s; %s, %s host, fill 0x%x%s): 0x%08x, expected 0x%08x "
			 "(differs in 0x%08x)", r->leaf, r->subleaf, reg_names[r->reg],
			 r->why, kind == PC ? "PC" : "hv kernel", intel ? "Intel" : "AMD", fill,
			 vary ? " varied" : "", got, want, got ^ want);
}

static void test_every_row(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (int kind = HVK; kind <= PC; kind++)
			for (int intel = 0; intel <= 1; intel++)
				for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++)
					if (rows[i].kind & kind)
						check_row(&rows[i], kind, intel, fills[f], f == 2);
}

/* vCPU 0 of a fresh partition of our kernels, on an Intel host and the given backend. */
static struct vcpu *one_vcpu(const struct vcpu_vendor_ops *ops)
{
	fake_machine_reset(ops, &fake_cpu_intel);
	return partition_vcpu(fake_partition_add("g", HVCFG_ROLE_GUEST, PLATFORM_HV_KERNEL,
						 2ull << 20, 1), 0);
}

/* CPUID as v executes it, with RAX and RCX as given. */
static void ask(struct vcpu *v, uint64_t rax, uint64_t rcx)
{
	v->regs.rax = rax;
	v->regs.rcx = rcx;
	assert_int_equal(guest_cpuid(v), ACTION_NEXT);
}

/* SDM: CPUID.1:ECX.OSXSAVE mirrors CR4.OSXSAVE, the guest's own (not hv's). */
static void test_osxsave_mirrors_guest_cr4(void **state)
{
	struct vcpu *v = one_vcpu(&fake_amdv_ops);

	(void)state;
	for (int on = 0; on <= 1; on++) {
		fake_backend(v)->state.cr4 = on ? 1ull << 18 : 0;
		ask(v, 1, 0);
		assert_int_equal((v->regs.rcx >> 27) & 1, on);
	}
}

/*
 * The backend's cpuid_adjust (docs/architecture.md, "Vendor seam") runs
 * after the core's filtering, and what it hides stays hidden: the fake
 * VT-x hides RDTSCP and INVPCID as vmx/ does without those controls.
 */
static void test_backend_adjusts_after_the_core(void **state)
{
	struct vcpu *v = one_vcpu(&fake_vtx_ops);

	(void)state;
	ask(v, 1, 0);
	assert_int_equal(fake_adjusted_leaf, 1);
	assert_int_equal(fake_adjusted.ecx & (BIT(5) | BIT(31)), BIT(31)); /* VMX gone, hypervisor set */
	ask(v, 0x80000001, 0);
	assert_int_equal(v->regs.rdx & BIT(27), 0);
	assert_int_equal(v->regs.rcx & BIT(2), 0);
	ask(v, 7, 0);
	assert_int_equal(v->regs.rbx & (BIT(10) | BIT(1)), 0);
	/* the hypervisor leaves are hv's alone: no backend adjusts them */
	fake_adjusted_leaf = 0;
	ask(v, 0x40000003, 0);
	assert_int_equal(fake_adjusted_leaf, 0);
}

/* CPUID writes all of RAX, RBX, RCX, RDX: the upper halves are zero (SDM: 32-bit results zero-extend). */
static void test_upper_halves_cleared(void **state)
{
	struct vcpu *v = one_vcpu(&fake_amdv_ops);

	(void)state;
	v->regs.rbx = v->regs.rdx = ~0ull;
	ask(v, 0xffffffff00000001ull, 0xffffffff00000000ull);
	assert_int_equal(v->regs.rax >> 32, 0);
	assert_int_equal(v->regs.rbx >> 32, 0);
	assert_int_equal(v->regs.rcx >> 32, 0);
	assert_int_equal(v->regs.rdx >> 32, 0);
	assert_int_equal(v->regs.rcx >> 31, 1); /* leaf 1 was asked: bits 63:32 of RAX ignored */
}

/*
 * A feature the partition sees must not #GP its own MSRs: the SDM (Vol.
 * 2A CPUID, Vol. 4) and the APM (Vol. 3 E.4) say each of these bits
 * announces the MSR beside it, and docs/hypercalls.md promises that hv
 * hides what it does not virtualise.  Checked on a host with every bit
 * set, for both kinds of partition: the bit hidden, or the access served.
 */
struct announces {
	uint32_t leaf, subleaf;
	enum reg reg;
	uint32_t bit;
	uint32_t msr;
	bool write;      /* the MSR is a command register: WRMSR of 1 (else RDMSR) */
	const char *what;
};

static const struct announces feature_msrs[] = {
	{ 1, 0, ECX, 2, 0x600, false, "DTES64: IA32_DS_AREA" },
	{ 1, 0, ECX, 4, 0x600, false, "DS-CPL: IA32_DS_AREA" },
	{ 1, 0, ECX, 9, 0xc80, false, "SDBG: IA32_DEBUG_INTERFACE" },
	{ 1, 0, ECX, 15, 0x345, false, "PDCM: IA32_PERF_CAPABILITIES" },
	{ 1, 0, ECX, 18, 0x1f8, false, "DCA: IA32_PLATFORM_DCA_CAP" },
	{ 1, 0, ECX, 24, 0x6e0, false, "TSC-deadline: IA32_TSC_DEADLINE" },
	{ 1, 0, EDX, 7, 0x179, false, "MCE: IA32_MCG_CAP" },
	{ 1, 0, EDX, 14, 0x179, false, "MCA: IA32_MCG_CAP" },
	{ 1, 0, EDX, 21, 0x600, false, "DS: IA32_DS_AREA" },
	{ 1, 0, EDX, 22, 0x19a, false, "ACPI: IA32_CLOCK_MODULATION" },
	{ 1, 0, EDX, 29, 0x19b, false, "TM: IA32_THERM_INTERRUPT" },
	{ 7, 0, EBX, 1, 0x3b, false, "TSC_ADJUST: IA32_TSC_ADJUST" },
	{ 7, 0, EBX, 14, 0xd90, false, "MPX: IA32_BNDCFGS" },
	{ 7, 0, EBX, 25, 0x570, false, "Intel PT: IA32_RTIT_CTL" },
	{ 7, 0, ECX, 5, 0xe1, false, "WAITPKG: IA32_UMWAIT_CONTROL" },
	{ 7, 0, ECX, 7, 0x6a0, false, "CET_SS: IA32_U_CET" },
	{ 7, 0, ECX, 13, 0x981, false, "TME_EN: IA32_TME_CAPABILITY" },
	{ 7, 0, ECX, 30, 0x8c, false, "SGX_LC: IA32_SGXLEPUBKEYHASH0" },
	{ 7, 0, EDX, 13, 0x10f, false, "TSX_FORCE_ABORT: MSR_TSX_FORCE_ABORT" },
	{ 7, 0, EDX, 20, 0x6a2, false, "CET_IBT: IA32_S_CET" },
	{ 7, 0, EDX, 26, 0x48, false, "IBRS_IBPB: IA32_SPEC_CTRL" },
	{ 7, 0, EDX, 26, 0x49, true, "IBRS_IBPB: IA32_PRED_CMD" },
	{ 7, 0, EDX, 27, 0x48, false, "STIBP: IA32_SPEC_CTRL" },
	{ 7, 0, EDX, 28, 0x10b, true, "L1D_FLUSH: IA32_FLUSH_CMD" },
	{ 7, 0, EDX, 29, 0x10a, false, "IA32_ARCH_CAPABILITIES" },
	{ 7, 0, EDX, 30, 0xcf, false, "IA32_CORE_CAPABILITIES" },
	{ 7, 0, EDX, 31, 0x48, false, "SSBD: IA32_SPEC_CTRL" },
	{ 0xd, 1, EAX, 3, 0xda0, false, "XSAVES: IA32_XSS" },
	{ 0x80000001, 0, ECX, 9, 0xc0010140, false, "OSVW: OSVW_ID_Length" },
	{ 0x80000001, 0, ECX, 10, 0xc0011030, false, "IBS: IBS_FETCH_CTL" },
	{ 0x80000001, 0, ECX, 23, 0xc0010200, false, "PerfCtrExtCore: PERF_CTL0" },
	{ 0x80000001, 0, ECX, 24, 0xc0010240, false, "PerfCtrExtNB: NB_PERF_CTL0" },
	{ 0x80000001, 0, ECX, 28, 0xc0010230, false, "PerfCtrExtLLC: L3_PERF_CTL0" },
	{ 0x80000008, 0, EBX, 1, 0xc00000e9, false, "IRPERF: IRPerfCount" },
	{ 0x80000008, 0, EBX, 12, 0x49, true, "IBPB: PRED_CMD" },
	{ 0x80000008, 0, EBX, 14, 0x48, false, "IBRS: SPEC_CTRL" },
	{ 0x80000008, 0, EBX, 15, 0x48, false, "STIBP: SPEC_CTRL" },
	{ 0x80000008, 0, EBX, 24, 0x48, false, "SSBD: SPEC_CTRL" },
	{ 0x80000008, 0, EBX, 25, 0xc001011f, false, "VIRT_SSBD: VIRT_SPEC_CTRL" },
};

static void test_no_feature_without_its_msr(void **state)
{
	uint32_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(feature_msrs) / sizeof(feature_msrs[0]); i++) {
		const struct announces *a = &feature_msrs[i];

		for (int kind = HVK; kind <= PC; kind++) {
			struct cpuid_regs host, guest = guest_view(kind, true, ALL, false, a->leaf, a->subleaf,
								   &host);
			struct vcpu *v = partition_vcpu(&partitions[0], VP);
			enum exit_action action;

			if (!(reg_of(&guest, a->reg) & BIT(a->bit)))
				continue; /* hidden */
			regs_set_edx_eax(&v->regs, 1);
			action = a->write ? guest_msr_write(v, a->msr) : guest_msr_read(v, a->msr);
			if (action != ACTION_NEXT) {
				print_error("CPUID 0x%x.%u %s bit %u (%s) is visible to %s partitions, "
					    "its MSR 0x%x gives #GP\n", a->leaf, a->subleaf,
					    reg_names[a->reg], a->bit, a->what,
					    kind == PC ? "PC" : "hv kernel", a->msr);
				failed++;
			}
		}
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_osxsave_mirrors_guest_cr4),
		cmocka_unit_test(test_backend_adjusts_after_the_core),
		cmocka_unit_test(test_upper_halves_cleared),
		cmocka_unit_test(test_no_feature_without_its_msr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
