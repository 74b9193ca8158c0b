/*
 * The one Manager, "hv": the hypervisor and the management service its
 * root partition runs (ManagerType Service), with the version hv and the
 * root were built as, the systems it manages (those the caller may read)
 * and its NetworkProtocol: hv.cfg's https_port (with tls_cert) and
 * http_port, each enabled when configured.
 */
#include "redfish_int.h"

#include <backend/backend.h>
#include <redfish/redfish_version.h>

#include <lib/format.h>

#define MANAGER RF_ROOT "/Managers/" RF_MANAGER_ID

static enum api_disposition managers(struct api_ctx *ctx)
{
	struct jw *w = rf_json();

	rf_collection_begin(w, RF_T_MANAGER_COLLECTION, RF_ROOT "/Managers", "Manager Collection",
			    1);
	rf_link_item(w, MANAGER);
	rf_collection_end(w);
	return rf_reply_resource(ctx, w);
}

/* Links.ManagerForServers: the systems the caller may read; the root's in Oem if readable. */
static void write_links(struct jw *w, const struct api_ctx *ctx, const struct backend_vm *vms,
			uint32_t n)
{
	const char *root = NULL;

	jw_key(w, "Links");
	jw_obj_begin(w);
	jw_key(w, "ManagerForServers");
	jw_arr_begin(w);
	for (uint32_t i = 0; i < n; i++) {
		if (!api_allowed(ctx->token, vms[i].name, HV_MGMT_RIGHT_READ))
			continue;
		rf_link_item(w, RF_ROOT "/Systems/%s", vms[i].name);
		if (vms[i].root)
			root = vms[i].name;
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_key(w, "Oem");
	jw_obj_begin(w);
	jw_key(w, "Hv");
	jw_obj_begin(w);
	jw_key(w, "@odata.type");
	jw_str(w, "#Hv.v1_0_0.Manager");
	/* The service runs in the root partition; a token that may not read it learns no name. */
	jw_key(w, "RootPartition");
	if (root) {
		char uri[96];

		fmt_snprintf(uri, sizeof(uri), RF_ROOT "/Systems/%s", root);
		jw_str(w, uri);
	} else {
		jw_null(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);
}

static enum api_disposition manager(struct api_ctx *ctx)
{
	static struct backend_vm vms[HV_MAX_PARTITIONS];
	uint32_t n = backend_vm_list(vms, HV_MAX_PARTITIONS);
	struct jw *w = rf_json();

	rf_resource_begin(w, RF_T_MANAGER, MANAGER);
	rf_id_name(w, RF_MANAGER_ID, "hv hypervisor");
	jw_key(w, "Description");
	jw_str(w, "The static-partitioning hypervisor and the management service of its root "
		  "partition");
	jw_key(w, "ManagerType");
	jw_str(w, "Service");
	jw_key(w, "Model");
	jw_str(w, "hv");
	jw_key(w, "FirmwareVersion");
	jw_str(w, RF_HV_VERSION);
	rf_status(w, "Enabled", "OK");
	rf_link(w, "NetworkProtocol", MANAGER "/NetworkProtocol");
	write_links(w, ctx, vms, n);
	jw_obj_end(w);
	return rf_reply_resource(ctx, w);
}

static void protocol(struct jw *w, const char *name, bool enabled, uint16_t port)
{
	jw_key(w, name);
	jw_obj_begin(w);
	jw_key(w, "ProtocolEnabled");
	jw_bool(w, enabled);
	jw_key(w, "Port");
	if (enabled)
		jw_uint(w, port);
	else
		jw_null(w);
	jw_obj_end(w);
}

static enum api_disposition network_protocol(struct api_ctx *ctx)
{
	const struct hv_mgmt_config *cfg = backend_mgmt_config();
	struct jw *w = rf_json();

	rf_resource_begin(w, RF_T_NETWORK_PROTOCOL, MANAGER "/NetworkProtocol");
	rf_id_name(w, "NetworkProtocol", "Manager Network Protocol");
	jw_key(w, "Description");
	jw_str(w, "The management API's ports (hv.cfg [management] https_port, http_port)");
	rf_status(w, "Enabled", "OK");
	protocol(w, "HTTP", cfg->http_port != 0, cfg->http_port);
	protocol(w, "HTTPS", (cfg->flags & HV_MGMT_TLS) != 0, cfg->https_port);
	jw_obj_end(w);
	return rf_reply_resource(ctx, w);
}

const struct api_route rf_managers_routes[] = {
	{ HTTP_M_GET, RF_ROOT "/Managers", 0, managers },
	{ HTTP_M_GET, MANAGER, 0, manager },
	{ HTTP_M_GET, MANAGER "/NetworkProtocol", 0, network_protocol },
};
const size_t rf_managers_routes_count = sizeof(rf_managers_routes) / sizeof(rf_managers_routes[0]);
