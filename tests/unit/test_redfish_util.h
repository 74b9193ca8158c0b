/*
 * Shared by the Redfish face's unit tests: requests with any of the
 * face's credentials (Basic, X-Auth-Token, Bearer) and If-None-Match on
 * the fake connection, and reading the answers' JSON by path with jsmn
 * ("error/@Message.ExtendedInfo/0/MessageId": keys hold dots).  The world is
 * test_api_util.h's: root, testos1 (Running), testos2 (Off); tokens
 * admin (*: all rights), reader (testos1: read), operator (testos1: read,
 * control; testos2: read).
 */
#ifndef TEST_REDFISH_UTIL_H
#define TEST_REDFISH_UTIL_H

#include "test_api_util.h"

#include <api/api_tasks.h>
#include <api/api_throttle.h>
#include <redfish/redfish.h>
#include <stdlib.h>

#define RF "/redfish/v1"

/* "Basic " + base64("user:password") into out. */
static inline const char *basic(char *out, size_t cap, const char *user, const char *password)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char plain[256];
	size_t n = (size_t)snprintf(plain, sizeof(plain), "%s:%s", user, password), o = 6;

	memcpy(out, "Basic ", 6);
	for (size_t i = 0; i < n && o + 5 < cap; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)plain[i] << 16;

		v |= i + 1 < n ? (uint32_t)(unsigned char)plain[i + 1] << 8 : 0;
		v |= i + 2 < n ? (uint32_t)(unsigned char)plain[i + 2] : 0;
		out[o++] = digits[v >> 18 & 63];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = i + 1 < n ? digits[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? digits[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static char rf_admin[96], rf_reader[96], rf_operator[96];

static inline void rf_credentials(void)
{
	basic(rf_admin, sizeof(rf_admin), "admin", "admin-secret");
	basic(rf_reader, sizeof(rf_reader), "reader", "reader-secret");
	basic(rf_operator, sizeof(rf_operator), "operator", "operator-secret");
}

/* The standard world, no request deferred or streamed, tasks, sessions and throttle emptied. */
static inline void rf_world(void)
{
	for (unsigned i = 0; i < 128; i++)
		api_conn_gone(fake_conn(i));
	world();
	api_throttle_reset();
	rf_credentials();
	api_tasks_init();
	redfish_init();
}

/* One request on connection conn with Authorization auth, X-Auth-Token xauth, If-None-Match inm. */
static inline struct fake_answer *rf_call_on(unsigned conn, enum http_method m, const char *path,
					     const char *auth, const char *xauth, const char *inm,
					     const char *body)
{
	request_set(m, path, NULL, auth, body);
	snprintf(test_rq.x_auth_token, sizeof(test_rq.x_auth_token), "%.95s", xauth ? xauth : "");
	snprintf(test_rq.if_none_match, sizeof(test_rq.if_none_match), "%.95s", inm ? inm : "");
	request_run(conn);
	return fake_answer(fake_conn(conn));
}

static inline struct fake_answer *rf_get(const char *path, const char *auth)
{
	return rf_call_on(0, HTTP_M_GET, path, auth, NULL, NULL, NULL);
}

static inline struct fake_answer *rf_post(const char *path, const char *auth, const char *body)
{
	return rf_call_on(0, HTTP_M_POST, path, auth, NULL, NULL, body);
}

/* The child of container token cur named by seg (a key, or an array index); -1 if none. */
static inline int jchild(const char *js, const jsmntok_t *t, int ntok, int cur, const char *seg,
			 size_t len)
{
	int child = cur + 1, found = -1, idx = atoi(seg);

	for (int i = 0; i < t[cur].size && child < ntok && found < 0; i++) {
		bool object = t[cur].type == JSMN_OBJECT;
		int value = object ? child + 1 : child, next = value + 1;
		size_t n = (size_t)(t[child].end - t[child].start);

		if (object && n == len && memcmp(js + t[child].start, seg, n) == 0)
			found = value;
		else if (!object && i == idx)
			found = value;
		/* Skip the value's subtree. */
		while (next < ntok && t[next].start < t[value].end)
			next++;
		child = next;
	}
	return found;
}

/* The token of the value at path ("error/@Message.ExtendedInfo/0/MessageId"), or -1. */
static inline int jpath(const char *js, const jsmntok_t *t, int ntok, const char *path)
{
	int cur = 0;

	while (*path && cur >= 0) {
		size_t len = strcspn(path, "/");

		cur = jchild(js, t, ntok, cur, path, len);
		path += len + (path[len] == '/');
	}
	return cur;
}

/*
 * The text of the value at path in a's body as sent (escapes kept, "null"),
 * into a static buffer; NULL if absent.
 */
static inline const char *jget(const struct fake_answer *a, const char *path)
{
	static jsmntok_t toks[2048];
	static char out[1024];
	jsmn_parser p;
	int n, v;

	jsmn_init(&p);
	n = jsmn_parse(&p, a->body, a->len, toks, 2048);
	if (n <= 0)
		fail_msg("not JSON: %s", a->body);
	v = jpath(a->body, toks, n, path);
	if (v < 0)
		return NULL;
	snprintf(out, sizeof(out), "%.*s", toks[v].end - toks[v].start, a->body + toks[v].start);
	return out;
}

#define assert_jget(a, path, want) \
	do { \
		const char *got_ = jget((a), (path)); \
		if (!got_ || strcmp(got_, (want)) != 0) \
			fail_msg("%s is %s, expected %s in %s", (path), got_ ? got_ : "(absent)", \
				 (want), (a)->body); \
	} while (0)

/* A Redfish error: status, error.code's message key, the HRESULT name in the extended info. */
static inline void assert_rf_error(const struct fake_answer *a, int status, const char *key,
				   const char *hresult_name)
{
	const char *code;

	if (a->status != status)
		fail_msg("status %d, expected %d: %s", a->status, status, a->body);
	assert_json(a);
	code = jget(a, "error/code");
	if (!code || !strstr(code, key))
		fail_msg("error.code %s, expected %s", code ? code : "(absent)", key);
	assert_jget(a, "error/@Message.ExtendedInfo/0/MessageId", code);
	if (hresult_name)
		assert_jget(a, "error/@Message.ExtendedInfo/0/Oem/Hv/HResultName", hresult_name);
	assert_non_null(strstr(a->headers, "OData-Version: 4.0\n"));
}

/* The value of header name (without CRLF) in a's headers, into a static buffer; NULL if absent. */
static inline const char *header_of(const struct fake_answer *a, const char *name)
{
	static char out[256];
	const char *p = strstr(a->headers, name);
	size_t n;

	if (!p || p[strlen(name)] != ':')
		return NULL;
	p += strlen(name) + 2;
	n = strcspn(p, "\n");
	snprintf(out, sizeof(out), "%.*s", (int)n, p);
	return out;
}

#endif
