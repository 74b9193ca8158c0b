/*
 * guestos (guestos.h): per guest, the cached facts and the request queues
 * of the four channels the root asks on (Shutdown, KVP, Sessions, Exec).
 * One message is in flight per channel: a user request, or a refresh of
 * the facts (KVP auto-pool enumeration, Sessions LIST and LOCKED) when no
 * user request waits.  Requests are only queued by guestos_request;
 * guestos_poll sends, times out and refreshes, bus callbacks complete.
 * The wire side of each request is in guestos_wire.c.
 */
#include "guestos.h"
#include "guestos_bus.h"
#include "guestos_int.h"
#include "bus_int.h"

#include <common/notify.h>
#include <events/events.h>

#include <kernel/console.h>
#include <lib/string.h>

#include "vmbus_exec.h"

static struct gos guests[HV_MAX_PARTITIONS];
static struct guestos_result result;

static const uint32_t chan_relid[GC_COUNT] = { BUS_SHUTDOWN, BUS_KVP, BUS_SESSIONS, BUS_EXEC };
_Static_assert(GUESTOS_SVC_SHUTDOWN == 1u << BUS_SHUTDOWN &&
		       GUESTOS_SVC_TIMESYNC == 1u << BUS_TIMESYNC &&
		       GUESTOS_SVC_HEARTBEAT == 1u << BUS_HEARTBEAT && GUESTOS_SVC_KVP == 1u << BUS_KVP &&
		       GUESTOS_SVC_SESSIONS == 1u << BUS_SESSIONS && GUESTOS_SVC_EXEC == 1u << BUS_EXEC,
	       "guestos_facts.services is indexed by relid");

static int chan_of_relid(uint32_t relid)
{
	for (int i = 0; i < GC_COUNT; i++)
		if (chan_relid[i] == relid)
			return i;
	return -1;
}

static enum gchan chan_of_op(enum guestos_op op)
{
	switch (op) {
	case GUESTOS_SHUTDOWN:
	case GUESTOS_RESTART:
		return GC_SHUTDOWN;
	case GUESTOS_PARAM_GET:
	case GUESTOS_PARAM_SET:
		return GC_KVP;
	case GUESTOS_EXECUTE:
		return GC_EXEC;
	default:
		return GC_SESSIONS;
	}
}

static struct gos *gos_of(uint32_t id)
{
	return id < HV_MAX_PARTITIONS ? &guests[id] : NULL;
}

/* ---- facts ---- */

/* The standard integration services are up (guestos_facts.additions). */
static bool all_ready(const struct gos *g)
{
	uint32_t all = GUESTOS_SVC_SHUTDOWN | GUESTOS_SVC_TIMESYNC | GUESTOS_SVC_HEARTBEAT |
		       GUESTOS_SVC_KVP;

	return (g->ready & all) == all;
}

bool guestos_facts(uint32_t id, struct guestos_facts *out)
{
	struct gos *g = gos_of(id);
	struct bus_ic_heartbeat hb;

	if (g == NULL || !events_is_guest(id))
		return false;
	*out = g->facts;
	out->additions = all_ready(g);
	out->services = g->ready;
	out->can_shutdown = (g->ready & (1u << BUS_SHUTDOWN)) != 0;
	bus_ic_heartbeat(id, &hb);
	out->heartbeat_known = hb.known;
	out->heartbeating = hb.beating;
	out->heartbeat_percentage = hb.known ? hb.percentage : 0;
	out->time_sync_enabled = !g->ts_disabled;
	return true;
}

bool guestos_time_sync_enabled(uint32_t id)
{
	struct gos *g = gos_of(id);

	return g == NULL || !g->ts_disabled;
}

uint32_t guestos_set_time_sync(uint32_t id, bool enabled)
{
	struct gos *g = gos_of(id);

	if (g == NULL || !events_is_guest(id))
		return VM_E_VM_UNKNOWN;
	if (enabled && g->ts_disabled)
		bus_ic_time_sync_now(id);
	g->ts_disabled = !enabled;
	return S_OK;
}

