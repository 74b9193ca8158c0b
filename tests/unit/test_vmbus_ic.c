/*
 * Unit tests of IC framing and the Heartbeat, Shutdown and TimeSync
 * bodies: header parsing limits, in-place answers, NEGOTIATE with a
 * match, without one and with lying counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_ic.h"
#include "../../vmbus/vmbus_ic_util.h"

static uint8_t buf[IC_MSG_MAX];

/* A host NEGOTIATE for heartbeat offering framework 1.0 3.0 and service 1.0 3.0. */
static const uint8_t host_negotiate[] = {
	0x01, 0, 0, 0, 0x24, 0, 0, 0,          /* vmbuspipe_hdr: data, 36 bytes follow */
	0x01, 0x00, 0x00, 0x00,                /* icverframe 1.0 */
	0x00, 0x00,                            /* NEGOTIATE */
	0x01, 0x00, 0x00, 0x00,                /* icvermsg 1.0 */
	0x18, 0x00,                            /* icmsgsize 24 */
	0, 0, 0, 0,                            /* status */
	0x00, 0x03, 0, 0,                      /* transaction 0, TRANSACTION|REQUEST */
	0x02, 0x00, 0x02, 0x00, 0, 0, 0, 0,    /* 2 framework, 2 service versions */
	0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
};

static void test_parse_limits(void **state)
{
	struct ic_msg m;

	(void)state;
	assert_int_equal(ic_parse(host_negotiate, sizeof(host_negotiate), &m), 0);
	assert_int_equal(m.hdr.type, IC_MSGTYPE_NEGOTIATE);
	assert_int_equal(m.body_len, 24);
	assert_ptr_equal(m.body, host_negotiate + 28);
	assert_int_equal(ic_parse(host_negotiate, 27, &m), -VMBUS_E_SHORT);
	assert_int_equal(ic_parse(host_negotiate, sizeof(host_negotiate) - 1, &m),
			 -VMBUS_E_MALFORMED);   /* icmsgsize past the end */
	assert_int_equal(ic_parse(buf, IC_MSG_MAX + 1, &m), -VMBUS_E_OVERSIZE);
}

static void test_negotiate_match(void **state)
{
	struct ic_version fw, srv;
	struct ic_msg m;
	bool matched;
	int n;

	(void)state;
	memcpy(buf, host_negotiate, sizeof(host_negotiate));
	n = ic_negotiate_answer(buf, sizeof(host_negotiate), sizeof(buf), ic_fw_versions, 2,
				ic_heartbeat_versions, 2, &fw, &srv, &matched);
	assert_int_equal(n, 28 + 16);
	assert_true(matched);
	assert_int_equal(fw.major, 3);
	assert_int_equal(srv.major, 3);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(m.hdr.flags, IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE);
	assert_int_equal(m.hdr.size, 16);
	assert_int_equal(m.body[0], 1);
	assert_int_equal(m.body[2], 1);
	assert_int_equal(ic_negotiate_result(&m, (const struct ic_version[]){ { 1, 0 }, { 3, 0 } }, 2,
					     ic_heartbeat_versions, 2, &fw, &srv), 0);
	assert_int_equal(fw.major, 3);
	assert_int_equal(srv.minor, 0);
	/* The host refuses a choice it never offered. */
	assert_int_equal(ic_negotiate_result(&m, ic_fw_versions + 1, 1, ic_heartbeat_versions, 2,
					     &fw, &srv), -VMBUS_E_MALFORMED);
}

static void test_negotiate_round_trip(void **state)
{
	struct ic_version fw, srv;
	struct ic_msg m;
	bool matched;
	int n;

	(void)state;
	n = ic_negotiate_build(buf, sizeof(buf), 7, ic_fw_versions, 2, ic_shutdown_versions, 4);
	assert_true(n > 0);
	/* A guest that only knows shutdown 3.0 and 3.1. */
	n = ic_negotiate_answer(buf, (size_t)n, sizeof(buf), ic_fw_versions, 2,
				ic_shutdown_versions + 1, 2, &fw, &srv, &matched);
	assert_true(matched);
	assert_int_equal(srv.major, 3);
	assert_int_equal(srv.minor, 1);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(m.hdr.trans_id, 7);
	assert_int_equal(ic_negotiate_result(&m, ic_fw_versions, 2, ic_shutdown_versions, 4,
					     &fw, &srv), 0);
	assert_int_equal(srv.minor, 1);
}

