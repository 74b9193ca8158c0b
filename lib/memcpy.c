/*
 * memcpy and memset for freestanding images.  Kept apart from string.c
 * because the UEFI loader gets them from libefi and must not link twice.
 * The compiler emits calls to these for struct copies, so -fno-builtin
 * code still needs them.  `rep movsb` / `rep stosb` are fast on every CPU
 * with ERMS and in the emulators (which run them as block operations),
 * and hv zeroes whole partitions with them.
 */
#include <lib/string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}
