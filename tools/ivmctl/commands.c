/*
 * ivmctl's commands: each builds its request (path with percent-encoded
 * names, JSON body), makes the call and prints the answer, as a table or
 * key-value lines, or with --json exactly as the server sent it.  Task
 * commands hand over to wait.c with --wait.
 */
#include "ivmctl.h"

#include "json.h"
#include "print.h"
#include "wait.h"

#include <stdlib.h>
#include <string.h>

#define RETRIES_503 3

int ivm_call(const struct ivm_env *env, const char *method, const char *path,
	     const char *body, struct ivm_response *resp)
{
	char errbuf[256];
	size_t len;
	char *req = ivm_http_request(method, env->host_header, path, env->token, body, &len);
	int rc = IVM_EXIT_OK;

	*resp = (struct ivm_response){ 0 };
	if (req == NULL) {
		fprintf(env->err, "ivmctl: out of memory\n");
		return IVM_EXIT_FAILED;
	}
	for (int attempt = 0;; attempt++) {
		int x = env->transport.exchange(env->transport.ctx, req, len, resp, errbuf,
						sizeof(errbuf));

		if (x != 0) {
			fprintf(env->err, "ivmctl: %s: %s\n", env->host_header, errbuf);
			rc = x == IVM_REFUSED_IDENTITY ? IVM_EXIT_UNTRUSTED : IVM_EXIT_CONNECT;
			break;
		}
		/* Busy (too many waiting requests): the server says when to come back. */
		if (resp->status != 503 || resp->retry_after == 0 || attempt == RETRIES_503)
			break;
		env->sleep_ms(resp->retry_after * 1000u);
		ivm_response_free(resp);
	}
	if (rc == IVM_EXIT_OK && (resp->status < 200 || resp->status > 299)) {
		/* Scripts get the error body too; people get the line on stderr. */
		if (env->json && resp->body_len > 0)
			fprintf(env->out, "%s\n", resp->body);
		ivm_print_api_error(env->err, resp);
		rc = resp->status == 401 || resp->status == 403 ? IVM_EXIT_DENIED : IVM_EXIT_API;
	}
	free(req);
	return rc;
}

/* The exit status of a call that got no usable answer (its line is printed). */
static bool call_failed(int rc)
{
	return rc == IVM_EXIT_API || rc == IVM_EXIT_DENIED || rc == IVM_EXIT_CONNECT ||
	       rc == IVM_EXIT_UNTRUSTED;
}

/* Prints an answer body as it came (--json), with one line end. */
static void print_raw(const struct ivm_env *env, const struct ivm_response *resp)
{
	fwrite(resp->body, 1, resp->body_len, env->out);
	if (resp->body_len == 0 || resp->body[resp->body_len - 1] != '\n')
		fputc('\n', env->out);
}

static int unreadable(const struct ivm_env *env)
{
	fprintf(env->err, "ivmctl: the server's answer is not what the API describes\n");
	return IVM_EXIT_API;
}

/* GET path and print the answer with show (or raw with --json). */
static int get_and_show(const struct ivm_env *env, const struct ivm_cmd *cmd, const char *path,
			int (*show)(FILE *f, const struct ivm_json *j))
{
	struct ivm_response resp;
	struct ivm_json j;
	int rc = ivm_call(env, "GET", path, NULL, &resp);

	if (rc == IVM_EXIT_OK && cmd->json) {
		print_raw(env, &resp);
	} else if (rc == IVM_EXIT_OK) {
		if (ivm_json_parse(&j, resp.body, resp.body_len) != 0 || show(env->out, &j) != 0)
			rc = unreadable(env);
		ivm_json_free(&j);
	}
	ivm_response_free(&resp);
	return rc;
}

static int show_root_object(FILE *f, const struct ivm_json *j)
{
	return ivm_print_object(f, j, 0);
}

