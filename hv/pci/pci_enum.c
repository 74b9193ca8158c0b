/*
 * Enumeration of the host's PCI functions at start-up: every device of
 * buses 0-255 (or the buses the ECAM window covers), functions 1-7 only
 * of multi-function devices, and the size of each BAR, found the standard
 * way (save, write all ones, read back, restore) with the function's
 * decoding turned off meanwhile.  Nothing runs on the devices yet.
 */
#include <pci/pci_dev.h>

#include <core/console.h>

#define BAR_ALL_ONES 0xffffffffu

static bool power_of_two(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* Writes all ones to the dword at reg and returns what reads back; restores the original. */
static uint32_t probe_dword(hvcfg_bdf bdf, uint16_t reg, uint32_t original)
{
	uint32_t answer;

	pci_host_write(bdf, reg, 4, BAR_ALL_ONES);
	answer = pci_host_read(bdf, reg, 4);
	pci_host_write(bdf, reg, 4, original);
	return answer;
}

/* Sizes an I/O BAR; devices decoding only 16 address bits read 0 above them. */
static void size_io(struct pci_bar *bar, uint32_t original, uint32_t answer)
{
	uint32_t mask = answer & ~PCI_BAR_IO_FLAGS;

	bar->io = true;
	bar->flags = original & PCI_BAR_IO_FLAGS;
	if (mask == 0)
		return;
	if ((mask >> 16) == 0)
		mask |= 0xffff0000u;
	bar->base = original & ~PCI_BAR_IO_FLAGS;
	bar->size = (uint32_t)(~mask + 1);
}

/* Sizes the BAR in slot s; returns the slots it takes (2 for a 64-bit BAR). */
static uint32_t size_bar(struct pci_function *f, uint32_t s)
{
	uint16_t reg = (uint16_t)(PCI_BAR0 + 4 * s);
	uint32_t original = pci_host_read(f->bdf, reg, 4);
	uint32_t answer = probe_dword(f->bdf, reg, original);
	struct pci_bar *bar = &f->bars[s];
	uint64_t mask;

	if (original & PCI_BAR_IO) {
		size_io(bar, original, answer);
	} else {
		bar->flags = original & PCI_BAR_MEM_FLAGS;
		bar->is64 = (original & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64;
		bar->bad = (original & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_RESERVED ||
			   (bar->is64 && s + 1 >= f->bar_count);
		if (bar->bad)
			return 1;
		mask = answer & ~PCI_BAR_MEM_FLAGS;
		bar->base = original & ~PCI_BAR_MEM_FLAGS;
		if (bar->is64) {
			uint32_t high = pci_host_read(f->bdf, (uint16_t)(reg + 4), 4);

			mask |= (uint64_t)probe_dword(f->bdf, (uint16_t)(reg + 4), high) << 32;
			bar->base |= (uint64_t)high << 32;
			f->bars[s + 1].upper = true;
		} else if (mask != 0) {
			mask |= 0xffffffff00000000ull; /* a 32-bit BAR: no address bits above */
		}
		bar->size = mask == 0 ? 0 : ~mask + 1;
	}
	/* A BAR is a naturally aligned power of two; anything else is a broken answer. */
	if (bar->size != 0 && (!power_of_two(bar->size) || (bar->base & (bar->size - 1))))
		bar->bad = true;
	return bar->is64 ? 2 : 1;
}

static void size_bars(struct pci_function *f)
{
	uint16_t command = (uint16_t)pci_host_read(f->bdf, PCI_COMMAND, 2);
	/* Host bridges keep decoding: some route memory through that bit (Linux does the same). */
	bool toggle = (f->class_code >> 8) != (PCI_CLASS_BRIDGE << 8 | PCI_SUBCLASS_HOST);

	if (toggle)
		pci_host_write(f->bdf, PCI_COMMAND, 2,
			       command & ~(uint32_t)(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (uint32_t s = 0; s < f->bar_count;)
		s += size_bar(f, s);
	if (toggle)
		pci_host_write(f->bdf, PCI_COMMAND, 2, command);
}

static void add_function(hvcfg_bdf bdf, uint32_t id, uint8_t header)
{
	struct pci_function *f;
	char name[8];

	if (pci_function_count == PCI_MAX_FUNCTIONS) {
		hvcfg_format_bdf(bdf, name);
		log_warn("pci %s: more than %u functions, ignored", name, PCI_MAX_FUNCTIONS);
		return;
	}
	f = &pci_functions[pci_function_count++];
	*f = (struct pci_function){
		.bdf = bdf, .vendor = (uint16_t)id, .device = (uint16_t)(id >> 16),
		.class_code = pci_host_read(bdf, PCI_CLASS_REVISION, 4) >> 8,
		.header_type = header & (uint8_t)~PCI_HEADER_MULTI, .owner = PCI_NO_OWNER,
	};
	f->bar_count = f->header_type == 0 ? 6 : f->header_type == 1 ? 2 : 0;
	size_bars(f);
	hvcfg_format_bdf(bdf, name);
	log_debug("pci %s %04x:%04x class %06x", name, f->vendor, f->device, f->class_code);
}

static void scan_device(unsigned bus, unsigned dev)
{
	uint32_t functions = 1;

	for (uint32_t fn = 0; fn < functions; fn++) {
		hvcfg_bdf bdf = PCI_BDF(bus, dev, fn);
		uint32_t id = pci_host_read(bdf, PCI_VENDOR_ID, 4);
		uint8_t header;

		if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
			continue; /* no function here (0 is no valid vendor either) */
		header = (uint8_t)pci_host_read(bdf, PCI_HEADER_TYPE, 1);
		if (fn == 0 && (header & PCI_HEADER_MULTI))
			functions = 8;
		add_function(bdf, id, header);
	}
}

void pci_enumerate(void)
{
	unsigned first = pci_ecam.present ? pci_ecam.start_bus : 0;
	unsigned last = pci_ecam.present ? pci_ecam.end_bus : 255;

	for (unsigned bus = first; bus <= last; bus++) {
		for (unsigned dev = 0; dev < 32; dev++)
			scan_device(bus, dev);
	}
	log_info("pci: %u functions on buses %02x-%02x", pci_function_count, first, last);
}
