/*
 * Every I/O port a partition can reach (hv/emul/io.c, with the PC
 * platform's devices and the PCI configuration ports behind it), on the
 * fake machine (hv_fake.h): one row per port, width, direction and
 * partition kind, with what the guest reads or what the write does
 * (nothing, a console byte, power-off, reset, a fault).  Then which ports
 * pass through without exits: only the I/O BARs of the partition's own
 * PCI devices (pci_open_ports through the backend's io_allow).
 *
 * Where the truth comes from: docs/hypercalls.md "The platform around
 * it" (the port table, "every other port reads all ones and ignores
 * writes", string I/O faults the partition, I/O BARs go straight to the
 * hardware); the ACPI specification 4.8.3.2.1 (PM1 control: SLP_TYP
 * bits 12:10, SLP_EN bit 13) and 4.8.3.7 (sleep control register:
 * SLP_TYP bits 4:2, SLP_EN bit 5) with the S5 type 5 of hv's own DSDT;
 * the PC reset control register 0xCF9 (RST bit 2) and the 8042's pulse
 * reset command 0xFE; the MC146818 register layout for the RTC; the
 * 16550 data sheet for LSR (THRE and TEMT 0x60 when idle), IIR (0x01: no
 * interrupt) and the scratch register; and the SDM's IN instruction: a
 * byte or word IN leaves the rest of RAX, a dword IN zero-extends it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hv_fake.h"
#include "hv_fake_pci.h"

#include <part/root_events.h>
#include <pci/pci.h>

#include <hv/hypercall.h>

enum kind { HVK = 1, PC = 2, BOTH = 3 }; /* our kernels, the PC platform */

/* What a row expects. */
enum effect {
	READS,       /* IN: the value below */
	NOTHING,     /* OUT: ignored, the partition runs on */
	CONSOLE,     /* OUT: the byte (value) reaches the partition's console */
	POWER_OFF,   /* OUT: the partition is Off, cause guest power-off */
	RESET,       /* OUT: the partition restarts (Starting, cause guest reset) */
	FAULT,       /* the partition is Faulted */
};

#define IN true
#define OUT false
#define RAX_BEFORE 0x1122334455667788ull

struct io_row {
	uint16_t port;
	uint8_t size;
	bool in;
	enum kind kind;
	uint32_t value;    /* OUT: what is written (AL/AX/EAX); IN: what the guest reads */
	enum effect effect;
	const char *why;
	uint16_t first_port;  /* when not 0: a byte written there first (LCR, an RTC index) */
	uint8_t first_value;
};

