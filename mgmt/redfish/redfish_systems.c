/*
 * The Systems collection and one ComputerSystem per partition
 * (SystemType VirtuallyPartitioned; docs/redfish.md says where each
 * property comes from), and its Reset action: each ResetType is one of
 * the task engine's kinds, started through api_task_start as the native
 * routes start theirs, answered 202 with a task monitor.
 */
#include "redfish_int.h"

#include <api/api_body.h>
#include <api/api_events.h>
#include <backend/backend.h>

#include <lib/format.h>
#include <lib/string.h>

#define RESET_ACTION "#ComputerSystem.Reset"

static const struct {
	const char *type;
	enum task_kind kind;
} resets[] = {
	{ "On", TASK_KIND_START },
	{ "ForceOff", TASK_KIND_TURNOFF },
	{ "GracefulShutdown", TASK_KIND_SHUTDOWN },
	{ "GracefulRestart", TASK_KIND_RESTART },
	{ "ForceRestart", TASK_KIND_RESET },
	{ "PowerCycle", TASK_KIND_RESET },      /* a partition that is off: TASK_KIND_START */
};

static struct api_body body;

/* hv's states (HV_PARTITION_*) as PowerState: a faulted partition is off until started again. */
static const char *power_state(uint32_t state)
{
	static const char *const names[] = { "Off", "PoweringOn", "On", "PoweringOff", "Off" };

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "Off";
}

static const char *status_state(uint32_t state)
{
	static const char *const names[] = { "Disabled", "Starting", "Enabled", "Enabled",
					     "UnavailableOffline" };

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "Absent";
}

/* Critical when faulted; Warning while a running guest misses its heartbeats. */
static const char *health(const struct backend_vm *vm, const struct guestos_facts *f, bool guest)
{
	const char *h = "OK";

	if (vm->state == HV_PARTITION_FAULTED)
		h = "Critical";
	else if (guest && vm->state == HV_PARTITION_RUNNING && f->heartbeat_known &&
		 !f->heartbeating)
		h = "Warning";
	return h;
}

/* bytes as GiB, exactly: whole MiB over 1024 has at most ten decimals. */
static void write_gib(struct jw *w, uint64_t bytes)
{
	uint64_t mib = bytes >> 20, frac = (mib % 1024u) * 9765625u;
	char text[40];
	int digits = 10;

	while (digits > 0 && frac % 10u == 0) {
		frac /= 10u;
		digits--;
	}
	if (digits > 0)
		fmt_snprintf(text, sizeof(text), "%llu.%0*llu", (unsigned long long)(mib / 1024u),
			     digits, (unsigned long long)frac);
	else
		fmt_snprintf(text, sizeof(text), "%llu", (unsigned long long)(mib / 1024u));
	jw_raw(w, text, strlen(text));
}

/* HostName: the guest's computer name without its domain (KVP's FullyQualifiedDomainName). */
static void write_host_name(struct jw *w, const struct guestos_facts *f, bool known)
{
	const char *name = f->kvp.computer_name;

	jw_key(w, "HostName");
	if (known && f->kvp_known && name[0])
		jw_strn(w, name,
			strchr(name, '.') ? (size_t)(strchr(name, '.') - name) : strlen(name));
	else
		jw_null(w);
}

static void write_summaries(struct jw *w, const struct backend_vm *vm)
{
	jw_key(w, "ProcessorSummary");
	jw_obj_begin(w);
	jw_key(w, "Count");
	jw_uint(w, vm->vp_count);
	jw_key(w, "LogicalProcessorCount");
	jw_uint(w, vm->vp_count);
	jw_obj_end(w);
	jw_key(w, "MemorySummary");
	jw_obj_begin(w);
	jw_key(w, "TotalSystemMemoryGiB");
	write_gib(w, vm->memory_bytes);
	jw_obj_end(w);
}

/* Images are fixed by hv.cfg: no boot override, stated as the schema asks. */
static void write_boot(struct jw *w)
{
	jw_key(w, "Boot");
	jw_obj_begin(w);
	jw_key(w, "BootSourceOverrideEnabled");
	jw_str(w, "Disabled");
	jw_key(w, "BootSourceOverrideTarget");
	jw_str(w, "None");
	jw_key(w, "BootSourceOverrideTarget@Redfish.AllowableValues");
	jw_arr_begin(w);
	jw_str(w, "None");
	jw_arr_end(w);
	jw_obj_end(w);
}

