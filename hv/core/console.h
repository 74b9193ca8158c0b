/*
 * hv's console: a polled 16550 UART with log levels.  Every line is
 * prefixed "hv: " and written whole under a lock, so CPUs never interleave
 * within a line.  The level filter comes from hv.cfg (log_level).
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/config_desc.h>
#include <stdarg.h>
#include <stdint.h>

void console_init(uint16_t port);
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
