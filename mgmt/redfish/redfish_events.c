/*
 * The EventService and its Server-Sent Events stream
 * (GET /redfish/v1/EventService/SSE, the ServerSentEventUri): every entry
 * of the native events log (mgmt/api/api_events.c) on a system the
 * caller may read, as one Redfish Event per SSE message
 *   id: <seq>
 *   data: {"@odata.type":"#Event...","Id":"<seq>","Events":[{...}]}
 * Power state changes are ResourceEvent's ResourcePoweredOn/Off and
 * ResourcePoweringOn/Off (a fault is ResourceStatusChangedCritical),
 * heartbeat changes the
 * system's health, task completions TaskEvent's TaskCompletedOK,
 * TaskAborted or TaskCancelled; Oem.Hv carries hv's state and cause or
 * the task's result and HRESULT.
 *
 * At most RF_SSE_PER_TOKEN streams per token and RF_SSE_MAX in all.  A
 * stream opened with a session ends when the session does; a comment line
 * every RF_SSE_KEEPALIVE_MS keeps idle connections alive and finds dead
 * ones; a client that falls HTTP_MAX_RESPONSE bytes behind is dropped
 * (http_stream_write refuses), and so is one that stops reading.
 * Push subscriptions (EventDestination) are not offered: the root opens
 * no outbound connections.
 */
#include "redfish_int.h"

#include <api/api_events.h>
#include <backend/backend.h>

#include <lib/format.h>
#include <lib/string.h>

#define RF_SSE_PER_TOKEN 2u
#define RF_SSE_MAX 16u
#define RF_SSE_KEEPALIVE_MS 20000u
#define SSE_URI RF_ROOT "/EventService/SSE"

struct stream {
	struct http_conn *conn;             /* NULL: free */
	const struct hv_mgmt_token *token;
	uint32_t session;                   /* 0: opened with Basic or Bearer */
	uint64_t last_ms;                   /* last write */
};

static struct stream streams[RF_SSE_MAX];
static char event_json[2048];
static char frame[sizeof(event_json) + 64];

static void stream_end(struct stream *s, const char *why)
{
	struct http_conn *c = s->conn;

	backend_log("root: redfish: event stream of %.*s closed: %s\n", (int)HV_MGMT_NAME_LEN,
		    s->token->name, why);
	s->conn = NULL;
	api_stream_end(c);
}

static bool stream_write(struct stream *s, const char *text, size_t len)
{
	bool ok = http_stream_write(s->conn, text, len);

	if (ok)
		s->last_ms = backend_now_ms();
	else
		stream_end(s, "the client fell behind");
	return ok;
}

/* The registry message of a logged event, its arguments and what it is about. */
static enum rf_msg event_message(const struct api_event *e, const char *vm, const char **args,
				 unsigned *nargs, char *origin, size_t cap)
{
	static const enum rf_msg power[] = { RF_M_RESOURCE_POWERED_OFF, RF_M_RESOURCE_POWERING_ON,
					     RF_M_RESOURCE_POWERED_ON, RF_M_RESOURCE_POWERING_OFF,
					     RF_M_STATUS_CHANGED_CRITICAL };
	static char task_id[12];
	enum rf_msg m = RF_M_RESOURCE_CHANGED;

	fmt_snprintf(origin, cap, RF_ROOT "/Systems/%s", vm);
	args[0] = vm;
	args[1] = e->type == API_EV_HEARTBEAT_STOPPED ? "Warning" : "OK";
	*nargs = 1;
	if (e->type == API_EV_STATE_CHANGED && e->state < sizeof(power) / sizeof(power[0]))
		m = power[e->state];
	else if (e->type == API_EV_HEARTBEAT_STOPPED || e->type == API_EV_HEARTBEAT_RESTORED)
		m = e->type == API_EV_HEARTBEAT_STOPPED ? RF_M_STATUS_CHANGED_WARNING
							: RF_M_STATUS_CHANGED_OK;
	else if (e->type == API_EV_ADDITIONS_READY || e->type == API_EV_ADDITIONS_LOST)
		*nargs = 0;
	if (m == RF_M_STATUS_CHANGED_CRITICAL)
		args[1] = "Critical";
	if (m >= RF_M_STATUS_CHANGED_OK && m <= RF_M_STATUS_CHANGED_CRITICAL)
		*nargs = 2;
	if (e->type == API_EV_TASK_COMPLETED) {
		fmt_snprintf(task_id, sizeof(task_id), "%u", e->task);
		fmt_snprintf(origin, cap, RF_ROOT "/TaskService/Tasks/%u", e->task);
		args[0] = task_id;
		*nargs = 1;
		m = e->result == TASK_SUCCESS ? RF_M_TASK_COMPLETED_OK :
		    e->result == TASK_CANCELLED ? RF_M_TASK_CANCELLED : RF_M_TASK_ABORTED;
	}
	return m;
}

