/*
 * A partition's view of PCI configuration space, through ports
 * 0xCF8/0xCFC-0xCFF (one address latch per partition) and through the
 * ECAM window (emulated MMIO).  Only the partition's own functions exist:
 * every other address reads all ones and ignores writes.  On its own
 * functions reads pass through except the BARs (virtual registers: sizing
 * works, moving is refused) and the expansion ROM BAR (reads 0); writes
 * pass through to the command register and the device-specific area
 * (0x40 and up) and are dropped elsewhere in the header.
 */
#include <pci/pci.h>
#include <pci/pci_dev.h>

#include <core/console.h>
#include <emul/mmio.h>
#include <part/partition.h>

/* CONFIG_ADDRESS (0xCF8): enable 31, bus 23:16, device 15:11, function 10:8, register 7:2. */
#define CF8_PORT 0xcf8u
#define CFC_PORT 0xcfcu
#define CF8_ENABLE 0x80000000u
#define CF8_WRITABLE 0x80fffffcu
#define CF8_BDF(latch) ((hvcfg_bdf)((latch) >> 8))
#define CF8_REG(latch) ((uint16_t)((latch) & 0xfcu))
#define ALL_ONES 0xffffffffu

static uint32_t cf8_latch[HVCFG_MAX_PARTITIONS];

static uint32_t size_mask(uint8_t size)
{
	return size >= 4 ? ALL_ONES : (1u << (8 * size)) - 1;
}

/* Only naturally aligned 1-, 2- and 4-byte accesses inside one function's space. */
static bool access_ok(uint16_t reg, uint8_t size)
{
	return (size == 1 || size == 2 || size == 4) && (reg & (size - 1)) == 0 &&
	       reg + size <= PCI_ECAM_SIZE;
}

/* What the owner reads from BAR slot s: the real address, or the size mask while sizing. */
static uint32_t bar_read(const struct pci_function *f, uint32_t s)
{
	const struct pci_bar *bar = &f->bars[s];
	const struct pci_bar *whole = bar->upper ? &f->bars[s - 1] : bar;
	uint64_t value;

	if (whole->size == 0)
		return 0; /* not implemented: hardwired to zero */
	value = bar->sizing ? ~(whole->size - 1) : whole->base;
	if (bar->upper)
		return (uint32_t)(value >> 32);
	return ((uint32_t)value & ~(whole->io ? PCI_BAR_IO_FLAGS : PCI_BAR_MEM_FLAGS)) |
	       whole->flags;
}

/* A write to BAR slot s: all ones starts sizing; anything else is dropped (never moved). */
static void bar_write(struct pci_function *f, uint32_t s, uint32_t value)
{
	struct pci_bar *bar = &f->bars[s];
	const struct pci_bar *whole = bar->upper ? &f->bars[s - 1] : bar;
	uint32_t flag_bits = bar->upper ? 0 : whole->io ? PCI_BAR_IO_FLAGS : PCI_BAR_MEM_FLAGS;
	uint32_t current;
	char bdf[8];

	bar->sizing = whole->size != 0 && (value | flag_bits) == ALL_ONES;
	if (bar->sizing || whole->size == 0)
		return;
	current = bar_read(f, s);
	if ((value & ~flag_bits) != (current & ~flag_bits) && !bar->move_logged) {
		bar->move_logged = true;
		hvcfg_format_bdf(f->bdf, bdf);
		log_info("pci %s: partition %u tried to move BAR%u (0x%x); refused", bdf, f->owner,
			 bar->upper ? s - 1 : s, value);
	}
}

/* Slot of the BAR dword at reg, or -1. */
static int bar_slot(const struct pci_function *f, uint16_t dword)
{
	if (dword < PCI_BAR0 || dword >= PCI_BAR0 + 4 * f->bar_count)
		return -1;
	return (dword - PCI_BAR0) / 4;
}

static uint32_t header_dword(const struct pci_function *f, uint16_t dword)
{
	int slot = bar_slot(f, dword);

	if (slot >= 0)
		return bar_read(f, (uint32_t)slot);
	if (dword == PCI_ROM_TYPE0)
		return 0; /* no expansion ROM: hv maps none */
	return pci_host_read(f->bdf, dword, 4);
}

static struct pci_function *owned(uint32_t partition_id, hvcfg_bdf bdf)
{
	struct pci_function *f = pci_find(bdf);

	return f != NULL && f->owner == partition_id ? f : NULL;
}

uint32_t pci_cfg_read(uint32_t partition_id, hvcfg_bdf bdf, uint16_t reg, uint8_t size)
{
	struct pci_function *f = owned(partition_id, bdf);

	if (f == NULL || !access_ok(reg, size))
		return size_mask(size);
	if (reg >= PCI_HEADER_END)
		return pci_host_read(bdf, reg, size);
	return (header_dword(f, reg & 0xfcu) >> (8 * (reg & 3))) & size_mask(size);
}

