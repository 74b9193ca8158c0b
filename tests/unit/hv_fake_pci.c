/*
 * The fake PCI bus of hv_fake_pci.h, and hv's start-up on it: pci_init
 * with a configuration naming the owners and, when asked, ACPI tables
 * (RSDP, XSDT, MCFG) describing an ECAM window.
 */
#include "hv_fake_pci.h"
#include "hv_fake.h"

#include <stdio.h>
#include <string.h>

#include <pci/pci.h>
#include <pci/pci_dev.h>

#define BAR0 0x10u
#define STATUS 0x06u
#define STATUS_RW1C 0xf900u /* parity, signalled/received aborts, SERR (PCI 3.0, 6.2.3) */

struct fake_pci_function fake_pci[FAKE_PCI_MAX];
uint32_t fake_pci_count;
struct fake_pci_access fake_pci_accesses[FAKE_PCI_ACCESSES];
uint32_t fake_pci_access_count;

struct fake_pci_function *fake_pci_find(hvcfg_bdf bdf)
{
	for (uint32_t i = 0; i < fake_pci_count; i++)
		if (fake_pci[i].bdf == bdf)
			return &fake_pci[i];
	return NULL;
}

static void record(hvcfg_bdf bdf, uint16_t reg, uint8_t size, bool write, uint32_t value)
{
	if (fake_pci_access_count < FAKE_PCI_ACCESSES)
		fake_pci_accesses[fake_pci_access_count] =
			(struct fake_pci_access){ bdf, reg, size, write, value };
	fake_pci_access_count++;
}

uint32_t fake_pci_peek(const struct fake_pci_function *f, uint16_t reg, uint8_t size)
{
	uint32_t value = 0;

	memcpy(&value, &f->config[reg], size);
	return value;
}

/* hv/pci/pci_host.c's contract: reg naturally aligned to size, 1, 2 or 4. */
static void check_access(uint16_t reg, uint8_t size)
{
	fake_check((size == 1 || size == 2 || size == 4) && reg % size == 0 && reg + size <= 4096,
		   "hv broke pci_host_read/write's contract: a misaligned or oversized access");
}

uint32_t pci_host_read(hvcfg_bdf bdf, uint16_t reg, uint8_t size)
{
	const struct fake_pci_function *f = fake_pci_find(bdf);
	uint32_t value = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1; /* no device */

	check_access(reg, size);
	if (f != NULL)
		value = fake_pci_peek(f, reg, size);
	record(bdf, reg, size, false, value);
	return value;
}

/* Which bits of a BAR dword software can write: the address bits above its size. */
static uint32_t bar_writable(const struct fake_pci_function *f, uint32_t slot)
{
	if (f->bar_upper[slot])
		return (uint32_t)(~(f->bar_size[slot - 1] - 1) >> 32);
	if (f->bar_size[slot] == 0)
		return 0;
	/* the type bits stay: bits 1:0 of an I/O BAR, 3:0 of a memory BAR */
	return (uint32_t)~(f->bar_size[slot] - 1) & ~(f->config[BAR0 + 4 * slot] & 1 ? 0x3u : 0xfu);
}

/* Which bits of the header dword at reg software can write (not BARs). */
static uint32_t header_writable(uint16_t dword)
{
	switch (dword) {
	case 0x04: return 0x000007ffu;   /* command (status is RW1C, below) */
	case 0x0c: return 0x0000ffffu;   /* cache line size, latency timer */
	case 0x3c: return 0x000000ffu;   /* interrupt line */
	default: return 0;               /* ids, class, header type, subsystem, ROM, pointers */
	}
}

static void write_dword(struct fake_pci_function *f, uint16_t dword, uint32_t mask, uint32_t value)
{
	uint32_t old = fake_pci_peek(f, dword, 4), writable;

	if (dword >= 0x40) {
		writable = 0xffffffffu;
	} else if (dword >= BAR0 && dword < BAR0 + 24) {
		writable = bar_writable(f, (dword - BAR0) / 4);
	} else {
		writable = header_writable(dword);
		if (dword == 0x04) /* status: writing 1 clears the bit */
			old &= ~(value & mask & (STATUS_RW1C << 16));
	}
	writable &= mask;
	old = (old & ~writable) | (value & writable);
	memcpy(&f->config[dword], &old, 4);
}

void pci_host_write(hvcfg_bdf bdf, uint16_t reg, uint8_t size, uint32_t value)
{
	struct fake_pci_function *f = fake_pci_find(bdf);
	uint32_t shift = 8 * (reg & 3);
	uint32_t mask = size == 4 ? 0xffffffffu : ((1u << (8 * size)) - 1) << shift;

	check_access(reg, size);
	record(bdf, reg, size, true, value);
	if (f != NULL)
		write_dword(f, reg & 0xffcu, mask, value << shift);
}

void fake_pci_forget(void)
{
	fake_pci_access_count = 0;
}

void fake_pci_reset(void)
{
	memset(fake_pci, 0, sizeof(fake_pci));
	fake_pci_count = 0;
	pci_function_count = 0;
	pci_ecam = (struct pci_ecam){ 0 };
	for (uint32_t id = 0; id < HVCFG_MAX_PARTITIONS; id++)
		pci_cfg_restart(id); /* the address latches: no function is left to touch */
	fake_pci_forget();
}

static void poke(struct fake_pci_function *f, uint16_t reg, uint8_t size, uint32_t value)
{
	memcpy(&f->config[reg], &value, size);
}

