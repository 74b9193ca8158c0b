/*
 * Server state machine, channel level: GPADL reassembly and teardown,
 * OPENCHANNEL checks, CLOSECHANNEL and MODIFYCHANNEL.  A refused GPADL or
 * open still gets a failure reply so the guest's wait ends.
 */
#include "vmbus_server_int.h"

#include <lib/string.h>

static void push_gpadl_created(struct vmbus_outbox *ob, uint32_t relid, uint32_t handle,
			       uint32_t status)
{
	struct vmbus_msg m;

	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_GPADL_CREATED;
	m.u.gpadl_created.child_relid = relid;
	m.u.gpadl_created.gpadl = handle;
	m.u.gpadl_created.creation_status = status;
	(void)vmbus_outbox_push(ob, 0, &m);
}

static void push_open_result(struct vmbus_outbox *ob, uint32_t relid, uint32_t open_id,
			     uint32_t status)
{
	struct vmbus_msg m;

	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_OPENCHANNEL_RESULT;
	m.u.open_result.child_relid = relid;
	m.u.open_result.open_id = open_id;
	m.u.open_result.status = status;
	(void)vmbus_outbox_push(ob, 0, &m);
}

/* A channel the guest has been offered and may still use. */
static struct vmbus_srv_channel *offered_chan(struct vmbus_server *s, uint32_t relid)
{
	struct vmbus_srv_channel *c = vmbus_srv_chan(s, relid);

	if (c == NULL || !c->offer_sent)
		return NULL;
	return c;
}

/* Ends a GPADL's reassembly step: reply, event, or failure. */
static int gpadl_step(struct vmbus_gpadl *g, int rc, struct vmbus_outbox *ob,
		      struct vmbus_srv_event *ev)
{
	ev->gpadl = g->handle;
	ev->relid = g->child_relid;
	if (rc < 0) {
		g->state = VMBUS_GPADL_FREE;
		push_gpadl_created(ob, ev->relid, ev->gpadl, VMBUS_STATUS_UNSUCCESSFUL);
		return vmbus_srv_fail(ev, rc, rc == -VMBUS_E_LIMIT ? "GPADL: over the page or range limit"
								   : "GPADL: malformed range buffer");
	}
	if (rc == 1) {
		push_gpadl_created(ob, ev->relid, ev->gpadl, VMBUS_STATUS_SUCCESS);
		ev->type = VMBUS_SRV_EV_GPADL_CREATED;
	}
	return 0;
}

int vmbus_srv_on_gpadl_header(struct vmbus_server *s, const struct vmbus_msg *m,
			      struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	const struct vmbus_msg_gpadl_header *h = &m->u.gpadl_header;
	struct vmbus_srv_channel *c = offered_chan(s, h->child_relid);
	struct vmbus_gpadl *g = NULL;

	ev->relid = h->child_relid;
	ev->gpadl = h->gpadl;
	if (c == NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_NOTFOUND, "GPADL_HEADER: no such channel");
	if (vmbus_outbox_room(ob) == 0)
		return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "GPADL_HEADER: outbox full");
	if (c->state == VMBUS_SRV_CHAN_RESCINDED) {
		push_gpadl_created(ob, h->child_relid, h->gpadl, VMBUS_STATUS_UNSUCCESSFUL);
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "GPADL_HEADER: channel rescinded");
	}
	if (vmbus_srv_gpadl(s, h->gpadl) != NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_EXISTS, "GPADL_HEADER: handle already in use");
	for (uint32_t i = 0; i < s->gpadl_slots && g == NULL; i++)
		if (s->gpadls[i].state == VMBUS_GPADL_FREE)
			g = &s->gpadls[i];
	if (g == NULL) {
		push_gpadl_created(ob, h->child_relid, h->gpadl, VMBUS_STATUS_UNSUCCESSFUL);
		return vmbus_srv_fail(ev, -VMBUS_E_LIMIT, "GPADL_HEADER: no free GPADL slot");
	}
	g->handle = h->gpadl;
	g->child_relid = h->child_relid;
	return gpadl_step(g, vmbus_gpadl_begin(g, m), ob, ev);
}

