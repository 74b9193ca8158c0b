/*
 * hv's console: a polled 16550 UART and the screen (a framebuffer drawn
 * by fbcon.c), with log levels.  Every line is prefixed "hv: " and written
 * whole under a lock, so CPUs never interleave within a line.  The level
 * filter and where lines go come from hv.cfg (log_level, serial, console).
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/boot_info.h>
#include <hv/config_desc.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>

/* Serial only, on port (0: none), until console_configure. */
void console_init(uint16_t port);
/*
 * Where lines go from now on (enum hvcfg_console): the screen when asked
 * (or by default) and fb is a framebuffer fbcon can draw on, which it
 * clears; serial when asked, or when the screen was asked but cannot be.
 */
void console_configure(uint32_t console, const struct boot_framebuffer *fb);
/* Logs the choice console_configure made, naming hv.cfg's line when it fell back. */
void console_describe(uint32_t console, uint32_t line, const struct boot_framebuffer *fb);
/* The framebuffer hv draws on, if it does: no partition may be given it. */
bool console_screen_range(uint64_t *base, uint64_t *size);
void console_set_level(uint32_t level);
/* Returns once the UART has put every logged byte on the wire. */
void console_flush(void);

void hv_log(uint32_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hv_vlog(uint32_t level, const char *fmt, va_list ap);

#define log_error(...) hv_log(HVCFG_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) hv_log(HVCFG_LOG_WARN, __VA_ARGS__)
#define log_info(...) hv_log(HVCFG_LOG_INFO, __VA_ARGS__)
#define log_debug(...) hv_log(HVCFG_LOG_DEBUG, __VA_ARGS__)

/* Logs "hv: panic: ..." and stops this CPU (powering off in test mode). */
__attribute__((noreturn, format(printf, 1, 2))) void hv_panic(const char *fmt, ...);

#endif
