/*
 * redfish_handle: from a request under /redfish to one route handler,
 * in the native API's order (docs/api.md) with Redfish's answers
 * (docs/redfish.md): the path (a trailing '/' is the same resource) is
 * matched with the native router's functions against the face's tables
 * (404 InvalidURI, 405 OperationNotAllowed with Allow); public routes
 * (service root, $metadata, odata, login) need no credentials; the others
 * authenticate (429 while the address is slowed down after failures, 401
 * NoValidSession with WWW-Authenticate: Basic), need
 * the route's right on the {vm} named (403 InsufficientPrivilege) and a
 * {vm} that exists (404 ResourceNotFound).  Every answer carries
 * OData-Version: 4.0.  Query options ($expand, $select, ...) are not
 * supported: 501.
 */
#include "redfish_int.h"

#include <backend/backend.h>

#include <lib/format.h>
#include <lib/string.h>

static const struct api_route_table tables[] = {
	{ rf_root_routes, &rf_root_routes_count },
	{ rf_metadata_routes, &rf_metadata_routes_count },
	{ rf_systems_routes, &rf_systems_routes_count },
	{ rf_tasks_routes, &rf_tasks_routes_count },
	{ rf_sessions_routes, &rf_sessions_routes_count },
	{ rf_managers_routes, &rf_managers_routes_count },
	{ rf_events_routes, &rf_events_routes_count },
};

static uint32_t caller_session;

uint32_t rf_caller_session(void)
{
	return caller_session;
}

bool redfish_owns(const char *path)
{
	return strncmp(path, "/redfish", 8) == 0 && (path[8] == '\0' || path[8] == '/');
}

/* A query option of OData's ("$expand=..."): none is supported. */
static bool has_query_option(const char *q)
{
	bool found = q[0] == '$';

	for (const char *p = q; *p && !found; p++)
		found = p[0] == '&' && p[1] == '$';
	return found;
}

static enum api_disposition unauthorised(struct api_ctx *ctx)
{
	http_add_header(ctx->conn, "WWW-Authenticate: Basic realm=\"hv\"");
	return rf_error(
		ctx, 401, E_ACCESSDENIED, RF_M_NO_VALID_SESSION, NULL, 0,
		ctx->rq->authorization[0] || ctx->rq->x_auth_token[0] ?
			"the credentials or the session are not valid" :
			"credentials are required: Basic, a session's X-Auth-Token, or Bearer");
}

/* Authentication, the route's right on {vm}, then {vm} itself. */
static enum api_disposition dispatch(struct api_ctx *ctx, const struct api_route *route)
{
	bool has_vm = ctx->vm_name[0] != '\0';
	enum api_disposition d;

	if (!(route->right & RF_PUBLIC)) {
		if (rf_throttled(ctx, false, &d))
			return d;
		ctx->token = rf_authenticate(ctx->rq, &caller_session);
		if (!ctx->token) {
			rf_auth_failed(ctx->rq, false);
			return unauthorised(ctx);
		}
		if (!api_allowed(ctx->token, has_vm ? ctx->vm_name : NULL, route->right))
			return rf_error(ctx, 403, E_ACCESSDENIED, RF_M_INSUFFICIENT_PRIVILEGE, NULL,
					0, "the token does not grant this right on this system");
	}
	if (has_vm) {
		ctx->vm_id = backend_vm_find(ctx->vm_name, strlen(ctx->vm_name));
		if (ctx->vm_id < 0)
			return rf_not_found(ctx, "ComputerSystem", ctx->vm_name);
	}
	return route->fn(ctx);
}

enum api_disposition redfish_handle(struct http_conn *c, const struct http_request *rq)
{
	struct api_ctx ctx = { .conn = c, .rq = rq, .vm_id = -1, .vm_name = "" };
	const struct api_route *route;
	char path[sizeof(rq->path)], allow[64], line[80];
	size_t n = strnlen(rq->path, sizeof(path) - 1);
	const char *uri[] = { path };

	memcpy(path, rq->path, n);
	path[n > 1 && path[n - 1] == '/' ? n - 1 : n] = '\0';
	caller_session = 0;
	http_add_header(c, "OData-Version: 4.0");
	if (!api_path_split(path))
		return rf_error(&ctx, 400, E_INVALIDARG, RF_M_INVALID_URI, uri, 1,
				"malformed path");
	route = api_route_find(tables, sizeof(tables) / sizeof(tables[0]), &ctx, allow,
			       sizeof(allow));
	if (!route && allow[0] != '\0') {
		fmt_snprintf(line, sizeof(line), "Allow: %s", allow);
		http_add_header(c, line);
		return rf_error(&ctx, 405, HR_ERROR_NOT_SUPPORTED, RF_M_OPERATION_NOT_ALLOWED, NULL,
				0, NULL);
	}
	if (!route)
		return rf_error(&ctx, 404, HR_ERROR_NOT_SUPPORTED, RF_M_INVALID_URI, uri, 1, NULL);
	if (has_query_option(rq->query))
		return rf_error(&ctx, 501, HR_ERROR_NOT_SUPPORTED, RF_M_QUERY_NOT_SUPPORTED, NULL,
				0, NULL);
	return dispatch(&ctx, route);
}

void redfish_init(void)
{
	rf_sessions_init();
	rf_events_init();
}

void redfish_poll(uint64_t now_ms)
{
	rf_sessions_poll(now_ms);
	rf_events_poll(now_ms);
}
