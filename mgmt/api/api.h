/*
 * The management API's internal contract (docs/api.md): the router hands
 * each authenticated, authorised request to a route handler with an
 * api_ctx; handlers answer with api_reply_json / api_reply_error, or keep
 * ctx->conn and answer later (API_DEFERRED; see http.h for the rules).
 * Route tables live with their resources (api_vms.c, api_guestos.c,
 * task_routes.c, ...) and are listed once in api_router.c.
 */
#ifndef MGMT_API_H
#define MGMT_API_H

#include <hv/mgmtcfg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../hresult.h"
#include "../http/http.h"
#include "json_write.h"

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

/* Whether the caller's token holds right on the partition named vm. */
bool api_allowed(const struct hv_mgmt_token *token, const char *vm, uint32_t right);

/* Logs "root: api: <token name>: <action> <vm>" for every control or execute action. */
void api_audit(const struct api_ctx *ctx, const char *action, const char *detail);

#endif