static void test_negotiate_no_match(void **state)
{
	static const struct ic_version only_9[] = { { 9, 0 } };
	struct ic_version fw, srv;
	struct ic_msg m;
	bool matched = true;
	int n;

	(void)state;
	memcpy(buf, host_negotiate, sizeof(host_negotiate));
	n = ic_negotiate_answer(buf, sizeof(host_negotiate), sizeof(buf), ic_fw_versions, 2,
				only_9, 1, &fw, &srv, &matched);
	assert_int_equal(n, 44);
	assert_false(matched);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(m.body[0], 0);
	assert_int_equal(m.body[2], 0);
	assert_int_equal(ic_negotiate_result(&m, ic_fw_versions, 2, ic_heartbeat_versions, 2,
					     &fw, &srv), -VMBUS_E_VERSION);
	/* No framework in common is no match either. */
	memcpy(buf, host_negotiate, sizeof(host_negotiate));
	n = ic_negotiate_answer(buf, sizeof(host_negotiate), sizeof(buf), only_9, 1,
				ic_heartbeat_versions, 2, &fw, &srv, &matched);
	assert_false(matched);
}

static void test_negotiate_lies(void **state)
{
	struct ic_version fw, srv;
	bool matched;

	(void)state;
	memcpy(buf, host_negotiate, sizeof(host_negotiate));
	buf[28] = 3;   /* 3 + 2 versions do not fit in 24 bytes */
	assert_int_equal(ic_negotiate_answer(buf, sizeof(host_negotiate), sizeof(buf), ic_fw_versions,
					     2, ic_heartbeat_versions, 2, &fw, &srv, &matched),
			 -VMBUS_E_SHORT);
	buf[28] = 101;
	assert_int_equal(ic_negotiate_answer(buf, sizeof(host_negotiate), sizeof(buf), ic_fw_versions,
					     2, ic_heartbeat_versions, 2, &fw, &srv, &matched),
			 -VMBUS_E_MALFORMED);
	memcpy(buf, host_negotiate, sizeof(host_negotiate));
	buf[12] = IC_MSGTYPE_HEARTBEAT;
	assert_int_equal(ic_negotiate_answer(buf, sizeof(host_negotiate), sizeof(buf), ic_fw_versions,
					     2, ic_heartbeat_versions, 2, &fw, &srv, &matched),
			 -VMBUS_E_UNKNOWN);
	memcpy(buf, host_negotiate, sizeof(host_negotiate));
	assert_int_equal(ic_negotiate_answer(buf, sizeof(host_negotiate), 40, ic_fw_versions, 2,
					     ic_heartbeat_versions, 2, &fw, &srv, &matched),
			 -VMBUS_E_NOSPACE);
	assert_int_equal(ic_negotiate_build(buf, sizeof(buf), 0, ic_fw_versions, 0,
					    ic_heartbeat_versions, 2), -VMBUS_E_INVAL);
}

static struct ic_hdr_info req_hdr(uint16_t type, uint16_t major)
{
	struct ic_hdr_info h = { .type = type, .fw = { 3, 0 }, .msgver = { major, 0 },
				 .trans_id = 5, .flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST };

	return h;
}

static void test_heartbeat(void **state)
{
	struct ic_hdr_info h = req_hdr(IC_MSGTYPE_HEARTBEAT, 3);
	struct ic_msg m;
	uint64_t seq;
	int n;

	(void)state;
	n = ic_heartbeat_build(buf, sizeof(buf), &h, 41);
	assert_int_equal(n, 28 + 40);
	assert_int_equal(ic_heartbeat_answer(buf, (size_t)n), n);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(m.hdr.flags, IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE);
	assert_int_equal(m.hdr.trans_id, 5);
	assert_int_equal(ic_heartbeat_parse(&m, &seq), 0);
	assert_int_equal(seq, 42);
	m.body_len = 8;     /* the reserved words are optional */
	assert_int_equal(ic_heartbeat_parse(&m, &seq), 0);
	m.body_len = 7;
	assert_int_equal(ic_heartbeat_parse(&m, &seq), -VMBUS_E_SHORT);
	m.body_len = 40;
	m.hdr.type = IC_MSGTYPE_SHUTDOWN;
	assert_int_equal(ic_heartbeat_parse(&m, &seq), -VMBUS_E_UNKNOWN);
}

