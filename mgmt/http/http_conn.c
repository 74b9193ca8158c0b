/*
 * The HTTP/1.1 server's core, independent of the transport (see
 * http_conn.h): per connection an llhttp parser that collects one request
 * (path, query, Authorization, Content-Type, body), the limits of http.h,
 * the hand-over to api_handle, keep-alive and pipelining, deferred
 * responses and timeouts.
 *
 * A connection is in one of four states: READ (parsing a request),
 * API (a complete request is with the API, maybe deferred), SEND (the
 * response is in `out`, partly handed to the transport) and STREAM (a
 * response of unknown length: `out` is a queue the API appends to until
 * it ends the stream or the client goes).  llhttp is
 * paused at the end of each request, so a pipelined request is parsed only
 * after the previous one's response went out entirely; it is also paused
 * at the end of the headers, which is how the header bytes are counted
 * exactly against HTTP_MAX_HEADER.
 */
#include "http_conn.h"

#include <common/hresult.h>

#include <lib/string.h>
#include <llhttp.h>

#define HTTP_MAX_EXTRA 512u   /* http_add_header lines of one response */

enum conn_state { CS_FREE, CS_READ, CS_API, CS_SEND, CS_STREAM };
enum hdr_kind { HK_OTHER, HK_AUTH, HK_CTYPE, HK_EXPECT, HK_XAUTH, HK_INM };

struct http_conn {
	enum conn_state state;
	const struct http_transport *t;
	void *ctx;
	llhttp_t parser;
	uint64_t since_ms;          /* READ: waiting since; SEND: last progress */
	bool started;               /* READ: a request began (408 on timeout) */
	bool answered_one;          /* a response went out: HTTP_IDLE_MS, not HTTP_FIRST_MS */
	bool in_headers;            /* READ: still before the end of the headers */
	bool headers_done;          /* READ: llhttp paused at the end of the headers */
	bool run_on;                /* READ: resumed there; run llhttp even without bytes */
	bool msg_complete;          /* READ: a request is ready for the API */
	bool close_after;           /* close once the output is sent */
	size_t hdr_bytes;           /* request line + headers so far */
	int fail_status;            /* set by a callback that rejected the request */
	uint32_t fail_hr;
	const char *fail_msg;
	char field[16];             /* the header name being read, if it is short */
	size_t field_len;
	enum hdr_kind hkind;
	bool seen_auth, seen_ctype, seen_xauth, seen_inm, in_query;
	char expect[16];            /* the Expect header, if short */
	size_t expect_len;
	size_t path_len, query_len, auth_len, ctype_len, xauth_len, inm_len;
	uint32_t peer;
	struct http_request rq;
	char body[HTTP_MAX_BODY];
	char extra[HTTP_MAX_EXTRA];
	size_t extra_len;
	char out[HTTP_MAX_RESPONSE];
	size_t out_len, out_off;
};

static struct http_conn conns[HTTP_MAX_CONNS];
static uint64_t now_ms;   /* the latest time a transport or the poll gave */
static bool plain_credentials;   /* http_allow_plain_credentials */
/* Room for every status the server answers itself (http.h: http_refusal_counts). */
#define REFUSAL_KINDS 10u
static struct http_status_count refusals[REFUSAL_KINDS];

static void conn_flush(struct http_conn *c);

static struct http_conn *conn_of(llhttp_t *p)
{
	return p->data;
}

/* Remembers why the request is refused; the callback then returns -1. */
static int reject(struct http_conn *c, int status, const char *msg)
{
	c->fail_status = status;
	c->fail_hr = E_INVALIDARG;
	c->fail_msg = msg;
	return -1;
}

/* Appends at/len to a NUL-terminated field of capacity cap; false on overflow. */
static bool field_append(char *dst, size_t cap, size_t *len, const char *at, size_t n)
{
	bool ok = n < cap - *len;

	if (ok) {
		memcpy(dst + *len, at, n);
		*len += n;
		dst[*len] = '\0';
	}
	return ok;
}

static int on_message_begin(llhttp_t *p)
{
	struct http_conn *c = conn_of(p);

	c->started = true;
	c->path_len = c->query_len = c->auth_len = c->ctype_len = c->field_len = 0;
	c->expect_len = c->xauth_len = c->inm_len = 0;
	c->seen_auth = c->seen_ctype = c->seen_xauth = c->seen_inm = c->in_query = false;
	c->hkind = HK_OTHER;
	memset(&c->rq, 0, sizeof(c->rq));
	c->rq.body = c->body;
	c->rq.peer = c->peer;
	return 0;
}

