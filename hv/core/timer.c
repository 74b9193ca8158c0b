/*
 * TSC calibration against PIT channel 2 in one-shot mode (the speaker
 * gate, port 0x61, gives its output without interrupts).  A missing or
 * stuck PIT must not hang start-up: the wait is bounded and a fallback
 * frequency is used, with a warning.
 */
#include <core/timer.h>

#include <core/console.h>

#include <arch/x86.h>

#define PIT_HZ 1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE_ON 0x01
#define PIT_SPEAKER 0x02
#define PIT_OUT2 0x20
#define CALIBRATE_MS 10ull
#define POLL_LIMIT 50000000ull
#define FALLBACK_HZ 1000000000ull

static uint64_t tsc_hz = FALLBACK_HZ;

void timer_calibrate(void)
{
	uint64_t latch = PIT_HZ * CALIBRATE_MS / 1000, start, polls = 0;

	outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & ~PIT_SPEAKER) | PIT_GATE_ON);
	outb(PIT_COMMAND, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2_DATA, latch & 0xff);
	outb(PIT_CH2_DATA, (uint8_t)(latch >> 8));
	start = rdtsc();
	while ((inb(PIT_GATE_PORT) & PIT_OUT2) == 0 && polls < POLL_LIMIT)
		polls++;
	if (polls == POLL_LIMIT) {
		log_warn("timer: PIT did not count; assuming a %llu MHz TSC",
			 (unsigned long long)(FALLBACK_HZ / 1000000));
		return;
	}
	tsc_hz = (rdtsc() - start) * (1000 / CALIBRATE_MS);
	log_info("timer: TSC %llu MHz", (unsigned long long)(tsc_hz / 1000000));
}

uint64_t timer_tsc_hz(void)
{
	return tsc_hz;
}

static uint64_t deadline_after(uint64_t us)
{
	return rdtsc() + tsc_hz / 1000000 * us;
}

void timer_delay_us(uint64_t us)
{
	uint64_t end = deadline_after(us);

	while (rdtsc() < end)
		cpu_relax();
}

bool timer_wait_until_clear(volatile uint32_t *reg, uint32_t mask, uint64_t us)
{
	uint64_t end = deadline_after(us);

	while ((*reg & mask) != 0) {
		if (rdtsc() >= end)
			return false;
		cpu_relax();
	}
	return true;
}

bool timer_wait_flag(volatile uint32_t *flag, uint64_t us)
{
	uint64_t end = deadline_after(us);

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0) {
		if (rdtsc() >= end)
			return false;
		cpu_relax();
	}
	return true;
}
