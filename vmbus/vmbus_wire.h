/*
 * Wire formats of the bus control path: the 256-byte SynIC message as hv
 * delivers it, the VMBus channel messages carried in its payload (the
 * layouts of Linux's include/linux/hyperv.h), protocol versions and the
 * fixed connection ids.  Packed and little-endian; every size and the
 * offsets a peer depends on are asserted below.  docs/bus.md has the prose.
 */
#ifndef VMBUS_WIRE_H
#define VMBUS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "vmbus_guid.h"

#define VMBUS_PACKED __attribute__((packed))
#define VMBUS_PAGE_SIZE 4096u
#define VMBUS_PAGE_SHIFT 12u

/* ---- SynIC message (TLFS): one 256-byte slot per SINT in the SIMP page ---- */

#define VMBUS_HVMSG_SIZE 256u
#define VMBUS_HVMSG_PAYLOAD_MAX 240u
#define VMBUS_HVMSG_TYPE_NONE 0u        /* slot is free */
#define VMBUS_HVMSG_TYPE_CHANNEL 1u     /* HvPostMessage type the bus uses */
#define VMBUS_HVMSG_TYPE_HV_FIRST 0x80000000u /* bit 31: hv's own messages (timers, faults) */
#define VMBUS_HVMSG_FLAG_PENDING 0x01u  /* more queued: write EOM after freeing the slot */

struct vmbus_hvmsg_header {
	uint32_t message_type;
	uint8_t payload_size;   /* bytes of payload[] in use, at most 240 */
	uint8_t flags;          /* VMBUS_HVMSG_FLAG_* */
	uint8_t reserved[2];
	uint64_t sender;        /* sending partition (or port id) */
} VMBUS_PACKED;

struct vmbus_hvmsg {
	struct vmbus_hvmsg_header header;
	uint8_t payload[VMBUS_HVMSG_PAYLOAD_MAX];
} VMBUS_PACKED;

/* HvPostMessage input page: what a partition asks hv to deliver. */
struct vmbus_post_message {
	uint32_t connection_id;
	uint32_t reserved;
	uint32_t message_type;
	uint32_t payload_size;
	uint8_t payload[VMBUS_HVMSG_PAYLOAD_MAX];
} VMBUS_PACKED;

_Static_assert(sizeof(struct vmbus_hvmsg_header) == 16, "hv message header");
_Static_assert(sizeof(struct vmbus_hvmsg) == VMBUS_HVMSG_SIZE, "hv message");
_Static_assert(offsetof(struct vmbus_hvmsg, payload) == 16, "hv message payload");
_Static_assert(sizeof(struct vmbus_post_message) == 256, "post message input");

/* ---- Fixed ids (Linux's hyperv_vmbus.h) ---- */

#define VMBUS_MESSAGE_CONNECTION_ID 1u   /* guest -> server messages, versions < 5.0 */
#define VMBUS_EVENT_CONNECTION_ID 2u     /* pre-WIN8 shared event; unused here */
#define VMBUS_MONITOR_CONNECTION_ID 3u
#define VMBUS_MESSAGE_CONNECTION_ID_4 4u /* INITIATE_CONTACT for versions >= 5.0 */
#define VMBUS_MESSAGE_SINT 2u            /* SINT of server -> guest messages and channel events */

/* ---- Protocol versions: major << 16 | minor ---- */

