/*
 * Unit tests of the management API's resources on the fake backend:
 * GET /vms (filtered per token), GET /vms/{vm}, GET and PATCH guestos
 * (null for what the guest has not reported, 409 when not running),
 * the deferred parameter and user answers (completed by the fake guest,
 * cancelled when the client goes away), the events long-poll and
 * /metrics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_api_util.h"

#include <common/notify.h>

static int setup(void **state)
{
	(void)state;
	world();
	return 0;
}

static void test_vms_list(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_GET, "/api/v1/vms", TOKEN_ADMIN, NULL);
	assert_int_equal(a->status, 200);
	assert_json(a);
	assert_string_equal(a->body,
		"{\"vms\":[{\"name\":\"root\",\"id\":0,\"role\":\"root\",\"state\":\"Running\","
		"\"memoryMiB\":256,\"vpCount\":1,\"stateCause\":null},"
		"{\"name\":\"testos1\",\"id\":1,\"role\":\"guest\",\"state\":\"Running\","
		"\"memoryMiB\":64,\"vpCount\":1,\"stateCause\":null},"
		"{\"name\":\"testos2\",\"id\":2,\"role\":\"guest\",\"state\":\"Off\","
		"\"memoryMiB\":64,\"vpCount\":1,\"stateCause\":null}]}");
	a = call(HTTP_M_GET, "/api/v1/vms", TOKEN_READER, NULL);
	assert_int_equal(a->status, 200);
	assert_body_has(a, "testos1");
	assert_null(strstr(a->body, "testos2"));
	assert_null(strstr(a->body, "\"root\""));
}

static void test_vm_get_and_cause(void **state)
{
	struct fake_answer *a;

	(void)state;
	fake.vms[2].vm.state = HV_PARTITION_STARTING;
	notify_post(2, NOTIFY_STATE, HV_PARTITION_STARTING, HV_EVENT_ROOT_START);
	a = call(HTTP_M_GET, "/api/v1/vms/testos2", TOKEN_OPERATOR, NULL);
	assert_int_equal(a->status, 200);
	assert_string_equal(a->body, "{\"name\":\"testos2\",\"id\":2,\"role\":\"guest\","
				     "\"state\":\"Starting\",\"memoryMiB\":64,\"vpCount\":1,"
				     "\"stateCause\":\"root start\"}");
}

static void test_guestos_unknown_facts_are_null(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_GET, "/api/v1/vms/testos1/guestos", TOKEN_READER, NULL);
	assert_int_equal(a->status, 200);
	assert_json(a);
	assert_string_equal(a->body,
		"{\"vm\":\"testos1\",\"AdditionsVersion\":null,\"IntegrationComponentsVersion\":null,"
		"\"CanShutdown\":false,\"ComputerName\":null,\"HeartbeatPercentage\":null,"
		"\"IsHeartbeating\":null,\"IsHostTimeSyncEnabled\":true,\"OSName\":null,"
		"\"ScreenLocked\":null,\"OSMajorVersion\":null,\"OSMinorVersion\":null,"
		"\"OSBuildNumber\":null,\"OSVersion\":null,"
		"\"CSDVersion\":null,\"ServicePackMajor\":null,\"ServicePackMinor\":null,"
		"\"ProductType\":null,\"SuiteMask\":null,\"OSPlatformId\":null,"
		"\"MultipleUserSessionsAllowed\":null,"
		"\"TerminalServicesInitialized\":null,\"TerminalServerPort\":null,"
		"\"IntegrationServices\":{\"Shutdown\":false,\"TimeSync\":false,"
		"\"Heartbeat\":false,\"KVP\":false,\"Sessions\":false,\"Exec\":false}}");
}

static void test_guestos_reported_facts(void **state)
{
	struct guestos_facts *f = &fake.vms[1].facts;
	struct fake_answer *a;

	(void)state;
	f->additions = f->can_shutdown = true;
	f->heartbeat_known = f->heartbeating = true;
	f->heartbeat_percentage = 97;
	f->kvp_known = true;
	snprintf(f->kvp.os_name, sizeof(f->kvp.os_name), "testos");
	snprintf(f->kvp.computer_name, sizeof(f->kvp.computer_name), "testos1.\"local\"");
	snprintf(f->kvp.additions_version, sizeof(f->kvp.additions_version), "0.1.0");
	snprintf(f->kvp.os_version, sizeof(f->kvp.os_version), "1.0.0");
	snprintf(f->kvp.os_build, sizeof(f->kvp.os_build), "42");
	f->kvp.os_major = 1;
	f->sessions_known = f->screen_locked = true;
	a = call(HTTP_M_GET, "/api/v1/vms/testos1/guestos", TOKEN_READER, NULL);
	assert_int_equal(a->status, 200);
	assert_json(a);
	assert_body_has(a, "\"AdditionsVersion\":\"0.1.0\",\"IntegrationComponentsVersion\":\"0.1.0\","
			   "\"CanShutdown\":true,\"ComputerName\":\"testos1.\\\"local\\\"\","
			   "\"HeartbeatPercentage\":97,\"IsHeartbeating\":true,");
	assert_body_has(a, "\"OSName\":\"testos\",\"ScreenLocked\":true,\"OSMajorVersion\":1,"
			   "\"OSMinorVersion\":0,\"OSBuildNumber\":\"42\",\"OSVersion\":\"1.0.0\","
			   "\"CSDVersion\":null,\"ServicePackMajor\":null,");
	/* A Windows guest adds its OSVERSIONINFOEX; each counts only if reported. */
	f->kvp.reported = GUESTOS_KVP_CSD_VERSION | GUESTOS_KVP_SP_MAJOR | GUESTOS_KVP_SP_MINOR |
			  GUESTOS_KVP_PRODUCT_TYPE | GUESTOS_KVP_PLATFORM_ID;
	f->kvp.sp_major = 1;
	f->kvp.product_type = 3;
	f->kvp.platform_id = 2;
	f->kvp.suite_mask = 272;
	a = call(HTTP_M_GET, "/api/v1/vms/testos1/guestos", TOKEN_READER, NULL);
	assert_body_has(a, "\"CSDVersion\":\"\",\"ServicePackMajor\":1,\"ServicePackMinor\":0,"
			   "\"ProductType\":3,\"SuiteMask\":null,\"OSPlatformId\":2,");
	/* A Linux guest: the standard services, no Sessions or Exec. */
	f->services = GUESTOS_SVC_SHUTDOWN | GUESTOS_SVC_TIMESYNC | GUESTOS_SVC_HEARTBEAT |
		      GUESTOS_SVC_KVP;
	a = call(HTTP_M_GET, "/api/v1/vms/testos1/guestos", TOKEN_READER, NULL);
	assert_body_has(a, "\"IntegrationServices\":{\"Shutdown\":true,\"TimeSync\":true,"
			   "\"Heartbeat\":true,\"KVP\":true,\"Sessions\":false,\"Exec\":false}");
}

