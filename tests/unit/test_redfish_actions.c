/*
 * Unit tests of the Redfish face's actions and state on the fake backend
 * with the real task engine: each ResetType becomes its task kind (202,
 * task monitor, audit line), refusals in Redfish's shape with the
 * engine's HRESULT, Tasks and task monitors through a task's life
 * (Running, Completed, Exception, Cancelled by DELETE), sessions (login,
 * use, expiry, logout, the per-token bound) and the Server-Sent Events
 * stream (power changes and task completions, rights, limits,
 * keep-alives, sessions ending, clients going away or falling behind).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_redfish_util.h"

#include <common/notify.h>
#include <task/task_impl.h>

#define RESET RF "/Systems/testos1/Actions/ComputerSystem.Reset"
#define SSE RF "/EventService/SSE"

static int setup(void **state)
{
	(void)state;
	rf_world();
	fake.now_ms = 5000;
	fake.vms[1].facts.additions = true;
	fake.vms[1].facts.can_shutdown = true;
	return 0;
}

static struct fake_answer *reset_as(const char *auth, const char *type)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"ResetType\":\"%s\"}", type);
	return rf_post(RESET, auth, body);
}

/* 202 with task id's monitor in Location and the Task in the body. */
static void assert_accepted(const struct fake_answer *a, unsigned id)
{
	char want[96];

	if (a->status != 202)
		fail_msg("status %d: %s", a->status, a->body);
	snprintf(want, sizeof(want), RF "/TaskService/TaskMonitors/%u", id);
	assert_string_equal(header_of(a, "Location"), want);
	assert_null(header_of(a, "Retry-After"));
	assert_jget(a, "TaskMonitor", want);
	snprintf(want, sizeof(want), "%u", id);
	assert_jget(a, "Id", want);
	assert_jget(a, "TaskState", "Running");
}

static void test_reset_types_map_to_task_kinds(void **state)
{
	static const struct {
		const char *type;
		uint32_t state;             /* testos1's state before */
		enum task_kind kind;
	} cases[] = {
		{ "ForceOff", HV_PARTITION_RUNNING, TASK_KIND_TURNOFF },
		{ "On", HV_PARTITION_OFF, TASK_KIND_START },
		{ "ForceRestart", HV_PARTITION_RUNNING, TASK_KIND_RESET },
		{ "PowerCycle", HV_PARTITION_RUNNING, TASK_KIND_RESET },
		{ "PowerCycle", HV_PARTITION_OFF, TASK_KIND_START },
		{ "GracefulShutdown", HV_PARTITION_RUNNING, TASK_KIND_SHUTDOWN },
		{ "GracefulRestart", HV_PARTITION_RUNNING, TASK_KIND_RESTART },
	};
	char audit[128];

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct task *t;

		fake.vms[1].vm.state = cases[i].state;
		assert_accepted(reset_as(rf_operator, cases[i].type), i + 1);
		t = task_find(i + 1);
		assert_int_equal(t->kind, cases[i].kind);
		assert_false(t->forced);
		snprintf(audit, sizeof(audit),
			 "root: api: operator: %s testos1 ResetType=%s task %u",
			 task_kind_name(cases[i].kind), cases[i].type, i + 1);
		if (!strstr(fake.log, audit))
			fail_msg("no audit line %s in %s", audit, fake.log);
		if (t->kind == TASK_KIND_SHUTDOWN || t->kind == TASK_KIND_RESTART)
			assert_int_equal(fake_last_request()->args.op,
					 t->kind == TASK_KIND_SHUTDOWN ? GUESTOS_SHUTDOWN :
									 GUESTOS_RESTART);
		task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
	}
	assert_int_equal(fake.stops, 1);
	assert_int_equal(fake.starts, 2);
	assert_int_equal(fake.resets, 2);
}

