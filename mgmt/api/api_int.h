/*
 * Helpers shared inside mgmt/api and with its Redfish face (mgmt/redfish;
 * not part of the contract with http/ or the task engine): names of
 * partition states and event causes as the JSON uses them, the VM and
 * guest OS objects, and the router's path matching.
 */
#ifndef MGMT_API_INT_H
#define MGMT_API_INT_H

#include "api.h"

#include <backend/backend.h>

/* "Off", "Starting", "Running", "Stopping", "Faulted"; "Unknown" otherwise. */
const char *api_state_name(uint32_t state);
/* hv's HV_EVENT_* causes: "created", "root start", ...; "unknown" otherwise. */
const char *api_cause_name(uint32_t cause);
/* The VM object of docs/api.md. */
void api_write_vm(struct jw *w, const struct backend_vm *vm);
/* The GUESTOS object of docs/api.md: every IVMGuestOS property, null when not reported. */
void api_write_guestos(struct jw *w, const char *vm, const struct guestos_facts *f);

/* A route table (api_routes.h) as the router walks it. */
struct api_route_table {
	const struct api_route *routes;
	const size_t *count;
};
/*
 * Splits a request path ("/a/b%20c") into percent-decoded segments for
 * api_route_find; false if it is malformed or has too many segments.
 */
bool api_path_split(const char *path);
/*
 * The route of tables for the split path and ctx's method (HEAD finds
 * GET), its captures left in ctx ({vm} in vm_name, the others in
 * captures); NULL when there is none: allow then lists the methods the
 * path has ("" when the path has none).
 */
const struct api_route *api_route_find(const struct api_route_table *tables, size_t ntables,
				       struct api_ctx *ctx, char *allow, size_t cap);

#endif
