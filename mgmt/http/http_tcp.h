/*
 * The HTTP server's lwIP transport (http_tcp.c) as its TLS set-up
 * (http_tls.c) sees it: a listener on an altcp pcb, plain TCP or TLS
 * over TCP, and what the transport asks of TLS per connection.  The
 * transport works on altcp throughout, so one code path carries both;
 * a plain listener passes no secure ops.
 */
#ifndef MGMT_HTTP_TCP_H
#define MGMT_HTTP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lwip/altcp.h>

/* The longest client-certificate subject kept for the log ("CN=..., O=..."). */
#define HTTP_SUBJECT_MAX 128u

struct http_secure_ops {
	/* A new connection, before its handshake: per-connection settings. */
	void (*accepted)(struct altcp_pcb *pcb);
	/* The handshake has completed. */
	bool (*established)(struct altcp_pcb *pcb);
	/* The ClientHello came and waits for the handshake budget (mgmt/tls/tls.h). */
	bool (*waiting)(struct altcp_pcb *pcb);
	/* The TLS layer holds a record it could not hand to TCP yet. */
	bool (*write_pending)(struct altcp_pcb *pcb);
	/* The client certificate's subject into out (NUL-terminated); "" without one. */
	void (*subject)(struct altcp_pcb *pcb, char *out, size_t cap);
	/* Our side closes gracefully: the close_notify alert goes first. */
	void (*closing)(struct altcp_pcb *pcb);
	/* The handshake did not complete in time: the transport aborts it next. */
	void (*expired)(struct altcp_pcb *pcb);
};

/*
 * Serves HTTP on pcb (new, not yet bound): binds port, listens, accepts.
 * ops NULL: plain TCP; else pcb is a TLS pcb and ops its hooks.  what
 * names it in the console line ("plain HTTP", "HTTPS").  False (and a console
 * line) on failure, pcb freed.
 */
bool http_tcp_listen(struct altcp_pcb *pcb, uint16_t port, const struct http_secure_ops *ops,
		     const char *what);

#endif