/* New KVP facts from a finished enumeration; NOTIFY_FACTS if they differ. */
void guestos_kvp_commit(uint32_t id, const struct guestos_kvp *k)
{
	struct guestos_facts *f = &guests[id].facts;
	bool changed = !f->kvp_known || memcmp(&f->kvp, k, sizeof(*k)) != 0;

	f->kvp = *k;
	f->kvp_known = true;
	if (changed)
		notify_post(id, NOTIFY_FACTS, 0, 0);
}

void guestos_sessions_commit(uint32_t id, uint32_t users, bool locked)
{
	struct guestos_facts *f = &guests[id].facts;
	bool changed = !f->sessions_known || f->users != users || f->screen_locked != locked;

	f->users = users;
	f->screen_locked = locked;
	f->sessions_known = true;
	if (changed)
		notify_post(id, NOTIFY_FACTS, 0, 0);
}

/* ---- the queues ---- */

/* Removes entry i of the channel's queue (0 is the one in flight, if any). */
static void queue_remove(struct gchan_state *c, uint32_t i)
{
	if (i >= c->count)
		return;
	memmove(&c->q[i], &c->q[i + 1], (c->count - i - 1) * sizeof(c->q[0]));
	c->count--;
}

/*
 * Completes the user request at the head with hr and `result` (filled by
 * the caller), then calls its done.  done may queue or cancel requests.
 */
static void finish_head(struct gchan_state *c, uint32_t hr)
{
	guestos_done_fn done = c->q[0].done;
	void *ctx = c->q[0].ctx;

	if (c->busy && c->job == JOB_USER)
		c->busy = false;
	queue_remove(c, 0);
	result.hresult = hr;
	if (done != NULL)
		done(ctx, &result);
}

static void result_reset(void)
{
	memset(&result, 0, sizeof(result));
}

static uint32_t check_args(const struct guestos_args *a)
{
	size_t n;

	if (a == NULL)
		return E_POINTER;
	switch (a->op) {
	case GUESTOS_EXECUTE:
		if (a->text == NULL)
			return E_POINTER;
		n = strnlen(a->text, IC_EXEC_MAX_COMMAND + 1);
		return n == 0 || n > IC_EXEC_MAX_COMMAND ? E_INVALIDARG : S_OK;
	case GUESTOS_PARAM_SET:
		if (a->value == NULL)
			return E_POINTER;
		if (!guestos_param_value_ok(a->value))
			return E_INVALIDARG;
		/* fall through */
	case GUESTOS_PARAM_GET:
		if (a->text == NULL)
			return E_POINTER;
		return guestos_param_name_ok(a->text) ? S_OK : E_INVALIDARG;
	case GUESTOS_SHUTDOWN:
	case GUESTOS_RESTART:
	case GUESTOS_LOGOFF:
	case GUESTOS_USERS:
		return S_OK;
	default:
		return E_INVALIDARG;
	}
}

static void store(struct greq *r, const struct guestos_args *a, guestos_done_fn done, void *ctx)
{
	size_t n = 0;

	memset(r, 0, offsetof(struct greq, data));
	r->op = a->op;
	r->forced = a->forced;
	r->done = done;
	r->ctx = ctx;
	r->deadline = bus_now_ms() + GUESTOS_REQUEST_TIMEOUT_MS;
	if (a->text != NULL)
		n = lib_strlcpy(r->data, a->text, IC_EXEC_MAX_COMMAND + 1);
	if (n > IC_EXEC_MAX_COMMAND)
		n = IC_EXEC_MAX_COMMAND;
	r->data[n] = '\0';
	r->value_at = (uint16_t)(n + 1);
	if (a->op == GUESTOS_PARAM_SET)
		lib_strlcpy(r->data + r->value_at, a->value, GUESTOS_PARAM_VALUE + 1);
	else
		r->data[r->value_at] = '\0';
}

