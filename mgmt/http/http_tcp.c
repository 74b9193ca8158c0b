/*
 * The HTTP server on lwIP's application layered TCP API, altcp (NO_SYS,
 * everything from the root's poll loop): listeners, plain TCP or TLS
 * over TCP (http_tls.c sets TLS up and passes its hooks, http_tcp.h),
 * and per accepted pcb a transport context that feeds received pbufs to
 * the core (http_conn.c) and writes what the core sends with altcp_write.
 * On a TLS pcb the bytes here are the plaintext: lwIP's TLS layer
 * decrypts each record as it completes and acknowledges its overhead,
 * so the receive window bounds what it holds too.
 *
 * Received data is copied out of lwIP's buffers at once into the
 * connection's own `rx` buffer, and acknowledged to lwIP (altcp_recved)
 * only as the core takes it.  So what the core does not take yet (a
 * pipelined request while the previous one is answered) closes the
 * receive window, and a client can hold at most TCP_WND bytes of our
 * memory: never lwIP's pbufs, which on the root come from the NIC's
 * receive pool that every client and DHCP share (a client trickling
 * one byte per segment would otherwise pin one pool buffer per byte).
 * Output goes out as far as altcp_sndbuf allows and resumes from the sent
 * and poll callbacks.  A graceful close shuts our sending side only and
 * keeps reading (and discarding) until the client closes or HTTP_LINGER_MS
 * pass: closing both sides with the client's request body still arriving
 * would make lwIP answer with a reset that can destroy our last response
 * (a 413, say) before the client read it.
 */
#include "http_conn.h"
#include "http_tcp.h"

#include <kernel/console.h>
#include <lib/string.h>
#include <lwip/altcp_tcp.h>
#include <lwip/pbuf.h>
#include <lwip/tcp.h>

#define HTTP_LINGER_MS 2000u
/* Connections the core serves, plus some refused with 503 or lingering. */
#define HTTP_TCP_CTXS (HTTP_MAX_CONNS + 16u)
/* altcp_poll interval in TCP coarse timer ticks (500 ms): once a second. */
#define HTTP_TCP_POLL_TICKS 2
/*
 * A TLS handshake not complete this long after the connection was
 * accepted, or after its ClientHello stopped waiting for the handshake
 * budget (mgmt/tls/tls.h), is cut: the client's own slowness gets 10 s.
 * Waiting for the budget is the root's doing and may take longer (64
 * clients at once on QEMU TCG), but not beyond HTTP_TLS_WAIT_MS in all.
 * The core's HTTP_FIRST_MS starts once the handshake is over.
 */
#define HTTP_TLS_HANDSHAKE_MS 10000u
#define HTTP_TLS_WAIT_MS 60000u
/* All a client can send us unacknowledged: what lwIP's receive window allows. */
#define HTTP_RX_HOLD TCP_WND

struct http_tcp {
	bool in_use;
	struct altcp_pcb *pcb;  /* NULL once lwIP freed it or we gave it up */
	const struct http_secure_ops *tls;   /* NULL: plain TCP */
	bool established;       /* the core has it: plain at once, TLS once the handshake is over */
	bool subject_known;     /* TLS: subject[] holds the client certificate's subject */
	uint64_t accept_ms;
	uint64_t waited_ms;     /* TLS: last seen waiting for the handshake budget, 0: never */
	char subject[HTTP_SUBJECT_MAX];
	struct http_conn *c;    /* NULL once the core forgot the connection */
	size_t rx_off, rx_len;  /* rx[rx_off..+rx_len): received, not yet taken by the core */
	bool eof, eof_told;     /* the client's FIN; passed on to the core */
	bool closing;           /* our side shut, draining until the client closes */
	bool aborted;           /* altcp_abort ran: the callback must return ERR_ABRT */
	uint64_t close_ms;
	char rx[HTTP_RX_HOLD];
};

static struct http_tcp ctxs[HTTP_TCP_CTXS];
static uint64_t srv_now;    /* ms, from http_server_poll */

static struct http_tcp *ctx_get(void)
{
	struct http_tcp *t = NULL;

