/*
 * Unit tests of the HTTP server's core (mgmt/http/http_conn.c) through a
 * test transport that records what the core sends and how it closes, and
 * a test double of the API (api_handle / api_conn_gone) whose behaviour
 * depends on the request path.  Responses are read back with llhttp in
 * response mode, so the checks do not depend on how the core spaces its
 * headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <llhttp.h>
#include <stdio.h>
#include <string.h>

#include <http/http_conn.h>

/* --- test transport ------------------------------------------------------ */

struct tconn {
	struct http_conn *c;
	char sent[2 * HTTP_MAX_RESPONSE];
	size_t sent_len;
	size_t budget;      /* bytes send may still take */
	int closed;         /* close calls */
	bool aborted;
};

static size_t t_send(void *ctx, const char *buf, size_t len)
{
	struct tconn *t = ctx;
	size_t n = len < t->budget ? len : t->budget;

	assert_false(t->closed);
	assert_true(n <= sizeof(t->sent) - t->sent_len);
	memcpy(t->sent + t->sent_len, buf, n);
	t->sent_len += n;
	t->budget -= n;
	return n;
}

static size_t t_space(void *ctx)
{
	return ((struct tconn *)ctx)->budget;
}

static void t_close(void *ctx, bool abort)
{
	struct tconn *t = ctx;

	t->closed++;
	t->aborted = abort;
}

static const char *t_subject(void *ctx)
{
	(void)ctx;
	return "CN=operator alice";
}

/* As over TLS (with a client certificate), and as over plain TCP. */
static const struct http_transport ttransport = { t_send, t_space, t_close, true, t_subject };
static const struct http_transport plain_transport = { t_send, t_space, t_close, false, NULL };
static uint64_t now = 1000;

static void t_open_on(struct tconn *t, const struct http_transport *tr)
{
	memset(t, 0, sizeof(*t));
	t->budget = SIZE_MAX;
	t->c = http_conn_open(tr, t, now);
	assert_non_null(t->c);
}

static void t_open(struct tconn *t)
{
	t_open_on(t, &ttransport);
}

/* Feeds all of s (as the transport would, stopping when the core stops taking). */
static size_t t_feed(struct tconn *t, const char *s, size_t len)
{
	return http_conn_input(t->c, s, len, now);
}

static size_t t_feeds(struct tconn *t, const char *s)
{
	return t_feed(t, s, strlen(s));
}

/* --- test double of the API ----------------------------------------------- */

static struct {
	int calls, gone_calls;
	struct http_conn *deferred, *gone, *stream;
	struct http_request last;
	char body[HTTP_MAX_BODY];
} api;

enum api_disposition api_handle(struct http_conn *c, const struct http_request *rq)
{
	enum api_disposition d = API_ANSWERED;
	static char big[HTTP_MAX_RESPONSE];

	api.calls++;
	api.last = *rq;
	memcpy(api.body, rq->body, rq->body_len);
	if (strcmp(rq->path, "/defer") == 0) {
		api.deferred = c;
		d = API_DEFERRED;
	} else if (strcmp(rq->path, "/header") == 0) {
		http_add_header(c, "Location: /api/v1/tasks/7");
		http_add_header(c, "X-Evil: a\r\nSet-Cookie: b");
		http_add_header(c, "NoColon");
		http_add_header(c, ": no name");
		http_add_header(c, "X-Bin: \xff");
		http_add_header(c, "Retry-After: 1");
		http_respond(c, 202, "application/json", "{}", 2);
	} else if (strcmp(rq->path, "/stream") == 0) {
		http_add_header(c, "X-Stream: 1");
		assert_true(http_stream_begin(c, 200, "text/event-stream"));
		api.stream = c;
	} else if (strcmp(rq->path, "/big") == 0) {
		memset(big, 'x', sizeof(big));
		http_respond(c, 200, "text/plain", big, sizeof(big));
	} else if (strcmp(rq->path, "/silent") != 0) {
		/* Echo: the body, or the path when there is none. */
		http_respond(c, 200, "application/json", rq->body_len ? rq->body : rq->path,
			     rq->body_len ? rq->body_len : strlen(rq->path));
	}
	return d;
}

void api_conn_gone(struct http_conn *c)
{
	api.gone_calls++;
	api.gone = c;
}

/* --- reading responses back with llhttp ----------------------------------- */

