/*
 * A fake PCI bus behind pci_host_read/pci_host_write (the interface
 * hv/pci/pci_host.c implements on hardware), for host tests and fuzz
 * targets of hv/pci.  Each function has a 4 KiB configuration space that
 * behaves as PCI Local Bus 3.0 chapter 6 says hardware does: vendor,
 * device, class, header type, subsystem and capability pointer are read
 * only, the status register is write-one-to-clear, a BAR keeps its type
 * bits and only the address bits above its size (so sizing works),
 * 0x40 and up is plain read/write.  Every access hv makes is recorded.
 */
#ifndef HV_FAKE_PCI_H
#define HV_FAKE_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include <hv/config_desc.h>

#define FAKE_PCI_MAX 64u
#define FAKE_PCI_ACCESSES 4096u

enum fake_bar_kind {
	FAKE_BAR_MEM32,
	FAKE_BAR_MEM64,        /* takes this slot and the next */
	FAKE_BAR_MEM64_PREFETCH,
	FAKE_BAR_IO,
};

struct fake_pci_function {
	hvcfg_bdf bdf;
	uint8_t config[4096];
	uint64_t bar_size[6];   /* per slot; a 64-bit BAR's size in its first slot */
	bool bar_upper[6];      /* the slot is the upper half of the BAR before */
};

struct fake_pci_access {
	hvcfg_bdf bdf;
	uint16_t reg;
	uint8_t size;
	bool write;
	uint32_t value;
};

extern struct fake_pci_function fake_pci[FAKE_PCI_MAX];
extern uint32_t fake_pci_count;
/* The accesses since the last reset or fake_pci_forget (the first FAKE_PCI_ACCESSES). */
extern struct fake_pci_access fake_pci_accesses[FAKE_PCI_ACCESSES];
extern uint32_t fake_pci_access_count;

/* An empty bus; hv's function table and every partition's address latch emptied too. */
void fake_pci_reset(void);

/* A type-0 function (header type 0x80 with multi). */
struct fake_pci_function *fake_pci_add(hvcfg_bdf bdf, uint16_t vendor_id, uint16_t device_id,
				       uint32_t class_code, bool multi);

/* BAR `slot` of f at base with size bytes (a power of two). */
void fake_pci_bar(struct fake_pci_function *f, uint32_t slot, enum fake_bar_kind kind,
		  uint64_t base, uint64_t size);

/* The fake function at bdf, or NULL. */
struct fake_pci_function *fake_pci_find(hvcfg_bdf bdf);

/* The fake's own configuration register, without going through hv. */
uint32_t fake_pci_peek(const struct fake_pci_function *f, uint16_t reg, uint8_t size);

/*
 * hv's start-up on this bus (pci_init): enumeration, which sizes every
 * BAR, then each function in owners[] (count n) is assigned to its
 * partition through a configuration whose partition p lists it, as
 * hv.cfg's `pci` keys do.  Returns pci_init's result (-1: the
 * configuration was refused, logged).  With _ecam, ACPI tables describe
 * an ECAM window at ecam_base for buses start_bus-end_bus, which hv then
 * registers as emulated MMIO (fake_mmio).  The accesses are forgotten after.
 */
struct fake_pci_owner {
	hvcfg_bdf bdf;
	uint32_t partition;
};
int fake_pci_start(const struct fake_pci_owner *owners, uint32_t n);
int fake_pci_start_ecam(const struct fake_pci_owner *owners, uint32_t n, uint64_t ecam_base,
			uint8_t start_bus, uint8_t end_bus);

/* Forgets the recorded accesses. */
void fake_pci_forget(void);

#endif
