/*
 * Unit tests of the Redfish face's resources (mgmt/redfish) through the
 * real router, on the fake backend: the public entry points, every link
 * of the service root, authentication (Basic, Bearer, none) and rights
 * (401, 403, 404 in Redfish's error shape with the HRESULT), the
 * ComputerSystem's properties and where they come from, the Manager,
 * ETags and If-None-Match, $metadata covering every OEM property sent,
 * unsupported methods and query options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_redfish_util.h"

#include <common/notify.h>

static int setup(void **state)
{
	(void)state;
	rf_world();
	return 0;
}

static void test_public_entry_points(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = rf_get("/redfish", NULL);
	assert_int_equal(a->status, 200);
	assert_jget(a, "v1", RF "/");
	a = rf_get(RF "/", NULL);
	assert_int_equal(a->status, 200);
	assert_json(a);
	assert_jget(a, "@odata.id", RF "/");
	assert_jget(a, "@odata.type", "#ServiceRoot.v1_5_0.ServiceRoot");
	assert_jget(a, "@odata.context", RF "/$metadata#ServiceRoot.ServiceRoot");
	assert_jget(a, "Links/Sessions/@odata.id", RF "/SessionService/Sessions");
	assert_jget(a, "Tasks/@odata.id", RF "/TaskService");
	assert_non_null(strstr(a->headers, "OData-Version: 4.0\n"));
	/* Without the trailing slash: the same resource. */
	assert_int_equal(rf_get(RF, NULL)->status, 200);
	a = rf_get(RF "/odata", NULL);
	assert_int_equal(a->status, 200);
	assert_jget(a, "value/0/url", RF "/");
	assert_jget(a, "value/1/name", "Systems");
	a = rf_get(RF "/$metadata", NULL);
	assert_int_equal(a->status, 200);
	assert_string_equal(a->content_type, "application/xml");
	assert_non_null(strstr(a->body, "<edmx:Include Namespace=\"ComputerSystem.v1_13_0\"/>"));
	assert_non_null(strstr(a->body, "Extends=\"ServiceRoot.v1_5_0.ServiceContainer\""));
	assert_non_null(strstr(a->body, "</edmx:Edmx>\n"));
	/* The percent-encoded form reaches it too. */
	assert_int_equal(rf_get(RF "/%24metadata", NULL)->status, 200);
}

/* Every "@odata.id" the service root names answers 200 with JSON to the admin. */
static void test_root_links_answer(void **state)
{
	static char root[HTTP_MAX_RESPONSE];
	unsigned n = 0;

	(void)state;
	snprintf(root, sizeof(root), "%s", rf_get(RF, NULL)->body);
	for (const char *p = strstr(root, "\"@odata.id\":\""); p;
	     p = strstr(p, "\"@odata.id\":\"")) {
		char uri[128];
		struct fake_answer *a;

		p += 13;
		snprintf(uri, sizeof(uri), "%.*s", (int)strcspn(p, "\""), p);
		a = rf_get(uri, rf_admin);
		if (a->status != 200)
			fail_msg("%s: %d %s", uri, a->status, a->body);
		assert_json(a);
		assert_jget(a, "@odata.id", uri[strlen(uri) - 1] == '/' ? RF "/" : uri);
		n++;
	}
	assert_int_equal(n, 7);     /* root, 5 services, Links.Sessions */
}

static void test_authentication(void **state)
{
	char wrong[96];
	struct fake_answer *a;

	(void)state;
	a = rf_get(RF "/Systems", NULL);
	assert_rf_error(a, 401, "NoValidSession", "E_ACCESSDENIED");
	assert_non_null(strstr(a->headers, "WWW-Authenticate: Basic realm=\"hv\"\n"));
	assert_rf_error(rf_get(RF "/Systems", basic(wrong, sizeof(wrong), "admin", "nope")), 401,
			"NoValidSession", "E_ACCESSDENIED");
	/* The right secret under another token's name is refused. */
	assert_rf_error(rf_get(RF "/Systems",
			       basic(wrong, sizeof(wrong), "reader", "admin-secret")),
			401, "NoValidSession", "E_ACCESSDENIED");
	assert_rf_error(rf_get(RF "/Systems", "Basic !!!"), 401, "NoValidSession", NULL);
	assert_rf_error(rf_call_on(0, HTTP_M_GET, RF "/Systems", rf_admin, "no-such-session", NULL,
				   NULL), 401, "NoValidSession", NULL);
	assert_int_equal(rf_get(RF "/Systems", rf_admin)->status, 200);
	assert_int_equal(rf_get(RF "/Systems", "basic YWRtaW46YWRtaW4tc2VjcmV0")->status, 200);
	assert_int_equal(rf_get(RF "/Systems", TOKEN_ADMIN)->status, 200);
}

