/*
 * Stage-2 (guest-physical to host-physical) page tables: one builder in
 * the core, with the entry encodings supplied by the backend (EPT for
 * VT-x, NPT for AMD-V).  Both are 4-level radix trees over 48-bit
 * addresses with 512 entries per 4 KiB table; only the bits of an entry
 * differ.
 */
#ifndef HV_STAGE2_H
#define HV_STAGE2_H

#include <stdbool.h>
#include <stdint.h>

#include <mem/page_alloc.h>

#define STAGE2_READ 1u
#define STAGE2_WRITE 2u
#define STAGE2_EXEC 4u
#define STAGE2_RWX (STAGE2_READ | STAGE2_WRITE | STAGE2_EXEC)

enum stage2_memtype {
	STAGE2_WB, /* RAM */
	STAGE2_UC, /* device memory */
};

struct stage2_format {
	/* An entry pointing to the next-level table at table_hpa. */
	uint64_t (*table)(uint64_t table_hpa);
	/* A leaf mapping hpa; level 1 = 4 KiB page, 2 = 2 MiB page. */
	uint64_t (*leaf)(uint64_t hpa, unsigned perms, enum stage2_memtype type,
			 unsigned level);
	/* Whether an entry is present (any permission or the present bit). */
	bool (*present)(uint64_t entry);
};

struct stage2 {
	uint64_t root;                    /* host-physical address of the top table */
	const struct stage2_format *fmt;
	uint64_t table_pages;             /* tables allocated, for accounting */
};

int stage2_init(struct stage2 *s2, const struct stage2_format *fmt, struct page_pool *pool);

/*
 * Maps [gpa, gpa + size) to [hpa, hpa + size), all 4 KiB aligned, with
 * 2 MiB pages where both sides allow.  Returns 0, or -1 when out of pages
 * or when a range is already mapped.
 */
int stage2_map(struct stage2 *s2, struct page_pool *pool, uint64_t gpa, uint64_t hpa,
	       uint64_t size, unsigned perms, enum stage2_memtype type);

/*
 * Removes the 4 KiB mappings of [gpa, gpa + size); tables stay allocated
 * (they are reused by the next mapping).  The caller flushes the
 * partition's cached translations (vendor->stage2_flush).
 */
void stage2_unmap(struct stage2 *s2, uint64_t gpa, uint64_t size);

#endif
