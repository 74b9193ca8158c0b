/*
 * Identity page tables for host mode (see paging.h).  Large pages only:
 * 1 GiB where the CPU has them, else 2 MiB.  Memory types come from the
 * firmware's MTRRs (PAT entry 0, write-back, defers to them), so device
 * ranges stay uncached without hv tracking them.
 */
#include <mem/paging.h>

#include <core/console.h>

#include <arch/x86.h>
#include <lib/string.h>

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITABLE (1ull << 1)
#define PTE_LARGE (1ull << 7)
#define PTE_FLAGS (PTE_PRESENT | PTE_WRITABLE)
#define ENTRIES 512ull
#define SIZE_2M (1ull << 21)
#define SIZE_1G (1ull << 30)
#define SIZE_512G (1ull << 39)

static uint64_t *table_alloc(struct page_pool *pool)
{
	uint64_t phys = page_alloc(pool, 1, 1);

	if (phys == 0 || phys >= 4 * SIZE_1G)
		hv_panic("out of memory for page tables");
	memset((void *)phys, 0, PAGE_SIZE);
	return (uint64_t *)phys;
}

/* The highest address hv must reach: RAM, MMIO the map lists, the framebuffer. */
static uint64_t memory_top(const struct boot_info *bi)
{
	uint64_t top = 4 * SIZE_1G, fb_end = bi->fb.base + bi->fb.size;

	for (uint32_t i = 0; i < bi->mem_region_count; i++) {
		uint64_t end = bi->mem[i].base + bi->mem[i].size;

		if (end > top)
			top = end;
	}
	if (bi->fb.base != 0 && fb_end > top && fb_end > bi->fb.base)
		top = fb_end;
	return (top + SIZE_1G - 1) & ~(SIZE_1G - 1);
}

/* Fills one page directory pointer table covering 512 GiB from `base`. */
static void fill_pdpt(uint64_t *pdpt, uint64_t base, uint64_t top, bool gib_pages,
		      struct page_pool *pool)
{
	for (uint64_t i = 0; i < ENTRIES && base + i * SIZE_1G < top; i++) {
		uint64_t addr = base + i * SIZE_1G;
		uint64_t *pd;

		if (gib_pages) {
			pdpt[i] = addr | PTE_FLAGS | PTE_LARGE;
			continue;
		}
		pd = table_alloc(pool);
		for (uint64_t j = 0; j < ENTRIES; j++)
			pd[j] = (addr + j * SIZE_2M) | PTE_FLAGS | PTE_LARGE;
		pdpt[i] = (uint64_t)pd | PTE_FLAGS;
	}
}

uint64_t paging_build(const struct boot_info *bi, struct page_pool *pool)
{
	bool gib_pages = (cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_PAGE1GB) != 0;
	uint64_t top = memory_top(bi);
	uint64_t *pml4 = table_alloc(pool);

	if (top > ENTRIES * SIZE_512G)
		hv_panic("physical memory above 256 TiB is not supported");
	for (uint64_t i = 0; i * SIZE_512G < top; i++) {
		uint64_t *pdpt = table_alloc(pool);

		fill_pdpt(pdpt, i * SIZE_512G, top, gib_pages, pool);
		pml4[i] = (uint64_t)pdpt | PTE_FLAGS;
	}
	log_info("paging: identity map of %llu GiB with %s pages",
		 (unsigned long long)(top / SIZE_1G), gib_pages ? "1 GiB" : "2 MiB");
	return (uint64_t)pml4;
}
