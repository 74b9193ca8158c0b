/*
 * GET /api/v1/vms and GET /api/v1/vms/{vm}: the partitions as hv reports
 * them now.  The list holds only the VMs the caller's token may read.
 */
#include "api_int.h"
#include "api_events.h"
#include "api_routes.h"

static const char *const state_names[] = { "Off", "Starting", "Running", "Stopping", "Faulted" };
/* hv's HV_EVENT_* order (include/hv/hypercall.h). */
static const char *const cause_names[] = {
	"created", "started", "guest poweroff", "guest reset", "faulted",
	"root start", "root stop", "root reset", "stopped",
};

const char *api_state_name(uint32_t state)
{
	return state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state] : "Unknown";
}

const char *api_cause_name(uint32_t cause)
{
	return cause < sizeof(cause_names) / sizeof(cause_names[0]) ? cause_names[cause] : "unknown";
}

void api_write_vm(struct jw *w, const struct backend_vm *vm)
{
	uint32_t cause;

	jw_obj_begin(w);
	jw_key(w, "name");
	jw_str(w, vm->name);
	jw_key(w, "id");
	jw_uint(w, vm->id);
	jw_key(w, "role");
	jw_str(w, vm->root ? "root" : "guest");
	jw_key(w, "state");
	jw_str(w, api_state_name(vm->state));
	jw_key(w, "memoryMiB");
	jw_uint(w, vm->memory_bytes >> 20);
	jw_key(w, "vpCount");
	jw_uint(w, vm->vp_count);
	jw_key(w, "stateCause");
	if (api_events_last_cause(vm->id, &cause))
		jw_str(w, api_cause_name(cause));
	else
		jw_null(w);
	jw_obj_end(w);
}

static enum api_disposition vms_list(struct api_ctx *ctx)
{
	static struct backend_vm vms[HV_MAX_PARTITIONS];
	static char buf[8192];
	uint32_t n = backend_vm_list(vms, HV_MAX_PARTITIONS);
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_key(&w, "vms");
	jw_arr_begin(&w);
	for (uint32_t i = 0; i < n; i++)
		if (api_allowed(ctx->token, vms[i].name, HV_MGMT_RIGHT_READ))
			api_write_vm(&w, &vms[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return api_reply_json(ctx, 200, &w);
}

static enum api_disposition vms_get(struct api_ctx *ctx)
{
	struct backend_vm vm;
	char buf[512];
	struct jw w;

	if (!backend_vm_get((uint32_t)ctx->vm_id, &vm))
		return api_reply_error(ctx, 404, VM_E_VM_UNKNOWN, "the VM is gone");
	jw_init(&w, buf, sizeof(buf));
	api_write_vm(&w, &vm);
	return api_reply_json(ctx, 200, &w);
}

const struct api_route vms_routes[] = {
	{ HTTP_M_GET, API_PREFIX "/vms", HV_MGMT_RIGHT_READ, vms_list },
	{ HTTP_M_GET, API_PREFIX "/vms/{vm}", HV_MGMT_RIGHT_READ, vms_get },
};
const size_t vms_routes_count = sizeof(vms_routes) / sizeof(vms_routes[0]);
