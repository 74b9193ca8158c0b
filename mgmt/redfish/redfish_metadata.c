/*
 * GET /redfish/v1/$metadata: the OData CSDL document (XML) that describes
 * what the face serves: a reference to DMTF's published schema of every
 * resource type in the type table (redfish_odata.c), so the two cannot
 * drift apart, the schemas those build on, and inline our OEM schema
 * Hv.v1_0_0: the types of every "Oem":{"Hv":{...}} object we send (a
 * unit test checks each property we write is declared here).  Public, as
 * DSP0266 asks.
 */
#include "redfish_int.h"

#include <api/text_write.h>

#include <stdarg.h>

#define DMTF_SCHEMAS "http://redfish.dmtf.org/schemas/v1/"

static char doc[12288];
static size_t doc_len;

static void reference(struct text *t, const char *name, const char *version)
{
	text_add(t, "  <edmx:Reference Uri=\"" DMTF_SCHEMAS "%s_v1.xml\">\n"
	       "    <edmx:Include Namespace=\"%s\"/>\n", name, name);
	if (version)
		text_add(t, "    <edmx:Include Namespace=\"%s.%s\"/>\n", name, version);
	text_add(t, "  </edmx:Reference>\n");
}

static void references(struct text *t)
{
	for (unsigned i = 0; i < RF_T_COUNT; i++)
		reference(t, rf_type_name(i), rf_type_version(i));
	reference(t, "Resource", "v1_0_0");
	text_add(t, "  <edmx:Reference Uri=\"" DMTF_SCHEMAS "RedfishExtensions_v1.xml\">\n"
	       "    <edmx:Include Namespace=\"RedfishExtensions.v1_0_0\" Alias=\"Redfish\"/>\n"
	       "  </edmx:Reference>\n"
	       "  <edmx:Reference Uri=\"http://docs.oasis-open.org/odata/odata/v4.0/errata03/"
	       "csd01/complete/vocabularies/Org.OData.Core.V1.xml\">\n"
	       "    <edmx:Include Namespace=\"Org.OData.Core.V1\" Alias=\"OData\"/>\n"
	       "  </edmx:Reference>\n");
}

/* One OEM complex type: its name and base, then (name, type, nullable) triples, then NULL. */
static void complex_type(struct text *t, const char *name, const char *base, ...)
{
	va_list ap;
	const char *p;

	text_add(t, "      <ComplexType Name=\"%s\"%s%s%s>\n", name, base ? " BaseType=\"" : "",
	    base ? base : "", base ? "\"" : "");
	va_start(ap, base);
	while ((p = va_arg(ap, const char *)) != NULL) {
		const char *type = va_arg(ap, const char *);
		bool nullable = va_arg(ap, int);

		text_add(t, "        <Property Name=\"%s\" Type=\"%s\" Nullable=\"%s\"/>\n", p,
			 type, nullable ? "true" : "false");
	}
	va_end(ap);
	text_add(t, "      </ComplexType>\n");
}

/* The EDM types the OEM properties use. */
#define S "Edm.String"
#define I "Edm.Int64"
#define B "Edm.Boolean"

static void oem_guest(struct text *t)
{
	complex_type(t, "IntegrationServices", NULL, "Shutdown", B, 0, "TimeSync", B, 0,
		     "Heartbeat", B, 0, "KVP", B, 0, "Sessions", B, 0, "Exec", B, 0, NULL);
	complex_type(t, "GuestOS", NULL, "vm", S, 0, "AdditionsVersion", S, 1,
		     "IntegrationComponentsVersion", S, 1, "CanShutdown", B, 0, "ComputerName", S,
		     1, "HeartbeatPercentage", I, 1, "IsHeartbeating", B, 1,
		     "IsHostTimeSyncEnabled", B, 0, "OSName", S, 1, "ScreenLocked", B, 1,
		     "OSMajorVersion", I, 1, "OSMinorVersion", I, 1, "OSBuildNumber", S, 1,
		     "OSVersion", S, 1, "CSDVersion", S, 1, "ServicePackMajor", I, 1,
		     "ServicePackMinor", I, 1, "ProductType", I, 1, "SuiteMask", I, 1,
		     "OSPlatformId", I, 1, "MultipleUserSessionsAllowed", B, 1,
		     "TerminalServicesInitialized", B, 1, "TerminalServerPort", I, 1,
		     "IntegrationServices", "Hv.v1_0_0.IntegrationServices", 0, NULL);
	complex_type(t, "ComputerSystem", "Resource.OemObject", "PartitionId", I, 0, "Role", S, 0,
		     "State", S, 0, "StateCause", S, 1, "GuestOS", "Hv.v1_0_0.GuestOS", 1, NULL);
}

static void oem_others(struct text *t)
{
	complex_type(t, "Message", "Resource.OemObject", "HResult", S, 0, "HResultName", S, 1,
		     "Description", S, 1, NULL);
	complex_type(t, "Task", "Resource.OemObject", "Kind", S, 0, "System", S, 0, "Result", S, 1,
		     "IsCancelable", B, 0, "HResult", S, 0, "HResultName", S, 1, "CreatedMs", I, 0,
		     "CompletedMs", I, 1, NULL);
	complex_type(t, "Manager", "Resource.OemObject", "RootPartition", S, 1, NULL);
	complex_type(t, "EventRecord", "Resource.OemObject", "TimeMs", I, 0, "System", S, 0,
		     "State", S, 1, "Cause", S, 1, "Task", I, 1, "Result", S, 1, "HResult", S, 1,
		     "HResultName", S, 1, NULL);
}

static void build(void)
{
	struct text t = { .buf = doc, .cap = sizeof(doc) };

	text_add(
		&t,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\" Version=\"4.0\">\n");
	references(&t);
	text_add(
		&t,
		"  <edmx:DataServices>\n"
		"    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"Hv\"/>\n"
		"    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"Hv.v1_0_0\">\n");
	oem_guest(&t);
	oem_others(&t);
	text_add(
		&t,
		"    </Schema>\n"
		"    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"Service\">\n"
		"      <EntityContainer Name=\"Service\" Extends=\"ServiceRoot.%s.ServiceContainer\"/>\n"
		"    </Schema>\n"
		"  </edmx:DataServices>\n"
		"</edmx:Edmx>\n",
		rf_type_version(RF_T_SERVICE_ROOT));
	doc_len = t.overflow ? 0 : t.len;
}

static enum api_disposition metadata(struct api_ctx *ctx)
{
	if (doc_len == 0)
		build();
	if (doc_len == 0)
		return rf_error_hr(ctx, E_OUTOFMEMORY,
				   "the metadata document did not fit its buffer");
	return api_reply_text(ctx, 200, "application/xml", doc, doc_len);
}

const struct api_route rf_metadata_routes[] = {
	{ HTTP_M_GET, RF_ROOT "/$metadata", RF_PUBLIC, metadata },
};
const size_t rf_metadata_routes_count = sizeof(rf_metadata_routes) / sizeof(rf_metadata_routes[0]);
