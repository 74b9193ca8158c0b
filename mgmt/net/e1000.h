/*
 * The Intel e1000 family as the root drives it: polled, no interrupts,
 * one device, legacy receive and transmit descriptors (e1000_regs.h).
 * e1000.c holds what the family shares and the 82540EM's driver
 * (e1000_driver); e1000e.c the 82574L's (e1000e_driver), which differs in
 * its EEPROM read register and its reset.  A struct e1000_model says how.
 * Rings and buffers live in the root's RAM; the device reaches them at
 * dma_offset + address (hv gives the root no IOMMU).
 */
#ifndef MGMT_NET_E1000_H
#define MGMT_NET_E1000_H

#include "nic.h"

#include <stdbool.h>
#include <stdint.h>

/* What differs between members of the family, as far as this driver goes. */
struct e1000_model {
	const char *name;               /* in console lines: "e1000", "e1000e" */
	/* EERD: start and done bits, where the word address goes. */
	uint32_t eerd_start, eerd_done, eerd_addr_shift;
	/* PCIe parts: quiesce bus mastering before reset, tell firmware we drive it. */
	bool pcie;
};

/* Starts dev as model: enable, map BAR0, reset, MAC, link, rings. */
bool e1000_start(struct nic_device *dev, const struct e1000_model *model);
bool e1000_link_up(void);
unsigned int e1000_rx_poll(nic_deliver_fn deliver, void *ctx, unsigned int budget);
bool e1000_rx_pending(void);
uint8_t *e1000_tx_buffer(void);
void e1000_tx_send(size_t len);
void e1000_tx_reclaim(void);
void e1000_counters(struct nic_counters *out);
void e1000_inject_fault(void);

/* The family's shared operations, for each model's struct nic_driver. */
#define E1000_FAMILY_OPS                                                        \
	.link_up = e1000_link_up, .rx_poll = e1000_rx_poll,                     \
	.rx_pending = e1000_rx_pending, .tx_buffer = e1000_tx_buffer,           \
	.tx_send = e1000_tx_send, .tx_reclaim = e1000_tx_reclaim,               \
	.counters = e1000_counters, .inject_fault = e1000_inject_fault

/* What a completed receive descriptor holds, judged before the buffer is used. */
enum e1000_rx_verdict {
	E1000_RX_DELIVER,       /* a good frame of length bytes */
	E1000_RX_ERROR,         /* the device flagged it bad: drop, count */
	E1000_RX_OVERSIZE,      /* the first piece of a frame spanning buffers: drop, count */
	E1000_RX_SKIP,          /* a later piece of that frame: drop */
	E1000_RX_BROKEN,        /* a length no correct device writes: reset the device */
};

/*
 * Pure (built for host unit tests too).  *discarding carries "inside a
 * frame that spans buffers" from one descriptor to the next.
 */
enum e1000_rx_verdict e1000_rx_check(uint8_t status, uint8_t errors, uint16_t length,
				     bool *discarding);

#endif
