/*
 * PCI device assignment: what the rest of hv calls.  At start-up hv
 * enumerates the host's PCI functions and sizes their BARs, finds the
 * ECAM window in ACPI, and checks the configuration's `pci =` entries;
 * then each partition gets its devices' memory BARs mapped 1:1, their I/O
 * ports opened, and a filtered view of configuration space in which only
 * its own devices exist.  See docs/architecture.md, "PCI".
 */
#ifndef HV_PCI_H
#define HV_PCI_H

#include <hv/boot_info.h>
#include <hv/config_desc.h>
#include <stdbool.h>
#include <stdint.h>

#include <mem/page_alloc.h>
#include <part/vcpu.h>

struct partition;

/*
 * Enumerates the host's functions, finds the ECAM window and assigns the
 * configured devices.  Returns 0, or -1 after logging
 * "config refused: ..." when a `pci` entry names a function that does not
 * exist or that hv does not assign (bridges, broken BARs).
 */
int pci_init(const struct boot_info *bi, const struct hvcfg *cfg);

/*
 * Maps p's devices' memory BARs into its stage-2 tables, 1:1 and uncached.
 * Returns NULL, or why it cannot (a BAR overlapping the partition's RAM,
 * a page shared with another device's BAR, out of hv memory).
 */
const char *pci_assign(struct partition *p, struct page_pool *pool);

/*
 * After each vcpu_init: lets v reach its partition's I/O BARs without
 * exits.  For vCPU 0, whose start is the partition's (re)start, it also
 * forgets the previous run's configuration-space state (address latch, BAR
 * sizing) and turns bus mastering off on the partition's devices, so a
 * fresh kernel meets quiet devices (its driver enables DMA again).
 */
void pci_open_ports(struct vcpu *v);

/* Whether a port access belongs to the configuration mechanism (0xCF8 dword, 0xCFC-0xCFF). */
bool pci_port_claims(uint16_t port, uint8_t size);

/* Configuration-mechanism port I/O of a partition, filtered. */
uint32_t pci_port_read(struct partition *p, uint16_t port, uint8_t size);
void pci_port_write(struct partition *p, uint16_t port, uint8_t size, uint32_t value);

#endif