int vmbus_srv_on_gpadl_body(struct vmbus_server *s, const struct vmbus_msg *m,
			    struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	struct vmbus_gpadl *g = vmbus_srv_gpadl(s, m->u.gpadl_body.gpadl);

	ev->gpadl = m->u.gpadl_body.gpadl;
	if (g == NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_NOTFOUND, "GPADL_BODY: unknown handle");
	if (g->state != VMBUS_GPADL_RECEIVING)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "GPADL_BODY: GPADL already complete");
	if (vmbus_outbox_room(ob) == 0)
		return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "GPADL_BODY: outbox full");
	return gpadl_step(g, vmbus_gpadl_add(g, m), ob, ev);
}

static bool gpadl_holds_rings(struct vmbus_server *s, const struct vmbus_gpadl *g)
{
	const struct vmbus_srv_channel *c = vmbus_srv_chan(s, g->child_relid);

	return c && c->open_state != VMBUS_SRV_CLOSED && c->ring_gpadl == g->handle;
}

int vmbus_srv_on_gpadl_teardown(struct vmbus_server *s, const struct vmbus_msg *m,
				struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	const struct vmbus_msg_gpadl_teardown *t = &m->u.gpadl_teardown;
	struct vmbus_gpadl *g = vmbus_srv_gpadl(s, t->gpadl);
	struct vmbus_msg r;

	ev->relid = t->child_relid;
	ev->gpadl = t->gpadl;
	if (g == NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_NOTFOUND, "GPADL_TEARDOWN: unknown handle");
	if (g->child_relid != t->child_relid)
		return vmbus_srv_fail(ev, -VMBUS_E_MALFORMED, "GPADL_TEARDOWN: GPADL of another channel");
	if (gpadl_holds_rings(s, g))
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "GPADL_TEARDOWN: rings of an open channel");
	memset(&r, 0, sizeof(r));
	r.type = VMBUS_MSG_GPADL_TORNDOWN;
	r.u.gpadl_torndown.gpadl = t->gpadl;
	if (vmbus_outbox_push(ob, 0, &r) != 0)
		return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "GPADL_TEARDOWN: outbox full");
	g->state = VMBUS_GPADL_FREE;
	ev->type = VMBUS_SRV_EV_GPADL_TORNDOWN;
	return 0;
}

/*
 * The ring GPADL must be this channel's, one page-aligned range, and split
 * into two rings of a header page plus at least one data page each.
 */
static const char *check_ring_gpadl(struct vmbus_server *s, const struct vmbus_msg_open *o)
{
	const struct vmbus_gpadl *g = vmbus_srv_gpadl(s, o->ring_gpadl);
	struct vmbus_gpadl_range r;

	if (g == NULL || g->state != VMBUS_GPADL_CREATED)
		return "OPENCHANNEL: ring GPADL not created";
	if (g->child_relid != o->child_relid)
		return "OPENCHANNEL: ring GPADL of another channel";
	if (g->range_count != 1 || vmbus_gpadl_get_range(g, 0, &r) != 0 || r.byte_offset != 0 ||
	    r.byte_count != r.page_count * VMBUS_PAGE_SIZE)
		return "OPENCHANNEL: ring GPADL is not one page-aligned range";
	if (g->page_count < 4 || o->downstream_page_offset < 2 ||
	    o->downstream_page_offset > g->page_count - 2)
		return "OPENCHANNEL: downstream ring offset out of range";
	if (s->cfg.vcpu_count && o->target_vp >= s->cfg.vcpu_count)
		return "OPENCHANNEL: target VP out of range";
	return NULL;
}

int vmbus_srv_on_open(struct vmbus_server *s, const struct vmbus_msg *m,
		      struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	const struct vmbus_msg_open *o = &m->u.open;
	struct vmbus_srv_channel *c = offered_chan(s, o->child_relid);
	const char *why;

	ev->relid = o->child_relid;
	ev->gpadl = o->ring_gpadl;
	if (c == NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_NOTFOUND, "OPENCHANNEL: no such channel");
	if (vmbus_outbox_room(ob) == 0)
		return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "OPENCHANNEL: outbox full");
	if (c->state == VMBUS_SRV_CHAN_RESCINDED || c->open_state != VMBUS_SRV_CLOSED) {
		push_open_result(ob, o->child_relid, o->open_id, VMBUS_STATUS_UNSUCCESSFUL);
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "OPENCHANNEL: channel not closed");
	}
	why = check_ring_gpadl(s, o);
	if (why) {
		push_open_result(ob, o->child_relid, o->open_id, VMBUS_STATUS_UNSUCCESSFUL);
		return vmbus_srv_fail(ev, -VMBUS_E_MALFORMED, why);
	}
	c->open_state = VMBUS_SRV_OPENING;
	c->open_id = o->open_id;
	c->ring_gpadl = o->ring_gpadl;
	c->downstream_offset = o->downstream_page_offset;
	c->target_vp = o->target_vp;
	memcpy(c->userdata, o->userdata, sizeof(c->userdata));
	ev->type = VMBUS_SRV_EV_OPEN_REQUEST;
	return 0;
}

