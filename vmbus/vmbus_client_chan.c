/*
 * Client state machine, channel level: GPADL creation and teardown, open,
 * close, modify, release, and the server's answers to them.  An answer
 * that matches nothing we asked for is refused and changes nothing.
 */
#include "vmbus_client_int.h"

#include <lib/string.h>

struct vmbus_cli_gpadl *vmbus_cli_find_gpadl(struct vmbus_client *c, uint32_t handle)
{
	for (uint32_t i = 0; i < VMBUS_CLIENT_MAX_GPADLS; i++)
		if (c->gpadl[i].state != VMBUS_CLI_GPADL_FREE && c->gpadl[i].handle == handle)
			return &c->gpadl[i];
	return NULL;
}

/* A channel we may still start things on: offered and not rescinded. */
static struct vmbus_cli_channel *live_chan(struct vmbus_client *c, uint32_t relid)
{
	struct vmbus_cli_channel *ch = vmbus_cli_chan(c, relid);

	return ch && ch->state == VMBUS_CLI_CHAN_OFFERED ? ch : NULL;
}

int vmbus_client_create_gpadl(struct vmbus_client *c, uint32_t relid, const uint64_t *pfns,
			      uint32_t npages, struct vmbus_outbox *ob, uint32_t *handle)
{
	struct vmbus_cli_gpadl *g = NULL;
	int n;

	if (!vmbus_cli_connected(c))
		return -VMBUS_E_STATE;
	if (live_chan(c, relid) == NULL)
		return -VMBUS_E_NOTFOUND;
	for (uint32_t i = 0; i < VMBUS_CLIENT_MAX_GPADLS && g == NULL; i++)
		if (c->gpadl[i].state == VMBUS_CLI_GPADL_FREE)
			g = &c->gpadl[i];
	if (g == NULL)
		return -VMBUS_E_LIMIT;
	n = vmbus_gpadl_build(ob, c->msg_conn_id, relid, c->next_gpadl, pfns, npages);
	if (n < 0)
		return n;
	g->state = VMBUS_CLI_GPADL_PENDING;
	g->handle = c->next_gpadl++;
	g->relid = relid;
	*handle = g->handle;
	return 0;
}

int vmbus_cli_on_gpadl_created(struct vmbus_client *c, const struct vmbus_msg *m,
			       struct vmbus_cli_event *ev)
{
	const struct vmbus_msg_gpadl_created *r = &m->u.gpadl_created;
	struct vmbus_cli_gpadl *g = vmbus_cli_find_gpadl(c, r->gpadl);

	ev->gpadl = r->gpadl;
	ev->relid = r->child_relid;
	if (g == NULL || g->state != VMBUS_CLI_GPADL_PENDING)
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "GPADL_CREATED: no such GPADL pending");
	if (g->relid != r->child_relid)
		return vmbus_cli_fail(ev, -VMBUS_E_MALFORMED, "GPADL_CREATED: for another channel");
	g->state = r->creation_status == 0 ? VMBUS_CLI_GPADL_CREATED : VMBUS_CLI_GPADL_FREE;
	ev->status = r->creation_status;
	ev->type = VMBUS_CLI_EV_GPADL_CREATED;
	return 0;
}

int vmbus_client_teardown_gpadl(struct vmbus_client *c, uint32_t handle, struct vmbus_outbox *ob)
{
	struct vmbus_cli_gpadl *g = vmbus_cli_find_gpadl(c, handle);
	struct vmbus_cli_channel *ch;
	struct vmbus_msg m;
	int err;

	if (!vmbus_cli_connected(c))
		return -VMBUS_E_STATE;
	if (g == NULL)
		return -VMBUS_E_NOTFOUND;
	if (g->state != VMBUS_CLI_GPADL_CREATED)
		return -VMBUS_E_STATE;
	ch = vmbus_cli_chan(c, g->relid);
	if (ch && ch->open_state != VMBUS_CLI_CLOSED && ch->ring_gpadl == handle)
		return -VMBUS_E_STATE;   /* close the channel first */
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_GPADL_TEARDOWN;
	m.u.gpadl_teardown.child_relid = g->relid;
	m.u.gpadl_teardown.gpadl = handle;
	err = vmbus_cli_push(c, ob, &m);
	if (err == 0)
		g->state = VMBUS_CLI_GPADL_TEARING;
	return err;
}

int vmbus_cli_on_gpadl_torndown(struct vmbus_client *c, const struct vmbus_msg *m,
				struct vmbus_cli_event *ev)
{
	struct vmbus_cli_gpadl *g = vmbus_cli_find_gpadl(c, m->u.gpadl_torndown.gpadl);

	ev->gpadl = m->u.gpadl_torndown.gpadl;
	if (g == NULL || g->state != VMBUS_CLI_GPADL_TEARING)
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "GPADL_TORNDOWN: no teardown pending");
	ev->relid = g->relid;
	g->state = VMBUS_CLI_GPADL_FREE;
	ev->type = VMBUS_CLI_EV_GPADL_TORNDOWN;
	return 0;
}