	for (size_t i = 0; i < HTTP_TCP_CTXS && !t; i++) {
		if (!ctxs[i].in_use)
			t = &ctxs[i];
	}
	if (t) {
		t->in_use = true;
		t->pcb = NULL;
		t->c = NULL;
		t->tls = NULL;
		t->rx_off = t->rx_len = 0;
		t->eof = t->eof_told = t->closing = t->aborted = false;
		t->established = t->subject_known = false;
		t->close_ms = t->accept_ms = t->waited_ms = 0;
	}
	return t;
}

static void ctx_release(struct http_tcp *t)
{
	t->rx_off = t->rx_len = 0;
	t->pcb = NULL;
	t->in_use = false;
}

/* No more callbacks for t from this pcb. */
static void pcb_detach(struct altcp_pcb *pcb)
{
	altcp_arg(pcb, NULL);
	altcp_recv(pcb, NULL);
	altcp_sent(pcb, NULL);
	altcp_err(pcb, NULL);
	altcp_poll(pcb, NULL, 0);
}

static void ctx_abort(struct http_tcp *t)
{
	pcb_detach(t->pcb);
	altcp_abort(t->pcb);
	t->aborted = true;
	ctx_release(t);
}

/* Both sides: altcp_close, or a reset if lwIP cannot queue the FIN. */
static void ctx_final_close(struct http_tcp *t)
{
	pcb_detach(t->pcb);
	if (altcp_close(t->pcb) != ERR_OK) {
		altcp_abort(t->pcb);
		t->aborted = true;
	}
	ctx_release(t);
}

/* Drops what the core will never read, acknowledging it to lwIP. */
static void ctx_drop_rx(struct http_tcp *t)
{
	if (t->rx_len > 0)
		altcp_recved(t->pcb, (u16_t)t->rx_len);
	t->rx_off = t->rx_len = 0;
}

static size_t tr_space(void *ctx)
{
	struct http_tcp *t = ctx;
	size_t n = 0;

	if (t->pcb && !t->closing && altcp_sndqueuelen(t->pcb) < TCP_SND_QUEUELEN &&
	    !(t->tls && t->tls->write_pending(t->pcb)))
		n = altcp_sndbuf(t->pcb);
	return n;
}

