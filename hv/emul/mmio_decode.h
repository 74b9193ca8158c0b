/*
 * Decoding the few x86-64 instructions a guest uses to touch emulated
 * device memory (MMIO): MOV in both directions, MOV of an immediate and
 * MOVZX.  Pure code with no hv dependencies, so the host unit tests
 * exercise it as it is.  64-bit mode only; anything else is refused.
 */
#ifndef HV_MMIO_DECODE_H
#define HV_MMIO_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MMIO_INSN_MAX 15u /* the architectural limit of an x86 instruction */

/* What the instruction does with its memory operand. */
struct mmio_insn {
	uint8_t length;     /* bytes, prefixes included (1-15) */
	uint8_t size;       /* bytes accessed in memory: 1, 2, 4 or 8 */
	bool write;         /* true: register/immediate -> memory; false: memory -> register */
	bool has_imm;       /* a store of `imm` (C6/C7) rather than of a register */
	uint64_t imm;       /* the immediate, sign-extended to `size` bytes */
	uint8_t reg;        /* register operand in encoding order: 0 RAX, 1 RCX, ... 15 R15 */
	bool high_byte;     /* 8-bit operand without REX: reg 4-7 mean AH, CH, DH, BH */
	uint8_t reg_size;   /* bytes of the register written by a load (MOVZX widens) */
	bool zero_extend;   /* MOVZX: the loaded value fills reg_size with zeros */
};

/*
 * Decodes the instruction in bytes[0..avail) (64-bit code).  Accepted:
 * 88/89 (MOV r/m, r), 8A/8B (MOV r, r/m), C6 /0 and C7 /0 (MOV r/m, imm),
 * 0F B6/B7 (MOVZX r, r/m8/16), each with a memory operand (ModRM.mod != 3),
 * optional 66, 67 and segment-override prefixes and a REX prefix.  Returns
 * 0 and fills *out, or -1 for anything else (LOCK/REP prefixes, register
 * operands, other opcodes, truncated or over-long instructions).
 */
int mmio_decode(const uint8_t *bytes, size_t avail, struct mmio_insn *out);

#endif
