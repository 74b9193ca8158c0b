/*
 * Following a task to its end (wait.c).
 */
#ifndef IVMCTL_WAIT_H
#define IVMCTL_WAIT_H

#include "ivmctl.h"
#include "json.h"

/* The exit status a complete task's Result means (0, 1, 2 or 3). */
int ivm_task_exit(const struct ivm_json *j, int task);

/*
 * Polls task id until it completes or limit_ms (IVM_WAIT_FOREVER: no
 * limit) has passed, showing progress unless --json.  *final holds the
 * last answer (free it with ivm_response_free; its body is NULL-free only
 * after a successful call).  Returns the task's exit status,
 * IVM_EXIT_RUNNING when the limit came first, or the error's status.
 */
int ivm_task_wait(const struct ivm_env *env, const struct ivm_cmd *cmd, uint64_t id,
		  long limit_ms, struct ivm_response *final);

#endif
