/*
 * lwIP's port header for the root partition: a freestanding x86-64 build
 * with no C library.  lwIP's arch.h includes this first; it supplies what
 * the C library would (format macros, character classes, errno values,
 * limits) and routes lwIP's diagnostics and assertions to the console.
 */
#ifndef MGMT_NET_ARCH_CC_H
#define MGMT_NET_ARCH_CC_H

#include <stdint.h>

#define BYTE_ORDER LITTLE_ENDIAN

/* No inttypes.h: kprintf's own formats (shorts are promoted to int). */
#define LWIP_NO_INTTYPES_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/*
 * No limits.h: GCC's own limits.h chains to the C library's, which we do
 * not have.  Without SSIZE_MAX lwIP defines ssize_t as int itself.
 */
#define LWIP_NO_LIMITS_H 1
#define INT_MAX __INT_MAX__

/* lwIP's private character classes instead of ctype.h. */
#define LWIP_NO_CTYPE_H 1

/* lwIP's own errno values (nothing of ours uses errno). */
#define LWIP_PROVIDE_ERRNO 1

/* lwIP's diagnostics are kprintf calls: LWIP_PLATFORM_DIAG(("fmt", args)). */
void net_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define LWIP_PLATFORM_DIAG(x) \
	do { \
		net_diag x; \
	} while (0)

/*
 * A failed lwIP assertion means lwIP's state is broken: the root logs it
 * and stops (kpanic), which hv reports like any other halted root, rather
 * than run on with corrupt connection state.
 */
void net_assert_failed(const char *msg, const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_ASSERT(x) net_assert_failed((x), __FILE__, __LINE__)

/* TCP initial sequence numbers, ephemeral ports, the DHCP transaction id. */
uint32_t net_random(void);
#define LWIP_RAND() net_random()

#endif
