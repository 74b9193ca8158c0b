/*
 * The TaskService: our tasks (mgmt/task, docs/tasks.md) as Redfish Tasks,
 * whichever face started them, filtered by the same read right, and their
 * task monitors.  A monitor answers 202 with the Task while it runs (with
 * Allow: DELETE while it can be cancelled), then the operation's outcome:
 * 200 with the Task on Success, else the error the task ended with in
 * Redfish's shape (its HRESULT's status); DELETE cancels, as IVMTask's
 * Cancel().  Tasks are never deleted by clients: the engine keeps the
 * last 64 completed ones.
 */
#include "redfish_int.h"

#include <lib/format.h>
#include <lib/string.h>

/* Redfish's TaskState and TaskStatus of a task. */
static const char *task_state(const struct task *t)
{
	if (!t->complete)
		return "Running";
	if (t->result == TASK_SUCCESS)
		return "Completed";
	return t->result == TASK_CANCELLED ? "Cancelled" : "Exception";
}

static const char *task_status(const struct task *t)
{
	if (!t->complete || t->result == TASK_SUCCESS)
		return "OK";
	return t->result == TASK_CANCELLED ? "Warning" : "Critical";
}

static enum rf_msg task_message(const struct task *t)
{
	if (!t->complete)
		return RF_M_TASK_STARTED;
	if (t->result == TASK_SUCCESS)
		return RF_M_TASK_COMPLETED_OK;
	return t->result == TASK_CANCELLED ? RF_M_TASK_CANCELLED : RF_M_TASK_ABORTED;
}

static void write_oem(struct jw *w, const struct task *t)
{
	char uri[96];

	fmt_snprintf(uri, sizeof(uri), RF_ROOT "/Systems/%s", t->vm_name);
	jw_key(w, "Oem");
	jw_obj_begin(w);
	jw_key(w, "Hv");
	jw_obj_begin(w);
	jw_key(w, "@odata.type");
	jw_str(w, "#Hv.v1_0_0.Task");
	jw_key(w, "Kind");
	jw_str(w, task_kind_name(t->kind));
	jw_key(w, "System");
	jw_str(w, uri);
	jw_key(w, "Result");
	jw_str_or_null(w, t->complete ? task_result_name(t->result) : NULL);
	jw_key(w, "IsCancelable");
	jw_bool(w, t->cancelable);
	jw_key(w, "HResult");
	jw_hresult(w, t->error);
	jw_key(w, "HResultName");
	jw_str_or_null(w, hresult_name(t->error));
	jw_key(w, "CreatedMs");
	jw_uint(w, t->created_ms);
	jw_key(w, "CompletedMs");
	jw_uint_or_null(w, t->complete, t->completed_ms);
	jw_obj_end(w);
	jw_obj_end(w);
}

void rf_write_task(struct jw *w, const struct task *t)
{
	char id[12], name[24], monitor[64];
	const char *args[] = { id };

	fmt_snprintf(id, sizeof(id), "%u", t->id);
	fmt_snprintf(name, sizeof(name), "Task %u", t->id);
	fmt_snprintf(monitor, sizeof(monitor), RF_TASK_MONITOR "%u", t->id);
	rf_resource_begin(w, RF_T_TASK, RF_ROOT "/TaskService/Tasks/%u", t->id);
	rf_id_name(w, id, name);
	jw_key(w, "Description");
	jw_str(w, t->description);
	jw_key(w, "TaskState");
	jw_str(w, task_state(t));
	jw_key(w, "TaskStatus");
	jw_str(w, task_status(t));
	jw_key(w, "PercentComplete");
	jw_uint(w, t->percent);
	jw_key(w, "TaskMonitor");
	jw_str(w, monitor);
	jw_key(w, "Messages");
	jw_arr_begin(w);
	rf_msg_write(w, task_message(t), args, 1, t->error,
		     t->complete && t->error_desc[0] ? t->error_desc : NULL);
	jw_arr_end(w);
	write_oem(w, t);
	jw_obj_end(w);
}

enum api_disposition rf_reply_accepted(struct api_ctx *ctx, const struct task *t)
{
	char location[72];
	struct jw *w = rf_json();

	rf_write_task(w, t);
	fmt_snprintf(location, sizeof(location), "Location: " RF_TASK_MONITOR "%u", t->id);
	http_add_header(ctx->conn, location);
	/*
	 * No Retry-After: sushy 4.3.3 (Debian's) hands its value to
	 * time.sleep as a string; without it every client polls each second.
	 */
	if (t->cancelable)
		http_add_header(ctx->conn, "Allow: DELETE");
	return rf_reply(ctx, 202, w);
}

static enum api_disposition task_service(struct api_ctx *ctx)
{
	struct jw *w = rf_json();

