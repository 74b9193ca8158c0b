/*
 * ivmctl: the operator's command-line client of the management API
 * (docs/ivmctl.md, docs/api.md).  The pieces, each testable on its own:
 * args.c (command line), http.c (requests out, responses in through
 * llhttp), json.c (jsmn underneath), print.c (tables), wait.c (task
 * polling), commands.c (one function per command), net.c (the socket
 * transport), tls.c (HTTPS over it, with OpenSSL) and main.c.  Everything that touches the outside world goes
 * through struct ivm_env, so the unit tests run whole commands against
 * canned HTTP responses.
 */
#ifndef IVMCTL_H
#define IVMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses (ivmctl --help, docs/ivmctl.md). */
enum ivm_exit {
	IVM_EXIT_OK = 0,
	IVM_EXIT_FAILED = 1,     /* the task failed (any Result but the three below) */
	IVM_EXIT_TIMEOUT = 2,    /* the task ended TimeOutError */
	IVM_EXIT_CANCELLED = 3,  /* the task ended Cancelled */
	IVM_EXIT_API = 4,        /* an HTTP/API error (the error line says which) */
	IVM_EXIT_DENIED = 5,     /* 401 or 403: no valid token, or not the right */
	IVM_EXIT_CONNECT = 6,    /* the server could not be reached, or broke off */
	IVM_EXIT_RUNNING = 7,    /* `task ID --wait MS`: still running when the wait ended */
	IVM_EXIT_UNTRUSTED = 8,  /* HTTPS: the server's certificate was refused */
	IVM_EXIT_USAGE = 64,     /* bad command line */
};

enum ivm_verb {
	IVM_VMS, IVM_VM, IVM_START, IVM_TURNOFF, IVM_RESET, IVM_GUESTOS, IVM_SHUTDOWN,
	IVM_RESTART, IVM_LOGOFF, IVM_EXEC, IVM_PARAM_GET, IVM_PARAM_SET, IVM_TASKS,
	IVM_TASK, IVM_CANCEL, IVM_EVENTS,
};

#define IVM_WAIT_FOREVER (-1L)

struct ivm_cmd {
	enum ivm_verb verb;
	const char *host;      /* --host H:P, NULL: from the environment */
	const char *token;     /* --token T, NULL: from the environment or file */
	bool json;             /* print the server's JSON untouched */
	const char *cacert;    /* --cacert FILE: trust the CAs in it (HTTPS) */
	const char *fingerprint; /* --fingerprint SHA256: trust the certificate with it */
	bool insecure;         /* --insecure: trust any certificate (with a warning) */
	const char *cert, *key; /* --cert FILE, --key FILE: a client certificate (mutual TLS) */
	const char *vm;
	const char *name;      /* parameter name */
	const char *value;     /* parameter value */
	char *command;         /* exec: the remaining words joined by spaces (malloc'd) */
	const char *reason;    /* shutdown/restart --reason, NULL: not sent */
	long timeout_s;        /* --timeout S, 0: not sent */
	bool force, wait, follow;
	long wait_ms;          /* task --wait [MS]: IVM_WAIT_FOREVER without MS */
	uint64_t task_id;
};

/* One HTTP response, as llhttp read it. */
struct ivm_response {
	int status;             /* 0 until the status line was read */
	char reason[64];        /* the status line's phrase */
	char *body;             /* NUL-terminated (malloc'd), never NULL after a parse */
	size_t body_len;
	char location[256];
	unsigned retry_after;   /* seconds, 0: none */
	bool complete;          /* the whole message arrived */
};

/*
 * Where requests go: send `request` (a complete HTTP/1.1 message) and read
 * the whole response into *resp.  Returns 0, or -1 with a reason in err
 * when the server cannot be reached or the exchange broke off, or
 * IVM_REFUSED_IDENTITY when the server's TLS certificate was refused.
 */
#define IVM_REFUSED_IDENTITY (-2)
struct ivm_transport {
	int (*exchange)(void *ctx, const char *request, size_t len, struct ivm_response *resp,
			char *err, size_t errlen);
	void *ctx;
};

struct ivm_env {
	struct ivm_transport transport;
	FILE *out, *err;
	bool out_is_tty;            /* draw a progress bar instead of progress lines */
	uint64_t (*now_ms)(void);   /* a monotonic clock */
	void (*sleep_ms)(unsigned ms);
	const char *host_header;    /* "H:P", for the Host header */
	const char *token;          /* NULL or "": no Authorization header */
	bool json;                  /* also print error bodies on out (--json) */
};

/* args.c */
#define IVM_DEFAULT_HOST "https://127.0.0.1:8443"
/* 0: *cmd filled; 1: --help was asked for; -1: error (message in err). */
int ivm_args_parse(int argc, char **argv, struct ivm_cmd *cmd, char *err, size_t errlen);
void ivm_args_free(struct ivm_cmd *cmd);
void ivm_usage(FILE *f);
/*
 * The token: --token, else $IVMCTL_TOKEN, else the first line of
 * HOME/.config/ivmctl/token.  Surrounding blanks and the line end are
 * dropped.  Returns a malloc'd string, or NULL when there is none.
 */
char *ivm_token_resolve(const char *option, const char *env, const char *home);
/*
 * Where --host points: "[https://|http://]H[:P]", H a name, an IPv4
 * address or "[v6]"; no scheme means https; no port means 443 (https) or
 * 80 (http).  False when malformed.
 */
struct ivm_endpoint {
	bool tls;
	char host[256];   /* without brackets */
	char port[8];
};
bool ivm_endpoint_parse(const char *s, struct ivm_endpoint *out);
/* A SHA-256 fingerprint: 64 hexadecimal digits, pairs optionally split by ':'. */
bool ivm_fingerprint_parse(const char *s, unsigned char out[32]);

/* http.c */
struct ivm_http_reader;
struct ivm_http_reader *ivm_http_reader_new(struct ivm_response *resp);
/* Feeds received bytes; -1 on a malformed response.  Stops at the message end. */
int ivm_http_reader_feed(struct ivm_http_reader *r, const char *data, size_t len);
/* The peer closed: a body delimited by the close ends here; -1 if truncated. */
int ivm_http_reader_eof(struct ivm_http_reader *r);
void ivm_http_reader_free(struct ivm_http_reader *r);
/* Parses a whole response held in memory (tests, canned answers). */
int ivm_http_parse(const char *data, size_t len, struct ivm_response *resp);
void ivm_response_free(struct ivm_response *resp);
/* A complete request (malloc'd); body NULL for none. */
char *ivm_http_request(const char *method, const char *host, const char *path,
		       const char *token, const char *body, size_t *len);
/* Appends s percent-encoded (RFC 3986 unreserved characters kept) to a stream. */
void ivm_path_escape(FILE *f, const char *s);

/* commands.c */
/* Runs a parsed command; returns the exit status. */
int ivm_run(const struct ivm_cmd *cmd, const struct ivm_env *env);
/*
 * One API call: method, path and optional JSON body.  Fills *resp (free
 * with ivm_response_free).  Returns IVM_EXIT_OK for a 2xx answer; else
 * prints the error line and returns the exit status it means.
 */
int ivm_call(const struct ivm_env *env, const char *method, const char *path,
	     const char *body, struct ivm_response *resp);

#endif
