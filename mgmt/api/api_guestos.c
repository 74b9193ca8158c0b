/*
 * The guest OS resources: GET/PATCH /api/v1/vms/{vm}/guestos (the
 * IVMGuestOS properties from guestos' cached facts, null when the guest
 * has not reported them), and the answers that need the guest:
 * parameters/{name} (GET, PUT) and users (GET).  Those are deferred: the
 * request waits in a slot until guestos calls back, and a client that
 * goes away cancels its guestos request.
 */
#include "api_body.h"
#include "api_int.h"
#include "api_routes.h"

#include <lib/format.h>
#include <lib/string.h>

#define PENDING_MAX 16u

static struct pending {
	bool used;
	struct http_conn *conn;
	enum guestos_op op;
	char vm[HV_NAME_LEN + 1];
	char name[GUESTOS_PARAM_NAME];
	char value[GUESTOS_PARAM_VALUE + 1];    /* PARAM_SET: what was stored */
} pending[PENDING_MAX];

/* Replies are built here: one at a time, the root has one thread. */
static char out[4096];

/* The OSVERSIONINFOEX part, each null unless the guest reported it (Windows does). */
static void write_version_ex(struct jw *w, uint32_t has, const struct guestos_kvp *k)
{
	jw_key(w, "CSDVersion");
	jw_str_or_null(w, has & GUESTOS_KVP_CSD_VERSION ? k->csd_version : NULL);
	jw_key(w, "ServicePackMajor");
	jw_uint_or_null(w, has & GUESTOS_KVP_SP_MAJOR, k->sp_major);
	jw_key(w, "ServicePackMinor");
	jw_uint_or_null(w, has & GUESTOS_KVP_SP_MINOR, k->sp_minor);
	jw_key(w, "ProductType");
	jw_uint_or_null(w, has & GUESTOS_KVP_PRODUCT_TYPE, k->product_type);
	jw_key(w, "SuiteMask");
	jw_uint_or_null(w, has & GUESTOS_KVP_SUITE_MASK, k->suite_mask);
	jw_key(w, "OSPlatformId");
	jw_uint_or_null(w, has & GUESTOS_KVP_PLATFORM_ID, k->platform_id);
}

/*
 * Ours, not IVMGuestOS's: which integration services the guest runs, so
 * that a client knows beforehand what a Linux guest (no sessions, no
 * exec) or a guest still starting its services will refuse.
 */
static void write_services(struct jw *w, uint32_t ready)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} services[] = {
		{ "Shutdown", GUESTOS_SVC_SHUTDOWN }, { "TimeSync", GUESTOS_SVC_TIMESYNC },
		{ "Heartbeat", GUESTOS_SVC_HEARTBEAT }, { "KVP", GUESTOS_SVC_KVP },
		{ "Sessions", GUESTOS_SVC_SESSIONS }, { "Exec", GUESTOS_SVC_EXEC },
	};

	jw_key(w, "IntegrationServices");
	jw_obj_begin(w);
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		jw_key(w, services[i].name);
		jw_bool(w, (ready & services[i].bit) != 0);
	}
	jw_obj_end(w);
}

