/*
 * PCI configuration space through the legacy ports 0xCF8/0xCFC, as hv
 * presents it to a partition (only its own devices answer; the others
 * read all ones).  Dword accesses only: that is what hv emulates.
 */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_VENDOR_DEVICE 0x00 /* vendor id in bits 15:0, device id in 31:16 */
#define PCI_COMMAND_STATUS 0x04
#define PCI_BAR0 0x10

#define PCI_COMMAND_IO (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)

#define PCI_BAR_IO (1u << 0)
#define PCI_BAR_MEM_TYPE_MASK 0x6u
#define PCI_BAR_MEM_TYPE_64 0x4u
#define PCI_BAR_MEM_MASK (~0xfu)

struct pci_bdf {
	uint8_t bus, dev, fn;
};

/* "bb:dd.f" in hexadecimal (dev < 0x20, fn < 8); false if malformed. */
bool pci_parse_bdf(const char *s, size_t len, struct pci_bdf *out);

uint32_t pci_config_read32(struct pci_bdf bdf, uint8_t offset);
void pci_config_write32(struct pci_bdf bdf, uint8_t offset, uint32_t value);

#endif
