/*
 * Every MSR access that reaches hv's core (hv/emul/msr.c, with the PC
 * platform's and the SynIC's MSRs behind it), on the fake machine
 * (hv_fake.h): one row per MSR and partition kind, processor or backend
 * where they differ, with the action and the value the guest gets.
 *
 * Where the truth comes from: docs/hypercalls.md ("Synthetic MSRs", the
 * SynIC and timer tables, "Other MSRs"), which follows the Hyper-V TLFS
 * ("Partition properties", "Virtual interrupt controller", "Timers",
 * "Guest crash enlightenment") for the synthetic MSRs; the Intel SDM
 * Vol. 4 ("Model-Specific Registers") for which architectural MSRs exist
 * on which processor (MISC_ENABLE only on Intel, MTRR pairs up to
 * MTRRCAP.VCNT, fixed ranges with MTRRCAP.FIX) and Vol. 3 10.12 for the
 * x2APIC MSRs (read-only, write-only and reserved registers give #GP).
 * Values the fake processor holds read back as fake_msr_value (HOST).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hv_fake.h"

#include <emul/guest_crash.h>

#include <hv/hypercall.h>

/* Which machines a row holds for. */
enum kind { HVK = 1, PC = 2, BOTH = 3 };           /* our kernels, the PC platform */
enum cpu { INTEL = 1, AMD = 2, ANY_CPU = 3 };
enum backend { VTX = 1, AMDV = 2, ANY_BACKEND = 3 };

#define NEXT ACTION_NEXT
#define GP ACTION_INJECT_GP
#define PARK ACTION_PARK
#define HOST 0xfeedfacecafef00dull /* the fake processor's value of this MSR */
#define NONE 0xdeadbeefdeadbeefull /* no read-back check */

#define RAM (2ull << 20)
#define VP 1u                      /* rows run on vCPU 1: its index and APIC base differ from 0's */
#define NOW 123456789ull           /* reference time the fake clock reads */
#define PAGE_IN 0x100000ull        /* a page of the partition's RAM */
#define PAGE_OUT (RAM)             /* the first page past it */
#define X2APIC_BASE_VP1 0xfee00c00ull /* 0xfee00000 | EN (11) | EXTD (10), not BSP (SDM 10.12.1) */

struct read_row {
	uint32_t msr;
	enum kind kind;
	enum cpu cpu;
	enum backend backend;
	enum exit_action action;
	uint64_t value;
	const char *why;
};

