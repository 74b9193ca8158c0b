/*
 * What each task kind does and what its milestones are (docs/tasks.md).
 * Progress moves only on facts: hv's state changes (NOTIFY_STATE with the
 * cause), the guest's answers (guestos), the additions coming up
 * (NOTIFY_ADDITIONS, NOTIFY_FACTS).  A shutdown is Success only when hv
 * reports the partition Off; a restart only when hv reported the reset
 * and the partition runs again.
 */
#include "task_impl.h"
#include "task_media.h"

#include <backend/backend.h>

#include <lib/format.h>
#include <lib/string.h>

/* Results other than Success that a failing HRESULT maps to. */
static uint32_t result_of(uint32_t hr)
{
	uint32_t result = TASK_UNEXPECTED_ERROR;

	if (hr == VM_E_TIMED_OUT)
		result = TASK_TIMEOUT;
	else if (hr == E_OUTOFMEMORY || hr == VM_E_OUT_OF_RESOURCE)
		result = TASK_OUT_OF_MEMORY;
	else if (hr == E_INVALIDARG)
		result = TASK_ILLEGAL_VALUE;
	return result;
}

static const char *state_name(uint32_t state)
{
	static const char *const names[] = { "Off", "Starting", "Running", "Stopping", "Faulted" };

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

static const char *cause_name(uint32_t cause)
{
	static const char *const names[] = {
		"created",    "started",   "guest power-off", "guest reset", "faulted",
		"root start", "root stop", "root reset",      "stopped",
	};

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "?";
}

/* The partition's state now; Off for an id hv does not know. */
static uint32_t vm_state(uint32_t vm)
{
	struct backend_vm v;

	return backend_vm_get(vm, &v) ? v.state : HV_PARTITION_OFF;
}

static bool is_reset_cause(uint32_t cause)
{
	return cause == HV_EVENT_GUEST_RESET || cause == HV_EVENT_ROOT_RESET;
}

static void fail_state(struct task *t, const struct notify *n, const char *what)
{
	task_complete(t, TASK_UNEXPECTED_ERROR, E_FAIL, "%s went %s (%s)%s", t->vm_name,
		      state_name(n->arg), cause_name(n->arg2), what);
}

/* ---- start, turnoff, reset: hv does it, hv reports it ---- */

static uint32_t power_call(const struct task *t)
{
	uint32_t hr;

	if (t->kind == TASK_KIND_START)
		hr = backend_vm_start(t->vm);
	else if (t->kind == TASK_KIND_TURNOFF)
		hr = backend_vm_stop(t->vm);
	else
		hr = backend_vm_reset(t->vm);
	return hr;
}

static uint32_t power_begin(struct task *t, char *why, size_t why_len)
{
	struct backend_vm v;
	uint32_t hr;

	if (!backend_vm_get(t->vm, &v)) {
		fmt_snprintf(why, why_len, "%s is unknown", t->vm_name);
		return VM_E_VM_UNKNOWN;
	}
	if (v.root) {
		fmt_snprintf(why, why_len, "%s is the root partition", t->vm_name);
		return E_INVALIDARG;
	}
	t->deadline_ms = t->created_ms + TASK_POWER_TIMEOUT_MS;
	hr = power_call(t);
	if (hr == S_OK)
		task_progress(t, 10);
	else if (hr == VM_E_VM_RUNNING || hr == VM_E_VM_NOT_RUNNING || hr == HR_ERROR_NOT_READY)
		fmt_snprintf(why, why_len, "%s is %s", t->vm_name, state_name(v.state));
	else
		fmt_snprintf(why, why_len, "hv refused to %s %s", task_kind_name(t->kind), t->vm_name);
	return hr;
}

/*
 * Each kind first waits for the change its own hv call caused (the cause
 * tells it apart from older events still in the ring), then for the end.
 */
static void power_notify(struct task *t, const struct notify *n)
{
	uint32_t state = n->arg, cause = n->arg2;
	bool mine = t->phase != TASK_PH_REQUESTED;

	if (t->kind == TASK_KIND_START) {
		if (!mine && state == HV_PARTITION_STARTING && cause == HV_EVENT_ROOT_START) {
			t->phase = TASK_PH_TRANSITION;
			task_progress(t, 50);
		} else if (mine && state == HV_PARTITION_RUNNING) {
			task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
		} else if (mine && (state == HV_PARTITION_OFF || state == HV_PARTITION_FAULTED)) {
			fail_state(t, n, " while starting");
		}
	} else if (t->kind == TASK_KIND_TURNOFF) {
		if (!mine && state == HV_PARTITION_STOPPING && cause == HV_EVENT_ROOT_STOP) {
			t->phase = TASK_PH_TRANSITION;
			task_progress(t, 50);
		} else if (state == HV_PARTITION_OFF && (mine || cause == HV_EVENT_ROOT_STOP)) {
			task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
		}
	} else {
		if (!mine && state == HV_PARTITION_STARTING && cause == HV_EVENT_ROOT_RESET) {
			t->phase = TASK_PH_RESET_SEEN;
			task_progress(t, 50);
		} else if (mine && state == HV_PARTITION_RUNNING) {
			task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
		} else if (mine && (state == HV_PARTITION_OFF || state == HV_PARTITION_FAULTED)) {
			fail_state(t, n, " while resetting");
		}
	}
}

/* ---- guest requests ---- */

static void guest_done(void *ctx, const struct guestos_result *r);

static uint32_t guest_ask(struct task *t, enum guestos_op op, const char *text, char *why,
			  size_t why_len)
{
	struct guestos_args a = { .op = op, .forced = t->forced, .text = text };
	uint32_t hr;

	t->guest_pending = true;
	hr = backend_guestos_request(t->vm, &a, guest_done, t);
	if (hr != S_OK) {
		t->guest_pending = false;
		if (hr == VM_E_VM_NOT_RUNNING)
			fmt_snprintf(why, why_len, "%s is not running", t->vm_name);
		else if (hr == VM_E_ADDITIONS_FEATURE_NOT_AVAIL)
			fmt_snprintf(why, why_len, "%s has no %s service (additions not ready)",
				     t->vm_name, task_kind_name(t->kind));
		else if (hr == VM_E_VM_UNKNOWN)
			fmt_snprintf(why, why_len, "%s is not a guest partition", t->vm_name);
		else
			fmt_snprintf(why, why_len, "the guest request was refused");
	} else {
		task_progress(t, 10);
		t->cancelable = true;
	}
	return hr;
}

static bool shutdown_running_on(const struct task *self)
{
	struct task *all[TASK_SLOTS];
	uint32_t n = task_list(all, TASK_SLOTS);
	bool found = false;

	for (uint32_t i = 0; i < n && !found; i++) {
		const struct task *o = all[i];

		found = o != self && !o->complete && o->vm == self->vm &&
			(o->kind == TASK_KIND_SHUTDOWN || o->kind == TASK_KIND_RESTART);
	}
	return found;
}

static uint32_t shutdown_begin(struct task *t, const struct task_req *rq, char *why,
			       size_t why_len)
{
	struct guestos_facts f;
	bool guest = backend_guestos_facts(t->vm, &f);

	if (!guest) {
		fmt_snprintf(why, why_len, "%s is not a guest partition", t->vm_name);
		return VM_E_VM_UNKNOWN;
	}
	if (vm_state(t->vm) != HV_PARTITION_RUNNING) {
		fmt_snprintf(why, why_len, "%s is not running", t->vm_name);
		return VM_E_VM_NOT_RUNNING;
	}
	if (!f.can_shutdown) {
		fmt_snprintf(why, why_len, "%s has no shutdown service (additions not ready)",
			     t->vm_name);
		return VM_E_ADDITIONS_FEATURE_NOT_AVAIL;
	}
	if (shutdown_running_on(t)) {
		task_complete(t, TASK_UNEXPECTED_ERROR, HR_ERROR_SHUTDOWN_IN_PROGRESS,
			      "a shutdown or restart of %s is in progress", t->vm_name);
		return S_OK;
	}
	t->deadline_ms = t->created_ms + (uint64_t)rq->timeout_s * 1000u;
	if (t->forced)
		t->step_ms = t->created_ms + TASK_FORCE_AFTER_MS;
	return guest_ask(t, t->kind == TASK_KIND_SHUTDOWN ? GUESTOS_SHUTDOWN : GUESTOS_RESTART,
			 rq->text ? rq->text : "", why, why_len);
}

static void shutdown_answer(struct task *t, const struct guestos_result *r)
{
	if (r->hresult == S_OK) {
		t->phase = TASK_PH_ACCEPTED;
		t->cancelable = false;
		t->step_ms = 0;
		task_progress(t, t->kind == TASK_KIND_SHUTDOWN ? 50 : 40);
	} else if (r->hresult == VM_E_VM_NOT_RUNNING) {
		/* The bus went away, maybe because the guest acted at once: ask hv. */
		t->phase = TASK_PH_BUS_LOST;
		t->cancelable = false;
		t->step_ms = backend_now_ms() + TASK_BUS_LOST_GRACE_MS;
	} else if (r->hresult == VM_E_TIMED_OUT) {
		task_complete(t, TASK_TIMEOUT, VM_E_TIMED_OUT, "the guest did not answer");
	} else {
		task_complete(t, result_of(r->hresult), r->hresult, "the guest refused%s",
			      r->hresult == HR_ERROR_MACHINE_LOCKED ? ": the machine is locked" :
			      r->hresult == HR_ERROR_SHUTDOWN_IN_PROGRESS ?
								  ": a shutdown is in progress" : "");
	}
}

static void shutdown_notify(struct task *t, const struct notify *n)
{
	uint32_t state = n->arg, cause = n->arg2;

	if (state == HV_PARTITION_FAULTED) {
		fail_state(t, n, "");
	} else if (t->kind == TASK_KIND_SHUTDOWN) {
		if (state == HV_PARTITION_OFF)
			task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
		else if (state == HV_PARTITION_STOPPING)
			task_progress(t, 80);
		else if (state == HV_PARTITION_STARTING && is_reset_cause(cause))
			fail_state(t, n, " instead of powering off");
	} else {
		if (state == HV_PARTITION_STARTING && is_reset_cause(cause)) {
			if (t->guest_pending) {
				backend_guestos_cancel(t);  /* the answer no longer matters */
				t->guest_pending = false;
			}
			t->phase = TASK_PH_RESET_SEEN;
			t->cancelable = false;
			t->step_ms = 0;
			task_progress(t, 70);
		} else if (state == HV_PARTITION_RUNNING && t->phase == TASK_PH_RESET_SEEN) {
			task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
		} else if (state == HV_PARTITION_OFF) {
			fail_state(t, n, " instead of restarting");
		}
	}
}

/* Forced and the guest silent: hv turns the partition off or resets it. */
static void shutdown_force(struct task *t)
{
	bool off = t->kind == TASK_KIND_SHUTDOWN;
	uint32_t hr;

	if (t->guest_pending) {
		backend_guestos_cancel(t);
		t->guest_pending = false;
	}
	t->phase = TASK_PH_FORCING;
	t->cancelable = false;
	hr = off ? backend_vm_stop(t->vm) : backend_vm_reset(t->vm);
	backend_log("root: task %u: no answer from %s in %u ms: %s it through hv (0x%08x)\n",
		    t->id, t->vm_name, TASK_FORCE_AFTER_MS, off ? "turning off" : "resetting", hr);
	/* A refusal means hv is changing the state already: its report decides. */
	if (hr == S_OK)
		task_progress(t, off ? 50 : 40);
}

/* ---- logoff, execute ---- */

static uint32_t session_begin(struct task *t, const struct task_req *rq, char *why,
			      size_t why_len)
{
	/* guestos answers within GUESTOS_REQUEST_TIMEOUT_MS of sending; queued requests wait longer. */
	t->deadline_ms = t->created_ms + 6u * GUESTOS_REQUEST_TIMEOUT_MS;
	return guest_ask(t, t->kind == TASK_KIND_LOGOFF ? GUESTOS_LOGOFF : GUESTOS_EXECUTE,
			 rq->text, why, why_len);
}

/*
 * The command ran: Success whatever its exit status (the status is the
 * command's result, not the task's).  Killed at the guest's time limit:
 * TimeOutError, output kept.  No such command: IllegalValueError.
 */
static void execute_answer(struct task *t, const struct guestos_result *r)
{
	if (r->exec_flags & GUESTOS_EXEC_NOT_FOUND) {
		task_complete(t, TASK_ILLEGAL_VALUE, E_INVALIDARG, "no such command in %s",
			      t->vm_name);
		return;
	}
	t->has_output = true;
	t->truncated = (r->exec_flags & GUESTOS_EXEC_TRUNCATED) != 0;
	t->killed = (r->exec_flags & GUESTOS_EXEC_TIMED_OUT) != 0;
	t->exit_status = r->exit_status;
	t->output_len = r->output_len <= GUESTOS_OUTPUT ? r->output_len : GUESTOS_OUTPUT;
	memcpy(t->output, r->output, t->output_len);
	t->output[t->output_len] = '\0';
	if (t->killed)
		task_complete(t, TASK_TIMEOUT, VM_E_TIMED_OUT,
			      "the command was killed at the guest's time limit");
	else
		task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
}

static void session_answer(struct task *t, const struct guestos_result *r)
{
	uint32_t hr = r->hresult;

	if (t->kind == TASK_KIND_LOGOFF && hr == S_OK && r->nusers == 0)
		hr = HR_ERROR_NO_SUCH_LOGON_SESSION;
	if (hr == S_OK && t->kind == TASK_KIND_EXECUTE)
		execute_answer(t, r);
	else if (hr == S_OK)
		task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
	else if (hr == HR_ERROR_NO_SUCH_LOGON_SESSION)
		task_complete(t, TASK_UNEXPECTED_ERROR, hr, "nobody is logged on");
	else if (hr == VM_E_TIMED_OUT)
		task_complete(t, TASK_TIMEOUT, hr, "the guest did not answer");
	else
		task_complete(t, result_of(hr), hr, "the guest could not %s", task_kind_name(t->kind));
}

static void session_notify(struct task *t, const struct notify *n)
{
	if (n->kind == NOTIFY_STATE && n->arg != HV_PARTITION_RUNNING)
		task_complete(t, TASK_UNEXPECTED_ERROR, VM_E_VM_NOT_RUNNING, "%s went %s (%s)",
			      t->vm_name, state_name(n->arg), cause_name(n->arg2));
}

static void guest_done(void *ctx, const struct guestos_result *r)
{
	struct task *t = ctx;

	t->guest_pending = false;
	if (t->complete)
		return;
	if (t->kind == TASK_KIND_SHUTDOWN || t->kind == TASK_KIND_RESTART)
		shutdown_answer(t, r);
	else
		session_answer(t, r);
}

/* ---- install additions ---- */

static bool additions_reported(uint32_t vm)
{
	struct guestos_facts f;

	return backend_guestos_facts(vm, &f) && f.additions && f.kvp_known && f.kvp.additions_version[0];
}

static uint32_t additions_begin(struct task *t, char *why, size_t why_len)
{
	struct guestos_facts f;
	uint32_t hr;

	if (!backend_guestos_facts(t->vm, &f)) {
		fmt_snprintf(why, why_len, "%s is not a guest partition", t->vm_name);
		return VM_E_VM_UNKNOWN;
	}
	if (vm_state(t->vm) != HV_PARTITION_RUNNING) {
		fmt_snprintf(why, why_len, "%s is not running", t->vm_name);
		return VM_E_VM_NOT_RUNNING;
	}
	if (f.additions) {
		task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
		return S_OK;
	}
	t->deadline_ms = t->created_ms + TASK_ADDITIONS_TIMEOUT_MS;
	hr = task_media_attach(t->vm, HV_MEDIA_ADDITIONS);
	if (hr != S_OK) {
		task_complete(t, result_of(hr), hr, "hv did not attach the additions media");
	} else {
		t->phase = TASK_PH_ATTACHED;
		t->cancelable = true;
		task_progress(t, 30);
	}
	return S_OK;
}

static void additions_notify(struct task *t, const struct notify *n)
{
	if (n->kind == NOTIFY_STATE) {
		if (n->arg == HV_PARTITION_OFF || n->arg == HV_PARTITION_FAULTED)
			task_complete(t, TASK_UNEXPECTED_ERROR, VM_E_VM_NOT_RUNNING,
				      "%s went %s (%s)", t->vm_name, state_name(n->arg),
				      cause_name(n->arg2));
		return;
	}
	if (n->kind == NOTIFY_ADDITIONS && n->arg == 1) {
		t->phase = TASK_PH_READY;
		t->cancelable = false;
		task_progress(t, 60);
	}
	if ((n->kind == NOTIFY_ADDITIONS || n->kind == NOTIFY_FACTS) && additions_reported(t->vm))
		task_complete(t, TASK_SUCCESS, S_OK, "%s", "");
}

/* ---- the hooks task.c calls ---- */

uint32_t task_kind_begin(struct task *t, const struct task_req *rq, char *why, size_t why_len)
{
	uint32_t hr;

	switch (t->kind) {
	case TASK_KIND_START:
	case TASK_KIND_TURNOFF:
	case TASK_KIND_RESET:
		hr = power_begin(t, why, why_len);
		break;
	case TASK_KIND_SHUTDOWN:
	case TASK_KIND_RESTART:
		hr = shutdown_begin(t, rq, why, why_len);
		break;
	case TASK_KIND_LOGOFF:
	case TASK_KIND_EXECUTE:
		hr = session_begin(t, rq, why, why_len);
		break;
	case TASK_KIND_INSTALL_ADDITIONS:
		hr = additions_begin(t, why, why_len);
		break;
	default:
		fmt_snprintf(why, why_len, "unknown task kind");
		hr = E_INVALIDARG;
		break;
	}
	return hr;
}

void task_kind_notify(struct task *t, const struct notify *n)
{
	if (t->kind == TASK_KIND_INSTALL_ADDITIONS)
		additions_notify(t, n);
	else if (n->kind != NOTIFY_STATE)
		return;
	else if (t->kind <= TASK_KIND_RESET)
		power_notify(t, n);
	else if (t->kind == TASK_KIND_SHUTDOWN || t->kind == TASK_KIND_RESTART)
		shutdown_notify(t, n);
	else
		session_notify(t, n);
}

void task_kind_step(struct task *t)
{
	if (t->phase == TASK_PH_REQUESTED && t->forced &&
	    (t->kind == TASK_KIND_SHUTDOWN || t->kind == TASK_KIND_RESTART))
		shutdown_force(t);
	else if (t->phase == TASK_PH_BUS_LOST)
		task_complete(t, TASK_UNEXPECTED_ERROR, VM_E_VM_NOT_RUNNING,
			      "the guest's bus went away and hv reported no %s",
			      t->kind == TASK_KIND_SHUTDOWN ? "power-off" : "reset");
}

void task_kind_cancel(struct task *t)
{
	/* The guest may already have the request: cancel only forgets the answer. */
	if (t->guest_pending) {
		backend_guestos_cancel(t);
		t->guest_pending = false;
	}
}

void task_kind_finish(struct task *t, uint32_t result)
{
	uint32_t hr;

	/* An install that did not succeed ejects the media it attached (hv keeps it otherwise). */
	if (t->kind != TASK_KIND_INSTALL_ADDITIONS || result == TASK_SUCCESS ||
	    (t->phase != TASK_PH_ATTACHED && t->phase != TASK_PH_READY))
		return;
	hr = task_media_attach(t->vm, HV_MEDIA_NONE);
	if (hr != S_OK)
		backend_log("root: task %u: ejecting the additions media from %s failed (0x%08x)\n",
			    t->id, t->vm_name, hr);
}
