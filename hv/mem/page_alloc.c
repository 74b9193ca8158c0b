/*
 * Bitmap page allocator (see page_alloc.h).  First fit from a rotating
 * hint: allocations are few and mostly at start-up, so simplicity wins
 * over speed; frees are checked so a double free is refused, not silently
 * absorbed.  The lock spins without `pause` so the file stays free of
 * inline assembly and builds for the host unit tests.
 */
#include <mem/page_alloc.h>

#include <lib/string.h>
#include <stdbool.h>

static bool page_used(const struct page_pool *pool, uint64_t i)
{
	return (pool->bitmap[i / 64] >> (i % 64)) & 1;
}

static void mark(struct page_pool *pool, uint64_t first, uint64_t count, bool used)
{
	for (uint64_t i = first; i < first + count; i++) {
		if (used)
			pool->bitmap[i / 64] |= 1ull << (i % 64);
		else
			pool->bitmap[i / 64] &= ~(1ull << (i % 64));
	}
	if (used)
		pool->free -= count;
	else
		pool->free += count;
}

uint64_t page_pool_bitmap_bytes(uint64_t pages)
{
	return (pages + 63) / 64 * sizeof(uint64_t);
}

void page_pool_init(struct page_pool *pool, uint64_t base, uint64_t pages, uint64_t *bitmap)
{
	pool->base = base;
	pool->pages = pages;
	pool->free = pages;
	pool->bitmap = bitmap;
	pool->hint = 0;
	pool->lock = 0;
	memset(bitmap, 0, page_pool_bitmap_bytes(pages));
}

void page_pool_reserve(struct page_pool *pool, uint64_t phys, uint64_t count)
{
	uint64_t first = (phys - pool->base) >> PAGE_SHIFT;

	for (uint64_t i = first; i < first + count && i < pool->pages; i++) {
		if (!page_used(pool, i))
			mark(pool, i, 1, true);
	}
}

/* Length of the run of free pages starting at i, capped at `want`. */
static uint64_t free_run(const struct page_pool *pool, uint64_t i, uint64_t want)
{
	uint64_t n = 0;

	while (n < want && i + n < pool->pages && !page_used(pool, i + n))
		n++;
	return n;
}

static uint64_t align_index(const struct page_pool *pool, uint64_t i, uint64_t align)
{
	uint64_t page = (pool->base >> PAGE_SHIFT) + i;
	uint64_t aligned = (page + align - 1) & ~(align - 1);

	return aligned - (pool->base >> PAGE_SHIFT);
}

static uint64_t search(struct page_pool *pool, uint64_t from, uint64_t to,
		       uint64_t count, uint64_t align)
{
	uint64_t i = align_index(pool, from, align);

	while (i + count <= to) {
		uint64_t run = free_run(pool, i, count);

		if (run == count)
			return i;
		i = align_index(pool, i + run + 1, align);
	}
	return UINT64_MAX;
}

static void pool_lock(struct page_pool *pool)
{
	while (__atomic_exchange_n(&pool->lock, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&pool->lock, __ATOMIC_RELAXED) != 0)
			;
	}
}

static void pool_unlock(struct page_pool *pool)
{
	__atomic_store_n(&pool->lock, 0, __ATOMIC_RELEASE);
}

static uint64_t alloc_locked(struct page_pool *pool, uint64_t count, uint64_t align)
{
	uint64_t i;

	if (count == 0 || count > pool->free || align == 0 || (align & (align - 1)) != 0)
		return 0;
	i = search(pool, pool->hint, pool->pages, count, align);
	if (i == UINT64_MAX)
		i = search(pool, 0, pool->pages, count, align);
	if (i == UINT64_MAX)
		return 0;
	mark(pool, i, count, true);
	pool->hint = i + count;
	return pool->base + (i << PAGE_SHIFT);
}

uint64_t page_alloc(struct page_pool *pool, uint64_t count, uint64_t align)
{
	uint64_t phys;

	pool_lock(pool);
	phys = alloc_locked(pool, count, align);
	pool_unlock(pool);
	return phys;
}

static int free_locked(struct page_pool *pool, uint64_t phys, uint64_t count)
{
	uint64_t first;

	if (phys < pool->base || (phys & (PAGE_SIZE - 1)) != 0 || count == 0)
		return -1;
	first = (phys - pool->base) >> PAGE_SHIFT;
	if (first >= pool->pages || count > pool->pages - first)
		return -1;
	for (uint64_t i = first; i < first + count; i++) {
		if (!page_used(pool, i))
			return -1;
	}
	mark(pool, first, count, false);
	return 0;
}

int page_free(struct page_pool *pool, uint64_t phys, uint64_t count)
{
	int rc;

	pool_lock(pool);
	rc = free_locked(pool, phys, count);
	pool_unlock(pool);
	return rc;
}
