/*
 * PCI start-up and host configuration access.  hv reaches the first 256
 * bytes of every function through configuration mechanism #1 (ports
 * 0xCF8/0xCFC, one lock for all CPUs since the address latch is global),
 * and the extended space through ECAM when ACPI describes it.  pci_init
 * enumerates, then checks and records each configured assignment.
 */
#include <pci/pci.h>
#include <pci/pci_dev.h>

#include <core/console.h>
#include <core/spinlock.h>

#include <arch/x86.h>

#define CONFIG_ADDRESS 0xcf8u
#define CONFIG_DATA 0xcfcu
#define CONFIG_ENABLE 0x80000000u
#define ECAM_IDENTITY_LIMIT (4ull << 30) /* hv's identity map always covers this much */
#define IO_BAR_MIN 0x1000u  /* below: the legacy ISA range, where hv emulates ports */
#define IO_PORTS 0x10000u

struct pci_function pci_functions[PCI_MAX_FUNCTIONS];
uint32_t pci_function_count;
struct pci_ecam pci_ecam;

static struct spinlock cf8_lock;

/* ECAM address of (bdf, reg), or 0 when the window does not cover it or hv cannot reach it. */
static uint64_t ecam_address(hvcfg_bdf bdf, uint16_t reg)
{
	uint64_t addr = pci_ecam.base + ((uint64_t)bdf << 12) + reg;

	if (!pci_ecam.present || PCI_BUS(bdf) < pci_ecam.start_bus ||
	    PCI_BUS(bdf) > pci_ecam.end_bus || reg >= PCI_ECAM_SIZE ||
	    addr + 4 > ECAM_IDENTITY_LIMIT)
		return 0;
	return addr;
}

uint32_t pci_host_read(hvcfg_bdf bdf, uint16_t reg, uint8_t size)
{
	uint16_t port = (uint16_t)(CONFIG_DATA + (reg & 3));
	uint64_t ecam;
	uint32_t value;

	if (reg >= PCI_CONFIG_SIZE) {
		ecam = ecam_address(bdf, reg);
		if (ecam == 0)
			return 0xffffffffu;
		if (size == 1)
			return *(volatile uint8_t *)ecam;
		return size == 2 ? *(volatile uint16_t *)ecam : *(volatile uint32_t *)ecam;
	}
	spin_lock(&cf8_lock);
	outl(CONFIG_ADDRESS, CONFIG_ENABLE | (uint32_t)bdf << 8 | (reg & 0xfcu));
	value = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	spin_unlock(&cf8_lock);
	return value;
}

void pci_host_write(hvcfg_bdf bdf, uint16_t reg, uint8_t size, uint32_t value)
{
	uint16_t port = (uint16_t)(CONFIG_DATA + (reg & 3));
	uint64_t ecam;

	if (reg >= PCI_CONFIG_SIZE) {
		ecam = ecam_address(bdf, reg);
		if (ecam == 0)
			return;
		if (size == 1)
			*(volatile uint8_t *)ecam = (uint8_t)value;
		else if (size == 2)
			*(volatile uint16_t *)ecam = (uint16_t)value;
		else
			*(volatile uint32_t *)ecam = value;
		return;
	}
	spin_lock(&cf8_lock);
	outl(CONFIG_ADDRESS, CONFIG_ENABLE | (uint32_t)bdf << 8 | (reg & 0xfcu));
	if (size == 1)
		outb(port, (uint8_t)value);
	else if (size == 2)
		outw(port, (uint16_t)value);
	else
		outl(port, value);
	spin_unlock(&cf8_lock);
}

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
