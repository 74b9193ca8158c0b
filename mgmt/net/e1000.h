/*
 * The root's driver for the Intel 82540EM (e1000): polled, no interrupts,
 * one device.  Receive and transmit rings and their buffers live in the
 * root's RAM; the device reaches them at dma_base + GPA (hv gives the root
 * no IOMMU, so device addresses are host-physical).  Everything is called
 * from the root's poll loop, never from an interrupt handler.
 */
#ifndef MGMT_NET_E1000_H
#define MGMT_NET_E1000_H

#include <kernel/pci.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define E1000_MAX_FRAME 1514u  /* Ethernet header + 1500, without the CRC */

struct e1000_info {
	struct pci_bdf bdf;
	uint8_t mac[6];
	uint64_t bar0;
};

struct e1000_counters {
	uint64_t rx_frames, rx_bytes;
	uint64_t tx_frames, tx_bytes;
	uint64_t rx_errors;        /* frames the device flagged bad (CRC, symbol, ...) */
	uint64_t rx_oversize;      /* frames spanning several buffers, dropped */
	uint64_t rx_missed;        /* the device had no free descriptor (MPC) */
	uint64_t tx_ring_full;     /* no free transmit descriptor: frame dropped */
	uint64_t tx_oversize;      /* frame longer than E1000_MAX_FRAME: dropped */
};

/*
 * Finds the first 8086:100e on bus 0 among the functions the root owns,
 * enables memory decoding and bus mastering, maps BAR0 uncached, resets
 * the device and starts receive and transmit.  false with a console line
 * ("root: net: ...") when there is none or it cannot be used.
 */
bool e1000_init(uint64_t dma_base, struct e1000_info *info);
bool e1000_link_up(void);

/*
 * Hands each received frame to deliver (which must copy it: the buffer is
 * given back to the device afterwards), at most budget frames; returns how
 * many were delivered.
 */
unsigned int e1000_rx_poll(void (*deliver)(const uint8_t *frame, size_t len, void *ctx),
			   void *ctx, unsigned int budget);
/* The device has written a frame the root has not taken yet (one read). */
bool e1000_rx_pending(void);

/*
 * Transmit in two steps: e1000_tx_buffer returns the buffer of the next
 * free descriptor (E1000_MAX_FRAME bytes), or NULL when the ring is full
 * (counted); e1000_tx_send(len) hands it to the device.  len larger than
 * E1000_MAX_FRAME is dropped and counted.
 */
uint8_t *e1000_tx_buffer(void);
void e1000_tx_send(size_t len);
/* Takes back the descriptors the device has sent. */
void e1000_tx_reclaim(void);

void e1000_counters(struct e1000_counters *out);

#endif