struct resp {
	int status;
	char headers[1024];   /* "name: value\n" lines */
	char body[HTTP_MAX_RESPONSE];
	size_t body_len;
};

struct rparse {
	struct resp *r;
	int n, max;
	bool head;            /* the first response answers a HEAD: no body */
};

static int r_field(llhttp_t *p, const char *at, size_t len)
{
	struct rparse *rp = p->data;
	struct resp *r = &rp->r[rp->n];

	strncat(r->headers, at, len);
	return 0;
}

static int r_field_done(llhttp_t *p)
{
	struct rparse *rp = p->data;

	strcat(rp->r[rp->n].headers, ": ");
	return 0;
}

static int r_value_done(llhttp_t *p)
{
	struct rparse *rp = p->data;

	strcat(rp->r[rp->n].headers, "\n");
	return 0;
}

static int r_headers_done(llhttp_t *p)
{
	struct rparse *rp = p->data;

	rp->r[rp->n].status = p->status_code;
	return rp->head && rp->n == 0 ? 1 : 0;
}

static int r_body(llhttp_t *p, const char *at, size_t len)
{
	struct rparse *rp = p->data;
	struct resp *r = &rp->r[rp->n];

	assert_true(len <= sizeof(r->body) - r->body_len);
	memcpy(r->body + r->body_len, at, len);
	r->body_len += len;
	return 0;
}

static int r_done(llhttp_t *p)
{
	struct rparse *rp = p->data;

	rp->n++;
	return rp->n < rp->max ? 0 : HPE_PAUSED;
}

/* Parses every response t received; returns how many. */
static int responses(const struct tconn *t, struct resp *r, int max, bool head)
{
	static llhttp_settings_t s;
	llhttp_t p;
	struct rparse rp = { r, 0, max, head };
	llhttp_errno_t err;

	llhttp_settings_init(&s);
	s.on_header_field = r_field;
	s.on_header_field_complete = r_field_done;
	s.on_header_value = r_field;
	s.on_header_value_complete = r_value_done;
	s.on_headers_complete = r_headers_done;
	s.on_body = r_body;
	s.on_message_complete = r_done;
	memset(r, 0, sizeof(*r) * (size_t)max);
	llhttp_init(&p, HTTP_RESPONSE, &s);
	p.data = &rp;
	err = llhttp_execute(&p, t->sent, t->sent_len);
	assert_true(err == HPE_OK || err == HPE_PAUSED);
	return rp.n;
}

static struct resp rs[3];

/* Exactly one response, with this status. */
static struct resp *one(const struct tconn *t, int status)
{
	assert_int_equal(responses(t, rs, 3, false), 1);
	assert_int_equal(rs[0].status, status);
	return &rs[0];
}

static void assert_has(const struct resp *r, const char *line)
{
	if (!strstr(r->headers, line))
		fail_msg("no \"%s\" in:\n%s", line, r->headers);
}

static void assert_error(const struct resp *r, const char *hresult)
{
	char want[64];

	snprintf(want, sizeof(want), "{\"error\":{\"hresult\":\"%s\"", hresult);
	assert_int_equal(memcmp(r->body, want, strlen(want)), 0);
	assert_has(r, "Content-Type: application/json\n");
}

/* --- tests ---------------------------------------------------------------- */

static struct tconn tc, tc2;

static int setup(void **state)
{
	(void)state;
	memset(&api, 0, sizeof(api));
	now = 1000;
	return 0;
}

/* Frees what a test left open, through the transport-loss path. */
static int teardown(void **state)
{
	(void)state;
	now += 10 * HTTP_IDLE_MS;
	http_conn_poll(now);
	if (api.deferred && api.gone_calls == 0 && http_conn_count() > 0)
		http_conn_gone(api.deferred);
	assert_int_equal(http_conn_count(), 0);
	return 0;
}

