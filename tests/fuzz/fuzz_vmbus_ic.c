/*
 * libFuzzer target for every IC parser, from both sides: the input is one
 * IC message (after a selector byte).  Guest-side parsers and in-place
 * answers run on it as if the host sent it, host-side parsers as if the
 * guest answered it.  Nothing may read or write outside the message, and
 * every answer we build from an accepted request must decode again.
 */
#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_exec.h"
#include "../../vmbus/vmbus_ic_util.h"
#include "../../vmbus/vmbus_kvp.h"
#include "../../vmbus/vmbus_sessions.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t answer[IC_MSG_MAX];

/* An exact-size copy, so ASan flags any access past the message. */
static uint8_t *copy(const uint8_t *data, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	memcpy(p, data, n);
	return p;
}

static void must_decode(const void *buf, int n)
{
	struct ic_msg m;

	if (n >= 0 && ic_parse(buf, (size_t)n, &m) != 0)
		abort();
}

static void guest_negotiate_and_heartbeat(const uint8_t *data, size_t n)
{
	struct ic_version fw, srv;
	uint8_t *p = copy(data, n);
	bool matched;

	must_decode(p, ic_negotiate_answer(p, n, n, ic_fw_versions, 2, ic_timesync_versions, 3,
					   &fw, &srv, &matched));
	free(p);
	p = copy(data, n);
	must_decode(p, ic_heartbeat_answer(p, n));
	free(p);
}

static void guest_kvp(const uint8_t *data, size_t n, const struct ic_msg *m)
{
	static const uint8_t key[] = { 'k', 0, 0, 0 }, value[] = { 'v', 0, 0, 0 };
	struct ic_kvp k;
	uint8_t *p;

	if (ic_kvp_parse(m, &k) != 0 || (k.op != IC_KVP_OP_GET && k.op != IC_KVP_OP_ENUMERATE))
		return;
	p = copy(data, n);
	must_decode(p, ic_kvp_answer(p, n, IC_S_OK, IC_KVP_REG_SZ, key, 4, value, 4));
	free(p);
}

static void guest_own_services(const struct ic_msg *m)
{
	struct ic_sessions_user_info user = { 1, IC_SESSIONS_USER_ACTIVE, "root" };
	struct ic_sessions_request sr;
	struct ic_exec_req er;
	struct ic_exec_result res;
	struct ic_msg a;
	int n;

	if (ic_sessions_parse_request(m, &sr) == 0) {
		n = ic_sessions_build_answer(answer, sizeof(answer), m, IC_S_OK, 1, &user, 1);
		if (n < 0 || ic_parse(answer, (size_t)n, &a) != 0 ||
		    ic_sessions_parse_answer(&a, &(struct ic_sessions_answer){ 0 }, NULL, 0) != 0)
			abort();
	}
	if (ic_exec_parse_request(m, &er) == 0) {
		n = ic_exec_build_answer(answer, sizeof(answer), m, IC_S_OK, 0, 0, er.command,
					 er.command_len);
		if (n < 0 || ic_parse(answer, (size_t)n, &a) != 0 ||
		    ic_exec_parse_answer(&a, &res) != 0 || res.output_len > er.max_output)
			abort();
	}
}

static void host_side(const struct ic_msg *m)
{
	struct ic_sessions_user_info users[4];
	struct ic_sessions_answer sa;
	struct ic_version fw, srv;
	struct ic_exec_result er;
	struct ic_shutdown_req sd;
	struct ic_timesync ts;
	uint64_t seq;

	(void)ic_negotiate_result(m, ic_fw_versions, 2, ic_kvp_versions, 3, &fw, &srv);
	(void)ic_heartbeat_parse(m, &seq);
	(void)ic_shutdown_parse(m, &sd);
	(void)ic_timesync_parse(m, 4, &ts);
	(void)ic_timesync_parse(m, 3, &ts);
	(void)ic_sessions_parse_answer(m, &sa, users, 4);
	if (ic_exec_parse_answer(m, &er) == 0 && er.output + er.output_len > m->body + m->body_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ic_msg m;
	uint8_t *p;

	if (size > IC_MSG_MAX)
		return 0;
	guest_negotiate_and_heartbeat(data, size);
	p = copy(data, size);
	if (ic_parse(p, size, &m) == 0) {
		guest_kvp(data, size, &m);
		guest_own_services(&m);
		host_side(&m);
	}
	free(p);
	return 0;
}