/* "/api/v1/vms/<vm><suffix>" with the name percent-encoded (malloc'd). */
static char *vm_path(const char *vm, const char *suffix, const char *name)
{
	char *buf = NULL;
	size_t size;
	FILE *f = open_memstream(&buf, &size);

	if (f == NULL)
		return NULL;
	fputs("/api/v1/vms/", f);
	ivm_path_escape(f, vm);
	fputs(suffix, f);
	if (name != NULL)
		ivm_path_escape(f, name);
	fclose(f);
	return buf;
}

/* exec --wait: the command's output, then its exit status as ours. */
static int exec_result(const struct ivm_env *env, const struct ivm_json *j)
{
	int output = ivm_json_key(j, 0, "output");
	char *text = ivm_json_get_text(j, output, "output", "");
	long long status = 0;

	if (ivm_json_type(j, output) != IVM_JSON_OBJECT ||
	    !ivm_json_int(j, ivm_json_key(j, output, "exitStatus"), &status)) {
		free(text);
		return unreadable(env);
	}
	/* A guest's output may hold anything: on a terminal, keep only line structure. */
	for (char *c = text; env->out_is_tty && c != NULL && *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t')
			*c = '?';
	}
	fputs(text != NULL ? text : "", env->out);
	free(text);
	return status < 0 || status > 255 ? 255 : (int)status;
}

/* After the final answer of a waited task: print it, and decide the status. */
static int show_final(const struct ivm_env *env, const struct ivm_cmd *cmd,
		      const struct ivm_response *final, int rc)
{
	struct ivm_json j;

	if (cmd->json) {
		print_raw(env, final);
		if (rc == IVM_EXIT_OK && cmd->verb == IVM_EXEC &&
		    ivm_json_parse(&j, final->body, final->body_len) == 0) {
			long long status = 0;

			ivm_json_int(&j, ivm_json_key(&j, ivm_json_key(&j, 0, "output"), "exitStatus"),
				     &status);
			rc = status < 0 || status > 255 ? 255 : (int)status;
			ivm_json_free(&j);
		}
		return rc;
	}
	if (ivm_json_parse(&j, final->body, final->body_len) != 0)
		return unreadable(env);
	if (rc == IVM_EXIT_OK && cmd->verb == IVM_EXEC)
		rc = exec_result(env, &j);
	else
		ivm_print_task_line(rc == IVM_EXIT_OK ? env->out : env->err, &j, 0);
	ivm_json_free(&j);
	return rc;
}

/* A 202 with a task: show it, or follow it with --wait. */
static int task_created(const struct ivm_env *env, const struct ivm_cmd *cmd,
			const struct ivm_response *resp)
{
	struct ivm_response final;
	struct ivm_json j;
	long long id = 0;
	int rc;

	if (ivm_json_parse(&j, resp->body, resp->body_len) != 0 ||
	    !ivm_json_int(&j, ivm_json_key(&j, 0, "ID"), &id) || id <= 0) {
		ivm_json_free(&j);
		return unreadable(env);
	}
	if (!cmd->wait) {
		if (cmd->json) {
			print_raw(env, resp);
		} else {
			ivm_print_task_line(env->out, &j, 0);
			fprintf(env->out, "(follow it with: ivmctl task %lld --wait)\n", id);
		}
		ivm_json_free(&j);
		return IVM_EXIT_OK;
	}
	ivm_json_free(&j);
	rc = ivm_task_wait(env, cmd, (uint64_t)id, IVM_WAIT_FOREVER, &final);
	if (!call_failed(rc))
		rc = show_final(env, cmd, &final, rc);
	ivm_response_free(&final);
	return rc;
}

/* POST that creates a task. */
static int post_task(const struct ivm_env *env, const struct ivm_cmd *cmd, const char *path,
		     const char *body)
{
	struct ivm_response resp;
	int rc = ivm_call(env, "POST", path, body, &resp);

	if (rc == IVM_EXIT_OK)
		rc = task_created(env, cmd, &resp);
	ivm_response_free(&resp);
	return rc;
}

