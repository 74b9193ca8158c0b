/*
 * The handshake budget at work (tls.h, tls_budget.h).  Every handshake
 * step lwIP's TLS layer runs comes through tls_handshake_step (the build
 * compiles altcp_tls_mbedtls.c with mbedtls_ssl_handshake renamed to it),
 * which charges the step's time to the budget.  A new connection's
 * ClientHello waits while the budget is spent: tls_handshake_gate puts
 * this file between TCP and lwIP's TLS layer on the connection, and until
 * the ClientHello is taken it refuses the bytes (ERR_MEM), which lwIP's
 * TCP keeps and offers again every 250 ms (TCP_FAST_INTERVAL).  Waiting
 * there costs nothing: the expensive steps (ECDHE key generation, the
 * signature, the shared secret) all come after the ClientHello, and a
 * handshake once started always finishes.
 */
#include "tls.h"
#include "tls_budget.h"

#include <kernel/console.h>
#include <kernel/time.h>

#include <lwip/altcp.h>
#include <lwip/altcp_tls.h>
#include <lwip/tcp.h>

#include "altcp_tls_mbedtls_structs.h"

#include <mbedtls/ssl.h>

#define WAIT_LOG_MS 10000u

int tls_handshake_step(mbedtls_ssl_context *ssl);

static struct tls_budget budget;
static bool budget_ready, serving;
static struct tls_handshake_stats stats;
static uint64_t last_log_ms;
static altcp_recv_fn tls_lower_recv;   /* lwIP's TLS layer's receive function */

bool tls_serving(void)
{
	return serving;
}

void tls_set_serving(void)
{
	serving = true;
}

static bool admit(uint64_t now_ms)
{
	if (!budget_ready) {
		tls_budget_init(&budget, TLS_HANDSHAKE_SHARE_PERMILLE, TLS_HANDSHAKE_BURST_MS, now_ms);
		budget_ready = true;
	}
	return tls_budget_admit(&budget, now_ms);
}

/* One line per WAIT_LOG_MS at most: a flood shows, without flooding the console. */
static void log_wait(uint64_t now_ms)
{
	if (last_log_ms != 0 && now_ms - last_log_ms < WAIT_LOG_MS)
		return;
	kprintf("root: tls: handshake budget spent (%u%% of the root's time): new handshakes "
		"wait (%lu waits so far)\n", TLS_HANDSHAKE_SHARE_PERMILLE / 10, stats.waits);
	last_log_ms = now_ms;
}

/* The TCP bytes of a TLS connection that has not started its handshake. */
static err_t gate_recv(void *arg, struct altcp_pcb *inner, struct pbuf *p, err_t err)
{
	mbedtls_ssl_context *ssl = altcp_tls_context(arg);
	uint64_t now_ms = tsc_to_ms(tsc_read());

	if (p && ssl && ssl->state <= MBEDTLS_SSL_CLIENT_HELLO && !admit(now_ms)) {
		stats.waits++;
		log_wait(now_ms);
		return ERR_MEM;
	}
	inner->recv = tls_lower_recv;   /* admitted: out of the way for good */
	return tls_lower_recv(arg, inner, p, err);
}

bool tls_handshake_waiting(struct altcp_pcb *tls_pcb)
{
	struct altcp_pcb *inner = tls_pcb->inner_conn;
	/* lwIP's TCP altcp layer keeps its tcp_pcb as the altcp pcb's state (altcp_tcp.c). */
	const struct tcp_pcb *tcp = inner ? inner->state : NULL;

	return inner && inner->recv == gate_recv && tcp && tcp->refused_data != NULL;
}

void tls_handshake_gate(struct altcp_pcb *tls_pcb)
{
	struct altcp_pcb *inner = tls_pcb->inner_conn;

	if (!tls_lower_recv)
		tls_lower_recv = inner->recv;
	if (inner->recv == tls_lower_recv)
		inner->recv = gate_recv;
}

/*
 * A handshake that failed: the client should learn why from an alert, and
 * get it.  mbedTLS 2.28 sends none when a required client certificate is
 * missing (TLS 1.2 has handshake_failure for that).  lwIP's TLS layer
 * closes the connection next, and TCP resets rather than closes a
 * connection whose received bytes were not all taken, which would destroy
 * the alert on its way: the rest of the client's flight is taken here.
 */
static void failed(mbedtls_ssl_context *ssl, int ret)
{
	struct altcp_pcb *conn = ssl->p_bio;   /* lwIP's TLS layer sets it (mbedtls_ssl_set_bio) */
	altcp_mbedtls_state_t *state = conn ? conn->state : NULL;

	if (ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE)
		(void)mbedtls_ssl_send_alert_message(ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
						     MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
	if (state && state->rx && conn->inner_conn) {
		u16_t n = state->rx->tot_len;

		pbuf_free(state->rx);
		state->rx = NULL;
		altcp_recved(conn->inner_conn, n);
	}
	stats.failed++;
}

int tls_handshake_step(mbedtls_ssl_context *ssl)
{
	uint64_t start = tsc_read(), spent;
	int ret = mbedtls_ssl_handshake(ssl);

	spent = (tsc_read() - start) * 1000000u / tsc_hz();
	if (!budget_ready)
		admit(tsc_to_ms(start));
	tls_budget_charge(&budget, spent);
	stats.cpu_us += spent;
	if (ret == 0)
		stats.completed++;
	else if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
		failed(ssl, ret);
	return ret;
}

void tls_handshake_expired(void)
{
	stats.expired++;
}

void tls_handshake_stats(struct tls_handshake_stats *out)
{
	*out = stats;
}
