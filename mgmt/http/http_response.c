/*
 * Formats HTTP/1.1 responses for the core (http_conn.c): the status line,
 * the headers every response carries and the body, into a connection's
 * output buffer; and the JSON error body of API_SPEC's error format for
 * the errors the server answers itself (400, 408, 413, 414, 431, 500, 503).
 * Also the per-status answer counts for /metrics.
 */
#include "http_conn.h"

#include <common/hresult.h>

#include <lib/format.h>
#include <lib/string.h>

void http_status_count_add(struct http_status_count *table, unsigned size, int status)
{
	unsigned i = 0;

	while (i + 1 < size && table[i].status != 0 && table[i].status != status)
		i++;
	table[i].status = status;
	table[i].count++;
}

unsigned http_status_count_used(const struct http_status_count *table, unsigned size)
{
	unsigned i = 0;

	while (i < size && table[i].status != 0)
		i++;
	return i;
}

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

const char *http_reason(int status)
{
	const char *r = "Unknown";

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (reasons[i].status == status)
			r = reasons[i].reason;
	}
	return r;
}

size_t http_format_response(char *out, size_t cap, int status, const char *content_type,
			    const char *body, size_t len, bool head, bool keep_alive,
			    const char *extra)
{
	/* 204 and 304 carry neither a body nor a length (RFC 9110 8.6). */
	bool no_body = status == 204 || status == 304;
	size_t n, total = 0;
	char length[40] = "";

	if (!no_body)
		fmt_snprintf(length, sizeof(length), "Content-Length: %zu\r\n", len);
	n = fmt_snprintf(out, cap,
			 "HTTP/1.1 %d %s\r\nServer: hvroot\r\n%s%s%s%sConnection: %s\r\n%s\r\n",
			 status, http_reason(status),
			 content_type && !no_body ? "Content-Type: " : "",
			 content_type && !no_body ? content_type : "",
			 content_type && !no_body ? "\r\n" : "", length,
			 keep_alive ? "keep-alive" : "close", extra ? extra : "");
	if (!no_body && !head && n < cap && len <= cap - n) {
		if (len)
			memcpy(out + n, body, len);
		total = n + len;
	} else if ((no_body || head) && n < cap) {
		total = n;
	}
	return total;
}

size_t http_format_stream_head(char *out, size_t cap, int status, const char *content_type,
			       const char *extra)
{
	size_t n = fmt_snprintf(out, cap,
				"HTTP/1.1 %d %s\r\nServer: hvroot\r\nContent-Type: %s\r\n"
				"Cache-Control: no-cache\r\nConnection: close\r\n%s\r\n",
				status, http_reason(status), content_type, extra ? extra : "");

	return n < cap ? n : 0;
}

/* Appends s as the inside of a JSON string: quote, backslash and controls escaped. */
static size_t json_escape(char *out, size_t cap, size_t at, const char *s)
{
	for (; *s && at < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			at += fmt_snprintf(out + at, cap - at, "\\%c", ch);
		else if (ch < 0x20)
			at += fmt_snprintf(out + at, cap - at, "\\u%04x", ch);
		else
			out[at++] = (char)ch;
	}
	return at;
}

size_t http_format_error_body(char *out, size_t cap, uint32_t hresult, const char *message)
{
	const char *name = hresult_name(hresult);
	size_t n;

	n = fmt_snprintf(out, cap, "{\"error\":{\"hresult\":\"0x%08X\",\"name\":\"%s\",\"message\":\"",
			 hresult, name ? name : "");
	if (n < cap)
		n = json_escape(out, cap, n, message);
	if (n < cap)
		n += fmt_snprintf(out + n, cap - n, "\"}}");
	return n < cap ? n : 0;
}
