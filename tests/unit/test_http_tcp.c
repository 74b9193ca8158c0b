/*
 * Tests of the HTTP server's lwIP binding (mgmt/http/http_tcp.c) with the
 * core, on a host build of lwIP: clients on the same stack connect to the
 * server through lwIP's loopback interface, so every byte crosses real
 * TCP (windows, acknowledgements, FIN and RST).  Time is simulated:
 * sys_now and http_server_poll follow `now`.  The API is a test double
 * answering by path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <llhttp.h>
#include <lwip/init.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/stats.h>
#include <lwip/tcp.h>
#include <lwip/timeouts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http/http_conn.h>

#define PORT 80

static uint64_t now = 1;

u32_t sys_now(void)
{
	return (u32_t)now;
}

/* The root console, for http_tcp.c's log lines. */
size_t kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n > 0 ? (size_t)n : 0;
}

/* Runs the stack, its timers and the server for ms simulated milliseconds. */
static void run(unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		now++;
		netif_poll_all();
		sys_check_timeouts();
		http_server_poll(now);
		netif_poll_all();
	}
}

/* --- API test double ------------------------------------------------------ */

static struct {
	int calls, gone_calls;
	struct http_conn *deferred;
} api;

enum api_disposition api_handle(struct http_conn *c, const struct http_request *rq)
{
	static char big[HTTP_MAX_RESPONSE];
	enum api_disposition d = API_ANSWERED;

	api.calls++;
	if (strcmp(rq->path, "/defer") == 0) {
		api.deferred = c;
		d = API_DEFERRED;
	} else if (strncmp(rq->path, "/big", 4) == 0) {
		size_t n = strtoul(rq->path + 4, NULL, 10);

		memset(big, 'x', sizeof(big));
		http_respond(c, 200, "text/plain", big, n < sizeof(big) ? n : sizeof(big));
	} else {
		http_respond(c, 200, "text/plain", rq->body_len ? rq->body : rq->path,
			     rq->body_len ? rq->body_len : strlen(rq->path));
	}
	return d;
}

void api_conn_gone(struct http_conn *c)
{
	assert_ptr_equal(c, api.deferred);
	api.gone_calls++;
	api.deferred = NULL;
}

/* --- clients on the same stack -------------------------------------------- */

struct client {
	struct tcp_pcb *pcb;
	char rx[2 * HTTP_MAX_RESPONSE + 4096];
	size_t rx_len;
	bool connected, fin, reset;
};

static err_t cl_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)pcb;
	((struct client *)arg)->connected = err == ERR_OK;
	return ERR_OK;
}

static err_t cl_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct client *cl = arg;

	(void)err;
	if (!p) {
		cl->fin = true;
	} else {
		assert_true(p->tot_len <= sizeof(cl->rx) - cl->rx_len);
		pbuf_copy_partial(p, cl->rx + cl->rx_len, p->tot_len, 0);
		cl->rx_len += p->tot_len;
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
	}
	return ERR_OK;
}

static void cl_err(void *arg, err_t err)
{
	struct client *cl = arg;

	(void)err;
	cl->reset = true;
	cl->pcb = NULL;
}

static void cl_open(struct client *cl)
{
	ip_addr_t lo;

	memset(cl, 0, sizeof(*cl));
	IP_ADDR4(&lo, 127, 0, 0, 1);
	cl->pcb = tcp_new();
	assert_non_null(cl->pcb);
	tcp_arg(cl->pcb, cl);
	tcp_recv(cl->pcb, cl_recv);
	tcp_err(cl->pcb, cl_err);
	assert_int_equal(tcp_connect(cl->pcb, &lo, PORT, cl_connected), ERR_OK);
	run(5);
	assert_true(cl->connected);
}

