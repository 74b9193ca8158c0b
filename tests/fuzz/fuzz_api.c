/*
 * libFuzzer target for the management API's whole request path: the
 * input is the byte stream clients send on two connections, cut into
 * chunks through http/'s real core (mgmt/http/http_conn.c, llhttp) into
 * the real router, authentication, jsmn body parsing, every resource and
 * the task engine, on the fake backend.  Between chunks the input's hash
 * drives what else happens: the fake guest answers (with any HRESULT),
 * partitions change state, heartbeats stop, time passes (long-poll and
 * task deadlines), clients go away.
 *
 * The Redfish face (/redfish, mgmt/redfish) is on the same path: Basic
 * credentials, logins whose X-Auth-Token the harness puts where the
 * input says SESSION_KEY, Server-Sent Events streams, task monitors.
 *
 * Checks, beyond ASan/UBSan: everything the server sends parses as HTTP
 * (llhttp), every application/json body is one strict JSON value
 * (jsmn), so is every "data:" line of an event stream, and once every
 * connection is gone no request or stream is still deferred.
 * "HEAD" in the input becomes "POST": the reader cannot know which
 * response answers a HEAD (no body despite its Content-Length); the unit
 * tests and fuzz_http cover HEAD.
 * Seeds (corpus/api) carry the fake's tokens ("Bearer admin-secret",
 * Basic YWRtaW46YWRtaW4tc2VjcmV0 for admin:admin-secret, ...).
 */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "fuzz_rng.h"
#include "../unit/api_fake_backend.h"

#include <api/api.h>
#include <api/api_events.h>
#include <api/api_reply.h>
#include <api/api_routes.h>
#include <api/api_tasks.h>
#include <api/api_throttle.h>
#include <http/http_conn.h>
#include <common/notify.h>
#include <redfish/redfish.h>

#include <llhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONNS 2
/* Replaced in the input by the last X-Auth-Token a login answered (same length). */
#define SESSION_KEY "SESSIONKEYSESSIONKEYSESSIONKEY00"
#define KEY_LEN (sizeof(SESSION_KEY) - 1)

struct fconn {
	struct http_conn *c;
	bool open;
	char in[1 << 15];       /* sent by the client, not yet taken by the core */
	size_t in_len;
	llhttp_t rparser;       /* reads back what the server sent */
	char field[32];         /* the header being read */
	bool json;              /* the response being read is application/json */
	bool stream;            /* ... is text/event-stream: checked line by line */
	bool key_header;        /* the header being read is X-Auth-Token */
	char body[HTTP_MAX_RESPONSE];
	size_t body_len;
};

static char last_key[KEY_LEN + 1] = SESSION_KEY;

static struct fconn fc[CONNS];

static const uint32_t answers[] = {
	S_OK, VM_E_PREF_NOT_FOUND, VM_E_TIMED_OUT, VM_E_VM_NOT_RUNNING, HR_ERROR_MACHINE_LOCKED,
	HR_ERROR_SHUTDOWN_IN_PROGRESS, HR_ERROR_NO_SUCH_LOGON_SESSION, E_FAIL, 0x8000FFFFu,
};

static void world(void)
{
	struct hv_mgmt_token *op;

	fake_reset();
	api_events_reset();
	api_tasks_init();
	fake_vm_add(0, "root", HV_PARTITION_RUNNING, true);
	fake_vm_add(1, "testos1", HV_PARTITION_RUNNING, false)->facts.can_shutdown = true;
	fake_vm_add(2, "testos2", HV_PARTITION_OFF, false);
	fake.vms[1].facts.kvp_known = true;
	fake.vms[1].facts.heartbeat_known = true;
	fake.vms[1].has_exits = true;
	fake_token_add("admin", "admin-secret", "*", 7);
	fake_token_add("reader", "reader-secret", "testos1", HV_MGMT_RIGHT_READ);
	op = fake_token_add("operator", "operator-secret", "testos1", 3);
	fake_token_grant(op, "testos2", HV_MGMT_RIGHT_READ);
	api_throttle_reset();
	redfish_init();
	memcpy(last_key, SESSION_KEY, sizeof(last_key));
}

