/*
 * hv's serial console: log lines over the polled 16550 driver (lib/uart.c).
 * Polled, because hv runs with interrupts off (it takes only its own
 * wake-up and timer interrupts, briefly) and a line must reach the wire
 * even when the CPU is about to stop after an exception.
 */
#include <core/console.h>

#include <core/spinlock.h>
#include <core/test_exit.h>

#include <arch/x86.h>
#include <lib/format.h>
#include <lib/uart.h>

static uint16_t console_port;
static uint32_t console_level = HVCFG_LOG_INFO;
static struct ticket_lock console_lock; /* fair: a logging loop cannot starve others */

void console_init(uint16_t port)
{
	console_port = port;
	if (port != 0)
		uart_init(port);
}

void console_set_level(uint32_t level)
{
	console_level = level;
}

void console_flush(void)
{
	if (console_port != 0)
		uart_drain(console_port);
}

static void console_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	uart_write(console_port, s, n);
}

void hv_vlog(uint32_t level, const char *fmt, va_list ap)
{
	if (level > console_level || console_port == 0)
		return;
	ticket_lock(&console_lock);
	console_sink(NULL, "hv: ", 4);
	fmt_vprintf(console_sink, NULL, fmt, ap);
	console_sink(NULL, "\n", 1);
	ticket_unlock(&console_lock);
}

void hv_log(uint32_t level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vlog(level, fmt, ap);
	va_end(ap);
}

void hv_panic(const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("panic: %s", msg);
	test_exit_power_off(TEST_EXIT_FAILURE);
	cpu_halt_forever();
}
