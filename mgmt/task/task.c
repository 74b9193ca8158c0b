/*
 * The task table (docs/tasks.md): ids, the history of completed tasks,
 * completion (counters, the completion report), Cancel and deadlines.
 * What each kind's milestones mean is in task_kinds.c; what a task looks
 * like over HTTP is the API's (mgmt/api/api_tasks.c).
 */
#include "task.h"
#include "task_impl.h"

#include <backend/backend.h>

#include <lib/format.h>
#include <lib/string.h>
#include <stdarg.h>

static struct task tasks[TASK_SLOTS];
static uint32_t next_id = 1;
static uint64_t completion_seq;
static uint64_t result_total[TASK_RESULTS];
static bool listening;
static task_done_fn done_report;

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
	if (rq->kind == TASK_KIND_EXECUTE && rq->text)
		fmt_snprintf(t->command, sizeof(t->command), "%s", rq->text);
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
	if (done_report)
		done_report(t);
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
}

void task_on_complete(task_done_fn fn)
{
	done_report = fn;
}

void task_stats(struct task_stats *out)
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
