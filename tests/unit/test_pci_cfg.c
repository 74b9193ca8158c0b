/*
 * Every kind of PCI configuration access a partition can make
 * (hv/pci/pci_cfg.c through ports 0xCF8/0xCFC-0xCFF and the ECAM window),
 * on the fake machine (hv_fake.h) with a fake bus (hv_fake_pci.h) that hv
 * enumerated and assigned at start-up: the root owns a NIC, g1 a disk,
 * g2 function 0 of a multi-function device, and nobody the host bridge,
 * a display and function 1 of that device.  One row per access:
 * partition, path, function, offset, width, read or write, and what the
 * guest reads or what reaches the hardware.  Every row also checks that
 * hv touched no function but the caller's own on the host.
 *
 * Where the truth comes from: docs/hypercalls.md "PCI" and
 * docs/architecture.md "PCI" (only a partition's own functions exist,
 * others read all ones and drop writes; reads pass through except the
 * virtual BARs and the expansion ROM BAR, which reads 0; writes reach the
 * command register and 0x40 and up, nothing else in the header; naturally
 * aligned accesses only; extended space only through ECAM; 8-byte ECAM
 * accesses as two dwords) and PCI Local Bus 3.0 6.2.5.1 for BAR sizing
 * (all ones written, the size mask with the type bits read back).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hv_fake.h"
#include "hv_fake_pci.h"

#include <pci/pci.h>
#include <pci/pci_dev.h>

enum who { ROOT, G1, G2 };
enum via { PORTS, ECAM };
enum op { READ, WRITE };

enum outcome {
	ONES,       /* READ: all ones of the width */
	DEVICE,     /* READ: the device's own register */
	VALUE,      /* READ: the row's value */
	PASSES,     /* WRITE: the device's register now holds the value */
	COMMAND,    /* WRITE: the low 16 bits reach the command register, status untouched */
	DROPPED,    /* WRITE: nothing reaches any device */
};

#define NIC PCI_BDF(0, 3, 0)      /* the root's */
#define DISK PCI_BDF(0, 4, 0)     /* g1's */
#define MULTI0 PCI_BDF(0, 6, 0)   /* g2's */
#define MULTI1 PCI_BDF(0, 6, 1)   /* nobody's: the other function of g2's device */
#define DISPLAY PCI_BDF(0, 5, 0)  /* nobody's */
#define BRIDGE PCI_BDF(0, 0, 0)   /* the host bridge: nobody's */
#define ABSENT PCI_BDF(0, 9, 0)   /* no device */
#define ECAM_BASE 0xb0000000ull   /* QEMU q35's */

struct cfg_row {
	enum who who;
	enum via via;
	hvcfg_bdf bdf;
	uint16_t reg;
	uint8_t size;
	enum op op;
	uint32_t value;
	enum outcome outcome;
	const char *why;
};

