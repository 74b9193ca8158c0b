/*
 * What lwIP needs from the root (its "port"): the millisecond clock for
 * its timers, random numbers, and the console for its diagnostics and
 * failed assertions.  See arch/cc.h for how lwIP reaches these.
 */
#include "lwip/arch.h"
#include "lwip/sys.h"

#include <arch/x86.h>
#include <stdbool.h>
#include <kernel/console.h>
#include <kernel/time.h>

#define CPUID_1_ECX_RDRAND (1u << 30)
#define RDRAND_TRIES 10

/* lwIP's clock: milliseconds since the TSC started; wraps after 49 days, as lwIP allows. */
u32_t sys_now(void)
{
	return (u32_t)tsc_to_ms(tsc_read());
}

static bool rdrand32(uint32_t *out)
{
	for (int i = 0; i < RDRAND_TRIES; i++) {
		uint32_t v;
		uint8_t ok;

		/* CF=1: a value was delivered; CF=0: the generator is drained, retry. */
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* SplitMix64's finaliser: every TSC bit affects every output bit. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * RDRAND where the CPU has it; otherwise the TSC mixed with a counter,
 * which is unpredictable enough for sequence numbers and ports on a
 * management network but no source of keys.
 */
uint32_t net_random(void)
{
	static int have_rdrand = -1;
	static uint64_t counter;
	uint32_t v;

	if (have_rdrand < 0)
		have_rdrand = (cpuid(1, 0).ecx & CPUID_1_ECX_RDRAND) != 0;
	if (have_rdrand && rdrand32(&v))
		return v;
	counter += 0x9e3779b97f4a7c15ull;
	return (uint32_t)mix64(rdtsc() + counter);
}

void net_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void net_assert_failed(const char *msg, const char *file, int line)
{
	kpanic("net: lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}
