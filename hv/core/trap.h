/*
 * hv's interrupt descriptor table and exception handling.  hv runs with
 * interrupts off; any exception in host mode is a bug in hv, so the
 * handler dumps the registers and the faulting CPU and stops that CPU.
 * NMIs (kicks) are logged and survived; hv's own interrupts (wake-up and
 * timer, see apic.h) are acknowledged and survived, spurious ones ignored.
 */
#ifndef HV_TRAP_H
#define HV_TRAP_H

#include <stdint.h>

/* Saved by hv/core/isr.asm; the layout is fixed by its push order. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define TRAP_VECTOR_OTHER 32u    /* stub of every other vector above 31 */
#define TRAP_VECTOR_HV_IRQ 33u   /* stub of APIC_VECTOR_WAKE and APIC_VECTOR_TIMER */
#define TRAP_VECTOR_SPURIOUS 34u /* stub of APIC_VECTOR_SPURIOUS */
#define TRAP_IST_VECTORS ((1u << 2) | (1u << 8) | (1u << 18)) /* NMI, #DF, #MC */

/* Builds the IDT once (on the BSP). */
void trap_init(void);
/* Loads the IDT on the calling CPU. */
void trap_load(void);

void trap_dispatch(struct trap_frame *frame);

#endif
