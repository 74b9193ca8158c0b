/*
 * Unit tests of the task engine (mgmt/task/task.c, task_kinds.c) and of
 * its API side (WaitForCompletion, the TASK JSON: api_task_wait.c,
 * api_tasks.c) against the fake backend (api_fake_backend.c): every kind's milestones, refusals
 * at call time, vetoes, SHUTDOWN_IN_PROGRESS, timeouts on a fake clock,
 * forced escalation through hv, Cancel, WaitForCompletion, history
 * eviction and the TASK JSON.
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

#define G 1u    /* a guest partition (testos1) */
#define FAKE_CONNS 128u

static char json[HTTP_MAX_RESPONSE];
static void guest_facts_up(struct guestos_facts *f)
{
	f->additions = true;
	f->can_shutdown = true;
	f->kvp_known = true;
	snprintf(f->kvp.additions_version, sizeof(f->kvp.additions_version), "1.0.0");
}

static int setup(void **state)
{
	(void)state;
	/* Deferrals left by an earlier test end here (their waiters are forgotten below). */
	for (unsigned i = 0; i < FAKE_CONNS; i++)
		api_conn_gone(fake_conn(i));
	world();
	fake.vms[2].vm.state = HV_PARTITION_RUNNING;
	guest_facts_up(&fake.vms[1].facts);
	guest_facts_up(&fake.vms[2].facts);
	fake.now_ms = 1000;
	api_tasks_init();
	return 0;
}

/* hv reports a state change. */
static void hv_state(uint32_t vm, uint32_t state, uint32_t cause)
{
	fake.vms[vm].vm.state = state;
	notify_post(vm, NOTIFY_STATE, state, cause);
}

/* The guest answers request q. */
static void answer(struct fake_request *q, uint32_t hr)
{
	static struct guestos_result r;

	assert_non_null(q);
	assert_true(q->pending);
	memset(&r, 0, sizeof(r));
	r.hresult = hr;
	fake_complete(q, &r);
}

/* The taskCompleted events so far, as GET /api/v1/events reports them. */
static const char *events(void)
{
	call_on(FAKE_CONNS - 1, HTTP_M_GET, "/api/v1/events", "since=0&wait=0", TOKEN_ADMIN, NULL);
	return fake_answer(fake_conn(FAKE_CONNS - 1))->body;
}