/* Sends all of buf, running the stack while the send buffer is full. */
static void cl_send(struct client *cl, const char *buf, size_t len)
{
	for (unsigned tries = 0; len > 0 && tries < 5000; tries++) {
		size_t n = cl->pcb ? tcp_sndbuf(cl->pcb) : 0;

		n = n < len ? n : len;
		n = n < 0xffff ? n : 0xffff;
		if (n > 0 && tcp_write(cl->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK) {
			tcp_output(cl->pcb);
			buf += n;
			len -= n;
		}
		run(1);
	}
	assert_int_equal(len, 0);
}

static void cl_sends(struct client *cl, const char *s)
{
	cl_send(cl, s, strlen(s));
}

static void cl_close(struct client *cl)
{
	if (cl->pcb) {
		tcp_arg(cl->pcb, NULL);
		tcp_recv(cl->pcb, NULL);
		tcp_err(cl->pcb, NULL);
		if (tcp_close(cl->pcb) != ERR_OK)
			tcp_abort(cl->pcb);
		cl->pcb = NULL;
	}
}

/* --- reading responses back ----------------------------------------------- */

struct resp {
	int status;
	size_t body_len;
	char body[64];   /* the start of it */
};

struct rparse {
	struct resp *r;
	int n, max;
};

static int r_headers_done(llhttp_t *p)
{
	struct rparse *rp = p->data;

	rp->r[rp->n].status = p->status_code;
	return 0;
}

static int r_body(llhttp_t *p, const char *at, size_t len)
{
	struct rparse *rp = p->data;
	struct resp *r = &rp->r[rp->n];

	if (r->body_len < sizeof(r->body))
		memcpy(r->body + r->body_len, at,
		       len < sizeof(r->body) - r->body_len ? len : sizeof(r->body) - r->body_len);
	r->body_len += len;
	return 0;
}

static int r_done(llhttp_t *p)
{
	struct rparse *rp = p->data;

	rp->n++;
	return rp->n < rp->max ? 0 : HPE_PAUSED;
}

static struct resp rs[4];

/* The complete responses cl received (all must parse). */
static int responses(const struct client *cl)
{
	static llhttp_settings_t s;
	struct rparse rp = { rs, 0, 4 };
	llhttp_t p;
	llhttp_errno_t err;

	llhttp_settings_init(&s);
	s.on_headers_complete = r_headers_done;
	s.on_body = r_body;
	s.on_message_complete = r_done;
	memset(rs, 0, sizeof(rs));
	llhttp_init(&p, HTTP_RESPONSE, &s);
	p.data = &rp;
	err = llhttp_execute(&p, cl->rx, cl->rx_len);
	assert_true(err == HPE_OK || err == HPE_PAUSED);
	return rp.n;
}

/* --- tests ---------------------------------------------------------------- */

static struct client cl, many[HTTP_MAX_CONNS + 1];

static int group_setup(void **state)
{
	(void)state;
	lwip_init();
	assert_true(http_server_start(PORT));
	/* A second listener on the same port is refused, with a line. */
	assert_false(http_server_start(PORT));
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&api, 0, sizeof(api));
	return 0;
}

/* Every server connection is gone once the clients closed and time passed. */
static int teardown(void **state)
{
	(void)state;
	cl_close(&cl);
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		cl_close(&many[i]);
	run(3000);
	assert_int_equal(http_conn_count(), 0);
	return 0;
}