static void test_get(void **state)
{
	const char *rq = "GET /echo?x=1&y=%20 HTTP/1.1\r\nHost: h\r\n"
			 "authorization: Bearer tok\r\nX-Other: 1\r\n\r\n";
	struct resp *r;

	(void)state;
	t_open(&tc);
	assert_int_equal(t_feeds(&tc, rq), strlen(rq));
	assert_int_equal(api.calls, 1);
	assert_int_equal(api.last.method, HTTP_M_GET);
	assert_string_equal(api.last.method_name, "GET");
	assert_string_equal(api.last.path, "/echo");
	assert_string_equal(api.last.query, "x=1&y=%20");
	assert_string_equal(api.last.authorization, "Bearer tok");
	assert_string_equal(api.last.content_type, "");
	assert_int_equal(api.last.body_len, 0);
	assert_true(api.last.keep_alive);
	assert_int_equal(api.last.now_ms, now);
	r = one(&tc, 200);
	assert_has(r, "Server: hvroot\n");
	assert_has(r, "Content-Length: 5\n");
	assert_has(r, "Connection: keep-alive\n");
	assert_int_equal(r->body_len, 5);
	assert_memory_equal(r->body, "/echo", 5);
	assert_int_equal(tc.closed, 0);
	assert_true(http_conn_wants_input(tc.c));
	http_conn_input_eof(tc.c, now);
	assert_int_equal(tc.closed, 1);
	assert_false(tc.aborted);
}

/* The same POST fed whole and byte by byte gives the API the same request. */
static void test_post_body(void **state)
{
	char rq[512], body[300];
	size_t n;
	struct resp *r;

	(void)state;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)('a' + i % 26);
	n = (size_t)snprintf(rq, sizeof(rq), "POST /vms/x/start HTTP/1.1\r\nContent-Type: "
			     "application/json\r\nContent-Length: %zu\r\n\r\n", sizeof(body));
	memcpy(rq + n, body, sizeof(body));
	n += sizeof(body);
	for (int split = 0; split < 2; split++) {
		t_open(&tc);
		if (split) {
			for (size_t i = 0; i < n; i++)
				assert_int_equal(t_feed(&tc, rq + i, 1), 1);
		} else {
			assert_int_equal(t_feed(&tc, rq, n), n);
		}
		assert_int_equal(api.calls, split + 1);
		assert_int_equal(api.last.method, HTTP_M_POST);
		assert_string_equal(api.last.content_type, "application/json");
		assert_int_equal(api.last.body_len, sizeof(body));
		assert_memory_equal(api.body, body, sizeof(body));
		r = one(&tc, 200);
		assert_int_equal(r->body_len, sizeof(body));
		http_conn_gone(tc.c);
	}
}

static void test_keep_alive(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /a HTTP/1.1\r\n\r\n");
	assert_int_equal(tc.closed, 0);
	t_feeds(&tc, "GET /bb HTTP/1.1\r\n\r\n");
	assert_int_equal(api.calls, 2);
	assert_int_equal(responses(&tc, rs, 3, false), 2);
	assert_int_equal(rs[0].body_len, 2);
	assert_int_equal(rs[1].body_len, 3);
	assert_memory_equal(rs[1].body, "/bb", 3);
	assert_int_equal(tc.closed, 0);
	http_conn_gone(tc.c);
}

/* Two requests in one segment: the second waits until the first's response is out. */
static void test_pipelining(void **state)
{
	const char *two = "GET /first HTTP/1.1\r\n\r\nGET /second HTTP/1.1\r\n\r\n";
	size_t first = strlen("GET /first HTTP/1.1\r\n\r\n"), used;

	(void)state;
	t_open(&tc);
	tc.budget = 10;
	used = t_feeds(&tc, two);
	assert_int_equal(used, first);
	assert_int_equal(api.calls, 1);
	assert_false(http_conn_wants_input(tc.c));
	assert_int_equal(t_feed(&tc, two + used, strlen(two) - used), 0);
	tc.budget = SIZE_MAX;
	http_conn_output_ready(tc.c, now);
	assert_true(http_conn_wants_input(tc.c));
	assert_int_equal(t_feeds(&tc, two + used), strlen(two) - used);
	assert_int_equal(api.calls, 2);
	assert_int_equal(responses(&tc, rs, 3, false), 2);
	assert_memory_equal(rs[0].body, "/first", 6);
	assert_memory_equal(rs[1].body, "/second", 7);
	http_conn_gone(tc.c);
}

static void test_connection_close(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /a HTTP/1.1\r\nConnection: close\r\n\r\n");
	assert_has(one(&tc, 200), "Connection: close\n");
	assert_int_equal(tc.closed, 1);
	assert_false(tc.aborted);
	assert_false(api.last.keep_alive);
}

