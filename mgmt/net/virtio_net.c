/*
 * virtio-net over the virtio 1.0 modern PCI transport (1af4:1041; QEMU's
 * `-device virtio-net-pci,disable-legacy=on`, the card of nested KVM and
 * clouds).  The vendor capabilities in configuration space locate the
 * common, notify and device configuration structures in the BARs; the
 * driver takes only VIRTIO_F_VERSION_1, VIRTIO_NET_F_MAC and, when
 * offered, VIRTIO_NET_F_STATUS; queue 0 receives and queue 1 transmits,
 * both split virtqueues (virtq.c) of up to 256 buffers of 2 KiB.
 * Interrupts are suppressed (VIRTQ_AVAIL_F_NO_INTERRUPT, no MSI-X vector)
 * and the device is notified only when its used ring does not say
 * VIRTQ_USED_F_NO_NOTIFY.
 *
 * Each buffer starts with the 12-byte struct virtio_net_hdr (VERSION_1
 * makes num_buffers part of it even without MRG_RXBUF); no offload is
 * negotiated, so it is all zeros on transmit and ignored on receive.
 * Every used entry is checked (virtq_get_used: index, id, length); a
 * receive shorter than the header plus an Ethernet header, a failed
 * check, or DEVICE_NEEDS_RESET resets the device and starts it again.
 */
#include "nic.h"
#include "virtq.h"

#include <kernel/console.h>
#include <lib/string.h>

#define VIRTIO_VENDOR 0x1af4u
#define VIRTIO_DEVICE_NET_MODERN 0x1041u  /* 0x1040 + device type 1 */

/* PCI capability list (configuration space). */
#define PCI_STATUS_CAP_LIST (1u << 20)  /* in the command/status dword */
#define PCI_CAP_PTR 0x34u
#define PCI_CAP_ID_VENDOR 0x09u

/*
 * struct virtio_pci_cap: cap_vndr, cap_next, cap_len, cfg_type (dword 0),
 * bar (dword 1, low byte), offset (dword 2), length (dword 3); the notify
 * capability adds notify_off_multiplier (dword 4).
 */
#define VIRTIO_PCI_CAP_COMMON_CFG 1u
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2u
#define VIRTIO_PCI_CAP_DEVICE_CFG 4u

/* struct virtio_pci_common_cfg, offsets in the common structure (little-endian). */
#define COMMON_DEVICE_FEATURE_SELECT 0x00u  /* u32 */
#define COMMON_DEVICE_FEATURE 0x04u         /* u32 */
#define COMMON_DRIVER_FEATURE_SELECT 0x08u  /* u32 */
#define COMMON_DRIVER_FEATURE 0x0cu         /* u32 */
#define COMMON_NUM_QUEUES 0x12u             /* u16 */
#define COMMON_DEVICE_STATUS 0x14u          /* u8 */
#define COMMON_QUEUE_SELECT 0x16u           /* u16 */
#define COMMON_QUEUE_SIZE 0x18u             /* u16 */
#define COMMON_QUEUE_MSIX_VECTOR 0x1au      /* u16 */
#define COMMON_QUEUE_ENABLE 0x1cu           /* u16 */
#define COMMON_QUEUE_NOTIFY_OFF 0x1eu       /* u16 */
#define COMMON_QUEUE_DESC 0x20u             /* u64 as two u32 */
#define COMMON_QUEUE_DRIVER 0x28u           /* the available ring */
#define COMMON_QUEUE_DEVICE 0x30u           /* the used ring */

#define VIRTIO_MSI_NO_VECTOR 0xffffu

/* Device status bits (2.1). */
#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER 2u
#define STATUS_DRIVER_OK 4u
#define STATUS_FEATURES_OK 8u
#define STATUS_NEEDS_RESET 64u
#define STATUS_FAILED 128u

/* Feature bits: the only ones this driver accepts. */
#define VIRTIO_NET_F_MAC (1ull << 5)
#define VIRTIO_NET_F_STATUS (1ull << 16)
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* struct virtio_net_config: mac[6] at 0, status (u16) at 6. */
#define NET_CFG_MAC 0u
#define NET_CFG_STATUS 6u
#define VIRTIO_NET_S_LINK_UP 1u

/*
 * struct virtio_net_hdr with num_buffers (5.1.6): flags (u8), gso_type
 * (u8), hdr_len, gso_size, csum_start, csum_offset, num_buffers (u16 each).
 */
#define NET_HDR_LEN 12u

#define RX_QUEUE 0u
#define TX_QUEUE 1u
#define RESET_TIMEOUT_MS 100u