/* Failed attempts on this face count against the address as on the native API. */
static void test_failed_authentications_slow_down(void **state)
{
	char wrong[96];
	struct fake_answer *a;
	unsigned failures = 0;

	(void)state;
	basic(wrong, sizeof(wrong), "admin", "guess");
	do {
		a = rf_get(RF "/Systems", wrong);
		failures++;
	} while (a->status == 401 && failures < 50);
	assert_rf_error(a, 429, "ServiceTemporarilyUnavailable", "E_ACCESSDENIED");
	assert_non_null(header_of(a, "Retry-After"));
	assert_true(failures > 5);
	/* Held back without a look at the credentials: the right ones too, and logins. */
	assert_int_equal(rf_get(RF "/Systems", rf_admin)->status, 429);
	assert_int_equal(rf_post(RF "/SessionService/Sessions", NULL,
				 "{\"UserName\":\"admin\",\"Password\":\"admin-secret\"}")
				 ->status,
			 429);
	/* One budget for both faces: the native API holds this address back too. */
	assert_int_equal(rf_get("/api/v1/vms", TOKEN_ADMIN)->status, 429);
	/* Public resources, and other addresses, are not held back. */
	assert_int_equal(rf_get(RF, NULL)->status, 200);
	test_peer++;
	assert_int_equal(rf_get(RF "/Systems", rf_admin)->status, 200);
	test_peer--;
}

static void test_rights(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = rf_get(RF "/Systems", rf_reader);
	assert_int_equal(a->status, 200);
	assert_jget(a, "Members@odata.count", "1");
	assert_jget(a, "Members/0/@odata.id", RF "/Systems/testos1");
	assert_rf_error(rf_get(RF "/Systems/testos2", rf_reader), 403, "InsufficientPrivilege",
			"E_ACCESSDENIED");
	/* Forbidden before looked up: a token learns no names beyond its grants. */
	assert_rf_error(rf_get(RF "/Systems/nosuch", rf_reader), 403, "InsufficientPrivilege",
			NULL);
	a = rf_get(RF "/Systems/nosuch", rf_admin);
	assert_rf_error(a, 404, "ResourceNotFound", "VM_E_VM_UNKNOWN");
	assert_jget(a, "error/@Message.ExtendedInfo/0/MessageArgs/0", "ComputerSystem");
	assert_jget(a, "error/@Message.ExtendedInfo/0/MessageArgs/1", "nosuch");
	assert_jget(a, "error/@Message.ExtendedInfo/0/Message",
		    "The requested resource of type ComputerSystem named 'nosuch' was not found.");
	assert_rf_error(rf_post(RF "/Systems/testos1/Actions/ComputerSystem.Reset", rf_reader,
				"{\"ResetType\":\"ForceOff\"}"),
			403, "InsufficientPrivilege", NULL);
	assert_int_equal(fake.stops, 0);
}

static void test_system_properties(void **state)
{
	struct fake_vm *v = &fake.vms[1];
	struct fake_answer *a;

	(void)state;
	v->vm.vp_count = 2;
	v->vm.memory_bytes = 100ull << 20;
	v->facts.kvp_known = true;
	snprintf(v->facts.kvp.computer_name, sizeof(v->facts.kvp.computer_name), "g1.example.org");
	snprintf(v->facts.kvp.os_name, sizeof(v->facts.kvp.os_name), "testos");
	v->facts.heartbeat_known = v->facts.heartbeating = true;
	a = rf_get(RF "/Systems/testos1", rf_reader);
	assert_int_equal(a->status, 200);
	assert_jget(a, "Id", "testos1");
	assert_jget(a, "SystemType", "VirtuallyPartitioned");
	assert_jget(a, "PowerState", "On");
	assert_jget(a, "Status/State", "Enabled");
	assert_jget(a, "Status/Health", "OK");
	assert_jget(a, "HostName", "g1");
	assert_jget(a, "ProcessorSummary/Count", "2");
	assert_jget(a, "MemorySummary/TotalSystemMemoryGiB", "0.09765625");
	assert_jget(a, "Boot/BootSourceOverrideEnabled", "Disabled");
	assert_jget(a, "Links/ManagedBy/0/@odata.id", RF "/Managers/hv");
	assert_jget(a, "Oem/Hv/PartitionId", "1");
	assert_jget(a, "Oem/Hv/GuestOS/OSName", "testos");
	assert_jget(a, "Oem/Hv/GuestOS/ComputerName", "g1.example.org");
	assert_non_null(strstr(a->body,
			       "\"ResetType@Redfish.AllowableValues\":[\"On\",\"ForceOff\","
			       "\"GracefulShutdown\",\"GracefulRestart\",\"ForceRestart\","
			       "\"PowerCycle\"]"));
	assert_non_null(strstr(a->body, "\"target\":\"" RF "/Systems/testos1/Actions/"
					"ComputerSystem.Reset\""));
	/* Heartbeats lost: Warning. */
	v->facts.heartbeating = false;
	assert_jget(rf_get(RF "/Systems/testos1", rf_reader), "Status/Health", "Warning");
}

