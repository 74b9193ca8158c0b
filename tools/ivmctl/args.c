/*
 * ivmctl's command line: global options anywhere (--host, --token,
 * --json, --help, and HTTPS's --cacert, --fingerprint, --insecure,
 * --cert, --key), a command with its words, and the command's own
 * options, checked against what that command takes.  Also where the
 * host and token come from when the options do not say.
 */
#include "ivmctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Command options, as bits of what a command accepts. */
#define OPT_FORCE 0x01u
#define OPT_REASON 0x02u
#define OPT_TIMEOUT 0x04u
#define OPT_WAIT 0x08u
#define OPT_WAIT_MS 0x10u  /* --wait takes an optional MS */
#define OPT_FOLLOW 0x20u

struct verb_def {
	const char *word;     /* "param get" is "param" then "get" */
	const char *sub;
	enum ivm_verb verb;
	int words;            /* positional words after the command: VM, NAME, ... */
	bool rest;            /* exec: every further word is the command */
	uint32_t options;
};

static const struct verb_def verbs[] = {
	{ "vms", NULL, IVM_VMS, 0, false, 0 },
	{ "vm", NULL, IVM_VM, 1, false, 0 },
	{ "start", NULL, IVM_START, 1, false, OPT_WAIT },
	{ "turnoff", NULL, IVM_TURNOFF, 1, false, OPT_WAIT },
	{ "reset", NULL, IVM_RESET, 1, false, OPT_WAIT },
	{ "guestos", NULL, IVM_GUESTOS, 1, false, 0 },
	{ "shutdown", NULL, IVM_SHUTDOWN, 1, false, OPT_FORCE | OPT_REASON | OPT_TIMEOUT | OPT_WAIT },
	{ "restart", NULL, IVM_RESTART, 1, false, OPT_FORCE | OPT_REASON | OPT_TIMEOUT | OPT_WAIT },
	{ "logoff", NULL, IVM_LOGOFF, 1, false, OPT_FORCE | OPT_WAIT },
	{ "exec", NULL, IVM_EXEC, 1, true, OPT_WAIT },
	{ "param", "get", IVM_PARAM_GET, 2, false, 0 },
	{ "param", "set", IVM_PARAM_SET, 3, false, 0 },
	{ "tasks", NULL, IVM_TASKS, 0, false, 0 },
	{ "task", NULL, IVM_TASK, 1, false, OPT_WAIT | OPT_WAIT_MS },
	{ "cancel", NULL, IVM_CANCEL, 1, false, 0 },
	{ "events", NULL, IVM_EVENTS, 0, false, OPT_FOLLOW },
};

