/*
 * The string and memory functions of the freestanding runtime (lib/).
 *
 * The prototypes match the C library's, so code shared with host programs
 * (the config parser, vmbus/) includes this one header everywhere: host
 * builds link the C library, freestanding builds link lib/string.c and,
 * except in the UEFI loader where libefi already provides them,
 * lib/memcpy.c.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

/*
 * C's atoi, for lwIP (which includes it from <stdlib.h>): optional
 * leading spaces and sign, then decimal digits; saturates at INT_MAX /
 * INT_MIN instead of overflowing.
 */
int atoi(const char *s);

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t lib_strlcpy(char *dst, const char *src, size_t size);

#endif