static unsigned count_of(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static struct task *create(enum task_kind kind, uint32_t vm, bool forced, const char *text,
			   uint32_t timeout_s, uint32_t *hr)
{
	struct task_req rq = {
		.kind = kind, .vm = vm, .vm_name = fake.vms[vm].present ? fake.vms[vm].vm.name : "nope",
		.forced = forced,
		.text = text, .timeout_s = timeout_s,
	};
	struct task *t = NULL;
	char why[128];

	*hr = task_create(&rq, &t, why, sizeof(why));
	if (*hr == S_OK)
		assert_non_null(t);
	return t;
}

static struct task *must_create(enum task_kind kind, bool forced, const char *text,
				uint32_t timeout_s)
{
	uint32_t hr;
	struct task *t = create(kind, G, forced, text, timeout_s, &hr);

	assert_int_equal(hr, S_OK);
	return t;
}

static const char *to_json(const struct task *t, bool with_output)
{
	struct jw w;

	jw_init(&w, json, sizeof(json));
	api_write_task(&w, t, with_output ? TASK_JSON_OUTPUT : 0);
	assert_false(w.overflow);
	json[w.len] = '\0';
	return json;
}

static void advance(uint64_t ms)
{
	fake.now_ms += ms;
	api_tasks_poll(fake.now_ms);
}

static void assert_done(const struct task *t, uint32_t result, uint32_t error)
{
	assert_true(t->complete);
	assert_int_equal(t->result, result);
	assert_int_equal(t->error, error);
	assert_false(t->cancelable);
}

/* ---- start, turnoff, reset ---- */

static void test_start_milestones(void **state)
{
	struct task *t;

	(void)state;
	fake.vms[G].vm.state = HV_PARTITION_OFF;
	t = must_create(TASK_KIND_START, false, NULL, 0);
	assert_int_equal(t->id, 1);
	assert_int_equal(fake.starts, 1);
	assert_int_equal(t->percent, 10);
	assert_false(t->cancelable);
	/* An older event still in the ring does not count: the start's own Starting comes first. */
	hv_state(G, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	assert_false(t->complete);
	hv_state(G, HV_PARTITION_STARTING, HV_EVENT_ROOT_START);
	assert_int_equal(t->percent, 50);
	hv_state(G, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	assert_done(t, TASK_SUCCESS, S_OK);
	assert_int_equal(t->percent, 100);
	assert_int_equal(count_of(events(), "taskCompleted"), 1);
	assert_non_null(strstr(events(), "\"vm\":\"testos1\",\"type\":\"taskCompleted\",\"task\":1,"
				"\"result\":\"Success\""));
}

static void test_start_refused_is_no_task(void **state)
{
	uint32_t hr;
	struct task *t;

	(void)state;
	fake.lifecycle_refuse = VM_E_VM_RUNNING;
	assert_null(create(TASK_KIND_START, G, false, NULL, 0, &hr));
	assert_int_equal(hr, VM_E_VM_RUNNING);
	fake.lifecycle_refuse = S_OK;
	/* The root partition is never started or stopped through the API. */
	assert_null(create(TASK_KIND_TURNOFF, 0, false, NULL, 0, &hr));
	assert_int_equal(hr, E_INVALIDARG);
	assert_int_equal(fake.stops, 0);
	assert_null(create(TASK_KIND_RESET, 3, false, NULL, 0, &hr));
	assert_int_equal(hr, VM_E_VM_UNKNOWN);
	/* Refusals use no id. */
	t = must_create(TASK_KIND_TURNOFF, false, NULL, 0);
	assert_int_equal(t->id, 1);
	assert_int_equal(count_of(events(), "taskCompleted"), 0);
}

static void test_start_fault(void **state)
{
	struct task *t;

	(void)state;
	fake.vms[G].vm.state = HV_PARTITION_FAULTED;
	t = must_create(TASK_KIND_START, false, NULL, 0);
	hv_state(G, HV_PARTITION_FAULTED, HV_EVENT_FAULTED);   /* older: ignored */
	assert_false(t->complete);
	hv_state(G, HV_PARTITION_STARTING, HV_EVENT_ROOT_START);
	hv_state(G, HV_PARTITION_FAULTED, HV_EVENT_FAULTED);
	assert_done(t, TASK_UNEXPECTED_ERROR, E_FAIL);
	assert_non_null(strstr(t->error_desc, "Faulted"));
}

static void test_turnoff(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_TURNOFF, false, NULL, 0);
	assert_int_equal(fake.stops, 1);
	hv_state(G, HV_PARTITION_STOPPING, HV_EVENT_ROOT_STOP);
	assert_int_equal(t->percent, 50);
	assert_false(t->complete);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_STOPPED);
	assert_done(t, TASK_SUCCESS, S_OK);

	/* A faulted partition goes Off at once (cause root stop). */
	fake.vms[G].vm.state = HV_PARTITION_FAULTED;
	t = must_create(TASK_KIND_TURNOFF, false, NULL, 0);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_ROOT_STOP);
	assert_done(t, TASK_SUCCESS, S_OK);
}

static void test_reset(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_RESET, false, NULL, 0);
	assert_int_equal(fake.resets, 1);
	hv_state(G, HV_PARTITION_RUNNING, HV_EVENT_STARTED);  /* not after the reset yet */
	assert_false(t->complete);
	hv_state(G, HV_PARTITION_STARTING, HV_EVENT_ROOT_RESET);
	assert_int_equal(t->percent, 50);
	hv_state(G, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	assert_done(t, TASK_SUCCESS, S_OK);

	t = must_create(TASK_KIND_RESET, false, NULL, 0);
	hv_state(G, HV_PARTITION_STARTING, HV_EVENT_ROOT_RESET);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_done(t, TASK_UNEXPECTED_ERROR, E_FAIL);
}

static void test_power_timeout(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_RESET, false, NULL, 0);
	advance(TASK_POWER_TIMEOUT_MS - 1);
	assert_false(t->complete);
	advance(1);
	assert_done(t, TASK_TIMEOUT, VM_E_TIMED_OUT);
	assert_int_equal(t->completed_ms, 1000 + TASK_POWER_TIMEOUT_MS);
}

/* ---- shutdown ---- */