static void test_system_states(void **state)
{
	static const struct {
		uint32_t hv;
		const char *power, *state, *health;
	} cases[] = {
		{ HV_PARTITION_OFF, "Off", "Disabled", "OK" },
		{ HV_PARTITION_STARTING, "PoweringOn", "Starting", "OK" },
		{ HV_PARTITION_STOPPING, "PoweringOff", "Enabled", "OK" },
		{ HV_PARTITION_FAULTED, "Off", "UnavailableOffline", "Critical" },
	};
	struct fake_answer *a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake.vms[2].vm.state = cases[i].hv;
		a = rf_get(RF "/Systems/testos2", rf_admin);
		assert_jget(a, "PowerState", cases[i].power);
		assert_jget(a, "Status/State", cases[i].state);
		assert_jget(a, "Status/Health", cases[i].health);
		assert_jget(a, "Oem/Hv/GuestOS", "null");
		assert_jget(a, "HostName", "null");
	}
	/* The root runs the service: no Reset. */
	a = rf_get(RF "/Systems/root", rf_admin);
	assert_jget(a, "Oem/Hv/Role", "root");
	assert_null(strstr(a->body, "ComputerSystem.Reset"));
	assert_jget(a, "MemorySummary/TotalSystemMemoryGiB", "0.25");
}

static void test_manager(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = rf_get(RF "/Managers/hv", rf_admin);
	assert_int_equal(a->status, 200);
	assert_jget(a, "ManagerType", "Service");
	assert_jget(a, "FirmwareVersion", "0.1.0");
	assert_jget(a, "Links/ManagerForServers/2/@odata.id", RF "/Systems/testos2");
	assert_jget(a, "Oem/Hv/RootPartition", RF "/Systems/root");
	a = rf_get(RF "/Managers/hv", rf_reader);
	assert_jget(a, "Links/ManagerForServers/0/@odata.id", RF "/Systems/testos1");
	assert_null(jget(a, "Links/ManagerForServers/1"));
	assert_jget(a, "Oem/Hv/RootPartition", "null");
	fake.config.http_port = 8080;
	a = rf_get(RF "/Managers/hv/NetworkProtocol", rf_reader);
	assert_jget(a, "HTTP/Port", "8080");
	assert_jget(a, "HTTP/ProtocolEnabled", "true");
	assert_jget(a, "HTTPS/ProtocolEnabled", "false");
	assert_jget(a, "HTTPS/Port", "null");
	fake.config.flags |= HV_MGMT_TLS;
	fake.config.https_port = 443;
	fake.config.http_port = 0;
	a = rf_get(RF "/Managers/hv/NetworkProtocol", rf_reader);
	assert_jget(a, "HTTPS/ProtocolEnabled", "true");
	assert_jget(a, "HTTPS/Port", "443");
	assert_jget(a, "HTTP/ProtocolEnabled", "false");
}

static void test_etags(void **state)
{
	struct fake_answer *a;
	char etag[256], escaped[64];

	(void)state;
	a = rf_get(RF "/Systems/testos2", rf_admin);
	snprintf(etag, sizeof(etag), "%s", header_of(a, "ETag"));
	assert_int_equal(strncmp(etag, "W/\"", 3), 0);
	/* The property holds the same text, JSON-escaped. */
	snprintf(escaped, sizeof(escaped), "W/\\\"%.16s\\\"", etag + 3);
	assert_jget(a, "@odata.etag", escaped);
	a = rf_call_on(0, HTTP_M_GET, RF "/Systems/testos2", rf_admin, NULL, etag, NULL);
	assert_int_equal(a->status, 304);
	assert_int_equal(a->len, 0);
	a = rf_call_on(0, HTTP_M_GET, RF "/Systems/testos2", rf_admin, NULL, "W/\"x\", *", NULL);
	assert_int_equal(a->status, 304);
	/* The resource changes, so does its ETag. */
	fake.vms[2].vm.state = HV_PARTITION_RUNNING;
	a = rf_call_on(0, HTTP_M_GET, RF "/Systems/testos2", rf_admin, NULL, etag, NULL);
	assert_int_equal(a->status, 200);
	assert_string_not_equal(header_of(a, "ETag"), etag);
}

