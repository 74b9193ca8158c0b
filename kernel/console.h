/*
 * Console of a partition kernel: formatted text on COM1, which hv emulates
 * and prints line by line as "hv: [<partition>] <text>".  kpanic prints
 * one "<kernel>: panic: ..." line and stops the CPU for good.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/* name: the kernel's short name ("root", "testos"), used by kpanic. */
void console_init(const char *name);
const char *console_name(void);

void kputs(const char *s);
size_t kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t kvprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

__attribute__((noreturn, format(printf, 1, 2))) void kpanic(const char *fmt, ...);

#endif
