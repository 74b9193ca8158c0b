/*
 * Unit tests of our own services, Sessions and Exec: request and answer
 * round trips through the IC framing, the status codes the management
 * API maps to task errors, and every bound on counts, names, commands
 * and output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_exec.h"
#include "../../vmbus/vmbus_sessions.h"

static uint8_t req_buf[IC_MSG_MAX], ans_buf[IC_MSG_MAX];

static struct ic_hdr_info hdr(uint16_t type)
{
	struct ic_hdr_info h = { .type = type, .fw = { 3, 0 }, .msgver = { 1, 0 }, .trans_id = 9,
				 .flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST };

	return h;
}

static struct ic_msg parsed(const uint8_t *buf, int n)
{
	struct ic_msg m;

	assert_true(n > 0);
	assert_int_equal(ic_parse(buf, (size_t)n, &m), 0);
	return m;
}

static void test_sessions_list(void **state)
{
	struct ic_hdr_info h = hdr(IC_MSGTYPE_SESSIONS);
	struct ic_sessions_user_info users[2] = { { 1, IC_SESSIONS_USER_ACTIVE, "alice" },
						  { 7, IC_SESSIONS_USER_LOCKED, "bob" } };
	struct ic_sessions_user_info got[2];
	struct ic_sessions_request r;
	struct ic_sessions_answer a;
	struct ic_msg req, ans;
	int n;

	(void)state;
	req = parsed(req_buf, ic_sessions_build_request(req_buf, sizeof(req_buf), &h,
							IC_SESSIONS_OP_LIST, 0, 0));
	assert_int_equal(req.body_len, 8);
	assert_int_equal(ic_sessions_parse_request(&req, &r), 0);
	assert_int_equal(r.op, IC_SESSIONS_OP_LIST);
	n = ic_sessions_build_answer(ans_buf, sizeof(ans_buf), &req, IC_S_OK, 3, users, 2);
	assert_int_equal(n, 28 + 8 + 2 * 72);
	ans = parsed(ans_buf, n);
	assert_int_equal(ans.hdr.trans_id, 9);
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, got, 2), 0);
	assert_int_equal(a.count, 2);
	assert_int_equal(a.value, 3);
	assert_string_equal(got[0].name, "alice");
	assert_int_equal(got[1].session_id, 7);
	assert_int_equal(got[1].flags, IC_SESSIONS_USER_LOCKED);
	assert_string_equal(got[1].name, "bob");
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, got, 1), 0);   /* fewer slots: fine */
}

static void test_sessions_logoff_and_locked(void **state)
{
	struct ic_hdr_info h = hdr(IC_MSGTYPE_SESSIONS);
	struct ic_sessions_request r;
	struct ic_sessions_answer a;
	struct ic_msg req, ans;

	(void)state;
	req = parsed(req_buf, ic_sessions_build_request(req_buf, sizeof(req_buf), &h,
							IC_SESSIONS_OP_LOGOFF,
							IC_SESSIONS_LOGOFF_FORCE, IC_SESSIONS_ALL));
	assert_int_equal(ic_sessions_parse_request(&req, &r), 0);
	assert_int_equal(r.session_id, IC_SESSIONS_ALL);
	assert_int_equal(r.flags, IC_SESSIONS_LOGOFF_FORCE);
	/* Nobody to log off: the answer carries the Win32 error the API reports. */
	ans = parsed(ans_buf, ic_sessions_build_answer(ans_buf, sizeof(ans_buf), &req,
						       IC_E_NO_SUCH_LOGON_SESSION, 0, NULL, 0));
	assert_int_equal(ans.hdr.status, IC_E_NO_SUCH_LOGON_SESSION);
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, NULL, 0), 0);
	assert_int_equal(a.op, IC_SESSIONS_OP_LOGOFF);
	req = parsed(req_buf, ic_sessions_build_request(req_buf, sizeof(req_buf), &h,
							IC_SESSIONS_OP_LOCKED, 0, 0));
	/* Answer in the request's own buffer. */
	ans = parsed(req_buf, ic_sessions_build_answer(req_buf, sizeof(req_buf), &req, IC_S_OK, 1,
						       NULL, 0));
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, NULL, 0), 0);
	assert_int_equal(a.value, 1);
}

