/*
 * The KVP (key/value pair) exchange service: Linux's hv_kvp_msg layouts,
 * a bounded parser shared by both sides, host-side request builder,
 * guest-side in-place answers, and ASCII <-> UTF-16LE helpers (keys and
 * string values travel as UTF-16LE with their byte sizes).
 */
#ifndef VMBUS_KVP_H
#define VMBUS_KVP_H

#include <stddef.h>
#include <stdint.h>

#include "vmbus_ic.h"

#define IC_KVP_OP_GET 0u
#define IC_KVP_OP_SET 1u
#define IC_KVP_OP_DELETE 2u
#define IC_KVP_OP_ENUMERATE 3u
/* 4 GET_IP_INFO and 5 SET_IP_INFO are not supported (answer IC_E_NOT_SUPPORTED). */

#define IC_KVP_POOL_EXTERNAL 0u       /* written by the host: SetParameter */
#define IC_KVP_POOL_GUEST 1u
#define IC_KVP_POOL_AUTO 2u           /* guest facts: OSName, ... by index */
#define IC_KVP_POOL_AUTO_EXTERNAL 3u
#define IC_KVP_POOL_AUTO_INTERNAL 4u
#define IC_KVP_POOL_COUNT 5u

#define IC_KVP_REG_SZ 1u
#define IC_KVP_REG_U32 4u
#define IC_KVP_REG_U64 8u

#define IC_KVP_MAX_KEY 512u           /* bytes of UTF-16LE */
#define IC_KVP_MAX_VALUE 2048u

/* Auto-pool enumeration indexes. */
#define IC_KVP_AUTO_FQDN 0u
#define IC_KVP_AUTO_INTEGRATION_VERSION 1u
#define IC_KVP_AUTO_IPV4 2u
#define IC_KVP_AUTO_IPV6 3u
#define IC_KVP_AUTO_OS_BUILD 4u
#define IC_KVP_AUTO_OS_NAME 5u
#define IC_KVP_AUTO_OS_MAJOR 6u
#define IC_KVP_AUTO_OS_MINOR 7u
#define IC_KVP_AUTO_OS_VERSION 8u
#define IC_KVP_AUTO_ARCH 9u

struct ic_kvp_hdr {
	uint8_t operation;
	uint8_t pool;
	uint16_t pad;
} __attribute__((packed));

struct ic_kvp_value {
	uint32_t value_type;
	uint32_t key_size;      /* bytes, terminating NUL included */
	uint32_t value_size;    /* bytes */
	uint8_t key[IC_KVP_MAX_KEY];
	uint8_t value[IC_KVP_MAX_VALUE];
} __attribute__((packed));

struct ic_kvp_enumerate {
	uint32_t index;
	struct ic_kvp_value data;
} __attribute__((packed));

struct ic_kvp_delete {
	uint32_t key_size;
	uint8_t key[IC_KVP_MAX_KEY];
} __attribute__((packed));

_Static_assert(sizeof(struct ic_kvp_hdr) == 4, "hv_kvp_hdr");
_Static_assert(sizeof(struct ic_kvp_value) == 2572, "hv_kvp_exchg_msg_value");
_Static_assert(sizeof(struct ic_kvp_enumerate) == 2576, "hv_kvp_msg_enumerate");
_Static_assert(sizeof(struct ic_kvp_delete) == 516, "hv_kvp_msg_delete");

/* A decoded KVP message; key and value point into the message. */
struct ic_kvp {
	uint8_t op;
	uint8_t pool;
	uint32_t index;         /* ENUMERATE */
	uint32_t value_type;
	const uint8_t *key;
	uint32_t key_size;
	const uint8_t *value;
	uint32_t value_size;
};

/*
 * Decodes a KVP request or answer: the body must hold the operation's
 * whole layout, sizes must fit their arrays, UTF-16 sizes must be even and
 * numbers must have their exact size.  Returns 0, -VMBUS_E_SHORT,
 * -VMBUS_E_UNKNOWN (operation) or -VMBUS_E_MALFORMED.
 */
int ic_kvp_parse(const struct ic_msg *m, struct ic_kvp *out);

/* Host: builds the request described by k (value only for SET). */
int ic_kvp_build(void *buf, size_t cap, const struct ic_hdr_info *h, const struct ic_kvp *k);

/*
 * Guest: answers a GET or ENUMERATE of len bytes in place with status and,
 * when status is IC_S_OK, the key (ENUMERATE only) and the value.
 */
int ic_kvp_answer(void *buf, size_t len, uint32_t status, uint32_t value_type,
		  const uint8_t *key, uint32_t key_size, const uint8_t *value, uint32_t value_size);

/*
 * ASCII (len bytes) to UTF-16LE with a terminating NUL code unit.  Returns
 * the bytes written, -VMBUS_E_NOSPACE, or -VMBUS_E_MALFORMED for a byte
 * above 0x7f or a NUL inside.
 */
int ic_utf16_from_ascii(const char *s, size_t len, uint8_t *dst, size_t cap);

/*
 * UTF-16LE (size bytes, up to the first NUL) to a NUL-terminated ASCII
 * string; code units above 0x7f become '?'.  Returns the string length,
 * -VMBUS_E_MALFORMED (odd size) or -VMBUS_E_NOSPACE.
 */
int ic_utf16_to_ascii(const uint8_t *src, size_t size, char *dst, size_t cap);

#endif