static const struct cfg_row rows[] = {
	/* a partition's own function: ids, class, header pass through, at every width */
	{ ROOT, PORTS, NIC, 0x00, 4, READ, 0, DEVICE, "vendor and device id" },
	{ ROOT, PORTS, NIC, 0x00, 2, READ, 0, DEVICE, "vendor id" },
	{ ROOT, PORTS, NIC, 0x02, 2, READ, 0, DEVICE, "device id" },
	{ ROOT, PORTS, NIC, 0x01, 1, READ, 0, DEVICE, "vendor id's high byte" },
	{ ROOT, PORTS, NIC, 0x08, 4, READ, 0, DEVICE, "class and revision" },
	{ ROOT, PORTS, NIC, 0x0e, 1, READ, 0, DEVICE, "header type" },
	{ ROOT, PORTS, NIC, 0x06, 2, READ, 0, DEVICE, "status" },
	{ ROOT, PORTS, NIC, 0x2c, 4, READ, 0, DEVICE, "subsystem" },
	{ ROOT, PORTS, NIC, 0x34, 1, READ, 0, DEVICE, "capabilities pointer" },
	{ ROOT, PORTS, NIC, 0x3c, 2, READ, 0, DEVICE, "interrupt line and pin" },
	{ ROOT, PORTS, NIC, 0x40, 4, READ, 0, DEVICE, "device-specific" },
	{ ROOT, PORTS, NIC, 0xfc, 4, READ, 0, DEVICE, "last dword the ports reach" },
	{ ROOT, PORTS, NIC, 0xff, 1, READ, 0, DEVICE, "last byte the ports reach" },
	{ G1, ECAM, DISK, 0x00, 4, READ, 0, DEVICE, "ids through ECAM" },
	{ G1, ECAM, DISK, 0x100, 4, READ, 0, DEVICE, "extended space through ECAM" },
	{ G1, ECAM, DISK, 0xffc, 4, READ, 0, DEVICE, "last dword of extended space" },
	{ G1, ECAM, DISK, 0xfff, 1, READ, 0, DEVICE, "last byte of extended space" },
	{ G2, PORTS, MULTI0, 0x00, 4, READ, 0, DEVICE, "g2's function 0" },
	/* the BARs are virtual, the expansion ROM reads 0 */
	{ ROOT, PORTS, NIC, 0x10, 4, READ, 0xfebc0000, VALUE, "BAR0: mem32, where the firmware put it" },
	{ ROOT, PORTS, NIC, 0x14, 4, READ, 0x0000c001, VALUE, "BAR1: I/O" },
	{ ROOT, PORTS, NIC, 0x18, 4, READ, 0, VALUE, "BAR2: not implemented" },
	{ ROOT, PORTS, NIC, 0x11, 1, READ, 0x00, VALUE, "BAR0's second byte" },
	{ ROOT, PORTS, NIC, 0x12, 2, READ, 0xfebc, VALUE, "BAR0's upper word" },
	{ G1, PORTS, DISK, 0x20, 4, READ, 0x0000000c, VALUE, "BAR4: mem64 prefetchable, low half" },
	{ G1, PORTS, DISK, 0x24, 4, READ, 0x00000008, VALUE, "BAR5: its high half" },
	{ ROOT, PORTS, NIC, 0x30, 4, READ, 0, VALUE, "expansion ROM: none mapped" },
	{ ROOT, PORTS, NIC, 0x32, 2, READ, 0, VALUE, "expansion ROM's upper word" },
	/* other partitions' and nobody's functions do not exist */
	{ G1, PORTS, NIC, 0x00, 4, READ, 0, ONES, "the root's NIC from g1" },
	{ G1, ECAM, NIC, 0x00, 4, READ, 0, ONES, "the root's NIC through ECAM" },
	{ G1, PORTS, NIC, 0x10, 4, READ, 0, ONES, "the root's BAR from g1" },
	{ ROOT, PORTS, DISK, 0x00, 4, READ, 0, ONES, "g1's disk from the root" },
	{ ROOT, PORTS, BRIDGE, 0x00, 4, READ, 0, ONES, "the host bridge" },
	{ ROOT, ECAM, BRIDGE, 0x00, 2, READ, 0, ONES, "the host bridge through ECAM" },
	{ G1, PORTS, DISPLAY, 0x00, 4, READ, 0, ONES, "an unassigned display" },
	{ G2, PORTS, MULTI1, 0x00, 4, READ, 0, ONES, "the other function of g2's device" },
	{ G2, PORTS, ABSENT, 0x00, 2, READ, 0, ONES, "no device" },
	{ G2, PORTS, PCI_BDF(5, 0, 0), 0x00, 4, READ, 0, ONES, "a bus past the ECAM's" },
	/* widths and alignment */
	{ ROOT, PORTS, NIC, 0x02, 4, READ, 0, ONES, "dword at 2: misaligned" },
	{ ROOT, PORTS, NIC, 0x01, 2, READ, 0, ONES, "word at 1: misaligned" },
	{ ROOT, ECAM, NIC, 0x03, 2, READ, 0, ONES, "ECAM word at 3" },
	{ ROOT, ECAM, NIC, 0x06, 4, READ, 0, ONES, "ECAM dword at 6" },
	{ ROOT, ECAM, NIC, 0x00, 8, READ, 0, DEVICE, "ECAM qword: two dwords" },
	{ G1, ECAM, DISK, 0xff8, 8, READ, 0, DEVICE, "last ECAM qword of extended space" },
	{ G1, ECAM, DISK, 0xffc, 8, READ, 0, ONES, "ECAM qword past the function's end" },
	{ G1, ECAM, DISK, 0xffc, 8, WRITE, 0x12345678, DROPPED,
	  "ECAM qword write past the function's end" },
	{ ROOT, ECAM, NIC, 0x01, 2, WRITE, 0xffff, DROPPED, "ECAM misaligned write" },
	{ ROOT, PORTS, NIC, 0x02, 4, WRITE, 0xffffffff, DROPPED, "port misaligned write" },
	/* writes: the command register and 0x40 and up reach the device */
	{ ROOT, PORTS, NIC, 0x04, 2, WRITE, 0x0002, COMMAND, "command: memory only" },
	{ ROOT, PORTS, NIC, 0x04, 4, WRITE, 0xf9000006, COMMAND, "command dword: status half dropped" },
	{ ROOT, PORTS, NIC, 0x04, 1, WRITE, 0x03, COMMAND, "command low byte" },
	{ ROOT, PORTS, NIC, 0x05, 1, WRITE, 0x04, COMMAND, "command high byte (interrupt disable)" },
	{ ROOT, PORTS, NIC, 0x06, 2, WRITE, 0xffff, DROPPED, "status (RW1C) stays hv's" },
	{ ROOT, PORTS, NIC, 0x07, 1, WRITE, 0xff, DROPPED, "status high byte" },
	{ ROOT, PORTS, NIC, 0x40, 4, WRITE, 0x12345678, PASSES, "device-specific dword" },
	{ ROOT, PORTS, NIC, 0x42, 2, WRITE, 0xbeef, PASSES, "device-specific word" },
	{ ROOT, PORTS, NIC, 0xff, 1, WRITE, 0x5a, PASSES, "last byte the ports reach" },
	{ G1, ECAM, DISK, 0x100, 4, WRITE, 0xcafe0001, PASSES, "extended space through ECAM" },
	{ G1, ECAM, DISK, 0x48, 8, WRITE, 0x87654321, PASSES, "ECAM qword write" },
	/* writes the header keeps */
	{ ROOT, PORTS, NIC, 0x00, 4, WRITE, 0, DROPPED, "ids" },
	{ ROOT, PORTS, NIC, 0x0c, 4, WRITE, 0x0000ff10, DROPPED, "cache line and latency" },
	{ ROOT, PORTS, NIC, 0x3c, 1, WRITE, 0x05, DROPPED, "interrupt line" },
	{ ROOT, PORTS, NIC, 0x30, 4, WRITE, 0xffffffff, DROPPED, "ROM BAR sizing" },
	{ ROOT, PORTS, NIC, 0x10, 4, WRITE, 0xfe000000, DROPPED, "moving BAR0" },
	{ ROOT, PORTS, NIC, 0x10, 4, WRITE, 0xffffffff, DROPPED, "sizing BAR0: virtual" },
	{ ROOT, PORTS, NIC, 0x14, 2, WRITE, 0xc101, DROPPED, "moving BAR1 by a word" },
	/* writes to what is not the partition's */
	{ G1, PORTS, NIC, 0x04, 2, WRITE, 0x0000, DROPPED, "the root's command register from g1" },
	{ G1, ECAM, NIC, 0x40, 4, WRITE, 0, DROPPED, "the root's device area through ECAM" },
	{ G2, PORTS, MULTI1, 0x04, 2, WRITE, 0x0007, DROPPED, "the other function of g2's device" },
	{ ROOT, PORTS, BRIDGE, 0x40, 4, WRITE, 0, DROPPED, "the host bridge" },
	{ G1, PORTS, DISPLAY, 0x10, 4, WRITE, 0xffffffff, DROPPED, "sizing nobody's BAR" },
};

