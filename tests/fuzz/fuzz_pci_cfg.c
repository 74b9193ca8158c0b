/*
 * libFuzzer target: any PCI configuration access from any partition
 * against hv's filter (hv/pci/pci_cfg.c), on a bus the input builds
 * (tests/unit/hv_fake_pci.h: functions with any class, header type and
 * BARs, owned by any of three partitions or nobody, an ECAM window or
 * none) after hv's own start-up on it (pci_init: enumeration, BAR sizing,
 * the ownership checks).  Then the input's accesses: the 0xCF8 latch with
 * any value, the data ports at any width and offset, ECAM at any offset
 * and width 1, 2, 4 or 8, reads and writes of anything, and restarts.
 * What must hold (docs/architecture.md "PCI"):
 *   - hv reaches on the host only functions the accessing partition owns;
 *   - what it writes there is the command register or offset 0x40 and
 *     up, never another header register, and a BAR or the ROM BAR keeps
 *     what the firmware put there;
 *   - any function not the partition's reads all ones;
 *   - its own function's BAR reads are the address or the size mask
 *     (PCI 3.0 6.2.5.1), the ROM BAR 0, anything else what the device
 *     holds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/hv_fake.h"
#include "fuzz_input.h"
#include "../unit/hv_fake_pci.h"

#include <pci/pci.h>
#include <pci/pci_dev.h>

#define PARTS 3u
#define ECAM_BASE 0xb0000000ull
#define FUNCTIONS 8u

static struct partition *parts[PARTS];
static bool ecam;
static uint8_t firmware[FAKE_PCI_MAX][0x40]; /* each function's header after start-up */

static const uint32_t classes[] = { 0x020000, 0x010601, 0x030000, 0x060000, 0x060400,
				    0x0c0330, 0x088000, 0xff0000 };

/* One function with up to six BARs as the input says; returns its owner (PARTS: nobody). */
static uint32_t add_function(struct fuzz_input *in, uint32_t index)
{
	uint8_t at = (uint8_t)fuzz_take(in, 1), kind = (uint8_t)fuzz_take(in, 1);
	hvcfg_bdf bdf = PCI_BDF(at >> 7, (at >> 2) & 31, index < 2 ? index % 2 : at & 3);
	struct fake_pci_function *f;

	if (fake_pci_find(bdf) != NULL)
		return PARTS;
	f = fake_pci_add(bdf, 0x8086, (uint16_t)fuzz_take(in, 2), classes[kind % 8], kind & 8);
	if (kind & 0x10)
		f->config[0x0e] |= 1; /* a bridge's header type (hv refuses to assign it) */
	for (uint32_t slot = 0; slot < 6;) {
		uint8_t bar = (uint8_t)fuzz_take(in, 1);
		enum fake_bar_kind k = (enum fake_bar_kind)(bar & 3);
		uint64_t size = 1ull << (k == FAKE_BAR_IO ? 2 + (bar >> 2) % 7 : 4 + (bar >> 2) % 28);
		uint64_t base = (fuzz_take(in, 4) | (k == FAKE_BAR_IO ? 0x1000 : 0xc0000000)) & ~(size - 1);

		if (bar == 0 || (k != FAKE_BAR_IO && k != FAKE_BAR_MEM32 && slot == 5)) {
			slot++;
			continue;
		}
		if (k == FAKE_BAR_IO)
			base &= 0xffff;
		fake_pci_bar(f, slot, k, base, size);
		slot += k == FAKE_BAR_MEM64 || k == FAKE_BAR_MEM64_PREFETCH ? 2 : 1;
	}
	return (kind >> 5) % (PARTS + 1);
}

