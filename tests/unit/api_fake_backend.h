/*
 * A test double of mgmt/backend/backend.h for host tests (unit tests, the
 * API fuzz target, the task engine's tests): partitions, guest facts,
 * tokens and time are plain data the test sets; guestos requests are
 * recorded and completed when the test says so; start/stop/reset are
 * recorded and move the fake partition's state when the fake accepts them.
 * A second double (fake_http_*) records what the API answers; it is
 * linked only where http/'s real server is not.
 */
#ifndef API_FAKE_BACKEND_H
#define API_FAKE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <backend/backend.h>
#include <http/http.h>

#define FAKE_MAX_REQUESTS 32u

struct fake_vm {
	bool present;
	struct backend_vm vm;
	bool has_facts;             /* a guest: backend_guestos_facts answers */
	struct guestos_facts facts;
	bool has_exits;
	uint64_t exits[HV_EXIT_COUNTERS];
};

struct fake_request {
	bool pending;               /* recorded, not completed or cancelled */
	uint32_t id;
	struct guestos_args args;
	char text[1100], value[1100];   /* copies: the caller's strings do not outlive the call */
	guestos_done_fn done;
	void *ctx;
};

struct fake_backend {
	struct fake_vm vms[HV_MAX_PARTITIONS];
	struct hv_mgmt_config config;
	uint64_t now_ms;
	bool heap_known;
	uint64_t heap_used;
	bool net_known;
	struct backend_tls tls;
	bool tls_known;
	struct backend_net net;
	uint32_t refuse;            /* guestos_request answers this when not S_OK */
	uint32_t lifecycle_refuse;  /* start/stop/reset answer this when not S_OK */
	uint32_t starts, stops, resets;     /* calls accepted */
	uint32_t time_sync_calls;
	struct fake_request requests[FAKE_MAX_REQUESTS];
	uint32_t nrequests;         /* recorded so far (wraps at FAKE_MAX_REQUESTS) */
	uint32_t cancels;
	uint32_t media_hr, media_calls;     /* task_media_attach (the task engine's hv call) */
	char log[8192];             /* every backend_log line, concatenated */
};

extern struct fake_backend fake;

/* Forgets everything: no partitions, no tokens, time 0. */
void fake_reset(void);
/* Adds partition id; returns its slot for further changes. */
struct fake_vm *fake_vm_add(uint32_t id, const char *name, uint32_t state, bool root);
/* Adds token `secret` named name with one grant (vm or "*", HV_MGMT_RIGHT_* bits); returns it. */
struct hv_mgmt_token *fake_token_add(const char *name, const char *secret, const char *vm,
				     uint32_t rights);
void fake_token_grant(struct hv_mgmt_token *t, const char *vm, uint32_t rights);
/* The most recent pending request (NULL if none). */
struct fake_request *fake_last_request(void);
/* Completes request r with result res (done runs now). */
void fake_complete(struct fake_request *r, const struct guestos_result *res);

/* The HTTP double: connections are numbered; each records its last answer. */
struct fake_answer {
	int status;                 /* 0: none yet */
	char content_type[64];
	char body[HTTP_MAX_RESPONSE];
	size_t len;
	char headers[512];          /* http_add_header lines, each ending in \n */
	unsigned answers;           /* http_respond calls on this connection */
	bool streaming;             /* http_stream_begin ran (status, content_type, headers set) */
	bool stream_ended;          /* http_stream_end ran */
	char stream[8192];          /* what http_stream_write took, NUL-terminated */
	size_t stream_len;
	size_t stream_cap;          /* refuse writes beyond this many bytes (0: the buffer's size) */
};

struct http_conn *fake_conn(unsigned n);
struct fake_answer *fake_answer(struct http_conn *c);
void fake_http_reset(void);
/* What http_refusal_counts reports (cleared by fake_http_reset). */
extern struct http_status_count fake_refusals[4];
/* http_credentials_allowed's answer for a request not over TLS (true after fake_http_reset). */
extern bool fake_plain_credentials;

#endif
