/*
 * lib_strlcpy (include/lib/string.h): not a C library function, so host
 * programs and tests that use the C library's string functions link this
 * file alone, where the freestanding builds link it with string.c.
 */
#include <lib/string.h>

size_t lib_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memmove(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