void api_write_guestos(struct jw *w, const char *vm, const struct guestos_facts *f)
{
	static const char *const never[] = {
		"MultipleUserSessionsAllowed", "TerminalServicesInitialized", "TerminalServerPort",
	};
	bool kvp = f->kvp_known, hb = f->heartbeat_known;

	jw_obj_begin(w);
	jw_key(w, "vm");
	jw_str(w, vm);
	jw_key(w, "AdditionsVersion");
	jw_str_or_null(w, kvp ? f->kvp.additions_version : NULL);
	jw_key(w, "IntegrationComponentsVersion");
	jw_str_or_null(w, kvp ? f->kvp.additions_version : NULL);
	jw_key(w, "CanShutdown");
	jw_bool(w, f->can_shutdown);
	jw_key(w, "ComputerName");
	jw_str_or_null(w, kvp ? f->kvp.computer_name : NULL);
	jw_key(w, "HeartbeatPercentage");
	jw_uint_or_null(w, hb, f->heartbeat_percentage);
	jw_key(w, "IsHeartbeating");
	jw_bool_or_null(w, hb, f->heartbeating);
	jw_key(w, "IsHostTimeSyncEnabled");
	jw_bool(w, f->time_sync_enabled);
	jw_key(w, "OSName");
	jw_str_or_null(w, kvp ? f->kvp.os_name : NULL);
	jw_key(w, "ScreenLocked");
	jw_bool_or_null(w, f->sessions_known, f->screen_locked);
	jw_key(w, "OSMajorVersion");
	jw_uint_or_null(w, kvp, f->kvp.os_major);
	jw_key(w, "OSMinorVersion");
	jw_uint_or_null(w, kvp, f->kvp.os_minor);
	/* A string as KVP carries it: a number on Windows, the kernel release on Linux. */
	jw_key(w, "OSBuildNumber");
	jw_str_or_null(w, kvp ? f->kvp.os_build : NULL);
	jw_key(w, "OSVersion");
	jw_str_or_null(w, kvp ? f->kvp.os_version : NULL);
	write_version_ex(w, kvp ? f->kvp.reported : 0, &f->kvp);
	/* Properties no integration service of ours reports. */
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		jw_key(w, never[i]);
		jw_null(w);
	}
	write_services(w, f->services);
	jw_obj_end(w);
}

/* 409 unless {vm} is a running guest; fills facts. */
static bool running_guest(struct api_ctx *ctx, struct guestos_facts *facts)
{
	struct backend_vm vm;
	char msg[96];
	bool ok = backend_vm_get((uint32_t)ctx->vm_id, &vm) && vm.state == HV_PARTITION_RUNNING;

	if (!ok) {
		fmt_snprintf(msg, sizeof(msg), "%s is not running", ctx->vm_name);
		api_reply_error(ctx, 409, VM_E_VM_NOT_RUNNING, msg);
	} else if (!backend_guestos_facts((uint32_t)ctx->vm_id, facts)) {
		fmt_snprintf(msg, sizeof(msg), "%s has no guest OS the root can see", ctx->vm_name);
		api_reply_error(ctx, 409, VM_E_ADDITIONS_NOT_AVAIL, msg);
		ok = false;
	}
	return ok;
}

static enum api_disposition reply_guestos(struct api_ctx *ctx, const struct guestos_facts *f)
{
	struct jw w;

	jw_init(&w, out, sizeof(out));
	api_write_guestos(&w, ctx->vm_name, f);
	return api_reply_json(ctx, 200, &w);
}

static enum api_disposition guestos_get(struct api_ctx *ctx)
{
	struct guestos_facts f;

	if (!running_guest(ctx, &f))
		return API_ANSWERED;
	return reply_guestos(ctx, &f);
}

static enum api_disposition guestos_patch(struct api_ctx *ctx)
{
	struct guestos_facts f;
	struct api_body b;
	bool sync = false;
	enum api_field got;
	uint32_t hr;

	if (!api_body_parse(&b, ctx->rq, false))
		return api_reply_error(ctx, 400, E_INVALIDARG, b.err);
	got = api_body_bool(&b, "IsHostTimeSyncEnabled", &sync);
	if (got == API_FIELD_BAD)
		return api_reply_error(ctx, 400, E_INVALIDARG, b.err);
	if (got == API_FIELD_ABSENT)
		return api_reply_error(ctx, 400, E_INVALIDARG,
				       "IsHostTimeSyncEnabled is the one property that can be changed");
	if (!running_guest(ctx, &f))
		return API_ANSWERED;
	hr = backend_guestos_set_time_sync((uint32_t)ctx->vm_id, sync);
	if (hr != S_OK)
		return api_reply_error(ctx, api_status_of(hr), hr, "time synchronisation not changed");
	api_audit(ctx, "set-timesync", sync ? "true" : "false");
	if (!backend_guestos_facts((uint32_t)ctx->vm_id, &f))
		return api_reply_error(ctx, 409, VM_E_VM_NOT_RUNNING, "the guest went away");
	return reply_guestos(ctx, &f);
}