static void test_shutdown_milestones(void **state)
{
	struct task *t;
	struct fake_request *q;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, false, "maintenance", 300);
	q = fake_last_request();
	assert_non_null(q);
	assert_int_equal(q->id, G);
	assert_int_equal(q->args.op, GUESTOS_SHUTDOWN);
	assert_false(q->args.forced);
	assert_string_equal(q->text, "maintenance");
	assert_int_equal(t->percent, 10);
	assert_true(t->cancelable);
	assert_non_null(strstr(to_json(t, true), "\"Result\":null"));
	advance(2000);
	answer(q, S_OK);
	assert_int_equal(t->percent, 50);
	assert_false(t->cancelable);
	assert_false(t->complete);   /* accepted is not done */
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_done(t, TASK_SUCCESS, S_OK);
	assert_int_equal(t->completed_ms, 3000);
	to_json(t, true);
	assert_non_null(strstr(json, "\"IsComplete\":true"));
	assert_non_null(strstr(json, "\"PercentCompleted\":100"));
	assert_non_null(strstr(json, "\"Result\":\"Success\""));
	assert_non_null(strstr(json, "\"Error\":\"0x00000000\""));
	assert_non_null(strstr(json, "\"ErrorName\":\"S_OK\""));
	assert_non_null(strstr(json, "\"Description\":\"Shutdown testos1\""));
	assert_non_null(strstr(json, "\"completedMs\":3000"));
	assert_null(strstr(json, "\"output\""));
}

static void test_shutdown_refusals(void **state)
{
	uint32_t hr;

	(void)state;
	fake.vms[G].vm.state = HV_PARTITION_OFF;
	assert_null(create(TASK_KIND_SHUTDOWN, G, false, "", 300, &hr));
	assert_int_equal(hr, VM_E_VM_NOT_RUNNING);
	fake.vms[G].vm.state = HV_PARTITION_RUNNING;
	fake.vms[G].facts.can_shutdown = false;
	assert_null(create(TASK_KIND_RESTART, G, false, "", 300, &hr));
	assert_int_equal(hr, VM_E_ADDITIONS_FEATURE_NOT_AVAIL);
	assert_null(create(TASK_KIND_SHUTDOWN, 0, false, "", 300, &hr));
	assert_int_equal(hr, VM_E_VM_UNKNOWN);
	assert_int_equal(fake.nrequests, 0);
	assert_int_equal(count_of(events(), "taskCompleted"), 0);
}

static void test_shutdown_locked(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	answer(fake_last_request(), HR_ERROR_MACHINE_LOCKED);
	assert_done(t, TASK_UNEXPECTED_ERROR, HR_ERROR_MACHINE_LOCKED);
	to_json(t, true);
	assert_non_null(strstr(json, "\"Error\":\"0x800704F7\""));
	assert_non_null(strstr(json, "\"ErrorName\":\"ERROR_MACHINE_LOCKED\""));
	assert_non_null(strstr(json, "\"Result\":\"UnexpectedError\""));
	assert_non_null(strstr(events(), "\"errorName\":\"ERROR_MACHINE_LOCKED\""));
}

static void test_shutdown_in_progress(void **state)
{
	struct task *first, *second, *third;
	struct fake_request *q;
	uint32_t hr;

	(void)state;
	first = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	q = fake_last_request();
	second = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	assert_done(second, TASK_UNEXPECTED_ERROR, HR_ERROR_SHUTDOWN_IN_PROGRESS);
	third = must_create(TASK_KIND_RESTART, true, "", 300);
	assert_done(third, TASK_UNEXPECTED_ERROR, HR_ERROR_SHUTDOWN_IN_PROGRESS);
	assert_int_equal(fake.nrequests, 1);   /* the guest was asked once */
	assert_false(first->complete);
	/* Another VM is not affected. */
	assert_non_null(create(TASK_KIND_SHUTDOWN, 2, false, "", 300, &hr));
	assert_int_equal(hr, S_OK);
	assert_int_equal(fake.nrequests, 2);
	/* The guest's own answer (a shutdown it started itself) means the same. */
	answer(q, HR_ERROR_SHUTDOWN_IN_PROGRESS);
	assert_done(first, TASK_UNEXPECTED_ERROR, HR_ERROR_SHUTDOWN_IN_PROGRESS);
}

static void test_shutdown_timeout_after_accept(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 30);
	answer(fake_last_request(), S_OK);
	advance(29999);
	assert_false(t->complete);
	advance(1);
	assert_done(t, TASK_TIMEOUT, VM_E_TIMED_OUT);
	assert_int_equal(t->percent, 50);
	assert_int_equal(fake.stops, 0);   /* not forced: hv is not asked */
	/* Off after the timeout changes nothing. */
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_int_equal(t->result, TASK_TIMEOUT);
}