static void test_guestos_not_running_409(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_GET, "/api/v1/vms/testos2/guestos", TOKEN_ADMIN, NULL);
	assert_error(a, 409, "VM_E_VM_NOT_RUNNING");
	assert_string_equal(a->body, "{\"error\":{\"hresult\":\"0xA0040206\",\"name\":"
				     "\"VM_E_VM_NOT_RUNNING\",\"message\":\"testos2 is not running\"}}");
	/* The root has no guest OS view. */
	assert_error(call(HTTP_M_GET, "/api/v1/vms/root/guestos", TOKEN_ADMIN, NULL), 409,
		     "VM_E_ADDITIONS_NOT_AVAIL");
}

static void test_guestos_patch(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_PATCH, "/api/v1/vms/testos1/guestos", TOKEN_OPERATOR,
		 "{\"IsHostTimeSyncEnabled\":false,\"Unknown\":1}");
	assert_int_equal(a->status, 200);
	assert_body_has(a, "\"IsHostTimeSyncEnabled\":false");
	assert_false(fake.vms[1].facts.time_sync_enabled);
	assert_string_equal(fake.log, "root: api: operator: set-timesync testos1 false\n");
	assert_error(call(HTTP_M_PATCH, "/api/v1/vms/testos1/guestos", TOKEN_OPERATOR,
			  "{\"IsHostTimeSyncEnabled\":\"no\"}"), 400, "E_INVALIDARG");
	assert_error(call(HTTP_M_PATCH, "/api/v1/vms/testos1/guestos", TOKEN_OPERATOR, "{}"), 400,
		     "E_INVALIDARG");
	assert_error(call(HTTP_M_PATCH, "/api/v1/vms/testos1/guestos", TOKEN_OPERATOR, NULL), 400,
		     "E_INVALIDARG");
	a = call(HTTP_M_PATCH, "/api/v1/vms/testos1/guestos", TOKEN_OPERATOR, "{\"IsHost");
	assert_error(a, 400, "E_INVALIDARG");
	assert_body_has(a, "not one valid JSON object");
	assert_error(call(HTTP_M_PATCH, "/api/v1/vms/testos2/guestos", TOKEN_ADMIN,
			  "{\"IsHostTimeSyncEnabled\":true}"), 409, "VM_E_VM_NOT_RUNNING");
	assert_int_equal(fake.time_sync_calls, 1);
}