static void test_keep_alive(void **state)
{
	(void)state;
	cl_open(&cl);
	cl_sends(&cl, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
	run(20);
	assert_int_equal(responses(&cl), 1);
	assert_int_equal(rs[0].status, 200);
	assert_memory_equal(rs[0].body, "/a", 2);
	cl_sends(&cl, "GET /bb HTTP/1.1\r\n\r\n");
	run(20);
	assert_int_equal(responses(&cl), 2);
	assert_memory_equal(rs[1].body, "/bb", 3);
	assert_false(cl.fin);
	assert_int_equal(http_conn_count(), 1);
}

/* Pipelined requests whose responses exceed the client's window: sent in order. */
static void test_pipelined_large(void **state)
{
	(void)state;
	cl_open(&cl);
	cl_sends(&cl, "GET /big30000 HTTP/1.1\r\n\r\nGET /big20000 HTTP/1.1\r\n\r\n"
		      "GET /small HTTP/1.1\r\n\r\n");
	run(2000);
	assert_int_equal(responses(&cl), 3);
	assert_int_equal(rs[0].body_len, 30000);
	assert_int_equal(rs[1].body_len, 20000);
	assert_memory_equal(rs[2].body, "/small", 6);
	assert_int_equal(api.calls, 3);
	assert_false(cl.fin || cl.reset);
}

/* Bodies adding up to several receive windows: consumed data reopens the window. */
static void test_window_reopens(void **state)
{
	static char rq[6000];
	int n;

	(void)state;
	cl_open(&cl);
	n = snprintf(rq, sizeof(rq), "POST /p HTTP/1.1\r\nContent-Length: 5000\r\n\r\n");
	memset(rq + n, 'w', 5000);
	for (int i = 0; i < 4; i++) {
		cl_send(&cl, rq, (size_t)n + 5000);
		run(50);
	}
	assert_int_equal(api.calls, 4);
	assert_int_equal(responses(&cl), 4);
	assert_int_equal(rs[3].body_len, 5000);
}

static void test_connection_close(void **state)
{
	(void)state;
	cl_open(&cl);
	cl_sends(&cl, "POST /p HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody");
	run(50);
	assert_int_equal(responses(&cl), 1);
	assert_memory_equal(rs[0].body, "body", 4);
	assert_true(cl.fin);
	assert_false(cl.reset);
}

/*
 * A body over the limit: the client gets the whole 413 and an orderly
 * close, not a reset, although its body is still arriving.
 */
static void test_413_then_linger(void **state)
{
	static char body[20000];
	char head[128];

	(void)state;
	memset(body, 'b', sizeof(body));
	cl_open(&cl);
	snprintf(head, sizeof(head), "PUT /p HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", sizeof(body));
	cl_sends(&cl, head);
	cl_send(&cl, body, sizeof(body));
	run(100);
	assert_int_equal(responses(&cl), 1);
	assert_int_equal(rs[0].status, 413);
	assert_true(cl.fin);
	assert_false(cl.reset);
	assert_int_equal(api.calls, 0);
	assert_int_equal(http_conn_count(), 0);
}

static void test_full(void **state)
{
	(void)state;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		cl_open(&many[i]);
	assert_int_equal(http_conn_count(), HTTP_MAX_CONNS);
	cl_open(&many[HTTP_MAX_CONNS]);
	run(20);
	assert_int_equal(responses(&many[HTTP_MAX_CONNS]), 1);
	assert_int_equal(rs[0].status, 503);
	assert_true(many[HTTP_MAX_CONNS].fin);
	/* The others still work. */
	cl_sends(&many[7], "GET /seven HTTP/1.1\r\n\r\n");
	run(20);
	assert_int_equal(responses(&many[7]), 1);
	assert_memory_equal(rs[0].body, "/seven", 6);
}

static void test_gone_during_deferral(void **state)
{
	(void)state;
	cl_open(&cl);
	cl_sends(&cl, "GET /defer HTTP/1.1\r\n\r\n");
	run(20);
	assert_non_null(api.deferred);
	run(2 * HTTP_IDLE_MS);   /* no timeout while deferred */
	assert_int_equal(cl.rx_len, 0);
	assert_false(cl.fin);
	tcp_abort(cl.pcb);       /* the client resets */
	cl.pcb = NULL;
	run(20);
	assert_int_equal(api.gone_calls, 1);
	assert_null(api.deferred);
	assert_int_equal(http_conn_count(), 0);
}

static void test_deferred_answer(void **state)
{
	(void)state;
	cl_open(&cl);
	cl_sends(&cl, "GET /defer HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
	run(20);
	assert_int_equal(api.calls, 1);
	http_respond(api.deferred, 200, "text/plain", "late", 4);
	api.deferred = NULL;
	run(20);
	assert_int_equal(responses(&cl), 2);
	assert_memory_equal(rs[0].body, "late", 4);
	assert_memory_equal(rs[1].body, "/after", 6);
}

/* A client that sends its requests and then shuts its sending side still gets the answers. */
static void test_half_close(void **state)
{
	(void)state;
	cl_open(&cl);
	cl_sends(&cl, "GET /one HTTP/1.1\r\n\r\nGET /two HTTP/1.1\r\n\r\n");
	assert_int_equal(tcp_shutdown(cl.pcb, 0, 1), ERR_OK);
	run(50);
	assert_int_equal(responses(&cl), 2);
	assert_memory_equal(rs[1].body, "/two", 4);
	assert_true(cl.fin);
	assert_false(cl.reset);
	assert_int_equal(http_conn_count(), 0);
}

/*
 * Bytes the server cannot take yet (the previous request is deferred)
 * arriving one per segment: the server holds at most its own buffer for
 * them, never lwIP's buffers one per segment (on the root those come
 * from the NIC's 192-buffer pool, which every client and DHCP share).
 * The window stays shut until the core takes the bytes, and the held
 * requests are all answered in order afterwards.
 */
static void test_tiny_segments(void **state)
{
	static const char rq[] = "GET /t HTTP/1.1\r\n\r\n";
	const size_t reqs = 150, len = sizeof(rq) - 1;
	mem_size_t before;

	(void)state;
	cl_open(&cl);
	tcp_nagle_disable(cl.pcb);
	cl_sends(&cl, "GET /defer HTTP/1.1\r\n\r\n");
	run(20);
	assert_non_null(api.deferred);
	before = lwip_stats.mem.used;
	for (size_t i = 0; i < reqs * len; i++)
		cl_send(&cl, &rq[i % len], 1);
	run(20);
	/* Client side: its unacknowledged segments.  Server side: at most a few pbufs. */
	assert_true(lwip_stats.mem.used <= before + 4096);
	http_respond(api.deferred, 200, "text/plain", "late", 4);
	api.deferred = NULL;
	run(500);
	assert_int_equal(api.calls, 1 + reqs);
	assert_false(cl.fin || cl.reset);
}

/* A new connection must bring its first request soon; a used one may idle longer. */
static void test_idle_close(void **state)
{
	(void)state;
	cl_open(&cl);
	run(HTTP_FIRST_MS - 100);
	assert_false(cl.fin);
	run(200);
	assert_true(cl.fin);
	assert_int_equal(cl.rx_len, 0);
	/* Half a first request: 408 first, at the same limit. */
	cl_close(&cl);
	cl_open(&cl);
	cl_sends(&cl, "GET /slow HTTP/1.1\r\n");
	run(HTTP_FIRST_MS + 100);
	assert_int_equal(responses(&cl), 1);
	assert_int_equal(rs[0].status, 408);
	assert_true(cl.fin);
	/* After a response, the keep-alive idle limit applies. */
	cl_close(&cl);
	cl_open(&cl);
	cl_sends(&cl, "GET /one HTTP/1.1\r\n\r\n");
	run(HTTP_IDLE_MS - 100);
	assert_false(cl.fin);
	run(200);
	assert_true(cl.fin);
	assert_int_equal(responses(&cl), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_413_then_linger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_during_deferral, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiny_segments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