static const struct read_row reads[] = {
	/* Hyper-V synthetic MSRs, every partition (TLFS; docs/hypercalls.md) */
	{ 0x40000000, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "GUEST_OS_ID: 0 until the guest writes it" },
	{ 0x40000001, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "HYPERCALL: disabled at start" },
	{ 0x40000002, BOTH, ANY_CPU, ANY_BACKEND, NEXT, VP, "VP_INDEX: the vCPU's index" },
	{ 0x40000020, BOTH, ANY_CPU, ANY_BACKEND, NEXT, NOW, "TIME_REF_COUNT: reference time" },
	{ 0x40000021, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "REFERENCE_TSC: disabled at start" },
	{ 0x40000022, BOTH, ANY_CPU, ANY_BACKEND, NEXT, FAKE_TSC_HZ, "TSC_FREQUENCY in Hz" },
	{ 0x40000023, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 200000000, "APIC_FREQUENCY: 200 MHz" },
	{ 0x40000073, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "VP_ASSIST_PAGE: disabled" },
	{ 0x40000080, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "SCONTROL: SynIC off" },
	{ 0x40000081, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 1, "SVERSION reads 1" },
	{ 0x40000082, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "SIEFP: disabled" },
	{ 0x40000083, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "SIMP: disabled" },
	{ 0x40000084, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "EOM reads 0" },
	{ 0x40000090, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 1u << 16, "SINT0: masked (reset value)" },
	{ 0x4000009f, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 1u << 16, "SINT15: masked" },
	{ 0x40000100, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "CRASH_P0: cleared at start" },
	{ 0x40000104, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 0, "CRASH_P4" },
	{ 0x40000105, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 1ull << 63, "CRASH_CTL: CrashNotify only" },
	{ 0x40000003, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "no synthetic MSR there" },
	{ 0x40000074, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "no synthetic MSR there" },
	{ 0x40000085, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "between EOM and SINT0" },
	{ 0x400000a0, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "past SINT15" },
	{ 0x40000106, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "past CRASH_CTL" },
	{ 0x400000ff, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "end of the synthetic range" },
	/* Synthetic timers: the PC platform's (TLFS "Timers"); #GP for our kernels */
	{ 0x400000b0, PC, ANY_CPU, ANY_BACKEND, NEXT, 0, "STIMER0_CONFIG: disabled" },
	{ 0x400000b1, PC, ANY_CPU, ANY_BACKEND, NEXT, 0, "STIMER0_COUNT" },
	{ 0x400000b7, PC, ANY_CPU, ANY_BACKEND, NEXT, 0, "STIMER3_COUNT" },
	{ 0x400000b8, PC, ANY_CPU, ANY_BACKEND, GP, 0, "past STIMER3_COUNT" },
	{ 0x400000b0, HVK, ANY_CPU, ANY_BACKEND, GP, 0, "our kernels have no synthetic timers" },
	/* Host MSRs a kernel reads at start-up, those the CPU has (SDM Vol. 4) */
	{ 0x00000010, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "TSC" },
	{ 0x0000001b, HVK, ANY_CPU, ANY_BACKEND, NEXT, HOST, "APIC_BASE of the host CPU" },
	{ 0x000000fe, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "MTRRCAP" },
	{ 0x000002ff, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "MTRR_DEF_TYPE" },
	{ 0x00000200, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "PHYSBASE0" },
	{ 0x0000020f, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "PHYSMASK7: VCNT is 8" },
	{ 0x00000210, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "PHYSBASE8: past VCNT" },
	{ 0x0000021f, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "PHYSMASK15: past VCNT" },
	{ 0x00000250, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "FIX64K_00000" },
	{ 0x00000258, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "FIX16K_80000" },
	{ 0x00000259, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "FIX16K_A0000" },
	{ 0x00000268, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "FIX4K_C0000" },
	{ 0x0000026f, BOTH, ANY_CPU, ANY_BACKEND, NEXT, HOST, "FIX4K_F8000" },
	{ 0x00000251, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "no fixed range there" },
	{ 0x0000025a, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "no fixed range there" },
	{ 0x00000270, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "past FIX4K_F8000" },
	{ 0x000001a0, BOTH, INTEL, ANY_BACKEND, NEXT, HOST, "MISC_ENABLE: Intel has it" },
	{ 0x000001a0, BOTH, AMD, ANY_BACKEND, GP, 0, "MISC_ENABLE: AMD has none" },
	{ 0x0000003a, BOTH, ANY_CPU, ANY_BACKEND, NEXT, 1, "FEATURE_CONTROL: locked, VMX off" },
	/* The backend's own: AMD-V keeps EFER; on VT-x EFER never exits and the core has no answer */
	{ 0xc0000080, BOTH, ANY_CPU, AMDV, NEXT, 0xd01, "EFER from the AMD-V backend" },
	{ 0xc0000080, BOTH, ANY_CPU, VTX, GP, 0, "EFER is not the core's" },
	/* PC platform: its x2APIC (SDM Vol. 3 10.12), Linux's start-up MSRs */
	{ 0x0000001b, PC, ANY_CPU, ANY_BACKEND, NEXT, X2APIC_BASE_VP1, "APIC_BASE: x2APIC mode" },
	{ 0x00000802, PC, ANY_CPU, ANY_BACKEND, NEXT, VP, "x2APIC ID: the vCPU index" },
	{ 0x00000808, PC, ANY_CPU, ANY_BACKEND, NEXT, 0, "TPR" },
	{ 0x0000080b, PC, ANY_CPU, ANY_BACKEND, GP, 0, "EOI is write-only" },
	{ 0x0000083f, PC, ANY_CPU, ANY_BACKEND, GP, 0, "SELF_IPI is write-only" },
	{ 0x00000800, PC, ANY_CPU, ANY_BACKEND, GP, 0, "reserved x2APIC register" },
	{ 0x00000802, HVK, ANY_CPU, ANY_BACKEND, GP, 0, "our kernels have no APIC registers" },
	{ 0x0000008b, PC, ANY_CPU, ANY_BACKEND, NEXT, 0, "UCODE_REV: no microcode loaded" },
	{ 0x0000008b, HVK, ANY_CPU, ANY_BACKEND, GP, 0, "UCODE_REV: the PC platform's" },
	{ 0xc0010055, PC, ANY_CPU, ANY_BACKEND, NEXT, 0, "AMD INT_PENDING_MSG: no C1E" },
	{ 0xc0010055, HVK, ANY_CPU, ANY_BACKEND, GP, 0, "INT_PENDING_MSG: the PC platform's" },
	/* Everything else: #GP, as on a processor without the MSR */
	{ 0x00000000, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "P5_MC_ADDR: machine checks hidden" },
	{ 0x0000003b, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "TSC_ADJUST: hidden (CPUID 7 EBX 1)" },
	{ 0x00000048, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "SPEC_CTRL: not virtualised" },
	{ 0x0000009b, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "SMM_MONITOR_CTL" },
	{ 0x0000010a, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "ARCH_CAPABILITIES: not virtualised" },
	{ 0x00000179, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "MCG_CAP: machine checks hidden" },
	{ 0x000001d9, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "DEBUGCTL" },
	{ 0x000000e7, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "MPERF: leaf 6 hidden" },
	{ 0x00000480, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "VMX_BASIC: VMX hidden" },
	{ 0x000006e0, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "TSC_DEADLINE: hidden" },
	{ 0xc0000081, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "STAR never exits: not the core's" },
	{ 0xc0010114, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "VM_CR" },
	{ 0xc0010117, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "VM_HSAVE_PA" },
	{ 0xc0011029, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "AMD DE_CFG" },
	{ 0xffffffff, BOTH, ANY_CPU, ANY_BACKEND, GP, 0, "no MSR" },
};

