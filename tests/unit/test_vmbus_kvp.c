/*
 * Unit tests of the KVP service: ASCII <-> UTF-16LE helpers, every
 * operation built by the host, answered in place by the guest and read
 * back, and refusal of sizes that do not fit their arrays.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_kvp.h"

static uint8_t buf[IC_MSG_MAX];
static const struct ic_hdr_info hdr = { .type = IC_MSGTYPE_KVPEXCHANGE, .fw = { 3, 0 },
					.msgver = { 4, 0 }, .trans_id = 1,
					.flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST };

static void test_utf16(void **state)
{
	uint8_t w[32];
	char a[16];

	(void)state;
	assert_int_equal(ic_utf16_from_ascii("OSName", 6, w, sizeof(w)), 14);
	assert_memory_equal(w, "O\0S\0N\0a\0m\0e\0\0\0", 14);
	assert_int_equal(ic_utf16_to_ascii(w, 14, a, sizeof(a)), 6);
	assert_string_equal(a, "OSName");
	assert_int_equal(ic_utf16_to_ascii(w, 4, a, sizeof(a)), 2);   /* size bounds it */
	assert_string_equal(a, "OS");
	assert_int_equal(ic_utf16_from_ascii("OSName", 6, w, 13), -VMBUS_E_NOSPACE);
	assert_int_equal(ic_utf16_from_ascii("caf\xc3\xa9", 5, w, sizeof(w)), -VMBUS_E_MALFORMED);
	assert_int_equal(ic_utf16_from_ascii("a\0b", 3, w, sizeof(w)), -VMBUS_E_MALFORMED);
	assert_int_equal(ic_utf16_to_ascii(w, 13, a, sizeof(a)), -VMBUS_E_MALFORMED);
	assert_int_equal(ic_utf16_to_ascii(w, 14, a, 6), -VMBUS_E_NOSPACE);
	assert_int_equal(ic_utf16_to_ascii(w, 0, a, 0), -VMBUS_E_NOSPACE);
	assert_int_equal(ic_utf16_to_ascii((const uint8_t *)"\xe9\x00z\x00", 4, a, sizeof(a)), 2);
	assert_string_equal(a, "?z");
}

/* Builds a host request and returns its length. */
static int request(uint8_t op, uint8_t pool, const char *key, const char *value, uint32_t index)
{
	uint8_t k[IC_KVP_MAX_KEY], v[IC_KVP_MAX_VALUE];
	struct ic_kvp req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.pool = pool;
	req.index = index;
	if (key) {
		req.key = k;
		req.key_size = (uint32_t)ic_utf16_from_ascii(key, strlen(key), k, sizeof(k));
	}
	if (value) {
		req.value_type = IC_KVP_REG_SZ;
		req.value = v;
		req.value_size = (uint32_t)ic_utf16_from_ascii(value, strlen(value), v, sizeof(v));
	}
	return ic_kvp_build(buf, sizeof(buf), &hdr, &req);
}

static void parse(int n, struct ic_msg *m, struct ic_kvp *k)
{
	assert_true(n > 0);
	assert_int_equal(ic_parse(buf, (size_t)n, m), 0);
	assert_int_equal(ic_kvp_parse(m, k), 0);
}

static void test_set(void **state)
{
	struct ic_msg m;
	struct ic_kvp k;
	char a[64];
	int n = request(IC_KVP_OP_SET, IC_KVP_POOL_EXTERNAL, "Param", "Value 1", 0);

	(void)state;
	assert_int_equal(n, 28 + 4 + 2572);
	parse(n, &m, &k);
	assert_int_equal(k.op, IC_KVP_OP_SET);
	assert_int_equal(k.pool, IC_KVP_POOL_EXTERNAL);
	assert_int_equal(k.key_size, 12);
	assert_int_equal(k.value_type, IC_KVP_REG_SZ);
	assert_int_equal(ic_utf16_to_ascii(k.value, k.value_size, a, sizeof(a)), 7);
	assert_string_equal(a, "Value 1");
	assert_int_equal(ic_kvp_answer(buf, (size_t)n, IC_S_OK, IC_KVP_REG_SZ, NULL, 0, NULL, 0),
			 -VMBUS_E_INVAL);   /* SET takes a plain answer */
	assert_int_equal(ic_answer_inplace(buf, (size_t)n, IC_S_OK), n);
}

