/*
 * Port I/O of partitions.  Every port exits except the I/O BARs of the
 * partition's assigned PCI devices; hv emulates the few a partition needs
 * and answers the rest like an empty ISA bus: reads return all ones,
 * writes vanish.
 *   0x3f8-0x3ff  COM1: transmitted bytes become the partition's console
 *   0x604        ACPI PM1a control: SLP_TYP 5 with SLP_EN powers off (S5)
 *   0x606        ACPI sleep control (hardware-reduced ACPI, hv/plat/acpi_tables.c):
 *                SLP_TYP 5 (bits 4:2) with SLP_EN (bit 5) powers off (S5)
 *   0x607        ACPI sleep status: reads 0 (never woken), writes vanish
 *   0xcf9        reset control: RST (bit 2) resets the partition
 *   0x64         keyboard controller: command 0xfe resets the partition
 *   0xcf8/0xcfc  PCI configuration mechanism #1: the partition's own devices
 *                only, filtered by pci_cfg.c (0xcf8 as a dword, 0xcfc-0xcff)
 * String I/O is not emulated: it faults the partition.
 */
#include <emul/emulate.h>

#include <part/partition.h>
#include <pci/pci.h>
#include <plat/platform.h>

#define COM1_BASE 0x3f8u
#define COM1_LCR (COM1_BASE + 3)
#define COM1_LSR (COM1_BASE + 5)
#define UART_LSR_IDLE 0x60u /* transmitter empty, holding register empty */
#define UART_LCR_DLAB 0x80u
#define PM1A_CONTROL 0x604u
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK 7u
#define PM1_SLP_EN (1u << 13)
#define SLP_TYP_S5 5u
#define SLEEP_CONTROL 0x606u
#define SLEEP_STATUS 0x607u
#define SLEEP_SLP_TYP_SHIFT 2
#define SLEEP_SLP_EN (1u << 5)
#define RESET_CONTROL 0xcf9u
#define RESET_CONTROL_RST 0x04u
#define KBC_COMMAND 0x64u
#define KBC_PULSE_RESET 0xfeu

static uint64_t size_mask(uint8_t size)
{
	return size >= 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;
}

static void complete_in(struct vcpu *v, uint8_t size, uint64_t value)
{
	if (size == 4)
		v->regs.rax = value & 0xffffffffull; /* 32-bit writes zero-extend */
	else
		v->regs.rax = (v->regs.rax & ~size_mask(size)) | (value & size_mask(size));
}

static uint64_t port_read(struct partition *p, uint16_t port, uint8_t size)
{
	if (port == SLEEP_STATUS)
		return 0;
	if (port == COM1_LSR)
		return UART_LSR_IDLE;
	if (port == COM1_LCR)
		return p->console.uart_lcr;
	if (port > COM1_BASE && port < COM1_BASE + 8)
		return 0;
	return size_mask(size);
}

static enum exit_action request_reset(struct vcpu *v, const char *how)
{
	partition_request_reset(v->partition, how);
	return ACTION_PARK;
}

static enum exit_action port_write(struct vcpu *v, uint16_t port, uint32_t value)
{
	struct partition *p = v->partition;
	char ch = (char)value;

	if (port == COM1_BASE && !(p->console.uart_lcr & UART_LCR_DLAB)) {
		partition_console_write(p, &ch, 1);
	} else if (port == COM1_LCR) {
		p->console.uart_lcr = (uint8_t)value;
	} else if (port == PM1A_CONTROL && (value & PM1_SLP_EN) &&
		   ((value >> PM1_SLP_TYP_SHIFT) & PM1_SLP_TYP_MASK) == SLP_TYP_S5) {
		partition_power_off(p, "ACPI S5");
		return ACTION_PARK;
	} else if (port == SLEEP_CONTROL && (value & SLEEP_SLP_EN) &&
		   ((value >> SLEEP_SLP_TYP_SHIFT) & PM1_SLP_TYP_MASK) == SLP_TYP_S5) {
		partition_power_off(p, "ACPI S5 (sleep control register)");
		return ACTION_PARK;
	} else if (port == RESET_CONTROL && (value & RESET_CONTROL_RST)) {
		return request_reset(v, "port 0xcf9");
	} else if (port == KBC_COMMAND && (value & 0xff) == KBC_PULSE_RESET) {
		return request_reset(v, "keyboard controller");
	}
	return ACTION_NEXT;
}

enum exit_action guest_io(struct vcpu *v, const struct exit_io *io)
{
	uint8_t byte = (uint8_t)v->regs.rax;

	if (io->string) {
		partition_fault(v->partition, "string I/O (INS/OUTS) on port 0x%x is not emulated",
				io->port);
		return ACTION_PARK;
	}
	if (pci_port_claims(io->port, io->size)) {
		if (io->in)
			complete_in(v, io->size, pci_port_read(v->partition, io->port, io->size));
		else
			pci_port_write(v->partition, io->port, io->size,
				       (uint32_t)(v->regs.rax & size_mask(io->size)));
		return ACTION_NEXT;
	}
	if (io->size == 1 && platform_port_io(v, io->port, io->in, &byte)) {
		if (io->in)
			complete_in(v, 1, byte);
		return ACTION_NEXT;
	}
	if (io->in) {
		complete_in(v, io->size, port_read(v->partition, io->port, io->size));
		return ACTION_NEXT;
	}
	return port_write(v, io->port, (uint32_t)(v->regs.rax & size_mask(io->size)));
}