/* Header writes: the command register passes, BARs are virtual, the rest is dropped. */
static void header_write(struct pci_function *f, uint16_t reg, uint8_t size, uint32_t value)
{
	uint16_t dword = reg & 0xfcu;
	int slot = bar_slot(f, dword);
	uint32_t shift = 8 * (reg & 3u), merged;

	if (dword == PCI_COMMAND) {
		if (reg < PCI_STATUS)
			pci_host_write(f->bdf, reg, size == 4 ? 2 : size, value & 0xffffu);
		return; /* the status register (RW1C) stays hv's */
	}
	if (slot < 0)
		return;
	merged = bar_read(f, (uint32_t)slot) & ~(size_mask(size) << shift);
	bar_write(f, (uint32_t)slot, merged | (value & size_mask(size)) << shift);
}

void pci_cfg_write(uint32_t partition_id, hvcfg_bdf bdf, uint16_t reg, uint8_t size,
		   uint32_t value)
{
	struct pci_function *f = owned(partition_id, bdf);

	if (f == NULL || !access_ok(reg, size))
		return;
	if (reg >= PCI_HEADER_END)
		pci_host_write(bdf, reg, size, value);
	else
		header_write(f, reg, size, value);
}

bool pci_port_claims(uint16_t port, uint8_t size)
{
	return (port == CF8_PORT && size == 4) || (port >= CFC_PORT && port < CFC_PORT + 4);
}

uint32_t pci_port_read(struct partition *p, uint16_t port, uint8_t size)
{
	uint32_t latch = cf8_latch[p->id];
	uint16_t offset = port - CFC_PORT;

	if (port == CF8_PORT)
		return latch;
	if (!(latch & CF8_ENABLE) || offset + size > 4)
		return size_mask(size);
	return pci_cfg_read(p->id, CF8_BDF(latch), CF8_REG(latch) | offset, size);
}

void pci_port_write(struct partition *p, uint16_t port, uint8_t size, uint32_t value)
{
	uint32_t latch = cf8_latch[p->id];
	uint16_t offset = port - CFC_PORT;

	if (port == CF8_PORT)
		cf8_latch[p->id] = value & CF8_WRITABLE;
	else if ((latch & CF8_ENABLE) && offset + size <= 4)
		pci_cfg_write(p->id, CF8_BDF(latch), CF8_REG(latch) | offset, size, value);
}

void pci_cfg_restart(uint32_t partition_id)
{
	cf8_latch[partition_id] = 0;
	for (uint32_t i = 0; i < pci_function_count; i++) {
		struct pci_function *f = &pci_functions[i];
		uint32_t command;

		if (f->owner != partition_id)
			continue;
		for (uint32_t s = 0; s < PCI_BARS; s++)
			f->bars[s].sizing = false;
		command = pci_host_read(f->bdf, PCI_COMMAND, 2);
		if (command & PCI_COMMAND_MASTER)
			pci_host_write(f->bdf, PCI_COMMAND, 2, command & ~PCI_COMMAND_MASTER);
	}
}

/*
 * A qword is served as two dwords only when each would be served alone, so
 * one at 0xffc (its second half past the function's 4 KiB) is refused whole
 * like every other access outside the rules, not half answered.
 */
static bool ecam_qword_ok(uint16_t reg)
{
	return access_ok(reg, 4) && access_ok((uint16_t)(reg + 4), 4);
}

/* ECAM: address = base + bus << 20 | device << 15 | function << 12 | register. */
static uint64_t ecam_read(struct vcpu *v, uint64_t gpa, uint8_t size)
{
	uint64_t offset = gpa - pci_ecam.base;
	hvcfg_bdf bdf = (hvcfg_bdf)(offset >> 12);
	uint16_t reg = (uint16_t)(offset & (PCI_ECAM_SIZE - 1));
	uint32_t id = v->partition->id;

	if (size != 8)
		return pci_cfg_read(id, bdf, reg, size);
	if (!ecam_qword_ok(reg))
		return ~0ull;
	/* two dwords, as a PCIe root complex splits a qword */
	return pci_cfg_read(id, bdf, reg, 4) |
	       (uint64_t)pci_cfg_read(id, bdf, (uint16_t)(reg + 4), 4) << 32;
}

static void ecam_write(struct vcpu *v, uint64_t gpa, uint8_t size, uint64_t value)
{
	uint64_t offset = gpa - pci_ecam.base;
	hvcfg_bdf bdf = (hvcfg_bdf)(offset >> 12);
	uint16_t reg = (uint16_t)(offset & (PCI_ECAM_SIZE - 1));
	uint32_t id = v->partition->id;

	if (size != 8) {
		pci_cfg_write(id, bdf, reg, size, (uint32_t)value);
	} else if (ecam_qword_ok(reg)) {
		pci_cfg_write(id, bdf, reg, 4, (uint32_t)value);
		pci_cfg_write(id, bdf, (uint16_t)(reg + 4), 4, (uint32_t)(value >> 32));
	}
}

void pci_cfg_ecam_register(void)
{
	uint64_t first = pci_ecam.base + ((uint64_t)pci_ecam.start_bus << 20);
	uint64_t size = ((uint64_t)pci_ecam.end_bus - pci_ecam.start_bus + 1) << 20;

	if (pci_ecam.present && mmio_register(first, size, ecam_read, ecam_write) != 0)
		log_warn("pci: ECAM window not emulated (no MMIO range left)");
}
