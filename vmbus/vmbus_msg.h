/*
 * Decoding and encoding of VMBus channel messages (vmbus_wire.h), and the
 * outbox the state machines fill with the messages to post.  Decoding is
 * direction-neutral: the server and client decide which types they take.
 */
#ifndef VMBUS_MSG_H
#define VMBUS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmbus_wire.h"

/* A decoded message: the fixed part copied out, the variable part by reference. */
struct vmbus_msg {
	uint32_t type;                  /* enum vmbus_msgtype */
	union {
		struct vmbus_msg_header header;
		struct vmbus_msg_offer offer;
		struct vmbus_msg_relid relid;           /* RESCIND, CLOSECHANNEL, RELID_RELEASED */
		struct vmbus_msg_open open;
		struct vmbus_msg_open_result open_result;
		struct vmbus_msg_gpadl_header gpadl_header;
		struct vmbus_msg_gpadl_body gpadl_body;
		struct vmbus_msg_gpadl_created gpadl_created;
		struct vmbus_msg_gpadl_teardown gpadl_teardown;
		struct vmbus_msg_gpadl_torndown gpadl_torndown;
		struct vmbus_msg_initiate_contact initiate;
		struct vmbus_msg_version_response version_response;
		struct vmbus_msg_modify modify;
		struct vmbus_msg_modify_response modify_response;
	} u;
	/* GPADL_HEADER: the range-buffer bytes it carries; GPADL_BODY: its words. */
	const uint8_t *tail;
	size_t tail_len;                /* a multiple of 8 */
};

/*
 * Decodes one channel message of len bytes (a SynIC payload).  Checks the
 * length against the type's layout before copying anything; bytes after
 * a fixed-size body are ignored (later protocol versions append fields).
 * Returns 0, -VMBUS_E_SHORT, -VMBUS_E_OVERSIZE (over 240 bytes),
 * -VMBUS_E_UNKNOWN (type) or -VMBUS_E_MALFORMED (GPADL lengths).
 */
int vmbus_msg_parse(const void *buf, size_t len, struct vmbus_msg *out);

/* Encodes m (header filled in from m->type).  Returns the length or a negated error. */
int vmbus_msg_encode(void *buf, size_t cap, const struct vmbus_msg *m);

/* Size of the fixed part of a message type, 0 for an unknown type. */
size_t vmbus_msg_fixed_size(uint32_t type);

/* "OFFERCHANNEL", ... or "?" */
const char *vmbus_msg_name(uint32_t type);

/* Word i of the tail (no bounds check beyond the caller's i < tail_len / 8). */
uint64_t vmbus_msg_word(const struct vmbus_msg *m, size_t i);

/*
 * Checks a SynIC message slot image of len bytes (16-byte header, then
 * payload_size bytes) and points *payload at the payload.  Returns 0,
 * -VMBUS_E_SHORT, -VMBUS_E_MALFORMED (payload_size over 240 or past len).
 */
int vmbus_hvmsg_parse(const void *slot, size_t len, struct vmbus_hvmsg_header *hdr,
		      const uint8_t **payload);

/* ---- Outbox: messages a state machine wants posted, in order ---- */

#define VMBUS_OUTBOX_MAX 40u

struct vmbus_outmsg {
	uint32_t conn_id;   /* client: connection id to post on; server: 0 (posts to the guest's SINT) */
	uint32_t len;
	uint8_t data[VMBUS_HVMSG_PAYLOAD_MAX];
};

struct vmbus_outbox {
	uint32_t count;
	struct vmbus_outmsg msg[VMBUS_OUTBOX_MAX];
};

void vmbus_outbox_reset(struct vmbus_outbox *ob);
/* Encodes m into the next slot.  Returns 0 or -VMBUS_E_NOSPACE / an encode error. */
int vmbus_outbox_push(struct vmbus_outbox *ob, uint32_t conn_id, const struct vmbus_msg *m);
/* Free slots left. */
uint32_t vmbus_outbox_room(const struct vmbus_outbox *ob);

/*
 * Fills the HvPostMessage input page for outbox entry om, posted on
 * conn_id (the client's om->conn_id, or the connection the root uses to
 * reach the guest's SINT).  Message type VMBUS_HVMSG_TYPE_CHANNEL.
 */
void vmbus_post_from_outbox(struct vmbus_post_message *pm, uint32_t conn_id,
			    const struct vmbus_outmsg *om);

#endif
