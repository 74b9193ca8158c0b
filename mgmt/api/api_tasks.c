/*
 * The task routes of the management API (docs/api.md, docs/tasks.md):
 * the VM and guest actions that create tasks (202 + Location), the task
 * collection, one task with WaitForCompletion, and Cancel; and the TASK
 * object they answer with.  Bodies are read with api_body (jsmn); every
 * control or execute action is audited with its outcome.
 */
#include "api_tasks.h"
#include "api_body.h"

#include <backend/backend.h>

#include <lib/format.h>
#include <lib/string.h>

#define REASON_MAX 512u
#define COMMAND_MAX TASK_COMMAND_LEN

static char list_buf[HTTP_MAX_RESPONSE];
static char task_buf[HTTP_MAX_RESPONSE];
static struct api_body body;    /* the root has one thread: one request at a time */

/* ---- the TASK object ---- */

static void write_output(struct jw *w, const struct task *t)
{
	jw_key(w, "output");
	jw_obj_begin(w);
	jw_key(w, "exitStatus");
	jw_int(w, t->exit_status);
	jw_key(w, "output");
	jw_strn(w, t->output, t->output_len);
	jw_key(w, "truncated");
	jw_bool(w, t->truncated);
	jw_key(w, "timedOut");
	jw_bool(w, t->killed);
	jw_obj_end(w);
}

void api_write_task(struct jw *w, const struct task *t, unsigned flags)
{
	bool full = !(flags & TASK_JSON_COMPACT);

	jw_obj_begin(w);
	jw_key(w, "ID");
	jw_uint(w, t->id);
	if (full) {
		jw_key(w, "Description");
		jw_str(w, t->description);
	}
	jw_key(w, "vm");
	jw_str(w, t->vm_name);
	if (full) {
		jw_key(w, "kind");
		jw_str(w, task_kind_name(t->kind));
	}
	if (full && (flags & TASK_JSON_COMMAND) && t->kind == TASK_KIND_EXECUTE) {
		jw_key(w, "command");
		jw_str(w, t->command);
	}
	jw_key(w, "IsComplete");
	jw_bool(w, t->complete);
	jw_key(w, "PercentCompleted");
	jw_uint(w, t->percent);
	jw_key(w, "Result");
	jw_str_or_null(w, t->complete ? task_result_name(t->result) : NULL);
	jw_key(w, "Error");
	jw_hresult(w, t->error);
	jw_key(w, "ErrorName");
	jw_str_or_null(w, hresult_name(t->error));
	if (full) {
		jw_key(w, "ErrorDescription");
		jw_str(w, t->error_desc);
	}
	jw_key(w, "IsCancelable");
	jw_bool(w, t->cancelable);
	jw_key(w, "createdMs");
	jw_uint(w, t->created_ms);
	jw_key(w, "completedMs");
	jw_uint_or_null(w, t->complete, t->completed_ms);
	if ((flags & TASK_JSON_OUTPUT) && t->complete && t->has_output)
		write_output(w, t);
	jw_obj_end(w);
}

unsigned api_task_detail(const struct hv_mgmt_token *token, const struct task *t)
{
	return api_allowed(token, t->vm_name, HV_MGMT_RIGHT_EXECUTE) ?
		       TASK_JSON_COMMAND | TASK_JSON_OUTPUT : 0;
}

/* ---- actions that create tasks ---- */

uint32_t api_task_start(struct api_ctx *ctx, const struct task_req *rq, const char *detail,
			struct task **out, char *why, size_t why_len)
{
	char audit[160];
	uint32_t hr = task_create(rq, out, why, why_len);

	if (hr != S_OK)
		fmt_snprintf(audit, sizeof(audit), "%s%srefused %s", detail, detail[0] ? " " : "",
			     hresult_name(hr) ? hresult_name(hr) : "?");
	else
		fmt_snprintf(audit, sizeof(audit), "%s%stask %u", detail, detail[0] ? " " : "",
			     (*out)->id);
	api_audit(ctx, task_kind_name(rq->kind), audit);
	return hr;
}

