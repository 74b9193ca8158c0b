/*
 * Pending interrupts of a vCPU (see vcpu.h).  A bitmap rather than a
 * queue: like a local APIC's request register, a vector that is already
 * pending is not queued twice, and the highest vector goes first.  The
 * bits are atomic because other CPUs will queue interrupts for this vCPU
 * (the synthetic interrupt controller).
 */
#include <part/vcpu.h>

void vcpu_queue_interrupt(struct vcpu *v, uint8_t vector)
{
	__atomic_or_fetch(&v->pending_irqs[vector / 64], 1ull << (vector % 64), __ATOMIC_RELEASE);
}

uint8_t vcpu_pending_interrupt(const struct vcpu *v)
{
	for (int word = 3; word >= 0; word--) {
		uint64_t bits = __atomic_load_n(&v->pending_irqs[word], __ATOMIC_ACQUIRE);

		if (bits != 0)
			return (uint8_t)(word * 64 + 63 - __builtin_clzll(bits));
	}
	return 0;
}

void vcpu_interrupt_delivered(struct vcpu *v, uint8_t vector)
{
	__atomic_and_fetch(&v->pending_irqs[vector / 64], ~(1ull << (vector % 64)),
			   __ATOMIC_RELEASE);
}