static struct partition *parts[3];

static void machine(void)
{
	struct fake_pci_function *f;
	const struct fake_pci_owner owners[] = { { NIC, 0 }, { DISK, 1 }, { MULTI0, 2 } };

	fake_machine_reset(&fake_vtx_ops, &fake_cpu_intel);
	fake_pci_reset();
	parts[ROOT] = fake_partition_add("root", HVCFG_ROLE_ROOT, PLATFORM_HV_KERNEL, 2ull << 20, 1);
	parts[G1] = fake_partition_add("g1", HVCFG_ROLE_GUEST, PLATFORM_HV_KERNEL, 2ull << 20, 1);
	parts[G2] = fake_partition_add("g2", HVCFG_ROLE_GUEST, PLATFORM_PC, 2ull << 20, 1);
	fake_pci_add(BRIDGE, 0x8086, 0x29c0, 0x060000, false);
	f = fake_pci_add(NIC, 0x8086, 0x100e, 0x020000, false);
	fake_pci_bar(f, 0, FAKE_BAR_MEM32, 0xfebc0000, 0x20000);
	fake_pci_bar(f, 1, FAKE_BAR_IO, 0xc000, 0x40);
	f = fake_pci_add(DISK, 0x1af4, 0x1042, 0x010000, false);
	fake_pci_bar(f, 0, FAKE_BAR_IO, 0xc040, 0x20);
	fake_pci_bar(f, 1, FAKE_BAR_MEM32, 0xfebd1000, 0x1000);
	fake_pci_bar(f, 2, FAKE_BAR_IO, 0xc060, 0x8);
	fake_pci_bar(f, 4, FAKE_BAR_MEM64_PREFETCH, 0x800000000ull, 0x4000);
	f = fake_pci_add(DISPLAY, 0x1234, 0x1111, 0x030000, false);
	fake_pci_bar(f, 0, FAKE_BAR_MEM32, 0xfd000000, 0x1000000);
	f = fake_pci_add(MULTI0, 0x8086, 0x2922, 0x010601, true);
	fake_pci_bar(f, 5, FAKE_BAR_MEM32, 0xfebd2000, 0x1000);
	fake_pci_add(MULTI1, 0x8086, 0x2930, 0x0c0500, false);
	assert_int_equal(fake_pci_start_ecam(owners, 3, ECAM_BASE, 0, 0), 0);
	assert_true(fake_mmio.registered);
}

