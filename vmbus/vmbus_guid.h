/*
 * GUIDs as the bus carries them: 16 bytes in Microsoft's mixed-endian
 * order (Linux's guid_t): the first three groups of the text form are
 * stored little-endian, the last two byte by byte.  Parser and formatter
 * for the 36-character text form, and the channel types we offer.
 */
#ifndef VMBUS_GUID_H
#define VMBUS_GUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmbus_guid {
	uint8_t b[16];
};

_Static_assert(sizeof(struct vmbus_guid) == 16, "GUID size");

/* Text form without braces plus the terminating NUL. */
#define VMBUS_GUID_STR_LEN 37

/* Initialiser from the text groups: a-b-c-d0d1-d2..d7. */
#define VMBUS_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                   \
	{ { (uint8_t)(a), (uint8_t)((a) >> 8), (uint8_t)((a) >> 16),                \
	    (uint8_t)((a) >> 24), (uint8_t)(b), (uint8_t)((b) >> 8), (uint8_t)(c),  \
	    (uint8_t)((c) >> 8), d0, d1, d2, d3, d4, d5, d6, d7 } }

/* Hyper-V integration services (reference.md). */
extern const struct vmbus_guid vmbus_guid_shutdown;  /* 0e0b6031-5213-4934-818b-38d90ced39db */
extern const struct vmbus_guid vmbus_guid_timesync;  /* 9527e630-d0ae-497b-adce-e80ab0175caf */
extern const struct vmbus_guid vmbus_guid_heartbeat; /* 57164f39-9115-4e78-ab55-382f3bd5422d */
extern const struct vmbus_guid vmbus_guid_kvp;       /* a9a0f4e7-5a45-4d96-b827-8a841e8c03e6 */
/* Our own services, same IC framing (docs/bus.md). */
extern const struct vmbus_guid vmbus_guid_sessions;  /* 9a73d444-2448-403a-8f9c-c30fcc254b5b */
extern const struct vmbus_guid vmbus_guid_exec;      /* fdb48899-e882-4530-a988-5ab246255131 */

bool vmbus_guid_equal(const struct vmbus_guid *a, const struct vmbus_guid *b);

/*
 * Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case, optionally in
 * braces) of exactly len characters.  Returns 0 or -VMBUS_E_SHORT,
 * -VMBUS_E_OVERSIZE, -VMBUS_E_MALFORMED.
 */
int vmbus_guid_parse(const char *s, size_t len, struct vmbus_guid *out);

/* Writes the lower-case text form and a NUL; needs cap >= 37.  Returns 36 or -VMBUS_E_NOSPACE. */
int vmbus_guid_format(const struct vmbus_guid *g, char *buf, size_t cap);

#endif