static void test_reset_refusals(void **state)
{
	struct fake_answer *a;

	(void)state;
	assert_rf_error(rf_post(RESET, rf_admin, NULL), 400, "ActionParameterMissing",
			"E_INVALIDARG");
	assert_rf_error(rf_post(RESET, rf_admin, "{}"), 400, "ActionParameterMissing", NULL);
	assert_rf_error(rf_post(RESET, rf_admin, "{\"ResetType\":"), 400, "MalformedJSON", NULL);
	assert_rf_error(rf_post(RESET, rf_admin, "{\"ResetType\":5}"), 400,
			"ActionParameterValueTypeError", NULL);
	a = reset_as(rf_admin, "Nmi");
	assert_rf_error(a, 400, "ActionParameterValueNotInList", "E_INVALIDARG");
	assert_jget(a, "error/@Message.ExtendedInfo/0/MessageArgs/0", "Nmi");
	/* Refused by the engine: its HRESULT, the status the native API gives it. */
	fake.lifecycle_refuse = VM_E_VM_RUNNING;    /* hv's answer to a start of a running VM */
	assert_rf_error(reset_as(rf_admin, "On"), 409, "ResourceInUse", "VM_E_VM_RUNNING");
	fake.lifecycle_refuse = S_OK;
	fake.vms[1].vm.state = HV_PARTITION_OFF;
	assert_rf_error(reset_as(rf_admin, "GracefulShutdown"), 409, "ResourceInStandby",
			"VM_E_VM_NOT_RUNNING");
	fake.vms[1].vm.state = HV_PARTITION_RUNNING;
	fake.vms[1].facts.can_shutdown = false;
	assert_rf_error(reset_as(rf_admin, "GracefulShutdown"), 409, "GeneralError",
			"VM_E_ADDITIONS_FEATURE_NOT_AVAIL");
	assert_rf_error(rf_post(RF "/Systems/root/Actions/ComputerSystem.Reset", rf_admin,
				"{\"ResetType\":\"ForceOff\"}"),
			400, "ActionNotSupported", "E_INVALIDARG");
	assert_non_null(strstr(fake.log,
			       "root: api: admin: shutdown testos1 ResetType=GracefulShutdown "
			       "refused VM_E_ADDITIONS_FEATURE_NOT_AVAIL"));
	assert_null(task_find(1));
}

static void test_task_monitor_through_a_life(void **state)
{
	struct fake_answer *a;

	(void)state;
	fake.vms[2].vm.state = HV_PARTITION_OFF;
	a = rf_post(RF "/Systems/testos2/Actions/ComputerSystem.Reset", rf_admin,
		    "{\"ResetType\":\"On\"}");
	assert_accepted(a, 1);
	assert_jget(a, "Messages/0/MessageId", "TaskEvent.1.0.TaskStarted");
	assert_jget(a, "PercentComplete", "10");
	a = rf_get(RF "/TaskService/TaskMonitors/1", rf_admin);
	assert_int_equal(a->status, 202);
	assert_null(header_of(a, "Allow"));     /* power tasks cannot be cancelled */
	notify_post(2, NOTIFY_STATE, HV_PARTITION_STARTING, HV_EVENT_ROOT_START);
	notify_post(2, NOTIFY_STATE, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	a = rf_get(RF "/TaskService/TaskMonitors/1", rf_admin);
	assert_int_equal(a->status, 200);
	assert_jget(a, "TaskState", "Completed");
	assert_jget(a, "TaskStatus", "OK");
	assert_jget(a, "PercentComplete", "100");
	assert_jget(a, "Messages/0/MessageId", "TaskEvent.1.0.TaskCompletedOK");
	assert_jget(a, "Oem/Hv/Kind", "start");
	a = rf_get(RF "/TaskService/Tasks/1", rf_admin);
	assert_int_equal(a->status, 200);
	assert_jget(a, "Description", "Start testos2");
	/* The reader may not read testos2: the task does not exist for it. */
	assert_rf_error(rf_get(RF "/TaskService/Tasks/1", rf_reader), 404, "ResourceNotFound",
			NULL);
	assert_jget(rf_get(RF "/TaskService/Tasks", rf_reader), "Members@odata.count", "0");
	assert_jget(rf_get(RF "/TaskService/Tasks", rf_admin), "Members/0/@odata.id",
		    RF "/TaskService/Tasks/1");
	assert_rf_error(rf_get(RF "/TaskService/Tasks/99", rf_admin), 404, "ResourceNotFound",
			NULL);
	assert_rf_error(rf_get(RF "/TaskService/Tasks/x", rf_admin), 404, "ResourceNotFound", NULL);
}

static void test_failed_and_cancelled_tasks(void **state)
{
	struct fake_answer *a;

	(void)state;
	assert_accepted(reset_as(rf_operator, "GracefulShutdown"), 1);
	/* A guest still to answer: cancelable, said with Allow: DELETE. */
	a = rf_get(RF "/TaskService/TaskMonitors/1", rf_operator);
	assert_string_equal(header_of(a, "Allow"), "DELETE");
	fake_complete(fake_last_request(),
		      &(struct guestos_result){ .hresult = HR_ERROR_MACHINE_LOCKED });
	a = rf_get(RF "/TaskService/TaskMonitors/1", rf_operator);
	assert_rf_error(a, 409, "TaskAborted", "ERROR_MACHINE_LOCKED");
	a = rf_get(RF "/TaskService/Tasks/1", rf_operator);
	assert_jget(a, "TaskState", "Exception");
	assert_jget(a, "TaskStatus", "Critical");
	assert_jget(a, "Messages/0/Oem/Hv/HResult", "0x800704F7");
	assert_jget(a, "Messages/0/Oem/Hv/HResultName", "ERROR_MACHINE_LOCKED");
	/* Cancel through the monitor: control on the VM is needed. */
	assert_accepted(reset_as(rf_operator, "GracefulRestart"), 2);
	assert_rf_error(rf_call_on(0, HTTP_M_DELETE, RF "/TaskService/TaskMonitors/2", rf_reader,
				   NULL, NULL, NULL),
			403, "InsufficientPrivilege", NULL);
	a = rf_call_on(0, HTTP_M_DELETE, RF "/TaskService/TaskMonitors/2", rf_operator, NULL, NULL,
		       NULL);
	assert_int_equal(a->status, 204);
	assert_jget(rf_get(RF "/TaskService/Tasks/2", rf_operator), "TaskState", "Cancelled");
	assert_rf_error(rf_get(RF "/TaskService/TaskMonitors/2", rf_operator), 409, "TaskCancelled",
			NULL);
	assert_rf_error(rf_call_on(0, HTTP_M_DELETE, RF "/TaskService/TaskMonitors/2", rf_operator,
				   NULL, NULL, NULL), 409, "ResourceInUse", "E_FAIL");
	assert_non_null(strstr(fake.log, "root: api: operator: cancel testos1 task 2"));
}

/* Logs in as user with password; returns the answer (X-Auth-Token in its headers). */
static struct fake_answer *login(unsigned conn, const char *user, const char *password)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"UserName\":\"%s\",\"Password\":\"%s\"}", user, password);
	return rf_call_on(conn, HTTP_M_POST, RF "/SessionService/Sessions", NULL, NULL, NULL, body);
}

