/*
 * The router with the task engine linked in (mgmt/task/, on the
 * fake backend): task routes answer through the real router and its
 * rights (202 with Location, 403, 404, 409), the task metrics appear,
 * taskCompleted reaches the events log, and docs/openapi.yaml lists every
 * route and method the router serves, so the document stays true.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_api_util.h"

#include <api/api_routes.h>
#include <api/api_tasks.h>
#include <common/notify.h>

static int setup(void **state)
{
	(void)state;
	world();
	api_tasks_init();
	return 0;
}

static void test_start_through_router(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_POST, "/api/v1/vms/testos2/start", TOKEN_ADMIN, NULL);
	assert_int_equal(a->status, 202);
	assert_json(a);
	assert_body_has(a, "\"ID\":1,");
	assert_string_equal(a->headers, "Location: /api/v1/tasks/1\n");
	assert_int_equal(fake.starts, 1);
	assert_non_null(strstr(fake.log, "root: api: admin: start testos2"));
	/* operator may only read testos2. */
	assert_error(call(HTTP_M_POST, "/api/v1/vms/testos2/start", TOKEN_OPERATOR, NULL), 403,
		     "E_ACCESSDENIED");
	assert_error(call(HTTP_M_POST, "/api/v1/vms/nosuch/start", TOKEN_ADMIN, NULL), 404,
		     "VM_E_VM_UNKNOWN");
	assert_error(call(HTTP_M_GET, "/api/v1/vms/testos2/start", TOKEN_ADMIN, NULL), 405,
		     "ERROR_NOT_SUPPORTED");
	assert_int_equal(fake.starts, 1);
	a = call(HTTP_M_GET, "/api/v1/tasks/1", TOKEN_OPERATOR, NULL);
	assert_int_equal(a->status, 200);
	assert_body_has(a, "\"vm\":\"testos2\"");
	/* The reader cannot see testos2's task. */
	assert_int_equal(call(HTTP_M_GET, "/api/v1/tasks/1", TOKEN_READER, NULL)->status, 404);
}

static void test_task_completion_is_an_event(void **state)
{
	struct fake_answer *a = fake_answer(fake_conn(4));

	(void)state;
	assert_int_equal(call(HTTP_M_POST, "/api/v1/vms/testos2/start", TOKEN_ADMIN, NULL)->status,
			 202);
	assert_int_equal(call_on(4, HTTP_M_GET, "/api/v1/events", "since=0", TOKEN_ADMIN, NULL),
			 API_DEFERRED);
	/* hv reports Starting (root start), then Running: the start task completes. */
	notify_post(2, NOTIFY_STATE, HV_PARTITION_STARTING, HV_EVENT_ROOT_START);
	assert_int_equal(a->answers, 1);
	assert_body_has(a, "\"type\":\"stateChanged\",\"state\":\"Starting\"");
	fake.vms[2].vm.state = HV_PARTITION_RUNNING;
	notify_post(2, NOTIFY_STATE, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	call_on(4, HTTP_M_GET, "/api/v1/events", "since=2&wait=0", TOKEN_ADMIN, NULL);
	assert_body_has(a, "\"type\":\"taskCompleted\",\"task\":1,\"result\":\"Success\"");
	a = call(HTTP_M_GET, "/metrics", TOKEN_READER, NULL);
	assert_body_has(a, "hv_tasks{state=\"running\"} 0\nhv_tasks{state=\"completed\"} 1\n");
	assert_body_has(a, "hv_tasks_result_total{result=\"Success\"} 1\n");
}

static const char *method_word(enum http_method m)
{
	static const char *const words[] = { "?", "get", "put", "post", "patch", "delete", "head" };

	return words[m];
}

/* Whether docs/openapi.yaml has `pattern` under paths with `method` below it. */
static bool documented(const char *yaml, const char *pattern, enum http_method m)
{
	char key[160], op[32];
	const char *at, *end;

	snprintf(key, sizeof(key), "\n  %s:\n", pattern);
	snprintf(op, sizeof(op), "\n    %s:", method_word(m));
	at = strstr(yaml, key);
	if (!at)
		return false;
	at += strlen(key) - 1;
	/* The path's block ends at the next line indented by two spaces only. */
	for (end = at; (end = strstr(end + 1, "\n  ")) != NULL && end[3] == ' ';)
		;
	for (const char *o = strstr(at, op); o; o = strstr(o + 1, op))
		if (!end || o < end)
			return true;
	return false;
}

static void test_openapi_lists_every_route(void **state)
{
	const struct {
		const struct api_route *routes;
		size_t count;
	} tables[] = {
		{ vms_routes, vms_routes_count },
		{ guestos_routes, guestos_routes_count },
		{ events_routes, events_routes_count },
		{ metrics_routes, metrics_routes_count },
		{ task_routes, task_routes_count },
	};
	static char yaml[65536];
	char path[512];
	const char *src = __FILE__;
	FILE *f;
	size_t n, routes = 0;

	(void)state;
	/* __FILE__ is relative to the build directory, where meson runs the tests. */
	snprintf(path, sizeof(path), "%.*s/../../docs/openapi.yaml",
		 (int)(strrchr(src, '/') - src), src);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	n = fread(yaml, 1, sizeof(yaml) - 1, f);
	fclose(f);
	yaml[n] = '\0';
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (size_t r = 0; r < tables[t].count; r++, routes++) {
			const struct api_route *route = &tables[t].routes[r];

			if (!documented(yaml, route->pattern, route->method))
				fail_msg("docs/openapi.yaml lacks %s %s", method_word(route->method),
					 route->pattern);
		}
	}
	/* 18 paths; guestos and parameters/{name} have two methods each. */
	assert_int_equal(routes, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_start_through_router, setup),
		cmocka_unit_test_setup(test_task_completion_is_an_event, setup),
		cmocka_unit_test_setup(test_openapi_lists_every_route, setup),
	};

	return cmocka_run_group_tests(tests, api_group_setup, NULL);
}
