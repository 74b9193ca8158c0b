/*
 * Unit tests of the management API's request path on the fake backend:
 * routing (404, 405 with Allow, HEAD, captures and percent-decoding),
 * authentication (401 with WWW-Authenticate, malformed headers, every
 * configured hash compared), authorisation (403 per VM and right), the
 * unknown-VM answer, query parameters, JSON bodies, the HRESULT-to-status
 * table, the deferral registry and the audit line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_api_util.h"

#include <api/api_body.h>

static int setup(void **state)
{
	(void)state;
	world();
	return 0;
}

static void test_unknown_route_404(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_GET, "/api/v1/nothing", TOKEN_ADMIN, NULL);
	assert_error(a, 404, "ERROR_NOT_SUPPORTED");
	assert_body_has(a, "\"hresult\":\"0x80070032\"");
	/* Routing comes before authentication: no token needed to learn a path does not exist. */
	assert_error(call(HTTP_M_GET, "/", NULL, NULL), 404, "ERROR_NOT_SUPPORTED");
	assert_error(call(HTTP_M_GET, "/api/v1/vms/", TOKEN_ADMIN, NULL), 404, "ERROR_NOT_SUPPORTED");
	assert_error(call(HTTP_M_GET, "/api/v1//vms", TOKEN_ADMIN, NULL), 404, "ERROR_NOT_SUPPORTED");
	assert_error(call(HTTP_M_GET, "/api/v1/vms/testos1/guestos/x", TOKEN_ADMIN, NULL), 404,
		     "ERROR_NOT_SUPPORTED");
}

static void test_wrong_method_405(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_DELETE, "/api/v1/vms/testos1", TOKEN_ADMIN, NULL);
	assert_error(a, 405, "ERROR_NOT_SUPPORTED");
	assert_string_equal(a->headers, "Allow: GET, HEAD\n");
	a = call(HTTP_M_POST, "/api/v1/vms/testos1/guestos", TOKEN_ADMIN, NULL);
	assert_error(a, 405, "ERROR_NOT_SUPPORTED");
	assert_string_equal(a->headers, "Allow: GET, HEAD, PATCH\n");
	a = call(HTTP_M_OTHER, "/metrics", NULL, NULL);
	assert_int_equal(a->status, 405);
}

static void test_head_is_get(void **state)
{
	(void)state;
	assert_int_equal(call(HTTP_M_HEAD, "/api/v1/vms", TOKEN_ADMIN, NULL)->status, 200);
}

static void test_bad_path(void **state)
{
	(void)state;
	assert_error(call(HTTP_M_GET, "api/v1/vms", TOKEN_ADMIN, NULL), 400, "E_INVALIDARG");
	assert_error(call(HTTP_M_GET, "/api/v1/vms/test%zz", TOKEN_ADMIN, NULL), 400, "E_INVALIDARG");
	assert_error(call(HTTP_M_GET, "/api/v1/vms/test%00", TOKEN_ADMIN, NULL), 400, "E_INVALIDARG");
	assert_error(call(HTTP_M_GET, "/api/v1/vms/test%4", TOKEN_ADMIN, NULL), 400, "E_INVALIDARG");
	assert_error(call(HTTP_M_GET, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", TOKEN_ADMIN, NULL), 400,
		     "E_INVALIDARG");
}

static void test_percent_decoded_captures(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_GET, "/api/v1/vms/test%6Fs1", TOKEN_ADMIN, NULL);
	assert_int_equal(a->status, 200);
	assert_body_has(a, "\"name\":\"testos1\"");
	/* An encoded '/' is not a separator and not a name. */
	assert_error(call(HTTP_M_GET, "/api/v1/vms/testos1%2Fguestos", TOKEN_ADMIN, NULL), 404,
		     "ERROR_NOT_SUPPORTED");
	/* Literal segments are compared decoded too. */
	assert_int_equal(call(HTTP_M_GET, "/api/v1/%76ms", TOKEN_ADMIN, NULL)->status, 200);
}