static int on_url(llhttp_t *p, const char *at, size_t len)
{
	struct http_conn *c = conn_of(p);
	int r = 0;

	for (size_t i = 0; i < len && r == 0; i++) {
		if (!c->in_query && at[i] == '?')
			c->in_query = true;
		else if (!c->in_query && !field_append(c->rq.path, sizeof(c->rq.path), &c->path_len, at + i, 1))
			r = reject(c, 414, "request path too long");
		else if (c->in_query && !field_append(c->rq.query, sizeof(c->rq.query), &c->query_len, at + i, 1))
			r = reject(c, 414, "request query too long");
	}
	return r;
}

static int on_header_field(llhttp_t *p, const char *at, size_t len)
{
	struct http_conn *c = conn_of(p);

	/* Longer names are none of ours: they only have to stop matching. */
	if (!field_append(c->field, sizeof(c->field), &c->field_len, at, len))
		c->field_len = sizeof(c->field);
	return 0;
}

/* ASCII case-insensitive: s (len bytes) is name (lower case). */
static bool same_token(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);
	bool same = len == n;

	for (size_t i = 0; same && i < n; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		same = ch == name[i];
	}
	return same;
}

static bool name_is(const struct http_conn *c, const char *name)
{
	return same_token(c->field, c->field_len, name);
}

/*
 * If-None-Match only spares a body: one that does not fit, or a list
 * split over two headers, counts as absent.
 */
static void inm_drop(struct http_conn *c)
{
	c->rq.if_none_match[0] = '\0';
	c->hkind = HK_OTHER;
}

static int on_header_field_complete(llhttp_t *p)
{
	struct http_conn *c = conn_of(p);
	int r = 0;

	c->hkind = HK_OTHER;
	if (name_is(c, "authorization")) {
		c->hkind = HK_AUTH;
		r = c->seen_auth ? reject(c, 400, "duplicate Authorization header") : 0;
		c->seen_auth = true;
	} else if (name_is(c, "content-type")) {
		c->hkind = HK_CTYPE;
		r = c->seen_ctype ? reject(c, 400, "duplicate Content-Type header") : 0;
		c->seen_ctype = true;
	} else if (name_is(c, "expect")) {
		c->hkind = HK_EXPECT;
		c->expect_len = 0;
	} else if (name_is(c, "x-auth-token")) {
		c->hkind = HK_XAUTH;
		r = c->seen_xauth ? reject(c, 400, "duplicate X-Auth-Token header") : 0;
		c->seen_xauth = true;
	} else if (name_is(c, "if-none-match")) {
		c->hkind = HK_INM;
		if (c->seen_inm)
			inm_drop(c);
		c->seen_inm = true;
	}
	c->field_len = 0;
	return r;
}

static int on_header_value(llhttp_t *p, const char *at, size_t len)
{
	struct http_conn *c = conn_of(p);
	int r = 0;

	if (c->hkind == HK_AUTH &&
	    !field_append(c->rq.authorization, sizeof(c->rq.authorization), &c->auth_len, at, len))
		r = reject(c, 431, "Authorization header too long");
	else if (c->hkind == HK_CTYPE &&
		 !field_append(c->rq.content_type, sizeof(c->rq.content_type), &c->ctype_len, at, len))
		r = reject(c, 431, "Content-Type header too long");
	else if (c->hkind == HK_EXPECT &&
		 !field_append(c->expect, sizeof(c->expect), &c->expect_len, at, len))
		c->expect_len = sizeof(c->expect);   /* no expectation of ours */
	else if (c->hkind == HK_XAUTH &&
		 !field_append(c->rq.x_auth_token, sizeof(c->rq.x_auth_token), &c->xauth_len, at, len))
		r = reject(c, 431, "X-Auth-Token header too long");
	else if (c->hkind == HK_INM &&
		 !field_append(c->rq.if_none_match, sizeof(c->rq.if_none_match), &c->inm_len, at, len))
		inm_drop(c);
	return r;
}

static int on_header_value_complete(llhttp_t *p)
{
	conn_of(p)->hkind = HK_OTHER;
	return 0;
}

static enum http_method method_of(uint8_t m)
{
	enum http_method r = HTTP_M_OTHER;