static void test_param_get_deferred(void **state)
{
	struct guestos_result res = { .hresult = S_OK };
	struct fake_answer *a = fake_answer(fake_conn(7));
	struct fake_request *r;

	(void)state;
	assert_int_equal(call_on(7, HTTP_M_GET, "/api/v1/vms/testos1/guestos/parameters/Path%20X",
				 NULL, TOKEN_READER, NULL), API_DEFERRED);
	assert_int_equal(a->answers, 0);
	r = fake_last_request();
	assert_non_null(r);
	assert_int_equal(r->id, 1);
	assert_int_equal(r->args.op, GUESTOS_PARAM_GET);
	assert_string_equal(r->args.text, "Path X");
	snprintf(res.value, sizeof(res.value), "C:\\x \"q\"");
	fake_complete(r, &res);
	assert_int_equal(a->answers, 1);
	assert_int_equal(a->status, 200);
	assert_string_equal(a->body, "{\"name\":\"Path X\",\"value\":\"C:\\\\x \\\"q\\\"\"}");
	/* The connection is no longer deferred: going away cancels nothing. */
	api_conn_gone(fake_conn(7));
	assert_int_equal(fake.cancels, 0);
}

static void test_param_errors(void **state)
{
	struct guestos_result res = { .hresult = VM_E_PREF_NOT_FOUND };
	struct fake_answer *a = fake_answer(fake_conn(8));
	char path[400];

	(void)state;
	call_on(8, HTTP_M_GET, "/api/v1/vms/testos1/guestos/parameters/nope", NULL, TOKEN_READER,
		NULL);
	fake_complete(fake_last_request(), &res);
	assert_error(a, 404, "VM_E_PREF_NOT_FOUND");
	assert_body_has(a, "testos1 has no parameter nope");
	call_on(8, HTTP_M_GET, "/api/v1/vms/testos1/guestos/parameters/slow", NULL, TOKEN_READER,
		NULL);
	res.hresult = VM_E_TIMED_OUT;
	fake_complete(fake_last_request(), &res);
	assert_error(a, 504, "VM_E_TIMED_OUT");
	/* Names: no backslash, 1-255 characters; refused before the guest is asked. */
	assert_error(call(HTTP_M_GET, "/api/v1/vms/testos1/guestos/parameters/a%5Cb", TOKEN_READER,
			  NULL), 400, "E_INVALIDARG");
	memset(path, 0, sizeof(path));
	strcpy(path, "/api/v1/vms/testos1/guestos/parameters/");
	memset(path + strlen(path), 'n', 256);
	assert_error(call(HTTP_M_GET, path, TOKEN_READER, NULL), 400, "E_INVALIDARG");
	assert_int_equal(fake.nrequests, 2);
	/* Refusals at call time are answered at once. */
	fake.refuse = VM_E_ADDITIONS_FEATURE_NOT_AVAIL;
	assert_int_equal(call_on(8, HTTP_M_GET, "/api/v1/vms/testos1/guestos/parameters/x", NULL,
				 TOKEN_READER, NULL), API_ANSWERED);
	assert_error(a, 409, "VM_E_ADDITIONS_FEATURE_NOT_AVAIL");
	fake.refuse = VM_E_VM_NOT_RUNNING;
	call_on(8, HTTP_M_GET, "/api/v1/vms/testos2/guestos/parameters/x", NULL, TOKEN_ADMIN, NULL);
	assert_error(a, 409, "VM_E_VM_NOT_RUNNING");
}

