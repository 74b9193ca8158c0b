/*
 * Unit tests of vmbus/ wire handling: GUID text <-> bytes, channel message
 * decoding/encoding with every length rule, SynIC slot parsing, the
 * outbox and error names.  Byte images follow Linux's struct layouts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_guid.h"
#include "../../vmbus/vmbus_msg.h"

static void test_guid_parse(void **state)
{
	static const char text[] = "0e0b6031-5213-4934-818b-38d90ced39db";
	static const uint8_t bytes[16] = { 0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
					   0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb };
	struct vmbus_guid g;

	(void)state;
	assert_int_equal(vmbus_guid_parse(text, strlen(text), &g), 0);
	assert_memory_equal(g.b, bytes, 16);
	assert_true(vmbus_guid_equal(&g, &vmbus_guid_shutdown));
	assert_int_equal(vmbus_guid_parse("{0E0B6031-5213-4934-818B-38D90CED39DB}", 38, &g), 0);
	assert_true(vmbus_guid_equal(&g, &vmbus_guid_shutdown));
}

static void test_guid_parse_errors(void **state)
{
	struct vmbus_guid g;

	(void)state;
	assert_int_equal(vmbus_guid_parse("0e0b6031-5213-4934-818b-38d90ced39d", 35, &g),
			 -VMBUS_E_SHORT);
	assert_int_equal(vmbus_guid_parse("0e0b6031-5213-4934-818b-38d90ced39dbb", 37, &g),
			 -VMBUS_E_OVERSIZE);
	assert_int_equal(vmbus_guid_parse("0e0b6031x5213-4934-818b-38d90ced39db", 36, &g),
			 -VMBUS_E_MALFORMED);
	assert_int_equal(vmbus_guid_parse("0e0b6031-5213-4934-818b-38d90ced39dg", 36, &g),
			 -VMBUS_E_MALFORMED);
	assert_int_equal(vmbus_guid_parse("", 0, &g), -VMBUS_E_SHORT);
	assert_int_equal(vmbus_guid_parse("{}", 2, &g), -VMBUS_E_SHORT);
}

static void check_format(const struct vmbus_guid *g, const char *text)
{
	char buf[VMBUS_GUID_STR_LEN];
	struct vmbus_guid back;

	assert_int_equal(vmbus_guid_format(g, buf, sizeof(buf)), 36);
	assert_string_equal(buf, text);
	assert_int_equal(vmbus_guid_parse(buf, 36, &back), 0);
	assert_true(vmbus_guid_equal(g, &back));
}

static void test_guid_known(void **state)
{
	char small[36];

	(void)state;
	check_format(&vmbus_guid_shutdown, "0e0b6031-5213-4934-818b-38d90ced39db");
	check_format(&vmbus_guid_timesync, "9527e630-d0ae-497b-adce-e80ab0175caf");
	check_format(&vmbus_guid_heartbeat, "57164f39-9115-4e78-ab55-382f3bd5422d");
	check_format(&vmbus_guid_kvp, "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6");
	check_format(&vmbus_guid_sessions, "9a73d444-2448-403a-8f9c-c30fcc254b5b");
	check_format(&vmbus_guid_exec, "fdb48899-e882-4530-a988-5ab246255131");
	assert_int_equal(vmbus_guid_format(&vmbus_guid_kvp, small, sizeof(small)), -VMBUS_E_NOSPACE);
}

/* INITIATE_CONTACT as Linux 6.1 sends it for 5.3: SINT 2, VTL 0, two monitor pages. */
static const uint8_t linux_contact[40] = {
	0x0e, 0, 0, 0, 0, 0, 0, 0,             /* msgtype 14, padding */
	0x03, 0x00, 0x05, 0x00,                /* version 5.3 */
	0x00, 0x00, 0x00, 0x00,                /* target vcpu 0 */
	0x02, 0, 0, 0, 0, 0, 0, 0,             /* msg_sint 2, msg_vtl 0 */
	0x00, 0x10, 0x12, 0, 0, 0, 0, 0,       /* monitor page 1 0x121000 */
	0x00, 0x20, 0x12, 0, 0, 0, 0, 0,       /* monitor page 2 0x122000 */
};