static void test_http10(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /a HTTP/1.0\r\n\r\n");
	assert_has(one(&tc, 200), "Connection: close\n");
	assert_int_equal(tc.closed, 1);
	t_open(&tc);
	t_feeds(&tc, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	assert_has(one(&tc, 200), "Connection: keep-alive\n");
	assert_int_equal(tc.closed, 0);
	http_conn_gone(tc.c);
}

/* How many refusals with this status the server has counted so far. */
static uint64_t refused(int status)
{
	unsigned n;
	const struct http_status_count *c = http_refusal_counts(&n);

	for (unsigned i = 0; i < n; i++)
		if (c[i].status == status)
			return c[i].count;
	return 0;
}

static void test_body_too_large(void **state)
{
	char rq[256];
	struct resp *r;
	uint64_t before = refused(413);

	(void)state;
	t_open(&tc);
	snprintf(rq, sizeof(rq), "POST /a HTTP/1.1\r\nContent-Length: %u\r\n\r\n",
		 HTTP_MAX_BODY + 1);
	t_feeds(&tc, rq);
	r = one(&tc, 413);
	assert_error(r, "0x80070057");
	assert_has(r, "Connection: close\n");
	assert_int_equal(tc.closed, 1);
	assert_int_equal(api.calls, 0);
	assert_int_equal(refused(413), before + 1);
}

/* A chunked body of exactly HTTP_MAX_BODY passes; one byte more is 413. */
static void test_chunked(void **state)
{
	static char chunk[HTTP_MAX_BODY / 2];
	char head[64];

	(void)state;
	memset(chunk, 'c', sizeof(chunk));
	snprintf(head, sizeof(head), "%zx\r\n", sizeof(chunk));
	for (int over = 0; over < 2; over++) {
		t_open(&tc);
		t_feeds(&tc, "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
		for (int i = 0; i < 2; i++) {
			t_feeds(&tc, head);
			t_feed(&tc, chunk, sizeof(chunk));
			t_feeds(&tc, "\r\n");
		}
		if (over)
			t_feeds(&tc, "1\r\nz\r\n");
		t_feeds(&tc, "0\r\n\r\n");
		if (over) {
			assert_error(one(&tc, 413), "0x80070057");
			assert_int_equal(tc.closed, 1);
		} else {
			assert_int_equal(one(&tc, 200)->body_len, HTTP_MAX_BODY);
			assert_int_equal(api.last.body_len, HTTP_MAX_BODY);
			http_conn_gone(tc.c);
		}
	}
	assert_int_equal(api.calls, 1);
}

/* Expect: 100-continue gets the interim response before the body is sent. */
static void test_continue(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "PUT /p HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-Continue\r\n\r\n");
	assert_int_equal(responses(&tc, rs, 3, false), 1);
	assert_int_equal(rs[0].status, 100);
	t_feeds(&tc, "abc");
	assert_int_equal(responses(&tc, rs, 3, false), 2);
	assert_int_equal(rs[1].status, 200);
	assert_memory_equal(rs[1].body, "abc", 3);
	/* Not for a body that is refused anyway, nor without room to send it. */
	t_feeds(&tc, "PUT /p HTTP/1.1\r\nContent-Length: 9999\r\nExpect: 100-continue\r\n\r\n");
	assert_int_equal(responses(&tc, rs, 3, false), 3);
	assert_int_equal(rs[2].status, 413);
	t_open(&tc);
	tc.budget = 10;
	t_feeds(&tc, "PUT /p HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
	assert_int_equal(tc.sent_len, 0);
	tc.budget = SIZE_MAX;
	t_feeds(&tc, "abc");
	one(&tc, 200);
	http_conn_gone(tc.c);
}

/* Request line + headers of exactly HTTP_MAX_HEADER bytes pass; one more is 431. */
static void test_header_limit(void **state)
{
	static char rq[HTTP_MAX_HEADER + 64];
	const char *start = "GET /h HTTP/1.1\r\nX-Pad: ";
	size_t pad;

	(void)state;
	for (int over = 0; over < 2; over++) {
		pad = HTTP_MAX_HEADER + (size_t)over - strlen(start) - 4;
		memcpy(rq, start, strlen(start));
		memset(rq + strlen(start), 'p', pad);
		memcpy(rq + strlen(start) + pad, "\r\n\r\n", 5);
		assert_int_equal(strlen(rq), HTTP_MAX_HEADER + (size_t)over);
		t_open(&tc);
		/* In two pieces, so the count runs across calls. */
		t_feed(&tc, rq, 100);
		t_feeds(&tc, rq + 100);
		if (over) {
			assert_error(one(&tc, 431), "0x80070057");
			assert_int_equal(tc.closed, 1);
		} else {
			one(&tc, 200);
			http_conn_gone(tc.c);
		}
	}
	assert_int_equal(api.calls, 1);
}

static void test_long_fields(void **state)
{
	static char rq[2048];

	(void)state;
	t_open(&tc);
	memset(rq, 'a', sizeof(rq));
	memcpy(rq, "GET /", 5);
	memcpy(rq + 600, " HTTP/1.1\r\n\r\n", 14);
	t_feeds(&tc, rq);
	assert_error(one(&tc, 414), "0x80070057");
	t_open(&tc);
	memset(rq, 0, sizeof(rq));
	strcpy(rq, "GET / HTTP/1.1\r\nAuthorization: Bearer ");
	memset(rq + strlen(rq), 't', 300);
	strcat(rq, "\r\n\r\n");
	t_feeds(&tc, rq);
	assert_error(one(&tc, 431), "0x80070057");
	t_open(&tc);
	t_feeds(&tc, "GET / HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n");
	assert_error(one(&tc, 400), "0x80070057");
	assert_int_equal(api.calls, 0);
}

static void test_garbage(void **state)
{
	const char *bad[] = { "\x01\x02garbage\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
			      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
			      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t_open(&tc);
		t_feeds(&tc, bad[i]);
		assert_error(one(&tc, 400), "0x80070057");
		assert_int_equal(tc.closed, 1);
	}
	assert_int_equal(api.calls, 0);
}

/* Upgrade and CONNECT are answered like any request, then the connection closes. */
static void test_upgrade(void **state)
{
	const char *rqs[] = {
		"GET /u HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /x HTTP/1.1\r\n\r\n",
		"CONNECT host:443 HTTP/1.1\r\nHost: host:443\r\n\r\n\x16\x03\x01",
		"POST /u HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\nab",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rqs) / sizeof(rqs[0]); i++) {
		t_open(&tc);
		t_feeds(&tc, rqs[i]);
		assert_int_equal(api.calls, (int)i + 1);
		assert_false(api.last.keep_alive);
		assert_has(one(&tc, 200), "Connection: close\n");
		assert_int_equal(tc.closed, 1);
	}
	assert_int_equal(api.last.body_len, 2);
}

static void test_full(void **state)
{
	static struct tconn many[HTTP_MAX_CONNS];
	struct resp *r;
	uint64_t before = refused(503);

	(void)state;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		t_open(&many[i]);
	assert_int_equal(http_conn_count(), HTTP_MAX_CONNS);
	memset(&tc, 0, sizeof(tc));
	tc.budget = SIZE_MAX;
	assert_null(http_conn_open(&ttransport, &tc, now));
	r = one(&tc, 503);
	assert_error(r, "0xA0040203");
	assert_has(r, "Retry-After: 1\n");
	assert_has(r, "Connection: close\n");
	assert_int_equal(tc.closed, 1);
	assert_int_equal(refused(503), before + 1);
	/* A freed slot is usable again. */
	http_conn_gone(many[3].c);
	t_open(&tc);
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		if (i != 3)
			http_conn_gone(many[i].c);
	}
	http_conn_gone(tc.c);
}

