/*
 * Channel message decoding/encoding with the length rules of docs/bus.md:
 * a message must hold its type's fixed part and at most 240 bytes; GPADL
 * messages carry whole 8-byte words after it.
 */
#include "vmbus_msg.h"
#include "vmbus_err.h"
#include "vmbus_le.h"

#include <lib/string.h>

struct msg_info {
	const char *name;
	uint16_t fixed;     /* bytes of the fixed part, header included */
	bool has_tail;      /* GPADL_HEADER / GPADL_BODY */
};

#define FIXED(type, name, layout) [type] = { name, sizeof(struct layout), false }
#define TAILED(type, name, layout) [type] = { name, sizeof(struct layout), true }

static const struct msg_info msg_table[VMBUS_MSG_TYPE_COUNT] = {
	FIXED(VMBUS_MSG_OFFERCHANNEL, "OFFERCHANNEL", vmbus_msg_offer),
	FIXED(VMBUS_MSG_RESCIND_CHANNELOFFER, "RESCIND_CHANNELOFFER", vmbus_msg_relid),
	FIXED(VMBUS_MSG_REQUESTOFFERS, "REQUESTOFFERS", vmbus_msg_header),
	FIXED(VMBUS_MSG_ALLOFFERS_DELIVERED, "ALLOFFERS_DELIVERED", vmbus_msg_header),
	FIXED(VMBUS_MSG_OPENCHANNEL, "OPENCHANNEL", vmbus_msg_open),
	FIXED(VMBUS_MSG_OPENCHANNEL_RESULT, "OPENCHANNEL_RESULT", vmbus_msg_open_result),
	FIXED(VMBUS_MSG_CLOSECHANNEL, "CLOSECHANNEL", vmbus_msg_relid),
	TAILED(VMBUS_MSG_GPADL_HEADER, "GPADL_HEADER", vmbus_msg_gpadl_header),
	TAILED(VMBUS_MSG_GPADL_BODY, "GPADL_BODY", vmbus_msg_gpadl_body),
	FIXED(VMBUS_MSG_GPADL_CREATED, "GPADL_CREATED", vmbus_msg_gpadl_created),
	FIXED(VMBUS_MSG_GPADL_TEARDOWN, "GPADL_TEARDOWN", vmbus_msg_gpadl_teardown),
	FIXED(VMBUS_MSG_GPADL_TORNDOWN, "GPADL_TORNDOWN", vmbus_msg_gpadl_torndown),
	FIXED(VMBUS_MSG_RELID_RELEASED, "RELID_RELEASED", vmbus_msg_relid),
	FIXED(VMBUS_MSG_INITIATE_CONTACT, "INITIATE_CONTACT", vmbus_msg_initiate_contact),
	FIXED(VMBUS_MSG_VERSION_RESPONSE, "VERSION_RESPONSE", vmbus_msg_version_response),
	FIXED(VMBUS_MSG_UNLOAD, "UNLOAD", vmbus_msg_header),
	FIXED(VMBUS_MSG_UNLOAD_RESPONSE, "UNLOAD_RESPONSE", vmbus_msg_header),
	FIXED(VMBUS_MSG_MODIFYCHANNEL, "MODIFYCHANNEL", vmbus_msg_modify),
	FIXED(VMBUS_MSG_MODIFYCHANNEL_RESPONSE, "MODIFYCHANNEL_RESPONSE", vmbus_msg_modify_response),
};

static const struct msg_info *info_of(uint32_t type)
{
	if (type >= VMBUS_MSG_TYPE_COUNT || msg_table[type].name == NULL)
		return NULL;
	return &msg_table[type];
}

size_t vmbus_msg_fixed_size(uint32_t type)
{
	const struct msg_info *mi = info_of(type);

	return mi ? mi->fixed : 0;
}

const char *vmbus_msg_name(uint32_t type)
{
	const struct msg_info *mi = info_of(type);

	return mi ? mi->name : "?";
}

uint64_t vmbus_msg_word(const struct vmbus_msg *m, size_t i)
{
	return vmbus_ld64(m->tail + i * 8);
}

