/*
 * The e1000 family's polled driver (e1000.h) and the 82540EM's entry in
 * the driver table (e1000_driver); register layout in e1000_regs.h, the
 * 82574L's differences in e1000e.c.  256 receive and 256 transmit
 * descriptors with one 2 KiB buffer each, all in the root's .bss: the
 * root's RAM is identity-mapped (virtual address = GPA) and one contiguous
 * block in host memory, so a buffer's device address is dma_base + its
 * address.  Interrupts stay masked; net_poll drains the receive ring and
 * reclaims sent descriptors.  A receive length no correct device writes
 * (e1000_rx_check) or a head register outside its ring resets the device.
 *
 * Memory ordering: descriptors are ordinary write-back RAM that the device
 * reads and writes by DMA (cache-coherent on x86); the registers are
 * uncached MMIO.  Before a tail write (RDT, TDT) hands descriptors to the
 * device, every store to those descriptors and buffers must be visible:
 * dma_wmb() is an SFENCE, as Linux's wmb(), which also keeps the compiler
 * from sinking the stores past the register write.  In the other direction
 * the device writes a descriptor's fields before (or with) its DD bit, and
 * x86 does not reorder loads with loads, so after seeing DD a compiler
 * barrier is enough before reading length and errors.
 */
#include "e1000.h"
#include "e1000_regs.h"

#include <arch/x86.h>
#include <kernel/console.h>
#include <kernel/paging.h>
#include <kernel/time.h>
#include <lib/string.h>

#define RX_COUNT 256u
#define TX_COUNT 256u
#define BUF_SIZE NIC_BUF_SIZE /* RCTL.BSIZE 2048; frames up to 1522 fit one */
#define BAR0_SIZE (128u * 1024u)
#define RESET_TIMEOUT_MS 100u
#define EEPROM_TIMEOUT_MS 10u
#define GIO_TIMEOUT_MS 10u

static volatile struct e1000_rx_desc rx_ring[RX_COUNT] __attribute__((aligned(128)));
static volatile struct e1000_tx_desc tx_ring[TX_COUNT] __attribute__((aligned(128)));
static uint8_t rx_buf[RX_COUNT][BUF_SIZE] __attribute__((aligned(4096)));
static uint8_t tx_buf[TX_COUNT][BUF_SIZE] __attribute__((aligned(4096)));

static volatile uint8_t *regs;
static uint64_t dma_offset;
static const struct e1000_model *model;
static uint8_t mac[6];
static unsigned int rx_next;    /* next descriptor the device will complete */
static unsigned int tx_tail;    /* next descriptor to fill (TDT) */
static unsigned int tx_clean;   /* oldest descriptor not yet reclaimed */
static bool rx_discarding;      /* inside a frame that spans buffers */
static bool fault_pending;      /* nic_fault: forge a broken descriptor first */
static struct nic_counters counters;

static inline void dma_wmb(void)
{
	__asm__ volatile("sfence" ::: "memory");
}

static inline void compiler_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static uint32_t reg_read(uint32_t reg)
{
	return *(volatile uint32_t *)(regs + reg);
}

static void reg_write(uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(regs + reg) = value;
}

static uint64_t dma_addr(const volatile void *p)
{
	return dma_offset + (uint64_t)(uintptr_t)p;
}

static bool wait_clear(uint32_t reg, uint32_t bits, uint64_t ms)
{
	uint64_t start = tsc_read(), limit = tsc_hz() / 1000 * ms;

	while (reg_read(reg) & bits) {
		if (tsc_read() - start > limit)
			return false;
		cpu_relax();
	}
	return true;
}