static void test_routing_errors(void **state)
{
	struct fake_answer *a;

	(void)state;
	assert_rf_error(rf_get(RF "/Chassis", rf_admin), 404, "InvalidURI", "ERROR_NOT_SUPPORTED");
	a = rf_call_on(0, HTTP_M_DELETE, RF "/Systems", rf_admin, NULL, NULL, NULL);
	assert_rf_error(a, 405, "OperationNotAllowed", NULL);
	assert_non_null(strstr(a->headers, "Allow: GET, HEAD\n"));
	/* The route table is public: 404 and 405 need no credentials. */
	assert_rf_error(rf_get(RF "/nothing", NULL), 404, "InvalidURI", NULL);
	call_on(0, HTTP_M_GET, RF "/Systems", "$expand=.", rf_admin, NULL);
	assert_rf_error(fake_answer(fake_conn(0)), 501, "QueryNotSupported", NULL);
	assert_rf_error(rf_get(RF "/Systems/a%zz", rf_admin), 400, "InvalidURI", NULL);
	/* The native API is untouched beside it. */
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms", TOKEN_ADMIN, NULL)->status, 200);
	assert_int_equal(call(HTTP_M_GET, "/redfishx", TOKEN_ADMIN, NULL)->status, 404);
}

/* Each "Name":"X" key written under "Oem":{"Hv":{...}} (nested too) is declared in $metadata. */
static void check_oem_declared(const char *body, const char *metadata)
{
	const char *p = strstr(body, "\"Hv\":{");
	int depth = 0;

	assert_non_null(p);
	for (p += 5; *p; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}' && --depth == 0)
			break;
		else if (*p == '"' && (p[-1] == '{' || p[-1] == ',')) {
			char want[96];
			size_t n = strcspn(p + 1, "\"");

			snprintf(want, sizeof(want), "<Property Name=\"%.*s\"", (int)n, p + 1);
			if (p[1] != '@' && !strstr(metadata, want))
				fail_msg("%s is not in $metadata", want);
			p += n + 1;
		}
	}
}

static void test_metadata_covers_oem(void **state)
{
	static char metadata[HTTP_MAX_RESPONSE];
	struct fake_vm *v = &fake.vms[1];

	(void)state;
	snprintf(metadata, sizeof(metadata), "%s", rf_get(RF "/$metadata", NULL)->body);
	v->facts.kvp_known = v->facts.heartbeat_known = true;
	check_oem_declared(rf_get(RF "/Systems/testos1", rf_admin)->body, metadata);
	check_oem_declared(rf_get(RF "/Managers/hv", rf_admin)->body, metadata);
	check_oem_declared(rf_get(RF "/Systems/nosuch", rf_admin)->body, metadata);
	check_oem_declared(rf_post(RF "/Systems/testos2/Actions/ComputerSystem.Reset", rf_admin,
				   "{\"ResetType\":\"On\"}")->body, metadata);
	/* Every type sent is referenced. */
	assert_non_null(strstr(metadata, "<edmx:Include Namespace=\"Task.v1_4_3\"/>"));
	assert_non_null(strstr(metadata, "<edmx:Include Namespace=\"Message.v1_1_2\"/>"));
	assert_non_null(strstr(metadata, "<edmx:Include Namespace=\"Event.v1_4_1\"/>"));
	assert_non_null(strstr(metadata, "<ComplexType Name=\"EventRecord\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_public_entry_points, setup),
		cmocka_unit_test_setup(test_root_links_answer, setup),
		cmocka_unit_test_setup(test_authentication, setup),
		cmocka_unit_test_setup(test_failed_authentications_slow_down, setup),
		cmocka_unit_test_setup(test_rights, setup),
		cmocka_unit_test_setup(test_system_properties, setup),
		cmocka_unit_test_setup(test_system_states, setup),
		cmocka_unit_test_setup(test_manager, setup),
		cmocka_unit_test_setup(test_etags, setup),
		cmocka_unit_test_setup(test_routing_errors, setup),
		cmocka_unit_test_setup(test_metadata_covers_oem, setup),
	};

	return cmocka_run_group_tests(tests, api_group_setup, NULL);
}