static void test_unknown_vm_404(void **state)
{
	struct fake_answer *a;

	(void)state;
	a = call(HTTP_M_GET, "/api/v1/vms/nosuch", TOKEN_ADMIN, NULL);
	assert_error(a, 404, "VM_E_VM_UNKNOWN");
	assert_body_has(a, "\"hresult\":\"0xA0040207\"");
	assert_body_has(a, "no VM named nosuch");
	/* A name of bytes that are not UTF-8 grows sixfold when escaped: still one JSON body. */
	{
		char path[512] = "/api/v1/vms/";

		for (int i = 0; i < 100; i++)
			strcat(path, "%FF");
		assert_error(call(HTTP_M_GET, path, TOKEN_ADMIN, NULL), 404, "VM_E_VM_UNKNOWN");
	}
	/* A token without rights there learns nothing: 403, not 404. */
	assert_error(call(HTTP_M_GET, "/api/v1/vms/nosuch", TOKEN_READER, NULL), 403, "E_ACCESSDENIED");
}

static void test_401(void **state)
{
	static const char *const bad[] = {
		NULL, "", "Bearer", "Bearer ", "Bearer wrong-secret", "Basic YWRtaW46eA==",
		"Beareradmin-secret", "Bearer admin-secret2", "Bearer admin-secre",
	};
	struct fake_answer *a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = call(HTTP_M_GET, "/api/v1/vms", bad[i], NULL);
		assert_error(a, 401, "E_ACCESSDENIED");
		assert_body_has(a, "\"hresult\":\"0x80070005\"");
		assert_string_equal(a->headers, "WWW-Authenticate: Bearer realm=\"hv\"\n");
	}
	a = call(HTTP_M_GET, "/metrics", "Bearer nope", NULL);
	assert_int_equal(a->status, 401);
}

