/*
 * Sessions: our own IC service (GUID vmbus_guid_sessions, version 1.0,
 * IC framing) for what the management API asks about logged-on users:
 * log off, list users, is the screen locked.  Bodies defined here and in
 * docs/bus.md.
 */
#ifndef VMBUS_SESSIONS_H
#define VMBUS_SESSIONS_H

#include <stdint.h>

#include "vmbus_ic.h"

#define IC_SESSIONS_OP_LOGOFF 1u
#define IC_SESSIONS_OP_LIST 2u
#define IC_SESSIONS_OP_LOCKED 3u

#define IC_SESSIONS_LOGOFF_FORCE 0x1u     /* request flags */
#define IC_SESSIONS_ALL 0xffffffffu       /* session_id: every session */

#define IC_SESSIONS_USER_ACTIVE 0x1u      /* user flags */
#define IC_SESSIONS_USER_LOCKED 0x2u
#define IC_SESSIONS_USER_REMOTE 0x4u

#define IC_SESSIONS_MAX_USERS 32u
#define IC_SESSIONS_NAME_MAX 64u

/* Request body (host -> guest). */
struct ic_sessions_request {
	uint16_t op;
	uint16_t flags;
	uint32_t session_id;    /* LOGOFF: which one, or IC_SESSIONS_ALL */
} __attribute__((packed));

/*
 * Answer body (guest -> host): this header, then count user records.
 * value: LOGOFF sessions logged off, LIST sessions in total (count may be
 * smaller), LOCKED 1 if the screen is locked.  Failures go in the icmsg
 * status (IC_E_NO_SUCH_LOGON_SESSION when there is nobody to log off).
 */
struct ic_sessions_answer {
	uint16_t op;
	uint16_t count;
	uint32_t value;
} __attribute__((packed));

struct ic_sessions_user {
	uint32_t session_id;
	uint16_t flags;         /* IC_SESSIONS_USER_* */
	uint16_t name_len;      /* bytes of name used, at most 64 */
	uint8_t name[IC_SESSIONS_NAME_MAX];   /* UTF-8, not terminated */
} __attribute__((packed));

_Static_assert(sizeof(struct ic_sessions_request) == 8, "sessions request");
_Static_assert(sizeof(struct ic_sessions_answer) == 8, "sessions answer");
_Static_assert(sizeof(struct ic_sessions_user) == 72, "sessions user");

/* A user as the caller sees it: name NUL-terminated. */
struct ic_sessions_user_info {
	uint32_t session_id;
	uint16_t flags;
	char name[IC_SESSIONS_NAME_MAX + 1];
};

int ic_sessions_build_request(void *buf, size_t cap, const struct ic_hdr_info *h,
			      uint16_t op, uint16_t flags, uint32_t session_id);
int ic_sessions_parse_request(const struct ic_msg *m, struct ic_sessions_request *out);

/* Guest: the answer to req in buf (may be req's buffer); names longer than 64 bytes are refused. */
int ic_sessions_build_answer(void *buf, size_t cap, const struct ic_msg *req, uint32_t status,
			     uint32_t value, const struct ic_sessions_user_info *users, uint16_t count);

/* Host: decodes an answer; copies up to max users (names terminated). */
int ic_sessions_parse_answer(const struct ic_msg *m, struct ic_sessions_answer *out,
			     struct ic_sessions_user_info *users, uint16_t max);

#endif