static void test_parse_initiate_contact(void **state)
{
	uint8_t out[VMBUS_HVMSG_PAYLOAD_MAX];
	struct vmbus_msg m;

	(void)state;
	assert_int_equal(vmbus_msg_parse(linux_contact, sizeof(linux_contact), &m), 0);
	assert_int_equal(m.type, VMBUS_MSG_INITIATE_CONTACT);
	assert_int_equal(m.u.initiate.version_requested, VMBUS_VERSION_WIN10_V5_3);
	assert_int_equal(m.u.initiate.interrupt_page_or_sint, 2);
	assert_int_equal(m.u.initiate.monitor_page1, 0x121000);
	assert_int_equal(m.u.initiate.monitor_page2, 0x122000);
	assert_int_equal(vmbus_msg_encode(out, sizeof(out), &m), 40);
	assert_memory_equal(out, linux_contact, 40);
	assert_int_equal(vmbus_msg_parse(linux_contact, 39, &m), -VMBUS_E_SHORT);
}

static void test_offer_layout(void **state)
{
	uint8_t out[VMBUS_HVMSG_PAYLOAD_MAX];
	struct vmbus_msg m, back;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_OFFERCHANNEL;
	m.u.offer.if_type = vmbus_guid_heartbeat;
	m.u.offer.child_relid = 0x11223344;
	m.u.offer.connection_id = 0x55667788;
	m.u.offer.user_def[0] = 0xaa;
	m.u.offer.interrupt_flags = VMBUS_OFFER_DEDICATED_INTERRUPT;
	assert_int_equal(vmbus_msg_encode(out, sizeof(out), &m), 196);
	assert_int_equal(out[0], 1);
	assert_memory_equal(out + 8, vmbus_guid_heartbeat.b, 16);
	assert_int_equal(out[60], 0xaa);
	assert_int_equal(out[184], 0x44);
	assert_int_equal(out[190], 1);
	assert_int_equal(out[192], 0x88);
	assert_int_equal(vmbus_msg_parse(out, 196, &back), 0);
	assert_int_equal(back.u.offer.header.msgtype, VMBUS_MSG_OFFERCHANNEL);
	assert_memory_equal((uint8_t *)&back.u.offer + 8, (uint8_t *)&m.u.offer + 8, 188);
	assert_int_equal(vmbus_msg_parse(out, 195, &back), -VMBUS_E_SHORT);
	/* Bytes after the fixed part are tolerated (later versions append). */
	assert_int_equal(vmbus_msg_parse(out, 200, &back), 0);
}

static void test_every_type_round_trips(void **state)
{
	uint8_t buf[VMBUS_HVMSG_PAYLOAD_MAX];
	uint64_t words[2] = { 4096, 0x1234 };

	(void)state;
	for (uint32_t t = 0; t < VMBUS_MSG_TYPE_COUNT + 2; t++) {
		size_t fixed = vmbus_msg_fixed_size(t);
		struct vmbus_msg m, back;

		memset(&m, 0, sizeof(m));
		m.type = t;
		if (fixed == 0) {
			assert_int_equal(vmbus_msg_encode(buf, sizeof(buf), &m), -VMBUS_E_UNKNOWN);
			memset(buf, 0, 8);
			buf[0] = (uint8_t)t;
			assert_int_equal(vmbus_msg_parse(buf, 8, &back), -VMBUS_E_UNKNOWN);
			assert_string_equal(vmbus_msg_name(t), "?");
			continue;
		}
		if (t == VMBUS_MSG_GPADL_HEADER || t == VMBUS_MSG_GPADL_BODY) {
			m.u.gpadl_header.range_buflen = 16;
			m.u.gpadl_header.range_count = 1;
			m.tail = (const uint8_t *)words;
			m.tail_len = sizeof(words);
		}
		memset((uint8_t *)&m.u + 8, 0x5a, fixed - 8);
		if (t == VMBUS_MSG_GPADL_HEADER) {
			m.u.gpadl_header.range_buflen = 16;
			m.u.gpadl_header.range_count = 1;
		}
		int n = vmbus_msg_encode(buf, sizeof(buf), &m);

		assert_int_equal(n, (int)(fixed + m.tail_len));
		assert_int_equal(vmbus_msg_parse(buf, (size_t)n, &back), 0);
		assert_int_equal(back.type, t);
		assert_memory_equal((uint8_t *)&back.u + 8, (uint8_t *)&m.u + 8, fixed - 8);
		assert_int_equal(back.tail_len, m.tail_len);
		assert_int_equal(vmbus_msg_parse(buf, fixed - 1, &back), -VMBUS_E_SHORT);
		assert_string_not_equal(vmbus_msg_name(t), "?");
	}
}