	switch (m) {
	case HTTP_GET: r = HTTP_M_GET; break;
	case HTTP_PUT: r = HTTP_M_PUT; break;
	case HTTP_POST: r = HTTP_M_POST; break;
	case HTTP_PATCH: r = HTTP_M_PATCH; break;
	case HTTP_DELETE: r = HTTP_M_DELETE; break;
	case HTTP_HEAD: r = HTTP_M_HEAD; break;
	default: break;
	}
	return r;
}

/*
 * A client that sent Expect: 100-continue waits (curl: 1 s) for this before
 * the body.  Output is idle while a request is read; should the transport
 * lack the room, the client's own wait still gets the body here.
 */
static void conn_continue(struct http_conn *c)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (c->parser.http_major == 1 && c->parser.http_minor >= 1 &&
	    c->t->space(c->ctx) >= sizeof(cont) - 1)
		c->t->send(c->ctx, cont, sizeof(cont) - 1);
}

static int on_headers_complete(llhttp_t *p)
{
	struct http_conn *c = conn_of(p);
	int r = HPE_PAUSED;   /* lets conn_parse count the header bytes exactly */

	c->headers_done = true;
	c->rq.method = method_of(p->method);
	c->rq.method_name = llhttp_method_name((llhttp_method_t)p->method);
	if ((p->flags & F_CONTENT_LENGTH) && p->content_length > HTTP_MAX_BODY)
		r = reject(c, 413, "request body too large");
	else if (same_token(c->expect, c->expect_len, "100-continue"))
		conn_continue(c);
	return r;
}

static int on_body(llhttp_t *p, const char *at, size_t len)
{
	struct http_conn *c = conn_of(p);
	int r = 0;

	if (len > HTTP_MAX_BODY - c->rq.body_len) {
		r = reject(c, 413, "request body too large");
	} else {
		memcpy(c->body + c->rq.body_len, at, len);
		c->rq.body_len += len;
	}
	return r;
}

static int on_message_complete(llhttp_t *p)
{
	struct http_conn *c = conn_of(p);

	c->rq.keep_alive = llhttp_should_keep_alive(p) && !p->upgrade;
	c->rq.now_ms = now_ms;
	c->msg_complete = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_field_complete = on_header_field_complete,
	.on_header_value = on_header_value,
	.on_header_value_complete = on_header_value_complete,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

/* Frees c first, so that nothing the transport does in close reaches it. */
static void conn_close(struct http_conn *c, bool abort)
{
	c->state = CS_FREE;
	c->t->close(c->ctx, abort);
}

/* Ready for the next request (a new connection or the previous response sent). */
static void conn_ready(struct http_conn *c)
{
	c->state = CS_READ;
	c->since_ms = now_ms;
	c->started = c->msg_complete = c->headers_done = c->run_on = false;
	c->in_headers = true;
	c->hdr_bytes = 0;
	c->fail_status = 0;
	llhttp_resume(&c->parser);
}

static void conn_send(struct http_conn *c, size_t len)
{
	c->state = CS_SEND;
	c->out_len = len;
	c->out_off = 0;
	c->since_ms = now_ms;
	conn_flush(c);
}

static void conn_flush(struct http_conn *c)
{
	size_t n = 1;

	while (c->out_off < c->out_len && n > 0) {
		n = c->t->send(c->ctx, c->out + c->out_off, c->out_len - c->out_off);
		c->out_off += n;
		if (n > 0)
			c->since_ms = now_ms;
	}
	if (c->out_off == c->out_len && c->state == CS_STREAM && !c->close_after) {
		c->out_off = c->out_len = 0;    /* the stream's queue is empty: it goes on */
	} else if (c->out_off == c->out_len) {
		c->answered_one = true;
		if (c->close_after)
			conn_close(c, false);
		else
			conn_ready(c);
	}
}

/*
 * An error the server answers itself; the connection closes after it (so
 * a body after a refused HEAD cannot be mistaken for the next response).
 */
static void conn_fail(struct http_conn *c, int status, uint32_t hr, const char *msg)
{
	char body[192];
	size_t blen = http_format_error_body(body, sizeof(body), hr, msg);
	bool head = c->state == CS_API && c->rq.method == HTTP_M_HEAD;

	c->close_after = true;
	c->extra[0] = '\0';
	c->extra_len = 0;
	http_status_count_add(refusals, REFUSAL_KINDS, status);
	conn_send(c, http_format_response(c->out, sizeof(c->out), status, "application/json", body,
					  blen, head, false, NULL));
}

/* "Name: value": a token, a colon, then visible ASCII, spaces and tabs only. */
static bool header_line_ok(const char *line, size_t n)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	size_t i = 0;
	bool ok;

	while (i < n && ((line[i] >= '0' && line[i] <= '9') || (line[i] >= 'a' && line[i] <= 'z') ||
			 (line[i] >= 'A' && line[i] <= 'Z') || (line[i] && strchr(tchar, line[i]))))
		i++;
	ok = i > 0 && i < n && line[i] == ':';
	/* No CR or LF (which would forge headers or a body), nothing invisible. */
	for (i++; ok && i < n; i++)
		ok = line[i] == '\t' || (line[i] >= ' ' && line[i] <= '~');
	return ok;
}

