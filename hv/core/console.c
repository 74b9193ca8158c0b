/*
 * hv's console: each log line goes to the serial port (the polled 16550
 * driver, lib/uart.c) and to the screen (fbcon.c over the framebuffer the
 * loader found), as hv.cfg's `console` says.  Polled and unbuffered beyond
 * one line, because hv runs with interrupts off (it takes only its own
 * wake-up and timer interrupts, briefly) and a line must be out even when
 * the CPU is about to stop after an exception.  Serial gets the line
 * first, the screen second, under one lock: so a line is on the wire
 * before its pixels change, and a screen never runs ahead of the serial log.
 */
#include <core/console.h>

#include <core/fbcon.h>
#include <core/spinlock.h>
#include <core/test_exit.h>

#include <arch/x86.h>
#include <lib/format.h>
#include <lib/uart.h>

#define SCREEN_LINE_MAX 512u /* longer lines are cut on the screen only */

static uint16_t console_port;
static bool serial_on;       /* hv's lines go to the UART */
static bool screen_on;       /* ... and to the screen */
static uint32_t console_level = HVCFG_LOG_INFO;
static struct ticket_lock console_lock; /* fair: a logging loop cannot starve others */

static struct fbcon screen;
static struct boot_framebuffer screen_fb;
static char screen_line[SCREEN_LINE_MAX];
static size_t screen_len;

void console_init(uint16_t port)
{
	console_port = port;
	serial_on = port != 0;
	if (port != 0)
		uart_init(port);
}

void console_set_level(uint32_t level)
{
	console_level = level;
}

void console_flush(void)
{
	if (serial_on)
		uart_drain(console_port);
}

/* The screen console over fb; false (nothing drawn) if fbcon refuses the surface. */
static bool screen_start(const struct boot_framebuffer *fb)
{
	struct fbcon_surface s = {
		.pixels = (uint32_t *)(uintptr_t)fb->base,
		.width = fb->width,
		.height = fb->height,
		.stride = fb->stride,
		.red_shift = fb->red_shift,
		.green_shift = fb->green_shift,
		.blue_shift = fb->blue_shift,
	};

	/* The loader's record is checked like the rest of boot_info. */
	if (fb->base == 0 || fb->base % 4 != 0 || fb->base + fb->size < fb->base ||
	    (uint64_t)fb->stride * fb->height * 4 > fb->size || !fbcon_init(&screen, &s, 0))
		return false;
	screen_fb = *fb;
	return true;
}

void console_configure(uint32_t console, const struct boot_framebuffer *fb)
{
	bool want_screen = console != HVCFG_CONSOLE_SERIAL;
	bool want_serial = console != HVCFG_CONSOLE_SCREEN;
	bool screen = want_screen && screen_start(fb);

	ticket_lock(&console_lock);
	screen_on = screen;
	/* Without a screen, serial stays whatever was asked. */
	serial_on = console_port != 0 && (want_serial || !screen);
	ticket_unlock(&console_lock);
}

void console_describe(uint32_t console, uint32_t line, const struct boot_framebuffer *fb)
{
	bool asked = console == HVCFG_CONSOLE_SCREEN || console == HVCFG_CONSOLE_BOTH;

	if (screen_on)
		log_info("console: screen %ux%u (%ux%u characters)%s", screen_fb.width,
			 screen_fb.height, screen.cols, screen.rows,
			 serial_on ? " and serial" : " only (console = screen)");
	else if (console == HVCFG_CONSOLE_SERIAL)
		log_info("console: serial only (hv.cfg line %u)%s", line,
			 fb->base != 0 ? "; the screen is left as it was" : "");
	else if (fb->base != 0)
		log_warn("console: the framebuffer (%ux%u, stride %u) is too small or not as "
			 "boot_info describes it: serial only", fb->width, fb->height, fb->stride);
	else if (asked)
		log_warn("console: hv.cfg line %u asks for the screen, but the loader found no "
			 "framebuffer (see its 'screen:' line): serial only", line);
}

bool console_screen_range(uint64_t *base, uint64_t *size)
{
	if (!screen_on)
		return false;
	*base = screen_fb.base;
	*size = screen_fb.size;
	return true;
}

static void console_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (serial_on)
		uart_write(console_port, s, n);
	for (size_t i = 0; screen_on && i < n && screen_len < SCREEN_LINE_MAX; i++)
		screen_line[screen_len++] = s[i];
}

void hv_vlog(uint32_t level, const char *fmt, va_list ap)
{
	if (level > console_level || (!serial_on && !screen_on))
		return;
	ticket_lock(&console_lock);
	screen_len = 0;
	console_sink(NULL, "hv: ", 4);
	fmt_vprintf(console_sink, NULL, fmt, ap);
	if (serial_on)
		uart_write(console_port, "\n", 1);
	if (screen_on)
		fbcon_write_line(&screen, screen_line, screen_len);
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