/* GPADL tails: whole words, and a header never carries more than it announces. */
static int check_tail(const struct vmbus_msg *m)
{
	if (m->tail_len == 0)
		return -VMBUS_E_SHORT;
	if (m->tail_len % 8 != 0)
		return -VMBUS_E_MALFORMED;
	if (m->type == VMBUS_MSG_GPADL_HEADER) {
		const struct vmbus_msg_gpadl_header *h = &m->u.gpadl_header;

		if (h->range_count == 0 || h->range_buflen % 8 != 0 ||
		    m->tail_len > h->range_buflen)
			return -VMBUS_E_MALFORMED;
	}
	return 0;
}

int vmbus_msg_parse(const void *buf, size_t len, struct vmbus_msg *out)
{
	const uint8_t *p = buf;
	const struct msg_info *mi;

	if (len < sizeof(struct vmbus_msg_header))
		return -VMBUS_E_SHORT;
	if (len > VMBUS_HVMSG_PAYLOAD_MAX)
		return -VMBUS_E_OVERSIZE;
	memset(out, 0, sizeof(*out));
	out->type = vmbus_ld32(p);
	mi = info_of(out->type);
	if (mi == NULL)
		return -VMBUS_E_UNKNOWN;
	if (len < mi->fixed)
		return -VMBUS_E_SHORT;
	memcpy(&out->u, p, mi->fixed);
	if (!mi->has_tail)
		return 0;
	out->tail = p + mi->fixed;
	out->tail_len = len - mi->fixed;
	return check_tail(out);
}

int vmbus_msg_encode(void *buf, size_t cap, const struct vmbus_msg *m)
{
	const struct msg_info *mi = info_of(m->type);
	uint8_t *p = buf;
	size_t total;

	if (mi == NULL)
		return -VMBUS_E_UNKNOWN;
	if (!mi->has_tail && m->tail_len != 0)
		return -VMBUS_E_INVAL;
	if (m->tail_len % 8 != 0)
		return -VMBUS_E_INVAL;
	total = mi->fixed + m->tail_len;
	if (total > VMBUS_HVMSG_PAYLOAD_MAX)
		return -VMBUS_E_OVERSIZE;
	if (total > cap)
		return -VMBUS_E_NOSPACE;
	memcpy(p, &m->u, mi->fixed);
	vmbus_st32(p, m->type);
	vmbus_st32(p + 4, 0);
	if (m->tail_len != 0)
		memcpy(p + mi->fixed, m->tail, m->tail_len);
	return (int)total;
}

int vmbus_hvmsg_parse(const void *slot, size_t len, struct vmbus_hvmsg_header *hdr,
		      const uint8_t **payload)
{
	if (len < sizeof(*hdr))
		return -VMBUS_E_SHORT;
	memcpy(hdr, slot, sizeof(*hdr));
	if (hdr->payload_size > VMBUS_HVMSG_PAYLOAD_MAX ||
	    hdr->payload_size > len - sizeof(*hdr))
		return -VMBUS_E_MALFORMED;
	*payload = (const uint8_t *)slot + sizeof(*hdr);
	return 0;
}

void vmbus_outbox_reset(struct vmbus_outbox *ob)
{
	ob->count = 0;
}

uint32_t vmbus_outbox_room(const struct vmbus_outbox *ob)
{
	return ob->count >= VMBUS_OUTBOX_MAX ? 0 : VMBUS_OUTBOX_MAX - ob->count;
}

int vmbus_outbox_push(struct vmbus_outbox *ob, uint32_t conn_id, const struct vmbus_msg *m)
{
	struct vmbus_outmsg *slot;
	int n;

	if (vmbus_outbox_room(ob) == 0)
		return -VMBUS_E_NOSPACE;
	slot = &ob->msg[ob->count];
	n = vmbus_msg_encode(slot->data, sizeof(slot->data), m);
	if (n < 0)
		return n;
	slot->conn_id = conn_id;
	slot->len = (uint32_t)n;
	ob->count++;
	return 0;
}

void vmbus_post_from_outbox(struct vmbus_post_message *pm, uint32_t conn_id,
			    const struct vmbus_outmsg *om)
{
	uint32_t len = om->len <= VMBUS_HVMSG_PAYLOAD_MAX ? om->len : VMBUS_HVMSG_PAYLOAD_MAX;

	memset(pm, 0, sizeof(*pm));
	pm->connection_id = conn_id;
	pm->message_type = VMBUS_HVMSG_TYPE_CHANNEL;
	pm->payload_size = len;
	memcpy(pm->payload, om->data, len);
}