/* The root partition runs the service itself: it has no Reset. */
static void write_actions(struct jw *w, const struct backend_vm *vm)
{
	char target[128];

	fmt_snprintf(target, sizeof(target), RF_ROOT "/Systems/%s/Actions/ComputerSystem.Reset",
		     vm->name);
	jw_key(w, "Actions");
	jw_obj_begin(w);
	if (!vm->root) {
		jw_key(w, RESET_ACTION);
		jw_obj_begin(w);
		jw_key(w, "target");
		jw_str(w, target);
		jw_key(w, "ResetType@Redfish.AllowableValues");
		jw_arr_begin(w);
		for (size_t i = 0; i < sizeof(resets) / sizeof(resets[0]); i++)
			jw_str(w, resets[i].type);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

/* Oem.Hv: hv's own view, and every IVMGuestOS property while the guest runs. */
static void write_oem(struct jw *w, const struct backend_vm *vm, const struct guestos_facts *f,
		      bool guest)
{
	uint32_t cause;

	jw_key(w, "Oem");
	jw_obj_begin(w);
	jw_key(w, "Hv");
	jw_obj_begin(w);
	jw_key(w, "@odata.type");
	jw_str(w, "#Hv.v1_0_0.ComputerSystem");
	jw_key(w, "PartitionId");
	jw_uint(w, vm->id);
	jw_key(w, "Role");
	jw_str(w, vm->root ? "root" : "guest");
	jw_key(w, "State");
	jw_str(w, api_state_name(vm->state));
	jw_key(w, "StateCause");
	jw_str_or_null(w, api_events_last_cause(vm->id, &cause) ? api_cause_name(cause) : NULL);
	jw_key(w, "GuestOS");
	if (guest && vm->state == HV_PARTITION_RUNNING)
		api_write_guestos(w, vm->name, f);
	else
		jw_null(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void write_system(struct jw *w, const struct backend_vm *vm)
{
	static struct guestos_facts f;
	bool guest = backend_guestos_facts(vm->id, &f);

	rf_resource_begin(w, RF_T_SYSTEM, RF_ROOT "/Systems/%s", vm->name);
	rf_id_name(w, vm->name, vm->name);
	jw_key(w, "Description");
	jw_str(w, vm->root ? "hv's root partition" : "a guest partition of hv");
	jw_key(w, "SystemType");
	jw_str(w, "VirtuallyPartitioned");
	jw_key(w, "PowerState");
	jw_str(w, power_state(vm->state));
	rf_status(w, status_state(vm->state), health(vm, &f, guest));
	write_host_name(w, &f, guest && vm->state == HV_PARTITION_RUNNING);
	write_summaries(w, vm);
	write_boot(w);
	write_actions(w, vm);
	jw_key(w, "Links");
	jw_obj_begin(w);
	jw_key(w, "ManagedBy");
	jw_arr_begin(w);
	rf_link_item(w, RF_ROOT "/Managers/" RF_MANAGER_ID);
	jw_arr_end(w);
	jw_obj_end(w);
	write_oem(w, vm, &f, guest);
	jw_obj_end(w);
}

static enum api_disposition systems(struct api_ctx *ctx)
{
	static struct backend_vm vms[HV_MAX_PARTITIONS];
	uint32_t n = backend_vm_list(vms, HV_MAX_PARTITIONS), count = 0;
	struct jw *w = rf_json();

	for (uint32_t i = 0; i < n; i++)
		count += api_allowed(ctx->token, vms[i].name, HV_MGMT_RIGHT_READ);
	rf_collection_begin(w, RF_T_SYSTEM_COLLECTION, RF_ROOT "/Systems",
			    "Computer System Collection", count);
	for (uint32_t i = 0; i < n; i++)
		if (api_allowed(ctx->token, vms[i].name, HV_MGMT_RIGHT_READ))
			rf_link_item(w, RF_ROOT "/Systems/%s", vms[i].name);
	rf_collection_end(w);
	return rf_reply_resource(ctx, w);
}

static enum api_disposition system_get(struct api_ctx *ctx)
{
	struct backend_vm vm;
	struct jw *w = rf_json();

	if (!backend_vm_get((uint32_t)ctx->vm_id, &vm))
		return rf_not_found(ctx, "ComputerSystem", ctx->vm_name);
	write_system(w, &vm);
	return rf_reply_resource(ctx, w);
}

/* The task kind of a ResetType; false if it is not one of ours. */
static bool reset_kind(const char *type, uint32_t vm, enum task_kind *kind)
{
	struct backend_vm v;
	bool found = false;

	for (size_t i = 0; i < sizeof(resets) / sizeof(resets[0]) && !found; i++) {
		found = strcmp(resets[i].type, type) == 0;
		*kind = resets[i].kind;
	}
	/* Power restored to a partition that is off (or faulted) is a start. */
	if (found && strcmp(type, "PowerCycle") == 0 && backend_vm_get(vm, &v) &&
	    (v.state == HV_PARTITION_OFF || v.state == HV_PARTITION_FAULTED))
		*kind = TASK_KIND_START;
	return found;
}

/* The ResetType of the body into type; false after answering 400. */
static bool reset_type(struct api_ctx *ctx, char *type, size_t cap, enum api_disposition *d)
{
	const char *missing[] = { RESET_ACTION, "ResetType" };
	const char *wrong[] = { "", "ResetType", RESET_ACTION };
	enum api_field f;

	if (!api_body_parse(&body, ctx->rq, true)) {
		*d = rf_bad_body(ctx, body.err);
		return false;
	}
	f = api_body_str(&body, "ResetType", 1, cap - 1, type, cap);
	if (f == API_FIELD_ABSENT)
		*d = rf_error(ctx, 400, E_INVALIDARG, RF_M_ACTION_PARAMETER_MISSING, missing, 2,
			      "ResetType is required");
	else if (f == API_FIELD_BAD)
		*d = rf_error(ctx, 400, E_INVALIDARG, RF_M_ACTION_PARAMETER_VALUE_TYPE_ERROR, wrong,
			      3, body.err);
	return f == API_FIELD_OK;
}

static enum api_disposition reset(struct api_ctx *ctx)
{
	struct task_req rq = { .vm = (uint32_t)ctx->vm_id, .vm_name = ctx->vm_name,
			       .timeout_s = TASK_SHUTDOWN_DEFAULT_S };
	char type[24], why[128] = "", detail[48];
	const char *args[] = { type, "ResetType", RESET_ACTION };
	enum api_disposition d = API_ANSWERED;
	struct task *t = NULL;
	uint32_t hr;

	if (!reset_type(ctx, type, sizeof(type), &d))
		return d;
	if (!reset_kind(type, rq.vm, &rq.kind))
		return rf_error(ctx, 400, E_INVALIDARG, RF_M_ACTION_PARAMETER_VALUE_NOT_IN_LIST,
				args, 3,
				"ResetType must be On, ForceOff, GracefulShutdown, "
				"GracefulRestart, ForceRestart or PowerCycle");
	fmt_snprintf(detail, sizeof(detail), "ResetType=%s", type);
	hr = api_task_start(ctx, &rq, detail, &t, why, sizeof(why));
	if (hr == E_INVALIDARG)
		return rf_error(ctx, 400, hr, RF_M_ACTION_NOT_SUPPORTED, args + 2, 1, why);
	if (hr != S_OK)
		return rf_error_hr(ctx, hr, why);
	return rf_reply_accepted(ctx, t);
}

const struct api_route rf_systems_routes[] = {
	{ HTTP_M_GET, RF_ROOT "/Systems", HV_MGMT_RIGHT_READ, systems },
	{ HTTP_M_GET, RF_ROOT "/Systems/{vm}", HV_MGMT_RIGHT_READ, system_get },
	{ HTTP_M_POST, RF_ROOT "/Systems/{vm}/Actions/ComputerSystem.Reset", HV_MGMT_RIGHT_CONTROL,
	  reset },
};
const size_t rf_systems_routes_count = sizeof(rf_systems_routes) / sizeof(rf_systems_routes[0]);