/* 202 with the new task and its Location; refusals as errors.  Audited either way. */
static enum api_disposition created(struct api_ctx *ctx, const struct task_req *rq,
				    const char *detail)
{
	struct task *t = NULL;
	char why[128] = "", location[48];
	uint32_t hr = api_task_start(ctx, rq, detail, &t, why, sizeof(why));
	struct jw jw;
	enum api_disposition d;

	if (hr != S_OK)
		return api_reply_error(ctx, api_status_of(hr), hr, why);
	jw_init(&jw, task_buf, sizeof(task_buf));
	api_write_task(&jw, t, api_task_detail(ctx->token, t));
	if (jw.overflow) {
		d = api_reply_error(ctx, 500, E_OUTOFMEMORY, "the task does not fit a response");
	} else {
		fmt_snprintf(location, sizeof(location), "Location: " API_PREFIX "/tasks/%u", t->id);
		http_add_header(ctx->conn, location);
		d = api_reply_json(ctx, 202, &jw);
	}
	return d;
}

static struct task_req req_for(const struct api_ctx *ctx, enum task_kind kind)
{
	struct task_req rq = {
		.kind = kind,
		.vm = (uint32_t)ctx->vm_id,
		.vm_name = ctx->vm_name,
		.timeout_s = TASK_SHUTDOWN_DEFAULT_S,
	};

	return rq;
}

static enum api_disposition bad_body(struct api_ctx *ctx)
{
	return api_reply_error(ctx, 400, E_INVALIDARG, body.err);
}

static enum api_disposition power(struct api_ctx *ctx, enum task_kind kind)
{
	struct task_req rq = req_for(ctx, kind);

	return created(ctx, &rq, "");
}

static enum api_disposition vm_start(struct api_ctx *ctx)
{
	return power(ctx, TASK_KIND_START);
}

static enum api_disposition vm_turnoff(struct api_ctx *ctx)
{
	return power(ctx, TASK_KIND_TURNOFF);
}

static enum api_disposition vm_reset(struct api_ctx *ctx)
{
	return power(ctx, TASK_KIND_RESET);
}

/* {"forced":bool,"reason":str,"timeoutSeconds":1-3600}, all optional. */
static enum api_disposition shutdown_like(struct api_ctx *ctx, enum task_kind kind)
{
	static char reason[REASON_MAX + 1];
	struct task_req rq = req_for(ctx, kind);
	int64_t timeout = TASK_SHUTDOWN_DEFAULT_S;
	char detail[48];

	reason[0] = '\0';
	if (!api_body_parse(&body, ctx->rq, true) ||
	    api_body_bool(&body, "forced", &rq.forced) == API_FIELD_BAD ||
	    api_body_str(&body, "reason", 0, REASON_MAX, reason, sizeof(reason)) == API_FIELD_BAD ||
	    api_body_int(&body, "timeoutSeconds", 1, TASK_SHUTDOWN_MAX_S, &timeout) == API_FIELD_BAD)
		return bad_body(ctx);
	rq.text = reason;
	rq.timeout_s = (uint32_t)timeout;
	fmt_snprintf(detail, sizeof(detail), "forced=%d timeout=%us", rq.forced, rq.timeout_s);
	return created(ctx, &rq, detail);
}

static enum api_disposition guest_shutdown(struct api_ctx *ctx)
{
	return shutdown_like(ctx, TASK_KIND_SHUTDOWN);
}

static enum api_disposition guest_restart(struct api_ctx *ctx)
{
	return shutdown_like(ctx, TASK_KIND_RESTART);
}

static enum api_disposition guest_logoff(struct api_ctx *ctx)
{
	struct task_req rq = req_for(ctx, TASK_KIND_LOGOFF);

	if (!api_body_parse(&body, ctx->rq, true) ||
	    api_body_bool(&body, "forced", &rq.forced) == API_FIELD_BAD)
		return bad_body(ctx);
	return created(ctx, &rq, rq.forced ? "forced=1" : "forced=0");
}

static enum api_disposition guest_execute(struct api_ctx *ctx)
{
	static char command[COMMAND_MAX + 1];
	struct task_req rq = req_for(ctx, TASK_KIND_EXECUTE);
	char detail[80];
	enum api_field f;

