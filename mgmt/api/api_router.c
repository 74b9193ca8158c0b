/*
 * api_handle: from a parsed HTTP request to one route handler.  The path
 * is split into segments and percent-decoded, matched against every
 * route table (404 ERROR_NOT_SUPPORTED when no pattern fits, 405 with
 * Allow when only the method does not), then the caller is authenticated
 * (401), checked for the route's right on {vm} by name (403, so a token
 * learns nothing about VMs it may not see) and {vm} is resolved (404
 * VM_E_VM_UNKNOWN).  The order is the same for every route: documented
 * in docs/api.md.  Paths under /redfish go to the Redfish face
 * (mgmt/redfish), which matches with the same functions (api_int.h) but
 * authenticates and answers in its own way.
 */
#include "api_int.h"
#include "api_events.h"
#include "api_routes.h"
#include "api_tasks.h"
#include "api_throttle.h"

#include <backend/backend.h>
#include <redfish/redfish.h>

#include <lib/format.h>
#include <lib/string.h>

#define MAX_SEGMENTS 12
#define SEGMENT_LEN 512

static const struct api_route_table tables[] = {
	{ vms_routes, &vms_routes_count },
	{ guestos_routes, &guestos_routes_count },
	{ events_routes, &events_routes_count },
	{ metrics_routes, &metrics_routes_count },
	{ task_routes, &task_routes_count },
};

/* The request being routed: segments decoded once; ctx strings point here. */
static struct {
	unsigned n;
	char seg[MAX_SEGMENTS][SEGMENT_LEN];
} path;

