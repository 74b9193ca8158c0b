/*
 * Interrupt dispatch: vectors 32-255 call the handler registered for
 * them.  An interrupt nobody registered is reported on the console and
 * dropped (no EOI: nothing here programs the local APIC yet).
 */
#include <kernel/interrupts.h>

#include <kernel/console.h>

static interrupt_handler handlers[X86_VECTORS];

void interrupt_set_handler(uint8_t vector, interrupt_handler handler)
{
	handlers[vector] = handler;
}

void interrupt_dispatch(struct trap_frame *frame)
{
	interrupt_handler h = handlers[frame->vector & (X86_VECTORS - 1)];

	if (h != NULL)
		h(frame);
	else
		kprintf("%s: unexpected interrupt, vector %lu at rip 0x%lx\n", console_name(),
			frame->vector, frame->rip);
}
