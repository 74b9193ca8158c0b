/*
 * The task table (docs/tasks.md): ids, the history of completed tasks,
 * completion (events, waiters, counters), WaitForCompletion waiters,
 * Cancel, deadlines and the TASK JSON object.  What each kind's
 * milestones mean is in task_kinds.c.
 */
#include "task.h"

#include <lib/format.h>
#include <lib/string.h>
#include <stdarg.h>

#include "api_events.h"
#include "backend.h"
#include "task_impl.h"

struct task_waiter {
	struct http_conn *conn;     /* NULL: slot free */
	uint32_t task_id;
	bool forever;
	uint64_t deadline_ms;
};

static struct task tasks[TASK_SLOTS];
static struct task_waiter waiters[API_MAX_DEFERRED];
static uint32_t next_id = 1;
static uint64_t completion_seq;
static uint64_t result_total[TASK_RESULTS];
static bool listening;
static char json_buf[HTTP_MAX_RESPONSE];

static const char *const kind_names[] = {
	"start", "turnoff", "reset", "shutdown", "restart", "logoff", "execute", "install-additions",
};

const char *task_kind_name(enum task_kind kind)
{
	return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

static void on_notify(const struct notify *n)
{
	for (uint32_t i = 0; i < TASK_SLOTS; i++) {
		struct task *t = &tasks[i];

		if (t->used && !t->complete && t->vm == n->id)
			task_kind_notify(t, n);
	}
}

static void listen_once(void)
{
	if (!listening) {
		listening = notify_listen(on_notify);
		if (!listening)
			backend_log("root: task: no notify listener slot; tasks cannot see hv's reports\n");
	}
}

void task_init(void)
{
	memset(tasks, 0, sizeof(tasks));
	memset(waiters, 0, sizeof(waiters));
	memset(result_total, 0, sizeof(result_total));
	next_id = 1;
	completion_seq = 0;
	listen_once();
}

static uint32_t running_count(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < TASK_SLOTS; i++)
		n += tasks[i].used && !tasks[i].complete;
	return n;
}

/* A free slot; running tasks are bounded, so one always exists below the bound. */
static struct task *slot_alloc(void)
{
	struct task *t = NULL;

	if (running_count() >= TASK_MAX_RUNNING)
		return NULL;
	for (uint32_t i = 0; i < TASK_SLOTS && !t; i++)
		if (!tasks[i].used)
			t = &tasks[i];
	return t;
}

static void describe(struct task *t)
{
	static const char *const verbs[] = {
		"Start", "Turn off", "Reset", "Shutdown", "Restart", "Logoff", "Execute on",
		"Install additions on",
	};

	fmt_snprintf(t->description, sizeof(t->description), "%s %s", verbs[t->kind], t->vm_name);
}

uint32_t task_create(const struct task_req *rq, struct task **out, char *why, size_t why_len)
{
	struct task *t;
	uint32_t hr;

	listen_once();
	t = slot_alloc();
	if (!t) {
		fmt_snprintf(why, why_len, "%u tasks are running already", TASK_MAX_RUNNING);
		return VM_E_OUT_OF_RESOURCE;
	}
	memset(t, 0, sizeof(*t));
	t->used = true;
	t->id = next_id++;
	t->kind = rq->kind;
	t->vm = rq->vm;
	fmt_snprintf(t->vm_name, sizeof(t->vm_name), "%s", rq->vm_name);
	describe(t);
	t->created_ms = backend_now_ms();
	t->error = S_OK;
	t->forced = rq->forced;
	/* The kind may complete t at once (SHUTDOWN_IN_PROGRESS, additions present). */
	hr = task_kind_begin(t, rq, why, why_len);
	if (hr != S_OK) {
		/* A refusal is an error, not a task: the id goes back unused. */
		t->used = false;
		next_id--;
	} else {
		backend_log("root: task %u: %s (%s)\n", t->id, t->description,
			    task_kind_name(t->kind));
		*out = t;
	}
	return hr;
}

struct task *task_find(uint32_t id)
{
	struct task *found = NULL;

	for (uint32_t i = 0; i < TASK_SLOTS && !found; i++)
		if (tasks[i].used && tasks[i].id == id)
			found = &tasks[i];
	return found;
}