struct queue {
	struct virtq q;
	volatile uint16_t *notify;
	/* Ring areas for VIRTQ_MAX_SIZE, aligned as 2.4 asks (16, 2, 4). */
	volatile struct virtq_desc desc[VIRTQ_MAX_SIZE] __attribute__((aligned(16)));
	volatile struct virtq_avail avail __attribute__((aligned(2)));
	volatile struct virtq_used used __attribute__((aligned(4)));
	uint8_t buf[VIRTQ_MAX_SIZE][NIC_BUF_SIZE] __attribute__((aligned(4096)));
};

static struct queue rxq, txq;
static volatile uint8_t *common, *notify_base, *device_cfg;
static uint32_t notify_multiplier;
static uint64_t dma_offset, features;
static uint16_t tx_next;       /* the next transmit descriptor to fill (round robin) */
static bool fault_pending;     /* nic_fault: forge a broken used entry first */
static struct nic_counters counters;

static uint64_t dma_addr(const volatile void *p)
{
	return dma_offset + (uint64_t)(uintptr_t)p;
}

static uint8_t cfg8(uint32_t off)
{
	return *(volatile uint8_t *)(common + off);
}

static uint16_t cfg16(uint32_t off)
{
	return *(volatile uint16_t *)(common + off);
}

static uint32_t cfg32(uint32_t off)
{
	return *(volatile uint32_t *)(common + off);
}

static void set8(uint32_t off, uint8_t v)
{
	*(volatile uint8_t *)(common + off) = v;
}

static void set16(uint32_t off, uint16_t v)
{
	*(volatile uint16_t *)(common + off) = v;
}

static void set32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(common + off) = v;
}

/* A 64-bit field as two 32-bit writes, low first (4.1.3.1 allows it). */
static void set64(uint32_t off, uint64_t v)
{
	set32(off, (uint32_t)v);
	set32(off + 4, (uint32_t)(v >> 32));
}

/* One byte of configuration space through dword reads (hv emulates only those). */
static uint8_t pci_byte(struct pci_bdf bdf, uint8_t off)
{
	return (uint8_t)(pci_config_read32(bdf, off & 0xfcu) >> (8 * (off & 3u)));
}

/* Maps the range a capability points at; NULL if it cannot. */
static volatile uint8_t *cap_map(struct pci_bdf bdf, uint8_t cap)
{
	uint8_t bar = pci_byte(bdf, (uint8_t)(cap + 4));
	uint32_t offset = pci_config_read32(bdf, (uint8_t)(cap + 8));
	uint32_t length = pci_config_read32(bdf, (uint8_t)(cap + 12));
	uint64_t base = bar <= 5 ? nic_pci_bar(bdf, bar) : 0;

	if (base == 0 || length == 0)
		return NULL;
	return nic_map_mmio(base + offset, length);
}

/* Walks the capability list (at most 48 entries: a loop in it cannot hang us). */
static bool find_caps(struct pci_bdf bdf)
{
	uint8_t cap = pci_byte(bdf, PCI_CAP_PTR) & 0xfcu;

	if (!(pci_config_read32(bdf, PCI_COMMAND_STATUS) & PCI_STATUS_CAP_LIST))
		return false;
	for (unsigned int n = 0; cap >= 0x40 && n < 48; n++) {
		uint8_t id = pci_byte(bdf, cap), type = pci_byte(bdf, (uint8_t)(cap + 3));

		if (id == PCI_CAP_ID_VENDOR && type == VIRTIO_PCI_CAP_COMMON_CFG && common == NULL)
			common = cap_map(bdf, cap);
		else if (id == PCI_CAP_ID_VENDOR && type == VIRTIO_PCI_CAP_NOTIFY_CFG &&
			 notify_base == NULL) {
			notify_base = cap_map(bdf, cap);
			notify_multiplier = pci_config_read32(bdf, (uint8_t)(cap + 16));
		} else if (id == PCI_CAP_ID_VENDOR && type == VIRTIO_PCI_CAP_DEVICE_CFG &&
			   device_cfg == NULL)
			device_cfg = cap_map(bdf, cap);
		cap = pci_byte(bdf, (uint8_t)(cap + 1)) & 0xfcu;
	}
	return common != NULL && notify_base != NULL && device_cfg != NULL;
}

static bool status_cleared(void *ctx)
{
	(void)ctx;
	return cfg8(COMMON_DEVICE_STATUS) == 0;
}

/* Writing 0 resets; the device says it is done by reading 0 (4.1.4.3.2). */
static bool device_reset(void)
{
	set8(COMMON_DEVICE_STATUS, 0);
	return nic_wait(status_cleared, NULL, RESET_TIMEOUT_MS);
}

static void add_status(uint8_t bits)
{
	set8(COMMON_DEVICE_STATUS, (uint8_t)(cfg8(COMMON_DEVICE_STATUS) | bits));
}

