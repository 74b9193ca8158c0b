/*
 * lwIP's port header for the host test of the HTTP server's lwIP binding:
 * the C library is there, so lwIP's defaults serve; diagnostics go to
 * stdout and a failed assertion aborts the test.
 */
#ifndef TEST_LWIP_HOST_ARCH_CC_H
#define TEST_LWIP_HOST_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#define LWIP_PLATFORM_DIAG(x) \
	do { \
		printf x; \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) \
	do { \
		fprintf(stderr, "lwIP assertion: %s at %s:%d\n", (x), __FILE__, __LINE__); \
		abort(); \
	} while (0)
#define LWIP_RAND() ((u32_t)rand())

#endif