/* --- reading back what the server sent ----------------------------------- */

static int r_begin(llhttp_t *p)
{
	struct fconn *f = p->data;

	f->json = f->stream = false;
	f->body_len = 0;
	return 0;
}

static int r_field(llhttp_t *p, const char *at, size_t len)
{
	struct fconn *f = p->data;

	snprintf(f->field, sizeof(f->field), "%.*s", (int)len, at);
	f->key_header = strcasecmp(f->field, "X-Auth-Token") == 0;
	return 0;
}

static int r_value(llhttp_t *p, const char *at, size_t len)
{
	struct fconn *f = p->data;

	if (strcasecmp(f->field, "Content-Type") == 0) {
		f->json = len == 16 && memcmp(at, "application/json", 16) == 0;
		f->stream = len == 17 && memcmp(at, "text/event-stream", 17) == 0;
	}
	if (f->key_header && len == KEY_LEN)
		memcpy(last_key, at, KEY_LEN);
	return 0;
}

/* One complete line of an event stream: a "data:" line holds one JSON value. */
static void stream_line(const char *line, size_t n)
{
	jsmntok_t tok[1024];
	jsmn_parser jp;
	int r;

	if (n < 6 || memcmp(line, "data: ", 6) != 0)
		return;
	jsmn_init(&jp);
	r = jsmn_parse(&jp, line + 6, n - 6, tok, 1024);
	if (r <= 0 || (size_t)tok[0].end != n - 6) {
		fprintf(stderr, "invalid event data (%d): %.*s\n", r, (int)n, line);
		abort();
	}
}

/* Streams go on for ever: lines are checked as they complete, then forgotten. */
static void stream_body(struct fconn *f, const char *at, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (at[i] == '\n') {
			stream_line(f->body, f->body_len);
			f->body_len = 0;
		} else if (f->body_len < sizeof(f->body)) {
			f->body[f->body_len++] = at[i];
		} else {
			abort();    /* no line we send is that long */
		}
	}
}

static int r_body(llhttp_t *p, const char *at, size_t len)
{
	struct fconn *f = p->data;

	if (f->stream) {
		stream_body(f, at, len);
		return 0;
	}
	if (len > sizeof(f->body) - f->body_len)
		abort();        /* larger than any response may be */
	memcpy(f->body + f->body_len, at, len);
	f->body_len += len;
	return 0;
}

static int r_complete(llhttp_t *p)
{
	struct fconn *f = p->data;
	jsmntok_t tok[4096];
	jsmn_parser jp;
	int n;

	/* HEAD answers and interim responses carry no body to check. */
	if (!f->json || f->stream || f->body_len == 0 || p->status_code < 200)
		return 0;
	jsmn_init(&jp);
	n = jsmn_parse(&jp, f->body, f->body_len, tok, 4096);
	if (n <= 0 || (size_t)tok[0].end != f->body_len) {
		fprintf(stderr, "invalid JSON answer (%d): %.*s\n", n, (int)f->body_len, f->body);
		abort();
	}
	return 0;
}

static const llhttp_settings_t rsettings = {
	.on_message_begin = r_begin,
	.on_header_field = r_field,
	.on_header_value = r_value,
	.on_body = r_body,
	.on_message_complete = r_complete,
};

/* --- transport double --------------------------------------------------- */

static size_t t_send(void *ctx, const char *buf, size_t len)
{
	struct fconn *f = ctx;

	if (!f->open)
		abort();
	if (llhttp_execute(&f->rparser, buf, len) != HPE_OK)
		abort();
	return len;
}

static size_t t_space(void *ctx)
{
	(void)ctx;
	return SIZE_MAX;
}

static void t_close(void *ctx, bool abort_conn)
{
	struct fconn *f = ctx;

	(void)abort_conn;
	if (!f->open)
		abort();
	f->open = false;
}

static const struct http_transport transport = { t_send, t_space, t_close, true, NULL };