uint32_t guestos_request(uint32_t id, const struct guestos_args *a, guestos_done_fn done, void *ctx)
{
	struct gos *g = gos_of(id);
	struct gchan_state *c;
	uint32_t hr;

	if (g == NULL || !events_is_guest(id))
		return VM_E_VM_UNKNOWN;
	hr = check_args(a);
	if (hr != S_OK)
		return hr;
	if (events_state(id) != HV_PARTITION_RUNNING)
		return VM_E_VM_NOT_RUNNING;
	c = &g->ch[chan_of_op(a->op)];
	if (!(g->ready & (1u << chan_relid[chan_of_op(a->op)])))
		return VM_E_ADDITIONS_FEATURE_NOT_AVAIL;
	if (c->count >= GUESTOS_QUEUE)
		return VM_E_OUT_OF_RESOURCE;
	store(&c->q[c->count++], a, done, ctx);
	return S_OK;
}

void guestos_cancel(void *ctx)
{
	for (uint32_t id = 0; id < HV_MAX_PARTITIONS; id++) {
		for (int k = 0; k < GC_COUNT; k++) {
			struct gchan_state *c = &guests[id].ch[k];
			uint32_t i = c->busy && c->job == JOB_USER ? 1 : 0;

			/* The one in flight stays until answered, so its answer is not misread. */
			if (i == 1 && c->q[0].ctx == ctx)
				c->q[0].done = NULL;
			while (i < c->count) {
				if (c->q[i].ctx == ctx)
					queue_remove(c, i);
				else
					i++;
			}
		}
	}
}

/* ---- the bus ---- */

void guestos_channel_ready(uint32_t id, uint32_t relid)
{
	struct gos *g = gos_of(id);
	int k = chan_of_relid(relid);

	if (g == NULL)
		return;
	g->ready |= 1u << relid;
	if (k == GC_KVP)
		g->kvp_due = bus_now_ms();
	if (k == GC_SESSIONS)
		g->sessions_due = bus_now_ms();
	if (all_ready(g) && !g->additions_posted) {
		g->additions_posted = true;
		notify_post(id, NOTIFY_ADDITIONS, 1, 0);
	}
}

static void forget_facts(struct gos *g, uint32_t id, int k)
{
	struct guestos_facts *f = &g->facts;
	bool had = k == GC_KVP ? f->kvp_known : f->sessions_known;

	if (k == GC_KVP) {
		f->kvp_known = false;
		memset(&f->kvp, 0, sizeof(f->kvp));
		g->kvp_round = false;
	} else {
		f->sessions_known = false;
		f->screen_locked = false;
		f->users = 0;
		g->sessions_round = false;
	}
	if (had)
		notify_post(id, NOTIFY_FACTS, 0, 0);
}

void guestos_channel_down(uint32_t id, uint32_t relid)
{
	struct gos *g = gos_of(id);
	int k = chan_of_relid(relid);
	bool was = g != NULL && (g->ready & (1u << relid)) != 0;

	if (g == NULL)
		return;
	g->ready &= ~(1u << relid);
	if (g->additions_posted && !all_ready(g)) {
		g->additions_posted = false;
		notify_post(id, NOTIFY_ADDITIONS, 0, 0);
	}
	if (relid == BUS_HEARTBEAT && g->beating) {
		g->beating = false;
		notify_post(id, NOTIFY_HEARTBEAT, 0, 0);
	}
	if (k < 0 || !was)
		return;
	if (k == GC_KVP || k == GC_SESSIONS)
		forget_facts(g, id, k);
	g->ch[k].busy = false;
	while (g->ch[k].count != 0) {
		/* Closed for want of an answer (bus_ic.c): what is overdue timed out. */
		bool late = (int64_t)(bus_now_ms() - g->ch[k].q[0].deadline) >= 0;

		result_reset();
		finish_head(&g->ch[k], late ? VM_E_TIMED_OUT : VM_E_VM_NOT_RUNNING);
	}
}

