/*
 * The management API's side of the task engine (task.h): the task routes
 * (api_tasks.c), the TASK object as JSON, and WaitForCompletion
 * (api_task_wait.c), whose waiters are answered when the engine reports
 * a task complete or their wait ends.  The engine itself knows nothing
 * of HTTP or JSON.
 */
#ifndef MGMT_API_TASKS_H
#define MGMT_API_TASKS_H

#include <stdint.h>

#include "api.h"
#include "json_write.h"

#include <task/task.h>

#define TASK_WAIT_MAX_MS 4000000    /* WaitForCompletion bound; -1 = forever */

/*
 * The TASK object {"ID":..,...}.  TASK_JSON_COMMAND adds an execute task's
 * command, TASK_JSON_OUTPUT the output of one whose command ran (both only
 * for a caller holding the execute right on the task's VM: see
 * api_task_detail); TASK_JSON_COMPACT leaves out Description, kind, command
 * and ErrorDescription (the list's fallback when the full form would not
 * fit one response).
 */
#define TASK_JSON_OUTPUT 0x1u
#define TASK_JSON_COMPACT 0x2u
#define TASK_JSON_COMMAND 0x4u
void api_write_task(struct jw *w, const struct task *t, unsigned flags);
/*
 * TASK_JSON_COMMAND | TASK_JSON_OUTPUT when token holds the execute right
 * on t's VM, else 0: what a command ran and printed is the execute
 * right's to see, not the read right's (docs/api.md).
 */
unsigned api_task_detail(const struct hv_mgmt_token *token, const struct task *t);

/*
 * WaitForCompletion (GET /api/v1/tasks/{id}?wait=MS): answers ctx with
 * t (200) at once when t is complete or wait_ms is 0, else defers and
 * answers when t completes or wait_ms (-1: never) has passed.  If the
 * client goes away first its waiter is forgotten.
 */
enum api_disposition api_task_wait(struct api_ctx *ctx, struct task *t, int64_t wait_ms);

/*
 * Creates the task rq asks for on behalf of ctx's caller and audits it
 * ("<kind> <vm> <detail> task N", or "refused NAME"): S_OK and *out, or
 * the refusal's HRESULT with why (task_create).  Both faces of the API
 * start every task here.
 */
uint32_t api_task_start(struct api_ctx *ctx, const struct task_req *rq, const char *detail,
			struct task **out, char *why, size_t why_len);
/*
 * The task whose id is the decimal text s, if ctx's caller may read its
 * VM; NULL otherwise.  *bad_id when s is not a task id (1 to 2^32-1).
 */
struct task *api_task_lookup(const struct api_ctx *ctx, const char *s, bool *bad_id);
/*
 * Cancel() for ctx's caller, audited: E_ACCESSDENIED without the right
 * that created t (control; execute for execute and install-additions)
 * on its VM, E_FAIL when t is not cancelable, else S_OK.
 */
uint32_t api_task_cancel(struct api_ctx *ctx, struct task *t);

/*
 * Empties the task table (task_init) and the waiters, and has the engine
 * report completions to the API (the events log, waiters); from api_init.
 */
void api_tasks_init(void);
/* The engine's deadlines (task_poll), then the waits that are over; from api_poll. */
void api_tasks_poll(uint64_t now_ms);

#endif
