/*
 * memcpy and memset for freestanding images.  Kept apart from string.c
 * because the UEFI loader gets them from libefi and must not link twice.
 * The compiler emits calls to these for struct copies, so -fno-builtin
 * code still needs them.
 */
#include <lib/string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = (unsigned char)c;
	return dst;
}
