/*
 * The task engine's interface (mgmt/task/task.h) without an engine, for
 * host tests of the management API that leave the engine out (the
 * router's and the resources' tests): no task is ever created, found or
 * counted, so the task routes refuse and the metrics count nothing.
 */
#include <stdio.h>
#include <string.h>

#include <task/task.h>

void task_init(void)
{
}

uint32_t task_create(const struct task_req *rq, struct task **out, char *why, size_t why_len)
{
	(void)rq;
	(void)out;
	snprintf(why, why_len, "no task engine in this build");
	return E_FAIL;
}

struct task *task_find(uint32_t id)
{
	(void)id;
	return NULL;
}

uint32_t task_list(struct task **out, uint32_t max)
{
	(void)out;
	(void)max;
	return 0;
}

uint32_t task_cancel(struct task *t)
{
	(void)t;
	return E_FAIL;
}

void task_on_complete(task_done_fn fn)
{
	(void)fn;
}

void task_poll(uint64_t now_ms)
{
	(void)now_ms;
}

void task_stats(struct task_stats *out)
{
	memset(out, 0, sizeof(*out));
}

const char *task_kind_name(enum task_kind kind)
{
	(void)kind;
	return "?";
}