/* Appends `"key":value` to a body under construction. */
static void member(FILE *f, bool *first, const char *key, const char *json_value)
{
	fprintf(f, "%s\"%s\":%s", *first ? "" : ",", key, json_value);
	*first = false;
}

/* The body of shutdown, restart, logoff and exec (malloc'd; NULL: none). */
static char *guest_body(const struct ivm_cmd *cmd)
{
	char *buf = NULL, *q, num[24];
	size_t size;
	bool first = true;
	FILE *f;

	if (cmd->verb == IVM_LOGOFF && !cmd->force)
		return NULL;
	f = open_memstream(&buf, &size);
	if (f == NULL)
		return NULL;
	fputc('{', f);
	if (cmd->force)
		member(f, &first, "forced", "true");
	if (cmd->reason != NULL && (q = ivm_json_quote(cmd->reason)) != NULL) {
		member(f, &first, "reason", q);
		free(q);
	}
	if (cmd->timeout_s > 0) {
		snprintf(num, sizeof(num), "%ld", cmd->timeout_s);
		member(f, &first, "timeoutSeconds", num);
	}
	if (cmd->command != NULL && (q = ivm_json_quote(cmd->command)) != NULL) {
		member(f, &first, "command", q);
		free(q);
	}
	fputc('}', f);
	fclose(f);
	return buf;
}

static int cmd_guest_action(const struct ivm_env *env, const struct ivm_cmd *cmd)
{
	static const char *const suffix[] = {
		[IVM_SHUTDOWN] = "/guestos/shutdown", [IVM_RESTART] = "/guestos/restart",
		[IVM_LOGOFF] = "/guestos/logoff", [IVM_EXEC] = "/guestos/execute",
		[IVM_START] = "/start", [IVM_TURNOFF] = "/turnoff", [IVM_RESET] = "/reset",
	};
	bool has_body = cmd->verb != IVM_START && cmd->verb != IVM_TURNOFF && cmd->verb != IVM_RESET;
	char *path = vm_path(cmd->vm, suffix[cmd->verb], NULL);
	char *body = has_body ? guest_body(cmd) : NULL;
	int rc = path != NULL ? post_task(env, cmd, path, body) : IVM_EXIT_FAILED;

	free(path);
	free(body);
	return rc;
}

static int cmd_param(const struct ivm_env *env, const struct ivm_cmd *cmd)
{
	char *path = vm_path(cmd->vm, "/guestos/parameters/", cmd->name);
	char *q = cmd->value != NULL ? ivm_json_quote(cmd->value) : NULL;
	char *body = q != NULL ? malloc(strlen(q) + 16) : NULL;
	struct ivm_response resp = { 0 };
	struct ivm_json j = { 0 };
	int rc = IVM_EXIT_FAILED;

	if (body != NULL)
		sprintf(body, "{\"value\":%s}", q);
	if (path != NULL && (cmd->verb == IVM_PARAM_GET || body != NULL))
		rc = ivm_call(env, cmd->verb == IVM_PARAM_GET ? "GET" : "PUT", path, body, &resp);
	if (rc == IVM_EXIT_OK && cmd->json) {
		print_raw(env, &resp);
	} else if (rc == IVM_EXIT_OK) {
		char *value = NULL;

		if (ivm_json_parse(&j, resp.body, resp.body_len) != 0 ||
		    (value = ivm_json_text(&j, ivm_json_key(&j, 0, "value"))) == NULL) {
			rc = unreadable(env);
		} else {
			if (cmd->verb == IVM_PARAM_SET) {
				ivm_print_safe(env->out, cmd->name);
				fputs(" = ", env->out);
			}
			ivm_print_safe(env->out, value);
			fputc('\n', env->out);
		}
		free(value);
	}
	ivm_json_free(&j);
	ivm_response_free(&resp);
	free(path);
	free(q);
	free(body);
	return rc;
}

