/*
 * The events log (api_events.h) and GET /api/v1/events?since=SEQ&wait=MS.
 * A long-poll answers at once when the log holds events newer than since
 * that the caller's token may read, else it waits (deferred) until such
 * an event is posted or its wait ends (api_poll).  One answer carries at
 * most API_EVENTS_PER_ANSWER events; "next" is what to pass as since for
 * the following call, "missed" counts events that left the ring unread.
 */
#include "api_events.h"
#include "api_int.h"
#include "api_routes.h"

#include <common/notify.h>

#include <lib/format.h>
#include <lib/string.h>

#define API_EVENTS_PER_ANSWER 64u

static struct stored {
	uint64_t seq, time_ms;
	char vm[HV_NAME_LEN + 1];
	struct api_event e;
} ring[API_EVENTS_KEPT];
static uint64_t next_seq = 1;

static struct waiter {
	struct http_conn *conn;             /* NULL: free */
	const struct hv_mgmt_token *token;  /* tokens live in the static configuration */
	uint64_t since, deadline_ms;
} waiters[API_MAX_DEFERRED];

static struct {
	bool known;
	uint32_t cause;
} last_cause[HV_MAX_PARTITIONS];

static char out[16384];
static api_event_fn listener;

static const char *const type_names[] = {
	"stateChanged", "heartbeatStopped", "heartbeatRestored", "additionsReady", "additionsLost",
	"taskCompleted",
};

static uint64_t oldest_seq(void)
{
	return next_seq > API_EVENTS_KEPT ? next_seq - API_EVENTS_KEPT : 1;
}

static const struct stored *at(uint64_t seq)
{
	return &ring[seq % API_EVENTS_KEPT];
}

static bool visible(const struct hv_mgmt_token *token, const struct stored *s)
{
	return api_allowed(token, s->vm, HV_MGMT_RIGHT_READ);
}

/* Where a reader that has seen since starts reading. */
static uint64_t first_unseen(uint64_t since)
{
	return since + 1 < oldest_seq() ? oldest_seq() : since + 1;
}

static bool has_news(const struct hv_mgmt_token *token, uint64_t since)
{
	bool found = false;

	for (uint64_t q = first_unseen(since); q < next_seq && !found; q++)
		found = visible(token, at(q));
	return found;
}

static void write_event(struct jw *w, const struct stored *s)
{
	const struct api_event *e = &s->e;
	const char *err;

	jw_obj_begin(w);
	jw_key(w, "seq");
	jw_uint(w, s->seq);
	jw_key(w, "timeMs");
	jw_uint(w, s->time_ms);
	jw_key(w, "vm");
	jw_str(w, s->vm);
	jw_key(w, "type");
	jw_str(w, (unsigned)e->type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[e->type]
										 : "unknown");
	if (e->type == API_EV_STATE_CHANGED) {
		jw_key(w, "state");
		jw_str(w, api_state_name(e->state));
		jw_key(w, "cause");
		jw_str(w, api_cause_name(e->cause));
	} else if (e->type == API_EV_TASK_COMPLETED) {
		err = hresult_name(e->hresult);
		jw_key(w, "task");
		jw_uint(w, e->task);
		jw_key(w, "result");
		jw_str(w, task_result_name(e->result));
		jw_key(w, "error");
		jw_hresult(w, e->hresult);
		jw_key(w, "errorName");
		if (err)
			jw_str(w, err);
		else
			jw_null(w);
	}
	jw_obj_end(w);
}

/* The answer for a reader that has seen since, into out. */
static void write_answer(struct jw *w, const struct hv_mgmt_token *token, uint64_t since)
{
	uint64_t q = first_unseen(since), last = next_seq - 1;
	uint64_t missed = q - since - 1;
	unsigned n = 0;

	jw_init(w, out, sizeof(out));
	jw_obj_begin(w);
	jw_key(w, "events");
	jw_arr_begin(w);
	for (; q < next_seq && n < API_EVENTS_PER_ANSWER; q++) {
		if (visible(token, at(q))) {
			write_event(w, at(q));
			n++;
		}
		last = q;
	}
	jw_arr_end(w);
	jw_key(w, "next");
	jw_uint(w, last);
	jw_key(w, "missed");
	jw_uint(w, missed);
	jw_obj_end(w);
}

static void waiter_answer(struct waiter *wt)
{
	struct http_conn *c = wt->conn;
	struct jw w;

	write_answer(&w, wt->token, wt->since);
	wt->conn = NULL;
	api_reply_json_conn(c, 200, &w);
}

