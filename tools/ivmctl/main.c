/*
 * ivmctl's entry: the command line, then where to connect, how to trust
 * an HTTPS server and with which token (options, environment,
 * ~/.config/ivmctl/token), then the command over the socket transport.
 * docs/ivmctl.md.
 */
#include "ivmctl.h"
#include "net.h"
#include "tls.h"

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

/* An option, else its environment variable, else NULL. */
static const char *option_or_env(const char *option, const char *name)
{
	const char *v = option ? option : getenv(name);

	return v && v[0] ? v : NULL;
}

/* HTTPS: whom to trust (options, then $IVMCTL_*); NULL with a message on stderr. */
static struct ivm_tls *tls_setup(const struct ivm_cmd *cmd)
{
	static unsigned char pin[32];
	const char *fingerprint = option_or_env(cmd->fingerprint, "IVMCTL_FINGERPRINT");
	struct ivm_tls_options o = {
		.cacert = option_or_env(cmd->cacert, "IVMCTL_CACERT"),
		.insecure = cmd->insecure,
		.cert = option_or_env(cmd->cert, "IVMCTL_CERT"),
		.key = option_or_env(cmd->key, "IVMCTL_KEY"),
	};
	char err[256];
	struct ivm_tls *t;

	if (fingerprint && !ivm_fingerprint_parse(fingerprint, pin)) {
		fprintf(stderr, "ivmctl: --fingerprint must be a SHA-256 fingerprint: 64 hexadecimal "
				"digits, pairs optionally split by ':'\n");
		return NULL;
	}
	o.fingerprint = fingerprint ? pin : NULL;
	if (o.insecure)
		fprintf(stderr, "ivmctl: warning: --insecure: the server's certificate is not "
				"checked; anyone on the way can pose as the server and take the token\n");
	t = ivm_tls_new(&o, err, sizeof(err));
	if (!t)
		fprintf(stderr, "ivmctl: %s\n", err);
	return t;
}

int main(int argc, char **argv)
{
	struct ivm_cmd cmd;
	struct ivm_endpoint ep;
	char err[256], host_header[300];
	const char *hostport;
	struct ivm_net net = { ep.host, ep.port, NULL };
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
	if (!ivm_endpoint_parse(hostport, &ep)) {
		ivm_args_free(&cmd);
		return usage_error("--host must be [https://]HOST[:PORT] or http://HOST[:PORT] "
				   "(a bare IPv6 address in brackets)");
	}
	if (ep.tls && !(net.tls = tls_setup(&cmd))) {
		ivm_args_free(&cmd);
		return IVM_EXIT_USAGE;
	}
	token = ivm_token_resolve(cmd.token, getenv("IVMCTL_TOKEN"), getenv("HOME"));
	if (token != NULL && !token_ok(token)) {
		free(token);
		ivm_args_free(&cmd);
		return usage_error("the token holds blanks or control characters");
	}
	env.out_is_tty = isatty(STDOUT_FILENO);
	snprintf(host_header, sizeof(host_header), strchr(ep.host, ':') ? "[%s]:%s" : "%s:%s",
		 ep.host, ep.port);
	env.host_header = host_header;
	env.token = token;
	env.json = cmd.json;
	rc = ivm_run(&cmd, &env);
	if (rc == IVM_EXIT_DENIED && token == NULL)
		fprintf(stderr, "ivmctl: no token given (--token, $IVMCTL_TOKEN or "
				"~/.config/ivmctl/token)\n");
	free(token);
	ivm_tls_free(net.tls);
	ivm_args_free(&cmd);
	return rc;
}
