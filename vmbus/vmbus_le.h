/*
 * Little-endian loads and stores at any alignment.  Wire data sits at odd
 * offsets (a GPADL's PFNs start 28 bytes into a message), so fields are
 * copied out with memcpy instead of dereferenced in place; the bus is
 * x86-only, so the byte order is the CPU's.
 */
#ifndef VMBUS_LE_H
#define VMBUS_LE_H

#include <stdint.h>
#include <lib/string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the bus is little-endian");

static inline uint16_t vmbus_ld16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t vmbus_ld32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t vmbus_ld64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void vmbus_st16(void *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void vmbus_st32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void vmbus_st64(void *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

#endif
