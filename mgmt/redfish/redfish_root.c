/*
 * The entry points, all public (no credentials, as DSP0266 asks):
 * GET /redfish (the protocol versions), the service root /redfish/v1/
 * with the links a client starts from, and the OData service document
 * /redfish/v1/odata that lists the top-level resources.
 */
#include "redfish_int.h"

#include <redfish/redfish_version.h>

#define REDFISH_VERSION "1.11.0"   /* DSP0266 as of the schema versions served */

/* The service document's entries: the root's links. */
static const struct {
	const char *name;
	const char *uri;
} tops[] = {
	{ "Systems", RF_ROOT "/Systems" },
	{ "Managers", RF_ROOT "/Managers" },
	{ "Tasks", RF_ROOT "/TaskService" },
	{ "SessionService", RF_ROOT "/SessionService" },
	{ "EventService", RF_ROOT "/EventService" },
};

static enum api_disposition versions(struct api_ctx *ctx)
{
	struct jw *w = rf_json();

	jw_obj_begin(w);
	jw_key(w, "v1");
	jw_str(w, RF_ROOT "/");
	jw_obj_end(w);
	return rf_reply_resource(ctx, w);
}

static void protocol_features(struct jw *w)
{
	static const char *const none[] = { "FilterQuery", "SelectQuery", "ExcerptQuery",
					    "OnlyMemberQuery" };

	jw_key(w, "ProtocolFeaturesSupported");
	jw_obj_begin(w);
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		jw_key(w, none[i]);
		jw_bool(w, false);
	}
	jw_key(w, "ExpandQuery");
	jw_obj_begin(w);
	jw_key(w, "ExpandAll");
	jw_bool(w, false);
	jw_key(w, "Levels");
	jw_bool(w, false);
	jw_key(w, "Links");
	jw_bool(w, false);
	jw_key(w, "NoLinks");
	jw_bool(w, false);
	jw_obj_end(w);
	jw_obj_end(w);
}

static enum api_disposition service_root(struct api_ctx *ctx)
{
	struct jw *w = rf_json();

	rf_resource_begin(w, RF_T_SERVICE_ROOT, RF_ROOT "/");
	rf_id_name(w, "RootService", "hv Redfish service");
	jw_key(w, "RedfishVersion");
	jw_str(w, REDFISH_VERSION);
	jw_key(w, "Product");
	jw_str(w, "hv " RF_HV_VERSION);
	jw_key(w, "Vendor");
	jw_str(w, "hv");
	protocol_features(w);
	for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
		rf_link(w, tops[i].name, "%s", tops[i].uri);
	jw_key(w, "Links");
	jw_obj_begin(w);
	rf_link(w, "Sessions", RF_ROOT "/SessionService/Sessions");
	jw_obj_end(w);
	jw_obj_end(w);
	return rf_reply_resource(ctx, w);
}

static void service_entry(struct jw *w, const char *name, const char *url)
{
	jw_obj_begin(w);
	jw_key(w, "name");
	jw_str(w, name);
	jw_key(w, "kind");
	jw_str(w, "Singleton");
	jw_key(w, "url");
	jw_str(w, url);
	jw_obj_end(w);
}

static enum api_disposition service_document(struct api_ctx *ctx)
{
	struct jw *w = rf_json();

	jw_obj_begin(w);
	jw_key(w, "@odata.context");
	jw_str(w, RF_ROOT "/$metadata");
	jw_key(w, "value");
	jw_arr_begin(w);
	service_entry(w, "Service", RF_ROOT "/");
	for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
		service_entry(w, tops[i].name, tops[i].uri);
	service_entry(w, "Sessions", RF_ROOT "/SessionService/Sessions");
	jw_arr_end(w);
	jw_obj_end(w);
	return rf_reply_resource(ctx, w);
}

const struct api_route rf_root_routes[] = {
	{ HTTP_M_GET, "/redfish", RF_PUBLIC, versions },
	{ HTTP_M_GET, RF_ROOT, RF_PUBLIC, service_root },
	{ HTTP_M_GET, RF_ROOT "/odata", RF_PUBLIC, service_document },
};
const size_t rf_root_routes_count = sizeof(rf_root_routes) / sizeof(rf_root_routes[0]);
