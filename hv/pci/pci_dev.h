/*
 * The PCI subsystem's internal interface between its files: the table of
 * host functions found at start-up, host configuration access, the ECAM
 * window from ACPI and the per-partition filter.  Only hv/pci*.c include
 * this; the rest of hv uses pci.h.
 */
#ifndef HV_PCI_DEV_H
#define HV_PCI_DEV_H

#include <hv/boot_info.h>
#include <hv/config_desc.h>
#include <stdbool.h>
#include <stdint.h>

/* Type-0/1 configuration header (PCI Local Bus 3.0, 6.1). */
#define PCI_VENDOR_ID 0x00u       /* 16 bits; 0xffff: no function */
#define PCI_COMMAND 0x04u         /* 16 bits */
#define PCI_STATUS 0x06u
#define PCI_CLASS_REVISION 0x08u  /* revision 7:0, class code 31:8 */
#define PCI_HEADER_TYPE 0x0eu     /* layout 6:0, multi-function 7 */
#define PCI_BAR0 0x10u            /* six dwords in type 0, two in type 1 */
#define PCI_ROM_TYPE0 0x30u       /* expansion ROM BAR */
#define PCI_SUBORDINATE_BUS 0x1au /* type 1 only */
#define PCI_HEADER_END 0x40u      /* the device-specific area starts here */
#define PCI_CONFIG_SIZE 0x100u    /* reachable through ports 0xCF8/0xCFC */
#define PCI_ECAM_SIZE 0x1000u     /* per function with ECAM */

#define PCI_COMMAND_IO 0x1u
#define PCI_COMMAND_MEMORY 0x2u
#define PCI_COMMAND_MASTER 0x4u
#define PCI_HEADER_MULTI 0x80u
#define PCI_CLASS_BRIDGE 0x06u    /* base class of host, ISA, PCI-to-PCI... bridges */
#define PCI_SUBCLASS_HOST 0x00u

/* BAR low bits (PCI 3.0, 6.2.5.1). */
#define PCI_BAR_IO 0x1u
#define PCI_BAR_TYPE_MASK 0x6u
#define PCI_BAR_TYPE_64 0x4u
#define PCI_BAR_TYPE_RESERVED 0x6u
#define PCI_BAR_MEM_FLAGS 0xfu    /* I/O, type, prefetchable */
#define PCI_BAR_IO_FLAGS 0x3u

#define PCI_MAX_FUNCTIONS 256u
#define PCI_BARS 6u
#define PCI_NO_OWNER 0xffffffffu

#define PCI_BDF(bus, dev, fn) ((hvcfg_bdf)((bus) << 8 | (dev) << 3 | (fn)))
#define PCI_BUS(bdf) ((unsigned)(bdf) >> 8)

/* One BAR slot.  A 64-bit BAR describes itself in its first slot; the next is `upper`. */
struct pci_bar {
	uint64_t base;   /* as the firmware programmed it (hv never moves it) */
	uint64_t size;   /* 0: slot not implemented */
	uint32_t flags;  /* the low flag bits as read (I/O, type, prefetchable) */
	bool io;
	bool is64;
	bool upper;      /* upper half of the 64-bit BAR in the slot before */
	bool bad;        /* the device answered sizing with an impossible value */
	bool sizing;     /* the owner wrote all ones: reads return the size mask */
	bool move_logged; /* a refused move was logged (once per BAR, against floods) */
};

struct pci_function {
	hvcfg_bdf bdf;
	uint16_t vendor, device;
	uint32_t class_code;    /* base class 23:16, subclass 15:8, programming interface 7:0 */
	uint8_t header_type;    /* without the multi-function bit */
	uint8_t bar_count;      /* BAR slots of this header type */
	uint32_t owner;         /* partition index, or PCI_NO_OWNER */
	struct pci_bar bars[PCI_BARS];
};

extern struct pci_function pci_functions[PCI_MAX_FUNCTIONS];
extern uint32_t pci_function_count;

/* The ECAM window of segment 0 (ACPI MCFG), if the firmware describes one. */
struct pci_ecam {
	bool present;
	uint64_t base;      /* address of bus 0 (even when start_bus > 0) */
	uint8_t start_bus, end_bus;
};

extern struct pci_ecam pci_ecam;

/* pci_host.c: host configuration access; reg naturally aligned to size (1, 2 or 4). */
uint32_t pci_host_read(hvcfg_bdf bdf, uint16_t reg, uint8_t size);
void pci_host_write(hvcfg_bdf bdf, uint16_t reg, uint8_t size, uint32_t value);

/* pci.c: the function at bdf, or NULL. */
struct pci_function *pci_find(hvcfg_bdf bdf);

/* pci_enum.c: fills pci_functions, sizing every BAR. */
void pci_enumerate(void);

/* pci_mcfg.c: fills pci_ecam from the MCFG table, if any. */
void pci_mcfg_find(const struct boot_info *bi);

/* pci_cfg.c: a partition's view of configuration space (the filter). */
uint32_t pci_cfg_read(uint32_t partition_id, hvcfg_bdf bdf, uint16_t reg, uint8_t size);
void pci_cfg_write(uint32_t partition_id, hvcfg_bdf bdf, uint16_t reg, uint8_t size,
		   uint32_t value);
/* A partition (re)starts: clears its latch and BAR sizing, stops its devices' DMA. */
void pci_cfg_restart(uint32_t partition_id);
/* Registers the ECAM window as emulated MMIO for every partition. */
void pci_cfg_ecam_register(void);

#endif