/* The bus and hv's start-up on it; false when hv refused the configuration. */
static bool machine(struct fuzz_input *in)
{
	struct fake_pci_owner owners[FUNCTIONS];
	uint8_t config = (uint8_t)fuzz_take(in, 1);
	uint32_t n = 0, count = 1 + config % FUNCTIONS;

	fake_machine_reset(&fake_vtx_ops, &fake_cpu_intel);
	fake_pci_reset();
	parts[0] = fake_partition_add("root", HVCFG_ROLE_ROOT, PLATFORM_HV_KERNEL, 1u << 16, 1);
	parts[1] = fake_partition_add("g1", HVCFG_ROLE_GUEST, PLATFORM_HV_KERNEL, 1u << 16, 2);
	parts[2] = fake_partition_add("g2", HVCFG_ROLE_GUEST, PLATFORM_PC, 1u << 16, 1);
	for (uint32_t i = 0; i < count; i++) {
		uint32_t owner = add_function(in, i);

		if (owner < PARTS && n < FUNCTIONS)
			owners[n++] = (struct fake_pci_owner){ fake_pci[fake_pci_count - 1].bdf, owner };
	}
	ecam = (config & 0xe0) != 0; /* mostly: without, start-up scans 256 buses */
	if ((ecam ? fake_pci_start_ecam(owners, n, ECAM_BASE, 0, 1) : fake_pci_start(owners, n)) != 0)
		return false;
	for (uint32_t i = 0; i < fake_pci_count; i++)
		memcpy(firmware[i], fake_pci[i].config, 0x40);
	return true;
}

static uint64_t ones(uint8_t size)
{
	return size == 8 ? ~0ull : size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;
}

/* What hv wrote to the host: only p's functions, only command and 0x40 up; BARs untouched. */
static void check_host(const struct partition *p)
{
	for (uint32_t i = 0; i < fake_pci_access_count && i < FAKE_PCI_ACCESSES; i++) {
		const struct fake_pci_access *a = &fake_pci_accesses[i];
		const struct pci_function *f = pci_find(a->bdf);

		if (f == NULL || f->owner != p->id)
			abort();
		if (a->write && a->reg < 0x40 && !(a->reg >= 4 && a->reg + a->size <= 6))
			abort();
	}
	for (uint32_t i = 0; i < fake_pci_count; i++)
		if (memcmp(fake_pci[i].config + 0x10, firmware[i] + 0x10, 0x2c - 0x10) != 0 ||
		    memcmp(fake_pci[i].config + 0x30, firmware[i] + 0x30, 4) != 0)
			abort();
	fake_pci_forget();
}

/* The dword a partition may read at a BAR or ROM offset: the address, or the size mask. */
static bool bar_dword_ok(const struct pci_function *f, uint16_t dword, uint32_t got,
			 uint32_t shift, uint64_t mask)
{
	const struct fake_pci_function *dev = fake_pci_find(f->bdf);
	uint32_t slot = (dword - 0x10) / 4, firmware_value, flags, sized;
	uint64_t size;

	if (dword == 0x30)
		return got == 0; /* no expansion ROM */
	firmware_value = fake_pci_peek(dev, dword, 4);
	size = dev->bar_upper[slot] ? dev->bar_size[slot - 1] : dev->bar_size[slot];
	if (size == 0)
		return got == 0;
	flags = firmware_value & (firmware_value & 1 ? 0x3u : 0xfu);
	sized = dev->bar_upper[slot] ? (uint32_t)(~(size - 1) >> 32)
				     : ((uint32_t)~(size - 1) & ~(firmware_value & 1 ? 0x3u : 0xfu)) | flags;
	return got == ((firmware_value >> shift) & mask) || got == ((sized >> shift) & mask);
}

/* A read's value as docs/architecture.md says it must be (valid: aligned, enabled, in range). */
static void check_read(const struct partition *p, hvcfg_bdf bdf, uint16_t reg, uint8_t size,
		       uint64_t got, bool valid)
{
	const struct pci_function *f = pci_find(bdf);
	uint16_t dword = reg & 0xffc;

	if (f == NULL || f->owner != p->id || !valid) {
		if (got != ones(size))
			abort(); /* not the partition's, or not an access hv serves */
		return;
	}
	if (size == 8)
		return; /* two dword reads, each checked when made alone */
	if ((dword >= 0x10 && dword < 0x28) || dword == 0x30) {
		if (!bar_dword_ok(f, dword, (uint32_t)got, 8 * (reg & 3), ones(size)))
			abort();
	} else if (got != fake_pci_peek(fake_pci_find(bdf), reg, size)) {
		abort();
	}
}

