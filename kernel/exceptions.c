/*
 * The partition kernel's IDT (256 interrupt gates on hv's code selector
 * 0x08) and the C side of exception handling: exception-table fixups for
 * probes, a register dump plus kpanic for other exceptions; vectors
 * 32-255 are interrupts, handed to interrupt_dispatch.
 */
#include <kernel/exceptions.h>

#include <arch/x86.h>
#include <kernel/console.h>
#include <kernel/interrupts.h>

#define KERNEL_CS 0x08
#define GATE_INTERRUPT_PRESENT 0x8e

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

struct __attribute__((packed)) idt_pointer {
	uint16_t limit;
	uint64_t base;
};

extern const uint64_t exception_stub_table[X86_VECTORS];
/* Bounds of section kextable, provided by the linker (orphan section). */
extern const struct extable_entry __start_kextable[], __stop_kextable[];

static struct idt_gate idt[X86_VECTORS] __attribute__((aligned(16)));

static const char *const names[X86_EXCEPTION_VECTORS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *exception_name(uint64_t vector)
{
	return vector < X86_EXCEPTION_VECTORS ? names[vector] : "#??";
}

void exceptions_init(void)
{
	struct idt_pointer ptr;

	for (unsigned int v = 0; v < X86_VECTORS; v++) {
		uint64_t handler = exception_stub_table[v];

		idt[v] = (struct idt_gate){
			.offset_low = (uint16_t)handler,
			.selector = KERNEL_CS,
			.type_attr = GATE_INTERRUPT_PRESENT,
			.offset_mid = (uint16_t)(handler >> 16),
			.offset_high = (uint32_t)(handler >> 32),
		};
	}
	ptr.limit = sizeof(idt) - 1;
	ptr.base = (uint64_t)idt;
	__asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
}

static const struct extable_entry *extable_find(uint64_t rip)
{
	for (const struct extable_entry *e = __start_kextable; e < __stop_kextable; e++) {
		if (e->fault_rip == rip)
			return e;
	}
	return NULL;
}

void exception_dispatch(struct trap_frame *f)
{
	const struct extable_entry *e;
	const char *k = console_name();

	if (f->vector >= X86_EXCEPTION_VECTORS) {
		interrupt_dispatch(f);
		return;
	}
	e = extable_find(f->rip);
	if (e != NULL) {
		f->rax = f->vector;
		f->rip = e->fixup_rip;
		return;
	}
	kprintf("%s: exception %s (vector %lu) at rip 0x%lx, error code 0x%lx\n",
		k, exception_name(f->vector), f->vector, f->rip, f->error_code);
	kprintf("%s:   rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
		k, f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("%s:   rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n",
		k, f->rsi, f->rdi, f->rbp, f->rsp);
	kprintf("%s:   cr2 %016lx cr3 %016lx rflags %08lx cs %04lx ss %04lx\n",
		k, read_cr2(), read_cr3(), f->rflags, f->cs, f->ss);
	kpanic("unexpected exception %s (vector %lu) at rip 0x%lx", exception_name(f->vector),
	       f->vector, f->rip);
}
