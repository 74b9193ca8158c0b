/*
 * A 16550A UART register file (8 port offsets), faithful enough that
 * Linux's 8250 driver identifies a 16550A (the IER test, the loopback
 * test, the FIFO and EFR probes) and runs it polled or by interrupts.
 * Pure: the caller maps port I/O to offsets, sends the bytes this module
 * reports as transmitted and feeds received bytes in.
 *
 * Transmission is instant: THR and the transmitter are always empty
 * (LSR.THRE and LSR.TEMT stay set) and a written byte is out at once,
 * or looped back to the receiver in loopback mode.  The receiver holds
 * one byte (FIFOs off) or 16 (FIFOs on); more is an overrun, as on the
 * chip.  There are no line errors but overrun, no break, and no time:
 * data below the FIFO trigger level reports the character timeout at
 * once.  The modem inputs default to a connected terminal (CTS, DSR, DCD).
 *
 * Named uart_port_* because lib/uart.h (hv's own console) owns uart_*.
 * One owner at a time: the caller serialises accesses (a partition's
 * port lock, or its one vCPU).
 */
#ifndef HV_PLAT_UART16550_H
#define HV_PLAT_UART16550_H

#include <stdbool.h>
#include <stdint.h>

/* Port offsets. */
#define UART_PORT_RBR 0 /* read, DLAB = 0; THR on write; DLL with DLAB */
#define UART_PORT_IER 1 /* DLM with DLAB */
#define UART_PORT_IIR 2 /* read; FCR on write */
#define UART_PORT_LCR 3
#define UART_PORT_MCR 4
#define UART_PORT_LSR 5
#define UART_PORT_MSR 6
#define UART_PORT_SCR 7
#define UART_PORT_COUNT 8

#define UART_PORT_FIFO_SIZE 16

/* MSR input lines (bits 7:4). */
#define UART_PORT_MSR_CTS 0x10u
#define UART_PORT_MSR_DSR 0x20u
#define UART_PORT_MSR_RI 0x40u
#define UART_PORT_MSR_DCD 0x80u

struct uart_port {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;          /* FIFO enable and receiver trigger bits */
	uint8_t lsr_errors;   /* overrun, latched until LSR is read */
	uint8_t msr_delta;    /* MSR bits 3:0, latched until MSR is read */
	uint8_t modem_in;     /* external CTS/DSR/RI/DCD (MSR bits 7:4) */
	uint8_t rbr;          /* the byte the receiver buffer register shows */
	bool thre_pending;    /* THR-empty interrupt not yet acknowledged */
	uint8_t rx[UART_PORT_FIFO_SIZE];
	uint8_t rx_head, rx_count;
};

/* Power-on state. */
void uart_port_init(struct uart_port *u);

/* IN from base + offset (offset 0-7; others read 0xff). */
uint8_t uart_port_read(struct uart_port *u, uint8_t offset);

/*
 * OUT to base + offset.  True when a byte went out on the line: it is in
 * *tx_byte (a THR write outside loopback mode).
 */
bool uart_port_write(struct uart_port *u, uint8_t offset, uint8_t value, uint8_t *tx_byte);

/*
 * A byte arrives on the line; false when it was lost: it overran the
 * receiver (LSR.OE is set), or loopback mode has the line disconnected.
 */
bool uart_port_receive(struct uart_port *u, uint8_t byte);

/* Bytes the receiver takes now without losing any (0 in loopback mode). */
uint32_t uart_port_rx_room(const struct uart_port *u);

/* Sets the external modem inputs (UART_PORT_MSR_* bits); deltas latch. */
void uart_port_set_modem_inputs(struct uart_port *u, uint8_t lines);

/*
 * The interrupt output as a PC wires it: an interrupt is identified and
 * MCR.OUT2 enables the line (loopback disconnects it).
 */
bool uart_port_irq_pending(const struct uart_port *u);

#endif
