/*
 * Unit tests of the task routes (mgmt/api/api_tasks.c) through the real
 * router, auth and body parser on the fake backend: 202 + Location,
 * refusals at call time, body checks, rights, the collection, wait
 * bounds, cancel, the audit lines and the list's size limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <api/api_tasks.h>
#include <common/notify.h>
#include "test_api_util.h"

#define VMS API_PREFIX "/vms/"

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 128; i++)
		api_conn_gone(fake_conn(i));
	world();
	fake.now_ms = 5000;
	fake.vms[1].facts.additions = true;
	fake.vms[1].facts.can_shutdown = true;
	api_tasks_init();
	return 0;
}

static struct fake_answer *post(const char *path, const char *auth, const char *body)
{
	return call(HTTP_M_POST, path, auth, body);
}

static struct fake_answer *get(const char *path, const char *query, const char *auth)
{
	call_on(0, HTTP_M_GET, path, query, auth, NULL);
	return fake_answer(fake_conn(0));
}

static void assert_created(const struct fake_answer *a, unsigned id)
{
	char want[64];

	if (a->status != 202)
		fail_msg("status %d: %s", a->status, a->body);
	assert_json(a);
	snprintf(want, sizeof(want), "Location: /api/v1/tasks/%u\n", id);
	assert_non_null(strstr(a->headers, want));
	snprintf(want, sizeof(want), "{\"ID\":%u,", id);
	assert_body_has(a, want);
}

static void test_shutdown_created(void **state)
{
	struct fake_answer *a;
	struct task *t;

	(void)state;
	a = post(VMS "testos1/guestos/shutdown", TOKEN_OPERATOR,
		 "{\"forced\":true,\"reason\":\"patch \\u00e9\",\"timeoutSeconds\":60,\"x\":1}");
	assert_created(a, 1);
	assert_body_has(a, "\"Description\":\"Shutdown testos1\"");
	assert_body_has(a, "\"PercentCompleted\":10");
	assert_body_has(a, "\"IsCancelable\":true");
	assert_body_has(a, "\"createdMs\":5000");
	assert_non_null(fake_last_request());
	assert_string_equal(fake_last_request()->text, "patch \xc3\xa9");
	assert_true(fake_last_request()->args.forced);
	t = task_find(1);
	assert_int_equal(t->deadline_ms - t->created_ms, 60000);
	assert_non_null(strstr(fake.log, "root: api: operator: shutdown testos1 forced=1 timeout=60s task 1"));

	/* Defaults: not forced, 300 s. */
	fake_complete(fake_last_request(), &(struct guestos_result){ .hresult = HR_ERROR_MACHINE_LOCKED });
	a = post(VMS "testos1/guestos/restart", TOKEN_OPERATOR, NULL);
	assert_created(a, 2);
	t = task_find(2);
	assert_false(fake_last_request()->args.forced);
	assert_int_equal(fake_last_request()->args.op, GUESTOS_RESTART);
	assert_int_equal(t->deadline_ms - t->created_ms, 300000);
}

static void test_bad_bodies(void **state)
{
	static const char *const bodies[] = {
		"{\"timeoutSeconds\":0}", "{\"timeoutSeconds\":3601}", "{\"timeoutSeconds\":1.5}",
		"{\"forced\":\"yes\"}", "{\"reason\":5}", "{\"forced\":", "[1]", "{\"forced\":true} x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct fake_answer *a = post(VMS "testos1/guestos/shutdown", TOKEN_OPERATOR, bodies[i]);

		if (a->status != 400)
			fail_msg("%s: %d %s", bodies[i], a->status, a->body);
		assert_error(a, 400, "E_INVALIDARG");
	}
	assert_null(fake_last_request());
	assert_error(post(VMS "testos1/guestos/logoff", TOKEN_OPERATOR, "{\"forced\":1}"), 400,
		     "E_INVALIDARG");
	assert_error(post(VMS "testos1/guestos/execute", TOKEN_ADMIN, NULL), 400, "E_INVALIDARG");
	assert_error(post(VMS "testos1/guestos/execute", TOKEN_ADMIN, "{}"), 400, "E_INVALIDARG");
	assert_error(post(VMS "testos1/guestos/execute", TOKEN_ADMIN, "{\"command\":\"\"}"), 400,
		     "E_INVALIDARG");
	{
		static char big[1200];

		memset(big, 'a', sizeof(big));
		memcpy(big, "{\"command\":\"", 12);
		memcpy(big + 12 + 1025, "\"}", 3);
		assert_error(post(VMS "testos1/guestos/execute", TOKEN_ADMIN, big), 400, "E_INVALIDARG");
		memcpy(big + 12 + 1024, "\"}", 3);
		assert_created(post(VMS "testos1/guestos/execute", TOKEN_ADMIN, big), 1);
	}
	assert_int_equal(get(API_PREFIX "/tasks", NULL, TOKEN_ADMIN)->status, 200);
	assert_body_has(fake_answer(fake_conn(0)), "\"Count\":1,");
}

