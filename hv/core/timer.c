/*
 * TSC calibration against PIT channel 2 in one-shot mode (the speaker
 * gate, port 0x61, gives its output without interrupts), and delays on
 * the TSC.  The frequency found here scales every partition's reference
 * time and timers, so it must hold on a loaded host too (see
 * pit_sample).  A missing or stuck PIT must not hang start-up: the wait
 * is bounded and a fallback frequency is used, with a warning.
 */
#include <core/timer.h>

#include <core/console.h>

#include <arch/x86.h>

#define PIT_HZ 1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_CH2_MODE0 0xb0u          /* channel 2, lobyte/hibyte, mode 0 */
#define PIT_CH2_LATCH 0x80u          /* channel 2, counter latch */
#define PIT_GATE_PORT 0x61
#define PIT_GATE_ON 0x01
#define PIT_SPEAKER 0x02
#define PIT_OUT2 0x20
#define PIT_START_COUNT 0xffffu      /* 54.9 ms to the terminal count */
/*
 * Ticks measured: 20 ms, leaving 35 ms before the one-shot count wraps.
 * A try fails when the CPU is away from us longer than that margin after
 * the window (an emulator's thread descheduled on a loaded host: with a
 * 40 ms window and 3 tries, all three failed once at load 10 on two
 * cores, and the 1000 MHz fallback made a 2096 MHz guest's clock run at
 * 2.1 times real time).  The error stays tiny: the readings' spreads,
 * about 600 TSC ticks, against 40 million.
 */
#define PIT_WINDOW (PIT_HZ * 20 / 1000)
#define SAMPLE_TRIES 8u
#define CALIBRATE_TRIES 12u
#define POLL_LIMIT 50000000ull
#define FALLBACK_HZ 1000000000ull

static uint64_t tsc_hz = FALLBACK_HZ;

/*
 * Why it is done this way: timing how long the PIT takes to count down,
 * as a simple loop would, counts every moment the CPU is not running us
 * as well (an emulator's CPU thread descheduled on a loaded host: QEMU on
 * two busy cores made 10 ms look like 20-50 ms, and every guest's clock
 * ran that much slow).  Instead, two readings of the PIT counter, each
 * taken between two TSC reads: a reading whose two TSC reads are close
 * is a (TSC, count) pair known to within that spread, and the best of
 * SAMPLE_TRIES is kept.  What happens between the two readings does
 * not matter; only the two spreads bound the error.
 */
struct pit_sample {
	uint64_t tsc;     /* the middle of the reading */
	uint16_t count;
	uint64_t spread;  /* TSC ticks the reading took */
};

static uint16_t pit_count(void)
{
	uint8_t lo, hi;

	outb(PIT_COMMAND, PIT_CH2_LATCH);
	lo = inb(PIT_CH2_DATA);
	hi = inb(PIT_CH2_DATA);
	return (uint16_t)(lo | hi << 8);
}

static struct pit_sample pit_sample(void)
{
	struct pit_sample best = { 0, 0, UINT64_MAX };

	for (unsigned int i = 0; i < SAMPLE_TRIES; i++) {
		uint64_t before = rdtsc();
		uint16_t count = pit_count();
		uint64_t after = rdtsc();

		if (after - before < best.spread)
			best = (struct pit_sample){ before + (after - before) / 2, count,
						    after - before };
	}
	return best;
}

static bool pit_out2(void)
{
	return (inb(PIT_GATE_PORT) & PIT_OUT2) != 0;
}

/* One measurement: the TSC ticks per second, or 0 (PIT not counting, or it wrapped). */
static uint64_t calibrate_once(uint64_t *spread)
{
	struct pit_sample first, last;
	uint64_t polls = 0, ticks;

	outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & ~PIT_SPEAKER) | PIT_GATE_ON);
	outb(PIT_COMMAND, PIT_CH2_MODE0);
	outb(PIT_CH2_DATA, PIT_START_COUNT & 0xff);
	outb(PIT_CH2_DATA, PIT_START_COUNT >> 8);
	first = pit_sample();
	while ((uint64_t)(uint16_t)(first.count - pit_count()) < PIT_WINDOW && !pit_out2() &&
	       polls++ < POLL_LIMIT)
		;
	last = pit_sample();
	/* OUT2 high: the count passed 0 and wrapped, so it no longer measures the time. */
	ticks = first.count > last.count ? (uint64_t)(first.count - last.count) : 0;
	if (pit_out2() || ticks < PIT_WINDOW)
		return 0;
	*spread = first.spread + last.spread;
	return (last.tsc - first.tsc) * PIT_HZ / ticks;
}

void timer_calibrate(void)
{
	uint64_t hz = 0, spread = 0;
	unsigned int tries = 0;

	while (tries < CALIBRATE_TRIES && hz == 0) {
		hz = calibrate_once(&spread);
		tries++;
	}
	if (hz == 0) {
		log_warn("timer: no PIT measurement in %u tries (the PIT did not count, or the "
			 "CPU was away too long each time); assuming a %llu MHz TSC",
			 tries, (unsigned long long)(FALLBACK_HZ / 1000000));
		return;
	}
	tsc_hz = hz;
	log_info("timer: TSC %llu MHz (PIT readings within %llu TSC ticks, try %u)",
		 (unsigned long long)(tsc_hz / 1000000), (unsigned long long)spread, tries);
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
