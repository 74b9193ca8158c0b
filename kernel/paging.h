/*
 * Additions to the identity map hv builds for a partition (CR3 = 0x3000,
 * 2 MiB pages over its RAM).  Used to reach a GPA hv did not give the
 * partition, on purpose (the stage-2 isolation test and crash=unmapped),
 * and by the root to reach the MMIO registers of its devices.
 */
#ifndef KERNEL_PAGING_H
#define KERNEL_PAGING_H

#include <stdint.h>

/*
 * Maps the 2 MiB page containing gpa at the same virtual address (writable)
 * and returns a pointer to gpa, or NULL if the page-table pool is exhausted
 * or a 1 GiB page already covers it.
 */
volatile void *paging_map_identity_2m(uint64_t gpa);
/*
 * The same, uncached: for device registers (a BAR), whose reads and writes
 * must reach the device in program order and never be combined.
 */
volatile void *paging_map_uncached_2m(uint64_t gpa);

#endif
