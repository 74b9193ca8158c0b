/*
 * WaitForCompletion (api_tasks.h): requests kept until their task
 * completes or their wait ends, and what the API does when the task
 * engine reports a completion: a taskCompleted event in the events log,
 * then the answers to the task's waiters.
 */
#include "api_tasks.h"
#include "api_events.h"

#include <backend/backend.h>

#include <lib/string.h>

struct task_waiter {
	struct http_conn *conn;     /* NULL: slot free */
	uint32_t task_id;
	bool forever;
	unsigned detail;            /* api_task_detail of the waiting caller */
	uint64_t deadline_ms;
};

static struct task_waiter waiters[API_MAX_DEFERRED];
static char json_buf[HTTP_MAX_RESPONSE];

/* t as JSON in json_buf; false (and 500 is due) if it does not fit. */
static bool task_json(struct jw *jw, const struct task *t, unsigned detail)
{
	jw_init(jw, json_buf, sizeof(json_buf));
	api_write_task(jw, t, detail);
	return !jw->overflow;
}

/* Answers w's client with t and frees the waiter slot. */
static void waiter_answer(struct task_waiter *w, const struct task *t)
{
	struct jw jw;
	struct http_conn *c = w->conn;

	w->conn = NULL;
	if (task_json(&jw, t, w->detail))
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

/* The engine's completion report (task_on_complete). */
static void task_completed(const struct task *t)
{
	post_completed(t);
	waiters_wake(t);
}

static void waiter_gone(struct http_conn *c, void *arg)
{
	struct task_waiter *w = arg;

	if (w->conn == c)
		w->conn = NULL;
}

enum api_disposition api_task_wait(struct api_ctx *ctx, struct task *t, int64_t wait_ms)
{
	struct task_waiter *w = NULL;
	struct jw jw;

	if (t->complete || wait_ms == 0) {
		if (!task_json(&jw, t, api_task_detail(ctx->token, t)))
			return api_reply_error(ctx, 500, E_OUTOFMEMORY, "the task does not fit a response");
		return api_reply_json(ctx, 200, &jw);
	}
	for (uint32_t i = 0; i < API_MAX_DEFERRED && !w; i++)
		if (!waiters[i].conn)
			w = &waiters[i];
	if (!w || !api_defer(ctx, waiter_gone, w))
		return api_reply_defer_refused(ctx);
	w->conn = ctx->conn;
	w->task_id = t->id;
	w->forever = wait_ms < 0;
	w->detail = api_task_detail(ctx->token, t);
	w->deadline_ms = wait_ms < 0 ? 0 : backend_now_ms() + (uint64_t)wait_ms;
	return API_DEFERRED;
}

void api_tasks_init(void)
{
	memset(waiters, 0, sizeof(waiters));
	task_init();
	task_on_complete(task_completed);
}

void api_tasks_poll(uint64_t now_ms)
{
	task_poll(now_ms);
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
