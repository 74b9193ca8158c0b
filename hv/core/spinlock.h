/*
 * A test-and-test-and-set spin lock for hv's few shared structures (the
 * page pool, state changes), and a ticket lock where waiters must be
 * served in turn (the console: a CPU that logs in a loop, e.g. for a
 * chatty guest, would otherwise win the lock again and again while
 * another CPU waits at UART speed).  hv runs with interrupts off, so a
 * CPU holding a lock can only be delayed by an NMI, never preempted.
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

/* First come, first served: each locker takes a ticket and waits for its turn. */
struct ticket_lock {
	uint32_t next;    /* the ticket the next locker takes */
	uint32_t serving; /* the ticket that holds the lock */
};

static inline void ticket_lock(struct ticket_lock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

static inline void ticket_unlock(struct ticket_lock *l)
{
	uint32_t mine = __atomic_load_n(&l->serving, __ATOMIC_RELAXED); /* only the holder writes */

	__atomic_store_n(&l->serving, mine + 1, __ATOMIC_RELEASE);
}

#endif