int vmbus_server_open_done(struct vmbus_server *s, uint32_t relid, uint32_t status,
			   struct vmbus_outbox *ob)
{
	struct vmbus_srv_channel *c = vmbus_srv_chan(s, relid);

	if (c == NULL)
		return -VMBUS_E_NOTFOUND;
	if (c->open_state != VMBUS_SRV_OPENING)
		return -VMBUS_E_STATE;   /* closed or rescinded meanwhile */
	if (vmbus_outbox_room(ob) == 0)
		return -VMBUS_E_NOSPACE;
	if (c->state == VMBUS_SRV_CHAN_RESCINDED)
		status = VMBUS_STATUS_UNSUCCESSFUL;   /* withdrawn while the owner mapped it */
	push_open_result(ob, relid, c->open_id, status);
	c->open_state = status == VMBUS_STATUS_SUCCESS ? VMBUS_SRV_OPEN : VMBUS_SRV_CLOSED;
	return 0;
}

int vmbus_server_rings(const struct vmbus_server *s, uint32_t relid, struct vmbus_srv_rings *r)
{
	const struct vmbus_srv_channel *c = vmbus_server_channel(s, relid);

	if (c == NULL)
		return -VMBUS_E_NOTFOUND;
	if (c->open_state == VMBUS_SRV_CLOSED)
		return -VMBUS_E_STATE;
	r->gpadl = vmbus_server_gpadl(s, c->ring_gpadl);
	if (r->gpadl == NULL)
		return -VMBUS_E_NOTFOUND;
	r->in_first_page = 0;
	r->in_pages = c->downstream_offset;
	r->out_first_page = c->downstream_offset;
	r->out_pages = r->gpadl->page_count - c->downstream_offset;
	r->target_vp = c->target_vp;
	return 0;
}

int vmbus_srv_on_close(struct vmbus_server *s, const struct vmbus_msg *m,
		       struct vmbus_srv_event *ev)
{
	struct vmbus_srv_channel *c = offered_chan(s, m->u.relid.child_relid);

	ev->relid = m->u.relid.child_relid;
	if (c == NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_NOTFOUND, "CLOSECHANNEL: no such channel");
	if (c->open_state == VMBUS_SRV_CLOSED)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "CLOSECHANNEL: channel not open");
	c->open_state = VMBUS_SRV_CLOSED;
	ev->type = VMBUS_SRV_EV_CLOSED;
	return 0;
}

int vmbus_srv_on_modify(struct vmbus_server *s, const struct vmbus_msg *m,
			struct vmbus_outbox *ob, struct vmbus_srv_event *ev)
{
	const struct vmbus_msg_modify *mod = &m->u.modify;
	struct vmbus_srv_channel *c = offered_chan(s, mod->child_relid);
	struct vmbus_msg r;

	ev->relid = mod->child_relid;
	if (s->version < VMBUS_VERSION_WIN10_V4_1)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "MODIFYCHANNEL: needs version 4.1");
	if (c == NULL)
		return vmbus_srv_fail(ev, -VMBUS_E_NOTFOUND, "MODIFYCHANNEL: no such channel");
	if (c->open_state != VMBUS_SRV_OPEN)
		return vmbus_srv_fail(ev, -VMBUS_E_STATE, "MODIFYCHANNEL: channel not open");
	if (s->cfg.vcpu_count && mod->target_vp >= s->cfg.vcpu_count)
		return vmbus_srv_fail(ev, -VMBUS_E_MALFORMED, "MODIFYCHANNEL: target VP out of range");
	if (s->version >= VMBUS_VERSION_WIN10_V5_3) {
		memset(&r, 0, sizeof(r));
		r.type = VMBUS_MSG_MODIFYCHANNEL_RESPONSE;
		r.u.modify_response.child_relid = mod->child_relid;
		if (vmbus_outbox_push(ob, 0, &r) != 0)
			return vmbus_srv_fail(ev, -VMBUS_E_NOSPACE, "MODIFYCHANNEL: outbox full");
	}
	c->target_vp = mod->target_vp;
	ev->type = VMBUS_SRV_EV_MODIFIED;
	return 0;
}
