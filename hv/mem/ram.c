/*
 * Partition RAM allocator (see ram.h).  It keeps a private copy of the
 * free regions and cuts claimed blocks out of them; claims take the
 * highest fitting address so low memory stays available longest.
 */
#include <mem/ram.h>

#include <core/console.h>

#define RAM_FLOOR (16ull << 20)
#define ALIGN_2M (2ull << 20)

struct range {
	uint64_t base, end;
};

static struct range free_ranges[BOOT_MAX_MEM_REGIONS * 2];
static uint32_t range_count;

static uint64_t align_up(uint64_t v)
{
	return (v + ALIGN_2M - 1) & ~(ALIGN_2M - 1);
}

static uint64_t align_down(uint64_t v)
{
	return v & ~(ALIGN_2M - 1);
}

/*
 * Adds the free region [base, end) minus the framebuffer's 2 MiB blocks:
 * a display's memory is never partition RAM, even if a firmware's map
 * were to call it free.
 */
static void add_free(uint64_t base, uint64_t end, const struct boot_framebuffer *fb)
{
	uint64_t fb_base = align_down(fb->base), fb_end = align_up(fb->base + fb->size);

	if (fb->base != 0 && fb_base < end && base < fb_end) {
		if (base < fb_base)
			free_ranges[range_count++] = (struct range){ base, fb_base };
		if (fb_end < end)
			free_ranges[range_count++] = (struct range){ fb_end, end };
		return;
	}
	free_ranges[range_count++] = (struct range){ base, end };
}

void ram_init(const struct boot_info *bi)
{
	range_count = 0;
	for (uint32_t i = 0; i < bi->mem_region_count && i < BOOT_MAX_MEM_REGIONS; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		uint64_t base = align_up(r->base < RAM_FLOOR ? RAM_FLOOR : r->base);
		uint64_t end = align_down(r->base + r->size);

		if (r->type != BOOT_MEM_FREE || end <= base)
			continue;
		add_free(base, end, &bi->fb);
	}
	log_info("ram: %llu MiB free for partitions in %u blocks",
		 (unsigned long long)(ram_free_bytes() >> 20), range_count);
}

/* Removes [base, base + size) from range i, splitting it when needed. */
static void cut(uint32_t i, uint64_t base, uint64_t size)
{
	struct range r = free_ranges[i];

	free_ranges[i] = (struct range){ r.base, base };
	if (base + size < r.end && range_count < sizeof(free_ranges) / sizeof(free_ranges[0]))
		free_ranges[range_count++] = (struct range){ base + size, r.end };
}

uint64_t ram_claim(uint64_t base, uint64_t size)
{
	uint64_t best = 0;
	uint32_t best_i = 0;

	for (uint32_t i = 0; i < range_count; i++) {
		struct range r = free_ranges[i];
		uint64_t candidate;

		if (base != 0) {
			if (base >= r.base && base + size <= r.end) {
				cut(i, base, size);
				return base;
			}
			continue;
		}
		if (r.end - r.base < size)
			continue;
		candidate = align_down(r.end - size);
		if (candidate > best)
			best = candidate, best_i = i;
	}
	if (best != 0)
		cut(best_i, best, size);
	return best;
}

uint64_t ram_free_bytes(void)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < range_count; i++)
		total += free_ranges[i].end - free_ranges[i].base;
	return total;
}
