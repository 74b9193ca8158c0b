/*
 * String and memory helpers of the freestanding runtime.  Plain byte loops:
 * hv and the partitions copy little data through them, and simple code is
 * easy to trust.  memcpy/memset live in memcpy.c (see include/lib/string.h).
 */
#include <lib/string.h>

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		while (n-- > 0)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x != y)
			return x < y ? -1 : 1;
		if (x == '\0')
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack != '\0' || n == 0; haystack++) {
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	}
	return NULL;
}

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int atoi(const char *s)
{
	/* Accumulate the magnitude as unsigned so INT_MIN is reachable. */
	unsigned int limit = (unsigned int)__INT_MAX__, value = 0;
	int negative = 0;

	while (is_space(*s))
		s++;
	if (*s == '-' || *s == '+')
		negative = *s++ == '-';
	if (negative)
		limit++;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int digit = (unsigned int)(*s - '0');

		if (value > (limit - digit) / 10) {
			value = limit;
			break;
		}
		value = value * 10 + digit;
	}
	/* -(value - 1) - 1 reaches INT_MIN without overflowing an int. */
	return negative && value > 0 ? -(int)(value - 1) - 1 : (int)value;
}