/* Count of needle in haystack. */
static unsigned occurrences(const char *haystack, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Failed authentications from one address: nine are only refused; the
 * tenth starts the back-off, during which even the right token gets 429
 * with Retry-After (1 s, then 2 s, ...); another address is not affected;
 * a quiet minute starts a new run.  Logged with the address once per run
 * and at the back-off, otherwise summarised; counted in /metrics.
 */
static void test_auth_backoff(void **state)
{
	struct fake_answer *a;

	(void)state;
	fake.now_ms = 100000;
	for (unsigned i = 0; i < 10; i++)
		assert_error(call(HTTP_M_GET, "/api/v1/vms", "Bearer guess", NULL), 401,
			     "E_ACCESSDENIED");
	assert_int_equal(occurrences(fake.log, "authentication failed from 10.0.2.2"), 2);
	assert_non_null(strstr(fake.log, "from 10.0.2.2; slowing that address down"));
	assert_int_equal(occurrences(fake.log, "more failed authentications"), 1);
	a = call(HTTP_M_GET, "/api/v1/vms", TOKEN_ADMIN, NULL);
	assert_error(a, 429, "E_ACCESSDENIED");
	assert_string_equal(a->headers, "Retry-After: 1\n");
	/* Without any token there is nothing to slow down: 401 as always. */
	assert_error(call(HTTP_M_GET, "/api/v1/vms", NULL, NULL), 401, "E_ACCESSDENIED");
	/* Another address is served. */
	test_peer = 0x0302000au;
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms", TOKEN_ADMIN, NULL)->status, 200);
	test_peer = TEST_PEER;
	fake.now_ms += 1000;
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms", TOKEN_ADMIN, NULL)->status, 200);
	/* The eleventh failure doubles the block. */
	call(HTTP_M_GET, "/api/v1/vms", "Bearer guess", NULL);
	a = call(HTTP_M_GET, "/api/v1/vms", "Bearer admin-secret", NULL);
	assert_error(a, 429, "E_ACCESSDENIED");
	assert_string_equal(a->headers, "Retry-After: 2\n");
	/* A success does not end the run; a quiet minute does. */
	fake.now_ms += 2000;
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms", TOKEN_ADMIN, NULL)->status, 200);
	fake.now_ms += 60001;
	assert_error(call(HTTP_M_GET, "/api/v1/vms", "Bearer guess", NULL), 401, "E_ACCESSDENIED");
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms", TOKEN_ADMIN, NULL)->status, 200);
	assert_int_equal(occurrences(fake.log, "authentication failed from 10.0.2.2"), 3);
	a = call(HTTP_M_GET, "/metrics", TOKEN_ADMIN, NULL);
	assert_body_has(a, "hv_api_auth_failures_total 12\n");
	assert_body_has(a, "hv_api_auth_throttled_total 2\n");
}

static void test_bearer_forms(void **state)
{
	(void)state;
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms", "bearer admin-secret", NULL)->status, 200);
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms", "BEARER   admin-secret ", NULL)->status, 200);
	/* The last configured token is found as well as the first. */
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms", TOKEN_OPERATOR, NULL)->status, 200);
}

static void test_no_tokens_configured(void **state)
{
	(void)state;
	fake.config.ntokens = 0;
	assert_error(call(HTTP_M_GET, "/api/v1/vms", TOKEN_ADMIN, NULL), 401, "E_ACCESSDENIED");
}

static void test_authenticate_hash(void **state)
{
	const struct hv_mgmt_token *t;

	(void)state;
	t = api_authenticate("Bearer reader-secret");
	assert_non_null(t);
	assert_string_equal(t->name, "reader");
	/* A changed hash byte no longer matches. */
	fake.config.tokens[1].sha256[31] ^= 1;
	assert_null(api_authenticate("Bearer reader-secret"));
}

static void test_403(void **state)
{
	struct fake_answer *a;

	(void)state;
	/* reader: read on testos1 only. */
	assert_int_equal(call(HTTP_M_GET, "/api/v1/vms/testos1", TOKEN_READER, NULL)->status, 200);
	a = call(HTTP_M_GET, "/api/v1/vms/testos2", TOKEN_READER, NULL);
	assert_error(a, 403, "E_ACCESSDENIED");
	assert_string_equal(a->headers, "");
	a = call(HTTP_M_PATCH, "/api/v1/vms/testos1/guestos", TOKEN_READER,
		 "{\"IsHostTimeSyncEnabled\":false}");
	assert_error(a, 403, "E_ACCESSDENIED");
	assert_int_equal(fake.time_sync_calls, 0);
	/* operator: control on testos1, read only on testos2. */
	a = call(HTTP_M_PUT, "/api/v1/vms/testos2/guestos/parameters/x", TOKEN_OPERATOR,
		 "{\"value\":\"1\"}");
	assert_error(a, 403, "E_ACCESSDENIED");
	/* Any valid token reads /metrics. */
	assert_int_equal(call(HTTP_M_GET, "/metrics", TOKEN_READER, NULL)->status, 200);
}

static void test_allowed(void **state)
{
	const struct hv_mgmt_config *cfg = backend_mgmt_config();
	const struct hv_mgmt_token *op = &cfg->tokens[2];
	struct hv_mgmt_token t = { .ngrants = 1 };

	(void)state;
	assert_true(api_allowed(op, "testos1", HV_MGMT_RIGHT_READ | HV_MGMT_RIGHT_CONTROL));
	assert_false(api_allowed(op, "testos2", HV_MGMT_RIGHT_CONTROL));
	assert_false(api_allowed(op, "testos1", HV_MGMT_RIGHT_EXECUTE));
	assert_true(api_allowed(op, NULL, HV_MGMT_RIGHT_CONTROL));
	assert_false(api_allowed(op, NULL, HV_MGMT_RIGHT_EXECUTE));
	assert_true(api_allowed(op, "root", 0));
	/* A 32-character grant without a NUL names exactly that name, not a longer one. */
	memset(t.grants[0].vm, 'v', HV_MGMT_NAME_LEN);
	t.grants[0].rights = HV_MGMT_RIGHT_READ;
	assert_true(api_allowed(&t, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", HV_MGMT_RIGHT_READ));
	assert_false(api_allowed(&t, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", HV_MGMT_RIGHT_READ));
	assert_false(api_allowed(&t, "vvv", HV_MGMT_RIGHT_READ));
	/* A grant count beyond the array is bounded. */
	t.ngrants = 1000;
	assert_false(api_allowed(&t, "other", HV_MGMT_RIGHT_READ));
}

static void test_status_table(void **state)
{
	(void)state;
	assert_int_equal(api_status_of(E_INVALIDARG), 400);
	assert_int_equal(api_status_of(E_ACCESSDENIED), 403);
	assert_int_equal(api_status_of(VM_E_VM_UNKNOWN), 404);
	assert_int_equal(api_status_of(VM_E_PREF_NOT_FOUND), 404);
	assert_int_equal(api_status_of(VM_E_VM_NOT_RUNNING), 409);
	assert_int_equal(api_status_of(VM_E_ADDITIONS_FEATURE_NOT_AVAIL), 409);
	assert_int_equal(api_status_of(VM_E_VM_RUNNING), 409);
	assert_int_equal(api_status_of(E_FAIL), 409);
	assert_int_equal(api_status_of(VM_E_TIMED_OUT), 504);
	assert_int_equal(api_status_of(VM_E_OUT_OF_RESOURCE), 503);
	assert_int_equal(api_status_of(0x8000FFFFu), 500);
}

static void test_error_body_unknown_hresult(void **state)
{
	struct api_ctx ctx = { .conn = fake_conn(3), .vm_name = "" };
	struct fake_answer *a = fake_answer(fake_conn(3));
	char long_msg[600];

	(void)state;
	api_reply_error(&ctx, 500, 0x8000FFFFu, "x\"y");
	assert_json(a);
	assert_string_equal(a->body, "{\"error\":{\"hresult\":\"0x8000FFFF\",\"name\":null,"
				     "\"message\":\"x\\\"y\"}}");
	memset(long_msg, 'm', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	api_reply_error(&ctx, 400, E_INVALIDARG, long_msg);
	assert_json(a);
	assert_int_equal(a->status, 400);
}

static void test_query(void **state)
{
	struct http_request rq = { 0 };
	char v[8];
	int64_t n = 0;

	(void)state;
	snprintf(rq.query, sizeof(rq.query), "a=1&wait=250&flag&s=x%%20y&neg=-5&big=99999999999999999999");
	assert_int_equal(api_query(&rq, "s", v, sizeof(v)), API_FIELD_OK);
	assert_string_equal(v, "x y");
	assert_int_equal(api_query(&rq, "flag", v, sizeof(v)), API_FIELD_OK);
	assert_string_equal(v, "");
	assert_int_equal(api_query(&rq, "fla", v, sizeof(v)), API_FIELD_ABSENT);
	assert_int_equal(api_query(&rq, "b", v, sizeof(v)), API_FIELD_ABSENT);
	assert_int_equal(api_query_int(&rq, "wait", 0, 1000, &n), API_FIELD_OK);
	assert_int_equal(n, 250);
	assert_int_equal(api_query_int(&rq, "wait", 0, 100, &n), API_FIELD_BAD);
	assert_int_equal(api_query_int(&rq, "neg", -10, 10, &n), API_FIELD_OK);
	assert_int_equal(n, -5);
	assert_int_equal(api_query_int(&rq, "neg", 0, 10, &n), API_FIELD_BAD);
	assert_int_equal(api_query_int(&rq, "big", 0, INT64_MAX, &n), API_FIELD_BAD);
	assert_int_equal(api_query_int(&rq, "s", 0, 10, &n), API_FIELD_BAD);
	assert_int_equal(api_query_int(&rq, "flag", 0, 10, &n), API_FIELD_BAD);
	assert_int_equal(api_query(&rq, "big", v, sizeof(v)), API_FIELD_BAD);   /* does not fit */
	snprintf(rq.query, sizeof(rq.query), "wait=9223372036854775807&w2=-9223372036854775808");
	assert_int_equal(api_query_int(&rq, "wait", INT64_MIN, INT64_MAX, &n), API_FIELD_OK);
	assert_true(n == INT64_MAX);
	assert_int_equal(api_query_int(&rq, "w2", INT64_MIN, INT64_MAX, &n), API_FIELD_OK);
	assert_true(n == INT64_MIN);
}

static bool parse(struct api_body *b, const char *text, bool empty_ok)
{
	static struct http_request rq;

	rq.body = text;
	rq.body_len = strlen(text);
	return api_body_parse(b, &rq, empty_ok);
}

static void test_body_parse(void **state)
{
	static const char *const bad[] = {
		"[]", "1", "\"s\"", "{", "{} {}", "{}x", "{\"a\":tru}", "{\"a\":01}", "{\"a\":1.}",
		"{\"a\":-}", "{\"a\":\"x\ty\"}", "{\"a\":1,\"a\":2}", "{a:1}", "{\"a\" 1}", "{\"a\":nul}",
	};
	static const char *const good[] = {
		"{}", " { } \r\n", "{\"a\":[1,{\"b\":null}],\"c\":-0.5e+3,\"d\":\"\\u00e9\"}",
	};
	struct api_body b;
	char many[1024] = "{\"a\":[";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(&b, bad[i], true))
			fail_msg("accepted %s", bad[i]);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!parse(&b, good[i], false))
			fail_msg("refused %s: %s", good[i], b.err);
	assert_true(parse(&b, "", true));
	assert_true(parse(&b, "  ", true));
	assert_false(parse(&b, "", false));
	assert_string_equal(b.err, "a JSON object body is required");
	for (int i = 0; i < 100; i++)
		strcat(many, i ? ",1" : "1");
	strcat(many, "]}");
	assert_false(parse(&b, many, true));
	assert_string_equal(b.err, "the body has more than 64 JSON tokens");
	assert_false(parse(&b, "{\"x\":1,\"x\":1}", true));
	assert_string_equal(b.err, "member \"x\" appears twice");
}

static void test_body_fields(void **state)
{
	struct api_body b;
	bool flag = false;
	int64_t n = 0;
	char s[16];

	(void)state;
	assert_true(parse(&b, "{\"t\":true,\"f\":false,\"n\":42,\"neg\":-3,\"x\":1.5,\"e\":1e3,"
			      "\"s\":\"a\\\"\\\\\\/\\n\\u00e9\\ud834\\udd1e\",\"z\":null,"
			      "\"obj\":{\"t\":false},\"nul\":\"a\\u0000b\",\"lone\":\"\\udc00\","
			      "\"big\":12345678901234567890}", false));
	assert_int_equal(api_body_bool(&b, "t", &flag), API_FIELD_OK);
	assert_true(flag);
	assert_int_equal(api_body_bool(&b, "f", &flag), API_FIELD_OK);
	assert_false(flag);
	assert_int_equal(api_body_bool(&b, "n", &flag), API_FIELD_BAD);
	assert_string_equal(b.err, "n must be true or false");
	assert_int_equal(api_body_bool(&b, "missing", &flag), API_FIELD_ABSENT);
	assert_int_equal(api_body_bool(&b, "z", &flag), API_FIELD_ABSENT);
	assert_int_equal(api_body_int(&b, "n", 0, 100, &n), API_FIELD_OK);
	assert_int_equal(n, 42);
	assert_int_equal(api_body_int(&b, "neg", -5, 5, &n), API_FIELD_OK);
	assert_int_equal(n, -3);
	assert_int_equal(api_body_int(&b, "n", 0, 10, &n), API_FIELD_BAD);
	assert_string_equal(b.err, "n must be an integer from 0 to 10");
	assert_int_equal(api_body_int(&b, "x", 0, 10, &n), API_FIELD_BAD);
	assert_int_equal(api_body_int(&b, "e", 0, 10000, &n), API_FIELD_BAD);
	assert_int_equal(api_body_int(&b, "s", 0, 10, &n), API_FIELD_BAD);
	assert_int_equal(api_body_int(&b, "big", 0, INT64_MAX, &n), API_FIELD_BAD);
	/* Members of nested objects are not top-level members. */
	assert_int_equal(api_body_bool(&b, "obj", &flag), API_FIELD_BAD);
	assert_int_equal(api_body_str(&b, "s", 0, 15, s, sizeof(s)), API_FIELD_OK);
	assert_string_equal(s, "a\"\\/\n\xc3\xa9\xf0\x9d\x84\x9e");
	assert_int_equal(api_body_str(&b, "s", 0, 5, s, sizeof(s)), API_FIELD_BAD);
	assert_string_equal(b.err, "s must be a string of 0 to 5 bytes");
	assert_int_equal(api_body_str(&b, "s", 0, 100, s, 4), API_FIELD_BAD);
	assert_int_equal(api_body_str(&b, "nul", 0, 10, s, sizeof(s)), API_FIELD_BAD);
	assert_int_equal(api_body_str(&b, "lone", 0, 10, s, sizeof(s)), API_FIELD_BAD);
	assert_int_equal(api_body_str(&b, "n", 0, 10, s, sizeof(s)), API_FIELD_BAD);
	assert_int_equal(api_body_str(&b, "z", 0, 10, s, sizeof(s)), API_FIELD_ABSENT);
	assert_int_equal(api_body_str(&b, "t", 0, 10, s, sizeof(s)), API_FIELD_BAD);
}

static void gone_cb(struct http_conn *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
}

static void test_deferral_registry(void **state)
{
	struct api_ctx ctx = { .vm_name = "" };
	static int gone;
	struct jw w;
	char buf[8];

	(void)state;
	gone = 0;
	for (unsigned i = 0; i < API_MAX_DEFERRED; i++) {
		ctx.conn = fake_conn(i);
		assert_true(api_defer(&ctx, gone_cb, &gone));
	}
	ctx.conn = fake_conn(API_MAX_DEFERRED);
	assert_false(api_defer(&ctx, gone_cb, &gone));
	/* Answering ends a deferral: going away later calls nothing. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_obj_end(&w);
	api_reply_json_conn(fake_conn(0), 200, &w);
	api_conn_gone(fake_conn(0));
	assert_int_equal(gone, 0);
	api_conn_gone(fake_conn(1));
	assert_int_equal(gone, 1);
	api_conn_gone(fake_conn(1));
	assert_int_equal(gone, 1);
	api_conn_gone(NULL);
	for (unsigned i = 2; i < API_MAX_DEFERRED; i++)
		api_reply_error_conn(fake_conn(i), 504, VM_E_TIMED_OUT, "t");
	assert_int_equal(gone, 1);
}

static void test_overflowed_body_is_500(void **state)
{
	struct api_ctx ctx = { .conn = fake_conn(5), .vm_name = "" };
	struct jw w;
	char buf[4];

	(void)state;
	jw_init(&w, buf, sizeof(buf));
	jw_str(&w, "too long for four bytes");
	api_reply_json(&ctx, 200, &w);
	assert_error(fake_answer(fake_conn(5)), 500, "E_OUTOFMEMORY");
}

static void test_audit_line(void **state)
{
	const struct hv_mgmt_config *cfg = backend_mgmt_config();
	struct api_ctx ctx = { .token = &cfg->tokens[2], .vm_name = "testos1" };

	(void)state;
	api_audit(&ctx, "execute", "echo \x1b[31mred\r\nroot: forged");
	assert_string_equal(fake.log, "root: api: operator: execute testos1 echo ?[31mred??root: forged\n");
}

/* Mutual TLS: the client certificate's subject is in the line too. */
static void test_audit_client_subject(void **state)
{
	const struct hv_mgmt_config *cfg = backend_mgmt_config();
	struct http_request rq = { .client_subject = "O=hv test, CN=operator alice" };
	struct api_ctx ctx = { .rq = &rq, .token = &cfg->tokens[2], .vm_name = "testos1" };

	(void)state;
	api_audit(&ctx, "shutdown", "forced=0");
	assert_string_equal(fake.log, "root: api: operator (client O=hv test, CN=operator alice): "
				      "shutdown testos1 forced=0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unknown_route_404, setup),
		cmocka_unit_test_setup(test_wrong_method_405, setup),
		cmocka_unit_test_setup(test_head_is_get, setup),
		cmocka_unit_test_setup(test_bad_path, setup),
		cmocka_unit_test_setup(test_percent_decoded_captures, setup),
		cmocka_unit_test_setup(test_unknown_vm_404, setup),
		cmocka_unit_test_setup(test_401, setup),
		cmocka_unit_test_setup(test_auth_backoff, setup),
		cmocka_unit_test_setup(test_bearer_forms, setup),
		cmocka_unit_test_setup(test_no_tokens_configured, setup),
		cmocka_unit_test_setup(test_authenticate_hash, setup),
		cmocka_unit_test_setup(test_403, setup),
		cmocka_unit_test_setup(test_allowed, setup),
		cmocka_unit_test_setup(test_status_table, setup),
		cmocka_unit_test_setup(test_error_body_unknown_hresult, setup),
		cmocka_unit_test_setup(test_query, setup),
		cmocka_unit_test_setup(test_body_parse, setup),
		cmocka_unit_test_setup(test_body_fields, setup),
		cmocka_unit_test_setup(test_deferral_registry, setup),
		cmocka_unit_test_setup(test_overflowed_body_is_500, setup),
		cmocka_unit_test_setup(test_audit_line, setup),
		cmocka_unit_test_setup(test_audit_client_subject, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