struct write_row {
	uint32_t msr;
	enum kind kind;
	enum backend backend;
	uint64_t value;
	enum exit_action action;
	uint64_t readback; /* what a read gives after the write (NONE: not checked) */
	const char *why;
};

static const struct write_row writes[] = {
	/* TLFS / docs/hypercalls.md "Synthetic MSRs" */
	{ 0x40000000, BOTH, ANY_BACKEND, 0x8100000000000001ull, NEXT, 0x8100000000000001ull, "GUEST_OS_ID: any value" },
	{ 0x40000001, BOTH, ANY_BACKEND, PAGE_IN | 1, NEXT, PAGE_IN, "HYPERCALL without a guest OS id: enable reads 0" },
	{ 0x40000002, BOTH, ANY_BACKEND, 0, GP, VP, "VP_INDEX is read-only" },
	{ 0x40000020, BOTH, ANY_BACKEND, 0, GP, NOW, "TIME_REF_COUNT is read-only" },
	{ 0x40000021, BOTH, ANY_BACKEND, PAGE_IN | 1, NEXT, PAGE_IN | 1, "REFERENCE_TSC in RAM" },
	{ 0x40000021, BOTH, ANY_BACKEND, PAGE_OUT | 1, GP, 0, "REFERENCE_TSC outside RAM" },
	{ 0x40000021, BOTH, ANY_BACKEND, PAGE_OUT, NEXT, PAGE_OUT, "REFERENCE_TSC disabled: any GPA" },
	{ 0x40000021, BOTH, ANY_BACKEND, 0xfffffffffffff001ull, GP, 0, "REFERENCE_TSC at the top of the space" },
	{ 0x40000022, BOTH, ANY_BACKEND, 1, GP, FAKE_TSC_HZ, "TSC_FREQUENCY is read-only" },
	{ 0x40000023, BOTH, ANY_BACKEND, 1, GP, 200000000, "APIC_FREQUENCY is read-only" },
	{ 0x40000073, BOTH, ANY_BACKEND, PAGE_IN | 1, NEXT, PAGE_IN | 1, "VP_ASSIST_PAGE in RAM" },
	{ 0x40000073, BOTH, ANY_BACKEND, PAGE_OUT | 1, GP, 0, "VP_ASSIST_PAGE outside RAM" },
	{ 0x40000073, BOTH, ANY_BACKEND, PAGE_OUT, NEXT, PAGE_OUT, "VP_ASSIST_PAGE disabled: kept" },
	/* SynIC (TLFS "Virtual interrupt controller") */
	{ 0x40000080, BOTH, ANY_BACKEND, 1, NEXT, 1, "SCONTROL enable" },
	{ 0x40000081, BOTH, ANY_BACKEND, 1, GP, 1, "SVERSION is read-only" },
	{ 0x40000082, BOTH, ANY_BACKEND, PAGE_IN | 1, NEXT, PAGE_IN | 1, "SIEFP in RAM" },
	{ 0x40000082, BOTH, ANY_BACKEND, PAGE_OUT | 1, GP, 0, "SIEFP outside RAM" },
	{ 0x40000083, BOTH, ANY_BACKEND, PAGE_IN | 1, NEXT, PAGE_IN | 1, "SIMP in RAM" },
	{ 0x40000083, BOTH, ANY_BACKEND, (3ull << 30) | 1, GP, 0, "SIMP in the MMIO hole" },
	{ 0x40000084, BOTH, ANY_BACKEND, 0, NEXT, 0, "EOM" },
	{ 0x40000090, BOTH, ANY_BACKEND, 0x20030, NEXT, 0x20030, "SINT0: vector 0x30, auto-EOI" },
	{ 0x40000090, BOTH, ANY_BACKEND, 0x0f, GP, 1u << 16, "SINT0: unmasked vector below 16" },
	{ 0x40000090, BOTH, ANY_BACKEND, 0x1000f, NEXT, 0x1000f, "SINT0: masked, any vector" },
	{ 0x4000009f, BOTH, ANY_BACKEND, 0xfff00ff, NEXT, 0x300ff, "SINT15: vector, masked and auto-EOI kept, rest dropped" },
	/* Guest crash MSRs (TLFS "Guest crash enlightenment") */
	{ 0x40000100, BOTH, ANY_BACKEND, 0x1234, NEXT, 0x1234, "CRASH_P0 kept" },
	{ 0x40000104, BOTH, ANY_BACKEND, ~0ull, NEXT, ~0ull, "CRASH_P4 kept" },
	{ 0x40000105, BOTH, ANY_BACKEND, 1ull << 63, NEXT, 1ull << 63, "CRASH_CTL: CrashNotify" },
	{ 0x40000105, BOTH, ANY_BACKEND, 1ull << 62, GP, 1ull << 63, "CRASH_CTL: CrashMessage not offered" },
	/* Synthetic timers: the PC platform's */
	{ 0x400000b0, PC, ANY_BACKEND, 0x31, NEXT, NONE, "STIMER0_CONFIG" },
	{ 0x400000b0, HVK, ANY_BACKEND, 0x31, GP, NONE, "our kernels have no timers" },
	/* APIC_BASE: our kernels may only rewrite the host's value; the PC platform keeps x2APIC on */
	{ 0x0000001b, HVK, ANY_BACKEND, FAKE_APIC_BASE, NEXT, FAKE_APIC_BASE, "APIC_BASE: same value" },
	{ 0x0000001b, HVK, ANY_BACKEND, FAKE_APIC_BASE & ~0x800ull, GP, FAKE_APIC_BASE, "APIC_BASE: disable" },
	{ 0x0000001b, PC, ANY_BACKEND, X2APIC_BASE_VP1, NEXT, X2APIC_BASE_VP1, "x2APIC base: same" },
	{ 0x0000001b, PC, ANY_BACKEND, 0xfee00800ull, GP, X2APIC_BASE_VP1, "x2APIC to xAPIC mode" },
	{ 0x0000001b, PC, ANY_BACKEND, 0, GP, X2APIC_BASE_VP1, "x2APIC disabled" },
	{ 0x00000802, PC, ANY_BACKEND, 5, GP, VP, "x2APIC ID is read-only" },
	{ 0x00000808, PC, ANY_BACKEND, 0x20, NEXT, 0x20, "TPR" },
	{ 0x0000008b, PC, ANY_BACKEND, 0, NEXT, 0, "UCODE_REV: writes vanish" },
	{ 0x0000008b, HVK, ANY_BACKEND, 0, GP, NONE, "UCODE_REV: the PC platform's" },
	{ 0xc0010055, PC, ANY_BACKEND, 0, GP, 0, "INT_PENDING_MSG is read-only" },
	/* Host MSRs are read-only for partitions */
	{ 0x00000010, BOTH, ANY_BACKEND, 0, GP, NONE, "TSC" },
	{ 0x000000fe, BOTH, ANY_BACKEND, 0, GP, NONE, "MTRRCAP" },
	{ 0x000002ff, BOTH, ANY_BACKEND, 6, GP, NONE, "MTRR_DEF_TYPE" },
	{ 0x00000200, BOTH, ANY_BACKEND, 6, GP, NONE, "PHYSBASE0" },
	{ 0x00000250, BOTH, ANY_BACKEND, 6, GP, NONE, "FIX64K" },
	{ 0x000001a0, BOTH, ANY_BACKEND, 0, GP, NONE, "MISC_ENABLE" },
	{ 0x00000048, BOTH, ANY_BACKEND, 1, GP, NONE, "SPEC_CTRL" },
	/* EFER: the AMD-V backend's (bits it knows); never the core's */
	{ 0xc0000080, BOTH, AMDV, 0x501, NEXT, 0x501, "EFER: SCE, LME, LMA" },
	{ 0xc0000080, BOTH, AMDV, 0x1d01, GP, 0xd01, "EFER.SVME is the backend's" },
	{ 0xc0000080, BOTH, VTX, 0xd01, GP, NONE, "EFER never exits on VT-x" },
	/* MSRs that steer virtualization: the partition faults (docs/hypercalls.md) */
	{ 0x0000003a, BOTH, ANY_BACKEND, 5, PARK, NONE, "FEATURE_CONTROL" },
	{ 0xc0010114, BOTH, ANY_BACKEND, 0, PARK, NONE, "VM_CR" },
	{ 0xc0010117, BOTH, ANY_BACKEND, 0, PARK, NONE, "VM_HSAVE_PA" },
	{ 0x0000009b, BOTH, ANY_BACKEND, 0, PARK, NONE, "SMM_MONITOR_CTL" },
	/* Anything else */
	{ 0x40000003, BOTH, ANY_BACKEND, 0, GP, NONE, "no synthetic MSR there" },
	{ 0x00000000, BOTH, ANY_BACKEND, 0, GP, NONE, "P5_MC_ADDR" },
	{ 0xffffffff, BOTH, ANY_BACKEND, 0, GP, NONE, "no MSR" },
};