void api_event_post(const struct api_event *e)
{
	struct stored *s = &ring[next_seq % API_EVENTS_KEPT];
	const char *name = backend_vm_name(e->vm_id);

	s->seq = next_seq;
	s->time_ms = backend_now_ms();
	s->e = *e;
	fmt_snprintf(s->vm, sizeof(s->vm), "%s", name ? name : "");
	next_seq++;
	for (unsigned i = 0; i < API_MAX_DEFERRED; i++)
		if (waiters[i].conn && visible(waiters[i].token, s))
			waiter_answer(&waiters[i]);
	if (listener)
		listener(s->seq, s->time_ms, s->vm, &s->e);
}

void api_events_listen(api_event_fn fn)
{
	listener = fn;
}

bool api_events_last_cause(uint32_t id, uint32_t *cause)
{
	bool known = id < HV_MAX_PARTITIONS && last_cause[id].known;

	if (known)
		*cause = last_cause[id].cause;
	return known;
}

static void on_notify(const struct notify *n)
{
	struct api_event e = { .vm_id = n->id };
	bool post = true;

	if (n->kind == NOTIFY_STATE) {
		e.type = API_EV_STATE_CHANGED;
		e.state = n->arg;
		e.cause = n->arg2;
		if (n->id < HV_MAX_PARTITIONS) {
			last_cause[n->id].known = true;
			last_cause[n->id].cause = n->arg2;
		}
	} else if (n->kind == NOTIFY_HEARTBEAT) {
		e.type = n->arg ? API_EV_HEARTBEAT_RESTORED : API_EV_HEARTBEAT_STOPPED;
	} else if (n->kind == NOTIFY_ADDITIONS) {
		e.type = n->arg ? API_EV_ADDITIONS_READY : API_EV_ADDITIONS_LOST;
	} else {
		post = false;   /* NOTIFY_FACTS: read through GET guestos, not an event */
	}
	if (post)
		api_event_post(&e);
}

void api_events_init(void)
{
	if (!notify_listen(on_notify))
		backend_log("root: api: no room for the events listener: GET /api/v1/events stays empty\n");
}

void api_events_poll(uint64_t now_ms)
{
	for (unsigned i = 0; i < API_MAX_DEFERRED; i++)
		if (waiters[i].conn && now_ms >= waiters[i].deadline_ms)
			waiter_answer(&waiters[i]);
}

void api_events_reset(void)
{
	memset(ring, 0, sizeof(ring));
	memset(waiters, 0, sizeof(waiters));
	memset(last_cause, 0, sizeof(last_cause));
	next_seq = 1;
}

static void waiter_gone(struct http_conn *c, void *arg)
{
	struct waiter *wt = arg;

	(void)c;
	wt->conn = NULL;
}

static enum api_disposition events_get(struct api_ctx *ctx)
{
	int64_t since = 0, wait = API_EVENTS_WAIT_DEFAULT_MS;
	struct waiter *wt = NULL;
	struct jw w;

	if (api_query_int(ctx->rq, "since", 0, INT64_MAX, &since) == API_FIELD_BAD)
		return api_reply_error(ctx, 400, E_INVALIDARG, "since must be an event sequence number");
	if (api_query_int(ctx->rq, "wait", 0, API_EVENTS_WAIT_MAX_MS, &wait) == API_FIELD_BAD)
		return api_reply_error(ctx, 400, E_INVALIDARG,
				       "wait must be a number of milliseconds from 0 to 60000");
	/* A since from the future (a client of an earlier root) means "from now on". */
	if ((uint64_t)since >= next_seq)
		since = (int64_t)(next_seq - 1);
	if (wait == 0 || has_news(ctx->token, (uint64_t)since)) {
		write_answer(&w, ctx->token, (uint64_t)since);
		return api_reply_json(ctx, 200, &w);
	}
	for (unsigned i = 0; i < API_MAX_DEFERRED && !wt; i++)
		if (!waiters[i].conn)
			wt = &waiters[i];
	if (!wt || !api_defer(ctx, waiter_gone, wt))
		return api_reply_defer_refused(ctx);
	wt->conn = ctx->conn;
	wt->token = ctx->token;
	wt->since = (uint64_t)since;
	wt->deadline_ms = backend_now_ms() + (uint64_t)wait;
	return API_DEFERRED;
}

const struct api_route events_routes[] = {
	{ HTTP_M_GET, API_PREFIX "/events", HV_MGMT_RIGHT_READ, events_get },
};
const size_t events_routes_count = sizeof(events_routes) / sizeof(events_routes[0]);
