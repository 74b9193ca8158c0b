/*
 * PCI configuration mechanism #1: write the enable bit, bus, device,
 * function and dword offset to 0xCF8, then access the dword at 0xCFC.
 * One vCPU per kernel today, so the two-step access needs no lock.
 */
#include <kernel/pci.h>
#include <arch/x86.h>

#include <kernel/cmdline.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_CONFIG_ENABLE (1u << 31)

static uint32_t config_address(struct pci_bdf bdf, uint8_t offset)
{
	return PCI_CONFIG_ENABLE | (uint32_t)bdf.bus << 16 | (uint32_t)bdf.dev << 11 |
	       (uint32_t)bdf.fn << 8 | (offset & 0xfcu);
}

uint32_t pci_config_read32(struct pci_bdf bdf, uint8_t offset)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bdf, offset));
	return inl(PCI_CONFIG_DATA);
}

void pci_config_write32(struct pci_bdf bdf, uint8_t offset, uint32_t value)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bdf, offset));
	outl(PCI_CONFIG_DATA, value);
}

/* One hexadecimal field of at most two digits, at most max. */
static bool hex_field(const char *s, size_t len, uint64_t max, uint8_t *out)
{
	uint64_t v;

	if (len == 0 || len > 2 || !cmdline_parse_u64(s, len, 16, &v) || v > max)
		return false;
	*out = (uint8_t)v;
	return true;
}

bool pci_parse_bdf(const char *s, size_t len, struct pci_bdf *out)
{
	const char *dev, *fn;
	size_t dev_len, fn_len;
	size_t bus_len = cmdline_split(s, len, ':', &dev, &dev_len);
	struct pci_bdf bdf;

	if (dev == NULL)
		return false;
	dev_len = cmdline_split(dev, dev_len, '.', &fn, &fn_len);
	if (fn == NULL || !hex_field(s, bus_len, 0xff, &bdf.bus) ||
	    !hex_field(dev, dev_len, 0x1f, &bdf.dev) || !hex_field(fn, fn_len, 7, &bdf.fn))
		return false;
	*out = bdf;
	return true;
}
