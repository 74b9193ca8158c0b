/*
 * Creation of the partitions at start-up (partition_create.c); only
 * hv's start-up calls it.
 */
#ifndef HV_PARTITION_CREATE_H
#define HV_PARTITION_CREATE_H

#include <hv/boot_info.h>
#include <hv/config_desc.h>
#include <mem/page_alloc.h>
#include <part/partition.h>

/*
 * Creates every partition of the configuration (RAM block, stage-2 map).
 * Checks first that the machine can satisfy all of them (CPUs, RAM): on
 * any shortfall it logs why and creates none, returning false.
 */
bool partitions_create(const struct boot_info *bi, const struct hvcfg *cfg,
		       struct page_pool *pool);

#endif