static void test_idle_timeout(void **state)
{
	(void)state;
	t_open(&tc);    /* nothing sent: closed silently */
	t_open(&tc2);   /* half a request: 408 */
	t_feeds(&tc2, "GET /slow HTTP/1.1\r\nHo");
	/* A connection's first request has HTTP_FIRST_MS, later ones HTTP_IDLE_MS. */
	http_conn_poll(now + HTTP_FIRST_MS - 1);
	assert_int_equal(tc.closed + tc2.closed, 0);
	http_conn_poll(now + HTTP_FIRST_MS);
	assert_int_equal(tc.closed, 1);
	assert_int_equal(tc.sent_len, 0);
	assert_error(one(&tc2, 408), "0xA0040202");
	assert_int_equal(tc2.closed, 1);
	assert_int_equal(api.calls, 0);
}

/* The idle clock restarts after each response. */
static void test_idle_after_response(void **state)
{
	(void)state;
	t_open(&tc);
	now += HTTP_IDLE_MS - 10;
	t_feeds(&tc, "GET /a HTTP/1.1\r\n\r\n");
	http_conn_poll(now + HTTP_IDLE_MS - 1);
	assert_int_equal(tc.closed, 0);
	http_conn_poll(now + HTTP_IDLE_MS);
	assert_int_equal(tc.closed, 1);
}

