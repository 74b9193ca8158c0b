/*
 * Canary pattern: word i holds a 64-bit mix of its own address and a
 * per-boot seed (the TSC at arming), so zeroed pages, stale copies and
 * shifted data all differ from it.  The checksum rotates before each
 * add so that swapped words change it too.
 */
#include <kernel/canary.h>

#include <kernel/console.h>
#include <kernel/time.h>

#include <stdint.h>

#define CANARY_WORDS (CANARY_BYTES / 8)
#define LOW_RAM_END (3ull << 30) /* RAM above 3 GiB continues at 4 GiB */

static volatile uint64_t *region;
static uint64_t seed, checksum;
static unsigned long checks;

/* splitmix64's finaliser: a cheap, well-spread function of x. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t expected(uint64_t i)
{
	return mix(seed + (uint64_t)&region[i]);
}

static uint64_t sum_region(void)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < CANARY_WORDS; i++)
		sum = ((sum << 1) | (sum >> 63)) + region[i];
	return sum;
}

void canary_init(const struct start_info *si)
{
	uint64_t end = si->memory_size < LOW_RAM_END ? si->memory_size : LOW_RAM_END;

	region = (volatile uint64_t *)(end - CANARY_BYTES);
	seed = tsc_read() | 1;
	for (uint64_t i = 0; i < CANARY_WORDS; i++)
		region[i] = expected(i);
	checksum = sum_region();
	checks = 0;
	kprintf("%s: canary armed at 0x%lx, %llu KiB, checksum 0x%016lx\n", console_name(),
		(uint64_t)region, CANARY_BYTES >> 10, checksum);
}

bool canary_armed(void)
{
	return region != NULL;
}

/* The first word that differs from the pattern, or CANARY_WORDS. */
static uint64_t first_bad_word(void)
{
	uint64_t i = 0;

	while (i < CANARY_WORDS && region[i] == expected(i))
		i++;
	return i;
}

bool canary_check(void)
{
	uint64_t sum = sum_region(), bad;

	checks++;
	if (sum == checksum) {
		kprintf("%s: canary ok %lu\n", console_name(), checks);
		return true;
	}
	bad = first_bad_word();
	if (bad < CANARY_WORDS)
		kprintf("%s: canary CORRUPTED (check %lu): 0x%016lx at 0x%lx, expected 0x%016lx\n",
			console_name(), checks, region[bad], (uint64_t)&region[bad], expected(bad));
	else
		kprintf("%s: canary CORRUPTED (check %lu): checksum 0x%016lx, expected 0x%016lx\n",
			console_name(), checks, sum, checksum);
	return false;
}