void ivm_usage(FILE *f)
{
	fputs("usage: ivmctl [--host [https://]H[:P]] [--token T] [--json] [TLS options] COMMAND ...\n"
	      "\n"
	      "commands:\n"
	      "  vms                          list the VMs the token may read\n"
	      "  vm VM                        one VM\n"
	      "  start|turnoff|reset VM [--wait]\n"
	      "  guestos VM                   what the guest's integration services report\n"
	      "  shutdown VM [--force] [--reason R] [--timeout S] [--wait]\n"
	      "  restart VM [--force] [--reason R] [--timeout S] [--wait]\n"
	      "  logoff VM [--force] [--wait]\n"
	      "  exec VM CMD... [--wait]      run a command in the guest (words joined by spaces)\n"
	      "  param get VM NAME\n"
	      "  param set VM NAME VALUE\n"
	      "  tasks                        the task list\n"
	      "  task ID [--wait [MS]]        one task; --wait: until complete (or MS ms)\n"
	      "  cancel ID\n"
	      "  events [--follow]            the event log; --follow: keep reading\n"
	      "\n"
	      "options:\n"
	      "  --host URL   server: [https://]H[:P] (port 443), or http://H[:P] (port 80)\n"
	      "               (default $IVMCTL_HOST, else " IVM_DEFAULT_HOST ")\n"
	      "  --token T    bearer token (default $IVMCTL_TOKEN, else the first line\n"
	      "               of ~/.config/ivmctl/token)\n"
	      "  --json       print the server's JSON as it came (for scripts)\n"
	      "  --wait       on commands that start a task: follow it to its end, with a\n"
	      "               progress bar on a terminal; exec then prints the command's\n"
	      "               output and exits with its status\n"
	      "\n"
	      "HTTPS (the server's certificate is checked against the system's CAs and\n"
	      "the host name unless one of these says otherwise):\n"
	      "  --cacert FILE       trust the CA certificates in FILE (default $IVMCTL_CACERT)\n"
	      "  --fingerprint SHA256  trust only the certificate with this SHA-256\n"
	      "                      fingerprint, AB:CD:... (default $IVMCTL_FINGERPRINT)\n"
	      "  --insecure          trust any certificate: anyone on the way can read the token\n"
	      "  --cert FILE, --key FILE  a client certificate and its key (mutual TLS;\n"
	      "                      default $IVMCTL_CERT, $IVMCTL_KEY)\n"
	      "\n"
	      "exit status:\n"
	      "  0  success (with --wait: the task's Result is Success)\n"
	      "  1  the task failed (any other Result)\n"
	      "  2  the task ended TimeOutError\n"
	      "  3  the task was Cancelled\n"
	      "  4  HTTP/API error, printed as 'ivmctl: NAME (HRESULT): message'\n"
	      "  5  401 or 403: no valid token, or the token lacks the right\n"
	      "  6  the server could not be reached or broke off\n"
	      "  7  task ID --wait MS: the task was still running when MS ran out\n"
	      "  8  HTTPS: the server's certificate was refused (not trusted, wrong name,\n"
	      "     or not the --fingerprint given)\n"
	      "  64 bad command line\n"
	      "  exec VM CMD --wait: the command's exit status once the task succeeded\n",
	      f);
}

static int arg_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int arg_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool parse_ulong(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

struct parse_state {
	const char *words[8];
	int nwords;
	char **rest;          /* exec: words after VM */
	int nrest;
	uint32_t seen;        /* OPT_* given */
	const char *wait_arg; /* task --wait MS */
};

static bool in_exec_command(const struct parse_state *st)
{
	return st->nwords >= 2 && strcmp(st->words[0], "exec") == 0;
}

/* A command option (the verb checks later whether it takes it). */
static int take_command_option(const char *a, const char *next, int *i, struct ivm_cmd *cmd,
			       struct parse_state *st, char *err, size_t errlen)
{
	static const struct { const char *name; uint32_t bit; } opts[] = {
		{ "--force", OPT_FORCE }, { "--reason", OPT_REASON }, { "--timeout", OPT_TIMEOUT },
		{ "--wait", OPT_WAIT }, { "--follow", OPT_FOLLOW },
	};
	unsigned long long n;

	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		if (strcmp(a, opts[k].name) != 0)
			continue;
		st->seen |= opts[k].bit;
		if (opts[k].bit == OPT_WAIT) {
			/* Only `task` takes --wait MS; elsewhere a number is a word. */
			if (next != NULL && isdigit((unsigned char)next[0]) && st->nwords > 0 &&
			    strcmp(st->words[0], "task") == 0)
				st->wait_arg = next, (*i)++;
			return 1;
		}
		if (opts[k].bit != OPT_REASON && opts[k].bit != OPT_TIMEOUT)
			return 1;
		if (next == NULL)
			return arg_error(err, errlen, "%s needs a value", a);
		(*i)++;
		if (opts[k].bit == OPT_REASON) {
			cmd->reason = next;
		} else if (!parse_ulong(next, 3600, &n) || n == 0) {
			return arg_error(err, errlen, "--timeout must be 1-3600 seconds");
		} else {
			cmd->timeout_s = (long)n;
		}
		return 1;
	}
	return 0;
}

/* Where a global option that takes a value keeps it; NULL for any other word. */
static const char **global_value(const char *a, struct ivm_cmd *cmd)
{
	const struct { const char *name; const char **field; } opts[] = {
		{ "--host", &cmd->host }, { "--token", &cmd->token }, { "--cacert", &cmd->cacert },
		{ "--fingerprint", &cmd->fingerprint }, { "--cert", &cmd->cert },
		{ "--key", &cmd->key },
	};

	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		if (strcmp(a, opts[k].name) == 0)
			return opts[k].field;
	}
	return NULL;
}

