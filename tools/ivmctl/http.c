/*
 * HTTP/1.1 for ivmctl: requests are formatted here; responses are read
 * by llhttp (Debian's node-llhttp sources), fed as bytes arrive, into
 * struct ivm_response: status, reason, the headers ivmctl acts on
 * (Location, Retry-After) and the body.  The body is capped, so a broken
 * or hostile server cannot make the client grow without bound.
 */
#include "ivmctl.h"

#include <llhttp.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BODY_MAX (16u << 20)
#define FIELD_MAX 64u
#define VALUE_MAX 256u

struct ivm_http_reader {
	llhttp_t parser;
	llhttp_settings_t settings;
	struct ivm_response *resp;
	size_t body_cap;
	char field[FIELD_MAX];
	size_t field_len;
	char value[VALUE_MAX];
	size_t value_len;
	bool oversized;
};

static struct ivm_http_reader *reader_of(llhttp_t *p)
{
	return p->data;
}

/* Appends to a fixed buffer, silently cut (headers we keep are short). */
static void append_cut(char *dst, size_t *len, size_t cap, const char *at, size_t n)
{
	size_t room = cap - 1 - *len;

	if (n > room)
		n = room;
	memcpy(dst + *len, at, n);
	*len += n;
	dst[*len] = '\0';
}

static int on_status(llhttp_t *p, const char *at, size_t n)
{
	struct ivm_response *resp = reader_of(p)->resp;
	size_t len = strlen(resp->reason);

	append_cut(resp->reason, &len, sizeof(resp->reason), at, n);
	return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t n)
{
	struct ivm_http_reader *r = reader_of(p);

	append_cut(r->field, &r->field_len, sizeof(r->field), at, n);
	return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t n)
{
	struct ivm_http_reader *r = reader_of(p);

	append_cut(r->value, &r->value_len, sizeof(r->value), at, n);
	return 0;
}

static int on_header_value_complete(llhttp_t *p)
{
	struct ivm_http_reader *r = reader_of(p);

	if (strcasecmp(r->field, "Location") == 0) {
		snprintf(r->resp->location, sizeof(r->resp->location), "%s", r->value);
	} else if (strcasecmp(r->field, "Retry-After") == 0) {
		unsigned long s = strtoul(r->value, NULL, 10);

		r->resp->retry_after = s > 60 ? 60 : (unsigned)s;
	}
	r->field_len = r->value_len = 0;
	r->field[0] = r->value[0] = '\0';
	return 0;
}

static int on_headers_complete(llhttp_t *p)
{
	reader_of(p)->resp->status = p->status_code;
	return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t n)
{
	struct ivm_http_reader *r = reader_of(p);
	struct ivm_response *resp = r->resp;

	if (resp->body_len + n > BODY_MAX) {
		r->oversized = true;
		return -1;
	}
	if (resp->body_len + n + 1 > r->body_cap) {
		size_t cap = r->body_cap * 2;
		char *body;

		while (cap < resp->body_len + n + 1)
			cap *= 2;
		body = realloc(resp->body, cap);
		if (body == NULL)
			return -1;
		resp->body = body;
		r->body_cap = cap;
	}
	memcpy(resp->body + resp->body_len, at, n);
	resp->body_len += n;
	resp->body[resp->body_len] = '\0';
	return 0;
}

/* Pausing here leaves anything after the message unread. */
static int on_message_complete(llhttp_t *p)
{
	reader_of(p)->resp->complete = true;
	return HPE_PAUSED;
}

struct ivm_http_reader *ivm_http_reader_new(struct ivm_response *resp)
{
	struct ivm_http_reader *r = calloc(1, sizeof(*r));

	*resp = (struct ivm_response){ .body = calloc(1, 256) };
	if (r == NULL || resp->body == NULL) {
		free(r);
		return NULL;
	}
	r->resp = resp;
	r->body_cap = 256;
	llhttp_settings_init(&r->settings);
	r->settings.on_status = on_status;
	r->settings.on_header_field = on_header_field;
	r->settings.on_header_value = on_header_value;
	r->settings.on_header_value_complete = on_header_value_complete;
	r->settings.on_headers_complete = on_headers_complete;
	r->settings.on_body = on_body;
	r->settings.on_message_complete = on_message_complete;
	llhttp_init(&r->parser, HTTP_RESPONSE, &r->settings);
	r->parser.data = r;
	return r;
}

int ivm_http_reader_feed(struct ivm_http_reader *r, const char *data, size_t len)
{
	llhttp_errno_t e;

	if (r->resp->complete)
		return 0;
	e = llhttp_execute(&r->parser, data, len);
	return e == HPE_OK || (e == HPE_PAUSED && r->resp->complete) ? 0 : -1;
}

int ivm_http_reader_eof(struct ivm_http_reader *r)
{
	if (!r->resp->complete && llhttp_finish(&r->parser) != HPE_OK && !r->resp->complete)
		return -1;
	return r->resp->complete ? 0 : -1;
}

void ivm_http_reader_free(struct ivm_http_reader *r)
{
	free(r);
}

int ivm_http_parse(const char *data, size_t len, struct ivm_response *resp)
{
	struct ivm_http_reader *r = ivm_http_reader_new(resp);
	int rc = -1;

	if (r != NULL && ivm_http_reader_feed(r, data, len) == 0)
		rc = ivm_http_reader_eof(r);
	ivm_http_reader_free(r);
	return rc;
}

void ivm_response_free(struct ivm_response *resp)
{
	free(resp->body);
	resp->body = NULL;
}

void ivm_path_escape(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
}

char *ivm_http_request(const char *method, const char *host, const char *path,
		       const char *token, const char *body, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		return NULL;
	fprintf(f, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ivmctl/1\r\n"
		"Accept: application/json\r\nConnection: close\r\n", method, path, host);
	if (token != NULL && token[0] != '\0')
		fprintf(f, "Authorization: Bearer %s\r\n", token);
	if (body != NULL)
		fprintf(f, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			strlen(body), body);
	else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)
		fprintf(f, "Content-Length: 0\r\n\r\n");
	else
		fprintf(f, "\r\n");
	fclose(f);
	return buf;
}
