/*
 * Client state machine, connection level: INITIATE_CONTACT with version
 * fallback, REQUESTOFFERS and the offers that answer it, rescinds,
 * unload, and the dispatch of server messages by type and state.
 */
#include "vmbus_client_int.h"

#include <lib/string.h>

void vmbus_client_init(struct vmbus_client *c, const struct vmbus_client_config *cfg)
{
	memset(c, 0, sizeof(*c));
	if (cfg)
		c->cfg = *cfg;
	if (c->cfg.versions == NULL || c->cfg.version_count == 0) {
		c->cfg.versions = vmbus_server_default_versions;
		c->cfg.version_count = vmbus_server_default_version_count;
	}
	c->next_gpadl = VMBUS_CLIENT_FIRST_GPADL;
}

struct vmbus_cli_channel *vmbus_cli_chan(struct vmbus_client *c, uint32_t relid)
{
	if (relid == 0 || relid > VMBUS_MAX_CHANNELS)
		return NULL;
	if (c->chan[relid - 1].state == VMBUS_CLI_CHAN_FREE)
		return NULL;
	return &c->chan[relid - 1];
}

const struct vmbus_cli_channel *vmbus_client_channel(const struct vmbus_client *c, uint32_t relid)
{
	return vmbus_cli_chan((struct vmbus_client *)c, relid);
}

uint32_t vmbus_client_find(const struct vmbus_client *c, const struct vmbus_guid *t)
{
	for (uint32_t i = 0; i < VMBUS_MAX_CHANNELS; i++)
		if (c->chan[i].state == VMBUS_CLI_CHAN_OFFERED &&
		    vmbus_guid_equal(&c->chan[i].offer.if_type, t))
			return i + 1;
	return 0;
}

int vmbus_cli_push(struct vmbus_client *c, struct vmbus_outbox *ob, const struct vmbus_msg *m)
{
	return vmbus_outbox_push(ob, c->msg_conn_id, m);
}

/* INITIATE_CONTACT for the current proposal; >= 5.0 goes to connection 4. */
static int push_contact(struct vmbus_client *c, struct vmbus_outbox *ob)
{
	uint32_t v = c->cfg.versions[c->version_index];
	struct vmbus_msg m;

	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_INITIATE_CONTACT;
	m.u.initiate.version_requested = v;
	m.u.initiate.target_vcpu = c->cfg.target_vcpu;
	if (v >= VMBUS_VERSION_WIN10_V5) {
		m.u.initiate.interrupt_page_or_sint = c->cfg.msg_sint;   /* msg_vtl 0 */
		c->msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID_4;
	} else {
		m.u.initiate.interrupt_page_or_sint = c->cfg.interrupt_page;
		c->msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID;
	}
	m.u.initiate.monitor_page1 = c->cfg.monitor_page1;
	m.u.initiate.monitor_page2 = c->cfg.monitor_page2;
	return vmbus_cli_push(c, ob, &m);
}

int vmbus_client_connect(struct vmbus_client *c, struct vmbus_outbox *ob)
{
	int err;

	if (c->conn != VMBUS_CLI_IDLE)
		return -VMBUS_E_STATE;
	c->version_index = 0;
	err = push_contact(c, ob);
	if (err == 0)
		c->conn = VMBUS_CLI_CONTACTING;
	return err;
}

static int on_version_response(struct vmbus_client *c, const struct vmbus_msg *m,
			       struct vmbus_outbox *ob, struct vmbus_cli_event *ev)
{
	const struct vmbus_msg_version_response *r = &m->u.version_response;
	struct vmbus_msg req;

	if (c->conn != VMBUS_CLI_CONTACTING)
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "VERSION_RESPONSE: no contact pending");
	if (vmbus_outbox_room(ob) == 0)
		return vmbus_cli_fail(ev, -VMBUS_E_NOSPACE, "VERSION_RESPONSE: outbox full");
	if (!r->version_supported) {
		if (++c->version_index >= c->cfg.version_count) {
			c->conn = VMBUS_CLI_FAILED;
			ev->type = VMBUS_CLI_EV_VERSION_FAILED;
			return vmbus_cli_fail(ev, -VMBUS_E_VERSION, "VERSION_RESPONSE: every version refused");
		}
		ev->type = VMBUS_CLI_EV_VERSION_RETRY;
		ev->version = c->cfg.versions[c->version_index];
		return push_contact(c, ob);
	}
	c->version = c->cfg.versions[c->version_index];
	/* From 5.0 the server names the connection for everything after contact. */
	if (c->version >= VMBUS_VERSION_WIN10_V5 && r->msg_conn_id != 0)
		c->msg_conn_id = r->msg_conn_id;
	memset(&req, 0, sizeof(req));
	req.type = VMBUS_MSG_REQUESTOFFERS;
	(void)vmbus_cli_push(c, ob, &req);
	c->conn = VMBUS_CLI_REQUESTING;
	ev->type = VMBUS_CLI_EV_CONNECTED;
	ev->version = c->version;
	return 0;
}