static void test_refusals_and_rights(void **state)
{
	(void)state;
	/* testos2 is off: refused, no task. */
	assert_error(post(VMS "testos2/guestos/shutdown", TOKEN_ADMIN, NULL), 409,
		     "VM_E_VM_NOT_RUNNING");
	assert_non_null(strstr(fake.log, "root: api: admin: shutdown testos2 forced=0 timeout=300s refused VM_E_VM_NOT_RUNNING"));
	fake.vms[1].facts.can_shutdown = false;
	assert_error(post(VMS "testos1/guestos/restart", TOKEN_ADMIN, NULL), 409,
		     "VM_E_ADDITIONS_FEATURE_NOT_AVAIL");
	assert_error(post(VMS "nope/start", TOKEN_ADMIN, NULL), 404, "VM_E_VM_UNKNOWN");
	assert_error(post(VMS "root/turnoff", TOKEN_ADMIN, NULL), 400, "E_INVALIDARG");
	fake.lifecycle_refuse = VM_E_VM_RUNNING;
	assert_error(post(VMS "testos1/start", TOKEN_ADMIN, NULL), 409, "VM_E_VM_RUNNING");
	fake.lifecycle_refuse = S_OK;
	/* Rights: reader may not control, operator may not execute. */
	assert_error(post(VMS "testos1/reset", TOKEN_READER, NULL), 403, "E_ACCESSDENIED");
	assert_error(post(VMS "testos1/guestos/execute", TOKEN_OPERATOR, "{\"command\":\"x\"}"), 403,
		     "E_ACCESSDENIED");
	assert_error(post(VMS "testos1/guestos/install-additions", TOKEN_OPERATOR, NULL), 403,
		     "E_ACCESSDENIED");
	assert_error(post(VMS "testos1/guestos/shutdown", NULL, NULL), 401, "E_ACCESSDENIED");
	/* No task was made, and no id used. */
	assert_created(post(VMS "testos2/start", TOKEN_ADMIN, NULL), 1);
	assert_created(post(VMS "testos1/guestos/install-additions", TOKEN_ADMIN, NULL), 2);
	assert_body_has(fake_answer(fake_conn(0)), "\"Result\":\"Success\"");   /* present already */
	assert_created(post(VMS "testos1/guestos/logoff", TOKEN_OPERATOR, "{\"forced\":true}"), 3);
	assert_created(post(VMS "testos1/turnoff", TOKEN_OPERATOR, NULL), 4);
}

static void test_list_filtered(void **state)
{
	struct fake_answer *a;

	(void)state;
	fake.vms[2].vm.state = HV_PARTITION_OFF;
	assert_created(post(VMS "testos1/reset", TOKEN_ADMIN, NULL), 1);
	assert_created(post(VMS "testos2/start", TOKEN_ADMIN, NULL), 2);
	fake_token_add("two", "two-secret", "testos2", HV_MGMT_RIGHT_READ);
	a = get(API_PREFIX "/tasks", NULL, "Bearer two-secret");
	assert_int_equal(a->status, 200);
	assert_json(a);
	assert_body_has(a, "{\"Count\":1,\"tasks\":[{\"ID\":2,");
	a = get(API_PREFIX "/tasks", NULL, TOKEN_OPERATOR);
	assert_body_has(a, "{\"Count\":2,\"tasks\":[{\"ID\":1,");
	/* A task on a VM the token may not read does not exist for it. */
	assert_error(get(API_PREFIX "/tasks/1", NULL, "Bearer two-secret"), 404, "E_INVALIDARG");
	a = get(API_PREFIX "/tasks/2", NULL, "Bearer two-secret");
	assert_int_equal(a->status, 200);
	assert_body_has(a, "\"Description\":\"Start testos2\"");
	assert_error(get(API_PREFIX "/tasks/3", NULL, TOKEN_ADMIN), 404, "E_INVALIDARG");
	assert_error(get(API_PREFIX "/tasks/abc", NULL, TOKEN_ADMIN), 400, "E_INVALIDARG");
	assert_error(get(API_PREFIX "/tasks/0", NULL, TOKEN_ADMIN), 400, "E_INVALIDARG");
	assert_error(get(API_PREFIX "/tasks/99999999999", NULL, TOKEN_ADMIN), 400, "E_INVALIDARG");
}