static void test_shutdown_guest_silent(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	advance(GUESTOS_REQUEST_TIMEOUT_MS);
	answer(fake_last_request(), VM_E_TIMED_OUT);   /* guestos gives up on a silent guest */
	assert_done(t, TASK_TIMEOUT, VM_E_TIMED_OUT);
	assert_int_equal(fake.stops, 0);
}

static void test_shutdown_forced_hung_guest(void **state)
{
	struct task *t;
	struct fake_request *q;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, true, "", 300);
	q = fake_last_request();
	assert_true(q->args.forced);
	advance(TASK_FORCE_AFTER_MS - 1);
	assert_int_equal(fake.stops, 0);
	advance(1);
	assert_int_equal(fake.stops, 1);
	assert_false(q->pending);   /* forgotten */
	assert_int_equal(fake.cancels, 1);
	assert_false(t->cancelable);
	assert_int_equal(t->percent, 50);
	hv_state(G, HV_PARTITION_STOPPING, HV_EVENT_ROOT_STOP);
	assert_int_equal(t->percent, 80);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_STOPPED);
	assert_done(t, TASK_SUCCESS, S_OK);
}

static void test_shutdown_forced_guest_answers(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, true, "", 300);
	advance(1000);
	answer(fake_last_request(), S_OK);
	advance(10000);
	assert_int_equal(fake.stops, 0);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_done(t, TASK_SUCCESS, S_OK);
}

static void test_shutdown_bus_lost(void **state)
{
	struct task *t;

	(void)state;
	/* The bus went down with the guest before its answer was read: hv decides. */
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	answer(fake_last_request(), VM_E_VM_NOT_RUNNING);
	assert_false(t->complete);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_done(t, TASK_SUCCESS, S_OK);

	fake.vms[G].vm.state = HV_PARTITION_RUNNING;
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	answer(fake_last_request(), VM_E_VM_NOT_RUNNING);
	advance(TASK_BUS_LOST_GRACE_MS);
	assert_done(t, TASK_UNEXPECTED_ERROR, VM_E_VM_NOT_RUNNING);
}

static void test_shutdown_reset_instead(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	answer(fake_last_request(), S_OK);
	hv_state(G, HV_PARTITION_STARTING, HV_EVENT_GUEST_RESET);
	assert_done(t, TASK_UNEXPECTED_ERROR, E_FAIL);
}

/* ---- restart ---- */

static void test_restart_milestones(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_RESTART, false, "", 300);
	assert_int_equal(fake_last_request()->args.op, GUESTOS_RESTART);
	answer(fake_last_request(), S_OK);
	assert_int_equal(t->percent, 40);
	hv_state(G, HV_PARTITION_STARTING, HV_EVENT_GUEST_RESET);
	assert_int_equal(t->percent, 70);
	assert_false(t->complete);
	hv_state(G, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	assert_done(t, TASK_SUCCESS, S_OK);
	assert_int_equal(fake.resets, 0);

	fake.vms[G].vm.state = HV_PARTITION_RUNNING;
	t = must_create(TASK_KIND_RESTART, false, "", 300);
	answer(fake_last_request(), S_OK);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_done(t, TASK_UNEXPECTED_ERROR, E_FAIL);
}