static const struct fake_cpu *cpu_of(enum cpu c)
{
	return c == INTEL ? &fake_cpu_intel : &fake_cpu_amd;
}

static const struct vcpu_vendor_ops *backend_of(enum backend b)
{
	return b == VTX ? &fake_vtx_ops : &fake_amdv_ops;
}

/* A fresh partition of the given kind with two vCPUs; returns vCPU VP. */
static struct vcpu *machine(enum kind kind, enum cpu cpu, enum backend backend)
{
	struct partition *p;

	fake_machine_reset(backend_of(backend), cpu_of(cpu));
	fake_reftime = NOW;
	p = fake_partition_add("g", HVCFG_ROLE_GUEST, kind == PC ? PLATFORM_PC : PLATFORM_HV_KERNEL,
			       RAM, 2);
	return partition_vcpu(p, VP);
}

static const char *kind_name(enum kind k)
{
	return k == PC ? "PC" : "hv kernel";
}

static enum exit_action read_msr(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	enum exit_action action;

	v->regs.rax = v->regs.rdx = 0x1111111111111111ull;
	action = guest_msr_read(v, msr);
	*value = regs_edx_eax(&v->regs);
	return action;
}

static enum exit_action write_msr(struct vcpu *v, uint32_t msr, uint64_t value)
{
	regs_set_edx_eax(&v->regs, value);
	return guest_msr_write(v, msr);
}

