/*
 * libFuzzer target for the HTTP server's core (mgmt/http/http_conn.c):
 * the input is the byte stream a client sends on two connections, cut
 * into chunks of pseudo-random sizes, interleaved with transport events
 * (send space running out and coming back, time passing, the client
 * leaving) and with answers to deferred requests.  The chunking and the
 * events derive from a hash of the input, so every run replays exactly.
 *
 * The API is a test double below (fuzz_api_*): requests are answered by
 * path at once, later (deferred) or never (the 500 path).  To fuzz the
 * real router instead, link mgmt/api in place of this section.
 * Checks: no memory error (ASan/UBSan), every response the core sends is
 * a well-formed HTTP response (parsed back with llhttp), responses never
 * outnumber requests, and no connection outlives the run.
 */
#include "fuzz_rng.h"
#include <http/http_conn.h>

#include <llhttp.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CONNS 2

struct fconn {
	struct http_conn *c;
	bool open;
	uint8_t in[1 << 16];    /* bytes the client sent that the core has not taken */
	size_t in_len;
	size_t budget;          /* send space */
	unsigned requests, responses;
	llhttp_t rparser;       /* reads back what the core sent */
	bool head_pending;      /* the response on its way answers a HEAD */
};

static struct fconn fc[FUZZ_CONNS];
static uint64_t now;

/* --- API test double ------------------------------------------------------ */

static struct http_conn *deferred[FUZZ_CONNS];

static struct fconn *fconn_of(struct http_conn *c)
{
	for (int i = 0; i < FUZZ_CONNS; i++) {
		if (fc[i].open && fc[i].c == c)
			return &fc[i];
	}
	abort();   /* the core handed over a connection nobody opened */
}

enum api_disposition api_handle(struct http_conn *c, const struct http_request *rq)
{
	struct fconn *f = fconn_of(c);
	enum api_disposition d = API_ANSWERED;

	f->requests++;
	f->head_pending = rq->method == HTTP_M_HEAD;
	if (rq->body_len > HTTP_MAX_BODY || strlen(rq->path) >= sizeof(rq->path))
		abort();
	if (rq->path[1] == 'd') {
		deferred[f - fc] = c;
		d = API_DEFERRED;
	} else if (rq->path[1] == 's') {
		/* answered without a response: the core must answer 500 itself */
	} else {
		if (rq->path[1] == 'h')
			http_add_header(c, rq->query);
		http_respond(c, 200, rq->content_type[0] ? rq->content_type : NULL, rq->body,
			     rq->body_len);
	}
	return d;
}

void api_conn_gone(struct http_conn *c)
{
	for (int i = 0; i < FUZZ_CONNS; i++) {
		if (deferred[i] == c) {
			deferred[i] = NULL;
			return;
		}
	}
	abort();   /* gone for a request the API did not hold */
}

/* --- transport test double ------------------------------------------------ */

static int r_headers_complete(llhttp_t *p)
{
	struct fconn *f = p->data;

	/* A response to HEAD has no body; only the current one can be it. */
	return f->head_pending ? 1 : 0;
}

static int r_message_complete(llhttp_t *p)
{
	struct fconn *f = p->data;

	/* 100 Continue is interim: the request's own response follows. */
	if (p->status_code >= 200) {
		f->responses++;
		f->head_pending = false;
	}
	return 0;
}

static const llhttp_settings_t rsettings = {
	.on_headers_complete = r_headers_complete,
	.on_message_complete = r_message_complete,
};

static size_t t_send(void *ctx, const char *buf, size_t len)
{
	struct fconn *f = ctx;
	size_t n = len < f->budget ? len : f->budget;

	if (!f->open)
		abort();
	if (n && llhttp_execute(&f->rparser, buf, n) != HPE_OK)
		abort();   /* the core sent something that is not HTTP */
	f->budget -= n;
	return n;
}

static size_t t_space(void *ctx)
{
	return ((struct fconn *)ctx)->budget;
}

static void t_close(void *ctx, bool abort_conn)
{
	struct fconn *f = ctx;

	(void)abort_conn;
	if (!f->open || f->responses > f->requests + 1)   /* + 1: an error the core answered */
		abort();
	f->open = false;
}

static const struct http_transport transport = { t_send, t_space, t_close, false, NULL };

static void t_open(struct fconn *f)
{
	f->in_len = 0;
	f->requests = f->responses = 0;
	f->head_pending = false;
	f->budget = rnd(2) ? SIZE_MAX : rnd(300);
	f->open = true;
	llhttp_init(&f->rparser, HTTP_RESPONSE, &rsettings);
	f->rparser.data = f;
	f->c = http_conn_open(&transport, f, now);
	if (!f->c)
		abort();
}

/* Offers the kept bytes again, as http_tcp.c does. */
static void t_pump(struct fconn *f)
{
	size_t n;

	if (f->open && f->in_len && http_conn_wants_input(f->c)) {
		n = http_conn_input(f->c, (const char *)f->in, f->in_len, now);
		if (n > f->in_len)
			abort();
		memmove(f->in, f->in + n, f->in_len - n);
		f->in_len -= n;
	}
}

/* One random transport or API event on connection f. */
static void event(struct fconn *f, int i)
{
	switch (rnd(8)) {
	case 0:
		f->budget = rnd(2) ? SIZE_MAX : f->budget + rnd(500);
		if (f->open)
			http_conn_output_ready(f->c, now);
		break;
	case 1:
		now += rnd(2) ? rnd(100) : HTTP_IDLE_MS;
		http_conn_poll(now);
		break;
	case 2:
		if (deferred[i]) {
			struct http_conn *c = deferred[i];

			deferred[i] = NULL;
			http_respond(c, 200, "application/json", "{}", 2);
		}
		break;
	case 3:
		if (f->open && rnd(4) == 0) {
			f->open = false;
			http_conn_gone(f->c);
		}
		break;
	case 4:
		if (!f->open && rnd(2))
			t_open(f);   /* a new client in the freed slot */
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	fuzz_seed(data, size);
	now = 1000;
	for (int i = 0; i < FUZZ_CONNS; i++)
		t_open(&fc[i]);
	/* Each chunk goes to one connection; the kept bytes are offered first. */
	while (off < size) {
		int i = (int)rnd(FUZZ_CONNS);
		struct fconn *f = &fc[i];
		size_t n = 1 + rnd(rnd(4) ? 64 : 2048);

		if (n > size - off)
			n = size - off;
		if (f->open && n <= sizeof(f->in) - f->in_len) {
			memcpy(f->in + f->in_len, data + off, n);
			f->in_len += n;
		}
		off += n;
		t_pump(f);
		event(f, i);
		t_pump(f);
	}
	for (int i = 0; i < FUZZ_CONNS; i++) {
		struct fconn *f = &fc[i];

		if (f->open) {
			f->open = false;
			http_conn_gone(f->c);
		}
		if (deferred[i])
			abort();   /* http_conn_gone did not tell the API */
	}
	if (http_conn_count() != 0)
		abort();
	return 0;
}