static void test_param_put(void **state)
{
	struct guestos_result res = { .hresult = S_OK };
	struct fake_answer *a = fake_answer(fake_conn(9));
	struct fake_request *r;

	(void)state;
	assert_int_equal(call_on(9, HTTP_M_PUT, "/api/v1/vms/testos1/guestos/parameters/Color", NULL,
				 TOKEN_OPERATOR, "{\"value\":\"blue\"}"), API_DEFERRED);
	r = fake_last_request();
	assert_int_equal(r->args.op, GUESTOS_PARAM_SET);
	assert_string_equal(r->args.text, "Color");
	assert_string_equal(r->args.value, "blue");
	fake_complete(r, &res);
	assert_int_equal(a->status, 200);
	assert_string_equal(a->body, "{\"name\":\"Color\",\"value\":\"blue\"}");
	assert_string_equal(fake.log, "root: api: operator: set-parameter testos1 Color\n");
	assert_error(call(HTTP_M_PUT, "/api/v1/vms/testos1/guestos/parameters/Color", TOKEN_OPERATOR,
			  "{\"value\":1}"), 400, "E_INVALIDARG");
	assert_error(call(HTTP_M_PUT, "/api/v1/vms/testos1/guestos/parameters/Color", TOKEN_OPERATOR,
			  "{}"), 400, "E_INVALIDARG");
	assert_error(call(HTTP_M_PUT, "/api/v1/vms/testos1/guestos/parameters/Color", TOKEN_READER,
			  "{\"value\":\"x\"}"), 403, "E_ACCESSDENIED");
}

static void test_users_deferred_and_gone(void **state)
{
	struct guestos_result res = { .hresult = S_OK, .nusers = 2 };
	struct fake_answer *a = fake_answer(fake_conn(10));

	(void)state;
	assert_int_equal(call_on(10, HTTP_M_GET, "/api/v1/vms/testos1/guestos/users", NULL,
				 TOKEN_READER, NULL), API_DEFERRED);
	res.users[0] = (struct guestos_user){ .session_id = 1, .active = true, .name = "alice" };
	res.users[1] = (struct guestos_user){ .session_id = 7, .locked = true, .remote = true,
					      .name = "b\"ob" };
	fake_complete(fake_last_request(), &res);
	assert_int_equal(a->status, 200);
	assert_json(a);
	assert_string_equal(a->body, "{\"users\":[{\"name\":\"alice\",\"sessionId\":1,\"active\":true,"
				     "\"locked\":false,\"remote\":false},{\"name\":\"b\\\"ob\","
				     "\"sessionId\":7,\"active\":false,\"locked\":true,\"remote\":true}]}");
	/* A client that goes away cancels its guest request; the slot is free again. */
	call_on(11, HTTP_M_GET, "/api/v1/vms/testos1/guestos/users", NULL, TOKEN_READER, NULL);
	assert_non_null(fake_last_request());
	api_conn_gone(fake_conn(11));
	assert_int_equal(fake.cancels, 1);
	assert_null(fake_last_request());
	assert_int_equal(fake_answer(fake_conn(11))->answers, 0);
}