static size_t tr_send(void *ctx, const char *buf, size_t len)
{
	struct http_tcp *t = ctx;
	size_t n = tr_space(t);

	n = len < n ? len : n;
	n = n < 0xffffu ? n : 0xffffu;    /* altcp_write takes a u16_t */
	/*
	 * Out of segments or heap: retried from sent/poll.  But TLS may have
	 * made the record and kept what TCP refused: then the bytes are taken
	 * (lwIP's TLS layer flushes them as TCP makes room), and writing them
	 * again would send them twice.
	 */
	if (n > 0 && altcp_write(t->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK &&
	    !(t->tls && t->tls->write_pending(t->pcb)))
		n = 0;
	if (n > 0)
		altcp_output(t->pcb);
	return n;
}

static void tr_close(void *ctx, bool abort)
{
	struct http_tcp *t = ctx;

	t->c = NULL;
	if (abort) {
		ctx_abort(t);
	} else {
		ctx_drop_rx(t);
		t->closing = true;
		t->close_ms = srv_now;
		if (t->tls && t->established && !t->eof)
			t->tls->closing(t->pcb);
		/* Once the client has closed too there is nothing to drain. */
		if (t->eof || altcp_shutdown(t->pcb, 0, 1) != ERR_OK)
			ctx_final_close(t);
	}
}

/* The client certificate's subject (TLS with one), read once the handshake is over. */
static const char *tr_subject(void *ctx)
{
	struct http_tcp *t = ctx;

	if (t->tls && t->pcb && !t->subject_known) {
		t->tls->subject(t->pcb, t->subject, sizeof(t->subject));
		t->subject_known = true;
	}
	return t->subject_known && t->subject[0] ? t->subject : NULL;
}

static const struct http_transport tcp_transport = { tr_send, tr_space, tr_close, false, NULL };
static const struct http_transport tls_transport = {
	tr_send, tr_space, tr_close, true, tr_subject,
};

/*
 * The connection goes to the core: a plain one when accepted, a TLS one
 * when its handshake is over, so that the core's timeouts (a first
 * request within HTTP_FIRST_MS) start once the client can send a request.
 * NULL: all connections busy, the core has answered 503 and closed.
 */
static void ctx_establish(struct http_tcp *t)
{
	const ip_addr_t *peer = altcp_get_ip(t->pcb, 0);

	t->established = true;
	t->c = http_conn_open(t->tls ? &tls_transport : &tcp_transport, t, srv_now);
	if (t->c && peer)
		http_conn_set_peer(t->c, ip_2_ip4(peer)->addr);
}

/* Offers the kept bytes to the core as long as it takes them. */
static void ctx_pump(struct http_tcp *t)
{
	bool more = true;

	while (more && t->c && t->rx_len > 0 && http_conn_wants_input(t->c)) {
		size_t n = http_conn_input(t->c, t->rx + t->rx_off, t->rx_len, srv_now);

		/* The core may have closed the connection: then the bytes were dropped. */
		more = t->c != NULL && n > 0;
		if (more) {
			t->rx_off += n;
			t->rx_len -= n;
			altcp_recved(t->pcb, (u16_t)n);
		}
	}
	if (t->rx_len == 0)
		t->rx_off = 0;
	if (t->c && t->rx_len == 0 && t->eof && !t->eof_told) {
		t->eof_told = true;
		http_conn_input_eof(t->c, srv_now);
	}
}

/*
 * Copies p into rx and frees it; false when it does not fit, which lwIP's
 * window check should make impossible (the caller then aborts).
 */
static bool ctx_keep(struct http_tcp *t, struct pbuf *p)
{
	bool fits = p->tot_len <= HTTP_RX_HOLD - t->rx_len;

	if (fits && p->tot_len > HTTP_RX_HOLD - t->rx_off - t->rx_len) {
		memmove(t->rx, t->rx + t->rx_off, t->rx_len);
		t->rx_off = 0;
	}
	if (fits) {
		pbuf_copy_partial(p, t->rx + t->rx_off + t->rx_len, p->tot_len, 0);
		t->rx_len += p->tot_len;
	}
	pbuf_free(p);
	return fits;
}

static err_t on_recv(void *arg, struct altcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct http_tcp *t = arg;

	(void)err;   /* lwIP 2.1 always passes ERR_OK */
	if (t && !t->established && !t->closing && p)
		ctx_establish(t);   /* over TLS, data only comes once the handshake is over */
	if (!t || t->closing || (!t->c && p)) {
		if (p) {
			altcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		} else if (t) {
			ctx_final_close(t);    /* the client's FIN after ours */
		}
	} else if (!p) {
		t->eof = true;
		ctx_pump(t);
	} else if (!ctx_keep(t, p)) {
		struct http_conn *c = t->c;

		kprintf("root: http: a client sent past its receive window; connection reset\n");
		t->c = NULL;
		ctx_abort(t);
		http_conn_gone(c);
	} else {
		ctx_pump(t);
	}
	return t && t->aborted ? ERR_ABRT : ERR_OK;
}

/* More room to send: the core continues its response, then maybe reads on. */
static void ctx_resume(struct http_tcp *t)
{
	if (t->c)
		http_conn_output_ready(t->c, srv_now);
	ctx_pump(t);
}

static err_t on_sent(void *arg, struct altcp_pcb *pcb, u16_t len)
{
	struct http_tcp *t = arg;

	(void)pcb;
	(void)len;
	if (t)
		ctx_resume(t);
	return t && t->aborted ? ERR_ABRT : ERR_OK;
}

static err_t on_poll(void *arg, struct altcp_pcb *pcb)
{
	struct http_tcp *t = arg;

	(void)pcb;
	if (t && t->closing && srv_now - t->close_ms >= HTTP_LINGER_MS)
		ctx_final_close(t);
	else if (t)
		ctx_resume(t);
	return t && t->aborted ? ERR_ABRT : ERR_OK;
}

/* lwIP freed the pcb (reset by the peer, fully closed, a failed TLS handshake). */
static void on_err(void *arg, err_t err)
{
	struct http_tcp *t = arg;
	struct http_conn *c;

	(void)err;
	if (t && t->in_use) {
		c = t->c;
		t->c = NULL;
		t->pcb = NULL;
		ctx_release(t);
		if (c)
			http_conn_gone(c);
	}
}

/* arg: the listener's secure ops, NULL for plain TCP. */
static err_t on_accept(void *arg, struct altcp_pcb *pcb, err_t err)
{
	const struct http_secure_ops *tls = arg;
	struct http_tcp *t;
	err_t r = ERR_OK;

	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	t = ctx_get();
	if (!t) {
		altcp_abort(pcb);
		return ERR_ABRT;
	}
	t->pcb = pcb;
	t->tls = tls;
	t->accept_ms = srv_now;
	altcp_arg(pcb, t);
	altcp_recv(pcb, on_recv);
	altcp_sent(pcb, on_sent);
	altcp_err(pcb, on_err);
	altcp_poll(pcb, on_poll, HTTP_TCP_POLL_TICKS);
	/* Responses go out whole; Nagle would only hold back their last segment. */
	altcp_nagle_disable(pcb);
	if (tls)
		tls->accepted(pcb);
	else
		ctx_establish(t);
	if (t->aborted)
		r = ERR_ABRT;
	return r;
}

bool http_tcp_listen(struct altcp_pcb *pcb, uint16_t port, const struct http_secure_ops *ops,
		     const char *what)
{
	struct altcp_pcb *lpcb = NULL;
	err_t err = ERR_MEM;

	if (pcb) {
		err = altcp_bind(pcb, IP_ADDR_ANY, port);
		if (err == ERR_OK) {
			lpcb = altcp_listen(pcb);   /* frees pcb when it succeeds */
			err = lpcb ? ERR_OK : ERR_MEM;
		}
		if (!lpcb)
			altcp_close(pcb);
	}
	if (lpcb) {
		altcp_arg(lpcb, (void *)ops);
		altcp_accept(lpcb, on_accept);
		kprintf("root: http: listening on port %u (%s)\n", port, what);
	} else {
		kprintf("root: http: cannot listen on port %u (%s, lwIP error %d)\n", port, what, err);
	}
	return lpcb != NULL;
}

unsigned http_tls_connections(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < HTTP_TCP_CTXS; i++)
		n += ctxs[i].in_use && ctxs[i].tls && !ctxs[i].closing;
	return n;
}

