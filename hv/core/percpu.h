/*
 * Per-CPU state of hv.  Each CPU owns one struct percpu (its GDT, TSS and
 * stacks); other CPUs only read the fields marked shared.  The index is
 * the CPU's position in boot_info.cpus (0 = BSP), the number hv.cfg uses.
 */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <hv/boot_info.h>
#include <stdint.h>

#define HV_STACK_SIZE (16u * 1024u)
#define HV_IST_STACK_SIZE (8u * 1024u)

#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */
#define GDT_CODE_SELECTOR 0x08
#define GDT_DATA_SELECTOR 0x10
#define GDT_TSS_SELECTOR 0x18

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct percpu {
	uint32_t index;    /* shared: position in boot_info.cpus */
	uint32_t apic_id;  /* shared */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	uint64_t stack_top; /* top of this CPU's main stack */
	uint64_t ist_top;   /* top of the stack for NMI, #DF and #MC */
};

extern struct percpu percpu_table[BOOT_MAX_CPUS];

/* Loads this CPU's GDT, segment registers and TSS. */
void gdt_load(struct percpu *cpu, uint64_t ist_stack_top);

#endif