void http_add_header(struct http_conn *c, const char *line)
{
	size_t n = strlen(line);

	if (c && c->state == CS_API && header_line_ok(line, n) &&
	    n + 2 < sizeof(c->extra) - c->extra_len) {
		memcpy(c->extra + c->extra_len, line, n);
		memcpy(c->extra + c->extra_len + n, "\r\n", 3);
		c->extra_len += n + 2;
	}
}

void http_respond(struct http_conn *c, int status, const char *content_type, const char *body,
		  size_t len)
{
	size_t n;
	bool keep;

	if (!c || c->state != CS_API)
		return;
	keep = c->rq.keep_alive && !c->close_after;
	n = http_format_response(c->out, sizeof(c->out), status, content_type, body, len,
				 c->rq.method == HTTP_M_HEAD, keep, c->extra);
	c->close_after = !keep;
	c->extra[0] = '\0';
	c->extra_len = 0;
	if (n == 0)
		conn_fail(c, 500, E_FAIL, "response too large");
	else
		conn_send(c, n);
}

bool http_stream_begin(struct http_conn *c, int status, const char *content_type)
{
	size_t n;

	if (!c || c->state != CS_API)
		return false;
	n = http_format_stream_head(c->out, sizeof(c->out), status, content_type, c->extra);
	c->extra[0] = '\0';
	c->extra_len = 0;
	if (n == 0)
		return false;   /* still CS_API: the API answers otherwise */
	c->state = CS_STREAM;
	c->close_after = false;
	c->out_len = n;
	c->out_off = 0;
	c->since_ms = now_ms;
	conn_flush(c);
	return true;
}

bool http_stream_write(struct http_conn *c, const char *data, size_t len)
{
	if (!c || c->state != CS_STREAM || c->close_after)
		return false;
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (len > sizeof(c->out) - c->out_len)
		return false;
	if (c->out_len == 0)
		c->since_ms = now_ms;   /* output waits from now: the stall clock starts */
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	conn_flush(c);
	return true;
}

void http_stream_end(struct http_conn *c)
{
	if (c && c->state == CS_STREAM) {
		c->close_after = true;
		conn_flush(c);
	}
}

void http_allow_plain_credentials(bool allow)
{
	plain_credentials = allow;
}

bool http_credentials_allowed(const struct http_request *rq)
{
	return rq->secure || plain_credentials;
}

/* Gives the complete request to the API, unless it bears credentials in clear. */
static void conn_dispatch(struct http_conn *c)
{
	enum api_disposition d;

	c->msg_complete = false;
	c->state = CS_API;
	c->rq.secure = c->t->secure;
	c->rq.client_subject = c->t->subject ? c->t->subject(c->ctx) : NULL;
	if ((c->rq.authorization[0] || c->rq.x_auth_token[0]) && !http_credentials_allowed(&c->rq)) {
		conn_fail(c, 403, E_ACCESSDENIED,
			  "credentials over plain HTTP are refused: use HTTPS");
		return;
	}
	d = api_handle(c, &c->rq);
	if (d == API_ANSWERED && c->state == CS_API)
		conn_fail(c, 500, E_FAIL, "the API gave no answer");
}

/* One llhttp_execute over data; returns the bytes it consumed. */
static size_t conn_parse(struct http_conn *c, const char *data, size_t len)
{
	llhttp_errno_t err = llhttp_execute(&c->parser, data, len);
	size_t used = len;

	const char *pos = llhttp_get_error_pos(&c->parser);
	bool paused = err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE;

	c->run_on = false;
	if (paused && pos >= data && pos <= data + len) {
		used = (size_t)(pos - data);
		/*
		 * The pause at the end of the headers only marks where they end;
		 * a request without a body completes only when llhttp runs on,
		 * which it does without input.  (An upgrade pauses only after
		 * on_message_complete, which closes the connection.)
		 */
		if (!c->msg_complete && err == HPE_PAUSED) {
			llhttp_resume(&c->parser);
			c->run_on = true;
		}
	}
	if (err != HPE_OK && !c->run_on && !c->msg_complete && c->fail_status == 0) {
		c->fail_status = 400;
		c->fail_hr = E_INVALIDARG;
		c->fail_msg = "malformed HTTP request";
	}
	if (c->in_headers) {
		c->hdr_bytes += used;
		c->in_headers = !c->headers_done;
		if (c->hdr_bytes > HTTP_MAX_HEADER && c->fail_status == 0) {
			c->fail_status = 431;
			c->fail_hr = E_INVALIDARG;
			c->fail_msg = "request line and headers too large";
		}
	}
	return used;
}

