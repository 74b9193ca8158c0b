/*
 * libFuzzer target for ivmctl's answer handling: the input's first byte
 * picks a command, the rest is the HTTP answer the server gives to each of
 * its requests (at most eight, then the connection fails).  Whatever the
 * bytes, ivmctl must end with one of its documented exit statuses without
 * touching memory out of bounds (llhttp, jsmn, our JSON walking, tables,
 * task waits and exec output all run on them).
 */
#include "ivmctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct canned {
	const char *answer;
	size_t len;
	int exchanges;
	uint64_t clock;
};

static int canned_exchange(void *ctx, const char *request, size_t len, struct ivm_response *resp,
			   char *err, size_t errlen)
{
	struct canned *c = ctx;

	(void)request, (void)len;
	*resp = (struct ivm_response){ 0 };
	c->clock += 1000;
	if (++c->exchanges > 8 || ivm_http_parse(c->answer, c->len, resp) != 0) {
		snprintf(err, errlen, "no answer");
		return -1;
	}
	return 0;
}

static struct canned *current;

static uint64_t canned_now(void)
{
	return current->clock;
}

static void no_sleep(unsigned ms)
{
	(void)ms;
}

static const char *const commands[][8] = {
	{ "vms" }, { "tasks" }, { "guestos", "g" }, { "vm", "g" }, { "task", "7" },
	{ "task", "7", "--wait", "5000" }, { "shutdown", "g", "--wait" },
	{ "exec", "g", "x", "--wait" }, { "events", "--follow" }, { "param", "get", "g", "n" },
	{ "param", "set", "g", "n", "v" }, { "cancel", "7" }, { "restart", "g" },
	{ "--json", "exec", "g", "x", "--wait" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canned c = { 0 };
	char *out = NULL, *errs = NULL, *argv[10] = { "ivmctl" }, msg[256];
	size_t out_size, err_size;
	struct ivm_cmd cmd;
	struct ivm_env env;
	int argc = 1, rc;

	if (size < 1)
		return 0;
	for (const char *const *w = commands[data[0] % (sizeof(commands) / sizeof(commands[0]))];
	     *w != NULL; w++)
		argv[argc++] = (char *)*w;
	c.answer = (const char *)data + 1;
	c.len = size - 1;
	current = &c;
	env = (struct ivm_env){ .transport = { canned_exchange, &c },
				.out = open_memstream(&out, &out_size),
				.err = open_memstream(&errs, &err_size), .out_is_tty = data[0] & 0x80,
				.now_ms = canned_now, .sleep_ms = no_sleep, .host_header = "h:1",
				.token = "t" };
	if (ivm_args_parse(argc, argv, &cmd, msg, sizeof(msg)) != 0)
		abort(); /* the table above is valid */
	env.json = cmd.json;
	rc = ivm_run(&cmd, &env);
	ivm_args_free(&cmd);
	fclose(env.out);
	fclose(env.err);
	free(out);
	free(errs);
	if (rc < 0 || rc > 255)
		abort();
	return 0;
}