	rf_resource_begin(w, RF_T_TASK_SERVICE, RF_ROOT "/TaskService");
	rf_id_name(w, "TaskService", "Task Service");
	rf_service_enabled(w);
	jw_key(w, "CompletedTaskOverWritePolicy");
	jw_str(w, "Oldest");
	jw_key(w, "LifeCycleEventOnTaskStateChange");
	jw_bool(w, true);
	rf_link(w, "Tasks", RF_ROOT "/TaskService/Tasks");
	jw_obj_end(w);
	return rf_reply_resource(ctx, w);
}

static enum api_disposition tasks(struct api_ctx *ctx)
{
	struct task *all[TASK_SLOTS];
	uint32_t n = task_list(all, TASK_SLOTS), count = 0;
	struct jw *w = rf_json();

	for (uint32_t i = 0; i < n; i++)
		count += api_allowed(ctx->token, all[i]->vm_name, HV_MGMT_RIGHT_READ);
	rf_collection_begin(w, RF_T_TASK_COLLECTION, RF_ROOT "/TaskService/Tasks",
			    "Task Collection", count);
	for (uint32_t i = 0; i < n; i++)
		if (api_allowed(ctx->token, all[i]->vm_name, HV_MGMT_RIGHT_READ))
			rf_link_item(w, RF_ROOT "/TaskService/Tasks/%u", all[i]->id);
	rf_collection_end(w);
	return rf_reply_resource(ctx, w);
}

/* The task of the {id} capture that the caller may read; NULL after answering 404. */
static struct task *task_of(struct api_ctx *ctx, enum api_disposition *d)
{
	const char *id = ctx->ncaptures ? ctx->captures[0] : "";
	bool bad_id;
	struct task *t = api_task_lookup(ctx, id, &bad_id);

	if (!t)
		*d = rf_not_found(ctx, "Task", id);
	return t;
}

static enum api_disposition task_get(struct api_ctx *ctx)
{
	enum api_disposition d = API_ANSWERED;
	struct task *t = task_of(ctx, &d);
	struct jw *w;

	if (!t)
		return d;
	w = rf_json();
	rf_write_task(w, t);
	return rf_reply_resource(ctx, w);
}

/* A task that did not succeed: its error, as the operation itself would have answered. */
static enum api_disposition task_failed(struct api_ctx *ctx, const struct task *t)
{
	char id[12];
	const char *args[] = { id };
	int status = t->result == TASK_CANCELLED ? 409 : api_status_of(t->error);

	fmt_snprintf(id, sizeof(id), "%u", t->id);
	if (status < 400)
		status = 500;   /* a failure without an error HRESULT */
	return rf_error(ctx, status, t->error, task_message(t), args, 1,
			t->error_desc[0] ? t->error_desc : task_result_name(t->result));
}

static enum api_disposition monitor_get(struct api_ctx *ctx)
{
	enum api_disposition d = API_ANSWERED;
	struct task *t = task_of(ctx, &d);
	struct jw *w;

	if (!t)
		return d;
	if (!t->complete)
		return rf_reply_accepted(ctx, t);
	if (t->result != TASK_SUCCESS)
		return task_failed(ctx, t);
	w = rf_json();
	rf_write_task(w, t);
	return rf_reply(ctx, 200, w);
}

static enum api_disposition monitor_delete(struct api_ctx *ctx)
{
	enum api_disposition d = API_ANSWERED;
	struct task *t = task_of(ctx, &d);
	uint32_t hr;

	if (!t)
		return d;
	hr = api_task_cancel(ctx, t);
	if (hr == E_ACCESSDENIED)
		return rf_error(ctx, 403, hr, RF_M_INSUFFICIENT_PRIVILEGE, NULL, 0,
				"this token may not cancel that task");
	if (hr != S_OK)
		return rf_error(ctx, 409, hr, RF_M_RESOURCE_IN_USE, NULL, 0,
				"the task is not cancelable");
	return api_reply_text(ctx, 204, "application/json", "", 0);
}

const struct api_route rf_tasks_routes[] = {
	{ HTTP_M_GET, RF_ROOT "/TaskService", 0, task_service },
	{ HTTP_M_GET, RF_ROOT "/TaskService/Tasks", HV_MGMT_RIGHT_READ, tasks },
	{ HTTP_M_GET, RF_ROOT "/TaskService/Tasks/{id}", HV_MGMT_RIGHT_READ, task_get },
	{ HTTP_M_GET, RF_ROOT "/TaskService/TaskMonitors/{id}", HV_MGMT_RIGHT_READ, monitor_get },
	/* Any token: the task's own VM decides (read to see it, control or execute to cancel). */
	{ HTTP_M_DELETE, RF_ROOT "/TaskService/TaskMonitors/{id}", 0, monitor_delete },
};
const size_t rf_tasks_routes_count = sizeof(rf_tasks_routes) / sizeof(rf_tasks_routes[0]);