static uint64_t device_features(void)
{
	set32(COMMON_DEVICE_FEATURE_SELECT, 0);
	uint64_t lo = cfg32(COMMON_DEVICE_FEATURE);

	set32(COMMON_DEVICE_FEATURE_SELECT, 1);
	return lo | (uint64_t)cfg32(COMMON_DEVICE_FEATURE) << 32;
}

/* Only what is used; false (with the reason) if the device lacks VERSION_1 or MAC. */
static bool negotiate(void)
{
	uint64_t offered = device_features();

	if ((offered & (VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC)) !=
	    (VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC)) {
		kprintf("root: net: virtio-net lacks VERSION_1 or MAC (features 0x%lx)\n", offered);
		return false;
	}
	features = offered & (VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
	set32(COMMON_DRIVER_FEATURE_SELECT, 0);
	set32(COMMON_DRIVER_FEATURE, (uint32_t)features);
	set32(COMMON_DRIVER_FEATURE_SELECT, 1);
	set32(COMMON_DRIVER_FEATURE, (uint32_t)(features >> 32));
	add_status(STATUS_FEATURES_OK);
	if (!(cfg8(COMMON_DEVICE_STATUS) & STATUS_FEATURES_OK)) {
		kputs("root: net: virtio-net refused our features\n");
		return false;
	}
	return true;
}

/* Sizes queue index, tells the device where its areas are, enables it. */
static bool queue_setup(struct queue *qu, uint16_t index)
{
	uint16_t max, size = VIRTQ_MAX_SIZE;

	set16(COMMON_QUEUE_SELECT, index);
	max = cfg16(COMMON_QUEUE_SIZE);
	if (max == 0)
		return false;
	while (size > max)
		size >>= 1;
	if (!virtq_init(&qu->q, size, qu->desc, &qu->avail, &qu->used))
		return false;
	set16(COMMON_QUEUE_SIZE, size);
	set16(COMMON_QUEUE_MSIX_VECTOR, VIRTIO_MSI_NO_VECTOR);
	set64(COMMON_QUEUE_DESC, dma_addr(qu->desc));
	set64(COMMON_QUEUE_DRIVER, dma_addr(&qu->avail));
	set64(COMMON_QUEUE_DEVICE, dma_addr(&qu->used));
	qu->notify = (volatile uint16_t *)(notify_base +
					   (uint32_t)cfg16(COMMON_QUEUE_NOTIFY_OFF) *
						   notify_multiplier);
	set16(COMMON_QUEUE_ENABLE, 1);
	return true;
}

static void notify(struct queue *qu, uint16_t index)
{
	if (virtq_wants_notify(&qu->q))
		*qu->notify = index;
}

static void rx_fill(void)
{
	for (uint16_t i = 0; i < rxq.q.size; i++)
		(void)virtq_give(&rxq.q, i, dma_addr(rxq.buf[i]), NIC_BUF_SIZE, true);
	notify(&rxq, RX_QUEUE);
}

/* Reset, features, both queues, DRIVER_OK (3.1.1); false with a console line. */
static bool bring_up(void)
{
	if (!device_reset()) {
		kputs("root: net: virtio-net did not come out of reset\n");
		return false;
	}
	add_status(STATUS_ACKNOWLEDGE);
	add_status(STATUS_DRIVER);
	if (!negotiate())
		goto failed;
	if (cfg16(COMMON_NUM_QUEUES) < 2 || !queue_setup(&rxq, RX_QUEUE) ||
	    !queue_setup(&txq, TX_QUEUE)) {
		kputs("root: net: virtio-net has no usable receive and transmit queues\n");
		goto failed;
	}
	tx_next = 0;
	add_status(STATUS_DRIVER_OK);
	rx_fill();
	return true;
failed:
	add_status(STATUS_FAILED);
	return false;
}

/* The device broke a rule: it is reset and started afresh, never trusted as it is. */
static void restart(const char *why)
{
	counters.resets++;
	kprintf("root: net: virtio-net reset: %s\n", why);
	if (!bring_up())
		kputs("root: net: virtio-net did not come back after its reset\n");
}

static bool start(struct nic_device *dev)
{
	dma_offset = dev->dma_offset;
	nic_pci_enable(dev->bdf);
	if (!find_caps(dev->bdf)) {
		kputs("root: net: virtio-net: common, notify or device capability missing or "
		      "unmappable\n");
		return false;
	}
	if (!bring_up())
		return false;
	for (unsigned int i = 0; i < 6; i++)
		dev->mac[i] = device_cfg[NET_CFG_MAC + i];
	return true;
}

static bool needs_reset(void);

/* Called every 500 ms (net.c): also where DEVICE_NEEDS_RESET is looked for. */
static bool link_up(void)
{
	if (needs_reset())
		return false;
	if (!(features & VIRTIO_NET_F_STATUS))
		return true; /* without STATUS the link is assumed up (5.1.4.2) */
	return *(volatile uint16_t *)(device_cfg + NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
}

static bool needs_reset(void)
{
	if (!(cfg8(COMMON_DEVICE_STATUS) & STATUS_NEEDS_RESET))
		return false;
	restart("the device set DEVICE_NEEDS_RESET");
	return true;
}

/* One used receive buffer: delivered, dropped, or the device is reset (false). */
static bool rx_one(nic_deliver_fn deliver, void *ctx, unsigned int *done)
{
	uint16_t id;
	uint32_t len;
	enum virtq_result r = virtq_get_used(&rxq.q, &id, &len);

	if (r < 0) {
		counters.rx_bad_desc++;
		restart(virtq_strerror(r));
		return false;
	}
	if (len < NET_HDR_LEN + NIC_MIN_FRAME) {
		counters.rx_bad_desc++;
		restart("receive shorter than its headers");
		return false;
	}
	counters.rx_frames++;
	counters.rx_bytes += len - NET_HDR_LEN;
	deliver(rxq.buf[id] + NET_HDR_LEN, len - NET_HDR_LEN, ctx);
	(*done)++;
	(void)virtq_give(&rxq.q, id, dma_addr(rxq.buf[id]), NIC_BUF_SIZE, true);
	return true;
}

static void inject_fault(void)
{
	fault_pending = true;
}

/* What a broken device might write back: a used entry naming descriptor 65535. */
static void forge_fault(void)
{
	volatile struct virtq_used_elem *e = &rxq.used.ring[rxq.q.last_used % rxq.q.size];

	fault_pending = false;
	e->id = 0xffff;
	e->len = NET_HDR_LEN + 60;
	if (rxq.used.idx == rxq.q.last_used)
		rxq.used.idx = (uint16_t)(rxq.q.last_used + 1);
}

static unsigned int rx_poll(nic_deliver_fn deliver, void *ctx, unsigned int budget)
{
	unsigned int done = 0;

	if (fault_pending)
		forge_fault();

	while (done < budget && virtq_has_used(&rxq.q)) {
		if (!rx_one(deliver, ctx, &done))
			return done;
	}
	if (done != 0)
		notify(&rxq, RX_QUEUE);
	return done;
}

static bool rx_pending(void)
{
	return virtq_has_used(&rxq.q);
}

static void tx_reclaim(void)
{
	uint16_t id;
	uint32_t len;
	enum virtq_result r;

	while ((r = virtq_get_used(&txq.q, &id, &len)) == VIRTQ_OK)
		;
	if (r < 0) {
		counters.tx_bad_desc++;
		restart(virtq_strerror(r));
	}
}

/* Descriptors are used round robin; the next one is free unless the device holds it. */
static uint8_t *tx_buffer(void)
{
	if (txq.q.device_holds[tx_next])
		tx_reclaim();
	if (txq.q.device_holds[tx_next]) {
		counters.tx_ring_full++;
		return NULL;
	}
	memset(txq.buf[tx_next], 0, NET_HDR_LEN); /* no offloads: an all-zero header */
	return txq.buf[tx_next] + NET_HDR_LEN;
}

static void tx_send(size_t len)
{
	if (len > NIC_MAX_FRAME) {
		counters.tx_oversize++;
		return;
	}
	if (!virtq_give(&txq.q, tx_next, dma_addr(txq.buf[tx_next]), (uint32_t)(NET_HDR_LEN + len),
			false))
		return;
	counters.tx_frames++;
	counters.tx_bytes += len;
	tx_next = (uint16_t)((tx_next + 1) % txq.q.size);
	notify(&txq, TX_QUEUE);
}

static void get_counters(struct nic_counters *out)
{
	*out = counters;
}

static const struct nic_id ids[] = {
	{ VIRTIO_VENDOR, VIRTIO_DEVICE_NET_MODERN, "virtio 1.0" },
	{ 0, 0, NULL },
};

const struct nic_driver virtio_net_driver = {
	.name = "virtio-net",
	.config_name = "virtio",
	.config_id = HV_MGMT_NIC_VIRTIO,
	.ids = ids,
	.start = start,
	.link_up = link_up,
	.rx_poll = rx_poll,
	.rx_pending = rx_pending,
	.tx_buffer = tx_buffer,
	.tx_send = tx_send,
	.tx_reclaim = tx_reclaim,
	.counters = get_counters,
	.inject_fault = inject_fault,
};
