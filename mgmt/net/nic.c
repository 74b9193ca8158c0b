/*
 * Finding the root's NIC and what its drivers share: the driver table,
 * the scan of bus 0 (hv shows the root only the functions hv.cfg's `pci`
 * gives it, so the first function a driver claims, or the one hv.cfg's
 * [management] nic chooses, is the card), PCI command and BAR reads,
 * uncached mapping of registers, bounded waits.
 */
#include "nic.h"

#include <arch/x86.h>
#include <kernel/console.h>
#include <kernel/paging.h>
#include <kernel/time.h>
#include <lib/format.h>

#define LARGE_2M (2ull << 20)

/* Tried in order; each claims its own ids, so the order only matters for clarity. */
static const struct nic_driver *const drivers[] = {
	&e1000_driver,
	&e1000e_driver,
	&virtio_net_driver,
};

static const struct nic_id *claimed(const struct nic_driver *drv, uint32_t id)
{
	for (const struct nic_id *i = drv->ids; i->vendor != 0; i++) {
		if (i->vendor == (id & 0xffffu) && i->device == id >> 16)
			return i;
	}
	return NULL;
}

static const struct nic_driver *match(struct pci_bdf bdf, struct nic_device *dev)
{
	uint32_t id = pci_config_read32(bdf, PCI_VENDOR_DEVICE);

	if ((id & 0xffffu) == 0xffffu)
		return NULL;
	for (size_t d = 0; d < sizeof(drivers) / sizeof(drivers[0]); d++) {
		const struct nic_id *i = claimed(drivers[d], id);

		if (i != NULL) {
			dev->bdf = bdf;
			dev->vendor = i->vendor;
			dev->device = i->device;
			dev->model = i->model;
			return drivers[d];
		}
	}
	return NULL;
}

/* hv.cfg's nic choice as it was written: "virtio", "00:03.0", "virtio 00:03.0". */
static void choice_text(const struct hv_mgmt_config *cfg, char *buf, size_t size)
{
	const char *name = "";

	for (size_t d = 0; d < sizeof(drivers) / sizeof(drivers[0]); d++) {
		if (drivers[d]->config_id == cfg->nic_driver)
			name = drivers[d]->config_name;
	}
	if (cfg->nic_flags & HV_MGMT_NIC_BY_ADDRESS)
		fmt_snprintf(buf, size, "%s%s%02x:%02x.%x", name, name[0] ? " " : "",
			     cfg->nic_bdf >> 8, (cfg->nic_bdf >> 3) & 0x1f, cfg->nic_bdf & 7);
	else
		fmt_snprintf(buf, size, "%s", name);
}

/* Whether the card drv claimed at bdf is the one hv.cfg chooses (any, without a choice). */
static bool chosen(const struct hv_mgmt_config *cfg, const struct nic_driver *drv,
		   struct pci_bdf bdf)
{
	uint16_t packed = (uint16_t)(bdf.bus << 8 | bdf.dev << 3 | bdf.fn);

	if (cfg->nic_driver != HV_MGMT_NIC_ANY && cfg->nic_driver != drv->config_id)
		return false;
	return !(cfg->nic_flags & HV_MGMT_NIC_BY_ADDRESS) || cfg->nic_bdf == packed;
}

const struct nic_driver *nic_probe(uint64_t dma_base, const struct hv_mgmt_config *cfg,
				   struct nic_device *dev)
{
	char choice[32];

	/*
	 * dma_base 0: hv gave the root no device to DMA with.  The rings are in
	 * the image (linked at 2 MiB), far below 3 GiB where RAM stops being at
	 * dma_base + GPA.
	 */
	if (dma_base == 0) {
		kputs("root: net: no DMA base for the root (dma_base 0): no NIC usable\n");
		return NULL;
	}
	dev->dma_offset = dma_base;
	choice_text(cfg, choice, sizeof(choice));
	for (uint8_t slot = 0; slot < 32; slot++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			struct pci_bdf bdf = { 0, slot, fn };
			const struct nic_driver *drv = match(bdf, dev);

			if (drv != NULL && chosen(cfg, drv, bdf))
				return drv;
			if (drv != NULL)
				kprintf("root: net: passing over %s at %02x:%02x.%x (%s): "
					"hv.cfg's [management] nic is '%s'\n", drv->name, bdf.bus,
					bdf.dev, bdf.fn, dev->model, choice);
		}
	}
	if (choice[0] != '\0')
		kprintf("root: net: no card of the root's on bus 0 is hv.cfg's [management] "
			"nic '%s'\n", choice);
	else
		kputs("root: net: no supported NIC among the root's PCI functions on bus 0 "
		      "(82540EM 8086:100e, 82574L 8086:10d3, virtio-net 1af4:1041)\n");
	return NULL;
}

void nic_pci_enable(struct pci_bdf bdf)
{
	uint32_t cmd = pci_config_read32(bdf, PCI_COMMAND_STATUS) & 0xffffu;

	pci_config_write32(bdf, PCI_COMMAND_STATUS,
			   cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

uint64_t nic_pci_bar(struct pci_bdf bdf, unsigned int index)
{
	uint8_t reg = (uint8_t)(PCI_BAR0 + 4 * index);
	uint32_t bar = pci_config_read32(bdf, reg);
	uint64_t base = bar & PCI_BAR_MEM_MASK;

	if (index > 5 || (bar & PCI_BAR_IO))
		return 0;
	if ((bar & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 && index < 5)
		base |= (uint64_t)pci_config_read32(bdf, (uint8_t)(reg + 4)) << 32;
	return base;
}

volatile uint8_t *nic_map_mmio(uint64_t base, uint64_t size)
{
	if (base == 0 || size == 0)
		return NULL;
	for (uint64_t page = base & ~(LARGE_2M - 1); page < base + size; page += LARGE_2M) {
		if (paging_map_uncached_2m(page) == NULL)
			return NULL;
	}
	return (volatile uint8_t *)(uintptr_t)base;
}

bool nic_wait(bool (*done)(void *ctx), void *ctx, uint64_t timeout_ms)
{
	uint64_t start = tsc_read(), limit = tsc_hz() / 1000 * timeout_ms;

	while (!done(ctx)) {
		if (tsc_read() - start > limit)
			return false;
		cpu_relax();
	}
	return true;
}