/* One 16-bit EEPROM word through EERD; false on timeout. */
static bool eeprom_read(uint8_t addr, uint16_t *out)
{
	uint64_t start = tsc_read(), limit = tsc_hz() / 1000 * EEPROM_TIMEOUT_MS;
	uint32_t v;

	reg_write(E1000_EERD, (uint32_t)addr << model->eerd_addr_shift | model->eerd_start);
	while (!((v = reg_read(E1000_EERD)) & model->eerd_done)) {
		if (tsc_read() - start > limit)
			return false;
		cpu_relax();
	}
	*out = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
	return true;
}

/* The MAC from EEPROM words 0-2, else from receive address 0. */
static void read_mac(uint8_t mac[6])
{
	uint16_t w[3];

	if (eeprom_read(0, &w[0]) && eeprom_read(1, &w[1]) && eeprom_read(2, &w[2])) {
		for (int i = 0; i < 3; i++) {
			mac[2 * i] = (uint8_t)w[i];
			mac[2 * i + 1] = (uint8_t)(w[i] >> 8);
		}
		return;
	}
	uint32_t lo = reg_read(E1000_RAL0), hi = reg_read(E1000_RAH0);

	for (int i = 0; i < 4; i++)
		mac[i] = (uint8_t)(lo >> (8 * i));
	mac[4] = (uint8_t)hi;
	mac[5] = (uint8_t)(hi >> 8);
}

/*
 * A PCIe part must stop mastering before its reset so that no DMA is cut
 * in half; the wait is bounded and the reset goes ahead regardless, as
 * the 82574 datasheet allows.
 */
static void gio_master_disable(void)
{
	reg_write(E1000_CTRL, reg_read(E1000_CTRL) | E1000_CTRL_GIO_MASTER_DISABLE);
	(void)wait_clear(E1000_STATUS, E1000_STATUS_GIO_MASTER_EN, GIO_TIMEOUT_MS);
}

/* Global reset, then interrupts masked for good (the driver polls). */
static bool reset(void)
{
	reg_write(E1000_IMC, ~0u);
	if (model->pcie)
		gio_master_disable();
	reg_write(E1000_CTRL, reg_read(E1000_CTRL) | E1000_CTRL_RST);
	/* The manual asks for a short wait before touching the device again. */
	delay_ms(1);
	if (!wait_clear(E1000_CTRL, E1000_CTRL_RST, RESET_TIMEOUT_MS))
		return false;
	reg_write(E1000_IMC, ~0u);
	(void)reg_read(E1000_ICR);
	if (model->pcie) /* firmware (manageability) leaves the port to us */
		reg_write(E1000_CTRL_EXT, reg_read(E1000_CTRL_EXT) | E1000_CTRL_EXT_DRV_LOAD);
	return true;
}

/* Link up with auto-negotiated speed and duplex. */
static void link_setup(void)
{
	uint32_t ctrl = reg_read(E1000_CTRL);

	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_ILOS | E1000_CTRL_VME | E1000_CTRL_PHY_RST);
	reg_write(E1000_CTRL, ctrl | E1000_CTRL_SLU | E1000_CTRL_ASDE);
}