static void test_get(void **state)
{
	uint8_t v[64];
	struct ic_msg m;
	struct ic_kvp k;
	char a[64];
	int n = request(IC_KVP_OP_GET, IC_KVP_POOL_EXTERNAL, "Param", NULL, 0);
	int vn = ic_utf16_from_ascii("42", 2, v, sizeof(v));

	(void)state;
	parse(n, &m, &k);
	assert_int_equal(k.value_size, 0);
	assert_int_equal(ic_kvp_answer(buf, (size_t)n, IC_S_OK, IC_KVP_REG_SZ, NULL, 0, v,
				       (uint32_t)vn), n);
	parse(n, &m, &k);
	assert_int_equal(m.hdr.flags, IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE);
	assert_int_equal(m.hdr.status, IC_S_OK);
	assert_int_equal(ic_utf16_to_ascii(k.key, k.key_size, a, sizeof(a)), 5);  /* key kept */
	assert_int_equal(ic_utf16_to_ascii(k.value, k.value_size, a, sizeof(a)), 2);
	assert_string_equal(a, "42");
}

static void test_get_missing(void **state)
{
	struct ic_msg m;
	struct ic_kvp k;
	int n = request(IC_KVP_OP_GET, IC_KVP_POOL_EXTERNAL, "Nope", NULL, 0);

	(void)state;
	assert_int_equal(ic_kvp_answer(buf, (size_t)n, IC_E_FAIL, 0, NULL, 0, NULL, 0), n);
	parse(n, &m, &k);
	assert_int_equal(m.hdr.status, IC_E_FAIL);
	assert_int_equal(k.value_size, 0);
}

static void test_enumerate(void **state)
{
	uint8_t key[64], v[64];
	struct ic_msg m;
	struct ic_kvp k;
	char a[64];
	int n = request(IC_KVP_OP_ENUMERATE, IC_KVP_POOL_AUTO, NULL, NULL, IC_KVP_AUTO_OS_NAME);
	int kn = ic_utf16_from_ascii("OSName", 6, key, sizeof(key));
	int vn = ic_utf16_from_ascii("testos", 6, v, sizeof(v));

	(void)state;
	assert_int_equal(n, 28 + 4 + 2576);
	parse(n, &m, &k);
	assert_int_equal(k.index, IC_KVP_AUTO_OS_NAME);
	assert_int_equal(ic_kvp_answer(buf, (size_t)n, IC_S_OK, IC_KVP_REG_SZ, key, (uint32_t)kn, v,
				       (uint32_t)vn), n);
	parse(n, &m, &k);
	assert_int_equal(ic_utf16_to_ascii(k.key, k.key_size, a, sizeof(a)), 6);
	assert_string_equal(a, "OSName");
	assert_int_equal(ic_utf16_to_ascii(k.value, k.value_size, a, sizeof(a)), 6);
	assert_string_equal(a, "testos");
	n = request(IC_KVP_OP_ENUMERATE, IC_KVP_POOL_AUTO, NULL, NULL, 99);
	assert_int_equal(ic_kvp_answer(buf, (size_t)n, IC_S_CONT, 0, NULL, 0, NULL, 0), n);
	parse(n, &m, &k);
	assert_int_equal(m.hdr.status, IC_S_CONT);
}