static void test_sessions_bounds(void **state)
{
	struct ic_hdr_info h = hdr(IC_MSGTYPE_SESSIONS);
	struct ic_sessions_user_info user = { 1, 0, "" };
	struct ic_sessions_request r;
	struct ic_sessions_answer a;
	struct ic_msg req, ans;
	int n;

	(void)state;
	assert_int_equal(ic_sessions_build_request(req_buf, sizeof(req_buf), &h, 9, 0, 0),
			 -VMBUS_E_INVAL);
	req = parsed(req_buf, ic_sessions_build_request(req_buf, sizeof(req_buf), &h,
							IC_SESSIONS_OP_LIST, 0, 0));
	req.body_len = 7;
	assert_int_equal(ic_sessions_parse_request(&req, &r), -VMBUS_E_SHORT);
	req.body_len = 8;
	req_buf[28 + 2] = 2;   /* unknown flag */
	assert_int_equal(ic_sessions_parse_request(&req, &r), -VMBUS_E_MALFORMED);
	req_buf[28 + 2] = 0;
	req_buf[28] = 4;       /* unknown op */
	assert_int_equal(ic_sessions_parse_request(&req, &r), -VMBUS_E_UNKNOWN);
	req_buf[28] = IC_SESSIONS_OP_LIST;
	assert_int_equal(ic_sessions_build_answer(ans_buf, sizeof(ans_buf), &req, 0, 0, &user, 33),
			 -VMBUS_E_INVAL);
	memset(user.name, 'x', sizeof(user.name));   /* 65 bytes, no terminator */
	assert_int_equal(ic_sessions_build_answer(ans_buf, sizeof(ans_buf), &req, 0, 0, &user, 1),
			 -VMBUS_E_INVAL);
	user.name[64] = '\0';
	n = ic_sessions_build_answer(ans_buf, sizeof(ans_buf), &req, 0, 1, &user, 1);
	ans = parsed(ans_buf, n);
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, &user, 1), 0);
	assert_int_equal(strlen(user.name), 64);
	ans_buf[28 + 8 + 6] = 65;             /* name_len */
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, &user, 1), -VMBUS_E_MALFORMED);
	ans_buf[28 + 8 + 6] = 64;
	ans_buf[28 + 8 + 8] = 0;              /* NUL inside the name */
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, &user, 1), -VMBUS_E_MALFORMED);
	ans_buf[28 + 2] = 2;                  /* count 2, one record */
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, &user, 1), -VMBUS_E_SHORT);
	ans_buf[28 + 2] = 33;
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, &user, 1), -VMBUS_E_MALFORMED);
	ans.hdr.flags = IC_FLAG_REQUEST;
	assert_int_equal(ic_sessions_parse_answer(&ans, &a, &user, 1), -VMBUS_E_MALFORMED);
}

static void test_exec_round_trip(void **state)
{
	struct ic_hdr_info h = hdr(IC_MSGTYPE_EXEC);
	struct ic_exec_result res;
	struct ic_exec_req r;
	struct ic_msg req, ans;

	(void)state;
	req = parsed(req_buf, ic_exec_build_request(req_buf, sizeof(req_buf), &h, "uname -a", 5000,
						    64));
	assert_int_equal(req.body_len, 16 + 8);
	assert_int_equal(ic_exec_parse_request(&req, &r), 0);
	assert_int_equal(r.command_len, 8);
	assert_memory_equal(r.command, "uname -a", 8);
	assert_int_equal(r.timeout_ms, 5000);
	assert_int_equal(r.max_output, 64);
	ans = parsed(ans_buf, ic_exec_build_answer(ans_buf, sizeof(ans_buf), &req, IC_S_OK, 3, 0,
						   "testos 1.0\n", 11));
	assert_int_equal(ic_exec_parse_answer(&ans, &res), 0);
	assert_int_equal(res.exit_status, 3);
	assert_int_equal(res.flags, 0);
	assert_int_equal(res.output_len, 11);
	assert_memory_equal(res.output, "testos 1.0\n", 11);
}