static uint64_t ones(uint8_t size)
{
	return size == 8 ? ~0ull : size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;
}

/* One access as the guest makes it; returns what it reads. */
static uint64_t access(struct partition *p, enum via via, hvcfg_bdf bdf, uint16_t reg,
		       uint8_t size, enum op op, uint64_t value)
{
	struct vcpu *v = partition_vcpu(p, 0);
	uint64_t gpa = ECAM_BASE + ((uint64_t)bdf << 12) + reg;
	uint16_t port = (uint16_t)(0xcfc + (reg & 3));

	if (via == ECAM) {
		if (op == READ)
			return fake_mmio.read(v, gpa, size);
		fake_mmio.write(v, gpa, size, value);
		return 0;
	}
	pci_port_write(p, 0xcf8, 4, 0x80000000u | (uint32_t)bdf << 8 | (reg & 0xfcu));
	if (op == READ)
		return pci_port_read(p, port, size);
	pci_port_write(p, port, size, (uint32_t)value);
	return 0;
}

/* Whether every host access since the last forget was to one of p's own functions. */
static bool only_own_functions(const struct partition *p)
{
	for (uint32_t i = 0; i < fake_pci_access_count && i < FAKE_PCI_ACCESSES; i++) {
		const struct pci_function *f = pci_find(fake_pci_accesses[i].bdf);

		if (f == NULL || f->owner != p->id)
			return false;
	}
	return true;
}

/* Host writes since the last forget. */
static uint32_t host_writes(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < fake_pci_access_count && i < FAKE_PCI_ACCESSES; i++)
		n += fake_pci_accesses[i].write;
	return n;
}

