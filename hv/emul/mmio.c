/*
 * MMIO emulation (see mmio.h).  The stage-2 fault gives only the GPA and
 * whether it was a write, so the instruction itself says which register
 * and how many bytes: hv reads it at the guest's RIP through the guest's
 * own page tables and decodes it.  Whatever cannot be emulated exactly
 * (another instruction, a fetch, RSP as operand, a misaligned access,
 * code outside 64-bit mode) faults the partition with the details.
 */
#include <emul/mmio.h>

#include <core/vendor.h>
#include <emul/mmio_decode.h>
#include <mem/guest_mem.h>
#include <part/partition.h>

#include <lib/format.h>

#define MMIO_MAX_RANGES 4u
#define BYTES_SHOWN 8u

struct mmio_range {
	uint64_t base, end;
	mmio_read_fn read;
	mmio_write_fn write;
};

static struct mmio_range ranges[MMIO_MAX_RANGES];
static uint32_t range_count;

int mmio_register(uint64_t base, uint64_t size, mmio_read_fn read, mmio_write_fn write)
{
	if (range_count == MMIO_MAX_RANGES || size == 0 || base + size < base)
		return -1;
	ranges[range_count++] = (struct mmio_range){ base, base + size, read, write };
	return 0;
}

static const struct mmio_range *find_range(uint64_t gpa)
{
	for (uint32_t i = 0; i < range_count; i++) {
		if (gpa >= ranges[i].base && gpa < ranges[i].end)
			return &ranges[i];
	}
	return NULL;
}

static uint64_t bytes_mask(uint8_t size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* The vcpu_regs slot of register n in encoding order; NULL for RSP, which the backend keeps. */
static uint64_t *gpr(struct vcpu_regs *r, uint8_t n)
{
	uint64_t *const slots[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};

	return slots[n & 15u];
}

/* The register the instruction names (AH-BH live in bits 15:8 of RAX-RBX). */
static uint64_t *operand_reg(struct vcpu *v, const struct mmio_insn *in)
{
	return gpr(&v->regs, in->high_byte ? (uint8_t)(in->reg - 4) : in->reg);
}

/* A load's result into its register with the architectural merge/zero-extension rules. */
static void load_into(uint64_t *reg, const struct mmio_insn *in, uint64_t value)
{
	value &= bytes_mask(in->size);
	if (in->high_byte)
		*reg = (*reg & ~0xff00ull) | value << 8;
	else if (in->reg_size >= 4)
		*reg = value; /* 32-bit destinations clear bits 63:32 */
	else
		*reg = (*reg & ~bytes_mask(in->reg_size)) | value;
}

static uint64_t store_value(const uint64_t *reg, const struct mmio_insn *in)
{
	if (in->has_imm)
		return in->imm;
	return (in->high_byte ? *reg >> 8 : *reg) & bytes_mask(in->size);
}

static bool refuse(struct vcpu *v, const struct vcpu_state *st, uint64_t gpa, const char *why,
		   const uint8_t *bytes, size_t n)
{
	char shown[BYTES_SHOWN * 3 + 1] = "";
	size_t used = 0;

	for (size_t i = 0; i < n && i < BYTES_SHOWN; i++)
		used += fmt_snprintf(shown + used, sizeof(shown) - used, " %02x", bytes[i]);
	partition_fault(v->partition, "%s at GPA 0x%llx, RIP 0x%llx (bytes:%s)", why,
			(unsigned long long)gpa, (unsigned long long)st->rip, n ? shown : " none");
	return true;
}

/* Reads the instruction at RIP byte by byte: it may end just before an unmapped page. */
static size_t fetch(struct vcpu *v, const struct vcpu_state *st, uint8_t *bytes)
{
	size_t n = 0;

	while (n < MMIO_INSN_MAX && guest_read_virt(v, st, vcpu_state_linear_rip(st) + n, &bytes[n], 1) == 0)
		n++;
	return n;
}

bool mmio_handle(struct vcpu *v, struct exit_info *exit, enum exit_action *action)
{
	const struct exit_stage2 *s2 = &exit->stage2;
	const struct mmio_range *r = find_range(s2->gpa);
	uint8_t bytes[MMIO_INSN_MAX];
	struct vcpu_state st;
	struct mmio_insn in;
	uint64_t *reg = NULL;
	size_t n = 0;

	if (r == NULL)
		return false;
	*action = ACTION_PARK;
	vendor->get_state(v, &st);
	if (s2->exec)
		return refuse(v, &st, s2->gpa, "instruction fetch from emulated MMIO", bytes, 0);
	if (!st.long_mode)
		return refuse(v, &st, s2->gpa, "MMIO access outside 64-bit mode", bytes, 0);
	n = fetch(v, &st, bytes);
	if (mmio_decode(bytes, n, &in) != 0)
		return refuse(v, &st, s2->gpa, "undecodable MMIO instruction", bytes, n);
	if (in.write != s2->write)
		return refuse(v, &st, s2->gpa, "MMIO access unlike its instruction", bytes, n);
	if ((s2->gpa & (in.size - 1u)) != 0 || s2->gpa + in.size > r->end)
		return refuse(v, &st, s2->gpa, "misaligned MMIO access", bytes, n);
	if (!in.has_imm && (reg = operand_reg(v, &in)) == NULL)
		return refuse(v, &st, s2->gpa, "MMIO access through RSP", bytes, n);
	if (in.write)
		r->write(v, s2->gpa, in.size, store_value(reg, &in));
	else
		load_into(reg, &in, r->read(v, s2->gpa, in.size));
	exit->insn_len_override = in.length;
	*action = ACTION_NEXT;
	return true;
}
