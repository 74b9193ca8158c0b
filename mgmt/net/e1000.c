/*
 * Polled driver for the Intel 82540EM (e1000), register layout in
 * e1000_regs.h.  256 receive and 256 transmit descriptors with one 2 KiB
 * buffer each, all in the root's .bss: the root's RAM is identity-mapped
 * (virtual address = GPA) and one contiguous block in host memory, so a
 * buffer's device address is dma_base + its address.  Interrupts stay
 * masked; net_poll drains the receive ring and reclaims sent descriptors.
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

#define RX_COUNT 256u
#define TX_COUNT 256u
#define BUF_SIZE 2048u        /* RCTL.BSIZE 2048; frames up to 1522 fit one */
#define RESET_TIMEOUT_MS 100u
#define EEPROM_TIMEOUT_MS 10u
#define LARGE_2M (2ull << 20)

static volatile struct e1000_rx_desc rx_ring[RX_COUNT] __attribute__((aligned(128)));
static volatile struct e1000_tx_desc tx_ring[TX_COUNT] __attribute__((aligned(128)));
static uint8_t rx_buf[RX_COUNT][BUF_SIZE] __attribute__((aligned(4096)));
static uint8_t tx_buf[TX_COUNT][BUF_SIZE] __attribute__((aligned(4096)));

static volatile uint8_t *regs;
static uint64_t dma_offset;
static unsigned int rx_next;    /* next descriptor the device will complete */
static unsigned int tx_tail;    /* next descriptor to fill (TDT) */
static unsigned int tx_clean;   /* oldest descriptor not yet reclaimed */
static bool rx_discarding;      /* inside a frame that spans buffers */
static struct e1000_counters counters;

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

/* Bus 0, every device and function: hv shows the root only its own. */
static bool find_device(struct pci_bdf *out)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			struct pci_bdf bdf = { 0, dev, fn };
			uint32_t id = pci_config_read32(bdf, PCI_VENDOR_DEVICE);

			if ((id & 0xffff) == E1000_VENDOR_INTEL && id >> 16 == E1000_DEVICE_82540EM) {
				*out = bdf;
				return true;
			}
		}
	}
	return false;
}

/* Maps every 2 MiB page of BAR0's 128 KiB uncached; false if the map is full. */
static bool map_bar(uint64_t base)
{
	const uint64_t size = 128u * 1024u;

	for (uint64_t page = base & ~(LARGE_2M - 1); page < base + size; page += LARGE_2M) {
		if (paging_map_uncached_2m(page) == NULL)
			return false;
	}
	regs = (volatile uint8_t *)(uintptr_t)base;
	return true;
}

/* Memory decoding and bus mastering on; BAR0's address, 0 if unusable. */
static uint64_t enable_device(struct pci_bdf bdf)
{
	uint32_t bar = pci_config_read32(bdf, PCI_BAR0);
	uint32_t cmd = pci_config_read32(bdf, PCI_COMMAND_STATUS) & 0xffffu;
	uint64_t base = bar & PCI_BAR_MEM_MASK;

	if (bar & PCI_BAR_IO)
		return 0;
	if ((bar & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64)
		base |= (uint64_t)pci_config_read32(bdf, PCI_BAR0 + 4) << 32;
	pci_config_write32(bdf, PCI_COMMAND_STATUS,
			   cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return base;
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

	reg_write(E1000_EERD, (uint32_t)addr << E1000_EERD_ADDR_SHIFT | E1000_EERD_START);
	while (!((v = reg_read(E1000_EERD)) & E1000_EERD_DONE)) {
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

/* Global reset, then interrupts masked for good (the driver polls). */
static bool reset(void)
{
	reg_write(E1000_IMC, ~0u);
	reg_write(E1000_CTRL, reg_read(E1000_CTRL) | E1000_CTRL_RST);
	/* The manual asks for a short wait before touching the device again. */
	delay_ms(1);
	if (!wait_clear(E1000_CTRL, E1000_CTRL_RST, RESET_TIMEOUT_MS))
		return false;
	reg_write(E1000_IMC, ~0u);
	(void)reg_read(E1000_ICR);
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
static void address_setup(const uint8_t mac[6])
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

bool e1000_init(uint64_t dma_base, struct e1000_info *info)
{
	if (!find_device(&info->bdf)) {
		kputs("root: net: no e1000 (8086:100e) among the root's PCI functions on bus 0\n");
		return false;
	}
	/*
	 * dma_base 0: hv gave the root no device to DMA with.  The rings are in
	 * the image (linked at 2 MiB), far below 3 GiB where RAM stops being at
	 * dma_base + GPA.
	 */
	if (dma_base == 0) {
		kprintf("root: net: e1000 unusable: no DMA base for the root (dma_base 0x%lx)\n",
			dma_base);
		return false;
	}
	dma_offset = dma_base;
	info->bar0 = enable_device(info->bdf);
	if (info->bar0 == 0 || !map_bar(info->bar0)) {
		kprintf("root: net: e1000 BAR0 0x%lx cannot be mapped\n", info->bar0);
		return false;
	}
	if (!reset()) {
		kputs("root: net: e1000 did not come out of reset\n");
		return false;
	}
	read_mac(info->mac);
	link_setup();
	address_setup(info->mac);
	rx_setup();
	tx_setup();
	return true;
}

bool e1000_link_up(void)
{
	return (reg_read(E1000_STATUS) & E1000_STATUS_LU) != 0;
}

/* Counts a completed descriptor; true if its buffer holds a good frame. */
static bool rx_good(const volatile struct e1000_rx_desc *d)
{
	bool eop = d->status & E1000_RXD_STAT_EOP;

	if (rx_discarding || !eop) {
		/* A frame longer than one buffer: drop every piece of it. */
		if (!rx_discarding)
			counters.rx_oversize++;
		rx_discarding = !eop;
		return false;
	}
	if ((d->errors & E1000_RXD_ERR_FRAME) || d->length == 0 || d->length > BUF_SIZE) {
		counters.rx_errors++;
		return false;
	}
	return true;
}

bool e1000_rx_pending(void)
{
	return rx_ring[rx_next].status & E1000_RXD_STAT_DD;
}

unsigned int e1000_rx_poll(void (*deliver)(const uint8_t *frame, size_t len, void *ctx),
			   void *ctx, unsigned int budget)
{
	unsigned int done = 0, last = RX_COUNT;

	while (done < budget && (rx_ring[rx_next].status & E1000_RXD_STAT_DD)) {
		volatile struct e1000_rx_desc *d = &rx_ring[rx_next];

		compiler_barrier(); /* read the fields only after DD */
		if (rx_good(d)) {
			counters.rx_frames++;
			counters.rx_bytes += d->length;
			deliver(rx_buf[rx_next], d->length, ctx);
			done++;
		}
		d->status = 0;
		last = rx_next;
		rx_next = (rx_next + 1) % RX_COUNT;
	}
	if (last != RX_COUNT) {
		/* The descriptor just emptied becomes the one the device may not use. */
		dma_wmb();
		reg_write(E1000_RDT, last);
	}
	return done;
}

void e1000_tx_reclaim(void)
{
	while (tx_clean != tx_tail && (tx_ring[tx_clean].status & E1000_TXD_STAT_DD)) {
		tx_ring[tx_clean].status = 0;
		tx_clean = (tx_clean + 1) % TX_COUNT;
	}
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

	if (len > E1000_MAX_FRAME) {
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

void e1000_counters(struct e1000_counters *out)
{
	/* MPC clears on read: fold it into the running total. */
	if (regs != NULL)
		counters.rx_missed += reg_read(E1000_MPC);
	*out = counters;
}
