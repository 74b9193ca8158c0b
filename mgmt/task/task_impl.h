/*
 * Between the task table (task.c) and the task kinds (task_kinds.c): the
 * table owns life and death of a task, the kinds own what each milestone
 * means.  Not for other components: they use task.h.
 */
#ifndef MGMT_TASK_IMPL_H
#define MGMT_TASK_IMPL_H

#include "task.h"

#include <common/notify.h>

/* Ends t: result, HRESULT, description (printf-style); answers waiters, posts the event. */
void task_complete(struct task *t, uint32_t result, uint32_t error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Progress only goes forward. */
void task_progress(struct task *t, uint32_t percent);

/* Kind hooks (task_kinds.c). */
uint32_t task_kind_begin(struct task *t, const struct task_req *rq, char *why, size_t why_len);
void task_kind_notify(struct task *t, const struct notify *n);
/* A step deadline (t->step_ms) has passed. */
void task_kind_step(struct task *t);
/* Cancel of a cancelable task: undo what can be undone. */
void task_kind_cancel(struct task *t);
/* t is completing with result (any result, cancel included): last clean-up. */
void task_kind_finish(struct task *t, uint32_t result);

#endif