static void test_pending_slots_run_out(void **state)
{
	unsigned deferred = 0;

	(void)state;
	for (unsigned i = 0; i < 20; i++)
		deferred += call_on(20 + i, HTTP_M_GET, "/api/v1/vms/testos1/guestos/users", NULL,
				    TOKEN_READER, NULL) == API_DEFERRED;
	assert_int_equal(deferred, 16);
	assert_error(fake_answer(fake_conn(39)), 503, "VM_E_OUT_OF_RESOURCE");
	for (unsigned i = 0; i < 20; i++)
		api_conn_gone(fake_conn(20 + i));
	assert_int_equal(fake.cancels, 16);
	assert_int_equal(call_on(20, HTTP_M_GET, "/api/v1/vms/testos1/guestos/users", NULL,
				 TOKEN_READER, NULL), API_DEFERRED);
	api_conn_gone(fake_conn(20));
}

static void test_events_immediate(void **state)
{
	struct fake_answer *a;

	(void)state;
	fake.now_ms = 1000;
	notify_post(1, NOTIFY_STATE, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	fake.now_ms = 1500;
	notify_post(2, NOTIFY_HEARTBEAT, 0, 0);
	notify_post(1, NOTIFY_ADDITIONS, 1, 0);
	notify_post(1, NOTIFY_FACTS, 0, 0);     /* not an event */
	api_event_post(&(struct api_event){ .type = API_EV_TASK_COMPLETED, .vm_id = 1, .task = 7,
					    .result = TASK_UNEXPECTED_ERROR,
					    .hresult = HR_ERROR_MACHINE_LOCKED });
	call_on(0, HTTP_M_GET, "/api/v1/events", "since=0&wait=0", TOKEN_ADMIN, NULL);
	a = fake_answer(fake_conn(0));
	assert_int_equal(a->status, 200);
	assert_json(a);
	assert_string_equal(a->body,
		"{\"events\":[{\"seq\":1,\"timeMs\":1000,\"vm\":\"testos1\",\"type\":\"stateChanged\","
		"\"state\":\"Off\",\"cause\":\"guest poweroff\"},"
		"{\"seq\":2,\"timeMs\":1500,\"vm\":\"testos2\",\"type\":\"heartbeatStopped\"},"
		"{\"seq\":3,\"timeMs\":1500,\"vm\":\"testos1\",\"type\":\"additionsReady\"},"
		"{\"seq\":4,\"timeMs\":1500,\"vm\":\"testos1\",\"type\":\"taskCompleted\",\"task\":7,"
		"\"result\":\"UnexpectedError\",\"error\":\"0x800704F7\","
		"\"errorName\":\"ERROR_MACHINE_LOCKED\"}],\"next\":4,\"missed\":0}");
	/* The reader sees only testos1's events; next still moves past the others. */
	call_on(0, HTTP_M_GET, "/api/v1/events", "since=1", TOKEN_READER, NULL);
	assert_body_has(a, "\"events\":[{\"seq\":3,");
	assert_null(strstr(a->body, "testos2"));
	assert_body_has(a, "\"next\":4,\"missed\":0}");
	/* A since from the future (an earlier root's) means from now on. */
	call_on(0, HTTP_M_GET, "/api/v1/events", "since=99&wait=0", TOKEN_ADMIN, NULL);
	assert_string_equal(a->body, "{\"events\":[],\"next\":4,\"missed\":0}");
	assert_error(call_on(0, HTTP_M_GET, "/api/v1/events", "wait=60001", TOKEN_ADMIN, NULL) ==
			     API_ANSWERED ? a : NULL, 400, "E_INVALIDARG");
	call_on(0, HTTP_M_GET, "/api/v1/events", "since=-1", TOKEN_ADMIN, NULL);
	assert_error(a, 400, "E_INVALIDARG");
}

static void test_events_long_poll(void **state)
{
	struct fake_answer *a = fake_answer(fake_conn(12)), *b = fake_answer(fake_conn(13));

	(void)state;
	fake.now_ms = 5000;
	assert_int_equal(call_on(12, HTTP_M_GET, "/api/v1/events", "wait=2000", TOKEN_READER, NULL),
			 API_DEFERRED);
	assert_int_equal(call_on(13, HTTP_M_GET, "/api/v1/events", "since=0", TOKEN_OPERATOR, NULL),
			 API_DEFERRED);
	/* testos2's event: the operator may read it, the reader may not. */
	notify_post(2, NOTIFY_HEARTBEAT, 1, 0);
	assert_int_equal(a->answers, 0);
	assert_int_equal(b->answers, 1);
	assert_body_has(b, "\"type\":\"heartbeatRestored\"");
	/* Nothing for the reader before its wait ends: an empty answer then. */
	api_poll(6999);
	assert_int_equal(a->answers, 0);
	api_poll(7000);
	assert_int_equal(a->answers, 1);
	assert_string_equal(a->body, "{\"events\":[],\"next\":1,\"missed\":0}");
	/* A waiter that goes away is never answered. */
	call_on(12, HTTP_M_GET, "/api/v1/events", "since=1", TOKEN_READER, NULL);
	api_conn_gone(fake_conn(12));
	notify_post(1, NOTIFY_HEARTBEAT, 0, 0);
	assert_int_equal(a->answers, 0);
}

/*
 * One token may hold a quarter of the connections with waits; the next
 * gets 429 with Retry-After, while another token still waits.
 */
static void test_events_share_per_token(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < API_MAX_DEFERRED_PER_TOKEN; i++)
		assert_int_equal(call_on(i, HTTP_M_GET, "/api/v1/events", "wait=60000",
					 TOKEN_READER, NULL), API_DEFERRED);
	assert_int_equal(call_on(i, HTTP_M_GET, "/api/v1/events", "wait=60000", TOKEN_READER,
				 NULL), API_ANSWERED);
	assert_error(fake_answer(fake_conn(i)), 429, "VM_E_OUT_OF_RESOURCE");
	assert_non_null(strstr(fake_answer(fake_conn(i))->headers, "Retry-After: 1\n"));
	assert_int_equal(call_on(i + 1, HTTP_M_GET, "/api/v1/events", "wait=60000",
				 TOKEN_OPERATOR, NULL), API_DEFERRED);
	/* A freed place is the token's again. */
	api_conn_gone(fake_conn(0));
	assert_int_equal(call_on(i, HTTP_M_GET, "/api/v1/events", "wait=60000", TOKEN_READER,
				 NULL), API_DEFERRED);
	for (unsigned c = 1; c <= i + 1; c++)
		api_conn_gone(fake_conn(c));
}