/*
 * The option at argv[*i]: 1 if consumed, 0 if it is a word, -1 on error.
 * Once exec has its VM, only ivmctl's global options and --wait are
 * options: every other word, dashes or not, belongs to the command.
 */
static int take_option(int argc, char **argv, int *i, struct ivm_cmd *cmd,
		       struct parse_state *st, char *err, size_t errlen)
{
	const char *a = argv[*i];
	const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
	int rc;

	const char **value = global_value(a, cmd);

	if (strcmp(a, "--json") == 0 || strcmp(a, "--insecure") == 0) {
		*(a[2] == 'j' ? &cmd->json : &cmd->insecure) = true;
		return 1;
	}
	if (value != NULL) {
		if (next == NULL)
			return arg_error(err, errlen, "%s needs a value", a);
		*value = next;
		(*i)++;
		return 1;
	}
	if (in_exec_command(st) && strcmp(a, "--wait") != 0)
		return 0;
	rc = take_command_option(a, next, i, cmd, st, err, errlen);
	if (rc == 0 && a[0] == '-' && a[1] == '-' && a[2] != '\0')
		return arg_error(err, errlen, "unknown option %s", a);
	return rc;
}

static const struct verb_def *find_verb(const struct parse_state *st, int *used)
{
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++) {
		const struct verb_def *v = &verbs[k];

		if (st->nwords == 0 || strcmp(st->words[0], v->word) != 0)
			continue;
		if (v->sub == NULL) {
			*used = 1;
			return v;
		}
		if (st->nwords > 1 && strcmp(st->words[1], v->sub) == 0) {
			*used = 2;
			return v;
		}
	}
	return NULL;
}

/* exec's command: its words joined by single spaces. */
static char *join(char **words, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s != NULL && i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

/* Positional words into the command's fields, options checked against the verb. */
static int apply_verb(const struct verb_def *v, int used, struct parse_state *st,
		      struct ivm_cmd *cmd, char *err, size_t errlen)
{
	const char **w = st->words + used;
	int have = st->nwords - used;
	unsigned long long n;

	if (have < v->words || (!v->rest && have > v->words) || (v->rest && st->nrest == 0))
		return arg_error(err, errlen, "wrong number of arguments for '%s%s%s' (see --help)",
				 v->word, v->sub ? " " : "", v->sub ? v->sub : "");
	if ((st->seen & ~v->options) != 0)
		return arg_error(err, errlen, "an option given is not one '%s' takes (see --help)",
				 v->word);
	cmd->verb = v->verb;
	cmd->force = st->seen & OPT_FORCE;
	cmd->wait = st->seen & OPT_WAIT;
	cmd->follow = st->seen & OPT_FOLLOW;
	if (v->verb == IVM_TASK || v->verb == IVM_CANCEL) {
		if (!parse_ulong(w[0], UINT64_MAX, &n) || n == 0)
			return arg_error(err, errlen, "task ID must be a positive number, not '%s'", w[0]);
		cmd->task_id = n;
		if (st->wait_arg && !parse_ulong(st->wait_arg, 4000000, &n))
			return arg_error(err, errlen, "--wait MS must be 0-4000000");
		cmd->wait_ms = st->wait_arg ? (long)n : IVM_WAIT_FOREVER;
		return 0;
	}
	cmd->vm = have > 0 ? w[0] : NULL;
	cmd->name = have > 1 ? w[1] : NULL;
	cmd->value = have > 2 ? w[2] : NULL;
	if (v->rest && (cmd->command = join(st->rest, st->nrest)) == NULL)
		return arg_error(err, errlen, "out of memory");
	return 0;
}

int ivm_args_parse(int argc, char **argv, struct ivm_cmd *cmd, char *err, size_t errlen)
{
	struct parse_state st = { 0 };
	const struct verb_def *v;
	bool options_done = false;
	int used = 0, rc;

	*cmd = (struct ivm_cmd){ .wait_ms = IVM_WAIT_FOREVER };
	st.rest = calloc((size_t)argc + 1, sizeof(char *));
	if (st.rest == NULL)
		return arg_error(err, errlen, "out of memory");
	for (int i = 1; i < argc; i++) {
		bool word = options_done;

		if (!word && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			free(st.rest);
			return 1;
		}
		if (!word && strcmp(argv[i], "--") == 0) {
			options_done = true;
			continue;
		}
		rc = word ? 0 : take_option(argc, argv, &i, cmd, &st, err, errlen);
		if (rc < 0) {
			free(st.rest);
			return -1;
		}
		if (rc > 0)
			continue;
		if (in_exec_command(&st)) {
			st.rest[st.nrest++] = argv[i];
		} else if (st.nwords < (int)(sizeof(st.words) / sizeof(st.words[0]))) {
			st.words[st.nwords++] = argv[i];
		} else {
			free(st.rest);
			return arg_error(err, errlen, "too many arguments");
		}
	}
	v = find_verb(&st, &used);
	if (v == NULL)
		rc = st.nwords == 0 ? arg_error(err, errlen, "no command (see --help)") :
		     arg_error(err, errlen, "unknown command '%s' (see --help)", st.words[0]);
	else
		rc = apply_verb(v, used, &st, cmd, err, errlen);
	free(st.rest);
	return rc;
}

void ivm_args_free(struct ivm_cmd *cmd)
{
	free(cmd->command);
	cmd->command = NULL;
}

/* The token without surrounding blanks; NULL if that leaves nothing. */
static char *trimmed(const char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strcspn(s, "\r\n");
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len > 0 ? strndup(s, len) : NULL;
}

char *ivm_token_resolve(const char *option, const char *env, const char *home)
{
	char path[4096], line[1024];
	FILE *f;
	char *token = NULL;

	if (option != NULL)
		return trimmed(option);
	if (env != NULL && env[0] != '\0')
		return trimmed(env);
	if (home == NULL ||
	    snprintf(path, sizeof(path), "%s/.config/ivmctl/token", home) >= (int)sizeof(path))
		return NULL;
	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL)
		token = trimmed(line);
	fclose(f);
	return token;
}

