/*
 * Server state machine, connection level: version negotiation, offers,
 * rescinds, unload, and the dispatch of guest messages by type and state.
 * Channel and GPADL messages are handled in vmbus_server_chan.c.
 */
#include "vmbus_server_int.h"

#include <lib/string.h>

/* What Linux 6.1 proposes (WIN8 and later); WS2008 and WIN7 are not served. */
const uint32_t vmbus_server_default_versions[] = {
	VMBUS_VERSION_WIN10_V5_3, VMBUS_VERSION_WIN10_V5_2, VMBUS_VERSION_WIN10_V5_1,
	VMBUS_VERSION_WIN10_V5, VMBUS_VERSION_WIN10_V4_1, VMBUS_VERSION_WIN10,
	VMBUS_VERSION_WIN8_1, VMBUS_VERSION_WIN8,
};
const uint32_t vmbus_server_default_version_count =
	sizeof(vmbus_server_default_versions) / sizeof(vmbus_server_default_versions[0]);

void vmbus_server_init(struct vmbus_server *s, const struct vmbus_server_config *cfg,
		       struct vmbus_gpadl *gpadls, uint32_t nslots)
{
	memset(s, 0, sizeof(*s));
	if (cfg)
		s->cfg = *cfg;
	if (s->cfg.versions == NULL) {
		s->cfg.versions = vmbus_server_default_versions;
		s->cfg.version_count = vmbus_server_default_version_count;
	}
	if (s->cfg.msg_conn_id == 0)
		s->cfg.msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID_4;
	s->gpadls = gpadls;
	s->gpadl_slots = gpadls ? nslots : 0;
	for (uint32_t i = 0; i < s->gpadl_slots; i++)
		gpadls[i].state = VMBUS_GPADL_FREE;
}

struct vmbus_srv_channel *vmbus_srv_chan(struct vmbus_server *s, uint32_t relid)
{
	if (relid == 0 || relid > VMBUS_MAX_CHANNELS)
		return NULL;
	if (s->chan[relid - 1].state == VMBUS_SRV_CHAN_FREE)
		return NULL;
	return &s->chan[relid - 1];
}

const struct vmbus_srv_channel *vmbus_server_channel(const struct vmbus_server *s, uint32_t relid)
{
	return vmbus_srv_chan((struct vmbus_server *)s, relid);
}

struct vmbus_gpadl *vmbus_srv_gpadl(struct vmbus_server *s, uint32_t handle)
{
	for (uint32_t i = 0; i < s->gpadl_slots; i++)
		if (s->gpadls[i].state != VMBUS_GPADL_FREE && s->gpadls[i].handle == handle)
			return &s->gpadls[i];
	return NULL;
}

const struct vmbus_gpadl *vmbus_server_gpadl(const struct vmbus_server *s, uint32_t handle)
{
	return vmbus_srv_gpadl((struct vmbus_server *)s, handle);
}

void vmbus_srv_free_gpadls_of(struct vmbus_server *s, uint32_t relid)
{
	for (uint32_t i = 0; i < s->gpadl_slots; i++)
		if (s->gpadls[i].child_relid == relid)
			s->gpadls[i].state = VMBUS_GPADL_FREE;
}

static int push_offer(struct vmbus_server *s, struct vmbus_srv_channel *c, struct vmbus_outbox *ob)
{
	struct vmbus_msg m;
	int err;

	(void)s;
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_OFFERCHANNEL;
	m.u.offer = c->offer;
	err = vmbus_outbox_push(ob, 0, &m);
	if (err == 0)
		c->offer_sent = true;
	return err;
}

int vmbus_server_add_channel(struct vmbus_server *s, const struct vmbus_offer_desc *d,
			     struct vmbus_outbox *ob)
{
	struct vmbus_srv_channel *c = NULL;
	uint32_t relid;

	if (d->user_def_len > VMBUS_USER_DEFINED_BYTES || (d->user_def_len && !d->user_def))
		return -VMBUS_E_INVAL;
	for (relid = 1; relid <= VMBUS_MAX_CHANNELS; relid++) {
		if (s->chan[relid - 1].state == VMBUS_SRV_CHAN_FREE) {
			c = &s->chan[relid - 1];
			break;
		}
	}
	if (c == NULL)
		return -VMBUS_E_LIMIT;
	if (s->offers_requested && (ob == NULL || vmbus_outbox_room(ob) == 0))
		return -VMBUS_E_NOSPACE;
	memset(c, 0, sizeof(*c));
	c->state = VMBUS_SRV_CHAN_OFFERED;
	c->offer.if_type = d->if_type;
	c->offer.if_instance = d->if_instance;
	c->offer.chn_flags = d->chn_flags;
	c->offer.mmio_megabytes = d->mmio_megabytes;
	c->offer.sub_channel_index = d->sub_channel_index;
	if (d->user_def_len)
		memcpy(c->offer.user_def, d->user_def, d->user_def_len);
	c->offer.child_relid = relid;
	c->offer.interrupt_flags = d->dedicated_interrupt ? VMBUS_OFFER_DEDICATED_INTERRUPT : 0;
	c->offer.connection_id = d->connection_id;
	/* No monitor pages: the guest signals with HvSignalEvent on connection_id. */
	if (s->offers_requested)
		(void)push_offer(s, c, ob);
	return (int)relid;
}

