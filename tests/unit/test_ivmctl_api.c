/*
 * ivmctl against the real server code, in one process: its requests go
 * through mgmt/http's HTTP core (llhttp) into the API's router, bearer
 * auth, resources and task engine, on the API's fake backend
 * (api_fake_backend.c); the answers come back as bytes through ivmctl's
 * llhttp reader.  Between polls the test plays hv and the guest (state
 * reports, guest answers), so --wait, deferred parameter reads and exec
 * run as they do against a root.  This keeps client and server agreeing
 * on the wire, not only on paper.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_fake_backend.h"

#include <api/api.h>
#include <api/api_events.h>
#include <api/api_routes.h>
#include <api/api_tasks.h>
#include <http/http_conn.h>
#include <common/notify.h>

#include "ivmctl_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One connection's bytes from the server. */
struct wire {
	char buf[1 << 16];
	size_t len;
	bool closed;
};

/* What the test does while a request waits: plays hv or the guest. */
static void (*on_poll)(void);

static size_t wire_send(void *ctx, const char *buf, size_t len)
{
	struct wire *w = ctx;
	size_t room = sizeof(w->buf) - w->len;

	len = len < room ? len : room;
	memcpy(w->buf + w->len, buf, len);
	w->len += len;
	return len;
}

static size_t wire_space(void *ctx)
{
	struct wire *w = ctx;

	return sizeof(w->buf) - w->len;
}

static void wire_close(void *ctx, bool abort)
{
	(void)abort;
	((struct wire *)ctx)->closed = true;
}

static const struct http_transport wire_transport = { wire_send, wire_space, wire_close, true, NULL };

/*
 * ivmctl's transport: one connection into the HTTP core; time advances
 * 100 ms per poll until the server closes it (ivmctl sends
 * Connection: close), at most 70 s of fake time.
 */
static int core_exchange(void *ctx, const char *request, size_t len, struct ivm_response *resp,
			 char *err, size_t errlen)
{
	static struct wire w;
	struct http_conn *c;

	(void)ctx;
	memset(&w, 0, sizeof(w));
	*resp = (struct ivm_response){ 0 };
	c = http_conn_open(&wire_transport, &w, fake.now_ms);
	if (c == NULL || http_conn_input(c, request, len, fake.now_ms) != len) {
		snprintf(err, errlen, "the core refused the request");
		return -1;
	}
	for (int step = 0; !w.closed && step < 700; step++) {
		if (on_poll != NULL)
			on_poll();
		fake.now_ms += 100;
		api_poll(fake.now_ms);
		http_conn_poll(fake.now_ms);
	}
	if (!w.closed) {
		http_conn_gone(c);
		snprintf(err, errlen, "no answer");
		return -1;
	}
	if (ivm_http_parse(w.buf, w.len, resp) != 0) {
		snprintf(err, errlen, "not HTTP: %.*s", (int)w.len, w.buf);
		return -1;
	}
	return 0;
}

static uint64_t fake_now(void)
{
	return fake.now_ms;
}

static void no_sleep(unsigned ms)
{
	fake.now_ms += ms;
}

/* The fake backend's world: the root, a running and an off guest, two tokens. */
static void world(void)
{
	struct hv_mgmt_token *op;

	fake_reset();
	api_events_reset();
	fake_vm_add(0, "root", HV_PARTITION_RUNNING, true);
	fake_vm_add(1, "testos1", HV_PARTITION_RUNNING, false)->facts.can_shutdown = true;
	fake_vm_add(2, "testos2", HV_PARTITION_OFF, false);
	fake.vms[1].facts.kvp_known = true;
	fake.vms[1].facts.heartbeat_known = true;
	fake_token_add("admin", "admin-secret", "*", 7);
	op = fake_token_add("operator", "operator-secret", "testos1", 3);
	fake_token_grant(op, "testos2", HV_MGMT_RIGHT_READ);
}

/* api_init registers the API's notify listener: once per process. */
static int group_setup(void **state)
{
	(void)state;
	world();
	api_init();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	world();
	api_tasks_init();
	on_poll = NULL;
	ivm_fixture_open((struct ivm_transport){ core_exchange, NULL }, fake_now, no_sleep,
			 "admin-secret");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ivm_fixture_close();
	return 0;
}

