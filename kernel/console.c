/*
 * Console of a partition kernel: lib/uart on COM1 (emulated by hv, which
 * collects bytes into lines) driven by lib/format's fmt_vprintf.  One
 * virtual processor runs a kernel today, so there is no locking.
 */
#include <kernel/console.h>

#include <arch/x86.h>
#include <lib/format.h>
#include <lib/string.h>
#include <lib/uart.h>

#define CONSOLE_PORT 0x3f8 /* COM1 */

static const char *kernel_name = "kernel";

void console_init(const char *name)
{
	kernel_name = name;
	uart_init(CONSOLE_PORT); /* hv ignores these writes; harmless */
}

const char *console_name(void)
{
	return kernel_name;
}

static void console_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	uart_write(CONSOLE_PORT, s, n);
}

void kputs(const char *s)
{
	uart_write(CONSOLE_PORT, s, strlen(s));
}

size_t kvprintf(const char *fmt, va_list ap)
{
	return fmt_vprintf(console_sink, NULL, fmt, ap);
}

size_t kprintf(const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void kpanic(const char *fmt, ...)
{
	va_list ap;

	cpu_disable_interrupts();
	kprintf("%s: panic: ", kernel_name);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kputs("\n");
	uart_drain(CONSOLE_PORT);
	cpu_halt_forever();
}