static void test_deferred(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /defer HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
	assert_ptr_equal(api.deferred, tc.c);
	assert_int_equal(tc.sent_len, 0);
	assert_false(http_conn_wants_input(tc.c));
	/* No timeout while the API holds the request. */
	now += 10 * HTTP_IDLE_MS;
	http_conn_poll(now);
	assert_int_equal(tc.closed, 0);
	http_respond(tc.c, 200, "application/json", "{\"late\":1}", 10);
	assert_memory_equal(one(&tc, 200)->body, "{\"late\":1}", 10);
	/* A second answer to the same request is ignored. */
	http_respond(tc.c, 500, NULL, "", 0);
	assert_int_equal(responses(&tc, rs, 3, false), 1);
	assert_true(http_conn_wants_input(tc.c));
	t_feeds(&tc, "GET /next HTTP/1.1\r\n\r\n");
	assert_int_equal(api.calls, 2);
	assert_int_equal(responses(&tc, rs, 3, false), 2);
	http_conn_gone(tc.c);
	api.deferred = NULL;
	assert_int_equal(api.gone_calls, 0);
}

/* The client leaves during a deferral: the API hears it once, late answers go nowhere. */
static void test_gone_during_deferral(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /defer HTTP/1.1\r\n\r\n");
	http_conn_gone(tc.c);
	assert_int_equal(api.gone_calls, 1);
	assert_ptr_equal(api.gone, tc.c);
	http_respond(tc.c, 200, "text/plain", "x", 1);
	assert_int_equal(tc.sent_len, 0);
	assert_int_equal(api.gone_calls, 1);
	/* The same through an orderly close (FIN) from the client. */
	t_open(&tc2);
	t_feeds(&tc2, "GET /defer HTTP/1.1\r\n\r\n");
	http_conn_input_eof(tc2.c, now);
	assert_int_equal(api.gone_calls, 2);
	assert_ptr_equal(api.gone, tc2.c);
	assert_int_equal(tc2.closed, 1);
	assert_int_equal(tc2.sent_len, 0);
	api.deferred = NULL;
}

static void test_head(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "HEAD /echo HTTP/1.1\r\n\r\n");
	assert_int_equal(api.last.method, HTTP_M_HEAD);
	assert_int_equal(responses(&tc, rs, 3, true), 1);
	assert_int_equal(rs[0].status, 200);
	assert_has(&rs[0], "Content-Length: 5\n");
	assert_int_equal(rs[0].body_len, 0);
	assert_memory_equal(tc.sent + tc.sent_len - 4, "\r\n\r\n", 4);
	http_conn_gone(tc.c);
}