static void test_sessions(void **state)
{
	char key[96], other[96];
	struct fake_answer *a;

	(void)state;
	a = login(0, "reader", "reader-secret");
	assert_int_equal(a->status, 201);
	assert_string_equal(header_of(a, "Location"), RF "/SessionService/Sessions/1");
	snprintf(key, sizeof(key), "%.95s", header_of(a, "X-Auth-Token"));
	assert_int_equal(strlen(key), 32);
	assert_jget(a, "UserName", "reader");
	assert_jget(a, "Password", "null");
	assert_non_null(strstr(fake.log, "root: api: reader: login - session 1"));
	/* The root's poll reads its clock before the requests of its round: an earlier time. */
	api_poll(fake.now_ms - 1);
	a = rf_call_on(0, HTTP_M_GET, RF "/Systems/testos1", NULL, key, NULL, NULL);
	assert_int_equal(a->status, 200);
	/* The session has its token's rights, no more. */
	assert_rf_error(rf_call_on(0, HTTP_M_GET, RF "/Systems/testos2", NULL, key, NULL, NULL),
			403, "InsufficientPrivilege", NULL);
	snprintf(other, sizeof(other), "%.95s",
		 header_of(login(0, "admin", "admin-secret"), "X-Auth-Token"));
	assert_jget(rf_call_on(0, HTTP_M_GET, RF "/SessionService/Sessions", NULL, key, NULL, NULL),
		    "Members@odata.count", "1");
	/* Another token's session does not exist for this one. */
	assert_rf_error(rf_call_on(0, HTTP_M_GET, RF "/SessionService/Sessions/2", NULL, key, NULL,
				   NULL), 404, "ResourceNotFound", NULL);
	a = rf_call_on(0, HTTP_M_DELETE, RF "/SessionService/Sessions/1", NULL, key, NULL, NULL);
	assert_int_equal(a->status, 204);
	assert_rf_error(rf_call_on(0, HTTP_M_GET, RF "/Systems/testos1", NULL, key, NULL, NULL),
			401, "NoValidSession", NULL);
	/* Idle for the timeout: gone. */
	fake.now_ms += 1800 * 1000 - 1;
	assert_int_equal(rf_call_on(0, HTTP_M_GET, RF "/Systems", NULL, other, NULL, NULL)->status,
			 200);
	fake.now_ms += 1800 * 1000;
	api_poll(fake.now_ms);
	assert_rf_error(rf_call_on(0, HTTP_M_GET, RF "/Systems", NULL, other, NULL, NULL), 401,
			"NoValidSession", NULL);
	assert_non_null(strstr(fake.log, "root: redfish: session 2 of admin expired"));
}