static void test_events_ring_and_paging(void **state)
{
	struct fake_answer *a = fake_answer(fake_conn(0));

	(void)state;
	for (unsigned i = 0; i < API_EVENTS_KEPT + 10; i++)
		notify_post(1, NOTIFY_HEARTBEAT, i & 1, 0);
	call_on(0, HTTP_M_GET, "/api/v1/events", "since=0", TOKEN_ADMIN, NULL);
	assert_json(a);
	/* Events 1-10 left the ring; one answer carries 64 events at most. */
	assert_body_has(a, "{\"events\":[{\"seq\":11,");
	assert_body_has(a, "\"next\":74,\"missed\":10}");
	call_on(0, HTTP_M_GET, "/api/v1/events", "since=260&wait=0", TOKEN_ADMIN, NULL);
	assert_body_has(a, "\"seq\":266,");
	assert_body_has(a, "\"next\":266,\"missed\":0}");
}

static void test_metrics(void **state)
{
	struct fake_answer *a;

	(void)state;
	fake.vms[1].facts.heartbeat_known = true;
	fake.vms[1].facts.heartbeating = true;
	fake.vms[1].facts.heartbeat_percentage = 100;
	fake.vms[1].has_exits = true;
	fake.vms[1].exits[0] = 12;      /* cpuid */
	fake.vms[1].exits[5] = 3;       /* hypercall */
	fake.heap_known = true;
	fake.heap_used = 4096;
	fake.net_known = true;
	fake.net = (struct backend_net){ .rx_frames = 5, .tx_bytes = 900, .rx_no_buffer = 1 };
	fake_refusals[0] = (struct http_status_count){ 413, 2 };
	call(HTTP_M_GET, "/api/v1/nothing", NULL, NULL);
	a = call(HTTP_M_GET, "/metrics", TOKEN_READER, NULL);
	assert_int_equal(a->status, 200);
	assert_string_equal(a->content_type, "text/plain; version=0.0.4");
	assert_body_has(a, "# TYPE hv_vm_state gauge\n");
	/* Only the VMs the token may read: the reader's grant names testos1 alone. */
	assert_body_has(a, "# TYPE hv_vm_state gauge\nhv_vm_state{vm=\"testos1\"} 2\n# HELP");
	assert_null(strstr(a->body, "vm=\"root\""));
	assert_null(strstr(a->body, "vm=\"testos2\""));
	assert_body_has(a, "hv_guest_heartbeat_percentage{vm=\"testos1\"} 100\n");
	assert_null(strstr(a->body, "hv_guest_heartbeat_percentage{vm=\"testos2\"}"));
	assert_body_has(a, "hv_guest_heartbeating{vm=\"testos1\"} 1\n");
	assert_body_has(a, "hv_exits_total{vm=\"testos1\",reason=\"cpuid\"} 12\n");
	assert_body_has(a, "hv_exits_total{vm=\"testos1\",reason=\"hypercall\"} 3\n");
	assert_null(strstr(a->body, "hv_exits_total{vm=\"testos2\""));
	assert_body_has(a, "hv_root_heap_used_bytes 4096\n");
	assert_body_has(a, "hv_root_net_frames_total{dir=\"rx\"} 5\n");
	assert_body_has(a, "hv_root_net_bytes_total{dir=\"tx\"} 900\n");
	assert_body_has(a, "hv_root_net_dropped_total{dir=\"rx\",reason=\"no_buffer\"} 1\n"
			   "hv_root_net_dropped_total{dir=\"rx\",reason=\"bad\"} 0\n");
	assert_body_has(a, "hv_http_requests_total{code=\"404\"} ");
	assert_body_has(a, "hv_http_refused_total{code=\"413\"} 2\n");
	/* The task engine's stub (task_stub.c) counts no tasks. */
	assert_body_has(a, "hv_tasks{state=\"running\"} 0\nhv_tasks{state=\"completed\"} 0\n");
	/* The operator may read testos2 too; the admin ("*") every VM. */
	a = call(HTTP_M_GET, "/metrics", TOKEN_OPERATOR, NULL);
	assert_body_has(a, "hv_vm_state{vm=\"testos1\"} 2\nhv_vm_state{vm=\"testos2\"} 0\n#");
	a = call(HTTP_M_GET, "/metrics", TOKEN_ADMIN, NULL);
	assert_body_has(a, "hv_vm_state{vm=\"root\"} 2\nhv_vm_state{vm=\"testos1\"} 2\n"
			   "hv_vm_state{vm=\"testos2\"} 0\n");
	/* Every line is a comment or "name{labels} value". */
	for (const char *l = a->body; *l; l = strchr(l, '\n') + 1) {
		if (*l != '#' && !strchr(l, ' '))
			fail_msg("bad line: %s", l);
		assert_non_null(strchr(l, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vms_list, setup),
		cmocka_unit_test_setup(test_vm_get_and_cause, setup),
		cmocka_unit_test_setup(test_guestos_unknown_facts_are_null, setup),
		cmocka_unit_test_setup(test_guestos_reported_facts, setup),
		cmocka_unit_test_setup(test_guestos_not_running_409, setup),
		cmocka_unit_test_setup(test_guestos_patch, setup),
		cmocka_unit_test_setup(test_param_get_deferred, setup),
		cmocka_unit_test_setup(test_param_errors, setup),
		cmocka_unit_test_setup(test_param_put, setup),
		cmocka_unit_test_setup(test_users_deferred_and_gone, setup),
		cmocka_unit_test_setup(test_pending_slots_run_out, setup),
		cmocka_unit_test_setup(test_events_immediate, setup),
		cmocka_unit_test_setup(test_events_long_poll, setup),
		cmocka_unit_test_setup(test_events_share_per_token, setup),
		cmocka_unit_test_setup(test_events_ring_and_paging, setup),
		cmocka_unit_test_setup(test_metrics, setup),
	};

	return cmocka_run_group_tests(tests, api_group_setup, NULL);
}