	if (!api_body_parse(&body, ctx->rq, false))
		return bad_body(ctx);
	f = api_body_str(&body, "command", 1, COMMAND_MAX, command, sizeof(command));
	if (f == API_FIELD_BAD)
		return bad_body(ctx);
	if (f == API_FIELD_ABSENT)
		return api_reply_error(ctx, 400, E_INVALIDARG, "command is required");
	rq.text = command;
	/* The audit line names the command (cut short: it is a log line, not a record). */
	fmt_snprintf(detail, sizeof(detail), "\"%.60s%s\"", command,
		     strlen(command) > 60 ? "..." : "");
	return created(ctx, &rq, detail);
}

static enum api_disposition guest_install_additions(struct api_ctx *ctx)
{
	struct task_req rq = req_for(ctx, TASK_KIND_INSTALL_ADDITIONS);

	return created(ctx, &rq, "");
}

/* ---- the task collection ---- */

/* {"Count":N,"tasks":[...]} of the tasks ctx's token may read, written with flags. */
static void write_list(struct jw *jw, struct api_ctx *ctx, struct task **all, uint32_t n,
		       unsigned flags)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i < n; i++)
		count += api_allowed(ctx->token, all[i]->vm_name, HV_MGMT_RIGHT_READ);
	jw_init(jw, list_buf, sizeof(list_buf));
	jw_obj_begin(jw);
	jw_key(jw, "Count");
	jw_uint(jw, count);
	if (flags & TASK_JSON_COMPACT) {
		jw_key(jw, "compact");
		jw_bool(jw, true);
	}
	jw_key(jw, "tasks");
	jw_arr_begin(jw);
	for (uint32_t i = 0; i < n; i++)
		if (api_allowed(ctx->token, all[i]->vm_name, HV_MGMT_RIGHT_READ))
			api_write_task(jw, all[i],
				       flags | (api_task_detail(ctx->token, all[i]) & TASK_JSON_COMMAND));
	jw_arr_end(jw);
	jw_obj_end(jw);
}

/*
 * Execute output is only in the task itself.  80 tasks on VMs with long
 * names can exceed one response: then the entries leave out the texts
 * (docs/tasks.md), which always fits.
 */
static enum api_disposition tasks_list(struct api_ctx *ctx)
{
	struct task *all[TASK_SLOTS];
	uint32_t n = task_list(all, TASK_SLOTS);
	struct jw jw;

	write_list(&jw, ctx, all, n, 0);
	if (jw.overflow)
		write_list(&jw, ctx, all, n, TASK_JSON_COMPACT);
	if (jw.overflow)
		return api_reply_error(ctx, 500, E_OUTOFMEMORY, "the task list does not fit a response");
	return api_reply_json(ctx, 200, &jw);
}

struct task *api_task_lookup(const struct api_ctx *ctx, const char *s, bool *bad_id)
{
	uint64_t id = 0;
	size_t n = strlen(s);
	struct task *t = NULL;
	bool digits = n > 0 && n <= 10;

	for (size_t i = 0; i < n && digits; i++) {
		digits = s[i] >= '0' && s[i] <= '9';
		id = id * 10u + (uint64_t)(s[i] - '0');
	}
	*bad_id = !digits || id == 0 || id > UINT32_MAX;
	if (!*bad_id)
		t = task_find((uint32_t)id);
	/* A task on a VM the caller may not read is answered as if it did not exist. */
	if (t && !api_allowed(ctx->token, t->vm_name, HV_MGMT_RIGHT_READ))
		t = NULL;
	return t;
}

/* The task named by the {id} capture if the caller may read it; NULL after answering 400/404. */
static struct task *task_of(struct api_ctx *ctx, enum api_disposition *d)
{
	bool bad_id;
	struct task *t = api_task_lookup(ctx, ctx->ncaptures ? ctx->captures[0] : "", &bad_id);

	if (bad_id)
		*d = api_reply_error(ctx, 400, E_INVALIDARG, "a task id is a positive integer");
	else if (!t)
		*d = api_reply_error(ctx, 404, E_INVALIDARG, "no such task");
	return t;
}

