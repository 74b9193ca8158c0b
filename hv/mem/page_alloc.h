/*
 * Physical page allocator over hv's reservation.  A bitmap, one bit per
 * 4 KiB page, stored at the start of the pool it describes.  The
 * allocator only computes addresses and never touches the pages, so it
 * is pure code and unit-tested on the host.  Every CPU may allocate (VMCS,
 * VMCB, stacks), so allocation and freeing take the pool's spin lock.
 */
#ifndef HV_PAGE_ALLOC_H
#define HV_PAGE_ALLOC_H

#include <stdint.h>

#define PAGE_SIZE 4096ull
#define PAGE_SHIFT 12

struct page_pool {
	uint64_t base;     /* physical address of page 0 */
	uint64_t pages;    /* pages described by the bitmap */
	uint64_t free;     /* pages not allocated */
	uint64_t *bitmap;  /* bit set = page in use */
	uint64_t hint;     /* where the next search starts */
	uint32_t lock;     /* 0 free, 1 held */
};

/* Bytes of bitmap needed for a pool of `pages` pages. */
uint64_t page_pool_bitmap_bytes(uint64_t pages);

/*
 * Sets up a pool of `pages` pages at physical `base`, with `bitmap`
 * pointing to page_pool_bitmap_bytes(pages) writable bytes.
 */
void page_pool_init(struct page_pool *pool, uint64_t base, uint64_t pages,
		    uint64_t *bitmap);

/* Marks [phys, phys + count pages) in use, e.g. for the bitmap itself. */
void page_pool_reserve(struct page_pool *pool, uint64_t phys, uint64_t count);

/*
 * Allocates `count` contiguous pages whose address is a multiple of
 * `align` pages (a power of two, 1 for none).  Returns 0 when none fit.
 */
uint64_t page_alloc(struct page_pool *pool, uint64_t count, uint64_t align);

/* Frees pages from page_alloc; returns -1 (and changes nothing) on a bad range. */
int page_free(struct page_pool *pool, uint64_t phys, uint64_t count);

#endif
