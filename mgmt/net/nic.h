/*
 * The interface between the root's network glue (net.c) and its NIC
 * drivers: a driver claims PCI ids, starts the device it is given, and
 * then moves frames through one receive and one transmit ring, polled from
 * the root's loop (no interrupts).  One card at a time: each driver keeps
 * its rings in static storage.  nic.c probes bus 0 for the first function
 * a driver claims (and hv.cfg's [management] nic chooses, when it names a
 * driver or an address) and holds the PCI and DMA helpers the drivers share.
 *
 * Every driver checks what the device hands back (descriptor index,
 * length, ownership) before using it.  A device that breaks the rules is
 * reset and started again with a console line saying why
 * ("root: net: e1000e reset: ..."), and the reset is counted.
 */
#ifndef MGMT_NET_NIC_H
#define MGMT_NET_NIC_H

#include <hv/mgmtcfg.h>
#include <kernel/pci.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NIC_MAX_FRAME 1514u     /* Ethernet header + 1500, without the CRC */
#define NIC_MIN_FRAME 14u       /* an Ethernet header */
#define NIC_BUF_SIZE 2048u      /* every driver's receive and transmit buffers */

/* Counters every driver keeps; a reason a driver cannot see stays 0. */
struct nic_counters {
	uint64_t rx_frames, rx_bytes;   /* frames handed up */
	uint64_t tx_frames, tx_bytes;   /* frames handed to the device */
	uint64_t rx_errors;     /* frames the device flagged bad (CRC, symbol ...) */
	uint64_t rx_oversize;   /* frames longer than one buffer, dropped */
	uint64_t rx_missed;     /* the device had no free buffer (its own count) */
	uint64_t rx_bad_desc;   /* descriptors the device handed back that failed a check */
	uint64_t tx_bad_desc;
	uint64_t tx_ring_full;  /* no free transmit descriptor: frame dropped */
	uint64_t tx_oversize;   /* frame longer than NIC_MAX_FRAME: dropped */
	uint64_t resets;        /* device resets after it misbehaved */
};

/* The card a driver runs: found by nic_probe, filled in by start. */
struct nic_device {
	struct pci_bdf bdf;
	uint16_t vendor, device;
	const char *model;      /* "82540EM", from the driver's id table */
	uint8_t mac[6];
	uint64_t dma_offset;    /* device address = dma_offset + root address */
};

struct nic_id {
	uint16_t vendor, device;
	const char *model;
};

typedef void (*nic_deliver_fn)(const uint8_t *frame, size_t len, void *ctx);

struct nic_driver {
	const char *name;               /* "e1000", "e1000e", "virtio-net" */
	const char *config_name;        /* its name in hv.cfg's [management] nic */
	uint8_t config_id;              /* HV_MGMT_NIC_*: its code in struct hv_mgmt_config */
	const struct nic_id *ids;       /* ends with a zero vendor */
	/*
	 * Enables the function, maps its registers, resets it, reads the MAC
	 * into dev->mac and starts both rings.  false with a console line.
	 */
	bool (*start)(struct nic_device *dev);
	bool (*link_up)(void);
	/*
	 * Hands each good received frame to deliver (which copies it: the
	 * buffer goes back to the device), at most budget; returns how many.
	 */
	unsigned int (*rx_poll)(nic_deliver_fn deliver, void *ctx, unsigned int budget);
	/* A received frame waits (one memory read; cheap enough for a wait loop). */
	bool (*rx_pending)(void);
	/*
	 * Transmit in two steps: tx_buffer returns a NIC_MAX_FRAME-byte buffer
	 * or NULL when the ring is full (counted); tx_send(len) hands it over.
	 */
	uint8_t *(*tx_buffer)(void);
	void (*tx_send)(size_t len);
	/* Takes back what the device has sent. */
	void (*tx_reclaim)(void);
	void (*counters)(struct nic_counters *out);
	/*
	 * Test hook (the root knob nic_fault): the next rx_poll first writes
	 * back, as a broken device would, a receive entry that fails the
	 * driver's checks, so that the check, the reset and the way back are
	 * exercised on the real device.
	 */
	void (*inject_fault)(void);
};

extern const struct nic_driver e1000_driver;
extern const struct nic_driver e1000e_driver;
extern const struct nic_driver virtio_net_driver;

/*
 * The first function on bus 0 (hv shows the root only its own) that a
 * driver claims and that hv.cfg's [management] nic chooses (cfg's
 * nic_driver, nic_flags, nic_bdf; no choice takes the first), and that
 * driver; NULL with a console line when none is.  Each card passed over
 * is logged.  dev gets the function's address, ids and dma_offset.
 */
const struct nic_driver *nic_probe(uint64_t dma_base, const struct hv_mgmt_config *cfg,
				   struct nic_device *dev);

/* Memory decoding and bus mastering on. */
void nic_pci_enable(struct pci_bdf bdf);
/* The address of memory BAR index (64-bit BARs read whole); 0 for an I/O or unset BAR. */
uint64_t nic_pci_bar(struct pci_bdf bdf, unsigned int index);
/* Maps [base, base + size) uncached at the same address; NULL if the map is full. */
volatile uint8_t *nic_map_mmio(uint64_t base, uint64_t size);

/* A bounded wait: true once done(ctx) is true, false after timeout_ms. */
bool nic_wait(bool (*done)(void *ctx), void *ctx, uint64_t timeout_ms);

#endif