bool http_server_start(uint16_t port)
{
	return http_tcp_listen(altcp_tcp_new(), port, NULL, "plain HTTP");
}

/* A TLS connection whose handshake is over goes to the core; one too slow is cut off. */
static void handshake_check(struct http_tcp *t, uint64_t now_ms)
{
	uint64_t since;

	if (t->tls->established(t->pcb)) {
		ctx_establish(t);
		return;
	}
	if (t->tls->waiting(t->pcb))
		t->waited_ms = now_ms;
	since = t->waited_ms ? t->waited_ms : t->accept_ms;
	if (now_ms - since >= HTTP_TLS_HANDSHAKE_MS || now_ms - t->accept_ms >= HTTP_TLS_WAIT_MS) {
		t->tls->expired(t->pcb);
		ctx_abort(t);
	}
}

void http_server_poll(uint64_t now_ms)
{
	srv_now = now_ms;
	http_conn_poll(now_ms);
	for (size_t i = 0; i < HTTP_TCP_CTXS; i++) {
		struct http_tcp *t = &ctxs[i];

		if (t->in_use && t->closing && now_ms - t->close_ms >= HTTP_LINGER_MS)
			ctx_final_close(t);
		else if (t->in_use && !t->established && !t->closing && t->pcb)
			handshake_check(t, now_ms);
		if (t->in_use && !t->closing && t->c)
			ctx_resume(t);
	}
}