static void check_read(const struct read_row *r, enum kind kind, enum cpu cpu, enum backend b)
{
	struct vcpu *v = machine(kind, cpu, b);
	uint64_t value, expected = r->value == HOST ? fake_msr_value(r->msr) : r->value;
	enum exit_action action = read_msr(v, r->msr, &value);

	if (action != r->action || (action == NEXT && value != expected))
		fail_msg("RDMSR 0x%x (%s; %s, %s, %s): action %d value 0x%llx, expected %d 0x%llx",
			 r->msr, r->why, kind_name(kind), cpu == INTEL ? "Intel" : "AMD",
			 backend_of(b)->name, action, (unsigned long long)value, r->action,
			 (unsigned long long)expected);
	if (action == GP && fake_log_count("refused with #GP") != 1)
		fail_msg("RDMSR 0x%x refused without its log line", r->msr);
}

static void test_reads(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		for (int kind = HVK; kind <= PC; kind++)
			for (int cpu = INTEL; cpu <= AMD; cpu++)
				for (int b = VTX; b <= AMDV; b++)
					if ((reads[i].kind & kind) && (reads[i].cpu & cpu) &&
					    (reads[i].backend & b))
						check_read(&reads[i], kind, cpu, b);
}

static void check_write(const struct write_row *r, enum kind kind, enum backend b)
{
	struct vcpu *v = machine(kind, INTEL, b);
	enum exit_action action = write_msr(v, r->msr, r->value);
	uint64_t value;

	if (action != r->action)
		fail_msg("WRMSR 0x%x <- 0x%llx (%s; %s, %s): action %d, expected %d", r->msr,
			 (unsigned long long)r->value, r->why, kind_name(kind), backend_of(b)->name,
			 action, r->action);
	if (action == PARK) {
		assert_int_equal(v->partition->state, PARTITION_FAULTED);
		assert_non_null(strstr(v->partition->fault_reason, "forbidden MSR"));
		return;
	}
	assert_int_equal(v->partition->state, PARTITION_RUNNING);
	if (r->readback == NONE)
		return;
	if (read_msr(v, r->msr, &value) != NEXT || value != r->readback)
		fail_msg("WRMSR 0x%x <- 0x%llx (%s; %s): reads back 0x%llx, expected 0x%llx", r->msr,
			 (unsigned long long)r->value, r->why, kind_name(kind),
			 (unsigned long long)value, (unsigned long long)r->readback);
}