static void write_oem(struct jw *w, uint64_t time_ms, const char *vm, const struct api_event *e)
{
	bool state = e->type == API_EV_STATE_CHANGED, task = e->type == API_EV_TASK_COMPLETED;
	char uri[96];

	fmt_snprintf(uri, sizeof(uri), RF_ROOT "/Systems/%s", vm);
	jw_key(w, "Oem");
	jw_obj_begin(w);
	jw_key(w, "Hv");
	jw_obj_begin(w);
	jw_key(w, "@odata.type");
	jw_str(w, "#Hv.v1_0_0.EventRecord");
	jw_key(w, "TimeMs");
	jw_uint(w, time_ms);
	jw_key(w, "System");
	jw_str(w, uri);
	jw_key(w, "State");
	jw_str_or_null(w, state ? api_state_name(e->state) : NULL);
	jw_key(w, "Cause");
	jw_str_or_null(w, state ? api_cause_name(e->cause) : NULL);
	jw_key(w, "Task");
	jw_uint_or_null(w, task, e->task);
	jw_key(w, "Result");
	jw_str_or_null(w, task ? task_result_name(e->result) : NULL);
	jw_key(w, "HResult");
	if (task)
		jw_hresult(w, e->hresult);
	else
		jw_null(w);
	jw_key(w, "HResultName");
	jw_str_or_null(w, task ? hresult_name(e->hresult) : NULL);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* The SSE message of one event into frame; its length, 0 if it did not fit. */
static size_t event_frame(uint64_t seq, uint64_t time_ms, const char *vm, const struct api_event *e)
{
	const char *args[2];
	unsigned nargs;
	char origin[96], id[24], type[48];
	enum rf_msg m = event_message(e, vm, args, &nargs, origin, sizeof(origin));
	struct jw w;
	size_t n;

	fmt_snprintf(id, sizeof(id), "%llu", (unsigned long long)seq);
	jw_init(&w, event_json, sizeof(event_json));
	jw_obj_begin(&w);
	jw_key(&w, "@odata.type");
	jw_str(&w, rf_odata_type(RF_T_EVENT, type, sizeof(type)));
	jw_key(&w, "Id");
	jw_str(&w, id);
	jw_key(&w, "Name");
	jw_str(&w, "hv event");
	jw_key(&w, "Events");
	jw_arr_begin(&w);
	jw_obj_begin(&w);
	jw_key(&w, "EventId");
	jw_str(&w, id);
	rf_msg_fields(&w, m, args, nargs);
	rf_link(&w, "OriginOfCondition", "%s", origin);
	write_oem(&w, time_ms, vm, e);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (w.overflow)
		return 0;
	n = fmt_snprintf(frame, sizeof(frame), "id: %s\ndata: %s\n\n", id, event_json);
	return n < sizeof(frame) ? n : 0;
}

/* The events log's listener: each new event to the streams that may read its system. */
static void on_event(uint64_t seq, uint64_t time_ms, const char *vm, const struct api_event *e)
{
	size_t n = 0;

	for (unsigned i = 0; i < RF_SSE_MAX; i++) {
		struct stream *s = &streams[i];

		if (!s->conn || !api_allowed(s->token, vm, HV_MGMT_RIGHT_READ))
			continue;
		if (n == 0)
			n = event_frame(seq, time_ms, vm, e);
		if (n > 0)
			stream_write(s, frame, n);
	}
}

static void stream_gone(struct http_conn *c, void *arg)
{
	struct stream *s = arg;

	if (s->conn == c)
		s->conn = NULL;
}

/* A free stream slot for ctx's token; NULL after answering 503. */
static struct stream *stream_slot(struct api_ctx *ctx, enum api_disposition *d)
{
	struct stream *free_slot = NULL;
	unsigned held = 0;

	for (unsigned i = 0; i < RF_SSE_MAX; i++) {
		if (!streams[i].conn && !free_slot)
			free_slot = &streams[i];
		held += streams[i].conn && streams[i].token == ctx->token;
	}
	if (held >= RF_SSE_PER_TOKEN || !free_slot) {
		*d = rf_error(ctx, 503, VM_E_OUT_OF_RESOURCE,
			      RF_M_EVENT_SUBSCRIPTION_LIMIT_EXCEEDED, NULL, 0,
			      held >= RF_SSE_PER_TOKEN ?
				      "this token has all the event streams it may open" :
				      "the service has all the event streams it serves");
		free_slot = NULL;
	}
	return free_slot;
}

static enum api_disposition sse(struct api_ctx *ctx)
{
	static const char hello[] = ": hv event stream\n\n";
	enum api_disposition d = API_ANSWERED;
	struct stream *s;

	if (ctx->rq->method == HTTP_M_HEAD)
		return api_reply_text(ctx, 200, "text/event-stream", "", 0);
	s = stream_slot(ctx, &d);
	if (!s)
		return d;
	if (!api_stream_begin(ctx, 200, "text/event-stream", stream_gone, s))
		return rf_error_hr(ctx, VM_E_OUT_OF_RESOURCE,
				   "too many requests waiting, this token's or in all");
	s->conn = ctx->conn;
	s->token = ctx->token;
	s->session = rf_caller_session();
	s->last_ms = backend_now_ms();
	stream_write(s, hello, sizeof(hello) - 1);
	return API_ANSWERED;
}

static enum api_disposition event_service(struct api_ctx *ctx)
{
	static const char *const prefixes[] = { "ResourceEvent", "TaskEvent" };
	static const char *const types[] = { "ComputerSystem", "Task" };
	struct jw *w = rf_json();

	rf_resource_begin(w, RF_T_EVENT_SERVICE, RF_ROOT "/EventService");
	rf_id_name(w, "EventService", "Event Service");
	rf_service_enabled(w);
	jw_key(w, "ServerSentEventUri");
	jw_str(w, SSE_URI);
	jw_key(w, "RegistryPrefixes");
	jw_arr_begin(w);
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		jw_str(w, prefixes[i]);
	jw_arr_end(w);
	jw_key(w, "ResourceTypes");
	jw_arr_begin(w);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		jw_str(w, types[i]);
	jw_arr_end(w);
	jw_obj_end(w);
	return rf_reply_resource(ctx, w);
}

void rf_events_init(void)
{
	memset(streams, 0, sizeof(streams));
	api_events_listen(on_event);
}

void rf_events_poll(uint64_t now_ms)
{
	static const char keepalive[] = ":\n\n";

	for (unsigned i = 0; i < RF_SSE_MAX; i++) {
		struct stream *s = &streams[i];

		if (!s->conn)
			continue;
		if (s->session && !rf_session_alive(s->session))
			stream_end(s, "its session ended");
		else if (now_ms > s->last_ms && now_ms - s->last_ms >= RF_SSE_KEEPALIVE_MS)
			stream_write(s, keepalive, sizeof(keepalive) - 1);
	}
}

const struct api_route rf_events_routes[] = {
	{ HTTP_M_GET, RF_ROOT "/EventService", 0, event_service },
	{ HTTP_M_GET, SSE_URI, HV_MGMT_RIGHT_READ, sse },
};
const size_t rf_events_routes_count = sizeof(rf_events_routes) / sizeof(rf_events_routes[0]);
