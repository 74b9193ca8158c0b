/*
 * Host configuration access (pci_dev.h's pci_host_read/pci_host_write):
 * hv reaches the first 256 bytes of every function through configuration
 * mechanism #1 (ports 0xCF8/0xCFC, one lock for all CPUs since the
 * address latch is global), and the extended space through ECAM when
 * ACPI describes it.  The only hardware access of hv/pci: the host tests
 * link a fake bus in its place (tests/unit/hv_fake_pci.c).
 */
#include <pci/pci_dev.h>

#include <core/spinlock.h>

#include <arch/x86.h>

#define CONFIG_ADDRESS 0xcf8u
#define CONFIG_DATA 0xcfcu
#define CONFIG_ENABLE 0x80000000u
#define ECAM_IDENTITY_LIMIT (4ull << 30) /* hv's identity map always covers this much */

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