/* Unicast to mac and broadcast; no multicast (lwIP runs no IGMP or IPv6). */
static void address_setup(void)
{
	for (uint32_t i = 0; i < E1000_MTA_WORDS; i++)
		reg_write(E1000_MTA + 4 * i, 0);
	reg_write(E1000_RAL0, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
				      (uint32_t)mac[3] << 24);
	reg_write(E1000_RAH0, (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | E1000_RAH_AV);
}

static void rx_setup(void)
{
	for (unsigned int i = 0; i < RX_COUNT; i++) {
		rx_ring[i].addr = dma_addr(rx_buf[i]);
		rx_ring[i].status = 0;
	}
	rx_next = 0;
	rx_discarding = false;
	reg_write(E1000_RDBAL, (uint32_t)dma_addr(rx_ring));
	reg_write(E1000_RDBAH, (uint32_t)(dma_addr(rx_ring) >> 32));
	reg_write(E1000_RDLEN, sizeof(rx_ring));
	reg_write(E1000_RDH, 0);
	dma_wmb();
	/* All but one: head == tail would mean "no descriptor for the device". */
	reg_write(E1000_RDT, RX_COUNT - 1);
	reg_write(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 |
				      E1000_RCTL_SECRC);
}

static void tx_setup(void)
{
	for (unsigned int i = 0; i < TX_COUNT; i++) {
		tx_ring[i].addr = dma_addr(tx_buf[i]);
		tx_ring[i].cmd = 0;
		tx_ring[i].status = 0;
	}
	tx_tail = tx_clean = 0;
	reg_write(E1000_TDBAL, (uint32_t)dma_addr(tx_ring));
	reg_write(E1000_TDBAH, (uint32_t)(dma_addr(tx_ring) >> 32));
	reg_write(E1000_TDLEN, sizeof(tx_ring));
	reg_write(E1000_TDH, 0);
	reg_write(E1000_TDT, 0);
	reg_write(E1000_TIPG, E1000_TIPG_COPPER);
	reg_write(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(0x0f) |
				      E1000_TCTL_COLD(0x40));
}

/* Reset and rings from scratch; false if the device stays in reset. */
static bool bring_up(void)
{
	if (!reset())
		return false;
	link_setup();
	address_setup();
	rx_setup();
	tx_setup();
	return true;
}

/*
 * The device wrote back what a correct one never does: it is not trusted
 * with the rings any longer.  Everything in flight is lost; TCP resends.
 */
static void restart(const char *why, unsigned int index)
{
	counters.resets++;
	kprintf("root: net: %s reset: %s (descriptor %u)\n", model->name, why, index);
	if (!bring_up())
		kprintf("root: net: %s did not come out of reset\n", model->name);
}

bool e1000_start(struct nic_device *dev, const struct e1000_model *m)
{
	uint64_t bar0;

	model = m;
	dma_offset = dev->dma_offset;
	nic_pci_enable(dev->bdf);
	bar0 = nic_pci_bar(dev->bdf, 0);
	regs = nic_map_mmio(bar0, BAR0_SIZE);
	if (regs == NULL) {
		kprintf("root: net: %s BAR0 0x%lx cannot be mapped\n", m->name, bar0);
		return false;
	}
	if (!reset()) {
		kprintf("root: net: %s did not come out of reset\n", m->name);
		return false;
	}
	read_mac(mac);
	memcpy(dev->mac, mac, sizeof(mac));
	return bring_up();
}

bool e1000_link_up(void)
{
	return (reg_read(E1000_STATUS) & E1000_STATUS_LU) != 0;
}

/*
 * Counts a completed descriptor; true if its buffer holds a good frame.
 * false with *broken set when the device wrote back nonsense.
 */
static bool rx_good(const volatile struct e1000_rx_desc *d, bool *broken)
{
	switch (e1000_rx_check(d->status, d->errors, d->length, &rx_discarding)) {
	case E1000_RX_DELIVER:
		return true;
	case E1000_RX_ERROR:
		counters.rx_errors++;
		return false;
	case E1000_RX_OVERSIZE:
		counters.rx_oversize++;
		return false;
	case E1000_RX_SKIP:
		return false;
	case E1000_RX_BROKEN:
		counters.rx_bad_desc++;
		*broken = true;
		return false;
	}
	return false;
}

bool e1000_rx_pending(void)
{
	return rx_ring[rx_next].status & E1000_RXD_STAT_DD;
}

/* The head register must stay inside the ring; false (device reset) if not. */
static bool head_sane(uint32_t reg, unsigned int count)
{
	uint32_t head = reg_read(reg);

	if (head < count)
		return true;
	restart(reg == E1000_RDH ? "receive head out of the ring" : "transmit head out of the ring",
		head);
	return false;
}

void e1000_inject_fault(void)
{
	fault_pending = true;
}

/* What a broken device might write back: done, whole, and 65535 bytes long. */
static void forge_fault(void)
{
	fault_pending = false;
	rx_ring[rx_next].length = 0xffff;
	rx_ring[rx_next].errors = 0;
	rx_ring[rx_next].status = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
}

unsigned int e1000_rx_poll(nic_deliver_fn deliver, void *ctx, unsigned int budget)
{
	unsigned int done = 0, last = RX_COUNT;
	bool broken = false;

	if (fault_pending)
		forge_fault();

	while (done < budget && (rx_ring[rx_next].status & E1000_RXD_STAT_DD)) {
		volatile struct e1000_rx_desc *d = &rx_ring[rx_next];

		compiler_barrier(); /* read the fields only after DD */
		if (rx_good(d, &broken)) {
			counters.rx_frames++;
			counters.rx_bytes += d->length;
			deliver(rx_buf[rx_next], d->length, ctx);
			done++;
		}
		if (broken) {
			restart("receive length outside 14..2048 bytes", rx_next);
			return done;
		}
		d->status = 0;
		last = rx_next;
		rx_next = (rx_next + 1) % RX_COUNT;
	}
	if (last != RX_COUNT && head_sane(E1000_RDH, RX_COUNT)) {
		/* The descriptor just emptied becomes the one the device may not use. */
		dma_wmb();
		reg_write(E1000_RDT, last);
	}
	return done;
}

/* Descriptors between tx_clean and tx_tail only: DD elsewhere is never looked at. */
void e1000_tx_reclaim(void)
{
	unsigned int taken = 0;

	while (tx_clean != tx_tail && (tx_ring[tx_clean].status & E1000_TXD_STAT_DD)) {
		tx_ring[tx_clean].status = 0;
		tx_clean = (tx_clean + 1) % TX_COUNT;
		taken++;
	}
	if (taken != 0)
		(void)head_sane(E1000_TDH, TX_COUNT);
}

uint8_t *e1000_tx_buffer(void)
{
	if ((tx_tail + 1) % TX_COUNT == tx_clean)
		e1000_tx_reclaim();
	if ((tx_tail + 1) % TX_COUNT == tx_clean) {
		counters.tx_ring_full++;
		return NULL;
	}
	return tx_buf[tx_tail];
}

void e1000_tx_send(size_t len)
{
	volatile struct e1000_tx_desc *d = &tx_ring[tx_tail];

	if (len > NIC_MAX_FRAME) {
		counters.tx_oversize++;
		return;
	}
	d->length = (uint16_t)len;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	d->status = 0;
	counters.tx_frames++;
	counters.tx_bytes += len;
	tx_tail = (tx_tail + 1) % TX_COUNT;
	dma_wmb(); /* descriptor and buffer before the tail */
	reg_write(E1000_TDT, tx_tail);
}

void e1000_counters(struct nic_counters *out)
{
	/* MPC clears on read: fold it into the running total. */
	if (regs != NULL)
		counters.rx_missed += reg_read(E1000_MPC);
	*out = counters;
}

static const struct e1000_model model_82540em = {
	.name = "e1000",
	.eerd_start = E1000_EERD_START,
	.eerd_done = E1000_EERD_DONE,
	.eerd_addr_shift = E1000_EERD_ADDR_SHIFT,
	.pcie = false,
};

static bool start_82540em(struct nic_device *dev)
{
	return e1000_start(dev, &model_82540em);
}

/* Only the id QEMU and Bochs emulate: no other could be tested. */
static const struct nic_id ids_82540em[] = {
	{ E1000_VENDOR_INTEL, E1000_DEVICE_82540EM, "82540EM" },
	{ 0, 0, NULL },
};

const struct nic_driver e1000_driver = {
	.name = "e1000",
	.config_name = "e1000",
	.config_id = HV_MGMT_NIC_E1000,
	.ids = ids_82540em,
	.start = start_82540em,
	E1000_FAMILY_OPS,
};