static bool read_holds(const struct cfg_row *r, uint64_t got)
{
	const struct fake_pci_function *f = fake_pci_find(r->bdf);
	uint64_t want = r->outcome == ONES ? ones(r->size) : r->value;

	if (r->outcome == DEVICE)
		want = r->size == 8 ? fake_pci_peek(f, r->reg, 4) |
					      (uint64_t)fake_pci_peek(f, r->reg + 4, 4) << 32
				    : fake_pci_peek(f, r->reg, r->size);
	if (got != want)
		print_error("read 0x%llx, expected 0x%llx\n", (unsigned long long)got,
			    (unsigned long long)want);
	return got == want;
}

/* The command register after the row's write: its bytes merged in (the device keeps bits 10:0). */
static uint32_t expected_command(const struct cfg_row *r, uint32_t before)
{
	uint32_t shift = r->size == 1 ? 8 * (r->reg & 1u) : 0;
	uint32_t bytes = (r->size == 1 ? 0xffu : 0xffffu) << shift;
	uint32_t written = (r->value << shift) & bytes & 0x7ffu;

	return (before & ~(bytes & 0x7ffu)) | written;
}

static bool write_holds(const struct cfg_row *r, uint32_t command_before, uint32_t status_before)
{
	const struct fake_pci_function *f = fake_pci_find(r->bdf);
	uint8_t size = r->size == 8 ? 4 : r->size;

	switch (r->outcome) {
	case DROPPED:
		return host_writes() == 0;
	case PASSES:
		return fake_pci_peek(f, r->reg, size) == (r->value & ones(size));
	case COMMAND:
		return fake_pci_peek(f, 4, 2) == expected_command(r, command_before) &&
		       fake_pci_peek(f, 6, 2) == status_before;
	default:
		return false;
	}
}

static bool row_holds(const struct cfg_row *r)
{
	struct partition *p;
	const struct fake_pci_function *f;
	uint32_t command = 0, status = 0;
	uint64_t got;
	bool ok;

	machine();
	p = parts[r->who];
	f = fake_pci_find(r->bdf);
	if (f != NULL) {
		command = fake_pci_peek(f, 4, 2);
		status = fake_pci_peek(f, 6, 2);
	}
	got = access(p, r->via, r->bdf, r->reg, r->size, r->op, r->value);
	ok = r->op == READ ? read_holds(r, got) : write_holds(r, command, status);
	if (!only_own_functions(p)) {
		print_error("hv touched a function that is not the partition's\n");
		ok = false;
	}
	if (!ok)
		print_error("%s %s 0x%04x reg 0x%x size %u via %s (%s) fails\n",
			    r->who == ROOT ? "root" : r->who == G1 ? "g1" : "g2",
			    r->op == READ ? "reads" : "writes", r->bdf, r->reg, r->size,
			    r->via == PORTS ? "ports" : "ECAM", r->why);
	return ok;
}

static void test_every_row(void **state)
{
	(void)state;
	assert_int_equal(FAKE_FAILING_ROWS(rows, row_holds), 0);
}

/*
 * PCI 3.0 6.2.5.1: all ones written, then read, gives the size mask with
 * the type bits; the original written back restores the address. hv
 * never writes the hardware's BAR (docs/architecture.md).
 */
