/*
 * The root partition's kernel (management OS).  For now it announces
 * itself on the serial port and idles; the management service (partition
 * control, VMBus server, network API) grows here in later issues.
 */
#include <lib/uart.h>

#define COM1 0x3f8

void kernel_main(void *start_info);

void kernel_main(void *start_info)
{
	(void)start_info;
	uart_puts(COM1, "root: management partition started\n");
	for (;;)
		__asm__ volatile("hlt");
}