static enum api_disposition task_get(struct api_ctx *ctx)
{
	enum api_disposition d = API_ANSWERED;
	struct task *t = task_of(ctx, &d);
	int64_t wait = 0;

	if (!t)
		return d;
	if (api_query_int(ctx->rq, "wait", -1, TASK_WAIT_MAX_MS, &wait) == API_FIELD_BAD)
		return api_reply_error(ctx, 400, E_INVALIDARG,
				       "wait is -1 (forever) or 0-4000000 milliseconds");
	return api_task_wait(ctx, t, wait);
}

uint32_t api_task_cancel(struct api_ctx *ctx, struct task *t)
{
	uint32_t right, hr;
	char detail[48];

	right = t->kind == TASK_KIND_EXECUTE || t->kind == TASK_KIND_INSTALL_ADDITIONS ?
			HV_MGMT_RIGHT_EXECUTE : HV_MGMT_RIGHT_CONTROL;
	if (!api_allowed(ctx->token, t->vm_name, right))
		return E_ACCESSDENIED;
	hr = task_cancel(t);
	fmt_snprintf(detail, sizeof(detail), "task %u%s", t->id, hr == S_OK ? "" : " refused E_FAIL");
	ctx->vm_name = t->vm_name;
	api_audit(ctx, "cancel", detail);
	return hr;
}

static enum api_disposition task_cancel_route(struct api_ctx *ctx)
{
	enum api_disposition d = API_ANSWERED;
	struct task *t = task_of(ctx, &d);
	uint32_t hr;
	struct jw jw;

	if (!t)
		return d;
	hr = api_task_cancel(ctx, t);
	if (hr == E_ACCESSDENIED)
		return api_reply_error(ctx, 403, E_ACCESSDENIED, "this token may not cancel that task");
	if (hr != S_OK)
		return api_reply_error(ctx, 409, E_FAIL, "the task is not cancelable");
	jw_init(&jw, task_buf, sizeof(task_buf));
	api_write_task(&jw, t, api_task_detail(ctx->token, t));
	if (jw.overflow)
		return api_reply_error(ctx, 500, E_OUTOFMEMORY, "the task does not fit a response");
	return api_reply_json(ctx, 200, &jw);
}

const struct api_route task_routes[] = {
	{ HTTP_M_POST, API_PREFIX "/vms/{vm}/start", HV_MGMT_RIGHT_CONTROL, vm_start },
	{ HTTP_M_POST, API_PREFIX "/vms/{vm}/turnoff", HV_MGMT_RIGHT_CONTROL, vm_turnoff },
	{ HTTP_M_POST, API_PREFIX "/vms/{vm}/reset", HV_MGMT_RIGHT_CONTROL, vm_reset },
	{ HTTP_M_POST, API_PREFIX "/vms/{vm}/guestos/shutdown", HV_MGMT_RIGHT_CONTROL, guest_shutdown },
	{ HTTP_M_POST, API_PREFIX "/vms/{vm}/guestos/restart", HV_MGMT_RIGHT_CONTROL, guest_restart },
	{ HTTP_M_POST, API_PREFIX "/vms/{vm}/guestos/logoff", HV_MGMT_RIGHT_CONTROL, guest_logoff },
	{ HTTP_M_POST, API_PREFIX "/vms/{vm}/guestos/execute", HV_MGMT_RIGHT_EXECUTE, guest_execute },
	{ HTTP_M_POST, API_PREFIX "/vms/{vm}/guestos/install-additions", HV_MGMT_RIGHT_EXECUTE,
	  guest_install_additions },
	{ HTTP_M_GET, API_PREFIX "/tasks", HV_MGMT_RIGHT_READ, tasks_list },
	{ HTTP_M_GET, API_PREFIX "/tasks/{id}", HV_MGMT_RIGHT_READ, task_get },
	/* Any token: the task's own VM decides (read to see it, control or execute to cancel). */
	{ HTTP_M_POST, API_PREFIX "/tasks/{id}/cancel", 0, task_cancel_route },
};
const size_t task_routes_count = sizeof(task_routes) / sizeof(task_routes[0]);