static void test_extra_headers(void **state)
{
	struct resp *r;

	(void)state;
	t_open(&tc);
	t_feeds(&tc, "POST /header HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
	r = one(&tc, 202);
	assert_has(r, "Location: /api/v1/tasks/7\n");
	assert_null(strstr(r->headers, "Evil"));
	assert_null(strstr(r->headers, "Set-Cookie"));
	assert_null(strstr(r->headers, "NoColon"));
	assert_null(strstr(r->headers, "no name"));
	assert_null(strstr(r->headers, "X-Bin"));
	assert_has(r, "Retry-After: 1\n");
	/* Extra headers belong to one response only. */
	t_feeds(&tc, "GET /a HTTP/1.1\r\n\r\n");
	assert_int_equal(responses(&tc, rs, 3, false), 2);
	assert_null(strstr(rs[1].headers, "Location"));
	http_conn_gone(tc.c);
}

static void test_api_faults(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /big HTTP/1.1\r\n\r\n");
	assert_error(one(&tc, 500), "0x80004005");
	assert_int_equal(tc.closed, 1);
	t_open(&tc);
	t_feeds(&tc, "GET /silent HTTP/1.1\r\n\r\n");
	assert_error(one(&tc, 500), "0x80004005");
	assert_int_equal(tc.closed, 1);
}

/* A client that stops reading is reset after HTTP_IDLE_MS without progress. */
static void test_stalled_output(void **state)
{
	(void)state;
	t_open(&tc);
	tc.budget = 20;
	t_feeds(&tc, "GET /stall HTTP/1.1\r\n\r\n");
	http_conn_poll(now + HTTP_IDLE_MS - 1);
	assert_int_equal(tc.closed, 0);
	tc.budget = 5;
	now += HTTP_IDLE_MS - 1;
	http_conn_output_ready(tc.c, now);
	http_conn_poll(now + HTTP_IDLE_MS - 1);
	assert_int_equal(tc.closed, 0);
	http_conn_poll(now + HTTP_IDLE_MS);
	assert_int_equal(tc.closed, 1);
	assert_true(tc.aborted);
}

/* A FIN while a response is still going out: the rest is sent, then the close. */
static void test_eof_while_sending(void **state)
{
	(void)state;
	t_open(&tc);
	tc.budget = 10;
	t_feeds(&tc, "GET /a HTTP/1.1\r\n\r\n");
	http_conn_input_eof(tc.c, now);
	assert_int_equal(tc.closed, 0);
	tc.budget = SIZE_MAX;
	http_conn_output_ready(tc.c, now);
	one(&tc, 200);
	assert_int_equal(tc.closed, 1);
	assert_false(tc.aborted);
}

/*
 * Credentials over plain HTTP never reach the API (they have crossed the
 * network in clear), unless hv.cfg allows it; a request without them
 * does; over TLS the API learns the request was secure, and whose
 * client certificate came with it.
 */
static void test_plain_credentials(void **state)
{
	const char *with = "GET /echo HTTP/1.1\r\nAuthorization: Bearer tok\r\n\r\n";
	const char *without = "GET /echo HTTP/1.1\r\n\r\n";
	struct resp *r;

	(void)state;
	t_open_on(&tc, &plain_transport);
	t_feeds(&tc, with);
	assert_int_equal(api.calls, 0);
	r = one(&tc, 403);
	assert_error(r, "0x80070005");
	assert_non_null(strstr(r->body, "credentials over plain HTTP are refused"));
	assert_int_equal(tc.closed, 1);
	t_open_on(&tc, &plain_transport);
	t_feeds(&tc, "GET /echo HTTP/1.1\r\nX-Auth-Token: 0123abcd\r\n\r\n");
	assert_int_equal(api.calls, 0);
	one(&tc, 403);
	t_open_on(&tc, &plain_transport);
	t_feeds(&tc, without);
	assert_int_equal(api.calls, 1);
	assert_false(api.last.secure);
	assert_null(api.last.client_subject);
	http_conn_input_eof(tc.c, now);
	http_allow_plain_credentials(true);
	t_open_on(&tc, &plain_transport);
	t_feeds(&tc, with);
	http_allow_plain_credentials(false);
	assert_int_equal(api.calls, 2);
	http_conn_input_eof(tc.c, now);
	t_open(&tc);
	t_feeds(&tc, with);
	assert_int_equal(api.calls, 3);
	assert_true(api.last.secure);
	assert_string_equal(api.last.client_subject, "CN=operator alice");
	http_conn_input_eof(tc.c, now);
}

static void test_request_headers_kept(void **state)
{
	char rq[512];

	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /a HTTP/1.1\r\nX-Auth-Token: 0123abcd\r\n"
		     "If-None-Match: W/\"1a2b\", *\r\n\r\n");
	assert_string_equal(api.last.x_auth_token, "0123abcd");
	assert_string_equal(api.last.if_none_match, "W/\"1a2b\", *");
	one(&tc, 200);
	http_conn_gone(tc.c);
	/* A second X-Auth-Token is refused; a second If-None-Match (a list split in two) ignored. */
	t_open(&tc);
	t_feeds(&tc, "GET /a HTTP/1.1\r\nX-Auth-Token: a\r\nx-auth-token: b\r\n\r\n");
	assert_error(one(&tc, 400), "0x80070057");
	assert_int_equal(api.calls, 1);
	t_open(&tc);
	t_feeds(&tc, "GET /a HTTP/1.1\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n\r\n");
	assert_string_equal(api.last.if_none_match, "");
	http_conn_gone(tc.c);
	/* Too long: 431 for the token, absent for the precondition. */
	t_open(&tc);
	snprintf(rq, sizeof(rq), "GET /a HTTP/1.1\r\nIf-None-Match: %0100d\r\n\r\n", 0);
	t_feeds(&tc, rq);
	assert_string_equal(api.last.if_none_match, "");
	http_conn_gone(tc.c);
	t_open(&tc);
	snprintf(rq, sizeof(rq), "GET /a HTTP/1.1\r\nX-Auth-Token: %0100d\r\n\r\n", 0);
	t_feeds(&tc, rq);
	assert_error(one(&tc, 431), "0x80070057");
}