/* An IN or OUT as the partition's vCPU makes it, through hv's port dispatch. */
static uint64_t port_io(struct partition *p, uint16_t port, uint8_t size, bool in, uint32_t value)
{
	struct vcpu *v = partition_vcpu(p, 0);
	struct exit_io io = { .port = port, .size = size, .in = in };

	v->regs.rax = value;
	if (guest_io(v, &io) != ACTION_NEXT)
		abort();
	return v->regs.rax & ones(size);
}

/* One access through the ports: the latch from the input, then a data port. */
static void port_access(struct fuzz_input *in, struct partition *p, bool write)
{
	uint8_t how = (uint8_t)fuzz_take(in, 1), size = (uint8_t[]){ 1, 2, 4, 4 }[how & 3];
	uint16_t port = (uint16_t)(0xcfc + ((how >> 2) & 3));
	uint32_t latch = how & 0x80 ? (uint32_t)fuzz_take(in, 4)
				    : 0x80000000u | (uint32_t)fuzz_take(in, 2) << 8 | (uint32_t)fuzz_take(in, 1);
	uint32_t value = (uint32_t)fuzz_take(in, 4);
	uint16_t reg = (uint16_t)((latch & 0xfc) | (port - 0xcfc));
	bool valid = (latch & 0x80000000u) && (port - 0xcfc) + size <= 4 && reg % size == 0;

	port_io(p, 0xcf8, 4, false, latch);
	if (write)
		port_io(p, port, size, false, value);
	else
		check_read(p, (hvcfg_bdf)((latch >> 8) & 0xffff), reg, size,
			   port_io(p, port, size, true, value), valid);
}

static void ecam_access(struct fuzz_input *in, struct partition *p, bool write)
{
	uint8_t size = (uint8_t[]){ 1, 2, 4, 8 }[fuzz_take(in, 1) & 3];
	uint64_t offset = fuzz_take(in, 3) % (2u << 20), value = fuzz_take(in, 8);
	hvcfg_bdf bdf = (hvcfg_bdf)(offset >> 12);
	uint16_t reg = (uint16_t)(offset & 0xfff);
	struct vcpu *v = partition_vcpu(p, 0);

	if (!ecam)
		return;
	if (write) {
		fake_mmio.write(v, ECAM_BASE + offset, size, value);
		return;
	}
	check_read(p, bdf, reg, size, fake_mmio.read(v, ECAM_BASE + offset, size),
		   reg % (size == 8 ? 4 : size) == 0 && reg + size <= 0x1000 &&
		   (size != 8 || reg % 4 == 0));
}

/* Any width at 0xCF8, 0xCFA, 0xCFB (0xCF9 is the reset port): only a dword is the latch. */
static void latch_io(struct fuzz_input *in, struct partition *p, uint8_t op)
{
	static const uint8_t offsets[] = { 0, 2, 3, 0 }, sizes[] = { 1, 2, 4, 4 };
	uint32_t value = (uint32_t)fuzz_take(in, 4);
	uint16_t port = (uint16_t)(0xcf8 + offsets[op >> 6]);
	uint64_t got = port_io(p, port, sizes[(op >> 3) & 3], op & 8, value);

	if ((op & 8) && port == 0xcf8 && sizes[(op >> 3) & 3] == 4 && (got & ~0x80fffffcull) != 0)
		abort(); /* the latch keeps only enable, bus, device, function, register */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	if (!machine(&in))
		return 0;
	for (uint32_t ops = 0; in.left != 0 && ops < 256; ops++) {
		uint8_t op = (uint8_t)fuzz_take(&in, 1);
		struct partition *p = parts[(op >> 4) % PARTS];

		switch (op & 7) {
		case 0: case 1: port_access(&in, p, false); break;
		case 2: port_access(&in, p, true); break;
		case 3: case 4: ecam_access(&in, p, false); break;
		case 5: ecam_access(&in, p, true); break;
		case 6: pci_open_ports(partition_vcpu(p, (op >> 6) & 1 ? 0 : p->vp_count - 1)); break;
		default: latch_io(&in, p, op); break;
		}
		check_host(p);
	}
	return 0;
}