uint32_t task_list(struct task **out, uint32_t max)
{
	uint32_t n = 0;

	/* Insertion by id: at most TASK_SLOTS entries. */
	for (uint32_t i = 0; i < TASK_SLOTS; i++) {
		uint32_t at;

		if (!tasks[i].used || n == max)
			continue;
		for (at = n; at > 0 && out[at - 1]->id > tasks[i].id; at--)
			out[at] = out[at - 1];
		out[at] = &tasks[i];
		n++;
	}
	return n;
}

void task_progress(struct task *t, uint32_t percent)
{
	if (percent > t->percent && percent <= 100)
		t->percent = percent;
}

/* Keeps TASK_HISTORY completed tasks: the one completed longest ago goes. */
static void evict(void)
{
	uint32_t completed = 0;
	struct task *oldest = NULL;

	for (uint32_t i = 0; i < TASK_SLOTS; i++) {
		struct task *t = &tasks[i];

		if (!t->used || !t->complete)
			continue;
		completed++;
		if (!oldest || t->completion_seq < oldest->completion_seq)
			oldest = t;
	}
	if (completed > TASK_HISTORY)
		oldest->used = false;
}

/* t as JSON in json_buf; false (and 500 is due) if it does not fit. */
static bool task_json(struct jw *jw, const struct task *t)
{
	jw_init(jw, json_buf, sizeof(json_buf));
	task_write_json(jw, t, TASK_JSON_OUTPUT);
	return !jw->overflow;
}

/* Answers w's client with t and frees the waiter slot. */
static void waiter_answer(struct task_waiter *w, const struct task *t)
{
	struct jw jw;
	struct http_conn *c = w->conn;

	w->conn = NULL;
	if (task_json(&jw, t))
		api_reply_json_conn(c, 200, &jw);
	else
		api_reply_error_conn(c, 500, E_OUTOFMEMORY, "the task does not fit a response");
}

static void waiters_wake(const struct task *t)
{
	for (uint32_t i = 0; i < API_MAX_DEFERRED; i++)
		if (waiters[i].conn && waiters[i].task_id == t->id)
			waiter_answer(&waiters[i], t);
}

static void post_completed(const struct task *t)
{
	struct api_event e = {
		.type = API_EV_TASK_COMPLETED,
		.vm_id = t->vm,
		.task = t->id,
		.result = t->result,
		.hresult = t->error,
	};

	api_event_post(&e);
}

void task_complete(struct task *t, uint32_t result, uint32_t error, const char *fmt, ...)
{
	va_list ap;
	const char *name = hresult_name(error);

	if (t->complete)
		return;
	if (t->guest_pending) {
		backend_guestos_cancel(t);
		t->guest_pending = false;
	}
	task_kind_finish(t, result);
	t->complete = true;
	t->cancelable = false;
	t->result = result;
	t->error = error;
	t->completed_ms = backend_now_ms();
	t->completion_seq = ++completion_seq;
	if (result == TASK_SUCCESS)
		t->percent = 100;
	va_start(ap, fmt);
	fmt_vsnprintf(t->error_desc, sizeof(t->error_desc), fmt, ap);
	va_end(ap);
	if (result < TASK_RESULTS)
		result_total[result]++;
	backend_log("root: task %u: %s: %s (0x%08x %s)%s%s\n", t->id, t->description,
		    task_result_name(result), error, name ? name : "?",
		    t->error_desc[0] ? ": " : "", t->error_desc);
	post_completed(t);
	waiters_wake(t);
	evict();
}

uint32_t task_cancel(struct task *t)
{
	uint32_t hr = E_FAIL;

	if (!t->complete && t->cancelable) {
		task_kind_cancel(t);
		task_complete(t, TASK_CANCELLED, S_OK, "cancelled");
		hr = S_OK;
	}
	return hr;
}

static void waiter_gone(struct http_conn *c, void *arg)
{
	struct task_waiter *w = arg;

	if (w->conn == c)
		w->conn = NULL;
}

enum api_disposition task_wait(struct api_ctx *ctx, struct task *t, int64_t wait_ms)
{
	struct task_waiter *w = NULL;
	struct jw jw;

