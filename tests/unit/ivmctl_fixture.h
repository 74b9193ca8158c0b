/*
 * What the ivmctl unit tests (test_ivmctl.c against canned answers,
 * test_ivmctl_api.c against the real server code) share: ivmctl's
 * environment with stdout and stderr captured in memory, running a command
 * line through ivm_args_parse and ivm_run, and a substring check.  Include
 * it once, after cmocka.h.
 */
#ifndef TESTS_UNIT_IVMCTL_FIXTURE_H
#define TESTS_UNIT_IVMCTL_FIXTURE_H

#include "ivmctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *out_buf, *err_buf;
static size_t out_size, err_size;
static FILE *out_f, *err_f;
static struct ivm_env env;

/* A fresh environment on `transport`; output goes to out_buf and err_buf. */
static inline void ivm_fixture_open(struct ivm_transport transport, uint64_t (*now_ms)(void),
				    void (*sleep_ms)(unsigned), const char *token)
{
	out_f = open_memstream(&out_buf, &out_size);
	err_f = open_memstream(&err_buf, &err_size);
	env = (struct ivm_env){ .transport = transport, .out = out_f, .err = err_f,
				.now_ms = now_ms, .sleep_ms = sleep_ms,
				.host_header = "127.0.0.1:8080", .token = token };
}

static inline void ivm_fixture_close(void)
{
	fclose(out_f);
	fclose(err_f);
	free(out_buf);
	free(err_buf);
}

/* Runs the NULL-terminated words after "ivmctl"; ivmctl's exit status. */
static inline int run(const char *const *words)
{
	char *argv[32] = { "ivmctl" }, err[256];
	struct ivm_cmd cmd;
	int argc = 1, rc;

	for (; words[argc - 1] != NULL; argc++)
		argv[argc] = (char *)words[argc - 1];
	if (ivm_args_parse(argc, argv, &cmd, err, sizeof(err)) != 0)
		fail_msg("args refused: %s", err);
	env.json = cmd.json;
	rc = ivm_run(&cmd, &env);
	ivm_args_free(&cmd);
	fflush(out_f);
	fflush(err_f);
	return rc;
}

#define RUN(...) run((const char *const[]){ __VA_ARGS__, NULL })

static inline void expect_in(const char *haystack, const char *needle)
{
	if (haystack == NULL || strstr(haystack, needle) == NULL)
		fail_msg("'%s' lacks '%s'", haystack ? haystack : "(null)", needle);
}

#endif