static void test_vms_and_auth(void **state)
{
	(void)state;
	assert_int_equal(RUN("vms"), IVM_EXIT_OK);
	expect_in(out_buf, "root                 0   root   Running");
	expect_in(out_buf, "testos2              2   guest  Off");
	env.token = "wrong";
	assert_int_equal(RUN("vms"), IVM_EXIT_DENIED);
	expect_in(err_buf, "ivmctl: E_ACCESSDENIED (0x80070005): ");
	env.token = "operator-secret";
	assert_int_equal(RUN("start", "testos2"), IVM_EXIT_DENIED);
	env.token = "admin-secret";
	assert_int_equal(RUN("guestos", "nosuch"), IVM_EXIT_API);
	expect_in(err_buf, "ivmctl: VM_E_VM_UNKNOWN (0xA0040207): ");
	assert_int_equal(RUN("--json", "vm", "testos1"), IVM_EXIT_OK);
	expect_in(out_buf, "{\"name\":\"testos1\",\"id\":1,");
}

/* hv's side of a start: Starting, then Running, once the root asked. */
static void play_hv_start(void)
{
	static int step;

	if (fake.starts == 0)
		step = 0;
	else if (step++ == 3)
		notify_post(2, NOTIFY_STATE, HV_PARTITION_STARTING, HV_EVENT_ROOT_START);
	else if (step == 15) {
		fake.vms[2].vm.state = HV_PARTITION_RUNNING;
		notify_post(2, NOTIFY_STATE, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	}
}

static void test_start_wait_and_events(void **state)
{
	(void)state;
	on_poll = play_hv_start;
	assert_int_equal(RUN("start", "testos2", "--wait"), IVM_EXIT_OK);
	assert_int_equal(fake.starts, 1);
	expect_in(out_buf, "task 1: ");
	expect_in(out_buf, ": Success\n");
	expect_in(err_buf, "task 1: 50% ");
	on_poll = NULL;
	assert_int_equal(RUN("events"), IVM_EXIT_OK);
	expect_in(out_buf, "testos2          stateChanged Starting (root start)\n");
	expect_in(out_buf, "testos2          taskCompleted task 1 Success\n");
	assert_int_equal(RUN("tasks"), IVM_EXIT_OK);
	expect_in(out_buf, "1     testos2              Success ");
	assert_int_equal(RUN("cancel", "1"), IVM_EXIT_API);
	expect_in(err_buf, "ivmctl: E_FAIL (0x80004005): ");
	assert_int_equal(RUN("task", "9"), IVM_EXIT_API);
	expect_in(err_buf, "ivmctl: E_INVALIDARG (0x80070057): ");
}

static uint32_t guest_hresult;

/* The guest answers whatever request is pending, with guest_hresult. */
static void play_guest(void)
{
	struct fake_request *r = fake_last_request();
	struct guestos_result res = { .hresult = guest_hresult };

	if (r == NULL)
		return;
	if (r->args.op == GUESTOS_PARAM_GET) {
		snprintf(res.value, sizeof(res.value), "blue \"sky\"");
	} else if (r->args.op == GUESTOS_EXECUTE) {
		res.exit_status = 3;
		res.output_len = (uint32_t)snprintf(res.output, sizeof(res.output), "ran: %s\n", r->text);
	}
	fake_complete(r, &res);
}

static void test_guest_requests(void **state)
{
	(void)state;
	on_poll = play_guest;
	assert_int_equal(RUN("param", "get", "testos1", "Color"), IVM_EXIT_OK);
	assert_string_equal(out_buf, "blue \"sky\"\n");
	assert_int_equal(RUN("exec", "testos1", "echo", "hi", "--wait"), 3);
	expect_in(out_buf, "ran: echo hi\n");
	guest_hresult = VM_E_PREF_NOT_FOUND;
	assert_int_equal(RUN("param", "get", "testos1", "Colour"), IVM_EXIT_API);
	expect_in(err_buf, "ivmctl: VM_E_PREF_NOT_FOUND (0xA0040300): ");
	guest_hresult = S_OK;
	/* Refused at call time: an error, not a task. */
	fake.refuse = VM_E_VM_NOT_RUNNING;
	assert_int_equal(RUN("shutdown", "testos1", "--wait"), IVM_EXIT_API);
	expect_in(err_buf, "ivmctl: VM_E_VM_NOT_RUNNING (0xA0040206): ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vms_and_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_wait_and_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_requests, setup, teardown),
	};

	return cmocka_run_group_tests_name("ivmctl_api", tests, group_setup, NULL);
}
