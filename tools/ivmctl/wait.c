/*
 * --wait: follows a task with GET /api/v1/tasks/{id}?wait=1000 (the
 * server holds each poll up to a second, so this is not a busy loop)
 * until it completes, drawing PercentCompleted as a bar when stdout is a
 * terminal, or as a line per change on stderr otherwise.  The task's Result decides the exit
 * status.
 */
#include "wait.h"

#include "print.h"

#include <stdlib.h>
#include <string.h>

#define POLL_MS 1000L
#define BAR_WIDTH 30

int ivm_task_exit(const struct ivm_json *j, int task)
{
	char *result = ivm_json_get_text(j, task, "Result", "");
	int rc = IVM_EXIT_FAILED;

	if (result != NULL && strcmp(result, "Success") == 0)
		rc = IVM_EXIT_OK;
	else if (result != NULL && strcmp(result, "TimeOutError") == 0)
		rc = IVM_EXIT_TIMEOUT;
	else if (result != NULL && strcmp(result, "Cancelled") == 0)
		rc = IVM_EXIT_CANCELLED;
	free(result);
	return rc;
}

struct progress {
	uint64_t id;
	long long last;   /* last percentage shown, -1: none yet */
	bool drawn;       /* a bar is on the terminal's current line */
};

static void progress_show(const struct ivm_env *env, const struct ivm_cmd *cmd,
			  struct progress *p, const struct ivm_json *j)
{
	long long pct = 0;
	char *what;
	int filled;

	if (cmd->json)
		return;
	ivm_json_int(j, ivm_json_key(j, 0, "PercentCompleted"), &pct);
	pct = pct < 0 ? 0 : pct > 100 ? 100 : pct;
	if (!env->out_is_tty && pct == p->last)
		return;
	what = ivm_json_get_text(j, 0, "Description", "");
	if (env->out_is_tty) {
		filled = (int)(pct * BAR_WIDTH / 100);
		fprintf(env->out, "\r[%.*s%*s] %3lld%% ", filled,
			"##############################", BAR_WIDTH - filled, "", pct);
		ivm_print_safe(env->out, what != NULL ? what : "");
		p->drawn = true;
	} else {
		/* Lines go to stderr: stdout keeps only the result, for scripts. */
		fprintf(env->err, "task %llu: %lld%% ", (unsigned long long)p->id, pct);
		ivm_print_safe(env->err, what != NULL ? what : "");
		fputc('\n', env->err);
	}
	fflush(p->drawn ? env->out : env->err);
	p->last = pct;
	free(what);
}

/* Ends the bar's line so what follows starts on its own. */
static void progress_end(const struct ivm_env *env, struct progress *p)
{
	if (p->drawn)
		fputc('\n', env->out);
	p->drawn = false;
}

int ivm_task_wait(const struct ivm_env *env, const struct ivm_cmd *cmd, uint64_t id,
		  long limit_ms, struct ivm_response *final)
{
	struct progress p = { .id = id, .last = -1 };
	uint64_t start = env->now_ms();
	int rc;

	for (;;) {
		uint64_t elapsed = env->now_ms() - start, before = env->now_ms();
		long wait = POLL_MS;
		struct ivm_json j;
		bool complete = false;
		char path[96];

		if (limit_ms >= 0)
			wait = limit_ms - (long)elapsed < POLL_MS ? limit_ms - (long)elapsed : POLL_MS;
		wait = wait < 0 ? 0 : wait;
		snprintf(path, sizeof(path), "/api/v1/tasks/%llu?wait=%ld", (unsigned long long)id, wait);
		rc = ivm_call(env, "GET", path, NULL, final);
		if (rc != IVM_EXIT_OK)
			break;
		if (ivm_json_parse(&j, final->body, final->body_len) != 0) {
			fprintf(env->err, "ivmctl: the server's task answer is not JSON\n");
			rc = IVM_EXIT_API;
			break;
		}
		progress_show(env, cmd, &p, &j);
		ivm_json_bool(&j, ivm_json_key(&j, 0, "IsComplete"), &complete);
		rc = complete ? ivm_task_exit(&j, 0) : IVM_EXIT_RUNNING;
		ivm_json_free(&j);
		if (complete || (limit_ms >= 0 && env->now_ms() - start >= (uint64_t)limit_ms))
			break;
		/* A server that answers at once without completing must not spin us. */
		if (env->now_ms() - before < 100)
			env->sleep_ms(500);
		ivm_response_free(final);
	}
	progress_end(env, &p);
	return rc;
}
