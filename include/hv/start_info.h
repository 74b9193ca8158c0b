/*
 * start_info: what hv tells a partition kernel when it starts it.  hv
 * writes this page at guest-physical START_INFO_GPA and enters the
 * kernel's ELF entry point in 64-bit long mode with RDI = START_INFO_GPA.
 * Versioned like every record that crosses a component boundary.
 *
 * The guest-physical layout below 2 MiB belongs to hv's start-up data:
 *   0x1000 start_info, 0x2000 GDT, 0x3000.. page tables (identity map of
 *   the partition's RAM with 2 MiB pages).  Kernels link at 2 MiB.
 */
#ifndef HV_START_INFO_H
#define HV_START_INFO_H

#include <stdint.h>

#define START_INFO_GPA 0x1000ull
#define START_INFO_SIGNATURE 0x4f464e4954525453ull /* "STRTINFO" */
#define START_INFO_REVISION 2u
#define START_INFO_NAME_LEN 32u
#define START_INFO_CMDLINE_LEN 256u

#define START_INFO_FLAG_ROOT 1u /* this is the root partition */

struct start_info {
	uint64_t signature;     /* START_INFO_SIGNATURE */
	uint32_t revision;      /* START_INFO_REVISION */
	uint32_t size;          /* sizeof(struct start_info) */
	uint32_t flags;         /* START_INFO_FLAG_* */
	uint32_t partition_id;  /* index in hv.cfg order, 0-based */
	uint64_t memory_size;   /* bytes of RAM from GPA 0 */
	uint32_t vp_count;      /* virtual processors of the partition */
	uint32_t reserved;
	char name[START_INFO_NAME_LEN];
	char cmdline[START_INFO_CMDLINE_LEN];
	/*
	 * Revision 2: where the partition's RAM starts in host-physical
	 * memory, which is what its assigned devices see when they DMA
	 * (device address = GPA + dma_base for RAM below 3 GiB).  0 for a
	 * partition without assigned PCI devices: it has nothing to DMA with
	 * and no reason to learn host addresses.
	 */
	uint64_t dma_base;
};

#endif
