/*
 * Identity-maps extra 2 MiB pages in the partition's own page tables.
 * Walks from CR3; a missing PDPT or PD comes from a small pool of zeroed
 * pages in .bss (identity-mapped, so their address is their GPA).
 */
#include <kernel/paging.h>

#include <arch/x86.h>
#include <lib/string.h>

#define PAGE_SIZE 4096
#define PTE_PRESENT (1ull << 0)
#define PTE_WRITE (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_LARGE (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull
#define LARGE_2M (2ull << 20)
#define POOL_PAGES 4

static uint64_t pool[POOL_PAGES][PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));
static unsigned int pool_used;

/* The table an entry points to, creating it if absent; NULL on failure. */
static uint64_t *next_table(uint64_t *entry)
{
	uint64_t *table;

	if (*entry & PTE_PRESENT)
		return (*entry & PTE_LARGE) ? NULL : (uint64_t *)(*entry & PTE_ADDR);
	if (pool_used == POOL_PAGES)
		return NULL;
	table = pool[pool_used++];
	memset(table, 0, PAGE_SIZE);
	*entry = (uint64_t)table | PTE_PRESENT | PTE_WRITE;
	return table;
}

static volatile void *map_2m(uint64_t gpa, uint64_t attributes)
{
	uint64_t page = gpa & ~(LARGE_2M - 1);
	uint64_t *pml4 = (uint64_t *)(read_cr3() & PTE_ADDR);
	uint64_t *pdpt, *pd;

	pdpt = next_table(&pml4[(page >> 39) & 511]);
	if (pdpt == NULL)
		return NULL;
	pd = next_table(&pdpt[(page >> 30) & 511]);
	if (pd == NULL)
		return NULL;
	pd[(page >> 21) & 511] = page | PTE_PRESENT | PTE_WRITE | PTE_LARGE | attributes;
	__asm__ volatile("invlpg (%0)" : : "r"(page) : "memory");
	return (volatile void *)gpa;
}

volatile void *paging_map_identity_2m(uint64_t gpa)
{
	return map_2m(gpa, 0);
}

/* PCD|PWT selects PAT entry 3, uncacheable with the reset PAT. */
volatile void *paging_map_uncached_2m(uint64_t gpa)
{
	return map_2m(gpa, PTE_PCD | PTE_PWT);
}
