/*
 * The http.h double for the API's host tests (api_fake_backend.h): a
 * connection is a number, http_respond records the answer and the
 * headers added before it, a stream records what was written to it; the
 * server's refusals are what the test puts in fake_refusals.
 */
#include "api_fake_backend.h"

#include <stdio.h>
#include <string.h>

#define FAKE_CONNS 128u

struct http_conn {
	struct fake_answer answer;
	char pending_headers[512];
};

static struct http_conn conns[FAKE_CONNS];
struct http_status_count fake_refusals[4];
bool fake_plain_credentials = true;

struct http_conn *fake_conn(unsigned n)
{
	return &conns[n % FAKE_CONNS];
}

struct fake_answer *fake_answer(struct http_conn *c)
{
	return &c->answer;
}

void fake_http_reset(void)
{
	memset(conns, 0, sizeof(conns));
	memset(fake_refusals, 0, sizeof(fake_refusals));
	fake_plain_credentials = true;
}

bool http_credentials_allowed(const struct http_request *rq)
{
	return rq->secure || fake_plain_credentials;
}

const struct http_status_count *http_refusal_counts(unsigned *n)
{
	*n = http_status_count_used(fake_refusals, sizeof(fake_refusals) / sizeof(fake_refusals[0]));
	return fake_refusals;
}

void http_add_header(struct http_conn *c, const char *line)
{
	size_t len = strlen(c->pending_headers);

	snprintf(c->pending_headers + len, sizeof(c->pending_headers) - len, "%s\n", line);
}

void http_respond(struct http_conn *c, int status, const char *content_type, const char *body,
		  size_t len)
{
	struct fake_answer *a = &c->answer;

	a->status = status;
	snprintf(a->content_type, sizeof(a->content_type), "%s", content_type);
	if (len >= sizeof(a->body))
		len = sizeof(a->body) - 1;
	memcpy(a->body, body, len);
	a->body[len] = '\0';
	a->len = len;
	memcpy(a->headers, c->pending_headers, sizeof(a->headers));
	c->pending_headers[0] = '\0';
	a->answers++;
}

bool http_stream_begin(struct http_conn *c, int status, const char *content_type)
{
	struct fake_answer *a = &c->answer;

	a->status = status;
	snprintf(a->content_type, sizeof(a->content_type), "%s", content_type);
	memcpy(a->headers, c->pending_headers, sizeof(a->headers));
	c->pending_headers[0] = '\0';
	a->streaming = true;
	a->stream_len = 0;
	a->stream[0] = '\0';
	a->answers++;
	return true;
}

bool http_stream_write(struct http_conn *c, const char *data, size_t len)
{
	struct fake_answer *a = &c->answer;
	size_t cap = a->stream_cap ? a->stream_cap : sizeof(a->stream) - 1;

	if (!a->streaming || a->stream_ended || len > cap - a->stream_len)
		return false;
	memcpy(a->stream + a->stream_len, data, len);
	a->stream_len += len;
	a->stream[a->stream_len] = '\0';
	return true;
}

void http_stream_end(struct http_conn *c)
{
	c->answer.stream_ended = true;
}
