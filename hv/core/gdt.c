/*
 * hv's own GDT and TSS, one pair per CPU.  The firmware's GDT is not ours
 * to keep, and VT-x requires a non-zero host TR, so every CPU loads a GDT
 * with flat 64-bit code/data and its own TSS.  The TSS gives exceptions
 * that must not trust the current stack (#DF, NMI, #MC) a stack of their
 * own through IST slot 1.
 */
#include <core/percpu.h>

struct percpu percpu_table[BOOT_MAX_CPUS];

#define GDT_CODE64 0x00af9a000000ffffull /* present, DPL0, exec/read, L=1 */
#define GDT_DATA 0x00cf92000000ffffull   /* present, DPL0, read/write */
#define TSS_TYPE_AVAILABLE 0x9ull

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void gdt_set_tss(uint64_t *gdt, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | TSS_TYPE_AVAILABLE << 40 |
		 1ull << 47 /* present */ | ((limit >> 16) & 0xf) << 48 |
		 ((base >> 24) & 0xff) << 56;
	gdt[4] = base >> 32;
}

void gdt_load(struct percpu *cpu, uint64_t ist_stack_top)
{
	struct descriptor_pointer gdtr = { sizeof(cpu->gdt) - 1, (uint64_t)cpu->gdt };

	cpu->gdt[0] = 0;
	cpu->gdt[1] = GDT_CODE64;
	cpu->gdt[2] = GDT_DATA;
	cpu->tss.ist[0] = ist_stack_top;
	cpu->tss.iomap_base = sizeof(cpu->tss); /* no I/O bitmap */
	gdt_set_tss(cpu->gdt, &cpu->tss);
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movl %%eax, %%fs\n\t"
		"movl %%eax, %%gs\n\t"
		"movw %3, %%ax\n\t"
		"ltr %%ax"
		:
		: "m"(gdtr), "i"(GDT_CODE_SELECTOR), "i"(GDT_DATA_SELECTOR),
		  "i"(GDT_TSS_SELECTOR)
		: "rax", "memory");
}
