/*
 * Exec service bodies (vmbus_exec.h): bounded builders and parsers for
 * both sides.
 */
#include "vmbus_exec.h"
#include "vmbus_err.h"

#include <lib/string.h>

int ic_exec_build_request(void *buf, size_t cap, const struct ic_hdr_info *h,
			  const char *command, uint32_t timeout_ms, uint32_t max_output)
{
	uint8_t body[sizeof(struct ic_exec_request) + IC_EXEC_MAX_COMMAND];
	struct ic_exec_request r;
	size_t n = command ? strnlen(command, IC_EXEC_MAX_COMMAND + 1) : 0;

	if (n == 0 || n > IC_EXEC_MAX_COMMAND || max_output > IC_EXEC_MAX_OUTPUT ||
	    h->type != IC_MSGTYPE_EXEC)
		return -VMBUS_E_INVAL;
	memset(&r, 0, sizeof(r));
	r.timeout_ms = timeout_ms;
	r.max_output = max_output;
	r.command_len = (uint16_t)n;
	memcpy(body, &r, sizeof(r));
	memcpy(body + sizeof(r), command, n);
	return ic_build(buf, cap, h, body, (uint32_t)(sizeof(r) + n));
}

int ic_exec_parse_request(const struct ic_msg *m, struct ic_exec_req *out)
{
	struct ic_exec_request r;

	if (m->hdr.type != IC_MSGTYPE_EXEC)
		return -VMBUS_E_UNKNOWN;
	if (m->body_len < sizeof(r))
		return -VMBUS_E_SHORT;
	memcpy(&r, m->body, sizeof(r));
	if (r.command_len == 0 || r.command_len > IC_EXEC_MAX_COMMAND ||
	    r.max_output > IC_EXEC_MAX_OUTPUT || r.flags != 0)
		return -VMBUS_E_MALFORMED;
	if (m->body_len < sizeof(r) + r.command_len)
		return -VMBUS_E_SHORT;
	if (m->body_len > sizeof(r) + r.command_len)
		return -VMBUS_E_OVERSIZE;
	if (ic_has_nul(m->body + sizeof(r), r.command_len))
		return -VMBUS_E_MALFORMED;
	out->timeout_ms = r.timeout_ms;
	out->max_output = r.max_output;
	out->command = (const char *)m->body + sizeof(r);
	out->command_len = r.command_len;
	return 0;
}

int ic_exec_build_answer(void *buf, size_t cap, const struct ic_msg *req, uint32_t status,
			 int32_t exit_status, uint32_t flags, const void *output, uint32_t output_len)
{
	uint8_t body[sizeof(struct ic_exec_answer) + IC_EXEC_MAX_OUTPUT];
	struct ic_exec_answer a;
	struct ic_exec_req r;
	int err = ic_exec_parse_request(req, &r);

	if (err)
		return err;
	if (output_len && !output)
		return -VMBUS_E_INVAL;
	if (output_len > r.max_output) {
		output_len = r.max_output;
		flags |= IC_EXEC_TRUNCATED;
	}
	memset(&a, 0, sizeof(a));
	a.exit_status = exit_status;
	a.flags = flags;
	a.output_len = output_len;
	memcpy(body, &a, sizeof(a));
	if (output_len)
		memcpy(body + sizeof(a), output, output_len);
	return ic_build_response(buf, cap, req, status, body, (uint32_t)(sizeof(a) + output_len));
}

int ic_exec_parse_answer(const struct ic_msg *m, struct ic_exec_result *out)
{
	struct ic_exec_answer a;

	if (m->hdr.type != IC_MSGTYPE_EXEC)
		return -VMBUS_E_UNKNOWN;
	if (!(m->hdr.flags & IC_FLAG_RESPONSE))
		return -VMBUS_E_MALFORMED;
	if (m->body_len < sizeof(a))
		return -VMBUS_E_SHORT;
	memcpy(&a, m->body, sizeof(a));
	if (a.output_len > IC_EXEC_MAX_OUTPUT)
		return -VMBUS_E_MALFORMED;
	if (m->body_len < sizeof(a) + a.output_len)
		return -VMBUS_E_SHORT;
	out->exit_status = a.exit_status;
	out->flags = a.flags;
	out->output = m->body + sizeof(a);
	out->output_len = a.output_len;
	return 0;
}