static void test_wait_bounds(void **state)
{
	static const char *const bad[] = { "wait=-2", "wait=4000001", "wait=abc", "wait=", "wait=1e3" };
	enum api_disposition d;

	(void)state;
	assert_created(post(VMS "testos1/reset", TOKEN_ADMIN, NULL), 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_error(get(API_PREFIX "/tasks/1", bad[i], TOKEN_ADMIN), 400, "E_INVALIDARG");
	/* No wait, wait=0: at once. */
	assert_int_equal(get(API_PREFIX "/tasks/1", NULL, TOKEN_ADMIN)->status, 200);
	assert_int_equal(get(API_PREFIX "/tasks/1", "wait=0", TOKEN_ADMIN)->status, 200);
	d = call_on(1, HTTP_M_GET, API_PREFIX "/tasks/1", "wait=4000000", TOKEN_ADMIN, NULL);
	assert_int_equal(d, API_DEFERRED);
	d = call_on(2, HTTP_M_GET, API_PREFIX "/tasks/1", "wait=-1", TOKEN_ADMIN, NULL);
	assert_int_equal(d, API_DEFERRED);
	d = call_on(3, HTTP_M_GET, API_PREFIX "/tasks/1", "wait=10", TOKEN_ADMIN, NULL);
	assert_int_equal(d, API_DEFERRED);
	fake.now_ms += 10;
	api_tasks_poll(fake.now_ms);
	assert_int_equal(fake_answer(fake_conn(3))->status, 200);
	assert_body_has(fake_answer(fake_conn(3)), "\"IsComplete\":false");
	assert_int_equal(fake_answer(fake_conn(1))->answers, 0);
	/* The client on connection 2 goes away; the reset ends; connection 1 hears of it. */
	api_conn_gone(fake_conn(2));
	notify_post(1, NOTIFY_STATE, HV_PARTITION_STARTING, HV_EVENT_ROOT_RESET);
	notify_post(1, NOTIFY_STATE, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	assert_int_equal(fake_answer(fake_conn(1))->answers, 1);
	assert_body_has(fake_answer(fake_conn(1)), "\"Result\":\"Success\"");
	assert_int_equal(fake_answer(fake_conn(2))->answers, 0);
}

static void test_cancel_route(void **state)
{
	struct fake_answer *a;

	(void)state;
	assert_created(post(VMS "testos1/guestos/shutdown", TOKEN_OPERATOR, NULL), 1);
	assert_created(post(VMS "testos1/guestos/execute", TOKEN_ADMIN, "{\"command\":\"x\"}"), 2);
	/* The reader sees the task but may not cancel it. */
	assert_error(post(API_PREFIX "/tasks/1/cancel", TOKEN_READER, NULL), 403, "E_ACCESSDENIED");
	/* Cancelling an execute task needs the execute right. */
	assert_error(post(API_PREFIX "/tasks/2/cancel", TOKEN_OPERATOR, NULL), 403, "E_ACCESSDENIED");
	a = post(API_PREFIX "/tasks/1/cancel", TOKEN_OPERATOR, NULL);
	assert_int_equal(a->status, 200);
	assert_json(a);
	assert_body_has(a, "\"Result\":\"Cancelled\"");
	assert_non_null(strstr(fake.log, "root: api: operator: cancel testos1 task 1"));
	assert_error(post(API_PREFIX "/tasks/1/cancel", TOKEN_OPERATOR, NULL), 409, "E_FAIL");
	assert_error(post(API_PREFIX "/tasks/9/cancel", TOKEN_OPERATOR, NULL), 404, "E_INVALIDARG");
	assert_created(post(VMS "testos1/turnoff", TOKEN_OPERATOR, NULL), 3);
	assert_error(post(API_PREFIX "/tasks/3/cancel", TOKEN_ADMIN, NULL), 409, "E_FAIL");
	assert_non_null(strstr(fake.log, "root: api: admin: cancel testos1 task 3 refused E_FAIL"));
}

/*
 * What an execute task ran and printed is for holders of the execute
 * right: the reader and the operator (read on testos1) see the task and
 * its result, never the command or the output; the admin sees both, in
 * the task, its wait answer and the list.
 */
static void test_execute_detail_needs_execute_right(void **state)
{
	struct guestos_result r = { .hresult = S_OK, .exit_status = 3 };
	struct fake_answer *a;

	(void)state;
	assert_created(post(VMS "testos1/guestos/execute", TOKEN_ADMIN,
			    "{\"command\":\"cat /etc/secret\"}"), 1);
	a = get(API_PREFIX "/tasks/1", NULL, TOKEN_OPERATOR);
	assert_int_equal(a->status, 200);
	assert_null(strstr(a->body, "secret"));
	a = get(API_PREFIX "/tasks/1", NULL, TOKEN_ADMIN);
	assert_body_has(a, "\"command\":\"cat /etc/secret\"");
	/* A reader waiting for completion gets the task without the output. */
	assert_int_equal(call_on(7, HTTP_M_GET, API_PREFIX "/tasks/1", "wait=-1", TOKEN_READER, NULL),
			 API_DEFERRED);
	r.output_len = (uint32_t)snprintf(r.output, sizeof(r.output), "hunter2\n");
	fake_complete(fake_last_request(), &r);
	a = fake_answer(fake_conn(7));
	assert_int_equal(a->answers, 1);
	assert_body_has(a, "\"Result\":\"Success\"");
	assert_null(strstr(a->body, "hunter2"));
	assert_null(strstr(a->body, "secret"));
	a = get(API_PREFIX "/tasks/1", NULL, TOKEN_READER);
	assert_null(strstr(a->body, "hunter2"));
	assert_null(strstr(a->body, "\"output\""));
	a = get(API_PREFIX "/tasks/1", NULL, TOKEN_ADMIN);
	assert_body_has(a, "\"output\":{\"exitStatus\":3,\"output\":\"hunter2\\u000a\"");
	a = get(API_PREFIX "/tasks", NULL, TOKEN_READER);
	assert_null(strstr(a->body, "secret"));
	a = get(API_PREFIX "/tasks", NULL, TOKEN_ADMIN);
	assert_body_has(a, "\"command\":\"cat /etc/secret\"");
}

/* The whole answer is one JSON value with count objects in "tasks" (jsmn, room for 80 tasks). */
static void assert_list(const struct fake_answer *a, int count)
{
	static jsmntok_t tok[4096];
	jsmn_parser p;
	int n, objects = 0;

	jsmn_init(&p);
	n = jsmn_parse(&p, a->body, a->len, tok, 4096);
	if (n <= 0 || (size_t)tok[0].end != a->len || tok[0].type != JSMN_OBJECT)
		fail_msg("not one JSON object (%d): %.200s", n, a->body);
	for (int i = 1; i < n; i++)
		objects += tok[i].type == JSMN_OBJECT;
	assert_int_equal(objects, count);
}

/* 64 completed and 16 running tasks on VMs with the longest names fit one response. */
static void test_list_worst_case_fits(void **state)
{
	static const char *const names[] = {
		"abcdefghijabcdefghijabcdefghij1", "abcdefghijabcdefghijabcdefghij2",
	};
	struct task *all[TASK_SLOTS];
	struct fake_answer *a;
	char path[128];
	uint32_t n;

	(void)state;
	for (uint32_t v = 0; v < 2; v++)
		fake_vm_add(3 + v, names[v], HV_PARTITION_RUNNING, false);
	for (unsigned i = 0; i < TASK_HISTORY + TASK_MAX_RUNNING; i++) {
		bool done = i < TASK_HISTORY;

		snprintf(path, sizeof(path), VMS "%s/guestos/%s", names[i % 2],
			 done ? "install-additions" : "execute");
		a = post(path, TOKEN_ADMIN, done ? NULL : "{\"command\":\"x\"}");
		assert_created(a, i + 1);
		if (done)
			notify_post(3 + i % 2, NOTIFY_STATE, HV_PARTITION_FAULTED, HV_EVENT_FAULTED);
	}
	a = get(API_PREFIX "/tasks", NULL, TOKEN_ADMIN);
	assert_int_equal(a->status, 200);
	assert_list(a, 80);
	assert_body_has(a, "{\"Count\":80,\"tasks\":[{\"ID\":1,\"Description\":");
	/* Texts of the greatest length the table holds: the list falls back to the compact form. */
	n = task_list(all, TASK_SLOTS);
	for (uint32_t i = 0; i < n; i++) {
		memset(all[i]->error_desc, 'e', TASK_DESC_LEN - 1);
		all[i]->error_desc[TASK_DESC_LEN - 1] = '\0';
	}
	a = get(API_PREFIX "/tasks", NULL, TOKEN_ADMIN);
	assert_int_equal(a->status, 200);
	assert_list(a, 80);
	assert_body_has(a, "{\"Count\":80,\"compact\":true,\"tasks\":[{\"ID\":1,\"vm\":");
	assert_null(strstr(a->body, "eeee"));
	/* The task itself still has everything. */
	a = get(API_PREFIX "/tasks/80", NULL, TOKEN_ADMIN);
	assert_body_has(a, "\"ErrorDescription\":\"eeee");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_shutdown_created, setup),
		cmocka_unit_test_setup(test_bad_bodies, setup),
		cmocka_unit_test_setup(test_refusals_and_rights, setup),
		cmocka_unit_test_setup(test_list_filtered, setup),
		cmocka_unit_test_setup(test_wait_bounds, setup),
		cmocka_unit_test_setup(test_cancel_route, setup),
		cmocka_unit_test_setup(test_execute_detail_needs_execute_right, setup),
		cmocka_unit_test_setup(test_list_worst_case_fits, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
