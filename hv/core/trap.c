/*
 * IDT set-up and the exception handler.  An exception at an instruction
 * in the fixup table (fixup.h: one hv runs with a guest's operand) resumes
 * after it, reported to its caller.  Any other host-mode exception means
 * hv itself is broken: the handler prints everything needed to find the
 * bug (vector, error code, CPU, all registers, control registers), faults
 * the partition that owns the CPU (so the root sees Faulted, not a
 * partition that stays Running on a dead CPU), then stops the CPU,
 * powering the emulator off in test mode so the run ends.
 */
#include <core/trap.h>

#include <core/apic.h>
#include <core/console.h>
#include <core/fixup.h>
#include <core/kick.h>
#include <core/percpu.h>
#include <core/smp.h>
#include <core/test_exit.h>
#include <part/partition.h>

#include <arch/x86.h>

#define IDT_ENTRIES 256
#define ISR_STUB_SIZE 16 /* must match hv/core/isr.asm */
#define IDT_INTERRUPT_GATE 0x8e00ull /* present, DPL0, 64-bit interrupt gate */

struct idt_entry {
	uint64_t low, high;
};

extern const char isr_stubs[];
static struct idt_entry idt[IDT_ENTRIES] __attribute__((aligned(16)));

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization exception",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security exception", "reserved 31",
};

static struct idt_entry idt_gate(uint64_t handler, unsigned ist)
{
	return (struct idt_entry){
		.low = (handler & 0xffff) | (uint64_t)GDT_CODE_SELECTOR << 16 |
		       (uint64_t)ist << 32 | IDT_INTERRUPT_GATE << 32 |
		       ((handler >> 16) & 0xffff) << 48,
		.high = handler >> 32,
	};
}

static unsigned stub_of(unsigned vector)
{
	if (vector < TRAP_VECTOR_OTHER)
		return vector;
	if (vector == APIC_VECTOR_WAKE || vector == APIC_VECTOR_TIMER)
		return TRAP_VECTOR_HV_IRQ;
	if (vector == APIC_VECTOR_SPURIOUS)
		return TRAP_VECTOR_SPURIOUS;
	return TRAP_VECTOR_OTHER;
}

void trap_init(void)
{
	uint64_t base = (uint64_t)isr_stubs;

	for (unsigned v = 0; v < IDT_ENTRIES; v++) {
		unsigned stub = stub_of(v);
		unsigned ist = v < 32 && (TRAP_IST_VECTORS & (1u << v)) ? 1 : 0;

		idt[v] = idt_gate(base + stub * ISR_STUB_SIZE, ist);
	}
}

void trap_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

static void dump_registers(const struct trap_frame *f)
{
	log_error("  RIP %016llx CS %04llx RFLAGS %016llx", (unsigned long long)f->rip,
		  (unsigned long long)f->cs, (unsigned long long)f->rflags);
	log_error("  RSP %016llx SS %04llx RBP %016llx", (unsigned long long)f->rsp,
		  (unsigned long long)f->ss, (unsigned long long)f->rbp);
	log_error("  RAX %016llx RBX %016llx RCX %016llx RDX %016llx",
		  (unsigned long long)f->rax, (unsigned long long)f->rbx,
		  (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	log_error("  RSI %016llx RDI %016llx R8  %016llx R9  %016llx",
		  (unsigned long long)f->rsi, (unsigned long long)f->rdi,
		  (unsigned long long)f->r8, (unsigned long long)f->r9);
	log_error("  R10 %016llx R11 %016llx R12 %016llx R13 %016llx",
		  (unsigned long long)f->r10, (unsigned long long)f->r11,
		  (unsigned long long)f->r12, (unsigned long long)f->r13);
	log_error("  R14 %016llx R15 %016llx", (unsigned long long)f->r14,
		  (unsigned long long)f->r15);
	log_error("  CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx",
		  (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		  (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

/*
 * The CPU is lost: its partition is faulted (the root sees it and may
 * stop it), and it answers kicks from then on so that kickers do not wait
 * out their 100 ms for it.
 */
static __attribute__((noreturn)) void stop_cpu(uint32_t cpu, const char *name, uint64_t rip)
{
	struct partition *p = partition_of_cpu(cpu);

	if (p != NULL)
		partition_fault(p, "hv took %s at RIP 0x%llx on CPU %u, which is stopped", name,
				(unsigned long long)rip, cpu);
	log_error("CPU %u stopped", cpu);
	test_exit_power_off(TEST_EXIT_FAILURE);
	for (;;) {
		cpu_kick_ack(cpu);
		__asm__ volatile("cli; hlt" ::: "memory"); /* a kick's NMI returns here */
	}
}

void trap_dispatch(struct trap_frame *frame)
{
	uint32_t cpu = smp_current_index();
	const char *name = frame->vector < 32 ? exception_names[frame->vector]
					      : "unexpected interrupt";

	if (frame->vector == 2) {
		/* kicks (hv/core/kick.c) arrive as NMIs; one before an idle HLT skips it */
		if (!kick_nmi_fixup(&frame->rip))
			log_debug("NMI on CPU %u at RIP %llx", cpu, (unsigned long long)frame->rip);
		return;
	}
	if (frame->vector == TRAP_VECTOR_HV_IRQ) {
		apic_eoi(); /* what it announced is in memory; see apic.h */
		return;
	}
	if (frame->vector == TRAP_VECTOR_SPURIOUS)
		return; /* never acknowledged: it was not in service */
	if (frame->vector < 32 && fixup_apply(frame))
		return; /* the instruction's caller reports it (fixup.h) */
	log_error("EXCEPTION %s (vector %llu) on CPU %u, error code 0x%llx", name,
		  (unsigned long long)frame->vector, cpu, (unsigned long long)frame->error_code);
	dump_registers(frame);
	stop_cpu(cpu, name, frame->rip);
}
