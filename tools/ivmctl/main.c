/*
 * ivmctl's entry: the command line, then where to connect and with which
 * token (options, environment, ~/.config/ivmctl/token), then the command
 * over the socket transport.  docs/ivmctl.md.
 */
#include "ivmctl.h"
#include "net.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A token goes into a header: printable ASCII without blanks only. */
static bool token_ok(const char *t)
{
	for (; *t != '\0'; t++) {
		if (*t <= ' ' || *t > '~')
			return false;
	}
	return true;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ivmctl: %s\n", msg);
	return IVM_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct ivm_cmd cmd;
	char err[256], host[256], port[8];
	const char *hostport;
	struct ivm_net net = { host, port };
	struct ivm_env env = { .transport = { ivm_net_exchange, &net }, .out = stdout,
			       .err = stderr, .now_ms = monotonic_ms, .sleep_ms = sleep_ms };
	char *token;
	int rc = ivm_args_parse(argc, argv, &cmd, err, sizeof(err));

	if (rc == 1) {
		ivm_usage(stdout);
		return IVM_EXIT_OK;
	}
	if (rc != 0)
		return usage_error(err);
	hostport = cmd.host != NULL ? cmd.host : getenv("IVMCTL_HOST");
	hostport = hostport != NULL && hostport[0] != '\0' ? hostport : IVM_DEFAULT_HOST;
	if (!ivm_host_split(hostport, host, sizeof(host), port, sizeof(port))) {
		ivm_args_free(&cmd);
		return usage_error("--host must be HOST:PORT (a bare IPv6 address in brackets)");
	}
	token = ivm_token_resolve(cmd.token, getenv("IVMCTL_TOKEN"), getenv("HOME"));
	if (token != NULL && !token_ok(token)) {
		free(token);
		ivm_args_free(&cmd);
		return usage_error("the token holds blanks or control characters");
	}
	env.out_is_tty = isatty(STDOUT_FILENO);
	env.host_header = hostport;
	env.token = token;
	env.json = cmd.json;
	rc = ivm_run(&cmd, &env);
	if (rc == IVM_EXIT_DENIED && token == NULL)
		fprintf(stderr, "ivmctl: no token given (--token, $IVMCTL_TOKEN or "
				"~/.config/ivmctl/token)\n");
	free(token);
	ivm_args_free(&cmd);
	return rc;
}