#define VMBUS_MAKE_VERSION(maj, min) ((uint32_t)(maj) << 16 | (uint32_t)(min))
#define VMBUS_VERSION_MAJOR(v) ((v) >> 16)
#define VMBUS_VERSION_MINOR(v) ((v) & 0xffffu)
#define VMBUS_VERSION_WS2008 VMBUS_MAKE_VERSION(0, 13)
#define VMBUS_VERSION_WIN7 VMBUS_MAKE_VERSION(1, 1)
#define VMBUS_VERSION_WIN8 VMBUS_MAKE_VERSION(2, 4)
#define VMBUS_VERSION_WIN8_1 VMBUS_MAKE_VERSION(3, 0)
#define VMBUS_VERSION_WIN10 VMBUS_MAKE_VERSION(4, 0)
#define VMBUS_VERSION_WIN10_V4_1 VMBUS_MAKE_VERSION(4, 1)
#define VMBUS_VERSION_WIN10_V5 VMBUS_MAKE_VERSION(5, 0)
#define VMBUS_VERSION_WIN10_V5_1 VMBUS_MAKE_VERSION(5, 1)
#define VMBUS_VERSION_WIN10_V5_2 VMBUS_MAKE_VERSION(5, 2)
#define VMBUS_VERSION_WIN10_V5_3 VMBUS_MAKE_VERSION(5, 3)

/* ---- Channel messages: header, then a type-specific body ---- */

enum vmbus_msgtype {
	VMBUS_MSG_INVALID = 0,
	VMBUS_MSG_OFFERCHANNEL = 1,
	VMBUS_MSG_RESCIND_CHANNELOFFER = 2,
	VMBUS_MSG_REQUESTOFFERS = 3,
	VMBUS_MSG_ALLOFFERS_DELIVERED = 4,
	VMBUS_MSG_OPENCHANNEL = 5,
	VMBUS_MSG_OPENCHANNEL_RESULT = 6,
	VMBUS_MSG_CLOSECHANNEL = 7,
	VMBUS_MSG_GPADL_HEADER = 8,
	VMBUS_MSG_GPADL_BODY = 9,
	VMBUS_MSG_GPADL_CREATED = 10,
	VMBUS_MSG_GPADL_TEARDOWN = 11,
	VMBUS_MSG_GPADL_TORNDOWN = 12,
	VMBUS_MSG_RELID_RELEASED = 13,
	VMBUS_MSG_INITIATE_CONTACT = 14,
	VMBUS_MSG_VERSION_RESPONSE = 15,
	VMBUS_MSG_UNLOAD = 16,
	VMBUS_MSG_UNLOAD_RESPONSE = 17,
	/* 18-21, 23: not implemented (TL connect is for hv sockets). */
	VMBUS_MSG_MODIFYCHANNEL = 22,
	VMBUS_MSG_MODIFYCHANNEL_RESPONSE = 24,
	VMBUS_MSG_TYPE_COUNT
};

struct vmbus_msg_header {
	uint32_t msgtype;   /* enum vmbus_msgtype */
	uint32_t padding;   /* zero when sent, ignored when received */
} VMBUS_PACKED;

#define VMBUS_USER_DEFINED_BYTES 120u

/* Offer flags (chn_flags). */
#define VMBUS_CHANNEL_ENUMERATE_DEVICE_INTERFACE 0x0001u
#define VMBUS_CHANNEL_NAMED_PIPE_MODE 0x0010u
#define VMBUS_CHANNEL_REQUEST_MONITORED_NOTIFICATION 0x0400u
/* monitor_flags bit 0: monitor_allocated; interrupt_flags bit 0: dedicated interrupt. */
#define VMBUS_OFFER_MONITOR_ALLOCATED 0x01u
#define VMBUS_OFFER_DEDICATED_INTERRUPT 0x0001u

/* OFFERCHANNEL (server -> guest): one device the guest may open. */
struct vmbus_msg_offer {
	struct vmbus_msg_header header;
	struct vmbus_guid if_type;      /* class of device (service GUID) */
	struct vmbus_guid if_instance;  /* this instance */
	uint64_t reserved1;
	uint64_t reserved2;
	uint16_t chn_flags;
	uint16_t mmio_megabytes;
	/* Pipe-mode offers keep a u32 pipe mode in the first 4 bytes. */
	uint8_t user_def[VMBUS_USER_DEFINED_BYTES];
	uint16_t sub_channel_index;
	uint16_t reserved3;
	uint32_t child_relid;           /* the channel's id in every later message */
	uint8_t monitor_id;
	uint8_t monitor_flags;
	uint16_t interrupt_flags;
	uint32_t connection_id;         /* HvSignalEvent id the guest signals the server with */
} VMBUS_PACKED;