/* "H:P", "H" (default_port) or "[v6]:P" into ep's host and port; false when malformed. */
static bool host_split(const char *hostport, unsigned default_port, struct ivm_endpoint *ep)
{
	const char *colon, *end;
	unsigned long long p = default_port;
	size_t len;

	if (hostport[0] == '[') {
		end = strchr(hostport, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return false;
		colon = end[1] == ':' ? end + 1 : NULL;
		hostport++;
	} else {
		colon = strrchr(hostport, ':');
		end = colon != NULL ? colon : hostport + strlen(hostport);
		if (colon != NULL && strchr(hostport, ':') != colon)
			return false; /* a bare IPv6 address needs brackets */
	}
	len = (size_t)(end - hostport);
	if (len == 0 || len >= sizeof(ep->host))
		return false;
	memcpy(ep->host, hostport, len);
	ep->host[len] = '\0';
	if (colon != NULL && !parse_ulong(colon + 1, 65535, &p))
		return false;
	if (p == 0)
		return false;
	snprintf(ep->port, sizeof(ep->port), "%u", (unsigned)p);   /* at most 65535 */
	return true;
}

bool ivm_endpoint_parse(const char *s, struct ivm_endpoint *out)
{
	*out = (struct ivm_endpoint){ .tls = true };
	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7, out->tls = false;
	else if (strstr(s, "://") != NULL)
		return false;   /* another scheme */
	return host_split(s, out->tls ? 443 : 80, out);
}

bool ivm_fingerprint_parse(const char *s, unsigned char out[32])
{
	size_t n = 0;

	while (*s != '\0' && n < 32) {
		char pair[3] = { s[0], s[0] ? s[1] : '\0', '\0' };
		char *end;

		if (!isxdigit((unsigned char)pair[0]) || !isxdigit((unsigned char)pair[1]))
			return false;
		out[n++] = (unsigned char)strtoul(pair, &end, 16);
		s += 2;
		if (*s == ':' && s[1] != '\0')
			s++;
	}
	return n == 32 && *s == '\0';
}
