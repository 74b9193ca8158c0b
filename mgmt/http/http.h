/*
 * The HTTP/1.1 server's contract with the API (mgmt/api): http/ owns the
 * connections (lwIP raw TCP on the root, a byte-feeding harness on the
 * host), parses each request with llhttp and hands complete requests to
 * api_handle.  The API answers at once with http_respond, or later (a
 * task wait, the events long-poll): it keeps the connection handle and
 * responds when ready; if the client goes away first http/ calls
 * api_conn_gone and the handle must not be used again.
 *
 * Limits (docs/api.md): request line + headers HTTP_MAX_HEADER bytes, body
 * HTTP_MAX_BODY bytes (413 beyond), HTTP_MAX_CONNS connections (503 and
 * close beyond), HTTP_FIRST_MS from accepting a connection to its first
 * complete request and HTTP_IDLE_MS from a response to the next complete
 * request (close; 408 when a request was started): a client cannot hold
 * a connection without using it.  Keep-alive unless the client says close.
 */
#ifndef MGMT_HTTP_H
#define MGMT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADER 4096u
#define HTTP_MAX_BODY 8192u
#define HTTP_MAX_CONNS 80u
#define HTTP_FIRST_MS 5000u
#define HTTP_IDLE_MS 15000u
#define HTTP_MAX_RESPONSE 32768u

enum http_method {
	HTTP_M_OTHER = 0,
	HTTP_M_GET,
	HTTP_M_PUT,
	HTTP_M_POST,
	HTTP_M_PATCH,
	HTTP_M_DELETE,
	HTTP_M_HEAD,
};

struct http_request {
	enum http_method method;
	const char *method_name;        /* as sent, for logs and 405 */
	char path[512];                 /* as sent (percent-encoded), without the query */
	char query[512];                /* after '?', empty if none */
	char authorization[256];        /* the Authorization header's value, empty if none */
	char x_auth_token[96];          /* X-Auth-Token (a Redfish session), empty if none */
	char if_none_match[96];         /* If-None-Match, empty if none or longer than this */
	char content_type[128];
	const char *body;               /* body_len bytes, not NUL-terminated */
	size_t body_len;
	bool keep_alive;
	uint64_t now_ms;                /* when the request completed */
	uint32_t peer;                  /* the client's IPv4 address as lwIP holds it; 0 if unknown */
	bool secure;                    /* it came over TLS */
	const char *client_subject;     /* the client certificate's subject (mutual TLS), or NULL */
};

struct http_conn;                   /* opaque */

/*
 * Sends one complete response (status line, Content-Type, Content-Length,
 * Connection) and, unless keep-alive is off, readies the connection for
 * the next request.  Exactly once per request handed to api_handle.
 */
void http_respond(struct http_conn *c, int status, const char *content_type, const char *body,
		  size_t len);
/* Extra header line for the next http_respond on c ("Retry-After: 1"), without CRLF. */
void http_add_header(struct http_conn *c, const char *line);

/*
 * A response of unknown length (Server-Sent Events), instead of
 * http_respond: the status line and headers (no Content-Length,
 * Connection: close, the extra headers) go out now, then every
 * http_stream_write, until http_stream_end or the client goes away
 * (api_conn_gone, as for a deferred request).  The connection reads no
 * more requests.  A write is all or nothing: false when the bytes do not
 * fit the connection's output buffer (HTTP_MAX_RESPONSE) behind what the
 * client has not read yet.  A client that reads nothing for HTTP_IDLE_MS
 * while output waits is dropped.
 */
bool http_stream_begin(struct http_conn *c, int status, const char *content_type);
bool http_stream_write(struct http_conn *c, const char *data, size_t len);
/* Closes the stream once what was written is sent; c is not used again. */
void http_stream_end(struct http_conn *c);

/*
 * Counts of answers by HTTP status, in first-seen order: the API counts
 * its answers in one table, the server its own refusals in another.
 */
struct http_status_count {
	int status;                 /* 0: unused entry */
	uint64_t count;
};
/* Counts one answer in table[size]; the last entry takes any overflow. */
void http_status_count_add(struct http_status_count *table, unsigned size, int status);
/* How many entries of table[size] are in use. */
unsigned http_status_count_used(const struct http_status_count *table, unsigned size);
/*
 * Answers the server gave itself, by status; *n entries: the refusals
 * before the API saw the request (400, 403 for credentials over plain
 * HTTP, 408, 413, 414, 431 and the 503 of
 * a full server) and the 500 that replaces an API answer it could not
 * send (too large, or none).  Such a request is also in the API's count,
 * under the status the API meant to send.
 */
const struct http_status_count *http_refusal_counts(unsigned *n);

/* Implemented by mgmt/api. */
enum api_disposition { API_ANSWERED, API_DEFERRED };
enum api_disposition api_handle(struct http_conn *c, const struct http_request *rq);
void api_conn_gone(struct http_conn *c);

/*
 * A request with credentials in its headers (Authorization, X-Auth-Token)
 * over plain HTTP is refused (403, E_ACCESSDENIED) before the API sees it,
 * unless allowed here (hv.cfg's insecure_http = yes, for tests and
 * loopback development).
 */
void http_allow_plain_credentials(bool allow);
/* Whether rq may carry credentials (in its body, too: a Redfish login). */
bool http_credentials_allowed(const struct http_request *rq);

/* Root: plain HTTP on port; false (and a console line) on failure. */
bool http_server_start(uint16_t port);
/*
 * Root: HTTPS on cfg's https_port with the TLS files hv hands over
 * (http_tls.c); false, with the reason on the console, when hv.cfg
 * names none, they do not load, or the CPU offers no entropy source.
 */
struct hv_mgmt_config;
bool http_tls_start(const struct hv_mgmt_config *cfg);
/* Root: TLS connections open now, their handshake done or not (metrics). */
unsigned http_tls_connections(void);
/* Root: idle timeouts, pending output; called from root_poll. */
void http_server_poll(uint64_t now_ms);

#endif
