/*
 * Heartbeat, Shutdown and TimeSync bodies (vmbus_ic_util.h).  Parsers
 * take the body length from the checked icmsg header and never read past
 * it; every layout is copied out before its fields are used.
 */
#include "vmbus_ic_util.h"
#include "vmbus_err.h"

#include <lib/string.h>

static int expect_type(const struct ic_msg *m, uint16_t type, size_t min_body)
{
	if (m->hdr.type != type)
		return -VMBUS_E_UNKNOWN;
	if (m->body_len < min_body)
		return -VMBUS_E_SHORT;
	return 0;
}

int ic_heartbeat_build(void *buf, size_t cap, const struct ic_hdr_info *h, uint64_t seq)
{
	struct ic_heartbeat hb;

	memset(&hb, 0, sizeof(hb));
	hb.seq_num = seq;
	return ic_build(buf, cap, h, &hb, sizeof(hb));
}

/* Only seq_num is required: hosts need not send the reserved words (Linux checks 8 bytes). */
int ic_heartbeat_parse(const struct ic_msg *m, uint64_t *seq)
{
	int err = expect_type(m, IC_MSGTYPE_HEARTBEAT, sizeof(uint64_t));

	if (err)
		return err;
	memcpy(seq, m->body, sizeof(*seq));
	return 0;
}

int ic_heartbeat_answer(void *buf, size_t len)
{
	struct ic_msg m;
	uint64_t seq;
	int err = ic_parse(buf, len, &m);

	if (err == 0)
		err = ic_heartbeat_parse(&m, &seq);
	if (err)
		return err;
	seq++;
	memcpy((uint8_t *)buf + IC_HDR_SIZE, &seq, sizeof(seq));
	return ic_answer_inplace(buf, len, IC_S_OK);
}

int ic_shutdown_build(void *buf, size_t cap, const struct ic_hdr_info *h, uint32_t action,
		      bool force, uint32_t reason_code, uint32_t timeout_seconds, const char *message)
{
	struct ic_shutdown sd;

	if (action != IC_SHUTDOWN_SHUTDOWN && action != IC_SHUTDOWN_REBOOT &&
	    action != IC_SHUTDOWN_HIBERNATE)
		return -VMBUS_E_INVAL;
	memset(&sd, 0, sizeof(sd));
	sd.reason_code = reason_code;
	sd.timeout_seconds = timeout_seconds;
	sd.flags = action | (force ? IC_SHUTDOWN_FLAG_FORCE : 0);
	if (message)
		memcpy(sd.display_message, message,
		       strnlen(message, IC_SHUTDOWN_MESSAGE_MAX - 1));
	return ic_build(buf, cap, h, &sd, sizeof(sd));
}

int ic_shutdown_parse(const struct ic_msg *m, struct ic_shutdown_req *out)
{
	/* The three words are required; the message may be cut short. */
	const size_t fixed = offsetof(struct ic_shutdown, display_message);
	struct ic_shutdown sd;
	uint32_t avail, action;
	int err = expect_type(m, IC_MSGTYPE_SHUTDOWN, fixed);

	if (err)
		return err;
	memcpy(&sd, m->body, fixed);
	avail = m->body_len - (uint32_t)fixed;
	if (avail > IC_SHUTDOWN_MESSAGE_MAX)
		avail = IC_SHUTDOWN_MESSAGE_MAX;
	out->message = m->body + fixed;
	out->message_len = (uint32_t)strnlen((const char *)out->message, avail);
	out->reason_code = sd.reason_code;
	out->timeout_seconds = sd.timeout_seconds;
	out->force = sd.flags & IC_SHUTDOWN_FLAG_FORCE;
	action = sd.flags & ~IC_SHUTDOWN_FLAG_FORCE;
	out->action = action;
	if (action != IC_SHUTDOWN_SHUTDOWN && action != IC_SHUTDOWN_REBOOT &&
	    action != IC_SHUTDOWN_HIBERNATE)
		return -VMBUS_E_UNKNOWN;
	return 0;
}

int ic_timesync_build(void *buf, size_t cap, const struct ic_hdr_info *h,
		      const struct ic_timesync *t)
{
	if (h->msgver.major >= 4) {
		struct ic_timesync_v4 v4;

		memset(&v4, 0, sizeof(v4));
		v4.parent_time = t->parent_time;
		v4.vm_reference_time = t->ref_time;
		v4.flags = t->flags;
		v4.leap_flags = t->leap_flags;
		v4.stratum = t->stratum;
		return ic_build(buf, cap, h, &v4, sizeof(v4));
	}
	struct ic_timesync_v1 v1;

	memset(&v1, 0, sizeof(v1));
	v1.parent_time = t->parent_time;
	v1.child_time = t->ref_time;
	v1.round_trip_time = t->round_trip_time;
	v1.flags = t->flags;
	return ic_build(buf, cap, h, &v1, sizeof(v1));
}

int ic_timesync_parse(const struct ic_msg *m, uint16_t service_major, struct ic_timesync *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (service_major >= 4) {
		struct ic_timesync_v4 v4;

		err = expect_type(m, IC_MSGTYPE_TIMESYNC, sizeof(v4));
		if (err)
			return err;
		memcpy(&v4, m->body, sizeof(v4));
		out->parent_time = v4.parent_time;
		out->ref_time = v4.vm_reference_time;
		out->flags = v4.flags;
		out->leap_flags = v4.leap_flags;
		out->stratum = v4.stratum;
	} else {
		struct ic_timesync_v1 v1;

		err = expect_type(m, IC_MSGTYPE_TIMESYNC, sizeof(v1));
		if (err)
			return err;
		memcpy(&v1, m->body, sizeof(v1));
		out->parent_time = v1.parent_time;
		out->ref_time = v1.child_time;
		out->round_trip_time = v1.round_trip_time;
		out->flags = v1.flags;
	}
	return 0;   /* flags are bits (Linux tests SYNC, then SAMPLE); others are ignored */
}
