/*
 * Polled 16550 UART output, shared by hv's console and the partition
 * kernels.  Output only: nothing here takes interrupts.
 */
#ifndef LIB_UART_H
#define LIB_UART_H

#include <stddef.h>
#include <stdint.h>

/* 115200 baud, 8N1, FIFOs on. */
void uart_init(uint16_t port);
/* Writes n bytes, turning "\n" into "\r\n". */
void uart_write(uint16_t port, const char *s, size_t n);
/* Waits (bounded) until the transmitter has sent every byte. */
void uart_drain(uint16_t port);

#endif