static const struct io_row rows[] = {
	/* COM1 (docs/hypercalls.md; 16550 data sheet) */
	{ 0x3f8, 1, OUT, BOTH, 'A', CONSOLE, "THR: a console byte", 0, 0 },
	{ 0x3f8, 1, OUT, BOTH, 'A', NOTHING, "DLL while DLAB is set: no byte", 0x3fb, 0x83 },
	{ 0x3fd, 1, IN, BOTH, 0x60, READS, "LSR: THRE and TEMT, never busy", 0, 0 },
	{ 0x3fb, 1, IN, BOTH, 0x03, READS, "LCR reads back", 0x3fb, 0x03 },
	{ 0x3fa, 1, IN, PC, 0x01, READS, "IIR: no interrupt pending", 0, 0 },
	{ 0x3ff, 1, IN, PC, 0x5a, READS, "scratch register reads back", 0x3ff, 0x5a },
	{ 0x3f9, 1, IN, HVK, 0x00, READS, "IER: none (minimal UART)", 0, 0 },
	{ 0x3fe, 1, IN, HVK, 0x00, READS, "MSR: no modem lines", 0, 0 },
	/* ACPI: PM1a control (our kernels), sleep control (hardware-reduced FADT), sleep status */
	{ 0x604, 2, OUT, BOTH, 5u << 10 | 1u << 13, POWER_OFF, "PM1a: SLP_TYP 5, SLP_EN", 0, 0 },
	{ 0x604, 2, OUT, BOTH, 5u << 10, NOTHING, "PM1a: SLP_TYP 5 without SLP_EN", 0, 0 },
	{ 0x604, 2, OUT, BOTH, 1u << 10 | 1u << 13, NOTHING, "PM1a: S1 is not emulated", 0, 0 },
	{ 0x604, 4, OUT, BOTH, 5u << 10 | 1u << 13, POWER_OFF, "PM1a as a dword", 0, 0 },
	{ 0x606, 1, OUT, BOTH, 0x34, POWER_OFF, "sleep control: SLP_TYP 5, SLP_EN", 0, 0 },
	{ 0x606, 1, OUT, BOTH, 0x14, NOTHING, "sleep control without SLP_EN", 0, 0 },
	{ 0x606, 1, OUT, BOTH, 0x24, NOTHING, "sleep control: S1", 0, 0 },
	{ 0x607, 1, IN, BOTH, 0x00, READS, "sleep status: never woken", 0, 0 },
	{ 0x607, 1, OUT, BOTH, 0xff, NOTHING, "sleep status: writes vanish", 0, 0 },
	/* resets */
	{ 0xcf9, 1, OUT, BOTH, 0x06, RESET, "reset control: RST with SYS_RST", 0, 0 },
	{ 0xcf9, 1, OUT, BOTH, 0x04, RESET, "reset control: RST", 0, 0 },
	{ 0xcf9, 1, OUT, BOTH, 0x02, NOTHING, "reset control: SYS_RST alone", 0, 0 },
	{ 0xcf9, 1, IN, BOTH, 0xff, READS, "reset control is not readable", 0, 0 },
	{ 0x64, 1, OUT, BOTH, 0xfe, RESET, "8042: pulse reset", 0, 0 },
	{ 0x64, 1, OUT, BOTH, 0xfd, NOTHING, "8042: another command", 0, 0 },
	{ 0x64, 1, IN, BOTH, 0xff, READS, "8042 status: no controller", 0, 0 },
	/* CMOS RTC: the PC platform's (MC146818: seconds 0, status A/B/D, century) */
	{ 0x71, 1, IN, PC, 0x00, READS, "RTC seconds", 0x70, 0x00 },
	{ 0x71, 1, IN, PC, 0x20, READS, "RTC status A: update not in progress", 0x70, 0x0a },
	{ 0x71, 1, IN, PC, 0x06, READS, "RTC status B: binary, 24-hour", 0x70, 0x0b },
	{ 0x71, 1, IN, PC, 0x80, READS, "RTC status D: time valid", 0x70, 0x0d },
	{ 0x71, 1, IN, PC, 20, READS, "RTC century 20", 0x70, 0x32 },
	{ 0x71, 1, OUT, PC, 0x12, NOTHING, "RTC writes are forgotten", 0x70, 0x00 },
	{ 0x71, 1, IN, HVK, 0xff, READS, "our kernels have no RTC", 0, 0 },
	{ 0x70, 1, IN, HVK, 0xff, READS, "our kernels have no RTC", 0, 0 },
	/* PCI configuration mechanism: 0xCF8 is the dword latch, bytes and words there are not */
	{ 0xcf8, 4, IN, BOTH, 0x00000000, READS, "address latch: empty", 0, 0 },
	{ 0xcf8, 1, IN, BOTH, 0xff, READS, "0xCF8 byte: not the latch", 0, 0 },
	{ 0xcf8, 2, IN, BOTH, 0xffff, READS, "0xCF8 word: not the latch", 0, 0 },
	{ 0xcfc, 4, IN, BOTH, 0xffffffff, READS, "data with the latch disabled", 0, 0 },
	{ 0xcfe, 2, IN, BOTH, 0xffff, READS, "data word", 0, 0 },
	{ 0xcff, 1, IN, BOTH, 0xff, READS, "data byte", 0, 0 },
	/* every other port: an empty ISA bus */
	{ 0x0000, 1, IN, BOTH, 0xff, READS, "DMA controller: not emulated", 0, 0 },
	{ 0x0020, 1, IN, BOTH, 0xff, READS, "PIC: not emulated", 0, 0 },
	{ 0x0040, 1, IN, BOTH, 0xff, READS, "PIT: not emulated", 0, 0 },
	{ 0x0061, 1, IN, BOTH, 0xff, READS, "port B", 0, 0 },
	{ 0x0080, 1, OUT, BOTH, 0x55, NOTHING, "POST code: writes vanish", 0, 0 },
	{ 0x02f8, 1, OUT, BOTH, 'x', NOTHING, "COM2 does not exist", 0, 0 },
	{ 0x03f7, 1, IN, BOTH, 0xff, READS, "just below COM1", 0, 0 },
	{ 0x0400, 2, IN, BOTH, 0xffff, READS, "word: all ones", 0, 0 },
	{ 0x0600, 4, IN, BOTH, 0xffffffff, READS, "dword: all ones", 0, 0 },
	{ 0x0605, 1, OUT, BOTH, 0xff, NOTHING, "between the ACPI registers", 0, 0 },
	{ 0x1000, 4, IN, BOTH, 0xffffffff, READS, "an I/O BAR no one was given", 0, 0 },
	{ 0xc000, 4, OUT, BOTH, 0xdeadbeef, NOTHING, "an I/O BAR no one was given", 0, 0 },
	{ 0xfffc, 4, IN, BOTH, 0xffffffff, READS, "top of the space", 0, 0 },
	{ 0xffff, 1, OUT, BOTH, 0, NOTHING, "last port", 0, 0 },
};

