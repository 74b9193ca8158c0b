/*
 * Instruction-length decoding for AMD-V without nRIP save (QEMU TCG):
 * the CPU does not report where the exiting instruction ends, so the
 * backend decodes the bytes at the guest RIP.  Only the instructions hv
 * intercepts and emulates are accepted; anything else is refused, and
 * refusing is safe (the partition faults with a clear reason).
 */
#ifndef SVM_INSN_LENGTH_H
#define SVM_INSN_LENGTH_H

#include <stddef.h>
#include <stdint.h>

#define INSN_MAX_LENGTH 15u

enum insn_op {
	INSN_CPUID,
	INSN_RDMSR,
	INSN_WRMSR,
	INSN_VMMCALL,
	INSN_XSETBV,
	INSN_HLT,
	INSN_MOV_TO_CR,
};

/*
 * Length of the instruction at bytes[0..avail) when it is `op` (with any
 * legacy prefixes and a REX prefix), or -1 when it is something else or
 * does not fit in 15 bytes.
 */
int insn_length(const uint8_t *bytes, size_t avail, enum insn_op op);

#endif