int vmbus_client_open(struct vmbus_client *c, uint32_t relid, uint32_t gpadl,
		      uint32_t downstream_offset, uint32_t target_vp, const uint8_t *userdata,
		      uint32_t userdata_len, struct vmbus_outbox *ob)
{
	struct vmbus_cli_channel *ch = live_chan(c, relid);
	struct vmbus_cli_gpadl *g = vmbus_cli_find_gpadl(c, gpadl);
	struct vmbus_msg m;
	int err;

	if (!vmbus_cli_connected(c))
		return -VMBUS_E_STATE;
	if (ch == NULL || g == NULL)
		return -VMBUS_E_NOTFOUND;
	if (ch->open_state != VMBUS_CLI_CLOSED || g->state != VMBUS_CLI_GPADL_CREATED)
		return -VMBUS_E_STATE;
	if (g->relid != relid || downstream_offset < 2 || userdata_len > VMBUS_USER_DEFINED_BYTES ||
	    (userdata_len && !userdata))
		return -VMBUS_E_INVAL;
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_OPENCHANNEL;
	m.u.open.child_relid = relid;
	m.u.open.open_id = relid;   /* as Linux does: unique per channel is enough */
	m.u.open.ring_gpadl = gpadl;
	m.u.open.target_vp = target_vp;
	m.u.open.downstream_page_offset = downstream_offset;
	if (userdata_len)
		memcpy(m.u.open.userdata, userdata, userdata_len);
	err = vmbus_cli_push(c, ob, &m);
	if (err)
		return err;
	ch->open_state = VMBUS_CLI_OPENING;
	ch->open_id = relid;
	ch->ring_gpadl = gpadl;
	return 0;
}

int vmbus_cli_on_open_result(struct vmbus_client *c, const struct vmbus_msg *m,
			     struct vmbus_cli_event *ev)
{
	const struct vmbus_msg_open_result *r = &m->u.open_result;
	struct vmbus_cli_channel *ch = vmbus_cli_chan(c, r->child_relid);

	ev->relid = r->child_relid;
	if (ch == NULL || ch->open_state != VMBUS_CLI_OPENING)
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "OPENCHANNEL_RESULT: no open pending");
	if (r->open_id != ch->open_id)
		return vmbus_cli_fail(ev, -VMBUS_E_MALFORMED, "OPENCHANNEL_RESULT: wrong open id");
	ch->open_state = r->status == 0 ? VMBUS_CLI_OPEN : VMBUS_CLI_CLOSED;
	ev->status = r->status;
	ev->type = VMBUS_CLI_EV_OPENED;
	return 0;
}

int vmbus_client_close(struct vmbus_client *c, uint32_t relid, struct vmbus_outbox *ob)
{
	struct vmbus_cli_channel *ch = vmbus_cli_chan(c, relid);
	struct vmbus_msg m;
	int err;

	if (!vmbus_cli_connected(c))
		return -VMBUS_E_STATE;
	if (ch == NULL)
		return -VMBUS_E_NOTFOUND;
	if (ch->open_state != VMBUS_CLI_OPEN)
		return -VMBUS_E_STATE;
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_CLOSECHANNEL;
	m.u.relid.child_relid = relid;
	err = vmbus_cli_push(c, ob, &m);
	if (err == 0)
		ch->open_state = VMBUS_CLI_CLOSED;   /* no answer comes for a close */
	return err;
}

int vmbus_client_modify(struct vmbus_client *c, uint32_t relid, uint32_t target_vp,
			struct vmbus_outbox *ob)
{
	struct vmbus_cli_channel *ch = live_chan(c, relid);
	struct vmbus_msg m;

	if (!vmbus_cli_connected(c) || c->version < VMBUS_VERSION_WIN10_V4_1)
		return -VMBUS_E_STATE;
	if (ch == NULL)
		return -VMBUS_E_NOTFOUND;
	if (ch->open_state != VMBUS_CLI_OPEN)
		return -VMBUS_E_STATE;
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_MODIFYCHANNEL;
	m.u.modify.child_relid = relid;
	m.u.modify.target_vp = target_vp;
	return vmbus_cli_push(c, ob, &m);
}

int vmbus_cli_on_modify_response(struct vmbus_client *c, const struct vmbus_msg *m,
				 struct vmbus_cli_event *ev)
{
	struct vmbus_cli_channel *ch = vmbus_cli_chan(c, m->u.modify_response.child_relid);

	ev->relid = m->u.modify_response.child_relid;
	if (ch == NULL || ch->open_state != VMBUS_CLI_OPEN)
		return vmbus_cli_fail(ev, -VMBUS_E_STATE, "MODIFYCHANNEL_RESPONSE: channel not open");
	ev->status = m->u.modify_response.status;
	ev->type = VMBUS_CLI_EV_MODIFIED;
	return 0;
}

int vmbus_client_release(struct vmbus_client *c, uint32_t relid, struct vmbus_outbox *ob)
{
	struct vmbus_cli_channel *ch = vmbus_cli_chan(c, relid);
	struct vmbus_msg m;
	int err;

	if (!vmbus_cli_connected(c))
		return -VMBUS_E_STATE;
	if (ch == NULL)
		return -VMBUS_E_NOTFOUND;
	if (ch->state != VMBUS_CLI_CHAN_RESCINDED || ch->open_state != VMBUS_CLI_CLOSED)
		return -VMBUS_E_STATE;
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_RELID_RELEASED;
	m.u.relid.child_relid = relid;
	err = vmbus_cli_push(c, ob, &m);
	if (err)
		return err;
	for (uint32_t i = 0; i < VMBUS_CLIENT_MAX_GPADLS; i++)
		if (c->gpadl[i].relid == relid)
			c->gpadl[i].state = VMBUS_CLI_GPADL_FREE;   /* the server frees them too */
	memset(ch, 0, sizeof(*ch));
	return 0;
}