static void test_bar_sizing(void **state)
{
	static const struct {
		enum who who;
		hvcfg_bdf bdf;
		uint16_t reg;
		uint32_t sized, original;
	} bars[] = {
		{ ROOT, NIC, 0x10, 0xfffe0000, 0xfebc0000 },  /* 128 KiB mem32 */
		{ ROOT, NIC, 0x14, 0xffffffc1, 0x0000c001 },  /* 64 ports */
		{ ROOT, NIC, 0x18, 0x00000000, 0x00000000 },  /* not implemented */
		{ G1, DISK, 0x14, 0xfffff000, 0xfebd1000 },   /* 4 KiB mem32 */
		{ G1, DISK, 0x18, 0xfffffff9, 0x0000c061 },   /* 8 ports: only bits 1:0 are type bits */
		{ G1, DISK, 0x20, 0xffffc00c, 0x0000000c },   /* 16 KiB mem64 prefetchable, low */
		{ G1, DISK, 0x24, 0xffffffff, 0x00000008 },   /* its high half */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bars) / sizeof(bars[0]); i++) {
		struct partition *p;

		machine();
		p = parts[bars[i].who];
		access(p, PORTS, bars[i].bdf, bars[i].reg, 4, WRITE, 0xffffffff);
		assert_int_equal(access(p, PORTS, bars[i].bdf, bars[i].reg, 4, READ, 0), bars[i].sized);
		/* ECAM sees the same virtual register */
		assert_int_equal(access(p, ECAM, bars[i].bdf, bars[i].reg, 4, READ, 0), bars[i].sized);
		access(p, PORTS, bars[i].bdf, bars[i].reg, 4, WRITE, bars[i].original);
		assert_int_equal(access(p, PORTS, bars[i].bdf, bars[i].reg, 4, READ, 0),
				 bars[i].original);
		assert_int_equal(host_writes(), 0);
	}
}

/* A refused move is logged once per BAR, not per write (a guest could flood the log). */
static void test_bar_move_logged_once(void **state)
{
	(void)state;
	machine();
	for (int i = 0; i < 5; i++)
		access(parts[ROOT], PORTS, NIC, 0x10, 4, WRITE, 0xfe000000u + i * 0x100000);
	assert_int_equal(fake_log_count("tried to move BAR0"), 1);
	assert_int_equal(access(parts[ROOT], PORTS, NIC, 0x10, 4, READ, 0), 0xfebc0000);
}

/*
 * docs/architecture.md "Restart": a partition's restart forgets its latch
 * and BAR sizing and turns bus mastering off on its devices, no one else's.
 */
static void test_restart_quiets_own_devices(void **state)
{
	struct vcpu *g1v;

	(void)state;
	machine();
	access(parts[G1], PORTS, DISK, 0x10, 4, WRITE, 0xffffffff);
	access(parts[G1], PORTS, DISK, 0x04, 2, WRITE, 0x0007);
	g1v = partition_vcpu(parts[G1], 0);
	pci_open_ports(g1v); /* vCPU 0 starts: the partition's restart */
	assert_int_equal(pci_port_read(parts[G1], 0xcf8, 4), 0);
	assert_int_equal(fake_pci_peek(fake_pci_find(DISK), 4, 2) & PCI_COMMAND_MASTER, 0);
	assert_int_equal(fake_pci_peek(fake_pci_find(NIC), 4, 2) & PCI_COMMAND_MASTER,
			 PCI_COMMAND_MASTER);
	assert_int_equal(access(parts[G1], PORTS, DISK, 0x10, 4, READ, 0), 0xc041);
	assert_true(only_own_functions(parts[G1]));
}

/* Enumeration saw every function; the configuration refused none; bridges are nobody's. */
static void test_start_up(void **state)
{
	const struct fake_pci_owner bridge[] = { { BRIDGE, 1 } };

	(void)state;
	machine();
	assert_int_equal(pci_function_count, 6);
	assert_int_equal(pci_find(BRIDGE)->owner, PCI_NO_OWNER);
	assert_int_equal(pci_find(DISPLAY)->owner, PCI_NO_OWNER);
	assert_int_equal(pci_find(MULTI1)->owner, PCI_NO_OWNER);
	assert_int_equal(pci_find(DISK)->bars[4].size, 0x4000);
	assert_true(pci_find(DISK)->bars[5].upper);
	/* docs/architecture.md "Ownership": a bridge is refused, with the configuration line */
	fake_pci_reset();
	fake_pci_add(BRIDGE, 0x8086, 0x29c0, 0x060000, false);
	assert_int_equal(fake_pci_start(bridge, 1), -1);
	assert_int_equal(fake_log_count("config refused: partition p1"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_bar_move_logged_once),
		cmocka_unit_test(test_restart_quiets_own_devices),
		cmocka_unit_test(test_start_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
