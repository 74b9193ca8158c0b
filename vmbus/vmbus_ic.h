/*
 * Integration-component (IC) framing, shared by Hyper-V's services
 * (Shutdown, Heartbeat, TimeSync, KVP) and ours (Sessions, Exec): each
 * in-band packet holds a vmbuspipe header, an icmsg header and a body;
 * the answer reuses the request's packet id.  Also NEGOTIATE, which picks
 * the framework and service versions before anything else is exchanged.
 */
#ifndef VMBUS_IC_H
#define VMBUS_IC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IC_MSGTYPE_NEGOTIATE 0u
#define IC_MSGTYPE_HEARTBEAT 1u
#define IC_MSGTYPE_KVPEXCHANGE 2u
#define IC_MSGTYPE_SHUTDOWN 3u
#define IC_MSGTYPE_TIMESYNC 4u
#define IC_MSGTYPE_SESSIONS 0x8001u  /* ours (docs/bus.md) */
#define IC_MSGTYPE_EXEC 0x8002u      /* ours */

#define IC_FLAG_TRANSACTION 0x1u
#define IC_FLAG_REQUEST 0x2u
#define IC_FLAG_RESPONSE 0x4u

/* Status values (HRESULTs) carried in icmsg_hdr.status. */
#define IC_S_OK 0x00000000u
#define IC_E_FAIL 0x80004005u
#define IC_S_CONT 0x80070103u               /* KVP enumeration: no such index */
#define IC_E_NOT_SUPPORTED 0x80070032u
#define IC_E_MACHINE_LOCKED 0x800704f7u
#define IC_E_INVALIDARG 0x80070057u
#define IC_E_ACCESS_DENIED 0x80070005u
#define IC_E_SHUTDOWN_IN_PROGRESS 0x8007045bu
#define IC_E_NO_SUCH_LOGON_SESSION 0x80070520u

#define IC_PIPE_FLAG_DATA 0x1u      /* vmbuspipe_hdr.flags of a data message */
#define IC_MAX_VERSIONS 100u        /* per list in a NEGOTIATE */
#define IC_MSG_MAX 8192u            /* largest IC message built or accepted */

struct ic_version {
	uint16_t major;
	uint16_t minor;
} __attribute__((packed));

struct ic_pipe_hdr {
	uint32_t flags;     /* IC_PIPE_FLAG_DATA; not checked on receipt (Linux ignores it) */
	uint32_t msgsize;   /* bytes after this header */
} __attribute__((packed));

struct ic_hdr {
	struct ic_version fw;       /* icverframe */
	uint16_t type;              /* IC_MSGTYPE_* */
	struct ic_version msgver;   /* icvermsg: the service version in use */
	uint16_t size;              /* icmsgsize: body bytes */
	uint32_t status;
	uint8_t trans_id;
	uint8_t flags;              /* IC_FLAG_* */
	uint8_t reserved[2];
} __attribute__((packed));

/* NEGOTIATE body: counts, then fw_count framework and srv_count service versions. */
struct ic_negotiate {
	uint16_t fw_count;
	uint16_t srv_count;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct ic_version) == 4, "ic_version");
_Static_assert(sizeof(struct ic_pipe_hdr) == 8, "vmbuspipe_hdr");
_Static_assert(sizeof(struct ic_hdr) == 20, "icmsg_hdr");
_Static_assert(sizeof(struct ic_negotiate) == 8, "icmsg_negotiate");

#define IC_HDR_SIZE 28u   /* pipe header + icmsg header: the body starts here */

/* A decoded IC message; body points into the caller's buffer. */
struct ic_msg {
	struct ic_hdr hdr;
	const uint8_t *body;
	uint32_t body_len;          /* hdr.size, checked against the packet */
};

/* Header fields for a message we build. */
struct ic_hdr_info {
	uint16_t type;
	struct ic_version fw;
	struct ic_version msgver;
	uint8_t trans_id;
	uint8_t flags;
	uint32_t status;
};

/* Version lists, highest first (Linux 6.1's hv_utils and hv_kvp). */
extern const struct ic_version ic_fw_versions[2];        /* 3.0 1.0 */
extern const struct ic_version ic_shutdown_versions[4];  /* 3.2 3.1 3.0 1.0 */
extern const struct ic_version ic_timesync_versions[3];  /* 4.0 3.0 1.0 */
extern const struct ic_version ic_heartbeat_versions[2]; /* 3.0 1.0 */
extern const struct ic_version ic_kvp_versions[3];       /* 4.0 3.0 1.0 */
extern const struct ic_version ic_own_versions[1];       /* 1.0: Sessions, Exec */

/*
 * Decodes the headers of an IC message of len bytes.  Returns 0,
 * -VMBUS_E_SHORT, -VMBUS_E_OVERSIZE (over IC_MSG_MAX) or
 * -VMBUS_E_MALFORMED (icmsgsize past the end of the packet).
 */
int ic_parse(const void *buf, size_t len, struct ic_msg *m);

/* Builds headers + body.  Returns the total length or -VMBUS_E_NOSPACE / -VMBUS_E_TOOBIG. */
int ic_build(void *buf, size_t cap, const struct ic_hdr_info *h, const void *body,
	     uint32_t body_len);

/*
 * Builds the answer to req: same type, versions and transaction id, flags
 * TRANSACTION|RESPONSE, the given status and body.  buf may be the
 * request's own buffer and body may lie inside it (copies are safe).
 */
int ic_build_response(void *buf, size_t cap, const struct ic_msg *req, uint32_t status,
		      const void *body, uint32_t body_len);

/*
 * Turns a received request of len bytes into its answer in place (body
 * unchanged).  Returns the answer's length, 28 + icmsgsize.
 */
int ic_answer_inplace(void *buf, size_t len, uint32_t status);

/* ---- NEGOTIATE ---- */

/* Host: the request offering both lists (each 1..IC_MAX_VERSIONS entries). */
int ic_negotiate_build(void *buf, size_t cap, uint8_t trans_id,
		       const struct ic_version *fw, uint32_t nfw,
		       const struct ic_version *srv, uint32_t nsrv);

/*
 * Guest: answers the NEGOTIATE of len bytes in buf (cap bytes available)
 * in place with the highest common framework and highest common service
 * version, or with empty lists when either has no match (*matched false).
 * Returns the answer's length or a negated error (then send nothing).
 */
int ic_negotiate_answer(void *buf, size_t len, size_t cap,
			const struct ic_version *fw, uint32_t nfw,
			const struct ic_version *srv, uint32_t nsrv,
			struct ic_version *fw_out, struct ic_version *srv_out, bool *matched);

/*
 * Host: reads the guest's answer and checks the chosen pair is among what
 * it offered.  Returns 0, -VMBUS_E_VERSION (guest found no match) or a
 * decoding error.
 */
int ic_negotiate_result(const struct ic_msg *m, const struct ic_version *fw, uint32_t nfw,
			const struct ic_version *srv, uint32_t nsrv,
			struct ic_version *fw_out, struct ic_version *srv_out);

/* True if any of the n bytes at p is NUL (names and commands must not hide one). */
bool ic_has_nul(const uint8_t *p, size_t n);

/* Version order: negative, 0, positive like memcmp. */
int ic_version_cmp(struct ic_version a, struct ic_version b);

#endif