	if (t->complete || wait_ms == 0) {
		if (!task_json(&jw, t))
			return api_reply_error(ctx, 500, E_OUTOFMEMORY, "the task does not fit a response");
		return api_reply_json(ctx, 200, &jw);
	}
	for (uint32_t i = 0; i < API_MAX_DEFERRED && !w; i++)
		if (!waiters[i].conn)
			w = &waiters[i];
	if (!w || !api_defer(ctx, waiter_gone, w)) {
		http_add_header(ctx->conn, "Retry-After: 1");
		return api_reply_error(ctx, 503, VM_E_OUT_OF_RESOURCE, "too many waiting requests");
	}
	w->conn = ctx->conn;
	w->task_id = t->id;
	w->forever = wait_ms < 0;
	w->deadline_ms = wait_ms < 0 ? 0 : backend_now_ms() + (uint64_t)wait_ms;
	return API_DEFERRED;
}

static void task_deadlines(struct task *t, uint64_t now_ms)
{
	if (t->step_ms && now_ms >= t->step_ms) {
		t->step_ms = 0;
		task_kind_step(t);
	}
	if (!t->complete && t->deadline_ms && now_ms >= t->deadline_ms)
		task_complete(t, TASK_TIMEOUT, VM_E_TIMED_OUT, "no result within %u s",
			      (unsigned)((t->deadline_ms - t->created_ms) / 1000u));
}

void task_poll(uint64_t now_ms)
{
	for (uint32_t i = 0; i < TASK_SLOTS; i++)
		if (tasks[i].used && !tasks[i].complete)
			task_deadlines(&tasks[i], now_ms);
	for (uint32_t i = 0; i < API_MAX_DEFERRED; i++) {
		struct task_waiter *w = &waiters[i];
		const struct task *t;

		if (!w->conn || w->forever || now_ms < w->deadline_ms)
			continue;
		/* Waited-on tasks are running, so never evicted; the check is for safety. */
		t = task_find(w->task_id);
		if (t)
			waiter_answer(w, t);
		else
			api_reply_error_conn(w->conn, 404, E_INVALIDARG, "the task is gone");
		w->conn = NULL;
	}
}

void task_stats(struct api_task_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < TASK_SLOTS; i++) {
		if (!tasks[i].used)
			continue;
		if (tasks[i].complete)
			out->completed++;
		else
			out->running++;
	}
	for (uint32_t r = 0; r < TASK_RESULTS; r++)
		out->results_total[r] = result_total[r];
}

static void write_output(struct jw *w, const struct task *t)
{
	jw_key(w, "output");
	jw_obj_begin(w);
	jw_key(w, "exitStatus");
	jw_int(w, t->exit_status);
	jw_key(w, "output");
	jw_strn(w, t->output, t->output_len);
	jw_key(w, "truncated");
	jw_bool(w, t->truncated);
	jw_key(w, "timedOut");
	jw_bool(w, t->killed);
	jw_obj_end(w);
}

void task_write_json(struct jw *w, const struct task *t, unsigned flags)
{
	bool full = !(flags & TASK_JSON_COMPACT);

	jw_obj_begin(w);
	jw_key(w, "ID");
	jw_uint(w, t->id);
	if (full) {
		jw_key(w, "Description");
		jw_str(w, t->description);
	}
	jw_key(w, "vm");
	jw_str(w, t->vm_name);
	if (full) {
		jw_key(w, "kind");
		jw_str(w, task_kind_name(t->kind));
	}
	jw_key(w, "IsComplete");
	jw_bool(w, t->complete);
	jw_key(w, "PercentCompleted");
	jw_uint(w, t->percent);
	jw_key(w, "Result");
	jw_str_or_null(w, t->complete ? task_result_name(t->result) : NULL);
	jw_key(w, "Error");
	jw_hresult(w, t->error);
	jw_key(w, "ErrorName");
	jw_str_or_null(w, hresult_name(t->error));
	if (full) {
		jw_key(w, "ErrorDescription");
		jw_str(w, t->error_desc);
	}
	jw_key(w, "IsCancelable");
	jw_bool(w, t->cancelable);
	jw_key(w, "createdMs");
	jw_uint(w, t->created_ms);
	jw_key(w, "completedMs");
	jw_uint_or_null(w, t->complete, t->completed_ms);
	if ((flags & TASK_JSON_OUTPUT) && t->complete && t->has_output)
		write_output(w, t);
	jw_obj_end(w);
}