static struct pending *pending_new(struct api_ctx *ctx, enum guestos_op op)
{
	struct pending *p = NULL;

	for (unsigned i = 0; i < PENDING_MAX && !p; i++)
		if (!pending[i].used)
			p = &pending[i];
	if (p) {
		p->used = true;
		p->conn = ctx->conn;
		p->op = op;
		fmt_snprintf(p->vm, sizeof(p->vm), "%s", ctx->vm_name);
		p->name[0] = '\0';
		p->value[0] = '\0';
	}
	return p;
}

/* The client went away: its guestos request is forgotten, done will not run. */
static void pending_gone(struct http_conn *c, void *arg)
{
	struct pending *p = arg;

	(void)c;
	backend_guestos_cancel(p);
	p->used = false;
}

static void error_message(char *msg, size_t cap, uint32_t hr, const char *vm, const char *name)
{
	const char *hr_name = hresult_name(hr);

	if (hr == VM_E_VM_NOT_RUNNING)
		fmt_snprintf(msg, cap, "%s is not running", vm);
	else if (hr == VM_E_ADDITIONS_FEATURE_NOT_AVAIL)
		fmt_snprintf(msg, cap, "the integration service this needs is not ready in %s", vm);
	else if (hr == VM_E_PREF_NOT_FOUND)
		fmt_snprintf(msg, cap, "%s has no parameter %s", vm, name);
	else if (hr == VM_E_TIMED_OUT)
		fmt_snprintf(msg, cap, "%s did not answer in time", vm);
	else if (hr == E_INVALIDARG)
		fmt_snprintf(msg, cap, "the guest refused the parameter name or value");
	else
		fmt_snprintf(msg, cap, "the guest answered %s", hr_name ? hr_name : "an error");
}

