/*
 * The IVMTask engine (docs/tasks.md): every asynchronous action on a VM
 * (start, turn off, reset, guest shutdown, restart, logoff, execute,
 * install additions) is a task whose progress follows real milestones
 * reported by hv (NOTIFY_STATE) and the guest (guestos answers,
 * NOTIFY_ADDITIONS, NOTIFY_FACTS), never a timer.  The management API
 * serves it over HTTP (api_tasks.h); the engine knows nothing of HTTP.
 *
 * The table keeps every running task and the last TASK_HISTORY completed
 * ones (the oldest completed is evicted first).  Ids increase from 1 and
 * are never reused.  Everything runs in the root's single thread: route
 * handlers, notify listeners and task_poll never overlap.
 */
#ifndef MGMT_TASK_H
#define MGMT_TASK_H

#include <hv/hypercall.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bus/guestos.h>
#include <common/hresult.h>

#define TASK_HISTORY 64u            /* completed tasks kept */
#define TASK_MAX_RUNNING 16u        /* more at once: VM_E_OUT_OF_RESOURCE */
#define TASK_SLOTS (TASK_HISTORY + TASK_MAX_RUNNING)
#define TASK_RESULTS 10u            /* enum task_result values */
#define TASK_DESC_LEN 96u           /* Description, ErrorDescription */
#define TASK_COMMAND_LEN 1024u      /* an execute task's command, bytes */

#define TASK_POWER_TIMEOUT_MS 60000u     /* start / turnoff / reset */
#define TASK_FORCE_AFTER_MS 5000u        /* forced shutdown/restart: guest silent this long */
#define TASK_BUS_LOST_GRACE_MS 5000u     /* guest request lost with the bus: wait for hv */
#define TASK_ADDITIONS_TIMEOUT_MS 120000u
#define TASK_SHUTDOWN_DEFAULT_S 300u
#define TASK_SHUTDOWN_MAX_S 3600u

enum task_kind {
	TASK_KIND_START,
	TASK_KIND_TURNOFF,
	TASK_KIND_RESET,
	TASK_KIND_SHUTDOWN,
	TASK_KIND_RESTART,
	TASK_KIND_LOGOFF,
	TASK_KIND_EXECUTE,
	TASK_KIND_INSTALL_ADDITIONS,
};

/* Where a task stands; which ones a kind uses is in task_kinds.c. */
enum task_phase {
	TASK_PH_REQUESTED,      /* hv call made or guest asked; waiting */
	TASK_PH_TRANSITION,     /* hv reported the first change (Starting, Stopping) */
	TASK_PH_ACCEPTED,       /* the guest accepted; waiting for hv */
	TASK_PH_FORCING,        /* the root turned the partition off / reset it itself */
	TASK_PH_RESET_SEEN,     /* restart / reset: hv reported the reset */
	TASK_PH_BUS_LOST,       /* the guest request died with the bus; hv has the last word */
	TASK_PH_ATTACHED,       /* install additions: media attached */
	TASK_PH_READY,          /* install additions: the additions are up */
};

struct task {
	bool used;
	uint32_t id;
	enum task_kind kind;
	enum task_phase phase;
	uint32_t vm;                        /* partition id */
	char vm_name[HV_NAME_LEN];
	char description[TASK_DESC_LEN];
	uint32_t percent;
	bool complete;
	bool cancelable;
	bool forced;
	bool guest_pending;                 /* a guestos request made with this task as ctx */
	uint32_t result;                    /* enum task_result, when complete */
	uint32_t error;                     /* HRESULT */
	char error_desc[TASK_DESC_LEN];
	uint64_t created_ms, completed_ms;
	uint64_t deadline_ms;               /* the whole task */
	uint64_t step_ms;                   /* forced escalation / bus-lost grace; 0: none */
	uint64_t completion_seq;            /* order of completion, for eviction */
	char command[TASK_COMMAND_LEN + 1]; /* execute: the command ("" for other kinds) */
	bool has_output;                    /* execute: the guest ran the command (output below) */
	bool truncated, killed;             /* execute: output cut; killed at the guest's time limit */
	int32_t exit_status;
	uint32_t output_len;
	char output[GUESTOS_OUTPUT + 1];
};

/* What a route asks for. */
struct task_req {
	enum task_kind kind;
	uint32_t vm;
	const char *vm_name;
	bool forced;                        /* shutdown, restart, logoff */
	const char *text;                   /* execute: command; shutdown/restart: reason */
	uint32_t timeout_s;                 /* shutdown, restart: 1-3600 */
};

/*
 * Empties the table and listens to notify (once).  Optional: the first
 * task_create does it too (nothing needs hv's reports before a task).
 */
void task_init(void);

/*
 * Creates and starts a task.  S_OK: *out is the task (maybe already
 * complete, e.g. ERROR_SHUTDOWN_IN_PROGRESS).  Otherwise a refusal at
 * call time (no task): VM_E_VM_UNKNOWN, VM_E_VM_NOT_RUNNING,
 * VM_E_VM_RUNNING, VM_E_ADDITIONS_FEATURE_NOT_AVAIL, E_INVALIDARG,
 * VM_E_OUT_OF_RESOURCE, E_FAIL; why says it in words.
 */
uint32_t task_create(const struct task_req *rq, struct task **out, char *why, size_t why_len);

struct task *task_find(uint32_t id);
/* The kept tasks in id order (at most max, TASK_SLOTS is enough); returns how many. */
uint32_t task_list(struct task **out, uint32_t max);

/* Cancel(): S_OK and the task is Cancelled, or E_FAIL if it is not cancelable. */
uint32_t task_cancel(struct task *t);

/*
 * Who hears of completions (the API: its events log and WaitForCompletion
 * waiters): fn runs once for each task that completes, after its result
 * is set, before the history may evict it.  One listener; a later call
 * replaces it.
 */
typedef void (*task_done_fn)(const struct task *t);
void task_on_complete(task_done_fn fn);

/* Deadlines: timeouts and forced escalation.  Called from root_poll (through api_poll). */
void task_poll(uint64_t now_ms);

/* For GET /metrics: running tasks, completed ones kept, completions since start by result. */
struct task_stats {
	uint32_t running;
	uint32_t completed;                 /* kept in the history */
	uint64_t results_total[TASK_RESULTS];   /* by enum task_result */
};
void task_stats(struct task_stats *out);

const char *task_kind_name(enum task_kind kind);

#endif
