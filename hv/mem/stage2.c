/*
 * The stage-2 table builder (see stage2.h).  Tables are allocated from
 * hv's page pool and zeroed; entries are encoded by the backend's
 * stage2_format.  Mapping an already-mapped page is refused, so a bug in
 * partition layout cannot silently alias two partitions' memory.
 */
#include <mem/stage2.h>

#include <lib/string.h>

#define ENTRIES 512u
#define LEVEL_SHIFT(level) (12u + 9u * ((level) - 1u))
#define SIZE_2M (1ull << 21)
#define ADDR_MASK 0x000ffffffffff000ull
#define ENTRY_LARGE (1ull << 7) /* page-size bit: same place in EPT and NPT */

static uint64_t *table_new(struct stage2 *s2, struct page_pool *pool)
{
	uint64_t phys = page_alloc(pool, 1, 1);

	if (phys == 0)
		return NULL;
	memset((void *)phys, 0, PAGE_SIZE);
	s2->table_pages++;
	return (uint64_t *)phys;
}

int stage2_init(struct stage2 *s2, const struct stage2_format *fmt, struct page_pool *pool)
{
	uint64_t *root;

	s2->fmt = fmt;
	s2->table_pages = 0;
	root = table_new(s2, pool);
	s2->root = (uint64_t)root;
	return root != NULL ? 0 : -1;
}

/* The table entry points to, created when absent; NULL when out of pages or a leaf. */
static uint64_t *next_table(struct stage2 *s2, struct page_pool *pool, uint64_t *entry)
{
	uint64_t *table;

	if (s2->fmt->present(*entry))
		return (*entry & ENTRY_LARGE) ? NULL : (uint64_t *)(*entry & ADDR_MASK);
	table = table_new(s2, pool);
	if (table != NULL)
		*entry = s2->fmt->table((uint64_t)table);
	return table;
}

/* Maps one page of the given level (1 = 4 KiB, 2 = 2 MiB). */
static int map_page(struct stage2 *s2, struct page_pool *pool, uint64_t gpa, uint64_t hpa,
		    unsigned level, unsigned perms, enum stage2_memtype type)
{
	uint64_t *table = (uint64_t *)s2->root;

	for (unsigned l = 4; l > level; l--) {
		uint64_t *entry = &table[(gpa >> LEVEL_SHIFT(l)) % ENTRIES];

		table = next_table(s2, pool, entry);
		if (table == NULL)
			return -1;
	}
	table = &table[(gpa >> LEVEL_SHIFT(level)) % ENTRIES];
	if (s2->fmt->present(*table))
		return -1;
	*table = s2->fmt->leaf(hpa, perms, type, level);
	return 0;
}

int stage2_map(struct stage2 *s2, struct page_pool *pool, uint64_t gpa, uint64_t hpa,
	       uint64_t size, unsigned perms, enum stage2_memtype type)
{
	uint64_t done = 0;

	if ((gpa | hpa | size) & (PAGE_SIZE - 1))
		return -1;
	while (done < size) {
		bool large = ((gpa + done) % SIZE_2M) == 0 && ((hpa + done) % SIZE_2M) == 0 &&
			     size - done >= SIZE_2M;
		uint64_t step = large ? SIZE_2M : PAGE_SIZE;

		if (map_page(s2, pool, gpa + done, hpa + done, large ? 2 : 1, perms, type) != 0)
			return -1;
		done += step;
	}
	return 0;
}

/*
 * The level-1 entry for gpa, or NULL when no 4 KiB table covers it;
 * *span is the size of the region that entry or the missing table covers.
 */
static uint64_t *leaf_entry(struct stage2 *s2, uint64_t gpa, uint64_t *span)
{
	uint64_t *table = (uint64_t *)s2->root;

	for (unsigned l = 4; l > 1; l--) {
		uint64_t e = table[(gpa >> LEVEL_SHIFT(l)) % ENTRIES];

		*span = 1ull << LEVEL_SHIFT(l);
		if (!s2->fmt->present(e) || (e & ENTRY_LARGE))
			return NULL;
		table = (uint64_t *)(e & ADDR_MASK);
	}
	*span = PAGE_SIZE;
	return &table[(gpa >> LEVEL_SHIFT(1)) % ENTRIES];
}

/* Skips what no table covers, so a whole window (64 GiB) is cleared in a few steps. */
void stage2_unmap(struct stage2 *s2, uint64_t gpa, uint64_t size)
{
	uint64_t off = 0, span;

	while (off < size) {
		uint64_t *e = leaf_entry(s2, gpa + off, &span);

		if (e != NULL)
			__atomic_store_n(e, 0, __ATOMIC_RELEASE);
		off += span - ((gpa + off) & (span - 1));
	}
}