static struct partition *machine(enum kind kind)
{
	fake_machine_reset(&fake_vtx_ops, &fake_cpu_intel);
	fake_pci_reset();
	fake_partition_add("root", HVCFG_ROLE_ROOT, PLATFORM_HV_KERNEL, 2ull << 20, 1);
	return fake_partition_add("g", HVCFG_ROLE_GUEST, kind == PC ? PLATFORM_PC : PLATFORM_HV_KERNEL,
				  2ull << 20, 1);
}

static enum exit_action port_io(struct vcpu *v, uint16_t port, uint8_t size, bool in, uint64_t rax)
{
	struct exit_io io = { .port = port, .size = size, .in = in };

	v->regs.rax = rax;
	return guest_io(v, &io);
}

static uint64_t size_mask(uint8_t size)
{
	return size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;
}

/* What the partition's state and the root's view must be after the row. */
static void check_effect(const struct io_row *r, struct partition *p, enum exit_action action)
{
	static const uint32_t state[] = { [NOTHING] = PARTITION_RUNNING, [CONSOLE] = PARTITION_RUNNING,
					  [POWER_OFF] = PARTITION_OFF, [RESET] = PARTITION_STARTING,
					  [FAULT] = PARTITION_FAULTED, [READS] = PARTITION_RUNNING };
	bool parks = r->effect == POWER_OFF || r->effect == RESET || r->effect == FAULT;

	if (p->state != state[r->effect] || (action == ACTION_PARK) != parks ||
	    (!parks && action != ACTION_NEXT))
		fail_msg("port 0x%x (%s): state %u action %d", r->port, r->why, p->state, action);
}

static void check_row(const struct io_row *r, enum kind kind)
{
	struct partition *p = machine(kind);
	struct vcpu *v = partition_vcpu(p, 0);
	enum exit_action action;
	uint64_t expected;

	if (r->first_port != 0)
		assert_int_equal(port_io(v, r->first_port, 1, OUT, r->first_value), ACTION_NEXT);
	action = port_io(v, r->port, r->size, r->in, r->in ? RAX_BEFORE : r->value);
	if (r->in) {
		expected = r->size == 4 ? r->value : (RAX_BEFORE & ~size_mask(r->size)) | r->value;
		if (action != ACTION_NEXT || v->regs.rax != expected)
			fail_msg("IN %u from 0x%x (%s, %s): action %d RAX 0x%llx, expected 0x%llx",
				 r->size, r->port, r->why, kind == PC ? "PC" : "hv kernel", action,
				 (unsigned long long)v->regs.rax, (unsigned long long)expected);
		return;
	}
	check_effect(r, p, action);
	/* a byte that reached the console waits in its line buffer */
	if (r->effect == CONSOLE && (p->console.used != 1 || p->console.line[0] != (char)r->value))
		fail_msg("OUT to 0x%x (%s): the byte did not reach the console", r->port, r->why);
	if (r->effect != CONSOLE && (p->console.used != 0 || fake_log_count("[g]") != 0))
		fail_msg("OUT to 0x%x (%s): the console got a byte", r->port, r->why);
}

static void test_every_row(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (int kind = HVK; kind <= PC; kind++)
			if (rows[i].kind & kind)
				check_row(&rows[i], kind);
}

/* docs/hypercalls.md: power-off and reset are reported to the root with their cause. */
static void test_power_off_and_reset_are_events(void **state)
{
	struct partition *root, *p;
	struct hv_event_ring *ring;

	(void)state;
	p = machine(HVK);
	root = &partitions[0];
	ring = fake_ram(root, 0x10000);
	assert_int_equal(events_set_ring(root, 0x10000, 0x40), HV_STATUS_SUCCESS);
	assert_int_equal(port_io(partition_vcpu(p, 0), 0x606, 1, OUT, 0x34), ACTION_PARK);
	assert_int_equal(ring->write_index, 1);
	assert_int_equal(ring->events[0].partition_id, p->id);
	assert_int_equal(ring->events[0].previous_state, PARTITION_RUNNING);
	assert_int_equal(ring->events[0].state, PARTITION_OFF);
	assert_int_equal(ring->events[0].cause, HV_EVENT_GUEST_POWEROFF);
	p->state = PARTITION_RUNNING;
	assert_int_equal(port_io(partition_vcpu(p, 0), 0xcf9, 1, OUT, 0x06), ACTION_PARK);
	assert_int_equal(ring->events[1].state, PARTITION_STARTING);
	assert_int_equal(ring->events[1].cause, HV_EVENT_GUEST_RESET);
	/* the root powering itself off ends the test run (test mode), a guest's does not */
	assert_int_equal(fake_power_offs, 0);
	assert_int_equal(port_io(partition_vcpu(root, 0), 0x604, 2, OUT, 0x3400), ACTION_PARK);
	assert_int_equal(fake_power_offs, 1);
}

