/*
 * A test-and-test-and-set spin lock for hv's few shared structures (the
 * console, the page pool).  hv runs with interrupts off, so a CPU holding
 * the lock can only be delayed by an NMI, never preempted.
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include <arch/x86.h>

struct spinlock {
	volatile uint32_t locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0)
			cpu_relax();
	}
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
