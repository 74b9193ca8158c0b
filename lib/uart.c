/*
 * Polled 16550 UART output.  The wait for the transmitter is bounded, so
 * a machine without a UART at that port loses its log instead of hanging.
 */
#include <lib/uart.h>

#include <arch/x86.h>

#define UART_THR 0 /* transmit holding register */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0
#define UART_DLM 1
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40 /* holding and shift registers empty */
#define UART_POLL_LIMIT 100000u

void uart_init(uint16_t port)
{
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80); /* divisor latch */
	outb(port + UART_DLL, 0x01); /* 115200 baud */
	outb(port + UART_DLM, 0x00);
	outb(port + UART_LCR, 0x03); /* 8N1 */
	outb(port + UART_FCR, 0xc7); /* FIFO on, cleared */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

static void uart_wait(uint16_t port, uint8_t lsr_bits)
{
	for (uint32_t i = 0; i < UART_POLL_LIMIT; i++) {
		if ((inb(port + UART_LSR) & lsr_bits) == lsr_bits)
			break;
		cpu_relax();
	}
}

static void uart_putc(uint16_t port, char c)
{
	uart_wait(port, UART_LSR_THRE);
	outb(port + UART_THR, (uint8_t)c);
}

void uart_drain(uint16_t port)
{
	uart_wait(port, UART_LSR_TEMT);
}

void uart_write(uint16_t port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc(port, '\r');
		uart_putc(port, s[i]);
	}
}