static void test_login_refusals_and_bound(void **state)
{
	char first[96];
	struct fake_answer *a;

	(void)state;
	a = login(0, "admin", "wrong");
	assert_rf_error(a, 401, "ResourceAtUriUnauthorized", "E_ACCESSDENIED");
	assert_non_null(strstr(fake.log, "root: api: ?: login-refused - admin"));
	assert_rf_error(login(0, "reader", "admin-secret"), 401, "ResourceAtUriUnauthorized", NULL);
	/* The password is a token: not over plain HTTP unless hv.cfg allows it. */
	fake_plain_credentials = false;
	assert_rf_error(login(0, "admin", "admin-secret"), 403, "InsufficientPrivilege",
			"E_ACCESSDENIED");
	fake_plain_credentials = true;
	assert_rf_error(rf_post(RF "/SessionService/Sessions", NULL, "{\"UserName\":\"admin\"}"),
			400, "PropertyMissing", NULL);
	assert_rf_error(rf_post(RF "/SessionService/Sessions", NULL,
				"{\"UserName\":\"admin\",\"Password\":7}"), 400,
			"PropertyValueTypeError", NULL);
	assert_rf_error(rf_post(RF "/SessionService/Sessions", NULL, NULL), 400, "MalformedJSON",
			NULL);
	/* A fifth login of one token replaces its least recently used session. */
	snprintf(first, sizeof(first), "%.95s",
		 header_of(login(0, "admin", "admin-secret"), "X-Auth-Token"));
	for (unsigned i = 0; i < 4; i++) {
		fake.now_ms += 10;
		assert_int_equal(login(0, "admin", "admin-secret")->status, 201);
	}
	assert_rf_error(rf_call_on(0, HTTP_M_GET, RF "/Systems", NULL, first, NULL, NULL), 401,
			"NoValidSession", NULL);
	assert_non_null(
		strstr(fake.log, "root: redfish: session 1 of admin replaced by a new login"));
	assert_int_equal(login(0, "reader", "reader-secret")->status, 201);
}

/* Opens an SSE stream on conn as auth (or with a session key); asserts it streams. */
static struct fake_answer *open_stream(unsigned conn, const char *auth, const char *key)
{
	struct fake_answer *a = rf_call_on(conn, HTTP_M_GET, SSE, auth, key, NULL, NULL);

	if (!a->streaming)
		fail_msg("no stream: %d %s", a->status, a->body);
	assert_int_equal(a->status, 200);
	assert_string_equal(a->content_type, "text/event-stream");
	assert_non_null(strstr(a->stream, ": hv event stream\n\n"));
	return a;
}

