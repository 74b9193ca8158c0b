/*
 * printf-style formatting for the freestanding runtime, shared by hv,
 * the loader, the partitions and host tools (prefixed names, so they never
 * collide with a C library).  Supports %d %i %u %x %X %o %c %s %p %%, the
 * length modifiers hh h l ll z j t, '-', '0', width and precision.
 * No floating point.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Output sink for fmt_vprintf: called with each run of characters. */
typedef void (*fmt_sink)(void *ctx, const char *s, size_t n);

/* Returns the number of characters produced. */
size_t fmt_vprintf(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* Like vsnprintf: always terminates (size > 0), returns the full length. */
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