int vmbus_server_rescind(struct vmbus_server *s, uint32_t relid, struct vmbus_outbox *ob,
			 struct vmbus_srv_event *ev)
{
	struct vmbus_srv_channel *c = vmbus_srv_chan(s, relid);
	struct vmbus_msg m;

	memset(ev, 0, sizeof(*ev));
	if (c == NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_NOTFOUND, "rescind: no such channel");
	if (c->state == VMBUS_SRV_CHAN_RESCINDED)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "rescind: already rescinded");
	if (!c->offer_sent) {
		/* The guest never heard of it: nothing to wait for. */
		vmbus_srv_free_gpadls_of(s, relid);
		memset(c, 0, sizeof(*c));
		ev->type = VMBUS_SRV_EV_RELEASED;
		ev->relid = relid;
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_RESCIND_CHANNELOFFER;
	m.u.relid.child_relid = relid;
	if (vmbus_outbox_push(ob, 0, &m) != 0)
		return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "rescind: outbox full");
	c->state = VMBUS_SRV_CHAN_RESCINDED;
	return 0;
}

static bool version_accepted(const struct vmbus_server *s, uint32_t v)
{
	for (uint32_t i = 0; i < s->cfg.version_count; i++)
		if (s->cfg.versions[i] == v)
			return true;
	return false;
}

static int push_version_response(struct vmbus_server *s, struct vmbus_outbox *ob, bool ok)
{
	struct vmbus_msg m;

	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_VERSION_RESPONSE;
	m.u.version_response.version_supported = ok ? 1 : 0;
	if (ok && s->version >= VMBUS_VERSION_WIN10_V5)
		m.u.version_response.msg_conn_id = s->cfg.msg_conn_id;
	return vmbus_outbox_push(ob, 0, &m);
}

/* Where our messages go: version >= 5.0 names a SINT, older ones an interrupt page. */
static int take_contact_target(struct vmbus_server *s, const struct vmbus_msg_initiate_contact *ic,
			       struct vmbus_srv_event *ev)
{
	if (s->cfg.vcpu_count && ic->target_vcpu >= s->cfg.vcpu_count)
		return vmbus_srv_fail(ev, -VMBUS_E_MALFORMED, "INITIATE_CONTACT: target vCPU out of range");
	if (ic->version_requested >= VMBUS_VERSION_WIN10_V5) {
		uint8_t sint = (uint8_t)ic->interrupt_page_or_sint;
		uint8_t vtl = (uint8_t)(ic->interrupt_page_or_sint >> 8);

		if (sint >= 16)
			return vmbus_srv_fail(ev, -VMBUS_E_MALFORMED, "INITIATE_CONTACT: SINT out of range");
		if (vtl != 0)
			return vmbus_srv_fail(ev, -VMBUS_E_MALFORMED, "INITIATE_CONTACT: VTL other than 0");
		s->msg_sint = sint;
		s->interrupt_page = 0;
	} else {
		if (ic->interrupt_page_or_sint % VMBUS_PAGE_SIZE != 0)
			return vmbus_srv_fail(ev, -VMBUS_E_MALFORMED, "INITIATE_CONTACT: unaligned interrupt page");
		s->msg_sint = VMBUS_MESSAGE_SINT;
		s->interrupt_page = ic->interrupt_page_or_sint;
	}
	s->target_vcpu = ic->target_vcpu;
	return 0;
}

static int on_initiate_contact(struct vmbus_server *s, const struct vmbus_msg *m,
			       struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	const struct vmbus_msg_initiate_contact *ic = &m->u.initiate;
	int err;

	if (s->conn != VMBUS_SRV_DISCONNECTED)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "INITIATE_CONTACT: already connected");
	if (vmbus_outbox_room(ob) == 0)
		return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "INITIATE_CONTACT: outbox full");
	ev->version = ic->version_requested;
	if (!version_accepted(s, ic->version_requested)) {
		ev->type = VMBUS_SRV_EV_VERSION_REFUSED;
		return push_version_response(s, ob, false);
	}
	err = take_contact_target(s, ic, ev);
	if (err) {
		(void)push_version_response(s, ob, false);
		return err;
	}
	s->version = ic->version_requested;
	s->monitor_page1 = ic->monitor_page1;
	s->monitor_page2 = ic->monitor_page2;
	s->conn = VMBUS_SRV_CONNECTED;
	s->offers_requested = false;
	ev->type = VMBUS_SRV_EV_CONNECTED;
	return push_version_response(s, ob, true);
}