static void test_exec_truncation_and_failures(void **state)
{
	static char out[IC_EXEC_MAX_OUTPUT + 10];
	struct ic_hdr_info h = hdr(IC_MSGTYPE_EXEC);
	struct ic_exec_result res;
	struct ic_msg req, ans;

	(void)state;
	memset(out, 'o', sizeof(out));
	req = parsed(req_buf, ic_exec_build_request(req_buf, sizeof(req_buf), &h, "yes", 0,
						    IC_EXEC_MAX_OUTPUT));
	ans = parsed(ans_buf, ic_exec_build_answer(ans_buf, sizeof(ans_buf), &req, IC_S_OK, -9,
						   IC_EXEC_TIMED_OUT, out, sizeof(out)));
	assert_int_equal(ic_exec_parse_answer(&ans, &res), 0);
	assert_int_equal(res.output_len, IC_EXEC_MAX_OUTPUT);
	assert_int_equal(res.flags, IC_EXEC_TIMED_OUT | IC_EXEC_TRUNCATED);
	assert_int_equal(res.exit_status, -9);
	ans = parsed(ans_buf, ic_exec_build_answer(ans_buf, sizeof(ans_buf), &req, IC_E_FAIL, 0,
						   IC_EXEC_NOT_FOUND, NULL, 0));
	assert_int_equal(ans.hdr.status, IC_E_FAIL);
	assert_int_equal(ic_exec_parse_answer(&ans, &res), 0);
	assert_int_equal(res.flags, IC_EXEC_NOT_FOUND);
	ans_buf[28 + 8] = 0xff;   /* output_len 255 > body */
	assert_int_equal(ic_exec_parse_answer(&ans, &res), -VMBUS_E_SHORT);
	ans_buf[28 + 9] = 0xff;   /* 65535 > limit */
	assert_int_equal(ic_exec_parse_answer(&ans, &res), -VMBUS_E_MALFORMED);
}

static void test_exec_request_bounds(void **state)
{
	static char cmd[IC_EXEC_MAX_COMMAND + 2];
	struct ic_hdr_info h = hdr(IC_MSGTYPE_EXEC);
	struct ic_exec_req r;
	struct ic_msg req;

	(void)state;
	memset(cmd, 'c', sizeof(cmd) - 1);
	assert_int_equal(ic_exec_build_request(req_buf, sizeof(req_buf), &h, cmd, 0, 0),
			 -VMBUS_E_INVAL);
	cmd[IC_EXEC_MAX_COMMAND] = '\0';
	req = parsed(req_buf, ic_exec_build_request(req_buf, sizeof(req_buf), &h, cmd, 0, 0));
	assert_int_equal(ic_exec_parse_request(&req, &r), 0);
	assert_int_equal(ic_exec_build_request(req_buf, sizeof(req_buf), &h, "", 0, 0), -VMBUS_E_INVAL);
	assert_int_equal(ic_exec_build_request(req_buf, sizeof(req_buf), &h, "ls", 0, 4097),
			 -VMBUS_E_INVAL);
	req = parsed(req_buf, ic_exec_build_request(req_buf, sizeof(req_buf), &h, "ls -l", 0, 10));
	req_buf[28 + 16 + 2] = '\0';
	assert_int_equal(ic_exec_parse_request(&req, &r), -VMBUS_E_MALFORMED);   /* NUL inside */
	req_buf[28 + 16 + 2] = ' ';
	req.body_len = 20;
	assert_int_equal(ic_exec_parse_request(&req, &r), -VMBUS_E_SHORT);
	req.body_len = 21;
	req_buf[28 + 10] = 1;                    /* flags */
	assert_int_equal(ic_exec_parse_request(&req, &r), -VMBUS_E_MALFORMED);
	req_buf[28 + 10] = 0;
	req_buf[28 + 5] = 0x20;                  /* max_output 8202 */
	assert_int_equal(ic_exec_parse_request(&req, &r), -VMBUS_E_MALFORMED);
	req.hdr.type = IC_MSGTYPE_SESSIONS;
	assert_int_equal(ic_exec_parse_request(&req, &r), -VMBUS_E_UNKNOWN);
	/* An answer can only be built for a valid request. */
	assert_int_equal(ic_exec_build_answer(ans_buf, sizeof(ans_buf), &req, 0, 0, 0, NULL, 0),
			 -VMBUS_E_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sessions_list),
		cmocka_unit_test(test_sessions_logoff_and_locked),
		cmocka_unit_test(test_sessions_bounds),
		cmocka_unit_test(test_exec_round_trip),
		cmocka_unit_test(test_exec_truncation_and_failures),
		cmocka_unit_test(test_exec_request_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
