/*
 * GUID text form <-> the 16 mixed-endian bytes of the wire, and the
 * well-known channel types.
 */
#include "vmbus_guid.h"
#include "vmbus_err.h"

#include <lib/string.h>
#include <lib/ctype.h>

const struct vmbus_guid vmbus_guid_shutdown =
	VMBUS_GUID_INIT(0x0e0b6031, 0x5213, 0x4934, 0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb);
const struct vmbus_guid vmbus_guid_timesync =
	VMBUS_GUID_INIT(0x9527e630, 0xd0ae, 0x497b, 0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf);
const struct vmbus_guid vmbus_guid_heartbeat =
	VMBUS_GUID_INIT(0x57164f39, 0x9115, 0x4e78, 0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d);
const struct vmbus_guid vmbus_guid_kvp =
	VMBUS_GUID_INIT(0xa9a0f4e7, 0x5a45, 0x4d96, 0xb8, 0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6);
const struct vmbus_guid vmbus_guid_sessions =
	VMBUS_GUID_INIT(0x9a73d444, 0x2448, 0x403a, 0x8f, 0x9c, 0xc3, 0x0f, 0xcc, 0x25, 0x4b, 0x5b);
const struct vmbus_guid vmbus_guid_exec =
	VMBUS_GUID_INIT(0xfdb48899, 0xe882, 0x4530, 0xa9, 0x88, 0x5a, 0xb2, 0x46, 0x25, 0x51, 0x31);

/*
 * Byte index in the wire form of each pair of hex digits of the text,
 * in text order: the first three groups are reversed (little-endian).
 */
static const uint8_t text_to_wire[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

#define GUID_TEXT_LEN 36u

bool vmbus_guid_equal(const struct vmbus_guid *a, const struct vmbus_guid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static bool is_dash_position(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int vmbus_guid_parse(const char *s, size_t len, struct vmbus_guid *out)
{
	struct vmbus_guid g;
	size_t pos = 0;

	if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
		s++;
		len -= 2;
	}
	if (len < GUID_TEXT_LEN)
		return -VMBUS_E_SHORT;
	if (len > GUID_TEXT_LEN)
		return -VMBUS_E_OVERSIZE;
	for (size_t i = 0; i < GUID_TEXT_LEN;) {
		if (is_dash_position(i)) {
			if (s[i] != '-')
				return -VMBUS_E_MALFORMED;
			i++;
			continue;
		}
		int hi = lib_hex_digit(s[i]), lo = lib_hex_digit(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -VMBUS_E_MALFORMED;
		g.b[text_to_wire[pos++]] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	*out = g;
	return 0;
}

int vmbus_guid_format(const struct vmbus_guid *g, char *buf, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	if (cap < VMBUS_GUID_STR_LEN)
		return -VMBUS_E_NOSPACE;
	for (size_t pos = 0; pos < 16; pos++) {
		uint8_t v = g->b[text_to_wire[pos]];

		if (is_dash_position(o))
			buf[o++] = '-';
		buf[o++] = digits[v >> 4];
		buf[o++] = digits[v & 0xf];
	}
	buf[o] = '\0';
	return (int)o;
}
