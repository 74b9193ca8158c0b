/*
 * Interrupts (vectors 32-255) in a partition kernel: a handler per vector,
 * called from the common stub with the trap frame.  Kernels run with
 * interrupts off except where they open a window on purpose.
 */
#ifndef KERNEL_INTERRUPTS_H
#define KERNEL_INTERRUPTS_H

#include <kernel/exceptions.h>
#include <stdint.h>

typedef void (*interrupt_handler)(struct trap_frame *frame);

/* NULL removes the handler. */
void interrupt_set_handler(uint8_t vector, interrupt_handler handler);
/* Called by exception_dispatch for vectors 32-255. */
void interrupt_dispatch(struct trap_frame *frame);

static inline void interrupts_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void interrupts_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

#endif
