/*
 * Bodies of the Heartbeat, Shutdown and TimeSync services (Linux's
 * hv_util layouts): host-side builders, guest-side parsers and answers,
 * host-side parsers of the answers.
 */
#ifndef VMBUS_IC_UTIL_H
#define VMBUS_IC_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus_ic.h"

/* ---- Heartbeat: the guest adds 1 to seq_num and echoes it ---- */

struct ic_heartbeat {
	uint64_t seq_num;
	uint32_t reserved[8];
} __attribute__((packed));

_Static_assert(sizeof(struct ic_heartbeat) == 40, "heartbeat_msg_data");

int ic_heartbeat_build(void *buf, size_t cap, const struct ic_hdr_info *h, uint64_t seq);
int ic_heartbeat_parse(const struct ic_msg *m, uint64_t *seq);
/*
 * Guest: increments seq_num in place and marks the message as the answer.
 * Returns the answer's length (28 + icmsgsize, which drops any ring padding).
 */
int ic_heartbeat_answer(void *buf, size_t len);

/* ---- Shutdown: the guest answers before it acts ---- */

#define IC_SHUTDOWN_FLAG_FORCE 0x1u
#define IC_SHUTDOWN_SHUTDOWN 0x0u
#define IC_SHUTDOWN_REBOOT 0x2u
#define IC_SHUTDOWN_HIBERNATE 0x4u
#define IC_SHUTDOWN_MESSAGE_MAX 2048u

struct ic_shutdown {
	uint32_t reason_code;
	uint32_t timeout_seconds;
	uint32_t flags;
	uint8_t display_message[IC_SHUTDOWN_MESSAGE_MAX];
} __attribute__((packed));

_Static_assert(sizeof(struct ic_shutdown) == 2060, "shutdown_msg_data");

struct ic_shutdown_req {
	uint32_t action;           /* IC_SHUTDOWN_SHUTDOWN / _REBOOT / _HIBERNATE */
	bool force;
	uint32_t reason_code;
	uint32_t timeout_seconds;
	const uint8_t *message;    /* bytes as sent (up to the first NUL), not terminated */
	uint32_t message_len;
};

/* Host: message is a NUL-terminated byte string (may be NULL), truncated to 2047 bytes. */
int ic_shutdown_build(void *buf, size_t cap, const struct ic_hdr_info *h, uint32_t action,
		      bool force, uint32_t reason_code, uint32_t timeout_seconds, const char *message);
/* Guest: -VMBUS_E_UNKNOWN for an action it cannot name (answer IC_E_FAIL). */
int ic_shutdown_parse(const struct ic_msg *m, struct ic_shutdown_req *out);

/* ---- TimeSync: times in 100 ns units since 1601-01-01 ---- */

#define IC_TIMESYNC_PROBE 0x0u
#define IC_TIMESYNC_SYNC 0x1u     /* step the clock */
#define IC_TIMESYNC_SAMPLE 0x2u   /* adjust gradually */
#define IC_TIME_UNIX_EPOCH 116444736000000000ull
#define IC_TIMESYNC_STALE 6000000000ull   /* 600 s: older samples are ignored */

/* Service version 4: a reference-time pair. */
struct ic_timesync_v4 {
	uint64_t parent_time;
	uint64_t vm_reference_time;
	uint8_t flags;
	uint8_t leap_flags;
	uint8_t stratum;
	uint8_t reserved[3];
} __attribute__((packed));

/* Service versions 1 and 3. */
struct ic_timesync_v1 {
	uint64_t parent_time;
	uint64_t child_time;
	uint64_t round_trip_time;
	uint8_t flags;
} __attribute__((packed));

_Static_assert(sizeof(struct ic_timesync_v4) == 22, "ictimesync_ref_data");
_Static_assert(sizeof(struct ic_timesync_v1) == 25, "ictimesync_data");

struct ic_timesync {
	uint64_t parent_time;
	uint64_t ref_time;         /* v4: vm_reference_time; older: child_time */
	uint64_t round_trip_time;  /* older versions only */
	uint8_t flags;
	uint8_t leap_flags;        /* v4 */
	uint8_t stratum;           /* v4 */
};

/* Layout chosen by the negotiated service major version (>= 4: v4). */
int ic_timesync_build(void *buf, size_t cap, const struct ic_hdr_info *h,
		      const struct ic_timesync *t);
int ic_timesync_parse(const struct ic_msg *m, uint16_t service_major, struct ic_timesync *out);

#endif
