/*
 * ivmctl's human output: tables of VMs and tasks, key-value listings of
 * one object, event lines, API error lines.  Text that came from the
 * server (much of it reported by guests) is printed with control
 * characters replaced, so a guest cannot drive the operator's terminal.
 */
#include "print.h"

#include <stdlib.h>
#include <string.h>

void ivm_print_safe(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

/* A member printed safely, "-" when absent or null. */
static void print_field(FILE *f, const struct ivm_json *j, int obj, const char *key)
{
	char *text = ivm_json_get_text(j, obj, key, "-");

	ivm_print_safe(f, text != NULL ? text : "-");
	free(text);
}

/* Text padded to width, then one space (tables). */
static void print_cell_text(FILE *f, const char *text, int width)
{
	int len = text != NULL ? (int)strlen(text) : 1;

	ivm_print_safe(f, text != NULL ? text : "-");
	fprintf(f, "%*s", width > len ? width - len + 1 : 1, "");
}

static void print_cell(FILE *f, const struct ivm_json *j, int obj, const char *key, int width)
{
	char *text = ivm_json_get_text(j, obj, key, "-");

	print_cell_text(f, text, width);
	free(text);
}

int ivm_print_vms(FILE *f, const struct ivm_json *j)
{
	int vms = ivm_json_key(j, 0, "vms");

	if (ivm_json_type(j, vms) != IVM_JSON_ARRAY)
		return -1;
	fprintf(f, "%-20s %-3s %-6s %-9s %-7s %-4s %s\n", "NAME", "ID", "ROLE", "STATE", "MEMORY",
		"VPS", "CAUSE");
	for (int n = 0; n < ivm_json_count(j, vms); n++) {
		int vm = ivm_json_elem(j, vms, n);
		long long mib;
		char mem[32] = "-";

		print_cell(f, j, vm, "name", 20);
		print_cell(f, j, vm, "id", 3);
		print_cell(f, j, vm, "role", 6);
		print_cell(f, j, vm, "state", 9);
		if (ivm_json_int(j, ivm_json_key(j, vm, "memoryMiB"), &mib))
			snprintf(mem, sizeof(mem), "%lldM", mib);
		print_cell_text(f, mem, 7);
		print_cell(f, j, vm, "vpCount", 4);
		print_field(f, j, vm, "stateCause");
		fputc('\n', f);
	}
	return 0;
}

int ivm_print_object(FILE *f, const struct ivm_json *j, int obj)
{
	int width = 0, key;

	if (ivm_json_type(j, obj) != IVM_JSON_OBJECT)
		return -1;
	for (int n = 0; n < ivm_json_count(j, obj); n++) {
		if (ivm_json_member(j, obj, n, &key) >= 0) {
			char *name = ivm_json_text(j, key);
			int len = name != NULL ? (int)strlen(name) : 0;

			width = len > width ? len : width;
			free(name);
		}
	}
	for (int n = 0; n < ivm_json_count(j, obj); n++) {
		int value = ivm_json_member(j, obj, n, &key);
		char *name = ivm_json_text(j, key);
		char *text = ivm_json_type(j, value) == IVM_JSON_NULL ? NULL : ivm_json_text(j, value);

		if (name == NULL || value < 0) {
			free(name);
			free(text);
			continue;
		}
		ivm_print_safe(f, name);
		fprintf(f, ":%*s", (int)(width - strlen(name) + 1), "");
		/* Nested objects (a task's output) print as their JSON text. */
		if (ivm_json_type(j, value) == IVM_JSON_OBJECT || ivm_json_type(j, value) == IVM_JSON_ARRAY)
			fputs("(see --json)", f);
		else
			ivm_print_safe(f, text != NULL ? text : "-");
		fputc('\n', f);
		free(name);
		free(text);
	}
	return 0;
}

/* "Running 40%", or the Result once complete. */
static char *task_state(const struct ivm_json *j, int task)
{
	bool complete = false;
	long long pct = 0;
	char *out;

	ivm_json_bool(j, ivm_json_key(j, task, "IsComplete"), &complete);
	if (complete)
		return ivm_json_get_text(j, task, "Result", "?");
	ivm_json_int(j, ivm_json_key(j, task, "PercentCompleted"), &pct);
	out = malloc(32);
	if (out != NULL)
		snprintf(out, 32, "Running %lld%%", pct);
	return out;
}

void ivm_print_task_line(FILE *f, const struct ivm_json *j, int task)
{
	char *state = task_state(j, task);
	char *error = ivm_json_get_text(j, task, "ErrorName", "");
	char *code = ivm_json_get_text(j, task, "Error", "");

	fputs("task ", f);
	print_field(f, j, task, "ID");
	fputs(": ", f);
	print_field(f, j, task, "Description");
	fputs(": ", f);
	ivm_print_safe(f, state != NULL ? state : "?");
	if (code != NULL && strcmp(code, "0x00000000") != 0 && code[0] != '\0') {
		fputs(" ", f);
		if (error != NULL && error[0] != '\0') {
			ivm_print_safe(f, error);
			fputs(" (", f);
			ivm_print_safe(f, code);
			fputs(")", f);
		} else {
			ivm_print_safe(f, code);
		}
		fputs(": ", f);
		print_field(f, j, task, "ErrorDescription");
	}
	fputc('\n', f);
	free(state);
	free(error);
	free(code);
}

int ivm_print_tasks(FILE *f, const struct ivm_json *j)
{
	int tasks = ivm_json_key(j, 0, "tasks");

	if (ivm_json_type(j, tasks) != IVM_JSON_ARRAY)
		return -1;
	fprintf(f, "%-5s %-20s %-16s %-28s %s\n", "ID", "VM", "STATE", "ERROR", "DESCRIPTION");
	for (int n = 0; n < ivm_json_count(j, tasks); n++) {
		int task = ivm_json_elem(j, tasks, n);
		char *state = task_state(j, task);
		char *error = ivm_json_get_text(j, task, "ErrorName", "-");
		char *code = ivm_json_get_text(j, task, "Error", "-");

		print_cell(f, j, task, "ID", 5);
		print_cell(f, j, task, "vm", 20);
		ivm_print_safe(f, state != NULL ? state : "?");
		fprintf(f, "%*s", state != NULL && strlen(state) < 16 ? (int)(17 - strlen(state)) : 1, "");
		/* S_OK says nothing; a failure shows its name, or the code without one. */
		if (code != NULL && strcmp(code, "0x00000000") == 0)
			print_cell_text(f, "-", 28);
		else
			print_cell_text(f, error != NULL && strcmp(error, "-") != 0 ? error : code, 28);
		print_field(f, j, task, "Description");
		fputc('\n', f);
		free(state);
		free(error);
		free(code);
	}
	return 0;
}

static bool field_is(const struct ivm_json *j, int obj, const char *key, const char *value)
{
	char *text = ivm_json_get_text(j, obj, key, "");
	bool same = text != NULL && strcmp(text, value) == 0;

	free(text);
	return same;
}

/* One event: "12 123.456s testos1 stateChanged Off (guest poweroff)". */
static void print_event(FILE *f, const struct ivm_json *j, int ev)
{
	char *type = ivm_json_get_text(j, ev, "type", "?");
	long long ms = 0;

	ivm_json_int(j, ivm_json_key(j, ev, "timeMs"), &ms);
	print_cell(f, j, ev, "seq", 5);
	fprintf(f, "%9lld.%03llds ", ms / 1000, ms % 1000);
	print_cell(f, j, ev, "vm", 16);
	ivm_print_safe(f, type != NULL ? type : "?");
	if (type != NULL && strcmp(type, "stateChanged") == 0) {
		fputc(' ', f);
		print_field(f, j, ev, "state");
		fputs(" (", f);
		print_field(f, j, ev, "cause");
		fputc(')', f);
	} else if (type != NULL && strcmp(type, "taskCompleted") == 0) {
		fputs(" task ", f);
		print_field(f, j, ev, "task");
		fputc(' ', f);
		print_field(f, j, ev, "result");
		if (!field_is(j, ev, "result", "Success")) {
			fputc(' ', f);
			print_field(f, j, ev, "errorName");
		}
	}
	fputc('\n', f);
	free(type);
}

int ivm_print_events(FILE *f, FILE *err, const struct ivm_json *j, long long *next)
{
	int events = ivm_json_key(j, 0, "events");
	long long missed = 0;

	if (ivm_json_type(j, events) != IVM_JSON_ARRAY ||
	    !ivm_json_int(j, ivm_json_key(j, 0, "next"), next))
		return -1;
	if (ivm_json_int(j, ivm_json_key(j, 0, "missed"), &missed) && missed > 0)
		fprintf(err, "ivmctl: %lld events were missed (the server keeps the last 256)\n",
			missed);
	for (int n = 0; n < ivm_json_count(j, events); n++)
		print_event(f, j, ivm_json_elem(j, events, n));
	return 0;
}

void ivm_print_api_error(FILE *f, const struct ivm_response *resp)
{
	struct ivm_json j;
	int e;

	if (ivm_json_parse(&j, resp->body, resp->body_len) == 0 &&
	    ivm_json_type(&j, e = ivm_json_key(&j, 0, "error")) == IVM_JSON_OBJECT) {
		char *name = ivm_json_get_text(&j, e, "name", "");
		char *code = ivm_json_get_text(&j, e, "hresult", "?");

		fputs("ivmctl: ", f);
		if (name != NULL && name[0] != '\0') {
			ivm_print_safe(f, name);
			fputs(" (", f);
			ivm_print_safe(f, code != NULL ? code : "?");
			fputs(")", f);
		} else {
			ivm_print_safe(f, code != NULL ? code : "?");
		}
		fputs(": ", f);
		print_field(f, &j, e, "message");
		fputc('\n', f);
		free(name);
		free(code);
	} else {
		fprintf(f, "ivmctl: HTTP %d ", resp->status);
		ivm_print_safe(f, resp->reason);
		fputc('\n', f);
	}
	ivm_json_free(&j);
}