static void test_writes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		for (int kind = HVK; kind <= PC; kind++)
			for (int b = VTX; b <= AMDV; b++)
				if ((writes[i].kind & kind) && (writes[i].backend & b))
					check_write(&writes[i], kind, b);
}

/* TLFS "Hypercall page": the page holds the vendor's call instruction; VMCALL 0F 01 C1 (SDM), VMMCALL 0F 01 D9 (APM). */
static void test_hypercall_page(void **state)
{
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1, 0xc3 }, vmmcall[] = { 0x0f, 0x01, 0xd9, 0xc3 };

	(void)state;
	for (int b = VTX; b <= AMDV; b++) {
		struct vcpu *v = machine(HVK, INTEL, b);
		uint64_t value;

		assert_int_equal(write_msr(v, HV_X64_MSR_GUEST_OS_ID, 0x8100000000000000ull), NEXT);
		assert_int_equal(write_msr(v, HV_X64_MSR_HYPERCALL, PAGE_IN | 1), NEXT);
		assert_memory_equal(fake_ram(v->partition, PAGE_IN), b == VTX ? vmcall : vmmcall, 4);
		assert_int_equal(read_msr(v, HV_X64_MSR_HYPERCALL, &value), NEXT);
		assert_int_equal(value, PAGE_IN | 1);
		/* another vCPU sees the partition-wide value (TLFS: partition-wide MSRs) */
		assert_int_equal(read_msr(partition_vcpu(v->partition, 0), HV_X64_MSR_HYPERCALL,
					  &value), NEXT);
		assert_int_equal(value, PAGE_IN | 1);
		/* outside the RAM: #GP, the page stays where it was */
		assert_int_equal(write_msr(v, HV_X64_MSR_HYPERCALL, PAGE_OUT | 1), GP);
		assert_int_equal(read_msr(v, HV_X64_MSR_HYPERCALL, &value), NEXT);
		assert_int_equal(value, PAGE_IN | 1);
		/* a zero guest OS id turns the page off (docs/hypercalls.md) */
		assert_int_equal(write_msr(v, HV_X64_MSR_GUEST_OS_ID, 0), NEXT);
		assert_int_equal(read_msr(v, HV_X64_MSR_HYPERCALL, &value), NEXT);
		assert_int_equal(value & 1, 0);
	}
}

