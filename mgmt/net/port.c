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
#include <kernel/hwrng.h>
#include <kernel/time.h>

/* lwIP's clock: milliseconds since the TSC started; wraps after 49 days, as lwIP allows. */
u32_t sys_now(void)
{
	return (u32_t)tsc_to_ms(tsc_read());
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
	static uint64_t counter;
	uint64_t v;

	if (hwrng_rdrand64(&v))
		return (uint32_t)v;
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