static void test_numbers_and_delete(void **state)
{
	uint32_t u32 = 7;
	struct ic_msg m;
	struct ic_kvp k;
	int n = request(IC_KVP_OP_GET, IC_KVP_POOL_GUEST, "Count", NULL, 0);

	(void)state;
	assert_int_equal(ic_kvp_answer(buf, (size_t)n, IC_S_OK, IC_KVP_REG_U32, NULL, 0,
				       (const uint8_t *)&u32, 4), n);
	parse(n, &m, &k);
	assert_int_equal(k.value_type, IC_KVP_REG_U32);
	assert_int_equal(k.value[0], 7);
	assert_int_equal(ic_kvp_answer(buf, (size_t)n, IC_S_OK, IC_KVP_REG_U64, NULL, 0,
				       (const uint8_t *)&u32, 4), -VMBUS_E_INVAL);
	n = request(IC_KVP_OP_DELETE, IC_KVP_POOL_EXTERNAL, "Param", NULL, 0);
	assert_int_equal(n, 28 + 4 + 516);
	parse(n, &m, &k);
	assert_int_equal(k.op, IC_KVP_OP_DELETE);
	assert_int_equal(k.key_size, 12);
}

/* Rewrites a u32 at body offset off of the message in buf and parses. */
static int parse_with(int n, size_t off, uint32_t v)
{
	struct ic_msg m;
	struct ic_kvp k;

	memcpy(buf + IC_HDR_SIZE + off, &v, 4);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	return ic_kvp_parse(&m, &k);
}

static void test_malformed(void **state)
{
	struct ic_msg m;
	struct ic_kvp k;
	int n = request(IC_KVP_OP_SET, IC_KVP_POOL_EXTERNAL, "Param", "Value", 0);

	(void)state;
	assert_int_equal(parse_with(n, 8, 513), -VMBUS_E_MALFORMED);    /* key_size */
	assert_int_equal(parse_with(n, 8, 11), -VMBUS_E_MALFORMED);     /* odd UTF-16 */
	assert_int_equal(parse_with(n, 8, 12), 0);
	assert_int_equal(parse_with(n, 12, 2049), -VMBUS_E_MALFORMED);  /* value_size */
	assert_int_equal(parse_with(n, 12, 12), 0);
	assert_int_equal(parse_with(n, 4, IC_KVP_REG_U32), -VMBUS_E_MALFORMED);  /* 12 != 4 */
	assert_int_equal(parse_with(n, 4, 99), -VMBUS_E_MALFORMED);
	assert_int_equal(parse_with(n, 4, IC_KVP_REG_SZ), 0);
	assert_int_equal(parse_with(n, 0, 4), -VMBUS_E_UNKNOWN);       /* GET_IP_INFO */
	assert_int_equal(parse_with(n, 0, 1 | 5 << 8), -VMBUS_E_MALFORMED);   /* pool 5 */
	assert_int_equal(parse_with(n, 0, 1), 0);
	/* The body must hold the whole layout of the operation. */
	buf[IC_HDR_SIZE - 10] = 100;   /* icmsgsize: 100 bytes */
	buf[IC_HDR_SIZE - 9] = 0;
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(ic_kvp_parse(&m, &k), -VMBUS_E_SHORT);
	m.body_len = 3;
	assert_int_equal(ic_kvp_parse(&m, &k), -VMBUS_E_SHORT);
	m.hdr.type = IC_MSGTYPE_HEARTBEAT;
	assert_int_equal(ic_kvp_parse(&m, &k), -VMBUS_E_UNKNOWN);
}

static void test_build_refusals(void **state)
{
	struct ic_kvp req;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.op = 4;
	assert_int_equal(ic_kvp_build(buf, sizeof(buf), &hdr, &req), -VMBUS_E_INVAL);
	req.op = IC_KVP_OP_SET;
	req.key_size = 514;
	req.key = buf;
	assert_int_equal(ic_kvp_build(buf, sizeof(buf), &hdr, &req), -VMBUS_E_INVAL);
	req.key_size = 2;
	req.pool = IC_KVP_POOL_COUNT;
	assert_int_equal(ic_kvp_build(buf, sizeof(buf), &hdr, &req), -VMBUS_E_INVAL);
	req.pool = 0;
	assert_int_equal(ic_kvp_build(buf, 100, &hdr, &req), -VMBUS_E_NOSPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_get_missing),
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_numbers_and_delete),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_build_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