/* A stream: its head without a length, then writes as they come, then its end. */
static void test_stream(void **state)
{
	static char chunk[1000];
	unsigned taken = 0;

	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /stream HTTP/1.1\r\n\r\n");
	tc.sent[tc.sent_len] = '\0';
	assert_non_null(strstr(tc.sent, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(tc.sent, "Content-Type: text/event-stream\r\n"));
	assert_non_null(strstr(tc.sent, "Connection: close\r\nX-Stream: 1\r\n\r\n"));
	assert_null(strstr(tc.sent, "Content-Length"));
	/* It reads no further requests. */
	assert_false(http_conn_wants_input(tc.c));
	assert_int_equal(t_feeds(&tc, "GET /a HTTP/1.1\r\n\r\n"), 0);
	assert_true(http_stream_write(api.stream, "data: 1\n\n", 9));
	tc.sent[tc.sent_len] = '\0';
	assert_non_null(strstr(tc.sent, "\r\n\r\ndata: 1\n\n"));
	/* A client that does not read: writes queue up to the buffer, then are refused whole. */
	tc.budget = 0;
	memset(chunk, 'x', sizeof(chunk));
	while (http_stream_write(api.stream, chunk, sizeof(chunk)))
		taken++;
	assert_int_equal(taken, HTTP_MAX_RESPONSE / sizeof(chunk));
	assert_true(http_stream_write(api.stream, chunk, HTTP_MAX_RESPONSE % sizeof(chunk)));
	assert_false(http_stream_write(api.stream, "y", 1));
	/* It reads again: the queue drains and takes writes again. */
	tc.budget = SIZE_MAX;
	http_conn_output_ready(tc.c, now);
	assert_true(http_stream_write(api.stream, "data: 2\n\n", 9));
	http_stream_end(api.stream);
	assert_int_equal(tc.closed, 1);
	assert_false(tc.aborted);
	assert_int_equal(api.gone_calls, 0);
	assert_int_equal(memcmp(tc.sent + tc.sent_len - 9, "data: 2\n\n", 9), 0);
}

/* A stream's client that leaves, or stops reading, ends it: the API is told. */
static void test_stream_endings(void **state)
{
	(void)state;
	t_open(&tc);
	t_feeds(&tc, "GET /stream HTTP/1.1\r\n\r\n");
	http_conn_input_eof(tc.c, now);
	assert_int_equal(tc.closed, 1);
	assert_int_equal(api.gone_calls, 1);
	assert_ptr_equal(api.gone, api.stream);
	assert_false(http_stream_write(api.stream, "x", 1));
	t_open(&tc);
	t_feeds(&tc, "GET /stream HTTP/1.1\r\n\r\n");
	/* Idle with nothing to send is fine for ever... */
	http_conn_poll(now + 10 * HTTP_IDLE_MS);
	assert_int_equal(tc.closed, 0);
	/* ...but output that waits HTTP_IDLE_MS resets the connection. */
	tc.budget = 0;
	now += 10 * HTTP_IDLE_MS;
	assert_true(http_stream_write(api.stream, "data: x\n\n", 9));
	http_conn_poll(now + HTTP_IDLE_MS - 1);
	assert_int_equal(tc.closed, 0);
	http_conn_poll(now + HTTP_IDLE_MS);
	assert_int_equal(tc.closed, 1);
	assert_true(tc.aborted);
	assert_int_equal(api.gone_calls, 2);
	/* A transport that loses it says so too. */
	t_open(&tc);
	t_feeds(&tc, "GET /stream HTTP/1.1\r\n\r\n");
	http_conn_gone(tc.c);
	assert_int_equal(api.gone_calls, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelining, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http10, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_continue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_after_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_during_deferral, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extra_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof_while_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_credentials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_headers_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_endings, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