static void test_sse_events(void **state)
{
	struct fake_answer *admin, *reader;

	(void)state;
	admin = open_stream(1, rf_admin, NULL);
	reader = open_stream(2, rf_reader, NULL);
	notify_post(2, NOTIFY_STATE, HV_PARTITION_STARTING, HV_EVENT_ROOT_START);
	assert_non_null(
		strstr(admin->stream, "id: 1\ndata: {\"@odata.type\":\"#Event.v1_4_1.Event\""));
	assert_non_null(strstr(admin->stream,
			       "\"MessageId\":\"ResourceEvent.1.3.ResourcePoweringOn\","
			       "\"Message\":\"The resource `testos2` is powering on.\""));
	assert_non_null(strstr(admin->stream, "\"OriginOfCondition\":{\"@odata.id\":\"" RF
					      "/Systems/testos2\"}"));
	assert_non_null(strstr(admin->stream, "\"State\":\"Starting\",\"Cause\":\"root start\""));
	/* The reader may not read testos2. */
	assert_null(strstr(reader->stream, "testos2"));
	assert_accepted(reset_as(rf_admin, "ForceOff"), 1);
	notify_post(1, NOTIFY_STATE, HV_PARTITION_OFF, HV_EVENT_ROOT_STOP);
	assert_non_null(strstr(reader->stream, "ResourceEvent.1.3.ResourcePoweredOff"));
	assert_non_null(strstr(reader->stream, "\"MessageId\":\"TaskEvent.1.0.TaskCompletedOK\""));
	assert_non_null(strstr(reader->stream, "\"OriginOfCondition\":{\"@odata.id\":\"" RF
					       "/TaskService/Tasks/1\"}"));
	assert_non_null(
		strstr(reader->stream, "\"Result\":\"Success\",\"HResult\":\"0x00000000\""));
	notify_post(1, NOTIFY_STATE, HV_PARTITION_FAULTED, HV_EVENT_FAULTED);
	assert_non_null(strstr(reader->stream, "The health of resource `testos1` has changed to "
					       "Critical."));
	notify_post(1, NOTIFY_HEARTBEAT, 0, 0);
	assert_non_null(strstr(reader->stream, "ResourceStatusChangedWarning"));
	/* Each message is one line of data: the JSON holds no newline. */
	for (const char *p = strstr(admin->stream, "data: "); p; p = strstr(p + 1, "data: "))
		assert_true(strchr(p, '\n')[-1] == '}' && strchr(p, '\n')[1] == '\n');
}

static void test_sse_limits_and_endings(void **state)
{
	struct fake_answer *a, *s;
	char key[96];

	(void)state;
	open_stream(1, rf_admin, NULL);
	open_stream(2, rf_admin, NULL);
	assert_rf_error(rf_call_on(3, HTTP_M_GET, SSE, rf_admin, NULL, NULL, NULL), 503,
			"EventSubscriptionLimitExceeded", "VM_E_OUT_OF_RESOURCE");
	/* A client that goes away frees its slot. */
	api_conn_gone(fake_conn(1));
	open_stream(3, rf_admin, NULL);
	/* A token without read on any system may not listen. */
	fake_token_add("nobody", "nobody-secret", "testos2", HV_MGMT_RIGHT_CONTROL);
	assert_rf_error(rf_call_on(4, HTTP_M_GET, SSE, "Bearer nobody-secret", NULL, NULL, NULL),
			403, "InsufficientPrivilege", NULL);
	/* Keep-alives on a quiet stream. */
	s = fake_answer(fake_conn(3));
	fake.now_ms += 20000;
	api_poll(fake.now_ms);
	assert_non_null(strstr(s->stream, "\n\n:\n\n"));
	/* A session's stream ends with the session. */
	a = login(5, "reader", "reader-secret");
	snprintf(key, sizeof(key), "%.95s", header_of(a, "X-Auth-Token"));
	s = open_stream(6, NULL, key);
	rf_call_on(5, HTTP_M_DELETE, RF "/SessionService/Sessions/1", NULL, key, NULL, NULL);
	api_poll(fake.now_ms);
	assert_true(s->stream_ended);
	assert_non_null(strstr(fake.log, "event stream of reader closed: its session ended"));
	/* A client that falls behind is dropped. */
	s = open_stream(7, rf_reader, NULL);
	s->stream_cap = s->stream_len + 100;
	notify_post(1, NOTIFY_STATE, HV_PARTITION_STOPPING, HV_EVENT_ROOT_STOP);
	assert_true(s->stream_ended);
	assert_non_null(strstr(fake.log, "event stream of reader closed: the client fell behind"));
	/* HEAD: the headers only. */
	a = rf_call_on(8, HTTP_M_HEAD, SSE, rf_reader, NULL, NULL, NULL);
	assert_int_equal(a->status, 200);
	assert_false(a->streaming);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_types_map_to_task_kinds, setup),
		cmocka_unit_test_setup(test_reset_refusals, setup),
		cmocka_unit_test_setup(test_task_monitor_through_a_life, setup),
		cmocka_unit_test_setup(test_failed_and_cancelled_tasks, setup),
		cmocka_unit_test_setup(test_sessions, setup),
		cmocka_unit_test_setup(test_login_refusals_and_bound, setup),
		cmocka_unit_test_setup(test_sse_events, setup),
		cmocka_unit_test_setup(test_sse_limits_and_endings, setup),
	};

	return cmocka_run_group_tests(tests, api_group_setup, NULL);
}
