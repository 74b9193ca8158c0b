/*
 * hv's own page tables: an identity map of physical memory, so hv reaches
 * any RAM, its own image (wherever the loader put it), ACPI tables and
 * device registers by their physical addresses.  Built once on the BSP;
 * every CPU loads the same CR3.  Kept below 4 GiB so the AP trampoline
 * can load it while still in 32-bit code.
 */
#ifndef HV_PAGING_H
#define HV_PAGING_H

#include <hv/boot_info.h>
#include <stdint.h>

#include <mem/page_alloc.h>

/* Builds the map covering [0, max(4 GiB, top of memory)); returns its CR3. */
uint64_t paging_build(const struct boot_info *bi, struct page_pool *pool);

#endif
