/*
 * Answers: JSON and error bodies, the HTTP status of each HRESULT, the
 * registry of deferred requests (so a client that goes away cancels what
 * its request started, and no token holds more than its share of the
 * connections with waits) and the count of answers per status for
 * GET /metrics.
 */
#include "api.h"
#include "api_reply.h"

#include <lib/string.h>

#define MESSAGE_MAX 200u
#define STATUS_KINDS 16u

static struct deferred {
	struct http_conn *conn;     /* NULL: free */
	const struct hv_mgmt_token *token;
	api_gone_fn gone;
	void *arg;
} deferred[API_MAX_DEFERRED];

/* Why the latest api_defer said no (api_reply_defer_refused answers it). */
static bool refused_for_share;

/* Room for every status the API sends (api_status_of and the routes' own). */
static struct http_status_count counts[STATUS_KINDS];

void api_count_response(int status)
{
	http_status_count_add(counts, STATUS_KINDS, status);
}

const struct http_status_count *api_response_counts(unsigned *n)
{
	*n = http_status_count_used(counts, STATUS_KINDS);
	return counts;
}

int api_status_of(uint32_t hresult)
{
	static const struct {
		uint32_t hr;
		int status;
	} map[] = {
		{ S_OK, 200 },
		{ E_INVALIDARG, 400 },
		{ VM_E_PREF_ILLEGAL_VALUE, 400 },
		{ E_ACCESSDENIED, 403 },
		{ VM_E_VM_UNKNOWN, 404 },
		{ VM_E_PREF_NOT_FOUND, 404 },
		{ HR_ERROR_NOT_SUPPORTED, 404 },
		{ VM_E_VM_NOT_RUNNING, 409 },
		{ VM_E_VM_RUNNING, 409 },
		{ VM_E_VM_RUNNING_OR_SAVED, 409 },
		{ VM_E_ADDITIONS_NOT_AVAIL, 409 },
		{ VM_E_ADDITIONS_FEATURE_NOT_AVAIL, 409 },
		{ E_FAIL, 409 },
		{ HR_ERROR_NOT_READY, 409 },
		{ HR_ERROR_MACHINE_LOCKED, 409 },
		{ HR_ERROR_SHUTDOWN_IN_PROGRESS, 409 },
		{ HR_ERROR_NO_SUCH_LOGON_SESSION, 409 },
		{ VM_E_OUT_OF_RESOURCE, 503 },
		{ VM_E_TIMED_OUT, 504 },
	};
	int status = 500;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].hr == hresult)
			status = map[i].status;
	return status;
}

static void reply_send(struct http_conn *c, int status, const char *type, const char *body, size_t len)
{
	api_count_response(status);
	http_respond(c, status, type, body, len);
}

static void write_error(struct jw *w, uint32_t hresult, const char *name, const char *message)
{
	jw_obj_begin(w);
	jw_key(w, "error");
	jw_obj_begin(w);
	jw_key(w, "hresult");
	jw_hresult(w, hresult);
	jw_key(w, "name");
	if (name)
		jw_str(w, name);
	else
		jw_null(w);
	jw_key(w, "message");
	/* Messages may quote the caller's input: bounded (escaping may still grow it sixfold). */
	jw_strn(w, message, strnlen(message, MESSAGE_MAX));
	jw_obj_end(w);
	jw_obj_end(w);
}

static void send_error(struct http_conn *c, int status, uint32_t hresult, const char *message)
{
	static char buf[6 * MESSAGE_MAX + 256];
	const char *name = hresult_name(hresult);
	struct jw w;

	if (!message || !message[0])
		message = name ? name : "error";
	jw_init(&w, buf, sizeof(buf));
	write_error(&w, hresult, name, message);
	if (w.overflow) {
		jw_init(&w, buf, sizeof(buf));
		write_error(&w, hresult, name, "error");
	}
	reply_send(c, status, "application/json", buf, w.len);
}

