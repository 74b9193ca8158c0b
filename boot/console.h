/*
 * console: the loader's output.  Every line goes to the firmware console
 * (ConOut, which OVMF mirrors to COM1) with a "boot: " prefix and a CRLF;
 * only usable before ExitBootServices.
 */
#ifndef BOOT_CONSOLE_H
#define BOOT_CONSOLE_H

#define BOOT_PRINTF(f) __attribute__((format(printf, f, f + 1)))

void boot_log(const char *fmt, ...) BOOT_PRINTF(1);   /* "boot: ..." */
void boot_warn(const char *fmt, ...) BOOT_PRINTF(1);  /* "boot: warning: ..." */
void boot_error(const char *fmt, ...) BOOT_PRINTF(1); /* "boot: error: ..." */

#endif
