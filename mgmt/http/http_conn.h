/*
 * The HTTP server's transport-neutral core (http_conn.c) and its seam
 * with a transport: lwIP's raw TCP API on the root (http_tcp.c), a
 * byte-feeding harness in the unit tests and the fuzzer.  The core owns
 * the connections (a fixed pool of HTTP_MAX_CONNS), parses with llhttp,
 * enforces the limits of http.h, hands requests to api_handle and formats
 * responses into each connection's output buffer.
 *
 * Flow control: http_conn_input consumes only what the core can act on
 * now.  While a request is with the API or its response is still being
 * sent, it consumes nothing more; the transport keeps the rest (pipelined
 * requests) and offers it again once http_conn_wants_input says so.
 * Everything runs in one thread (the root's poll loop); nothing here is
 * reentrant except http_respond from inside api_handle.
 */
#ifndef MGMT_HTTP_CONN_H
#define MGMT_HTTP_CONN_H

#include "http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_transport {
	/* Takes (copies) up to len bytes for sending; returns how many it took, 0 when full. */
	size_t (*send)(void *ctx, const char *buf, size_t len);
	/* How many bytes send would take now. */
	size_t (*space)(void *ctx);
	/*
	 * Ends the connection: after the bytes send took (abort false) or at
	 * once with a reset (abort true).  The core forgets ctx and the
	 * connection before returning, so the transport must not call the
	 * core about it again.
	 */
	void (*close)(void *ctx, bool abort);
	/* The bytes travel encrypted (TLS): a bearer token may come over it. */
	bool secure;
	/* The client certificate's subject, NULL without one (NULL: never one). */
	const char *(*subject)(void *ctx);
};

/*
 * A new connection.  NULL when all HTTP_MAX_CONNS are in use: the core has
 * then already sent a 503 (VM_E_OUT_OF_RESOURCE, Retry-After: 1) through
 * t and closed it.
 */
struct http_conn *http_conn_open(const struct http_transport *t, void *ctx, uint64_t now_ms);
/* The client's address (lwIP's ip4_addr_t.addr), handed to the API with each request. */
void http_conn_set_peer(struct http_conn *c, uint32_t peer);
/* Received bytes; returns how many the core consumed (the transport keeps the rest). */
size_t http_conn_input(struct http_conn *c, const char *data, size_t len, uint64_t now_ms);
/* The peer sent FIN and the transport has no unconsumed bytes left. */
void http_conn_input_eof(struct http_conn *c, uint64_t now_ms);
/* The core would consume input now (offer kept bytes again). */
bool http_conn_wants_input(const struct http_conn *c);
/* The transport has room again: the core sends more of a pending response. */
void http_conn_output_ready(struct http_conn *c, uint64_t now_ms);
/* The transport lost the connection (reset, error): the core frees it, telling the API. */
void http_conn_gone(struct http_conn *c);
/* Idle and stalled-output timeouts of every connection. */
void http_conn_poll(uint64_t now_ms);
/* Connections in use (tests, metrics). */
unsigned http_conn_count(void);

/*
 * Response formatting (http_response.c).  Both write a complete response
 * (status line, Server, Content-Type, Content-Length, Connection, extra
 * header lines already CRLF-terminated) into out and return its length,
 * or 0 when it does not fit in cap.
 */
size_t http_format_response(char *out, size_t cap, int status, const char *content_type,
			    const char *body, size_t len, bool head, bool keep_alive,
			    const char *extra);
/* An API-style JSON error body: {"error":{"hresult":"0x..","name":"..","message":".."}}. */
size_t http_format_error_body(char *out, size_t cap, uint32_t hresult, const char *message);
const char *http_reason(int status);
/* The head of a streamed response (http_stream_begin): no Content-Length, Connection: close. */
size_t http_format_stream_head(char *out, size_t cap, int status, const char *content_type,
			       const char *extra);

#endif