static int cmd_task(const struct ivm_env *env, const struct ivm_cmd *cmd)
{
	struct ivm_response final;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/api/v1/tasks/%llu", (unsigned long long)cmd->task_id);
	if (!cmd->wait)
		return get_and_show(env, cmd, path, show_root_object);
	rc = ivm_task_wait(env, cmd, cmd->task_id, cmd->wait_ms, &final);
	if (!call_failed(rc)) {
		int shown = show_final(env, cmd, &final, rc == IVM_EXIT_RUNNING ? IVM_EXIT_OK : rc);

		rc = rc == IVM_EXIT_RUNNING && shown == IVM_EXIT_OK ? IVM_EXIT_RUNNING : shown;
	}
	ivm_response_free(&final);
	return rc;
}

static int cmd_cancel(const struct ivm_env *env, const struct ivm_cmd *cmd)
{
	struct ivm_response resp;
	struct ivm_json j;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/api/v1/tasks/%llu/cancel", (unsigned long long)cmd->task_id);
	rc = ivm_call(env, "POST", path, NULL, &resp);
	if (rc == IVM_EXIT_OK && cmd->json) {
		print_raw(env, &resp);
	} else if (rc == IVM_EXIT_OK) {
		if (ivm_json_parse(&j, resp.body, resp.body_len) != 0)
			rc = unreadable(env);
		else
			ivm_print_task_line(env->out, &j, 0);
		ivm_json_free(&j);
	}
	ivm_response_free(&resp);
	return rc;
}

/* The event log; --follow long-polls from the last `next` until an error. */
static int cmd_events(const struct ivm_env *env, const struct ivm_cmd *cmd)
{
	long long since = 0;
	int rc;

	do {
		struct ivm_response resp;
		struct ivm_json j;
		char path[96];
		long long next = since;

		snprintf(path, sizeof(path), "/api/v1/events?since=%lld&wait=%d", since,
			 cmd->follow ? 25000 : 0);
		rc = ivm_call(env, "GET", path, NULL, &resp);
		if (rc == IVM_EXIT_OK && ivm_json_parse(&j, resp.body, resp.body_len) == 0) {
			if (cmd->json)
				print_raw(env, &resp);
			else if (ivm_print_events(env->out, env->err, &j, &next) != 0)
				rc = unreadable(env);
			if (cmd->json && !ivm_json_int(&j, ivm_json_key(&j, 0, "next"), &next))
				rc = unreadable(env);
			ivm_json_free(&j);
		} else if (rc == IVM_EXIT_OK) {
			rc = unreadable(env);
		}
		fflush(env->out);
		ivm_response_free(&resp);
		since = next;
	} while (cmd->follow && rc == IVM_EXIT_OK);
	return rc;
}

int ivm_run(const struct ivm_cmd *cmd, const struct ivm_env *env)
{
	char *path = NULL;
	int rc;

	switch (cmd->verb) {
	case IVM_VMS:
		return get_and_show(env, cmd, "/api/v1/vms", ivm_print_vms);
	case IVM_TASKS:
		return get_and_show(env, cmd, "/api/v1/tasks", ivm_print_tasks);
	case IVM_VM:
	case IVM_GUESTOS:
		path = vm_path(cmd->vm, cmd->verb == IVM_VM ? "" : "/guestos", NULL);
		rc = path != NULL ? get_and_show(env, cmd, path, show_root_object) : IVM_EXIT_FAILED;
		free(path);
		return rc;
	case IVM_PARAM_GET:
	case IVM_PARAM_SET:
		return cmd_param(env, cmd);
	case IVM_TASK:
		return cmd_task(env, cmd);
	case IVM_CANCEL:
		return cmd_cancel(env, cmd);
	case IVM_EVENTS:
		return cmd_events(env, cmd);
	default:
		return cmd_guest_action(env, cmd);
	}
}
