/*
 * Shared by the API's unit tests: a request builder that runs api_handle
 * on a fake connection, and a standard world (root + two guests, three
 * tokens) on the fake backend.
 */
#ifndef TEST_API_UTIL_H
#define TEST_API_UTIL_H

#include <stdio.h>
#include <string.h>

#include <api/api.h>
#include <api/api_events.h>
#include <api/api_throttle.h>
#include "api_fake_backend.h"

#define TOKEN_ADMIN "Bearer admin-secret"        /* "*": read, control, execute */
#define TOKEN_READER "Bearer reader-secret"      /* testos1: read */
#define TOKEN_OPERATOR "Bearer operator-secret"  /* testos1: read, control; testos2: read */

/* Every test request comes from 10.0.2.2 (lwIP's byte order: first octet first in memory). */
#define TEST_PEER 0x0202000au

static struct http_request test_rq;
static uint32_t test_peer = TEST_PEER;  /* the address of the next requests */

/* Sets test_rq to one request (its other headers empty), from test_peer, now. */
static inline void request_set(enum http_method m, const char *path, const char *query,
			       const char *auth, const char *body)
{
	memset(&test_rq, 0, sizeof(test_rq));
	test_rq.method = m;
	snprintf(test_rq.path, sizeof(test_rq.path), "%s", path);
	snprintf(test_rq.query, sizeof(test_rq.query), "%s", query ? query : "");
	snprintf(test_rq.authorization, sizeof(test_rq.authorization), "%s", auth ? auth : "");
	test_rq.body = body;
	test_rq.body_len = body ? strlen(body) : 0;
	test_rq.keep_alive = true;
	test_rq.now_ms = fake.now_ms;
	test_rq.peer = test_peer;
}

/* Runs test_rq on connection conn; returns the disposition. */
static inline enum api_disposition request_run(unsigned conn)
{
	memset(fake_answer(fake_conn(conn)), 0, sizeof(struct fake_answer));
	return api_handle(fake_conn(conn), &test_rq);
}

/* Runs one request on connection conn; returns the disposition. */
static inline enum api_disposition call_on(unsigned conn, enum http_method m, const char *path,
					   const char *query, const char *auth, const char *body)
{
	request_set(m, path, query, auth, body);
	return request_run(conn);
}

static inline struct fake_answer *call(enum http_method m, const char *path, const char *auth,
				       const char *body)
{
	call_on(0, m, path, NULL, auth, body);
	return fake_answer(fake_conn(0));
}

static inline void world(void)
{
	struct hv_mgmt_token *op;

	fake_reset();
	fake_http_reset();
	api_throttle_reset();
	test_peer = TEST_PEER;
	api_events_reset();
	fake_vm_add(0, "root", HV_PARTITION_RUNNING, true);
	fake_vm_add(1, "testos1", HV_PARTITION_RUNNING, false);
	fake_vm_add(2, "testos2", HV_PARTITION_OFF, false);
	fake_token_add("admin", "admin-secret", "*",
		       HV_MGMT_RIGHT_READ | HV_MGMT_RIGHT_CONTROL | HV_MGMT_RIGHT_EXECUTE);
	fake_token_add("reader", "reader-secret", "testos1", HV_MGMT_RIGHT_READ);
	op = fake_token_add("operator", "operator-secret", "testos1",
			    HV_MGMT_RIGHT_READ | HV_MGMT_RIGHT_CONTROL);
	fake_token_grant(op, "testos2", HV_MGMT_RIGHT_READ);
}

/*
 * cmocka group setup: the world, and the API's notify listener, which
 * api_init registers for good (once per process).
 */
static inline int api_group_setup(void **state)
{
	(void)state;
	world();
	api_init();
	return 0;
}

/* The body contains needle (assert with the body in the message). */
#define assert_body_has(a, needle) \
	do { \
		if (!strstr((a)->body, (needle))) \
			fail_msg("body lacks %s: %s", (needle), (a)->body); \
	} while (0)

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

/* The answer's body is one strict JSON value (jsmn, as the server reads bodies). */
static inline void assert_json(const struct fake_answer *a)
{
	jsmntok_t tok[1024];
	jsmn_parser p;
	int n;

	jsmn_init(&p);
	n = jsmn_parse(&p, a->body, a->len, tok, 1024);
	if (n <= 0 || (size_t)tok[0].end != a->len)
		fail_msg("not one JSON value (%d): %s", n, a->body);
}

/* An error answer with this status and HRESULT name. */
static inline void assert_error(const struct fake_answer *a, int status, const char *name)
{
	char want[96];

	assert_int_equal(a->status, status);
	assert_string_equal(a->content_type, "application/json");
	assert_json(a);
	snprintf(want, sizeof(want), "\"name\":\"%s\"", name);
	if (!strstr(a->body, want))
		fail_msg("expected %s in %s", want, a->body);
}
#endif
