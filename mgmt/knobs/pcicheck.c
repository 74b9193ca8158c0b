/*
 * pcicheck=bb:dd.f: what the root sees of a device hv assigned to it,
 * through CF8/CFC: vendor and device, BAR0, BAR0's size by the usual
 * sizing dance (all ones, read the mask, restore; decoding off while the
 * BAR holds all ones), and that hv drops a write moving the BAR (the
 * device must stay where hv mapped it for the root).
 */
#include "knobs.h"

#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/pci.h>

#define MIN_BAR_SIZE 0x1000ull
#define MOVE_BY 0x100000u

struct bar {
	uint64_t base;
	bool is64;
};

static struct bar read_bar0(struct pci_bdf d)
{
	uint32_t low = pci_config_read32(d, PCI_BAR0);
	struct bar b = { low & PCI_BAR_MEM_MASK, (low & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 };

	if (b.is64)
		b.base |= (uint64_t)pci_config_read32(d, PCI_BAR0 + 4) << 32;
	return b;
}

/* The size mask read back after writing all ones; restores the BAR. */
static uint64_t bar0_size(struct pci_bdf d, struct bar b)
{
	uint32_t cmd = pci_config_read32(d, PCI_COMMAND_STATUS);
	uint32_t low = pci_config_read32(d, PCI_BAR0), high = 0, mask_low, mask_high = ~0u;

	pci_config_write32(d, PCI_COMMAND_STATUS,
			   cmd & 0xffffu & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	pci_config_write32(d, PCI_BAR0, ~0u);
	mask_low = pci_config_read32(d, PCI_BAR0) & PCI_BAR_MEM_MASK;
	pci_config_write32(d, PCI_BAR0, low);
	if (b.is64) {
		high = pci_config_read32(d, PCI_BAR0 + 4);
		pci_config_write32(d, PCI_BAR0 + 4, ~0u);
		mask_high = pci_config_read32(d, PCI_BAR0 + 4);
		pci_config_write32(d, PCI_BAR0 + 4, high);
	}
	pci_config_write32(d, PCI_COMMAND_STATUS, cmd & 0xffffu);
	return ~((uint64_t)mask_high << 32 | mask_low) + 1;
}

/* Writes BAR0 + MOVE_BY; true if BAR0 still reads its old value. */
static bool move_refused(struct pci_bdf d, uint32_t *seen)
{
	uint32_t low = pci_config_read32(d, PCI_BAR0);

	pci_config_write32(d, PCI_BAR0, low + MOVE_BY);
	*seen = pci_config_read32(d, PCI_BAR0);
	pci_config_write32(d, PCI_BAR0, low);
	return *seen == low;
}

static void pcicheck_run(const char *arg, size_t len)
{
	struct pci_bdf d;
	uint32_t id, seen;
	struct bar b;
	uint64_t size;

	if (!pci_parse_bdf(arg, len, &d)) {
		kprintf("root: pcicheck FAIL bad address '%.*s' (bb:dd.f)\n", (int)len, arg);
		return;
	}
	id = pci_config_read32(d, PCI_VENDOR_DEVICE);
	if ((id & 0xffff) == 0xffff) {
		kprintf("root: pcicheck FAIL no device at %02x:%02x.%x (reads 0x%08x)\n", d.bus,
			d.dev, d.fn, id);
		return;
	}
	b = read_bar0(d);
	kprintf("root: pcicheck %02x:%02x.%x is %04x:%04x, bar0 0x%lx (%s, raw 0x%08x)\n", d.bus,
		d.dev, d.fn, id & 0xffff, id >> 16, b.base, b.is64 ? "64-bit" : "32-bit",
		pci_config_read32(d, PCI_BAR0));
	if (pci_config_read32(d, PCI_BAR0) & PCI_BAR_IO) {
		kputs("root: pcicheck FAIL bar0 is an I/O BAR\n");
		return;
	}
	size = bar0_size(d, b);
	if (size < MIN_BAR_SIZE || (size & (size - 1)) != 0) {
		kprintf("root: pcicheck FAIL bar0 size 0x%lx is not a power of two >= 4 KiB\n", size);
		return;
	}
	if (!move_refused(d, &seen)) {
		kprintf("root: pcicheck FAIL bar0 moved: reads 0x%08x after writing +0x%x\n", seen,
			MOVE_BY);
		return;
	}
	if (read_bar0(d).base != b.base) {
		kprintf("root: pcicheck FAIL bar0 is 0x%lx after the checks, was 0x%lx\n",
			read_bar0(d).base, b.base);
		return;
	}
	kprintf("root: pcicheck ok %04x:%04x bar0 0x%lx size 0x%lx\n", id & 0xffff, id >> 16,
		b.base, size);
}

static void pcicheck_start(const struct knob_env *env)
{
	struct cmdline_word w;

	if (cmdline_find(env->cmdline, "pcicheck", &w))
		pcicheck_run(w.value ? w.value : "", w.value_len);
}

static const struct root_knob pcicheck_knob = { .name = "pcicheck", .start = pcicheck_start };
ROOT_KNOB(pcicheck_knob, 20);
