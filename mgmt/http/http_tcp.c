/*
 * The HTTP server on lwIP's raw TCP API (NO_SYS, everything from the
 * root's poll loop): a listener, and per accepted pcb a transport context
 * that feeds received pbufs to the core (http_conn.c) and writes what the
 * core sends with tcp_write.
 *
 * Received data is copied out of lwIP's buffers at once into the
 * connection's own `rx` buffer, and acknowledged to lwIP (tcp_recved)
 * only as the core takes it.  So what the core does not take yet (a
 * pipelined request while the previous one is answered) closes the
 * receive window, and a client can hold at most TCP_WND bytes of our
 * memory: never lwIP's pbufs, which on the root come from the NIC's
 * receive pool that every client and DHCP share (a client trickling
 * one byte per segment would otherwise pin one pool buffer per byte).
 * Output goes out as far as tcp_sndbuf allows and resumes from the sent
 * and poll callbacks.  A graceful close shuts our sending side only and
 * keeps reading (and discarding) until the client closes or HTTP_LINGER_MS
 * pass: closing both sides with the client's request body still arriving
 * would make lwIP answer with a reset that can destroy our last response
 * (a 413, say) before the client read it.
 */
#include "http_conn.h"

#include <kernel/console.h>
#include <lib/string.h>
#include <lwip/pbuf.h>
#include <lwip/tcp.h>

#define HTTP_LINGER_MS 2000u
/* Connections the core serves, plus some refused with 503 or lingering. */
#define HTTP_TCP_CTXS (HTTP_MAX_CONNS + 16u)
/* tcp_poll interval in TCP coarse timer ticks (500 ms): once a second. */
#define HTTP_TCP_POLL_TICKS 2
/* All a client can send us unacknowledged: what lwIP's receive window allows. */
#define HTTP_RX_HOLD TCP_WND

struct http_tcp {
	bool in_use;
	struct tcp_pcb *pcb;    /* NULL once lwIP freed it or we gave it up */
	struct http_conn *c;    /* NULL once the core forgot the connection */
	size_t rx_off, rx_len;  /* rx[rx_off..+rx_len): received, not yet taken by the core */
	bool eof, eof_told;     /* the client's FIN; passed on to the core */
	bool closing;           /* our side shut, draining until the client closes */
	bool aborted;           /* tcp_abort ran: the callback must return ERR_ABRT */
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
		t->rx_off = t->rx_len = 0;
		t->eof = t->eof_told = t->closing = t->aborted = false;
		t->close_ms = 0;
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
static void pcb_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
}

static void ctx_abort(struct http_tcp *t)
{
	pcb_detach(t->pcb);
	tcp_abort(t->pcb);
	t->aborted = true;
	ctx_release(t);
}

/* Both sides: tcp_close, or a reset if lwIP cannot queue the FIN. */
static void ctx_final_close(struct http_tcp *t)
{
	pcb_detach(t->pcb);
	if (tcp_close(t->pcb) != ERR_OK) {
		tcp_abort(t->pcb);
		t->aborted = true;
	}
	ctx_release(t);
}

/* Drops what the core will never read, acknowledging it to lwIP. */
static void ctx_drop_rx(struct http_tcp *t)
{
	if (t->rx_len > 0)
		tcp_recved(t->pcb, (u16_t)t->rx_len);
	t->rx_off = t->rx_len = 0;
}

static size_t tr_space(void *ctx)
{
	struct http_tcp *t = ctx;
	size_t n = 0;

	if (t->pcb && !t->closing && tcp_sndqueuelen(t->pcb) < TCP_SND_QUEUELEN)
		n = tcp_sndbuf(t->pcb);
	return n;
}

static size_t tr_send(void *ctx, const char *buf, size_t len)
{
	struct http_tcp *t = ctx;
	size_t n = tr_space(t);

	n = len < n ? len : n;
	n = n < 0xffffu ? n : 0xffffu;    /* tcp_write takes a u16_t */
	if (n > 0 && tcp_write(t->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
		n = 0;                      /* out of segments or heap: retried from sent/poll */
	if (n > 0)
		tcp_output(t->pcb);
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
		/* Once the client has closed too there is nothing to drain. */
		if (t->eof || tcp_shutdown(t->pcb, 0, 1) != ERR_OK)
			ctx_final_close(t);
	}
}

static const struct http_transport tcp_transport = { tr_send, tr_space, tr_close };

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
			tcp_recved(t->pcb, (u16_t)n);
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

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct http_tcp *t = arg;

	(void)err;   /* lwIP 2.1 always passes ERR_OK */
	if (!t || t->closing || (!t->c && p)) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
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

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct http_tcp *t = arg;

	(void)pcb;
	(void)len;
	if (t)
		ctx_resume(t);
	return t && t->aborted ? ERR_ABRT : ERR_OK;
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct http_tcp *t = arg;

	(void)pcb;
	if (t && t->closing && srv_now - t->close_ms >= HTTP_LINGER_MS)
		ctx_final_close(t);
	else if (t)
		ctx_resume(t);
	return t && t->aborted ? ERR_ABRT : ERR_OK;
}

/* lwIP freed the pcb (reset by the peer, or fully closed). */
static void on_err(void *arg, err_t err)
{
	struct http_tcp *t = arg;
	struct http_conn *c;

	(void)err;
	if (t) {
		c = t->c;
		t->c = NULL;
		t->pcb = NULL;
		ctx_release(t);
		if (c)
			http_conn_gone(c);
	}
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct http_tcp *t;
	err_t r = ERR_OK;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	t = ctx_get();
	if (!t) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	t->pcb = pcb;
	tcp_arg(pcb, t);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	tcp_poll(pcb, on_poll, HTTP_TCP_POLL_TICKS);
	/* Responses go out whole; Nagle would only hold back their last segment. */
	tcp_nagle_disable(pcb);
	/* NULL: all connections busy, the core has answered 503 and closed. */
	t->c = http_conn_open(&tcp_transport, t, srv_now);
	if (t->c)
		http_conn_set_peer(t->c, ip_2_ip4(&pcb->remote_ip)->addr);
	if (t->aborted)
		r = ERR_ABRT;
	return r;
}

bool http_server_start(uint16_t port)
{
	struct tcp_pcb *pcb = tcp_new();
	struct tcp_pcb *lpcb = NULL;
	err_t err = ERR_MEM;

	if (pcb) {
		err = tcp_bind(pcb, IP_ADDR_ANY, port);
		if (err == ERR_OK) {
			lpcb = tcp_listen(pcb);   /* frees pcb when it succeeds */
			err = lpcb ? ERR_OK : ERR_MEM;
		}
		if (!lpcb)
			tcp_close(pcb);
	}
	if (lpcb) {
		tcp_accept(lpcb, on_accept);
		kprintf("root: http: listening on port %u\n", port);
	} else {
		kprintf("root: http: cannot listen on port %u (lwIP error %d)\n", port, err);
	}
	return lpcb != NULL;
}

void http_server_poll(uint64_t now_ms)
{
	srv_now = now_ms;
	http_conn_poll(now_ms);
	for (size_t i = 0; i < HTTP_TCP_CTXS; i++) {
		struct http_tcp *t = &ctxs[i];

		if (t->in_use && t->closing && now_ms - t->close_ms >= HTTP_LINGER_MS)
			ctx_final_close(t);
		else if (t->in_use && t->c)
			ctx_resume(t);
	}
}