size_t http_conn_input(struct http_conn *c, const char *data, size_t len, uint64_t now)
{
	size_t used = 0;

	now_ms = now;
	while ((used < len || c->run_on) && c->state == CS_READ) {
		used += conn_parse(c, data + used, len - used);
		if (c->fail_status)
			conn_fail(c, c->fail_status, c->fail_hr, c->fail_msg);
		else if (c->msg_complete)
			conn_dispatch(c);
	}
	return used;
}

struct http_conn *http_conn_open(const struct http_transport *t, void *ctx, uint64_t now)
{
	struct http_conn *c = NULL;

	now_ms = now;
	for (size_t i = 0; i < HTTP_MAX_CONNS && !c; i++) {
		if (conns[i].state == CS_FREE)
			c = &conns[i];
	}
	if (c) {
		c->t = t;
		c->ctx = ctx;
		c->close_after = false;
		c->answered_one = false;
		c->peer = 0;
		c->extra_len = 0;
		c->extra[0] = '\0';
		llhttp_init(&c->parser, HTTP_REQUEST, &settings);
		c->parser.data = c;
		conn_ready(c);
	} else {
		char body[192], out[512];
		size_t blen = http_format_error_body(body, sizeof(body), VM_E_OUT_OF_RESOURCE,
						     "too many connections");
		size_t n = http_format_response(out, sizeof(out), 503, "application/json", body,
						blen, false, false, "Retry-After: 1\r\n");

		http_status_count_add(refusals, REFUSAL_KINDS, 503);
		t->send(ctx, out, n);
		t->close(ctx, false);
	}
	return c;
}

void http_conn_set_peer(struct http_conn *c, uint32_t peer)
{
	c->peer = peer;
}

const struct http_status_count *http_refusal_counts(unsigned *n)
{
	*n = http_status_count_used(refusals, REFUSAL_KINDS);
	return refusals;
}

void http_conn_input_eof(struct http_conn *c, uint64_t now)
{
	now_ms = now;
	if (c->state == CS_SEND) {
		c->close_after = true;
	} else if (c->state == CS_API || c->state == CS_STREAM) {
		/* A deferred request or a stream whose client left: the API drops it. */
		conn_close(c, false);
		api_conn_gone(c);
	} else if (c->state == CS_READ) {
		conn_close(c, false);
	}
}

bool http_conn_wants_input(const struct http_conn *c)
{
	return c->state == CS_READ;
}

void http_conn_output_ready(struct http_conn *c, uint64_t now)
{
	now_ms = now;
	if (c->state == CS_SEND || c->state == CS_STREAM)
		conn_flush(c);
}

void http_conn_gone(struct http_conn *c)
{
	enum conn_state was = c->state;

	c->state = CS_FREE;
	if (was == CS_API || was == CS_STREAM)
		api_conn_gone(c);
}

/* A stream's client stopped reading: reset, and the API forgets the stream. */
static void stream_stalled(struct http_conn *c)
{
	conn_close(c, true);
	api_conn_gone(c);
}

void http_conn_poll(uint64_t now)
{
	now_ms = now;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		struct http_conn *c = &conns[i];
		uint64_t limit = c->state == CS_READ && !c->answered_one ? HTTP_FIRST_MS : HTTP_IDLE_MS;
		bool expired = now - c->since_ms >= limit;

		if (c->state == CS_READ && expired && c->started)
			conn_fail(c, 408, VM_E_TIMED_OUT, "request not completed in time");
		else if (c->state == CS_READ && expired)
			conn_close(c, false);
		else if (c->state == CS_SEND && expired)
			conn_close(c, true);   /* the client stopped reading */
		else if (c->state == CS_STREAM && c->out_off < c->out_len && expired)
			stream_stalled(c);
	}
}

unsigned http_conn_count(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		n += conns[i].state != CS_FREE;
	return n;
}
