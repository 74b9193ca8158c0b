/*
 * Sessions service bodies (vmbus_sessions.h): bounded builders and
 * parsers for both sides.
 */
#include "vmbus_sessions.h"
#include "vmbus_err.h"

#include <lib/string.h>

#define ANSWER_MAX (sizeof(struct ic_sessions_answer) + \
		    IC_SESSIONS_MAX_USERS * sizeof(struct ic_sessions_user))

static bool op_known(uint16_t op)
{
	return op == IC_SESSIONS_OP_LOGOFF || op == IC_SESSIONS_OP_LIST ||
	       op == IC_SESSIONS_OP_LOCKED;
}

int ic_sessions_build_request(void *buf, size_t cap, const struct ic_hdr_info *h,
			      uint16_t op, uint16_t flags, uint32_t session_id)
{
	struct ic_sessions_request r = { .op = op, .flags = flags, .session_id = session_id };

	if (!op_known(op) || h->type != IC_MSGTYPE_SESSIONS)
		return -VMBUS_E_INVAL;
	return ic_build(buf, cap, h, &r, sizeof(r));
}

int ic_sessions_parse_request(const struct ic_msg *m, struct ic_sessions_request *out)
{
	if (m->hdr.type != IC_MSGTYPE_SESSIONS)
		return -VMBUS_E_UNKNOWN;
	if (m->body_len < sizeof(*out))
		return -VMBUS_E_SHORT;
	if (m->body_len > sizeof(*out))
		return -VMBUS_E_OVERSIZE;
	memcpy(out, m->body, sizeof(*out));
	if (!op_known(out->op))
		return -VMBUS_E_UNKNOWN;
	if (out->flags & ~IC_SESSIONS_LOGOFF_FORCE)
		return -VMBUS_E_MALFORMED;
	return 0;
}

int ic_sessions_build_answer(void *buf, size_t cap, const struct ic_msg *req, uint32_t status,
			     uint32_t value, const struct ic_sessions_user_info *users, uint16_t count)
{
	uint8_t body[ANSWER_MAX];
	struct ic_sessions_request r;
	struct ic_sessions_answer a;
	size_t off = sizeof(a);
	int err = ic_sessions_parse_request(req, &r);

	if (err)
		return err;
	if (count > IC_SESSIONS_MAX_USERS || (count && !users))
		return -VMBUS_E_INVAL;
	a.op = r.op;
	a.count = count;
	a.value = value;
	memcpy(body, &a, sizeof(a));
	for (uint16_t i = 0; i < count; i++, off += sizeof(struct ic_sessions_user)) {
		struct ic_sessions_user u;
		size_t n = strnlen(users[i].name, sizeof(users[i].name));

		if (n > IC_SESSIONS_NAME_MAX)
			return -VMBUS_E_INVAL;
		memset(&u, 0, sizeof(u));
		u.session_id = users[i].session_id;
		u.flags = users[i].flags;
		u.name_len = (uint16_t)n;
		memcpy(u.name, users[i].name, n);
		memcpy(body + off, &u, sizeof(u));
	}
	return ic_build_response(buf, cap, req, status, body, (uint32_t)off);
}

int ic_sessions_parse_answer(const struct ic_msg *m, struct ic_sessions_answer *out,
			     struct ic_sessions_user_info *users, uint16_t max)
{
	if (m->hdr.type != IC_MSGTYPE_SESSIONS)
		return -VMBUS_E_UNKNOWN;
	if (!(m->hdr.flags & IC_FLAG_RESPONSE))
		return -VMBUS_E_MALFORMED;
	if (m->body_len < sizeof(*out))
		return -VMBUS_E_SHORT;
	memcpy(out, m->body, sizeof(*out));
	if (!op_known(out->op) || out->count > IC_SESSIONS_MAX_USERS)
		return -VMBUS_E_MALFORMED;
	if (m->body_len < sizeof(*out) + (size_t)out->count * sizeof(struct ic_sessions_user))
		return -VMBUS_E_SHORT;
	for (uint16_t i = 0; i < out->count; i++) {
		struct ic_sessions_user u;

		memcpy(&u, m->body + sizeof(*out) + i * sizeof(u), sizeof(u));
		if (u.name_len > IC_SESSIONS_NAME_MAX || ic_has_nul(u.name, u.name_len))
			return -VMBUS_E_MALFORMED;
		if (i >= max)
			continue;
		users[i].session_id = u.session_id;
		users[i].flags = u.flags;
		memcpy(users[i].name, u.name, u.name_len);
		users[i].name[u.name_len] = '\0';
	}
	return 0;
}
