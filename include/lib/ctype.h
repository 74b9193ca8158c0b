/*
 * Character classification the freestanding code needs (the host's
 * <ctype.h> is locale-dependent and absent in freestanding builds).
 */
#ifndef LIB_CTYPE_H
#define LIB_CTYPE_H

/* The value of a hexadecimal digit (either case), or -1 for any other character. */
static inline int lib_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