/* docs/hypercalls.md: string I/O (INS/OUTS) faults the partition, on every port. */
static void test_string_io_faults(void **state)
{
	static const uint16_t ports[] = { 0x3f8, 0xcfc, 0x80, 0x1000 };

	(void)state;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct partition *p = machine(PC);
		struct exit_io io = { .port = ports[i], .size = 1, .in = i % 2, .string = true,
				      .rep = true };

		assert_int_equal(guest_io(partition_vcpu(p, 0), &io), ACTION_PARK);
		assert_int_equal(p->state, PARTITION_FAULTED);
		assert_non_null(strstr(p->fault_reason, "string I/O"));
	}
}

/* The address latch is per partition and keeps only enable, bus, device, function, register. */
static void test_latch_is_per_partition(void **state)
{
	struct partition *g = machine(HVK), *root = &partitions[0];
	struct vcpu *gv = partition_vcpu(g, 0), *rv = partition_vcpu(root, 0);

	(void)state;
	assert_int_equal(port_io(gv, 0xcf8, 4, OUT, 0xffffffffu), ACTION_NEXT);
	assert_int_equal(port_io(gv, 0xcf8, 4, IN, 0), ACTION_NEXT);
	assert_int_equal(gv->regs.rax, 0x80fffffcu); /* reserved 30:24 and 1:0 read 0 */
	assert_int_equal(port_io(rv, 0xcf8, 4, IN, 0), ACTION_NEXT);
	assert_int_equal(rv->regs.rax, 0);
}

/*
 * Pass-through: after a vCPU starts, exactly the I/O BARs of its own
 * partition's devices are opened (docs/architecture.md "PCI"), nothing
 * for a partition without devices, and memory BARs never.
 */
static void test_only_own_io_bars_pass_through(void **state)
{
	struct fake_pci_function *nic, *disk;
	struct fake_pci_owner owners[] = { { 0x0018, 0 }, { 0x0020, 1 } };
	struct partition *g;
	struct fake_backend_vcpu *b;

	(void)state;
	g = machine(HVK);
	nic = fake_pci_add(0x0018, 0x8086, 0x100e, 0x020000, false);
	fake_pci_bar(nic, 0, FAKE_BAR_MEM32, 0xfeb00000, 0x20000);
	fake_pci_bar(nic, 1, FAKE_BAR_IO, 0xc000, 0x40);
	disk = fake_pci_add(0x0020, 0x1af4, 0x1042, 0x010000, false);
	fake_pci_bar(disk, 0, FAKE_BAR_IO, 0xc040, 0x20);
	fake_pci_bar(disk, 4, FAKE_BAR_MEM64, 0x800000000ull, 0x4000);
	fake_pci_add(0x0028, 0x1234, 0x1111, 0x030000, false); /* nobody's */
	fake_pci_bar(&fake_pci[2], 0, FAKE_BAR_IO, 0xc080, 0x10);
	assert_int_equal(fake_pci_start(owners, 2), 0);

	pci_open_ports(partition_vcpu(&partitions[0], 0));
	b = fake_backend(partition_vcpu(&partitions[0], 0));
	assert_int_equal(b->io_allowed_count, 1);
	assert_int_equal(b->io_allowed[0].port, 0xc000);
	assert_int_equal(b->io_allowed[0].count, 0x40);

	pci_open_ports(partition_vcpu(g, 0));
	b = fake_backend(partition_vcpu(g, 0));
	assert_int_equal(b->io_allowed_count, 1);
	assert_int_equal(b->io_allowed[0].port, 0xc040);
	assert_int_equal(b->io_allowed[0].count, 0x20);

	g = fake_partition_add("bare", HVCFG_ROLE_GUEST, PLATFORM_PC, 2ull << 20, 1);
	pci_open_ports(partition_vcpu(g, 0));
	assert_int_equal(fake_backend(partition_vcpu(g, 0))->io_allowed_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_power_off_and_reset_are_events),
		cmocka_unit_test(test_string_io_faults),
		cmocka_unit_test(test_latch_is_per_partition),
		cmocka_unit_test(test_only_own_io_bars_pass_through),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