static void test_shutdown(void **state)
{
	struct ic_hdr_info h = req_hdr(IC_MSGTYPE_SHUTDOWN, 3);
	struct ic_shutdown_req sd;
	struct ic_msg m;
	int n;

	(void)state;
	n = ic_shutdown_build(buf, sizeof(buf), &h, IC_SHUTDOWN_REBOOT, true, 0x80000000u, 30,
			      "planned");
	assert_int_equal(n, 28 + 2060);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(ic_shutdown_parse(&m, &sd), 0);
	assert_int_equal(sd.action, IC_SHUTDOWN_REBOOT);
	assert_true(sd.force);
	assert_int_equal(sd.timeout_seconds, 30);
	assert_int_equal(sd.reason_code, 0x80000000u);
	assert_int_equal(sd.message_len, 7);
	assert_memory_equal(sd.message, "planned", 7);
	assert_int_equal(ic_answer_inplace(buf, (size_t)n, IC_S_OK), n);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(m.hdr.flags, IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE);
	/* Only the three words are required; an unknown action is named as such. */
	m.body_len = 12;
	assert_int_equal(ic_shutdown_parse(&m, &sd), 0);
	assert_int_equal(sd.message_len, 0);
	m.body_len = 11;
	assert_int_equal(ic_shutdown_parse(&m, &sd), -VMBUS_E_SHORT);
	buf[28 + 8] = 8;
	m.body_len = 12;
	assert_int_equal(ic_shutdown_parse(&m, &sd), -VMBUS_E_UNKNOWN);
	assert_int_equal(ic_shutdown_build(buf, sizeof(buf), &h, 6, false, 0, 0, NULL), -VMBUS_E_INVAL);
	assert_int_equal(ic_shutdown_build(buf, 100, &h, 0, false, 0, 0, NULL), -VMBUS_E_NOSPACE);
}

static void test_timesync(void **state)
{
	struct ic_hdr_info h = req_hdr(IC_MSGTYPE_TIMESYNC, 4);
	struct ic_timesync t = { .parent_time = IC_TIME_UNIX_EPOCH + 10000000, .ref_time = 123,
				 .flags = IC_TIMESYNC_SYNC, .leap_flags = 1, .stratum = 2 };
	struct ic_timesync out;
	struct ic_msg m;
	int n;

	(void)state;
	n = ic_timesync_build(buf, sizeof(buf), &h, &t);
	assert_int_equal(n, 28 + 22);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(ic_timesync_parse(&m, 4, &out), 0);
	assert_int_equal(out.parent_time, t.parent_time);
	assert_int_equal(out.ref_time, 123);
	assert_int_equal(out.flags, IC_TIMESYNC_SYNC);
	assert_int_equal(out.stratum, 2);
	assert_int_equal(ic_timesync_parse(&m, 3, &out), -VMBUS_E_SHORT);   /* 22 < 25 */
	h.msgver.major = 3;
	t.round_trip_time = 77;
	n = ic_timesync_build(buf, sizeof(buf), &h, &t);
	assert_int_equal(n, 28 + 25);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(ic_timesync_parse(&m, 3, &out), 0);
	assert_int_equal(out.round_trip_time, 77);
	assert_int_equal(out.leap_flags, 0);
}

static void test_response_in_place_overlap(void **state)
{
	struct ic_hdr_info h = req_hdr(IC_MSGTYPE_HEARTBEAT, 3);
	struct ic_msg m;
	int n;

	(void)state;
	n = ic_heartbeat_build(buf, sizeof(buf), &h, 1);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	/* Answer with the last 8 bytes of the body as the new body, in the same buffer. */
	n = ic_build_response(buf, sizeof(buf), &m, IC_E_FAIL, m.body + 32, 8);
	assert_int_equal(n, 36);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(m.hdr.status, IC_E_FAIL);
	assert_int_equal(ic_build(buf, sizeof(buf), &h, buf, IC_MSG_MAX), -VMBUS_E_TOOBIG);
	assert_true(ic_has_nul((const uint8_t *)"a\0b", 3));
	assert_false(ic_has_nul((const uint8_t *)"abc", 3));
	assert_true(ic_version_cmp((struct ic_version){ 3, 1 }, (struct ic_version){ 3, 0 }) > 0);
	assert_true(ic_version_cmp((struct ic_version){ 1, 9 }, (struct ic_version){ 3, 0 }) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_negotiate_match),
		cmocka_unit_test(test_negotiate_round_trip),
		cmocka_unit_test(test_negotiate_no_match),
		cmocka_unit_test(test_negotiate_lies),
		cmocka_unit_test(test_heartbeat),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_timesync),
		cmocka_unit_test(test_response_in_place_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