static int on_offer(struct vmbus_client *c, const struct vmbus_msg *m, struct vmbus_cli_event *ev)
{
	uint32_t relid = m->u.offer.child_relid;
	struct vmbus_cli_channel *ch;

	ev->relid = relid;
	if (!vmbus_cli_connected(c))
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "OFFERCHANNEL: not connected");
	if (relid == 0 || relid > VMBUS_MAX_CHANNELS)
		return vmbus_cli_fail(ev, -VMBUS_E_LIMIT, "OFFERCHANNEL: relid beyond our table");
	ch = &c->chan[relid - 1];
	if (ch->state != VMBUS_CLI_CHAN_FREE)
		return vmbus_cli_fail(ev, -VMBUS_E_EXISTS, "OFFERCHANNEL: relid already offered");
	memset(ch, 0, sizeof(*ch));
	ch->state = VMBUS_CLI_CHAN_OFFERED;
	ch->offer = m->u.offer;
	ev->type = VMBUS_CLI_EV_OFFER;
	return 0;
}

static int on_all_offers(struct vmbus_client *c, struct vmbus_cli_event *ev)
{
	if (c->conn != VMBUS_CLI_REQUESTING)
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "ALLOFFERS_DELIVERED: no offers requested");
	c->conn = VMBUS_CLI_READY;
	ev->type = VMBUS_CLI_EV_ALL_OFFERS;
	return 0;
}

static int on_rescind(struct vmbus_client *c, const struct vmbus_msg *m, struct vmbus_cli_event *ev)
{
	struct vmbus_cli_channel *ch = vmbus_cli_chan(c, m->u.relid.child_relid);

	ev->relid = m->u.relid.child_relid;
	if (!vmbus_cli_connected(c))
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "RESCIND: not connected");
	if (ch == NULL)
		return vmbus_cli_fail(ev, -VMBUS_E_NOTFOUND, "RESCIND: no such channel");
	if (ch->state == VMBUS_CLI_CHAN_RESCINDED)
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "RESCIND: already rescinded");
	ch->state = VMBUS_CLI_CHAN_RESCINDED;
	ev->type = VMBUS_CLI_EV_RESCINDED;
	return 0;
}

int vmbus_client_unload(struct vmbus_client *c, struct vmbus_outbox *ob)
{
	struct vmbus_msg m;
	int err;

	if (!vmbus_cli_connected(c))
		return -VMBUS_E_STATE;
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_UNLOAD;
	err = vmbus_cli_push(c, ob, &m);
	if (err == 0)
		c->conn = VMBUS_CLI_UNLOADING;
	return err;
}

static int on_unload_response(struct vmbus_client *c, struct vmbus_cli_event *ev)
{
	struct vmbus_client_config cfg = c->cfg;
	uint32_t next = c->next_gpadl;

	if (c->conn != VMBUS_CLI_UNLOADING)
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "UNLOAD_RESPONSE: no unload pending");
	vmbus_client_init(c, &cfg);
	c->next_gpadl = next;   /* never reuse a handle the server may still remember */
	ev->type = VMBUS_CLI_EV_UNLOADED;
	return 0;
}

static int dispatch(struct vmbus_client *c, const struct vmbus_msg *m,
		    struct vmbus_outbox *ob, struct vmbus_cli_event *ev)
{
	switch (m->type) {
	case VMBUS_MSG_VERSION_RESPONSE:
		return on_version_response(c, m, ob, ev);
	case VMBUS_MSG_OFFERCHANNEL:
		return on_offer(c, m, ev);
	case VMBUS_MSG_ALLOFFERS_DELIVERED:
		return on_all_offers(c, ev);
	case VMBUS_MSG_RESCIND_CHANNELOFFER:
		return on_rescind(c, m, ev);
	case VMBUS_MSG_GPADL_CREATED:
		return vmbus_cli_on_gpadl_created(c, m, ev);
	case VMBUS_MSG_GPADL_TORNDOWN:
		return vmbus_cli_on_gpadl_torndown(c, m, ev);
	case VMBUS_MSG_OPENCHANNEL_RESULT:
		return vmbus_cli_on_open_result(c, m, ev);
	case VMBUS_MSG_MODIFYCHANNEL_RESPONSE:
		return vmbus_cli_on_modify_response(c, m, ev);
	case VMBUS_MSG_UNLOAD_RESPONSE:
		return on_unload_response(c, ev);
	default:
		return vmbus_cli_fail(ev, -VMBUS_E_UNKNOWN, "message type a server does not send");
	}
}

int vmbus_client_handle(struct vmbus_client *c, const void *msg, uint32_t len,
			struct vmbus_outbox *ob, struct vmbus_cli_event *ev)
{
	struct vmbus_msg m;
	int err;

	memset(ev, 0, sizeof(*ev));
	err = vmbus_msg_parse(msg, len, &m);
	if (err)
		return vmbus_cli_fail(ev, err, "undecodable channel message");
	return dispatch(c, &m, ob, ev);
}
