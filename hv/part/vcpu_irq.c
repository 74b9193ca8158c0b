/*
 * Pending interrupts of a vCPU (see vcpu.h).  On the PC platform they
 * live in the vCPU's virtual x2APIC, which knows priorities and EOI; our
 * own kernels have a plain bitmap: like a local APIC's request register,
 * a vector that is already pending is not queued twice, and the highest
 * vector goes first.  Other CPUs queue interrupts for this vCPU (the
 * synthetic interrupt controller, IPIs), so the bits are atomic, and the
 * poster stores what an interrupt announces before it queues the vector.
 */
#include <part/vcpu.h>

#include <core/apic.h>
#include <core/kick.h>
#include <core/percpu.h>
#include <core/smp.h>
#include <part/partition.h>
#include <synic/synic.h>

static bool is_pc(const struct vcpu *v)
{
	return v->partition->platform == PLATFORM_PC;
}

void vcpu_queue_interrupt(struct vcpu *v, uint8_t vector)
{
	if (is_pc(v))
		vapic_accept_interrupt(&v->vapic, vector);
	else
		__atomic_or_fetch(&v->pending_irqs[vector / 64], 1ull << (vector % 64),
				  __ATOMIC_RELEASE);
}

/*
 * The PC platform's vCPU waits with interrupts open (platform_halt), so
 * a fixed IPI reaches it without the kick's acknowledgement round.
 */
void vcpu_raise_interrupt(struct vcpu *v, uint8_t vector)
{
	if (!is_pc(v)) {
		vcpu_queue_interrupt(v, vector);
		cpu_kick(v->cpu);
		return;
	}
	if (vapic_accept_interrupt(&v->vapic, vector) && v->cpu != smp_current_index())
		apic_send_wake(percpu_table[v->cpu].apic_id);
}

uint8_t vcpu_pending_interrupt(const struct vcpu *v)
{
	if (is_pc(v))
		return vapic_pending_vector(&v->vapic);
	for (int word = 3; word >= 0; word--) {
		uint64_t bits = __atomic_load_n(&v->pending_irqs[word], __ATOMIC_ACQUIRE);

		if (bits != 0)
			return (uint8_t)(word * 64 + 63 - __builtin_clzll(bits));
	}
	return 0;
}

void vcpu_interrupt_delivered(struct vcpu *v, uint8_t vector)
{
	if (is_pc(v))
		vapic_interrupt_delivered(&v->vapic, vector, synic_vector_auto_eoi(v, vector));
	else
		__atomic_and_fetch(&v->pending_irqs[vector / 64], ~(1ull << (vector % 64)),
				   __ATOMIC_RELEASE);
}
