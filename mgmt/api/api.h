/*
 * The management API's internal contract (docs/api.md): the router hands
 * each authenticated, authorised request to a route handler with an
 * api_ctx; handlers answer with api_reply_json / api_reply_error, or keep
 * ctx->conn and answer later (API_DEFERRED; see http.h for the rules).
 * Route tables live with their resources (api_vms.c, api_guestos.c,
 * api_tasks.c, ...) and are listed once in api_router.c (api_routes.h).
 *
 * Deferred answers: a handler that answers later calls api_defer (which
 * registers what to undo if the client goes away) and returns
 * API_DEFERRED; it answers later with api_reply_json_conn or
 * api_reply_error_conn, which end the deferral.  If http/ reports the
 * connection gone first, the gone callback runs and the handle is dead.
 */
#ifndef MGMT_API_H
#define MGMT_API_H

#include <hv/mgmtcfg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_write.h"

#include <common/hresult.h>
#include <http/http.h>

#define API_PREFIX "/api/v1"
#define API_MAX_CAPTURES 3

struct api_ctx {
	struct http_conn *conn;
	const struct http_request *rq;
	const struct hv_mgmt_token *token;  /* the caller (authenticated) */
	int32_t vm_id;                      /* partition id of {vm}, -1 if the route has none */
	const char *vm_name;                /* NUL-terminated, "" if none */
	/* other {captures} in route order after {vm}, percent-decoded, NUL-terminated */
	const char *captures[API_MAX_CAPTURES];
	unsigned ncaptures;
};

typedef enum api_disposition (*api_route_fn)(struct api_ctx *ctx);

struct api_route {
	enum http_method method;
	const char *pattern;    /* "/api/v1/vms/{vm}/guestos/parameters/{name}" */
	uint32_t right;         /* HV_MGMT_RIGHT_* required on {vm} (or on any VM if no {vm}); 0: any token */
	api_route_fn fn;
};

/* Answer helpers: exactly one per request. */
enum api_disposition api_reply_json(struct api_ctx *ctx, int status, const struct jw *body);
/* {"error":{"hresult":"0x...","name":"...","message":"..."}} */
enum api_disposition api_reply_error(struct api_ctx *ctx, int status, uint32_t hresult,
				     const char *message);
/* The HTTP status that fits an HRESULT (404 VM_E_VM_UNKNOWN, 409 VM_E_VM_NOT_RUNNING, ...). */
int api_status_of(uint32_t hresult);
/* Same as api_reply_error for a connection kept after API_DEFERRED. */
void api_reply_error_conn(struct http_conn *c, int status, uint32_t hresult, const char *message);
/* Same as api_reply_json for a connection kept after API_DEFERRED. */
void api_reply_json_conn(struct http_conn *c, int status, const struct jw *body);
/* A text body (GET /metrics). */
enum api_disposition api_reply_text(struct api_ctx *ctx, int status, const char *content_type,
				    const char *body, size_t len);

/* Runs if the client of a deferred request goes away before the answer. */
typedef void (*api_gone_fn)(struct http_conn *c, void *arg);
#define API_MAX_DEFERRED HTTP_MAX_CONNS
/*
 * Deferred requests one token may have at once: a quarter of the
 * connections, so that one caller's long-polls and waits cannot take the
 * server from everyone else (docs/api.md, "Limits").
 */
#define API_MAX_DEFERRED_PER_TOKEN (API_MAX_DEFERRED / 4u)
/*
 * Marks ctx's request as answered later; gone(conn, arg) runs if the
 * connection goes away first.  false when ctx's token already has
 * API_MAX_DEFERRED_PER_TOKEN requests waiting, or API_MAX_DEFERRED
 * requests are waiting in all: then answer now with
 * api_reply_defer_refused.
 */
bool api_defer(struct api_ctx *ctx, api_gone_fn gone, void *arg);
/* The refusal of the api_defer that just said no: 429 (the token's share) or 503, Retry-After: 1. */
enum api_disposition api_reply_defer_refused(struct api_ctx *ctx);

/*
 * A streamed answer (Server-Sent Events; http_stream_begin): status and
 * content_type now, the stream's data later with http_stream_write.  The
 * stream holds a deferral slot: gone(conn, arg) runs if the client goes
 * away first.  false when no slot is free or the head does not fit: then
 * answer otherwise.
 */
bool api_stream_begin(struct api_ctx *ctx, int status, const char *content_type,
		      api_gone_fn gone, void *arg);
/* Ends a stream begun with api_stream_begin; c is not used again. */
void api_stream_end(struct http_conn *c);

/*
 * Query parameters of rq ("since=3&wait=100"): the percent-decoded value
 * of key into out (NUL-terminated).  API_FIELD_BAD when the value does
 * not fit cap, holds a NUL, or (api_query_int) is not a decimal integer
 * in [min, max].
 */
enum api_field { API_FIELD_ABSENT, API_FIELD_OK, API_FIELD_BAD };
enum api_field api_query(const struct http_request *rq, const char *key, char *out, size_t cap);
enum api_field api_query_int(const struct http_request *rq, const char *key, int64_t min,
			     int64_t max, int64_t *out);
/* Percent-decodes in[0..n) into out (cap bytes, NUL-terminated); false on a bad escape, NUL or overflow. */
bool api_percent_decode(const char *in, size_t n, char *out, size_t cap);

/* Whether the caller's token holds right on the partition named vm. */
bool api_allowed(const struct hv_mgmt_token *token, const char *vm, uint32_t right);

/* Logs "root: api: <token name>: <action> <vm> <detail>" for every control or execute action. */
void api_audit(const struct api_ctx *ctx, const char *action, const char *detail);

/*
 * The token whose SHA-256 matches the bearer token in an Authorization
 * header value ("Bearer abc"), compared in constant time against every
 * configured hash; NULL if none matches or the header is malformed.
 */
const struct hv_mgmt_token *api_authenticate(const char *authorization);

/* Start-up (notify listener for the events log); call once before serving. */
void api_init(void);
/* Ends long-polls whose wait is over; called from root_poll. */
void api_poll(uint64_t now_ms);

#endif