/* RESCIND_CHANNELOFFER (server -> guest), CLOSECHANNEL and RELID_RELEASED (guest -> server). */
struct vmbus_msg_relid {
	struct vmbus_msg_header header;
	uint32_t child_relid;
} VMBUS_PACKED;

/* OPENCHANNEL (guest -> server). */
struct vmbus_msg_open {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t open_id;               /* echoed in the result */
	uint32_t ring_gpadl;            /* GPADL holding both rings */
	uint32_t target_vp;             /* vCPU that takes this channel's events */
	uint32_t downstream_page_offset;/* pages of the guest->server ring; server->guest ring follows */
	uint8_t userdata[VMBUS_USER_DEFINED_BYTES];
} VMBUS_PACKED;

/* OPENCHANNEL_RESULT (server -> guest); status 0 = opened. */
struct vmbus_msg_open_result {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t open_id;
	uint32_t status;
} VMBUS_PACKED;

/*
 * GPADL_HEADER (guest -> server): describes guest pages by ranges.  The
 * range buffer is range_buflen bytes of {u32 byte_count, u32 byte_offset,
 * u64 pfn[pages spanned]} records; what does not fit in this message
 * follows in GPADL_BODY messages as further 8-byte words.
 */
struct vmbus_msg_gpadl_header {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t gpadl;                 /* handle chosen by the guest */
	uint16_t range_buflen;
	uint16_t range_count;
	/* uint8_t range_buffer[]: the first bytes of the range buffer */
} VMBUS_PACKED;

struct vmbus_gpa_range {
	uint32_t byte_count;
	uint32_t byte_offset;
	/* uint64_t pfn[] */
} VMBUS_PACKED;

/* GPADL_BODY (guest -> server): more words of the range buffer. */
struct vmbus_msg_gpadl_body {
	struct vmbus_msg_header header;
	uint32_t msg_number;            /* not relied on: Linux leaves it 0 */
	uint32_t gpadl;
	/* uint64_t words[] */
} VMBUS_PACKED;

/* GPADL_CREATED (server -> guest); creation_status 0 = created. */
struct vmbus_msg_gpadl_created {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t gpadl;
	uint32_t creation_status;
} VMBUS_PACKED;

/* GPADL_TEARDOWN (guest -> server). */
struct vmbus_msg_gpadl_teardown {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t gpadl;
} VMBUS_PACKED;

/* GPADL_TORNDOWN (server -> guest). */
struct vmbus_msg_gpadl_torndown {
	struct vmbus_msg_header header;
	uint32_t gpadl;
} VMBUS_PACKED;

/*
 * INITIATE_CONTACT (guest -> server).  For versions >= 5.0 the 8 bytes at
 * offset 16 are {u8 msg_sint, u8 msg_vtl, u8 reserved[6]}: the SINT the
 * server posts to.  Older versions put the GPA of the guest's interrupt
 * page there and the server posts to SINT 2.
 */
struct vmbus_msg_initiate_contact {
	struct vmbus_msg_header header;
	uint32_t version_requested;
	uint32_t target_vcpu;           /* vCPU the server's messages go to */
	uint64_t interrupt_page_or_sint;
	uint64_t monitor_page1;         /* GPA of the guest-signals-server monitor page */
	uint64_t monitor_page2;         /* GPA of the server-signals-guest monitor page */
} VMBUS_PACKED;

/* VERSION_RESPONSE (server -> guest). */
struct vmbus_msg_version_response {
	struct vmbus_msg_header header;
	uint8_t version_supported;      /* 1 accepted, 0 refused: try a lower version */
	uint8_t connection_state;
	uint16_t padding;
	uint32_t msg_conn_id;           /* >= 5.0: connection id for the guest's later messages */
} VMBUS_PACKED;