static void t_open(struct fconn *f, uint64_t now)
{
	f->in_len = 0;
	f->open = true;
	llhttp_init(&f->rparser, HTTP_RESPONSE, &rsettings);
	f->rparser.data = f;
	f->c = http_conn_open(&transport, f, now);
	if (!f->c)
		abort();
}

static void t_pump(struct fconn *f, uint64_t now)
{
	size_t n;

	if (f->open && f->in_len && http_conn_wants_input(f->c)) {
		n = http_conn_input(f->c, f->in, f->in_len, now);
		if (n > f->in_len)
			abort();
		memmove(f->in, f->in + n, f->in_len - n);
		f->in_len -= n;
	}
}

/* The last login's key where the unconsumed input names SESSION_KEY. */
static void put_session_key(struct fconn *f)
{
	for (size_t i = 0; i + KEY_LEN <= f->in_len; i++)
		if (memcmp(f->in + i, SESSION_KEY, KEY_LEN) == 0)
			memcpy(f->in + i, last_key, KEY_LEN);
}

/* --- what else happens ---------------------------------------------------- */

static void guest_answers(void)
{
	static struct guestos_result res;
	struct fake_request *r = fake_last_request();

	if (!r)
		return;
	memset(&res, 0, sizeof(res));
	res.hresult = answers[rnd(sizeof(answers) / sizeof(answers[0]))];
	res.exit_status = (int32_t)rnd(256) - 128;
	res.nusers = rnd(GUESTOS_MAX_USERS + 4);
	res.output_len = rnd(GUESTOS_OUTPUT + 1);
	memset(res.output, 'o', res.output_len);
	snprintf(res.value, sizeof(res.value), "v\x01\"\xff");
	snprintf(res.users[0].name, sizeof(res.users[0].name), "u\xc3(");
	fake_complete(r, &res);
}

static void event(struct fconn *f, uint64_t *now)
{
	uint32_t vm = rnd(3);

	switch (rnd(10)) {
	case 0:
		guest_answers();
		break;
	case 1:
		fake.vms[vm].vm.state = rnd(5);
		notify_post(vm, NOTIFY_STATE, fake.vms[vm].vm.state, rnd(9));
		break;
	case 2:
		notify_post(vm, (enum notify_kind)(1 + rnd(3)), rnd(2), 0);
		break;
	case 3:
		/* Mostly short steps; sometimes past long-poll waits, now and then past a session's life. */
		*now += rnd(2) ? rnd(1000) : rnd(8) ? 30000 : 1900000;
		fake.now_ms = *now;
		api_poll(*now);
		http_conn_poll(*now);
		break;
	case 4:
		if (f->open && rnd(4) == 0) {
			f->open = false;
			http_conn_gone(f->c);
		} else if (!f->open) {
			t_open(f, *now);
		}
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	uint64_t now = 1000;
	size_t off = 0;
	char *text = malloc(size ? size : 1);

	if (!started) {
		world();
		api_init();
		started = true;
	}
	world();
	fake.now_ms = now;
	fuzz_seed(data, size);
	memcpy(text, data, size);
	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(text + i, "HEAD", 4) == 0)
			memcpy(text + i, "POST", 4);
	for (int i = 0; i < CONNS; i++)
		t_open(&fc[i], now);
	while (off < size) {
		struct fconn *f = &fc[rnd(CONNS)];
		size_t n = 1 + rnd(rnd(4) ? 256 : 4096);

		if (n > size - off)
			n = size - off;
		if (f->open && n <= sizeof(f->in) - f->in_len) {
			memcpy(f->in + f->in_len, text + off, n);
			f->in_len += n;
			put_session_key(f);
		}
		off += n;
		t_pump(f, now);
		event(f, &now);
		t_pump(f, now);
	}
	/* Answers may still come (a guest's, a deadline) before the clients leave. */
	guest_answers();
	for (int i = 0; i < CONNS; i++)
		t_pump(&fc[i], now);
	for (int i = 0; i < CONNS; i++) {
		if (fc[i].open) {
			fc[i].open = false;
			http_conn_gone(fc[i].c);
		}
	}
	if (http_conn_count() != 0 || api_deferred_count() != 0)
		abort();
	free(text);
	return 0;
}