/* A body the writer could not fit is a server fault, answered as one. */
static void send_json(struct http_conn *c, int status, const struct jw *body)
{
	if (body->overflow || body->depth != 0)
		send_error(c, 500, E_OUTOFMEMORY, "the response did not fit the server's buffer");
	else
		reply_send(c, status, "application/json", body->buf, body->len);
}

enum api_disposition api_reply_json(struct api_ctx *ctx, int status, const struct jw *body)
{
	send_json(ctx->conn, status, body);
	return API_ANSWERED;
}

enum api_disposition api_reply_error(struct api_ctx *ctx, int status, uint32_t hresult,
				     const char *message)
{
	send_error(ctx->conn, status, hresult, message);
	return API_ANSWERED;
}

enum api_disposition api_reply_text(struct api_ctx *ctx, int status, const char *content_type,
				    const char *body, size_t len)
{
	reply_send(ctx->conn, status, content_type, body, len);
	return API_ANSWERED;
}

static struct deferred *deferred_find(struct http_conn *c)
{
	struct deferred *d = NULL;

	for (unsigned i = 0; i < API_MAX_DEFERRED && !d; i++)
		if (deferred[i].conn == c)
			d = &deferred[i];
	return d;
}

static unsigned deferred_of(const struct hv_mgmt_token *token)
{
	unsigned n = 0;

	for (unsigned i = 0; i < API_MAX_DEFERRED; i++)
		n += deferred[i].conn != NULL && deferred[i].token == token;
	return n;
}

bool api_defer(struct api_ctx *ctx, api_gone_fn gone, void *arg)
{
	struct deferred *d = NULL;

	refused_for_share = ctx->token && deferred_of(ctx->token) >= API_MAX_DEFERRED_PER_TOKEN;
	if (!refused_for_share)
		d = deferred_find(NULL);
	if (d) {
		d->conn = ctx->conn;
		d->token = ctx->token;
		d->gone = gone;
		d->arg = arg;
	}
	return d != NULL;
}

enum api_disposition api_reply_defer_refused(struct api_ctx *ctx)
{
	bool share = refused_for_share;

	/* A caller whose own table was full did not ask api_defer: no stale reason. */
	refused_for_share = false;
	http_add_header(ctx->conn, "Retry-After: 1");
	if (share)
		return api_reply_error(ctx, 429, VM_E_OUT_OF_RESOURCE,
				       "this token already has as many requests waiting as it may");
	return api_reply_error(ctx, 503, VM_E_OUT_OF_RESOURCE, "too many requests waiting");
}

bool api_stream_begin(struct api_ctx *ctx, int status, const char *content_type,
		      api_gone_fn gone, void *arg)
{
	bool ok = api_defer(ctx, gone, arg);

	if (ok && !http_stream_begin(ctx->conn, status, content_type)) {
		deferred_find(ctx->conn)->conn = NULL;
		ok = false;
	}
	if (ok)
		api_count_response(status);
	return ok;
}

unsigned api_deferred_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < API_MAX_DEFERRED; i++)
		n += deferred[i].conn != NULL;
	return n;
}

static void deferred_end(struct http_conn *c)
{
	struct deferred *d = deferred_find(c);

	if (d)
		d->conn = NULL;
}

void api_stream_end(struct http_conn *c)
{
	deferred_end(c);
	http_stream_end(c);
}

void api_reply_json_conn(struct http_conn *c, int status, const struct jw *body)
{
	deferred_end(c);
	send_json(c, status, body);
}

void api_reply_error_conn(struct http_conn *c, int status, uint32_t hresult, const char *message)
{
	deferred_end(c);
	send_error(c, status, hresult, message);
}

void api_conn_gone(struct http_conn *c)
{
	struct deferred *d = c ? deferred_find(c) : NULL;

	if (d) {
		d->conn = NULL;
		d->gone(c, d->arg);
	}
}
