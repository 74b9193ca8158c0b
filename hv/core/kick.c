/*
 * Kicks (see kick.h): a request counter per CPU, bumped by kickers, and
 * the last value the CPU acknowledged.
 */
#include <core/kick.h>

#include <core/apic.h>
#include <core/percpu.h>
#include <core/smp.h>
#include <core/timer.h>

#define KICK_TRIES 100u
#define KICK_WAIT_US 1000u

static uint32_t kick_requested[BOOT_MAX_CPUS];
static uint32_t kick_acked[BOOT_MAX_CPUS];

/* hv/core/kick_wait.asm */
void kick_wait_window(const uint32_t *requested, uint32_t acked, uint32_t open_interrupts);
extern const char kick_window_start[], kick_window_end[];

void cpu_kick_ack(uint32_t cpu)
{
	uint32_t seen = __atomic_load_n(&kick_requested[cpu], __ATOMIC_ACQUIRE);

	__atomic_store_n(&kick_acked[cpu], seen, __ATOMIC_RELEASE);
}

bool cpu_kick_pending(uint32_t cpu)
{
	return __atomic_load_n(&kick_requested[cpu], __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&kick_acked[cpu], __ATOMIC_ACQUIRE);
}

static bool acknowledged(uint32_t cpu, uint32_t request)
{
	return (int32_t)(__atomic_load_n(&kick_acked[cpu], __ATOMIC_ACQUIRE) - request) >= 0;
}

void cpu_kick(uint32_t cpu)
{
	uint32_t request;

	if (cpu == smp_current_index())
		return; /* this CPU looks at the state before it re-enters anyway */
	request = __atomic_add_fetch(&kick_requested[cpu], 1, __ATOMIC_ACQ_REL);
	for (uint32_t i = 0; i < KICK_TRIES && !acknowledged(cpu, request); i++) {
		apic_send_nmi(percpu_table[cpu].apic_id);
		for (uint32_t w = 0; w < KICK_WAIT_US / 10 && !acknowledged(cpu, request); w++)
			timer_delay_us(10);
	}
}

void cpu_kick_wait(uint32_t cpu, bool interrupts)
{
	/* kick_acked[cpu] is written by this CPU alone: the window compares the live request */
	kick_wait_window(&kick_requested[cpu], __atomic_load_n(&kick_acked[cpu], __ATOMIC_RELAXED),
			 interrupts);
}

bool kick_nmi_fixup(uint64_t *rip)
{
	if (*rip < (uint64_t)kick_window_start || *rip >= (uint64_t)kick_window_end)
		return false;
	*rip = (uint64_t)kick_window_end;
	return true;
}