static void test_length_limits(void **state)
{
	uint8_t buf[300] = { VMBUS_MSG_UNLOAD };
	struct vmbus_msg m;

	(void)state;
	assert_int_equal(vmbus_msg_parse(buf, 7, &m), -VMBUS_E_SHORT);
	assert_int_equal(vmbus_msg_parse(buf, 0, &m), -VMBUS_E_SHORT);
	assert_int_equal(vmbus_msg_parse(buf, 240, &m), 0);
	assert_int_equal(vmbus_msg_parse(buf, 241, &m), -VMBUS_E_OVERSIZE);
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_UNLOAD;
	assert_int_equal(vmbus_msg_encode(buf, 7, &m), -VMBUS_E_NOSPACE);
	m.tail_len = 8;
	m.tail = buf;
	assert_int_equal(vmbus_msg_encode(buf, sizeof(buf), &m), -VMBUS_E_INVAL);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void test_gpadl_tail_rules(void **state)
{
	uint8_t buf[VMBUS_HVMSG_PAYLOAD_MAX];
	struct vmbus_msg m;

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[0] = VMBUS_MSG_GPADL_HEADER;
	buf[16] = 24;  /* range_buflen */
	buf[18] = 1;   /* range_count */
	assert_int_equal(vmbus_msg_parse(buf, 20, &m), -VMBUS_E_SHORT);     /* no words */
	assert_int_equal(vmbus_msg_parse(buf, 28, &m), 0);
	assert_int_equal(vmbus_msg_parse(buf, 44, &m), 0);
	assert_int_equal(m.tail_len, 24);
	assert_int_equal(vmbus_msg_parse(buf, 52, &m), -VMBUS_E_MALFORMED); /* more than announced */
	assert_int_equal(vmbus_msg_parse(buf, 30, &m), -VMBUS_E_MALFORMED); /* partial word */
	buf[18] = 0;
	assert_int_equal(vmbus_msg_parse(buf, 28, &m), -VMBUS_E_MALFORMED); /* no ranges */
	buf[18] = 1;
	buf[16] = 20;
	assert_int_equal(vmbus_msg_parse(buf, 28, &m), -VMBUS_E_MALFORMED); /* buflen not words */
	memset(buf, 0, sizeof(buf));
	buf[0] = VMBUS_MSG_GPADL_BODY;
	put32(buf + 12, 7);
	assert_int_equal(vmbus_msg_parse(buf, 16, &m), -VMBUS_E_SHORT);
	assert_int_equal(vmbus_msg_parse(buf, 240, &m), 0);
	assert_int_equal(m.tail_len, 224);
	assert_int_equal(m.u.gpadl_body.gpadl, 7);
	assert_int_equal(vmbus_msg_parse(buf, 20, &m), -VMBUS_E_MALFORMED);
}

static void test_hvmsg_parse(void **state)
{
	struct vmbus_hvmsg slot;
	struct vmbus_hvmsg_header h;
	const uint8_t *payload;

	(void)state;
	memset(&slot, 0, sizeof(slot));
	slot.header.message_type = VMBUS_HVMSG_TYPE_CHANNEL;
	slot.header.payload_size = 40;
	slot.header.flags = VMBUS_HVMSG_FLAG_PENDING;
	assert_int_equal(vmbus_hvmsg_parse(&slot, sizeof(slot), &h, &payload), 0);
	assert_ptr_equal(payload, slot.payload);
	assert_int_equal(h.payload_size, 40);
	assert_int_equal(h.flags, VMBUS_HVMSG_FLAG_PENDING);
	assert_int_equal(vmbus_hvmsg_parse(&slot, 15, &h, &payload), -VMBUS_E_SHORT);
	assert_int_equal(vmbus_hvmsg_parse(&slot, 16 + 39, &h, &payload), -VMBUS_E_MALFORMED);
	slot.header.payload_size = 241;
	assert_int_equal(vmbus_hvmsg_parse(&slot, sizeof(slot), &h, &payload), -VMBUS_E_MALFORMED);
}

static void test_outbox(void **state)
{
	static struct vmbus_outbox ob;
	struct vmbus_msg m;

	(void)state;
	vmbus_outbox_reset(&ob);
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_REQUESTOFFERS;
	for (uint32_t i = 0; i < VMBUS_OUTBOX_MAX; i++)
		assert_int_equal(vmbus_outbox_push(&ob, 4, &m), 0);
	assert_int_equal(vmbus_outbox_room(&ob), 0);
	assert_int_equal(vmbus_outbox_push(&ob, 4, &m), -VMBUS_E_NOSPACE);
	assert_int_equal(ob.msg[3].conn_id, 4);
	assert_int_equal(ob.msg[3].len, 8);
	assert_int_equal(ob.msg[3].data[0], VMBUS_MSG_REQUESTOFFERS);
}

static void test_post_from_outbox(void **state)
{
	static struct vmbus_outbox ob;
	struct vmbus_post_message pm;
	struct vmbus_msg m;

	(void)state;
	vmbus_outbox_reset(&ob);
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_INITIATE_CONTACT;
	m.u.initiate.version_requested = VMBUS_VERSION_WIN10_V5_3;
	assert_int_equal(vmbus_outbox_push(&ob, VMBUS_MESSAGE_CONNECTION_ID_4, &m), 0);
	vmbus_post_from_outbox(&pm, ob.msg[0].conn_id, &ob.msg[0]);
	assert_int_equal(pm.connection_id, 4);
	assert_int_equal(pm.message_type, VMBUS_HVMSG_TYPE_CHANNEL);
	assert_int_equal(pm.payload_size, 40);
	assert_memory_equal(pm.payload, ob.msg[0].data, 40);
}

static void test_error_names(void **state)
{
	(void)state;
	assert_string_equal(vmbus_strerror(-VMBUS_E_CORRUPT), "VMBUS_E_CORRUPT");
	assert_string_equal(vmbus_strerror(VMBUS_E_SHORT), "VMBUS_E_SHORT");
	assert_string_equal(vmbus_strerror(0), "VMBUS_OK");
	assert_string_equal(vmbus_strerror(-1000), "VMBUS_E_?");
	for (int e = 0; e < VMBUS_E_COUNT; e++)
		assert_non_null(vmbus_strerror(-e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid_parse),
		cmocka_unit_test(test_guid_parse_errors),
		cmocka_unit_test(test_guid_known),
		cmocka_unit_test(test_parse_initiate_contact),
		cmocka_unit_test(test_offer_layout),
		cmocka_unit_test(test_every_type_round_trips),
		cmocka_unit_test(test_length_limits),
		cmocka_unit_test(test_gpadl_tail_rules),
		cmocka_unit_test(test_hvmsg_parse),
		cmocka_unit_test(test_outbox),
		cmocka_unit_test(test_post_from_outbox),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
