/*
 * A fake machine around hv's guest-facing code, for host tests and fuzz
 * targets (as api_fake_backend.c is for the management API): hv/emul's
 * cpuid.c, msr.c and io.c, hv/pci's filter, the hypercalls, the partition
 * state machine, the SynIC and the PC platform are linked unchanged, and
 * this file stands in for what they reach outside themselves:
 *   - the virtualization backend (core/vendor.h): two ops tables shaped
 *     like VT-x's and AMD-V's, whose guest registers, opened ports,
 *     stage-2 flushes and CPUID adjustments the test sets and reads;
 *   - the processor (emul/host_cpu.h): CPUID leaves and host MSRs from a
 *     profile the test picks (Intel or AMD, any bit pattern);
 *   - the rest of hv: the console (lines kept for the test), kicks, time,
 *     the test-exit device, the MMIO registry, hv's page pool;
 *   - partitions: each with its own host RAM block, bounded by
 *     inaccessible guard pages so any access hv makes past the block
 *     faults the test, and its vCPUs.
 * The PCI bus is in hv_fake_pci.h.
 */
#ifndef HV_FAKE_H
#define HV_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <core/vendor.h>
#include <emul/emulate.h>
#include <emul/mmio.h>
#include <part/partition.h>

/*
 * Stops the test (abort, so a fuzz target reports it) with `what` when
 * ok is false: the fakes' own checks, including hv's contracts with them
 * (e.g. pci_host_read's alignment), which must hold in every build.
 */
void fake_check(bool ok, const char *what);

/* ---- the processor ---- */

struct fake_cpu {
	bool intel;         /* leaf 0 says "GenuineIntel", else "AuthenticAMD" */
	uint32_t fill;      /* every register of every other leaf reads this... */
	bool vary;          /* ...or, when set, a different mix of fill, leaf and register */
	uint64_t mtrrcap;   /* MSR 0xFE: VCNT in bits 7:0, FIX bit 8 */
	uint64_t apic_base; /* MSR 0x1B */
	bool rdmsr_faults;  /* the CPU refuses RDMSR after all (#GP in hv, caught by the fixup) */
};

#define FAKE_MAX_BASIC_LEAF 0x20u
#define FAKE_MAX_EXTENDED_LEAF 0x80000021u
#define FAKE_APIC_BASE 0xfee00900ull /* enabled, BSP */
#define FAKE_TSC_HZ 2500000000ull

/* Every feature bit set, eight MTRR pairs and the fixed ranges. */
extern const struct fake_cpu fake_cpu_intel, fake_cpu_amd;
/* The processor hv runs on now; tests may change it at any time. */
extern struct fake_cpu fake_cpu;

/* What the fake processor's MSR holds (a pattern naming the MSR, or the APIC base). */
uint64_t fake_msr_value(uint32_t msr);
/* RDMSR instructions hv executed (through host_cpu_rdmsr). */
extern uint32_t fake_rdmsr_count;

/* ---- the backend ---- */

/* What a fake backend keeps per vCPU (v->vendor). */
struct fake_backend_vcpu {
	struct vcpu_state state;    /* what get_state answers: 64-bit, CPL 0 unless a test says */
	struct {
		uint16_t port, count;
	} io_allowed[32];           /* io_allow calls, in order (the first 32) */
	uint32_t io_allowed_count;  /* all of them */
	uint32_t stage2_flushes;
	uint64_t efer;              /* the fake AMD-V keeps EFER itself */
};

/*
 * VT-x-shaped: VMCALL, cpuid_adjust hides RDTSCP (0x80000001 EDX bit 27)
 * and INVPCID (7.0 EBX bit 10) as vmx/ does on a CPU without those
 * secondary controls, no MSR hooks (EFER never exits on VT-x).
 * AMD-V-shaped: VMMCALL, no cpuid_adjust, keeps EFER (reads and writes of
 * bits 0, 8, 10, 11 and 14 handled, any other bit refused with #GP).
 */
extern const struct vcpu_vendor_ops fake_vtx_ops, fake_amdv_ops;
#define FAKE_EFER_BITS 0x4d01ull

/* The fake VT-x's last cpuid_adjust call: the leaf and the registers it was handed. */
extern uint32_t fake_adjusted_leaf;
extern struct cpuid_regs fake_adjusted;

struct fake_backend_vcpu *fake_backend(const struct vcpu *v);

/* ---- the rest of hv ---- */

/* Everything hv logged since the last reset, one line each ending in \n. */
extern char fake_log[32768];
/* Lines containing needle. */
uint32_t fake_log_count(const char *needle);
void fake_log_clear(void);

extern uint32_t fake_kicks[BOOT_MAX_CPUS];   /* cpu_kick calls per CPU */
extern uint32_t fake_power_offs;             /* test_exit_power_off calls */
extern uint64_t fake_reftime;                /* reftime_now's answer, 100 ns units */

/* The range hv registered as emulated MMIO (the ECAM window), if any. */
struct fake_mmio {
	bool registered;
	uint64_t base, size;
	mmio_read_fn read;
	mmio_write_fn write;
};
extern struct fake_mmio fake_mmio;

/* hv's page pool (stage-2 tables, SynIC queues): real page_alloc over host memory. */
extern struct page_pool fake_pool;

/* ---- partitions ---- */

/*
 * Forgets every partition and connection and starts from the given
 * backend and processor: time 0, log empty, hypercall figures pointing at
 * fake_pool, no media, no ECAM window.
 */
void fake_machine_reset(const struct vcpu_vendor_ops *ops, const struct fake_cpu *cpu);

/*
 * Adds the next partition (id = its index) with ram_size bytes of RAM (a
 * multiple of 4 KiB; above 3 GiB the RAM continues at 4 GiB, reserved
 * but only backed where touched) and vp_count vCPUs on CPUs of its own,
 * in state Running, its RAM zeroed, its stage-2 tables empty.
 */
struct partition *fake_partition_add(const char *name, enum hvcfg_role role,
				     enum partition_platform platform, uint64_t ram_size,
				     uint32_t vp_count);

/* Host address of guest-physical gpa, which must lie in p's RAM (else the test fails). */
void *fake_ram(struct partition *p, uint64_t gpa);

/* Whether host address [ptr, ptr + len) lies in the RAM of partition p. */
bool fake_in_ram(const struct partition *p, const void *ptr, uint64_t len);

/* Sets up v to call hypercalls: guest OS id, the hypercall page at page_gpa enabled. */
void fake_enable_hypercalls(struct vcpu *v, uint64_t page_gpa);

/*
 * The rows of a table test that do not hold: `holds` runs on each row,
 * prints why one fails and returns false for it; every row runs, so one
 * failure does not hide the next.
 */
#define FAKE_FAILING_ROWS(table, holds)                                              \
	__extension__({                                                                \
		uint32_t failing_ = 0;                                                 \
		for (size_t row_ = 0; row_ < sizeof(table) / sizeof((table)[0]); row_++) \
			failing_ += !(holds)(&(table)[row_]);                          \
		failing_;                                                              \
	})

/* One hypercall of v as the guest makes it (RCX input, RDX, R8); returns the action. */
enum exit_action fake_hypercall(struct vcpu *v, uint64_t input, uint64_t rdx, uint64_t r8);

#endif