static int on_request_offers(struct vmbus_server *s, struct vmbus_outbox *ob,
			     struct vmbus_srv_event *ev)
{
	struct vmbus_msg m;
	uint32_t n = 0;

	if (s->offers_requested)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "REQUESTOFFERS: offers already sent");
	for (uint32_t i = 0; i < VMBUS_MAX_CHANNELS; i++)
		n += s->chan[i].state == VMBUS_SRV_CHAN_OFFERED;
	if (vmbus_outbox_room(ob) < n + 1)
		return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "REQUESTOFFERS: outbox too small");
	for (uint32_t i = 0; i < VMBUS_MAX_CHANNELS; i++)
		if (s->chan[i].state == VMBUS_SRV_CHAN_OFFERED)
			(void)push_offer(s, &s->chan[i], ob);
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_ALLOFFERS_DELIVERED;
	(void)vmbus_outbox_push(ob, 0, &m);
	s->offers_requested = true;
	ev->type = VMBUS_SRV_EV_OFFERS_SENT;
	return 0;
}

/* Back to DISCONNECTED: channels stay registered but closed and unoffered. */
static void drop_connection(struct vmbus_server *s)
{
	for (uint32_t i = 0; i < VMBUS_MAX_CHANNELS; i++) {
		struct vmbus_srv_channel *c = &s->chan[i];

		if (c->state == VMBUS_SRV_CHAN_RESCINDED)
			memset(c, 0, sizeof(*c));   /* the guest forgot it too */
		c->open_state = VMBUS_SRV_CLOSED;
		c->offer_sent = false;
	}
	for (uint32_t i = 0; i < s->gpadl_slots; i++)
		s->gpadls[i].state = VMBUS_GPADL_FREE;
	s->conn = VMBUS_SRV_DISCONNECTED;
	s->offers_requested = false;
	s->version = 0;
}

void vmbus_server_reset(struct vmbus_server *s)
{
	drop_connection(s);
}

static int on_unload(struct vmbus_server *s, struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	struct vmbus_msg m;

	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_UNLOAD_RESPONSE;
	if (vmbus_outbox_push(ob, 0, &m) != 0)
		return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "UNLOAD: outbox full");
	drop_connection(s);
	ev->type = VMBUS_SRV_EV_UNLOADED;
	return 0;
}

static int on_relid_released(struct vmbus_server *s, const struct vmbus_msg *m,
			     struct vmbus_srv_event *ev)
{
	uint32_t relid = m->u.relid.child_relid;
	struct vmbus_srv_channel *c = vmbus_srv_chan(s, relid);

	ev->relid = relid;
	if (c == NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_NOTFOUND, "RELID_RELEASED: no such channel");
	if (c->state != VMBUS_SRV_CHAN_RESCINDED)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "RELID_RELEASED: channel not rescinded");
	vmbus_srv_free_gpadls_of(s, relid);
	memset(c, 0, sizeof(*c));
	ev->type = VMBUS_SRV_EV_RELEASED;
	return 0;
}

static int dispatch(struct vmbus_server *s, const struct vmbus_msg *m,
		    struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	if (m->type == VMBUS_MSG_INITIATE_CONTACT)
		return on_initiate_contact(s, m, ob, ev);
	if (s->conn != VMBUS_SRV_CONNECTED)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "message before INITIATE_CONTACT");
	switch (m->type) {
	case VMBUS_MSG_REQUESTOFFERS:
		return on_request_offers(s, ob, ev);
	case VMBUS_MSG_GPADL_HEADER:
		return vmbus_srv_on_gpadl_header(s, m, ob, ev);
	case VMBUS_MSG_GPADL_BODY:
		return vmbus_srv_on_gpadl_body(s, m, ob, ev);
	case VMBUS_MSG_GPADL_TEARDOWN:
		return vmbus_srv_on_gpadl_teardown(s, m, ob, ev);
	case VMBUS_MSG_OPENCHANNEL:
		return vmbus_srv_on_open(s, m, ob, ev);
	case VMBUS_MSG_CLOSECHANNEL:
		return vmbus_srv_on_close(s, m, ev);
	case VMBUS_MSG_MODIFYCHANNEL:
		return vmbus_srv_on_modify(s, m, ob, ev);
	case VMBUS_MSG_RELID_RELEASED:
		return on_relid_released(s, m, ev);
	case VMBUS_MSG_UNLOAD:
		return on_unload(s, ob, ev);
	default:
		return vmbus_srv_fail(ev, -VMBUS_E_UNKNOWN, "message type a guest does not send");
	}
}

int vmbus_server_handle(struct vmbus_server *s, const void *msg, uint32_t len,
			struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	struct vmbus_msg m;
	int err;

	memset(ev, 0, sizeof(*ev));
	err = vmbus_msg_parse(msg, len, &m);
	if (err)
		return vmbus_srv_fail(ev, err, "undecodable channel message");
	return dispatch(s, &m, ob, ev);
}
