/*
 * PCI start-up and ownership: the table of host functions and the ECAM
 * window.  pci_init enumerates (pci_enum.c, through the host
 * configuration access of pci_host.c), then checks and records each
 * configured assignment.
 */
#include <pci/pci.h>
#include <pci/pci_dev.h>

#include <core/console.h>

#define IO_BAR_MIN 0x1000u  /* below: the legacy ISA range, where hv emulates ports */
#define IO_PORTS 0x10000u

struct pci_function pci_functions[PCI_MAX_FUNCTIONS];
uint32_t pci_function_count;
struct pci_ecam pci_ecam;

struct pci_function *pci_find(hvcfg_bdf bdf)
{
	for (uint32_t i = 0; i < pci_function_count; i++) {
		if (pci_functions[i].bdf == bdf)
			return &pci_functions[i];
	}
	return NULL;
}

/* Whether [base, end) touches memory the loader reported as RAM (anyone's, hv's, ACPI's). */
static bool overlaps_host_ram(const struct boot_info *bi, uint64_t base, uint64_t end)
{
	for (uint32_t i = 0; i < bi->mem_region_count && i < BOOT_MAX_MEM_REGIONS; i++) {
		const struct boot_mem_region *r = &bi->mem[i];

		if (r->type != BOOT_MEM_MMIO && r->type != BOOT_MEM_RESERVED &&
		    base < r->base + r->size && r->base < end)
			return true;
	}
	return false;
}

/* Why a sized BAR cannot be given to a partition, or NULL. */
static const char *bad_bar(const struct boot_info *bi, const struct pci_bar *bar)
{
	uint64_t end = bar->base + bar->size, fb_base, fb_size;

	if (bar->bad)
		return "has a BAR that answers sizing with an impossible value";
	if (bar->upper || bar->size == 0)
		return NULL;
	if (bar->io)
		return bar->base >= IO_BAR_MIN && end <= IO_PORTS ? NULL :
		       "has an I/O BAR outside ports 0x1000-0xffff (hv emulates the legacy range)";
	if (end < bar->base || overlaps_host_ram(bi, bar->base, end))
		return "has a memory BAR overlapping host RAM";
	if (pci_ecam.present && bar->base < pci_ecam.base + (((uint64_t)pci_ecam.end_bus + 1) << 20) &&
	    end > pci_ecam.base + ((uint64_t)pci_ecam.start_bus << 20))
		return "has a memory BAR overlapping the ECAM window";
	/* The display hv logs on: a partition would see and overwrite hv's log. */
	if (console_screen_range(&fb_base, &fb_size) && bar->base < fb_base + fb_size &&
	    fb_base < end)
		return "has a memory BAR holding hv's screen console (console = serial gives it away)";
	return NULL;
}

/* Why f cannot be assigned, or NULL. */
static const char *unassignable(const struct boot_info *bi, const struct pci_function *f)
{
	if (f->header_type != 0)
		return "is a bridge (header type 1 or 2), not an endpoint";
	if ((f->class_code >> 16) == PCI_CLASS_BRIDGE)
		return "is a bridge (class 06xxxx), not an endpoint";
	for (uint32_t b = 0; b < f->bar_count; b++) {
		const char *why = bad_bar(bi, &f->bars[b]);

		if (why != NULL)
			return why;
	}
	return NULL;
}

static void log_assigned(const struct pci_function *f, const char *owner)
{
	char bdf[8];

	hvcfg_format_bdf(f->bdf, bdf);
	log_info("pci %s %04x:%04x class %06x assigned to %s", bdf, f->vendor, f->device,
		 f->class_code, owner);
	for (uint32_t b = 0; b < f->bar_count; b++) {
		const struct pci_bar *bar = &f->bars[b];

		if (bar->size != 0)
			log_info("pci %s BAR%u: %s 0x%llx size 0x%llx", bdf, b,
				 bar->io ? "io" : bar->is64 ? "mem64" : "mem32",
				 (unsigned long long)bar->base, (unsigned long long)bar->size);
	}
}

/* Records the owner of each configured device; -1 after logging the first refusal. */
static int assign_all(const struct boot_info *bi, const struct hvcfg *cfg)
{
	for (uint32_t p = 0; p < cfg->partition_count; p++) {
		const struct hvcfg_partition *part = &cfg->partitions[p];

		for (uint32_t d = 0; d < part->pci_count && d < HVCFG_MAX_PCI; d++) {
			struct pci_function *f = pci_find(part->pci[d]);
			const char *why = f == NULL ? "does not exist on this machine" :
					  f->owner != PCI_NO_OWNER ? "is assigned twice" :
					  unassignable(bi, f);
			char bdf[8];

			if (why != NULL) {
				hvcfg_format_bdf(part->pci[d], bdf);
				log_error("config refused: partition %s (line %u): pci %s %s",
					  part->name, part->line, bdf, why);
				return -1;
			}
			f->owner = p;
			log_assigned(f, part->name);
		}
	}
	return 0;
}

int pci_init(const struct boot_info *bi, const struct hvcfg *cfg)
{
	pci_mcfg_find(bi);
	pci_enumerate();
	if (assign_all(bi, cfg) != 0)
		return -1;
	pci_cfg_ecam_register();
	return 0;
}