struct fake_pci_function *fake_pci_add(hvcfg_bdf bdf, uint16_t vendor_id, uint16_t device_id,
				       uint32_t class_code, bool multi)
{
	struct fake_pci_function *f;

	fake_check(fake_pci_count < FAKE_PCI_MAX && fake_pci_find(bdf) == NULL, "fake_pci_add");
	f = &fake_pci[fake_pci_count++];
	memset(f, 0, sizeof(*f));
	f->bdf = bdf;
	poke(f, 0x00, 2, vendor_id);
	poke(f, 0x02, 2, device_id);
	poke(f, 0x04, 2, 0x0007);          /* firmware left I/O, memory and bus master on */
	poke(f, 0x06, 2, 0x2010);          /* capabilities list; a master abort was seen (RW1C) */
	poke(f, 0x08, 4, class_code << 8 | 0x01);
	poke(f, 0x0e, 1, multi ? 0x80 : 0x00);
	poke(f, 0x2c, 4, 0x5678abcdu);     /* subsystem ids */
	poke(f, 0x30, 4, 0xfeb80000u);     /* an expansion ROM the firmware placed */
	poke(f, 0x34, 1, 0x40);            /* capability list at 0x40 */
	poke(f, 0x3c, 2, 0x010b);          /* INTA#, line 11 */
	for (uint32_t reg = 0x40; reg < 4096; reg += 4)
		poke(f, (uint16_t)reg, 4, 0xc0000000u | bdf << 12 | reg); /* names itself */
	return f;
}

void fake_pci_bar(struct fake_pci_function *f, uint32_t slot, enum fake_bar_kind kind,
		  uint64_t base, uint64_t size)
{
	bool is64 = kind == FAKE_BAR_MEM64 || kind == FAKE_BAR_MEM64_PREFETCH;
	uint32_t flags = kind == FAKE_BAR_IO ? 0x1 : is64 ? 0x4 : 0x0;

	fake_check(slot + is64 < 6 && size != 0 && (size & (size - 1)) == 0, "fake_pci_bar");
	if (kind == FAKE_BAR_MEM64_PREFETCH)
		flags |= 0x8;
	f->bar_size[slot] = size;
	poke(f, (uint16_t)(BAR0 + 4 * slot), 4, (uint32_t)base | flags);
	if (is64) {
		f->bar_upper[slot + 1] = true;
		poke(f, (uint16_t)(BAR0 + 4 * (slot + 1)), 4, (uint32_t)(base >> 32));
	}
}

/* ACPI tables for one ECAM window (ACPI 6 5.2.5.3 RSDP, 5.2.8 XSDT; PCI Firmware 4.1.2 MCFG). */
static uint8_t acpi[256] __attribute__((aligned(16)));

static void acpi_sum(uint8_t *table, uint32_t len, uint32_t at)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + table[i]);
	table[at] = (uint8_t)(table[at] - sum);
}

static void acpi_header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	memcpy(t + 4, &len, 4);
	t[8] = 1;
}

static uint64_t acpi_build(uint64_t ecam_base, uint8_t start_bus, uint8_t end_bus)
{
	uint8_t *rsdp = acpi, *xsdt = acpi + 64, *mcfg = acpi + 128;
	uint64_t xsdt_addr = (uint64_t)xsdt, mcfg_addr = (uint64_t)mcfg;
	uint32_t rsdp_len = 36;

	memset(acpi, 0, sizeof(acpi));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;
	memcpy(rsdp + 20, &rsdp_len, 4);
	memcpy(rsdp + 24, &xsdt_addr, 8);
	acpi_sum(rsdp, 20, 8);
	acpi_sum(rsdp, 36, 32);
	acpi_header(xsdt, "XSDT", 44);
	memcpy(xsdt + 36, &mcfg_addr, 8);
	acpi_sum(xsdt, 44, 9);
	acpi_header(mcfg, "MCFG", 60);
	memcpy(mcfg + 44, &ecam_base, 8);
	mcfg[54] = start_bus;
	mcfg[55] = end_bus;
	acpi_sum(mcfg, 60, 9);
	return (uint64_t)rsdp;
}

static struct hvcfg cfg;
static struct boot_info bi;

int fake_pci_start_ecam(const struct fake_pci_owner *owners, uint32_t n, uint64_t ecam_base,
			uint8_t start_bus, uint8_t end_bus)
{
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&bi, 0, sizeof(bi));
	cfg.partition_count = HVCFG_MAX_PARTITIONS;
	for (uint32_t p = 0; p < HVCFG_MAX_PARTITIONS; p++)
		snprintf(cfg.partitions[p].name, HVCFG_NAME_LEN, "p%u", p);
	for (uint32_t i = 0; i < n; i++) {
		struct hvcfg_partition *part = &cfg.partitions[owners[i].partition];

		fake_check(owners[i].partition < HVCFG_MAX_PARTITIONS && part->pci_count < HVCFG_MAX_PCI,
			   "fake_pci_start: owners");
		part->pci[part->pci_count++] = owners[i].bdf;
	}
	if (ecam_base != 0) {
		bi.rsdp_phys = acpi_build(ecam_base, start_bus, end_bus);
		bi.mem[0] = (struct boot_mem_region){ (uint64_t)acpi, sizeof(acpi),
						      BOOT_MEM_ACPI_RECLAIM, 0 };
		bi.mem_region_count = 1;
	}
	rc = pci_init(&bi, &cfg);
	fake_pci_forget();
	return rc;
}

int fake_pci_start(const struct fake_pci_owner *owners, uint32_t n)
{
	return fake_pci_start_ecam(owners, n, 0, 0, 0);
}