const char *guestos_answer(uint32_t id, uint32_t relid, const struct ic_msg *m)
{
	struct gos *g = gos_of(id);
	int k = chan_of_relid(relid);
	struct gchan_state *c;
	const char *why = NULL;
	uint32_t hr;

	if (g == NULL || k < 0)
		return NULL;
	c = &g->ch[k];
	if (!c->busy || m->hdr.trans_id != c->tid) {
		kprintf("root: guestos %s: %s answer %u not awaited (late or unasked), ignored\n",
			events_name(id), bus_service_name(relid), m->hdr.trans_id);
		return NULL;
	}
	if (c->job != JOB_USER) {
		c->busy = false;
		return guestos_refresh_answer(g, id, k, c->job, m);
	}
	result_reset();
	hr = guestos_decode(&c->q[0], m, &result, &why);
	if (hr == GUESTOS_DECODE_AGAIN) {
		c->busy = false; /* send_next asks again, within the same deadline */
		return why;
	}
	if (c->q[0].op == GUESTOS_LOGOFF)
		g->sessions_due = bus_now_ms(); /* the user count changed */
	finish_head(c, hr);
	return why;
}

/* ---- polling ---- */

static void send_next(struct gos *g, uint32_t id, int k, uint64_t now)
{
	struct gchan_state *c = &g->ch[k];
	int rc;

	if (c->busy || !(g->ready & (1u << chan_relid[k])))
		return;
	if (c->count != 0) {
		rc = guestos_send_request(id, chan_relid[k], &c->q[0], now, &c->tid);
		if (rc < 0 && !(g->ready & (1u << chan_relid[k])))
			return; /* the send closed the channel: guestos_channel_down failed the queue */
		if (rc < 0) {
			kprintf("root: guestos %s: %s request not sent (%d)\n", events_name(id),
				bus_service_name(chan_relid[k]), rc);
			result_reset();
			finish_head(c, E_FAIL);
			return;
		}
		c->job = JOB_USER;
	} else {
		enum gjob j = guestos_refresh_next(g, id, k, now, &c->tid);

		if (j == JOB_NONE)
			return;
		c->job = j;
	}
	c->busy = true;
	c->sent_ms = now;
}

static void expire(struct gos *g, uint32_t id, int k, uint64_t now)
{
	struct gchan_state *c = &g->ch[k];
	uint32_t i = 0;

	if (c->busy && c->job != JOB_USER && now - c->sent_ms >= GUESTOS_REQUEST_TIMEOUT_MS) {
		c->busy = false;
		guestos_refresh_timeout(g, id, k, now);
	}
	while (i < c->count) {
		if ((int64_t)(now - c->q[i].deadline) < 0) {
			i++;
			continue;
		}
		result_reset();
		if (i == 0) {
			finish_head(c, VM_E_TIMED_OUT);
		} else {
			struct greq r = c->q[i];

			queue_remove(c, i);
			result.hresult = VM_E_TIMED_OUT;
			if (r.done != NULL)
				r.done(r.ctx, &result);
		}
	}
}

static void heartbeat_watch(struct gos *g, uint32_t id)
{
	struct bus_ic_heartbeat hb;
	bool beating;

	bus_ic_heartbeat(id, &hb);
	beating = hb.known && hb.beating;
	if (beating != g->beating) {
		g->beating = beating;
		notify_post(id, NOTIFY_HEARTBEAT, beating ? 1 : 0, 0);
	}
}

void guestos_poll(uint64_t now_ms)
{
	for (uint32_t id = 0; id < HV_MAX_PARTITIONS; id++) {
		struct gos *g = &guests[id];

		if (g->ready == 0)
			continue;
		heartbeat_watch(g, id);
		for (int k = 0; k < GC_COUNT; k++) {
			expire(g, id, k, now_ms);
			send_next(g, id, k, now_ms);
		}
	}
}