/* docs/hypercalls.md: the reference TSC page holds hv's scale and offset, sequence non-zero. */
static void test_reference_tsc_page(void **state)
{
	struct vcpu *v = machine(HVK, INTEL, VTX);
	struct hv_reference_tsc_page *page = fake_ram(v->partition, PAGE_IN);

	(void)state;
	assert_int_equal(write_msr(v, HV_X64_MSR_REFERENCE_TSC, PAGE_IN | 1), NEXT);
	assert_int_not_equal(page->tsc_sequence, 0);
	assert_int_equal(page->tsc_scale, 0x0123456789abcdefull);
	assert_int_equal(page->tsc_offset, (uint64_t)-42);
}

/* docs/hypercalls.md: the first 16 refusals of a start are logged, the 16th says so. */
static void test_refusals_logged_sixteen_times(void **state)
{
	struct vcpu *v = machine(HVK, INTEL, VTX);
	uint64_t value;

	(void)state;
	for (int i = 0; i < 40; i++)
		assert_int_equal(read_msr(v, 0x48, &value), GP);
	assert_int_equal(fake_log_count("refused with #GP"), 16);
	assert_int_equal(fake_log_count("further refusals are not logged"), 1);
	assert_int_equal(fake_log_count("RDMSR of MSR 0x48 (value 0x0) refused with #GP"), 16);
}

/* A host MSR the CPU refuses after all: hv's fixup catches it, the guest gets #GP (issue 13 item 2). */
static void test_host_read_fault_is_guest_gp(void **state)
{
	struct vcpu *v = machine(HVK, INTEL, VTX);
	uint64_t value;

	(void)state;
	fake_cpu.rdmsr_faults = true;
	assert_int_equal(read_msr(v, 0x200, &value), GP);
	assert_int_equal(fake_log_count("RDMSR 0x200 took vector 13 in hv"), 1);
	assert_int_equal(v->partition->state, PARTITION_RUNNING);
	/* and a rewrite of APIC_BASE cannot be compared: refused, not accepted */
	assert_int_equal(write_msr(v, 0x1b, FAKE_APIC_BASE), GP);
}

/* No RDMSR reaches the processor for an MSR the allow-list does not name. */
static void test_unlisted_reads_never_reach_the_cpu(void **state)
{
	struct vcpu *v = machine(HVK, AMD, AMDV);
	uint64_t value;

	(void)state;
	for (uint32_t msr = 0; msr < 0x3000; msr++)
		read_msr(v, msr, &value);
	for (uint32_t msr = 0xc0000000; msr < 0xc0003000; msr++)
		read_msr(v, msr, &value);
	/* TSC, APIC_BASE, MTRRCAP, DEF_TYPE, 16 variable, 11 fixed: 31 on this AMD */
	assert_int_equal(fake_rdmsr_count, 31);
}

/* A crash report is logged once per run with its five words (docs/hypercalls.md). */
static void test_crash_report_logged_once(void **state)
{
	struct vcpu *v = machine(PC, INTEL, VTX);

	(void)state;
	assert_int_equal(write_msr(v, HV_X64_MSR_CRASH_P0 + 2, 0xfeed), NEXT);
	assert_int_equal(write_msr(v, HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_CRASH_NOTIFY), NEXT);
	assert_int_equal(write_msr(v, HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_CRASH_NOTIFY), NEXT);
	assert_int_equal(fake_log_count("the guest reported a crash (vCPU 1)"), 1);
	assert_int_equal(fake_log_count("P2 0xfeed"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_writes),
		cmocka_unit_test(test_hypercall_page),
		cmocka_unit_test(test_reference_tsc_page),
		cmocka_unit_test(test_refusals_logged_sixteen_times),
		cmocka_unit_test(test_host_read_fault_is_guest_gp),
		cmocka_unit_test(test_unlisted_reads_never_reach_the_cpu),
		cmocka_unit_test(test_crash_report_logged_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
