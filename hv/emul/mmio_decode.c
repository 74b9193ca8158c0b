/*
 * The decoder behind mmio_decode.h.  An x86-64 instruction here is:
 * legacy prefixes (only 66 operand size, 67 address size and the segment
 * overrides are accepted), an optional REX byte that counts only when it
 * immediately precedes the opcode, the opcode (one byte, or 0F + one),
 * ModRM, an optional SIB, a displacement and an optional immediate.
 * Lengths follow the 64-bit ModRM rules (SDM Vol. 2, 2.1.5 and 2.2.1):
 * a 67 prefix switches to 32-bit addressing, whose ModRM/SIB/displacement
 * lengths are the same in 64-bit mode.
 */
#include <emul/mmio_decode.h>

#define REX_W 0x08u
#define REX_R 0x04u

#define MODRM_MOD(m) ((uint8_t)(m) >> 6)
#define MODRM_REG(m) (((uint8_t)(m) >> 3) & 7u)
#define MODRM_RM(m) ((uint8_t)(m) & 7u)
#define RM_SIB 4u      /* rm = 100: a SIB byte follows */
#define RM_DISP32 5u   /* mod 00, rm = 101: RIP-relative disp32 */
#define SIB_NO_BASE 5u /* mod 00, SIB base = 101: disp32, no base */

struct prefixes {
	size_t count;  /* bytes of prefixes, REX included */
	bool opsize;   /* 66 seen */
	bool rex;      /* a REX byte directly precedes the opcode */
	uint8_t rex_bits;
};

static bool accepted_legacy_prefix(uint8_t b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
	       b == 0x66 || b == 0x67;
}

/* Reads the prefixes; a REX followed by anything but the opcode is ignored, as by the CPU. */
static void read_prefixes(const uint8_t *b, size_t avail, struct prefixes *p)
{
	*p = (struct prefixes){ 0 };
	for (; p->count < avail; p->count++) {
		uint8_t c = b[p->count];

		if ((c & 0xf0) == 0x40) {
			p->rex = true;
			p->rex_bits = c & 0x0f;
		} else if (accepted_legacy_prefix(c)) {
			p->rex = false;
			p->rex_bits = 0;
			p->opsize |= c == 0x66;
		} else {
			break;
		}
	}
}

/* Bytes taken by ModRM, SIB and displacement at b[at]; -1 for a register operand or truncation. */
static int modrm_length(const uint8_t *b, size_t avail, size_t at)
{
	uint8_t modrm, mod;
	size_t n = 1, disp = 0;

	if (at >= avail)
		return -1;
	modrm = b[at];
	mod = MODRM_MOD(modrm);
	if (mod == 3)
		return -1; /* register to register: no memory access to emulate */
	if (MODRM_RM(modrm) == RM_SIB) {
		if (at + 1 >= avail)
			return -1;
		n = 2;
		if (mod == 0 && MODRM_RM(b[at + 1]) == SIB_NO_BASE)
			disp = 4;
	} else if (mod == 0 && MODRM_RM(modrm) == RM_DISP32) {
		disp = 4;
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	return (int)(n + disp);
}

static uint8_t operand_size(const struct prefixes *p)
{
	if (p->rex_bits & REX_W)
		return 8;
	return p->opsize ? 2 : 4;
}

/* Fills size/direction/register fields from the opcode; false when it is not ours. */
static bool classify(uint8_t op, bool two_byte, const struct prefixes *p, struct mmio_insn *in)
{
	uint8_t osize = operand_size(p);

	if (two_byte) {
		if (op != 0xb6 && op != 0xb7)
			return false;
		in->size = op == 0xb6 ? 1 : 2;
		in->reg_size = osize;
		in->zero_extend = true;
		return true;
	}
	switch (op) {
	case 0x88: in->write = true; in->size = 1; break;
	case 0x89: in->write = true; in->size = osize; break;
	case 0x8a: in->size = 1; break;
	case 0x8b: in->size = osize; break;
	case 0xc6: in->write = in->has_imm = true; in->size = 1; break;
	case 0xc7: in->write = in->has_imm = true; in->size = osize; break;
	default: return false;
	}
	in->reg_size = in->size;
	return true;
}

/* Little-endian immediate of `len` bytes, sign-extended to 64 bits, then cut to `size`. */
static uint64_t immediate(const uint8_t *b, size_t len, uint8_t size)
{
	uint64_t v = 0;

	for (size_t k = 0; k < len; k++)
		v |= (uint64_t)b[k] << (8 * k);
	if (len < 8 && (v >> (8 * len - 1)) & 1)
		v |= ~0ull << (8 * len);
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

int mmio_decode(const uint8_t *bytes, size_t avail, struct mmio_insn *out)
{
	struct mmio_insn in = { 0 };
	struct prefixes p;
	bool two_byte = false;
	size_t i, imm_len = 0;
	uint8_t op, modrm;
	int mlen;

	if (avail > MMIO_INSN_MAX)
		avail = MMIO_INSN_MAX;
	read_prefixes(bytes, avail, &p);
	i = p.count;
	if (i < avail && bytes[i] == 0x0f) {
		two_byte = true;
		i++;
	}
	if (i >= avail)
		return -1;
	op = bytes[i++];
	if (!classify(op, two_byte, &p, &in))
		return -1;
	mlen = modrm_length(bytes, avail, i);
	if (mlen < 0)
		return -1;
	modrm = bytes[i];
	in.reg = (uint8_t)(MODRM_REG(modrm) | ((p.rex_bits & REX_R) ? 8u : 0u));
	if (in.has_imm) {
		if (MODRM_REG(modrm) != 0)
			return -1; /* C6/C7 with reg != 0 are other instructions (XABORT, XBEGIN) */
		in.reg = 0;
		imm_len = in.size == 8 ? 4 : in.size; /* imm32 sign-extended for 64-bit stores */
	}
	i += (size_t)mlen;
	if (i + imm_len > avail)
		return -1;
	if (in.has_imm)
		in.imm = immediate(&bytes[i], imm_len, in.size);
	in.high_byte = in.size == 1 && !in.zero_extend && !in.has_imm && !p.rex &&
		       in.reg >= 4 && in.reg <= 7;
	in.length = (uint8_t)(i + imm_len);
	*out = in;
	return 0;
}