static void test_restart_forced_hung_guest(void **state)
{
	struct task *t;
	struct fake_request *q;

	(void)state;
	t = must_create(TASK_KIND_RESTART, true, "", 300);
	q = fake_last_request();
	advance(TASK_FORCE_AFTER_MS);
	assert_int_equal(fake.resets, 1);
	assert_int_equal(fake.stops, 0);
	assert_false(q->pending);
	assert_int_equal(t->percent, 40);
	assert_int_equal(task_cancel(t), E_FAIL);
	hv_state(G, HV_PARTITION_STARTING, HV_EVENT_ROOT_RESET);
	assert_int_equal(t->percent, 70);
	hv_state(G, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	assert_done(t, TASK_SUCCESS, S_OK);
}

static void test_restart_answer_after_reset(void **state)
{
	struct task *t;
	struct fake_request *q;

	(void)state;
	/* The reset can beat the answer: the request is dropped, the restart goes on. */
	t = must_create(TASK_KIND_RESTART, false, "", 300);
	q = fake_last_request();
	hv_state(G, HV_PARTITION_STARTING, HV_EVENT_GUEST_RESET);
	assert_false(q->pending);
	assert_int_equal(fake.cancels, 1);
	assert_false(t->cancelable);
	hv_state(G, HV_PARTITION_RUNNING, HV_EVENT_STARTED);
	assert_done(t, TASK_SUCCESS, S_OK);
}

/* ---- logoff, execute ---- */

static void test_logoff(void **state)
{
	struct task *t;
	static struct guestos_result r;

	(void)state;
	t = must_create(TASK_KIND_LOGOFF, false, NULL, 0);
	assert_int_equal(fake_last_request()->args.op, GUESTOS_LOGOFF);
	assert_true(t->cancelable);
	memset(&r, 0, sizeof(r));
	r.hresult = S_OK;
	r.nusers = 0;
	fake_complete(fake_last_request(), &r);
	assert_done(t, TASK_UNEXPECTED_ERROR, HR_ERROR_NO_SUCH_LOGON_SESSION);

	t = must_create(TASK_KIND_LOGOFF, true, NULL, 0);
	assert_true(fake_last_request()->args.forced);
	answer(fake_last_request(), HR_ERROR_NO_SUCH_LOGON_SESSION);
	assert_done(t, TASK_UNEXPECTED_ERROR, HR_ERROR_NO_SUCH_LOGON_SESSION);

	t = must_create(TASK_KIND_LOGOFF, false, NULL, 0);
	r.nusers = 2;
	fake_complete(fake_last_request(), &r);
	assert_done(t, TASK_SUCCESS, S_OK);
}

static void test_execute(void **state)
{
	struct task *t;
	static struct guestos_result r;
	uint32_t hr;

	(void)state;
	t = must_create(TASK_KIND_EXECUTE, false, "echo hi", 0);
	assert_int_equal(fake_last_request()->args.op, GUESTOS_EXECUTE);
	assert_string_equal(fake_last_request()->text, "echo hi");
	memset(&r, 0, sizeof(r));
	r.hresult = S_OK;
	r.exit_status = 3;
	memcpy(r.output, "hi \"there\"\n", 11);
	r.output_len = 11;
	fake_complete(fake_last_request(), &r);
	/* The command ran: Success, whatever its exit status. */
	assert_done(t, TASK_SUCCESS, S_OK);
	to_json(t, true);
	assert_non_null(strstr(json, "\"output\":{\"exitStatus\":3,\"output\":\"hi \\\"there\\\""));
	assert_non_null(strstr(json, "\"truncated\":false,\"timedOut\":false}"));
	assert_null(strchr(json, '\n'));   /* escaped, however the writer spells it */
	/* The list leaves the output out. */
	assert_null(strstr(to_json(t, false), "\"output\""));

	/* Output cut: still Success. */
	t = must_create(TASK_KIND_EXECUTE, false, "yes", 0);
	r.exec_flags = GUESTOS_EXEC_TRUNCATED;
	fake_complete(fake_last_request(), &r);
	assert_done(t, TASK_SUCCESS, S_OK);
	assert_non_null(strstr(to_json(t, true), "\"truncated\":true,\"timedOut\":false}"));
	/* Killed at the guest's time limit: TimeOutError, with what it wrote. */
	t = must_create(TASK_KIND_EXECUTE, false, "sleep 99", 0);
	r.exec_flags = GUESTOS_EXEC_TIMED_OUT;
	fake_complete(fake_last_request(), &r);
	assert_done(t, TASK_TIMEOUT, VM_E_TIMED_OUT);
	assert_non_null(strstr(to_json(t, true), "\"timedOut\":true}"));
	/* No such command: IllegalValueError, no output (its exit status means nothing). */
	t = must_create(TASK_KIND_EXECUTE, false, "nosuch", 0);
	r.exec_flags = GUESTOS_EXEC_NOT_FOUND;
	r.exit_status = 127;
	fake_complete(fake_last_request(), &r);
	assert_done(t, TASK_ILLEGAL_VALUE, E_INVALIDARG);
	assert_null(strstr(to_json(t, true), "\"output\""));

	/* The VM stopping under a request ends it. */
	t = must_create(TASK_KIND_EXECUTE, false, "sleep", 0);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_done(t, TASK_UNEXPECTED_ERROR, VM_E_VM_NOT_RUNNING);
	assert_null(fake_last_request());   /* forgotten */

	/* Refusals at call time come from guestos. */
	fake.refuse = VM_E_ADDITIONS_FEATURE_NOT_AVAIL;
	assert_null(create(TASK_KIND_EXECUTE, G, false, "x", 0, &hr));
	assert_int_equal(hr, VM_E_ADDITIONS_FEATURE_NOT_AVAIL);
}

static void test_execute_guest_timeout(void **state)
{
	struct task *t;

	(void)state;
	t = must_create(TASK_KIND_EXECUTE, false, "x", 0);
	answer(fake_last_request(), VM_E_TIMED_OUT);
	assert_done(t, TASK_TIMEOUT, VM_E_TIMED_OUT);
	/* guestos never answering at all: the task's own bound. */
	t = must_create(TASK_KIND_EXECUTE, false, "x", 0);
	advance(6u * GUESTOS_REQUEST_TIMEOUT_MS);
	assert_done(t, TASK_TIMEOUT, VM_E_TIMED_OUT);
	assert_null(fake_last_request());
}

/* ---- install additions ---- */

static void test_additions_present(void **state)
{
	struct task *t;
	uint32_t hr;

	(void)state;
	t = must_create(TASK_KIND_INSTALL_ADDITIONS, false, NULL, 0);
	assert_done(t, TASK_SUCCESS, S_OK);
	assert_int_equal(fake.media_calls, 0);
	fake.vms[G].vm.state = HV_PARTITION_OFF;
	assert_null(create(TASK_KIND_INSTALL_ADDITIONS, G, false, NULL, 0, &hr));
	assert_int_equal(hr, VM_E_VM_NOT_RUNNING);
}

static void test_additions_install(void **state)
{
	struct task *t;
	struct guestos_facts *f = &fake.vms[G].facts;

	(void)state;
	memset(f, 0, sizeof(*f));
	t = must_create(TASK_KIND_INSTALL_ADDITIONS, false, NULL, 0);
	assert_int_equal(fake.media_calls, 1);
	assert_int_equal(t->percent, 30);
	assert_true(t->cancelable);
	f->additions = true;
	f->can_shutdown = true;
	notify_post(G, NOTIFY_ADDITIONS, 1, 0);
	assert_int_equal(t->percent, 60);
	assert_false(t->cancelable);
	assert_false(t->complete);
	notify_post(G, NOTIFY_FACTS, 0, 0);   /* KVP not read yet */
	assert_false(t->complete);
	f->kvp_known = true;
	snprintf(f->kvp.additions_version, sizeof(f->kvp.additions_version), "1.0.0");
	notify_post(G, NOTIFY_FACTS, 0, 0);
	assert_done(t, TASK_SUCCESS, S_OK);
	assert_int_equal(fake.media_calls, 1);   /* the media stays in, as hv keeps it */
}

static void test_additions_timeout_and_failures(void **state)
{
	struct task *t;

	(void)state;
	memset(&fake.vms[G].facts, 0, sizeof(fake.vms[G].facts));
	t = must_create(TASK_KIND_INSTALL_ADDITIONS, false, NULL, 0);
	advance(TASK_ADDITIONS_TIMEOUT_MS - 1);
	assert_false(t->complete);
	advance(1);
	assert_done(t, TASK_TIMEOUT, VM_E_TIMED_OUT);
	assert_int_equal(fake.media_calls, 2);   /* attached, then ejected */

	t = must_create(TASK_KIND_INSTALL_ADDITIONS, false, NULL, 0);
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_done(t, TASK_UNEXPECTED_ERROR, VM_E_VM_NOT_RUNNING);
	assert_int_equal(fake.media_calls, 4);

	fake.vms[G].vm.state = HV_PARTITION_RUNNING;
	fake.media_hr = HR_ERROR_NOT_SUPPORTED;
	t = must_create(TASK_KIND_INSTALL_ADDITIONS, false, NULL, 0);
	assert_done(t, TASK_UNEXPECTED_ERROR, HR_ERROR_NOT_SUPPORTED);
	assert_int_equal(fake.media_calls, 5);   /* nothing attached: nothing to eject */
}

/* ---- cancel ---- */

static void test_cancel(void **state)
{
	struct task *t;
	struct fake_request *q;
	uint32_t hr;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	q = fake_last_request();
	assert_int_equal(task_cancel(t), S_OK);
	assert_done(t, TASK_CANCELLED, S_OK);
	assert_false(q->pending);   /* forgotten: a late answer is never delivered */
	assert_int_equal(fake.cancels, 1);
	assert_non_null(strstr(events(), "\"result\":\"Cancelled\""));
	assert_int_equal(task_cancel(t), E_FAIL);   /* complete */

	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	answer(fake_last_request(), S_OK);
	assert_int_equal(task_cancel(t), E_FAIL);   /* accepted: the guest is going down */
	assert_false(t->complete);

	t = must_create(TASK_KIND_TURNOFF, false, NULL, 0);
	assert_int_equal(task_cancel(t), E_FAIL);

	t = must_create(TASK_KIND_EXECUTE, false, "x", 0);
	q = fake_last_request();
	assert_int_equal(task_cancel(t), S_OK);
	assert_false(q->pending);

	memset(&fake.vms[2].facts, 0, sizeof(fake.vms[2].facts));
	t = create(TASK_KIND_INSTALL_ADDITIONS, 2, false, NULL, 0, &hr);
	assert_true(t->cancelable);
	assert_int_equal(task_cancel(t), S_OK);
	assert_int_equal(fake.media_calls, 2);   /* attached, then ejected */
	t = create(TASK_KIND_INSTALL_ADDITIONS, 2, false, NULL, 0, &hr);
	notify_post(2, NOTIFY_ADDITIONS, 1, 0);
	assert_int_equal(task_cancel(t), E_FAIL);
}

/* ---- WaitForCompletion ---- */

static struct api_ctx ctx_for(unsigned conn)
{
	struct api_ctx ctx = { .conn = fake_conn(conn), .vm_id = -1, .vm_name = "" };

	/* A different token per waiter: one token alone may hold only a quarter of them. */
	static struct hv_mgmt_token tokens[API_MAX_DEFERRED + 1];

	if (conn < sizeof(tokens) / sizeof(tokens[0])) {
		snprintf(tokens[conn].name, sizeof(tokens[conn].name), "t%u", conn);
		tokens[conn].ngrants = 1;
		tokens[conn].grants[0].vm[0] = '*';
		tokens[conn].grants[0].rights = HV_MGMT_RIGHT_READ;
		ctx.token = &tokens[conn];
	}
	return ctx;
}

static const struct fake_answer *answer_on(unsigned conn)
{
	return fake_answer(fake_conn(conn));
}

static void test_wait(void **state)
{
	struct task *t = NULL;
	struct api_ctx a = ctx_for(1), b = ctx_for(2), c = ctx_for(3);
	struct fake_request *q;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	q = fake_last_request();
	/* wait=0: the state now. */
	assert_int_equal(api_task_wait(&a, t, 0), API_ANSWERED);
	assert_int_equal(answer_on(1)->status, 200);
	assert_body_has(answer_on(1), "\"IsComplete\":false");
	fake_http_reset();
	/* A bounded wait ends with the task as it is then. */
	assert_int_equal(api_task_wait(&a, t, 1000), API_DEFERRED);
	assert_int_equal(api_task_wait(&b, t, -1), API_DEFERRED);
	assert_int_equal(api_task_wait(&c, t, 5000), API_DEFERRED);
	advance(999);
	assert_int_equal(answer_on(1)->answers, 0);
	answer(q, S_OK);
	advance(1);
	assert_int_equal(answer_on(1)->answers, 1);
	assert_int_equal(answer_on(1)->status, 200);
	assert_json(answer_on(1));
	assert_body_has(answer_on(1), "\"PercentCompleted\":50");
	assert_int_equal(answer_on(2)->answers, 0);
	/* c goes away: its waiter is forgotten. */
	api_conn_gone(c.conn);
	/* Completion answers the forever waiter at once. */
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	assert_int_equal(answer_on(2)->answers, 1);
	assert_body_has(answer_on(2), "\"Result\":\"Success\"");
	assert_int_equal(answer_on(3)->answers, 0);
	advance(100000);
	assert_int_equal(answer_on(1)->answers, 1);
	assert_int_equal(answer_on(2)->answers, 1);
	assert_int_equal(answer_on(3)->answers, 0);
	/* A complete task answers at once, whatever the wait. */
	assert_int_equal(api_task_wait(&a, t, -1), API_ANSWERED);
	assert_int_equal(answer_on(1)->answers, 2);
}

static void test_wait_no_room(void **state)
{
	struct task *t;
	struct api_ctx ctx;
	unsigned i;

	(void)state;
	t = must_create(TASK_KIND_SHUTDOWN, false, "", 300);
	for (i = 0; i < API_MAX_DEFERRED; i++) {
		ctx = ctx_for(i);
		assert_int_equal(api_task_wait(&ctx, t, -1), API_DEFERRED);
	}
	ctx = ctx_for(i);
	assert_int_equal(api_task_wait(&ctx, t, 100), API_ANSWERED);
	assert_error(answer_on(i), 503, "VM_E_OUT_OF_RESOURCE");
	assert_non_null(strstr(answer_on(i)->headers, "Retry-After: 1\n"));
	/* Every waiter is answered when the task ends. */
	hv_state(G, HV_PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	for (i = 0; i < API_MAX_DEFERRED; i++)
		assert_int_equal(answer_on(i)->answers, 1);
}

/* ---- the table ---- */

static void test_history_eviction(void **state)
{
	struct task *running, *t;
	struct task *all[TASK_SLOTS];
	struct task_stats st;
	uint32_t n;

	(void)state;
	running = must_create(TASK_KIND_SHUTDOWN, false, "", 3600);
	for (unsigned i = 0; i < TASK_HISTORY + 6; i++) {
		t = must_create(TASK_KIND_EXECUTE, false, "x", 0);
		assert_int_equal(t->id, i + 2);
		answer(fake_last_request(), S_OK);
		assert_true(t->complete);
	}
	n = task_list(all, TASK_SLOTS);
	assert_int_equal(n, TASK_HISTORY + 1);
	/* The running task stays; the six oldest completed went. */
	assert_ptr_equal(all[0], running);
	assert_int_equal(all[1]->id, 8);
	assert_int_equal(all[n - 1]->id, TASK_HISTORY + 7);
	for (uint32_t i = 1; i < n; i++)
		assert_true(all[i]->id > all[i - 1]->id);
	assert_null(task_find(2));
	assert_null(task_find(7));
	assert_non_null(task_find(8));
	assert_ptr_equal(task_find(1), running);
	task_stats(&st);
	assert_int_equal(st.running, 1);
	assert_int_equal(st.completed, TASK_HISTORY);
	assert_int_equal(st.results_total[TASK_SUCCESS], TASK_HISTORY + 6);
}

static void test_running_bound(void **state)
{
	uint32_t hr;
	struct task *t = NULL;

	(void)state;
	for (unsigned i = 0; i < TASK_MAX_RUNNING; i++)
		t = must_create(TASK_KIND_EXECUTE, false, "x", 0);
	assert_null(create(TASK_KIND_EXECUTE, G, false, "x", 0, &hr));
	assert_int_equal(hr, VM_E_OUT_OF_RESOURCE);
	answer(fake_last_request(), S_OK);
	assert_non_null(create(TASK_KIND_EXECUTE, G, false, "x", 0, &hr));
	assert_int_equal(t->id, TASK_MAX_RUNNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_start_milestones, setup),
		cmocka_unit_test_setup(test_start_refused_is_no_task, setup),
		cmocka_unit_test_setup(test_start_fault, setup),
		cmocka_unit_test_setup(test_turnoff, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_power_timeout, setup),
		cmocka_unit_test_setup(test_shutdown_milestones, setup),
		cmocka_unit_test_setup(test_shutdown_refusals, setup),
		cmocka_unit_test_setup(test_shutdown_locked, setup),
		cmocka_unit_test_setup(test_shutdown_in_progress, setup),
		cmocka_unit_test_setup(test_shutdown_timeout_after_accept, setup),
		cmocka_unit_test_setup(test_shutdown_guest_silent, setup),
		cmocka_unit_test_setup(test_shutdown_forced_hung_guest, setup),
		cmocka_unit_test_setup(test_shutdown_forced_guest_answers, setup),
		cmocka_unit_test_setup(test_shutdown_bus_lost, setup),
		cmocka_unit_test_setup(test_shutdown_reset_instead, setup),
		cmocka_unit_test_setup(test_restart_milestones, setup),
		cmocka_unit_test_setup(test_restart_forced_hung_guest, setup),
		cmocka_unit_test_setup(test_restart_answer_after_reset, setup),
		cmocka_unit_test_setup(test_logoff, setup),
		cmocka_unit_test_setup(test_execute, setup),
		cmocka_unit_test_setup(test_execute_guest_timeout, setup),
		cmocka_unit_test_setup(test_additions_present, setup),
		cmocka_unit_test_setup(test_additions_install, setup),
		cmocka_unit_test_setup(test_additions_timeout_and_failures, setup),
		cmocka_unit_test_setup(test_cancel, setup),
		cmocka_unit_test_setup(test_wait, setup),
		cmocka_unit_test_setup(test_wait_no_room, setup),
		cmocka_unit_test_setup(test_history_eviction, setup),
		cmocka_unit_test_setup(test_running_bound, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
