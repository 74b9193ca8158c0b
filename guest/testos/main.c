/*
 * testos: the test guest kernel.  For now it announces itself on the
 * serial port and idles; the self-test suite, the additions and the
 * misbehaviour knobs arrive with the partition issues.
 */
#include <lib/uart.h>

#define COM1 0x3f8

void kernel_main(void *start_info);

void kernel_main(void *start_info)
{
	(void)start_info;
	uart_puts(COM1, "testos: started\n");
	for (;;)
		__asm__ volatile("hlt");
}
