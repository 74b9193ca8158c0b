/*
 * Exception fixups: the few instructions hv executes with an operand a
 * guest chose (XSETBV with the guest's XCR0 value, RDMSR of an MSR the
 * guest named).  hv checks such operands first (hv/emul/xcr0.c,
 * hv/emul/msr_host.c); the fixup is the second line, for a rule the check
 * missed or a CPU that differs from its CPUID.  Each such instruction has
 * an entry in the link section hv_fixups (its address, where to resume);
 * an exception at that address resumes after the instruction with the
 * vector in the fault operand instead of stopping the CPU (trap.c), and
 * the caller injects #GP into the guest and logs it.  Any other host-mode
 * exception is hv's own bug: it faults the partition that owns the CPU.
 */
#ifndef HV_FIXUP_H
#define HV_FIXUP_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame;

/* Offsets from each field to the instruction and to the resume point. */
struct fixup_entry {
	int32_t insn;
	int32_t resume;
};

#define FIXUP_FAULTED 0x100u /* fault operand: this bit | the vector */

/* One entry: an exception at label insn resumes at label resume. */
#define FIXUP_ENTRY(insn, resume)                                                   \
	".pushsection hv_fixups, \"a\"\n\t.balign 4\n\t.long " insn " - ., " resume \
	" - .\n\t.popsection\n\t"

/*
 * Called for a host-mode exception: if frame->rip is a fixed-up
 * instruction, moves it to the resume point, puts FIXUP_FAULTED | vector
 * into the fault operand (RSI) and returns true.
 */
bool fixup_apply(struct trap_frame *frame);

/*
 * Test mode (test_exception): runs a fixed-up XSETBV that must fault (XCR1
 * is never writable) and logs that it resumed, so a system test sees the
 * table, its link section and the trap path work (qemu-exception-report).
 */
void fixup_self_test(void);

/* XSETBV; 0 if it ran, else FIXUP_FAULTED | the exception's vector. */
static inline uint64_t fixup_xsetbv(uint32_t index, uint64_t value)
{
	uint64_t fault = 0;

	__asm__ volatile("1: xsetbv\n2:\n\t" FIXUP_ENTRY("1b", "2b")
			 : "+S"(fault)
			 : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			 : "memory");
	return fault;
}

/* RDMSR; 0 and *value if it ran, else FIXUP_FAULTED | the vector (and *value 0). */
static inline uint64_t fixup_rdmsr(uint32_t msr, uint64_t *value)
{
	uint64_t fault = 0;
	uint32_t lo = 0, hi = 0;

	__asm__ volatile("1: rdmsr\n2:\n\t" FIXUP_ENTRY("1b", "2b")
			 : "+S"(fault), "+a"(lo), "+d"(hi)
			 : "c"(msr)
			 : "memory");
	*value = fault ? 0 : (uint64_t)hi << 32 | lo;
	return fault;
}

#endif