static void write_users(struct jw *w, const struct guestos_result *r)
{
	uint32_t n = r->nusers < GUESTOS_MAX_USERS ? r->nusers : GUESTOS_MAX_USERS;

	jw_obj_begin(w);
	jw_key(w, "users");
	jw_arr_begin(w);
	for (uint32_t i = 0; i < n; i++) {
		const struct guestos_user *u = &r->users[i];

		jw_obj_begin(w);
		jw_key(w, "name");
		jw_strn(w, u->name, strnlen(u->name, sizeof(u->name)));
		jw_key(w, "sessionId");
		jw_uint(w, u->session_id);
		jw_key(w, "active");
		jw_bool(w, u->active);
		jw_key(w, "locked");
		jw_bool(w, u->locked);
		jw_key(w, "remote");
		jw_bool(w, u->remote);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* guestos answered: the deferred request gets its response. */
static void pending_done(void *arg, const struct guestos_result *r)
{
	struct pending *p = arg;
	struct http_conn *c = p->conn;
	struct jw w;
	char msg[160];

	p->used = false;
	if (r->hresult != S_OK) {
		error_message(msg, sizeof(msg), r->hresult, p->vm, p->name);
		api_reply_error_conn(c, api_status_of(r->hresult), r->hresult, msg);
		return;
	}
	jw_init(&w, out, sizeof(out));
	if (p->op == GUESTOS_USERS) {
		write_users(&w, r);
	} else {
		jw_obj_begin(&w);
		jw_key(&w, "name");
		jw_str(&w, p->name);
		jw_key(&w, "value");
		jw_strn(&w, p->op == GUESTOS_PARAM_GET ? r->value : p->value,
			strnlen(p->op == GUESTOS_PARAM_GET ? r->value : p->value, GUESTOS_PARAM_VALUE));
		jw_obj_end(&w);
	}
	api_reply_json_conn(c, 200, &w);
}

/* Asks the guest for p's request and defers the answer. */
static enum api_disposition ask(struct api_ctx *ctx, struct pending *p, const struct guestos_args *a)
{
	char msg[160];
	uint32_t hr;

	if (!api_defer(ctx, pending_gone, p)) {
		p->used = false;
		return api_reply_defer_refused(ctx);
	}
	hr = backend_guestos_request((uint32_t)ctx->vm_id, a, pending_done, p);
	if (hr == S_OK)
		return API_DEFERRED;
	p->used = false;
	error_message(msg, sizeof(msg), hr, ctx->vm_name, p->name);
	api_reply_error_conn(ctx->conn, api_status_of(hr), hr, msg);
	return API_ANSWERED;
}

static bool name_ok(struct api_ctx *ctx)
{
	const char *name = ctx->captures[0];
	size_t n = strnlen(name, GUESTOS_PARAM_NAME);
	bool ok = n >= 1 && n < GUESTOS_PARAM_NAME && !strchr(name, '\\');

	if (!ok)
		api_reply_error(ctx, 400, E_INVALIDARG,
				"a parameter name has 1 to 255 characters and no backslash");
	return ok;
}

static enum api_disposition busy(struct api_ctx *ctx)
{
	return api_reply_error(ctx, 503, VM_E_OUT_OF_RESOURCE, "too many guest requests waiting");
}

static enum api_disposition param_get(struct api_ctx *ctx)
{
	struct guestos_args a = { .op = GUESTOS_PARAM_GET, .text = ctx->captures[0] };
	struct pending *p;

	if (!name_ok(ctx))
		return API_ANSWERED;
	p = pending_new(ctx, GUESTOS_PARAM_GET);
	if (!p)
		return busy(ctx);
	fmt_snprintf(p->name, sizeof(p->name), "%s", ctx->captures[0]);
	return ask(ctx, p, &a);
}

static enum api_disposition param_put(struct api_ctx *ctx)
{
	struct guestos_args a = { .op = GUESTOS_PARAM_SET, .text = ctx->captures[0] };
	static char value[GUESTOS_PARAM_VALUE + 1];
	struct api_body b;
	struct pending *p;
	enum api_field got;

	if (!name_ok(ctx))
		return API_ANSWERED;
	if (!api_body_parse(&b, ctx->rq, false))
		return api_reply_error(ctx, 400, E_INVALIDARG, b.err);
	got = api_body_str(&b, "value", 0, GUESTOS_PARAM_VALUE - 1, value, sizeof(value));
	if (got != API_FIELD_OK)
		return api_reply_error(ctx, 400, E_INVALIDARG,
				       got == API_FIELD_BAD ? b.err : "value (a string) is required");
	p = pending_new(ctx, GUESTOS_PARAM_SET);
	if (!p)
		return busy(ctx);
	fmt_snprintf(p->name, sizeof(p->name), "%s", ctx->captures[0]);
	fmt_snprintf(p->value, sizeof(p->value), "%s", value);
	a.value = p->value;
	api_audit(ctx, "set-parameter", p->name);
	return ask(ctx, p, &a);
}

static enum api_disposition users_get(struct api_ctx *ctx)
{
	struct guestos_args a = { .op = GUESTOS_USERS };
	struct pending *p = pending_new(ctx, GUESTOS_USERS);

	if (!p)
		return busy(ctx);
	return ask(ctx, p, &a);
}

const struct api_route guestos_routes[] = {
	{ HTTP_M_GET, API_PREFIX "/vms/{vm}/guestos", HV_MGMT_RIGHT_READ, guestos_get },
	{ HTTP_M_PATCH, API_PREFIX "/vms/{vm}/guestos", HV_MGMT_RIGHT_CONTROL, guestos_patch },
	{ HTTP_M_GET, API_PREFIX "/vms/{vm}/guestos/parameters/{name}", HV_MGMT_RIGHT_READ,
	  param_get },
	{ HTTP_M_PUT, API_PREFIX "/vms/{vm}/guestos/parameters/{name}", HV_MGMT_RIGHT_CONTROL,
	  param_put },
	{ HTTP_M_GET, API_PREFIX "/vms/{vm}/guestos/users", HV_MGMT_RIGHT_READ, users_get },
};
const size_t guestos_routes_count = sizeof(guestos_routes) / sizeof(guestos_routes[0]);