/* MODIFYCHANNEL (guest -> server, >= 4.1) and its response (>= 5.3). */
struct vmbus_msg_modify {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t target_vp;
} VMBUS_PACKED;

struct vmbus_msg_modify_response {
	struct vmbus_msg_header header;
	uint32_t child_relid;
	uint32_t status;
} VMBUS_PACKED;

/* REQUESTOFFERS, ALLOFFERS_DELIVERED, UNLOAD, UNLOAD_RESPONSE: header only. */

_Static_assert(sizeof(struct vmbus_msg_header) == 8, "channel message header");
_Static_assert(sizeof(struct vmbus_msg_offer) == 196, "OFFERCHANNEL");
_Static_assert(offsetof(struct vmbus_msg_offer, user_def) == 60, "offer user_def");
_Static_assert(offsetof(struct vmbus_msg_offer, child_relid) == 184, "offer child_relid");
_Static_assert(offsetof(struct vmbus_msg_offer, connection_id) == 192, "offer connection_id");
_Static_assert(sizeof(struct vmbus_msg_relid) == 12, "relid message");
_Static_assert(sizeof(struct vmbus_msg_open) == 148, "OPENCHANNEL");
_Static_assert(offsetof(struct vmbus_msg_open, downstream_page_offset) == 24, "open offset");
_Static_assert(sizeof(struct vmbus_msg_open_result) == 20, "OPENCHANNEL_RESULT");
_Static_assert(sizeof(struct vmbus_msg_gpadl_header) == 20, "GPADL_HEADER");
_Static_assert(sizeof(struct vmbus_gpa_range) == 8, "gpa range");
_Static_assert(sizeof(struct vmbus_msg_gpadl_body) == 16, "GPADL_BODY");
_Static_assert(sizeof(struct vmbus_msg_gpadl_created) == 20, "GPADL_CREATED");
_Static_assert(sizeof(struct vmbus_msg_gpadl_teardown) == 16, "GPADL_TEARDOWN");
_Static_assert(sizeof(struct vmbus_msg_gpadl_torndown) == 12, "GPADL_TORNDOWN");
_Static_assert(sizeof(struct vmbus_msg_initiate_contact) == 40, "INITIATE_CONTACT");
_Static_assert(offsetof(struct vmbus_msg_initiate_contact, interrupt_page_or_sint) == 16,
	       "initiate contact sint");
_Static_assert(sizeof(struct vmbus_msg_version_response) == 16, "VERSION_RESPONSE");
_Static_assert(sizeof(struct vmbus_msg_modify) == 16, "MODIFYCHANNEL");
_Static_assert(sizeof(struct vmbus_msg_modify_response) == 16, "MODIFYCHANNEL_RESPONSE");

/* NTSTATUS-style failure the server reports in open/GPADL results. */
#define VMBUS_STATUS_SUCCESS 0u
#define VMBUS_STATUS_UNSUCCESSFUL 0xc0000001u

/* Pages per GPADL message: 26 PFNs fit after a header and one range, 28 in a body. */
#define VMBUS_GPADL_HEADER_PFNS \
	((VMBUS_HVMSG_PAYLOAD_MAX - sizeof(struct vmbus_msg_gpadl_header) - \
	  sizeof(struct vmbus_gpa_range)) / 8u)
#define VMBUS_GPADL_BODY_WORDS \
	((VMBUS_HVMSG_PAYLOAD_MAX - sizeof(struct vmbus_msg_gpadl_body)) / 8u)
_Static_assert(VMBUS_GPADL_HEADER_PFNS == 26, "PFNs in a GPADL header");
_Static_assert(VMBUS_GPADL_BODY_WORDS == 28, "words in a GPADL body");

#endif
