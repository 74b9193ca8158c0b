/*
 * The decoder behind insn_length.h.  x86 encoding: up to 14 legacy
 * prefixes (operand/address size, segment overrides, LOCK, REP), then at
 * most one REX byte immediately before the opcode, then the opcode bytes.
 * The instructions hv intercepts have no displacement or immediate, and
 * MOV to CR only takes a register operand (ModRM.mod = 3), so their length
 * is prefixes + opcode (+ ModRM).
 */
#include "insn_length.h"

#include <stdbool.h>

struct opcode {
	uint8_t bytes[3];
	uint8_t length;
	bool modrm_reg; /* a ModRM byte follows; it must name a register */
};

static const struct opcode opcodes[] = {
	[INSN_CPUID] = { { 0x0f, 0xa2 }, 2, false },
	[INSN_RDMSR] = { { 0x0f, 0x32 }, 2, false },
	[INSN_WRMSR] = { { 0x0f, 0x30 }, 2, false },
	[INSN_VMMCALL] = { { 0x0f, 0x01, 0xd9 }, 3, false },
	[INSN_XSETBV] = { { 0x0f, 0x01, 0xd1 }, 3, false },
	[INSN_HLT] = { { 0xf4 }, 1, false },
	[INSN_MOV_TO_CR] = { { 0x0f, 0x22 }, 2, true },
};

static bool is_legacy_prefix(uint8_t b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
	       b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3;
}

int insn_length(const uint8_t *bytes, size_t avail, enum insn_op op)
{
	const struct opcode *oc;
	size_t i = 0, end;

	if ((unsigned)op >= sizeof(opcodes) / sizeof(opcodes[0]))
		return -1;
	oc = &opcodes[op];
	if (avail > INSN_MAX_LENGTH)
		avail = INSN_MAX_LENGTH;
	while (i < avail && is_legacy_prefix(bytes[i]))
		i++;
	if (i < avail && (bytes[i] & 0xf0) == 0x40)
		i++; /* REX */
	end = i + oc->length + (oc->modrm_reg ? 1 : 0);
	if (end > avail)
		return -1;
	for (size_t k = 0; k < oc->length; k++) {
		if (bytes[i + k] != oc->bytes[k])
			return -1;
	}
	if (oc->modrm_reg && (bytes[i + oc->length] & 0xc0) != 0xc0)
		return -1;
	return (int)end;
}