static const char *method_name(enum http_method m)
{
	static const char *const names[] = { "?", "GET", "PUT", "POST", "PATCH", "DELETE", "HEAD" };

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

bool api_path_split(const char *p)
{
	bool ok = p[0] == '/';

	path.n = 0;
	while (ok && *p == '/') {
		const char *start = ++p;

		while (*p && *p != '/')
			p++;
		ok = path.n < MAX_SEGMENTS &&
		     api_percent_decode(start, (size_t)(p - start), path.seg[path.n], SEGMENT_LEN);
		path.n++;
	}
	return ok && *p == '\0';
}

/*
 * Whether the decoded path fits pattern; fills ctx's captures.  A capture
 * matches one non-empty segment without '/' (an encoded %2F decodes to
 * one, and would otherwise smuggle a separator into a name).
 */
static bool match(const char *pattern, struct api_ctx *ctx)
{
	unsigned i = 0;
	bool ok = pattern[0] == '/';

	ctx->ncaptures = 0;
	ctx->vm_name = "";
	while (ok && *pattern == '/') {
		const char *start = ++pattern;
		size_t n;

		while (*pattern && *pattern != '/')
			pattern++;
		n = (size_t)(pattern - start);
		if (i >= path.n) {
			ok = false;
		} else if (n >= 2 && start[0] == '{' && start[n - 1] == '}') {
			ok = path.seg[i][0] != '\0' && !strchr(path.seg[i], '/');
			if (ok && n == 4 && memcmp(start, "{vm}", 4) == 0)
				ctx->vm_name = path.seg[i];
			else if (ok && ctx->ncaptures < API_MAX_CAPTURES)
				ctx->captures[ctx->ncaptures++] = path.seg[i];
		} else {
			ok = strlen(path.seg[i]) == n && memcmp(path.seg[i], start, n) == 0;
		}
		i++;
	}
	return ok && *pattern == '\0' && i == path.n;
}

/* 405: the Allow header names every method the path has. */
static enum api_disposition not_allowed(struct api_ctx *ctx, const char *allow)
{
	char line[80];

	fmt_snprintf(line, sizeof(line), "Allow: %s", allow);
	http_add_header(ctx->conn, line);
	return api_reply_error(ctx, 405, HR_ERROR_NOT_SUPPORTED,
			       "this resource does not support that method");
}

static void allow_add(char *allow, size_t cap, enum http_method m)
{
	const char *name = method_name(m);
	size_t len = strlen(allow), n = strlen(name);

	/* The same method listed by two routes is named once. */
	for (const char *p = allow; (p = strchr(p, *name)) != NULL; p++)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return;
	if (len + n + 3 > cap)
		return;
	if (len > 0) {
		memcpy(allow + len, ", ", 2);
		len += 2;
	}
	memcpy(allow + len, name, n + 1);
}

const struct api_route *api_route_find(const struct api_route_table *tables, size_t ntables,
				       struct api_ctx *ctx, char *allow, size_t cap)
{
	const struct api_route *found = NULL;

	allow[0] = '\0';
	for (size_t t = 0; t < ntables && !found; t++) {
		size_t count = *tables[t].count;

		for (size_t r = 0; r < count && !found; r++) {
			const struct api_route *route = &tables[t].routes[r];

			if (!match(route->pattern, ctx))
				continue;
			/* HEAD is GET without the body (http/ leaves the body out). */
			if (route->method == ctx->rq->method ||
			    (ctx->rq->method == HTTP_M_HEAD && route->method == HTTP_M_GET))
				found = route;
			else
				allow_add(allow, cap, route->method);
			if (!found && route->method == HTTP_M_GET)
				allow_add(allow, cap, HTTP_M_HEAD);
		}
	}
	return found;
}

/* 429 while the caller's address is slowed down after failed authentications. */
static bool throttled(struct api_ctx *ctx)
{
	char retry[32];
	uint32_t s = 0;
	bool blocked = ctx->rq->authorization[0] &&
		       api_throttle_blocked(ctx->rq->peer, ctx->rq->now_ms, &s);

	if (blocked) {
		fmt_snprintf(retry, sizeof(retry), "Retry-After: %u", s);
		http_add_header(ctx->conn, retry);
		api_reply_error(ctx, 429, E_ACCESSDENIED,
				"too many failed authentications from this address; try later");
	}
	return blocked;
}

/* 401, 403 or 429 unless the caller may use route; ctx->token set. */
static bool authorise(struct api_ctx *ctx, const struct api_route *route)
{
	bool has_vm = ctx->vm_name[0] != '\0';

	if (throttled(ctx))
		return false;
	ctx->token = api_authenticate(ctx->rq->authorization);
	if (!ctx->token) {
		/* No header at all is no attempt: only a presented token counts as a failure. */
		if (ctx->rq->authorization[0])
			api_throttle_failure(ctx->rq->peer, ctx->rq->now_ms);
		http_add_header(ctx->conn, "WWW-Authenticate: Bearer realm=\"hv\"");
		api_reply_error(ctx, 401, E_ACCESSDENIED,
				ctx->rq->authorization[0] ? "the bearer token is not valid"
							  : "a bearer token is required");
		return false;
	}
	if (!api_allowed(ctx->token, has_vm ? ctx->vm_name : NULL, route->right)) {
		api_reply_error(ctx, 403, E_ACCESSDENIED,
				"the token does not grant this right on this VM");
		return false;
	}
	return true;
}

static enum api_disposition dispatch(struct api_ctx *ctx, const struct api_route *route)
{
	char msg[96];

	if (!authorise(ctx, route))
		return API_ANSWERED;
	if (ctx->vm_name[0] != '\0') {
		ctx->vm_id = backend_vm_find(ctx->vm_name, strlen(ctx->vm_name));
		if (ctx->vm_id < 0) {
			fmt_snprintf(msg, sizeof(msg), "no VM named %s", ctx->vm_name);
			return api_reply_error(ctx, 404, VM_E_VM_UNKNOWN, msg);
		}
	}
	return route->fn(ctx);
}

enum api_disposition api_handle(struct http_conn *c, const struct http_request *rq)
{
	struct api_ctx ctx = { .conn = c, .rq = rq, .vm_id = -1, .vm_name = "" };
	const struct api_route *route;
	char allow[64];

	if (redfish_owns(rq->path))
		return redfish_handle(c, rq);
	if (!api_path_split(rq->path))
		return api_reply_error(&ctx, 400, E_INVALIDARG, "malformed path");
	route = api_route_find(tables, sizeof(tables) / sizeof(tables[0]), &ctx, allow, sizeof(allow));
	if (!route && allow[0] != '\0')
		return not_allowed(&ctx, allow);
	if (!route)
		return api_reply_error(&ctx, 404, HR_ERROR_NOT_SUPPORTED, "no such resource");
	return dispatch(&ctx, route);
}

void api_init(void)
{
	const struct hv_mgmt_config *cfg = backend_mgmt_config();

	api_events_init();
	api_tasks_init();
	redfish_init();
	backend_log("root: api: %u token%s configured\n", cfg->ntokens, cfg->ntokens == 1 ? "" : "s");
}

void api_poll(uint64_t now_ms)
{
	api_events_poll(now_ms);
	api_tasks_poll(now_ms);
	redfish_poll(now_ms);
}
