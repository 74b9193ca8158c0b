/*
 * Partitions from the configuration: each gets one block of host RAM,
 * mapped from GPA 0 with an MMIO hole below 4 GiB (RAM above 3 GiB moves
 * to 4 GiB; partition_gpa.c translates through that layout), its
 * stage-2 tables and its PCI devices.  Nothing is created unless every
 * partition fits.
 */
#include <part/partition_create.h>

#include <core/console.h>
#include <core/vendor.h>
#include <mem/ram.h>
#include <pci/pci.h>

#include <hv/hypercall.h>
#include <lib/bits.h>
#include <lib/string.h>

struct partition partitions[HVCFG_MAX_PARTITIONS];
uint32_t partition_count;

static const char *map_ram(struct partition *p, struct page_pool *pool)
{
	uint64_t low = p->ram_size < PARTITION_MMIO_HOLE_START ? p->ram_size : PARTITION_MMIO_HOLE_START;

	if (stage2_init(&p->stage2, vendor->stage2, pool) != 0 ||
	    stage2_map(&p->stage2, pool, 0, p->ram_hpa, low, STAGE2_RWX, STAGE2_WB) != 0 ||
	    (p->ram_size > low &&
	     stage2_map(&p->stage2, pool, PARTITION_MMIO_HOLE_END, p->ram_hpa + low, p->ram_size - low,
			STAGE2_RWX, STAGE2_WB) != 0))
		return "out of hv memory for stage-2 tables";
	return NULL;
}

/* What this machine cannot give p, or NULL. */
static const char *check_fits(struct partition *p, const struct boot_info *bi)
{
	if (p->id >= bi->image_count || strcmp(bi->images[p->id].name, p->cfg->name) != 0)
		return "the loader did not hand over its image";
	if (p->cfg->cpu_mask >> bi->cpu_count != 0)
		return "it names CPUs this machine does not have";
	p->ram_hpa = ram_claim(p->cfg->memory_base, p->cfg->memory_size);
	if (p->ram_hpa == 0)
		return p->cfg->memory_base ? "its pinned RAM is not free"
					   : "not enough free RAM in one block";
	return NULL;
}

bool partitions_create(const struct boot_info *bi, const struct hvcfg *cfg,
		       struct page_pool *pool)
{
	const char *problem = NULL;
	uint32_t i;

	ram_init(bi);
	partition_count = cfg->partition_count;
	for (i = 0; i < partition_count && problem == NULL; i++) {
		struct partition *p = &partitions[i];

		*p = (struct partition){ .id = i, .cfg = &cfg->partitions[i] };
		p->image = &bi->images[i];
		p->platform = p->image->kind == BOOT_IMAGE_BZIMAGE ? PLATFORM_PC : PLATFORM_HV_KERNEL;
		p->ram_size = p->cfg->memory_size;
		p->vp_count = bits_count64(p->cfg->cpu_mask);
		problem = check_fits(p, bi);
		if (problem == NULL)
			problem = map_ram(p, pool);
		if (problem == NULL)
			problem = pci_assign(p, pool);
	}
	if (problem != NULL) {
		log_error("config refused: partition %s: %s; no partition started",
			  cfg->partitions[i - 1].name, problem);
		return false;
	}
	for (i = 0; i < partition_count; i++) {
		struct partition *p = &partitions[i];

		log_info("partition %s: %llu MiB at 0x%llx, stage-2 %llu KiB, %u vCPU(s)",
			 p->cfg->name, (unsigned long long)(p->ram_size >> 20),
			 (unsigned long long)p->ram_hpa,
			 (unsigned long long)(p->stage2.table_pages * PAGE_SIZE >> 10), p->vp_count);
		partition_set_state(p, PARTITION_STARTING, HV_EVENT_CREATED);
	}
	return true;
}

struct partition *partition_of_cpu(uint32_t cpu)
{
	for (uint32_t i = 0; i < partition_count; i++) {
		if (partitions[i].cfg->cpu_mask & (1ull << cpu))
			return &partitions[i];
	}
	return NULL;
}
